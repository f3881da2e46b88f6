package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Retention says which events the log keeps: every event received within
// MaxAge, the newest PerCustomer of each customer (events about no customer,
// such as the catalog's, count as one customer), and every pending event,
// which is still to be applied.
type Retention struct {
	MaxAge      time.Duration
	PerCustomer int
}

// DefaultRetention keeps a week, and a busy customer's latest 200 beyond it.
var DefaultRetention = Retention{MaxAge: 7 * 24 * time.Hour, PerCustomer: 200}

// pruneChunk bounds the deletions of one transaction, so that pruning a big
// backlog never holds the writer long enough to delay a webhook's answer.
const pruneChunk = 1000

// PruneEvents deletes the events the rule no longer keeps and returns how
// many. It reads only the events older than MaxAge, oldest first, through
// the time index, so its cost follows what is old, not what is stored.
func (db *DB) PruneEvents(ctx context.Context, rule Retention) (int, error) {
	cutoff := nanos(db.Now().Add(-rule.MaxAge))
	total := 0
	var from []byte // where the next chunk starts: kept events are not looked at twice
	for ctx.Err() == nil {
		n, next, err := db.pruneChunk(cutoff, rule.PerCustomer, from)
		total += n
		if err != nil {
			return total, fmt.Errorf("store: prune events: %w", err)
		}
		if next == nil {
			return total, nil
		}
		from = next
	}
	return total, ctx.Err()
}

// pruneChunk deletes up to pruneChunk events older than cutoff from from on,
// and returns where to go on, or nil when no old event is left.
func (db *DB) pruneChunk(cutoff uint64, perCustomer int, from []byte) (deleted int, next []byte, err error) {
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		deleted, next = 0, nil
		byCustomer := tx.Bucket(bucketEventsByCustomer).Cursor()
		var doomed []*eventRecord
		c := tx.Bucket(bucketEventsByTime).Cursor()
		k, _ := c.First()
		if from != nil {
			k, _ = c.Seek(from)
		}
		for ; k != nil && binary.BigEndian.Uint64(k) < cutoff; k, _ = c.Next() {
			if len(doomed) == pruneChunk {
				next = bytes.Clone(k)
				break
			}
			raw := tx.Bucket(bucketEvents).Get(k[8:])
			if raw == nil {
				continue
			}
			var r eventRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("decode event %s: %w", k[8:], err)
			}
			if r.Outcome == tollgate.EventPending || !beyond(byCustomer, &r, perCustomer) {
				continue
			}
			doomed = append(doomed, &r)
		}
		for _, r := range doomed {
			if err := deleteEvent(tx, r); err != nil {
				return err
			}
		}
		deleted = len(doomed)
		return nil
	})
	return deleted, next, err
}

// beyond reports whether perCustomer newer events of r's customer follow r.
func beyond(c *bolt.Cursor, r *eventRecord, perCustomer int) bool {
	prefix := customerPrefix(r.CustomerID)
	k, _ := c.Seek(customerKey(r.CustomerID, r.Received, r.ID))
	newer := 0
	for k, _ = c.Next(); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if newer++; newer >= perCustomer {
			return true
		}
	}
	return perCustomer <= 0
}

func deleteEvent(tx *bolt.Tx, r *eventRecord) error {
	if err := unindexOutcome(tx, r); err != nil {
		return err
	}
	id := []byte(r.ID)
	for _, del := range []struct{ bucket, key []byte }{
		{bucketEventsPending, itob(r.Seq)},
		{bucketEventsByTime, timeKey(r.Received, r.ID)},
		{bucketEventPayloads, id},
		{bucketEvents, id},
	} {
		if err := tx.Bucket(del.bucket).Delete(del.key); err != nil {
			return err
		}
	}
	return nil
}
