// Package billing is Tollgate's Stripe adapter: it creates the demo catalog,
// opens Checkout and the Billing Portal, and keeps the local copy of each
// customer's subscriptions and entitlements in step with the Stripe API.
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Plan names the two prices the app sells.
type Plan string

const (
	Monthly Plan = "monthly"
	Yearly  Plan = "yearly"
)

// Config says which Stripe to talk to and how.
type Config struct {
	SecretKey string // sk_test_... or rk_test_...; live keys are refused
	APIBase   string // "" for api.stripe.com; the sandbox's or stripe-mock's URL otherwise
	// Price ids from TEST_MONTHLY_PRICE_ID / TEST_YEARLY_PRICE_ID; when empty the
	// prices are found by their lookup keys (tollgate_monthly, tollgate_yearly).
	MonthlyPrice, YearlyPrice string
	priceIDs                  map[Plan]string
	// TestClocks puts each new customer on a test clock of its own, so that
	// renewals and trial ends can be reached by moving time forward.
	TestClocks bool
	// ReturnBase is the app's own HTTP server (http://127.0.0.1:port), where
	// Checkout and the Portal send the browser back.
	ReturnBase string
	// Install names this Tollgate on the account (its data folder's id). The
	// customers it makes carry it, so that a customer whose creation's answer
	// was lost is found again rather than made twice, and another Tollgate's
	// customer of the same user number never is. Empty: no such search.
	Install    string
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Service is the billing side of Tollgate.
type Service struct {
	sc         *stripe.Client
	cfg        Config
	store      tollgate.BillingStore
	log        *slog.Logger
	customerMu sync.Mutex // serialises customer creation, so a double click makes one customer
	syncMu     sync.Mutex // serialises Sync
	catalogMu  sync.Mutex // guards what is kept of the catalog: it never changes under a running service
	priceInfo  []Price
	portalCfg  string // Tollgate's portal configuration, once found or made

	// OnChange, when set, is called after a user's billing state was re-read
	// from Stripe, so the UI can refresh.
	OnChange func(userID uint64)
}

// Install is the id of this Tollgate on the account (Config.Install).
func (s *Service) Install() string { return s.cfg.Install }

// New builds the service. It makes no network call.
func New(cfg Config, store tollgate.BillingStore) (*Service, error) {
	if err := tollgate.CheckStripeKey(cfg.SecretKey); err != nil {
		return nil, err
	}
	cfg.priceIDs = map[Plan]string{Monthly: cfg.MonthlyPrice, Yearly: cfg.YearlyPrice}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	client := &http.Client{Timeout: 80 * time.Second} // stripe-go's own default
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		client = &c
	}
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = retrying{next: next}
	bc := &stripe.BackendConfig{HTTPClient: client, LeveledLogger: quietLogger{}, MaxNetworkRetries: stripe.Int64(2)}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	return &Service{
		sc:    stripe.NewClient(cfg.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))),
		cfg:   cfg,
		store: store,
		log:   cfg.Logger,
	}, nil
}

// quietLogger keeps stripe-go from printing every request error to stderr:
// the service wraps and logs them once, at the edge.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}

// Account says which Stripe account the key reaches.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Account retrieves the account behind the key: the cheapest proof that the key works.
func (s *Service) Account(ctx context.Context) (Account, error) {
	a, err := s.sc.V1Accounts.Retrieve(ctx, nil)
	if err != nil {
		return Account{}, stripeError("retrieve account", err)
	}
	name := a.ID
	if a.Settings != nil && a.Settings.Dashboard != nil && a.Settings.Dashboard.DisplayName != "" {
		name = a.Settings.Dashboard.DisplayName
	} else if a.BusinessProfile != nil && a.BusinessProfile.Name != "" {
		name = a.BusinessProfile.Name
	}
	return Account{ID: a.ID, Name: name}, nil
}

// stripeError turns a Stripe failure into an error the user can read, keeping
// the original for the log. Stripe's own messages are written for developers
// and are what a learner should see.
func stripeError(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("billing: %s: %w", op, errors.Join(tollgate.Errorf(tollgate.EUNAVAILABLE, "Stripe could not be reached (%s). Check your network, or leave the key empty to use the offline sandbox.", op), err))
	}
	code := tollgate.EINVALID
	switch {
	case se.HTTPStatusCode == http.StatusUnauthorized:
		code = tollgate.EUNAUTHORIZED
	case se.HTTPStatusCode == http.StatusNotFound:
		code = tollgate.ENOTFOUND
	case se.HTTPStatusCode >= 500, se.HTTPStatusCode == http.StatusTooManyRequests:
		// stripe-go has already tried again, with the same idempotency key, so
		// nothing was done twice; what the learner needs is when to try again.
		return fmt.Errorf("billing: %s: %w", op, errors.Join(tollgate.Errorf(tollgate.EUNAVAILABLE,
			"Stripe is having trouble just now (it answered %d to %s, also when Tollgate tried again). Nothing was done twice: every try of a change carries the same idempotency key. Try again in a minute; the Stripe calls view shows each try.",
			se.HTTPStatusCode, op), err))
	}
	return fmt.Errorf("billing: %s: %w", op, errors.Join(tollgate.Errorf(code, "Stripe says: %s", se.Msg), err))
}

func unix(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(t, 0).UTC()
}
