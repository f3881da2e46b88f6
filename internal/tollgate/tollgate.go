// Package tollgate holds the domain of the Tollgate Stripe-subscriptions lab:
// its types, the interfaces its adapters implement, and its error codes. It imports only the standard library.
package tollgate

import (
	"context"
	"time"
)

// User is a person with a local account. Stripe never sees the password;
// the hash lives here only so that the store can keep it beside the user.
type User struct {
	ID           uint64    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash []byte    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
}

// UserStore keeps users. Email addresses are unique, compared in their normalised form.
type UserStore interface {
	// CreateUser assigns u.ID and stores u; a taken email is a Conflict error.
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id uint64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
}
