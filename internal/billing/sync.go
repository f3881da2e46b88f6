package billing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	_, err := s.sync(ctx, customerID, origin{what: "a re-read of Stripe"})
	return err
}

// origin is what made Tollgate re-read Stripe, and Stripe's time then: the
// Access screen gives it as the reason an entitlement came or went.
type origin struct {
	what string    // "the invoice.paid event evt_…", "the Checkout success page"
	at   time.Time // Stripe's time (an event's, the test clock's); zero for now
}

// sync is Sync, saying what it re-read and what changed locally.
func (s *Service) sync(ctx context.Context, customerID string, from origin) (*tollgate.Effect, error) {
	// One sync at a time: two reads racing to the store could leave the older one last.
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	c, err := s.store.CustomerByStripeID(ctx, customerID)
	if err != nil {
		return nil, fmt.Errorf("billing: sync: %w", err)
	}
	eff, before, was, err := s.before(ctx, c)
	if err != nil {
		return nil, err
	}
	var live, ended *tollgate.Subscription // which subscription an entitlement came with, or went with
	eff.Reread = append(eff.Reread, "subscriptions (with their latest invoices and cards)")
	now := time.Now().UTC()
	// One call brings what the Plans screen and the banner show: the latest
	// invoice with its discounts' promotion codes (four levels, Stripe's
	// deepest expansion), and the card each subscription is charged to.
	params := &stripe.SubscriptionListParams{Customer: stripe.String(customerID), Status: stripe.String("all")}
	params.AddExpand("data.latest_invoice.discounts.promotion_code")
	params.AddExpand("data.default_payment_method")
	params.AddExpand("data.customer.invoice_settings.default_payment_method")
	for sub, err := range s.sc.V1Subscriptions.List(ctx, params) {
		if err != nil {
			return nil, stripeError("list subscriptions", err)
		}
		local := subscriptionFromStripe(sub, c.UserID, now)
		rememberFailedCard(local, before[sub.ID])
		if err := s.store.PutSubscription(ctx, local); err != nil {
			return nil, fmt.Errorf("billing: sync: %w", err)
		}
		prev := ""
		if b := before[sub.ID]; b != nil {
			prev = b.Status
		}
		eff.Subscriptions = append(eff.Subscriptions, tollgate.StatusChange{ID: sub.ID, Before: prev, After: local.Status})
		if local.Live() && live == nil {
			live = local
		} else if !local.Live() && prev != local.Status && ended == nil {
			ended = local
		}
	}
	eff.Reread = append(eff.Reread, "active entitlements")
	keys := []string{}
	for ae, err := range s.sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(customerID)}) {
		if err != nil {
			return nil, stripeError("list active entitlements", err)
		}
		keys = append(keys, ae.LookupKey)
	}
	slices.Sort(keys)
	eff.EntitlementsAfter = keys
	why := whyChanged(was, keys, cmp.Or(from.at, now), from.what, live, ended)
	if err := s.store.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: customerID, LookupKeys: keys, UpdatedAt: now, Why: why}); err != nil {
		return nil, fmt.Errorf("billing: sync: %w", err)
	}
	s.log.Debug("synced", logkey.Customer, customerID, logkey.Entitlements, keys)
	if s.OnChange != nil {
		s.OnChange(c.UserID)
	}
	return eff, nil
}

// before reads the local copy a sync is about to replace: the entitlements
// and each subscription's status, so the Events screen can show what changed.
func (s *Service) before(ctx context.Context, c *tollgate.Customer) (*tollgate.Effect, map[string]*tollgate.Subscription, *tollgate.Entitlements, error) {
	subs, err := s.store.SubscriptionsByUser(ctx, c.UserID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("billing: sync: %w", err)
	}
	known := make(map[string]*tollgate.Subscription, len(subs))
	for _, sub := range subs {
		known[sub.StripeID] = sub
	}
	ents, err := s.store.EntitlementsByCustomer(ctx, c.StripeID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("billing: sync: %w", err)
	}
	had := append([]string{}, ents.LookupKeys...)
	slices.Sort(had)
	return &tollgate.Effect{Reread: []string{}, Subscriptions: []tollgate.StatusChange{}, EntitlementsBefore: had}, known, ents, nil
}

// whyChanged carries the reasons of was forward and records, for each
// entitlement that came or went in this sync, when, after what and with
// which subscription.
func whyChanged(was *tollgate.Entitlements, now []string, at time.Time, source string, live, ended *tollgate.Subscription) map[string]tollgate.EntitlementChange {
	why := make(map[string]tollgate.EntitlementChange, len(was.Why)+len(now))
	for k, c := range was.Why {
		why[k] = c
	}
	change := func(key string, granted bool, sub *tollgate.Subscription) {
		c := tollgate.EntitlementChange{Granted: granted, At: at, Source: source}
		if sub != nil {
			c.Subscription, c.Status = sub.StripeID, sub.Status
		}
		why[key] = c
	}
	for _, k := range now {
		if !was.Has(k) {
			change(k, true, live)
		}
	}
	for _, k := range was.LookupKeys {
		if !slices.Contains(now, k) {
			change(k, false, cmp.Or(ended, live))
		}
	}
	return why
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
		_, err := s.sync(ctx, id, origin{what: "Tollgate's re-read at its set-up"})
		errs = append(errs, err)
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
	userID, _, err = s.applyCheckoutSession(ctx, cs.ID, cs.ClientReferenceID, customer, origin{what: "the Checkout success page"})
	return userID, err
}

// applyCheckoutSession syncs the customer of a completed session, but only
// when that customer is the one Tollgate made for the user the session names:
// client_reference_id alone is not proof, since any session on the account
// (another app's, another learner's) may carry a number there.
func (s *Service) applyCheckoutSession(ctx context.Context, sessionID, clientReferenceID, customerID string, from origin) (uint64, *tollgate.Effect, error) {
	userID, err := strconv.ParseUint(clientReferenceID, 10, 64)
	if err != nil {
		return 0, nil, tollgate.Errorf(tollgate.ENOTFOUND, "Checkout session %s is not one of Tollgate's (client_reference_id %q).", sessionID, clientReferenceID)
	}
	c, err := s.store.CustomerByUser(ctx, userID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND || (err == nil && c.StripeID != customerID) {
		return 0, nil, tollgate.Errorf(tollgate.ENOTFOUND, "Checkout session %s is for customer %s, which Tollgate did not make for user %d.", sessionID, customerID, userID)
	} else if err != nil {
		return 0, nil, fmt.Errorf("billing: checkout session %s: %w", sessionID, err)
	}
	eff, err := s.sync(ctx, customerID, from)
	return userID, eff, err
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
	Status            string          `json:"status"` // a subscription's, as the event carries it
}

// ApplyEvent acts on a verified webhook event by re-reading the customer it
// concerns; the event says only that something changed, never what to believe.
func (s *Service) ApplyEvent(ctx context.Context, e *tollgate.Event) (tollgate.EventResult, error) {
	var ev struct {
		Data struct {
			Object eventObject `json:"object"`
		} `json:"data"`
	}
	res := tollgate.EventResult{Outcome: tollgate.EventIgnored}
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.Data.Object.Object == "" {
		return res, tollgate.Errorf(tollgate.EINVALID, "Event %s has no data object.", e.ID)
	}
	obj := ev.Data.Object
	res.CustomerID = expandableID(obj.Customer)
	if obj.Object == "customer" {
		res.CustomerID = obj.ID
	}
	// Whom it concerns, for the Events screen, whether Tollgate acts on it or not.
	if res.CustomerID != "" {
		if c, err := s.store.CustomerByStripeID(ctx, res.CustomerID); err == nil {
			res.UserID = c.UserID
		}
	}
	from := origin{what: "the " + e.Type + " event " + e.ID, at: e.Created}
	var err error
	switch handledEvents[e.Type] {
	case checkoutSession:
		if obj.Mode != string(stripe.CheckoutSessionModeSubscription) {
			return res, nil
		}
		var userID uint64
		userID, res.Effect, err = s.applyCheckoutSession(ctx, obj.ID, obj.ClientReferenceID, res.CustomerID, from)
		if userID != 0 {
			res.UserID = userID
		}
	case syncCustomer:
		if res.CustomerID == "" {
			return res, tollgate.Errorf(tollgate.EINVALID, "The %s event %s names no customer.", e.Type, e.ID)
		}
		res.Effect, err = s.sync(ctx, res.CustomerID, from)
	default:
		return res, nil
	}
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return res, nil // a customer Tollgate did not make: another app's, or another learner's
	} else if err != nil {
		return res, err
	}
	if obj.Object == "subscription" && res.Effect != nil {
		noteStale(res.Effect, obj.ID, obj.Status)
	}
	res.Outcome = tollgate.EventApplied
	return res, nil
}

// noteStale marks what a subscription event said of its status when the
// re-read found Stripe saying otherwise: the event was older than Stripe's
// state (late, out of order, or overtaken by what happened since), and
// believing it would have set a status that is no longer true.
func noteStale(eff *tollgate.Effect, subID, said string) {
	for i, sc := range eff.Subscriptions {
		if sc.ID == subID && said != "" && said != sc.After {
			eff.Subscriptions[i].EventSaid = said
		}
	}
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
