package webhook

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/stripe/stripe-go/v82/webhook"
)

// Replayed is what the endpoint answered a replayed event.
type Replayed struct {
	Status int    `json:"status"`
	Reply  string `json:"reply"`
	// Duplicate is true when the endpoint recognised the event and skipped it.
	Duplicate bool `json:"duplicate"`
}

// Replay sends a recorded event through the endpoint again, signed afresh
// with a secret in force, as Stripe does when it redelivers, so a learner
// sees a redelivery recognised by its id and skipped rather than applied twice.
func (h *Handler) Replay(ctx context.Context, id string) (Replayed, error) {
	e, err := h.o.Events.EventByID(ctx, id)
	if err != nil {
		return Replayed{}, fmt.Errorf("webhook: replay: %w", err)
	}
	header := "" // unsigned, which only --insecure-webhooks accepts
	if keys := h.o.Keys.inForce(); len(keys) > 0 {
		now := h.o.Now()
		header = fmt.Sprintf("t=%d,v1=%s", now.Unix(), hex.EncodeToString(webhook.ComputeSignature(now, e.Payload, keys[0].secret)))
	}
	a := h.receive(ctx, header, e.Payload)
	return Replayed{Status: a.status, Reply: a.text, Duplicate: a.text == msgDup}, nil
}
