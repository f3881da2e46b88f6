package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/demo"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// eventDemo tells the UI that presenter mode moved on.
const eventDemo = "demo:step"

// runDemo runs presenter mode: the window or serve, on a fresh data folder
// (and so a fresh sandbox) of its own, removed at the end, with the guide's
// script playing in it.
func runDemo(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	dir, err := os.MkdirTemp("", "tollgate-demo-")
	if err != nil {
		return fmt.Errorf("demo: data folder: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.Command = dir, config.Desktop
	if cfg.Presenter.Serve || !hasWindow { // a build without the window presents in the browser
		cfg.Command = config.Serve
	}
	log.Info("demo on a data folder of its own", logkey.Data, dir)
	return runApp(ctx, cfg, log, face{presenter: &cfg.Presenter})
}

// present starts the script on a, paced by p; the UI's DemoStart sets it off.
func (a *App) present(ctx context.Context, p config.Presenter, emit func(string)) {
	a.presenter = demo.New(a.script(), p.Pause, p.StepDelay, func() { emit(eventDemo) })
	go func() {
		switch err := a.presenter.Run(ctx); {
		case err == nil:
			a.log.Info("the demo played every step")
		case ctx.Err() == nil:
			a.log.Warn("the demo stopped at a failed step", logkey.Err, err)
		}
	}()
}

// Demo returns presenter mode's progress; Active is false outside `tollgate demo`.
func (a *App) Demo() (demo.View, error) {
	if a.presenter == nil {
		return demo.View{}, nil
	}
	return a.presenter.View(), nil
}

// DemoStart sets the script off, once the UI shows it.
func (a *App) DemoStart() (demo.View, error) {
	if a.presenter == nil {
		return demo.View{}, tollgate.Errorf(tollgate.EINVALID, "This Tollgate is not playing a demo; start one with tollgate demo.")
	}
	a.presenter.Start()
	return a.presenter.View(), nil
}

// DemoNext runs the announced step now (Space, or the Next button).
func (a *App) DemoNext() (demo.View, error) {
	if a.presenter == nil {
		return demo.View{}, tollgate.Errorf(tollgate.EINVALID, "This Tollgate is not playing a demo; start one with tollgate demo.")
	}
	a.presenter.Next()
	return a.presenter.View(), nil
}

// demoStartTimeout bounds the wait for a demo started from the app to print its link.
const demoStartTimeout = 30 * time.Second

var demoLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`)

// StartDemo starts `tollgate demo` as a process of its own, so it can never
// touch this Tollgate's data: a second window from the window, or in serve
// mode a second server whose link it returns for a new tab. The demo stops
// when this Tollgate does.
func (a *App) StartDemo() (string, error) {
	return call(a, "Start the demo", func(ctx context.Context) (string, error) {
		if a.presenter != nil {
			return "", tollgate.Errorf(tollgate.EINVALID, "This is already a demo.")
		}
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("demo: find this program: %w", err)
		}
		args := []string{"demo"}
		if a.about.Face == string(config.Serve) {
			args = append(args, "--serve")
		}
		// Bound to the app's life, not this call's: the demo outlives the click.
		cmd := exec.CommandContext(a.ctx, exe, args...)
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // so it removes its data folder
		cmd.WaitDelay = 10 * time.Second
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		if err := cmd.Start(); err != nil {
			return "", fmt.Errorf("demo: start: %w", err)
		}
		go func() {
			if err := cmd.Wait(); err != nil && a.ctx.Err() == nil {
				a.log.Warn("the demo process ended", logkey.Err, err)
			}
		}()
		if a.about.Face != string(config.Serve) {
			go io.Copy(io.Discard, out) //nolint:errcheck // the window prints nothing that matters
			return "", nil
		}
		return readDemoLink(out)
	})
}

// readDemoLink reads the link a `tollgate demo --serve` prints, then keeps
// draining its output so it never blocks on a full pipe.
func readDemoLink(out io.Reader) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := demoLink.FindString(sc.Text()); m != "" {
				select {
				case found <- m:
				default:
				}
			}
		}
		close(found)
	}()
	select {
	case link, ok := <-found:
		if !ok {
			return "", errors.New("demo: the demo ended before printing its link")
		}
		return link, nil
	case <-time.After(demoStartTimeout):
		return "", tollgate.Errorf(tollgate.EUNAVAILABLE, "The demo did not start within %v.", demoStartTimeout)
	}
}
