package sandbox_test

// Event flows: for each way a subscription's money moves, the events the
// sandbox sends, in the order it makes them, and the statuses, billing
// reasons and amounts they carry, each checked against what Stripe's docs
// say. The pages these tests cite:
//
//   - Using webhooks with subscriptions, "Subscription events" (the table of
//     the events a subscription sends and when) and "Payment failures":
//     https://docs.stripe.com/billing/subscriptions/webhooks
//   - How subscriptions work (the lifecycle: payment outcomes, trials,
//     renewals, past_due and cancellation after retries):
//     https://docs.stripe.com/billing/subscriptions/overview
//   - Status transitions and finalization ("We wait an hour after receiving
//     a successful response to the invoice.created event before attempting
//     payment"; POST /v1/invoices/:id/pay emits invoice.paid or
//     invoice.payment_failed): https://docs.stripe.com/invoicing/integration/workflow-transitions
//   - The PaymentIntent lifecycle (a failed attempt returns it to
//     requires_payment_method): https://docs.stripe.com/payments/paymentintents/lifecycle
//   - Basil's invoice payments (no invoice.payment_intent; InvoicePayment,
//     invoice_payment.paid): https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices
//     and https://docs.stripe.com/api/invoice-payment/object
//   - Trials (trial_will_end three days before the end; the trial's £0
//     invoice; the card saved for later): https://docs.stripe.com/billing/subscriptions/trials
//   - Test cards (4000 0000 0000 0341 attaches, then every charge is
//     declined): https://docs.stripe.com/testing#declined-payments
//   - Event ordering: "Stripe doesn't guarantee the delivery of events in
//     the order that they're generated": https://docs.stripe.com/webhooks#event-ordering
//
// Because of that last point, each flow is checked as a sequence of phases:
// a phase is a set of event types (compared as a multiset, in any order)
// that happen together, such as everything one successful payment sends;
// phases follow each other in the order their causes do (the draft before
// its finalization an hour later, the payment before the Checkout it
// completes). Inside a phase, only an order the docs state is checked, with
// before.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// phase is a set of event types sent together, in an order Stripe does not
// promise.
type phase []string

func in(types ...string) phase { return phase(types) }

// paymentSucceeded is what one successful payment of an invoice sends: the
// charge and the PaymentIntent it completes, the invoice's InvoicePayment,
// invoice.paid and invoice.payment_succeeded, and invoice.updated (the
// subscription webhooks table: invoice.updated is sent when a payment
// succeeds or fails).
var paymentSucceeded = in("charge.succeeded", "payment_intent.succeeded", "invoice_payment.paid",
	"invoice.paid", "invoice.payment_succeeded", "invoice.updated")

// paymentFailed is what one declined attempt sends: the failed charge, the
// PaymentIntent's failure, invoice.payment_failed and invoice.updated (its
// attempt_count and next_payment_attempt).
var paymentFailed = in("charge.failed", "payment_intent.payment_failed", "invoice.payment_failed", "invoice.updated")

func join(phases ...phase) phase {
	var out phase
	for _, p := range phases {
		out = append(out, p...)
	}
	return out
}

// flow reads the account's events in the order the sandbox made them (the
// events list is newest first: https://docs.stripe.com/api/events/list),
// a step at a time.
type flow struct {
	e    *env
	seen int
}

func (e *env) flow() *flow { return &flow{e: e, seen: len(e.allEvents())} }

func (e *env) allEvents() []*stripe.Event {
	evs := collect(e.t, e.sc.V1Events.List(context.Background(), &stripe.EventListParams{}))
	slices.Reverse(evs)
	return evs
}

// step returns the events made since the last step and checks their types
// against the phases, in turn.
func (f *flow) step(t *testing.T, phases ...phase) steps {
	t.Helper()
	evs := f.e.allEvents()[f.seen:]
	f.seen += len(evs)
	var got []string
	for _, ev := range evs {
		got = append(got, string(ev.Type))
	}
	i := 0
	for n, ph := range phases {
		if i+len(ph) > len(got) || !sameSet(got[i:i+len(ph)], ph) {
			t.Fatalf("phase %d: want %v (any order)\nall events: %v\nphases: %v", n+1, ph, got, phases)
		}
		i += len(ph)
	}
	if i != len(got) {
		t.Fatalf("more events than expected: %v\nall events: %v", got[i:], got)
	}
	return steps(evs)
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// steps are the events of one step, oldest first.
type steps []*stripe.Event

// all returns the events of a type.
func (s steps) all(typ string) []*stripe.Event {
	var out []*stripe.Event
	for _, ev := range s {
		if string(ev.Type) == typ {
			out = append(out, ev)
		}
	}
	return out
}

// one returns the only event of a type.
func (s steps) one(t *testing.T, typ string) *stripe.Event {
	t.Helper()
	evs := s.all(typ)
	if len(evs) != 1 {
		t.Fatalf("%d %s events, want 1", len(evs), typ)
	}
	return evs[0]
}

// before checks that the first a comes before the first b.
func (s steps) before(t *testing.T, a, b string) {
	t.Helper()
	ia := slices.IndexFunc(s, func(ev *stripe.Event) bool { return string(ev.Type) == a })
	ib := slices.IndexFunc(s, func(ev *stripe.Event) bool { return string(ev.Type) == b })
	if ia < 0 || ib < 0 || ia > ib {
		t.Errorf("%s (at %d) must come before %s (at %d)", a, ia, b, ib)
	}
}

// at checks that every event of the step was made at the time at, on the
// test clock (or the sandbox's clock).
func (s steps) at(t *testing.T, at time.Time, types ...string) {
	t.Helper()
	for _, typ := range types {
		for _, ev := range s.all(typ) {
			if ev.Created != at.Unix() {
				t.Errorf("%s created at %s, want %s", typ, time.Unix(ev.Created, 0).UTC(), at.UTC())
			}
		}
	}
}

// automatic checks that no event of the step names a request: Stripe's
// automatic handling (and the hosted pages) cause them, not an API call.
func (s steps) automatic(t *testing.T, except ...string) {
	t.Helper()
	for _, ev := range s {
		if contains(except, string(ev.Type)) {
			continue
		}
		if ev.Request != nil && (ev.Request.ID != "" || ev.Request.IdempotencyKey != "") {
			t.Errorf("%s has request %+v, want null", ev.Type, ev.Request)
		}
	}
}

// decode reads an event's object as the stripe-go type T.
func decode[T any](t *testing.T, ev *stripe.Event) *T {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal(ev.Data.Raw, v); err != nil {
		t.Fatalf("decode %s: %v", ev.Type, err)
	}
	return v
}

// learn10 makes the demo catalog's code: 10% off, forever.
func (e *env) learn10() {
	ctx := context.Background()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(e.t)
	must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(e.t)
}

// checkPaid checks the objects of one successful payment of amount for inv.
func checkPaid(t *testing.T, s steps, invID string, amount int64) (pi *stripe.PaymentIntent) {
	t.Helper()
	ch := decode[stripe.Charge](t, s.one(t, "charge.succeeded"))
	pi = decode[stripe.PaymentIntent](t, s.one(t, "payment_intent.succeeded"))
	ip := decode[stripe.InvoicePayment](t, s.one(t, "invoice_payment.paid"))
	paid := decode[stripe.Invoice](t, s.one(t, "invoice.paid"))
	// How subscriptions work: a successful payment leaves the invoice paid
	// and the PaymentIntent succeeded.
	if paid.ID != invID || paid.Status != stripe.InvoiceStatusPaid || paid.AmountPaid != amount || paid.AmountRemaining != 0 {
		t.Errorf("invoice.paid: %s %s paid %d remaining %d, want %s paid %d", paid.ID, paid.Status, paid.AmountPaid, paid.AmountRemaining, invID, amount)
	}
	if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.Amount != amount || pi.AmountReceived != amount || pi.LatestCharge.ID != ch.ID {
		t.Errorf("payment_intent.succeeded: %s amount %d received %d latest charge %s", pi.Status, pi.Amount, pi.AmountReceived, pi.LatestCharge.ID)
	}
	if ch.Status != stripe.ChargeStatusSucceeded || !ch.Paid || ch.Amount != amount || ch.PaymentIntent.ID != pi.ID {
		t.Errorf("charge.succeeded: %s paid %v amount %d", ch.Status, ch.Paid, ch.Amount)
	}
	// Basil: the InvoicePayment, not the invoice, links the two.
	if ip.Invoice.ID != invID || ip.Payment.PaymentIntent.ID != pi.ID || ip.Status != "paid" || ip.AmountPaid != amount {
		t.Errorf("invoice_payment.paid: invoice %s payment intent %s %s paid %d", ip.Invoice.ID, ip.Payment.PaymentIntent.ID, ip.Status, ip.AmountPaid)
	}
	up := s.one(t, "invoice.updated")
	if up.Data.Object["status"] != "paid" || up.Data.PreviousAttributes["status"] != "open" {
		t.Errorf("invoice.updated: status %v, previously %v; want paid, previously open", up.Data.Object["status"], up.Data.PreviousAttributes["status"])
	}
	return pi
}

// TestFlowPaidCheckout: a subscription bought through Checkout with no
// trial, by a customer Checkout creates.
func TestFlowPaidCheckout(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	f := e.flow()
	cs := e.session(sessionOpts{price: c.monthly.ID})
	if status, body, _ := e.pay(cs.URL, "4242424242424242", ""); status != http.StatusSeeOther {
		t.Fatalf("pay: %d\n%s", status, body)
	}
	s := f.step(t,
		// Checkout makes the customer first: everything after belongs to it.
		in("customer.created"),
		// The subscription and its first invoice, drafted and finalized at
		// once (Checkout charges while the customer waits); finalizing it
		// makes its PaymentIntent and default InvoicePayment (the
		// InvoicePayment object: "Stripe automatically creates a default
		// InvoicePayment when the invoice is finalized").
		in("payment_method.attached", "customer.subscription.created", "invoice.created", "invoice.finalized", "payment_intent.created"),
		// The payment (the subscription webhooks table: payment_intent.*,
		// invoice.paid, invoice.updated).
		paymentSucceeded,
		// Checkout is complete once paid; the customer's entitlements follow
		// the subscription.
		in("checkout.session.completed", "entitlements.active_entitlement_summary.updated"),
	)
	// Draft, then open (Status transitions and finalization).
	s.before(t, "invoice.created", "invoice.finalized")
	s.before(t, "invoice.finalized", "payment_intent.created")
	// The hosted page is not an API request.
	s.automatic(t)

	sub := decode[stripe.Subscription](t, s.one(t, "customer.subscription.created"))
	if sub.Status != stripe.SubscriptionStatusActive {
		t.Errorf("customer.subscription.created status = %s, want active", sub.Status)
	}
	created := decode[stripe.Invoice](t, s.one(t, "invoice.created"))
	if created.Status != stripe.InvoiceStatusDraft || created.BillingReason != stripe.InvoiceBillingReasonSubscriptionCreate || created.AmountDue != 1000 {
		t.Errorf("invoice.created: %s %s due %d, want a draft subscription_create of 1000", created.Status, created.BillingReason, created.AmountDue)
	}
	if fin := decode[stripe.Invoice](t, s.one(t, "invoice.finalized")); fin.Status != stripe.InvoiceStatusOpen || fin.Number == "" {
		t.Errorf("invoice.finalized: %s number %q, want open with a number", fin.Status, fin.Number)
	}
	if pi := decode[stripe.PaymentIntent](t, s.one(t, "payment_intent.created")); pi.Amount != 1000 || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod {
		t.Errorf("payment_intent.created: %d %s", pi.Amount, pi.Status)
	}
	checkPaid(t, s, created.ID, 1000)
	done := decode[stripe.CheckoutSession](t, s.one(t, "checkout.session.completed"))
	if done.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid || done.AmountTotal != 1000 || done.Subscription.ID != sub.ID {
		t.Errorf("checkout.session.completed: %s total %d subscription %v", done.PaymentStatus, done.AmountTotal, done.Subscription)
	}
	// A paid Checkout needs no SetupIntent: the PaymentIntent saves the card.
	if n := len(s.all("setup_intent.created")); n != 0 {
		t.Errorf("%d setup_intent.created", n)
	}
}

// TestFlowTrialCheckout: a 7-day trial bought through Checkout with LEARN10
// (10% off, forever), then the trial's end and its first charge.
func TestFlowTrialCheckout(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	e.learn10()
	clk, cu := e.clockCustomer()
	f := e.flow()
	cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 7, allowPromo: true})
	if status, body, _ := e.pay(cs.URL, "4242424242424242", "LEARN10"); status != http.StatusSeeOther {
		t.Fatalf("pay: %d\n%s", status, body)
	}
	trialEnd := t0.AddDate(0, 0, 7)

	s := f.step(t,
		// Nothing is charged during a trial: Checkout saves the card with a
		// SetupIntent, and the subscription starts trialing with a £0
		// first invoice (Trials).
		in("setup_intent.created", "payment_method.attached", "setup_intent.succeeded",
			"customer.subscription.created", "invoice.created", "invoice.finalized"),
		// The £0 invoice is paid at once, with no PaymentIntent or charge.
		in("invoice.paid", "invoice.payment_succeeded", "invoice.updated"),
		in("checkout.session.completed", "entitlements.active_entitlement_summary.updated"),
	)
	s.before(t, "setup_intent.created", "setup_intent.succeeded")
	s.before(t, "invoice.created", "invoice.finalized")
	s.automatic(t)
	si := decode[stripe.SetupIntent](t, s.one(t, "setup_intent.succeeded"))
	pm := decode[stripe.PaymentMethod](t, s.one(t, "payment_method.attached"))
	if si.Status != stripe.SetupIntentStatusSucceeded || si.Usage != stripe.SetupIntentUsageOffSession || si.PaymentMethod.ID != pm.ID {
		t.Errorf("setup_intent.succeeded: %s %s payment method %v", si.Status, si.Usage, si.PaymentMethod)
	}
	sub := decode[stripe.Subscription](t, s.one(t, "customer.subscription.created"))
	if sub.Status != stripe.SubscriptionStatusTrialing || sub.TrialEnd != trialEnd.Unix() || len(sub.Discounts) != 1 {
		t.Errorf("customer.subscription.created: %s trial_end %d discounts %d", sub.Status, sub.TrialEnd, len(sub.Discounts))
	}
	first := decode[stripe.Invoice](t, s.one(t, "invoice.paid"))
	if first.BillingReason != stripe.InvoiceBillingReasonSubscriptionCreate || first.Total != 0 || first.AmountPaid != 0 || first.Status != stripe.InvoiceStatusPaid {
		t.Errorf("trial invoice: %s total %d paid %d %s", first.BillingReason, first.Total, first.AmountPaid, first.Status)
	}
	if done := decode[stripe.CheckoutSession](t, s.one(t, "checkout.session.completed")); done.PaymentStatus != stripe.CheckoutSessionPaymentStatusNoPaymentRequired {
		t.Errorf("checkout.session.completed payment_status = %s, want no_payment_required", done.PaymentStatus)
	}

	t.Run("TrialEnd", func(t *testing.T) {
		e.advance(clk.ID, trialEnd.Add(2*time.Hour))
		s := f.step(t,
			in("test_helpers.test_clock.advancing"),
			// Sent three days before the trial ends (Trials; the
			// subscription webhooks table).
			in("customer.subscription.trial_will_end"),
			// At the trial's end the subscription becomes active and a new
			// period starts with a draft invoice (How subscriptions work).
			in("invoice.created", "customer.subscription.updated"),
			// An hour later it is finalized and charged (Status
			// transitions and finalization).
			in("invoice.finalized", "payment_intent.created"),
			paymentSucceeded,
			in("test_helpers.test_clock.ready"),
		)
		s.before(t, "invoice.finalized", "payment_intent.created")
		// The advance request starts the clock; what falls due is Stripe's
		// automatic handling.
		s.automatic(t, "test_helpers.test_clock.advancing")
		s.at(t, trialEnd.AddDate(0, 0, -3), "customer.subscription.trial_will_end")
		s.at(t, trialEnd, "invoice.created", "customer.subscription.updated")
		s.at(t, trialEnd.Add(time.Hour), "invoice.finalized", "payment_intent.created", "charge.succeeded", "invoice.paid")

		up := s.one(t, "customer.subscription.updated")
		if up.Data.Object["status"] != "active" || up.Data.PreviousAttributes["status"] != "trialing" {
			t.Errorf("customer.subscription.updated: %v, previously %v; want active, previously trialing", up.Data.Object["status"], up.Data.PreviousAttributes["status"])
		}
		draft := decode[stripe.Invoice](t, s.one(t, "invoice.created"))
		// LEARN10 applies from the first paid invoice: £10 less 10%.
		if draft.Status != stripe.InvoiceStatusDraft || draft.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle ||
			draft.Subtotal != 1000 || draft.Total != 900 || draft.AmountDue != 900 || len(draft.TotalDiscountAmounts) != 1 || draft.TotalDiscountAmounts[0].Amount != 100 {
			t.Errorf("invoice.created: %s %s subtotal %d total %d due %d", draft.Status, draft.BillingReason, draft.Subtotal, draft.Total, draft.AmountDue)
		}
		// The invoice looks back on the trial; its line bills the first month.
		if draft.PeriodStart != t0.Unix() || draft.PeriodEnd != trialEnd.Unix() ||
			draft.Lines.Data[0].Period.Start != trialEnd.Unix() || draft.Lines.Data[0].Period.End != trialEnd.AddDate(0, 1, 0).Unix() {
			t.Errorf("invoice periods: %d–%d, line %d–%d", draft.PeriodStart, draft.PeriodEnd, draft.Lines.Data[0].Period.Start, draft.Lines.Data[0].Period.End)
		}
		pi := checkPaid(t, s, draft.ID, 900)
		if pi.PaymentMethod.ID != pm.ID || pi.Description != "Subscription update" {
			t.Errorf("payment intent: card %v description %q; want the card saved at Checkout", pi.PaymentMethod, pi.Description)
		}
	})
}

// TestFlowRenewal: a monthly subscription renews and its card pays.
func TestFlowRenewal(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
	firstInvoice := e.subscription(sub.ID).LatestInvoice.ID
	periodEnd := t0.AddDate(0, 1, 0)

	f := e.flow()
	e.advance(clk.ID, periodEnd.Add(2*time.Hour))
	s := f.step(t,
		in("test_helpers.test_clock.advancing"),
		// At the period's end: the next period, and its invoice as a draft
		// (How subscriptions work; the subscription webhooks table).
		in("invoice.created", "customer.subscription.updated"),
		// Finalized and charged an hour later (Status transitions and
		// finalization).
		in("invoice.finalized", "payment_intent.created"),
		paymentSucceeded,
		in("test_helpers.test_clock.ready"),
	)
	s.before(t, "invoice.finalized", "payment_intent.created")
	s.automatic(t, "test_helpers.test_clock.advancing")
	s.at(t, periodEnd, "invoice.created", "customer.subscription.updated")
	s.at(t, periodEnd.Add(time.Hour), "invoice.finalized", "payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
		"invoice_payment.paid", "invoice.paid", "invoice.payment_succeeded", "invoice.updated")

	draft := decode[stripe.Invoice](t, s.one(t, "invoice.created"))
	if draft.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle || draft.Status != stripe.InvoiceStatusDraft || draft.AmountDue != 1000 ||
		draft.AutomaticallyFinalizesAt != periodEnd.Add(time.Hour).Unix() {
		t.Errorf("invoice.created: %s %s due %d finalizes %d", draft.BillingReason, draft.Status, draft.AmountDue, draft.AutomaticallyFinalizesAt)
	}
	// The renewal invoice covers the month that ended; its line the next.
	if draft.PeriodStart != t0.Unix() || draft.PeriodEnd != periodEnd.Unix() || draft.Lines.Data[0].Period.Start != periodEnd.Unix() {
		t.Errorf("renewal periods: %d–%d, line from %d", draft.PeriodStart, draft.PeriodEnd, draft.Lines.Data[0].Period.Start)
	}
	up := s.one(t, "customer.subscription.updated")
	if up.Data.Object["status"] != "active" || up.Data.PreviousAttributes["latest_invoice"] != firstInvoice || up.Data.PreviousAttributes["items"] == nil {
		t.Errorf("customer.subscription.updated: status %v, previous %v", up.Data.Object["status"], up.Data.PreviousAttributes)
	}
	checkPaid(t, s, draft.ID, 1000)
}

// TestFlowRenewalDeclined: the first renewal (at a trial's end) declined by
// 4000 0000 0000 0341, the retries, and the cancellation after the last,
// then the invoice paid later on its hosted page.
func TestFlowRenewalDeclined(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 7}, "4000000000000341")
	trialEnd := t0.AddDate(0, 0, 7)
	failedAt := trialEnd.Add(time.Hour)
	f := e.flow()

	e.advance(clk.ID, failedAt.Add(time.Minute))
	s := f.step(t,
		in("test_helpers.test_clock.advancing"),
		in("customer.subscription.trial_will_end"),
		in("invoice.created", "customer.subscription.updated"),
		in("invoice.finalized", "payment_intent.created"),
		// The decline, and the subscription past_due (Payment failures:
		// invoice.payment_failed, then the subscription's status becomes
		// past_due while Stripe retries).
		join(paymentFailed, in("customer.subscription.updated")),
		in("test_helpers.test_clock.ready"),
	)
	s.automatic(t, "test_helpers.test_clock.advancing")
	s.at(t, failedAt, "invoice.finalized", "charge.failed", "invoice.payment_failed")
	inv := decode[stripe.Invoice](t, s.one(t, "invoice.payment_failed"))
	if inv.Status != stripe.InvoiceStatusOpen || inv.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle || inv.AmountDue != 1000 ||
		inv.AmountPaid != 0 || inv.AttemptCount != 1 || inv.NextPaymentAttempt != failedAt.AddDate(0, 0, 3).Unix() {
		t.Errorf("invoice.payment_failed: %s %s due %d paid %d attempts %d next %d", inv.Status, inv.BillingReason, inv.AmountDue, inv.AmountPaid, inv.AttemptCount, inv.NextPaymentAttempt)
	}
	// The PaymentIntent goes back to requires_payment_method with the
	// decline (the PaymentIntent lifecycle); the charge says why.
	pi := decode[stripe.PaymentIntent](t, s.one(t, "payment_intent.payment_failed"))
	ch := decode[stripe.Charge](t, s.one(t, "charge.failed"))
	if pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || pi.LastPaymentError == nil ||
		pi.LastPaymentError.DeclineCode != stripe.DeclineCodeGenericDecline || pi.LastPaymentError.ChargeID != ch.ID {
		t.Errorf("payment_intent.payment_failed: %s %+v", pi.Status, pi.LastPaymentError)
	}
	if ch.Status != stripe.ChargeStatusFailed || ch.FailureCode != "card_declined" || ch.Outcome.Reason != "generic_decline" || ch.Amount != 1000 {
		t.Errorf("charge.failed: %s %s %s %d", ch.Status, ch.FailureCode, ch.Outcome.Reason, ch.Amount)
	}
	// invoice.updated says what the attempt changed.
	up := s.one(t, "invoice.updated")
	if up.Data.PreviousAttributes["attempt_count"] != float64(0) || up.Data.PreviousAttributes["next_payment_attempt"] != nil ||
		up.Data.Object["next_payment_attempt"] != float64(failedAt.AddDate(0, 0, 3).Unix()) {
		t.Errorf("invoice.updated: previous %v", up.Data.PreviousAttributes)
	}
	var statuses []string
	for _, ev := range s.all("customer.subscription.updated") {
		statuses = append(statuses, ev.Data.PreviousAttributes["status"].(string)+"→"+ev.Data.Object["status"].(string))
	}
	if !slices.Equal(statuses, []string{"trialing→active", "active→past_due"}) {
		t.Errorf("subscription statuses = %v", statuses)
	}

	// Stripe retries on the account's schedule (here the sandbox's
	// default: 3, 5 and 7 days after the first failure), each attempt
	// confirming the same PaymentIntent again.
	for i, days := range []int{3, 5} {
		e.advance(clk.ID, failedAt.AddDate(0, 0, days).Add(time.Minute))
		s := f.step(t, in("test_helpers.test_clock.advancing"), paymentFailed, in("test_helpers.test_clock.ready"))
		s.automatic(t, "test_helpers.test_clock.advancing")
		s.at(t, failedAt.AddDate(0, 0, days), paymentFailed...)
		inv := decode[stripe.Invoice](t, s.one(t, "invoice.payment_failed"))
		next := failedAt.AddDate(0, 0, []int{5, 7}[i]).Unix()
		if inv.AttemptCount != int64(i+2) || inv.NextPaymentAttempt != next || inv.Status != stripe.InvoiceStatusOpen {
			t.Errorf("retry %d: attempts %d next %d %s", i+1, inv.AttemptCount, inv.NextPaymentAttempt, inv.Status)
		}
		if again := decode[stripe.PaymentIntent](t, s.one(t, "payment_intent.payment_failed")); again.ID != pi.ID {
			t.Errorf("retry %d used PaymentIntent %s, want %s", i+1, again.ID, pi.ID)
		}
	}

	// The last retry fails: with the account set to cancel then (How
	// subscriptions work), the subscription ends, and canceling stops
	// collecting the open invoice ("By default, upon subscription
	// cancellation, Stripe stops automatic collection of all finalized
	// invoices for the customer": https://docs.stripe.com/api/subscriptions/cancel).
	e.advance(clk.ID, failedAt.AddDate(0, 0, 7).Add(time.Minute))
	s = f.step(t,
		in("test_helpers.test_clock.advancing"),
		join(paymentFailed, in("customer.subscription.deleted", "invoice.updated", "entitlements.active_entitlement_summary.updated")),
		in("test_helpers.test_clock.ready"),
	)
	s.automatic(t, "test_helpers.test_clock.advancing")
	s.before(t, "invoice.payment_failed", "customer.subscription.deleted")
	deleted := decode[stripe.Subscription](t, s.one(t, "customer.subscription.deleted"))
	if deleted.ID != sub.ID || deleted.Status != stripe.SubscriptionStatusCanceled || deleted.CancellationDetails.Reason != "payment_failed" ||
		deleted.EndedAt != failedAt.AddDate(0, 0, 7).Unix() {
		t.Errorf("customer.subscription.deleted: %s (%s) ended %d", deleted.Status, deleted.CancellationDetails.Reason, deleted.EndedAt)
	}
	last := decode[stripe.Invoice](t, s.one(t, "invoice.payment_failed"))
	if last.AttemptCount != 4 || last.NextPaymentAttempt != 0 {
		t.Errorf("last attempt: attempts %d next %d, want 4 and none", last.AttemptCount, last.NextPaymentAttempt)
	}
	updates := s.all("invoice.updated")
	stopped := updates[len(updates)-1]
	if stopped.Data.Object["auto_advance"] != false || stopped.Data.PreviousAttributes["auto_advance"] != true || stopped.Data.Object["status"] != "open" {
		t.Errorf("invoice.updated after the cancellation: %v, previous %v", stopped.Data.Object["auto_advance"], stopped.Data.PreviousAttributes)
	}
	ents := decode[stripe.EntitlementsActiveEntitlementSummary](t, s.one(t, "entitlements.active_entitlement_summary.updated"))
	if ents.Entitlements == nil || len(ents.Entitlements.Data) != 0 {
		t.Errorf("entitlements after the cancellation: %+v", ents.Entitlements)
	}

	t.Run("PaidLater", func(t *testing.T) {
		// The open invoice can still be paid, here on its hosted page (not
		// an API request: every event is automatic). The canceled
		// subscription stays canceled.
		if status, body, _ := e.post(last.HostedInvoiceURL, url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}); status != http.StatusSeeOther {
			t.Fatalf("pay: %d\n%s", status, body)
		}
		s := f.step(t, paymentSucceeded)
		s.automatic(t)
		if got := checkPaid(t, s, last.ID, 1000); got.ID != pi.ID {
			t.Errorf("paid on PaymentIntent %s, want the invoice's %s", got.ID, pi.ID)
		}
		if got := e.subscription(sub.ID); got.Status != stripe.SubscriptionStatusCanceled {
			t.Errorf("subscription %s after paying, want canceled", got.Status)
		}
	})
}

// TestFlowPayOpenInvoice: a past_due subscription's customer updates the
// card in the portal, and the app pays the open invoice at once through
// the API (POST /v1/invoices/{id}/pay: invoice.paid, Status transitions and
// finalization) instead of waiting for the next retry.
func TestFlowPayOpenInvoice(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	_, cust, subID, _ := failingRenewal(t, e)
	inv := e.subscription(subID).LatestInvoice
	portal := e.portal(cust)
	e.act(portal, url.Values{"action": {"update_card"}, "card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})

	f := e.flow()
	p := &stripe.InvoicePayParams{}
	p.SetIdempotencyKey("pay-" + inv.ID)
	paid := must(e.sc.V1Invoices.Pay(ctx, inv.ID, p))(t)
	if paid.Status != stripe.InvoiceStatusPaid || paid.AttemptCount != 2 || paid.AmountPaid != 1000 {
		t.Fatalf("pay: %s attempts %d paid %d", paid.Status, paid.AttemptCount, paid.AmountPaid)
	}
	// The payment, and the subscription active again (How subscriptions
	// work: a paid invoice makes a past_due subscription active).
	s := f.step(t, join(paymentSucceeded, in("customer.subscription.updated")))
	pi := checkPaid(t, s, inv.ID, 1000)
	up := s.one(t, "customer.subscription.updated")
	if up.Data.Object["status"] != "active" || up.Data.PreviousAttributes["status"] != "past_due" {
		t.Errorf("customer.subscription.updated: %v, previously %v", up.Data.Object["status"], up.Data.PreviousAttributes["status"])
	}
	// Every event came from the pay request (event.request).
	for _, ev := range s {
		if ev.Request == nil || ev.Request.ID != paid.LastResponse.RequestID || ev.Request.IdempotencyKey != "pay-"+inv.ID {
			t.Errorf("%s request = %+v, want %s and pay-%s", ev.Type, ev.Request, paid.LastResponse.RequestID, inv.ID)
		}
	}
	// The new card paid, on the PaymentIntent of the failed renewal.
	chs := collect(t, e.sc.V1Charges.List(ctx, &stripe.ChargeListParams{PaymentIntent: stripe.String(pi.ID)}))
	if len(chs) != 2 || chs[0].Status != stripe.ChargeStatusSucceeded || chs[1].Status != stripe.ChargeStatusFailed ||
		chs[0].PaymentMethodDetails.Card.Last4 != "4242" || chs[1].PaymentMethodDetails.Card.Last4 != "0341" {
		t.Errorf("charges on the PaymentIntent: %d", len(chs))
	}
}
