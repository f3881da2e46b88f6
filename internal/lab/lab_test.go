package lab_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/settings"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func open(t *testing.T, cfg config.Config) *lab.Lab {
	t.Helper()
	// Port 9 (discard) has no listener here: the sandbox's deliveries to it fail and are retried, harmlessly.
	return openAt(t, cfg, "http://127.0.0.1:9")
}

func openAt(t *testing.T, cfg config.Config, base string) *lab.Lab {
	t.Helper()
	l, err := lab.Open(context.Background(), lab.Options{Config: cfg, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// startSandbox runs a sandbox of its own, standing for another Stripe account.
func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start(context.Background(), sandbox.Config{Path: filepath.Join(t.TempDir(), "sb.db")}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// step returns the checklist step id of st.
func step(t *testing.T, st lab.State, id string) lab.Step {
	t.Helper()
	for _, s := range st.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no step %q in %+v", id, st.Steps)
	return lab.Step{}
}

// fact returns the value labelled label on s, or "".
func fact(s lab.Step, label string) string {
	for _, f := range s.Facts {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("SandboxWithoutKey", func(t *testing.T) {
		dir := t.TempDir()
		l := open(t, config.Config{DataDir: dir})
		st, err := l.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Ready || st.Mode != lab.ModeSandbox || st.Account != "Tollgate Sandbox" || !st.TestClocks || !st.WebhookSet || st.Webhook != "http://127.0.0.1:9/payments/event" {
			t.Fatalf("state = %+v", st)
		}
		// The checklist, step by step, with the ids a learner looks for.
		if s := step(t, st, lab.StepKey); s.Status != lab.StatusDone || fact(s, "Account") != "Tollgate Sandbox" {
			t.Errorf("key step = %+v", s)
		}
		cat := step(t, st, lab.StepCatalog)
		for _, label := range []string{"Product", "Monthly price", "Yearly price", "Feature test-access", "Feature test-access-2", "Promotion code LEARN10", "Portal configuration"} {
			if fact(cat, label) == "" {
				t.Errorf("catalog step lacks %q: %+v", label, cat)
			}
		}
		if s := step(t, st, lab.StepTunnel); s.Status != lab.StatusSkipped || !strings.Contains(s.Note, "Not needed") {
			t.Errorf("tunnel step = %+v, want skipped with why", s)
		}
		ep := step(t, st, lab.StepEndpoint)
		if ep.Status != lab.StatusDone || !strings.HasPrefix(fact(ep, "Endpoint"), "we_") || fact(ep, "API version") != stripe.APIVersion {
			t.Errorf("endpoint step = %+v", ep)
		}
		if s := step(t, st, lab.StepEvent); s.Status != lab.StatusWaiting {
			t.Errorf("event step = %+v, want waiting: nothing was received", s)
		}
		// The embedded sandbox takes only this run's random key: another
		// process of the machine cannot read its customers with a guess.
		for _, guess := range []string{lab.SandboxKey, "sk_test_anything"} {
			sc := stripe.NewClient(guess, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{URL: stripe.String(st.APIBase)})))
			var se *stripe.Error
			if _, err := sc.V1Accounts.Retrieve(ctx, nil); !errors.As(err, &se) || se.HTTPStatusCode != http.StatusUnauthorized {
				t.Errorf("the embedded sandbox with %s: %v, want 401", guess, err)
			}
		}
		b, err := l.Billing()
		if err != nil {
			t.Fatal(err)
		}
		prices, err := b.Prices(ctx)
		if err != nil || len(prices) != 2 {
			t.Fatalf("prices = %v, %v; want the demo catalog", prices, err)
		}
		first := prices[0].ID
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		// A restart finds the same sandbox account and does not duplicate its catalog or its endpoint.
		l = openAt(t, config.Config{DataDir: dir}, "http://127.0.0.1:10")
		defer l.Close()
		b, _ = l.Billing()
		if prices, _ := b.Prices(ctx); prices[0].ID != first {
			t.Errorf("after restart the monthly price is %s, want %s", prices[0].ID, first)
		}
		again := step(t, l.State(), lab.StepEndpoint)
		if fact(again, "Endpoint") != fact(ep, "Endpoint") || fact(again, "URL") != "http://127.0.0.1:10/payments/event" {
			t.Errorf("after restart on another port the endpoint is %+v, want %s updated to the new URL", again, fact(ep, "Endpoint"))
		}
	})

	t.Run("StripeUnreachableStillOpens", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}`)
		}))
		defer ts.Close()
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{SecretKey: "sk_test_bad", APIBase: ts.URL}})
		defer l.Close()
		st := l.State()
		if st.Ready || st.Mode != lab.ModeStripe || !strings.Contains(st.Error, "Invalid API Key") || !strings.HasPrefix(st.Error, "Key works: ") {
			t.Errorf("state = %+v, want not ready with the step and Stripe's reason", st)
		}
		if s := step(t, st, lab.StepKey); s.Status != lab.StatusFailed || !strings.Contains(s.Error, "Invalid API Key") {
			t.Errorf("key step = %+v, want failed with Stripe's words", s)
		}
		if _, err := l.Billing(); tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(tollgate.ErrorMessage(err), "Invalid API Key") {
			t.Errorf("Billing() = %v, want unavailable with the reason", err)
		}
		// Accounts do not need Stripe, and Premium answers from the local copy.
		u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
		if err != nil {
			t.Fatalf("register with Stripe down: %v", err)
		}
		if err := l.DB.PutCustomer(ctx, &tollgate.Customer{UserID: u.ID, StripeID: "cus_local"}); err != nil {
			t.Fatal(err)
		}
		if err := l.DB.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: "cus_local", LookupKeys: []string{tollgate.FeatureTestAccess}}); err != nil {
			t.Fatal(err)
		}
		if err := l.Gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Errorf("Premium with Stripe refusing the key: %v, want it open from the local copy", err)
		}
	})
}

// keyProxy forwards to a sandbox but answers 401 to any key containing "wrong", as Stripe does to a key it does not know.
func keyProxy(t *testing.T, sb *sandbox.Server) *httptest.Server {
	t.Helper()
	target, _ := url.Parse(sb.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "wrong") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****ong1"}}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	t.Run("SaveAndMask", func(t *testing.T) {
		// --stripe-api at a sandbox of its own stands for a real Stripe account.
		sb := startSandbox(t)
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{APIBase: sb.URL()}})
		defer l.Close()
		if st := l.State(); !st.Ready || st.Mode != lab.ModeExternalSandbox {
			t.Fatalf("no key, an API base: %+v, want the external sandbox", st)
		}
		err := l.SaveSettings(ctx, settings.Form{SecretKey: " sk_test_abcdefghijklmnop ", WebhookSecret: "whsec_abc", MonthlyPrice: "price_m", YearlyPrice: "price_y", TestClocks: true}, false)
		// The price ids name no price on this account: the catalog step says so, the key was kept.
		if err == nil || !strings.Contains(tollgate.ErrorMessage(err), "price_m") {
			t.Fatalf("err = %v, want the unknown price named", err)
		}
		st := l.State()
		if st.Mode != lab.ModeStripe || !st.TestClocks || st.Ready {
			t.Errorf("with a key and unknown price ids: %+v, want Stripe mode, not ready", st)
		}
		if s := step(t, st, lab.StepCatalog); s.Status != lab.StatusFailed || !strings.Contains(s.Error, "price_m") {
			t.Errorf("catalog step = %+v, want failed naming the price", s)
		}
		v, err := l.Settings.View(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !v.SecretKeySet || v.SecretKeyHint != "sk_test_…mnop" || v.MonthlyPrice != "price_m" || !v.TestClocks || !v.WebhookSecretSet || v.NgrokAuthtokenSet {
			t.Errorf("view = %+v", v)
		}
		// An empty secret field keeps the stored secret; without price ids the catalog is made.
		if err := l.SaveSettings(ctx, settings.Form{}, false); err != nil {
			t.Fatal(err)
		}
		if v, _ := l.Settings.View(ctx); !v.SecretKeySet {
			t.Error("saving without retyping the key lost it")
		}
		st = l.State()
		if !st.Ready || st.ListenCommand != "stripe listen --forward-to http://127.0.0.1:9/payments/event" {
			t.Errorf("key without a tunnel: %+v, want ready with the stripe listen command", st)
		}
		if s := step(t, st, lab.StepEndpoint); s.Status != lab.StatusDone || fact(s, "Forwarded to") != "http://127.0.0.1:9/payments/event" {
			t.Errorf("endpoint step with a whsec_ saved = %+v, want done: stripe listen forwards here", s)
		}
		// Clearing removes the secrets.
		if err := l.SaveSettings(ctx, settings.Form{}, true); err != nil {
			t.Fatal(err)
		}
		if st := l.State(); !st.Ready || st.Mode != lab.ModeExternalSandbox {
			t.Errorf("after clearing: %+v, want the key-less mode again", st)
		}
	})

	t.Run("ErrWrongKeyNotSaved", func(t *testing.T) {
		// A well-formed key Stripe does not know is never stored, so what worked goes on working.
		sb := startSandbox(t)
		proxy := keyProxy(t, sb)
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{APIBase: proxy.URL}})
		defer l.Close()
		if err := l.SaveSettings(ctx, settings.Form{SecretKey: "sk_test_good_key_123456"}, false); err != nil {
			t.Fatal(err)
		}
		u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		b, err := l.Billing()
		if err != nil {
			t.Fatal(err)
		}
		subscribe(t, b, u)
		if err := l.Gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Fatalf("premium after subscribing: %v", err)
		}
		err = l.SaveSettings(ctx, settings.Form{SecretKey: "sk_test_wrong_key_00001"}, false)
		if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED || !strings.Contains(tollgate.ErrorMessage(err), "not saved") || !strings.Contains(tollgate.ErrorMessage(err), "Invalid API Key") {
			t.Fatalf("err = %v, want the key refused with Stripe's words", err)
		}
		if v, _ := l.Settings.View(ctx); v.SecretKeyHint != "sk_test_…3456" {
			t.Errorf("the stored key is now %q, want the good one kept", v.SecretKeyHint)
		}
		if st := l.State(); !st.Ready {
			t.Errorf("state = %+v, want billing still ready", st)
		}
		if err := l.Gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
			t.Errorf("premium after a refused key: %v, want it still open", err)
		}
	})

	t.Run("ErrWrongField", func(t *testing.T) {
		l := open(t, config.Config{DataDir: t.TempDir()})
		defer l.Close()
		for _, tc := range []struct {
			form settings.Form
			want string
		}{
			{settings.Form{SecretKey: "sk_live_abc"}, "live"},
			{settings.Form{SecretKey: "whsec_abc"}, "webhook signing secret"},
			{settings.Form{WebhookSecret: "sk_test_abc"}, "not a webhook signing secret"},
			{settings.Form{NgrokAuthtoken: "sk_test_abc"}, "not an ngrok authtoken"},
			{settings.Form{NgrokAuthtoken: "2abc def"}, "no spaces"},
		} {
			err := l.SaveSettings(ctx, tc.form, false)
			if tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), tc.want) {
				t.Errorf("%+v: err = %v, want invalid mentioning %q", tc.form, err, tc.want)
			}
		}
		if v, _ := l.Settings.View(ctx); v.SecretKeySet || v.WebhookSecretSet || v.NgrokAuthtokenSet {
			t.Errorf("a refused value was stored: %+v", v)
		}
		if st := l.State(); !st.Ready || st.Mode != lab.ModeSandbox {
			t.Errorf("state = %+v, want the sandbox untouched", st)
		}
	})

	t.Run("EnvironmentWins", func(t *testing.T) {
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{MonthlyPrice: "price_env"}, Ngrok: config.Ngrok{Authtoken: "tok_env"}})
		defer l.Close()
		l.SaveSettings(ctx, settings.Form{MonthlyPrice: "price_saved"}, false)
		v, _ := l.Settings.View(ctx)
		if v.MonthlyPrice != "price_env" || !v.NgrokAuthtokenSet || strings.Join(v.FromEnvironment, ",") != config.EnvMonthlyPrice+","+config.EnvNgrokAuthtoken {
			t.Errorf("view = %+v, want the environment's values and them marked as such", v)
		}
	})
}

// subscribe buys the monthly plan through the hosted Checkout page, as a browser would.
func subscribe(t *testing.T, b *billing.Service, u *tollgate.User) {
	t.Helper()
	r, err := b.Checkout(context.Background(), u, billing.Monthly, false)
	if err != nil {
		t.Fatal(err)
	}
	loc := pay(t, r.URL)
	if err := (billing.Returns{Service: func() (*billing.Service, error) { return b, nil }}).CheckoutSucceeded(context.Background(), loc.Query().Get("session_id")); err != nil {
		t.Fatal(err)
	}
}

func TestSigningSecrets(t *testing.T) {
	// In sandbox mode a TEST_STRIPE_WEBHOOK_SECRET is honoured beside the
	// secret of the endpoint Tollgate made on the sandbox: either signs.
	const configured = "whsec_from_stripe_listen"
	l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{WebhookSecret: configured}})
	defer l.Close()
	srv := httptest.NewServer(l.Webhook)
	defer srv.Close()
	sb := sandboxSecret(t, l)
	post := func(id, secret string) int {
		body := []byte(fmt.Sprintf(`{"id":%q,"object":"event","type":"customer.created","api_version":%q,"created":%d,"data":{"object":{"id":"cus_x","object":"customer"}}}`, id, stripe.APIVersion, time.Now().Unix()))
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(body)))
		req.Header.Set("Stripe-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post("evt_configured", configured); got != http.StatusOK {
		t.Errorf("signed with TEST_STRIPE_WEBHOOK_SECRET: %d, want 200", got)
	}
	if got := post("evt_endpoint", sb); got != http.StatusOK {
		t.Errorf("signed with the sandbox endpoint's secret: %d, want 200", got)
	}
	if got := post("evt_other", "whsec_someone_else"); got != http.StatusBadRequest {
		t.Errorf("signed with another secret: %d, want 400", got)
	}
}

// sandboxSecret returns the signing secret of the endpoint the lab made on its
// embedded sandbox, as Stripe returned it at creation and the lab kept it.
func sandboxSecret(t *testing.T, l *lab.Lab) string {
	t.Helper()
	ep, err := l.Settings.Endpoint(context.Background())
	if err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("endpoint = %+v, %v; want one with its secret", ep, err)
	}
	return ep.Secret
}

func TestResetSandbox(t *testing.T) {
	ctx := context.Background()
	l := open(t, config.Config{DataDir: t.TempDir()})
	defer l.Close()
	u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := l.Billing()
	subscribe(t, b, u)
	if c, err := l.DB.CustomerByUser(ctx, u.ID); err != nil || c.StripeID == "" {
		t.Fatalf("no customer before the reset: %v", err)
	}
	oldPrices, _ := b.Prices(ctx)
	if err := l.ResetSandbox(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DB.CustomerByUser(ctx, u.ID); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("customer after reset: %v, want none", err)
	}
	if _, err := l.Auth.Login(ctx, "ada@example.com", "correct horse"); err != nil {
		t.Errorf("the account did not survive the reset: %v", err)
	}
	b, err = l.Billing()
	if err != nil {
		t.Fatal(err)
	}
	prices, err := b.Prices(ctx)
	if err != nil || len(prices) != 2 || prices[0].ID == oldPrices[0].ID {
		t.Errorf("prices after reset = %v, %v; want a new demo catalog", prices, err)
	}
	// A new purchase works against the fresh account.
	if _, err := b.Checkout(ctx, u, billing.Monthly, false); err != nil {
		t.Errorf("checkout after reset: %v", err)
	}
	t.Run("ErrNotSandbox", func(t *testing.T) {
		sb := startSandbox(t)
		ext := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{APIBase: sb.URL()}})
		defer ext.Close()
		if err := ext.ResetSandbox(ctx); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("reset of an external Stripe: %v, want invalid", err)
		}
	})
}

func TestAccountChangeForgetsBilling(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, config.Config{DataDir: dir})
	u, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.DB.PutCustomer(ctx, &tollgate.Customer{UserID: u.ID, StripeID: "cus_sandbox"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	// The same embedded sandbox after a restart (on another port): nothing is forgotten.
	l = open(t, config.Config{DataDir: dir})
	if _, err := l.DB.CustomerByUser(ctx, u.ID); err != nil {
		t.Fatalf("a restart forgot the customer: %v", err)
	}
	sandboxEndpoint, _ := l.Settings.Endpoint(ctx)
	l.Close()
	// Another account: the sandbox's customers and endpoint mean nothing there.
	sb := startSandbox(t)
	l = open(t, config.Config{DataDir: dir, Stripe: config.Stripe{APIBase: sb.URL()}})
	defer l.Close()
	if _, err := l.DB.CustomerByUser(ctx, u.ID); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("after switching accounts the old customer is still linked: %v", err)
	}
	if ep, _ := l.Settings.Endpoint(ctx); ep.ID == sandboxEndpoint.ID || ep.Secret == sandboxEndpoint.Secret {
		t.Errorf("after switching accounts the endpoint is %s, still the sandbox's %s", ep.ID, sandboxEndpoint.ID)
	}
	if _, err := l.Auth.Login(ctx, "ada@example.com", "correct horse"); err != nil {
		t.Errorf("the account did not survive: %v", err)
	}
}

func TestSandboxIgnoresPriceIDs(t *testing.T) {
	// Price ids saved for a real account must not break the sandbox after "Remove keys".
	l := open(t, config.Config{DataDir: t.TempDir()})
	defer l.Close()
	ctx := context.Background()
	if err := l.Settings.Save(ctx, settings.Form{MonthlyPrice: "price_real_m", YearlyPrice: "price_real_y"}, false); err != nil {
		t.Fatal(err)
	}
	if err := l.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := l.Billing()
	if err != nil {
		t.Fatal(err)
	}
	if prices, err := b.Prices(ctx); err != nil || len(prices) != 2 || prices[0].ID == "price_real_m" {
		t.Errorf("prices = %v, %v; want the sandbox's catalog", prices, err)
	}
}

func TestChaos(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		l := open(t, config.Config{DataDir: t.TempDir()})
		defer l.Close()
		got, err := l.SetChaos(ctx, lab.Chaos{DelaySeconds: 3, Duplicate: true, Reorder: true, Drop: true, RedeliverSeconds: 7, OutageSeconds: 30})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Available || got.DelaySeconds != 3 || !got.Duplicate || !got.Reorder || !got.Drop || got.RedeliverSeconds != 7 ||
			got.OutageUntil.Before(time.Now().Add(25*time.Second)) {
			t.Errorf("SetChaos() = %+v, want every switch on and an outage of 30 s", got)
		}
		if l.Chaos() != got {
			t.Errorf("Chaos() = %+v, want %+v", l.Chaos(), got)
		}
		got, err = l.SetChaos(ctx, lab.Chaos{EndOutage: true})
		if err != nil || got.Duplicate || got.DelaySeconds != 0 || !got.OutageUntil.IsZero() || got.RedeliverSeconds != 5 {
			t.Errorf("SetChaos(off) = %+v, %v; want everything off, the default redelivery", got, err)
		}
	})
	t.Run("ErrOutOfBounds", func(t *testing.T) {
		l := open(t, config.Config{DataDir: t.TempDir()})
		defer l.Close()
		for _, c := range []lab.Chaos{{DelaySeconds: 61}, {DelaySeconds: -1}, {OutageSeconds: 601}, {RedeliverSeconds: 61}} {
			if _, err := l.SetChaos(ctx, c); tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Errorf("SetChaos(%+v): %v, want invalid", c, err)
			}
		}
	})
	t.Run("ErrNotSandbox", func(t *testing.T) {
		sb := startSandbox(t)
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{SecretKey: "sk_test_learners_own_key", APIBase: sb.URL()}})
		defer l.Close()
		if c := l.Chaos(); c.Available || c.Reason == "" {
			t.Errorf("Chaos() on an account = %+v, want unavailable with a reason", c)
		}
		if _, err := l.SetChaos(ctx, lab.Chaos{Duplicate: true}); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("SetChaos on an account: %v, want invalid", err)
		}
		if sb.Chaos().Duplicate {
			t.Error("the account's Stripe was given chaos")
		}
	})
}
