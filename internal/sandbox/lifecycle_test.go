package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// failingRenewal subscribes with the 0341 card on a 7-day trial and advances
// past the trial and the hour its invoice stays a draft, so the first charge
// fails. It returns the clock, the customer, the subscription id and the
// time of the failed attempt.
func failingRenewal(t *testing.T, e *env) (string, string, string, time.Time) {
	t.Helper()
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 7}, "4000000000000341")
	failedAt := t0.AddDate(0, 0, 7).Add(time.Hour)
	e.advance(clk.ID, failedAt.Add(time.Minute))
	got := e.subscription(sub.ID)
	if got.Status != stripe.SubscriptionStatusPastDue {
		t.Fatalf("status = %s, want past_due", got.Status)
	}
	inv := got.LatestInvoice
	if inv.Status != stripe.InvoiceStatusOpen || inv.AttemptCount != 1 || inv.NextPaymentAttempt != failedAt.AddDate(0, 0, 3).Unix() {
		t.Fatalf("invoice %s attempts %d next %d", inv.Status, inv.AttemptCount, inv.NextPaymentAttempt)
	}
	if n := count(e.eventTypes(), "invoice.payment_failed"); n != 1 {
		t.Fatalf("%d invoice.payment_failed events, want 1", n)
	}
	// past_due keeps access while Stripe retries.
	if ents := e.entitlements(cu.ID); len(ents) != 2 {
		t.Fatalf("past_due entitlements = %v", ents)
	}
	return clk.ID, cu.ID, sub.ID, failedAt
}

func TestDunning(t *testing.T) {
	e := MustStart(t)
	clk, cust, subID, failedAt := failingRenewal(t, e)

	t.Run("ErrPayDeclined", func(t *testing.T) {
		inv := e.subscription(subID).LatestInvoice
		_, err := e.sc.V1Invoices.Pay(context.Background(), inv.ID, nil)
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusPaymentRequired || se.Type != stripe.ErrorTypeCard || se.Code != stripe.ErrorCodeCardDeclined {
			t.Fatalf("got %d %s %s", se.HTTPStatusCode, se.Type, se.Code)
		}
		// A manual attempt counts but leaves the retry schedule alone.
		if got := e.subscription(subID).LatestInvoice; got.AttemptCount != 2 || got.NextPaymentAttempt != failedAt.AddDate(0, 0, 3).Unix() {
			t.Fatalf("attempts %d next %d", got.AttemptCount, got.NextPaymentAttempt)
		}
	})

	for i, days := range []int{3, 5} {
		e.advance(clk, failedAt.AddDate(0, 0, days).Add(time.Minute))
		sub := e.subscription(subID)
		inv := sub.LatestInvoice
		next := []int{5, 7}[i]
		if sub.Status != stripe.SubscriptionStatusPastDue || inv.AttemptCount != int64(i+3) || inv.NextPaymentAttempt != failedAt.AddDate(0, 0, next).Unix() {
			t.Fatalf("day %d: %s attempts %d next %d", days, sub.Status, inv.AttemptCount, inv.NextPaymentAttempt)
		}
	}
	e.advance(clk, failedAt.AddDate(0, 0, 7).Add(time.Minute))
	sub := e.subscription(subID)
	if sub.Status != stripe.SubscriptionStatusCanceled || sub.EndedAt != failedAt.AddDate(0, 0, 7).Unix() {
		t.Fatalf("after last retry: %s ended %d", sub.Status, sub.EndedAt)
	}
	if sub.LatestInvoice.AttemptCount != 5 || sub.LatestInvoice.NextPaymentAttempt != 0 {
		t.Fatalf("invoice attempts %d next %d", sub.LatestInvoice.AttemptCount, sub.LatestInvoice.NextPaymentAttempt)
	}
	types := e.eventTypes("invoice.payment_failed", "customer.subscription.deleted", "entitlements.active_entitlement_summary.updated")
	if n := count(types, "invoice.payment_failed"); n != 5 {
		t.Fatalf("%d payment_failed events, want 5 (4 scheduled, 1 manual)", n)
	}
	if types[len(types)-2] != "customer.subscription.deleted" || types[len(types)-1] != "entitlements.active_entitlement_summary.updated" {
		t.Fatalf("last events = %v", types[len(types)-3:])
	}
	if ents := e.entitlements(cust); len(ents) != 0 {
		t.Fatalf("entitlements after cancel = %v", ents)
	}
}

func (e *env) portal(customerID string) string {
	e.t.Helper()
	ctx := context.Background()
	// As on a new Stripe account, there is no default configuration: a session needs one made through the API.
	_, err := e.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(customerID)})
	var se *stripe.Error
	if !errors.As(err, &se) || se.HTTPStatusCode != 400 || se.Param != "configuration" {
		e.t.Fatalf("portal session without a configuration: %v, want 400 naming configuration", err)
	}
	cfg := must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{
		Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionCancel:  &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end")},
			PaymentMethodUpdate: &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)},
			InvoiceHistory:      &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)},
		},
	}))(e.t)
	if cfg.IsDefault {
		e.t.Fatal("a configuration made through the API is the default; in Stripe it never is")
	}
	ps := must(e.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer: stripe.String(customerID), ReturnURL: stripe.String("http://app.example/account"), Configuration: stripe.String(cfg.ID),
	}))(e.t)
	if !strings.HasPrefix(ps.URL, e.srv.URL()+"/portal/") {
		e.t.Fatalf("portal url = %q", ps.URL)
	}
	return ps.URL
}

// act posts a portal action and follows the 303 back to the portal page.
func (e *env) act(portalURL string, form url.Values) string {
	e.t.Helper()
	status, body, hdr := e.post(portalURL, form)
	if status != http.StatusSeeOther {
		e.t.Fatalf("portal %s: %d %s", form.Get("action"), status, body)
	}
	loc := must(url.Parse(portalURL))(e.t).ResolveReference(must(url.Parse(hdr.Get("Location")))(e.t))
	status, page := e.get(loc.String())
	if status != http.StatusOK {
		e.t.Fatalf("portal page: %d", status)
	}
	return page
}

func TestPortalUpdateCard(t *testing.T) {
	e := MustStart(t)
	clk, cust, subID, failedAt := failingRenewal(t, e)
	portal := e.portal(cust)
	ctx := context.Background()
	invoiceDefault := func() *stripe.PaymentMethod {
		return must(e.sc.V1Customers.Retrieve(ctx, cust, nil))(t).InvoiceSettings.DefaultPaymentMethod
	}
	failing := e.subscription(subID).DefaultPaymentMethod
	if failing == nil || invoiceDefault() != nil {
		t.Fatalf("after Checkout: subscription card %v, customer invoice default %v; want the card on the subscription only", failing, invoiceDefault())
	}
	// With no invoice default, the portal shows the subscription's card.
	if _, page := e.get(portal); !strings.Contains(page, "0341") {
		t.Fatalf("subscription's card not shown:\n%s", page)
	}

	t.Run("ErrDeclinedCard", func(t *testing.T) {
		page := e.act(portal, url.Values{"action": {"update_card"}, "card_number": {"4000000000000002"}})
		if !strings.Contains(page, "declined") {
			t.Fatalf("no refusal shown:\n%s", page)
		}
	})

	page := e.act(portal, url.Values{"action": {"update_card"}, "card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
	if !strings.Contains(page, "4242") {
		t.Fatalf("new card not shown:\n%s", page)
	}
	// The portal sets the card as the customer's invoice default and on
	// the running subscription, so the next retry charges it.
	def, subPM := invoiceDefault(), e.subscription(subID).DefaultPaymentMethod
	if def == nil || subPM == nil || def.ID != subPM.ID || def.ID == failing.ID {
		t.Fatalf("after update_card: customer invoice default %v, subscription card %v; want both the new card", def, subPM)
	}
	e.advance(clk, failedAt.AddDate(0, 0, 3).Add(time.Minute))
	sub := e.subscription(subID)
	if sub.Status != stripe.SubscriptionStatusActive || sub.LatestInvoice.Status != stripe.InvoiceStatusPaid || sub.LatestInvoice.AttemptCount != 2 {
		t.Fatalf("after retry: %s invoice %s attempts %d", sub.Status, sub.LatestInvoice.Status, sub.LatestInvoice.AttemptCount)
	}
}

func TestPortalCancelRenew(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
	portal := e.portal(cu.ID)

	status, page := e.get(portal)
	if status != http.StatusOK || !strings.Contains(page, "Tollgate Pro") || !strings.Contains(page, `name="cancel" value="`+sub.ID+`"`) ||
		!strings.Contains(page, "http://app.example/account") {
		t.Fatalf("portal page: %d\n%s", status, page)
	}

	// Cancel subscription asks first, saying until when access lasts.
	status, page = e.get(portal + "?cancel=" + sub.ID)
	wantPage(t, "cancel confirmation", page, "Cancel your subscription?", "You keep access until 1 Feb 2025.",
		`value="cancel"`, "Confirm cancellation", "Go back")
	if status != http.StatusOK || e.subscription(sub.ID).CancelAtPeriodEnd {
		t.Fatalf("the confirmation step: %d, or it canceled already", status)
	}

	page = e.act(portal, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
	if !strings.Contains(page, "Cancels on") {
		t.Fatalf("pending cancellation not shown:\n%s", page)
	}
	if got := e.subscription(sub.ID); !got.CancelAtPeriodEnd || got.Status != stripe.SubscriptionStatusActive {
		t.Fatalf("after cancel: cancel_at_period_end %v status %s", got.CancelAtPeriodEnd, got.Status)
	}

	t.Run("Renew", func(t *testing.T) {
		e.act(portal, url.Values{"action": {"renew"}, "subscription": {sub.ID}})
		if got := e.subscription(sub.ID); got.CancelAtPeriodEnd {
			t.Fatal("renew did not undo the cancellation")
		}
	})

	e.act(portal, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
	periodEnd := t0.AddDate(0, 1, 0)
	e.advance(clk.ID, periodEnd.Add(time.Hour))
	got := e.subscription(sub.ID)
	if got.Status != stripe.SubscriptionStatusCanceled || got.EndedAt != periodEnd.Unix() {
		t.Fatalf("after period end: %s ended %d", got.Status, got.EndedAt)
	}
	if n := len(collect(t, e.sc.V1Invoices.List(context.Background(), &stripe.InvoiceListParams{Customer: stripe.String(cu.ID)}))); n != 1 {
		t.Fatalf("%d invoices, want 1 (no renewal)", n)
	}
	if ents := e.entitlements(cu.ID); len(ents) != 0 {
		t.Fatalf("entitlements = %v", ents)
	}
	if types := e.eventTypes("customer.subscription.deleted", "customer.subscription.updated"); len(types) != 4 || types[3] != "customer.subscription.deleted" {
		t.Fatalf("events = %v", types)
	}
	t.Run("ErrBadAction", func(t *testing.T) {
		status, _, _ := e.post(portal, url.Values{"action": {"explode"}})
		if status != http.StatusBadRequest {
			t.Fatalf("status %d", status)
		}
	})
}

func TestSubscriptionAPI(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	_, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")

	got := must(e.sc.V1Subscriptions.Update(ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)}))(t)
	if !got.CancelAtPeriodEnd || got.CancelAt != t0.AddDate(0, 1, 0).Unix() {
		t.Fatalf("cancel_at_period_end %v cancel_at %d", got.CancelAtPeriodEnd, got.CancelAt)
	}
	got = must(e.sc.V1Subscriptions.Cancel(ctx, sub.ID, nil))(t)
	if got.Status != stripe.SubscriptionStatusCanceled || got.EndedAt != t0.Unix() {
		t.Fatalf("cancel: %s ended %d", got.Status, got.EndedAt)
	}
	_, err := e.sc.V1Subscriptions.Cancel(ctx, sub.ID, nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest {
		t.Fatalf("second cancel: %d", se.HTTPStatusCode)
	}
}

// TestRealTime covers objects on no test clock: they follow Config.Now,
// moved by the background ticker.
func TestRealTime(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	sub := e.subscribe(sessionOpts{price: c.monthly.ID, trialDays: 1}, "4242424242424242")
	e.now.Add(24 * time.Hour)
	waitFor(t, "trial to end on the ticker", func() bool {
		return e.subscription(sub.ID).Status == stripe.SubscriptionStatusActive
	})
	if inv := e.subscription(sub.ID).LatestInvoice; inv.Status != stripe.InvoiceStatusDraft {
		t.Fatalf("renewal invoice at trial end = %s, want draft", inv.Status)
	}
	e.now.Add(time.Hour)
	waitFor(t, "the draft to be finalized and paid on the ticker", func() bool {
		return e.subscription(sub.ID).LatestInvoice.Status == stripe.InvoiceStatusPaid
	})
	if got := e.subscription(sub.ID).LatestInvoice.AmountPaid; got != 1000 {
		t.Fatalf("paid %d", got)
	}
}

func TestClockDelete(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	clk, cu := e.clockCustomer()
	e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
	if n := len(collect(t, e.sc.V1TestHelpersTestClocks.List(ctx, &stripe.TestHelpersTestClockListParams{}))); n != 1 {
		t.Fatalf("%d clocks", n)
	}
	del := must(e.sc.V1TestHelpersTestClocks.Delete(ctx, clk.ID, nil))(t)
	if !del.Deleted {
		t.Fatal("clock not deleted")
	}
	// Deleting a clock deletes its customers, as in Stripe.
	_, err := e.sc.V1Customers.Retrieve(ctx, cu.ID, nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound {
		t.Fatalf("customer after clock delete: %d", se.HTTPStatusCode)
	}
	_, err = e.sc.V1TestHelpersTestClocks.Advance(ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(t0.Unix() + 1)})
	if se := stripeErr(t, err); se.Code != stripe.ErrorCodeResourceMissing {
		t.Fatalf("advance deleted clock: %s", se.Code)
	}
}

// portalWith opens a portal session for the customer with a configuration
// of the given features.
func (e *env) portalWith(customerID string, f *stripe.BillingPortalConfigurationCreateFeaturesParams) (*stripe.BillingPortalConfiguration, string) {
	e.t.Helper()
	ctx := context.Background()
	cfg := must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{Features: f}))(e.t)
	ps := must(e.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer: stripe.String(customerID), Configuration: stripe.String(cfg.ID)}))(e.t)
	return cfg, ps.URL
}

// TestPortalFeatures covers what a configuration enables: as in Stripe, a
// feature left out is disabled (and rendered with enabled:false), and
// subscription_cancel.mode=immediately ends the subscription at once.
func TestPortalFeatures(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()

	t.Run("OnlyInvoiceHistory", func(t *testing.T) {
		_, cu := e.clockCustomer()
		e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		cfg, portal := e.portalWith(cu.ID, &stripe.BillingPortalConfigurationCreateFeaturesParams{
			InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)},
		})
		f := cfg.Features
		if f.InvoiceHistory == nil || !f.InvoiceHistory.Enabled ||
			f.SubscriptionCancel == nil || f.SubscriptionCancel.Enabled || f.SubscriptionCancel.Mode != "at_period_end" ||
			f.PaymentMethodUpdate == nil || f.PaymentMethodUpdate.Enabled ||
			f.CustomerUpdate == nil || f.CustomerUpdate.Enabled || f.SubscriptionUpdate == nil || f.SubscriptionUpdate.Enabled {
			t.Fatalf("features = %+v, want only invoice_history enabled and the rest filled in", f)
		}
		status, page := e.get(portal)
		if status != http.StatusOK || strings.Contains(page, `name="cancel"`) || strings.Contains(page, `value="update_card"`) || !strings.Contains(page, "Invoices") {
			t.Fatalf("portal page: %d\n%s", status, page)
		}
		for _, action := range []string{"cancel", "update_card"} {
			status, body, _ := e.post(portal, url.Values{"action": {action}, "card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
			if status != http.StatusBadRequest || !strings.Contains(body, "not enabled") {
				t.Fatalf("%s: %d\n%s", action, status, body)
			}
		}
	})

	t.Run("CancelImmediately", func(t *testing.T) {
		_, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		_, portal := e.portalWith(cu.ID, &stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("immediately")},
		})
		deletedBefore := count(e.eventTypes(), "customer.subscription.deleted")
		e.act(portal, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		got := e.subscription(sub.ID)
		if got.Status != stripe.SubscriptionStatusCanceled || got.EndedAt != t0.Unix() {
			t.Fatalf("after cancel: %s ended %d, want canceled at once", got.Status, got.EndedAt)
		}
		if ents := e.entitlements(cu.ID); len(ents) != 0 {
			t.Fatalf("entitlements = %v", ents)
		}
		if n := count(e.eventTypes(), "customer.subscription.deleted") - deletedBefore; n != 1 {
			t.Fatalf("%d customer.subscription.deleted events, want 1", n)
		}
	})
}

// TestRenewalDraft covers how Stripe bills a renewal: at the period's end the
// invoice is created as a draft (no number, automatically_finalizes_at an
// hour on), and only then finalized and charged.
func TestRenewalDraft(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
	periodEnd := t0.AddDate(0, 1, 0)
	invoiceEvents := []string{"invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_failed"}
	before := len(e.eventTypes(invoiceEvents...))

	e.advance(clk.ID, periodEnd)
	got := e.subscription(sub.ID)
	draft := got.LatestInvoice
	if got.Status != stripe.SubscriptionStatusActive || got.Items.Data[0].CurrentPeriodStart != periodEnd.Unix() {
		t.Fatalf("at period end: %s period_start %d", got.Status, got.Items.Data[0].CurrentPeriodStart)
	}
	if draft.Status != stripe.InvoiceStatusDraft || draft.Number != "" || draft.AttemptCount != 0 || !draft.AutoAdvance ||
		draft.AutomaticallyFinalizesAt != periodEnd.Add(time.Hour).Unix() || draft.StatusTransitions.FinalizedAt != 0 ||
		draft.AmountDue != 1000 || draft.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle {
		t.Fatalf("renewal invoice = %s number %q attempts %d auto_advance %v finalizes_at %d finalized_at %d due %d",
			draft.Status, draft.Number, draft.AttemptCount, draft.AutoAdvance, draft.AutomaticallyFinalizesAt, draft.StatusTransitions.FinalizedAt, draft.AmountDue)
	}
	if types := e.eventTypes(invoiceEvents...)[before:]; !slices.Equal(types, []string{"invoice.created"}) {
		t.Fatalf("events at period end = %v, want only invoice.created", types)
	}
	drafts := collect(t, e.sc.V1Invoices.List(ctx, &stripe.InvoiceListParams{Customer: stripe.String(cu.ID), Status: stripe.String("draft")}))
	if len(drafts) != 1 || drafts[0].ID != draft.ID {
		t.Fatalf("draft invoices = %d", len(drafts))
	}

	t.Run("ErrPayDraft", func(t *testing.T) {
		_, err := e.sc.V1Invoices.Pay(ctx, draft.ID, nil)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || !strings.Contains(se.Msg, "draft") {
			t.Fatalf("pay draft: %d %q", se.HTTPStatusCode, se.Msg)
		}
	})

	e.advance(clk.ID, periodEnd.Add(time.Hour-time.Second))
	if inv := e.subscription(sub.ID).LatestInvoice; inv.Status != stripe.InvoiceStatusDraft {
		t.Fatalf("a second before finalization: %s", inv.Status)
	}
	e.advance(clk.ID, periodEnd.Add(time.Hour))
	inv := e.subscription(sub.ID).LatestInvoice
	if inv.ID != draft.ID || inv.Status != stripe.InvoiceStatusPaid || inv.AmountPaid != 1000 || inv.Number == "" ||
		inv.AutomaticallyFinalizesAt != 0 || inv.StatusTransitions.FinalizedAt != periodEnd.Add(time.Hour).Unix() {
		t.Fatalf("after finalization: %s paid %d number %q finalizes_at %d finalized_at %d",
			inv.Status, inv.AmountPaid, inv.Number, inv.AutomaticallyFinalizesAt, inv.StatusTransitions.FinalizedAt)
	}
	if types := e.eventTypes(invoiceEvents...)[before:]; !slices.Equal(types, []string{"invoice.created", "invoice.finalized", "invoice.paid"}) {
		t.Fatalf("renewal events = %v", types)
	}

	t.Run("CanceledWhileDraft", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		e.advance(clk.ID, periodEnd)
		must(e.sc.V1Subscriptions.Cancel(ctx, sub.ID, nil))(t)
		e.advance(clk.ID, periodEnd.Add(2*time.Hour))
		// Canceling stops automatic collection: the draft is left alone.
		inv := e.subscription(sub.ID).LatestInvoice
		if inv.Status != stripe.InvoiceStatusDraft || inv.AutoAdvance || inv.AutomaticallyFinalizesAt != 0 || inv.AttemptCount != 0 {
			t.Fatalf("draft after cancel: %s auto_advance %v finalizes_at %d attempts %d", inv.Status, inv.AutoAdvance, inv.AutomaticallyFinalizesAt, inv.AttemptCount)
		}
	})
}
