package lab_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/settings"
	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/tunnel/ngroktest"
)

const ngrokToken = "2labTOKEN_abcdefghijklmnop"

// tunnelEnv is a Stripe account (a sandbox of its own, reached with a key as
// a real account would be) and a loopback double of ngrok's service.
type tunnelEnv struct {
	sb    *sandbox.Server
	ngrok *ngroktest.Server
	cfg   config.Config
	sc    *stripe.Client
}

func newTunnelEnv(t *testing.T) *tunnelEnv {
	t.Helper()
	sb := startSandbox(t)
	ng := ngroktest.MustStart(t, ngrokToken)
	ca := filepath.Join(t.TempDir(), "ngrok-ca.pem")
	if err := os.WriteFile(ca, ng.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tunnelEnv{
		sb: sb, ngrok: ng,
		cfg: config.Config{
			DataDir: t.TempDir(),
			Stripe:  config.Stripe{SecretKey: "sk_test_learners_own_key", APIBase: sb.URL()},
			Ngrok:   config.Ngrok{Authtoken: ngrokToken, ServerAddr: ng.Addr(), CAFile: ca},
		},
		sc: stripe.NewClient("sk_test_learners_own_key", stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{URL: stripe.String(sb.URL())}))),
	}
}

// endpoint returns the only webhook endpoint on the account.
func (e *tunnelEnv) endpoint(t *testing.T) *stripe.WebhookEndpoint {
	t.Helper()
	var all []*stripe.WebhookEndpoint
	for we, err := range e.sc.V1WebhookEndpoints.List(context.Background(), &stripe.WebhookEndpointListParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, we)
	}
	if len(all) != 1 {
		t.Fatalf("%d webhook endpoints on the account, want exactly Tollgate's one", len(all))
	}
	return all[0]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestTunnel(t *testing.T) {
	ctx := context.Background()
	e := newTunnelEnv(t)
	l := open(t, e.cfg)
	st := l.State()
	tunnelURL := fact(step(t, st, lab.StepTunnel), "URL")
	if !st.Ready || st.Mode != lab.ModeStripe || tunnelURL == "" || st.Webhook != tunnelURL+"/payments/event" || st.ListenCommand != "" {
		t.Fatalf("state = %+v, want Stripe mode with the tunnel's endpoint", st)
	}
	we := e.endpoint(t)
	if we.URL != tunnelURL+"/payments/event" || we.APIVersion != stripe.APIVersion || we.Status != "enabled" {
		t.Fatalf("endpoint on the account = %s %s %s, want the tunnel's URL on %s, enabled", we.URL, we.APIVersion, we.Status, stripe.APIVersion)
	}

	t.Run("EventsArriveThroughTheTunnel", func(t *testing.T) {
		u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		b, err := l.Billing()
		if err != nil {
			t.Fatal(err)
		}
		// Pay on the hosted page but skip the success page's sync: only the webhook can bring the entitlements.
		r, err := b.Checkout(ctx, u, billing.Monthly, false)
		if err != nil {
			t.Fatal(err)
		}
		pay(t, r.URL)
		waitFor(t, "the entitlements to arrive by webhook", func() bool { return l.Gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess) == nil })
		if got := e.ngrok.Tunnels(); len(got) != 1 || got[0].Proxied == 0 {
			t.Errorf("tunnels = %+v, want the deliveries proxied through the one tunnel", got)
		}
		if st, _ := l.Status(ctx); step(t, st, lab.StepEvent).Status != lab.StatusDone {
			t.Errorf("event step = %+v, want done", step(t, st, lab.StepEvent))
		}
	})

	t.Run("OnlyTheWebhookIsReachable", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{"GET", "/"}, {"GET", "/index.html"}, {"POST", "/api/call"}, {"GET", "/api/events"},
			{"GET", "/checkout/success?session_id=cs_x"}, {"GET", "/checkout/cancel"}, {"GET", "/portal/return"},
			{"GET", "/payments/event"}, {"PUT", "/payments/event"}, {"POST", "//payments/event"}, {"POST", "/payments/event/"},
		} {
			req, _ := http.NewRequest(r.method, tunnelURL+r.path, strings.NewReader("{}"))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s through the tunnel = %d, want 404", r.method, r.path, res.StatusCode)
			}
		}
		// The webhook itself answers, and refuses what is unsigned.
		res, err := http.Post(tunnelURL+"/payments/event", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("unsigned POST /payments/event = %d, want 400", res.StatusCode)
		}
	})

	t.Run("DropThenNewURL", func(t *testing.T) {
		e.ngrok.DropSessions()
		waitFor(t, "the endpoint to follow the tunnel's new URL", func() bool {
			st := l.State()
			return st.Webhook != tunnelURL+"/payments/event" && step(t, st, lab.StepEndpoint).Status == lab.StatusDone
		})
		moved := e.endpoint(t)
		if moved.ID != we.ID || moved.URL != l.State().Webhook {
			t.Errorf("endpoint after the drop = %s at %s, want %s at %s", moved.ID, moved.URL, we.ID, l.State().Webhook)
		}
	})

	t.Run("QuitDisablesRestartEnables", func(t *testing.T) {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if got := e.endpoint(t); got.Status != "disabled" || got.ID != we.ID {
			t.Fatalf("after quit the endpoint is %s %s, want %s disabled", got.ID, got.Status, we.ID)
		}
		l = open(t, e.cfg)
		defer l.Close()
		got := e.endpoint(t)
		if got.ID != we.ID || got.Status != "enabled" || got.URL != l.State().Webhook || !strings.HasPrefix(got.URL, "http://127.0.0.1:") {
			t.Errorf("after restart the endpoint is %s %s at %s, want %s enabled at the new tunnel %s", got.ID, got.Status, got.URL, we.ID, l.State().Webhook)
		}
	})
}

// pay fills in the hosted Checkout page with a card that works and returns
// where Checkout sends the browser back: the success page.
func pay(t *testing.T, checkoutURL string) *url.URL {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(checkoutURL, url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"},
		"country": {"GB"}, "postal_code": {"SW1A 1AA"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil {
		t.Fatalf("checkout answered %s without a redirect", res.Status)
	}
	return loc
}

func TestTunnelFailures(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		ngrok   func(e *tunnelEnv) config.Ngrok
		timeout time.Duration
		want    string
	}{
		{"ErrBadAuthtoken", func(e *tunnelEnv) config.Ngrok {
			n := e.cfg.Ngrok
			n.Authtoken = "2wrongTOKEN_0000000000"
			return n
		}, 0, "ngrok refused the tunnel: The authtoken you specified does not look like a proper ngrok tunnel authtoken."},
		{"ErrUnreachable", func(e *tunnelEnv) config.Ngrok {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			n := e.cfg.Ngrok
			n.ServerAddr = ln.Addr().String()
			ln.Close() // nothing listens there: a learner offline
			return n
		}, 0, "Could not reach ngrok at "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTunnelEnv(t)
			e.cfg.Ngrok = tc.ngrok(e)
			start := time.Now()
			l, err := lab.Open(ctx, lab.Options{Config: e.cfg, BaseURL: "http://127.0.0.1:9", TunnelTimeout: tc.timeout})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			// The default bound: a learner hears why within 15 s.
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("the app took %s to open, want the tunnel's error within 15 s", took)
			}
			st := l.State()
			if s := step(t, st, lab.StepTunnel); s.Status != lab.StatusFailed || !strings.HasPrefix(s.Error, tc.want) {
				t.Errorf("tunnel step = %+v, want failed with %q", s, tc.want)
			}
			if s := step(t, st, lab.StepEndpoint); s.Status != lab.StatusWaiting {
				t.Errorf("endpoint step = %+v, want waiting on the tunnel", s)
			}
			// What is local keeps working: billing, accounts, Premium.
			if !st.Ready {
				t.Errorf("state = %+v, want billing ready without the tunnel", st)
			}
			u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
			if err != nil {
				t.Fatal(err)
			}
			b, err := l.Billing()
			if err != nil {
				t.Fatal(err)
			}
			subscribe(t, b, u) // the success page's sync stands in for the webhook
			if err := l.Gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
				t.Errorf("premium without a tunnel: %v", err)
			}
		})
	}
}

func TestTunnelGivenUp(t *testing.T) {
	// An authtoken saved on the Settings screen opens the tunnel; removing it
	// disables the endpoint that pointed there, so Stripe stops retrying into
	// the void, and the checklist offers stripe listen instead.
	ctx := context.Background()
	e := newTunnelEnv(t)
	e.cfg.Ngrok.Authtoken = ""
	l := open(t, e.cfg)
	defer l.Close()
	if st := l.State(); st.ListenCommand == "" || step(t, st, lab.StepTunnel).Status != lab.StatusSkipped {
		t.Fatalf("without an authtoken: %+v, want the stripe listen command", st)
	}
	if err := l.SaveSettings(ctx, settings.Form{NgrokAuthtoken: ngrokToken}, false); err != nil {
		t.Fatal(err)
	}
	if we := e.endpoint(t); we.Status != "enabled" || we.URL != l.State().Webhook {
		t.Fatalf("with the authtoken saved the endpoint is %s at %s, want enabled at %s", we.Status, we.URL, l.State().Webhook)
	}
	if err := l.SaveSettings(ctx, settings.Form{}, true); err != nil {
		t.Fatal(err)
	}
	if we := e.endpoint(t); we.Status != "disabled" {
		t.Errorf("after removing the authtoken the endpoint is %s, want disabled", we.Status)
	}
	if st := l.State(); st.ListenCommand == "" || !st.Ready || len(e.ngrok.Tunnels()) != 0 {
		t.Errorf("after removing the authtoken: %+v with tunnels %v, want ready, no tunnel, the stripe listen command", st, e.ngrok.Tunnels())
	}
}
