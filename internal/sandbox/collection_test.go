package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// TestCollectionAfterCancel covers what canceling a subscription does to its
// customer's open invoices. The API reference (Cancel a subscription): "By
// default, upon subscription cancellation, Stripe stops automatic collection
// of all finalized invoices for the customer. This is intended to prevent
// unexpected payment attempts after the customer has canceled a
// subscription." (https://docs.stripe.com/api/subscriptions/cancel)
// So an invoice left open by a failed dunning gets auto_advance false and no
// next_payment_attempt, stays open, and can still be paid by hand.
func TestCollectionAfterCancel(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()

	t.Run("LastRetryFailed", func(t *testing.T) {
		clk, _, subID, failedAt := failingRenewal(t, e)
		for _, days := range []int{3, 5, 7} {
			e.advance(clk, failedAt.AddDate(0, 0, days).Add(time.Minute))
		}
		sub := e.subscription(subID)
		inv := sub.LatestInvoice
		if sub.Status != stripe.SubscriptionStatusCanceled || sub.CancellationDetails.Reason != "payment_failed" {
			t.Fatalf("after the last retry: %s (%s)", sub.Status, sub.CancellationDetails.Reason)
		}
		if inv.Status != stripe.InvoiceStatusOpen || inv.AutoAdvance || inv.NextPaymentAttempt != 0 || inv.AttemptCount != 4 {
			t.Fatalf("invoice %s auto_advance %v next_payment_attempt %d attempts %d, want open, false, none, 4",
				inv.Status, inv.AutoAdvance, inv.NextPaymentAttempt, inv.AttemptCount)
		}
		// The change came as invoice.updated, saying auto_advance was true.
		evs := collect(t, e.sc.V1Events.List(ctx, &stripe.EventListParams{Type: stripe.String("invoice.updated")}))
		if len(evs) == 0 || evs[0].Data.Object["id"] != inv.ID || evs[0].Data.PreviousAttributes["auto_advance"] != true ||
			evs[0].Data.Object["auto_advance"] != false {
			t.Fatalf("last invoice.updated = %+v", evs[0].Data)
		}

		// Nothing is retried any more, however far the clock moves.
		failures := count(e.eventTypes(), "invoice.payment_failed")
		e.advance(clk, failedAt.AddDate(0, 1, 0))
		e.advance(clk, failedAt.AddDate(0, 2, 0))
		if got := e.subscription(subID).LatestInvoice; got.AttemptCount != 4 || count(e.eventTypes(), "invoice.payment_failed") != failures {
			t.Fatalf("after two more months: %d attempts, %d more failures", got.AttemptCount, count(e.eventTypes(), "invoice.payment_failed")-failures)
		}

		// Paying by hand still works; the subscription stays canceled.
		if status, body, _ := e.post(inv.HostedInvoiceURL, url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}); status != http.StatusSeeOther {
			t.Fatalf("pay on the hosted page: %d\n%s", status, body)
		}
		if got := e.subscription(subID); got.LatestInvoice.Status != stripe.InvoiceStatusPaid || got.Status != stripe.SubscriptionStatusCanceled {
			t.Fatalf("after paying: invoice %s, subscription %s", got.LatestInvoice.Status, got.Status)
		}
	})

	t.Run("CanceledWhilePastDue", func(t *testing.T) {
		e := MustStart(t)
		clk, _, subID, failedAt := failingRenewal(t, e)
		must(e.sc.V1Subscriptions.Cancel(ctx, subID, nil))(t)
		inv := e.subscription(subID).LatestInvoice
		if inv.Status != stripe.InvoiceStatusOpen || inv.AutoAdvance || inv.NextPaymentAttempt != 0 {
			t.Fatalf("invoice after cancel: %s auto_advance %v next %d", inv.Status, inv.AutoAdvance, inv.NextPaymentAttempt)
		}
		e.advance(clk, failedAt.AddDate(0, 0, 8))
		if got := e.subscription(subID).LatestInvoice; got.AttemptCount != 1 {
			t.Fatalf("%d attempts after the cancel, want the first only", got.AttemptCount)
		}
	})
}
