package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/sandbox"
)

const testKey = "sk_test_tollgate"

// t0 is where test clocks start: a fixed instant so periods are predictable.
var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// fakeNow is an injectable wall clock for objects not on a test clock.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeNow) Add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

type env struct {
	t    testing.TB
	srv  *sandbox.Server
	sc   *stripe.Client
	now  *fakeNow
	cfg  sandbox.Config
	http *http.Client // for hosted pages: does not follow redirects
}

// MustStart serves a sandbox on 127.0.0.1 with a file in t.TempDir() and a
// stripe-go client pointed at it; both stop when the test ends.
func MustStart(t testing.TB, opts ...func(*sandbox.Config)) *env {
	t.Helper()
	now := &fakeNow{t: t0}
	cfg := sandbox.Config{
		Path:           filepath.Join(t.TempDir(), "sandbox.db"),
		Now:            now.Now,
		WebhookBackoff: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond},
		TickInterval:   10 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, now: now, cfg: cfg}
	e.start()
	t.Cleanup(func() {
		if err := e.srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return e
}

func (e *env) start() {
	e.t.Helper()
	srv, err := sandbox.Start(context.Background(), e.cfg, "127.0.0.1:0")
	if err != nil {
		e.t.Fatalf("start: %v", err)
	}
	e.srv = srv
	e.sc = newClient(srv.URL(), testKey)
	e.http = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// restart closes the sandbox and opens the same file again.
func (e *env) restart() {
	e.t.Helper()
	if err := e.srv.Close(); err != nil {
		e.t.Fatalf("close: %v", err)
	}
	e.start()
}

func newClient(baseURL, key string) *stripe.Client {
	return stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL:               stripe.String(baseURL),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
}

// must turns a (value, error) pair into the value, failing the test on an
// error: must(call())(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func collect[T any](t testing.TB, seq stripe.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		out = append(out, v)
	}
	return out
}

// catalog is the demo catalog of the guide: one product with monthly and
// yearly prices and two features.
type catalog struct {
	product         *stripe.Product
	monthly, yearly *stripe.Price
	features        []*stripe.EntitlementsFeature
}

func (e *env) catalog() catalog {
	t, ctx, sc := e.t, context.Background(), e.sc
	t.Helper()
	var c catalog
	c.product = must(sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Tollgate Pro")}))(t)
	c.monthly = must(sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{
		Product: stripe.String(c.product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, LookupKey: stripe.String("pro_monthly"),
	}))(t)
	c.yearly = must(sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{
		Product: stripe.String(c.product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(10000),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")}, LookupKey: stripe.String("pro_yearly"),
	}))(t)
	for _, key := range []string{"test-access", "test-access-2"} {
		f := must(sc.V1EntitlementsFeatures.Create(ctx, &stripe.EntitlementsFeatureCreateParams{Name: stringsTitle(key), LookupKey: stripe.String(key)}))(t)
		must(sc.V1ProductFeatures.Create(ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(c.product.ID), EntitlementFeature: stripe.String(f.ID)}))(t)
		c.features = append(c.features, f)
	}
	return c
}

func stringsTitle(s string) *string { return stripe.String(strings.ToUpper(s[:1]) + s[1:]) }

// clockCustomer makes a test clock at t0 and a customer living on it.
func (e *env) clockCustomer() (*stripe.TestHelpersTestClock, *stripe.Customer) {
	ctx := context.Background()
	clk := must(e.sc.V1TestHelpersTestClocks.Create(ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(t0.Unix()), Name: stripe.String("test")}))(e.t)
	cu := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("learner@example.com"), TestClock: stripe.String(clk.ID)}))(e.t)
	return clk, cu
}

type sessionOpts struct {
	customer   string
	price      string
	trialDays  int64
	allowPromo bool
}

func (e *env) session(o sessionOpts) *stripe.CheckoutSession {
	p := &stripe.CheckoutSessionCreateParams{
		Mode:       stripe.String("subscription"),
		LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(o.price), Quantity: stripe.Int64(1)}},
		SuccessURL: stripe.String("http://app.example/success?session_id={CHECKOUT_SESSION_ID}"),
		CancelURL:  stripe.String("http://app.example/cancel"),
	}
	if o.customer != "" {
		p.Customer = stripe.String(o.customer)
	} else {
		p.CustomerEmail = stripe.String("new@example.com")
	}
	if o.trialDays > 0 {
		p.SubscriptionData = &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(o.trialDays)}
	}
	if o.allowPromo {
		p.AllowPromotionCodes = stripe.Bool(true)
	}
	return must(e.sc.V1CheckoutSessions.Create(context.Background(), p))(e.t)
}

// pay submits the hosted Checkout form, as a customer in London fills it,
// and returns the status and body.
func (e *env) pay(sessionURL, card, promo string) (int, string, http.Header) {
	e.t.Helper()
	return e.post(sessionURL, checkoutForm(card, promo))
}

// checkoutForm is the hosted Checkout form filled with card and promo.
func checkoutForm(card, promo string) url.Values {
	return url.Values{"card_number": {card}, "card_expiry": {"12/34"}, "card_cvc": {"123"}, "promotion_code": {promo},
		"country": {"GB"}, "postal_code": {"SW1A 1AA"}}
}

func (e *env) post(target string, form url.Values) (int, string, http.Header) {
	e.t.Helper()
	res := must(e.http.PostForm(target, form))(e.t)
	defer res.Body.Close()
	body := must(io.ReadAll(res.Body))(e.t)
	return res.StatusCode, string(body), res.Header
}

func (e *env) get(target string) (int, string) {
	e.t.Helper()
	res := must(e.http.Get(target))(e.t)
	defer res.Body.Close()
	body := must(io.ReadAll(res.Body))(e.t)
	return res.StatusCode, string(body)
}

// subscribe runs a full checkout for the customer and returns the subscription.
func (e *env) subscribe(o sessionOpts, card string) *stripe.Subscription {
	e.t.Helper()
	cs := e.session(o)
	if status, body, _ := e.pay(cs.URL, card, ""); status != http.StatusSeeOther {
		e.t.Fatalf("pay: status %d: %s", status, body)
	}
	p := &stripe.CheckoutSessionRetrieveParams{}
	p.AddExpand("subscription")
	cs = must(e.sc.V1CheckoutSessions.Retrieve(context.Background(), cs.ID, p))(e.t)
	return cs.Subscription
}

func (e *env) advance(clockID string, to time.Time) {
	e.t.Helper()
	ctx := context.Background()
	must(e.sc.V1TestHelpersTestClocks.Advance(ctx, clockID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())}))(e.t)
	clk := must(e.sc.V1TestHelpersTestClocks.Retrieve(ctx, clockID, nil))(e.t)
	if got, want := clk.Status, stripe.TestHelpersTestClockStatusReady; got != want {
		e.t.Fatalf("clock status after advance = %s, want %s", got, want)
	}
}

func (e *env) subscription(id string) *stripe.Subscription {
	p := &stripe.SubscriptionRetrieveParams{}
	p.AddExpand("latest_invoice")
	return must(e.sc.V1Subscriptions.Retrieve(context.Background(), id, p))(e.t)
}

func (e *env) entitlements(customerID string) []string {
	var keys []string
	for _, ae := range collect(e.t, e.sc.V1EntitlementsActiveEntitlements.List(context.Background(), &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(customerID)})) {
		keys = append(keys, ae.LookupKey)
	}
	return keys
}

// eventTypes lists the account's events of the given types, oldest first.
func (e *env) eventTypes(types ...string) []string {
	var out []string
	for _, ev := range collect(e.t, e.sc.V1Events.List(context.Background(), &stripe.EventListParams{})) {
		if len(types) == 0 || contains(types, string(ev.Type)) {
			out = append([]string{string(ev.Type)}, out...)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func count(list []string, v string) int {
	n := 0
	for _, x := range list {
		if x == v {
			n++
		}
	}
	return n
}

// receiver is a webhook endpoint on 127.0.0.1 that verifies each event with
// stripe-go's webhook package and records it.
type receiver struct {
	mu     sync.Mutex
	srv    *httptest.Server
	secret string
	events []stripe.Event
	errs   []error
	status func(n int) int // answer for the n-th request (0-based)
	calls  int
}

func newReceiver(t testing.TB, status func(int) int) *receiver {
	r := &receiver{status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := r.calls
		r.calls++
		secret := r.secret
		r.mu.Unlock()
		code := http.StatusOK
		if r.status != nil {
			code = r.status(n)
		}
		if code < 300 {
			ev, err := webhook.ConstructEvent(body, req.Header.Get("Stripe-Signature"), secret)
			r.mu.Lock()
			if err != nil {
				r.errs = append(r.errs, err)
			} else {
				r.events = append(r.events, ev)
			}
			r.mu.Unlock()
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() ([]stripe.Event, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stripe.Event(nil), r.events...), append([]error(nil), r.errs...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
