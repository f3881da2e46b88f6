package sandbox_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// wantPage fails unless every string is in page (compared unescaped, so a
// test reads as the customer does).
func wantPage(t *testing.T, what, page string, want ...string) {
	t.Helper()
	text := html.UnescapeString(page)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Fatalf("%s: no %q in\n%s", what, w, page)
		}
	}
}

// TestCheckoutThenLine covers what the Checkout page says is charged after
// today, as Stripe's does under its price ("Then £9.00 per month starting
// 9 Dec 2026"), with each kind of coupon, and checks each line against what
// the subscription is then really charged, invoice by invoice.
func TestCheckoutThenLine(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	forever := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	once := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(250), Currency: stripe.String("usd"), Duration: stripe.String("once")}))(t)
	threeMonths := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(3)}))(t)
	for code, cp := range map[string]*stripe.Coupon{"LEARN10": forever, "ONCE": once, "THREE": threeMonths} {
		must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String(code)}))(t)
	}
	day := 24 * time.Hour
	trialEnd := t0.Add(7 * day) // 8 Jan 2025

	for _, tc := range []struct {
		name, promo string
		trialDays   int64
		page        []string
		// charges are when each period starts → what is paid for it (an
		// hour later), no two more than two months apart: a test clock
		// moves at most two intervals at a time.
		charges map[time.Time]int64
	}{
		{"Trial", "", 7, []string{"Try Tollgate Pro", "7 days free", "Then $10.00 per month starting 8 Jan 2025",
			"Total after trial $10.00", "Total due today $0.00", "7 days free, then billed monthly"},
			map[time.Time]int64{trialEnd: 1000, trialEnd.AddDate(0, 1, 0): 1000}},
		{"TrialForever", "learn10", 7, []string{"LEARN10 applied.", "Then $9.00 per month starting 8 Jan 2025",
			"LEARN10 (10% off forever) −$1.00", "Total after trial $9.00", "Total due today $0.00"},
			map[time.Time]int64{trialEnd: 900, trialEnd.AddDate(0, 1, 0): 900}},
		{"TrialOnce", "ONCE", 7, []string{"Then $7.50 on 8 Jan 2025, and $10.00 per month from 8 Feb 2025", "Total after trial $7.50"},
			map[time.Time]int64{trialEnd: 750, trialEnd.AddDate(0, 1, 0): 1000}},
		{"TrialRepeating", "THREE", 7, []string{"Then $9.00 per month starting 8 Jan 2025, and $10.00 per month from 8 Apr 2025",
			"THREE (10% off for 3 months)"},
			map[time.Time]int64{trialEnd: 900, trialEnd.AddDate(0, 2, 0): 900, trialEnd.AddDate(0, 3, 0): 1000}},
		{"Repeating", "THREE", 0, []string{"Subscribe to Tollgate Pro", "$10.00 per month", "Total due today $9.00",
			"Then $9.00 per month, and $10.00 per month from 1 Apr 2025"},
			map[time.Time]int64{t0.AddDate(0, 1, 0): 900, t0.AddDate(0, 2, 0): 900, t0.AddDate(0, 3, 0): 1000}},
		{"Once", "ONCE", 0, []string{"Total due today $7.50", "Then $10.00 per month from 1 Feb 2025"},
			map[time.Time]int64{t0.AddDate(0, 1, 0): 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk, cu := e.clockCustomer()
			cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: tc.trialDays, allowPromo: true})
			form := checkoutForm("4242424242424242", tc.promo)
			var page string
			if tc.promo == "" {
				_, page = e.get(cs.URL)
			} else {
				form.Set("intent", "apply")
				var status int
				if status, page, _ = e.post(cs.URL, form); status != http.StatusOK {
					t.Fatalf("apply %s: %d\n%s", tc.promo, status, page)
				}
			}
			wantPage(t, "checkout page", strings.Join(strings.Fields(stripTags(page)), " "), tc.page...)

			form.Del("intent")
			if status, body, _ := e.post(cs.URL, form); status != http.StatusSeeOther {
				t.Fatalf("pay: %d\n%s", status, body)
			}
			sub := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t).Subscription
			for _, at := range sortedTimes(tc.charges) {
				e.advance(clk.ID, at.Add(time.Hour))
				// The line's period is the one billed (the invoice's own looks back one period).
				inv := e.subscription(sub.ID).LatestInvoice
				var billed int64
				if inv.Lines != nil && len(inv.Lines.Data) > 0 && inv.Lines.Data[0].Period != nil {
					billed = inv.Lines.Data[0].Period.Start
				}
				if inv.Status != stripe.InvoiceStatusPaid || inv.AmountPaid != tc.charges[at] || billed != at.Unix() {
					t.Fatalf("invoice of %s: %s, paid %d, billing from %s; the page promised %d",
						at.Format("2 Jan 2006"), inv.Status, inv.AmountPaid, time.Unix(billed, 0).UTC().Format("2 Jan 2006"), tc.charges[at])
				}
			}
		})
	}
}

// stripTags leaves a page's text, so a test reads it as a customer does.
func stripTags(page string) string {
	var b strings.Builder
	in := false
	for _, r := range page {
		switch {
		case r == '<':
			in = true
			b.WriteRune(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

func sortedTimes(m map[time.Time]int64) []time.Time {
	var out []time.Time
	for at := range m {
		out = append(out, at)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Before(out[i]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestCheckoutApply covers the promotion code's Apply button: it prices the
// code typed (or says why it cannot be used) without paying, and shows the
// page again with everything typed kept, card fields included.
func TestCheckoutApply(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(t)
	// No customer and no email: the page asks for both, and keeps them.
	cs := must(e.sc.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String("subscription"), SuccessURL: stripe.String("http://app.example/ok"), AllowPromotionCodes: stripe.Bool(true),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(c.monthly.ID), Quantity: stripe.Int64(1)}},
	}))(t)
	typed := url.Values{"email": {"ada@example.com"}, "name": {"Ada Lovelace"}, "card_number": {"4242 4242 4242 4242"},
		"card_expiry": {"12/34"}, "card_cvc": {"123"}, "country": {"US"}, "postal_code": {"94103"}, "intent": {"apply"}}
	kept := []string{`value="ada@example.com"`, `value="Ada Lovelace"`, `value="4242 4242 4242 4242"`, `value="12/34"`,
		`value="123"`, `<option value="US" selected>`, `value="94103"`}
	unchanged := func(t *testing.T) {
		t.Helper()
		got := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t)
		if got.Status != stripe.CheckoutSessionStatusOpen || got.Customer != nil || len(got.Discounts) != 0 {
			t.Fatalf("Apply changed the session: %s, customer %v, discounts %v", got.Status, got.Customer, got.Discounts)
		}
	}

	t.Run("ErrWrongCode", func(t *testing.T) {
		form := url.Values{}
		for k, v := range typed {
			form[k] = v
		}
		form.Set("promotion_code", "LEARN1O")
		status, page, _ := e.post(cs.URL, form)
		if status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400:\n%s", status, page)
		}
		wantPage(t, "wrong code", page, append(kept, `value="LEARN1O"`, `aria-invalid="true"`,
			`<p class="error" id="promotion_code_error" role="alert">This promotion code is invalid.</p>`)...)
		wantPage(t, "wrong code", strings.Join(strings.Fields(stripTags(page)), " "), "Total due today $10.00")
		if strings.Count(page, "This promotion code is invalid.") != 1 {
			t.Fatalf("the refusal is said more than once:\n%s", page)
		}
		unchanged(t)
	})

	t.Run("OK", func(t *testing.T) {
		form := url.Values{}
		for k, v := range typed {
			form[k] = v
		}
		form.Set("promotion_code", " learn10 ")
		status, page, _ := e.post(cs.URL, form)
		if status != http.StatusOK {
			t.Fatalf("status %d, want 200:\n%s", status, page)
		}
		wantPage(t, "good code", page, kept...)
		wantPage(t, "good code", strings.Join(strings.Fields(stripTags(page)), " "), "LEARN10 applied.",
			"Subtotal $10.00 LEARN10 (10% off forever) −$1.00 Total due today $9.00")
		unchanged(t)

		// Paying with the same form (the Subscribe button sends no intent) redeems it.
		form.Del("intent")
		if status, body, _ := e.post(cs.URL, form); status != http.StatusSeeOther {
			t.Fatalf("pay: %d\n%s", status, body)
		}
		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("subscription.default_payment_method")
		got := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, p))(t)
		if got.AmountTotal != 900 || len(got.Discounts) != 1 || got.CustomerDetails.Name != "Ada Lovelace" {
			t.Fatalf("session total %d, discounts %v, name %q", got.AmountTotal, got.Discounts, got.CustomerDetails.Name)
		}
		// Where the country and postal code end up, as in Stripe.
		if a := got.CustomerDetails.Address; a == nil || a.Country != "US" || a.PostalCode != "94103" {
			t.Fatalf("customer_details.address = %+v", a)
		}
		pm := got.Subscription.DefaultPaymentMethod
		if a := pm.BillingDetails.Address; a == nil || a.Country != "US" || a.PostalCode != "94103" || a.Line1 != "" {
			t.Fatalf("billing_details.address = %+v", a)
		}
		if pm.BillingDetails.Email != "ada@example.com" || pm.BillingDetails.Name != "Ada Lovelace" {
			t.Fatalf("billing_details = %+v", pm.BillingDetails)
		}
		if ch := pm.Card.Checks; ch == nil || ch.AddressPostalCodeCheck != "pass" || ch.CVCCheck != "pass" || ch.AddressLine1Check != "" {
			t.Fatalf("card checks = %+v", ch)
		}
		if again := must(e.sc.V1PaymentMethods.Retrieve(ctx, pm.ID, nil))(t); again.BillingDetails.Address.PostalCode != "94103" {
			t.Fatalf("retrieved payment method address = %+v", again.BillingDetails.Address)
		}
	})

	t.Run("ErrCompleteSession", func(t *testing.T) {
		status, page, _ := e.post(cs.URL, typed)
		if status != http.StatusConflict || !strings.Contains(page, "already complete") || strings.Contains(page, `name="card_number"`) {
			t.Fatalf("apply on a complete session: %d\n%s", status, page)
		}
	})

	t.Run("ErrNotAllowed", func(t *testing.T) {
		cs := e.session(sessionOpts{price: c.monthly.ID})
		if _, page := e.get(cs.URL); strings.Contains(page, `name="promotion_code"`) {
			t.Fatalf("a promotion code field without allow_promotion_codes:\n%s", page)
		}
		form := checkoutForm("4242424242424242", "LEARN10")
		form.Set("intent", "apply")
		status, page, _ := e.post(cs.URL, form)
		if status != http.StatusBadRequest || !strings.Contains(page, "not accepted") {
			t.Fatalf("apply without allow_promotion_codes: %d\n%s", status, page)
		}
	})
}

// TestCheckoutAddress covers the country and postal code asked with the
// card: the country is preselected from the browser's language, a postal
// code is needed only where the card's check uses one, and none typed
// leaves the check null.
func TestCheckoutAddress(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cs := e.session(sessionOpts{price: c.monthly.ID})

	for lang, want := range map[string]string{"en-US,en;q=0.9": "US", "fr-FR": "FR", "de": "GB", "": "GB", "en-ZZ, en-CA": "CA"} {
		req := must(http.NewRequest(http.MethodGet, cs.URL, nil))(t)
		req.Header.Set("Accept-Language", lang)
		res := must(e.http.Do(req))(t)
		body := must(io.ReadAll(res.Body))(t)
		res.Body.Close()
		if !strings.Contains(string(body), `<option value="`+want+`" selected>`) {
			t.Errorf("Accept-Language %q: %s not preselected", lang, want)
		}
	}

	form := checkoutForm("4242424242424242", "")
	form.Set("country", "FR")
	form.Del("postal_code")
	if status, body, _ := e.post(cs.URL, form); status != http.StatusSeeOther {
		t.Fatalf("pay from France without a postal code: %d\n%s", status, body)
	}
	p := &stripe.CheckoutSessionRetrieveParams{}
	p.AddExpand("subscription.default_payment_method")
	got := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, p))(t)
	pm := got.Subscription.DefaultPaymentMethod
	if a := pm.BillingDetails.Address; a == nil || a.Country != "FR" || a.PostalCode != "" {
		t.Fatalf("billing_details.address = %+v", a)
	}
	if ch := pm.Card.Checks; ch == nil || ch.AddressPostalCodeCheck != "" || ch.CVCCheck != "pass" {
		t.Fatalf("card checks = %+v, want no postal code check", ch)
	}
}
