package lab

import (
	"time"

	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/settings"
	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/tunnel"
)

// Modes of a lab.
const (
	ModeSandbox         = "sandbox"          // the embedded emulator, offline
	ModeExternalSandbox = "external-sandbox" // no key, but --stripe-api points at an emulator
	ModeStripe          = "stripe"           // a Stripe test account
)

// setup runs the sequence. Called with setupMu held; it takes no other lock,
// so screens go on answering from the previous state while Stripe is slow.
func (l *Lab) setup(ctx context.Context) error {
	prev := l.current.Load()
	r := l.newRun()
	eff, err := l.Settings.Effective(ctx)
	if err != nil {
		return r.fail(StepKey, err, false)
	}
	// TEST_STRIPE_WEBHOOK_SECRET is honoured in every mode, beside the endpoint's own.
	l.keys.Set(sourceConfigured, eff.Stripe.WebhookSecret)
	// The API key never signs a delivery; a learner's code that signs with it is told so.
	l.keys.SetProbe("the Stripe secret key", eff.Stripe.SecretKey)
	b, err := l.keyStep(ctx, r, prev, eff)
	if err != nil {
		return err
	}
	r.set(StepCatalog, StatusRunning, "")
	facts, err := catalog(ctx, b, r.snap.state.Mode, eff.Stripe)
	if err != nil {
		return r.fail(StepCatalog, err, false)
	}
	r.set(StepCatalog, StatusDone, "", facts...)
	// Billing works from here; the tunnel and the endpoint only bring events.
	r.snap.billing, r.snap.state.Ready, r.snap.state.Error = b, true, ""
	l.eventSteps(ctx, r, b, eff)
	return r.finish(ctx)
}

// keyStep decides which Stripe to talk to (the embedded sandbox, another
// emulator, or an account), starts or stops the sandbox and the tunnel to
// match, and proves the key by asking whose account it is.
func (l *Lab) keyStep(ctx context.Context, r *run, prev *snapshot, eff settings.Effective) (*billing.Service, error) {
	st := &r.snap.state
	key := eff.Stripe.SecretKey
	st.Mode, st.APIBase, st.TestClocks = ModeStripe, eff.Stripe.APIBase, eff.TestClocks
	switch {
	case key == "" && st.APIBase == "":
		if err := l.startSandbox(); err != nil {
			return nil, r.fail(StepKey, err, false)
		}
		st.Mode, key, st.TestClocks = ModeSandbox, l.sandboxKey, true
		st.APIBase = l.sandbox.URL()
	case key == "":
		st.Mode, key, st.TestClocks = ModeExternalSandbox, SandboxKey, true
	}
	if st.Mode != ModeSandbox && l.sandbox != nil {
		l.drills.Store(nil)
		l.sandbox.Close()
		l.sandbox = nil
		l.Webhook.RefuseUntil(time.Time{}) // the outage drill is the sandbox's; a real account's events must get through
	}
	if st.Mode != ModeStripe || eff.Ngrok.Authtoken == "" {
		l.closeTunnel()
	}
	prices := eff.Stripe
	if st.Mode != ModeStripe {
		// Price ids name prices of a real account; a sandbox has its own catalog.
		prices.MonthlyPrice, prices.YearlyPrice = "", ""
	}

	r.set(StepKey, StatusRunning, "")
	install, err := l.Settings.InstallID(ctx)
	if err != nil {
		return nil, r.fail(StepKey, err, false)
	}
	b, err := billing.New(billing.Config{
		SecretKey:    key,
		APIBase:      st.APIBase,
		MonthlyPrice: prices.MonthlyPrice,
		YearlyPrice:  prices.YearlyPrice,
		TestClocks:   st.TestClocks,
		ReturnBase:   l.opts.BaseURL,
		Install:      install,
		HTTPClient:   l.stripeClient(),
		Logger:       l.log.With(logkey.Component, "billing"),
	}, l.DB)
	if err != nil {
		return nil, r.fail(StepKey, err, false)
	}
	b.OnChange = l.opts.OnChange
	acct, err := b.Account(ctx)
	if err != nil {
		return nil, r.fail(StepKey, err, false)
	}
	st.Account = acct.Name
	// The embedded sandbox is one account whatever port it gets; any other
	// account is known by its id and where it is served.
	where := st.APIBase
	if st.Mode == ModeSandbox {
		where = "embedded"
	}
	st.account = acct.ID + "@" + where
	if err := l.followAccount(ctx, st.account); err != nil {
		return nil, r.fail(StepKey, err, false)
	}
	if p := prev.state; p.endpointID != "" && p.account != st.account && p.Mode != ModeSandbox && prev.billing != nil {
		// Leaving an account: its endpoint would be retried into the void.
		// (The embedded sandbox delivers nothing while it is closed.)
		l.disable(prev.billing, p.endpointID)
	}
	r.set(StepKey, StatusDone, "", Fact{"Account", acct.Name}, Fact{"Account id", acct.ID}, Fact{"API", apiName(st.APIBase)})
	return b, nil
}

// eventSteps makes the way for Stripe's events to reach /payments/event: in a
// sandbox, an endpoint at the app's own address; on an account, the tunnel and
// an endpoint at its URL, or, without an ngrok authtoken, the learner's own
// stripe listen. A failure here leaves billing working, events aside.
func (l *Lab) eventSteps(ctx context.Context, r *run, b *billing.Service, eff settings.Effective) {
	st := &r.snap.state
	local := l.opts.BaseURL + tollgate.WebhookPath
	switch {
	case st.Mode != ModeStripe:
		r.set(StepTunnel, StatusSkipped, "Not needed: the sandbox runs on this machine and delivers events to "+local+" directly.")
		l.endpointStep(ctx, r, b, local)

	case eff.Ngrok.Authtoken == "":
		// The learner forwards events with stripe listen, or runs an endpoint
		// of their own; one Tollgate made before, with a tunnel since given
		// up, would point at nothing.
		st.ListenCommand = "stripe listen --forward-to " + local
		r.set(StepTunnel, StatusSkipped, "No ngrok authtoken. Add yours below and Tollgate opens the tunnel and registers the endpoint itself; or forward events with the Stripe CLI, as below.")
		l.keys.Set(sourceEndpoint, "")
		if known, err := l.Settings.Endpoint(ctx); err == nil && known.ID != "" {
			l.disable(b, known.ID)
		}
		if eff.Stripe.WebhookSecret == "" {
			r.set(StepEndpoint, StatusWaiting, "Run the command above, then paste the whsec_ secret it prints into the webhook signing secret field below.")
			return
		}
		st.Webhook = local
		r.set(StepEndpoint, StatusDone, "Yours: stripe listen, or an endpoint you made. Events signed with TEST_STRIPE_WEBHOOK_SECRET are accepted.",
			Fact{"Forwarded to", local})

	default:
		r.set(StepTunnel, StatusRunning, "")
		t, err := l.openTunnel(ctx, eff.Ngrok)
		if err != nil {
			l.log.Warn("the tunnel did not open; events from Stripe cannot reach Tollgate", logkey.Err, err)
			r.fail(StepTunnel, err, true)
			l.keys.Set(sourceEndpoint, "")
			r.set(StepEndpoint, StatusWaiting, "Needs the tunnel.")
			return
		}
		r.set(StepTunnel, StatusDone, "", Fact{"URL", t.URL()})
		l.endpointStep(ctx, r, b, t.URL()+tollgate.WebhookPath)
	}
}

// endpointStep registers Tollgate's endpoint at url.
func (l *Lab) endpointStep(ctx context.Context, r *run, b *billing.Service, url string) {
	r.set(StepEndpoint, StatusRunning, "")
	if err := l.registerEndpoint(ctx, r, b, url); err != nil {
		l.log.Warn("the webhook endpoint is not registered; events from Stripe cannot reach Tollgate", logkey.Err, err)
		l.keys.Set(sourceEndpoint, "")
		r.fail(StepEndpoint, err, true)
	}
}

// finish publishes the ready state and applies what waited for it.
func (r *run) finish(ctx context.Context) error {
	st := &r.snap.state
	st.WebhookSet = st.WebhookSet || len(r.l.keys.Sources()) > 0
	r.publish()
	r.l.log.Info("billing ready", logkey.Mode, st.Mode, logkey.API, st.APIBase, logkey.Account, st.Account, logkey.Webhook, st.Webhook)
	// Stripe sends nothing to a disabled endpoint, as Tollgate's is while
	// Tollgate is closed or being set up: read what changed meanwhile.
	if err := r.snap.billing.SyncAll(ctx); err != nil {
		r.l.log.Warn("could not re-read every customer; their next event brings them up to date", logkey.Err, err)
	}
	// Events left pending while Stripe could not be reached can be applied now.
	r.l.Webhook.Retry()
	return nil
}

// registerEndpoint makes sure Tollgate's endpoint on the account points at
// url, keeps its secret, and puts that secret in force.
func (l *Lab) registerEndpoint(ctx context.Context, r *run, b *billing.Service, url string) error {
	known, err := l.Settings.Endpoint(ctx)
	if err != nil {
		return err
	}
	// A sandbox's endpoint gets every event, for learners to see the whole
	// machinery; a real account's, only those Tollgate acts on, as an app
	// in production subscribes.
	events := billing.WebhookEvents()
	if r.snap.state.Mode != ModeStripe {
		events = []string{"*"}
	}
	// Marked with the install id the service marks its customers with.
	ep, err := b.EnsureWebhookEndpoint(ctx, url, events, known, b.Install())
	if err != nil {
		return err
	}
	if ep.Secret == "" {
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "Stripe returned no signing secret for the webhook endpoint %s.", ep.ID)
	}
	if err := l.Settings.SaveEndpoint(ctx, ep); err != nil {
		return err
	}
	l.keys.Set(sourceEndpoint, ep.Secret)
	st := &r.snap.state
	st.Webhook, st.WebhookSet, st.endpointID = ep.URL, true, ep.ID
	r.set(StepEndpoint, StatusDone, "", Fact{"Endpoint", ep.ID}, Fact{"URL", ep.URL}, Fact{"API version", ep.APIVersion}, Fact{"Events", eventsFact(events)})
	return nil
}

// catalog makes the demo catalog where Tollgate owns the account's setup
// (always in a sandbox, and on a Stripe account when no price ids were
// given) and returns the ids a learner needs to find it in the dashboard.
func catalog(ctx context.Context, b *billing.Service, mode string, s config.Stripe) ([]Fact, error) {
	if mode == ModeStripe && s.MonthlyPrice != "" && s.YearlyPrice != "" {
		prices, err := b.Prices(ctx)
		if err != nil {
			return nil, err
		}
		facts := []Fact{}
		for _, p := range prices {
			facts = append(facts, Fact{string(p.Plan) + " price (yours)", p.ID})
		}
		return facts, nil
	}
	cat, err := b.Bootstrap(ctx)
	if err != nil {
		return nil, err
	}
	facts := []Fact{{"Product", cat.ProductID}, {"Monthly price", cat.MonthlyPriceID}, {"Yearly price", cat.YearlyPriceID}}
	for i, key := range billing.FeatureKeys() {
		if i < len(cat.FeatureIDs) {
			facts = append(facts, Fact{"Feature " + key, cat.FeatureIDs[i]})
		}
	}
	return append(facts, Fact{"Promotion code " + billing.PromotionCode, cat.PromotionCodeID}, Fact{"Portal configuration", cat.PortalConfigID}), nil
}

func eventsFact(events []string) string {
	if len(events) == 1 && events[0] == "*" {
		return "* (every type: the Events screen explains each, and which Tollgate acts on)"
	}
	return strings.Join(events, ", ")
}

func apiName(base string) string {
	if base == "" {
		return "https://api.stripe.com (" + stripe.APIVersion + ")"
	}
	return base
}

// startSandbox starts the embedded sandbox unless it runs. Called with setupMu held.
func (l *Lab) startSandbox() error {
	if l.sandbox != nil {
		return nil
	}
	secret := make([]byte, 24)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails
	key := "sk_test_tollgate_" + hex.EncodeToString(secret)
	sb, err := sandbox.Start(context.Background(), sandbox.Config{
		Path:   filepath.Join(l.opts.Config.DataDir, SandboxFile),
		Logger: l.log,
		Key:    key,
	}, "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("lab: start sandbox: %w", err)
	}
	l.sandbox, l.sandboxKey = sb, key
	l.drills.Store(sb)
	return nil
}

// openTunnel opens the ngrok tunnel, or keeps the one open for the same
// settings, even while it reconnects. Called with setupMu held.
func (l *Lab) openTunnel(ctx context.Context, n config.Ngrok) (*tunnel.Tunnel, error) {
	if l.tunnel != nil && l.tunnelFor == n {
		return l.tunnel, nil
	}
	l.closeTunnel()
	cas, err := n.RootCAs()
	if err != nil {
		return nil, err
	}
	t, err := tunnel.Open(ctx, tunnel.Config{
		Authtoken:      n.Authtoken,
		ServerAddr:     n.ServerAddr,
		RootCAs:        cas,
		ConnectTimeout: l.opts.TunnelTimeout,
		Logger:         l.log.With(logkey.Component, "tunnel"),
	}, server.TunnelRoutes(l.Webhook), l.tunnelChanged)
	if err != nil {
		return nil, err
	}
	l.tunnel, l.tunnelFor = t, n
	l.liveTunnel.Store(t)
	return t, nil
}

// closeTunnel closes the tunnel if one is open. Called with setupMu held.
func (l *Lab) closeTunnel() {
	if l.tunnel == nil {
		return
	}
	l.tunnel.Close()
	l.tunnel, l.tunnelFor = nil, config.Ngrok{}
	l.liveTunnel.Store(nil)
}

// tunnelChanged follows the tunnel when it drops or comes back, perhaps at
// another URL: the endpoint on Stripe must point where the tunnel now is.
func (l *Lab) tunnelChanged(t *tunnel.Tunnel) {
	l.setupMu.Lock()
	defer l.setupMu.Unlock()
	snap := l.current.Load()
	if l.closed || l.tunnel != t || snap.billing == nil {
		return // a tunnel since replaced, or a setup to come registers the endpoint
	}
	r := &run{l: l, snap: *snap}
	r.snap.state.Steps = slices.Clone(snap.state.Steps)
	ts := l.tunnel.Status()
	if !ts.Up {
		r.publish() // State shows the tunnel reconnecting
		return
	}
	r.set(StepTunnel, StatusDone, "", Fact{"URL", ts.URL})
	ctx, cancel := context.WithTimeout(l.Calls.WithAction(context.Background(), "The tunnel moved: point the endpoint at it"), setupTimeout)
	defer cancel()
	l.endpointStep(ctx, r, snap.billing, ts.URL+tollgate.WebhookPath)
}
