package tollgate

import (
	"context"
	"time"
)

// Event outcomes, recorded for every verified webhook event.
const (
	EventPending = "pending" // recorded, not yet applied (applied at the next start if the app stops first)
	EventApplied = "applied"
	EventIgnored = "ignored" // a type Tollgate does not act on, or about a customer it does not know
	EventFailed  = "failed"  // applying failed; Error says why
)

// Event is a Stripe webhook event as Tollgate received it, and what applying
// it did.
type Event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	APIVersion string    `json:"apiVersion"`
	Created    time.Time `json:"created"` // Stripe's time: the customer's test clock, when it has one
	Received   time.Time `json:"received"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	// CustomerID and UserID say whom the event concerns, once applied; empty
	// for events about no customer (a product, a price).
	CustomerID string  `json:"customerId,omitempty"`
	UserID     uint64  `json:"userId,omitempty"`
	Effect     *Effect `json:"effect,omitempty"`
	Payload    []byte  `json:"-"` // the verified body, kept so a pending event can be applied after a restart
	// Seq is the event's place in the store's arrival order.
	Seq uint64 `json:"-"`
	// Outcomes counts the outcomes recorded for it: more than one means it was applied again.
	Outcomes int `json:"-"`
	// Duplicates are when redeliveries of this event arrived, each
	// recognised by its id and skipped; the latest few are kept. (ts_type:
	// Wails' generator has no TypeScript type for a slice of times.)
	Duplicates []time.Time `json:"duplicates,omitempty" ts_type:"string[]"`
}

// EventResult is what applying an event did.
type EventResult struct {
	Outcome    string // EventApplied or EventIgnored
	CustomerID string
	UserID     uint64
	Effect     *Effect // nil when nothing was re-read
}

// Effect is what an event made Tollgate re-read from Stripe, and what that
// changed in the local copy: the part of the machinery a learner came to see.
type Effect struct {
	Reread             []string       `json:"reread"`        // e.g. "the subscriptions of cus_…"
	Subscriptions      []StatusChange `json:"subscriptions"` // every subscription re-read, changed or not
	EntitlementsBefore []string       `json:"entitlementsBefore"`
	EntitlementsAfter  []string       `json:"entitlementsAfter"`
}

// StatusChange is a subscription's status before and after a re-read; Before
// is empty for a subscription Tollgate had not seen.
type StatusChange struct {
	ID     string `json:"id"`
	Before string `json:"before"`
	After  string `json:"after"`
	// EventSaid is the status the event itself carried for this
	// subscription, when it was not Stripe's at the re-read: a stale event,
	// which Tollgate did not believe.
	EventSaid string `json:"eventSaid,omitempty"`
}

// EventStore records webhook events durably before they are acted on.
type EventStore interface {
	// RecordEvent stores e with outcome pending unless its id is already recorded;
	// isNew is false for a redelivery, which must then change nothing but the
	// stored event's Duplicates.
	RecordEvent(ctx context.Context, e *Event) (isNew bool, err error)
	// SetEventResult records what applying the event did; errText, when
	// not empty, says why it failed.
	SetEventResult(ctx context.Context, id string, r EventResult, errText string) error
	// PendingEvents returns, with their payloads, up to limit events recorded
	// but not applied whose Seq is above after, oldest first.
	PendingEvents(ctx context.Context, after uint64, limit int) ([]*Event, error)
	// RecentEvents returns up to limit events, newest first, for the UI's log,
	// without their payloads.
	RecentEvents(ctx context.Context, limit int) ([]*Event, error)
	// EventByID returns a recorded event, with its payload, or a NotFound error.
	EventByID(ctx context.Context, id string) (*Event, error)
}

// EventApplier acts on a verified, recorded event. It returns what it did
// (outcome EventApplied or EventIgnored), or an error, which the caller
// records as EventFailed, with whatever of the result it learnt before.
type EventApplier interface {
	ApplyEvent(ctx context.Context, e *Event) (EventResult, error)
}
