package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// fuzz sends `tollgate sandbox` random forms on every API route and hosted
// page, then kills it (SIGKILL) and starts it again: no request may get a
// 5xx or no answer, and the account must read the same after the restart,
// since the sandbox commits every change before it answers.
func fuzz(ctx context.Context, r *Runner, res *Result) error {
	n := 20000
	data, err := r.dir("fuzz")
	if err != nil {
		return err
	}
	// The same address after the restart: objects name their hosted pages by it.
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	sb, err := r.startSandbox(ctx, data, addr)
	if err != nil {
		return err
	}
	defer func() { r.saveLog("fuzz", sb) }()
	c := client(30 * time.Second)
	f := &fuzzer{rnd: rand.New(rand.NewPCG(1, 2)), base: sb.base, c: c}
	if err := f.seed(ctx); err != nil {
		return err
	}
	var codes [6]int
	lost := 0
	for range n {
		status, err := f.one(ctx)
		if err != nil {
			lost++
			if lost <= 3 {
				res.failf("%s: %v", f.last, err)
			}
			continue
		}
		codes[status/100]++
		if status >= 500 && len(res.Fail) < 5 {
			res.failf("%s answered %d", f.last, status)
		}
	}
	before, objects, err := f.snapshot(ctx)
	if err != nil {
		return err
	}
	sb.kill()
	panics := sb.panics()
	if sb, err = r.startSandbox(ctx, data, addr); err != nil {
		return err
	}
	defer func() { sb.stop() }()
	f.base = sb.base
	after, _, err := f.snapshot(ctx)
	if err != nil {
		return err
	}
	res.add("tried", n)
	res.add("2xx", codes[2])
	res.add("4xx", codes[4])
	res.want("5xx", codes[5], 0)
	res.add("objects", objects)
	intact := before == after
	res.add("intact", intact)
	if !intact {
		_ = os.WriteFile(filepath.Join(r.Work, "fuzz-before.json"), []byte(before), 0o600)
		_ = os.WriteFile(filepath.Join(r.Work, "fuzz-after.json"), []byte(after), 0o600)
		res.failf("the account read differently after the restart (fuzz-before.json, fuzz-after.json)")
	}
	res.want("lost", lost, 0)
	res.want("panics", panics+sb.panics(), 0)
	return nil
}

type fuzzer struct {
	rnd  *rand.Rand
	base string
	c    *http.Client
	ids  []string // real ids, so some requests reach real objects
	last string   // the latest request, for a FAIL line
}

const fuzzKey = "sk_test_reliability_fuzz"

// api sends one request and returns its status and body, or the error of
// a request that got no answer.
func (f *fuzzer) api(ctx context.Context, method, path, form string) (int, []byte, error) {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form)
	} else if form != "" {
		if strings.ContainsFunc(form, func(r rune) bool { return r <= ' ' || r > '~' }) {
			form = url.PathEscape(form) // raw bytes would not make a URL
		}
		path += "?" + form
	}
	f.last = method + " " + path
	if len(f.last) > 120 {
		f.last = f.last[:120] + "…"
	}
	req, err := http.NewRequestWithContext(ctx, method, f.base+path, body)
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+fuzzKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if f.rnd.IntN(4) == 0 {
		req.Header.Set("Idempotency-Key", fmt.Sprintf("k%d", f.rnd.IntN(20)))
	}
	res, err := f.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	return res.StatusCode, b, err
}

// seed makes a few real objects and remembers their ids.
func (f *fuzzer) seed(ctx context.Context) error {
	create := func(path, form string) (string, error) {
		status, body, err := f.api(ctx, http.MethodPost, path, form)
		var obj struct{ ID, URL string }
		if err != nil || status != 200 || json.Unmarshal(body, &obj) != nil {
			return "", fmt.Errorf("seed %s: %d %s %v", path, status, body, err)
		}
		f.ids = append(f.ids, obj.ID)
		return obj.ID, nil
	}
	prod, err := create("/v1/products", "name=Fuzz")
	if err != nil {
		return err
	}
	price, err := create("/v1/prices", "product="+prod+"&unit_amount=900&currency=gbp&recurring[interval]=month")
	if err != nil {
		return err
	}
	cus, err := create("/v1/customers", "email=fuzz@example.com")
	if err != nil {
		return err
	}
	_, err = create("/v1/checkout/sessions", "mode=subscription&customer="+cus+"&line_items[0][price]="+price+"&line_items[0][quantity]=1&success_url=http://127.0.0.1:9/ok&cancel_url=http://127.0.0.1:9/no")
	return err
}

var fuzzRoutes = []string{
	"GET /v1/account", "POST /v1/products", "GET /v1/products", "GET /v1/products/{id}", "POST /v1/products/{id}",
	"POST /v1/products/{id}/features", "GET /v1/products/{id}/features", "POST /v1/prices", "GET /v1/prices",
	"GET /v1/prices/{id}", "POST /v1/prices/{id}", "POST /v1/entitlements/features", "GET /v1/entitlements/features",
	"GET /v1/entitlements/active_entitlements", "POST /v1/customers", "GET /v1/customers", "GET /v1/customers/{id}",
	"POST /v1/customers/{id}", "GET /v1/payment_intents", "GET /v1/charges", "GET /v1/setup_intents",
	"POST /v1/checkout/sessions", "GET /v1/checkout/sessions", "GET /v1/checkout/sessions/{id}",
	"GET /v1/checkout/sessions/{id}/line_items", "POST /v1/checkout/sessions/{id}/expire", "GET /v1/subscriptions",
	"GET /v1/subscriptions/{id}", "POST /v1/subscriptions/{id}", "DELETE /v1/subscriptions/{id}", "GET /v1/invoices",
	"GET /v1/invoices/{id}", "POST /v1/invoices/{id}/pay", "GET /v1/invoice_payments", "POST /v1/coupons", "GET /v1/coupons",
	"POST /v1/promotion_codes", "GET /v1/promotion_codes", "POST /v1/promotion_codes/{id}",
	"POST /v1/billing_portal/configurations", "GET /v1/billing_portal/configurations", "POST /v1/billing_portal/sessions",
	"POST /v1/webhook_endpoints", "GET /v1/webhook_endpoints", "POST /v1/webhook_endpoints/{id}", "DELETE /v1/webhook_endpoints/{id}",
	"GET /v1/events", "GET /v1/events/{id}", "POST /v1/test_helpers/test_clocks", "GET /v1/test_helpers/test_clocks",
	"GET /v1/test_helpers/test_clocks/{id}", "DELETE /v1/test_helpers/test_clocks/{id}", "POST /v1/test_helpers/test_clocks/{id}/advance",
	"POST /checkout/{id}", "POST /portal/{id}", "POST /invoice/{id}", "GET /checkout/{id}", "GET /portal/{id}", "GET /invoice/{id}",
	"GET /v1/nowhere", "POST /v1/", "PATCH /v1/customers",
}

var fuzzKeys = []string{
	"email", "name", "description", "metadata[k]", "metadata[]", "metadata", "active", "lookup_key", "product", "price",
	"unit_amount", "currency", "recurring[interval]", "recurring[interval_count]", "customer", "mode", "line_items[0][price]",
	"line_items[0][quantity]", "line_items[1][price]", "line_items[][price]", "success_url", "cancel_url", "return_url",
	"subscription_data[trial_period_days]", "allow_promotion_codes", "expand[]", "expand[0]", "limit", "starting_after",
	"ending_before", "frozen_time", "test_clock", "percent_off", "amount_off", "duration", "duration_in_months", "coupon",
	"promotion", "code", "url", "enabled_events[]", "cancel_at_period_end", "items[0][price]", "items[0][id]", "proration_behavior",
	"entitlement_feature", "feature", "features[subscription_cancel][enabled]", "card_number", "card_expiry", "card_cvc",
	"promotion_code", "country", "postal_code", "action", "reason", "comment", "created[gte]", "status", "type", "a[b][c][d][e]",
}

func (f *fuzzer) value() string {
	switch f.rnd.IntN(14) {
	case 0:
		return ""
	case 1:
		return fmt.Sprint(f.rnd.Int64() - f.rnd.Int64())
	case 2:
		return "99999999999999999999999999"
	case 3:
		return f.ids[f.rnd.IntN(len(f.ids))]
	case 4:
		return strings.Repeat("x", f.rnd.IntN(5000))
	case 5:
		return "<script>alert(1)</script>"
	case 6:
		return "%zz%00\x00\xff"
	case 7:
		return []string{"true", "false", "month", "year", "subscription", "payment", "gbp", "usd", "usdollars", "once", "forever"}[f.rnd.IntN(11)]
	case 8:
		return "http://127.0.0.1:9/x?a=b&c[d]=e"
	case 9:
		return "cus_" + strings.Repeat("9", f.rnd.IntN(300))
	case 10:
		return "4242424242424242"
	case 11:
		return "-1"
	case 12:
		return "日本語 🙂 \u202e"
	default:
		return fmt.Sprint(f.rnd.IntN(1000))
	}
}

func (f *fuzzer) form() string {
	if f.rnd.IntN(20) == 0 { // not a form at all
		b := make([]byte, f.rnd.IntN(300))
		for i := range b {
			b[i] = byte(f.rnd.IntN(256))
		}
		return string(b)
	}
	v := url.Values{}
	for range f.rnd.IntN(8) {
		v.Add(fuzzKeys[f.rnd.IntN(len(fuzzKeys))], f.value())
	}
	s := v.Encode()
	if f.rnd.IntN(10) == 0 {
		s += "&=&&[]=x&a[=1&%"
	}
	return s
}

// one sends one random request and returns its status.
func (f *fuzzer) one(ctx context.Context) (int, error) {
	method, path, _ := strings.Cut(fuzzRoutes[f.rnd.IntN(len(fuzzRoutes))], " ")
	id := f.ids[f.rnd.IntN(len(f.ids))]
	if f.rnd.IntN(4) == 0 {
		id = url.PathEscape(f.value())
	}
	path = strings.ReplaceAll(path, "{id}", id)
	status, body, err := f.api(ctx, method, path, f.form())
	if err != nil {
		return 0, err
	}
	var obj struct {
		ID string `json:"id"`
	}
	if status == 200 && json.Unmarshal(body, &obj) == nil && obj.ID != "" && len(f.ids) < 200 {
		f.ids = append(f.ids, obj.ID)
	}
	return status, nil
}

// snapshot reads every list of the account and returns it, one object a
// line, and how many objects it holds.
func (f *fuzzer) snapshot(ctx context.Context) (string, int, error) {
	var h strings.Builder
	objects := 0
	lists := []string{"/v1/products", "/v1/prices", "/v1/customers", "/v1/coupons", "/v1/promotion_codes", "/v1/webhook_endpoints",
		"/v1/test_helpers/test_clocks", "/v1/checkout/sessions", "/v1/subscriptions", "/v1/invoices", "/v1/entitlements/features",
		"/v1/billing_portal/configurations"}
	for _, path := range lists {
		after := ""
		for {
			q := "limit=100"
			if after != "" {
				q += "&starting_after=" + after
			}
			status, body, err := f.api(ctx, http.MethodGet, path, q)
			if err != nil || status != 200 {
				return "", 0, fmt.Errorf("snapshot %s: %d %s %v", path, status, body, err)
			}
			var page struct {
				Data    []json.RawMessage `json:"data"`
				HasMore bool              `json:"has_more"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return "", 0, err
			}
			for _, o := range page.Data {
				// Compared as JSON values, not bytes: "\ufffd" and "�" are one string.
				var v any
				if err := json.Unmarshal(o, &v); err != nil {
					return "", 0, err
				}
				o, _ = json.Marshal(v)
				h.Write(o)
				h.WriteByte('\n')
				objects++
				var id struct{ ID string }
				_ = json.Unmarshal(o, &id)
				after = id.ID
			}
			if !page.HasMore || len(page.Data) == 0 {
				break
			}
		}
	}
	return h.String(), objects, nil
}
