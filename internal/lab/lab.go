// Package lab assembles one running Tollgate: the store, accounts, Stripe (the
// embedded sandbox or a real test account), the webhook endpoint and its worker.
package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/auth"
	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/webhook"
)

// SandboxKey is the key Tollgate uses with a sandbox: any sk_test_ key works there.
const SandboxKey = "sk_test_tollgate_sandbox"

// SandboxFile is the emulator's own database in the data folder.
const SandboxFile = "sandbox.db"

// Modes of a lab.
const (
	ModeSandbox         = "sandbox"          // the embedded emulator, offline
	ModeExternalSandbox = "external-sandbox" // no key, but --stripe-api points at an emulator
	ModeStripe          = "stripe"           // a real Stripe test account
)

// setupTimeout bounds the Stripe calls made at start, so an unreachable
// Stripe delays the window by seconds, not forever.
const setupTimeout = 30 * time.Second

// Options configure Open.
type Options struct {
	Config config.Config
	Logger *slog.Logger
	// BaseURL is the app's own HTTP server (http://127.0.0.1:port): Checkout
	// and the Portal return there, and the webhook endpoint is its /payments/event.
	BaseURL string
	// OnChange, when set, is called after a user's billing state was re-read
	// from Stripe (or, with user 0, after Stripe was set up again), from any
	// goroutine, so the faces can push it to the UI. It must not block.
	OnChange func(userID uint64)
}

// Lab is one running Tollgate.
type Lab struct {
	DB      *store.DB
	Auth    *auth.Service
	Session auth.Session
	Webhook *webhook.Handler

	opts    Options
	log     *slog.Logger
	secret  atomic.Value // string: the webhook signing secret in force
	cancel  context.CancelFunc
	mu      sync.RWMutex // guards what setup replaces
	billing *billing.Service
	state   State
	sandbox *sandbox.Server
}

// State is what the Settings screen shows about Stripe.
type State struct {
	Mode       string `json:"mode"`
	APIBase    string `json:"apiBase"`
	Account    string `json:"account"`
	Webhook    string `json:"webhook"`    // the endpoint URL Stripe sends events to
	WebhookSet bool   `json:"webhookSet"` // a signing secret is in force
	TestClocks bool   `json:"testClocks"`
	Ready      bool   `json:"ready"`
	Error      string `json:"error"` // why billing is not ready
}

// Open opens the store and sets up billing. A billing failure (Stripe
// unreachable, a bad key) does not stop the app: accounts still work and the
// Settings screen shows the reason.
func Open(ctx context.Context, o Options) (*Lab, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	db, err := store.Open(filepath.Join(o.Config.DataDir, store.FileName))
	if err != nil {
		return nil, err
	}
	l := &Lab{DB: db, Auth: auth.New(db, auth.Options{}), opts: o, log: o.Logger}
	l.secret.Store("")
	l.Webhook = webhook.New(webhook.Options{
		Events:   db,
		Applier:  l,
		Secret:   func() string { return l.secret.Load().(string) },
		Insecure: o.Config.InsecureWebhooks,
		Logger:   o.Logger.With("component", "webhook"),
	})
	if err := l.Setup(ctx); err != nil {
		l.log.Warn("billing is not ready", "err", err)
	}
	// The worker starts after setup so that events left pending by the last run are applied with a working Stripe client.
	wctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.Webhook.Start(wctx)
	return l, nil
}

// Close stops the worker and the sandbox and closes the store.
func (l *Lab) Close() error {
	l.cancel()
	l.Webhook.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	if l.sandbox != nil {
		errs = append(errs, l.sandbox.Close())
	}
	errs = append(errs, l.DB.Close())
	return errors.Join(errs...)
}

// Billing returns the billing service, or why there is none.
func (l *Lab) Billing() (*billing.Service, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.billing == nil {
		return nil, tollgate.Errorf(tollgate.EUNAVAILABLE, "Billing is not ready: %s See Settings.", l.state.Error)
	}
	return l.billing, nil
}

// State reports the Stripe side of the lab.
func (l *Lab) State() State {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.state
}

// ApplyEvent hands a webhook event to the billing service in force.
func (l *Lab) ApplyEvent(ctx context.Context, e *tollgate.Event) (string, error) {
	b, err := l.Billing()
	if err != nil {
		return "", err
	}
	return b.ApplyEvent(ctx, e)
}

// Setup (re)builds the Stripe side from the flags, the environment and the
// stored settings, in that order of precedence: it starts or stops the
// embedded sandbox, creates the demo catalog where Tollgate owns the account,
// and makes sure a webhook endpoint points here.
func (l *Lab) Setup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	// Whatever the outcome, the screens showing Stripe's state re-read it.
	if l.opts.OnChange != nil {
		defer l.opts.OnChange(0)
	}
	st, err := l.effectiveStripe(ctx)
	if err != nil {
		return l.fail(State{}, err)
	}
	state := State{Mode: ModeStripe, APIBase: st.cfg.APIBase, TestClocks: st.testClocks}
	key := st.cfg.SecretKey
	switch {
	case key == "" && st.cfg.APIBase == "":
		state.Mode, key, state.TestClocks = ModeSandbox, SandboxKey, true
		if l.sandbox == nil {
			sb, err := sandbox.Start(context.Background(), sandbox.Config{
				Path:   filepath.Join(l.opts.Config.DataDir, SandboxFile),
				Logger: l.log.With("component", "sandbox"),
			}, "127.0.0.1:0")
			if err != nil {
				return l.fail(state, fmt.Errorf("lab: start sandbox: %w", err))
			}
			l.sandbox = sb
		}
		state.APIBase = l.sandbox.URL()
	case key == "":
		state.Mode, key, state.TestClocks = ModeExternalSandbox, SandboxKey, true
	}
	if state.Mode != ModeSandbox && l.sandbox != nil {
		l.sandbox.Close()
		l.sandbox = nil
	}
	if state.Mode != ModeStripe {
		// Price ids name prices of a real account; a sandbox has its own catalog.
		st.cfg.MonthlyPrice, st.cfg.YearlyPrice = "", ""
	}
	b, err := billing.New(billing.Config{
		SecretKey:    key,
		APIBase:      state.APIBase,
		MonthlyPrice: st.cfg.MonthlyPrice,
		YearlyPrice:  st.cfg.YearlyPrice,
		TestClocks:   state.TestClocks,
		ReturnBase:   l.opts.BaseURL,
		Logger:       l.log.With("component", "billing"),
	}, l.DB, l.DB)
	if err != nil {
		return l.fail(state, err)
	}
	b.OnChange = l.opts.OnChange
	acct, err := b.Account(ctx)
	if err != nil {
		return l.fail(state, err)
	}
	state.Account = acct.Name
	// The embedded sandbox is one account whatever port it gets; any other
	// account is known by its id and where it is served.
	where := state.APIBase
	if state.Mode == ModeSandbox {
		where = "embedded"
	}
	if err := l.followAccount(ctx, acct.ID+"@"+where); err != nil {
		return l.fail(state, err)
	}
	// The catalog is created where Tollgate owns the account's setup: always in
	// a sandbox, and on a real account when no price ids were given.
	if state.Mode != ModeStripe || st.cfg.MonthlyPrice == "" || st.cfg.YearlyPrice == "" {
		if _, err := b.Bootstrap(ctx); err != nil {
			return l.fail(state, err)
		}
	}
	if err := l.setupWebhook(ctx, b, &state, st.cfg.WebhookSecret); err != nil {
		return l.fail(state, err)
	}
	state.Ready = true
	l.billing, l.state = b, state
	l.log.Info("billing ready", "mode", state.Mode, "api", state.APIBase, "account", state.Account, "webhook", state.Webhook)
	// Events left pending while Stripe could not be reached can be applied now.
	l.Webhook.Retry()
	return nil
}

// followAccount forgets the local copy of customers, subscriptions,
// entitlements and events when the Stripe account behind it changed (another
// key, the sandbox instead of a real account): that copy describes objects the
// new account does not have, and would unlock Premium or block a purchase on
// its say-so.
func (l *Lab) followAccount(ctx context.Context, account string) error {
	known, err := l.DB.Setting(ctx, keyAccount)
	if err != nil || known == account {
		return err
	}
	if known != "" {
		if err := l.DB.ResetBilling(ctx); err != nil {
			return fmt.Errorf("lab: forget the previous account: %w", err)
		}
		l.log.Info("the Stripe account changed; forgot the previous account's customers and subscriptions", "was", known, "now", account)
	}
	return l.DB.SetSetting(ctx, keyAccount, account)
}

// setupWebhook decides which signing secret is in force. Stripe cannot reach a
// loopback address, so on a real account the secret of an endpoint the learner
// made (through a tunnel) is used; a sandbox gets an endpoint of its own here.
func (l *Lab) setupWebhook(ctx context.Context, b *billing.Service, state *State, configured string) error {
	url := l.opts.BaseURL + "/payments/event"
	if state.Mode == ModeStripe {
		l.secret.Store(configured)
		state.WebhookSet = configured != ""
		if configured != "" {
			state.Webhook = "your endpoint, forwarding to " + url
		}
		return nil
	}
	known, err := l.knownEndpoint(ctx)
	if err != nil {
		return err
	}
	ep, err := b.EnsureWebhookEndpoint(ctx, url, known)
	if err != nil {
		return err
	}
	if err := l.saveEndpoint(ctx, ep); err != nil {
		return err
	}
	l.secret.Store(ep.Secret)
	state.Webhook, state.WebhookSet = ep.URL, true
	return nil
}

func (l *Lab) fail(state State, err error) error {
	state.Error = tollgate.ErrorMessage(err)
	l.state, l.billing = state, nil
	l.secret.Store("")
	return err
}

// ResetSandbox wipes the embedded sandbox back to a new, empty Stripe account
// and forgets every customer, subscription and event Tollgate kept of it, so
// an instructor can hand the next class a clean demo. Accounts stay. The demo
// catalog and the webhook endpoint are created again.
func (l *Lab) ResetSandbox(ctx context.Context) error {
	l.mu.Lock()
	if l.sandbox == nil || l.state.Mode != ModeSandbox {
		l.mu.Unlock()
		return tollgate.Errorf(tollgate.EINVALID, "Only Tollgate's own sandbox can be reset; a Stripe account is yours to manage in its dashboard.")
	}
	wipe := func() error {
		if err := l.sandbox.Reset(ctx); err != nil {
			return err
		}
		return l.DB.ResetBilling(ctx)
	}
	var err error
	if l.billing != nil {
		err = l.billing.WhileNotSyncing(wipe)
	} else {
		err = wipe()
	}
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("lab: reset sandbox: %w", err)
	}
	l.log.Info("sandbox reset")
	return l.Setup(ctx)
}
