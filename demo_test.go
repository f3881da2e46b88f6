package main

import (
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/demo"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/server"
)

// TestDemoScript plays presenter mode's script against a real Tollgate: its
// store in a temporary folder, the embedded sandbox, the webhook and return
// pages on a loopback server. Every step must pass, in order.
func TestDemoScript(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the whole guide")
	}
	ctx := t.Context()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	log := slog.New(slog.DiscardHandler)
	l, err := lab.Open(ctx, lab.Options{Config: config.Config{DataDir: t.TempDir()}, Logger: log, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	returns := billing.Returns{Service: l.Billing, User: l.Session.User, Action: l.Calls.WithAction}
	srv := &http.Server{Handler: server.PublicRoutes(l.Webhook, returns, "", log)}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		l.Close()
	})

	app := newApp(l, log, About{Face: string(config.Serve)})
	app.startup(ctx)
	moved := make(chan struct{}, 1)
	app.present(ctx, config.Presenter{}, func(string) {
		select {
		case moved <- struct{}{}:
		default:
		}
	})
	if v, _ := app.Demo(); !v.Active || v.Started {
		t.Fatalf("before DemoStart: %+v, want an active demo not yet started", v)
	}
	if _, err := app.DemoStart(); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(2 * time.Minute)
	var v demo.View
	for v, _ = app.Demo(); !v.Finished && !v.Failed; v, _ = app.Demo() {
		select {
		case <-moved:
		case <-timeout:
			t.Fatalf("the script has not ended after 2 minutes: %+v", v)
		}
	}
	for i, s := range v.Steps {
		if s.Status != demo.StatusDone {
			t.Errorf("step %d %q: %s %s", i+1, s.Caption, s.Status, s.Error)
		}
	}
	if u, _ := app.CurrentUser(); u == nil || u.Email != demoEmail {
		t.Errorf("logged in as %+v, want the demo's %s", u, demoEmail)
	}
	// Outside a demo the methods say so instead of doing anything.
	plain := newApp(l, log, About{})
	if v, err := plain.Demo(); err != nil || v.Active {
		t.Errorf("Demo() outside a demo = %+v, %v; want inactive", v, err)
	}
	if _, err := plain.DemoNext(); err == nil {
		t.Error("DemoNext() outside a demo succeeded")
	}
}
