package billing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/webhook"
)

const key = "sk_test_billing_tests"

// install names the tests' Tollgate on the sandbox, as Settings.InstallID does the app's.
const install = "test-install"

// env is the app's billing code against a real sandbox over HTTP, with the
// real webhook handler receiving the sandbox's signed events.
type env struct {
	t       testing.TB
	ctx     context.Context
	sb      *sandbox.Server
	db      *store.DB
	billing *billing.Service
	stripe  *stripe.Client // for checks from Stripe's side, as a learner would with the dashboard
	hook    *httptest.Server
	wh      *webhook.Handler // what serves hook
	keys    *webhook.Keyring // the webhook handler's signing secrets
	epID    string           // the app's endpoint on the sandbox, with webhooks
}

type options struct {
	webhooks bool            // register the app's endpoint, so events flow
	backoff  []time.Duration // the sandbox's redelivery waits; default one of 50 ms
}

func newEnv(t testing.TB, o options) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if o.backoff == nil {
		o.backoff = []time.Duration{50 * time.Millisecond}
	}
	sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(t.TempDir(), "sandbox.db"), WebhookBackoff: o.backoff}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), sb: sb, db: db}
	e.billing = e.service(sb.URL())
	e.stripe = stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{URL: stripe.String(sb.URL())})))
	if _, err := e.billing.Bootstrap(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.keys = &webhook.Keyring{}
	wh := webhook.New(webhook.Options{Events: db, Applier: e.billing, Keys: e.keys})
	wh.Start(ctx)
	e.wh = wh
	e.hook = httptest.NewServer(wh)
	if o.webhooks {
		ep, err := e.billing.EnsureWebhookEndpoint(e.ctx, e.hook.URL, []string{"*"}, tollgate.WebhookEndpoint{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.keys.Set("endpoint", ep.Secret)
		e.epID = ep.ID
	}
	t.Cleanup(func() {
		e.hook.Close()
		cancel()
		wh.Wait()
		sb.Close()
		db.Close()
	})
	return e
}

// service builds a billing service on e's store pointed at base.
func (e *env) service(base string) *billing.Service {
	e.t.Helper()
	s, err := billing.New(billing.Config{SecretKey: key, APIBase: base, TestClocks: true, ReturnBase: "http://127.0.0.1:9", Install: install}, e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) user(email string) *tollgate.User {
	e.t.Helper()
	u := &tollgate.User{Email: email, Name: strings.Split(email, "@")[0]}
	if err := e.db.CreateUser(e.ctx, u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// pay fills in the hosted Checkout page as a person would and returns the
// session id from the success URL it redirects to.
func (e *env) pay(checkoutURL, card, promo string) string {
	e.t.Helper()
	res := postForm(e.t, checkoutURL, url.Values{"card_number": {card}, "card_expiry": {"12/34"}, "card_cvc": {"123"}, "promotion_code": {promo},
		"country": {"GB"}, "postal_code": {"SW1A 1AA"}})
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("checkout answered %d, want 303", res.StatusCode)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Path != tollgate.CheckoutSuccessPath {
		e.t.Fatalf("redirected to %q, want the success page", res.Header.Get("Location"))
	}
	return loc.Query().Get("session_id")
}

// subscribe runs Checkout for u and returns after the success page's sync.
func (e *env) subscribe(u *tollgate.User, plan billing.Plan, trial bool, card, promo string) {
	e.t.Helper()
	r, err := e.billing.Checkout(e.ctx, u, plan, trial)
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Portal {
		e.t.Fatal("sent to the portal, want Checkout")
	}
	id := e.pay(r.URL, card, promo)
	if got, err := e.billing.SyncCheckoutSession(e.ctx, id); err != nil || got != u.ID {
		e.t.Fatalf("SyncCheckoutSession = %d, %v; want user %d", got, err, u.ID)
	}
}

// portal posts a Billing Portal action for the user's only subscription.
func (e *env) portal(u *tollgate.User, action string) {
	e.t.Helper()
	r, err := e.billing.Portal(e.ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	sub := e.onlySubscription(u)
	if res := postForm(e.t, r.URL, url.Values{"action": {action}, "subscription": {sub.StripeID}}); res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("portal %s answered %d, want 303", action, res.StatusCode)
	}
}

func (e *env) status(u *tollgate.User) billing.Status {
	e.t.Helper()
	st, err := e.billing.Status(e.ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func (e *env) onlySubscription(u *tollgate.User) *tollgate.Subscription {
	e.t.Helper()
	st := e.status(u)
	if len(st.Subscriptions) != 1 {
		e.t.Fatalf("%d subscriptions, want 1", len(st.Subscriptions))
	}
	return &st.Subscriptions[0]
}

func (e *env) access(u *tollgate.User) billing.Access {
	e.t.Helper()
	a, err := e.billing.Access(e.ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// eventually polls cond until it holds or 10 s pass: webhooks are asynchronous.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func postForm(t testing.TB, u string, v url.Values) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// counter is a Stripe that counts its callers and fails every call with
// status: proof that a code path makes no Stripe call, and a way to see how
// the app reports a Stripe that refuses.
func counter(t testing.TB, status int) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_***x"}}`)
	}))
	t.Cleanup(ts.Close)
	return ts, &n
}
