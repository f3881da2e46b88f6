package main

import (
	"os"
	"runtime/debug"
)

// tuneGC sets Go's garbage collector for the app (the window, serve and
// demo): a small live heap (a few MB: a learner's users, events and, in
// sandbox mode, a small account) that a burst of webhooks churns through
// quickly. At Go's default GOGC=100 the collector then runs every few dozen
// milliseconds and takes about a tenth of the CPU; at 400 it runs a quarter
// as often, and `make bench` ingests 10 to 20% more events a second, for
// about 1 MB more of idle memory. The memory limit keeps a heap that does
// grow from reaching five times its live size: near the limit the collector
// works harder again. `tollgate sandbox` keeps Go's defaults: its heap holds
// the whole account, and its requests gain nothing from the trade. A GOGC or
// GOMEMLIMIT the user sets wins.
func tuneGC() {
	const (
		gcPercent   = 400
		memoryLimit = 256 << 20
	)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
