// Command reliability runs the reliability checks against a built tollgate
// binary and prints one RELIABILITY line per check; see internal/reliability.
//
//	go run ./cmd/reliability -bin build/bin/tollgate [-short] [check ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tollgate/tollgate/internal/reliability"
)

func main() {
	bin := flag.String("bin", "build/bin/tollgate", "the tollgate binary to test")
	short := flag.Bool("short", false, "the CI version: one crash round of 1,000 events, the faults, the throttle")
	keep := flag.Bool("keep", false, "keep the work folder (data folders and logs) even when every check passes")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: reliability [-bin FILE] [-short] [-keep] [check ...]\nchecks:")
		for _, c := range reliability.Checks {
			fmt.Fprint(os.Stderr, " ", c.Name)
		}
		fmt.Fprintln(os.Stderr)
		flag.PrintDefaults()
	}
	flag.Parse()
	for _, name := range flag.Args() {
		if !known(name) {
			fmt.Fprintf(os.Stderr, "reliability: no check %q\n", name)
			flag.Usage()
			os.Exit(2)
		}
	}
	if _, err := os.Stat(*bin); err != nil {
		fmt.Fprintf(os.Stderr, "reliability: %v (run make build first)\n", err)
		os.Exit(2)
	}
	work, err := os.MkdirTemp("", "tollgate-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &reliability.Runner{Bin: *bin, Work: work, Short: *short, Out: os.Stdout}
	ok := r.Run(ctx, flag.Args())
	if ok && !*keep {
		os.RemoveAll(work)
		return
	}
	fmt.Fprintln(os.Stderr, "reliability: data folders and logs kept in", work)
	if !ok {
		os.Exit(1)
	}
}

func known(name string) bool {
	for _, c := range reliability.Checks {
		if c.Name == name {
			return true
		}
	}
	return false
}
