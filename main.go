// Command tollgate is a desktop lab for Stripe subscriptions: one binary with
// a window, a browser face (serve) and, in later versions, a Stripe sandbox.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/server"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	cfg, err := config.Parse(args, os.UserConfigDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tollgate: %v\n\n%s", err, config.Usage)
		return 2
	}
	switch cfg.Command {
	case config.Help:
		fmt.Print(config.Usage)
		return 0
	case config.Version:
		fmt.Println("tollgate", version)
		return 0
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dist, err := fs.Sub(assets, "frontend/dist")
	if err == nil {
		err = runFace(ctx, cfg, log, dist)
	}
	if err != nil {
		log.Error("tollgate stopped", "err", err)
		return 1
	}
	return 0
}

func runFace(ctx context.Context, cfg config.Config, log *slog.Logger, dist fs.FS) error {
	app, err := NewApp(cfg, log)
	if err != nil {
		return err
	}
	defer app.close()
	if cfg.Command == config.Serve {
		return serve(ctx, cfg, app, dist, log)
	}
	err = wails.Run(&options.App{
		Title:       "Tollgate",
		Width:       1100,
		Height:      760,
		MinWidth:    720,
		AssetServer: &assetserver.Options{Assets: dist},
		OnStartup:   app.startup,
		Bind:        []any{app},
	})
	if err != nil {
		return fmt.Errorf("desktop window: %w (a binary built without the desktop tags has no window: run `make build`, or use `tollgate serve`)", err)
	}
	return nil
}

func serve(ctx context.Context, cfg config.Config, app *App, dist fs.FS, log *slog.Logger) error {
	app.startup(ctx)
	token := server.NewToken()
	srv, err := server.New(server.Options{Assets: dist, Bindings: []any{app}, Token: token, Logger: log.With("component", "server")})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Addr, err)
	}
	// The link is printed, not logged: it is the key to this run, meant for the person at the terminal.
	fmt.Printf("Tollgate is running at http://%s/?token=%s\n", ln.Addr(), token)
	log.Info("serving", "addr", ln.Addr().String(), "data", cfg.DataDir)
	if err := server.Serve(ctx, ln, srv); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
