// Command tollgate is a desktop lab for Stripe subscriptions: one binary with
// a window, a browser face (serve), an offline Stripe (sandbox) and a catalog
// bootstrapper for real test accounts.
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/store"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Events Go sends the UI: re-read billing state; the setup checklist moved.
const (
	eventBillingChanged = "billing:changed"
	eventStripeState    = "stripe:state"
)

func main() {
	if generatingBindings {
		os.Exit(generateBindings())
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg, err := config.Parse(args, os.Getenv, os.UserConfigDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tollgate: %v\n\n%s", err, config.Usage)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if mode, loose := config.LooseFolder(cfg.DataDir); loose {
		// Not changed for the learner: --data may name a shared folder such as /tmp.
		log.Warn("other users of this machine can list the data folder; Tollgate's files in it are private (0600), and chmod 700 hides even their names",
			logkey.Data, cfg.DataDir, logkey.Mode, mode.String())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cfg.Command {
	case config.Help:
		fmt.Print(config.Usage)
	case config.Version:
		fmt.Println("tollgate", version)
	case config.Sandbox:
		err = runSandbox(ctx, cfg, log)
	case config.Bootstrap:
		err = runBootstrap(ctx, cfg)
	case config.Demo:
		err = runDemo(ctx, cfg, log)
	default:
		err = runApp(ctx, cfg, log, nil)
	}
	if err != nil {
		log.Error("tollgate stopped", logkey.Err, err)
		return 1
	}
	return 0
}

// runApp runs the window or serve: the app's own HTTP server carries the
// webhook and Stripe's return pages (and, in serve mode, the UI itself).
// With presenter, it plays the demo's script too.
func runApp(ctx context.Context, cfg config.Config, log *slog.Logger, presenter *config.Presenter) error {
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil && cfg.Command == config.Desktop {
		// The window needs some port for Stripe's returns, not this one; a second window is fine.
		log.Warn("address taken, using a free port", logkey.Addr, cfg.Addr, logkey.Err, err)
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := "http://" + ln.Addr().String()
	// Go tells the UI when billing changed: over SSE in serve mode, through
	// Wails in the window, but only once the window exists (Wails exits the
	// process if asked to emit before).
	events := server.NewBroadcaster()
	var window atomic.Pointer[context.Context]
	emit := events.Emit
	if cfg.Command == config.Desktop {
		emit = func(name string) {
			if ctx := window.Load(); ctx != nil {
				runtime.EventsEmit(*ctx, name)
			}
		}
	}
	l, err := lab.Open(ctx, lab.Options{Config: cfg, Logger: log, BaseURL: base,
		OnChange: func(uint64) { emit(eventBillingChanged) }, OnState: func() { emit(eventStripeState) }})
	if err != nil {
		ln.Close()
		return err
	}
	defer l.Close()
	returns := billing.Returns{Service: l.Billing, User: l.Session.User, Action: l.Calls.WithAction}
	app := newApp(l, log, About{Version: version, DataDir: cfg.DataDir, Database: l.DB.Path, SchemaVersion: store.SchemaVersion, Face: string(cfg.Command)})
	if presenter != nil {
		app.present(ctx, *presenter, emit)
	}
	if cfg.Command == config.Serve {
		token := server.NewToken()
		srv, err := server.New(server.Options{Assets: dist, Bindings: []any{app}, Token: token, Logger: log.With(logkey.Component, "server"),
			Public: server.PublicRoutes(l.Webhook, returns, base+"/", log), Events: events})
		if err != nil {
			return err
		}
		app.startup(ctx)
		// The link is printed, not logged: it is the key to this run, meant for the person at the terminal.
		what := "Tollgate"
		if presenter != nil {
			what = "Tollgate's demo"
		}
		fmt.Printf("%s is running at %s/?token=%s\n", what, base, token)
		return server.Serve(ctx, ln, srv)
	}
	// The window's server stops before the lab closes the store (defers run last first).
	srvCtx, stopServer := context.WithCancel(ctx)
	served := make(chan struct{})
	defer func() { stopServer(); <-served }()
	go func() {
		defer close(served)
		if err := server.Serve(srvCtx, ln, server.PublicRoutes(l.Webhook, returns, "", log)); err != nil {
			log.Error("webhook server stopped", logkey.Err, err)
		}
	}()
	err = wails.Run(&options.App{
		Title: "Tollgate", Width: 1100, Height: 760, MinWidth: 720,
		AssetServer: &assetserver.Options{Assets: dist},
		OnStartup: func(ctx context.Context) {
			app.startup(ctx)
			window.Store(&ctx)
		},
		Bind: []any{app},
		// GPU off, as Wails defaults when no Linux options are given: some drivers show a blank page otherwise.
		Linux: &linux.Options{Icon: icon, ProgramName: "tollgate", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		return fmt.Errorf("desktop window: %w (a binary built without the desktop tags has no window: run `make build`, or use `tollgate serve`)", err)
	}
	return nil
}

// runSandbox serves the Stripe emulator alone until interrupted.
func runSandbox(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(cfg.DataDir, lab.SandboxFile), Logger: log, Key: cfg.SandboxKey}, cfg.Addr)
	if err != nil {
		return err
	}
	defer sb.Close()
	if cfg.Reset {
		if err := sb.Reset(ctx); err != nil {
			return err
		}
	}
	if cfg.WebhookURL != "" {
		if err := sb.AddWebhookEndpoint(ctx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
			return err
		}
	}
	log.Info("sandbox ready", logkey.URL, sb.URL(), logkey.Webhook, cfg.WebhookURL, logkey.Data, cfg.DataDir)
	<-ctx.Done()
	return nil
}

// runBootstrap creates the demo catalog on the account of TEST_STRIPE_SECRET_KEY and prints its ids.
func runBootstrap(ctx context.Context, cfg config.Config) error {
	b, err := billing.New(billing.Config{SecretKey: cfg.Stripe.SecretKey, APIBase: cfg.Stripe.APIBase}, nil)
	if err != nil {
		return err
	}
	cat, err := b.Bootstrap(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%s=%s\n%s=%s\n# product %s, promotion code %s (%s), portal configuration %s\n",
		config.EnvMonthlyPrice, cat.MonthlyPriceID, config.EnvYearlyPrice, cat.YearlyPriceID,
		cat.ProductID, billing.PromotionCode, cat.PromotionCodeID, cat.PortalConfigID)
	return nil
}
