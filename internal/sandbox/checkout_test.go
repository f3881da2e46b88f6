package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

func TestCheckoutTrialLifecycle(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	clk, cu := e.clockCustomer()

	cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 14})
	if !strings.HasPrefix(cs.URL, e.srv.URL()+"/checkout/") {
		t.Fatalf("session url = %q", cs.URL)
	}
	status, body := e.get(cs.URL)
	// As Stripe's page says it: the trial, then the price and when it starts.
	if status != http.StatusOK || !strings.Contains(body, "Try Tollgate Pro") || !strings.Contains(body, "14 days free") ||
		!strings.Contains(body, "Then $10.00 per month starting 15 Jan 2025") || !strings.Contains(body, `name="card_number"`) {
		t.Fatalf("checkout page: %d\n%s", status, body)
	}

	status, body, hdr := e.pay(cs.URL, "4242424242424242", "")
	if status != http.StatusSeeOther {
		t.Fatalf("pay: %d %s", status, body)
	}
	if got, want := hdr.Get("Location"), "http://app.example/success?session_id="+cs.ID; got != want {
		t.Fatalf("redirect = %q, want %q", got, want)
	}

	p := &stripe.CheckoutSessionRetrieveParams{}
	p.AddExpand("subscription")
	p.AddExpand("line_items")
	cs = must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, p))(t)
	if cs.Status != stripe.CheckoutSessionStatusComplete || cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusNoPaymentRequired {
		t.Fatalf("session %s/%s", cs.Status, cs.PaymentStatus)
	}
	if cs.Customer.ID != cu.ID || cs.LineItems == nil || len(cs.LineItems.Data) != 1 {
		t.Fatalf("session customer %v line items %v", cs.Customer, cs.LineItems)
	}
	sub := e.subscription(cs.Subscription.ID)
	if got, want := sub.Status, stripe.SubscriptionStatusTrialing; got != want {
		t.Fatalf("status = %s, want %s", got, want)
	}
	trialEnd := t0.Add(14 * 24 * time.Hour)
	if got, want := sub.Items.Data[0].CurrentPeriodEnd, trialEnd.Unix(); got != want {
		t.Errorf("current_period_end = %d, want %d", got, want)
	}
	inv := sub.LatestInvoice
	if inv.AmountDue != 0 || inv.Status != stripe.InvoiceStatusPaid || inv.BillingReason != stripe.InvoiceBillingReasonSubscriptionCreate {
		t.Fatalf("first invoice %d %s %s", inv.AmountDue, inv.Status, inv.BillingReason)
	}
	if got, want := inv.Parent.SubscriptionDetails.Subscription.ID, sub.ID; got != want {
		t.Errorf("invoice parent subscription = %s, want %s", got, want)
	}
	if got, want := e.entitlements(cu.ID), []string{"test-access", "test-access-2"}; !slices.Equal(got, want) {
		t.Fatalf("entitlements = %v, want %v", got, want)
	}

	t.Run("TrialEnd", func(t *testing.T) {
		e.advance(clk.ID, trialEnd.Add(time.Hour))
		sub := e.subscription(sub.ID)
		if got, want := sub.Status, stripe.SubscriptionStatusActive; got != want {
			t.Fatalf("status = %s, want %s", got, want)
		}
		inv := sub.LatestInvoice
		// The invoice's period is the trial that just ended; the month it
		// bills is on its line.
		if inv.AmountPaid != 1000 || inv.Status != stripe.InvoiceStatusPaid || inv.PeriodStart != t0.Unix() || inv.PeriodEnd != trialEnd.Unix() {
			t.Fatalf("trial-end invoice paid %d status %s period %d–%d", inv.AmountPaid, inv.Status, inv.PeriodStart, inv.PeriodEnd)
		}
		if got, want := sub.Items.Data[0].CurrentPeriodEnd, trialEnd.AddDate(0, 1, 0).Unix(); got != want {
			t.Errorf("current_period_end = %d, want %d", got, want)
		}
		types := e.eventTypes("customer.subscription.trial_will_end", "invoice.created", "invoice.paid")
		if !slices.Equal(types, []string{"invoice.created", "invoice.paid", "customer.subscription.trial_will_end", "invoice.created", "invoice.paid"}) {
			t.Fatalf("events = %v", types)
		}
	})

	t.Run("Renewal", func(t *testing.T) {
		e.advance(clk.ID, trialEnd.AddDate(0, 1, 0).Add(time.Hour))
		sub := e.subscription(sub.ID)
		if sub.Status != stripe.SubscriptionStatusActive || sub.LatestInvoice.AmountPaid != 1000 ||
			sub.LatestInvoice.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle {
			t.Fatalf("after renewal %s %d %s", sub.Status, sub.LatestInvoice.AmountPaid, sub.LatestInvoice.BillingReason)
		}
		invs := collect(t, e.sc.V1Invoices.List(ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}))
		if len(invs) != 3 {
			t.Fatalf("%d invoices, want 3", len(invs))
		}
		if got, want := invs[0].AccountCountry, "GB"; got != want {
			t.Errorf("invoice account_country = %q, want %q (the account's)", got, want)
		}
		// Events on a test clock carry the clock's time: the renewal's
		// draft is paid when it is finalized, an hour after the period ends.
		evs := collect(t, e.sc.V1Events.List(ctx, &stripe.EventListParams{Type: stripe.String("invoice.paid")}))
		if got, want := evs[0].Created, trialEnd.AddDate(0, 1, 0).Add(time.Hour).Unix(); got != want {
			t.Errorf("event created = %d, want %d", got, want)
		}
	})
}

func TestCheckoutNewCustomer(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cs := e.session(sessionOpts{price: c.yearly.ID})
	if status, body, _ := e.pay(cs.URL, "4242 4242 4242 4242", ""); status != http.StatusSeeOther {
		t.Fatalf("pay: %d %s", status, body)
	}
	p := &stripe.CheckoutSessionRetrieveParams{}
	p.AddExpand("customer")
	cs = must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, p))(t)
	if cs.Customer == nil || cs.Customer.Email != "new@example.com" || cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		t.Fatalf("session customer %+v payment %s", cs.Customer, cs.PaymentStatus)
	}
	sp := &stripe.SubscriptionRetrieveParams{}
	sp.AddExpand("items.data.price.product")
	sp.AddExpand("latest_invoice")
	sub := must(e.sc.V1Subscriptions.Retrieve(ctx, cs.Subscription.ID, sp))(t)
	if sub.Status != stripe.SubscriptionStatusActive || sub.LatestInvoice.AmountPaid != 10000 {
		t.Fatalf("subscription %s paid %d", sub.Status, sub.LatestInvoice.AmountPaid)
	}
	// Checkout in subscription mode saves the card on the subscription, not
	// as the customer's invoice default.
	if sub.DefaultPaymentMethod == nil || sub.DefaultPaymentMethod.ID == "" {
		t.Error("the subscription has no default_payment_method after Checkout")
	}
	if cu := cs.Customer; cu.InvoiceSettings == nil || cu.InvoiceSettings.DefaultPaymentMethod != nil {
		t.Errorf("customer invoice_settings = %+v, want default_payment_method null", cu.InvoiceSettings)
	}
	if pm := must(e.sc.V1PaymentMethods.Retrieve(ctx, sub.DefaultPaymentMethod.ID, nil))(t); pm.Customer == nil || pm.Customer.ID != cs.Customer.ID {
		t.Errorf("payment method customer = %v, want %s", pm.Customer, cs.Customer.ID)
	}
	if got, want := sub.Items.Data[0].Price.Product.Name, "Tollgate Pro"; got != want {
		t.Errorf("expanded product = %q, want %q", got, want)
	}
	if got, want := sub.Items.Data[0].CurrentPeriodEnd, t0.AddDate(1, 0, 0).Unix(); got != want {
		t.Errorf("period end = %d, want %d", got, want)
	}
	types := e.eventTypes("customer.created", "checkout.session.completed", "customer.subscription.created", "entitlements.active_entitlement_summary.updated")
	if want := []string{"customer.created", "customer.subscription.created", "checkout.session.completed", "entitlements.active_entitlement_summary.updated"}; !slices.Equal(types, want) {
		t.Fatalf("events = %v, want %v", types, want)
	}
	subs := collect(t, e.sc.V1Subscriptions.List(ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cs.Customer.ID), Status: stripe.String("active")}))
	if len(subs) != 1 {
		t.Fatalf("%d active subscriptions", len(subs))
	}
}

func TestCheckoutRefusals(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cs := e.session(sessionOpts{price: c.monthly.ID, allowPromo: true})

	for _, tc := range []struct {
		name, card, expiry, cvc, promo string
		country, postal                string
		status                         int
		text                           string
	}{
		{"ErrDeclined", "4000000000000002", "12/34", "123", "", "GB", "SW1A 1AA", http.StatusPaymentRequired, "declined"},
		{"ErrExpired", "4242424242424242", "01/20", "123", "", "GB", "SW1A 1AA", http.StatusBadRequest, "expiration"},
		{"ErrBadExpiry", "4242424242424242", "13/40", "123", "", "GB", "SW1A 1AA", http.StatusBadRequest, "expiration"},
		{"ErrBadCVC", "4242424242424242", "12/34", "12", "", "GB", "SW1A 1AA", http.StatusBadRequest, "security code"},
		{"ErrBadNumber", "4242424242424241", "12/34", "123", "", "GB", "SW1A 1AA", http.StatusBadRequest, "invalid"},
		{"ErrUnknownPromo", "4242424242424242", "12/34", "123", "NOPE", "GB", "SW1A 1AA", http.StatusBadRequest, "promotion code"},
		{"ErrFailingCardNoTrial", "4000000000000341", "12/34", "123", "", "GB", "SW1A 1AA", http.StatusPaymentRequired, "declined"},
		// Checkout asks a card's country, and its postal code where the
		// card's postal code check needs one (GB, US, CA); any text will do.
		{"ErrNoCountry", "4242424242424242", "12/34", "123", "", "", "SW1A 1AA", http.StatusBadRequest, "Select your country or region."},
		{"ErrUnknownCountry", "4242424242424242", "12/34", "123", "", "XX", "", http.StatusBadRequest, "Select your country or region."},
		{"ErrNoPostalCodeGB", "4242424242424242", "12/34", "123", "", "GB", " ", http.StatusBadRequest, "Your postal code is incomplete."},
		{"ErrNoPostalCodeUS", "4242424242424242", "12/34", "123", "", "US", "", http.StatusBadRequest, "Your postal code is incomplete."},
		{"ErrLongPostalCode", "4242424242424242", "12/34", "123", "", "FR", strings.Repeat("7", 21), http.StatusBadRequest, "Your postal code is invalid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := e.post(cs.URL, url.Values{"card_number": {tc.card}, "card_expiry": {tc.expiry}, "card_cvc": {tc.cvc}, "promotion_code": {tc.promo},
				"country": {tc.country}, "postal_code": {tc.postal}})
			if status != tc.status || !strings.Contains(body, tc.text) || !strings.Contains(body, `name="card_number"`) {
				t.Fatalf("status %d, want %d with %q:\n%s", status, tc.status, tc.text, body)
			}
			// What was typed stays, so fixing one field is all it takes.
			if !strings.Contains(body, `value="`+tc.card+`"`) || !strings.Contains(body, `value="`+tc.cvc+`"`) {
				t.Fatalf("the card typed is not kept:\n%s", body)
			}
			got := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t)
			if got.Status != stripe.CheckoutSessionStatusOpen || got.Customer != nil {
				t.Fatalf("session after refusal: %s customer %v", got.Status, got.Customer)
			}
		})
	}
	if n := len(collect(t, e.sc.V1Customers.List(ctx, &stripe.CustomerListParams{}))); n != 0 {
		t.Fatalf("refused checkouts made %d customers", n)
	}

	t.Run("ErrAlreadyComplete", func(t *testing.T) {
		if status, body, _ := e.pay(cs.URL, "4242424242424242", ""); status != http.StatusSeeOther {
			t.Fatalf("pay: %d %s", status, body)
		}
		status, body, _ := e.pay(cs.URL, "4242424242424242", "")
		if status != http.StatusConflict || !strings.Contains(body, "already complete") {
			t.Fatalf("second pay: %d %s", status, body)
		}
		if n := len(collect(t, e.sc.V1Subscriptions.List(ctx, &stripe.SubscriptionListParams{}))); n != 1 {
			t.Fatalf("%d subscriptions, want 1", n)
		}
	})
}

func TestPromotionCode(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	promo := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(t)
	if promo.Coupon == nil || promo.Coupon.ID != cp.ID || !promo.Active {
		t.Fatalf("promotion code = %+v", promo)
	}
	found := collect(t, e.sc.V1PromotionCodes.List(ctx, &stripe.PromotionCodeListParams{Code: stripe.String("LEARN10"), Active: stripe.Bool(true)}))
	if len(found) != 1 || found[0].ID != promo.ID {
		t.Fatalf("list by code = %v", found)
	}
	clk, cu := e.clockCustomer()

	cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, allowPromo: true})
	if status, body, _ := e.pay(cs.URL, "4242424242424242", "learn10"); status != http.StatusSeeOther {
		t.Fatalf("pay: %d %s", status, body)
	}
	cs = must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t)
	if cs.AmountTotal != 900 || cs.TotalDetails.AmountDiscount != 100 {
		t.Fatalf("session total %d discount %d", cs.AmountTotal, cs.TotalDetails.AmountDiscount)
	}
	sub := e.subscription(cs.Subscription.ID)
	if inv := sub.LatestInvoice; inv.Subtotal != 1000 || inv.Total != 900 || inv.AmountPaid != 900 || len(inv.TotalDiscountAmounts) != 1 {
		t.Fatalf("invoice subtotal %d total %d paid %d", inv.Subtotal, inv.Total, inv.AmountPaid)
	}
	// forever: the renewal is discounted too.
	e.advance(clk.ID, t0.AddDate(0, 1, 0).Add(time.Hour))
	if got := e.subscription(sub.ID).LatestInvoice.AmountPaid; got != 900 {
		t.Fatalf("renewal paid %d, want 900", got)
	}
	if got := must(e.sc.V1PromotionCodes.Retrieve(ctx, promo.ID, nil))(t).TimesRedeemed; got != 1 {
		t.Errorf("times_redeemed = %d, want 1", got)
	}

	t.Run("Once", func(t *testing.T) {
		once := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(500), Currency: stripe.String("usd"), Duration: stripe.String("once")}))(t)
		clk, cu := e.clockCustomer()
		cs := must(e.sc.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), Customer: stripe.String(cu.ID), SuccessURL: stripe.String("http://app.example/ok"),
			LineItems:        []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(c.monthly.ID), Quantity: stripe.Int64(1)}},
			Discounts:        []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(once.ID)}},
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7)},
		}))(t)
		if status, body, _ := e.pay(cs.URL, "4242424242424242", ""); status != http.StatusSeeOther {
			t.Fatalf("pay: %d %s", status, body)
		}
		cs = must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t)
		trialEnd := t0.AddDate(0, 0, 7)
		e.advance(clk.ID, trialEnd.Add(time.Hour))
		if got := e.subscription(cs.Subscription.ID).LatestInvoice.AmountPaid; got != 500 {
			t.Fatalf("first paid invoice = %d, want 500", got)
		}
		e.advance(clk.ID, trialEnd.AddDate(0, 1, 0).Add(time.Hour))
		if got := e.subscription(cs.Subscription.ID).LatestInvoice.AmountPaid; got != 1000 {
			t.Fatalf("second paid invoice = %d, want 1000", got)
		}
	})

	t.Run("DahliaShape", func(t *testing.T) {
		p := &stripe.PromotionCodeCreateParams{Code: stripe.String("DAHLIA")}
		p.AddExtra("promotion[type]", "coupon")
		p.AddExtra("promotion[coupon]", cp.ID)
		pc := must(e.sc.V1PromotionCodes.Create(ctx, p))(t)
		if pc.Coupon == nil || pc.Coupon.ID != cp.ID {
			t.Fatalf("coupon = %+v", pc.Coupon)
		}
	})
}
