package sandbox

import (
	"fmt"
	"strconv"
	"time"
)

// invoices are a subscription's invoices.
var invoices *resource[invoice]

// invoicesByCustomer files invoices by customer.
var invoicesByCustomer index[invoice]

// invoicesByClock files invoices by test clock.
var invoicesByClock index[invoice]

func init() {
	invoices = declare(&resource[invoice]{
		bucket: "invoices",
		prefix: "in_",
		object: "invoice",
		render: (*Sandbox).renderInvoice,
		expand: []field{
			ref("customer", "customer"),
			ref("discounts", "discount"),
			ref("parent.subscription_details.subscription", "subscription"),
			ref("test_clock", "test_helpers.test_clock"),
			nested("lines.data", "line_item"),
			included("payments", "list:invoice_payment", func(s *Sandbox, id string) any { return s.invoicePayments(id) }),
			alwaysNull("application"), alwaysNull("default_payment_method"), alwaysNull("default_source"),
			alwaysNull("on_behalf_of"), alwaysNull("latest_revision"),
		},
	})
	invoicesByCustomer = invoices.index(func(inv *invoice) string { return inv.Customer })
	invoicesByClock = invoices.index(func(inv *invoice) string { return inv.TestClock })
	addObjectType(&objectType{name: "line_item", fields: []field{ref("discounts", "discount"), ref("subscription", "subscription")}})
}

const (
	invDraft = "draft"
	invOpen  = "open"
	invPaid  = "paid"
)

// autoFinalizeDelay is how long Stripe leaves a subscription's renewal
// invoice as a draft (so webhooks may still edit it) before finalizing and
// charging it.
const autoFinalizeDelay = time.Hour

type invoice struct {
	base
	Customer           string        `json:"customer"`
	CustomerEmail      string        `json:"customer_email,omitempty"`
	CustomerName       string        `json:"customer_name,omitempty"`
	Subscription       string        `json:"subscription"`
	Status             string        `json:"status"`
	BillingReason      string        `json:"billing_reason"`
	Currency           string        `json:"currency"`
	Number             string        `json:"number"`
	Lines              []invoiceLine `json:"lines"`
	Subtotal           int64         `json:"subtotal"`
	Total              int64         `json:"total"`
	AmountPaid         int64         `json:"amount_paid"`
	Discount           string        `json:"discount,omitempty"`
	DiscountAmount     int64         `json:"discount_amount,omitempty"`
	AttemptCount       int64         `json:"attempt_count"`
	Attempted          bool          `json:"attempted"`
	NextPaymentAttempt int64         `json:"next_payment_attempt,omitempty"`
	FirstFailedAt      int64         `json:"first_failed_at,omitempty"`
	// ScheduledFailures counts failed automatic attempts; it, not
	// AttemptCount, walks the retry schedule, so a manual pay does not.
	ScheduledFailures int64 `json:"scheduled_failures,omitempty"`
	PeriodStart       int64 `json:"period_start"`
	PeriodEnd         int64 `json:"period_end"`
	FinalizedAt       int64 `json:"finalized_at"`
	// AutoFinalizeAt is when a draft is due to be finalized and charged;
	// 0 once it is finalized, or when its subscription ended first.
	AutoFinalizeAt int64 `json:"auto_finalize_at,omitempty"`
	// CollectionStopped: Stripe no longer collects the invoice on its own
	// (auto_advance false), as after its customer's subscription ended.
	CollectionStopped bool   `json:"collection_stopped,omitempty"`
	PaidAt            int64  `json:"paid_at,omitempty"`
	TestClock         string `json:"test_clock,omitempty"`
	// The customer's balance before and after the invoice, once finalized
	// against it (see applyBalance).
	StartingBalance int64 `json:"starting_balance,omitempty"`
	EndingBalance   int64 `json:"ending_balance,omitempty"`
	BalanceApplied  bool  `json:"balance_applied,omitempty"`
	// The PaymentIntent collecting the invoice and the InvoicePayment that
	// links them (payments.go). Basil has no invoice.payment_intent: the
	// invoice shows them only in its includable payments list.
	PaymentIntent string `json:"payment_intent,omitempty"`
	Payment       string `json:"payment,omitempty"`
}

// amountDue is what the customer owes: the total less any credit balance
// applied, never below zero.
func (inv *invoice) amountDue() int64 { return max(0, inv.Total+inv.StartingBalance) }

type invoiceLine struct {
	ID             string `json:"id"`
	SubItem        string `json:"sub_item"`
	Price          string `json:"price"`
	Description    string `json:"description"`
	Quantity       int64  `json:"quantity"`
	Amount         int64  `json:"amount"`
	DiscountAmount int64  `json:"discount_amount,omitempty"`
	PeriodStart    int64  `json:"period_start"`
	PeriodEnd      int64  `json:"period_end"`
	// A proration of a plan change: a credit for unused time, or a charge
	// for the remaining time, made as an invoice item (InvoiceItem).
	Proration   bool   `json:"proration,omitempty"`
	InvoiceItem string `json:"invoice_item,omitempty"`
	// The line a credit gives back, as proration_details.credited_items.
	CreditedInvoice string `json:"credited_invoice,omitempty"`
	CreditedLine    string `json:"credited_line,omitempty"`
}

// discountable reports whether the invoice's discount applies to the line:
// in Stripe, discounts do not affect proration line items.
func (l invoiceLine) discountable() bool { return !l.Proration }

func (s *Sandbox) renderInvoice(inv *invoice) map[string]any {
	lines := make([]any, 0, len(inv.Lines))
	for _, l := range inv.Lines {
		product, unit := "", int64(0)
		if pr := prices.get(s.st, l.Price); pr != nil {
			product, unit = pr.Product, pr.UnitAmount
		}
		discAmounts := []any{}
		if l.DiscountAmount > 0 {
			discAmounts = append(discAmounts, map[string]any{"amount": l.DiscountAmount, "discount": inv.Discount})
		}
		var credited any
		if l.CreditedInvoice != "" {
			credited = map[string]any{"invoice": l.CreditedInvoice, "invoice_line_items": []string{l.CreditedLine}}
		}
		lines = append(lines, map[string]any{
			"id": l.ID, "object": "line_item", "amount": l.Amount, "currency": inv.Currency, "description": l.Description,
			"discount_amounts": discAmounts, "discountable": l.discountable(), "discounts": []any{}, "invoice": inv.ID,
			"livemode": false, "metadata": map[string]string{},
			"parent": map[string]any{"invoice_item_details": nil, "type": "subscription_item_details",
				"subscription_item_details": map[string]any{"invoice_item": nullable(l.InvoiceItem), "proration": l.Proration,
					"proration_details": map[string]any{"credited_items": credited}, "subscription": inv.Subscription, "subscription_item": l.SubItem}},
			"period":                map[string]any{"start": l.PeriodStart, "end": l.PeriodEnd},
			"pretax_credit_amounts": []any{},
			"pricing": map[string]any{"type": "price_details", "price_details": map[string]any{"price": l.Price, "product": product},
				"unit_amount_decimal": strconv.FormatInt(unit, 10)},
			"quantity": l.Quantity, "subscription": inv.Subscription, "taxes": []any{},
		})
	}
	discounts, totalDiscounts := []any{}, []any{}
	if inv.Discount != "" {
		discounts = append(discounts, inv.Discount)
		totalDiscounts = append(totalDiscounts, map[string]any{"amount": inv.DiscountAmount, "discount": inv.Discount})
	}
	var ending, hosted, pdf any
	if inv.Status != invDraft {
		ending = inv.EndingBalance
		if !inv.BalanceApplied {
			ending = int64(0)
		}
		hosted, pdf = s.hostedInvoiceURL(inv), s.invoicePDFURL(inv)
	}
	var paidAt any
	if inv.PaidAt != 0 {
		paidAt = inv.PaidAt
	}
	return map[string]any{
		"id": inv.ID, "object": "invoice", "account_country": "GB", "account_name": "Tollgate Sandbox", "account_tax_ids": nil,
		"amount_due": inv.amountDue(), "amount_overpaid": 0, "amount_paid": inv.AmountPaid, "amount_remaining": inv.amountDue() - inv.AmountPaid,
		"amount_shipping": 0, "application": nil, "attempt_count": inv.AttemptCount, "attempted": inv.Attempted,
		"auto_advance": !inv.CollectionStopped && (inv.Status == invOpen || inv.AutoFinalizeAt != 0), "automatic_tax": map[string]any{"disabled_reason": nil, "enabled": false, "liability": nil, "provider": nil, "status": nil},
		"automatically_finalizes_at": nullInt(inv.AutoFinalizeAt), "billing_reason": inv.BillingReason, "collection_method": "charge_automatically",
		"confirmation_secret": nil, "created": inv.Created, "currency": inv.Currency, "custom_fields": nil, "customer": inv.Customer,
		"customer_address": nil, "customer_email": nullable(inv.CustomerEmail), "customer_name": nullable(inv.CustomerName),
		"customer_phone": nil, "customer_shipping": nil, "customer_tax_exempt": "none", "customer_tax_ids": []any{},
		"default_payment_method": nil, "default_source": nil, "default_tax_rates": []any{}, "description": nil,
		"discounts": discounts, "due_date": nil, "effective_at": nullInt(inv.FinalizedAt), "ending_balance": ending, "footer": nil,
		"from_invoice": nil, "hosted_invoice_url": hosted, "invoice_pdf": pdf, "issuer": map[string]any{"type": "self"},
		"last_finalization_error": nil, "latest_revision": nil,
		"lines":    map[string]any{"object": "list", "data": lines, "has_more": false, "url": "/v1/invoices/" + inv.ID + "/lines"},
		"livemode": false, "metadata": map[string]string{}, "next_payment_attempt": nullInt(inv.NextPaymentAttempt),
		"number": nullable(inv.Number), "on_behalf_of": nil,
		"parent": map[string]any{"quote_details": nil, "type": "subscription_details",
			"subscription_details": map[string]any{"metadata": map[string]string{}, "subscription": inv.Subscription}},
		"payment_settings": map[string]any{"default_mandate": nil, "payment_method_options": nil, "payment_method_types": nil},
		"period_end":       inv.PeriodEnd, "period_start": inv.PeriodStart, "post_payment_credit_notes_amount": 0,
		"pre_payment_credit_notes_amount": 0, "receipt_number": nil, "rendering": nil, "shipping_cost": nil,
		"shipping_details": nil, "starting_balance": inv.StartingBalance, "statement_descriptor": nil, "status": inv.Status,
		"status_transitions": map[string]any{"finalized_at": nullInt(inv.FinalizedAt), "marked_uncollectible_at": nil, "paid_at": paidAt, "voided_at": nil},
		"subtotal":           inv.Subtotal, "subtotal_excluding_tax": inv.Subtotal, "test_clock": nullable(inv.TestClock),
		"total": inv.Total, "total_discount_amounts": totalDiscounts, "total_excluding_tax": inv.Total,
		"total_pretax_credit_amounts": []any{}, "total_taxes": []any{}, "webhooks_delivered_at": inv.Created,
	}
}

func (s *Sandbox) listInvoices(c *call) (any, error) {
	p := c.p
	cust := p.str("customer")
	sub := p.str("subscription")
	status := p.oneOf("", []string{"draft", "open", "paid", "uncollectible", "void"}, "status")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	l := invoices.all(s.st)
	if cust != "" {
		l = invoicesByCustomer.of(s.st, cust)
	} else if su := subscriptions.get(s.st, sub); su != nil {
		// A subscription's invoices are its customer's.
		l = invoicesByCustomer.of(s.st, su.Customer)
	}
	return pageOf(c, s.st, a, invoices, l, func(inv *invoice) bool {
		return (cust == "" || inv.Customer == cust) && (sub == "" || inv.Subscription == sub) && (status == "" || inv.Status == status)
	}, func(inv *invoice) any { return s.renderInvoice(inv) })
}

// payInvoice charges an open invoice now, outside the retry schedule; a
// failing card answers 402 card_declined as Stripe does.
func (s *Sandbox) payInvoice(c *call) (any, error) {
	inv, err := invoices.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	if inv.Status == invDraft {
		// Only an open invoice can be paid; Stripe finalizes a renewal's
		// draft on its own at automatically_finalizes_at.
		return nil, invalid("", "", "This invoice is a draft; it can be paid once it is finalized.")
	}
	if inv.Status != invOpen {
		return nil, invalid("", "invoice_not_editable", "Invoice is already %s.", inv.Status)
	}
	at := s.now(inv.TestClock)
	if !s.retryInvoice(inv, at, false, nil) {
		e := errCard("generic_decline", "Your card was declined.")
		if pi := paymentIntents.get(s.st, inv.PaymentIntent); pi != nil && pi.LastError != nil {
			e = errCard(pi.LastError.DeclineCode, pi.LastError.Message)
			e.Code, e.Charge = pi.LastError.Code, pi.LastError.Charge
		}
		return nil, e
	}
	return s.renderInvoice(inv), nil
}

func formatMoney(amount int64, currency string) string {
	if amount < 0 {
		return "−" + formatMoney(-amount, currency)
	}
	sym := map[string]string{"usd": "$", "eur": "€", "gbp": "£"}[currency]
	if sym == "" {
		return fmt.Sprintf("%d.%02d %s", amount/100, amount%100, currency)
	}
	return fmt.Sprintf("%s%d.%02d", sym, amount/100, amount%100)
}
