// Package calls records every Stripe API request Tollgate makes, under the
// user action that caused it, so a learner can see the integration at work:
// method, path, parameters, Stripe's answer and its request id. Secrets never
// appear: the key travels in the Authorization header, which is not recorded.
package calls

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Action is what a person (or Stripe, or Tollgate itself) did that made
// Tollgate call Stripe: "Subscribe monthly", "Webhook invoice.paid evt_…".
type Action struct {
	ID    uint64    `json:"id"`
	Label string    `json:"label"`
	At    time.Time `json:"at"`
}

// Param is one request parameter, in the order it was sent.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Call is one HTTP request to the Stripe API and its answer.
type Call struct {
	Seq       uint64  `json:"seq"`
	Action    Action  `json:"action"`
	Method    string  `json:"method"`
	Path      string  `json:"path"`
	Params    []Param `json:"params"`
	Status    int     `json:"status"` // 0 when Stripe could not be reached
	Error     string  `json:"error"`  // the network error, when there was no answer
	RequestID string  `json:"requestId"`
	// IdempotencyKey is what makes a retried POST safe: Stripe answers a
	// repeated key with the first answer instead of acting twice.
	IdempotencyKey string `json:"idempotencyKey"`
	// Attempt counts the tries of one request: 2 and up are retries, sent
	// by stripe-go after a network error, a 409, a 429 or a 5xx.
	Attempt int `json:"attempt"`
	// Replayed is Stripe saying (Idempotent-Replayed) that it answered with
	// the first answer to this Idempotency-Key: an earlier try did the work,
	// and its answer was lost on the way, perhaps retried by Go's HTTP
	// client on its own before this log saw it.
	Replayed bool      `json:"replayed"`
	Started  time.Time `json:"started"`
	// Millis is how long the request took, in milliseconds.
	Millis float64 `json:"millis"`
}

// Log keeps the latest calls in memory: a learner looks at what just
// happened, so a bounded window is enough and nothing grows without end.
type Log struct {
	mu      sync.Mutex
	calls   []Call // a ring of at most max calls
	next    int    // where the next call goes once the ring is full
	max     int
	seq     uint64
	actions uint64
	now     func() time.Time
}

// New returns a log that keeps the latest max calls.
func New(max int) *Log {
	return &Log{max: max, now: time.Now}
}

type actionKey struct{}

// WithAction returns ctx carrying a new action labelled label, under which
// the calls made with ctx are recorded.
func (l *Log) WithAction(ctx context.Context, label string) context.Context {
	l.mu.Lock()
	l.actions++
	a := Action{ID: l.actions, Label: label, At: l.now()}
	l.mu.Unlock()
	return context.WithValue(ctx, actionKey{}, a)
}

// Recent returns up to n calls, newest first.
func (l *Log) Recent(n int) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Call, 0, min(n, len(l.calls)))
	for i := 0; i < len(l.calls) && len(out) < n; i++ {
		// The newest is just before next in a full ring, last in a filling one.
		j := (l.next - 1 - i + 2*len(l.calls)) % len(l.calls)
		if len(l.calls) < l.max {
			j = len(l.calls) - 1 - i
		}
		out = append(out, l.calls[j])
	}
	return out
}

func (l *Log) add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	c.Seq = l.seq
	c.Attempt = 1
	if c.IdempotencyKey != "" {
		for _, prev := range l.calls {
			if prev.IdempotencyKey == c.IdempotencyKey && prev.Method == c.Method && prev.Path == c.Path && prev.Attempt >= c.Attempt {
				c.Attempt = prev.Attempt + 1
			}
		}
	}
	if len(l.calls) < l.max {
		l.calls = append(l.calls, c)
		return
	}
	l.calls[l.next] = c
	l.next = (l.next + 1) % l.max
}

// Transport records each request that goes through next.
func (l *Log) Transport(next http.RoundTripper) http.RoundTripper {
	return roundTripper{log: l, next: next}
}

type roundTripper struct {
	log  *Log
	next http.RoundTripper
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	c := Call{Method: req.Method, Path: req.URL.Path, Started: rt.log.now(), IdempotencyKey: req.Header.Get("Idempotency-Key")}
	if a, ok := req.Context().Value(actionKey{}).(Action); ok {
		c.Action = a
	} else {
		c.Action = Action{Label: "Tollgate, on its own", At: c.Started}
	}
	query := req.URL.RawQuery
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		// A RoundTripper must not change the request it is given: send a copy with the body read here.
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		query = string(body)
	}
	c.Params = params(query)
	res, err := rt.next.RoundTrip(req)
	c.Millis = float64(rt.log.now().Sub(c.Started).Microseconds()) / 1000
	if err != nil {
		c.Error = err.Error()
	} else {
		c.Status, c.RequestID = res.StatusCode, res.Header.Get("Request-Id")
		c.Replayed = res.Header.Get("Idempotent-Replayed") == "true"
	}
	rt.log.add(c)
	return res, err
}

// params decodes a form or query string keeping the order Stripe got it in,
// which reads as the code that built it (url.ParseQuery would sort it).
func params(encoded string) []Param {
	out := []Param{}
	for pair := range strings.SplitSeq(encoded, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, Param{Key: k, Value: v})
	}
	return out
}
