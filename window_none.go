//go:build !desktop

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"

	"github.com/tollgate/tollgate/internal/config"
)

// hasWindow: built without the desktop tags (go test, go vet, and every
// CGO_ENABLED=0 build, such as the macOS binaries made on Linux), this binary
// has no window.
const hasWindow = false

// runWindow, asked for the window, says in one line that there is none, then
// runs serve and opens its link in the browser: the learner who double-clicks
// it gets the same app, not just advice to read.
func runWindow(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	why := "this build has no window (it was built without the desktop tags; `make build` makes one that has)"
	if runtime.GOOS == "darwin" {
		why = "this macOS build has no window (the window app is built on a Mac: see the README's Distribution section)"
	}
	fmt.Fprintf(os.Stderr, "tollgate: %s; running `tollgate serve` and opening your browser\n", why)
	cfg.Command = config.Serve
	if cfg.Addr == config.DefaultDesktopAddr {
		cfg.Addr = config.DefaultServeAddr
	}
	return runApp(ctx, cfg, log, face{openLink: true})
}

// window is never shown here: runWindow turned the window into serve.
type window struct{}

func (window) emit(string) {}

func (window) run(*App, fs.FS) error {
	return errors.New("desktop window: this build has none (use `tollgate serve`)")
}
