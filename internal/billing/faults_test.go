package billing_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/calls"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// flaky stands between Tollgate and a sandbox and answers 503 to the first
// fail POSTs to path, as a Stripe having trouble would.
type flaky struct {
	mu   sync.Mutex
	path string
	fail int
}

func (e *env) flakyService(t *testing.T, f *flaky, log *calls.Log) *billing.Service {
	t.Helper()
	target, _ := url.Parse(e.sb.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		hit := r.Method == http.MethodPost && r.URL.Path == f.path && f.fail != 0
		if hit && f.fail > 0 {
			f.fail--
		}
		f.mu.Unlock()
		if hit {
			w.Header().Set("Stripe-Should-Retry", "true")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"type":"api_error","message":"Service unavailable"}}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	s, err := billing.New(billing.Config{SecretKey: key, APIBase: ts.URL, TestClocks: true, ReturnBase: "http://127.0.0.1:9",
		HTTPClient: &http.Client{Transport: log.Transport(http.DefaultTransport)}}, e.db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStripeFaults(t *testing.T) {
	t.Run("RetriedWithOneIdempotencyKey", func(t *testing.T) {
		// Two 503s, then Stripe answers: the click still makes one customer and
		// one session, and the calls view shows the three tries of one request.
		e := newEnv(t, options{})
		log := calls.New(100)
		s := e.flakyService(t, &flaky{path: "/v1/customers", fail: 2}, log)
		u := e.user("ada@example.com")
		if _, err := s.Checkout(e.ctx, u, billing.Monthly, false); err != nil {
			t.Fatalf("checkout through two 503s: %v", err)
		}
		var tries []calls.Call
		for _, c := range log.Recent(100) {
			if c.Path == "/v1/customers" && c.Method == http.MethodPost {
				tries = append([]calls.Call{c}, tries...)
			}
		}
		if len(tries) != 3 || tries[0].Status != 503 || tries[2].Status != 200 || tries[2].Attempt != 3 || tries[0].IdempotencyKey == "" || tries[0].IdempotencyKey != tries[2].IdempotencyKey {
			t.Errorf("tries = %+v, want three of one request with one key, the last answered", tries)
		}
		c, err := e.db.CustomerByUser(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Customers on a test clock are listed only by their clock, as in Stripe.
		n := 0
		for _, err := range e.stripe.V1Customers.List(e.ctx, &stripe.CustomerListParams{TestClock: stripe.String(c.TestClock)}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 1 {
			t.Errorf("%d customers on the account, want one", n)
		}
	})

	t.Run("ErrStripeStaysDown", func(t *testing.T) {
		e := newEnv(t, options{})
		s := e.flakyService(t, &flaky{path: "/v1/customers", fail: -1}, calls.New(100))
		_, err := s.Checkout(e.ctx, e.user("ada@example.com"), billing.Monthly, false)
		if msg := tollgate.ErrorMessage(err); tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(msg, "Stripe is having trouble just now") || !strings.Contains(msg, "Nothing was done twice") {
			t.Errorf("err = %v, want a plain message that Stripe is down and nothing was doubled", err)
		}
		if c, err := e.db.CustomerByUser(e.ctx, 1); err == nil {
			t.Errorf("a customer %s was recorded though Stripe never made it", c.StripeID)
		}
	})
}
