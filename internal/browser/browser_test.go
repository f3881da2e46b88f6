package browser_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/browser"
)

// TestOpenBrowserEnv runs a real opener, a script named by $BROWSER that
// writes the link it was given into a file.
func TestOpenBrowserEnv(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "opener")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(browser.EnvBrowser, script)
	link := "http://127.0.0.1:8484/?token=abc"
	if err := browser.Open(link); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := os.ReadFile(out)
		if err == nil && len(got) > 0 {
			if string(got) != link {
				t.Fatalf("opener got %q, want %q", got, link)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the opener was never run")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOpenMissingOpener(t *testing.T) {
	t.Setenv(browser.EnvBrowser, filepath.Join(t.TempDir(), "no-such-browser"))
	err := browser.Open("http://127.0.0.1:1/")
	if err == nil || !strings.Contains(err.Error(), "no-such-browser") {
		t.Fatalf("err = %v, want one naming the missing opener", err)
	}
}
