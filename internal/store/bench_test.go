package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// BenchmarkUserByEmail is the store's share of every login.
func BenchmarkUserByEmail(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	for i := range 1000 {
		if err := db.CreateUser(ctx, &tollgate.User{Email: fmt.Sprintf("u%d@example.com", i), Name: "U"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := db.UserByEmail(ctx, fmt.Sprintf("u%d@example.com", i%1000)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateUser is dominated by bbolt's fsync per transaction.
func BenchmarkCreateUser(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	for i := 0; b.Loop(); i++ {
		if err := db.CreateUser(ctx, &tollgate.User{Email: fmt.Sprintf("u%d@example.com", i), Name: "U"}); err != nil {
			b.Fatal(err)
		}
	}
}
