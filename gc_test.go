package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	t.Run("Default", func(t *testing.T) {
		t.Setenv("GOGC", "")
		t.Setenv("GOMEMLIMIT", "")
		debug.SetGCPercent(100)
		tuneGC()
		if got := debug.SetGCPercent(100); got != 400 {
			t.Errorf("GC percent = %d, want 400", got)
		}
		if got := debug.SetMemoryLimit(-1); got != 256<<20 {
			t.Errorf("memory limit = %d, want 256 MiB", got)
		}
	})

	t.Run("TheUsersWins", func(t *testing.T) {
		// The runtime read GOGC and GOMEMLIMIT at start; tuneGC must leave them.
		t.Setenv("GOGC", "150")
		t.Setenv("GOMEMLIMIT", "1GiB")
		debug.SetGCPercent(150)
		debug.SetMemoryLimit(1 << 30)
		tuneGC()
		if got := debug.SetGCPercent(100); got != 150 {
			t.Errorf("GC percent = %d, want the user's 150", got)
		}
		if got := debug.SetMemoryLimit(-1); got != 1<<30 {
			t.Errorf("memory limit = %d, want the user's 1 GiB", got)
		}
	})
}
