package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxGroup bounds how many writes share one transaction, so that one commit
// never holds bbolt's writer long enough to stall the screens' own writes.
const maxGroup = 512

// errClosed is what a write queued after Close gets.
var errClosed = errors.New("the store is closed")

// groupWrite is one write waiting for the group commit.
type groupWrite struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// grouped runs fn in a write transaction shared with the other grouped writes
// queued meanwhile, and returns once that transaction is committed (fsync'd)
// or has failed. One fsync then serves every webhook delivery that arrived
// during the previous one, which is what lets ingestion keep up with many
// connections: bbolt's own Batch would instead wait a fixed delay for company.
//
// fn may run more than once (when another write in its group fails, the group
// is run again without it), so it must only change state through tx, or set
// variables it overwrites on every run.
func (db *DB) grouped(fn func(*bolt.Tx) error) error {
	w := &groupWrite{fn: fn, done: make(chan error, 1)}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return errClosed
	}
	db.writes <- w
	db.closeMu.RUnlock()
	return <-w.done
}

// runWriter commits the grouped writes until Close closes the queue.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	group := make([]*groupWrite, 0, maxGroup)
	for w := range db.writes {
		group = append(group[:0], w)
	fill:
		for len(group) < maxGroup {
			select {
			case w, ok := <-db.writes:
				if !ok {
					break fill
				}
				group = append(group, w)
			default:
				break fill
			}
		}
		db.commitGroup(group)
	}
}

// commitGroup commits group in one transaction. A write whose fn fails gets
// its error and the rest run again without it, so one bad write never fails
// another; a failed commit fails them all, and none was acknowledged.
func (db *DB) commitGroup(group []*groupWrite) {
	for len(group) > 0 {
		failed, failure := -1, error(nil)
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i, w := range group {
				if err := w.fn(tx); err != nil {
					failed, failure = i, err
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].done <- failure
			group = append(group[:failed:failed], group[failed+1:]...)
			continue
		}
		if err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
		for _, w := range group {
			w.done <- err
		}
		return
	}
}
