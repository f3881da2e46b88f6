// Package settings keeps what the Settings screen saves (the Stripe key, the
// webhook secret, the ngrok authtoken, price ids) and merges it with the flags
// and environment, which win; and the facts Tollgate learns about the Stripe
// account: which account the local copy describes, and the endpoint it made.
package settings

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Keys of the stored values.
const (
	keySecretKey      = "stripe.secret_key"
	keyWebhookSecret  = "stripe.webhook_secret"
	keyMonthlyPrice   = "stripe.monthly_price"
	keyYearlyPrice    = "stripe.yearly_price"
	keyTestClocks     = "stripe.test_clocks"
	keyNgrokAuthtoken = "ngrok.authtoken"
	keyAccount        = "stripe.account" // the account the local billing copy belongs to
	keyInstall        = "tollgate.install"
	keyEndpointID     = "webhook.endpoint_id"
	keyEndpointURL    = "webhook.url"
	keyEndpointSecret = "webhook.secret"
	keyEndpointAPI    = "webhook.api_version"
)

// Store keeps small named values; store.DB is one.
type Store interface {
	// Settings reads keys in one transaction; a key with no value maps to "".
	Settings(ctx context.Context, keys ...string) (map[string]string, error)
	// SetSettings writes values in one transaction; "" removes a key.
	SetSettings(ctx context.Context, values map[string]string) error
}

// Settings reads and writes Tollgate's settings.
type Settings struct {
	store Store
	env   config.Config // the flags and environment, which the screen cannot override
}

// New returns the settings kept in store, under the flags and environment of cfg.
func New(store Store, cfg config.Config) *Settings {
	return &Settings{store: store, env: cfg}
}

// Form is the Settings screen's form. Secrets travel in, never out: the
// screen is shown only whether each is set and where it comes from.
type Form struct {
	SecretKey      string `json:"secretKey"`
	WebhookSecret  string `json:"webhookSecret"`
	NgrokAuthtoken string `json:"ngrokAuthtoken"`
	MonthlyPrice   string `json:"monthlyPrice"`
	YearlyPrice    string `json:"yearlyPrice"`
	TestClocks     bool   `json:"testClocks"`
}

// Clean trims the form and checks each value that is set, with a message
// that names the field, so a secret pasted into the wrong one is caught.
func (f Form) Clean() (Form, error) {
	for _, v := range []*string{&f.SecretKey, &f.WebhookSecret, &f.NgrokAuthtoken, &f.MonthlyPrice, &f.YearlyPrice} {
		*v = strings.TrimSpace(*v)
	}
	check := config.Stripe{SecretKey: f.SecretKey, WebhookSecret: f.WebhookSecret, MonthlyPrice: f.MonthlyPrice, YearlyPrice: f.YearlyPrice}
	if err := check.Check(); err != nil {
		return f, err
	}
	if f.NgrokAuthtoken != "" {
		if err := tollgate.CheckNgrokAuthtoken(f.NgrokAuthtoken); err != nil {
			return f, err
		}
	}
	return f, nil
}

// View is what the Settings screen shows of the form.
type View struct {
	SecretKeySet      bool   `json:"secretKeySet"`
	SecretKeyHint     string `json:"secretKeyHint"` // sk_test_…last4
	WebhookSecretSet  bool   `json:"webhookSecretSet"`
	NgrokAuthtokenSet bool   `json:"ngrokAuthtokenSet"`
	MonthlyPrice      string `json:"monthlyPrice"`
	YearlyPrice       string `json:"yearlyPrice"`
	TestClocks        bool   `json:"testClocks"`
	// FromEnvironment lists the variables that fix a field, which the screen cannot change.
	FromEnvironment []string `json:"fromEnvironment"`
}

// Effective is the configuration in force: flags and environment first, then
// what the Settings screen saved.
type Effective struct {
	Stripe          config.Stripe
	Ngrok           config.Ngrok
	TestClocks      bool
	FromEnvironment []string
}

// Effective merges the flags and environment with the stored settings.
func (s *Settings) Effective(ctx context.Context) (Effective, error) {
	e := Effective{Stripe: s.env.Stripe, Ngrok: s.env.Ngrok, FromEnvironment: []string{}}
	saved, err := s.store.Settings(ctx, keySecretKey, keyWebhookSecret, keyMonthlyPrice, keyYearlyPrice, keyTestClocks, keyNgrokAuthtoken)
	if err != nil {
		return e, fmt.Errorf("settings: %w", err)
	}
	for _, f := range []struct {
		dst      *string
		key, env string
	}{
		{&e.Stripe.SecretKey, keySecretKey, config.EnvSecretKey},
		{&e.Stripe.WebhookSecret, keyWebhookSecret, config.EnvWebhookSecret},
		{&e.Stripe.MonthlyPrice, keyMonthlyPrice, config.EnvMonthlyPrice},
		{&e.Stripe.YearlyPrice, keyYearlyPrice, config.EnvYearlyPrice},
		{&e.Ngrok.Authtoken, keyNgrokAuthtoken, config.EnvNgrokAuthtoken},
	} {
		if *f.dst != "" {
			e.FromEnvironment = append(e.FromEnvironment, f.env)
		} else {
			*f.dst = saved[f.key]
		}
	}
	e.TestClocks = saved[keyTestClocks] == "on"
	return e, e.Stripe.Check()
}

// View returns the Settings screen's view of the form. A stored value that no
// longer passes the checks is still shown, so the learner can replace it.
func (s *Settings) View(ctx context.Context) (View, error) {
	e, err := s.Effective(ctx)
	if err != nil && tollgate.ErrorCode(err) != tollgate.EINVALID {
		return View{}, err
	}
	v := View{
		SecretKeySet:      e.Stripe.SecretKey != "",
		WebhookSecretSet:  e.Stripe.WebhookSecret != "",
		NgrokAuthtokenSet: e.Ngrok.Authtoken != "",
		MonthlyPrice:      e.Stripe.MonthlyPrice,
		YearlyPrice:       e.Stripe.YearlyPrice,
		TestClocks:        e.TestClocks,
		FromEnvironment:   e.FromEnvironment,
	}
	if k := e.Stripe.SecretKey; len(k) > 12 {
		v.SecretKeyHint = k[:8] + "…" + k[len(k)-4:]
	}
	return v, nil
}

// Save stores a cleaned form in one transaction. An empty secret field keeps
// the stored secret (the form never shows it); clearSecrets empties them all.
func (s *Settings) Save(ctx context.Context, f Form, clearSecrets bool) error {
	values := map[string]string{keyMonthlyPrice: f.MonthlyPrice, keyYearlyPrice: f.YearlyPrice, keyTestClocks: map[bool]string{true: "on"}[f.TestClocks]}
	for key, v := range map[string]string{keySecretKey: f.SecretKey, keyWebhookSecret: f.WebhookSecret, keyNgrokAuthtoken: f.NgrokAuthtoken} {
		if v != "" || clearSecrets {
			values[key] = v
		}
	}
	if err := s.store.SetSettings(ctx, values); err != nil {
		return fmt.Errorf("settings: save: %w", err)
	}
	return nil
}

// Account returns which Stripe account the local billing copy describes.
func (s *Settings) Account(ctx context.Context) (string, error) {
	v, err := s.store.Settings(ctx, keyAccount)
	if err != nil {
		return "", fmt.Errorf("settings: account: %w", err)
	}
	return v[keyAccount], nil
}

// SetAccount records which Stripe account the local billing copy describes.
func (s *Settings) SetAccount(ctx context.Context, account string) error {
	if err := s.store.SetSettings(ctx, map[string]string{keyAccount: account}); err != nil {
		return fmt.Errorf("settings: set account: %w", err)
	}
	return nil
}

// InstallID names this Tollgate (this data folder) on a Stripe account, so
// that it finds the webhook endpoint it made and no other Tollgate's. It is
// made at first use and kept.
func (s *Settings) InstallID(ctx context.Context) (string, error) {
	v, err := s.store.Settings(ctx, keyInstall)
	if err != nil {
		return "", fmt.Errorf("settings: install id: %w", err)
	}
	if id := v[keyInstall]; id != "" {
		return id, nil
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails on supported platforms
	id := hex.EncodeToString(b)
	if err := s.store.SetSettings(ctx, map[string]string{keyInstall: id}); err != nil {
		return "", fmt.Errorf("settings: install id: %w", err)
	}
	return id, nil
}

// Endpoint returns the webhook endpoint Tollgate made last, with its secret;
// zero when it made none.
func (s *Settings) Endpoint(ctx context.Context) (tollgate.WebhookEndpoint, error) {
	v, err := s.store.Settings(ctx, keyEndpointID, keyEndpointURL, keyEndpointSecret, keyEndpointAPI)
	if err != nil {
		return tollgate.WebhookEndpoint{}, fmt.Errorf("settings: webhook endpoint: %w", err)
	}
	return tollgate.WebhookEndpoint{ID: v[keyEndpointID], URL: v[keyEndpointURL], Secret: v[keyEndpointSecret], APIVersion: v[keyEndpointAPI]}, nil
}

// SaveEndpoint keeps the endpoint Tollgate made, with its secret.
func (s *Settings) SaveEndpoint(ctx context.Context, ep tollgate.WebhookEndpoint) error {
	err := s.store.SetSettings(ctx, map[string]string{keyEndpointID: ep.ID, keyEndpointURL: ep.URL, keyEndpointSecret: ep.Secret, keyEndpointAPI: ep.APIVersion})
	if err != nil {
		return fmt.Errorf("settings: save webhook endpoint: %w", err)
	}
	return nil
}
