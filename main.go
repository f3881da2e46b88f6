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
	"syscall"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/browser"
	"github.com/tollgate/tollgate/internal/buildinfo"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/store"
)

//go:embed all:frontend/dist
var assets embed.FS

// Events Go sends the UI: re-read billing state; the setup checklist moved; a lesson ticked.
const (
	eventBillingChanged = "billing:changed"
	eventStripeState    = "stripe:state"
	eventLessons        = "lessons:changed"
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
		fmt.Print(buildinfo.Read(hasWindow))
	case config.Sandbox:
		err = runSandbox(ctx, cfg, log)
	case config.Bootstrap:
		err = runBootstrap(ctx, cfg)
	case config.Demo:
		err = runDemo(ctx, cfg, log)
	case config.Serve:
		err = runApp(ctx, cfg, log, face{})
	default:
		err = runWindow(ctx, cfg, log)
	}
	if err != nil {
		log.Error("tollgate stopped", logkey.Err, err)
		return 1
	}
	return 0
}

// face is how runApp's callers vary it.
type face struct {
	openLink  bool              // open serve's link in the browser: a binary without a window
	presenter *config.Presenter // play the demo's script too (tollgate demo)
}

// runApp runs the window or serve: the app's own HTTP server carries the
// webhook and Stripe's return pages (and, in serve mode, the UI itself).
func runApp(ctx context.Context, cfg config.Config, log *slog.Logger, f face) error {
	tuneGC()
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
	// Wails in the window.
	events := server.NewBroadcaster()
	var win window
	emit := events.Emit
	if cfg.Command == config.Desktop {
		emit = win.emit
	}
	l, err := lab.Open(ctx, lab.Options{Config: cfg, Logger: log, BaseURL: base,
		OnChange: func(uint64) { emit(eventBillingChanged) }, OnState: func() { emit(eventStripeState) },
		OnLesson: func(uint64) { emit(eventLessons) }, Source: source})
	if err != nil {
		ln.Close()
		return err
	}
	defer l.Close()
	returns := billing.Returns{Service: l.Billing, User: l.Session.User, Action: l.Calls.WithAction}
	app := newApp(l, log, About{Version: buildinfo.Read(hasWindow).Version, DataDir: cfg.DataDir, Database: l.DB.Path, SchemaVersion: store.SchemaVersion, Face: string(cfg.Command)})
	if f.presenter != nil {
		app.present(ctx, *f.presenter, emit)
	}
	if cfg.Command == config.Serve {
		token := server.NewToken()
		app.secrets = append(app.secrets, token)
		srv, err := server.New(server.Options{Assets: dist, Bindings: []any{app}, Token: token, Logger: log.With(logkey.Component, "server"),
			Public: server.PublicRoutes(l.Webhook, returns, base+"/", log), Events: events})
		if err != nil {
			return err
		}
		app.startup(ctx)
		// The link is printed, not logged: it is the key to this run, meant for the person at the terminal.
		link := base + "/?token=" + token
		what := "Tollgate"
		if f.presenter != nil {
			what = "Tollgate's demo"
		}
		fmt.Printf("%s is running at %s\n", what, link)
		if f.openLink {
			if err := browser.Open(link); err != nil {
				log.Warn("could not open your browser: open the link above", logkey.Err, err)
			}
		}
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
	return win.run(app, dist)
}

// runSandbox serves the Stripe emulator alone until interrupted.
func runSandbox(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(cfg.DataDir, lab.SandboxFile), Logger: log, Key: cfg.SandboxKey, Faults: cfg.Faults,
		Retention: sandbox.Retention{Age: time.Duration(cfg.KeepEvents.Days) * 24 * time.Hour, PerCustomer: cfg.KeepEvents.PerCustomer}}, cfg.Addr)
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
	for _, f := range sb.Faults() {
		log.Warn("playing Stripe trouble", logkey.Fault, f.Spec)
	}
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
