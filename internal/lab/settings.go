package lab

import (
	"context"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Keys of the values the Settings screen stores.
const (
	keySecretKey      = "stripe.secret_key"
	keyWebhookSecret  = "stripe.webhook_secret"
	keyMonthlyPrice   = "stripe.monthly_price"
	keyYearlyPrice    = "stripe.yearly_price"
	keyTestClocks     = "stripe.test_clocks"
	keyEndpointID     = "webhook.endpoint_id"
	keyEndpointURL    = "webhook.url"
	keyEndpointSecret = "webhook.secret"
	keyAccount        = "stripe.account" // the account id and API base the local billing copy belongs to
)

// StripeSettings is the Settings screen's form. Secrets travel in, never out:
// the screen is shown only whether each is set and where it comes from.
type StripeSettings struct {
	SecretKey     string `json:"secretKey"`
	WebhookSecret string `json:"webhookSecret"`
	MonthlyPrice  string `json:"monthlyPrice"`
	YearlyPrice   string `json:"yearlyPrice"`
	TestClocks    bool   `json:"testClocks"`
}

// SettingsView is what the Settings screen shows.
type SettingsView struct {
	SecretKeySet     bool   `json:"secretKeySet"`
	SecretKeyHint    string `json:"secretKeyHint"` // sk_test_…last4
	WebhookSecretSet bool   `json:"webhookSecretSet"`
	MonthlyPrice     string `json:"monthlyPrice"`
	YearlyPrice      string `json:"yearlyPrice"`
	TestClocks       bool   `json:"testClocks"`
	// FromEnvironment lists the fields fixed by the environment or flags,
	// which the screen cannot change.
	FromEnvironment []string `json:"fromEnvironment"`
}

type effective struct {
	cfg        config.Stripe
	testClocks bool
	fromEnv    []string
}

// effectiveStripe merges the flags and environment (which win) with the stored settings.
func (l *Lab) effectiveStripe(ctx context.Context) (effective, error) {
	e := effective{cfg: l.opts.Config.Stripe}
	saved, err := l.DB.Settings(ctx, keySecretKey, keyWebhookSecret, keyMonthlyPrice, keyYearlyPrice, keyTestClocks)
	if err != nil {
		return e, err
	}
	for _, f := range []struct {
		dst      *string
		key, env string
	}{
		{&e.cfg.SecretKey, keySecretKey, config.EnvSecretKey},
		{&e.cfg.WebhookSecret, keyWebhookSecret, config.EnvWebhookSecret},
		{&e.cfg.MonthlyPrice, keyMonthlyPrice, config.EnvMonthlyPrice},
		{&e.cfg.YearlyPrice, keyYearlyPrice, config.EnvYearlyPrice},
	} {
		if *f.dst != "" {
			e.fromEnv = append(e.fromEnv, f.env)
		} else {
			*f.dst = saved[f.key]
		}
	}
	e.testClocks = saved[keyTestClocks] == "on"
	return e, e.cfg.Check()
}

// Settings returns the Settings screen's view of the Stripe configuration.
func (l *Lab) Settings(ctx context.Context) (SettingsView, error) {
	e, err := l.effectiveStripe(ctx)
	if err != nil && tollgate.ErrorCode(err) != tollgate.EINVALID {
		return SettingsView{}, err
	}
	v := SettingsView{
		SecretKeySet:     e.cfg.SecretKey != "",
		WebhookSecretSet: e.cfg.WebhookSecret != "",
		MonthlyPrice:     e.cfg.MonthlyPrice,
		YearlyPrice:      e.cfg.YearlyPrice,
		TestClocks:       e.testClocks,
		FromEnvironment:  append([]string{}, e.fromEnv...),
	}
	if k := e.cfg.SecretKey; len(k) > 12 {
		v.SecretKeyHint = k[:8] + "…" + k[len(k)-4:]
	}
	return v, nil
}

// SaveSettings validates and stores the form, then sets billing up again with
// it, so a learner sees at once whether the key works. Empty secret fields keep
// the stored secret (the form never shows it); ClearSecrets empties them.
func (l *Lab) SaveSettings(ctx context.Context, s StripeSettings, clearSecrets bool) error {
	s.SecretKey, s.WebhookSecret = strings.TrimSpace(s.SecretKey), strings.TrimSpace(s.WebhookSecret)
	s.MonthlyPrice, s.YearlyPrice = strings.TrimSpace(s.MonthlyPrice), strings.TrimSpace(s.YearlyPrice)
	check := config.Stripe{SecretKey: s.SecretKey, WebhookSecret: s.WebhookSecret, MonthlyPrice: s.MonthlyPrice, YearlyPrice: s.YearlyPrice}
	if err := check.Check(); err != nil {
		return err
	}
	values := map[string]string{keyMonthlyPrice: s.MonthlyPrice, keyYearlyPrice: s.YearlyPrice, keyTestClocks: map[bool]string{true: "on"}[s.TestClocks]}
	if s.SecretKey != "" || clearSecrets {
		values[keySecretKey] = s.SecretKey
	}
	if s.WebhookSecret != "" || clearSecrets {
		values[keyWebhookSecret] = s.WebhookSecret
	}
	if err := l.DB.SetSettings(ctx, values); err != nil {
		return fmt.Errorf("lab: save settings: %w", err)
	}
	return l.Setup(ctx)
}

func (l *Lab) knownEndpoint(ctx context.Context) (billing.Endpoint, error) {
	v, err := l.DB.Settings(ctx, keyEndpointID, keyEndpointURL, keyEndpointSecret)
	return billing.Endpoint{ID: v[keyEndpointID], URL: v[keyEndpointURL], Secret: v[keyEndpointSecret]}, err
}

func (l *Lab) saveEndpoint(ctx context.Context, ep billing.Endpoint) error {
	if err := l.DB.SetSettings(ctx, map[string]string{keyEndpointID: ep.ID, keyEndpointURL: ep.URL, keyEndpointSecret: ep.Secret}); err != nil {
		return fmt.Errorf("lab: save webhook endpoint: %w", err)
	}
	return nil
}
