package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/sandbox"
)

// The sandbox's write path over real HTTP with stripe-go, on an empty
// account and on one holding many customers: per-request cost should not
// depend on how much the account holds, and a profile of these
// (go test -run '^$' -bench Sandbox -cpuprofile cpu.out) shows where it goes.

func BenchmarkSandboxCustomersCreate(b *testing.B) {
	for _, held := range []int{0, 20000} {
		// Made once, not in b.Run's function, which runs again for each b.N.
		e := benchStart(b)
		fill(b, e, held)
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			ctx := context.Background()
			b.SetParallelism(8) // 16 clients on this 2-core machine, as make bench-sandbox runs
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("bench@example.com")}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkSandboxCheckoutSessionsCreate(b *testing.B) {
	for _, held := range []int{0, 20000} {
		e := benchStart(b)
		c := e.catalog()
		fill(b, e, held)
		cu := must(e.sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{}))(b)
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			ctx := context.Background()
			b.SetParallelism(8) // 16 clients on this 2-core machine, as make bench-sandbox runs
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_, err := e.sc.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
						Mode:       stripe.String("subscription"),
						Customer:   stripe.String(cu.ID),
						LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(c.monthly.ID), Quantity: stripe.Int64(1)}},
						SuccessURL: stripe.String("http://app.example/success"),
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// benchStart is a sandbox as `tollgate sandbox` runs it: the real tick
// interval, not the tests' fast one.
func benchStart(b *testing.B) *env {
	b.Helper()
	e := MustStart(b, func(c *sandbox.Config) { c.TickInterval = time.Second })
	// A pooled connection per client, as an app keeps them: stripe-go's
	// default keeps two, and the others would profile dialling.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	e.sc = stripe.NewClient(testKey, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL: stripe.String(e.srv.URL()), HTTPClient: hc, MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
	return e
}

// fill creates n customers through the API, 16 at a time.
func fill(b *testing.B, e *env, n int) {
	b.Helper()
	var wg sync.WaitGroup
	next := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if _, err := e.sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{Email: stripe.String("fill@example.com")}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for range n {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
}

// BenchmarkSandboxActiveEntitlementsList is the guide's Premium check, a
// live read of a subscribed customer's entitlements, as the sandbox answers it.
func BenchmarkSandboxActiveEntitlementsList(b *testing.B) {
	for _, held := range []int{0, 20000} {
		e := benchStart(b)
		c := e.catalog()
		_, cu := e.clockCustomer()
		e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		fill(b, e, held)
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			ctx := context.Background()
			b.SetParallelism(8) // 16 clients on this 2-core machine, as make bench-sandbox runs
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := 0
					for _, err := range e.sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(cu.ID)}) {
						if err != nil {
							b.Error(err)
							return
						}
						n++
					}
					if n == 0 {
						b.Error("the subscribed customer has no active entitlements")
						return
					}
				}
			})
		})
	}
}
