// Package buildinfo says which Tollgate this is: the version, commit and date
// stamped at build time, and the Go toolchain and Stripe API version it pins.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/stripe/stripe-go/v82"
)

// Stamped by `make build` and `make dist` with
// -ldflags "-X github.com/tollgate/tollgate/internal/buildinfo.Version=…" (and Commit, Date).
// A plain `go build` leaves them empty; Read then falls back to what the
// toolchain recorded from git, so even such a binary can say what it is.
var (
	Version string
	Commit  string
	Date    string
)

const stripeModule = "github.com/stripe/stripe-go/v82"

// Info is what `tollgate version` prints.
type Info struct {
	Version   string // git describe, e.g. v1.2.0-3-g5361b79, or "dev"
	Commit    string // the full commit hash, "" when unknown
	Date      string // when it was built (RFC 3339, UTC), "" when unknown
	Go        string // the toolchain, e.g. go1.26.8
	Platform  string // GOOS/GOARCH
	StripeAPI string // the API version stripe-go pins and sends on every request
	StripeGo  string // the stripe-go module version, "" when unknown
	Window    bool   // built with the desktop tags, so it can open the window
}

// Read returns this binary's Info; window says whether it was built with the desktop window.
func Read(window bool) Info {
	info := Info{Version: Version, Commit: Commit, Date: Date, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, StripeAPI: stripe.APIVersion, Window: window}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && info.Commit == "":
				info.Commit = s.Value
			case s.Key == "vcs.time" && info.Date == "":
				info.Date = s.Value
			}
		}
		for _, dep := range bi.Deps {
			if dep.Path == stripeModule {
				info.StripeGo = dep.Version
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	return info
}

// String is the version's first line, "tollgate v1.2.0", then one line for each fact.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tollgate %s\n", i.Version)
	line := func(k, v string) {
		if v == "" {
			v = "unknown"
		}
		fmt.Fprintf(&b, "  %-11s %s\n", k+":", v)
	}
	line("commit", i.Commit)
	line("built", i.Date)
	line("go", i.Go+" "+i.Platform)
	api := i.StripeAPI
	if i.StripeGo != "" {
		api += " (stripe-go " + i.StripeGo + ")"
	}
	line("stripe API", api)
	if i.Window {
		line("window", "yes")
	} else {
		line("window", "no: this build runs `tollgate serve` in your browser instead")
	}
	return b.String()
}
