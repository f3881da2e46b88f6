package billing_test

import (
	"fmt"
	"testing"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// BenchmarkPremiumGate is Tollgate's Premium check: the local copy, no network.
func BenchmarkPremiumGate(b *testing.B) {
	e := newEnv(b, options{})
	u := e.user("ada@example.com")
	e.subscribe(u, billing.Monthly, true, "4242424242424242", "")
	for b.Loop() {
		if err := (billing.Gate{Store: e.db}).RequireFeature(e.ctx, u, tollgate.FeatureTestAccess); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPremiumGateLive is the guide's way, asking Stripe's entitlements API
// on every request, here against the loopback sandbox: the floor of its cost,
// before any real network.
func BenchmarkPremiumGateLive(b *testing.B) {
	e := newEnv(b, options{})
	u := e.user("ada@example.com")
	e.subscribe(u, billing.Monthly, true, "4242424242424242", "")
	for b.Loop() {
		if a := e.access(u); len(a.Live) != 2 {
			b.Fatalf("live = %v", a.Live)
		}
	}
}

// BenchmarkSubscribe is a whole purchase against the sandbox: customer and
// test clock, Checkout Session, the hosted page's payment, the success sync.
func BenchmarkSubscribe(b *testing.B) {
	e := newEnv(b, options{})
	for i := 0; b.Loop(); i++ {
		u := e.user(fmt.Sprintf("user%d@example.com", i))
		e.subscribe(u, billing.Monthly, true, "4242424242424242", "")
	}
}
