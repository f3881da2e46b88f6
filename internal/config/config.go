// Package config turns Tollgate's command line into a Command and its settings,
// with an error a person can act on for every bad flag.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Command is the face of Tollgate to run.
type Command string

const (
	Desktop Command = "desktop" // the window (no subcommand)
	Serve   Command = "serve"   // the same UI in a browser
	Version Command = "version" // print the version
	Help    Command = "help"    // print usage
)

// DefaultServeAddr is where `tollgate serve` listens unless told otherwise.
const DefaultServeAddr = "127.0.0.1:8484"

// Config is everything a face needs to start.
type Config struct {
	Command Command
	DataDir string // folder holding tollgate.db
	Addr    string // serve: host:port to listen on
}

// Usage is printed for `tollgate help` and after a bad command line.
const Usage = `Tollgate: a desktop lab for Stripe subscriptions.

Usage:
  tollgate [--data DIR]                      open the desktop window
  tollgate serve [--addr HOST:PORT] [--data DIR]
                                             the same app in your browser (default 127.0.0.1:8484)
  tollgate version                           print the version
  tollgate help                              print this help

Flags:
  --data DIR    folder for Tollgate's database (default: your config folder + /tollgate)
  --addr ADDR   serve only: address to listen on; loopback unless you mean otherwise
`

// ErrUsage wraps every command-line mistake, so main can print the usage after it.
var ErrUsage = errors.New("usage")

// Parse reads args (without the program name). userConfigDir is os.UserConfigDir, injected for tests.
func Parse(args []string, userConfigDir func() (string, error)) (Config, error) {
	cfg := Config{Command: Desktop}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfg.Command = Command(args[0])
		args = args[1:]
	}
	fs := flag.NewFlagSet(string(cfg.Command), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // we print one clear message ourselves
	fs.StringVar(&cfg.DataDir, "data", "", "")
	switch cfg.Command {
	case Desktop:
	case Serve:
		fs.StringVar(&cfg.Addr, "addr", DefaultServeAddr, "")
	case Version, Help:
		if len(args) > 0 {
			return cfg, fmt.Errorf("%w: %s takes no arguments, got %q", ErrUsage, cfg.Command, args[0])
		}
		return cfg, nil
	default:
		return cfg, fmt.Errorf("%w: unknown command %q", ErrUsage, cfg.Command)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return Config{Command: Help}, nil
	} else if err != nil {
		return cfg, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if err := cfg.resolveDataDir(userConfigDir); err != nil {
		return cfg, err
	}
	if cfg.Command == Serve {
		if err := checkAddr(cfg.Addr); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

func (c *Config) resolveDataDir(userConfigDir func() (string, error)) error {
	if c.DataDir == "" {
		base, err := userConfigDir()
		if err != nil {
			return fmt.Errorf("%w: no --data given and no user config folder to default to (%v)", ErrUsage, err)
		}
		c.DataDir = filepath.Join(base, "tollgate")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("%w: --data %q: %v", ErrUsage, c.DataDir, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w: --data %q is a file, not a folder", ErrUsage, c.DataDir)
	}
	c.DataDir = abs
	return nil
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --addr %q is not HOST:PORT, e.g. 127.0.0.1:8484", ErrUsage, addr)
	}
	if host == "" {
		return fmt.Errorf("%w: --addr %q has no host; write 127.0.0.1:%s to stay on this machine", ErrUsage, addr, port)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("%w: --addr %q has a bad port", ErrUsage, addr)
	}
	return nil
}
