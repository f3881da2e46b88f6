package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/internal/tollgate"
	tgwebhook "github.com/tollgate/tollgate/internal/webhook"
)

type noopApplier struct{}

func (noopApplier) ApplyEvent(context.Context, *tollgate.Event) (tollgate.EventResult, error) {
	return tollgate.EventResult{Outcome: tollgate.EventApplied}, nil
}

// BenchmarkReceive is the cost of one delivery as Stripe waits for it: verify,
// record, answer. It calls the handler directly, leaving the network out, and
// runs the worker, whose outcome writes share bbolt's single writer with it.
// Both writes fsync, so the disk dominates.
func BenchmarkReceive(b *testing.B) {
	e := newEnv(b, func(o *tgwebhook.Options) { o.Applier = noopApplier{} })
	e.start(b)
	for i := 0; b.Loop(); i++ {
		body := newEvent(fmt.Sprintf("evt_bench_%d", i))
		req := httptest.NewRequest(http.MethodPost, "/payments/event", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sign(body, testSecret))
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status = %d %q", w.Code, w.Body)
		}
	}
}
