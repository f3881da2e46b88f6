package sandbox

import (
	"bytes"
	"encoding/binary"
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

// state is everything the emulator knows; guarded by Sandbox.mu.
type state struct {
	// tables hold the rows of every declared resource, each at its
	// resource's index.
	tables []anyTable

	seq int64
	// dirty are the rows changed since the last commit, by bucket and id,
	// with their sequence numbers, which are their keys in the store.
	dirty map[[2]string]int64
	// raw are changes to keys that are no table's rows (an idempotency
	// key's body), in the order made, for the next commit.
	raw []write
	// pending indexes pending deliveries by endpoint id; not stored, but
	// rebuilt from the deliveries table on load.
	pending map[string]*deliveryQueue
	// newEvents collects events made by the current change, so delivery
	// workers are woken once it is committed.
	newEvents bool
}

func newState() *state {
	st := &state{dirty: map[[2]string]int64{}, pending: map[string]*deliveryQueue{}}
	for _, r := range resources {
		st.tables = append(st.tables, r.newTable())
	}
	return st
}

// newBase stamps a new object with an id, the next sequence number and its
// creation time.
func (st *state) newBase(prefix string, created time.Time) base {
	st.seq++
	st.dirty[[2]string{bucketMeta, metaSeqKey}] = 0
	return base{ID: newID(prefix), Seq: st.seq, Created: created.Unix()}
}

func openDB(path string) (*bolt.DB, error) {
	// The freelist is not written with every commit but rebuilt when the
	// file is opened (a scan of a small file): each commit then writes only
	// the pages its changes touched, which is most of what a write costs.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
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
		if err := moveIdemBodies(tx); err != nil {
			return err
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
			var moves []write
			err = b.ForEach(func(k, v []byte) error {
				key, err := t.load(v)
				if err == nil && key != string(k) {
					moves = append(moves, write{key: string(k)}, write{key: key, value: bytes.Clone(v)})
				}
				return err
			})
			if err != nil {
				return err
			}
			// Rows an earlier version keyed by id move to their sequence
			// number's key (not during ForEach: a bucket must not change
			// while it is walked).
			for _, m := range moves {
				if m.value == nil {
					err = b.Delete([]byte(m.key))
				} else {
					err = b.Put([]byte(m.key), m.value)
				}
				if err != nil {
					return fmt.Errorf("rekey %s: %w", t.name(), err)
				}
			}
			t.loaded()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	st.dirty = map[[2]string]int64{}
	st.indexPending()
	return st, nil
}

// rowKey is a row's key in its bucket: its sequence number, big-endian, so
// that new rows append to the end of the B-tree and a commit writes a few
// pages however large the bucket, where random ids would each touch a page
// of their own; its id for a row that has none.
func rowKey(id string, seq int64) string {
	if seq <= 0 {
		return id
	}
	return string(binary.BigEndian.AppendUint64(nil, uint64(seq)))
}

// writes encodes every object changed since the last call, for the
// committer to write, and forgets them. It runs under the state lock, since
// the objects it encodes are the live ones.
func (st *state) writes() ([]write, error) {
	if len(st.dirty) == 0 && len(st.raw) == 0 {
		return nil, nil
	}
	byName := map[string]anyTable{}
	for _, t := range st.tables {
		byName[t.name()] = t
	}
	out := make([]write, 0, len(st.dirty))
	for key, seq := range st.dirty {
		if key[0] == bucketMeta {
			out = append(out, write{bucket: bucketMeta, key: metaSeqKey, value: []byte(strconv.FormatInt(st.seq, 10))})
			continue
		}
		t, ok := byName[key[0]]
		if !ok {
			return nil, fmt.Errorf("missing bucket %s", key[0])
		}
		v, ok := t.lookup(key[1])
		if !ok {
			out = append(out, write{bucket: key[0], key: rowKey(key[1], seq)})
			continue
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", key[0], key[1], err)
		}
		out = append(out, write{bucket: key[0], key: rowKey(key[1], seq), value: data})
	}
	out = append(out, st.raw...)
	st.dirty, st.raw = map[[2]string]int64{}, nil
	return out, nil
}

// wipe deletes every bucket and recreates it empty.
func wipe(db *bolt.DB, st *state) error {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range append([]string{bucketMeta, bucketIdemBodies}, bucketNames(st)...) {
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

// moveIdemBodies creates the bucket of idempotency keys' bodies and moves
// there the bodies a sandbox.db of an earlier version kept in each record,
// so that loading the records does not read them into memory.
func moveIdemBodies(tx *bolt.Tx) error {
	bodies, err := tx.CreateBucketIfNotExists([]byte(bucketIdemBodies))
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketIdemBodies, err)
	}
	recs := tx.Bucket([]byte(idempotency.bucket))
	if recs == nil {
		return nil
	}
	type old struct {
		idemRecord
		Body json.RawMessage `json:"body"`
	}
	moved := map[string][]byte{}
	err = recs.ForEach(func(k, v []byte) error {
		var r old
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode %s %s: %w", idempotency.bucket, k, err)
		}
		if r.Body == nil {
			return nil
		}
		if err := bodies.Put([]byte(rowKey(r.ID, r.Seq)), r.Body); err != nil {
			return fmt.Errorf("move idempotency body: %w", err)
		}
		data, err := json.Marshal(r.idemRecord)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", idempotency.bucket, k, err)
		}
		moved[string(k)] = data
		return nil
	})
	if err != nil {
		return err
	}
	// Not during ForEach: a bucket must not change while it is walked.
	for k, data := range moved {
		if err := recs.Put([]byte(k), data); err != nil {
			return fmt.Errorf("rewrite idempotency record: %w", err)
		}
	}
	return nil
}
