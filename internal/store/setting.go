package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Settings returns the values stored under keys, read in one transaction; a
// key with no value maps to "".
func (db *DB) Settings(ctx context.Context, keys ...string) (map[string]string, error) {
	values := make(map[string]string, len(keys))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		for _, k := range keys {
			values[k] = string(b.Get([]byte(k))) // string() copies out of the mmap
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: settings: %w", err)
	}
	return values, nil
}

// SetSettings stores several values in one transaction, so a form saved
// together is never half saved; an empty value removes its key.
func (db *DB) SetSettings(ctx context.Context, values map[string]string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		for key, value := range values {
			var err error
			if value == "" {
				err = b.Delete([]byte(key))
			} else {
				err = b.Put([]byte(key), []byte(value))
			}
			if err != nil {
				return fmt.Errorf("%q: %w", key, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set settings: %w", err)
	}
	return nil
}
