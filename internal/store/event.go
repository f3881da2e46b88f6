package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

var _ tollgate.EventStore = (*DB)(nil)

// The event log, from schema 3:
//
//	events             id → eventRecord (what the Events screen shows; no payload)
//	event_payloads     id → the body as received, read only to apply, show or replay one event
//	events_pending     seq → id, the events not applied yet, in arrival order
//	events_by_time     received + id → customer id, newest last
//	events_by_user     user + received + id, once applying named the user
//	events_by_customer customer + 0 + received + id, once applied ("" for none), for retention
//
// So a page of the Events screen costs what it shows, catching up costs what
// is pending, and pruning costs what is old, never what is stored.

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
	// Seq is the event's place in arrival order, its key in events_pending.
	Seq uint64 `json:"seq"`
	// Outcomes counts the outcomes recorded: more than one means the event was
	// applied again (after a crash between applying it and saving what it did).
	Outcomes int `json:"outcomes,omitempty"`
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
		Received: r.Received, Outcome: r.Outcome, Error: r.Error, Seq: r.Seq, Outcomes: r.Outcomes,
		CustomerID: r.CustomerID, UserID: r.UserID, Effect: r.Effect, Duplicates: r.Duplicates}
}

// timeKey is received as big-endian nanoseconds then id, so keys sort by arrival.
func timeKey(received time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, nanos(received))
	return append(k, id...)
}

func nanos(t time.Time) uint64 {
	if n := t.UnixNano(); n > 0 {
		return uint64(n)
	}
	return 0
}

func userKey(user uint64, received time.Time, id string) []byte {
	return append(itob(user), timeKey(received, id)...)
}

// customerPrefix ends in a 0 byte, which no Stripe id holds, so one
// customer's prefix is never the start of another's.
func customerPrefix(customer string) []byte {
	return append([]byte(customer), 0)
}

func customerKey(customer string, received time.Time, id string) []byte {
	return append(customerPrefix(customer), timeKey(received, id)...)
}

// RecordEvent stores e as pending unless its id is already recorded. The check
// and the put share one write transaction, so two deliveries of one event racing
// each other still yield exactly one isNew. It returns once that transaction is
// committed, which it shares with the deliveries arriving meanwhile (see
// grouped). A redelivery only adds its arrival to the stored event's
// Duplicates, so the Events screen can show it skipped; e and the rest of the
// record stay untouched.
func (db *DB) RecordEvent(ctx context.Context, e *tollgate.Event) (isNew bool, err error) {
	if e.ID == "" {
		return false, fmt.Errorf("store: record event: %w", tollgate.Errorf(tollgate.EINVALID, "The event has no id."))
	}
	received := e.Received
	if received.IsZero() {
		received = db.Now().UTC()
	}
	var seq uint64
	err = db.grouped(func(tx *bolt.Tx) error {
		isNew = false // the group may run this again
		events := tx.Bucket(bucketEvents)
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
		var err error
		if seq, err = nextEventSeq(tx); err != nil {
			return err
		}
		raw, err := json.Marshal(eventRecord{ID: e.ID, Type: e.Type, APIVersion: e.APIVersion, Created: e.Created,
			Received: received, Outcome: tollgate.EventPending, Seq: seq})
		if err != nil {
			return err
		}
		id := []byte(e.ID)
		for _, put := range []struct {
			bucket, key, value []byte
		}{
			{bucketEvents, id, raw},
			{bucketEventPayloads, id, e.Payload},
			{bucketEventsPending, itob(seq), id},
			{bucketEventsByTime, timeKey(received, e.ID), nil},
			{bucketMeta, keyLastEvent, id},
		} {
			if err := tx.Bucket(put.bucket).Put(put.key, put.value); err != nil {
				return err
			}
		}
		isNew = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: record event %s: %w", e.ID, err)
	}
	if isNew {
		// Only once committed does e change.
		e.Received, e.Outcome, e.Error, e.Seq = received, tollgate.EventPending, "", seq
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
		e, err = getEvent(tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: last event: %w", err)
	}
	return e, nil
}

// SetEventResult records what applying the event did; an unknown id is a
// NotFound error. It shares its commit with the other writes queued meanwhile,
// so the worker's outcomes and the deliveries cost one fsync together.
func (db *DB) SetEventResult(ctx context.Context, id string, res tollgate.EventResult, errText string) error {
	err := db.grouped(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		raw := events.Get([]byte(id))
		if raw == nil {
			return tollgate.Errorf(tollgate.ENOTFOUND, "No event %s has been recorded.", id)
		}
		var r eventRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decode event: %w", err)
		}
		if err := unindexOutcome(tx, &r); err != nil {
			return err
		}
		r.Outcome, r.Error = res.Outcome, errText
		r.CustomerID, r.UserID, r.Effect = res.CustomerID, res.UserID, res.Effect
		r.Outcomes++
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := events.Put([]byte(id), raw); err != nil {
			return err
		}
		return indexOutcome(tx, &r)
	})
	if err != nil {
		return fmt.Errorf("store: set outcome of event %s: %w", id, err)
	}
	return nil
}

// indexOutcome files r under its user and customer, and out of the pending
// index once it has an outcome.
func indexOutcome(tx *bolt.Tx, r *eventRecord) error {
	if r.Outcome == tollgate.EventPending {
		return tx.Bucket(bucketEventsPending).Put(itob(r.Seq), []byte(r.ID))
	}
	if err := tx.Bucket(bucketEventsPending).Delete(itob(r.Seq)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketEventsByTime).Put(timeKey(r.Received, r.ID), []byte(r.CustomerID)); err != nil {
		return err
	}
	if r.UserID != 0 {
		if err := tx.Bucket(bucketEventsByUser).Put(userKey(r.UserID, r.Received, r.ID), nil); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketEventsByCustomer).Put(customerKey(r.CustomerID, r.Received, r.ID), nil)
}

// unindexOutcome removes what indexOutcome filed for r as it was.
func unindexOutcome(tx *bolt.Tx, r *eventRecord) error {
	if r.Outcome == tollgate.EventPending {
		return nil
	}
	if r.UserID != 0 {
		if err := tx.Bucket(bucketEventsByUser).Delete(userKey(r.UserID, r.Received, r.ID)); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketEventsByCustomer).Delete(customerKey(r.CustomerID, r.Received, r.ID))
}

// PendingEvents returns, with their payloads, up to limit events recorded
// but not yet applied whose Seq is above after, in arrival order. It reads
// the pending index, so it costs what is pending, not what is stored.
func (db *DB) PendingEvents(ctx context.Context, after uint64, limit int) ([]*tollgate.Event, error) {
	events := []*tollgate.Event{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEventsPending).Cursor()
		if after == math.MaxUint64 {
			return nil
		}
		for k, id := c.Seek(itob(after + 1)); k != nil && len(events) < limit; k, id = c.Next() {
			e, err := getEvent(tx, id, true)
			if err != nil {
				return err
			}
			if e != nil {
				events = append(events, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending events: %w", err)
	}
	return events, nil
}

// RecentEvents returns up to limit events, newest first, without their
// payloads; none when limit is not positive.
func (db *DB) RecentEvents(ctx context.Context, limit int) ([]*tollgate.Event, error) {
	return db.recentEvents(limit, bucketEventsByTime, nil)
}

// RecentEventsOf returns up to limit events about the user, newest first,
// without their payloads.
func (db *DB) RecentEventsOf(ctx context.Context, userID uint64, limit int) ([]*tollgate.Event, error) {
	return db.recentEvents(limit, bucketEventsByUser, itob(userID))
}

// recentEvents walks index backwards within prefix, whose keys go on with
// the 8-byte received time and the id, decoding only the records it returns.
func (db *DB) recentEvents(limit int, index, prefix []byte) ([]*tollgate.Event, error) {
	events := []*tollgate.Event{} // empty, not nil: the UI gets [] rather than null
	if limit <= 0 {
		return events, nil
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(index).Cursor()
		var k []byte
		if prefix == nil {
			k, _ = c.Last()
		} else if k, _ = c.Seek(append(bytes.Clone(prefix), bytes.Repeat([]byte{0xff}, 9)...)); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(events) < limit; k, _ = c.Prev() {
			id := k[len(prefix)+8:]
			e, err := getEvent(tx, id, false)
			if err != nil {
				return err
			}
			if e != nil {
				events = append(events, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: recent events: %w", err)
	}
	return events, nil
}

// EventByID returns the recorded event with its payload, or a NotFound error.
func (db *DB) EventByID(ctx context.Context, id string) (*tollgate.Event, error) {
	var e *tollgate.Event
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		if e, err = getEvent(tx, []byte(id), true); err == nil && e == nil {
			err = tollgate.Errorf(tollgate.ENOTFOUND, "Tollgate has received no event %s.", id)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: event %s: %w", id, err)
	}
	return e, nil
}

// getEvent decodes the event stored under id, with its payload when asked, or
// returns nil when there is none.
func getEvent(tx *bolt.Tx, id []byte, withPayload bool) (*tollgate.Event, error) {
	raw := tx.Bucket(bucketEvents).Get(id)
	if raw == nil {
		return nil, nil
	}
	var r eventRecord
	if err := json.Unmarshal(raw, &r); err != nil { // Unmarshal copies, so nothing outlives the transaction
		return nil, fmt.Errorf("decode event %s: %w", id, err)
	}
	e := r.event()
	if withPayload {
		e.Payload = bytes.Clone(tx.Bucket(bucketEventPayloads).Get(id))
	}
	return e, nil
}

// nextEventSeq numbers events in meta, which ResetBilling keeps: so a number
// is never given twice in a run, and the worker's place in the pending index
// stays valid across a reset.
func nextEventSeq(tx *bolt.Tx) (uint64, error) {
	return tx.Bucket(bucketMeta).NextSequence()
}
