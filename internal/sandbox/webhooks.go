package sandbox

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

// Webhook endpoints, and each event's delivery to each of them (the
// sandbox's own records, not an API object).
var (
	endpoints  *resource[webhookEndpoint]
	deliveries *resource[delivery]
	// deliveriesByEndpoint and deliveriesByEvent file deliveries by their
	// endpoint and by their event.
	deliveriesByEndpoint index[delivery]
	deliveriesByEvent    index[delivery]
)

func init() {
	endpoints = declare(&resource[webhookEndpoint]{
		bucket: "webhook_endpoints",
		prefix: "we_",
		object: "webhook_endpoint",
		noSuch: "webhook endpoint",
		render: func(_ *Sandbox, ep *webhookEndpoint) map[string]any { return renderEndpoint(ep, false) },
	})
	deliveries = declare(&resource[delivery]{bucket: "deliveries", prefix: "whdel_"})
	deliveriesByEndpoint = deliveries.index(func(d *delivery) string { return d.Endpoint })
	deliveriesByEvent = deliveries.index(func(d *delivery) string { return d.Event })
}

type webhookEndpoint struct {
	base
	URL           string            `json:"url"`
	Secret        string            `json:"secret"`
	EnabledEvents []string          `json:"enabled_events"`
	APIVersion    string            `json:"api_version"`
	Description   string            `json:"description,omitempty"`
	Status        string            `json:"status"`
	Metadata      map[string]string `json:"metadata"`
}

const (
	deliveryPending   = "pending"
	deliverySucceeded = "succeeded"
	deliveryFailed    = "failed"
)

// delivery is one event on its way to one endpoint, with every attempt.
type delivery struct {
	base
	Event    string            `json:"event"`
	Endpoint string            `json:"endpoint"`
	State    string            `json:"state"`
	NextAt   time.Time         `json:"next_at"`
	Attempts []DeliveryAttempt `json:"attempts"`
	// queued is when the delivery joined the fresh queue in this process,
	// for Chaos's Delay and Reorder; zero (due at once) after a restart.
	queued time.Time
}

// DeliveryAttempt is one POST of an event to a webhook endpoint.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"` // 0 when the endpoint was unreachable
	Err        string    `json:"error,omitempty"`
	Chaos      string    `json:"chaos,omitempty"` // ChaosDropped or ChaosDuplicate when chaos made this attempt
}

// Delivery is the delivery record of one event to one endpoint.
type Delivery struct {
	EventID    string
	EventType  string
	EndpointID string
	State      string // "pending", "succeeded" or "failed" (attempts exhausted)
	Attempts   []DeliveryAttempt
	// NextAt is when a pending delivery that has failed is tried again;
	// zero otherwise.
	NextAt time.Time
}

// Deliveries lists the deliveries to an endpoint, oldest first, so a learner
// (or a test) can see what was sent and what the endpoint answered.
func (s *Sandbox) Deliveries(endpointID string) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := deliveriesByEndpoint.newest(s.st, endpointID, nil)
	out := make([]Delivery, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		d := rows[i]
		typ := ""
		if ev := events.get(s.st, d.Event); ev != nil {
			typ = ev.Type
		}
		out = append(out, Delivery{EventID: d.Event, EventType: typ, EndpointID: d.Endpoint, State: d.State,
			Attempts: append([]DeliveryAttempt(nil), d.Attempts...), NextAt: d.NextAt})
	}
	return out
}

func renderEndpoint(ep *webhookEndpoint, withSecret bool) map[string]any {
	m := map[string]any{
		"id": ep.ID, "object": "webhook_endpoint", "api_version": ep.APIVersion, "application": nil,
		"created": ep.Created, "description": nullable(ep.Description), "enabled_events": ep.EnabledEvents,
		"livemode": false, "metadata": ep.Metadata, "status": ep.Status, "url": ep.URL,
	}
	// Stripe shows the signing secret only in the response to the create.
	if withSecret {
		m["secret"] = ep.Secret
	}
	return m
}

func validURL(p *params, path ...string) string {
	v := p.required(path...)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		param := paramName(path)
		p.fail(invalid(param, "url_invalid", "Invalid URL: %s must be an absolute http or https URL.", param))
	}
	return v
}

func eventTypes(p *params) []string {
	evs := p.strings("enabled_events")
	if p.err == nil && len(evs) == 0 {
		p.fail(errMissing("enabled_events"))
	}
	for _, e := range evs {
		if e != "*" && !strings.Contains(e, ".") {
			p.fail(invalid("enabled_events", "", "Invalid enabled_events: '%s' is not an event type.", e))
		}
	}
	return evs
}

func (s *Sandbox) createEndpoint(c *call) (any, error) {
	p := c.p
	ep := &webhookEndpoint{base: endpoints.newBase(s.st, s.cfg.Now()), Secret: newSecret(), Status: "enabled", APIVersion: APIVersion}
	ep.URL = validURL(p, "url")
	ep.EnabledEvents = eventTypes(p)
	if v := p.str("api_version"); v != "" && v != APIVersion {
		p.fail(invalid("api_version", "", "The Tollgate sandbox speaks only API version %s; omit api_version or pass that.", APIVersion))
	}
	ep.Description = p.str("description")
	ep.Metadata = p.metadata(nil)
	p.boolean(false, "connect")
	if err := p.finish(); err != nil {
		return nil, err
	}
	endpoints.put(s.st, ep)
	return renderEndpoint(ep, true), nil
}

func (s *Sandbox) updateEndpoint(c *call) (any, error) {
	ep, err := endpoints.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	u, evs, desc := ep.URL, ep.EnabledEvents, ep.Description
	if p.has("url") {
		u = validURL(p, "url")
	}
	if p.has("enabled_events") {
		evs = eventTypes(p)
	}
	if p.has("description") {
		desc = p.str("description")
	}
	disabled := p.boolean(ep.Status == "disabled", "disabled")
	md := p.metadata(ep.Metadata)
	if err := p.finish(); err != nil {
		return nil, err
	}
	ep.URL, ep.EnabledEvents, ep.Description, ep.Metadata = u, evs, desc, md
	ep.Status = "enabled"
	if disabled {
		ep.Status = "disabled"
	}
	endpoints.put(s.st, ep)
	s.wakeDeliveries() // an endpoint enabled again resumes what it was owed
	return renderEndpoint(ep, false), nil
}

func (s *Sandbox) deleteEndpoint(c *call) (any, error) {
	ep, err := endpoints.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	endpoints.del(s.st, ep.ID)
	delete(s.st.pending, ep.ID)
	deliveriesByEndpoint.delAll(s.st, ep.ID)
	s.wakeDeliveries()
	return deleted(ep.ID, "webhook_endpoint"), nil
}

func (s *Sandbox) listEndpoints(c *call) (any, error) {
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	rows := endpoints.sorted(s.st, nil)
	return page(c, a, rows, func(ep *webhookEndpoint) any { return renderEndpoint(ep, false) })
}

// deliveryQueue indexes one endpoint's pending deliveries, so a worker finds
// its next send without scanning every delivery the account ever made.
// Rebuilt from the store on Open; dropped with the endpoint and on Reset.
type deliveryQueue struct {
	fresh []*delivery // never attempted, in creation order
	retry retryHeap   // attempted and failed, soonest NextAt first
}

// retryHeap orders failed deliveries by when they are due, then by creation,
// so overdue ones (after a restart) still go out oldest first.
type retryHeap []*delivery

func (h retryHeap) Len() int { return len(h) }
func (h retryHeap) Less(i, j int) bool {
	if !h[i].NextAt.Equal(h[j].NextAt) {
		return h[i].NextAt.Before(h[j].NextAt)
	}
	return h[i].Seq < h[j].Seq
}
func (h retryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)   { *h = append(*h, x.(*delivery)) }
func (h *retryHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return d
}

// enqueue adds a pending delivery to its endpoint's index.
func (st *state) enqueue(d *delivery) {
	q := st.pending[d.Endpoint]
	if q == nil {
		q = &deliveryQueue{}
		st.pending[d.Endpoint] = q
	}
	if len(d.Attempts) == 0 {
		d.queued = time.Now()
		q.fresh = append(q.fresh, d)
	} else {
		heap.Push(&q.retry, d)
	}
}

// indexPending builds the index of pending deliveries from the loaded
// table, oldest first so each endpoint's fresh queue is in creation order.
func (st *state) indexPending() {
	rows := deliveries.sorted(st, func(d *delivery) bool { return d.State == deliveryPending })
	for i := len(rows) - 1; i >= 0; i-- {
		st.enqueue(rows[i])
	}
}

// take removes and returns the lane's next delivery due at now, under the
// delivery chaos c. With none due it returns how long until one is, or 0
// when the lane is empty.
func (st *state) take(l lane, c Chaos, now time.Time) (*delivery, time.Duration) {
	q := st.pending[l.endpoint]
	if q == nil {
		return nil, 0
	}
	if !l.retry {
		return q.takeFresh(c, now)
	}
	if len(q.retry) == 0 {
		return nil, 0
	}
	if wait := q.retry[0].NextAt.Sub(now); wait > 0 {
		return nil, wait
	}
	return heap.Pop(&q.retry).(*delivery), 0
}

// lane is one of an endpoint's two delivery workers. New events go out in
// creation order on the fresh lane; failed ones wait out their backoff on
// the retry lane. Two lanes, not one, because Stripe keeps delivering new
// events while an old one is retried: a failing event, even one whose every
// attempt hangs until the client's timeout, never holds up the ones after it.
type lane struct {
	endpoint string
	retry    bool
}

// wakeDeliveries starts the workers of each endpoint that has none and
// nudges every worker to look for work. Called with mu held.
func (s *Sandbox) wakeDeliveries() {
	if s.ctx.Err() != nil {
		return // stopped: Close may already be waiting on wg
	}
	for id := range endpoints.rows(s.st) {
		for _, l := range []lane{{id, false}, {id, true}} {
			if _, ok := s.workers[l]; !ok {
				ch := make(chan struct{}, 1)
				s.workers[l] = ch
				s.wg.Add(1)
				go s.deliverLoop(l, ch)
			}
		}
	}
	for l := range s.workers {
		s.nudge(l)
	}
}

// nudge makes a lane's worker look again, as when a delivery joins its
// queue. Called with mu held.
func (s *Sandbox) nudge(l lane) {
	select {
	case s.workers[l] <- struct{}{}:
	default: // already nudged, or no worker (nil channel): it will look anyway
	}
}

// deliverLoop sends one lane's deliveries, one at a time. Retry waits run on
// real time, since they are about the network, not billing.
func (s *Sandbox) deliverLoop(l lane, wake chan struct{}) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		ep := endpoints.get(s.st, l.endpoint)
		if ep == nil {
			delete(s.workers, l)
			s.mu.Unlock()
			return
		}
		if ep.Status != "enabled" {
			// A disabled endpoint gets nothing, not even the retries it was
			// owed, until it is enabled again (which nudges this worker).
			s.mu.Unlock()
			if !s.sleep(0, wake) {
				return
			}
			continue
		}
		// Taken off the index before the attempt: recordAttempt puts it
		// back if it is to be retried. A Close mid-attempt loses nothing,
		// since Open rebuilds the index from the store, where it is pending.
		d, wait := s.st.take(l, s.chaos, time.Now())
		var payload []byte
		var deliveryID, target, secret string
		lost, twice := false, false
		if d != nil {
			lost = len(d.Attempts) == 0 && s.drops()
			twice = s.chaos.Duplicate && d.State == deliveryPending
			deliveryID, target, secret = d.ID, ep.URL, ep.Secret
			if ev := events.get(s.st, d.Event); ev != nil {
				payload, _ = json.Marshal(renderEvent(ev))
			}
		}
		s.mu.Unlock()

		if d == nil {
			if !s.sleep(wait, wake) {
				return
			}
			continue
		}
		// The event is handed over to the committer but maybe not yet on
		// disk: an event sent must survive a crash, as its request's
		// answer must.
		s.commits.drain()
		if lost {
			s.mu.Lock()
			s.recordAttempt(deliveryID, DeliveryAttempt{At: time.Now(), Err: "lost on the way (delivery chaos: drop); sent again later", Chaos: ChaosDropped})
			s.mu.Unlock()
			continue
		}
		attempt := s.post(s.ctx, target, secret, payload)
		if s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		s.recordAttempt(deliveryID, attempt)
		s.mu.Unlock()
		if twice && attempt.StatusCode >= 200 && attempt.StatusCode < 300 {
			// Signed afresh, as a real redelivery is: same event, same id.
			dup := s.post(s.ctx, target, secret, payload)
			if s.ctx.Err() != nil {
				return
			}
			dup.Chaos = ChaosDuplicate
			s.mu.Lock()
			s.recordAttempt(deliveryID, dup)
			s.mu.Unlock()
		}
	}
}

// sleep waits for wait (forever when 0), a nudge or Close; it reports
// false on Close.
func (s *Sandbox) sleep(wait time.Duration, wake chan struct{}) bool {
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
	case <-wake:
	case <-s.ctx.Done():
		return false
	}
	return true
}

// recordAttempt stores an attempt and decides the delivery's fate: done on a
// 2xx, failed once the backoff schedule is used up, else due again after
// its next wait. Called with mu held.
func (s *Sandbox) recordAttempt(deliveryID string, a DeliveryAttempt) {
	d := deliveries.get(s.st, deliveryID)
	if d == nil { // endpoint deleted or account reset meanwhile
		return
	}
	d.Attempts = append(d.Attempts, a)
	d.NextAt = time.Time{}
	switch {
	case d.State != deliveryPending:
		// A duplicate of a delivery already decided: recorded, nothing more.
	case a.Chaos == ChaosDropped:
		d.NextAt = time.Now().Add(s.chaos.Redeliver)
		s.st.enqueue(d)
		s.nudge(lane{d.Endpoint, true})
	case a.StatusCode >= 200 && a.StatusCode < 300:
		d.State = deliverySucceeded
	case len(d.Attempts) > len(s.cfg.WebhookBackoff):
		d.State = deliveryFailed
	default:
		// The wait starts when the attempt ends, not when it began, so an
		// attempt that hung until the client's timeout still gets its pause.
		d.NextAt = time.Now().Add(s.cfg.WebhookBackoff[len(d.Attempts)-1])
		s.st.enqueue(d)
		s.nudge(lane{d.Endpoint, true})
	}
	deliveries.put(s.st, d)
	if err := s.commit(s.ctx); err != nil {
		s.log.Error("record delivery", logkey.Delivery, d.ID, logkey.Err, err)
	}
	s.log.Debug("webhook attempt", logkey.Delivery, d.ID, logkey.Status, a.StatusCode, logkey.State, d.State)
}

// post sends one signed event. The signature's time is real time, not the
// sandbox clock: receivers check it against their own clock.
func (s *Sandbox) post(ctx context.Context, target, secret string, payload []byte) DeliveryAttempt {
	now := time.Now()
	a := DeliveryAttempt{At: now}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		a.Err = fmt.Sprintf("build request: %v", err)
		return a
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set("Stripe-Signature", signature(secret, now, payload))
	res, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		a.Err = err.Error()
		return a
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	a.StatusCode = res.StatusCode
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		a.Err = "redirect not followed: Stripe counts a 3xx as a failed delivery"
	}
	return a
}
