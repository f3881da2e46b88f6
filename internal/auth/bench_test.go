package auth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tollgate/tollgate/internal/auth"
	"github.com/tollgate/tollgate/internal/store"
)

// BenchmarkLogin measures a successful login at the app's real bcrypt cost:
// the time a person waits after pressing Log in.
func BenchmarkLogin(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(b.TempDir(), store.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := auth.New(db, auth.Options{})
	if _, err := s.Register(ctx, "ada@example.com", "Ada", "correct horse"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Login(ctx, "ada@example.com", "correct horse"); err != nil {
			b.Fatal(err)
		}
	}
}
