package lab_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func open(t *testing.T, cfg config.Config) *lab.Lab {
	t.Helper()
	// Port 9 (discard) has no listener here: the sandbox's deliveries to it fail and are retried, harmlessly.
	l, err := lab.Open(context.Background(), lab.Options{Config: cfg, BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("SandboxWithoutKey", func(t *testing.T) {
		dir := t.TempDir()
		l := open(t, config.Config{DataDir: dir})
		st := l.State()
		if !st.Ready || st.Mode != lab.ModeSandbox || st.Account != "Tollgate Sandbox" || !st.TestClocks || !st.WebhookSet || st.Webhook != "http://127.0.0.1:9/payments/event" {
			t.Fatalf("state = %+v", st)
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
		// A restart finds the same sandbox account and does not duplicate its catalog.
		l = open(t, config.Config{DataDir: dir})
		defer l.Close()
		b, _ = l.Billing()
		if prices, _ := b.Prices(ctx); prices[0].ID != first {
			t.Errorf("after restart the monthly price is %s, want %s", prices[0].ID, first)
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
		if st.Ready || st.Mode != lab.ModeStripe || !strings.Contains(st.Error, "Invalid API Key") {
			t.Errorf("state = %+v, want not ready with Stripe's reason", st)
		}
		if _, err := l.Billing(); tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(tollgate.ErrorMessage(err), "Invalid API Key") {
			t.Errorf("Billing() = %v, want unavailable with the reason", err)
		}
		// Accounts do not need Stripe.
		if _, err := l.Auth.Register(ctx, "ada@example.com", "Ada", "correct horse"); err != nil {
			t.Errorf("register with Stripe down: %v", err)
		}
	})
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	t.Run("SaveAndMask", func(t *testing.T) {
		// --stripe-api at a sandbox of its own stands for a real Stripe account.
		sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(t.TempDir(), "sb.db")}, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{APIBase: sb.URL()}})
		defer l.Close()
		if st := l.State(); !st.Ready || st.Mode != lab.ModeExternalSandbox {
			t.Fatalf("no key, an API base: %+v, want the external sandbox", st)
		}
		err = l.SaveSettings(ctx, lab.StripeSettings{SecretKey: " sk_test_abcdefghijklmnop ", WebhookSecret: "whsec_abc", MonthlyPrice: "price_m", YearlyPrice: "price_y", TestClocks: true}, false)
		if err != nil {
			t.Fatal(err)
		}
		if st := l.State(); !st.Ready || st.Mode != lab.ModeStripe || !st.WebhookSet || !st.TestClocks {
			t.Errorf("with a key: %+v, want Stripe mode using the saved webhook secret", st)
		}
		v, err := l.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !v.SecretKeySet || v.SecretKeyHint != "sk_test_…mnop" || v.MonthlyPrice != "price_m" || !v.TestClocks || !v.WebhookSecretSet {
			t.Errorf("view = %+v", v)
		}
		// An empty secret field keeps the stored secret; clearing removes it.
		l.SaveSettings(ctx, lab.StripeSettings{MonthlyPrice: "price_m", YearlyPrice: "price_y"}, false)
		if v, _ := l.Settings(ctx); !v.SecretKeySet {
			t.Error("saving without retyping the key lost it")
		}
		if err := l.SaveSettings(ctx, lab.StripeSettings{}, true); err != nil {
			t.Fatal(err)
		}
		if st := l.State(); !st.Ready || st.Mode != lab.ModeExternalSandbox {
			t.Errorf("after clearing: %+v, want the key-less mode again", st)
		}
	})

	t.Run("ErrLiveKeyNothingSaved", func(t *testing.T) {
		l := open(t, config.Config{DataDir: t.TempDir()})
		defer l.Close()
		err := l.SaveSettings(ctx, lab.StripeSettings{SecretKey: "sk_live_abc"}, false)
		if tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), "live") {
			t.Fatalf("err = %v, want the live key refused", err)
		}
		if v, _ := l.Settings(ctx); v.SecretKeySet {
			t.Error("the refused key was stored")
		}
		if st := l.State(); !st.Ready || st.Mode != lab.ModeSandbox {
			t.Errorf("state = %+v, want the sandbox untouched", st)
		}
	})

	t.Run("EnvironmentWins", func(t *testing.T) {
		l := open(t, config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{MonthlyPrice: "price_env"}})
		defer l.Close()
		l.SaveSettings(ctx, lab.StripeSettings{MonthlyPrice: "price_saved"}, false)
		v, _ := l.Settings(ctx)
		if v.MonthlyPrice != "price_env" || len(v.FromEnvironment) != 1 || v.FromEnvironment[0] != config.EnvMonthlyPrice {
			t.Errorf("view = %+v, want the environment's price and it marked as such", v)
		}
	})
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
	r, err := b.Checkout(ctx, u, billing.Monthly, true)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(r.URL, url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
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
		sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(t.TempDir(), "sb.db")}, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
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
	l.Close()

	// Another account: the sandbox's customers mean nothing there.
	sb, err := sandbox.Start(ctx, sandbox.Config{Path: filepath.Join(t.TempDir(), "other.db")}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	l = open(t, config.Config{DataDir: dir, Stripe: config.Stripe{APIBase: sb.URL()}})
	defer l.Close()
	if _, err := l.DB.CustomerByUser(ctx, u.ID); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("after switching accounts the old customer is still linked: %v", err)
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
	if err := l.DB.SetSettings(ctx, map[string]string{"stripe.monthly_price": "price_real_m", "stripe.yearly_price": "price_real_y"}); err != nil {
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
