// Package reliability runs the built tollgate binary through crashes,
// hostile input, password guessing, slow clients, Stripe faults and random
// forms, and counts what it did with each: `make reliability` prints one
// RELIABILITY line per check, and fails when a count that must be zero is not.
//
// It is a program, not a go test: it drives the binary as a person or an
// attacker would (processes, signals, sockets, file limits), its output is
// the figures the README quotes, and a check that goes wrong must say which
// count was wrong rather than which assertion line.
package reliability

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Runner holds what every check needs.
type Runner struct {
	Bin   string    // the tollgate binary under test
	Work  string    // a folder for data folders and logs; removed by the caller
	Short bool      // the CI version: fewer events and clients
	Out   io.Writer // where the RELIABILITY lines go
}

// Result is one check's line: its counts in order, and what was wrong.
type Result struct {
	Name   string
	fields []string
	Fail   []string
}

// add appends name=value to the line.
func (r *Result) add(name string, value any) {
	r.fields = append(r.fields, fmt.Sprintf("%s=%v", name, value))
}

// want adds name=got and fails the check unless got == want.
func (r *Result) want(name string, got, want int) {
	r.add(name, got)
	if got != want {
		r.Fail = append(r.Fail, fmt.Sprintf("%s=%d, want %d", name, got, want))
	}
}

// failf records a failure that is not a count.
func (r *Result) failf(format string, args ...any) {
	r.Fail = append(r.Fail, fmt.Sprintf(format, args...))
}

// Line is the result as `make reliability` prints it.
func (r *Result) Line() string {
	line := "RELIABILITY " + r.Name + " " + strings.Join(r.fields, " ")
	if len(r.Fail) > 0 {
		line += " FAIL: " + strings.Join(r.Fail, "; ")
	}
	return line
}

// Check is one named check.
type Check struct {
	Name  string
	Run   func(ctx context.Context, r *Runner, res *Result) error
	Short bool // part of the CI version
}

// Checks are every check, in the order they run.
var Checks = []Check{
	{"crash", crash, true},
	{"hostile", hostile, false},
	{"throttle", throttle, true},
	{"slowclients", slowClients, false},
	{"faults", faults, true},
	{"fuzz", fuzz, false},
}

// Run runs the checks named in only (all when empty; the short ones when
// r.Short), printing each line as it ends, and reports whether all passed.
func (r *Runner) Run(ctx context.Context, only []string) bool {
	ok := true
	for _, c := range Checks {
		if len(only) > 0 && !contains(only, c.Name) || len(only) == 0 && r.Short && !c.Short {
			continue
		}
		res := &Result{Name: c.Name}
		start := time.Now()
		if err := c.Run(ctx, r, res); err != nil {
			res.failf("%v", err)
		}
		res.add("took", time.Since(start).Round(time.Second))
		fmt.Fprintln(r.Out, res.Line())
		ok = ok && len(res.Fail) == 0
	}
	return ok
}

// dir makes a fresh folder under Work.
func (r *Runner) dir(name string) (string, error) {
	d, err := os.MkdirTemp(r.Work, name+"-")
	if err != nil {
		return "", err
	}
	return d, os.Chmod(d, 0o700)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// saveLog leaves the stderr of a check's process in Work, for a
// person looking into a FAIL.
func (r *Runner) saveLog(name string, p *proc) {
	if p == nil {
		return
	}
	_ = os.WriteFile(filepath.Join(r.Work, name+".log"), []byte(p.stderr()), 0o600)
}
