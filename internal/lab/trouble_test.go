package lab_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Settings' "Simulate Stripe trouble" reaches the embedded sandbox, and the
// billing code meets the fault as it would meet Stripe's own.
func TestStripeTrouble(t *testing.T) {
	ctx := context.Background()
	l := open(t, config.Config{DataDir: t.TempDir()})
	defer l.Close()
	u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.StripeTrouble(); len(got) != 0 {
		t.Fatalf("trouble at the start: %+v", got)
	}
	if _, err := l.SimulateStripeTrouble("POST /v1/checkout/sessions 503"); tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), "is not a kind") {
		t.Errorf("bad spec: %v, want invalid with the reason", err)
	}
	active, err := l.SimulateStripeTrouble("POST /v1/checkout/sessions 500")
	if err != nil || len(active) != 1 || active[0].Spec != "POST /v1/checkout/sessions 500" || active[0].Left != -1 {
		t.Fatalf("SimulateStripeTrouble = %+v, %v", active, err)
	}
	b, err := l.Billing()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Checkout(ctx, u, billing.Monthly, false); tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(tollgate.ErrorMessage(err), "Stripe is having trouble") {
		t.Errorf("checkout during the trouble: %v, want the plain unavailable message", err)
	}
	if got := l.StripeTrouble(); len(got) != 1 || got[0].Hit != 3 {
		t.Errorf("trouble = %+v, want the fault hit by three tries", got)
	}
	if active, err := l.StopStripeTrouble(); err != nil || len(active) != 0 {
		t.Fatalf("StopStripeTrouble = %+v, %v", active, err)
	}
	if _, err := b.Checkout(ctx, u, billing.Monthly, false); err != nil {
		t.Errorf("checkout once the trouble stopped: %v", err)
	}

	t.Run("ErrNotSandbox", func(t *testing.T) {
		sb := startSandbox(t)
		ext := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{APIBase: sb.URL()}})
		defer ext.Close()
		if _, err := ext.SimulateStripeTrouble("/v1/ 500"); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("trouble on an external Stripe: %v, want invalid", err)
		}
		if got := ext.StripeTrouble(); len(got) != 0 {
			t.Errorf("trouble listed outside sandbox mode: %+v", got)
		}
	})
}
