package billing

import (
	"slices"
	"time"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Timeline is a subscription's life as the Plans screen draws it: the
// stretches of each status, and the events that moved it, on Stripe's clock.
type Timeline struct {
	Subscription string          `json:"subscription"`
	From         time.Time       `json:"from"`
	Now          time.Time       `json:"now"` // the customer's clock, where the drawing ends
	Spans        []TimelineSpan  `json:"spans"`
	Points       []TimelinePoint `json:"points"`
}

// TimelineSpan is a stretch of one status; the last one is the status now.
type TimelineSpan struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Status string    `json:"status"`
}

// TimelinePoint is one moment: an event, or a date the subscription holds.
type TimelinePoint struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // created, trial_will_end, trial_end, drafted, paid, failed, status, canceled, updated
	Label   string    `json:"label"`
	EventID string    `json:"eventId"` // "" for a date the subscription holds (the trial's end)
}

// pointOf says how an event type shows on the timeline; types not listed
// (finalized invoices, customers, cards) would only crowd it.
var pointOf = map[string]struct{ kind, label string }{
	"checkout.session.completed":           {"created", "Checkout completed"},
	"customer.subscription.created":        {"created", "Subscription created"},
	"customer.subscription.trial_will_end": {"trial_will_end", "Trial ends in 3 days (trial_will_end)"},
	"invoice.created":                      {"drafted", "Invoice drafted"},
	"invoice.paid":                         {"paid", "Invoice paid"},
	"invoice.payment_failed":               {"failed", "Payment failed"},
	"customer.subscription.updated":        {"updated", "Subscription updated"},
	"customer.subscription.deleted":        {"canceled", "Subscription canceled"},
}

// BuildTimeline draws sub's life from the events Tollgate recorded of its
// customer (any order), up to now on the customer's clock. A status change
// is placed at the Stripe time of the first event whose re-read saw it.
func BuildTimeline(sub tollgate.Subscription, events []*tollgate.Event, now time.Time) Timeline {
	t := Timeline{Subscription: sub.StripeID, From: sub.Created, Now: now, Spans: []TimelineSpan{}, Points: []TimelinePoint{}}
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b *tollgate.Event) int { return a.Created.Compare(b.Created) })
	status, since := "", sub.Created
	for _, e := range evs {
		if e.CustomerID != sub.CustomerID || e.Created.Before(sub.Created.Add(-time.Minute)) {
			continue
		}
		p, shown := pointOf[e.Type]
		label := p.label
		if change, ok := statusChange(e, sub.StripeID); ok {
			if status == "" {
				status = change.After
			} else if change.After != status {
				t.Spans = append(t.Spans, TimelineSpan{From: since, To: e.Created, Status: status})
				status, since = change.After, e.Created
			}
			if change.Before != "" && change.Before != change.After {
				if shown {
					label += ": " + change.Before + " → " + change.After
				} else {
					shown, p.kind, label = true, "status", change.Before+" → "+change.After
				}
			}
		}
		if shown {
			t.Points = append(t.Points, TimelinePoint{At: e.Created, Kind: p.kind, Label: label, EventID: e.ID})
		}
	}
	// The status now is the subscription's own: a success page or a sync may
	// have brought it before any event told of it.
	if status != sub.Status {
		if status != "" && len(t.Points) > 0 {
			last := t.Points[len(t.Points)-1].At
			t.Spans = append(t.Spans, TimelineSpan{From: since, To: last, Status: status})
			since = last
		}
		status = sub.Status
	}
	end := now
	if end.Before(since) {
		end = since
	}
	t.Spans = append(t.Spans, TimelineSpan{From: since, To: end, Status: status})
	if !sub.TrialEnd.IsZero() {
		t.Points = append(t.Points, TimelinePoint{At: sub.TrialEnd, Kind: "trial_end", Label: "Trial end"})
		slices.SortStableFunc(t.Points, func(a, b TimelinePoint) int { return a.At.Compare(b.At) })
	}
	return t
}

// statusChange finds what e's re-read saw of subscription id.
func statusChange(e *tollgate.Event, id string) (tollgate.StatusChange, bool) {
	if e.Effect == nil {
		return tollgate.StatusChange{}, false
	}
	for _, c := range e.Effect.Subscriptions {
		if c.ID == id {
			return c, true
		}
	}
	return tollgate.StatusChange{}, false
}
