package billing_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// TestPortalConfiguration covers the configuration Bootstrap makes: it lets
// a subscriber switch between the monthly and yearly prices and asks one who
// cancels why (every reason Stripe offers), and one made by an earlier
// Tollgate without those is updated in place, not duplicated.
func TestPortalConfiguration(t *testing.T) {
	wantSwitching := func(t *testing.T, e *env, id string, cat billing.Catalog) *stripe.BillingPortalConfiguration {
		t.Helper()
		c, err := e.stripe.V1BillingPortalConfigurations.Retrieve(e.ctx, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		su := c.Features.SubscriptionUpdate
		if !su.Enabled || su.ProrationBehavior != billing.PortalProration || len(su.DefaultAllowedUpdates) != 1 || su.DefaultAllowedUpdates[0] != "price" ||
			len(su.Products) != 1 || su.Products[0].Product != cat.ProductID || !slices.Equal(su.Products[0].Prices, []string{cat.MonthlyPriceID, cat.YearlyPriceID}) {
			t.Errorf("subscription_update = %+v (products %+v), want switching between %s and %s", su, su.Products, cat.MonthlyPriceID, cat.YearlyPriceID)
		}
		if sc := c.Features.SubscriptionCancel; !sc.Enabled || sc.Mode != "at_period_end" || !c.Features.PaymentMethodUpdate.Enabled || !c.Features.InvoiceHistory.Enabled {
			t.Errorf("features = %+v, want cancel at period end, card update and invoices as before", c.Features)
		}
		if r := c.Features.SubscriptionCancel.CancellationReason; r == nil || !r.Enabled || len(r.Options) != 8 {
			t.Errorf("cancellation_reason = %+v, want every one of Stripe's 8 reasons offered", r)
		}
		return c
	}
	configurations := func(t *testing.T, e *env) (all, tollgates int) {
		t.Helper()
		for c, err := range e.stripe.V1BillingPortalConfigurations.List(e.ctx, &stripe.BillingPortalConfigurationListParams{}) {
			if err != nil {
				t.Fatal(err)
			}
			all++
			if c.Active && c.Metadata["tollgate"] == "demo" {
				tollgates++
			}
		}
		return all, tollgates
	}

	t.Run("New", func(t *testing.T) {
		e := newEnv(t, options{})
		cat, err := e.billing.Bootstrap(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantSwitching(t, e, cat.PortalConfigID, cat)
		if all, ours := configurations(t, e); all != 1 || ours != 1 {
			t.Errorf("%d configurations (%d Tollgate's), want 1", all, ours)
		}
	})

	t.Run("MadeByAnEarlierTollgate", func(t *testing.T) {
		e := newEnv(t, options{})
		cat, err := e.billing.Bootstrap(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// What an earlier Tollgate made, the only active one of the account.
		old, err := e.stripe.V1BillingPortalConfigurations.Create(e.ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				InvoiceHistory:      &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)},
				PaymentMethodUpdate: &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)},
				SubscriptionCancel:  &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end")},
			},
			Metadata: map[string]string{"tollgate": "demo"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.stripe.V1BillingPortalConfigurations.Update(e.ctx, cat.PortalConfigID, &stripe.BillingPortalConfigurationUpdateParams{Active: stripe.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		before, _ := configurations(t, e)

		// The next start of this Tollgate (a new service) finds it and fixes it.
		again, err := e.service(e.sb.URL()).Bootstrap(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again.PortalConfigID != old.ID {
			t.Fatalf("portal configuration %s, want the earlier one, %s, kept", again.PortalConfigID, old.ID)
		}
		wantSwitching(t, e, old.ID, again)
		if all, ours := configurations(t, e); all != before || ours != 1 {
			t.Errorf("%d configurations (%d Tollgate's active), want %d and 1: updated, not duplicated", all, ours, before)
		}
		// Up to date now: a third start changes nothing.
		updated := count(t, e, "billing_portal.configuration.updated")
		if _, err := e.service(e.sb.URL()).Bootstrap(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, e, "billing_portal.configuration.updated"); n != updated {
			t.Errorf("an up-to-date configuration was updated again (%d updates, was %d)", n, updated)
		}
	})
}

// count counts the account's events of a type.
func count(t *testing.T, e *env, typ string) int {
	t.Helper()
	n := 0
	for _, err := range e.stripe.V1Events.List(e.ctx, &stripe.EventListParams{Type: stripe.String(typ)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestLatestInvoice covers what Sync keeps of a subscription's latest
// invoice for the Plans screen: the amounts, LEARN10 by its code with what
// it took off, the status, the hosted page, and the card charged.
func TestLatestInvoice(t *testing.T) {
	e := newEnv(t, options{})
	u := e.user("ada@example.com")
	e.subscribe(u, billing.Monthly, false, "4242424242424242", billing.PromotionCode)
	sub := e.onlySubscription(u)
	inv := sub.LatestInvoice
	if inv.ID != sub.LatestInvoiceID || inv.Status != "paid" || inv.BillingReason != "subscription_create" || inv.Currency != "gbp" ||
		inv.Subtotal != 900 || inv.Total != 810 || inv.AmountDue != 810 || inv.AmountPaid != 810 || inv.AmountRemaining != 0 || inv.Number == "" {
		t.Errorf("latest invoice = %+v", inv)
	}
	if len(inv.Discounts) != 1 || inv.Discounts[0] != (tollgate.InvoiceDiscount{Name: billing.PromotionCode, Amount: 90}) {
		t.Errorf("discounts = %+v, want LEARN10 taking 90 off", inv.Discounts)
	}
	if len(inv.Lines) != 1 || inv.Lines[0].Amount != 900 || inv.Lines[0].Proration || !strings.Contains(inv.Lines[0].Description, "Tollgate Premium") {
		t.Errorf("lines = %+v", inv.Lines)
	}
	if !strings.HasPrefix(inv.HostedURL, e.sb.URL()+"/invoice/") {
		t.Errorf("hosted page = %q", inv.HostedURL)
	}
	if res, err := http.Get(inv.HostedURL); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("hosted page: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if sub.Card != "Visa •••• 4242" || sub.CardID == "" || sub.CardUpdated || sub.FailedCardID != "" {
		t.Errorf("card %q (%s), updated %v, failed %q", sub.Card, sub.CardID, sub.CardUpdated, sub.FailedCardID)
	}
}

// TestSwitchPlan covers switching monthly to yearly the way the Plans
// screen does it: a portal session on the subscription_update flow, the
// switch confirmed on the portal's page, the browser sent back to Tollgate,
// and the webhook bringing the yearly plan and its invoice.
func TestSwitchPlan(t *testing.T) {
	e := newEnv(t, options{webhooks: true})
	u := e.user("ada@example.com")

	t.Run("ErrNoSubscription", func(t *testing.T) {
		if _, err := e.billing.SwitchPlan(e.ctx, u, billing.Yearly); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("err = %v, want not found", err)
		}
	})

	e.subscribe(u, billing.Monthly, false, "4242424242424242", billing.PromotionCode)
	sub := e.onlySubscription(u)

	t.Run("ErrSamePlan", func(t *testing.T) {
		if _, err := e.billing.SwitchPlan(e.ctx, u, billing.Monthly); tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), "already") {
			t.Errorf("err = %v, want invalid: on that plan already", err)
		}
	})

	r, err := e.billing.SwitchPlan(e.ctx, u, billing.Yearly)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Portal {
		t.Errorf("redirect = %+v, want the portal", r)
	}
	res, err := http.Get(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	prices, err := e.billing.Prices(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	yearly := prices[1].ID
	res = postForm(t, r.URL, url.Values{"action": {"update_plan"}, "subscription": {sub.StripeID}, "price": {yearly}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "http://127.0.0.1:9"+tollgate.PortalReturnPath {
		t.Fatalf("confirm answered %d to %q, want 303 back to Tollgate's portal return page", res.StatusCode, loc)
	}

	eventually(t, "the yearly plan from the webhook", func() bool { return e.onlySubscription(u).Interval == "year" })
	sub = e.onlySubscription(u)
	inv := sub.LatestInvoice
	// At once after subscribing, the whole month is unused: −£9.00 credited,
	// £90.00 charged, LEARN10 taking £9.00 off the year only.
	if sub.PriceID != yearly || sub.Status != tollgate.StatusActive || inv.BillingReason != "subscription_update" || inv.Status != "paid" ||
		inv.Total != 7200 || inv.AmountPaid != 7200 || len(inv.Discounts) != 1 || inv.Discounts[0].Amount != 900 {
		t.Errorf("after the switch: %+v, invoice %+v", sub, inv)
	}
	if len(inv.Lines) != 2 || !inv.Lines[0].Proration || inv.Lines[0].Amount != -900 || !strings.HasPrefix(inv.Lines[0].Description, "Unused time on Tollgate Premium") ||
		inv.Lines[1].Proration || inv.Lines[1].Amount != 9000 {
		t.Errorf("lines = %+v", inv.Lines)
	}
	if a := e.access(u); !slices.Equal(a.Local, both) {
		t.Errorf("entitlements after the switch = %v, want both still", a.Local)
	}
}

// TestPastDueCardUpdated covers the banner's cues: a renewal that fails on
// the 0341 card, the card updated in the portal (Tollgate tells the new card
// from the one that failed while Stripe has yet to retry), then the open
// invoice paid on its hosted page, which ends past_due.
func TestPastDueCardUpdated(t *testing.T) {
	e := newEnv(t, options{webhooks: true})
	u := e.user("ada@example.com")
	e.subscribe(u, billing.Monthly, true, "4000000000000341", "")
	if _, err := e.billing.AdvanceClock(e.ctx, u, 8); err != nil {
		t.Fatal(err)
	}
	sub := e.onlySubscription(u)
	if sub.Status != tollgate.StatusPastDue || sub.Card != "Visa •••• 0341" || sub.FailedCardID != sub.CardID || sub.CardUpdated ||
		sub.LatestInvoice.Status != "open" || sub.LatestInvoice.AmountRemaining != 900 || sub.LatestInvoice.HostedURL == "" {
		t.Fatalf("after the failed renewal: %+v", sub)
	}
	retry := sub.NextPaymentAttempt

	r, err := e.billing.Portal(e.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if res := postForm(t, r.URL, url.Values{"action": {"update_card"}, "card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("card update answered %d", res.StatusCode)
	}
	eventually(t, "the updated card from the webhook", func() bool { return e.onlySubscription(u).CardUpdated })
	sub = e.onlySubscription(u)
	if sub.Status != tollgate.StatusPastDue || sub.Card != "Visa •••• 4242" || sub.FailedCardID == sub.CardID || !sub.NextPaymentAttempt.Equal(retry) {
		t.Fatalf("after the card update: %+v", sub)
	}

	res := postForm(t, sub.LatestInvoice.HostedURL, url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("paying on the hosted invoice page answered %d", res.StatusCode)
	}
	eventually(t, "active again from the webhook", func() bool { return e.onlySubscription(u).Status == tollgate.StatusActive })
	sub = e.onlySubscription(u)
	if sub.LatestInvoice.Status != "paid" || sub.LatestInvoice.AmountPaid != 900 || sub.CardUpdated || e.status(u).PaymentFailed {
		t.Errorf("after paying: %+v", sub)
	}
}
