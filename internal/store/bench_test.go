package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// BenchmarkUserByEmail is the store's share of every login.
func BenchmarkUserByEmail(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	for i := range 1000 {
		if err := db.CreateUser(ctx, &tollgate.User{Email: fmt.Sprintf("u%d@example.com", i), Name: "U"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := db.UserByEmail(ctx, fmt.Sprintf("u%d@example.com", i%1000)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateUser is dominated by bbolt's fsync per transaction.
func BenchmarkCreateUser(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	for i := 0; b.Loop(); i++ {
		if err := db.CreateUser(ctx, &tollgate.User{Email: fmt.Sprintf("u%d@example.com", i), Name: "U"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordEventParallel is webhook deliveries arriving together (32 at
// once): each waits for a commit it shares with the others.
func BenchmarkRecordEventParallel(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	payload := make([]byte, 3<<10)
	var n atomic.Int64
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: fmt.Sprintf("evt_%d", n.Add(1)), Type: "invoice.paid", Payload: payload}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkEventsPage is the Events screen's read, 100 rows newest first,
// among 10,000 small events and then 100 of 1 MB more: it reads the index
// and the rows it shows, never the payloads, so both cost the same.
func BenchmarkEventsPage(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	fill := func(n, size int, prefix string) {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 32 {
			wg.Go(func() {
				for i := next.Add(1); i <= int64(n); i = next.Add(1) {
					id := fmt.Sprintf("evt_%s%d", prefix, i)
					if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Type: "invoice.paid", Payload: make([]byte, size)}); err != nil {
						b.Error(err)
						return
					}
					if err := db.SetEventResult(ctx, id, tollgate.EventResult{Outcome: tollgate.EventApplied, CustomerID: "cus_1", UserID: 1}, ""); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	fill(10000, 300, "small")
	for _, tc := range []struct {
		name    string
		n, size int
	}{{"10k_small", 0, 0}, {"plus_100_of_1MB", 100, 1 << 20}} {
		fill(tc.n, tc.size, "big")
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if evs, err := db.RecentEventsOf(ctx, 1, 100); err != nil || len(evs) != 100 {
					b.Fatalf("%d events, %v", len(evs), err)
				}
			}
		})
	}
}
