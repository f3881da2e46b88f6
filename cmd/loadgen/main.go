// Command loadgen measures a built tollgate binary as `make bench` reports
// it: webhook ingestion against a bare stripe-go handler, the Premium gate
// three ways, and the footprint. It prints one `BENCH name key=value…` line
// per measure, and the processes' logs to the -log file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/loadgen"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

const (
	key    = "sk_test_loadgen"
	secret = "whsec_loadgen"
)

type options struct {
	bin, logFile                 string
	events, conns, calls, fillTo int
	redeliver                    float64
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "build/bin/tollgate", "the tollgate binary to measure")
	flag.StringVar(&o.logFile, "log", "build/bench.log", "where the processes' logs go")
	flag.IntVar(&o.events, "events", 20000, "distinct webhook events to send")
	flag.Float64Var(&o.redeliver, "redeliver", 0.1, "exact redeliveries, as a share of the events")
	flag.IntVar(&o.conns, "conns", 32, "connections sending events")
	flag.IntVar(&o.calls, "calls", 2000, "calls for each gate latency")
	flag.IntVar(&o.fillTo, "fill", 100000, "events recorded for the database's size")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	logf, err := os.Create(o.logFile)
	if err != nil {
		return err
	}
	defer logf.Close()
	dir, err := os.MkdirTemp("", "tollgate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	sb, err := loadgen.StartSandbox(ctx, o.bin, filepath.Join(dir, "sandbox"), key, logf)
	if err != nil {
		return err
	}
	defer sb.Stop()
	appData := filepath.Join(dir, "app")
	// The first start makes the catalog on the sandbox; the second is the one timed.
	serve, err := loadgen.StartServe(ctx, o.bin, appData, sb.Ready, key, secret, logf)
	if err != nil {
		return err
	}
	if err := serve.Stop(); err != nil {
		return err
	}
	serve, err = loadgen.StartServe(ctx, o.bin, appData, sb.Ready, key, secret, logf)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			serve.Stop()
		}
	}()
	time.Sleep(2 * time.Second) // idle, as a learner's Tollgate mostly is
	mem, err := serve.Memory()
	if err != nil {
		return err
	}
	bridge, err := loadgen.NewBridge(serve.Ready)
	if err != nil {
		return err
	}
	if err := bridge.Call(ctx, "Register", nil, "bench@example.com", "Bench", "bench-password"); err != nil {
		return err
	}

	// Webhooks: Tollgate's endpoint, then the bare handler, with the same events.
	deliveries := loadgen.Deliveries(o.events, o.redeliver, uint64(time.Now().UnixNano()))
	tg := loadgen.Run(ctx, bridge.Base+"/payments/event", secret, deliveries, o.conns)
	if err := waitApplied(ctx, bridge); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
	}
	bridgeLat, err := loadgen.Timed(o.calls, func() error {
		var ce *loadgen.CallError
		// The user has no subscription: the gate's answer is no, as it is for most visitors.
		if err := bridge.Call(ctx, "Premium", nil); err != nil && !errors.As(err, &ce) {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := serve.Stop(); err != nil {
		return err
	}
	stopped = true
	audit, err := loadgen.AuditStore(ctx, filepath.Join(appData, store.FileName), tg.Acked)
	if err != nil {
		return err
	}
	bare, err := runBare(ctx, deliveries, o.conns)
	if err != nil {
		return err
	}
	if n := len(tg.Failures); n > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: deliveries Tollgate did not acknowledge: %v\n", tg.Failures)
	}
	if audit.Pending > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: %d events still pending when serve stopped (the next start applies them)\n", audit.Pending)
	}
	fmt.Printf("BENCH webhook events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f lost=%d applied_twice=%d bare_events_per_s=%.0f ratio_to_bare=%.2f\n",
		tg.PerSecond(), ms(tg.Percentile(0.5)), ms(tg.Percentile(0.99)), audit.Lost, audit.AppliedTwice,
		bare.PerSecond(), tg.PerSecond()/bare.PerSecond())

	// The gate: in process, over serve's bridge, and the guide's live call per check.
	local, err := loadgen.GateInProcess(ctx, filepath.Join(dir, "gate.db"))
	if err != nil {
		return err
	}
	liveLat, err := liveGate(ctx, sb.Ready, o.calls)
	if err != nil {
		return err
	}
	fmt.Printf("BENCH gate ns_per_op=%d allocs_per_op=%d bridge_p99_ms=%.2f live_p99_ms=%.2f ratio_live_to_local=%.1f\n",
		local.NsPerOp(), local.AllocsPerOp(), ms(loadgen.P(bridgeLat, 0.99)), ms(loadgen.P(liveLat, 0.99)),
		float64(loadgen.P(liveLat, 0.99))/float64(loadgen.P(bridgeLat, 0.99)))

	size, err := loadgen.FillStore(ctx, filepath.Join(dir, "fill.db"), o.fillTo, o.conns)
	if err != nil {
		return err
	}
	bin, err := os.Stat(o.bin)
	if err != nil {
		return err
	}
	fmt.Printf("BENCH footprint start_ms=%d rss_mb=%.1f binary_mb=%.1f db_mb_after_100k_events=%.1f\n",
		serve.Started.Milliseconds(), mb(mem.RSS), mb(bin.Size()), mb(size))
	// What the RSS is made of, on stderr so the BENCH line keeps its form:
	// most of it is the pages of the binary and of GTK and WebKitGTK mapped from files.
	fmt.Fprintf(os.Stderr, "loadgen: serve's idle RSS %.1f MB: %.1f MB its own (anonymous), %.1f MB mapped from files; PSS %.1f MB\n",
		mb(mem.RSS), mb(mem.Anon), mb(mem.File), mb(mem.PSS))
	return nil
}

// runBare sends the same deliveries to a handler that only verifies them.
func runBare(ctx context.Context, deliveries []loadgen.Delivery, conns int) (loadgen.Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return loadgen.Result{}, err
	}
	srv := &http.Server{Handler: loadgen.Bare(secret), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	res := loadgen.Run(ctx, "http://"+ln.Addr().String()+"/payments/event", secret, deliveries, conns)
	if res.OK != len(deliveries) {
		return res, fmt.Errorf("the bare handler acknowledged %d of %d: %v", res.OK, len(deliveries), res.Failures)
	}
	return res, nil
}

// waitApplied waits until the newest events on the Events screen have an
// outcome: the worker applies in arrival order, so the rest have too.
func waitApplied(ctx context.Context, b *loadgen.Bridge) error {
	var log struct {
		Events []struct {
			Event tollgate.Event `json:"event"`
		} `json:"events"`
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := b.Call(ctx, "Events", &log, true); err != nil {
			return err
		}
		done := len(log.Events) > 0
		for _, row := range log.Events {
			done = done && row.Event.Outcome != tollgate.EventPending
		}
		if done {
			return nil
		}
	}
	return errors.New("events still pending after 60 s")
}

// liveGate is the guide's way: ask Stripe's entitlements API on every check.
func liveGate(ctx context.Context, apiBase string, n int) ([]time.Duration, error) {
	sc := stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{URL: stripe.String(apiBase), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}})))
	c, err := sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("live@example.com")})
	if err != nil {
		return nil, err
	}
	return loadgen.Timed(n, func() error {
		for _, err := range sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(c.ID)}) {
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mb(b int64) float64         { return float64(b) / (1 << 20) }
