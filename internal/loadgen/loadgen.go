// Package loadgen sends signed, Stripe-shaped webhook events to an endpoint
// as fast as a number of connections allow, and audits the store afterwards:
// the measure behind `make bench` and the smoke test of `make test`.
package loadgen

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// EventSize is about how big each event is: a subscription or invoice event
// of Stripe's with its object, as a real endpoint receives them.
const EventSize = 3 << 10

// Delivery is one POST: an event's body, and whether it repeats one sent before.
type Delivery struct {
	ID        string
	Body      []byte
	Redeliver bool
}

// types are the events a subscription app receives most.
var types = []string{
	"customer.subscription.updated", "invoice.paid", "invoice.payment_succeeded", "invoice.created",
	"invoice.finalized", "customer.subscription.created", "checkout.session.completed", "customer.updated",
}

// Deliveries returns n distinct events, about customers that Tollgate does
// not know (so applying one reads the store but calls no Stripe), with an
// exact redelivery of an earlier event after every 1/redeliver of them.
// The same seed gives the same deliveries.
func Deliveries(n int, redeliver float64, seed uint64) []Delivery {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Delivery, 0, n+int(float64(n)*redeliver)+1)
	now := time.Now().Unix()
	for i := range n {
		id := fmt.Sprintf("evt_1Bench%08d%06d", seed%1e8, i)
		out = append(out, Delivery{ID: id, Body: event(r, id, types[i%len(types)], now)})
		if redeliver > 0 && r.Float64() < redeliver {
			j := r.IntN(len(out))
			for out[j].Redeliver {
				j = r.IntN(len(out))
			}
			out = append(out, Delivery{ID: out[j].ID, Body: out[j].Body, Redeliver: true})
		}
	}
	return out
}

// event builds a Stripe-shaped event of about EventSize bytes.
func event(r *rand.Rand, id, typ string, now int64) []byte {
	customer := fmt.Sprintf("cus_Bench%06d", r.IntN(5000))
	sub := fmt.Sprintf("sub_1Bench%010d", r.Int64N(1e10))
	price := map[string]any{
		"id": "price_1BenchMonthly", "object": "price", "active": true, "billing_scheme": "per_unit", "created": now - 86400*30,
		"currency": "gbp", "livemode": false, "lookup_key": "tollgate_monthly", "metadata": map[string]any{},
		"nickname": nil, "product": "prod_BenchTollgate", "recurring": map[string]any{"interval": "month", "interval_count": 1, "meter": nil, "usage_type": "licensed"},
		"tax_behavior": "unspecified", "tiers_mode": nil, "transform_quantity": nil, "type": "recurring", "unit_amount": 900, "unit_amount_decimal": "900",
	}
	var obj map[string]any
	switch {
	case strings.HasPrefix(typ, "invoice."):
		obj = map[string]any{
			"id": fmt.Sprintf("in_1Bench%010d", r.Int64N(1e10)), "object": "invoice", "account_country": "GB", "account_name": "Tollgate Bench",
			"amount_due": 900, "amount_paid": 900, "amount_remaining": 0, "attempt_count": 1, "attempted": true, "billing_reason": "subscription_cycle",
			"collection_method": "charge_automatically", "created": now, "currency": "gbp", "customer": customer, "customer_email": customer + "@example.com",
			"hosted_invoice_url": "https://invoice.stripe.com/i/acct_Bench/test_" + sub, "invoice_pdf": "https://pay.stripe.com/invoice/acct_Bench/test_" + sub + "/pdf",
			"lines": map[string]any{"object": "list", "has_more": false, "total_count": 1, "url": "/v1/invoices/in_x/lines", "data": []any{map[string]any{
				"id": "il_1Bench" + sub[9:], "object": "line_item", "amount": 900, "currency": "gbp", "description": "1 × Tollgate Premium (at £9.00 / month)",
				"period": map[string]any{"start": now, "end": now + 86400*30}, "pricing": map[string]any{"price_details": map[string]any{"price": price["id"], "product": price["product"]}, "type": "price_details", "unit_amount_decimal": "900"},
				"quantity": 1, "subscription": sub, "metadata": map[string]any{},
			}}},
			"parent":     map[string]any{"type": "subscription_details", "subscription_details": map[string]any{"subscription": sub, "metadata": map[string]any{}}},
			"period_end": now, "period_start": now - 86400*30, "status": "paid", "subtotal": 900, "total": 900,
			"status_transitions": map[string]any{"finalized_at": now, "paid_at": now, "marked_uncollectible_at": nil, "voided_at": nil},
		}
	case typ == "checkout.session.completed":
		obj = map[string]any{
			"id": "cs_test_" + sub, "object": "checkout.session", "mode": "payment", "customer": customer, "status": "complete", "payment_status": "paid",
			"amount_subtotal": 900, "amount_total": 900, "currency": "gbp", "created": now, "expires_at": now + 86400, "subscription": nil,
			"success_url": "http://127.0.0.1:8484/success?session_id={CHECKOUT_SESSION_ID}", "cancel_url": "http://127.0.0.1:8484/plans",
			"customer_details": map[string]any{"email": customer + "@example.com", "address": map[string]any{"country": "GB", "postal_code": "SW1A 1AA"}},
		}
	case typ == "customer.updated":
		obj = map[string]any{
			"id": customer, "object": "customer", "created": now - 86400*40, "email": customer + "@example.com", "name": "Bench Customer",
			"invoice_settings": map[string]any{"default_payment_method": "pm_1Bench" + sub[9:], "custom_fields": nil, "footer": nil}, "metadata": map[string]any{"tollgate_user": "0"},
		}
	default:
		obj = map[string]any{
			"id": sub, "object": "subscription", "customer": customer, "status": "active", "created": now - 86400*30, "currency": "gbp",
			"billing_cycle_anchor": now - 86400*30, "cancel_at": nil, "cancel_at_period_end": false, "canceled_at": nil, "collection_method": "charge_automatically",
			"items": map[string]any{"object": "list", "has_more": false, "total_count": 1, "url": "/v1/subscription_items?subscription=" + sub, "data": []any{map[string]any{
				"id": "si_Bench" + sub[9:], "object": "subscription_item", "created": now - 86400*30, "current_period_start": now, "current_period_end": now + 86400*30,
				"price": price, "quantity": 1, "subscription": sub, "metadata": map[string]any{}, "discounts": []any{}, "tax_rates": []any{},
			}}},
			"latest_invoice": fmt.Sprintf("in_1Bench%010d", r.Int64N(1e10)), "default_payment_method": "pm_1Bench" + sub[9:], "trial_end": nil, "trial_start": nil,
			"test_clock": fmt.Sprintf("clock_1Bench%08d", r.IntN(1e8)),
		}
	}
	e := map[string]any{
		"id": id, "object": "event", "api_version": stripe.APIVersion, "created": now, "livemode": false, "pending_webhooks": 1, "type": typ,
		"data":    map[string]any{"object": obj, "previous_attributes": map[string]any{"status": "trialing"}},
		"request": map[string]any{"id": nil, "idempotency_key": nil},
	}
	body, _ := json.Marshal(e)
	if pad := EventSize - len(body) - len(`,"metadata":{"note":""}`); pad > 0 {
		obj["metadata"] = map[string]any{"note": strings.Repeat("x", pad)}
		body, _ = json.Marshal(e)
	}
	return body
}

// Sign returns a Stripe-Signature header for body, made now with secret.
func Sign(body []byte, secret string, now time.Time) string {
	return fmt.Sprintf("t=%d,v1=%s", now.Unix(), hex.EncodeToString(webhook.ComputeSignature(now, body, secret)))
}

// Result is what a run measured.
type Result struct {
	Sent, OK  int
	Elapsed   time.Duration
	Latencies []time.Duration // of each 2xx answer, sorted
	// Acked holds the id of every event answered 2xx: what the endpoint promised to keep.
	Acked map[string]bool
	// Failures counts the answers that were not 2xx, by what they said.
	Failures map[string]int
}

// PerSecond is the deliveries answered 2xx per second.
func (r Result) PerSecond() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// Percentile returns the latency below which p (0..1) of the answers came.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(p*float64(len(r.Latencies))))]
}

// Run posts every delivery to url over conns connections, signing each as it
// goes (as Stripe does, a redelivery carries a fresh signature of the same body).
func Run(ctx context.Context, url, secret string, deliveries []Delivery, conns int) Result {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
	defer client.CloseIdleConnections()
	next := make(chan Delivery)
	res := Result{Acked: map[string]bool{}, Failures: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			acked := []string{}
			fails := map[string]int{}
			for d := range next {
				t0 := time.Now()
				status, text := post(ctx, client, url, d.Body, Sign(d.Body, secret, t0))
				if status/100 == 2 {
					lat = append(lat, time.Since(t0))
					acked = append(acked, d.ID)
				} else {
					fails[fmt.Sprintf("%d %s", status, text)]++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.Latencies = append(res.Latencies, lat...)
			for _, id := range acked {
				res.Acked[id] = true
			}
			for k, v := range fails {
				res.Failures[k] += v
			}
		})
	}
	for _, d := range deliveries {
		if ctx.Err() != nil {
			break
		}
		next <- d
		res.Sent++
	}
	close(next)
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.OK = len(res.Latencies)
	slices.Sort(res.Latencies)
	return res
}

func post(ctx context.Context, client *http.Client, url string, body []byte, signature string) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Stripe-Signature", signature)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return resp.StatusCode, strings.TrimSpace(string(text))
}

// Bare is the least a Stripe endpoint can do: verify the signature with
// stripe-go and answer, keeping nothing. Tollgate's endpoint is measured against it.
func Bare(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), secret, webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true}); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok\n")
	})
}
