package billing_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/calls"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// loggedService is a billing service on e's sandbox whose calls go to log.
func (e *env) loggedService(t *testing.T, log *calls.Log) *billing.Service {
	t.Helper()
	s, err := billing.New(billing.Config{SecretKey: key, APIBase: e.sb.URL(), TestClocks: true, ReturnBase: "http://127.0.0.1:9", Install: install,
		HTTPClient: &http.Client{Transport: log.Transport(http.DefaultTransport)}}, e.db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) fault(t *testing.T, spec string) {
	t.Helper()
	sp, err := fault.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sb.AddFault(sp); err != nil {
		t.Fatal(err)
	}
}

// onStripe counts the customers and Checkout Sessions the sandbox holds for
// u, as the dashboard would show them.
func (e *env) onStripe(t *testing.T, u *tollgate.User) (customers, sessions int) {
	t.Helper()
	// Customers on a test clock are listed only by their clock, as in Stripe:
	// list the clocks, then each one's customers.
	for clk, err := range e.stripe.V1TestHelpersTestClocks.List(e.ctx, &stripe.TestHelpersTestClockListParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		for c, err := range e.stripe.V1Customers.List(e.ctx, &stripe.CustomerListParams{TestClock: stripe.String(clk.ID)}) {
			if err != nil {
				t.Fatal(err)
			}
			if c.Email != u.Email {
				continue
			}
			customers++
			for _, err := range e.stripe.V1CheckoutSessions.List(e.ctx, &stripe.CheckoutSessionListParams{Customer: stripe.String(c.ID)}) {
				if err != nil {
					t.Fatal(err)
				}
				sessions++
			}
		}
	}
	return customers, sessions
}

// tries are the logged tries of method path, oldest first.
func tries(log *calls.Log, method, path string) []calls.Call {
	var out []calls.Call
	for _, c := range log.Recent(1000) {
		if c.Method == method && c.Path == path {
			out = append([]calls.Call{c}, out...)
		}
	}
	return out
}

// TestSandboxFaults drives the billing code against each fault the sandbox
// plays: a click is retried where Stripe says it is safe, always with one
// Idempotency-Key, and never makes two customers or two Checkout Sessions.
func TestSandboxFaults(t *testing.T) {
	for _, tc := range []struct {
		name, spec, path string
		tries            int // logged tries of the faulted call, the last one answered
		// replayed: the work was done by a try whose answer was lost, and
		// the last try got Stripe's first answer. Go's HTTP client may send
		// that retry itself on a reused connection (the Idempotency-Key
		// makes the request replayable), unseen by the calls log, so the
		// logged tries are then 1 or 2.
		replayed bool
	}{
		{"500OnCustomer", "POST /v1/customers 500 x2", "/v1/customers", 3, false},
		{"429OnSession", "POST /v1/checkout/sessions 429=1s x2", "/v1/checkout/sessions", 3, false},
		{"SlowSession", "POST /v1/checkout/sessions slow=300ms x1", "/v1/checkout/sessions", 1, false},
		// The sandbox makes the session and drops the answer: the retry with
		// the same key is answered with that session instead of a second one.
		{"DropOnSession", "POST /v1/checkout/sessions drop x1", "/v1/checkout/sessions", 2, true},
		{"DropOnCustomer", "POST /v1/customers drop x1", "/v1/customers", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, options{})
			log := calls.New(1000)
			s := e.loggedService(t, log)
			u := e.user("ada@example.com")
			e.fault(t, tc.spec)
			r, err := s.Checkout(e.ctx, u, billing.Monthly, false)
			if err != nil {
				t.Fatalf("checkout through %q: %v", tc.spec, err)
			}
			if !strings.Contains(r.URL, "/checkout/cs_") {
				t.Errorf("redirect = %q, want a hosted Checkout page", r.URL)
			}
			if got := e.sb.Faults(); len(got) != 0 {
				t.Errorf("faults still in force after the click: %+v", got)
			}
			ts := tries(log, http.MethodPost, tc.path)
			if tc.replayed && len(ts) == 1 {
				tc.tries = 1 // retried inside Go's HTTP client
			}
			if len(ts) != tc.tries {
				t.Fatalf("%d tries of POST %s, want %d: %+v", len(ts), tc.path, tc.tries, ts)
			}
			for i, c := range ts {
				if c.IdempotencyKey == "" || c.IdempotencyKey != ts[0].IdempotencyKey || c.Attempt != i+1 {
					t.Errorf("try %d = key %q attempt %d, want key %q attempt %d", i+1, c.IdempotencyKey, c.Attempt, ts[0].IdempotencyKey, i+1)
				}
			}
			if last := ts[len(ts)-1]; last.Status != http.StatusOK || last.Replayed != tc.replayed {
				t.Errorf("last try answered %d, replayed %v, want 200, replayed %v", last.Status, last.Replayed, tc.replayed)
			}
			if c, sess := e.onStripe(t, u); c != 1 || sess != 1 {
				t.Errorf("Stripe holds %d customers and %d sessions for one click, want 1 and 1", c, sess)
			}
		})
	}

	t.Run("ErrStaysDownThenClear", func(t *testing.T) {
		e := newEnv(t, options{})
		log := calls.New(1000)
		s := e.loggedService(t, log)
		u := e.user("ada@example.com")
		e.fault(t, "POST /v1/checkout/sessions 500")
		_, err := s.Checkout(e.ctx, u, billing.Monthly, false)
		if msg := tollgate.ErrorMessage(err); tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(msg, "Stripe is having trouble just now") {
			t.Fatalf("err = %v, want the plain message that Stripe is having trouble", err)
		}
		if n := len(tries(log, http.MethodPost, "/v1/checkout/sessions")); n != 3 {
			t.Errorf("%d tries while Stripe stayed down, want 3", n)
		}
		if f := e.sb.Faults(); len(f) != 1 || f[0].Left != -1 || f[0].Hit != 3 {
			t.Errorf("faults = %+v, want the one in force until cleared, hit 3 times", f)
		}
		e.sb.ClearFaults()
		if _, err := s.Checkout(e.ctx, u, billing.Monthly, false); err != nil {
			t.Fatalf("checkout once cleared: %v", err)
		}
		if c, sess := e.onStripe(t, u); c != 1 || sess != 1 {
			t.Errorf("Stripe holds %d customers and %d sessions, want 1 and 1", c, sess)
		}
	})

	t.Run("ErrCustomerAnswersLostThenFound", func(t *testing.T) {
		// Stripe makes the customer but every answer is lost, so the click
		// fails; the next click finds that customer instead of making another.
		e := newEnv(t, options{})
		log := calls.New(1000)
		s := e.loggedService(t, log)
		u := e.user("ada@example.com")
		e.fault(t, "POST /v1/customers drop")
		if _, err := s.Checkout(e.ctx, u, billing.Monthly, false); tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE {
			t.Fatalf("err = %v, want unavailable: no answer ever came", err)
		}
		if c, _ := e.onStripe(t, u); c != 1 {
			t.Fatalf("Stripe holds %d customers after the lost answers, want the 1 it made", c)
		}
		e.sb.ClearFaults()
		before := len(tries(log, http.MethodPost, "/v1/customers"))
		if _, err := s.Checkout(e.ctx, u, billing.Monthly, false); err != nil {
			t.Fatalf("checkout once the answers come: %v", err)
		}
		if n := len(tries(log, http.MethodPost, "/v1/customers")) - before; n != 0 {
			t.Errorf("the second click created %d customers, want it to find the first", n)
		}
		if c, sess := e.onStripe(t, u); c != 1 || sess != 1 {
			t.Errorf("Stripe holds %d customers and %d sessions, want 1 and 1", c, sess)
		}
		local, err := e.db.CustomerByUser(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		onStripe, err := e.stripe.V1Customers.Retrieve(e.ctx, local.StripeID, nil)
		if err != nil || onStripe.Email != u.Email || onStripe.TestClock == nil || onStripe.TestClock.ID != local.TestClock {
			t.Errorf("the local customer %+v is not the one on Stripe (%+v, %v)", local, onStripe, err)
		}
	})

	t.Run("AnotherTollgatesCustomerIsNotTaken", func(t *testing.T) {
		// Two data folders on one account each number their users from 1:
		// the second Tollgate's Ada gets a customer of her own.
		e := newEnv(t, options{})
		u := e.user("ada@example.com")
		if _, err := e.billing.Checkout(e.ctx, u, billing.Monthly, false); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		other, err := billing.New(billing.Config{SecretKey: key, APIBase: e.sb.URL(), TestClocks: true, ReturnBase: "http://127.0.0.1:9", Install: "another-install"}, db)
		if err != nil {
			t.Fatal(err)
		}
		twin := &tollgate.User{Email: u.Email, Name: u.Name}
		if err := db.CreateUser(e.ctx, twin); err != nil || twin.ID != u.ID {
			t.Fatalf("the other Tollgate's user = %+v, %v; want the same number as %d", twin, err, u.ID)
		}
		if _, err := other.Checkout(e.ctx, twin, billing.Monthly, false); err != nil {
			t.Fatal(err)
		}
		mine, err := e.db.CustomerByUser(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := db.CustomerByUser(e.ctx, twin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := e.onStripe(t, u); c != 2 || mine.StripeID == theirs.StripeID {
			t.Errorf("%d customers on Stripe, %s and %s; want one for each Tollgate", c, mine.StripeID, theirs.StripeID)
		}
	})

	t.Run("ErrRetryAfterTooLong", func(t *testing.T) {
		// A Retry-After longer than Tollgate waits is not waited for: the
		// learner is told at once, after one try.
		e := newEnv(t, options{})
		log := calls.New(1000)
		s := e.loggedService(t, log)
		e.fault(t, "POST /v1/customers 429=30s")
		_, err := s.Checkout(e.ctx, e.user("ada@example.com"), billing.Monthly, false)
		if tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(tollgate.ErrorMessage(err), "429") {
			t.Fatalf("err = %v, want unavailable with Stripe's 429", err)
		}
		if n := len(tries(log, http.MethodPost, "/v1/customers")); n != 1 {
			t.Errorf("%d tries, want 1", n)
		}
	})
}
