package sandbox_test

// The conformance test: a whole subscription life driven through stripe-go
// against the sandbox, and every object the API answered and every event it
// sent checked against Stripe's OpenAPI spec: the fields Stripe always
// sends (null when empty), their types and nullability, enum values, and
// no field the spec does not have. The spec is the one stripe-mock v0.203.0
// embeds (the contract test's): make test passes its path in STRIPE_SPEC.
//
// That spec is of a later API version (dahlia) than the basil stripe-go
// v82.5.1 speaks and the sandbox answers in. Where the two differ, basil
// wins, as stripe-go's types describe it: basilDifferences lists every
// such difference the test allows, why, and proves each against those
// types. Anything else is a violation, and the test wants none.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/sandbox"
)

// specModule embeds Stripe's OpenAPI spec at embedded/openapi/spec3.json.
const specModule = "github.com/stripe/stripe-mock@v0.203.0"

// basilDifference is a way the spec (dahlia) and basil differ that the
// test allows: findings of kind what at each of where, a field as
// "schema.field" (the schema as the spec names it) or, for an object the
// spec does not describe, its object name. The test proves each against
// stripe-go v82.5.1's type for the schema (basilTypes): basil has a field
// the spec does not know, and lacks one the spec always sends.
type basilDifference struct {
	what  string
	where []string
	why   string
}

const (
	whatUnknown  = "not in the spec"
	whatMissing  = "missing: the spec says it is always sent"
	whatNoSchema = "an object the spec does not describe"
)

// notInEnum ends the finding of a value the field's enum lacks (see
// valueNotInSpec).
const notInEnum = ", not one of the spec's values"

// valueNotInSpec is the finding of a value the field's enum lacks; an
// allowance for one names the value by stripe-go's constant for it.
func valueNotInSpec(v string) string { return strconv.Quote(v) + notInEnum }

// basilDifferences are the version-only differences the test allows.
var basilDifferences = []basilDifference{
	{whatUnknown, []string{"charge.source", "payment_intent.source"},
		"basil's charges and PaymentIntents still carry the legacy Sources API's source; dahlia dropped it"},
	{whatUnknown, []string{"discount.coupon"},
		"basil's discount has its coupon; dahlia moved it to source.coupon"},
	{whatUnknown, []string{"promotion_code.coupon"},
		"basil's promotion code has its coupon; dahlia moved it to promotion.coupon"},
	{whatUnknown, []string{"product.type"},
		"basil's product has a type (service or good); dahlia dropped it"},
	{whatUnknown, []string{"recurring.trial_period_days"},
		"basil's price.recurring has trial_period_days; dahlia dropped it"},
	{whatUnknown, []string{"subscription_item.plan"},
		"basil's subscription item has its price as a legacy plan too (and expand[] goes through it); dahlia dropped it"},

	{whatMissing, []string{"billing_portal.session.customer_account", "checkout.session.customer_account",
		"customer.customer_account", "discount.customer_account", "invoice.customer_account", "payment_intent.customer_account",
		"payment_method.customer_account", "promotion_code.customer_account", "setup_intent.customer_account",
		"subscription.customer_account"},
		"customer_account, the Accounts v2 account beside the customer, came after basil"},
	{whatMissing, []string{"checkout.session.managed_payments", "payment_intent.managed_payments",
		"setup_intent.managed_payments", "subscription.managed_payments"},
		"managed_payments came after basil"},
	{whatMissing, []string{"payment_intent.allowed_payment_method_types", "setup_intent.allowed_payment_method_types",
		"setup_intent.excluded_payment_method_types"},
		"these payment method type lists came after basil"},
	{whatMissing, []string{"checkout.session.integration_identifier",
		"payment_pages_checkout_session_customer_details.business_name", "payment_pages_checkout_session_customer_details.individual_name"},
		"Checkout's integration_identifier and the business and individual names it collects came after basil"},
	{whatMissing, []string{"subscription.billing_schedules", "subscriptions_resource_billing_mode.flexible",
		"subscriptions_resource_subscription_invoice_settings.custom_fields",
		"subscriptions_resource_subscription_invoice_settings.description",
		"subscriptions_resource_subscription_invoice_settings.footer", "cancellation_details.feedback_option"},
		"a subscription's billing schedules, flexible billing mode settings, invoice settings' custom fields, description and footer, and the canceling customer's feedback option came after basil"},
	{whatMissing, []string{"portal_subscription_cancellation_reason.feedback_options",
		"portal_subscription_update.billing_cycle_anchor", "portal_subscription_update.trial_update_behavior"},
		"these portal configuration settings came after basil"},
	{whatMissing, []string{"invoice.amount_paid_off_stripe", "line_item.quantity_decimal", "line_item.subtotal",
		"item.adjustable_quantity", "item.metadata", "discount.source", "payment_method_details_card.transaction_link_id"},
		"an invoice's amount paid off Stripe, a line's decimal quantity and subtotal, a Checkout line item's adjustable quantity and metadata, a discount's source and a card payment's transaction link came after basil"},

	{valueNotInSpec(string(stripe.CheckoutSessionUIModeHosted)), []string{"checkout.session.ui_mode"},
		"basil's Checkout modes are hosted, embedded and custom; dahlia renamed them hosted_page, embedded_page and elements"},

	{whatNoSchema, []string{"entitlements.active_entitlement_summary"},
		"the object of entitlements.active_entitlement_summary.updated, which spec3.json does not describe: checked against stripe-go's type instead"},
}

// basilTypes are stripe-go v82.5.1's types of the schemas basilDifferences
// name.
var basilTypes = map[string]reflect.Type{
	"billing_portal.session": reflect.TypeFor[stripe.BillingPortalSession](),
	"cancellation_details":   reflect.TypeFor[stripe.SubscriptionCancellationDetails](),
	"charge":                 reflect.TypeFor[stripe.Charge](),
	"checkout.session":       reflect.TypeFor[stripe.CheckoutSession](),
	"customer":               reflect.TypeFor[stripe.Customer](),
	"discount":               reflect.TypeFor[stripe.Discount](),
	"entitlements.active_entitlement_summary": reflect.TypeFor[stripe.EntitlementsActiveEntitlementSummary](),
	"invoice":                     reflect.TypeFor[stripe.Invoice](),
	"item":                        reflect.TypeFor[stripe.LineItem](),
	"line_item":                   reflect.TypeFor[stripe.InvoiceLineItem](),
	"payment_intent":              reflect.TypeFor[stripe.PaymentIntent](),
	"payment_method":              reflect.TypeFor[stripe.PaymentMethod](),
	"payment_method_details_card": reflect.TypeFor[stripe.ChargePaymentMethodDetailsCard](),
	"payment_pages_checkout_session_customer_details": reflect.TypeFor[stripe.CheckoutSessionCustomerDetails](),
	"portal_subscription_cancellation_reason":         reflect.TypeFor[stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReason](),
	"portal_subscription_update":                      reflect.TypeFor[stripe.BillingPortalConfigurationFeaturesSubscriptionUpdate](),
	"product":                                         reflect.TypeFor[stripe.Product](),
	"promotion_code":                                  reflect.TypeFor[stripe.PromotionCode](),
	"recurring":                                       reflect.TypeFor[stripe.PriceRecurring](),
	"setup_intent":                                    reflect.TypeFor[stripe.SetupIntent](),
	"subscription":                                    reflect.TypeFor[stripe.Subscription](),
	"subscription_item":                               reflect.TypeFor[stripe.SubscriptionItem](),
	"subscriptions_resource_billing_mode":             reflect.TypeFor[stripe.SubscriptionBillingMode](),
	"subscriptions_resource_subscription_invoice_settings": reflect.TypeFor[stripe.SubscriptionInvoiceSettings](),
}

// includable are nullable fields Stripe leaves out unless expand[] asks
// for them ("This field is not included by default", the API reference
// says of each), so the rule that a nullable field is always sent skips
// them. The sandbox has neither.
var includable = []string{"charge.refunds", "customer.cash_balance"}

// allowed reports whether a finding is a difference basilDifferences allows.
func allowed(where, what string) bool {
	return slices.ContainsFunc(basilDifferences, func(d basilDifference) bool {
		return d.what == what && slices.Contains(d.where, where)
	})
}

// splitField splits "checkout.session.customer_account" into its schema
// and field.
func splitField(where string) (string, string) {
	i := strings.LastIndex(where, ".")
	return where[:i], where[i+1:]
}

// checkBasilDifferences proves each allowed difference against stripe-go's
// types, and that the scenario met it (an allowance never needed is one
// to drop).
func checkBasilDifferences(t *testing.T, k *checker) {
	for _, d := range basilDifferences {
		for _, where := range d.where {
			key := [2]string{where, d.what}
			if k.findings[key] == nil {
				t.Errorf("allowed difference %s (%s) was not met: drop it from basilDifferences", where, d.what)
			}
			delete(k.findings, key)
			if strings.HasSuffix(d.what, notInEnum) {
				continue // the value is stripe-go's own constant
			}
			if d.what == whatNoSchema {
				if basilTypes[where] == nil {
					t.Errorf("allowed difference %s: no stripe-go type in basilTypes", where)
				}
				continue
			}
			schemaName, field := splitField(where)
			typ := basilTypes[schemaName]
			if typ == nil {
				t.Errorf("allowed difference %s: no stripe-go type for %s in basilTypes", where, schemaName)
				continue
			}
			if has := slices.Contains(jsonFields(typ), field); has != (d.what == whatUnknown) {
				t.Errorf("allowed difference %s (%s) is not basil's: stripe-go's %s has the field: %v", where, d.what, typ, has)
			}
		}
	}
}

// specPath finds spec3.json: STRIPE_SPEC (make test sets it, and then a
// missing file fails the test), else the module cache, where make test's
// go install of stripe-mock put it.
func specPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STRIPE_SPEC"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("STRIPE_SPEC: %v (make test fetches it with go mod download %s)", err, specModule)
		}
		return p
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), filepath.FromSlash(specModule), "embedded", "openapi", "spec3.json")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("Stripe's OpenAPI spec not found: run go mod download %s, or set STRIPE_SPEC to its embedded/openapi/spec3.json (make test does)", specModule)
	return ""
}

// schema is the part of an OpenAPI 3.0 schema Stripe's spec uses.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Nullable             bool               `json:"nullable"`
	Enum                 []any              `json:"enum"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	Items                *schema            `json:"items"`
	AnyOf                []*schema          `json:"anyOf"`
	OneOf                []*schema          `json:"oneOf"`
	AllOf                []*schema          `json:"allOf"`
	Expandable           []string           `json:"x-expandableFields"`
}

type operation struct {
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type spec struct {
	Paths      map[string]map[string]*operation `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	data, err := os.ReadFile(specPath(t))
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	sp := &spec{}
	if err := json.Unmarshal(data, sp); err != nil {
		t.Fatalf("decode spec: %v", err)
	}
	return sp
}

// resolve follows $ref and a lone allOf to the schema they name, and
// returns its name (empty for an inline schema).
func (sp *spec) resolve(sc *schema) (*schema, string) {
	name := ""
	for sc != nil {
		switch {
		case sc.Ref != "":
			name = strings.TrimPrefix(sc.Ref, "#/components/schemas/")
			next := sp.Components.Schemas[name]
			// nullable sits beside the $ref, in an anyOf of one.
			sc = next
		case len(sc.AllOf) == 1:
			sc = sc.AllOf[0]
		default:
			return sc, name
		}
	}
	return nil, name
}

// response is the schema of what the operation at method and path (a
// concrete one, such as /v1/customers/cus_123) answers with status.
func (sp *spec) response(method, path string, status int) *schema {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestLiterals := "", -1
	for tmpl, ops := range sp.Paths {
		if ops[strings.ToLower(method)] == nil {
			continue
		}
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i := range ts {
			switch {
			case strings.HasPrefix(ts[i], "{"):
			case ts[i] == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = tmpl, literals
		}
	}
	if best == "" {
		return nil
	}
	key := "200"
	if status >= 400 {
		key = "default"
	}
	return sp.Paths[best][strings.ToLower(method)].Responses[key].Content["application/json"].Schema
}

// eventTypes is the spec's list of event types (what an endpoint's
// enabled_events may name).
func (sp *spec) eventTypes() []string {
	op := sp.Paths["/v1/webhook_endpoints"]["post"]
	var out []string
	for _, v := range op.RequestBody.Content["application/x-www-form-urlencoded"].Schema.Properties["enabled_events"].Items.Enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// finding is one way an answer differs from the spec, counted over every
// object it was seen in.
type finding struct {
	where, what, example string
	n                    int
}

// checker holds objects against the spec and gathers what differs.
type checker struct {
	sp       *spec
	findings map[[2]string]*finding
	objects  int // objects checked, nested and expanded ones included
}

type violation struct{ where, what string }

func (k *checker) record(vs []violation, example string) {
	for _, v := range vs {
		key := [2]string{v.where, v.what}
		if f := k.findings[key]; f != nil {
			f.n++
			continue
		}
		k.findings[key] = &finding{where: v.where, what: v.what, example: example, n: 1}
	}
}

// check returns how v differs from sc; where names the spot, from the
// nearest named schema ("line_item.period").
func (k *checker) check(v any, sc *schema, where string) []violation {
	if v == nil {
		if sc.Nullable {
			return nil
		}
		if r, _ := k.sp.resolve(sc); r != nil && r.Nullable {
			return nil
		}
		return []violation{{where, "null, which the spec does not allow"}}
	}
	// A named schema starts the spot afresh: a fault in a line item is
	// one finding, wherever line items are found.
	sc, name := k.sp.resolve(sc)
	if sc == nil {
		return nil
	}
	if name != "" {
		where = name
	}
	if alts := append(slices.Clone(sc.AnyOf), sc.OneOf...); len(alts) > 0 {
		return k.checkAlternatives(v, alts, where)
	}
	kind := sc.Type
	if kind == "" && sc.Properties != nil {
		kind = "object"
	}
	switch kind {
	case "string":
		s, ok := v.(string)
		if !ok {
			return []violation{{where, fmt.Sprintf("a %s, the spec says a string", jsonKind(v))}}
		}
		if len(sc.Enum) > 0 && !slices.ContainsFunc(sc.Enum, func(e any) bool { return fmt.Sprint(e) == s }) {
			return []violation{{where, valueNotInSpec(s)}}
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return []violation{{where, fmt.Sprintf("%v, the spec says an integer", v)}}
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			return []violation{{where, fmt.Sprintf("a %s, the spec says a number", jsonKind(v))}}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []violation{{where, fmt.Sprintf("a %s, the spec says a boolean", jsonKind(v))}}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return []violation{{where, fmt.Sprintf("a %s, the spec says an array", jsonKind(v))}}
		}
		var out []violation
		for _, x := range arr {
			out = append(out, k.check(x, sc.Items, where+"[]")...)
		}
		return out
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return []violation{{where, fmt.Sprintf("a %s, the spec says an object", jsonKind(v))}}
		}
		return k.checkObject(m, sc, where)
	}
	return nil
}

func (k *checker) checkObject(m map[string]any, sc *schema, where string) []violation {
	if _, ok := m["object"]; ok {
		k.objects++
	}
	var out []violation
	for _, name := range alwaysSent(sc, where) {
		if _, ok := m[name]; !ok {
			out = append(out, violation{where + "." + name, whatMissing})
		}
	}
	var extra *schema
	open := false
	if len(sc.AdditionalProperties) > 0 {
		if string(sc.AdditionalProperties) == "true" {
			open = true
		} else if string(sc.AdditionalProperties) != "false" {
			extra = &schema{}
			_ = json.Unmarshal(sc.AdditionalProperties, extra)
		}
	}
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		switch p := sc.Properties[key]; {
		case p != nil:
			out = append(out, k.check(m[key], p, where+"."+key)...)
		case extra != nil:
			out = append(out, k.check(m[key], extra, where+"."+key)...)
		case !open:
			out = append(out, violation{where + "." + key, whatUnknown})
		}
	}
	return out
}

// alwaysSent are the fields an object of sc (at where) always has: the
// required ones and, as Stripe sends a nullable field as null rather than
// leave it out, the nullable ones (spec3.json marks only the others
// required), but includable ones.
func alwaysSent(sc *schema, where string) []string {
	out := slices.Clone(sc.Required)
	for name, p := range sc.Properties {
		if p.Nullable && !slices.Contains(out, name) && !slices.Contains(includable, where+"."+name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// checkAlternatives holds v against the alternative meant for it: the
// string of an unexpanded id, the object type v names, or else the one it
// fits best.
func (k *checker) checkAlternatives(v any, alts []*schema, where string) []violation {
	var best []violation
	for i, alt := range alts {
		vs := k.check(v, alt, where)
		if len(vs) == 0 {
			return nil
		}
		if m, ok := v.(map[string]any); ok {
			if r, _ := k.sp.resolve(alt); r != nil && r.Properties["object"] != nil &&
				slices.ContainsFunc(r.Properties["object"].Enum, func(e any) bool { return e == m["object"] }) {
				return vs
			}
		}
		if i == 0 || len(vs) < len(best) {
			best = vs
		}
	}
	return best
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// schemaFor is the spec's schema of an object by its object field (and a
// deleted one's), and its name.
func (k *checker) schemaFor(m map[string]any) (*schema, string) {
	name, _ := m["object"].(string)
	if m["deleted"] == true {
		name = "deleted_" + name
	}
	return k.sp.Components.Schemas[name], name
}

// checkEvent holds an event's data.object against the schema of its type
// (the spec leaves it a free-form object) and previous_attributes' keys
// against that type's fields.
func (k *checker) checkEvent(ev map[string]any, example string) {
	data, _ := ev["data"].(map[string]any)
	obj, _ := data["object"].(map[string]any)
	sc, name := k.schemaFor(obj)
	if sc == nil {
		k.checkUndescribed(obj, name, example)
		return
	}
	k.record(k.check(obj, sc, name), example)
	prev, _ := data["previous_attributes"].(map[string]any)
	for key := range prev {
		if sc.Properties[key] == nil {
			k.record([]violation{{name + "." + key, "in previous_attributes, " + whatUnknown}}, example)
		}
	}
}

// checkUndescribed holds an object spec3.json has no schema for against
// stripe-go's type for it, when basilDifferences allows it: exactly its
// fields.
func (k *checker) checkUndescribed(obj map[string]any, name, example string) {
	k.record([]violation{{name, whatNoSchema}}, example)
	typ := basilTypes[name]
	if !allowed(name, whatNoSchema) || typ == nil {
		return
	}
	k.objects++
	fields := jsonFields(typ)
	for key := range obj {
		if !slices.Contains(fields, key) {
			k.record([]violation{{name + "." + key, "not in stripe-go's type"}}, example)
		}
	}
	for _, f := range fields {
		if _, ok := obj[f]; !ok {
			k.record([]violation{{name + "." + f, "missing: in stripe-go's type"}}, example)
		}
	}
}

// jsonFields are the JSON names of a stripe-go type's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// exchange is one API request stripe-go made and what came back.
type exchange struct {
	method, path string
	status       int
	body         []byte
}

// recorder is stripe-go's HTTP transport, keeping every answer.
type recorder struct {
	mu   sync.Mutex
	seen []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.seen = append(r.seen, exchange{method: req.Method, path: req.URL.Path, status: res.StatusCode, body: body})
	r.mu.Unlock()
	return res, nil
}

func TestConformance(t *testing.T) {
	started := time.Now()
	sp := loadSpec(t)
	e := MustStart(t)
	rec := &recorder{}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL: stripe.String(e.srv.URL()), HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second},
		MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	e.sc = stripe.NewClient(testKey, stripe.WithBackends(&stripe.Backends{API: backend, Connect: backend, Uploads: backend, MeterEvents: backend}))

	lifeOfASubscription(t, e)
	sweep(t, backend.(stripe.RawRequestBackend))

	k := &checker{sp: sp, findings: map[[2]string]*finding{}}
	events, eventTypes := map[string]bool{}, map[string]bool{}
	for _, x := range rec.seen {
		example := x.method + " " + x.path
		var v any
		dec := json.NewDecoder(bytes.NewReader(x.body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: not JSON: %v", example, err)
		}
		sc := sp.response(x.method, x.path, x.status)
		if sc == nil {
			k.record([]violation{{example, "an operation the spec does not have"}}, example)
			continue
		}
		top := strings.TrimPrefix(x.path, "/v1/")
		if m, ok := v.(map[string]any); ok {
			if _, name := k.schemaFor(m); name != "" && m["object"] != "list" {
				top = name
			}
		}
		k.record(k.check(v, sc, top), example)
		// Events: the envelope was checked above; their objects here.
		if !strings.HasPrefix(x.path, "/v1/events") || x.status != http.StatusOK {
			continue
		}
		evs := []any{v}
		if m := v.(map[string]any); m["object"] == "list" {
			evs = m["data"].([]any)
		}
		for _, ev := range evs {
			ev := ev.(map[string]any)
			k.checkEvent(ev, example+" "+ev["type"].(string))
			events[ev["id"].(string)] = true
			eventTypes[ev["type"].(string)] = true
		}
	}
	known := sp.eventTypes()
	for typ := range eventTypes {
		if !slices.Contains(known, typ) {
			k.record([]violation{{"event.type", fmt.Sprintf("%q, not an event type of the spec", typ)}}, "GET /v1/events")
		}
	}
	checkDeclarations(t, sp)

	checkBasilDifferences(t, k)
	var left []*finding
	for _, f := range k.findings {
		left = append(left, f)
	}
	sort.Slice(left, func(i, j int) bool { return left[i].where+left[i].what < left[j].where+left[j].what })
	for _, f := range left {
		t.Errorf("%s: %s (%d times; first in %s)", f.where, f.what, f.n, f.example)
	}
	t.Logf("conformance: %d API answers (%d objects in them, expanded ones included) and %d events of %d types checked against %s's spec in %s: %d violations, %d version differences allowed",
		len(rec.seen), k.objects, len(events), len(eventTypes), specModule, time.Since(started).Round(100*time.Millisecond), len(left), len(basilDifferences))
}

// checkDeclarations holds what the sandbox lets expand[] name against the
// spec: each field is one of its object's x-expandableFields, and a field
// declared to expand into an object type may be that type in the spec.
func checkDeclarations(t *testing.T, sp *spec) {
	for name, fields := range sandbox.ExpandableFields() {
		sc := sp.Components.Schemas[name]
		if sc == nil {
			if len(fields) > 0 {
				t.Errorf("object type %s declares expandable fields but the spec has no such schema", name)
			}
			continue
		}
		for _, f := range fields {
			first, _, _ := strings.Cut(f.Path, ".")
			if allowed(name+"."+first, whatUnknown) {
				continue // basil's only: stripe-go's type has it
			}
			if !slices.Contains(sc.Expandable, first) {
				t.Errorf("%s.%s is declared expandable; the spec's x-expandableFields of %s are %v", name, f.Path, name, sc.Expandable)
				continue
			}
			if f.To == "" || strings.HasPrefix(f.To, "list:") {
				continue
			}
			if p := sp.fieldAt(sc, f.Path); !sp.canHold(p, f.To) {
				t.Errorf("%s.%s is declared to hold a %s; the spec's is not one", name, f.Path, f.To)
			}
		}
	}
}

// fieldAt is the schema of the field at a dotted path, going through
// objects and lists (data).
func (sp *spec) fieldAt(sc *schema, path string) *schema {
	for _, key := range strings.Split(path, ".") {
		sc = sp.objectIn(sc)
		if sc == nil || sc.Properties[key] == nil {
			return nil
		}
		sc = sc.Properties[key]
	}
	return sc
}

// objectIn is the object schema sc is or holds (through $ref, anyOf and
// array items).
func (sp *spec) objectIn(sc *schema) *schema {
	sc, _ = sp.resolve(sc)
	for sc != nil {
		switch {
		case len(sc.AnyOf) > 0:
			for _, alt := range sc.AnyOf {
				if r, _ := sp.resolve(alt); r != nil && r.Properties != nil {
					return r
				}
			}
			return nil
		case sc.Items != nil:
			sc, _ = sp.resolve(sc.Items)
		default:
			return sc
		}
	}
	return nil
}

// canHold reports whether the field's schema is (or, expanded, can be) an
// object of type name, or a list of them.
func (sp *spec) canHold(sc *schema, name string) bool {
	if sc == nil {
		return false
	}
	if sc.Items != nil {
		return sp.canHold(sc.Items, name)
	}
	r, ref := sp.resolve(sc)
	if ref == name {
		return true
	}
	if r == nil {
		return false
	}
	for _, alt := range append(slices.Clone(r.AnyOf), r.OneOf...) {
		if sp.canHold(alt, name) {
			return true
		}
	}
	return r.Items != nil && sp.canHold(r.Items, name)
}

// lifeOfASubscription drives what a subscription app and its customers do,
// through stripe-go and the hosted pages: the catalog with LEARN10 and a
// portal configuration; a trial with LEARN10 on card 0341, its end, a
// failed payment and a retry, a card updated in the portal and the retry
// that pays, a renewal, a cancellation in the portal with a reason, and the
// period's end; a paid Checkout and a plan switch in the portal; a trial
// whose payment never succeeds, canceled after its retries; an expired
// Checkout, and a deleted clock and endpoint.
func lifeOfASubscription(t *testing.T, e *env) {
	ctx := context.Background()
	cat := e.catalog()
	e.learn10()
	spring := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(500), Currency: stripe.String("usd"),
		Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(3), Name: stripe.String("Spring")}))(t)
	code := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(spring.ID), Code: stripe.String("SPRING")}))(t)
	must(e.sc.V1PromotionCodes.Update(ctx, code.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(false)}))(t)
	r := newReceiver(t, nil)
	ep := must(e.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(r.srv.URL), EnabledEvents: stripe.StringSlice([]string{"*"})}))(t)
	r.mu.Lock()
	r.secret = ep.Secret
	r.mu.Unlock()
	must(e.sc.V1WebhookEndpoints.Update(ctx, ep.ID, &stripe.WebhookEndpointUpdateParams{Description: stripe.String("the app")}))(t)
	must(e.sc.V1Products.Update(ctx, cat.product.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(cat.monthly.ID)}))(t)
	must(e.sc.V1Prices.Update(ctx, cat.yearly.ID, &stripe.PriceUpdateParams{Nickname: stripe.String("Yearly")}))(t)
	features := &stripe.BillingPortalConfigurationCreateFeaturesParams{
		InvoiceHistory:      &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)},
		PaymentMethodUpdate: &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)},
		SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{
			Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end"),
			CancellationReason: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelCancellationReasonParams{
				Enabled: stripe.Bool(true), Options: stripe.StringSlice([]string{"too_expensive", "unused", "other"})}},
		SubscriptionUpdate: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams{
			Enabled: stripe.Bool(true), DefaultAllowedUpdates: stripe.StringSlice([]string{"price"}),
			ProrationBehavior: stripe.String("create_prorations"),
			Products: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateProductParams{{
				Product: stripe.String(cat.product.ID), Prices: stripe.StringSlice([]string{cat.monthly.ID, cat.yearly.ID})}}},
	}
	cfg := must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{Features: features}))(t)
	must(e.sc.V1BillingPortalConfigurations.Update(ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{
		DefaultReturnURL: stripe.String("http://app.example/account")}))(t)
	portal := func(customer string) string {
		ps := must(e.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
			Customer: stripe.String(customer), Configuration: stripe.String(cfg.ID)}))(t)
		return ps.URL
	}
	checkout := func(o sessionOpts, card, promo string) string {
		cs := e.session(o)
		if status, body, _ := e.pay(cs.URL, card, promo); status != http.StatusSeeOther {
			t.Fatalf("checkout: %d\n%s", status, body)
		}
		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("subscription")
		return must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, p))(t).Subscription.ID
	}
	goodCard := url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}
	day := 24 * time.Hour

	// A trial with LEARN10 on a card whose charges fail.
	clk, cu := e.clockCustomer()
	sub := checkout(sessionOpts{customer: cu.ID, price: cat.monthly.ID, trialDays: 7, allowPromo: true}, "4000000000000341", "LEARN10")
	trialEnd := t0.Add(7 * day)
	e.advance(clk.ID, trialEnd.Add(2*time.Hour))       // the first payment fails
	e.advance(clk.ID, trialEnd.Add(3*day+2*time.Hour)) // and its first retry
	e.act(portal(cu.ID), mergeForm(goodCard, url.Values{"action": {"update_card"}}))
	e.advance(clk.ID, trialEnd.Add(5*day+2*time.Hour)) // the next retry pays
	if got := e.subscription(sub); got.Status != stripe.SubscriptionStatusActive || got.LatestInvoice.AttemptCount != 3 {
		t.Fatalf("after the retry with the new card: %s, %d attempts; want active after 3", got.Status, got.LatestInvoice.AttemptCount)
	}
	renewal := trialEnd.AddDate(0, 1, 0)
	e.advance(clk.ID, renewal.Add(2*time.Hour))
	p := portal(cu.ID)
	e.act(p, url.Values{"action": {"cancel"}, "subscription": {sub}})
	e.act(p, url.Values{"action": {"cancellation_reason"}, "subscription": {sub}, "reason": {"too_expensive"}})
	e.advance(clk.ID, renewal.AddDate(0, 1, 0).Add(2*time.Hour)) // the period ends
	if got := e.subscription(sub); got.Status != stripe.SubscriptionStatusCanceled || got.CancellationDetails.Feedback != "too_expensive" {
		t.Fatalf("after the period end: %s, feedback %q; want canceled, too_expensive", got.Status, got.CancellationDetails.Feedback)
	}

	// A paid Checkout, then monthly to yearly in the portal, then canceled.
	_, cu2 := e.clockCustomer()
	sub2 := checkout(sessionOpts{customer: cu2.ID, price: cat.monthly.ID}, "4242424242424242", "")
	e.act(portal(cu2.ID), switchForm(sub2, cat.yearly.ID))
	if got := e.subscription(sub2); got.Items.Data[0].Price.ID != cat.yearly.ID {
		t.Fatalf("after the switch: %s, want the yearly price", got.Items.Data[0].Price.ID)
	}
	must(e.sc.V1Subscriptions.Update(ctx, sub2, &stripe.SubscriptionUpdateParams{Metadata: map[string]string{"plan": "yearly"}}))(t)
	must(e.sc.V1Subscriptions.Cancel(ctx, sub2, nil))(t)

	// A trial whose payment never succeeds: canceled after the retries,
	// its invoice left open, and a manual attempt declined.
	clk3, cu3 := e.clockCustomer()
	sub3 := checkout(sessionOpts{customer: cu3.ID, price: cat.monthly.ID, trialDays: 7}, "4000000000000341", "")
	for _, at := range []time.Duration{2 * time.Hour, 3*day + 2*time.Hour, 5*day + 2*time.Hour, 7*day + 2*time.Hour} {
		e.advance(clk3.ID, trialEnd.Add(at))
	}
	if got := e.subscription(sub3); got.Status != stripe.SubscriptionStatusCanceled {
		t.Fatalf("after every retry failed: %s, want canceled", got.Status)
	}
	if _, err := e.sc.V1Invoices.Pay(ctx, e.subscription(sub3).LatestInvoice.ID, nil); err == nil {
		t.Fatal("paying with the card that fails succeeded")
	}

	// What else the API makes: a customer of its own, an expired session,
	// a deleted clock and endpoint, and a refused request.
	plain := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("plain@example.com"), Name: stripe.String("Plain")}))(t)
	must(e.sc.V1Customers.Update(ctx, plain.ID, &stripe.CustomerUpdateParams{Metadata: map[string]string{"app_user": "7"}}))(t)
	expired := e.session(sessionOpts{customer: plain.ID, price: cat.monthly.ID})
	must(e.sc.V1CheckoutSessions.Expire(ctx, expired.ID, nil))(t)
	gone, _ := e.clockCustomer()
	must(e.sc.V1TestHelpersTestClocks.Delete(ctx, gone.ID, nil))(t)
	spare := must(e.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String("http://127.0.0.1:9/spare"), EnabledEvents: stripe.StringSlice([]string{"invoice.paid"})}))(t)
	must(e.sc.V1WebhookEndpoints.Delete(ctx, spare.ID, nil))(t)
	if _, err := e.sc.V1Customers.Retrieve(ctx, "cus_missing", nil); err == nil {
		t.Fatal("retrieving a missing customer succeeded")
	}
	waitFor(t, "the events' deliveries", func() bool {
		for _, d := range e.srv.Deliveries(ep.ID) {
			if d.State != "succeeded" {
				return false
			}
		}
		return true
	})
	if _, errs := r.snapshot(); len(errs) > 0 {
		t.Fatalf("a delivery failed verification: %v", errs[0])
	}
}

func mergeForm(a, b url.Values) url.Values {
	out := url.Values{}
	for _, v := range []url.Values{a, b} {
		for key, vals := range v {
			out[key] = vals
		}
	}
	return out
}

// sweep lists and retrieves every object the scenario made, plain and with
// every field its type declares expandable expanded, so that each is
// checked both ways.
func sweep(t *testing.T, raw stripe.RawRequestBackend) {
	get := func(path string, expand []string) map[string]any {
		t.Helper()
		q := url.Values{}
		for _, x := range expand {
			q.Add("expand[]", x)
		}
		if len(q) > 0 {
			path += "&" + q.Encode()
		}
		res, err := raw.RawRequest(http.MethodGet, path, testKey, "", nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		var m map[string]any
		if err := json.Unmarshal(res.RawJSON, &m); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return m
	}
	// all gets every page of a list (path has its query's ?).
	all := func(path string, expand []string) []map[string]any {
		var out []map[string]any
		for after := ""; ; {
			page := get(path+"&limit=100"+after, expand)
			for _, x := range page["data"].([]any) {
				out = append(out, x.(map[string]any))
			}
			if page["has_more"] != true {
				return out
			}
			after = "&starting_after=" + out[len(out)-1]["id"].(string)
		}
	}
	declared := sandbox.ExpandableFields()

	lists := map[string][]string{ // object type: the lists of its objects
		"product": {"/v1/products?"}, "price": {"/v1/prices?"}, "entitlements.feature": {"/v1/entitlements/features?"},
		"invoice": {"/v1/invoices?"}, "invoice_payment": {"/v1/invoice_payments?"}, "payment_intent": {"/v1/payment_intents?"},
		"charge": {"/v1/charges?"}, "setup_intent": {"/v1/setup_intents?"}, "checkout.session": {"/v1/checkout/sessions?"},
		"coupon": {"/v1/coupons?"}, "promotion_code": {"/v1/promotion_codes?"},
		"billing_portal.configuration": {"/v1/billing_portal/configurations?"}, "webhook_endpoint": {"/v1/webhook_endpoints?"},
		"test_helpers.test_clock": {"/v1/test_helpers/test_clocks?"}, "event": {"/v1/events?"},
		"customer": {"/v1/customers?"},
	}
	// Customers on a test clock are listed by their clock only.
	for _, clk := range all("/v1/test_helpers/test_clocks?", nil) {
		lists["customer"] = append(lists["customer"], "/v1/customers?test_clock="+clk["id"].(string))
	}
	for _, l := range lists["customer"] {
		for _, cu := range all(l, nil) {
			id := cu["id"].(string)
			lists["subscription"] = append(lists["subscription"], "/v1/subscriptions?status=all&customer="+id)
			lists["entitlements.active_entitlement"] = append(lists["entitlements.active_entitlement"], "/v1/entitlements/active_entitlements?customer="+id)
		}
	}
	pms := map[string]bool{}
	for object, paths := range lists {
		var data []string
		for _, p := range expandPaths(declared, object, maxDepth-1) {
			data = append(data, "data."+p)
		}
		every := expandPaths(declared, object, maxDepth)
		for _, path := range paths {
			all(path, data)
			if object == "entitlements.active_entitlement" {
				continue // listed only
			}
			base, _, _ := strings.Cut(path, "?")
			for _, obj := range all(path, nil) {
				id := obj["id"].(string)
				get(base+"/"+id+"?", nil)
				full := get(base+"/"+id+"?", every)
				if pm, ok := full["default_payment_method"].(map[string]any); ok {
					pms[pm["id"].(string)] = true
				}
				switch object {
				case "checkout.session":
					all(base+"/"+id+"/line_items?", nil)
					all(base+"/"+id+"/line_items?", []string{"data.price.product"})
				case "product":
					all(base+"/"+id+"/features?", nil)
				}
			}
		}
	}
	for pm := range pms {
		get("/v1/payment_methods/"+pm+"?", nil)
		get("/v1/payment_methods/"+pm+"?", []string{"customer"})
	}
	get("/v1/account?", nil)
}

// maxDepth is how many levels expand[] takes (the API reference's
// Expanding Responses).
const maxDepth = 4

// expandPaths are the expand[] paths of every declared field of an object
// type, to depth levels, going into what each field holds.
func expandPaths(declared map[string][]sandbox.ExpandField, object string, depth int) []string {
	var out []string
	var walk func(object, prefix string, left int)
	walk = func(object, prefix string, left int) {
		for _, f := range declared[strings.TrimPrefix(object, "list:")] {
			n := strings.Count(f.Path, ".") + 1
			if strings.HasPrefix(object, "list:") {
				n++ // data
			}
			if n > left {
				continue
			}
			path := prefix + f.Path
			if strings.HasPrefix(object, "list:") {
				path = prefix + "data." + f.Path
			}
			if f.Kind != "nested" {
				out = append(out, path)
			}
			if f.To != "" {
				walk(f.To, path+".", left-n)
			}
		}
	}
	walk(object, "", depth)
	return out
}
