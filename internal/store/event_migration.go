package store

import (
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// migrateEventIndexes (schema 2 → 3) moves each payload out of its record
// into event_payloads and builds the event indexes, numbering the pending
// events in their arrival order (received, then id) as schema 2 replayed
// them. It is idempotent: a record without a payload is left as it is, and
// every index entry is put, not added, so running it twice changes nothing.
func migrateEventIndexes(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketEventPayloads, bucketEventsPending, bucketEventsByTime, bucketEventsByUser, bucketEventsByCustomer} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	// The schema-2 record: the same fields with the payload inside.
	type legacy struct {
		eventRecord
		Payload []byte `json:"payload"`
	}
	events := tx.Bucket(bucketEvents)
	var all []*legacy
	err := events.ForEach(func(k, v []byte) error {
		var r legacy
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode event %s: %w", k, err)
		}
		all = append(all, &r)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool {
		if a, b := all[i].Received, all[j].Received; !a.Equal(b) {
			return a.Before(b)
		}
		return all[i].ID < all[j].ID
	})
	for _, r := range all {
		id := []byte(r.ID)
		if r.Payload != nil {
			if err := tx.Bucket(bucketEventPayloads).Put(id, r.Payload); err != nil {
				return err
			}
		}
		if r.Seq == 0 {
			if r.Seq, err = nextEventSeq(tx); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(&r.eventRecord) // without the payload
		if err != nil {
			return err
		}
		if err := events.Put(id, raw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketEventsByTime).Put(timeKey(r.Received, r.ID), []byte(r.CustomerID)); err != nil {
			return err
		}
		if r.Outcome == tollgate.EventPending {
			if err := tx.Bucket(bucketEventsPending).Put(itob(r.Seq), id); err != nil {
				return err
			}
			continue
		}
		if err := indexOutcome(tx, &r.eventRecord); err != nil {
			return err
		}
	}
	return nil
}
