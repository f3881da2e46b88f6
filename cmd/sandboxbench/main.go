// Command sandboxbench measures `tollgate sandbox` against stripe-mock in
// the same run, as a client sees them: stripe-go over loopback HTTP, 16
// clients at once. It starts both programs itself (on free loopback ports,
// the sandbox on a new data folder), measures each operation on the empty
// account, fills the account to -fill objects, measures again, and prints
// one line per measurement:
//
//	BENCH sandbox op=<name> ops_per_s= p99_ms= mock_ops_per_s= ratio_to_mock= objects_before=
//
// It is a command of its own, not a Go benchmark, because what it measures
// is the built binary against another program, both over the network: the
// sandbox's Go benchmarks (internal/sandbox/bench_test.go) profile its
// code in process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/loadgen"
)

const key = "sk_test_sandboxbench"

func main() {
	tollgate := flag.String("tollgate", "build/bin/tollgate", "the tollgate binary")
	mock := flag.String("stripe-mock", "build/tools/stripe-mock", "the stripe-mock binary (v0.203.0)")
	clients := flag.Int("clients", 16, "requests in flight at once")
	calls := flag.Int("calls", 3000, "calls per measurement")
	fill := flag.Int("fill", 20000, "objects the account holds for the second measurement")
	flag.Parse()
	if err := run(*tollgate, *mock, *clients, *calls, *fill); err != nil {
		fmt.Fprintln(os.Stderr, "sandboxbench:", err)
		os.Exit(1)
	}
}

func run(tollgate, mock string, clients, calls, fill int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "sandboxbench")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	sbAddr, err := freeAddr()
	if err != nil {
		return err
	}
	sb, err := start(ctx, tollgate, "sandbox", "--data", filepath.Join(dir, "data"), "--addr", sbAddr, "--key", key)
	if err != nil {
		return err
	}
	defer stop(sb)
	mockHTTP, err := freeAddr()
	if err != nil {
		return err
	}
	mockHTTPS, err := freeAddr()
	if err != nil {
		return err
	}
	mk, err := start(ctx, mock, "-http-addr", mockHTTP, "-https-addr", mockHTTPS)
	if err != nil {
		return err
	}
	defer stop(mk)

	// One pooled connection per client, as an app's client keeps them;
	// stripe-go's default keeps two, and the rest would redial each call.
	transport := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	sandbox := newTarget("http://"+sbAddr, hc)
	stripeMock := newTarget("http://"+mockHTTP, hc)
	for _, t := range []*target{sandbox, stripeMock} {
		if err := t.waitReady(ctx); err != nil {
			return err
		}
		if err := t.setUp(ctx); err != nil {
			return err
		}
		// Warm up, with a call that makes nothing so the account stays
		// empty: the clients' connections, both programs' heaps and caches.
		if _, err := measure(ctx, clients, 500, t.ops()[2].call); err != nil {
			return fmt.Errorf("warm up: %w", err)
		}
	}

	for round, want := range []int{0, fill} {
		if round > 0 {
			if _, err := measure(ctx, clients, want-int(sandbox.objects.Load()), sandbox.ops()[0].call); err != nil {
				return fmt.Errorf("fill: %w", err)
			}
		}
		for i, op := range sandbox.ops() {
			before := sandbox.objects.Load()
			sr, err := measure(ctx, clients, calls, op.call)
			if err != nil {
				return fmt.Errorf("sandbox %s: %w", op.name, err)
			}
			mr, err := measure(ctx, clients, calls, stripeMock.ops()[i].call)
			if err != nil {
				return fmt.Errorf("stripe-mock %s: %w", op.name, err)
			}
			fmt.Printf("BENCH sandbox op=%s ops_per_s=%.0f p99_ms=%.2f mock_ops_per_s=%.0f ratio_to_mock=%.2f objects_before=%d\n",
				op.name, sr.opsPerSec, sr.p99Ms, mr.opsPerSec, sr.opsPerSec/mr.opsPerSec, before)
		}
	}
	// Memory, for the README, on stderr: the BENCH lines keep their form.
	fmt.Fprintf(os.Stderr, "sandboxbench: %d objects; tollgate sandbox RSS %s, stripe-mock RSS %s\n",
		sandbox.objects.Load(), rss(sb.Process.Pid), rss(mk.Process.Pid))
	return nil
}

// rss is a process's resident memory: in all, its own (anonymous: the heap)
// and pages of files it maps (bbolt's mmap of the database, which the kernel
// may drop), and its peak; "unknown" where /proc cannot tell.
func rss(pid int) string {
	m, err := loadgen.MemoryOf(pid)
	if err != nil {
		return "unknown"
	}
	mb := func(b int64) float64 { return float64(b) / (1 << 20) }
	return fmt.Sprintf("%.0f MB (anonymous %.0f MB, file %.0f MB; peak %.0f MB)", mb(m.RSS), mb(m.Anon), mb(m.File), mb(m.Peak))
}

// target is one Stripe API, the sandbox or stripe-mock, with what the
// operations need: a price to check out, and a subscribed customer whose
// entitlements to list.
type target struct {
	base     string
	sc       *stripe.Client
	hc       *http.Client
	price    string
	customer string
	// objects counts the objects the operations have created in it.
	objects atomic.Int64
}

func newTarget(base string, hc *http.Client) *target {
	sc := stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL: stripe.String(base), HTTPClient: hc, MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
	return &target{base: base, sc: sc, hc: hc}
}

type op struct {
	name string
	call func(context.Context) error
}

func (t *target) ops() []op {
	return []op{
		{"customers.create", func(ctx context.Context) error {
			_, err := t.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("bench@example.com"), Name: stripe.String("Bench")})
			if err == nil {
				t.objects.Add(1)
			}
			return err
		}},
		{"checkout.sessions.create", func(ctx context.Context) error {
			_, err := t.sc.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
				Mode:       stripe.String("subscription"),
				Customer:   stripe.String(t.customer),
				LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(t.price), Quantity: stripe.Int64(1)}},
				SuccessURL: stripe.String("http://127.0.0.1/success?session_id={CHECKOUT_SESSION_ID}"),
				CancelURL:  stripe.String("http://127.0.0.1/cancel"),
			})
			if err == nil {
				t.objects.Add(1)
			}
			return err
		}},
		{"active_entitlements.list", func(ctx context.Context) error {
			it := t.sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(t.customer)})
			for _, err := range it {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	}
}

// setUp makes the guide's catalog (a product, a monthly price, two
// features attached to it) and a customer subscribed to it through the
// hosted Checkout page, so that listing its entitlements finds two.
// stripe-mock keeps nothing and answers fixtures, which serve as well.
func (t *target) setUp(ctx context.Context) error {
	sc := t.sc
	prod, err := sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Bench Premium")})
	if err != nil {
		return fmt.Errorf("%s: product: %w", t.base, err)
	}
	pr, err := sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("gbp"),
		UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
	if err != nil {
		return fmt.Errorf("%s: price: %w", t.base, err)
	}
	t.price = pr.ID
	for _, lk := range []string{"bench-access", "bench-access-2"} {
		f, err := sc.V1EntitlementsFeatures.Create(ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String(lk), LookupKey: stripe.String(lk)})
		if err != nil {
			return fmt.Errorf("%s: feature: %w", t.base, err)
		}
		if _, err := sc.V1ProductFeatures.Create(ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(f.ID)}); err != nil {
			return fmt.Errorf("%s: product feature: %w", t.base, err)
		}
	}
	cu, err := sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("subscriber@example.com")})
	if err != nil {
		return fmt.Errorf("%s: customer: %w", t.base, err)
	}
	t.customer = cu.ID
	cs, err := sc.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String("subscription"), Customer: stripe.String(cu.ID),
		LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(pr.ID), Quantity: stripe.Int64(1)}},
		SuccessURL: stripe.String("http://127.0.0.1/success"),
	})
	if err != nil {
		return fmt.Errorf("%s: checkout session: %w", t.base, err)
	}
	if cs.URL == "" || !sameHost(cs.URL, t.base) {
		return nil // stripe-mock: its fixture's page is Stripe's, not a page to fill
	}
	form := url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"},
		"country": {"GB"}, "postal_code": {"SW1A 1AA"}}
	noRedirect := *t.hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noRedirect.PostForm(cs.URL, form)
	if err != nil {
		return fmt.Errorf("%s: pay: %w", t.base, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("%s: pay: status %d: %.200s", t.base, res.StatusCode, body)
	}
	n := 0
	for _, err := range sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(cu.ID)}) {
		if err != nil {
			return fmt.Errorf("%s: entitlements: %w", t.base, err)
		}
		n++
	}
	if n != 2 {
		return fmt.Errorf("%s: the subscriber has %d entitlements, want 2", t.base, n)
	}
	return nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host == ub.Host
}

type result struct {
	opsPerSec, p99Ms float64
}

// measure makes n calls, clients at a time, and returns the rate and the
// 99th percentile of their latencies. The first error stops it.
func measure(ctx context.Context, clients, n int, call func(context.Context) error) (result, error) {
	if n <= 0 {
		return result{}, nil
	}
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	began := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				if err := call(ctx); err != nil {
					once.Do(func() { firstErr = err })
					next.Store(int64(n))
					return
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(lat)
	p99 := lat[min(n-1, n*99/100)]
	return result{opsPerSec: float64(n) / elapsed.Seconds(), p99Ms: float64(p99.Microseconds()) / 1000}, nil
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func start(ctx context.Context, bin string, args ...string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	return cmd, nil
}

// stop interrupts the program, as Ctrl-C would, so the sandbox closes its
// file; a program that does not stop is killed by WaitDelay.
func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
}

// waitReady polls the API until it answers, for up to 20 seconds.
func (t *target) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/v1/account", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := t.hc.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(res.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not answering: %w", t.base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
