package sandbox

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// write is one object's change as the store keeps it: its JSON, or nil
// for a delete.
type write struct {
	bucket, key string
	value       []byte
}

// committer writes the changes of many requests in one bbolt transaction,
// so concurrent requests share an fsync instead of queueing for one each.
//
// Changes are handed over under the state lock, in the order they were
// made, and written in that order, one transaction at a time: a later
// change to an object always lands after an earlier one. A request answers
// only once the transaction holding its changes is on disk, so nothing a
// client was told is lost. (bbolt's own DB.Batch does not promise that
// order between batches, and may run a function twice.)
type committer struct {
	db *bolt.DB

	mu      sync.Mutex
	queue   []*commitReq // handed over, not yet in a transaction
	running bool         // a goroutine is writing; it takes what queues
	last    *commitReq   // the latest handed over
}

// commitReq is one operation's changes; done closes when they are on disk
// (or failed to be, with err).
type commitReq struct {
	writes []write
	done   chan struct{}
	err    error
}

// wait blocks until the changes are written and returns the error, if any.
// A nil request has nothing to wait for.
func (r *commitReq) wait() error {
	if r == nil {
		return nil
	}
	<-r.done
	return r.err
}

func newCommitter(db *bolt.DB) *committer { return &committer{db: db} }

// submit hands over one operation's changes. Called under the state lock,
// so the queue's order is the order the changes were made. With no changes
// it returns the latest request: waiting on it makes sure whatever state
// the caller read is on disk before the caller answers from it.
func (c *committer) submit(ws []write) *commitReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(ws) == 0 {
		return c.last
	}
	r := &commitReq{writes: ws, done: make(chan struct{})}
	c.queue = append(c.queue, r)
	c.last = r
	if !c.running {
		c.running = true
		go c.run()
	}
	return r
}

// run writes what has queued, then what queued meanwhile, until nothing has.
func (c *committer) run() {
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		if len(batch) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		err := c.db.Update(func(tx *bolt.Tx) error {
			for _, r := range batch {
				for _, w := range r.writes {
					b := tx.Bucket([]byte(w.bucket))
					if b == nil {
						return fmt.Errorf("missing bucket %s", w.bucket)
					}
					var err error
					if w.value == nil {
						err = b.Delete([]byte(w.key))
					} else {
						err = b.Put([]byte(w.key), w.value)
					}
					if err != nil {
						return fmt.Errorf("write %s %s: %w", w.bucket, w.key, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
		for _, r := range batch {
			r.err = err
			close(r.done)
		}
	}
}

// drain waits until everything handed over is written: transactions run
// in order, so until the latest is.
func (c *committer) drain() {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	_ = last.wait() // its submitter reports the error
}
