package sandbox

import (
	"time"
)

// sessions are Checkout Sessions.
var sessions *resource[checkoutSession]

// sessionsByCustomer files sessions by customer.
var sessionsByCustomer index[checkoutSession]

// sessionsByStatus files sessions by status.
var sessionsByStatus index[checkoutSession]

func init() {
	sessions = declare(&resource[checkoutSession]{
		bucket:  "checkout_sessions",
		prefix:  "cs_test_",
		object:  "checkout.session",
		idParam: "session",
		render:  (*Sandbox).renderSession,
		expand: []field{
			ref("customer", "customer"),
			ref("subscription", "subscription"),
			ref("invoice", "invoice"),
			included("line_items", "list:item", func(s *Sandbox, id string) any {
				return listObject("/v1/checkout/sessions/"+id+"/line_items", s.sessionLineItems(sessions.get(s.st, id)), false)
			}),
			nested("discounts", "payment_pages_checkout_session_discount"),
			// Null in subscription mode, the only mode here.
			alwaysNull("payment_intent"), alwaysNull("setup_intent"), alwaysNull("payment_link"),
		},
	})
	sessionsByCustomer = sessions.index(func(cs *checkoutSession) string { return cs.Customer })
	sessionsByStatus = sessions.index(func(cs *checkoutSession) string { return cs.Status })
	// A session's line item (its price always an object) and discount.
	addObjectType(&objectType{name: "item", fields: []field{nested("price", "price")}})
	addObjectType(&objectType{name: "payment_pages_checkout_session_discount",
		fields: []field{ref("coupon", "coupon"), ref("promotion_code", "promotion_code")}})
}

type checkoutSession struct {
	base
	Status               string            `json:"status"`
	PaymentStatus        string            `json:"payment_status"`
	ExpiresAt            int64             `json:"expires_at"`
	Customer             string            `json:"customer,omitempty"`
	CustomerEmail        string            `json:"customer_email,omitempty"`
	ClientReferenceID    string            `json:"client_reference_id,omitempty"`
	Items                []sessionItem     `json:"items"`
	Currency             string            `json:"currency"`
	Subtotal             int64             `json:"subtotal"`
	DiscountAmount       int64             `json:"discount_amount,omitempty"`
	TrialDays            int64             `json:"trial_days,omitempty"`
	AllowPromotionCodes  bool              `json:"allow_promotion_codes,omitempty"`
	Coupon               string            `json:"coupon,omitempty"`
	PromotionCode        string            `json:"promotion_code,omitempty"`
	SuccessURL           string            `json:"success_url"`
	CancelURL            string            `json:"cancel_url,omitempty"`
	Metadata             map[string]string `json:"metadata"`
	SubscriptionMetadata map[string]string `json:"subscription_metadata,omitempty"`
	SubscriptionDesc     string            `json:"subscription_description,omitempty"`
	Subscription         string            `json:"subscription,omitempty"`
	Invoice              string            `json:"invoice,omitempty"`
	CustomerDetailsEmail string            `json:"customer_details_email,omitempty"`
	CustomerDetailsName  string            `json:"customer_details_name,omitempty"`
	// The billing address typed on the page: a country, and a postal code
	// where one was asked for.
	CustomerDetailsCountry    string `json:"customer_details_country,omitempty"`
	CustomerDetailsPostalCode string `json:"customer_details_postal_code,omitempty"`
}

type sessionItem struct {
	ID       string `json:"id"`
	Price    string `json:"price"`
	Quantity int64  `json:"quantity"`
}

const checkoutLifetime = 24 * time.Hour

func (s *Sandbox) renderSession(cs *checkoutSession) map[string]any {
	var url any
	if cs.Status == "open" {
		url = s.pageURL("/checkout/" + cs.ID)
	}
	var details any
	if cs.Status == "complete" {
		var address any
		if cs.CustomerDetailsCountry != "" {
			address = map[string]any{"city": nil, "country": cs.CustomerDetailsCountry, "line1": nil, "line2": nil,
				"postal_code": nullable(cs.CustomerDetailsPostalCode), "state": nil}
		}
		details = map[string]any{"address": address, "email": nullable(cs.CustomerDetailsEmail), "name": nullable(cs.CustomerDetailsName),
			"phone": nil, "tax_exempt": "none", "tax_ids": []any{}}
	}
	discounts := []any{}
	if cs.Coupon != "" {
		discounts = append(discounts, map[string]any{"coupon": cs.Coupon, "promotion_code": nullable(cs.PromotionCode)})
	}
	subtotal := cs.Subtotal
	if cs.TrialDays > 0 {
		subtotal = 0
	}
	return map[string]any{
		"id": cs.ID, "object": "checkout.session", "adaptive_pricing": map[string]any{"enabled": false}, "after_expiration": nil,
		"allow_promotion_codes": cs.AllowPromotionCodes,
		"amount_subtotal":       subtotal, "amount_total": subtotal - cs.DiscountAmount,
		"automatic_tax":              map[string]any{"enabled": false, "liability": nil, "provider": nil, "status": nil},
		"billing_address_collection": nil, "cancel_url": nullable(cs.CancelURL), "client_reference_id": nullable(cs.ClientReferenceID),
		"client_secret": nil, "collected_information": nil, "consent": nil, "consent_collection": nil, "created": cs.Created, "currency": cs.Currency, "currency_conversion": nil,
		"custom_fields": []any{}, "custom_text": map[string]any{"after_submit": nil, "shipping_address": nil, "submit": nil, "terms_of_service_acceptance": nil},
		"customer": nullable(cs.Customer), "customer_creation": "always", "customer_details": details, "customer_email": nullable(cs.CustomerEmail),
		"discounts": discounts, "expires_at": cs.ExpiresAt, "invoice": nullable(cs.Invoice), "invoice_creation": nil, "livemode": false,
		"locale": nil, "metadata": cs.Metadata, "mode": "subscription", "optional_items": nil, "origin_context": nil,
		"payment_intent": nil, "payment_link": nil, "payment_method_configuration_details": nil,
		"payment_method_options":    map[string]any{"card": map[string]any{"request_three_d_secure": "automatic"}},
		"payment_method_collection": "always", "payment_method_types": []string{"card"}, "payment_status": cs.PaymentStatus,
		"permissions": nil, "phone_number_collection": map[string]any{"enabled": false}, "recovered_from": nil,
		"saved_payment_method_options": nil, "setup_intent": nil,
		"shipping_address_collection": nil, "shipping_cost": nil, "shipping_options": []any{}, "status": cs.Status,
		"submit_type": nil, "subscription": nullable(cs.Subscription), "success_url": cs.SuccessURL,
		"total_details": map[string]any{"amount_discount": cs.DiscountAmount, "amount_shipping": 0, "amount_tax": 0},
		"ui_mode":       "hosted", "url": url, "wallet_options": nil,
	}
}

func (s *Sandbox) sessionLineItems(cs *checkoutSession) []any {
	var out []any
	for _, it := range cs.Items {
		pr := prices.get(s.st, it.Price)
		if pr == nil {
			continue
		}
		desc := pr.Product
		if pd := products.get(s.st, pr.Product); pd != nil {
			desc = pd.Name
		}
		amount := pr.UnitAmount * it.Quantity
		if cs.TrialDays > 0 {
			amount = 0
		}
		out = append(out, map[string]any{"id": it.ID, "object": "item", "amount_discount": 0, "amount_subtotal": amount,
			"amount_tax": 0, "amount_total": amount, "currency": pr.Currency, "description": desc,
			"price": s.renderPrice(pr), "quantity": it.Quantity})
	}
	return out
}

func (s *Sandbox) createSession(c *call) (any, error) {
	p := c.p
	now := s.cfg.Now()
	cs := &checkoutSession{base: sessions.newBase(s.st, now), Status: "open", PaymentStatus: "unpaid"}
	cs.ExpiresAt = now.Add(checkoutLifetime).Unix()
	if mode := p.required("mode"); mode != "" && mode != "subscription" {
		p.fail(invalid("mode", "", "The Tollgate sandbox supports only mode=subscription (got %s).", mode))
	}
	p.oneOf("hosted", []string{"hosted"}, "ui_mode")
	cs.SuccessURL = validURL(p, "success_url")
	if p.has("cancel_url") {
		cs.CancelURL = validURL(p, "cancel_url")
	}
	cs.Customer = p.str("customer")
	cs.CustomerEmail = p.str("customer_email")
	if cs.Customer != "" && cs.CustomerEmail != "" {
		p.fail(invalid("customer_email", "parameters_exclusive", "You may only specify one of these parameters: customer, customer_email."))
	}
	if cs.Customer != "" && customers.get(s.st, cs.Customer) == nil {
		p.fail(errNotFound("customer", cs.Customer, "customer"))
	}
	// Discounts are checked at the customer's time: on a test clock a
	// code may already have expired there.
	at := now
	if cu := customers.get(s.st, cs.Customer); cu != nil {
		at = s.now(cu.TestClock)
	}
	cs.ClientReferenceID = p.str("client_reference_id")
	cs.Metadata = p.metadata(nil)
	idx := p.indexes("line_items")
	if p.err == nil && len(idx) == 0 {
		p.fail(errMissing("line_items"))
	}
	interval := ""
	for _, i := range idx {
		param := "line_items[" + i + "][price]"
		id := p.required("line_items", i, "price")
		qty := p.integer(1, 1, 10000, "line_items", i, "quantity")
		pr := prices.get(s.st, id)
		switch {
		case id == "":
			continue
		case pr == nil:
			p.fail(errNotFound("price", id, param))
			continue
		case !pr.Active:
			p.fail(invalid(param, "", "The price '%s' is not active.", id))
		case pr.Interval == "":
			p.fail(invalid(param, "", "The price '%s' is one-time; subscription mode needs a recurring price.", id))
		case interval != "" && pr.Interval != interval:
			p.fail(invalid(param, "", "All prices of a subscription must have the same billing interval."))
		case cs.Currency != "" && pr.Currency != cs.Currency:
			p.fail(invalid(param, "", "All prices must have the same currency."))
		}
		interval, cs.Currency = pr.Interval, pr.Currency
		cs.Items = append(cs.Items, sessionItem{ID: newID("li_"), Price: id, Quantity: qty})
		cs.Subtotal += pr.UnitAmount * qty
	}
	cs.TrialDays = p.integer(0, 1, 730, "subscription_data", "trial_period_days")
	if p.has("subscription_data", "metadata") {
		sp := &params{root: p.node("subscription_data")}
		cs.SubscriptionMetadata = sp.metadata(nil)
		p.fail(sp.err)
	}
	cs.SubscriptionDesc = p.str("subscription_data", "description")
	cs.AllowPromotionCodes = p.boolean(false, "allow_promotion_codes")
	for _, i := range p.indexes("discounts") {
		if cs.Coupon != "" {
			p.fail(invalid("discounts", "", "Only one discount is supported."))
		}
		if code := p.str("discounts", i, "promotion_code"); code != "" {
			param := "discounts[" + i + "][promotion_code]"
			pc := promotionCodes.get(s.st, code)
			if pc == nil {
				p.fail(errNotFound("promotion_code", code, param))
				continue
			}
			if why := s.promoUsable(pc, cs.Customer, at); why != "" {
				p.fail(invalid(param, "", "%s", why))
				continue
			}
			cs.PromotionCode, cs.Coupon = pc.ID, pc.Coupon
		} else if id := p.required("discounts", i, "coupon"); id != "" {
			param := "discounts[" + i + "][coupon]"
			if cp := coupons.get(s.st, id); cp == nil {
				p.fail(errNotFound("coupon", id, param))
			} else if !s.couponValid(cp, at) {
				p.fail(invalid(param, "", "The coupon '%s' is no longer valid: it is past its redeem_by or fully redeemed.", id))
			}
			cs.Coupon = id
		}
	}
	if cs.Coupon != "" && cs.AllowPromotionCodes {
		p.fail(invalid("allow_promotion_codes", "", "You may only specify one of these parameters: allow_promotion_codes, discounts."))
	}
	// Accepted for compatibility; the hosted page always collects a card.
	for _, v := range p.strings("payment_method_types") {
		if v != "card" {
			p.fail(invalid("payment_method_types", "", "The Tollgate sandbox supports only card payments."))
		}
	}
	p.oneOf("always", []string{"always", "if_required"}, "payment_method_collection")
	p.oneOf("auto", []string{"auto", "required"}, "billing_address_collection")
	p.str("locale")
	p.tree("customer_update")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if cs.Coupon != "" {
		cs.DiscountAmount = s.firstDiscount(cs)
	}
	sessions.put(s.st, cs)
	return s.renderSession(cs), nil
}

// firstDiscount is what the session's coupon takes off the first charge.
func (s *Sandbox) firstDiscount(cs *checkoutSession) int64 {
	cp := coupons.get(s.st, cs.Coupon)
	if cp == nil || cs.TrialDays > 0 {
		return 0
	}
	inv := &invoice{Subtotal: cs.Subtotal, Lines: []invoiceLine{{Amount: cs.Subtotal}}}
	if cs.Subtotal == 0 {
		return 0
	}
	s.applyDiscount(inv, cp)
	return inv.DiscountAmount
}

func (s *Sandbox) listSessions(c *call) (any, error) {
	p := c.p
	cust := p.str("customer")
	sub := p.str("subscription")
	status := p.oneOf("", []string{"open", "complete", "expired"}, "status")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	l := sessions.all(s.st)
	switch {
	case cust != "":
		l = sessionsByCustomer.of(s.st, cust)
	case status != "":
		l = sessionsByStatus.of(s.st, status)
	}
	return pageOf(c, s.st, a, sessions, l, func(cs *checkoutSession) bool {
		return (cust == "" || cs.Customer == cust) && (sub == "" || cs.Subscription == sub) && (status == "" || cs.Status == status)
	}, func(cs *checkoutSession) any { return s.renderSession(cs) })
}

func (s *Sandbox) listSessionLineItems(c *call) (any, error) {
	cs, err := sessions.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	return listObject(c.r.URL.Path, s.sessionLineItems(cs), false), nil
}

func (s *Sandbox) expireSession(c *call) (any, error) {
	cs, err := sessions.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	if cs.Status != "open" {
		return nil, invalid("", "", "Only open checkout sessions can be expired; this one is %s.", cs.Status)
	}
	s.expire(cs, s.cfg.Now())
	return s.renderSession(cs), nil
}

func (s *Sandbox) expire(cs *checkoutSession, at time.Time) {
	cs.Status = "expired"
	sessions.put(s.st, cs)
	s.emit(at, "checkout.session.expired", s.renderSession(cs))
}

// expireSessions ends open sessions past their expires_at. Each expires a
// fixed lifetime after it was made on the wall clock, so the open ones
// expire oldest first and the walk stops at the first still open: a tick
// costs what expires, not what is open.
func (s *Sandbox) expireSessions(now time.Time) {
	var due []*checkoutSession
	for _, cs := range sessionsByStatus.of(s.st, "open") {
		if now.Unix() < cs.ExpiresAt {
			break
		}
		due = append(due, cs)
	}
	for _, cs := range due {
		s.expire(cs, now)
	}
}
