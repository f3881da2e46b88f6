package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The meta bucket keeps the sequence newBase counts with; every other
// bucket is a declared resource's (see resource.go).
const (
	bucketMeta = "meta"
	metaSeqKey = "seq"
)

// base is embedded in every stored object. Seq orders objects by creation,
// because Stripe lists newest first and ids are random.
type base struct {
	ID      string `json:"id"`
	Seq     int64  `json:"seq"`
	Created int64  `json:"created"`
}

func (b *base) meta() *base { return b }

type row interface{ meta() *base }

// anyTable lets the store load, flush and wipe tables of every type alike.
type anyTable interface {
	name() string
	lookup(id string) (any, bool)
	load(id string, data []byte) error
}

// table is the in-memory copy of one bucket. The whole state lives in memory
// (a learner's account is small) and every change is written through to bbolt
// at the end of the request that made it.
type table[T any] struct {
	bucket string
	rows   map[string]*T
}

func (t *table[T]) name() string { return t.bucket }

func (t *table[T]) lookup(id string) (any, bool) {
	v, ok := t.rows[id]
	return v, ok
}

func (t *table[T]) load(id string, data []byte) error {
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s %s: %w", t.bucket, id, err)
	}
	t.rows[id] = v
	return nil
}

// state is everything the emulator knows; guarded by Sandbox.mu.
type state struct {
	// tables hold the rows of every declared resource, each at its
	// resource's index.
	tables []anyTable

	seq   int64
	dirty map[[2]string]struct{}
	// pending indexes pending deliveries by endpoint id; not stored, but
	// rebuilt from the deliveries table on load.
	pending map[string]*deliveryQueue
	// newEvents collects events made by the current change, so delivery
	// workers are woken once it is committed.
	newEvents bool
}

func newState() *state {
	st := &state{dirty: map[[2]string]struct{}{}, pending: map[string]*deliveryQueue{}}
	for _, r := range resources {
		st.tables = append(st.tables, r.newTable())
	}
	return st
}

// newBase stamps a new object with an id, the next sequence number and its
// creation time.
func (st *state) newBase(prefix string, created time.Time) base {
	st.seq++
	st.dirty[[2]string{bucketMeta, metaSeqKey}] = struct{}{}
	return base{ID: newID(prefix), Seq: st.seq, Created: created.Unix()}
}

func openDB(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// loadState creates any missing bucket and reads every object into memory.
func loadState(db *bolt.DB) (*state, error) {
	st := newState()
	err := db.Update(func(tx *bolt.Tx) error {
		mb, err := tx.CreateBucketIfNotExists([]byte(bucketMeta))
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bucketMeta, err)
		}
		if v := mb.Get([]byte(metaSeqKey)); v != nil {
			if st.seq, err = strconv.ParseInt(string(v), 10, 64); err != nil {
				return fmt.Errorf("decode seq: %w", err)
			}
		}
		for _, t := range st.tables {
			b, err := tx.CreateBucketIfNotExists([]byte(t.name()))
			if err != nil {
				return fmt.Errorf("create bucket %s: %w", t.name(), err)
			}
			// bbolt's slices are only valid inside the transaction; load
			// unmarshals them into fresh values, so nothing escapes it.
			if err := b.ForEach(func(k, v []byte) error { return t.load(string(k), v) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	st.dirty = map[[2]string]struct{}{}
	st.indexPending()
	return st, nil
}

// flush writes every object changed since the last flush in one transaction.
func (st *state) flush(ctx context.Context, db *bolt.DB) error {
	if len(st.dirty) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	byName := map[string]anyTable{}
	for _, t := range st.tables {
		byName[t.name()] = t
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for key := range st.dirty {
			b := tx.Bucket([]byte(key[0]))
			if b == nil {
				return fmt.Errorf("missing bucket %s", key[0])
			}
			if key[0] == bucketMeta {
				if err := b.Put([]byte(metaSeqKey), []byte(strconv.FormatInt(st.seq, 10))); err != nil {
					return err
				}
				continue
			}
			v, ok := byName[key[0]].lookup(key[1])
			if !ok {
				if err := b.Delete([]byte(key[1])); err != nil {
					return err
				}
				continue
			}
			data, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("encode %s %s: %w", key[0], key[1], err)
			}
			if err := b.Put([]byte(key[1]), data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	st.dirty = map[[2]string]struct{}{}
	return nil
}

// wipe deletes every bucket and recreates it empty.
func wipe(db *bolt.DB, st *state) error {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range append([]string{bucketMeta}, bucketNames(st)...) {
			if err := tx.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return fmt.Errorf("delete bucket %s: %w", name, err)
			}
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("wipe: %w", err)
	}
	return nil
}

func bucketNames(st *state) []string {
	var out []string
	for _, t := range st.tables {
		out = append(out, t.name())
	}
	return out
}
