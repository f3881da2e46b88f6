package sandbox_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

func TestWebhookDelivery(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	rcv := newReceiver(t, nil)
	ep := must(e.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(rcv.srv.URL + "/payments/event"), EnabledEvents: stripe.StringSlice([]string{"*"}),
		APIVersion: stripe.String(stripe.APIVersion),
	}))(t)
	if len(ep.Secret) < 10 || ep.Secret[:6] != "whsec_" {
		t.Fatalf("secret = %q", ep.Secret)
	}
	rcv.mu.Lock()
	rcv.secret = ep.Secret
	rcv.mu.Unlock()

	c := e.catalog()
	clk, cu := e.clockCustomer()
	e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 14}, "4242424242424242")
	e.advance(clk.ID, t0.AddDate(0, 0, 15))

	var want []string
	for _, ev := range collect(t, e.sc.V1Events.List(ctx, &stripe.EventListParams{})) {
		want = append([]string{ev.ID}, want...)
	}
	waitFor(t, "all events delivered", func() bool {
		evs, errs := rcv.snapshot()
		return len(evs)+len(errs) >= len(want)
	})
	evs, errs := rcv.snapshot()
	if len(errs) > 0 {
		t.Fatalf("ConstructEvent rejected deliveries: %v", errs)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("delivered in order %v\nwant %v", got, want)
	}
	for _, ev := range evs {
		if ev.Type == "entitlements.active_entitlement_summary.updated" {
			if ev.Data.Object["object"] != "entitlements.active_entitlement_summary" || ev.Data.Object["customer"] != cu.ID {
				t.Fatalf("summary = %v", ev.Data.Object)
			}
		}
	}
	for _, d := range e.srv.Deliveries(ep.ID) {
		if d.State != "succeeded" || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != http.StatusOK {
			t.Fatalf("delivery %+v", d)
		}
	}

	t.Run("EndpointAPI", func(t *testing.T) {
		got := must(e.sc.V1WebhookEndpoints.Retrieve(ctx, ep.ID, nil))(t)
		if got.Secret != "" || got.URL != ep.URL {
			t.Fatalf("retrieve = %+v", got)
		}
		up := must(e.sc.V1WebhookEndpoints.Update(ctx, ep.ID, &stripe.WebhookEndpointUpdateParams{EnabledEvents: stripe.StringSlice([]string{"invoice.paid"})}))(t)
		if !slices.Equal(up.EnabledEvents, []string{"invoice.paid"}) {
			t.Fatalf("enabled_events = %v", up.EnabledEvents)
		}
		if n := len(collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))); n != 1 {
			t.Fatalf("%d endpoints", n)
		}
		del := must(e.sc.V1WebhookEndpoints.Delete(ctx, ep.ID, nil))(t)
		if !del.Deleted {
			t.Fatal("not deleted")
		}
		_, err := e.sc.V1WebhookEndpoints.Retrieve(ctx, ep.ID, nil)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound {
			t.Fatalf("after delete: %d", se.HTTPStatusCode)
		}
	})
}

func TestWebhookRetry(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	flaky := newReceiver(t, func(n int) int {
		if n < 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	down := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	const secret = "whsec_test_secret"
	flaky.secret = secret
	for _, r := range []*receiver{flaky, down} {
		if err := e.srv.AddWebhookEndpoint(ctx, r.srv.URL, secret); err != nil {
			t.Fatal(err)
		}
	}
	// Registering again updates rather than duplicates.
	if err := e.srv.AddWebhookEndpoint(ctx, flaky.srv.URL, secret); err != nil {
		t.Fatal(err)
	}
	eps := collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))
	if len(eps) != 2 {
		t.Fatalf("%d endpoints, want 2", len(eps))
	}
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Retry me")}))(t)

	byURL := map[string]string{}
	for _, ep := range eps {
		byURL[ep.URL] = ep.ID
	}
	waitFor(t, "retries to finish", func() bool {
		a, b := e.srv.Deliveries(byURL[flaky.srv.URL]), e.srv.Deliveries(byURL[down.srv.URL])
		return len(a) == 1 && a[0].State != "pending" && len(b) == 1 && b[0].State != "pending"
	})
	d := e.srv.Deliveries(byURL[flaky.srv.URL])[0]
	if d.State != "succeeded" || d.EventType != "product.created" || len(d.Attempts) != 3 ||
		d.Attempts[0].StatusCode != 500 || d.Attempts[2].StatusCode != 200 {
		t.Fatalf("flaky delivery %+v", d)
	}
	if evs, errs := flaky.snapshot(); len(evs) != 1 || len(errs) != 0 {
		t.Fatalf("flaky receiver: %d events, errors %v", len(evs), errs)
	}
	d = e.srv.Deliveries(byURL[down.srv.URL])[0]
	if d.State != "failed" || len(d.Attempts) != 4 || d.Attempts[3].StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("down delivery %+v", d)
	}
}

func TestPersistenceAndReset(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 3}, "4242424242424242")
	if err := e.srv.AddWebhookEndpoint(ctx, "http://127.0.0.1:1/hook", "whsec_persist"); err != nil {
		t.Fatal(err)
	}

	e.restart()
	if got := e.subscription(sub.ID); got.Status != stripe.SubscriptionStatusTrialing {
		t.Fatalf("after reopen: %s", got.Status)
	}
	if got := must(e.sc.V1TestHelpersTestClocks.Retrieve(ctx, clk.ID, nil))(t); got.FrozenTime != t0.Unix() {
		t.Fatalf("clock frozen_time %d", got.FrozenTime)
	}
	if n := len(collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))); n != 1 {
		t.Fatalf("%d endpoints after reopen", n)
	}
	if got := e.entitlements(cu.ID); len(got) != 2 {
		t.Fatalf("entitlements after reopen %v", got)
	}
	// The reopened sandbox keeps working: ids and lifecycle continue.
	e.advance(clk.ID, t0.AddDate(0, 0, 4))
	if got := e.subscription(sub.ID); got.Status != stripe.SubscriptionStatusActive {
		t.Fatalf("after advance: %s", got.Status)
	}

	if err := e.srv.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(collect(t, e.sc.V1Products.List(ctx, &stripe.ProductListParams{}))); n != 0 {
		t.Fatalf("%d products after reset", n)
	}
	_, err := e.sc.V1Customers.Retrieve(ctx, cu.ID, nil)
	if se := stripeErr(t, err); se.Code != stripe.ErrorCodeResourceMissing {
		t.Fatalf("customer after reset: %s", se.Code)
	}
	e.restart()
	if n := len(collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))); n != 0 {
		t.Fatalf("%d endpoints after reset and reopen", n)
	}
}

// TestWebhookRedirect covers an endpoint that answers with a redirect:
// Stripe does not follow it and counts the attempt as failed, where a
// followed 302 would turn the POST into a GET and record success.
func TestWebhookRedirect(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	var mu sync.Mutex
	landed := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/landed", http.StatusFound) })
	mux.HandleFunc("/landed", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		landed++
		mu.Unlock()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if err := e.srv.AddWebhookEndpoint(ctx, srv.URL+"/hook", "whsec_test_secret"); err != nil {
		t.Fatal(err)
	}
	ep := collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))[0]
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Redirect me")}))(t)
	waitFor(t, "delivery to give up", func() bool {
		ds := e.srv.Deliveries(ep.ID)
		return len(ds) == 1 && ds[0].State != "pending"
	})
	d := e.srv.Deliveries(ep.ID)[0]
	if d.State != "failed" || len(d.Attempts) != len(e.cfg.WebhookBackoff)+1 {
		t.Fatalf("delivery %+v, want failed after every attempt", d)
	}
	for _, a := range d.Attempts {
		if a.StatusCode != http.StatusFound || a.Err == "" {
			t.Fatalf("attempt %+v, want an unfollowed 302", a)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if landed != 0 {
		t.Fatalf("the redirect was followed %d times", landed)
	}
}

// TestCloseDropsIdleConnections covers Close: the keep-alive connection
// to a webhook endpoint must not outlive the sandbox.
func TestCloseDropsIdleConnections(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	var mu sync.Mutex
	states := map[net.Conn]http.ConnState{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		states[c] = s
	}
	srv.Start()
	t.Cleanup(srv.Close)
	if err := e.srv.AddWebhookEndpoint(ctx, srv.URL, "whsec_test_secret"); err != nil {
		t.Fatal(err)
	}
	ep := collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))[0]
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Deliver me")}))(t)
	waitFor(t, "delivery", func() bool {
		ds := e.srv.Deliveries(ep.ID)
		return len(ds) == 1 && ds[0].State == "succeeded"
	})
	e.restart()
	open := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, s := range states {
			if s != http.StateClosed && s != http.StateHijacked {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(2 * time.Second)
	for open() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections from the closed sandbox still open", open())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
