package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate/tollgate/internal/sandbox"
)

// TestStartMakesDataFolder covers `tollgate sandbox --data DIR` with a DIR
// that does not exist yet: the sandbox makes it, private as the app's store
// makes its own, rather than failing to open its state file.
func TestStartMakesDataFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "tollgate")
	srv, err := sandbox.Start(context.Background(), sandbox.Config{Path: filepath.Join(dir, "sandbox.db")}, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start with a missing data folder: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o700); !fi.IsDir() || got != want {
		t.Errorf("data folder mode %v, want a directory with %v", got, want)
	}
	fi, err = os.Stat(filepath.Join(dir, "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("sandbox.db mode %v, want %v", got, want)
	}
}
