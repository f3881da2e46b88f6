package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// secret signs the checks' events; serve gets it as TEST_STRIPE_WEBHOOK_SECRET.
const secret = "whsec_reliability_checks_0123456789abcdef"

// eventBody is a Stripe event about a customer Tollgate does not know, so
// applying it reads only the store: the worker's pace, not the sandbox's,
// sets how fast a backlog drains.
func eventBody(id string, created time.Time) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": stripe.APIVersion, "created": created.Unix(), "livemode": false,
		"pending_webhooks": 1, "request": map[string]any{"id": nil, "idempotency_key": nil},
		"type": "customer.subscription.updated",
		"data": map[string]any{"object": map[string]any{"id": "sub_" + id, "object": "subscription", "customer": "cus_reliability_nobody", "status": "active"}},
	})
	return b
}

// sign returns the Stripe-Signature header for body signed at t with key,
// as Stripe computes it.
func sign(body []byte, key string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: key, Timestamp: t}).Header
}

// deliver posts body to the app's webhook with the signature header and
// returns the status, 0 when there was no answer.
func deliver(ctx context.Context, c *http.Client, base string, body []byte, signature string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/payments/event", bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = bytes.NewBuffer(nil).ReadFrom(res.Body)
	return res.StatusCode
}

// bridge calls a bound method of a running serve, as its page does, and
// returns the HTTP status and the decoded answer.
func bridge(ctx context.Context, c *http.Client, p *proc, method string, args ...any) (int, map[string]any, error) {
	raw, _ := json.Marshal(map[string]any{"name": "main.App." + method, "args": args})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/api/call", bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Tollgate-Token", p.token())
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return res.StatusCode, nil, fmt.Errorf("%s: answer is not JSON: %w", method, err)
	}
	return res.StatusCode, out, nil
}
