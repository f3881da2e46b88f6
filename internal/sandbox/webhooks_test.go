package sandbox_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/sandbox"
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
	// A healthy endpoint gets events in creation order, which reads well
	// in a log. The app must not rely on it (Stripe does not promise it),
	// and a failing event does not hold up the rest: see
	// TestWebhookFailingEventDoesNotBlock.
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
	// The receiver records an event before it answers, so the sandbox may
	// not have recorded the answer of the last ones yet.
	waitFor(t, "every delivery recorded", func() bool {
		return !slices.ContainsFunc(e.srv.Deliveries(ep.ID), func(d sandbox.Delivery) bool { return d.State == "pending" })
	})
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

// picky is a webhook endpoint that answers 500 to the product named poison
// until healed, and 200 to everything else, recording what it accepted.
type picky struct {
	mu       sync.Mutex
	srv      *httptest.Server
	healed   bool
	accepted []string // product names, in arrival order
}

const pickySecret = "whsec_test_secret"

func newPicky(t *testing.T, poison string) *picky {
	p := &picky{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), pickySecret)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		name, _ := ev.Data.Object["name"].(string)
		p.mu.Lock()
		defer p.mu.Unlock()
		if name == poison && !p.healed {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		p.accepted = append(p.accepted, name)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *picky) heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.healed = true
}

func (p *picky) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.accepted)
}

// byName finds the delivery of the product.created event for a product.
func byName(t *testing.T, e *env, endpointID, productName string) sandbox.Delivery {
	t.Helper()
	for _, d := range e.srv.Deliveries(endpointID) {
		ev := must(e.sc.V1Events.Retrieve(context.Background(), d.EventID, nil))(t)
		if ev.Data.Object["name"] == productName {
			return d
		}
	}
	t.Fatalf("no delivery for product %q", productName)
	return sandbox.Delivery{}
}

// poisoned registers an endpoint that refuses the "Poison" product's event,
// creates that product and waits for the first failed attempt.
func (e *env) poisoned(t *testing.T) (*picky, *stripe.WebhookEndpoint) {
	t.Helper()
	ctx := context.Background()
	rcv := newPicky(t, "Poison")
	if err := e.srv.AddWebhookEndpoint(ctx, rcv.srv.URL, pickySecret); err != nil {
		t.Fatal(err)
	}
	ep := collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))[0]
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Poison")}))(t)
	waitFor(t, "the poison event to fail once", func() bool {
		ds := e.srv.Deliveries(ep.ID)
		return len(ds) == 1 && len(ds[0].Attempts) > 0
	})
	return rcv, ep
}

// TestWebhookFailingEventDoesNotBlock covers an endpoint that rejects one
// event: as on Stripe, later events still arrive while that one is retried
// on its own schedule, and it arrives once the endpoint takes it.
func TestWebhookFailingEventDoesNotBlock(t *testing.T) {
	// A retry window (20 × 50 ms) far longer than the later events take to
	// arrive, so the poison event is still pending, not given up, meanwhile.
	e := MustStart(t, func(c *sandbox.Config) { c.WebhookBackoff = slices.Repeat([]time.Duration{50 * time.Millisecond}, 20) })
	ctx := context.Background()
	rcv, ep := e.poisoned(t)
	for _, name := range []string{"After 1", "After 2"} {
		must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String(name)}))(t)
	}
	waitFor(t, "the later events", func() bool { return len(rcv.got()) == 2 })
	if got, want := rcv.got(), []string{"After 1", "After 2"}; !slices.Equal(got, want) {
		t.Fatalf("accepted %v, want %v", got, want)
	}
	if d := byName(t, e, ep.ID, "Poison"); d.State != "pending" || d.NextAt.IsZero() || d.Attempts[0].StatusCode != http.StatusInternalServerError {
		t.Fatalf("poison delivery while the others arrived: %+v", d)
	}

	rcv.heal()
	waitFor(t, "the poison event after healing", func() bool { return byName(t, e, ep.ID, "Poison").State != "pending" })
	d := byName(t, e, ep.ID, "Poison")
	last := d.Attempts[len(d.Attempts)-1]
	if d.State != "succeeded" || len(d.Attempts) < 2 || last.StatusCode != http.StatusOK || !d.NextAt.IsZero() {
		t.Fatalf("poison delivery after healing: %+v", d)
	}
	for _, a := range d.Attempts[:len(d.Attempts)-1] {
		if a.StatusCode != http.StatusInternalServerError {
			t.Fatalf("attempt before healing %+v, want 500", a)
		}
	}
	if got, want := rcv.got(), []string{"After 1", "After 2", "Poison"}; !slices.Equal(got, want) {
		t.Fatalf("accepted %v, want %v", got, want)
	}
	for _, name := range []string{"After 1", "After 2"} {
		if d := byName(t, e, ep.ID, name); d.State != "succeeded" || len(d.Attempts) != 1 {
			t.Fatalf("%s delivery %+v, want one successful attempt", name, d)
		}
	}
}

// TestWebhookDefaultBackoff covers the documented default schedule: long
// enough that an app restarted after an hour still gets its events.
func TestWebhookDefaultBackoff(t *testing.T) {
	e := MustStart(t, func(c *sandbox.Config) { c.WebhookBackoff = nil })
	want := []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}
	if got := e.srv.WebhookBackoff(); !slices.Equal(got, want) {
		t.Fatalf("default backoff %v, want %v", got, want)
	}

	// And the delivery worker uses it: the first retry is due a second
	// after the first failure. The test ends before it is made.
	ctx := context.Background()
	down := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	if err := e.srv.AddWebhookEndpoint(ctx, down.srv.URL, pickySecret); err != nil {
		t.Fatal(err)
	}
	ep := collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))[0]
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Later")}))(t)
	waitFor(t, "the first attempt", func() bool {
		ds := e.srv.Deliveries(ep.ID)
		return len(ds) == 1 && len(ds[0].Attempts) == 1
	})
	d := e.srv.Deliveries(ep.ID)[0]
	// The wait runs from the end of the attempt, so it is at least the
	// first step and, on a loopback request, not much more.
	if wait := d.NextAt.Sub(d.Attempts[0].At); d.State != "pending" || wait < want[0] || wait > want[0]+5*time.Second {
		t.Fatalf("delivery %+v: next attempt %v after the first, want about %v", d, wait, want[0])
	}
}

// TestWebhookResumeAfterReopen covers a delivery still being retried when
// the sandbox closes: it keeps its attempts and finishes after Open. Reset
// then drops what is pending, and delivery works on the fresh account.
func TestWebhookResumeAfterReopen(t *testing.T) {
	e := MustStart(t, func(c *sandbox.Config) { c.WebhookBackoff = slices.Repeat([]time.Duration{50 * time.Millisecond}, 40) })
	ctx := context.Background()
	rcv, ep := e.poisoned(t)

	e.restart()
	before := e.srv.Deliveries(ep.ID)
	if len(before) != 1 || before[0].State != "pending" || len(before[0].Attempts) == 0 {
		t.Fatalf("after reopen: %+v", before)
	}
	rcv.heal()
	waitFor(t, "delivery after reopen", func() bool { return e.srv.Deliveries(ep.ID)[0].State != "pending" })
	d := e.srv.Deliveries(ep.ID)[0]
	if d.State != "succeeded" || len(d.Attempts) <= len(before[0].Attempts) ||
		!d.Attempts[0].At.Equal(before[0].Attempts[0].At) || d.Attempts[len(d.Attempts)-1].StatusCode != http.StatusOK {
		t.Fatalf("after reopen and healing: %+v, before %+v", d, before[0])
	}
	if got := rcv.got(); !slices.Equal(got, []string{"Poison"}) {
		t.Fatalf("accepted %v", got)
	}

	// Reset forgets deliveries still pending; the new account's endpoints
	// get their events.
	rcv.mu.Lock()
	rcv.healed = false
	rcv.mu.Unlock()
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Poison")}))(t)
	waitFor(t, "a failed attempt", func() bool { return len(e.srv.Deliveries(ep.ID)) == 2 })
	if err := e.srv.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if ds := e.srv.Deliveries(ep.ID); len(ds) != 0 {
		t.Fatalf("deliveries after reset: %+v", ds)
	}
	if err := e.srv.AddWebhookEndpoint(ctx, rcv.srv.URL, pickySecret); err != nil {
		t.Fatal(err)
	}
	ep = collect(t, e.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}))[0]
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Fresh")}))(t)
	waitFor(t, "delivery after reset", func() bool {
		ds := e.srv.Deliveries(ep.ID)
		return len(ds) == 1 && ds[0].State == "succeeded"
	})
}

// TestWebhookDisabledEndpoint covers what Tollgate relies on when it
// disables its endpoint at quit: as on Stripe, a disabled endpoint is sent
// nothing, neither new events nor the retries it was owed, and an endpoint
// enabled again resumes those retries.
func TestWebhookDisabledEndpoint(t *testing.T) {
	e := MustStart(t, func(c *sandbox.Config) { c.WebhookBackoff = slices.Repeat([]time.Duration{20 * time.Millisecond}, 50) })
	ctx := context.Background()
	rcv, ep := e.poisoned(t)
	ep = must(e.sc.V1WebhookEndpoints.Update(ctx, ep.ID, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(true)}))(t)
	if ep.Status != "disabled" {
		t.Fatalf("status = %q, want disabled", ep.Status)
	}
	rcv.heal()
	must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("While disabled")}))(t)
	tries := len(byName(t, e, ep.ID, "Poison").Attempts)
	// Ten retry intervals: a worker that ignored the status would have sent by now.
	time.Sleep(200 * time.Millisecond)
	if got := rcv.got(); len(got) != 0 {
		t.Fatalf("a disabled endpoint was sent %v", got)
	}
	if d := byName(t, e, ep.ID, "Poison"); d.State != "pending" || len(d.Attempts) != tries {
		t.Fatalf("poison delivery while disabled: %+v, want pending with %d attempts", d, tries)
	}
	for _, d := range e.srv.Deliveries(ep.ID) {
		if ev := must(e.sc.V1Events.Retrieve(ctx, d.EventID, nil))(t); ev.Data.Object["name"] == "While disabled" {
			t.Fatalf("an event made while disabled was queued for the endpoint: %+v", d)
		}
	}

	must(e.sc.V1WebhookEndpoints.Update(ctx, ep.ID, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(false)}))(t)
	waitFor(t, "the owed retry after enabling", func() bool { return slices.Equal(rcv.got(), []string{"Poison"}) })
}
