package dist

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Target is one binary of the class kit.
type Target struct {
	GOOS, GOARCH string
	Suffix       string // after tollgate_<version>_
	// Window: built with the desktop tags. Linux needs cgo and WebKitGTK for
	// it; Windows needs no cgo (Wails calls WebView2 through syscalls); macOS
	// needs cgo and Apple's SDK, so it cannot have it when built here.
	Window bool
}

// Targets are the binaries make dist builds, the Linux desktop one first (the .deb packs it).
var Targets = []Target{
	{GOOS: "linux", GOARCH: "amd64", Suffix: "linux_amd64", Window: true},
	{GOOS: "windows", GOARCH: "amd64", Suffix: "windows_amd64.exe", Window: true},
	{GOOS: "darwin", GOARCH: "arm64", Suffix: "darwin_arm64"},
	{GOOS: "darwin", GOARCH: "amd64", Suffix: "darwin_amd64"},
}

// Build compiles the app for t into out, stamped with the version, commit and date.
func (c Config) Build(ctx context.Context, t Target, out string) error {
	out, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	ldflags := []string{"-s", "-w",
		"-X", buildinfo + ".Version=" + c.Version,
		"-X", buildinfo + ".Commit=" + c.Commit,
		"-X", buildinfo + ".Date=" + c.Date}
	args := []string{"build", "-trimpath"}
	cgo := "0"
	switch {
	case t.Window && t.GOOS == "linux":
		cgo = "1"
		args = append(args, "-tags", "desktop,production")
	case t.Window && t.GOOS == "windows":
		// No wv2runtime tag: Wails' default, which offers to fetch the
		// WebView2 runtime with Microsoft's bootstrapper when it is missing (see the README).
		args = append(args, "-tags", "desktop,production")
		ldflags = append(ldflags, "-H=windowsgui")
		syso, err := c.WriteSyso(t.GOARCH)
		if err != nil {
			return err
		}
		defer os.Remove(syso)
	default:
		args = append(args, "-tags", "production")
	}
	args = append(args, "-ldflags", strings.Join(ldflags, " "), "-o", out, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = c.Repo
	cmd.Env = append(os.Environ(), "GOOS="+t.GOOS, "GOARCH="+t.GOARCH, "CGO_ENABLED="+cgo)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("dist: build %s/%s: %w\n%s", t.GOOS, t.GOARCH, err, msg)
	}
	return nil
}

// buildinfo is the app's package that the version is stamped into.
const buildinfo = "github.com/tollgate/tollgate/internal/buildinfo"
