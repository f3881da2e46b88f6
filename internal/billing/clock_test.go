package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// move returns the clock move id among v's moves.
func move(t *testing.T, v billing.ClockView, id string) billing.ClockMove {
	t.Helper()
	for _, m := range v.Moves {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no move %s in %+v", id, v.Moves)
	return billing.ClockMove{}
}

func TestClockMoves(t *testing.T) {
	e := newEnv(t, options{})
	u := e.user("ada@example.com")
	e.subscribe(u, billing.Monthly, true, "4242424242424242", "")
	v, err := e.billing.Clock(e.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	sub := e.onlySubscription(u)
	if v.ID == "" || v.Now.IsZero() {
		t.Fatalf("clock = %+v", v)
	}
	if m := move(t, v, billing.MoveTrialEnd); m.Why != "" || !m.To.Equal(sub.TrialEnd.Add(time.Hour+time.Minute)) {
		t.Errorf("trial end move = %+v, want just after the first charge, an hour after %v", m, sub.TrialEnd)
	}
	for id, why := range map[string]string{billing.MoveRetry: "No failed payment", billing.MovePeriodEnd: "No cancellation", billing.MoveYear: "two months for a monthly plan"} {
		if m := move(t, v, id); !strings.Contains(m.Why, why) {
			t.Errorf("%s = %+v, want it greyed: %q", id, m, why)
		}
	}

	t.Run("ToTheTrialsEnd", func(t *testing.T) {
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MoveTrialEnd); err != nil {
			t.Fatal(err)
		}
		if s := e.onlySubscription(u); s.Status != tollgate.StatusActive || e.invoiceStatus(s.LatestInvoiceID) != "paid" {
			t.Errorf("after the trial's end: %s with invoice %s, want active and its first invoice paid", s.Status, e.invoiceStatus(s.LatestInvoiceID))
		}
	})

	t.Run("ToTheNextRenewal", func(t *testing.T) {
		before := e.onlySubscription(u)
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MoveRenewal); err != nil {
			t.Fatal(err)
		}
		after := e.onlySubscription(u)
		if after.Status != tollgate.StatusActive || !after.CurrentPeriodEnd.After(before.CurrentPeriodEnd) || after.LatestInvoiceID == before.LatestInvoiceID || e.invoiceStatus(after.LatestInvoiceID) != "paid" {
			t.Errorf("after the renewal: %+v, want a new period with its invoice paid", after)
		}
	})

	t.Run("PastThePeriodEnd", func(t *testing.T) {
		e.portal(u, "cancel")
		if err := e.billing.Sync(e.ctx, e.onlySubscription(u).CustomerID); err != nil { // this env has no webhook
			t.Fatal(err)
		}
		v, _ := e.billing.Clock(e.ctx, u)
		if m := move(t, v, billing.MoveRenewal); !strings.Contains(m.Why, "canceled at its period end") {
			t.Errorf("renewal move while canceling = %+v, want greyed", m)
		}
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MovePeriodEnd); err != nil {
			t.Fatal(err)
		}
		if s := e.onlySubscription(u); s.Status != tollgate.StatusCanceled {
			t.Errorf("past the period end: %s, want canceled", s.Status)
		}
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MoveRetry); tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), "No subscription is running") {
			t.Errorf("a move with nothing to move to: %v, want its reason", err)
		}
	})

	t.Run("ToTheNextRetry", func(t *testing.T) {
		u := e.user("linus@example.com")
		e.subscribe(u, billing.Monthly, true, "4000000000000341", "")
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MoveTrialEnd); err != nil {
			t.Fatal(err)
		}
		first := e.onlySubscription(u)
		if first.Status != tollgate.StatusPastDue || first.NextPaymentAttempt.IsZero() {
			t.Fatalf("after the first failed charge: %+v, want past_due with a retry", first)
		}
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MoveRetry); err != nil {
			t.Fatal(err)
		}
		if next := e.onlySubscription(u); !next.NextPaymentAttempt.After(first.NextPaymentAttempt) {
			t.Errorf("after the retry the next attempt is %v, want later than %v: the retry ran and failed", next.NextPaymentAttempt, first.NextPaymentAttempt)
		}
	})
}

// invoiceStatus asks Stripe (the sandbox) for an invoice's status.
func (e *env) invoiceStatus(id string) string {
	e.t.Helper()
	in, err := e.stripe.V1Invoices.Retrieve(e.ctx, id, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(in.Status)
}
