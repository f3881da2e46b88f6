package sandbox

import (
	"encoding/json"
	"strings"
	"time"
)

// events are the events the sandbox sent, as many as its retention keeps
// (retention.go).
var events *resource[event]

// eventsByCustomer files events by the customer they concern, for the
// retention's count per customer.
var eventsByCustomer index[event]

func init() {
	events = declare(&resource[event]{
		bucket: "events",
		prefix: "evt_",
		object: "event",
		render: func(_ *Sandbox, ev *event) map[string]any { return renderEvent(ev) },
	})
	eventsByCustomer = events.index(func(ev *event) string { return ev.Customer })
}

type event struct {
	base
	Type            string          `json:"type"`
	Object          json.RawMessage `json:"object"`
	Previous        json.RawMessage `json:"previous,omitempty"`
	PendingWebhooks int64           `json:"pending_webhooks"`
	Request         eventRequest    `json:"request"`
	// Customer is the customer the event concerns ("" for none, as for
	// the catalog's), and Recorded when it was made on the wall clock (its
	// Created is on its object's test clock, maybe years ahead): what the
	// retention goes by.
	Customer string `json:"customer,omitempty"`
	Recorded int64  `json:"recorded,omitempty"`
}

// eventRequest is an event's request: the API request that caused it, by
// its Request-Id, and the Idempotency-Key that request carried. Both are
// empty (null) for an event "automatic (e.g., Stripe's automatic
// subscription handling)", as the API reference puts it: a renewal, a
// retry, anything a test clock's advance runs, and what a hosted page does.
type eventRequest struct {
	ID             string `json:"id,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// emit records an event made at time at (the object's clock) and queues
// a delivery to every endpoint enabled for its type.
func (s *Sandbox) emit(at time.Time, typ string, obj any) {
	s.emitWithPrevious(at, typ, obj, nil)
}

func (s *Sandbox) emitWithPrevious(at time.Time, typ string, obj any, previous map[string]any) {
	raw, err := json.Marshal(obj)
	if err != nil {
		// Objects are maps of plain values; this cannot fail.
		panic(err)
	}
	ev := &event{base: events.newBase(s.st, at), Type: typ, Object: raw, Request: s.cause,
		Customer: customerOf(obj), Recorded: s.cfg.Now().Unix()}
	if previous != nil {
		ev.Previous, _ = json.Marshal(previous)
	}
	for _, ep := range endpoints.sorted(s.st, nil) {
		if ep.Status != "enabled" || !(contains(ep.EnabledEvents, "*") || contains(ep.EnabledEvents, typ)) {
			continue
		}
		d := &delivery{base: deliveries.newBase(s.st, at), Event: ev.ID, Endpoint: ep.ID, State: deliveryPending}
		deliveries.put(s.st, d)
		s.st.enqueue(d)
		ev.PendingWebhooks++
	}
	events.put(s.st, ev)
	s.st.newEvents = true
}

// customerOf is the customer an event's object concerns: itself, for a
// customer, else its customer field.
func customerOf(obj any) string {
	m, ok := obj.(map[string]any)
	if !ok {
		return ""
	}
	if m["object"] == "customer" {
		id, _ := m["id"].(string)
		return id
	}
	id, _ := m["customer"].(string)
	return id
}

func renderEvent(ev *event) map[string]any {
	data := map[string]any{"object": ev.Object}
	if len(ev.Previous) > 0 {
		data["previous_attributes"] = ev.Previous
	}
	return map[string]any{
		"id": ev.ID, "object": "event", "api_version": APIVersion, "created": ev.Created, "data": data,
		"livemode": false, "pending_webhooks": ev.PendingWebhooks,
		"request": map[string]any{"id": nullable(ev.Request.ID), "idempotency_key": nullable(ev.Request.IdempotencyKey)}, "type": ev.Type,
	}
}

func (s *Sandbox) listEvents(c *call) (any, error) {
	p := c.p
	typ := p.str("type")
	types := p.strings("types")
	createdGTE := p.integer(0, 0, 1<<62, "created", "gte")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	match := func(t string) bool {
		if typ == "" {
			return len(types) == 0 || contains(types, t)
		}
		// Stripe allows one trailing wildcard, as in "invoice.*".
		if prefix, ok := strings.CutSuffix(typ, "*"); ok {
			return strings.HasPrefix(t, prefix)
		}
		return t == typ
	}
	return pageOf(c, s.st, a, events, events.all(s.st), func(ev *event) bool { return match(ev.Type) && ev.Created >= createdGTE },
		func(ev *event) any { return renderEvent(ev) })
}
