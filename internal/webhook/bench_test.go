package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/loadgen"
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
// One at a time, each delivery waits for its own commit, so the disk dominates.
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

// BenchmarkReceiveParallel is deliveries arriving together, as Stripe sends
// them: 32 at once (-cpu 2 × 16), sharing commits.
func BenchmarkReceiveParallel(b *testing.B) {
	e := newEnv(b, func(o *tgwebhook.Options) { o.Applier = noopApplier{} })
	e.start(b)
	bodies := loadgen.Deliveries(1000, 0, 1)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := bytes.Replace(bodies[i%1000].Body, []byte(bodies[i%1000].ID), fmt.Appendf(nil, "evt_1Par%015d", i), 1)
			req := httptest.NewRequest(http.MethodPost, "/payments/event", bytes.NewReader(body))
			req.Header.Set("Stripe-Signature", sign(body, testSecret))
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Errorf("status = %d %q", w.Code, w.Body)
				return
			}
		}
	})
}

// BenchmarkVerify is Tollgate's check of a 3 KB event: the signature with
// stripe-go, then the four fields it records.
func BenchmarkVerify(b *testing.B) {
	h := newEnv(b, nil).h
	body := loadgen.Deliveries(1, 0, 1)[0].Body
	header := sign(body, testSecret)
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Verify(header, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConstructEvent is stripe-go's whole decode of the same event, as
// a bare handler does it: what BenchmarkVerify saves.
func BenchmarkConstructEvent(b *testing.B) {
	body := loadgen.Deliveries(1, 0, 1)[0].Body
	header := sign(body, testSecret)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webhook.ConstructEventWithOptions(body, header, testSecret, webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true}); err != nil {
			b.Fatal(err)
		}
	}
}
