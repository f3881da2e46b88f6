package loadgen

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Timed calls fn n times, one after another, and returns its latencies, sorted.
func Timed(n int, fn func() error) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	return lat, nil
}

// P returns the p (0..1) percentile of sorted latencies.
func P(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// GateInProcess measures Tollgate's Premium decision as the Premium screen's
// method makes it: the local copy of a subscriber's entitlements, in a bbolt
// file at path, no network.
func GateInProcess(ctx context.Context, path string) (testing.BenchmarkResult, error) {
	db, err := store.Open(path)
	if err != nil {
		return testing.BenchmarkResult{}, err
	}
	defer db.Close()
	u := &tollgate.User{Email: "gate@example.com", Name: "Gate"}
	if err := db.CreateUser(ctx, u); err != nil {
		return testing.BenchmarkResult{}, err
	}
	if err := db.PutCustomer(ctx, &tollgate.Customer{UserID: u.ID, StripeID: "cus_gate", CreatedAt: time.Now()}); err != nil {
		return testing.BenchmarkResult{}, err
	}
	if err := db.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: "cus_gate", LookupKeys: []string{tollgate.FeatureTestAccess}, UpdatedAt: time.Now()}); err != nil {
		return testing.BenchmarkResult{}, err
	}
	gate := billing.Gate{Store: db}
	if err := gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
		return testing.BenchmarkResult{}, fmt.Errorf("loadgen: the gate refuses a subscriber: %w", err)
	}
	var failed atomic.Value
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
				failed.Store(err)
			}
		}
	})
	if err, _ := failed.Load().(error); err != nil {
		return res, err
	}
	return res, nil
}

// FillStore records n events of EventSize bytes in a fresh store at path
// through conns writers (sharing commits, as the webhook's deliveries do),
// received evenly over 30 days and about 100 customers, each with an
// outcome. The store's clock follows the events, and the default retention
// prunes after every tenth of them, as the app's pruner would over those
// days; it returns the file's size at the end.
func FillStore(ctx context.Context, path string, n, conns int) (int64, error) {
	db, err := store.Open(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ds := Deliveries(min(n, 1000), 0, 3) // bodies to reuse under new ids
	start := time.Now().Add(-30 * 24 * time.Hour)
	received := func(i int) time.Time {
		return start.Add(time.Duration(float64(30*24*time.Hour) * float64(i) / float64(n)))
	}
	const rounds = 10
	for r := range rounds {
		from, to := r*n/rounds, (r+1)*n/rounds
		var next atomic.Int64
		next.Store(int64(from))
		var wg sync.WaitGroup
		errs := make(chan error, conns)
		for range conns {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < to; i = int(next.Add(1)) - 1 {
					id := fmt.Sprintf("evt_1Fill%09d", i)
					e := &tollgate.Event{ID: id, Type: "invoice.paid", Received: received(i), Payload: ds[i%len(ds)].Body}
					if _, err := db.RecordEvent(ctx, e); err != nil {
						errs <- err
						return
					}
					res := tollgate.EventResult{Outcome: tollgate.EventIgnored, CustomerID: fmt.Sprintf("cus_Fill%03d", i%100)}
					if err := db.SetEventResult(ctx, id, res, ""); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return 0, err
		}
		now := received(to)
		db.Now = func() time.Time { return now }
		if _, err := db.PruneEvents(ctx, store.DefaultRetention); err != nil {
			return 0, err
		}
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
