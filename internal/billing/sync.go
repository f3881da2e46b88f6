package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	known, err := s.store.SubscriptionsByUser(ctx, c.UserID)
	if err != nil {
		return fmt.Errorf("billing: sync: %w", err)
	}
	before := map[string]*tollgate.Subscription{}
	for _, k := range known {
		before[k.StripeID] = k
	}
	// One call brings what the Plans screen and the banner show: the latest
	// invoice with its discounts' promotion codes (four levels, Stripe's
	// deepest expansion), and the card each subscription is charged to.
	params := &stripe.SubscriptionListParams{Customer: stripe.String(customerID), Status: stripe.String("all")}
	params.AddExpand("data.latest_invoice.discounts.promotion_code")
	params.AddExpand("data.default_payment_method")
	params.AddExpand("data.customer.invoice_settings.default_payment_method")
	for sub, err := range s.sc.V1Subscriptions.List(ctx, params) {
		if err != nil {
			return stripeError("list subscriptions", err)
		}
		local := subscriptionFromStripe(sub, c.UserID, now)
		rememberFailedCard(local, before[sub.ID])
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
	if in := sub.LatestInvoice; in != nil {
		local.LatestInvoiceID, local.LatestInvoiceStatus = in.ID, string(in.Status)
		local.LatestInvoice = invoiceFromStripe(in)
		if sub.Status == stripe.SubscriptionStatusPastDue {
			local.NextPaymentAttempt = unix(in.NextPaymentAttempt) // when Stripe retries
		}
	}
	// The card charged: the subscription's own, else the customer's default.
	pm := sub.DefaultPaymentMethod
	if pm == nil && sub.Customer != nil && sub.Customer.InvoiceSettings != nil {
		pm = sub.Customer.InvoiceSettings.DefaultPaymentMethod
	}
	if pm != nil {
		local.CardID, local.Card = pm.ID, describeCard(pm)
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

// rememberFailedCard records which card was on file when Tollgate first saw
// the latest invoice's payment fail, so that a card updated since (in the
// portal) can be told apart from the card that failed. Stripe keeps the
// failed attempt's card on the invoice's payment (a PaymentIntent), which
// would cost another call on each sync; the card on file at the failure is
// what the learner needs. before is the previous copy (nil if none).
func rememberFailedCard(local, before *tollgate.Subscription) {
	if local.Status != tollgate.StatusPastDue || local.LatestInvoice.Status != string(stripe.InvoiceStatusOpen) {
		return
	}
	local.FailedCardID = local.CardID
	if before != nil && before.LatestInvoiceID == local.LatestInvoiceID && before.FailedCardID != "" {
		local.FailedCardID = before.FailedCardID
	}
	local.CardUpdated = local.CardID != "" && local.CardID != local.FailedCardID
}

// invoiceFromStripe keeps what the Plans screen shows of an invoice.
func invoiceFromStripe(in *stripe.Invoice) tollgate.Invoice {
	out := tollgate.Invoice{
		ID: in.ID, Number: in.Number, Status: string(in.Status), BillingReason: string(in.BillingReason), Currency: string(in.Currency),
		Subtotal: in.Subtotal, Total: in.Total, AmountDue: in.AmountDue, AmountPaid: in.AmountPaid, AmountRemaining: in.AmountRemaining,
		HostedURL: in.HostedInvoiceURL, Created: unix(in.Created),
		Discounts: []tollgate.InvoiceDiscount{}, Lines: []tollgate.InvoiceLine{},
	}
	names := map[string]string{}
	for _, d := range in.Discounts {
		if d != nil {
			names[d.ID] = discountName(d)
		}
	}
	for _, tda := range in.TotalDiscountAmounts {
		name := "Discount"
		if tda.Discount != nil && names[tda.Discount.ID] != "" {
			name = names[tda.Discount.ID]
		}
		out.Discounts = append(out.Discounts, tollgate.InvoiceDiscount{Name: name, Amount: tda.Amount})
	}
	if in.Lines != nil {
		for _, l := range in.Lines.Data {
			proration := l.Parent != nil && l.Parent.SubscriptionItemDetails != nil && l.Parent.SubscriptionItemDetails.Proration
			out.Lines = append(out.Lines, tollgate.InvoiceLine{Description: l.Description, Amount: l.Amount, Proration: proration})
		}
	}
	return out
}

// discountName is what a customer knows a discount by: the promotion code
// they typed (LEARN10), else the coupon's name.
func discountName(d *stripe.Discount) string {
	switch {
	case d.PromotionCode != nil && d.PromotionCode.Code != "":
		return d.PromotionCode.Code
	case d.Coupon != nil && d.Coupon.Name != "":
		return d.Coupon.Name
	case d.Coupon != nil && d.Coupon.ID != "":
		return d.Coupon.ID
	}
	return "Discount"
}

// describeCard names a card as a person reads it: "Visa •••• 4242".
func describeCard(pm *stripe.PaymentMethod) string {
	if pm.Card == nil || pm.Card.Last4 == "" {
		return ""
	}
	brand := string(pm.Card.Brand)
	if brand != "" {
		brand = strings.ToUpper(brand[:1]) + brand[1:] + " "
	}
	return brand + "•••• " + pm.Card.Last4
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
