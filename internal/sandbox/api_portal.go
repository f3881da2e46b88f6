package sandbox

import (
	"fmt"
	"slices"
	"strconv"
)

// Billing Portal configurations, and the sessions that open the portal.
var (
	portalConfigs  *resource[portalConfig]
	portalSessions *resource[portalSession]
)

func init() {
	portalConfigs = declare(&resource[portalConfig]{
		bucket:  "portal_configurations",
		prefix:  "bpc_",
		object:  "billing_portal.configuration",
		idParam: "configuration",
		render:  func(_ *Sandbox, pc *portalConfig) map[string]any { return renderPortalConfig(pc) },
		expand:  []field{alwaysNull("application")},
	})
	portalSessions = declare(&resource[portalSession]{
		bucket: "portal_sessions",
		prefix: "bps_",
		object: "billing_portal.session",
		render: (*Sandbox).renderPortalSession,
		expand: []field{ref("configuration", "billing_portal.configuration")},
	})
}

type portalConfig struct {
	base
	Active           bool              `json:"active"`
	IsDefault        bool              `json:"is_default"`
	Name             string            `json:"name,omitempty"`
	DefaultReturnURL string            `json:"default_return_url,omitempty"`
	BusinessProfile  any               `json:"business_profile,omitempty"`
	Features         any               `json:"features,omitempty"`
	LoginPage        bool              `json:"login_page,omitempty"`
	Metadata         map[string]string `json:"metadata"`
	Updated          int64             `json:"updated"`
}

type portalSession struct {
	base
	Customer      string      `json:"customer"`
	ReturnURL     string      `json:"return_url,omitempty"`
	Configuration string      `json:"configuration"`
	FlashNotice   string      `json:"flash_notice,omitempty"`
	FlashError    string      `json:"flash_error,omitempty"`
	Flow          *portalFlow `json:"flow,omitempty"`
}

// portalFlow is a session's flow_data: a deep link into one task of the
// portal. The sandbox supports subscription_update, the plan chooser.
type portalFlow struct {
	Type         string `json:"type"`
	Subscription string `json:"subscription"`
	// AfterCompletion is portal_homepage (the default), redirect (to
	// RedirectURL) or hosted_confirmation (showing CustomMessage).
	AfterCompletion string `json:"after_completion"`
	RedirectURL     string `json:"redirect_url,omitempty"`
	CustomMessage   string `json:"custom_message,omitempty"`
	// Done is set once the flow's task is done; the session then shows
	// what AfterCompletion says.
	Done bool `json:"done,omitempty"`
}

func renderFlow(f *portalFlow) any {
	if f == nil {
		return nil
	}
	var redirect, hosted any
	switch f.AfterCompletion {
	case "redirect":
		redirect = map[string]any{"return_url": f.RedirectURL}
	case "hosted_confirmation":
		hosted = map[string]any{"custom_message": nullable(f.CustomMessage)}
	}
	return map[string]any{
		"after_completion":    map[string]any{"hosted_confirmation": hosted, "redirect": redirect, "type": f.AfterCompletion},
		"subscription_cancel": nil, "subscription_update": map[string]any{"subscription": f.Subscription},
		"subscription_update_confirm": nil, "type": f.Type,
	}
}

// typed turns a stored form tree into JSON types a client decodes:
// "true"/"false" become booleans and hashes keyed 0..n-1 become arrays.
func typed(v any) any {
	switch v := v.(type) {
	case string:
		switch v {
		case "true":
			return true
		case "false":
			return false
		}
		return v
	case map[string]any:
		arr := make([]any, len(v))
		isArray := len(v) > 0
		for k, x := range v {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(v) {
				isArray = false
				break
			}
			arr[i] = typed(x)
		}
		if isArray {
			return arr
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = typed(x)
		}
		return out
	}
	return v
}

// feature is one feature of the configuration as the API renders it: what
// was set, over the defaults of a feature left out.
func (pc *portalConfig) feature(name string) map[string]any {
	all, _ := mergeOver(portalFeatureDefaults(), typed(pc.Features)).(map[string]any)
	f, _ := all[name].(map[string]any)
	return f
}

// portalFeature reports whether a portal feature is enabled. As in Stripe,
// a feature the configuration leaves out is disabled.
func (pc *portalConfig) portalFeature(name string) bool {
	return pc.feature(name)["enabled"] == true
}

// cancelMode is subscription_cancel.mode: at_period_end unless immediately.
func (pc *portalConfig) cancelMode() string {
	if pc.feature("subscription_cancel")["mode"] == "immediately" {
		return "immediately"
	}
	return "at_period_end"
}

// cancellationReasons lists the reasons the portal offers a customer who
// cancels (subscription_cancel.cancellation_reason.options), in the order
// Stripe's portal shows them; nil when the feature is off.
func (pc *portalConfig) cancellationReasons() []string {
	r, _ := pc.feature("subscription_cancel")["cancellation_reason"].(map[string]any)
	options, _ := r["options"].([]any)
	if r["enabled"] != true {
		return nil
	}
	var out []string
	for _, o := range cancellationFeedback {
		if slices.Contains(options, any(o)) {
			out = append(out, o)
		}
	}
	return out
}

// switchPrices lists the prices a subscription to product may switch to in
// the portal: those subscription_update lists for the product, when it is
// enabled and allows price updates; nil otherwise. As in Stripe, a
// subscription whose product is not listed cannot be updated.
func (pc *portalConfig) switchPrices(product string) []string {
	f := pc.feature("subscription_update")
	allowed, _ := f["default_allowed_updates"].([]any)
	if f["enabled"] != true || !slices.Contains(allowed, any("price")) {
		return nil
	}
	products, _ := f["products"].([]any)
	for _, x := range products {
		m, _ := x.(map[string]any)
		if m["product"] != product {
			continue
		}
		var out []string
		prices, _ := m["prices"].([]any)
		for _, pr := range prices {
			if id, ok := pr.(string); ok {
				out = append(out, id)
			}
		}
		return out
	}
	return nil
}

// updateProration is subscription_update.proration_behavior.
func (pc *portalConfig) updateProration() string {
	if b, ok := pc.feature("subscription_update")["proration_behavior"].(string); ok {
		return b
	}
	return "none"
}

func renderPortalConfig(pc *portalConfig) map[string]any {
	features := mergeOver(portalFeatureDefaults(), typed(pc.Features))
	bp := typed(pc.BusinessProfile)
	if bp == nil {
		bp = map[string]any{"headline": nil, "privacy_policy_url": nil, "terms_of_service_url": nil}
	}
	return map[string]any{"id": pc.ID, "object": "billing_portal.configuration", "active": pc.Active, "application": nil,
		"business_profile": bp, "created": pc.Created, "default_return_url": nullable(pc.DefaultReturnURL),
		"features": features, "is_default": pc.IsDefault, "livemode": false,
		"login_page": map[string]any{"enabled": pc.LoginPage, "url": nil}, "metadata": pc.Metadata,
		"name": nullable(pc.Name), "updated": pc.Updated}
}

// portalFeatureDefaults is every feature as Stripe renders one the
// configuration left out, so a client sees enabled:false rather than null.
func portalFeatureDefaults() map[string]any {
	return map[string]any{
		"customer_update":       map[string]any{"allowed_updates": []any{}, "enabled": false},
		"invoice_history":       map[string]any{"enabled": false},
		"payment_method_update": map[string]any{"enabled": false, "payment_method_configuration": nil},
		"subscription_cancel": map[string]any{"cancellation_reason": map[string]any{"enabled": false, "options": []any{}},
			"enabled": false, "mode": "at_period_end", "proration_behavior": "none"},
		"subscription_update": map[string]any{"default_allowed_updates": []any{}, "enabled": false, "products": []any{},
			"proration_behavior": "none", "schedule_at_period_end": map[string]any{"conditions": []any{}}},
	}
}

// mergeOver lays the configured values over the defaults, object by object.
func mergeOver(def, set any) any {
	dm, ok1 := def.(map[string]any)
	sm, ok2 := set.(map[string]any)
	if !ok1 || !ok2 {
		if set == nil {
			return def
		}
		return set
	}
	out := make(map[string]any, len(dm)+len(sm))
	for k, v := range dm {
		out[k] = v
	}
	for k, v := range sm {
		out[k] = mergeOver(dm[k], v)
	}
	return out
}

// Values the basil API accepts in a portal configuration's features.
var (
	portalFeatureNames     = []string{"customer_update", "invoice_history", "payment_method_update", "subscription_cancel", "subscription_update"}
	customerUpdates        = []string{"address", "email", "name", "phone", "shipping", "tax_id"}
	cancellationReasons    = []string{"customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"}
	subscriptionUpdates    = []string{"price", "promotion_code", "quantity"}
	prorationBehaviors     = []string{"always_invoice", "create_prorations", "none"}
	cancelProrations       = []string{"create_prorations", "none"}
	maxPortalUpdateProduct = 10
)

// readPortalFeatures reads features[...] as the basil API defines them, over
// old (nil for a create), and returns them in JSON types. A field left out
// keeps its old value; an array given replaces the old one, and "" clears
// it. Unknown fields are left unread, so finish rejects them as Stripe does.
func (s *Sandbox) readPortalFeatures(p *params, old map[string]any, creating bool) map[string]any {
	out := map[string]any{}
	for k, v := range old {
		out[k] = v
	}
	if !p.hash("features") {
		return out
	}
	for _, name := range portalFeatureNames {
		at := func(field ...string) []string { return append([]string{"features", name}, field...) }
		if !p.hash(at()...) {
			continue
		}
		f := map[string]any{}
		if o, ok := out[name].(map[string]any); ok {
			for k, v := range o {
				f[k] = v
			}
		}
		if p.has(at("enabled")...) {
			f["enabled"] = p.boolean(false, at("enabled")...)
		} else if creating || name == "invoice_history" || name == "payment_method_update" {
			// As basil's spec has it: an update may leave enabled out of
			// the other features.
			p.fail(errMissing(paramName(at("enabled"))))
		}
		switch name {
		case "customer_update":
			if p.has(at("allowed_updates")...) {
				f["allowed_updates"] = anys(p.enums(customerUpdates, at("allowed_updates")...))
			}
		case "payment_method_update":
			if p.has(at("payment_method_configuration")...) {
				f["payment_method_configuration"] = nullable(p.str(at("payment_method_configuration")...))
			}
		case "subscription_cancel":
			if p.has(at("mode")...) {
				f["mode"] = p.oneOf("", []string{"at_period_end", "immediately"}, at("mode")...)
			}
			if p.has(at("proration_behavior")...) {
				f["proration_behavior"] = p.oneOf("", cancelProrations, at("proration_behavior")...)
			}
			if p.hash(at("cancellation_reason")...) {
				r := map[string]any{"enabled": p.boolean(false, at("cancellation_reason", "enabled")...), "options": []any{}}
				if !p.has(at("cancellation_reason", "enabled")...) {
					p.fail(errMissing(paramName(at("cancellation_reason", "enabled"))))
				}
				if p.has(at("cancellation_reason", "options")...) {
					r["options"] = anys(p.enums(cancellationReasons, at("cancellation_reason", "options")...))
				} else if creating {
					p.fail(errMissing(paramName(at("cancellation_reason", "options"))))
				}
				f["cancellation_reason"] = r
			}
		case "subscription_update":
			if p.has(at("default_allowed_updates")...) {
				f["default_allowed_updates"] = anys(p.enums(subscriptionUpdates, at("default_allowed_updates")...))
			}
			if p.has(at("proration_behavior")...) {
				f["proration_behavior"] = p.oneOf("", prorationBehaviors, at("proration_behavior")...)
			}
			if p.has(at("products")...) {
				f["products"] = s.readUpdateProducts(p, at("products"))
			}
			if p.hash(at("schedule_at_period_end")...) {
				// Every portal update takes effect at once here; accepting
				// conditions that would defer one would teach the wrong thing.
				if len(p.objects(at("schedule_at_period_end", "conditions")...)) > 0 {
					p.fail(invalid(paramName(at("schedule_at_period_end", "conditions")), "",
						"The Tollgate sandbox applies every portal update at once: schedule_at_period_end conditions are not supported."))
				}
			}
		}
		out[name] = f
	}
	s.checkSubscriptionUpdate(p, out)
	return out
}

// readUpdateProducts reads subscription_update.products: each a product
// and the prices a subscription to it may switch between.
func (s *Sandbox) readUpdateProducts(p *params, path []string) []any {
	list := []any{}
	for _, i := range p.objects(path...) {
		at := func(field ...string) []string { return append(append(slices.Clone(path), i), field...) }
		prod := p.required(at("product")...)
		if !p.has(at("prices")...) {
			p.fail(errMissing(paramName(at("prices"))))
		}
		prices := p.strings(at("prices")...)
		aq := map[string]any{"enabled": false, "maximum": nil, "minimum": 1}
		if p.hash(at("adjustable_quantity")...) {
			if !p.has(at("adjustable_quantity", "enabled")...) {
				p.fail(errMissing(paramName(at("adjustable_quantity", "enabled"))))
			}
			aq["enabled"] = p.boolean(false, at("adjustable_quantity", "enabled")...)
			if p.has(at("adjustable_quantity", "maximum")...) {
				aq["maximum"] = p.integer(0, 1, 100, at("adjustable_quantity", "maximum")...)
			}
			aq["minimum"] = p.integer(1, 0, 100, at("adjustable_quantity", "minimum")...)
		}
		list = append(list, map[string]any{"adjustable_quantity": aq, "prices": anys(prices), "product": prod})
	}
	return list
}

// checkSubscriptionUpdate checks what subscription_update names, as Stripe
// does when a configuration is saved: the products and prices must exist,
// each price must be a recurring price of its product, and an enabled
// feature must list at least one product to switch within.
func (s *Sandbox) checkSubscriptionUpdate(p *params, features map[string]any) {
	f, _ := typed(features["subscription_update"]).(map[string]any)
	if f == nil {
		return
	}
	param := "features[subscription_update][products]"
	listed, _ := f["products"].([]any)
	if f["enabled"] == true && len(listed) == 0 {
		p.fail(invalid(param, "", "Enabling subscription updates needs at least one product in %s, with the prices a customer may switch between.", param))
	}
	if len(listed) > maxPortalUpdateProduct {
		p.fail(invalid(param, "", "%s can list at most %d products.", param, maxPortalUpdateProduct))
	}
	for i, x := range listed {
		m, _ := x.(map[string]any)
		prodID, _ := m["product"].(string)
		if prodID != "" && products.get(s.st, prodID) == nil {
			p.fail(errNotFound("product", prodID, fmt.Sprintf("%s[%d][product]", param, i)))
		}
		priceIDs, _ := m["prices"].([]any)
		for j, y := range priceIDs {
			id, _ := y.(string)
			pr := prices.get(s.st, id)
			pparam := fmt.Sprintf("%s[%d][prices][%d]", param, i, j)
			switch {
			case pr == nil:
				p.fail(errNotFound("price", id, pparam))
			case pr.Product != prodID:
				p.fail(invalid(pparam, "", "The price %s belongs to product %s, not to %s.", id, pr.Product, prodID))
			case pr.Interval == "":
				p.fail(invalid(pparam, "", "The price %s is not recurring: a subscription can only switch to a recurring price.", id))
			}
		}
	}
}

// anys turns strings into the []any a decoded JSON array holds, so that
// stored and freshly read features look the same.
func anys(list []string) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

func (s *Sandbox) createPortalConfig(c *call) (any, error) {
	p := c.p
	now := s.cfg.Now()
	pc := &portalConfig{base: portalConfigs.newBase(s.st, now), Active: true, Updated: now.Unix()}
	pc.Features = s.readPortalFeatures(p, nil, true)
	pc.BusinessProfile = p.tree("business_profile")
	if p.has("default_return_url") {
		pc.DefaultReturnURL = validURL(p, "default_return_url")
	}
	pc.LoginPage = p.boolean(false, "login_page", "enabled")
	pc.Name = p.str("name")
	pc.Metadata = p.metadata(nil)
	if err := p.finish(); err != nil {
		return nil, err
	}
	// As in Stripe, a configuration made through the API is never the
	// default: the default is the one saved in the Dashboard, which the
	// sandbox, like a new account, does not have.
	pc.IsDefault = false
	portalConfigs.put(s.st, pc)
	s.emit(now, "billing_portal.configuration.created", renderPortalConfig(pc))
	return renderPortalConfig(pc), nil
}

// updatePortalConfig changes the fields given and keeps the rest, as
// Stripe's update does; an app fixes a configuration it made earlier this
// way instead of making another.
func (s *Sandbox) updatePortalConfig(c *call) (any, error) {
	pc, err := portalConfigs.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	next := *pc
	next.Active = p.boolean(pc.Active, "active")
	old, _ := typed(pc.Features).(map[string]any)
	next.Features = s.readPortalFeatures(p, old, false)
	if p.has("business_profile") {
		next.BusinessProfile = mergeOver(pc.BusinessProfile, p.tree("business_profile"))
	}
	if p.has("default_return_url") {
		next.DefaultReturnURL = ""
		if p.str("default_return_url") != "" {
			next.DefaultReturnURL = validURL(p, "default_return_url")
		}
	}
	next.LoginPage = p.boolean(pc.LoginPage, "login_page", "enabled")
	if p.has("name") {
		next.Name = p.str("name")
	}
	next.Metadata = p.metadata(pc.Metadata)
	if err := p.finish(); err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	next.Updated = now.Unix()
	*pc = next
	portalConfigs.put(s.st, pc)
	s.emit(now, "billing_portal.configuration.updated", renderPortalConfig(pc))
	return renderPortalConfig(pc), nil
}

func (s *Sandbox) listPortalConfigs(c *call) (any, error) {
	p := c.p
	activeSet := p.has("active")
	active := p.boolean(false, "active")
	defSet := p.has("is_default")
	def := p.boolean(false, "is_default")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	rows := portalConfigs.sorted(s.st, func(pc *portalConfig) bool {
		return (!activeSet || pc.Active == active) && (!defSet || pc.IsDefault == def)
	})

	return page(c, a, rows, func(pc *portalConfig) any { return renderPortalConfig(pc) })
}

func (s *Sandbox) renderPortalSession(ps *portalSession) map[string]any {
	return map[string]any{"id": ps.ID, "object": "billing_portal.session", "configuration": ps.Configuration, "created": ps.Created,
		"customer": ps.Customer, "flow": renderFlow(ps.Flow), "livemode": false, "locale": nil, "on_behalf_of": nil,
		"return_url": nullable(ps.ReturnURL), "url": s.pageURL("/portal/" + ps.ID)}
}

func (s *Sandbox) createPortalSession(c *call) (any, error) {
	p := c.p
	cust := p.required("customer")
	ret := ""
	if p.has("return_url") {
		ret = validURL(p, "return_url")
	}
	cfgID := p.str("configuration")
	p.str("locale")
	flow := readFlow(p)
	if err := p.finish(); err != nil {
		return nil, err
	}
	cu := customers.get(s.st, cust)
	if cu == nil {
		return nil, errNotFound("customer", cust, "customer")
	}
	var pc *portalConfig
	if cfgID != "" {
		if pc = portalConfigs.get(s.st, cfgID); pc == nil {
			return nil, errNotFound("billing_portal.configuration", cfgID, "configuration")
		}
	} else {
		for _, x := range portalConfigs.rows(s.st) {
			if x.IsDefault {
				pc = x
			}
		}
		if pc == nil {
			// What Stripe answers in test mode before the portal settings are saved:
			// an app must pass the configuration it made.
			return nil, invalid("configuration", "", "You can't create a portal session in test mode until you save your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal, or pass the configuration parameter with a configuration you created through the API.")
		}
	}
	if !pc.Active {
		return nil, invalid("configuration", "", "The portal configuration %s is not active.", pc.ID)
	}
	if ret == "" {
		ret = pc.DefaultReturnURL
	}
	if flow != nil {
		if err := s.checkFlow(flow, cu, pc); err != nil {
			return nil, err
		}
	}
	at := s.now(cu.TestClock)
	ps := &portalSession{base: portalSessions.newBase(s.st, at), Customer: cu.ID, ReturnURL: ret, Configuration: pc.ID, Flow: flow}
	portalSessions.put(s.st, ps)
	s.emit(at, "billing_portal.session.created", s.renderPortalSession(ps))
	return s.renderPortalSession(ps), nil
}

// readFlow reads flow_data; nil when the session has none.
func readFlow(p *params) *portalFlow {
	if !p.hash("flow_data") {
		return nil
	}
	f := &portalFlow{AfterCompletion: "portal_homepage"}
	f.Type = p.required("flow_data", "type")
	if f.Type != "" && f.Type != "subscription_update" {
		known := []string{"payment_method_update", "subscription_cancel", "subscription_update_confirm"}
		if contains(known, f.Type) {
			p.fail(invalid("flow_data[type]", "", "The Tollgate sandbox supports flow_data[type]=subscription_update only, not %s.", f.Type))
		} else {
			p.fail(invalid("flow_data[type]", "", "Invalid flow_data[type]: must be one of payment_method_update, subscription_cancel, subscription_update, subscription_update_confirm"))
		}
	}
	if p.hash("flow_data", "subscription_update") {
		f.Subscription = p.required("flow_data", "subscription_update", "subscription")
	} else if f.Type == "subscription_update" {
		p.fail(errMissing("flow_data[subscription_update]"))
	}
	if p.hash("flow_data", "after_completion") {
		f.AfterCompletion = p.oneOf("", []string{"hosted_confirmation", "portal_homepage", "redirect"}, "flow_data", "after_completion", "type")
		if !p.has("flow_data", "after_completion", "type") {
			p.fail(errMissing("flow_data[after_completion][type]"))
		}
		if p.hash("flow_data", "after_completion", "redirect") {
			f.RedirectURL = validURL(p, "flow_data", "after_completion", "redirect", "return_url")
		}
		if p.hash("flow_data", "after_completion", "hosted_confirmation") {
			f.CustomMessage = p.str("flow_data", "after_completion", "hosted_confirmation", "custom_message")
		}
		if f.AfterCompletion == "redirect" && f.RedirectURL == "" {
			p.fail(errMissing("flow_data[after_completion][redirect][return_url]"))
		}
	}
	return f
}

// checkFlow refuses a subscription_update flow the portal could not carry
// out: another customer's or an ended subscription, or one the
// configuration offers no other price for.
func (s *Sandbox) checkFlow(f *portalFlow, cu *customer, pc *portalConfig) *apiError {
	const param = "flow_data[subscription_update][subscription]"
	sub := subscriptions.get(s.st, f.Subscription)
	switch {
	case sub == nil:
		return errNotFound("subscription", f.Subscription, param)
	case sub.Customer != cu.ID:
		return invalid(param, "", "The subscription %s does not belong to the customer %s.", sub.ID, cu.ID)
	case !sub.entitled():
		return invalid(param, "", "The subscription %s is %s and cannot be updated.", sub.ID, sub.Status)
	case len(s.switches(pc, "", sub)) == 0:
		return invalid(param, "", "The portal configuration %s does not let the subscription %s change plan: enable features[subscription_update] with price in default_allowed_updates, and list its product with another price.", pc.ID, sub.ID)
	}
	return nil
}
