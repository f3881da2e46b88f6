package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

var _ tollgate.UserStore = (*DB)(nil)

// userRecord is the stored form of a user; kept apart from tollgate.User so that
// the domain type can change without rewriting files.
type userRecord struct {
	ID           uint64    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash []byte    `json:"password_hash"`
	CreatedAt    time.Time `json:"created_at"`
}

// CreateUser stores u under a new id. The email is expected normalised by the caller;
// the index on it makes a second account with the same email a Conflict.
func (db *DB) CreateUser(ctx context.Context, u *tollgate.User) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		byEmail := tx.Bucket(bucketUsersByEmail)
		if byEmail.Get([]byte(u.Email)) != nil {
			return tollgate.Errorf(tollgate.ECONFLICT, "An account with this email already exists; log in instead.")
		}
		users := tx.Bucket(bucketUsers)
		id, err := users.NextSequence()
		if err != nil {
			return err
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = db.Now().UTC()
		}
		raw, err := json.Marshal(userRecord{ID: id, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash, CreatedAt: u.CreatedAt})
		if err != nil {
			return err
		}
		if err := users.Put(itob(id), raw); err != nil {
			return err
		}
		if err := byEmail.Put([]byte(u.Email), itob(id)); err != nil {
			return err
		}
		u.ID = id
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// UserByID returns the user with id, or a NotFound error.
func (db *DB) UserByID(ctx context.Context, id uint64) (*tollgate.User, error) {
	var u *tollgate.User
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		u, err = getUser(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with the normalised email, or a NotFound error.
func (db *DB) UserByEmail(ctx context.Context, email string) (*tollgate.User, error) {
	var u *tollgate.User
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		raw := tx.Bucket(bucketUsersByEmail).Get([]byte(email))
		if raw == nil {
			return tollgate.Errorf(tollgate.ENOTFOUND, "No account has this email.")
		}
		u, err = getUser(tx, binary.BigEndian.Uint64(raw))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: user by email: %w", err)
	}
	return u, nil
}

func getUser(tx *bolt.Tx, id uint64) (*tollgate.User, error) {
	raw := tx.Bucket(bucketUsers).Get(itob(id))
	if raw == nil {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "No such user.")
	}
	var r userRecord
	if err := json.Unmarshal(raw, &r); err != nil { // Unmarshal copies, so nothing outlives the transaction
		return nil, fmt.Errorf("decode user: %w", err)
	}
	return &tollgate.User{ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt}, nil
}
