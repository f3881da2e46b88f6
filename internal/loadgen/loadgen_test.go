package loadgen_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/loadgen"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/store"
)

const secret = "whsec_smoke"

func TestDeliveries(t *testing.T) {
	ds := loadgen.Deliveries(200, 0.1, 1)
	ids, redelivered := map[string]bool{}, 0
	for _, d := range ds {
		var e struct {
			ID, Type string
			Data     struct{ Object map[string]any }
		}
		if err := json.Unmarshal(d.Body, &e); err != nil || e.ID != d.ID || e.Type == "" || e.Data.Object["id"] == nil {
			t.Fatalf("delivery %s is not a Stripe event: %v %s", d.ID, err, d.Body[:80])
		}
		if n := len(d.Body); n < loadgen.EventSize-64 || n > loadgen.EventSize+64 {
			t.Errorf("%s is %d bytes, want about %d", d.ID, n, loadgen.EventSize)
		}
		if d.Redeliver {
			if !ids[d.ID] {
				t.Errorf("%s redelivered before its first delivery", d.ID)
			}
			redelivered++
		}
		ids[d.ID] = true
	}
	if len(ids) != 200 || redelivered < 5 || redelivered > 40 {
		t.Errorf("%d distinct, %d redelivered; want 200 and about 20", len(ids), redelivered)
	}
}

// TestSmoke runs the load generator against Tollgate's webhook in Stripe
// mode, against the sandbox over HTTP, and audits the store once Tollgate
// has stopped: every acknowledged event kept, none applied twice. Timings
// are `make bench`'s business, not a test's.
func TestSmoke(t *testing.T) {
	ctx := context.Background()
	sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(t.TempDir(), lab.SandboxFile)}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	l, err := lab.Open(ctx, lab.Options{Config: config.Config{Command: config.Serve, DataDir: dir,
		Stripe: config.Stripe{SecretKey: "sk_test_smoke", WebhookSecret: secret, APIBase: sb.URL()}}})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			l.Close()
		}
	}()
	if _, err := l.Billing(); err != nil {
		t.Fatalf("billing not ready against the sandbox: %v", err)
	}
	srv := httptest.NewServer(l.Webhook)
	defer srv.Close()

	deliveries := loadgen.Deliveries(300, 0.1, 7)
	res := loadgen.Run(ctx, srv.URL, secret, deliveries, 16)
	if res.OK != len(deliveries) || len(res.Failures) > 0 {
		t.Fatalf("%d of %d answered 2xx; failures: %v", res.OK, len(deliveries), res.Failures)
	}
	if len(res.Acked) != 300 {
		t.Fatalf("%d distinct events acknowledged, want 300", len(res.Acked))
	}
	// Let the worker finish, so that the audit can tell applied from pending.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		pending, err := l.DB.PendingEvents(ctx, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events still pending after 30 s, first %s", pending[0].ID)
		}
	}
	srv.Close()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	a, err := loadgen.AuditStore(ctx, filepath.Join(dir, store.FileName), res.Acked)
	if err != nil {
		t.Fatal(err)
	}
	if a != (loadgen.Audit{}) {
		t.Errorf("audit = %+v, want nothing lost, applied twice or pending", a)
	}
}
