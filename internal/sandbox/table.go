package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// anyTable lets the store load and write tables of every type alike.
type anyTable interface {
	name() string
	lookup(id string) (any, bool)
	// load decodes a stored row and returns the key it belongs under.
	load(data []byte) (string, error)
	// loaded puts what load read in creation order, once, after the last
	// load: sorting row by row as they come would cost the square.
	loaded()
}

// table is the in-memory copy of one bucket. The whole live state is in
// memory and every change is written through to bbolt at the end of the
// request that made it.
//
// Besides the rows by id, a table keeps them in creation order, and in
// creation order per value of each of its resource's indexes (a
// subscription's customer, a session's status…), so that a list walks from
// the newest and stops at its page, and a customer's subscriptions cost
// what that customer holds, not what the account does.
type table[T any] struct {
	bucket string
	rows   map[string]*T
	order  seqList[T]
	keys   []func(*T) string // of each index, as the resource declares them
	idx    []map[string]seqList[T]
	// keyed is, per row, the key it is filed under in each index, since a
	// row is changed in place before put and its old keys are gone from it.
	keyed map[string][]string
}

func newTable[T any](bucket string, keys []func(*T) string) *table[T] {
	t := &table[T]{bucket: bucket, rows: map[string]*T{}, keys: keys, keyed: map[string][]string{}}
	for range keys {
		t.idx = append(t.idx, map[string]seqList[T]{})
	}
	return t
}

func (t *table[T]) name() string { return t.bucket }

func (t *table[T]) lookup(id string) (any, bool) {
	v, ok := t.rows[id]
	return v, ok
}

func (t *table[T]) load(data []byte) (string, error) {
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return "", fmt.Errorf("decode %s: %w", t.bucket, err)
	}
	id := meta(v).ID
	if _, dup := t.rows[id]; dup || id == "" {
		return "", fmt.Errorf("decode %s: a row without an id, or twice %q", t.bucket, id)
	}
	t.rows[id] = v
	t.order = append(t.order, v)
	keys := make([]string, len(t.keys))
	for i, key := range t.keys {
		keys[i] = key(v)
		t.idx[i][keys[i]] = append(t.idx[i][keys[i]], v)
	}
	t.keyed[id] = keys
	return rowKey(id, meta(v).Seq), nil
}

func (t *table[T]) loaded() {
	t.order.sort()
	for _, idx := range t.idx {
		for _, l := range idx {
			l.sort()
		}
	}
}

// set files v, new or changed, under its id, its place in creation order
// and its current index keys.
func (t *table[T]) set(id string, v *T) {
	old, ok := t.rows[id]
	if ok && old != v {
		// Replaced by another value of the same id: unfile the old one.
		t.unset(id)
		ok = false
	}
	t.rows[id] = v
	if !ok {
		t.order.insert(v)
	}
	keys := t.keyed[id]
	if keys == nil && len(t.keys) > 0 {
		keys = make([]string, len(t.keys))
		t.keyed[id] = keys
	}
	for i, key := range t.keys {
		k := key(v)
		if ok && keys[i] == k {
			continue
		}
		if ok {
			removeKeyed(t.idx[i], keys[i], v)
		}
		l := t.idx[i][k]
		l.insert(v)
		t.idx[i][k] = l
		keys[i] = k
	}
}

func (t *table[T]) unset(id string) {
	v, ok := t.rows[id]
	if !ok {
		return
	}
	delete(t.rows, id)
	t.order.remove(v)
	for i, k := range t.keyed[id] {
		removeKeyed(t.idx[i], k, v)
	}
	delete(t.keyed, id)
}

// seqList is rows in creation order, oldest first; lists walk it backwards.
type seqList[T any] []*T

// search is the position of the first row created at or after seq.
func (l seqList[T]) search(seq int64) int {
	return sort.Search(len(l), func(i int) bool { return meta(l[i]).Seq >= seq })
}

// insert puts v after every row created before or with it: at the end,
// for a new row.
func (l *seqList[T]) insert(v *T) {
	seq := meta(v).Seq
	if n := len(*l); n == 0 || meta((*l)[n-1]).Seq <= seq {
		*l = append(*l, v)
		return
	}
	i := sort.Search(len(*l), func(i int) bool { return meta((*l)[i]).Seq > seq })
	*l = slices.Insert(*l, i, v)
}

func (l *seqList[T]) remove(v *T) {
	for i := l.search(meta(v).Seq); i < len(*l) && meta((*l)[i]).Seq == meta(v).Seq; i++ {
		if (*l)[i] == v {
			*l = slices.Delete(*l, i, i+1)
			return
		}
	}
}

func (l seqList[T]) sort() {
	slices.SortStableFunc(l, func(a, b *T) int {
		x, y := meta(a).Seq, meta(b).Seq
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
}

// removeKeyed takes v out of the list under key, dropping the key once empty so
// that the index holds only what is live.
func removeKeyed[T any](idx map[string]seqList[T], key string, v *T) {
	l := idx[key]
	l.remove(v)
	if len(l) == 0 {
		delete(idx, key)
		return
	}
	idx[key] = l
}
