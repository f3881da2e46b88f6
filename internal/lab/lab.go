// Package lab assembles one running Tollgate (the store, accounts, Stripe,
// the tunnel, the webhook and its worker) and runs the setup sequence that
// connects them to the embedded sandbox or to a real Stripe test account.
package lab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/auth"
	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/calls"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lessons"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/settings"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/tunnel"
	"github.com/tollgate/tollgate/internal/webhook"
)

// SandboxKey is the key Tollgate uses with an emulator it did not start
// (--stripe-api without a key), which takes any sk_test_ key unless told one.
const SandboxKey = "sk_test_tollgate_sandbox"

// SandboxFile is the emulator's own database in the data folder.
const SandboxFile = "sandbox.db"

// Where the signing secrets in force come from, as a refused delivery names them.
const (
	sourceConfigured = config.EnvWebhookSecret
	sourceEndpoint   = "Tollgate's endpoint"
)

// setupTimeout bounds the setup sequence, so an unreachable Stripe delays
// the window by seconds, not forever.
const setupTimeout = 30 * time.Second

// maxCalls is how many Stripe calls the Stripe-calls view keeps.
const maxCalls = 1000

// pruneEvery is how often the event log drops what its retention rule no
// longer keeps; it also runs at start.
const pruneEvery = 10 * time.Minute

// closeTimeout bounds disabling the endpoint at quit, which must not hold a
// learner's quit for long when the network is gone.
const closeTimeout = 5 * time.Second

// Options configure Open.
type Options struct {
	Config config.Config
	Logger *slog.Logger
	// BaseURL is the app's own HTTP server (http://127.0.0.1:port): Checkout
	// and the Portal return there, and the sandbox delivers to its /payments/event.
	BaseURL string
	// OnChange, when set, is called after a user's billing state was re-read
	// from Stripe (or, with user 0, after Stripe was set up again), from any
	// goroutine, so the faces can push it to the UI. It must not block.
	OnChange func(userID uint64)
	// OnState, when set, is called each time the setup checklist moves, so
	// the Settings screen can show its progress. It must not block.
	OnState func()
	// OnLesson, when set, is called when a user's lesson progress moved (a
	// lesson ticked, or started over). It must not block.
	OnLesson func(userID uint64)
	// Source is the module's Go files embedded in the binary, from which
	// the Lessons screen shows the code that handled each lesson.
	Source fs.FS
	// TunnelTimeout bounds each attempt to open the ngrok tunnel; 0 is tunnel.DefaultConnectTimeout.
	TunnelTimeout time.Duration
}

// Lab is one running Tollgate.
type Lab struct {
	DB       *store.DB
	Auth     *auth.Service
	Session  auth.Session
	Webhook  *webhook.Handler
	Settings *settings.Settings
	Gate     billing.Gate // answers Premium from the local copy, whatever Stripe's state
	// Calls records every Stripe API request, under the action that caused it.
	Calls *calls.Log
	// Lessons ticks the course's lessons as Tollgate sees them happen.
	Lessons *lessons.Tracker

	opts       Options
	log        *slog.Logger
	keys       webhook.Keyring
	stopWorker context.CancelFunc // stops the webhook worker and the pruner
	pruner     sync.WaitGroup

	// setupMu serialises the setup sequence, which starts and stops the
	// sandbox and the tunnel. Screens never take it: they read current, so
	// none waits on a slow Stripe.
	setupMu sync.Mutex
	sandbox *sandbox.Server // guarded by setupMu
	// drills is sandbox for the sandbox-only controls (Stripe trouble,
	// delivery chaos), which must not wait on setupMu: a setup slowed by a
	// fault would hold it.
	drills atomic.Pointer[sandbox.Server]
	// sandboxKey is the embedded sandbox's key, random for each run: only
	// this process can use its account, not other processes or users.
	sandboxKey string
	tunnel     *tunnel.Tunnel // guarded by setupMu
	tunnelFor  config.Ngrok   // what tunnel was opened with; guarded by setupMu
	closed     bool           // guarded by setupMu
	current    atomic.Pointer[snapshot]
	// liveTunnel is tunnel for State, which must not wait on setupMu.
	liveTunnel atomic.Pointer[tunnel.Tunnel]
}

// snapshot is the Stripe side as the last setup left it, replaced whole.
type snapshot struct {
	billing *billing.Service // nil while not ready
	state   State
}

// Open opens the store and sets up billing. A billing failure (Stripe
// unreachable, a bad key, ngrok down) does not stop the app: accounts and
// Premium still work and the Settings screen shows the reason.
func Open(ctx context.Context, o Options) (*Lab, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	db, err := store.Open(filepath.Join(o.Config.DataDir, store.FileName))
	if err != nil {
		return nil, err
	}
	l := &Lab{
		DB:       db,
		Auth:     auth.New(db, auth.Options{}),
		Settings: settings.New(db, o.Config),
		Gate:     billing.Gate{Store: db},
		Calls:    calls.New(maxCalls),
		opts:     o,
		log:      o.Logger,
	}
	l.Lessons = lessons.NewTracker(lessons.Options{Store: db, Subscriptions: db.SubscriptionsByUser, Source: o.Source,
		OnDone: o.OnLesson, Logger: o.Logger.With(logkey.Component, "lessons")})
	l.current.Store(&snapshot{state: State{Error: "Stripe is not set up yet."}})
	l.Webhook = webhook.New(webhook.Options{
		Events:   db,
		Applier:  l,
		Keys:     &l.keys,
		Insecure: o.Config.InsecureWebhooks,
		Logger:   o.Logger.With(logkey.Component, "webhook"),
		// The Events screen and the checklist's last event follow each event, needed by Tollgate or not.
		Done: func(*tollgate.Event) {
			if o.OnState != nil {
				o.OnState()
			}
		},
		// A skipped redelivery is what the lesson on duplicate deliveries shows.
		Skipped: func(ctx context.Context, id string) {
			if e, err := db.EventByID(ctx, id); err == nil {
				l.Lessons.Redelivered(ctx, e)
			}
		},
	})
	if err := l.Setup(l.Calls.WithAction(ctx, "Start Tollgate: set up Stripe")); err != nil {
		l.log.Warn("billing is not ready", logkey.Err, err)
	}
	// The worker starts after setup so that events left pending by the last run are applied with a working Stripe client.
	wctx, cancel := context.WithCancel(context.Background())
	l.stopWorker = cancel
	l.Webhook.Start(wctx)
	l.pruner.Go(func() { l.prune(wctx) })
	return l, nil
}

// prune keeps the event log to the retention rule, in the background, so a
// busy endpoint cannot fill the disk nor slow the screens that read the log.
func (l *Lab) prune(ctx context.Context) {
	k := l.opts.Config.KeepEvents
	if k == (config.KeepEvents{}) { // a Config not from Parse, as in tests: never "keep nothing"
		k = config.DefaultKeepEvents
	}
	rule := store.Retention{MaxAge: time.Duration(k.Days) * 24 * time.Hour, PerCustomer: k.PerCustomer}
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		if n, err := l.DB.PruneEvents(ctx, rule); err != nil && ctx.Err() == nil {
			l.log.Error("could not prune the webhook event log", logkey.Err, err)
		} else if n > 0 {
			l.log.Info("pruned old webhook events", logkey.Count, n, logkey.Keep, k.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Close disables Tollgate's webhook endpoint, closes the tunnel, stops the
// worker and the sandbox, and closes the store.
func (l *Lab) Close() error {
	l.setupMu.Lock()
	defer l.setupMu.Unlock()
	l.closed = true
	l.disableEndpoint()
	l.closeTunnel()
	l.stopWorker()
	l.Webhook.Wait()
	l.pruner.Wait()
	var errs []error
	if l.sandbox != nil {
		errs = append(errs, l.sandbox.Close())
	}
	errs = append(errs, l.DB.Close())
	return errors.Join(errs...)
}

// disableEndpoint stops Stripe delivering to an app that is gone. Called with setupMu held.
func (l *Lab) disableEndpoint() {
	snap := l.current.Load()
	if snap.billing != nil && snap.state.endpointID != "" {
		l.disable(snap.billing, snap.state.endpointID)
	}
}

// disable disables endpoint id through b, within closeTimeout: a failure is
// logged, never fatal, since all it costs is Stripe retrying into the void.
func (l *Lab) disable(b *billing.Service, id string) {
	ctx, cancel := context.WithTimeout(l.Calls.WithAction(context.Background(), "Disable the webhook endpoint Tollgate no longer uses"), closeTimeout)
	defer cancel()
	if err := b.DisableWebhookEndpoint(ctx, id); err != nil && tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		l.log.Warn("could not disable a webhook endpoint Tollgate no longer uses; Stripe will retry its events into the void", logkey.Endpoint, id, logkey.Err, err)
	}
}

// Billing returns the billing service, or why there is none.
func (l *Lab) Billing() (*billing.Service, error) {
	snap := l.current.Load()
	if snap.billing == nil {
		return nil, tollgate.Errorf(tollgate.EUNAVAILABLE, "Billing is not ready: %s See Settings.", snap.state.Error)
	}
	return snap.billing, nil
}

// ApplyEvent hands a webhook event to the billing service in force, then
// ticks the lessons it shows.
func (l *Lab) ApplyEvent(ctx context.Context, e *tollgate.Event) (tollgate.EventResult, error) {
	b, err := l.Billing()
	if err != nil {
		return tollgate.EventResult{}, err
	}
	res, err := b.ApplyEvent(l.Calls.WithAction(ctx, "Webhook "+e.Type+" "+e.ID), e)
	if err == nil {
		l.Lessons.Applied(ctx, e, res)
	}
	return res, err
}

// Setup (re)builds the Stripe side from the flags, the environment and the
// stored settings, in that order of precedence, as the checklist on the
// Settings screen shows it: the key works, the catalog is ready, the tunnel
// is up, the endpoint is registered.
func (l *Lab) Setup(ctx context.Context) error {
	l.setupMu.Lock()
	defer l.setupMu.Unlock()
	if l.closed {
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "Tollgate is closing.")
	}
	// Whatever the outcome, the screens showing Stripe's state re-read it.
	if l.opts.OnChange != nil {
		defer l.opts.OnChange(0)
	}
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	return l.setup(ctx)
}

// SaveSettings checks the Settings form, proves a new key against Stripe
// before keeping it (a wrong key is never stored, so it cannot break what
// works), stores the form and sets Stripe up again with it.
func (l *Lab) SaveSettings(ctx context.Context, f settings.Form, clearSecrets bool) error {
	f, err := f.Clean()
	if err != nil {
		return err
	}
	if f.SecretKey != "" {
		eff, err := l.Settings.Effective(ctx)
		if err != nil && tollgate.ErrorCode(err) != tollgate.EINVALID {
			return err
		}
		if err := l.checkKey(ctx, f.SecretKey, eff.Stripe.APIBase); err != nil {
			return err
		}
	}
	if err := l.Settings.Save(ctx, f, clearSecrets); err != nil {
		return err
	}
	return l.Setup(ctx)
}

// checkKey asks Stripe who the key belongs to: GET /v1/account, the cheapest proof it works.
func (l *Lab) checkKey(ctx context.Context, key, apiBase string) error {
	b, err := billing.New(billing.Config{SecretKey: key, APIBase: apiBase, HTTPClient: l.stripeClient()}, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	if _, err := b.Account(ctx); err != nil {
		return fmt.Errorf("lab: check key: %w", errors.Join(tollgate.Errorf(tollgate.ErrorCode(err), "The key was not saved. %s", tollgate.ErrorMessage(err)), err))
	}
	return nil
}

// ResetSandbox wipes the embedded sandbox back to a new, empty Stripe account
// and forgets every customer, subscription and event Tollgate kept of it, so
// an instructor can hand the next class a clean demo. Accounts stay. The demo
// catalog and the webhook endpoint are created again.
func (l *Lab) ResetSandbox(ctx context.Context) error {
	l.setupMu.Lock()
	defer l.setupMu.Unlock()
	if l.sandbox == nil || l.State().Mode != ModeSandbox {
		return tollgate.Errorf(tollgate.EINVALID, "Only Tollgate's own sandbox can be reset; a Stripe account is yours to manage in its dashboard.")
	}
	if l.opts.OnChange != nil {
		defer l.opts.OnChange(0)
	}
	wipe := func() error {
		if err := l.sandbox.Reset(ctx); err != nil {
			return err
		}
		return l.DB.ResetBilling(ctx)
	}
	var err error
	if b := l.current.Load().billing; b != nil {
		err = b.WhileNotSyncing(wipe)
	} else {
		err = wipe()
	}
	if err != nil {
		return fmt.Errorf("lab: reset sandbox: %w", err)
	}
	l.log.Info("sandbox reset")
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	return l.setup(ctx)
}

// followAccount forgets the local copy of customers, subscriptions,
// entitlements and events, and the endpoint Tollgate made, when the Stripe
// account behind them changed (another key, the sandbox instead of a real
// account): that copy describes objects the new account does not have, and
// would unlock Premium or block a purchase on its say-so.
func (l *Lab) followAccount(ctx context.Context, account string) error {
	known, err := l.Settings.Account(ctx)
	if err != nil || known == account {
		return err
	}
	if known != "" {
		if err := l.DB.ResetBilling(ctx); err != nil {
			return fmt.Errorf("lab: forget the previous account: %w", err)
		}
		if err := l.Settings.SaveEndpoint(ctx, tollgate.WebhookEndpoint{}); err != nil {
			return err
		}
		l.log.Info("the Stripe account changed; forgot the previous account's customers and subscriptions", logkey.Was, known, logkey.Now, account)
	}
	return l.Settings.SetAccount(ctx, account)
}

// stripeClient is the HTTP client of every billing service, so that each
// Stripe call lands in the log.
func (l *Lab) stripeClient() *http.Client {
	// stripe-go's own default timeout.
	return &http.Client{Transport: l.Calls.Transport(http.DefaultTransport), Timeout: 80 * time.Second}
}

// publish makes s the state screens see and tells them it moved.
func (l *Lab) publish(s *snapshot) {
	l.current.Store(s)
	if l.opts.OnState != nil {
		l.opts.OnState()
	}
}
