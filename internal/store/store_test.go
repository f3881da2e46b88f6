package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// MustOpen opens a store on a real bbolt file in a fresh temporary folder and closes it when tb ends.
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "data", store.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpen(t *testing.T) {
	t.Run("FileModeAndSchema", func(t *testing.T) {
		db := MustOpen(t)
		fi, err := os.Stat(db.Path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
			t.Errorf("file mode = %v, want %v", got, want)
		}
		dir, err := os.Stat(filepath.Dir(db.Path))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := dir.Mode().Perm(), os.FileMode(0o700); got != want {
			t.Errorf("folder mode = %v, want %v", got, want)
		}
		v, err := db.Version()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v, store.SchemaVersion; got != want || got == 0 {
			t.Errorf("schema version = %d, want %d (non-zero)", got, want)
		}
	})

	t.Run("MigratesOlderFile", func(t *testing.T) {
		// A schema-1 file (accounts only) gains the billing buckets on open.
		path := filepath.Join(t.TempDir(), store.FileName)
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ForceSchemaVersion(1); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db, err = store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if v, _ := db.Version(); v != store.SchemaVersion {
			t.Errorf("version after migration = %d, want %d", v, store.SchemaVersion)
		}
		if err := db.PutEntitlements(context.Background(), &tollgate.Entitlements{CustomerID: "cus_1"}); err != nil {
			t.Errorf("billing bucket missing after migration: %v", err)
		}
	})

	t.Run("ErrLocked", func(t *testing.T) {
		db := MustOpen(t)
		if _, err := store.Open(db.Path); err == nil {
			t.Fatal("second open of a held file succeeded, want an error")
		}
	})

	t.Run("ErrNewerSchema", func(t *testing.T) {
		// A file written by a newer Tollgate must be refused, not silently misread.
		path := filepath.Join(t.TempDir(), store.FileName)
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ForceSchemaVersion(store.SchemaVersion + 1); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := store.Open(path); err == nil {
			t.Fatal("opening a newer schema succeeded, want an error")
		}
	})
}

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := MustOpen(t)
		u := &tollgate.User{Email: "ada@example.com", Name: "Ada", PasswordHash: []byte("hash")}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.CreatedAt.IsZero() {
			t.Fatalf("id=%d created=%v, want both set", u.ID, u.CreatedAt)
		}
		got, err := db.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Name != "Ada" || string(got.PasswordHash) != "hash" {
			t.Errorf("UserByEmail = %+v, want %+v", got, u)
		}
		byID, err := db.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if byID.Email != u.Email {
			t.Errorf("UserByID email = %q, want %q", byID.Email, u.Email)
		}
		second := &tollgate.User{Email: "grace@example.com", Name: "Grace"}
		if err := db.CreateUser(ctx, second); err != nil {
			t.Fatal(err)
		}
		if second.ID <= u.ID {
			t.Errorf("second id %d not after first %d", second.ID, u.ID)
		}
	})

	t.Run("ErrDuplicateEmail", func(t *testing.T) {
		db := MustOpen(t)
		if err := db.CreateUser(ctx, &tollgate.User{Email: "ada@example.com", Name: "Ada"}); err != nil {
			t.Fatal(err)
		}
		err := db.CreateUser(ctx, &tollgate.User{Email: "ada@example.com", Name: "Other"})
		if got, want := tollgate.ErrorCode(err), tollgate.ECONFLICT; got != want {
			t.Fatalf("code = %q (%v), want %q", got, err, want)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpen(t)
		if _, err := db.UserByEmail(ctx, "nobody@example.com"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("UserByEmail err = %v, want not_found", err)
		}
		if _, err := db.UserByID(ctx, 42); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("UserByID err = %v, want not_found", err)
		}
	})

	t.Run("Reopen", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.FileName)
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		u := &tollgate.User{Email: "ada@example.com", Name: "Ada", PasswordHash: []byte("hash")}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, err := db.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Name != "Ada" {
			t.Errorf("after reopen = %+v, want %+v", got, u)
		}
	})
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if got, err := db.Settings(ctx, "k"); err != nil || got["k"] != "" {
		t.Fatalf("unset = %q, %v; want empty", got["k"], err)
	}
	if err := db.SetSettings(ctx, map[string]string{"a": "1", "b": "2"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSettings(ctx, map[string]string{"a": "", "b": "3"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Settings(ctx, "a", "b", "never-set")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["a"] != "" || got["b"] != "3" || got["never-set"] != "" {
		t.Errorf("Settings = %v, want a empty, b 3 and never-set empty", got)
	}
	// Settings survive a reopen: the Settings screen's values and the webhook secret live here.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, _ := db.Settings(ctx, "b"); got["b"] != "3" {
		t.Errorf("after reopen b = %q, want 3", got["b"])
	}
}
