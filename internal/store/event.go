package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

var _ tollgate.EventStore = (*DB)(nil)

// eventRecord is stored under the Stripe event id in events. The id is the key
// because Stripe redelivers with the same id, so the key itself is the dedupe.
type eventRecord struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	APIVersion string    `json:"api_version"`
	Created    time.Time `json:"created"`
	Received   time.Time `json:"received"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	Payload    []byte    `json:"payload"`
	// What applying it did; absent from events an earlier Tollgate recorded, which read as unknown.
	CustomerID string           `json:"customer_id,omitempty"`
	UserID     uint64           `json:"user_id,omitempty"`
	Effect     *tollgate.Effect `json:"effect,omitempty"`
	// Duplicates are when redeliveries of the event arrived and were skipped.
	Duplicates []time.Time `json:"duplicates,omitempty"`
}

// maxDuplicates bounds the redeliveries kept per event: a sender stuck
// redelivering one event must not grow its record without end.
const maxDuplicates = 20

func (r *eventRecord) event() *tollgate.Event {
	return &tollgate.Event{ID: r.ID, Type: r.Type, APIVersion: r.APIVersion, Created: r.Created,
		Received: r.Received, Outcome: r.Outcome, Error: r.Error, Payload: r.Payload,
		CustomerID: r.CustomerID, UserID: r.UserID, Effect: r.Effect, Duplicates: r.Duplicates}
}

// RecordEvent stores e as pending unless its id is already recorded. The check
// and the put share one write transaction, so two deliveries of one event racing
// each other still yield exactly one isNew. A redelivery only adds its arrival
// to the stored event's Duplicates, so the Events screen can show it skipped;
// e and the rest of the record stay untouched.
func (db *DB) RecordEvent(ctx context.Context, e *tollgate.Event) (isNew bool, err error) {
	if e.ID == "" {
		return false, fmt.Errorf("store: record event: %w", tollgate.Errorf(tollgate.EINVALID, "The event has no id."))
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		received := e.Received
		if received.IsZero() {
			received = db.Now().UTC()
		}
		if raw := events.Get([]byte(e.ID)); raw != nil {
			var r eventRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("decode event: %w", err)
			}
			r.Duplicates = append(r.Duplicates, received)
			if n := len(r.Duplicates); n > maxDuplicates {
				r.Duplicates = r.Duplicates[n-maxDuplicates:]
			}
			raw, err := json.Marshal(r)
			if err != nil {
				return err
			}
			return events.Put([]byte(e.ID), raw)
		}
		raw, err := json.Marshal(eventRecord{ID: e.ID, Type: e.Type, APIVersion: e.APIVersion, Created: e.Created,
			Received: received, Outcome: tollgate.EventPending, Payload: e.Payload})
		if err != nil {
			return err
		}
		if err := events.Put([]byte(e.ID), raw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyLastEvent, []byte(e.ID)); err != nil {
			return err
		}
		isNew = true
		// Only now, when the transaction can no longer fail on our side, does e change.
		e.Received, e.Outcome, e.Error = received, tollgate.EventPending, ""
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: record event %s: %w", e.ID, err)
	}
	return isNew, nil
}

// LastEvent returns the event received last, or nil when none is recorded:
// the Settings checklist's proof that events reach Tollgate. It reads one
// event, not the whole log.
func (db *DB) LastEvent(ctx context.Context) (*tollgate.Event, error) {
	var e *tollgate.Event
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketMeta).Get(keyLastEvent)
		if id == nil {
			return nil
		}
		var err error
		e, err = getEvent(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: last event: %w", err)
	}
	return e, nil
}

// SetEventResult records what applying the event did; an unknown id is a NotFound error.
func (db *DB) SetEventResult(ctx context.Context, id string, res tollgate.EventResult, errText string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		raw := events.Get([]byte(id))
		if raw == nil {
			return tollgate.Errorf(tollgate.ENOTFOUND, "No event %s has been recorded.", id)
		}
		var r eventRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decode event: %w", err)
		}
		r.Outcome, r.Error = res.Outcome, errText
		r.CustomerID, r.UserID, r.Effect = res.CustomerID, res.UserID, res.Effect
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return events.Put([]byte(id), raw)
	})
	if err != nil {
		return fmt.Errorf("store: set outcome of event %s: %w", id, err)
	}
	return nil
}

// PendingEvents returns the events recorded but not yet applied, oldest first
// by Received and then by id, so that replaying them keeps their arrival order.
func (db *DB) PendingEvents(ctx context.Context) ([]*tollgate.Event, error) {
	events, err := db.events(func(r *eventRecord) bool { return r.Outcome == tollgate.EventPending })
	if err != nil {
		return nil, fmt.Errorf("store: pending events: %w", err)
	}
	sort.Slice(events, func(i, j int) bool { return eventBefore(events[i], events[j]) })
	return events, nil
}

// RecentEvents returns up to limit events, newest first; none when limit is not positive.
func (db *DB) RecentEvents(ctx context.Context, limit int) ([]*tollgate.Event, error) {
	return db.recentEvents(limit, func(*eventRecord) bool { return true })
}

// RecentEventsOf returns up to limit events about the user, newest first.
func (db *DB) RecentEventsOf(ctx context.Context, userID uint64, limit int) ([]*tollgate.Event, error) {
	return db.recentEvents(limit, func(r *eventRecord) bool { return r.UserID == userID })
}

func (db *DB) recentEvents(limit int, keep func(*eventRecord) bool) ([]*tollgate.Event, error) {
	if limit <= 0 {
		return []*tollgate.Event{}, nil
	}
	events, err := db.events(keep)
	if err != nil {
		return nil, fmt.Errorf("store: recent events: %w", err)
	}
	sort.Slice(events, func(i, j int) bool { return eventBefore(events[j], events[i]) })
	if len(events) > limit {
		events = events[:limit]
	}
	return events, nil
}

// EventByID returns the recorded event with its payload, or a NotFound error.
func (db *DB) EventByID(ctx context.Context, id string) (*tollgate.Event, error) {
	var e *tollgate.Event
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		if e, err = getEvent(tx, []byte(id)); err == nil && e == nil {
			err = tollgate.Errorf(tollgate.ENOTFOUND, "Tollgate has received no event %s.", id)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: event %s: %w", id, err)
	}
	return e, nil
}

// getEvent decodes the event stored under id, or returns nil when there is none.
func getEvent(tx *bolt.Tx, id []byte) (*tollgate.Event, error) {
	raw := tx.Bucket(bucketEvents).Get(id)
	if raw == nil {
		return nil, nil
	}
	var r eventRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("decode event %s: %w", id, err)
	}
	return r.event(), nil
}

// events decodes every stored event that keep accepts. The bucket is keyed by
// Stripe id, not by time, so any ordering needs the whole bucket; a desktop
// app's event log stays small enough for that.
func (db *DB) events(keep func(*eventRecord) bool) ([]*tollgate.Event, error) {
	events := []*tollgate.Event{} // empty, not nil: the UI gets [] rather than null
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			var r eventRecord
			if err := json.Unmarshal(v, &r); err != nil { // Unmarshal copies, so nothing outlives the transaction
				return fmt.Errorf("decode event %s: %w", k, err)
			}
			if keep(&r) {
				events = append(events, r.event())
			}
			return nil
		})
	})
	return events, err
}

// eventBefore orders events by arrival; the id breaks ties between events
// received in the same instant so that the order is stable across calls.
func eventBefore(a, b *tollgate.Event) bool {
	if !a.Received.Equal(b.Received) {
		return a.Received.Before(b.Received)
	}
	return a.ID < b.ID
}
