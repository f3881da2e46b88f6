package billing_test

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func TestWhy(t *testing.T) {
	e := newEnv(t, options{})
	u := e.user("ada@example.com")
	gate := billing.Gate{Store: e.db}
	e.subscribe(u, billing.Monthly, true, "4242424242424242", "")
	sub := e.onlySubscription(u)
	why, notice, err := gate.Why(e.ctx, u, tollgate.FeatureTestAccess)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(why, "Granted ") || !strings.Contains(why, "when subscription "+sub.StripeID+" was trialing") || !strings.HasSuffix(why, "Tollgate learnt it from the Checkout success page.") || notice != "" {
		t.Errorf("Why() = %q, %q; want granted with the trialing subscription, from the success page, and no notice", why, notice)
	}
	if a := e.access(u); len(a.Why) != 2 || a.Why[0].Key != tollgate.FeatureTestAccess || a.Why[0].Text != why {
		t.Errorf("Access().Why = %+v, want both features with the same reason", a.Why)
	}

	e.portal(u, "cancel")
	if err := e.billing.Sync(e.ctx, sub.CustomerID); err != nil { // this env has no webhook
		t.Fatal(err)
	}
	if _, err := e.billing.MoveClock(e.ctx, u, billing.MovePeriodEnd); err != nil {
		t.Fatal(err)
	}
	err = gate.RequireFeature(e.ctx, u, tollgate.FeatureTestAccess)
	if msg := tollgate.ErrorMessage(err); tollgate.ErrorCode(err) != tollgate.EFORBIDDEN || !strings.Contains(msg, "Removed ") ||
		!strings.Contains(msg, "when subscription "+sub.StripeID+" was canceled") || !strings.Contains(msg, "learnt it from moving the test clock") {
		t.Errorf("locked Premium says %q, want when and why test-access went", msg)
	}

	t.Run("PastDue", func(t *testing.T) {
		u := e.user("linus@example.com")
		e.subscribe(u, billing.Monthly, true, "4000000000000341", "")
		if _, err := e.billing.MoveClock(e.ctx, u, billing.MoveTrialEnd); err != nil {
			t.Fatal(err)
		}
		_, notice, err := gate.Why(e.ctx, u, tollgate.FeatureTestAccess)
		next := e.onlySubscription(u).NextPaymentAttempt.UTC().Format("2 Jan 2006, 15:04 UTC")
		if err != nil || !strings.Contains(notice, "access continues while Stripe retries") || !strings.Contains(notice, next) {
			t.Errorf("notice = %q, %v; want access continuing until the retries end, naming the next attempt %s", notice, err, next)
		}
		if a := e.access(u); a.Notice != notice {
			t.Errorf("Access().Notice = %q, want %q", a.Notice, notice)
		}
	})
}
