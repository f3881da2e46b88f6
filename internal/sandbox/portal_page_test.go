package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// cancelFeatures is a portal that cancels at period end (or at once) and,
// with reasons, asks why from those options.
func cancelFeatures(mode string, reasons ...string) *stripe.BillingPortalConfigurationCreateFeaturesParams {
	sc := &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String(mode)}
	if reasons != nil {
		sc.CancellationReason = &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelCancellationReasonParams{
			Enabled: stripe.Bool(true), Options: stripe.StringSlice(reasons)}
	}
	return &stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionCancel: sc}
}

// TestPortalCancellationReason covers canceling in the portal as Stripe's
// does it with features.subscription_cancel.cancellation_reason enabled:
// a confirmation step, the cancellation, then the question why (the
// configured options in Stripe's order, a comment with "Other reason"),
// whose answer lands in the subscription's cancellation_details.
func TestPortalCancellationReason(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	_, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
	cfg, portal := e.portalWith(cu.ID, cancelFeatures("at_period_end", "other", "unused", "too_expensive"))
	if r := cfg.Features.SubscriptionCancel.CancellationReason; r == nil || !r.Enabled || len(r.Options) != 3 {
		t.Fatalf("cancellation_reason = %+v", r)
	}
	details := func() *stripe.SubscriptionCancellationDetails {
		t.Helper()
		return e.subscription(sub.ID).CancellationDetails
	}

	status, page := e.get(portal + "?cancel=" + sub.ID)
	if status != http.StatusOK {
		t.Fatalf("confirmation step: %d\n%s", status, page)
	}
	wantPage(t, "confirmation step", page, "Cancel your subscription?", "You keep access until 1 Feb 2025.")

	status, body, hdr := e.post(portal, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
	if want := "?reason=" + sub.ID; status != http.StatusSeeOther || !strings.HasSuffix(hdr.Get("Location"), want) {
		t.Fatalf("confirm: %d to %q, want 303 to the question (%s)\n%s", status, hdr.Get("Location"), want, body)
	}
	// Canceled now, whatever the answer: reason cancellation_requested, no feedback yet.
	if d := details(); d.Reason != stripe.SubscriptionCancellationDetailsReasonCancellationRequested || d.Feedback != "" || d.Comment != "" {
		t.Fatalf("cancellation_details after confirming = %+v", d)
	}
	question := portal + "?reason=" + sub.ID
	_, page = e.get(question)
	wantPage(t, "the question", page, "Why are you canceling?", "Your subscription will end on 1 Feb 2025.",
		`value="too_expensive"`, "It's too expensive", `value="unused"`, "I no longer need it", `value="other"`, "Other reason",
		"Tell us more (optional)", "Skip")
	if i, j, k := strings.Index(page, "too_expensive"), strings.Index(page, `"unused"`), strings.Index(page, `"other"`); !(i < j && j < k) {
		t.Fatalf("reasons not in Stripe's order:\n%s", page)
	}
	if strings.Contains(page, "missing_features") {
		t.Fatalf("a reason the configuration does not offer:\n%s", page)
	}

	answer := func(reason, comment string) (int, string) {
		t.Helper()
		status, body, hdr := e.post(portal, url.Values{"action": {"cancellation_reason"}, "subscription": {sub.ID}, "reason": {reason}, "comment": {comment}})
		if status == http.StatusSeeOther {
			if hdr.Get("Location") != strings.TrimPrefix(portal, e.srv.URL()) {
				t.Fatalf("after the answer: to %q, want the portal's home", hdr.Get("Location"))
			}
			_, body = e.get(portal)
		}
		return status, body
	}
	for _, reason := range []string{"", "missing_features", "nonsense"} {
		status, page := answer(reason, "")
		if status != http.StatusBadRequest || !strings.Contains(page, "Choose one of the reasons") || !strings.Contains(page, "Why are you canceling?") {
			t.Fatalf("reason %q: %d\n%s", reason, status, page)
		}
	}

	// A comment goes with "Other reason" only, as in Stripe's portal.
	if _, page := answer("too_expensive", "ignored"); !strings.Contains(page, "Thank you for telling us why.") || !strings.Contains(page, "Cancels on 1 Feb 2025") {
		t.Fatalf("after the answer:\n%s", page)
	}
	if d := details(); d.Feedback != stripe.SubscriptionCancellationDetailsFeedbackTooExpensive || d.Comment != "" || d.Reason != "cancellation_requested" {
		t.Fatalf("cancellation_details = %+v", d)
	}
	answer("other", "  Moving to the team plan  ")
	if d := details(); d.Feedback != stripe.SubscriptionCancellationDetailsFeedbackOther || d.Comment != "Moving to the team plan" || d.Reason != "cancellation_requested" {
		t.Fatalf("cancellation_details = %+v", d)
	}
	// The answer reaches the app as customer.subscription.updated, with what it replaced.
	ev := e.latestUpdate()
	if prev, ok := ev.Data.PreviousAttributes["cancellation_details"].(map[string]any); !ok || prev["feedback"] != "too_expensive" {
		t.Fatalf("previous_attributes = %v", ev.Data.PreviousAttributes)
	}
	if status, page := answer("other", strings.Repeat("x", 5001)); status != http.StatusBadRequest || !strings.Contains(page, "under 5000 characters") {
		t.Fatalf("a long comment: %d\n%s", status, page)
	}

	t.Run("RenewForgetsTheAnswer", func(t *testing.T) {
		e.act(portal, url.Values{"action": {"renew"}, "subscription": {sub.ID}})
		if d := details(); d.Reason != "" || d.Feedback != "" || d.Comment != "" {
			t.Fatalf("cancellation_details after renew = %+v", d)
		}
		if status, page := e.get(question); status != http.StatusBadRequest || !strings.Contains(page, "not being canceled") {
			t.Fatalf("the question for a renewed subscription: %d\n%s", status, page)
		}
	})

	t.Run("WithoutReasons", func(t *testing.T) {
		_, portal := e.portalWith(cu.ID, cancelFeatures("at_period_end"))
		status, _, hdr := e.post(portal, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		if status != http.StatusSeeOther || strings.Contains(hdr.Get("Location"), "reason") {
			t.Fatalf("cancel without reasons: %d to %q, want the portal's home", status, hdr.Get("Location"))
		}
		if status, page := e.get(portal + "?reason=" + sub.ID); status != http.StatusBadRequest || !strings.Contains(page, "does not ask") {
			t.Fatalf("the question when not configured: %d\n%s", status, page)
		}
		e.act(portal, url.Values{"action": {"renew"}, "subscription": {sub.ID}})
	})

	t.Run("Immediately", func(t *testing.T) {
		_, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		_, portal := e.portalWith(cu.ID, cancelFeatures("immediately", "switched_service", "other"))
		_, page := e.get(portal + "?cancel=" + sub.ID)
		wantPage(t, "confirmation step", page, "Your subscription ends now, and you lose access today.")
		status, _, hdr := e.post(portal, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		if status != http.StatusSeeOther || !strings.HasSuffix(hdr.Get("Location"), "?reason="+sub.ID) {
			t.Fatalf("cancel: %d to %q", status, hdr.Get("Location"))
		}
		if status, body, _ := e.post(portal, url.Values{"action": {"cancellation_reason"}, "subscription": {sub.ID}, "reason": {"switched_service"}}); status != http.StatusSeeOther {
			t.Fatalf("answer: %d\n%s", status, body)
		}
		got := e.subscription(sub.ID)
		if got.Status != stripe.SubscriptionStatusCanceled || got.CancellationDetails.Feedback != "switched_service" || got.CancellationDetails.Reason != "cancellation_requested" {
			t.Fatalf("after an immediate cancel and its answer: %s %+v", got.Status, got.CancellationDetails)
		}
	})

	t.Run("ErrOtherCustomer", func(t *testing.T) {
		_, other := e.clockCustomer()
		_, portal := e.portalWith(other.ID, cancelFeatures("at_period_end", "other"))
		if status, page := e.get(portal + "?cancel=" + sub.ID); status != http.StatusBadRequest || !strings.Contains(page, "Choose one of your subscriptions") {
			t.Fatalf("another customer's subscription: %d\n%s", status, page)
		}
	})
}

// TestPortalDiscountedPrices covers prices in the portal under a running
// discount: beside the list price, what the subscription costs with it
// (and until when, for a repeating coupon), also on a switch to the other
// plan for a forever coupon; once the discount is over, the list price alone.
func TestPortalDiscountedPrices(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	coupons := map[string]*stripe.CouponCreateParams{
		"LEARN10": {PercentOff: stripe.Float64(10), Duration: stripe.String("forever")},
		"THREE":   {PercentOff: stripe.Float64(10), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(3)},
		"ONCE":    {AmountOff: stripe.Int64(250), Currency: stripe.String("usd"), Duration: stripe.String("once")},
	}
	for code, p := range coupons {
		cp := must(e.sc.V1Coupons.Create(ctx, p))(t)
		must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String(code)}))(t)
	}
	features := switchFeatures(c, "always_invoice")
	// subscribe buys the monthly price with code and opens the portal.
	subscribe := func(t *testing.T, code string, trialDays int64) (*stripe.TestHelpersTestClock, string) {
		t.Helper()
		clk, cu := e.clockCustomer()
		cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: trialDays, allowPromo: true})
		if status, body, _ := e.pay(cs.URL, "4242424242424242", code); status != http.StatusSeeOther {
			t.Fatalf("pay: %d\n%s", status, body)
		}
		_, portal := e.portalWith(cu.ID, features)
		return clk, portal
	}
	text := func(portal string) string {
		t.Helper()
		_, page := e.get(portal)
		return strings.Join(strings.Fields(stripTags(page)), " ")
	}

	t.Run("Forever", func(t *testing.T) {
		_, portal := subscribe(t, "LEARN10", 0)
		page := text(portal)
		wantPage(t, "portal", page, "Tollgate Pro — $10.00 per month $9.00 per month with LEARN10",
			"Switch to yearly $100.00 per year · $90.00 per year with LEARN10")
		// The cancel confirmation shows it the same way (its only subscription, unnamed).
		_, confirm := e.get(portal + "?cancel=")
		wantPage(t, "cancel confirmation", strings.Join(strings.Fields(stripTags(confirm)), " "), "Tollgate Pro — $10.00 per month $9.00 per month with LEARN10")
	})
	t.Run("Repeating", func(t *testing.T) {
		clk, portal := subscribe(t, "THREE", 0)
		wantPage(t, "portal", text(portal), "$10.00 per month $9.00 per month with THREE until 1 Apr 2025")
		if strings.Contains(text(portal), "$90.00 per year") {
			t.Fatalf("a repeating discount priced on the yearly switch:\n%s", text(portal))
		}
		e.advance(clk.ID, t0.AddDate(0, 2, 0))
		e.advance(clk.ID, t0.AddDate(0, 3, 1))
		if page := text(portal); strings.Contains(page, "with THREE") || !strings.Contains(page, "$10.00 per month") {
			t.Fatalf("after the discount ended:\n%s", page)
		}
	})
	t.Run("OnceAfterTrial", func(t *testing.T) {
		clk, portal := subscribe(t, "ONCE", 7)
		wantPage(t, "portal", text(portal), "$10.00 per month $7.50 for the next payment with ONCE")
		e.advance(clk.ID, t0.AddDate(0, 0, 8))
		if page := text(portal); strings.Contains(page, "with ONCE") {
			t.Fatalf("after the discounted payment:\n%s", page)
		}
	})
	t.Run("NoDiscount", func(t *testing.T) {
		_, portal := subscribe(t, "", 0)
		if page := text(portal); strings.Contains(page, " with ") || !strings.Contains(page, "Tollgate Pro — $10.00 per month Status") {
			t.Fatalf("without a discount:\n%s", page)
		}
	})
}
