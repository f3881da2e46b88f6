package main

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/calls"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/webhook"
)

// The Events screen's bound methods: the machinery made visible.

// maxEventRows and maxCallRows bound what one screen shows.
const (
	maxEventRows = 100
	maxCallRows  = 300
)

// EventRow is one line of the Events screen: an event, what it means in
// Stripe and what Tollgate did, and whom it concerns.
type EventRow struct {
	Event       tollgate.Event      `json:"event"`
	Explanation billing.Explanation `json:"explanation"`
	User        string              `json:"user"` // the Tollgate user it concerns, by name; "" for none
	// Overtaken names a newer event about the same customer that arrived
	// before this one; "" when it came in order.
	Overtaken string `json:"overtaken"`
	// Refused counts the deliveries of this event the endpoint refused
	// before one got through (among the refusals kept): a retried delivery.
	Refused int `json:"refused"`
}

// EventLog is the Events screen: the events received and the deliveries refused.
type EventLog struct {
	Events   []EventRow        `json:"events"`
	Refusals []webhook.Refusal `json:"refusals"`
}

// Events lists the latest webhook events: the logged-in user's, or with all,
// everyone's and those about no customer (the catalog's); and the latest
// refused deliveries.
func (a *App) Events(all bool) (EventLog, error) {
	return withUser(a, "Open Events", func(ctx context.Context, u *tollgate.User) (EventLog, error) {
		var evs []*tollgate.Event
		var err error
		if all {
			evs, err = a.lab.DB.RecentEvents(ctx, maxEventRows)
		} else {
			evs, err = a.lab.DB.RecentEventsOf(ctx, u.ID, maxEventRows)
		}
		if err != nil {
			return EventLog{}, err
		}
		log := EventLog{Events: make([]EventRow, 0, len(evs)), Refusals: a.lab.Webhook.Refusals()}
		refused := map[string]int{}
		for _, r := range log.Refusals {
			refused[r.EventID]++
		}
		overtaken := billing.Overtaken(evs)
		names := map[uint64]string{u.ID: u.Name}
		for _, e := range evs {
			row := EventRow{Event: *e, Explanation: billing.Explain(e), Overtaken: overtaken[e.ID], Refused: refused[e.ID]}
			if e.UserID != 0 {
				if _, ok := names[e.UserID]; !ok {
					if other, err := a.lab.DB.UserByID(ctx, e.UserID); err == nil {
						names[e.UserID] = other.Name
					}
				}
				row.User = names[e.UserID]
			}
			log.Events = append(log.Events, row)
		}
		return log, nil
	})
}

// EventPayload returns an event's body as Stripe sent it, indented, for a
// learner to read what a webhook carries.
func (a *App) EventPayload(id string) (string, error) {
	return withUser(a, "Show an event", func(ctx context.Context, _ *tollgate.User) (string, error) {
		e, err := a.lab.DB.EventByID(ctx, id)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		if err := json.Indent(&out, e.Payload, "", "  "); err != nil {
			return string(e.Payload), nil // shown as received: it was verified, just not pretty
		}
		return out.String(), nil
	})
}

// ReplayEvent sends a recorded event through the webhook endpoint again, as a
// redelivery from Stripe would arrive, and returns what the endpoint answered.
func (a *App) ReplayEvent(id string) (webhook.Replayed, error) {
	return withUser(a, "Replay an event", func(ctx context.Context, _ *tollgate.User) (webhook.Replayed, error) {
		return a.lab.Webhook.Replay(ctx, id)
	})
}

// DeliveryChaos returns the delivery chaos in force (sandbox only).
func (a *App) DeliveryChaos() (lab.Chaos, error) {
	return withUser(a, "Read the delivery chaos", func(context.Context, *tollgate.User) (lab.Chaos, error) {
		return a.lab.Chaos(), nil
	})
}

// SetDeliveryChaos switches the sandbox's delivery chaos and the endpoint's
// outage, and returns what is now in force.
func (a *App) SetDeliveryChaos(c lab.Chaos) (lab.Chaos, error) {
	return withUser(a, "Switch the delivery chaos", func(ctx context.Context, _ *tollgate.User) (lab.Chaos, error) {
		return a.lab.SetChaos(ctx, c)
	})
}

// StripeCalls lists the latest Stripe API requests Tollgate made, newest
// first, each under the action that caused it.
func (a *App) StripeCalls() ([]calls.Call, error) {
	return withUser(a, "Open Stripe calls", func(context.Context, *tollgate.User) ([]calls.Call, error) {
		return a.lab.Calls.Recent(maxCallRows), nil
	})
}
