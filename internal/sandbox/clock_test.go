package sandbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/sandbox"
)

// TestListCustomersTestClock covers what stripe-go documents on
// CustomerListParams: customers on a test clock are left out unless the
// clock is asked for.
func TestListCustomersTestClock(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	clk, onClock := e.clockCustomer()
	plain := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String(onClock.Email)}))(t)

	ids := func(p *stripe.CustomerListParams) []string {
		var out []string
		for _, cu := range collect(t, e.sc.V1Customers.List(ctx, p)) {
			out = append(out, cu.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		p    *stripe.CustomerListParams
		want string
	}{
		{"All", &stripe.CustomerListParams{}, plain.ID},
		{"ByEmail", &stripe.CustomerListParams{Email: stripe.String(onClock.Email)}, plain.ID},
		{"ByClock", &stripe.CustomerListParams{TestClock: stripe.String(clk.ID)}, onClock.ID},
		{"ByEmailAndClock", &stripe.CustomerListParams{Email: stripe.String(onClock.Email), TestClock: stripe.String(clk.ID)}, onClock.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.p); len(got) != 1 || got[0] != tc.want {
				t.Fatalf("customers = %v, want [%s]", got, tc.want)
			}
		})
	}
}

// TestClockAdvanceLimit covers Stripe's limit on one advance: two intervals
// of the shortest subscription interval on the clock, or two years.
func TestClockAdvanceLimit(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	advance := func(clockID string, to time.Time) error {
		_, err := e.sc.V1TestHelpersTestClocks.Advance(ctx, clockID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())})
		return err
	}
	wantRefused := func(t *testing.T, err error) {
		t.Helper()
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeInvalidRequest || se.Param != "frozen_time" {
			t.Fatalf("got %d %s param %q, want 400 invalid_request_error naming frozen_time", se.HTTPStatusCode, se.Type, se.Param)
		}
	}

	t.Run("Monthly", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		from := t0.AddDate(0, 0, 31)
		e.advance(clk.ID, from)
		wantRefused(t, advance(clk.ID, from.AddDate(0, 3, 0)))
		e.advance(clk.ID, from.AddDate(0, 2, 0))
	})
	t.Run("Yearly", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		e.subscribe(sessionOpts{customer: cu.ID, price: c.yearly.ID}, "4242424242424242")
		from := t0.AddDate(0, 13, 0) // far past a monthly plan's limit
		e.advance(clk.ID, from)
		wantRefused(t, advance(clk.ID, from.AddDate(2, 0, 1)))
		e.advance(clk.ID, from.AddDate(2, 0, 0))
	})
	t.Run("NoSubscriptions", func(t *testing.T) {
		clk, _ := e.clockCustomer()
		wantRefused(t, advance(clk.ID, t0.AddDate(2, 0, 1)))
		e.advance(clk.ID, t0.AddDate(2, 0, 0))
	})
	t.Run("ShortestWins", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		e.subscribe(sessionOpts{customer: cu.ID, price: c.yearly.ID}, "4242424242424242")
		e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		wantRefused(t, advance(clk.ID, t0.AddDate(0, 3, 0)))
	})
}

// errorLog records the sandbox's error logs.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= slog.LevelError }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler             { return l }
func (l *errorLog) WithGroup(string) slog.Handler                  { return l }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += fmt.Sprintf(" %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, msg)
	return nil
}

func (l *errorLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

// TestCloseDuringAdvance closes the sandbox while a request is running a
// long clock advance: Close waits for the advance to stop at its next step,
// the advance touches nothing after Close, and the next Open finishes it.
func TestCloseDuringAdvance(t *testing.T) {
	// A failing card retried every minute makes an advance of many steps.
	const retries = 300
	var schedule []time.Duration
	for i := range retries {
		schedule = append(schedule, time.Duration(i+1)*time.Minute)
	}
	logs := &errorLog{}
	cfg := sandbox.Config{Path: filepath.Join(t.TempDir(), "sandbox.db"), Now: func() time.Time { return t0 },
		Logger: slog.New(logs), RetrySchedule: schedule, TickInterval: time.Hour}
	open := func() (*sandbox.Sandbox, *httptest.Server, *env) {
		sb := must(sandbox.Open(cfg))(t)
		hs := httptest.NewServer(sb.Handler())
		e := &env{t: t, sc: newClient(hs.URL, testKey), cfg: cfg,
			http: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		return sb, hs, e
	}
	sb, hs, e := open()
	ctx := context.Background()
	c := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 1}, "4000000000000341")

	// Past the trial, the hour its invoice stays a draft, every retry, and an hour more.
	target := t0.AddDate(0, 0, 1).Add(time.Hour + retries*time.Minute + time.Hour)
	advanced := make(chan error, 1)
	go func() {
		_, err := e.sc.V1TestHelpersTestClocks.Advance(ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(target.Unix())})
		advanced <- err
	}()
	// Reads run between the advance's steps.
	for must(e.sc.V1TestHelpersTestClocks.Retrieve(ctx, clk.ID, nil))(t).FrozenTime == t0.Unix() {
		time.Sleep(time.Millisecond)
	}
	if err := sb.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := <-advanced; err != nil {
		t.Fatalf("advance: %v", err)
	}
	hs.Close()
	if msgs := logs.all(); len(msgs) > 0 {
		t.Fatalf("the advance ran on after Close: %q", msgs[:min(3, len(msgs))])
	}

	sb, hs, e = open()
	defer func() {
		hs.Close()
		if err := sb.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	waitFor(t, "the advance to resume and finish", func() bool {
		return must(e.sc.V1TestHelpersTestClocks.Retrieve(ctx, clk.ID, nil))(t).Status == stripe.TestHelpersTestClockStatusReady
	})
	if got := must(e.sc.V1TestHelpersTestClocks.Retrieve(ctx, clk.ID, nil))(t).FrozenTime; got != target.Unix() {
		t.Fatalf("frozen_time = %d, want %d", got, target.Unix())
	}
	// Every retry ran exactly once across the two runs.
	if got := e.subscription(sub.ID).LatestInvoice.AttemptCount; got != retries+1 {
		t.Fatalf("attempt_count = %d, want %d", got, retries+1)
	}
	if msgs := logs.all(); len(msgs) > 0 {
		t.Fatalf("errors: %q", msgs)
	}
}
