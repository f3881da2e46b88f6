package sandbox

import (
	"strconv"
	"time"
)

// subscriptions are what Checkout makes; their items, plans and
// discounts live inside them.
var subscriptions *resource[subscription]

// subsByCustomer files subscriptions by customer.
var subsByCustomer index[subscription]

// subsByClock files subscriptions by test clock.
var subsByClock index[subscription]

func init() {
	subscriptions = declare(&resource[subscription]{
		bucket: "subscriptions",
		prefix: "sub_",
		object: "subscription",
		render: (*Sandbox).renderSubscription,
		expand: []field{
			ref("customer", "customer"),
			ref("default_payment_method", "payment_method"),
			ref("discounts", "discount"),
			ref("latest_invoice", "invoice"),
			ref("test_clock", "test_helpers.test_clock"),
			nested("items.data", "subscription_item"),
			alwaysNull("application"), alwaysNull("default_source"), alwaysNull("on_behalf_of"),
			alwaysNull("pending_setup_intent"), alwaysNull("schedule"),
		},
	})
	subsByCustomer = subscriptions.index(func(sub *subscription) string { return sub.Customer })
	subsByClock = subscriptions.index(func(sub *subscription) string { return sub.TestClock })
	addObjectType(&objectType{name: "subscription_item",
		fields: []field{nested("price", "price"), nested("plan", "plan"), ref("discounts", "discount")}})
	addObjectType(&objectType{name: "plan", fields: []field{ref("product", "product")}})
	addObjectType(&objectType{name: "discount",
		fields: []field{ref("customer", "customer"), ref("promotion_code", "promotion_code")},
		// A discount is kept on its subscription, not in a table of its own.
		byID: func(s *Sandbox, id string) (map[string]any, bool) {
			for _, sub := range subscriptions.rows(s.st) {
				if d := sub.Discount; d != nil && d.ID == id {
					return s.renderDiscount(d, sub), true
				}
			}
			return nil, false
		}})
}

const (
	subTrialing = "trialing"
	subActive   = "active"
	subPastDue  = "past_due"
	subCanceled = "canceled"
)

type subscription struct {
	base
	Customer           string    `json:"customer"`
	Status             string    `json:"status"`
	Currency           string    `json:"currency"`
	Items              []subItem `json:"items"`
	PeriodStart        int64     `json:"period_start"`
	PeriodEnd          int64     `json:"period_end"`
	BillingCycleAnchor int64     `json:"billing_cycle_anchor"`
	Cycle              int64     `json:"cycle"` // renewals since the anchor
	StartDate          int64     `json:"start_date"`
	TrialStart         int64     `json:"trial_start,omitempty"`
	TrialEnd           int64     `json:"trial_end,omitempty"`
	TrialWillEndSent   bool      `json:"trial_will_end_sent,omitempty"`
	CancelAtPeriodEnd  bool      `json:"cancel_at_period_end"`
	CancelAt           int64     `json:"cancel_at,omitempty"`
	CanceledAt         int64     `json:"canceled_at,omitempty"`
	EndedAt            int64     `json:"ended_at,omitempty"`
	CancelReason       string    `json:"cancel_reason,omitempty"`
	// What the customer said when canceling in the portal: one of Stripe's
	// feedback values, and a comment (cancellation_details).
	CancelFeedback string    `json:"cancel_feedback,omitempty"`
	CancelComment  string    `json:"cancel_comment,omitempty"`
	LatestInvoice  string    `json:"latest_invoice,omitempty"`
	DefaultPM      string    `json:"default_payment_method,omitempty"`
	Discount       *discount `json:"discount,omitempty"`
	// PendingLines are prorations waiting for the next invoice, as Stripe's
	// pending invoice items are (create_prorations within one interval).
	PendingLines []invoiceLine     `json:"pending_lines,omitempty"`
	Description  string            `json:"description,omitempty"`
	Metadata     map[string]string `json:"metadata"`
	TestClock    string            `json:"test_clock,omitempty"`
}

type subItem struct {
	ID       string `json:"id"`
	Created  int64  `json:"created"`
	Price    string `json:"price"`
	Quantity int64  `json:"quantity"`
}

// discount is a coupon applied to a subscription.
type discount struct {
	ID            string `json:"id"`
	Coupon        string `json:"coupon"`
	PromotionCode string `json:"promotion_code,omitempty"`
	Start         int64  `json:"start"`
	End           int64  `json:"end,omitempty"`
	Used          bool   `json:"used,omitempty"` // a "once" coupon already took effect
}

// entitled reports whether the subscription grants its products' features.
func (sub *subscription) entitled() bool {
	return sub.Status == subTrialing || sub.Status == subActive || sub.Status == subPastDue
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func (s *Sandbox) renderDiscount(d *discount, sub *subscription) map[string]any {
	var coupon any = d.Coupon
	if cp := coupons.get(s.st, d.Coupon); cp != nil {
		coupon = s.renderCoupon(cp)
	}
	// checkout_session names a Checkout Session only "in payment mode"; the
	// API reference says it "will not be present for subscription mode",
	// the only mode the sandbox has, even when Checkout applied the code.
	return map[string]any{
		"id": d.ID, "object": "discount", "checkout_session": nil, "coupon": coupon,
		"customer": sub.Customer, "end": nullInt(d.End), "invoice": nil, "invoice_item": nil,
		"promotion_code": nullable(d.PromotionCode), "start": d.Start, "subscription": sub.ID, "subscription_item": nil,
	}
}

func (s *Sandbox) renderPlan(p *price) map[string]any {
	return map[string]any{
		"id": p.ID, "object": "plan", "active": p.Active, "amount": p.UnitAmount,
		"amount_decimal": strconv.FormatInt(p.UnitAmount, 10), "billing_scheme": "per_unit", "created": p.Created,
		"currency": p.Currency, "interval": p.Interval, "interval_count": p.IntervalCount, "livemode": false,
		"metadata": p.Metadata, "meter": nil, "nickname": nullable(p.Nickname), "product": p.Product, "tiers_mode": nil,
		"transform_usage": nil, "trial_period_days": nil, "usage_type": "licensed",
	}
}

func (s *Sandbox) renderSubscription(sub *subscription) map[string]any {
	items := make([]any, 0, len(sub.Items))
	for _, it := range sub.Items {
		pr := prices.get(s.st, it.Price)
		var priceObj, plan any = it.Price, nil
		if pr != nil {
			priceObj = s.renderPrice(pr)
			plan = s.renderPlan(pr)
		}
		items = append(items, map[string]any{
			"id": it.ID, "object": "subscription_item", "billing_thresholds": nil, "created": it.Created,
			"current_period_start": sub.PeriodStart, "current_period_end": sub.PeriodEnd, "discounts": []any{},
			"metadata": map[string]string{}, "plan": plan, "price": priceObj, "quantity": it.Quantity,
			"subscription": sub.ID, "tax_rates": []any{},
		})
	}
	discounts := []any{}
	if d := sub.Discount; d != nil && s.discountLive(d, s.now(sub.TestClock).Unix()) {
		discounts = append(discounts, d.ID)
	}
	var reason any
	if sub.CancelReason != "" {
		reason = sub.CancelReason
	}
	return map[string]any{
		"id": sub.ID, "object": "subscription", "application": nil, "application_fee_percent": nil,
		"automatic_tax":        map[string]any{"disabled_reason": nil, "enabled": false, "liability": nil},
		"billing_cycle_anchor": sub.BillingCycleAnchor, "billing_cycle_anchor_config": nil,
		"billing_mode": map[string]any{"type": "classic"}, "billing_thresholds": nil,
		"cancel_at": nullInt(sub.CancelAt), "cancel_at_period_end": sub.CancelAtPeriodEnd, "canceled_at": nullInt(sub.CanceledAt),
		"cancellation_details": map[string]any{"comment": nullable(sub.CancelComment), "feedback": nullable(sub.CancelFeedback), "reason": reason},
		"collection_method":    "charge_automatically", "created": sub.Created, "currency": sub.Currency,
		"customer": sub.Customer, "days_until_due": nil, "default_payment_method": nullable(sub.DefaultPM), "default_source": nil,
		"default_tax_rates": []any{}, "description": nullable(sub.Description), "discounts": discounts,
		"ended_at": nullInt(sub.EndedAt), "invoice_settings": map[string]any{"account_tax_ids": nil, "issuer": map[string]any{"type": "self"}},
		"items":          map[string]any{"object": "list", "data": items, "has_more": false, "url": "/v1/subscription_items?subscription=" + sub.ID},
		"latest_invoice": nullable(sub.LatestInvoice), "livemode": false, "metadata": sub.Metadata,
		"next_pending_invoice_item_invoice": nil, "on_behalf_of": nil, "pause_collection": nil,
		"payment_settings":              map[string]any{"payment_method_options": nil, "payment_method_types": nil, "save_default_payment_method": "off"},
		"pending_invoice_item_interval": nil, "pending_setup_intent": nil, "pending_update": nil, "schedule": nil,
		"start_date": sub.StartDate, "status": sub.Status, "test_clock": nullable(sub.TestClock), "transfer_data": nil,
		"trial_end": nullInt(sub.TrialEnd), "trial_start": nullInt(sub.TrialStart),
		"trial_settings": map[string]any{"end_behavior": map[string]any{"missing_payment_method": "create_invoice"}},
	}
}

var subStatuses = []string{"active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"}

func (s *Sandbox) listSubscriptions(c *call) (any, error) {
	p := c.p
	cust := p.str("customer")
	price := p.str("price")
	clock := p.str("test_clock")
	status := p.oneOf("", subStatuses, "status")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	// Without a customer or a clock, only subscriptions on no clock are listed.
	l := subsByClock.of(s.st, clock)
	if cust != "" {
		l = subsByCustomer.of(s.st, cust)
	}
	return pageOf(c, s.st, a, subscriptions, l, func(sub *subscription) bool {
		switch {
		case cust != "" && sub.Customer != cust, clock != "" && sub.TestClock != clock:
			return false

		case cust == "" && clock == "" && sub.TestClock != "":
			return false
		case price != "" && !hasPrice(sub, price):
			return false
		}
		switch status {
		case "":
			return sub.Status != subCanceled
		case "all":
			return true
		case "ended":
			return sub.Status == subCanceled
		}
		return sub.Status == status
	}, func(sub *subscription) any { return s.renderSubscription(sub) })
}

func hasPrice(sub *subscription, price string) bool {
	for _, it := range sub.Items {
		if it.Price == price {
			return true
		}
	}
	return false
}

func (s *Sandbox) updateSubscription(c *call) (any, error) {
	sub, err := subscriptions.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	capSet := p.has("cancel_at_period_end")
	cap := p.boolean(sub.CancelAtPeriodEnd, "cancel_at_period_end")
	md := p.metadata(sub.Metadata)
	desc := sub.Description
	if p.has("description") {
		desc = p.str("description")
	}
	pmID := sub.DefaultPM
	if p.has("default_payment_method") {
		pmID = p.str("default_payment_method")
		if pm := paymentMethods.get(s.st, pmID); pmID != "" && (pm == nil || pm.Customer != sub.Customer) {
			p.fail(invalid("default_payment_method", "", "The payment method '%s' is not attached to the subscription's customer.", pmID))
		}
	}
	p.tree("cancellation_details")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if sub.Status == subCanceled && (capSet || pmID != sub.DefaultPM) {
		return nil, invalid("", "", "A canceled subscription can only update its metadata and description.")
	}
	at := s.now(sub.TestClock)
	prev := s.subSnapshot(sub)
	sub.Metadata, sub.Description, sub.DefaultPM = md, desc, pmID
	if capSet {
		s.setCancelAtPeriodEnd(sub, cap, at)
	}
	s.subChanged(sub, prev, at)
	return s.renderSubscription(sub), nil
}

// setCancelAtPeriodEnd schedules or undoes a cancellation at period end.
func (s *Sandbox) setCancelAtPeriodEnd(sub *subscription, on bool, at time.Time) {
	sub.CancelAtPeriodEnd = on
	if on {
		sub.CancelAt, sub.CanceledAt, sub.CancelReason = sub.PeriodEnd, at.Unix(), "cancellation_requested"
	} else {
		sub.CancelAt, sub.CanceledAt, sub.CancelReason = 0, 0, ""
		sub.CancelFeedback, sub.CancelComment = "", ""
	}
}

func (s *Sandbox) cancelSubscription(c *call) (any, error) {
	sub, err := subscriptions.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	p.boolean(false, "invoice_now")
	p.boolean(false, "prorate")
	p.tree("cancellation_details")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if sub.Status == subCanceled {
		return nil, invalid("", "", "This subscription is already canceled.")
	}
	s.endSubscription(sub, s.now(sub.TestClock), "cancellation_requested")
	return s.renderSubscription(sub), nil
}
