package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// TestInvoicePeriods covers where a subscription invoice's periods live.
// The API reference says of invoice.period_start and period_end: "This
// looks back one period for a subscription invoice. Use the line item
// period to get the service period for each price."
// (https://docs.stripe.com/api/invoices/object#invoice_object-period_start)
// So the first invoice looks back on nothing (start == end, its creation),
// a renewal on the period that just ended, and each line carries the period
// it bills.
func TestInvoicePeriods(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()

	t.Run("Paid", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		month1, month2 := t0.AddDate(0, 1, 0), t0.AddDate(0, 2, 0)

		first := e.subscription(sub.ID).LatestInvoice
		if first.PeriodStart != t0.Unix() || first.PeriodEnd != t0.Unix() {
			t.Errorf("first invoice period = %d–%d, want both %d (its creation)", first.PeriodStart, first.PeriodEnd, t0.Unix())
		}
		if l := first.Lines.Data[0]; l.Period.Start != t0.Unix() || l.Period.End != month1.Unix() {
			t.Errorf("first invoice line period = %d–%d, want the first month %d–%d", l.Period.Start, l.Period.End, t0.Unix(), month1.Unix())
		}

		e.advance(clk.ID, month1.Add(2*time.Hour))
		renewal := e.subscription(sub.ID).LatestInvoice
		if renewal.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle || renewal.PeriodStart != t0.Unix() || renewal.PeriodEnd != month1.Unix() {
			t.Errorf("renewal %s period = %d–%d, want the month that ended %d–%d", renewal.BillingReason, renewal.PeriodStart, renewal.PeriodEnd, t0.Unix(), month1.Unix())
		}
		if l := renewal.Lines.Data[0]; l.Period.Start != month1.Unix() || l.Period.End != month2.Unix() {
			t.Errorf("renewal line period = %d–%d, want the month it bills %d–%d", l.Period.Start, l.Period.End, month1.Unix(), month2.Unix())
		}
		// The subscription item's period is the service period too.
		if it := e.subscription(sub.ID).Items.Data[0]; it.CurrentPeriodStart != month1.Unix() || it.CurrentPeriodEnd != month2.Unix() {
			t.Errorf("item period = %d–%d", it.CurrentPeriodStart, it.CurrentPeriodEnd)
		}
		invs := collect(t, e.sc.V1Invoices.List(ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}))
		if len(invs) != 2 {
			t.Fatalf("%d invoices, want 2", len(invs))
		}
	})

	t.Run("Trial", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 7}, "4242424242424242")
		trialEnd := t0.AddDate(0, 0, 7)

		first := e.subscription(sub.ID).LatestInvoice
		if first.PeriodStart != t0.Unix() || first.PeriodEnd != t0.Unix() || first.Total != 0 {
			t.Errorf("trial invoice period = %d–%d total %d, want %d–%d and 0", first.PeriodStart, first.PeriodEnd, first.Total, t0.Unix(), t0.Unix())
		}
		if l := first.Lines.Data[0]; l.Period.Start != t0.Unix() || l.Period.End != trialEnd.Unix() || l.Amount != 0 {
			t.Errorf("trial line period = %d–%d amount %d, want the trial %d–%d at 0", l.Period.Start, l.Period.End, l.Amount, t0.Unix(), trialEnd.Unix())
		}

		e.advance(clk.ID, trialEnd.Add(2*time.Hour))
		after := e.subscription(sub.ID).LatestInvoice
		if after.PeriodStart != t0.Unix() || after.PeriodEnd != trialEnd.Unix() {
			t.Errorf("trial-end invoice period = %d–%d, want the trial that ended %d–%d", after.PeriodStart, after.PeriodEnd, t0.Unix(), trialEnd.Unix())
		}
		if l := after.Lines.Data[0]; l.Period.Start != trialEnd.Unix() || l.Period.End != trialEnd.AddDate(0, 1, 0).Unix() || l.Amount != 1000 {
			t.Errorf("trial-end line period = %d–%d amount %d", l.Period.Start, l.Period.End, l.Amount)
		}
	})
}
