package billing_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

var both = []string{"test-access", "test-access-2"}

func TestNew(t *testing.T) {
	for _, k := range []string{"sk_live_abc", "rk_live_abc", "pk_test_abc", ""} {
		if _, err := billing.New(billing.Config{SecretKey: k}, nil); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("key %q: err = %v, want invalid", k, err)
		}
	}
}

func TestBootstrap(t *testing.T) {
	e := newEnv(t, options{})
	first, err := e.billing.Bootstrap(e.ctx) // newEnv ran it once already
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.billing.Bootstrap(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, again) {
		t.Errorf("a second bootstrap changed the catalog: %+v then %+v", first, again)
	}
	if len(first.FeatureIDs) != 2 || first.FeatureIDs[0] == first.FeatureIDs[1] || !strings.HasPrefix(first.FeatureIDs[0], "feat_") {
		t.Errorf("feature ids = %v, want one per feature key", first.FeatureIDs)
	}
	prices, err := e.billing.Prices(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(prices) != 2 || prices[0].Amount != 900 || prices[0].Interval != "month" || prices[1].Amount != 9000 || prices[1].Interval != "year" || prices[0].Product != billing.ProductName {
		t.Errorf("prices = %+v", prices)
	}
	n := 0
	for p, err := range e.stripe.V1Products.List(e.ctx, &stripe.ProductListParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Name == billing.ProductName {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d %q products, want exactly 1", n, billing.ProductName)
	}
}

func TestCheckout(t *testing.T) {
	t.Run("TrialWithPromotionCode", func(t *testing.T) {
		e := newEnv(t, options{})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, true, "4242424242424242", billing.PromotionCode)

		st := e.status(u)
		sub := e.onlySubscription(u)
		if sub.Status != tollgate.StatusTrialing || sub.Interval != "month" || sub.TrialEnd.IsZero() || sub.PriceID == "" || sub.ProductID == "" {
			t.Errorf("subscription = %+v, want a trialing monthly one", sub)
		}
		if st.TestClock == "" {
			t.Error("the customer is not on a test clock")
		}
		if got := sub.TrialEnd.Sub(sub.Created); got != 7*24*time.Hour {
			t.Errorf("trial lasts %v, want 7 days", got)
		}
		a := e.access(u)
		if !slices.Equal(a.Local, both) || !slices.Equal(a.Live, both) || !a.HasTestAccess || !a.HasTestAccess2 || len(a.OnlyLocal)+len(a.OnlyLive) != 0 {
			t.Errorf("access = %+v, want both entitlements, local and live", a)
		}
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Errorf("premium refused: %v", err)
		}

		// The discount shows on the first real invoice, at the end of the trial.
		if _, err := e.billing.AdvanceClock(e.ctx, u, 8); err != nil {
			t.Fatal(err)
		}
		sub = e.onlySubscription(u)
		if sub.Status != tollgate.StatusActive {
			t.Fatalf("after the trial: %s, want active", sub.Status)
		}
		in, err := e.stripe.V1Invoices.Retrieve(e.ctx, sub.LatestInvoiceID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if in.AmountPaid != 810 || in.Status != stripe.InvoiceStatusPaid {
			t.Errorf("invoice paid %d (%s), want 810 = £9 less 10%%", in.AmountPaid, in.Status)
		}
	})

	t.Run("YearlyWithoutTrial", func(t *testing.T) {
		e := newEnv(t, options{})
		u := e.user("grace@example.com")
		e.subscribe(u, billing.Yearly, false, "4242424242424242", "")
		sub := e.onlySubscription(u)
		if sub.Status != tollgate.StatusActive || sub.Interval != "year" || !sub.TrialEnd.IsZero() {
			t.Errorf("subscription = %+v, want active yearly without trial", sub)
		}
		if d := sub.CurrentPeriodEnd.Sub(sub.Created); d < 365*24*time.Hour || d > 366*24*time.Hour {
			t.Errorf("period lasts %v, want a year", d)
		}
	})

	t.Run("OneCustomerAndNoSecondPurchase", func(t *testing.T) {
		e := newEnv(t, options{})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, false, "4242424242424242", "")
		r, err := e.billing.Checkout(e.ctx, u, billing.Yearly, false)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Portal || !strings.Contains(r.URL, "/portal/") {
			t.Errorf("second purchase = %+v, want the portal", r)
		}
		// Stripe lists customers on a test clock only per clock, and each new
		// customer gets a clock of its own, so count off-clock customers and
		// those on every clock: a second customer would show up in either.
		count := func(p *stripe.CustomerListParams) int {
			n := 0
			for _, err := range e.stripe.V1Customers.List(e.ctx, p) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			return n
		}
		n := count(&stripe.CustomerListParams{Email: stripe.String(u.Email)})
		for clk, err := range e.stripe.V1TestHelpersTestClocks.List(e.ctx, &stripe.TestHelpersTestClockListParams{}) {
			if err != nil {
				t.Fatal(err)
			}
			n += count(&stripe.CustomerListParams{Email: stripe.String(u.Email), TestClock: stripe.String(clk.ID)})
		}
		if n != 1 {
			t.Errorf("%d Stripe customers for one user, want 1", n)
		}
	})

	t.Run("AgainAfterCancellation", func(t *testing.T) {
		e := newEnv(t, options{})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, false, "4242424242424242", "")
		first := e.onlySubscription(u)
		if _, err := e.stripe.V1Subscriptions.Cancel(e.ctx, first.StripeID, nil); err != nil {
			t.Fatal(err)
		}
		r, err := e.billing.Checkout(e.ctx, u, billing.Monthly, false)
		if err != nil || r.Portal {
			t.Fatalf("after cancelling: %+v, %v; want a new Checkout", r, err)
		}
	})

	t.Run("ErrBadPlan", func(t *testing.T) {
		e := newEnv(t, options{})
		if _, err := e.billing.Checkout(e.ctx, e.user("ada@example.com"), "weekly", false); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("err = %v, want invalid", err)
		}
	})

	t.Run("ErrStripeMessageShown", func(t *testing.T) {
		e := newEnv(t, options{})
		s, err := billing.New(billing.Config{SecretKey: key, APIBase: e.sb.URL(), MonthlyPrice: "price_missing", YearlyPrice: "price_missing"}, e.db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Checkout(e.ctx, e.user("ada@example.com"), billing.Monthly, false)
		if tollgate.ErrorCode(err) != tollgate.ENOTFOUND || !strings.HasPrefix(tollgate.ErrorMessage(err), "Stripe says: ") || !strings.Contains(tollgate.ErrorMessage(err), "price_missing") {
			t.Errorf("err = %v, want Stripe's not-found message naming the price", err)
		}
	})

	t.Run("ErrKeyRejected", func(t *testing.T) {
		e := newEnv(t, options{})
		ts, _ := counter(t, http.StatusUnauthorized)
		s := e.service(ts.URL)
		_, err := s.Account(e.ctx)
		if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED || !strings.Contains(tollgate.ErrorMessage(err), "Invalid API Key") {
			t.Errorf("err = %v, want unauthorized with Stripe's message", err)
		}
	})
}

func TestAccess(t *testing.T) {
	t.Run("NoCustomerNoStripeCall", func(t *testing.T) {
		e := newEnv(t, options{})
		ts, calls := counter(t, http.StatusInternalServerError)
		s := e.service(ts.URL)
		u := e.user("ada@example.com")
		a, err := s.Access(e.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if a.HasCustomer || len(a.Local) != 0 || calls.Load() != 0 {
			t.Errorf("access = %+v with %d Stripe calls, want no customer and no call", a, calls.Load())
		}
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); tollgate.ErrorCode(err) != tollgate.EFORBIDDEN || !strings.Contains(tollgate.ErrorMessage(err), "Plans") {
			t.Errorf("premium without a customer: %v, want forbidden pointing to Plans", err)
		}
		if _, err := s.Portal(e.ctx, u); tollgate.ErrorCode(err) != tollgate.ENOTFOUND || calls.Load() != 0 {
			t.Errorf("portal without a customer: %v (%d calls), want not_found and no call", err, calls.Load())
		}
	})

	t.Run("PremiumGateIsLocal", func(t *testing.T) {
		e := newEnv(t, options{})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, true, "4242424242424242", "")
		ts, _ := counter(t, http.StatusInternalServerError)
		offline := e.service(ts.URL) // same store, a Stripe that would fail every call
		// The gate holds no Stripe client at all: it cannot call out.
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Errorf("gate = %v, want allowed from the local copy", err)
		}
		a, err := offline.Access(e.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Local, both) || a.Live != nil || !strings.Contains(a.LiveError, "Stripe") {
			t.Errorf("access with Stripe down = %+v, want local entitlements and the live error", a)
		}
	})

	t.Run("DifferenceIsMarked", func(t *testing.T) {
		e := newEnv(t, options{})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, false, "4242424242424242", "")
		// Cancel behind Tollgate's back, with no webhook: the local copy is now stale.
		sub := e.onlySubscription(u)
		if _, err := e.stripe.V1Subscriptions.Cancel(e.ctx, sub.StripeID, nil); err != nil {
			t.Fatal(err)
		}
		a := e.access(u)
		if !slices.Equal(a.OnlyLocal, both) || len(a.Live) != 0 {
			t.Errorf("access = %+v, want both marked as only local", a)
		}
	})
}

func TestLifecycle(t *testing.T) {
	t.Run("PortalCancelThenPeriodEnd", func(t *testing.T) {
		e := newEnv(t, options{webhooks: true})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, false, "4242424242424242", "")
		e.portal(u, "cancel")
		eventually(t, "cancel_at_period_end from the webhook", func() bool { return e.onlySubscription(u).CancelAtPeriodEnd })
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Errorf("premium refused before the period ends: %v", err)
		}
		e.portal(u, "renew")
		eventually(t, "renewal undone", func() bool { return !e.onlySubscription(u).CancelAtPeriodEnd })
		e.portal(u, "cancel")
		eventually(t, "cancel again", func() bool { return e.onlySubscription(u).CancelAtPeriodEnd })

		if _, err := e.billing.AdvanceClock(e.ctx, u, 32); err != nil {
			t.Fatal(err)
		}
		eventually(t, "canceled", func() bool { return e.onlySubscription(u).Status == tollgate.StatusCanceled })
		if a := e.access(u); len(a.Local) != 0 || len(a.Live) != 0 {
			t.Errorf("access after the end = %+v, want none", a)
		}
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); tollgate.ErrorCode(err) != tollgate.EFORBIDDEN {
			t.Errorf("premium after the end: %v, want forbidden", err)
		}
		if e.onlySubscription(u).EndedAt.IsZero() {
			t.Error("a canceled subscription has no end date")
		}
	})

	t.Run("FailedRenewalIsPastDue", func(t *testing.T) {
		e := newEnv(t, options{webhooks: true})
		u := e.user("ada@example.com")
		e.subscribe(u, billing.Monthly, true, "4000000000000341", "")
		if _, err := e.billing.AdvanceClock(e.ctx, u, 8); err != nil {
			t.Fatal(err)
		}
		st := e.status(u)
		sub := e.onlySubscription(u)
		if !st.PaymentFailed || sub.Status != tollgate.StatusPastDue || sub.NextPaymentAttempt.IsZero() || sub.LatestInvoiceStatus != "open" {
			t.Errorf("status = %+v, sub = %+v; want past_due with a retry date", st, sub)
		}
		// past_due keeps the entitlements while Stripe retries.
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Errorf("premium while past_due: %v", err)
		}
		eventually(t, "the payment_failed event applied", func() bool {
			evs, _ := e.db.RecentEvents(e.ctx, 100)
			return slices.ContainsFunc(evs, func(ev *tollgate.Event) bool {
				return ev.Type == "invoice.payment_failed" && ev.Outcome == tollgate.EventApplied
			})
		})
	})

	t.Run("WebhookAloneBringsTheSubscription", func(t *testing.T) {
		// No success page: the events alone must get the state right.
		e := newEnv(t, options{webhooks: true})
		u := e.user("ada@example.com")
		r, err := e.billing.Checkout(e.ctx, u, billing.Monthly, true)
		if err != nil {
			t.Fatal(err)
		}
		e.pay(r.URL, "4242424242424242", "")
		eventually(t, "trialing from webhooks", func() bool {
			st := e.status(u)
			return len(st.Subscriptions) == 1 && st.Subscriptions[0].Status == tollgate.StatusTrialing
		})
		eventually(t, "entitlements from webhooks", func() bool {
			return (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess) == nil
		})
	})
}

// TestOutOfOrder delivers events in the wrong order through the real webhook
// endpoint: the final state must be Stripe's, whatever the order or the payloads say.
func TestOutOfOrder(t *testing.T) {
	// No endpoint is registered with the sandbox: this test alone decides what arrives, and when.
	e := newEnv(t, options{})
	const secret = "whsec_out_of_order"
	e.keys.Set("test", secret)

	send := func(id, typ string, obj any) {
		t.Helper()
		raw, _ := json.Marshal(obj)
		body, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion, "created": time.Now().Unix(), "data": map[string]any{"object": json.RawMessage(raw)}})
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret})
		req, _ := http.NewRequest("POST", e.hook.URL, strings.NewReader(string(signed.Payload)))
		req.Header.Set("Stripe-Signature", signed.Header)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", id, res.StatusCode)
		}
	}
	outcome := func(id string) string {
		var got string
		eventually(t, "event "+id+" applied", func() bool {
			evs, _ := e.db.RecentEvents(e.ctx, 100)
			for _, ev := range evs {
				if ev.ID == id && ev.Outcome != tollgate.EventPending {
					got = ev.Outcome
					return true
				}
			}
			return false
		})
		return got
	}
	session := func(id string) (*stripe.CheckoutSession, *stripe.Subscription) {
		t.Helper()
		cs, err := e.stripe.V1CheckoutSessions.Retrieve(e.ctx, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := e.stripe.V1Subscriptions.Retrieve(e.ctx, cs.Subscription.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cs, sub
	}

	u := e.user("ada@example.com")
	r, err := e.billing.Checkout(e.ctx, u, billing.Monthly, false)
	if err != nil {
		t.Fatal(err)
	}
	cs, sub := session(e.pay(r.URL, "4242424242424242", ""))

	// subscription.updated first, with a stale payload: Tollgate re-reads Stripe instead of believing it.
	stale := map[string]any{"id": sub.ID, "object": "subscription", "customer": sub.Customer.ID, "status": "incomplete"}
	send("evt_ooo_1", "customer.subscription.updated", stale)
	if got := outcome("evt_ooo_1"); got != tollgate.EventApplied {
		t.Errorf("subscription.updated before checkout.session.completed: %s, want applied", got)
	}
	if got := e.onlySubscription(u); got.Status != tollgate.StatusActive || got.StripeID != sub.ID {
		t.Errorf("after the early event: %+v, want %s active as Stripe has it", got, sub.ID)
	}
	// The Events screen says the event was stale, and that Stripe's answer won.
	if ev, err := e.db.EventByID(e.ctx, "evt_ooo_1"); err != nil || ev.Effect == nil || len(ev.Effect.Subscriptions) != 1 || ev.Effect.Subscriptions[0].EventSaid != "incomplete" {
		t.Errorf("effect of the stale event = %+v (%v), want it to say the event said incomplete", ev, err)
	} else if x := billing.Explain(ev); !strings.Contains(x.Did, "The event said "+sub.ID+" was incomplete, but Stripe said active") {
		t.Errorf("explanation = %q, want the stale status named", x.Did)
	}
	// Then checkout.session.completed, twice: applied once, state unchanged.
	send("evt_ooo_2", "checkout.session.completed", cs)
	send("evt_ooo_2", "checkout.session.completed", cs)
	if got := outcome("evt_ooo_2"); got != tollgate.EventApplied {
		t.Fatalf("checkout.session.completed: %s, want applied", got)
	}
	if ev, err := e.db.EventByID(e.ctx, "evt_ooo_2"); err != nil || len(ev.Duplicates) != 1 {
		t.Errorf("evt_ooo_2 = %+v (%v), want its redelivery recorded as one skipped duplicate", ev, err)
	}
	if got := e.onlySubscription(u); got.Status != tollgate.StatusActive {
		t.Errorf("subscription = %+v, want active", got)
	}
	if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); err != nil {
		t.Errorf("premium: %v", err)
	}

	// A session made elsewhere on the account that names this user (another
	// app's or another learner's) must not hand its customer to the user.
	other := e.user("grace@example.com")
	foreign, err := e.stripe.V1CheckoutSessions.Create(e.ctx, &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String("subscription"),
		ClientReferenceID: stripe.String(strconv.FormatUint(other.ID, 10)),
		LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(e.mustPrice(billing.Monthly)), Quantity: stripe.Int64(1)}},
		SuccessURL:        stripe.String("http://127.0.0.1:9/checkout/success?session_id={CHECKOUT_SESSION_ID}"),
		CustomerEmail:     stripe.String("stranger@example.com"),
	})
	if err != nil {
		t.Fatal(err)
	}
	fcs, _ := session(e.pay(foreign.URL, "4242424242424242", ""))
	send("evt_ooo_3", "checkout.session.completed", fcs)
	if got := outcome("evt_ooo_3"); got != tollgate.EventIgnored {
		t.Errorf("a foreign session: %s, want ignored", got)
	}
	if _, err := e.db.CustomerByUser(e.ctx, other.ID); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("the foreign customer was linked to %s: %v", other.Email, err)
	}
	if _, err := e.billing.SyncCheckoutSession(e.ctx, fcs.ID); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("success page of a foreign session: %v, want not found", err)
	}
}

func TestSyncCheckoutSession(t *testing.T) {
	e := newEnv(t, options{})
	u := e.user("ada@example.com")
	r, err := e.billing.Checkout(e.ctx, u, billing.Monthly, false)
	if err != nil {
		t.Fatal(err)
	}
	id := r.URL[strings.LastIndex(r.URL, "/")+1:]
	// The success URL visited before paying (a guess, a back button): nothing was bought.
	if _, err := e.billing.SyncCheckoutSession(e.ctx, id); tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), "not complete") {
		t.Errorf("open session: %v, want invalid: not complete", err)
	}
	if _, err := e.billing.SyncCheckoutSession(e.ctx, "cs_nope"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("unknown session: %v, want not found", err)
	}
}

func (e *env) mustPrice(plan billing.Plan) string {
	e.t.Helper()
	prices, err := e.billing.Prices(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range prices {
		if p.Plan == plan {
			return p.ID
		}
	}
	e.t.Fatalf("no %s price", plan)
	return ""
}
