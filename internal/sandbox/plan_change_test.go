package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// switchEnv is a customer on a test clock, with the catalog, a 10% forever
// promotion code, and a portal configuration that lets the catalog's
// product switch between its prices.
type switchEnv struct {
	*env
	c     catalog
	clock string
	cu    *stripe.Customer
	cfg   *stripe.BillingPortalConfiguration
}

func newSwitchEnv(t *testing.T, proration string) *switchEnv {
	e := MustStart(t)
	ctx := context.Background()
	se := &switchEnv{env: e, c: e.catalog()}
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(t)
	clk, cu := e.clockCustomer()
	se.clock, se.cu = clk.ID, cu
	f := switchFeatures(se.c, proration)
	f.PaymentMethodUpdate = &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)}
	f.SubscriptionCancel = &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true)}
	se.cfg = must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{Features: f}))(t)
	return se
}

// subscribe checks out the customer on price with card, with LEARN10.
func (se *switchEnv) subscribe(price string, trialDays int64, card string) *stripe.Subscription {
	se.t.Helper()
	cs := se.session(sessionOpts{customer: se.cu.ID, price: price, trialDays: trialDays, allowPromo: true})
	if status, body, _ := se.pay(cs.URL, card, "LEARN10"); status != http.StatusSeeOther {
		se.t.Fatalf("pay: %d\n%s", status, body)
	}
	subs := collect(se.t, se.sc.V1Subscriptions.List(context.Background(), &stripe.SubscriptionListParams{Customer: stripe.String(se.cu.ID)}))
	return subs[0]
}

// portalSession opens a portal session on the configuration, with flow when given.
func (se *switchEnv) portalSession(flow *stripe.BillingPortalSessionCreateFlowDataParams) (*stripe.BillingPortalSession, error) {
	return se.sc.V1BillingPortalSessions.Create(context.Background(), &stripe.BillingPortalSessionCreateParams{
		Customer: stripe.String(se.cu.ID), Configuration: stripe.String(se.cfg.ID), ReturnURL: stripe.String("http://app.example/account"), FlowData: flow,
	})
}

// confirmURL is the portal's confirmation step of switching sub to price.
func confirmURL(portal, sub, price string) string {
	return portal + "?" + url.Values{"subscription": {sub}, "price": {price}}.Encode()
}

func switchForm(sub, price string) url.Values {
	return url.Values{"action": {"update_plan"}, "subscription": {sub}, "price": {price}}
}

// latestUpdate is the newest customer.subscription.updated event.
func (e *env) latestUpdate() *stripe.Event {
	e.t.Helper()
	evs := collect(e.t, e.sc.V1Events.List(context.Background(), &stripe.EventListParams{Type: stripe.String("customer.subscription.updated")}))
	if len(evs) == 0 {
		e.t.Fatal("no customer.subscription.updated event")
	}
	return evs[0]
}

func (e *env) invoice(id string) *stripe.Invoice {
	p := &stripe.InvoiceRetrieveParams{}
	p.AddExpand("discounts")
	return must(e.sc.V1Invoices.Retrieve(context.Background(), id, p))(e.t)
}

// TestPortalSwitchPlan switches a monthly subscription to yearly halfway
// through January on the portal's page: a new yearly period starts at
// once, billed now on an invoice that credits the unused half month at the
// undiscounted price and takes LEARN10 off the yearly line only.
func TestPortalSwitchPlan(t *testing.T) {
	se := newSwitchEnv(t, "create_prorations")
	c := se.c
	sub := se.subscribe(c.monthly.ID, 0, "4242424242424242")
	first := se.subscription(sub.ID).LatestInvoice
	ps := must(se.portalSession(nil))(t)

	status, page := se.get(ps.URL)
	if status != http.StatusOK || !strings.Contains(page, "Switch to yearly") || !strings.Contains(page, "$100.00 per year") || strings.Contains(page, "Switch to monthly") {
		t.Fatalf("portal page: %d\n%s", status, page)
	}

	at := t0.AddDate(0, 0, 15) // 16 of January's 31 days are left
	se.advance(se.clock, at)
	status, page = se.get(confirmURL(ps.URL, sub.ID, c.yearly.ID))
	for _, want := range []string{"Confirm your new plan", "Tollgate Pro · $10.00 per month", "Tollgate Pro · $100.00 per year",
		"Unused time on Tollgate Pro after 16 Jan 2025", "−$5.16", "1 × Tollgate Pro (at $100.00 / year)", "LEARN10 (10% off)", "−$10.00",
		"$84.84", "Due today: $84.84, charged to Visa •••• 4242", "Stripe does not discount proration lines", "Renews on 16 Jan 2026", `value="update_plan"`} {
		if !strings.Contains(strings.ReplaceAll(page, "&#43;", "+"), want) {
			t.Fatalf("confirmation step lacks %q: %d\n%s", want, status, page)
		}
	}
	if got := se.subscription(sub.ID); got.Items.Data[0].Price.ID != c.monthly.ID {
		t.Fatal("the confirmation step changed the subscription")
	}

	page = se.act(ps.URL, switchForm(sub.ID, c.yearly.ID))
	if !strings.Contains(page, "Your plan is now Tollgate Pro · $100.00 per year.") || !strings.Contains(page, "Switch to monthly") {
		t.Fatalf("portal after the switch:\n%s", page)
	}
	got := se.subscription(sub.ID)
	item := got.Items.Data[0]
	if item.Price.ID != c.yearly.ID || item.ID != sub.Items.Data[0].ID || item.CurrentPeriodStart != at.Unix() ||
		item.CurrentPeriodEnd != at.AddDate(1, 0, 0).Unix() || got.BillingCycleAnchor != at.Unix() || got.Status != stripe.SubscriptionStatusActive {
		t.Fatalf("after the switch: price %s item %s period %d–%d anchor %d status %s", item.Price.ID, item.ID, item.CurrentPeriodStart, item.CurrentPeriodEnd, got.BillingCycleAnchor, got.Status)
	}
	inv := se.invoice(got.LatestInvoice.ID)
	if inv.BillingReason != stripe.InvoiceBillingReasonSubscriptionUpdate || inv.Status != stripe.InvoiceStatusPaid ||
		inv.Subtotal != 9484 || inv.Total != 8484 || inv.AmountPaid != 8484 || inv.TotalDiscountAmounts[0].Amount != 1000 {
		t.Fatalf("invoice %s %s subtotal %d total %d paid %d", inv.BillingReason, inv.Status, inv.Subtotal, inv.Total, inv.AmountPaid)
	}
	lines := inv.Lines.Data
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	credit, charge := lines[0], lines[1]
	cd := credit.Parent.SubscriptionItemDetails
	if credit.Amount != -516 || !cd.Proration || credit.Discountable || cd.InvoiceItem == "" || cd.ProrationDetails.CreditedItems == nil ||
		cd.ProrationDetails.CreditedItems.Invoice != first.ID || credit.Pricing.PriceDetails.Price != c.monthly.ID || credit.Period.End != t0.AddDate(0, 1, 0).Unix() {
		t.Fatalf("credit line = %+v %+v", credit, cd)
	}
	if charge.Amount != 10000 || charge.Parent.SubscriptionItemDetails.Proration || !charge.Discountable || charge.Pricing.PriceDetails.Price != c.yearly.ID {
		t.Fatalf("charge line = %+v", charge)
	}

	// The event says what changed, with the monthly item as it was.
	ev := se.latestUpdate()
	var prev struct {
		Items struct {
			Data []struct {
				Price struct{ ID string } `json:"price"`
			} `json:"data"`
		} `json:"items"`
		LatestInvoice      string `json:"latest_invoice"`
		BillingCycleAnchor int64  `json:"billing_cycle_anchor"`
	}
	raw := must(json.Marshal(ev.Data.PreviousAttributes))(t)
	if err := json.Unmarshal(raw, &prev); err != nil || len(prev.Items.Data) != 1 || prev.Items.Data[0].Price.ID != c.monthly.ID ||
		prev.LatestInvoice != first.ID || prev.BillingCycleAnchor != t0.Unix() {
		t.Fatalf("previous_attributes = %s (%v)", raw, err)
	}
	// The product is the same, so the entitlements are too.
	if ents := se.entitlements(se.cu.ID); len(ents) != 2 {
		t.Fatalf("entitlements = %v", ents)
	}
	if types := se.eventTypes("invoice.created", "invoice.finalized", "invoice.paid"); count(types, "invoice.paid") != 2 {
		t.Fatalf("invoice events = %v", types)
	}

	t.Run("BackToMonthlyLeavesACredit", func(t *testing.T) {
		// Straight back: the whole year is unused, so the credit exceeds the
		// month's charge and the rest waits on the customer's balance.
		page := se.act(ps.URL, switchForm(sub.ID, c.monthly.ID))
		if !strings.Contains(page, "Your plan is now Tollgate Pro · $10.00 per month.") {
			t.Fatalf("portal:\n%s", page)
		}
		inv := se.invoice(se.subscription(sub.ID).LatestInvoice.ID)
		// −10000 (unused year) + 1000 (a month) − 100 (LEARN10 on the month).
		if inv.Total != -9100 || inv.AmountDue != 0 || inv.Status != stripe.InvoiceStatusPaid || inv.EndingBalance != -9100 {
			t.Fatalf("invoice total %d due %d %s ending_balance %d", inv.Total, inv.AmountDue, inv.Status, inv.EndingBalance)
		}
		if bal := must(se.sc.V1Customers.Retrieve(context.Background(), se.cu.ID, nil))(t).Balance; bal != -9100 {
			t.Fatalf("customer balance %d, want -9100", bal)
		}
		// The next renewal is paid from that credit.
		se.advance(se.clock, at.AddDate(0, 1, 0).Add(2*time.Hour))
		renewal := se.subscription(sub.ID).LatestInvoice
		if renewal.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle || renewal.Total != 900 || renewal.AmountDue != 0 ||
			renewal.StartingBalance != -9100 || renewal.EndingBalance != -8200 || renewal.Status != stripe.InvoiceStatusPaid {
			t.Fatalf("renewal total %d due %d balance %d→%d %s", renewal.Total, renewal.AmountDue, renewal.StartingBalance, renewal.EndingBalance, renewal.Status)
		}
		status, page := se.get(renewal.HostedInvoiceURL)
		if status != http.StatusOK || !strings.Contains(page, "Paid from your credit balance") || !strings.Contains(page, "$0.00 paid") {
			t.Fatalf("renewal page: %d\n%s", status, page)
		}
	})

	t.Run("ErrNotOffered", func(t *testing.T) {
		other := must(se.sc.V1Prices.Create(context.Background(), &stripe.PriceCreateParams{Product: stripe.String(c.product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(2000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}}))(t)
		for _, price := range []string{other.ID, "price_nope", c.monthly.ID} {
			status, body, _ := se.post(ps.URL, switchForm(sub.ID, price))
			if status != http.StatusBadRequest || !strings.Contains(body, "does not offer") && !strings.Contains(body, "already your plan") {
				t.Fatalf("switch to %s: %d\n%s", price, status, body)
			}
		}
		if status, body := se.get(confirmURL(ps.URL, "sub_nope", c.yearly.ID)); status != http.StatusBadRequest || !strings.Contains(body, "Choose one of your subscriptions") {
			t.Fatalf("confirmation of another's subscription: %d\n%s", status, body)
		}
	})
}

// TestPortalSwitchEndsTrial covers a switch during the free trial: as every
// portal update did before clover, it ends the trial, and the new plan is
// billed in full from now, with no credit for the free days.
func TestPortalSwitchEndsTrial(t *testing.T) {
	se := newSwitchEnv(t, "create_prorations")
	sub := se.subscribe(se.c.monthly.ID, 7, "4242424242424242")
	ps := must(se.portalSession(nil))(t)
	at := t0.AddDate(0, 0, 2)
	se.advance(se.clock, at)
	if _, page := se.get(confirmURL(ps.URL, sub.ID, se.c.yearly.ID)); !strings.Contains(page, "Your free trial ends now") || strings.Contains(page, "Unused time") {
		t.Fatalf("confirmation step:\n%s", page)
	}
	se.act(ps.URL, switchForm(sub.ID, se.c.yearly.ID))
	got := se.subscription(sub.ID)
	if got.Status != stripe.SubscriptionStatusActive || got.TrialEnd != at.Unix() || got.Items.Data[0].CurrentPeriodEnd != at.AddDate(1, 0, 0).Unix() {
		t.Fatalf("after the switch: %s trial_end %d period_end %d", got.Status, got.TrialEnd, got.Items.Data[0].CurrentPeriodEnd)
	}
	if inv := got.LatestInvoice; inv.Total != 9000 || inv.AmountPaid != 9000 || len(inv.Lines.Data) != 1 {
		t.Fatalf("invoice total %d paid %d lines %d", inv.Total, inv.AmountPaid, len(inv.Lines.Data))
	}
	if ev := se.latestUpdate(); ev.Data.PreviousAttributes["status"] != "trialing" {
		t.Fatalf("previous_attributes = %v", ev.Data.PreviousAttributes)
	}
}

// TestPortalSwitchDeclined covers a card that fails: the portal changes
// nothing, as Stripe's pending updates do, and says why.
func TestPortalSwitchDeclined(t *testing.T) {
	se := newSwitchEnv(t, "create_prorations")
	sub := se.subscribe(se.c.monthly.ID, 7, "4000000000000341") // accepted for the trial
	ps := must(se.portalSession(nil))(t)
	updates := count(se.eventTypes(), "customer.subscription.updated")
	page := se.act(ps.URL, switchForm(sub.ID, se.c.yearly.ID))
	if !strings.Contains(page, "Your card was declined, so your plan was not changed.") {
		t.Fatalf("portal:\n%s", page)
	}
	if got := se.subscription(sub.ID); got.Status != stripe.SubscriptionStatusTrialing || got.Items.Data[0].Price.ID != se.c.monthly.ID {
		t.Fatalf("after a declined switch: %s on %s", got.Status, got.Items.Data[0].Price.ID)
	}
	if n := count(se.eventTypes(), "customer.subscription.updated"); n != updates {
		t.Fatalf("%d customer.subscription.updated events after a refused switch", n-updates)
	}
}

// TestPortalSwitchProration covers the three proration behaviours when the
// interval stays the same (two monthly prices): create_prorations leaves
// the credit and the charge for the next invoice, always_invoice bills them
// now, none changes only the price.
func TestPortalSwitchProration(t *testing.T) {
	for _, tc := range []struct {
		behavior   string
		invoiceNow bool
		renewal    int64 // the next renewal's subtotal
	}{
		// Half of January on $10 is credited (−$5.16), half on $20 charged
		// ($10.32), then February on $20.
		{"create_prorations", false, -516 + 1032 + 2000},
		{"always_invoice", true, 2000},
		{"none", false, 2000},
	} {
		t.Run(tc.behavior, func(t *testing.T) {
			se := newSwitchEnv(t, tc.behavior)
			ctx := context.Background()
			pro := must(se.sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{Product: stripe.String(se.c.product.ID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(2000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}}))(t)
			must(se.sc.V1BillingPortalConfigurations.Update(ctx, se.cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{
				Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
					Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{
						{Product: stripe.String(se.c.product.ID), Prices: stripe.StringSlice([]string{se.c.monthly.ID, pro.ID})},
					},
				}},
			}))(t)
			sub := se.subscribe(se.c.monthly.ID, 0, "4242424242424242")
			first := se.subscription(sub.ID).LatestInvoice.ID
			ps := must(se.portalSession(nil))(t)
			se.advance(se.clock, t0.AddDate(0, 0, 15))
			if _, page := se.get(ps.URL); !strings.Contains(page, "Switch to $20.00 per month") {
				t.Fatalf("portal page:\n%s", page)
			}
			se.act(ps.URL, switchForm(sub.ID, pro.ID))
			got := se.subscription(sub.ID)
			if got.Items.Data[0].Price.ID != pro.ID || got.Items.Data[0].CurrentPeriodEnd != t0.AddDate(0, 1, 0).Unix() {
				t.Fatalf("after the switch: %s until %d; the period must stay", got.Items.Data[0].Price.ID, got.Items.Data[0].CurrentPeriodEnd)
			}
			if now := got.LatestInvoice.ID != first; now != tc.invoiceNow {
				t.Fatalf("invoiced now = %v, want %v", now, tc.invoiceNow)
			}
			if tc.invoiceNow {
				if inv := got.LatestInvoice; inv.Subtotal != -516+1032 || inv.AmountPaid != 516 || len(inv.Lines.Data) != 2 {
					t.Fatalf("invoice subtotal %d paid %d lines %d", inv.Subtotal, inv.AmountPaid, len(inv.Lines.Data))
				}
			}
			se.advance(se.clock, t0.AddDate(0, 1, 0).Add(2*time.Hour))
			renewal := se.subscription(sub.ID).LatestInvoice
			if renewal.Subtotal != tc.renewal || renewal.TotalDiscountAmounts[0].Amount != 200 {
				t.Fatalf("renewal subtotal %d discount %+v, want %d and $2.00 off the month only", renewal.Subtotal, renewal.TotalDiscountAmounts, tc.renewal)
			}
		})
	}
}

// TestPortalSwitchFlow covers the deep link an app makes with
// flow_data[type]=subscription_update: the session names its flow, the page
// offers only that subscription's plans, and confirming ends the flow as
// after_completion says.
func TestPortalSwitchFlow(t *testing.T) {
	se := newSwitchEnv(t, "always_invoice")
	sub := se.subscribe(se.c.monthly.ID, 0, "4242424242424242")
	flow := func(after *stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams) *stripe.BillingPortalSessionCreateFlowDataParams {
		return &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update"), AfterCompletion: after,
			SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)}}
	}

	ps := must(se.portalSession(flow(&stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{
		Type: stripe.String("redirect"), Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("http://app.example/portal/return")},
	})))(t)
	if f := ps.Flow; f == nil || f.Type != "subscription_update" || f.SubscriptionUpdate == nil || f.SubscriptionUpdate.Subscription != sub.ID ||
		f.AfterCompletion == nil || f.AfterCompletion.Type != "redirect" || f.AfterCompletion.Redirect.ReturnURL != "http://app.example/portal/return" {
		t.Fatalf("flow = %+v", ps.Flow)
	}
	status, page := se.get(ps.URL)
	if status != http.StatusOK || !strings.Contains(page, "Update your plan") || !strings.Contains(page, "Switch to yearly") ||
		strings.Contains(page, "Cancel subscription") || strings.Contains(page, "Update card") {
		t.Fatalf("flow page: %d\n%s", status, page)
	}
	status, body, hdr := se.post(ps.URL, switchForm(sub.ID, se.c.yearly.ID))
	if status != http.StatusSeeOther || hdr.Get("Location") != "http://app.example/portal/return" {
		t.Fatalf("confirm: %d %q\n%s", status, hdr.Get("Location"), body)
	}
	if got := se.subscription(sub.ID); got.Items.Data[0].Price.ID != se.c.yearly.ID {
		t.Fatal("the flow did not switch the plan")
	}
	// Done: the session is the portal's home now.
	if _, page := se.get(ps.URL); !strings.Contains(page, "Your subscription") || !strings.Contains(page, "Switch to monthly") {
		t.Fatalf("session after its flow:\n%s", page)
	}

	t.Run("HostedConfirmation", func(t *testing.T) {
		ps := must(se.portalSession(flow(&stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{
			Type: stripe.String("hosted_confirmation"), HostedConfirmation: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String("Enjoy the month!")},
		})))(t)
		page := se.act(ps.URL, switchForm(sub.ID, se.c.monthly.ID))
		if !strings.Contains(page, "Your plan was updated") || !strings.Contains(page, "Enjoy the month!") {
			t.Fatalf("confirmation:\n%s", page)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		ctx := context.Background()
		otherCu := must(se.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")}))(t)
		noSwitch := must(se.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}},
		}))(t)
		for _, tc := range []struct {
			name, customer, config, param, text string
			flow                                *stripe.BillingPortalSessionCreateFlowDataParams
		}{
			{"OtherCustomer", otherCu.ID, se.cfg.ID, "flow_data[subscription_update][subscription]", "does not belong", flow(nil)},
			{"NoSubscriptionUpdate", se.cu.ID, noSwitch.ID, "flow_data[subscription_update][subscription]", "does not let", flow(nil)},
			{"NoSubscription", se.cu.ID, se.cfg.ID, "flow_data[subscription_update]", "Missing required param",
				&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update")}},
			{"RedirectWithoutURL", se.cu.ID, se.cfg.ID, "flow_data[after_completion][redirect][return_url]", "Missing required param",
				flow(&stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect")})},
			{"OtherFlow", se.cu.ID, se.cfg.ID, "flow_data[type]", "subscription_update only",
				&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := se.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
					Customer: stripe.String(tc.customer), Configuration: stripe.String(tc.config), FlowData: tc.flow})
				e := stripeErr(t, err)
				if e.HTTPStatusCode != http.StatusBadRequest || e.Param != tc.param || !strings.Contains(e.Msg, tc.text) {
					t.Fatalf("got %d param %q: %s; want param %s with %q", e.HTTPStatusCode, e.Param, e.Msg, tc.param, tc.text)
				}
			})
		}
		t.Run("Canceled", func(t *testing.T) {
			must(se.sc.V1Subscriptions.Cancel(ctx, sub.ID, nil))(t)
			_, err := se.portalSession(flow(nil))
			if e := stripeErr(t, err); e.Param != "flow_data[subscription_update][subscription]" || !strings.Contains(e.Msg, "canceled") {
				t.Fatalf("got param %q: %s", e.Param, e.Msg)
			}
		})
	})
}
