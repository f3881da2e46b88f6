package sandbox

import (
	"strconv"
)

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
	Customer      string `json:"customer"`
	ReturnURL     string `json:"return_url,omitempty"`
	Configuration string `json:"configuration"`
	FlashNotice   string `json:"flash_notice,omitempty"`
	FlashError    string `json:"flash_error,omitempty"`
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

// portalFeature reports whether a portal feature is enabled. As in Stripe,
// a feature the configuration leaves out is disabled.
func (pc *portalConfig) portalFeature(name string) bool {
	return pc.featureField(name, "enabled") == "true"
}

// cancelMode is subscription_cancel.mode: at_period_end unless immediately.
func (pc *portalConfig) cancelMode() string {
	if pc.featureField("subscription_cancel", "mode") == "immediately" {
		return "immediately"
	}
	return "at_period_end"
}

func (pc *portalConfig) featureField(name, field string) string {
	f, _ := pc.Features.(map[string]any)
	sub, _ := f[name].(map[string]any)
	v, _ := sub[field].(string)
	return v
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

func (s *Sandbox) createPortalConfig(c *call) (any, error) {
	p := c.p
	now := s.cfg.Now()
	pc := &portalConfig{base: s.st.newBase("bpc_", now), Active: true, Updated: now.Unix()}
	pc.Features = p.tree("features")
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
	s.st.portalConfigs.put(s.st, pc.ID, pc)
	return renderPortalConfig(pc), nil
}

func (s *Sandbox) getPortalConfig(c *call) (any, error) {
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	pc := s.st.portalConfigs.get(c.r.PathValue("id"))
	if pc == nil {
		return nil, errNotFound("billing_portal.configuration", c.r.PathValue("id"), "configuration")
	}
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
	rows := sorted(&s.st.portalConfigs, func(pc *portalConfig) bool {
		return (!activeSet || pc.Active == active) && (!defSet || pc.IsDefault == def)
	})
	return page(c, a, rows, func(pc *portalConfig) any { return renderPortalConfig(pc) })
}

func (s *Sandbox) renderPortalSession(ps *portalSession, ex expand, host string) map[string]any {
	var cfg any = ps.Configuration
	if pc := s.st.portalConfigs.get(ps.Configuration); pc != nil && ex.has("configuration") {
		cfg = renderPortalConfig(pc)
	}
	return map[string]any{"id": ps.ID, "object": "billing_portal.session", "configuration": cfg, "created": ps.Created,
		"customer": ps.Customer, "flow": nil, "livemode": false, "locale": nil, "on_behalf_of": nil,
		"return_url": nullable(ps.ReturnURL), "url": hostedURL(host, "/portal/"+ps.ID)}
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
	if err := p.finish(); err != nil {
		return nil, err
	}
	cu := s.st.customers.get(cust)
	if cu == nil {
		return nil, errNotFound("customer", cust, "customer")
	}
	var pc *portalConfig
	if cfgID != "" {
		if pc = s.st.portalConfigs.get(cfgID); pc == nil {
			return nil, errNotFound("billing_portal.configuration", cfgID, "configuration")
		}
	} else {
		for _, x := range s.st.portalConfigs.rows {
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
	if ret == "" {
		ret = pc.DefaultReturnURL
	}
	ps := &portalSession{base: s.st.newBase("bps_", s.now(cu.TestClock)), Customer: cu.ID, ReturnURL: ret, Configuration: pc.ID}
	s.st.portalSessions.put(s.st, ps.ID, ps)
	return s.renderPortalSession(ps, c.ex, c.host), nil
}
