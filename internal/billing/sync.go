package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

var _ tollgate.EventApplier = (*Service)(nil)

// Sync re-reads a customer's subscriptions and active entitlements from the
// API and replaces the local copy. It is the one way billing state changes
// locally, used by webhook events and the Checkout success page alike, so
// that events arriving late, twice or out of order can never leave a stale state.
func (s *Service) Sync(ctx context.Context, customerID string) error {
	// One sync at a time: two reads racing to the store could leave the older one last.
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	c, err := s.store.CustomerByStripeID(ctx, customerID)
	if err != nil {
		return fmt.Errorf("billing: sync: %w", err)
	}
	now := time.Now().UTC()
	for sub, err := range s.sc.V1Subscriptions.List(ctx, &stripe.SubscriptionListParams{Customer: stripe.String(customerID), Status: stripe.String("all")}) {
		if err != nil {
			return stripeError("list subscriptions", err)
		}
		local := subscriptionFromStripe(sub, c.UserID, now)
		if sub.Status == stripe.SubscriptionStatusPastDue && local.LatestInvoiceID != "" {
			// The retry date lives on the invoice; fetch it only when a payment failed.
			if in, err := s.sc.V1Invoices.Retrieve(ctx, local.LatestInvoiceID, nil); err == nil {
				local.LatestInvoiceStatus, local.NextPaymentAttempt = string(in.Status), unix(in.NextPaymentAttempt)
			} else {
				return stripeError("retrieve invoice", err)
			}
		}
		if err := s.store.PutSubscription(ctx, local); err != nil {
			return fmt.Errorf("billing: sync: %w", err)
		}
	}
	keys := []string{}
	for ae, err := range s.sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(customerID)}) {
		if err != nil {
			return stripeError("list active entitlements", err)
		}
		keys = append(keys, ae.LookupKey)
	}
	if err := s.store.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: customerID, LookupKeys: keys, UpdatedAt: now}); err != nil {
		return fmt.Errorf("billing: sync: %w", err)
	}
	s.log.Debug("synced", logkey.Customer, customerID, logkey.Entitlements, keys)
	if s.OnChange != nil {
		s.OnChange(c.UserID)
	}
	return nil
}

// SyncAll re-reads every customer Tollgate made. Stripe sends no events to
// an endpoint while it is disabled, as Tollgate's is while it is closed: what
// changed meanwhile (a renewal, a cancellation at period end) is read here.
func (s *Service) SyncAll(ctx context.Context) error {
	ids, err := s.store.CustomerIDs(ctx)
	if err != nil {
		return fmt.Errorf("billing: sync all: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		// One customer Stripe no longer knows must not keep the others stale.
		errs = append(errs, s.Sync(ctx, id))
	}
	return errors.Join(append(errs, ctx.Err())...)
}

// WhileNotSyncing runs f while no Sync runs, so that a sync already under way
// cannot write back what f wipes (the sandbox's reset).
func (s *Service) WhileNotSyncing(f func() error) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	return f()
}

func subscriptionFromStripe(sub *stripe.Subscription, userID uint64, now time.Time) *tollgate.Subscription {
	local := &tollgate.Subscription{
		StripeID:          sub.ID,
		UserID:            userID,
		Status:            string(sub.Status),
		CancelAtPeriodEnd: sub.CancelAtPeriodEnd,
		TrialEnd:          unix(sub.TrialEnd),
		EndedAt:           unix(sub.EndedAt),
		Created:           unix(sub.Created),
		SyncedAt:          now,
	}
	if sub.Customer != nil {
		local.CustomerID = sub.Customer.ID
	}
	if sub.LatestInvoice != nil {
		local.LatestInvoiceID, local.LatestInvoiceStatus = sub.LatestInvoice.ID, string(sub.LatestInvoice.Status)
	}
	// Since API version 2025-03-31 (basil) the billing period lives on the item.
	if sub.Items != nil && len(sub.Items.Data) > 0 {
		item := sub.Items.Data[0]
		local.CurrentPeriodEnd = unix(item.CurrentPeriodEnd)
		if item.Price != nil {
			local.PriceID = item.Price.ID
			if item.Price.Product != nil {
				local.ProductID = item.Price.Product.ID
			}
			if item.Price.Recurring != nil {
				local.Interval = string(item.Price.Recurring.Interval)
			}
		}
	}
	return local
}

// SyncCheckoutSession is the success page's shortcut: it syncs the session's
// customer at once, so the user is not left waiting for the webhook.
func (s *Service) SyncCheckoutSession(ctx context.Context, sessionID string) (userID uint64, err error) {
	cs, err := s.sc.V1CheckoutSessions.Retrieve(ctx, sessionID, nil)
	if err != nil {
		return 0, stripeError("retrieve checkout session", err)
	}
	if cs.Status != stripe.CheckoutSessionStatusComplete {
		return 0, tollgate.Errorf(tollgate.EINVALID, "Checkout session %s is %s, not complete: nothing was bought.", cs.ID, cs.Status)
	}
	var customer string
	if cs.Customer != nil {
		customer = cs.Customer.ID
	}
	return s.applyCheckoutSession(ctx, cs.ID, cs.ClientReferenceID, customer)
}

// applyCheckoutSession syncs the customer of a completed session, but only
// when that customer is the one Tollgate made for the user the session names:
// client_reference_id alone is not proof, since any session on the account
// (another app's, another learner's) may carry a number there.
func (s *Service) applyCheckoutSession(ctx context.Context, sessionID, clientReferenceID, customerID string) (uint64, error) {
	userID, err := strconv.ParseUint(clientReferenceID, 10, 64)
	if err != nil {
		return 0, tollgate.Errorf(tollgate.ENOTFOUND, "Checkout session %s is not one of Tollgate's (client_reference_id %q).", sessionID, clientReferenceID)
	}
	c, err := s.store.CustomerByUser(ctx, userID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND || (err == nil && c.StripeID != customerID) {
		return 0, tollgate.Errorf(tollgate.ENOTFOUND, "Checkout session %s is for customer %s, which Tollgate did not make for user %d.", sessionID, customerID, userID)
	} else if err != nil {
		return 0, fmt.Errorf("billing: checkout session %s: %w", sessionID, err)
	}
	return userID, s.Sync(ctx, customerID)
}

// eventObject is all Tollgate reads of an event's object: which customer and,
// for a Checkout Session, which user it names. Everything else is re-read
// through stripe-go, so the event's API version does not matter.
type eventObject struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Customer          json.RawMessage `json:"customer"`
	Mode              string          `json:"mode"`
	ClientReferenceID string          `json:"client_reference_id"`
}

// ApplyEvent acts on a verified webhook event by re-reading the customer it
// concerns; the event says only that something changed, never what to believe.
func (s *Service) ApplyEvent(ctx context.Context, e *tollgate.Event) (string, error) {
	var ev struct {
		Data struct {
			Object eventObject `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.Data.Object.Object == "" {
		return "", tollgate.Errorf(tollgate.EINVALID, "Event %s has no data object.", e.ID)
	}
	obj := ev.Data.Object
	customerID := expandableID(obj.Customer)
	var err error
	switch handledEvents[e.Type] {
	case checkoutSession:
		if obj.Mode != string(stripe.CheckoutSessionModeSubscription) {
			return tollgate.EventIgnored, nil
		}
		_, err = s.applyCheckoutSession(ctx, obj.ID, obj.ClientReferenceID, customerID)
	case syncCustomer:
		if customerID == "" {
			return "", tollgate.Errorf(tollgate.EINVALID, "The %s event %s names no customer.", e.Type, e.ID)
		}
		err = s.Sync(ctx, customerID)
	default:
		return tollgate.EventIgnored, nil
	}
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return tollgate.EventIgnored, nil // a customer Tollgate did not make: another app's, or another learner's
	} else if err != nil {
		return "", err
	}
	return tollgate.EventApplied, nil
}

// expandableID reads a Stripe field that is an id or, when expanded, an object with one.
func expandableID(raw json.RawMessage) string {
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.ID
}
