package tollgate

import (
	"context"
	"time"
)

// Entitlement lookup keys the app knows; test-access gates the Premium screen.
const (
	FeatureTestAccess  = "test-access"
	FeatureTestAccess2 = "test-access-2"
)

// Customer links a local user to the Stripe customer that pays.
type Customer struct {
	UserID    uint64    `json:"userId"`
	StripeID  string    `json:"stripeId"`
	TestClock string    `json:"testClock,omitempty"` // the Stripe test clock the customer lives on, if any
	CreatedAt time.Time `json:"createdAt"`
}

// Subscription statuses that grant entitlements, as Stripe runs them.
const (
	StatusTrialing = "trialing"
	StatusActive   = "active"
	StatusPastDue  = "past_due"
	StatusCanceled = "canceled"
)

// Subscription is the local record of a Stripe subscription, re-read from the
// API on every event so that event order never matters.
type Subscription struct {
	StripeID          string    `json:"stripeId"`
	CustomerID        string    `json:"customerId"`
	UserID            uint64    `json:"userId"`
	Status            string    `json:"status"`
	ProductID         string    `json:"productId"`
	PriceID           string    `json:"priceId"`
	Interval          string    `json:"interval"` // month or year
	CancelAtPeriodEnd bool      `json:"cancelAtPeriodEnd"`
	CurrentPeriodEnd  time.Time `json:"currentPeriodEnd,omitzero"`
	TrialEnd          time.Time `json:"trialEnd,omitzero"`
	EndedAt           time.Time `json:"endedAt,omitzero"`
	Created           time.Time `json:"created"`
	// The latest invoice, so a failed payment can be shown with its next retry.
	LatestInvoiceID     string    `json:"latestInvoiceId"`
	LatestInvoiceStatus string    `json:"latestInvoiceStatus"`
	NextPaymentAttempt  time.Time `json:"nextPaymentAttempt,omitzero"`
	// LatestInvoice is that invoice's money, as the Plans screen shows it;
	// its ID is empty until a sync has read it.
	LatestInvoice Invoice `json:"latestInvoice"`
	// Card is the card the subscription is charged to ("Visa •••• 4242"),
	// CardID its payment method.
	Card   string `json:"card"`
	CardID string `json:"cardId"`
	// FailedCardID is the card on file when Tollgate first saw the latest
	// invoice's payment fail, and CardUpdated says the card on file is
	// another one since: the next attempt will charge the new card.
	FailedCardID string    `json:"failedCardId"`
	CardUpdated  bool      `json:"cardUpdated"`
	SyncedAt     time.Time `json:"syncedAt"`
}

// Invoice is a Stripe invoice as the Plans screen shows it: what it asked
// for, what was taken off, what was paid, and where its page is.
type Invoice struct {
	ID              string            `json:"id"`
	Number          string            `json:"number"`
	Status          string            `json:"status"`        // draft, open, paid, uncollectible or void
	BillingReason   string            `json:"billingReason"` // subscription_create, subscription_cycle, subscription_update, …
	Currency        string            `json:"currency"`
	Subtotal        int64             `json:"subtotal"` // amounts in the currency's smallest unit
	Total           int64             `json:"total"`
	AmountDue       int64             `json:"amountDue"`
	AmountPaid      int64             `json:"amountPaid"`
	AmountRemaining int64             `json:"amountRemaining"`
	Discounts       []InvoiceDiscount `json:"discounts"`
	Lines           []InvoiceLine     `json:"lines"`
	HostedURL       string            `json:"hostedUrl"` // the hosted invoice page; empty for a draft
	Created         time.Time         `json:"created,omitzero"`
}

// InvoiceDiscount is one discount on an invoice: the promotion code (or
// coupon) a customer knows it by, and the amount it took off.
type InvoiceDiscount struct {
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

// InvoiceLine is one line of an invoice; a proration is a plan change's
// credit for unused time or charge for the time left.
type InvoiceLine struct {
	Description string `json:"description"`
	Amount      int64  `json:"amount"`
	Proration   bool   `json:"proration"`
}

// Live reports whether the subscription still runs (and so whether buying again would double-charge).
func (s *Subscription) Live() bool {
	switch s.Status {
	case StatusTrialing, StatusActive, StatusPastDue, "unpaid", "incomplete", "paused":
		return true
	}
	return false
}

// Entitlements is a customer's active entitlements, as Stripe last reported them.
type Entitlements struct {
	CustomerID string    `json:"customerId"`
	LookupKeys []string  `json:"lookupKeys"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// Why keeps, per lookup key, how it last came or went, for the Access
	// and Premium screens to say.
	Why map[string]EntitlementChange `json:"why,omitempty"`
}

// EntitlementChange is how an entitlement last came or went.
type EntitlementChange struct {
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
	// Source is what made Tollgate re-read Stripe: "the invoice.paid event evt_…", "the Checkout success page".
	Source string `json:"source"`
	// Subscription is the subscription whose change brought it, and Status that subscription's status then.
	Subscription string `json:"subscription"`
	Status       string `json:"status"`
}

// Has reports whether key is among the entitlements.
func (e *Entitlements) Has(key string) bool {
	for _, k := range e.LookupKeys {
		if k == key {
			return true
		}
	}
	return false
}

// BillingStore keeps the local copy of customers, subscriptions and entitlements.
type BillingStore interface {
	PutCustomer(ctx context.Context, c *Customer) error // a user has at most one customer; a second is a Conflict
	CustomerByUser(ctx context.Context, userID uint64) (*Customer, error)
	CustomerByStripeID(ctx context.Context, stripeID string) (*Customer, error)
	CustomerIDs(ctx context.Context) ([]string, error) // the Stripe ids of every customer
	PutSubscription(ctx context.Context, s *Subscription) error
	SubscriptionsByUser(ctx context.Context, userID uint64) ([]*Subscription, error)
	PutEntitlements(ctx context.Context, e *Entitlements) error
	EntitlementsByCustomer(ctx context.Context, customerID string) (*Entitlements, error) // empty, not an error, when none
}

// WebhookEndpoint is a webhook endpoint Tollgate made on the Stripe account.
// Stripe returns the signing secret only when the endpoint is created, so it
// is kept here from then on.
type WebhookEndpoint struct {
	ID         string `json:"id"`
	URL        string `json:"url"`
	APIVersion string `json:"apiVersion"`
	Status     string `json:"status"` // enabled or disabled
	Secret     string `json:"-"`
}
