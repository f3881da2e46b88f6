package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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
}

// DeliveryAttempt is one POST of an event to a webhook endpoint.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"` // 0 when the endpoint was unreachable
	Err        string    `json:"error,omitempty"`
}

// Delivery is the delivery record of one event to one endpoint.
type Delivery struct {
	EventID    string
	EventType  string
	EndpointID string
	State      string // "pending", "succeeded" or "failed" (attempts exhausted)
	Attempts   []DeliveryAttempt
}

// Deliveries lists the deliveries to an endpoint, oldest first, so a learner
// (or a test) can see what was sent and what the endpoint answered.
func (s *Sandbox) Deliveries(endpointID string) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := sorted(&s.st.deliveries, func(d *delivery) bool { return d.Endpoint == endpointID })
	out := make([]Delivery, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		d := rows[i]
		typ := ""
		if ev := s.st.events.get(d.Event); ev != nil {
			typ = ev.Type
		}
		out = append(out, Delivery{EventID: d.Event, EventType: typ, EndpointID: d.Endpoint, State: d.State,
			Attempts: append([]DeliveryAttempt(nil), d.Attempts...)})
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

func validURL(p *params, param string) string {
	v := p.required(param)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
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
	ep := &webhookEndpoint{base: s.st.newBase("we_", s.cfg.Now()), Secret: newSecret(), Status: "enabled", APIVersion: APIVersion}
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
	s.st.endpoints.put(s.st, ep.ID, ep)
	return renderEndpoint(ep, true), nil
}

func (s *Sandbox) endpoint(c *call) (*webhookEndpoint, error) {
	ep := s.st.endpoints.get(c.r.PathValue("id"))
	if ep == nil {
		return nil, errNotFound("webhook endpoint", c.r.PathValue("id"), "id")
	}
	return ep, nil
}

func (s *Sandbox) getEndpoint(c *call) (any, error) {
	ep, err := s.endpoint(c)
	if err != nil {
		return nil, err
	}
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	return renderEndpoint(ep, false), nil
}

func (s *Sandbox) updateEndpoint(c *call) (any, error) {
	ep, err := s.endpoint(c)
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
	s.st.endpoints.put(s.st, ep.ID, ep)
	return renderEndpoint(ep, false), nil
}

func (s *Sandbox) deleteEndpoint(c *call) (any, error) {
	ep, err := s.endpoint(c)
	if err != nil {
		return nil, err
	}
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	s.st.endpoints.del(s.st, ep.ID)
	for _, d := range s.st.deliveries.rows {
		if d.Endpoint == ep.ID {
			s.st.deliveries.del(s.st, d.ID)
		}
	}
	s.wakeDeliveries()
	return deleted(ep.ID, "webhook_endpoint"), nil
}

func (s *Sandbox) listEndpoints(c *call) (any, error) {
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	rows := sorted(&s.st.endpoints, nil)
	return page(c, a, rows, func(ep *webhookEndpoint) any { return renderEndpoint(ep, false) })
}

// wakeDeliveries starts a worker for each endpoint that has none and nudges
// every worker to look for work. Called with mu held.
func (s *Sandbox) wakeDeliveries() {
	if s.ctx.Err() != nil {
		return // stopped: Close may already be waiting on wg
	}
	for id := range s.st.endpoints.rows {
		if _, ok := s.workers[id]; !ok {
			ch := make(chan struct{}, 1)
			s.workers[id] = ch
			s.wg.Add(1)
			go s.deliverLoop(id, ch)
		}
	}
	for _, ch := range s.workers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// deliverLoop sends one endpoint's events strictly in order: the oldest
// pending delivery blocks the ones after it until it succeeds or gives up.
// Retry waits run on real time, since they are about the network, not billing.
func (s *Sandbox) deliverLoop(endpointID string, wake chan struct{}) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		ep := s.st.endpoints.get(endpointID)
		if ep == nil {
			delete(s.workers, endpointID)
			s.mu.Unlock()
			return
		}
		var next *delivery
		for _, d := range s.st.deliveries.rows {
			if d.Endpoint == endpointID && d.State == deliveryPending && (next == nil || d.Seq < next.Seq) {
				next = d
			}
		}
		var payload []byte
		var deliveryID, target, secret string
		var due time.Time
		if next != nil {
			deliveryID, target, secret, due = next.ID, ep.URL, ep.Secret, next.NextAt
			if ev := s.st.events.get(next.Event); ev != nil {
				payload, _ = json.Marshal(renderEvent(ev))
			}
		}
		s.mu.Unlock()

		if next == nil {
			select {
			case <-wake:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		if wait := time.Until(due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-wake:
				t.Stop()
			case <-s.ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		attempt := s.post(s.ctx, target, secret, payload)
		if s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		s.recordAttempt(deliveryID, attempt)
		s.mu.Unlock()
	}
}

func (s *Sandbox) recordAttempt(deliveryID string, a DeliveryAttempt) {
	d := s.st.deliveries.get(deliveryID)
	if d == nil { // endpoint deleted or account reset meanwhile
		return
	}
	d.Attempts = append(d.Attempts, a)
	switch {
	case a.StatusCode >= 200 && a.StatusCode < 300:
		d.State = deliverySucceeded
	case len(d.Attempts) > len(s.cfg.WebhookBackoff):
		d.State = deliveryFailed
	default:
		d.NextAt = time.Now().Add(s.cfg.WebhookBackoff[len(d.Attempts)-1])
	}
	s.st.deliveries.put(s.st, d.ID, d)
	if err := s.commit(s.ctx); err != nil {
		s.log.Error("record delivery", "delivery", d.ID, "err", err)
	}
	s.log.Debug("webhook attempt", "delivery", d.ID, "status", a.StatusCode, "state", d.State)
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
