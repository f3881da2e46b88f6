package settings_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/settings"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func open(t *testing.T, cfg config.Config) (*settings.Settings, *store.DB) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return settings.New(db, cfg), db
}

func TestEffective(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t, config.Config{Stripe: config.Stripe{YearlyPrice: "price_env_y", APIBase: "http://127.0.0.1:1"}, Ngrok: config.Ngrok{ServerAddr: "127.0.0.1:2"}})
	f, err := settings.Form{SecretKey: " sk_test_saved ", NgrokAuthtoken: "2saved", MonthlyPrice: "price_m", YearlyPrice: "price_saved_y", TestClocks: true}.Clean()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, f, false); err != nil {
		t.Fatal(err)
	}
	e, err := s.Effective(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Stripe{SecretKey: "sk_test_saved", MonthlyPrice: "price_m", YearlyPrice: "price_env_y", APIBase: "http://127.0.0.1:1"}
	if e.Stripe != want || e.Ngrok != (config.Ngrok{Authtoken: "2saved", ServerAddr: "127.0.0.1:2"}) || !e.TestClocks {
		t.Errorf("effective = %+v, want the environment's yearly price over the saved one and the rest saved", e)
	}
	if !slices.Equal(e.FromEnvironment, []string{config.EnvYearlyPrice}) {
		t.Errorf("from environment = %v", e.FromEnvironment)
	}
	// Empty secret fields keep the stored secrets; clearing removes them all.
	if err := s.Save(ctx, settings.Form{}, false); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.View(ctx); !v.SecretKeySet || !v.NgrokAuthtokenSet || v.MonthlyPrice != "" {
		t.Errorf("after saving an empty form: %+v, want the secrets kept and the price cleared", v)
	}
	if err := s.Save(ctx, settings.Form{}, true); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.View(ctx); v.SecretKeySet || v.NgrokAuthtokenSet || v.WebhookSecretSet {
		t.Errorf("after clearing: %+v, want no secret", v)
	}
}

func TestClean(t *testing.T) {
	for _, f := range []settings.Form{
		{SecretKey: "whsec_1"}, {WebhookSecret: "sk_test_1"}, {NgrokAuthtoken: "whsec_1"}, {MonthlyPrice: "prod_1"},
	} {
		if _, err := f.Clean(); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("Clean(%+v) = %v, want invalid", f, err)
		}
	}
}

func TestRemembered(t *testing.T) {
	ctx := context.Background()
	s, db := open(t, config.Config{})
	id, err := s.InstallID(ctx)
	if err != nil || len(id) != 16 {
		t.Fatalf("install id = %q, %v", id, err)
	}
	if again, _ := settings.New(db, config.Config{}).InstallID(ctx); again != id {
		t.Errorf("install id changed from %s to %s", id, again)
	}
	ep := tollgate.WebhookEndpoint{ID: "we_1", URL: "https://x.example/payments/event", APIVersion: "2025-08-27.basil", Secret: "whsec_1"}
	if err := s.SaveEndpoint(ctx, ep); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Endpoint(ctx); got != ep {
		t.Errorf("endpoint = %+v, want %+v", got, ep)
	}
	if err := s.SetAccount(ctx, "acct_1@embedded"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx); got != "acct_1@embedded" {
		t.Errorf("account = %q", got)
	}
}
