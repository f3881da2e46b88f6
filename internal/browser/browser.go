// Package browser opens a link in the user's web browser, for the builds that
// have no window of their own and run `tollgate serve` instead.
package browser

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// EnvBrowser names a command to open links with instead of the system's
// (the convention xdg-open and Python's webbrowser follow too).
const EnvBrowser = "BROWSER"

// Open asks the browser to show url and returns once the opener started; the
// browser may still fail later, so callers print the link as well.
func Open(url string) error {
	name, args := command(runtime.GOOS, os.Getenv(EnvBrowser))
	cmd := exec.Command(name, append(args, url)...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("browser: open %s: %w", url, err)
	}
	go cmd.Wait() // reap the opener; its exit says nothing about the browser itself
	return nil
}

// command is the opener for goos, or the one $BROWSER names (its first
// word the program, the rest its arguments before the link).
func command(goos, env string) (string, []string) {
	if f := strings.Fields(env); len(f) > 0 {
		return f[0], f[1:]
	}
	switch goos {
	case "darwin":
		return "open", nil
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		return "xdg-open", nil
	}
}
