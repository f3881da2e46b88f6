package buildinfo_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/buildinfo"
)

func TestRead(t *testing.T) {
	t.Run("Stamped", func(t *testing.T) {
		defer stamp("v1.2.0-3-g5361b79", "5361b79c", "2026-12-02T05:00:00Z")()
		info := buildinfo.Read(true)
		if got, want := info.Version, "v1.2.0-3-g5361b79"; got != want {
			t.Errorf("Version = %q, want %q", got, want)
		}
		out := info.String()
		for _, want := range []string{"tollgate v1.2.0-3-g5361b79\n", "commit:     5361b79c\n", "built:      2026-12-02T05:00:00Z\n",
			runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, "stripe API: " + stripe.APIVersion, "window:     yes\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("version output lacks %q:\n%s", want, out)
			}
		}
		if !strings.HasPrefix(out, "tollgate v1.2.0-3-g5361b79\n") {
			t.Errorf("first line is not the version:\n%s", out)
		}
	})
	t.Run("Unstamped", func(t *testing.T) {
		defer stamp("", "", "")()
		info := buildinfo.Read(false)
		if got, want := info.Version, "dev"; got != want {
			t.Errorf("Version = %q, want %q", got, want)
		}
		if got := info.String(); !strings.Contains(got, "window:     no: this build runs `tollgate serve`") {
			t.Errorf("a window-less build does not say so:\n%s", got)
		}
	})
}

// stamp sets the -X variables as the linker would, and returns what restores them.
func stamp(version, commit, date string) func() {
	v, c, d := buildinfo.Version, buildinfo.Commit, buildinfo.Date
	buildinfo.Version, buildinfo.Commit, buildinfo.Date = version, commit, date
	return func() { buildinfo.Version, buildinfo.Commit, buildinfo.Date = v, c, d }
}
