package store

import bolt "go.etcd.io/bbolt"

// ForceSchemaVersion lets tests pretend the file was written by another build.
func (db *DB) ForceSchemaVersion(v uint64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(v)) })
}

// PutRawSubscription stores a subscription record as raw JSON, as an
// earlier build may have written it.
func (db *DB) PutRawSubscription(id, raw string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSubscriptions).Put([]byte(id), []byte(raw)) })
}

// PutRawEvent stores an event record as raw JSON under id, as an earlier
// build may have written it, without touching any index.
func (db *DB) PutRawEvent(id, raw string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketEvents).Put([]byte(id), []byte(raw)) })
}
