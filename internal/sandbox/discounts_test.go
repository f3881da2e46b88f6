package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// TestPromotionCodeSharedText covers codes that share their text: only
// active codes must be unique, so a typed code must find the active one
// however many inactive ones spell the same.
func TestPromotionCodeSharedText(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	newCode := func(code string) *stripe.PromotionCode {
		return must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String(code)}))(t)
	}
	deactivate := func(pc *stripe.PromotionCode) {
		must(e.sc.V1PromotionCodes.Update(ctx, pc.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(false)}))(t)
	}

	t.Run("ErrOnlyInactive", func(t *testing.T) {
		deactivate(newCode("GONE"))
		cs := e.session(sessionOpts{price: c.monthly.ID, allowPromo: true})
		status, body, _ := e.pay(cs.URL, "4242424242424242", "gone")
		if status != http.StatusBadRequest || !strings.Contains(body, "no longer active") {
			t.Fatalf("pay: %d\n%s", status, body)
		}
	})

	// Several inactive twins make a random pick of the wrong one near certain.
	for range 5 {
		deactivate(newCode("SHARED"))
	}
	active := newCode("SHARED")
	for i := range 3 {
		cs := e.session(sessionOpts{price: c.monthly.ID, allowPromo: true})
		if status, body, _ := e.pay(cs.URL, "4242424242424242", "shared"); status != http.StatusSeeOther {
			t.Fatalf("pay %d: %d\n%s", i, status, body)
		}
		cs = must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t)
		if len(cs.Discounts) != 1 || cs.Discounts[0].PromotionCode == nil || cs.Discounts[0].PromotionCode.ID != active.ID {
			t.Fatalf("discounts = %+v, want the active code %s", cs.Discounts, active.ID)
		}
	}
}

// TestDiscountValidation covers the one check a promotion code passes
// (active, not expired, not used up, the right customer, a valid coupon)
// at session create, when typed on the page and again at completion.
func TestDiscountValidation(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	alice := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("alice@example.com")}))(t)
	bob := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("bob@example.com")}))(t)
	aliceOnly := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("ALICE"), Customer: stripe.String(alice.ID)}))(t)
	expiring := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("SOON"), ExpiresAt: stripe.Int64(t0.Add(time.Hour).Unix())}))(t)
	once := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("ONCE"), MaxRedemptions: stripe.Int64(1)}))(t)
	usedCoupon := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(100), Currency: stripe.String("usd"), Duration: stripe.String("once"), MaxRedemptions: stripe.Int64(1)}))(t)
	viaUsed := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(usedCoupon.ID), Code: stripe.String("VIAUSED")}))(t)

	create := func(customer string, d *stripe.CheckoutSessionCreateDiscountParams) (*stripe.CheckoutSession, error) {
		return e.sc.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), Customer: stripe.String(customer), SuccessURL: stripe.String("http://app.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(c.monthly.ID), Quantity: stripe.Int64(1)}},
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{d},
		})
	}
	wantInvalid := func(t *testing.T, err error, param, text string) {
		t.Helper()
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeInvalidRequest || se.Param != param || !strings.Contains(se.Msg, text) {
			t.Fatalf("got %d %s param %q: %s; want 400 invalid_request_error naming %s with %q", se.HTTPStatusCode, se.Type, se.Param, se.Msg, param, text)
		}
	}

	// Use up the coupon behind VIAUSED (directly) and the ONCE code.
	must(create(alice.ID, &stripe.CheckoutSessionCreateDiscountParams{Coupon: stripe.String(usedCoupon.ID)}))(t)
	first := must(create(alice.ID, &stripe.CheckoutSessionCreateDiscountParams{Coupon: stripe.String(usedCoupon.ID)}))(t)
	if status, body, _ := e.pay(first.URL, "4242424242424242", ""); status != http.StatusSeeOther {
		t.Fatalf("pay with coupon: %d\n%s", status, body)
	}
	pending := must(create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(once.ID)}))(t)
	used := must(create(alice.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(once.ID)}))(t)
	if status, body, _ := e.pay(used.URL, "4242424242424242", ""); status != http.StatusSeeOther {
		t.Fatalf("pay with ONCE: %d\n%s", status, body)
	}

	t.Run("ErrCreateOtherCustomer", func(t *testing.T) {
		_, err := create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(aliceOnly.ID)})
		wantInvalid(t, err, "discounts[0][promotion_code]", "customer")
		must(create(alice.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(aliceOnly.ID)}))(t)
	})
	t.Run("ErrCreateFullyRedeemed", func(t *testing.T) {
		_, err := create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(once.ID)})
		wantInvalid(t, err, "discounts[0][promotion_code]", "fully redeemed")
	})
	t.Run("ErrCreateCouponUsedUp", func(t *testing.T) {
		_, err := create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(viaUsed.ID)})
		wantInvalid(t, err, "discounts[0][promotion_code]", "coupon")
		_, err = create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{Coupon: stripe.String(usedCoupon.ID)})
		wantInvalid(t, err, "discounts[0][coupon]", "no longer valid")
	})
	t.Run("ErrTypedOtherCustomer", func(t *testing.T) {
		cs := e.session(sessionOpts{customer: bob.ID, price: c.monthly.ID, allowPromo: true})
		status, body, _ := e.pay(cs.URL, "4242424242424242", "alice")
		if status != http.StatusBadRequest || !strings.Contains(body, "cannot be redeemed by this customer") || !strings.Contains(body, `name="card_number"`) {
			t.Fatalf("pay: %d\n%s", status, body)
		}
		if got := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t); got.Status != stripe.CheckoutSessionStatusOpen {
			t.Fatalf("session %s after refusal", got.Status)
		}
	})
	t.Run("ErrTypedNewCustomer", func(t *testing.T) {
		// Checkout would create the customer, who cannot be the one the code is for.
		cs := e.session(sessionOpts{price: c.monthly.ID, allowPromo: true})
		if status, body, _ := e.pay(cs.URL, "4242424242424242", "ALICE"); status != http.StatusBadRequest || !strings.Contains(body, "customer") {
			t.Fatalf("pay: %d\n%s", status, body)
		}
	})
	t.Run("ErrCompleteFullyRedeemed", func(t *testing.T) {
		// Valid when the session was made; used up by another checkout since.
		status, body, _ := e.pay(pending.URL, "4242424242424242", "")
		if status != http.StatusBadRequest || !strings.Contains(body, "fully redeemed") || !strings.Contains(body, `name="card_number"`) {
			t.Fatalf("pay: %d\n%s", status, body)
		}
		if got := must(e.sc.V1CheckoutSessions.Retrieve(ctx, pending.ID, nil))(t); got.Status != stripe.CheckoutSessionStatusOpen || got.Subscription != nil {
			t.Fatalf("session %s subscription %v after refusal", got.Status, got.Subscription)
		}
		if got := must(e.sc.V1PromotionCodes.Retrieve(ctx, once.ID, nil))(t).TimesRedeemed; got != 1 {
			t.Fatalf("times_redeemed = %d, want 1", got)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		valid := must(create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(expiring.ID)}))(t)
		e.now.Add(2 * time.Hour)
		_, err := create(bob.ID, &stripe.CheckoutSessionCreateDiscountParams{PromotionCode: stripe.String(expiring.ID)})
		wantInvalid(t, err, "discounts[0][promotion_code]", "expired")
		if status, body, _ := e.pay(valid.URL, "4242424242424242", ""); status != http.StatusBadRequest || !strings.Contains(body, "expired") {
			t.Fatalf("pay after expiry: %d\n%s", status, body)
		}
	})
}

// TestDiscountCheckoutSession covers discount.checkout_session, which the API
// reference gives only "if it is applied to a particular session in payment
// mode. Will not be present for subscription mode."
// (https://docs.stripe.com/api/discounts/object#discount_object-checkout_session)
// A code typed at a subscription Checkout leaves it null.
func TestDiscountCheckoutSession(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(t)
	cs := e.session(sessionOpts{price: c.monthly.ID, allowPromo: true})
	if status, body, _ := e.pay(cs.URL, "4242424242424242", "LEARN10"); status != http.StatusSeeOther {
		t.Fatalf("pay: %d\n%s", status, body)
	}
	cs = must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t)
	p := &stripe.SubscriptionRetrieveParams{}
	p.AddExpand("discounts")
	sub := must(e.sc.V1Subscriptions.Retrieve(ctx, cs.Subscription.ID, p))(t)
	var raw struct {
		Discounts []map[string]json.RawMessage `json:"discounts"`
	}
	if err := json.Unmarshal(sub.LastResponse.RawJSON, &raw); err != nil || len(raw.Discounts) != 1 {
		t.Fatalf("discounts = %s (%v)", sub.LastResponse.RawJSON, err)
	}
	if got, ok := raw.Discounts[0]["checkout_session"]; !ok || string(got) != "null" {
		t.Errorf("discount.checkout_session = %s (present %v), want null", got, ok)
	}
	if d := sub.Discounts[0]; d.Coupon == nil || d.Coupon.ID != cp.ID || d.PromotionCode == nil {
		t.Errorf("discount = %+v, want the coupon and its promotion code", d)
	}
}
