package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

var _ tollgate.BillingStore = (*DB)(nil)

// customerRecord is stored under the user id in customers, with an index from
// the Stripe id, because webhooks name the customer and screens name the user.
type customerRecord struct {
	UserID    uint64    `json:"user_id"`
	StripeID  string    `json:"stripe_id"`
	TestClock string    `json:"test_clock,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// PutCustomer links a user to a Stripe customer. Relinking the same pair is a
// no-op; a user who already has another customer, or a customer already linked
// to another user, is a Conflict: one customer per user is what stops a second
// purchase from creating a duplicate.
func (db *DB) PutCustomer(ctx context.Context, c *tollgate.Customer) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		customers, byStripe := tx.Bucket(bucketCustomers), tx.Bucket(bucketCustomersByStripeID)
		if raw := customers.Get(itob(c.UserID)); raw != nil {
			var old customerRecord
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("decode customer: %w", err)
			}
			if old.StripeID != c.StripeID {
				return tollgate.Errorf(tollgate.ECONFLICT, "You already have Stripe customer %s.", old.StripeID)
			}
			// The same link again: keep what was recorded first (its test clock, its date).
			c.TestClock, c.CreatedAt = old.TestClock, old.CreatedAt
			return nil
		}
		if raw := byStripe.Get([]byte(c.StripeID)); raw != nil && binary.BigEndian.Uint64(raw) != c.UserID {
			return tollgate.Errorf(tollgate.ECONFLICT, "Stripe customer %s belongs to another user.", c.StripeID)
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = db.Now().UTC()
		}
		raw, err := json.Marshal(customerRecord{UserID: c.UserID, StripeID: c.StripeID, TestClock: c.TestClock, CreatedAt: c.CreatedAt})
		if err != nil {
			return err
		}
		if err := customers.Put(itob(c.UserID), raw); err != nil {
			return err
		}
		return byStripe.Put([]byte(c.StripeID), itob(c.UserID))
	})
	if err != nil {
		return fmt.Errorf("store: put customer: %w", err)
	}
	return nil
}

// CustomerByUser returns the user's customer or a NotFound error.
func (db *DB) CustomerByUser(ctx context.Context, userID uint64) (*tollgate.Customer, error) {
	var c *tollgate.Customer
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		c, err = getCustomer(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: customer of user %d: %w", userID, err)
	}
	return c, nil
}

// CustomerByStripeID returns the customer with the Stripe id or a NotFound error.
func (db *DB) CustomerByStripeID(ctx context.Context, stripeID string) (*tollgate.Customer, error) {
	var c *tollgate.Customer
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		raw := tx.Bucket(bucketCustomersByStripeID).Get([]byte(stripeID))
		if raw == nil {
			return tollgate.Errorf(tollgate.ENOTFOUND, "Tollgate knows no Stripe customer %s.", stripeID)
		}
		c, err = getCustomer(tx, binary.BigEndian.Uint64(raw))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: customer %s: %w", stripeID, err)
	}
	return c, nil
}

// CustomerIDs returns the Stripe ids of every customer Tollgate made.
func (db *DB) CustomerIDs(ctx context.Context) ([]string, error) {
	ids := []string{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCustomersByStripeID).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k)) // string() copies out of the mmap
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: customer ids: %w", err)
	}
	return ids, nil
}

func getCustomer(tx *bolt.Tx, userID uint64) (*tollgate.Customer, error) {
	raw := tx.Bucket(bucketCustomers).Get(itob(userID))
	if raw == nil {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "You have no Stripe customer yet.")
	}
	var r customerRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("decode customer: %w", err)
	}
	return &tollgate.Customer{UserID: r.UserID, StripeID: r.StripeID, TestClock: r.TestClock, CreatedAt: r.CreatedAt}, nil
}

// subscriptionRecord is keyed by Stripe subscription id.
type subscriptionRecord struct {
	StripeID            string    `json:"stripe_id"`
	CustomerID          string    `json:"customer_id"`
	UserID              uint64    `json:"user_id"`
	Status              string    `json:"status"`
	ProductID           string    `json:"product_id"`
	PriceID             string    `json:"price_id"`
	Interval            string    `json:"interval"`
	CancelAtPeriodEnd   bool      `json:"cancel_at_period_end"`
	CurrentPeriodEnd    time.Time `json:"current_period_end"`
	TrialEnd            time.Time `json:"trial_end"`
	EndedAt             time.Time `json:"ended_at"`
	Created             time.Time `json:"created"`
	LatestInvoiceID     string    `json:"latest_invoice_id"`
	LatestInvoiceStatus string    `json:"latest_invoice_status"`
	NextPaymentAttempt  time.Time `json:"next_payment_attempt"`
	// Added with the Plans screen's invoice and the banner's card. Records
	// written before have none, which reads as "not read yet" until the
	// next sync (every start re-reads every customer), so no migration.
	LatestInvoice invoiceRecord `json:"latest_invoice,omitzero"`
	Card          string        `json:"card,omitempty"`
	CardID        string        `json:"card_id,omitempty"`
	FailedCardID  string        `json:"failed_card_id,omitempty"`
	CardUpdated   bool          `json:"card_updated,omitempty"`
	SyncedAt      time.Time     `json:"synced_at"`
}

type invoiceRecord struct {
	ID              string              `json:"id"`
	Number          string              `json:"number,omitempty"`
	Status          string              `json:"status,omitempty"`
	BillingReason   string              `json:"billing_reason,omitempty"`
	Currency        string              `json:"currency,omitempty"`
	Subtotal        int64               `json:"subtotal"`
	Total           int64               `json:"total"`
	AmountDue       int64               `json:"amount_due"`
	AmountPaid      int64               `json:"amount_paid"`
	AmountRemaining int64               `json:"amount_remaining"`
	Discounts       []discountRecord    `json:"discounts,omitempty"`
	Lines           []invoiceLineRecord `json:"lines,omitempty"`
	HostedURL       string              `json:"hosted_url,omitempty"`
	Created         time.Time           `json:"created,omitzero"`
}

type discountRecord struct {
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

type invoiceLineRecord struct {
	Description string `json:"description"`
	Amount      int64  `json:"amount"`
	Proration   bool   `json:"proration,omitempty"`
}

func subscriptionToRecord(s *tollgate.Subscription) subscriptionRecord {
	inv := s.LatestInvoice
	r := subscriptionRecord{
		StripeID: s.StripeID, CustomerID: s.CustomerID, UserID: s.UserID, Status: s.Status, ProductID: s.ProductID, PriceID: s.PriceID,
		Interval: s.Interval, CancelAtPeriodEnd: s.CancelAtPeriodEnd, CurrentPeriodEnd: s.CurrentPeriodEnd, TrialEnd: s.TrialEnd,
		EndedAt: s.EndedAt, Created: s.Created, LatestInvoiceID: s.LatestInvoiceID, LatestInvoiceStatus: s.LatestInvoiceStatus,
		NextPaymentAttempt: s.NextPaymentAttempt, Card: s.Card, CardID: s.CardID, FailedCardID: s.FailedCardID,
		CardUpdated: s.CardUpdated, SyncedAt: s.SyncedAt,
		LatestInvoice: invoiceRecord{ID: inv.ID, Number: inv.Number, Status: inv.Status, BillingReason: inv.BillingReason,
			Currency: inv.Currency, Subtotal: inv.Subtotal, Total: inv.Total, AmountDue: inv.AmountDue, AmountPaid: inv.AmountPaid,
			AmountRemaining: inv.AmountRemaining, HostedURL: inv.HostedURL, Created: inv.Created},
	}
	for _, d := range inv.Discounts {
		r.LatestInvoice.Discounts = append(r.LatestInvoice.Discounts, discountRecord(d))
	}
	for _, l := range inv.Lines {
		r.LatestInvoice.Lines = append(r.LatestInvoice.Lines, invoiceLineRecord(l))
	}
	return r
}

func (r subscriptionRecord) subscription() *tollgate.Subscription {
	ri := r.LatestInvoice
	s := &tollgate.Subscription{
		StripeID: r.StripeID, CustomerID: r.CustomerID, UserID: r.UserID, Status: r.Status, ProductID: r.ProductID, PriceID: r.PriceID,
		Interval: r.Interval, CancelAtPeriodEnd: r.CancelAtPeriodEnd, CurrentPeriodEnd: r.CurrentPeriodEnd, TrialEnd: r.TrialEnd,
		EndedAt: r.EndedAt, Created: r.Created, LatestInvoiceID: r.LatestInvoiceID, LatestInvoiceStatus: r.LatestInvoiceStatus,
		NextPaymentAttempt: r.NextPaymentAttempt, Card: r.Card, CardID: r.CardID, FailedCardID: r.FailedCardID,
		CardUpdated: r.CardUpdated, SyncedAt: r.SyncedAt,
		LatestInvoice: tollgate.Invoice{ID: ri.ID, Number: ri.Number, Status: ri.Status, BillingReason: ri.BillingReason,
			Currency: ri.Currency, Subtotal: ri.Subtotal, Total: ri.Total, AmountDue: ri.AmountDue, AmountPaid: ri.AmountPaid,
			AmountRemaining: ri.AmountRemaining, HostedURL: ri.HostedURL, Created: ri.Created,
			Discounts: []tollgate.InvoiceDiscount{}, Lines: []tollgate.InvoiceLine{}},
	}
	for _, d := range ri.Discounts {
		s.LatestInvoice.Discounts = append(s.LatestInvoice.Discounts, tollgate.InvoiceDiscount(d))
	}
	for _, l := range ri.Lines {
		s.LatestInvoice.Lines = append(s.LatestInvoice.Lines, tollgate.InvoiceLine(l))
	}
	return s
}

// PutSubscription stores s, replacing the earlier copy: the caller has just
// read it from Stripe, which is the source of truth.
func (db *DB) PutSubscription(ctx context.Context, s *tollgate.Subscription) error {
	raw, err := json.Marshal(subscriptionToRecord(s))
	if err != nil {
		return fmt.Errorf("store: encode subscription: %w", err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSubscriptions).Put([]byte(s.StripeID), raw)
	})
	if err != nil {
		return fmt.Errorf("store: put subscription %s: %w", s.StripeID, err)
	}
	return nil
}

// SubscriptionsByUser returns the user's subscriptions, newest first. A scan is
// fine: a learning lab holds a handful.
func (db *DB) SubscriptionsByUser(ctx context.Context, userID uint64) ([]*tollgate.Subscription, error) {
	var subs []*tollgate.Subscription
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSubscriptions).ForEach(func(_, raw []byte) error {
			var r subscriptionRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("decode subscription: %w", err)
			}
			if r.UserID == userID {
				subs = append(subs, r.subscription())
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions of user %d: %w", userID, err)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Created.After(subs[j].Created) })
	return subs, nil
}

type entitlementsRecord struct {
	CustomerID string                                `json:"customer_id"`
	LookupKeys []string                              `json:"lookup_keys"`
	UpdatedAt  time.Time                             `json:"updated_at"`
	Why        map[string]tollgate.EntitlementChange `json:"why,omitempty"` // absent in records of earlier Tollgates
}

// PutEntitlements replaces the customer's active entitlements.
func (db *DB) PutEntitlements(ctx context.Context, e *tollgate.Entitlements) error {
	raw, err := json.Marshal(entitlementsRecord(*e))
	if err != nil {
		return fmt.Errorf("store: encode entitlements: %w", err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntitlements).Put([]byte(e.CustomerID), raw)
	})
	if err != nil {
		return fmt.Errorf("store: put entitlements of %s: %w", e.CustomerID, err)
	}
	return nil
}

// EntitlementsByCustomer returns the stored entitlements; none stored yet is an
// empty set, which is what a customer without a subscription has.
func (db *DB) EntitlementsByCustomer(ctx context.Context, customerID string) (*tollgate.Entitlements, error) {
	e := &tollgate.Entitlements{CustomerID: customerID}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketEntitlements).Get([]byte(customerID))
		if raw == nil {
			return nil
		}
		var r entitlementsRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decode entitlements: %w", err)
		}
		*e = tollgate.Entitlements(r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: entitlements of %s: %w", customerID, err)
	}
	return e, nil
}

// ResetBilling forgets every customer, subscription, entitlement and event,
// keeping the users: what is left when the Stripe account behind them is wiped.
func (db *DB) ResetBilling(ctx context.Context) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketCustomers, bucketCustomersByStripeID, bucketSubscriptions, bucketEntitlements, bucketEvents,
			bucketEventPayloads, bucketEventsPending, bucketEventsByTime, bucketEventsByUser, bucketEventsByCustomer} {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return tx.Bucket(bucketMeta).Delete(keyLastEvent)
	})
	if err != nil {
		return fmt.Errorf("store: reset billing: %w", err)
	}
	return nil
}
