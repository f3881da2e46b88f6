// Package store keeps Tollgate's local state in one bbolt file: users, customers,
// subscriptions, Stripe events and settings. Values are JSON of private structs.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the database file inside the data folder.
const FileName = "tollgate.db"

// Bucket names. Each is created by a migration, never on the fly, so a
// missing bucket is a bug rather than an empty result.
var (
	bucketMeta          = []byte("meta")
	bucketUsers         = []byte("users")
	bucketUsersByEmail  = []byte("users_by_email")
	bucketCustomers     = []byte("customers")
	bucketSubscriptions = []byte("subscriptions")
	bucketEvents        = []byte("events")
	bucketSettings      = []byte("settings")
	// Added in schema 2, with billing.
	bucketCustomersByStripeID = []byte("customers_by_stripe_id")
	bucketEntitlements        = []byte("entitlements")
	// Added in schema 3, for a bounded event log read through indexes.
	bucketEventPayloads    = []byte("event_payloads")     // id → the body as received
	bucketEventsPending    = []byte("events_pending")     // seq → id, in arrival order
	bucketEventsByTime     = []byte("events_by_time")     // received + id → customer id
	bucketEventsByUser     = []byte("events_by_user")     // user + received + id
	bucketEventsByCustomer = []byte("events_by_customer") // customer + 0 + received + id
)

var keySchemaVersion = []byte("schema_version")

// keyLastEvent, in meta, holds the id of the event received last.
var keyLastEvent = []byte("last_event")

// migrations bring a database from version i to i+1. Append only: a released
// migration is never edited, so every file upgrades along the same path.
var migrations = []func(tx *bolt.Tx) error{
	func(tx *bolt.Tx) error { // 0 → 1: the first layout
		for _, b := range [][]byte{bucketUsers, bucketUsersByEmail, bucketCustomers, bucketSubscriptions, bucketEvents, bucketSettings} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	func(tx *bolt.Tx) error { // 1 → 2: billing looks customers up by Stripe id and keeps entitlements
		for _, b := range [][]byte{bucketCustomersByStripeID, bucketEntitlements} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	migrateEventIndexes, // 2 → 3: payloads apart from the records, and the event indexes
}

// SchemaVersion is the layout this build reads and writes.
var SchemaVersion = uint64(len(migrations))

// DB is the open store. It is safe for concurrent use: bbolt allows one
// writer and many readers.
type DB struct {
	bolt *bolt.DB
	Path string
	Now  func() time.Time

	// The group commit's queue (see grouped); closeMu keeps a write from
	// being queued after Close closed it.
	writes     chan *groupWrite
	writerDone chan struct{}
	closeMu    sync.RWMutex
	closed     bool
}

// Open opens or creates the database at path, creating its folder (0700) and file (0600)
// and running any pending migrations.
func Open(path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", err)
	}
	// The timeout turns "another Tollgate holds the file" into an error instead of a hang.
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store: %s is in use by another Tollgate process: %w", path, err)
	} else if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: b, Path: path, Now: time.Now, writes: make(chan *groupWrite, maxGroup), writerDone: make(chan struct{})}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, err
	}
	go db.runWriter()
	return db, nil
}

func (db *DB) migrate() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("store: create meta: %w", err)
		}
		v := uint64(0)
		if raw := meta.Get(keySchemaVersion); raw != nil {
			v = binary.BigEndian.Uint64(raw)
		}
		if v > SchemaVersion {
			return fmt.Errorf("store: database schema %d is newer than this Tollgate (%d); use a newer build", v, SchemaVersion)
		}
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("store: migrate to %d: %w", v+1, err)
			}
		}
		return meta.Put(keySchemaVersion, itob(v))
	})
}

// Version returns the schema version recorded in the file.
func (db *DB) Version() (uint64, error) {
	var v uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketMeta).Get(keySchemaVersion); raw != nil {
			v = binary.BigEndian.Uint64(raw)
		}
		return nil
	})
	return v, err
}

// Close commits the writes already queued and releases the file.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if !db.closed {
		db.closed = true
		close(db.writes)
	}
	db.closeMu.Unlock()
	<-db.writerDone
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// itob encodes ids big-endian so that keys sort in creation order.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
