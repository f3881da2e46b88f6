package billing

import (
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Explanation is what the Events screen says of an event: what it means in
// Stripe, and what Tollgate did about it.
type Explanation struct {
	Means string `json:"means"`
	Did   string `json:"did"`
	// Needed is false for the types Tollgate does not act on.
	Needed bool `json:"needed"`
}

// meaning says what an event type means in Stripe and, for a type Tollgate
// does not act on, why it need not.
type meaning struct{ means, notNeeded string }

// Why most events are not needed: Tollgate re-reads the subscription and the
// entitlements, and these say nothing those reads would not.
const (
	notNeededCatalog  = "Tollgate made the catalog itself and finds it by lookup key; it does not follow catalog changes."
	notNeededInvoice  = "Tollgate acts on the outcome, invoice.paid or invoice.payment_failed, and re-reads the subscription then."
	notNeededPayment  = "The invoice's outcome (invoice.paid, invoice.payment_failed) is what moves the subscription, and Tollgate acts on that."
	notNeededCustomer = "Tollgate made the customer itself, before Checkout, and keeps its id."
	notNeededPortal   = "What the learner does in the portal comes back as customer.subscription.updated, which Tollgate acts on."
	notNeededClock    = "The clock's effects (renewals, trial ends) come as their own events, which Tollgate acts on."
)

var meanings = map[string]meaning{
	"checkout.session.completed":                      {"The customer finished Stripe Checkout: for a subscription, the first payment or the trial started and the subscription exists.", ""},
	"checkout.session.expired":                        {"A Checkout Session was left unfinished until it expired (24 hours, or at once when the sandbox is reset): nothing was bought.", "Nothing was bought, so there is nothing to re-read."},
	"checkout.session.async_payment_succeeded":        {"A delayed payment method (a bank debit) paid for a finished Checkout Session.", notNeededPayment},
	"checkout.session.async_payment_failed":           {"A delayed payment method failed for a finished Checkout Session.", notNeededPayment},
	"customer.created":                                {"A customer was created: the object that holds a payer's cards, invoices and subscriptions.", notNeededCustomer},
	"customer.updated":                                {"A customer changed, for example its default payment method after Checkout or a card update in the portal.", "A card change alone does not change access; a payment it makes comes as invoice.paid."},
	"customer.deleted":                                {"A customer was deleted, with its subscriptions.", "Its subscriptions' deletions come as customer.subscription.deleted, which Tollgate acts on."},
	"customer.discount.created":                       {"A coupon now applies to a customer or subscription, as a promotion code does at Checkout.", notNeededInvoice},
	"customer.discount.deleted":                       {"A discount ended.", notNeededInvoice},
	"customer.subscription.created":                   {"A subscription was created, trialing or active (or incomplete while its first payment is pending).", ""},
	"customer.subscription.updated":                   {"A subscription changed: its status (trialing → active → past_due…), its price, its period at renewal, or a cancellation scheduled at period end.", ""},
	"customer.subscription.deleted":                   {"A subscription ended: canceled now, at its period end, or after every payment retry failed. It cannot be restarted; a new one must be bought.", ""},
	"customer.subscription.trial_will_end":            {"The trial ends in three days (or sooner, when the trial is shorter): the moment to remind the customer that paying starts.", ""},
	"customer.subscription.paused":                    {"A subscription was paused: no invoices until it resumes.", ""},
	"customer.subscription.resumed":                   {"A paused subscription resumed.", ""},
	"customer.subscription.pending_update_applied":    {"A subscription change that waited for a payment was applied.", ""},
	"customer.subscription.pending_update_expired":    {"A subscription change that waited for a payment expired unpaid.", ""},
	"entitlements.active_entitlement_summary.updated": {"A customer's active entitlements changed, because a subscription started, changed or ended: the features their products grant.", ""},
	"invoice.created":                                 {"An invoice was drafted: at a subscription's start or renewal. A renewal's draft waits about an hour before it is finalized, so it can still be changed.", notNeededInvoice},
	"invoice.finalized":                               {"A draft invoice became final: its amount is fixed and it is ready to be paid.", notNeededInvoice},
	"invoice.updated":                                 {"An invoice changed: paid, failed, its next payment attempt set, or marked uncollectible.", notNeededInvoice},
	"invoice.paid":                                    {"An invoice was paid, by charge or because it was £0 (a trial): the subscription stays or becomes active.", ""},
	"invoice.payment_succeeded":                       {"A payment for an invoice succeeded; Stripe sends invoice.paid with it.", "Tollgate acts on invoice.paid, which says the same and also covers invoices paid without a charge."},
	"invoice.payment_failed":                          {"A payment for an invoice failed: the subscription goes past_due and Stripe retries on its schedule.", ""},
	"invoice.payment_action_required":                 {"A payment needs the customer to act (3-D Secure).", notNeededPayment},
	"invoice.upcoming":                                {"An invoice will be drafted in a few days: the renewal is coming.", notNeededInvoice},
	"invoice.voided":                                  {"An invoice was voided: it will never be paid.", notNeededInvoice},
	"invoice.marked_uncollectible":                    {"Stripe gave up collecting an invoice.", "What that does to the subscription comes as customer.subscription.updated or deleted."},
	"invoice_payment.paid":                            {"A payment was recorded against an invoice.", notNeededPayment},
	"invoiceitem.created":                             {"A line was added to a customer's next invoice, such as a proration after a plan switch.", notNeededInvoice},
	"payment_intent.created":                          {"A PaymentIntent was created: the object that tracks one attempt to collect an amount.", notNeededPayment},
	"payment_intent.succeeded":                        {"A PaymentIntent succeeded: the money was collected.", notNeededPayment},
	"payment_intent.payment_failed":                   {"A PaymentIntent's attempt failed, for example the card was declined.", notNeededPayment},
	"payment_intent.requires_action":                  {"A PaymentIntent waits for the customer to authenticate (3-D Secure).", notNeededPayment},
	"charge.succeeded":                                {"A card was charged.", notNeededPayment},
	"charge.failed":                                   {"A charge to a card failed.", notNeededPayment},
	"charge.refunded":                                 {"A charge was refunded.", "A refund alone does not end a subscription."},
	"setup_intent.created":                            {"A SetupIntent was created: saving a card for later, as Checkout does for a trial.", notNeededPayment},
	"setup_intent.succeeded":                          {"A card was saved for later payments.", notNeededPayment},
	"payment_method.attached":                         {"A payment method (a card) was attached to a customer.", "A card alone does not change access; the payments it makes do."},
	"payment_method.detached":                         {"A payment method was removed from a customer.", "A card alone does not change access; the payments it makes do."},
	"payment_method.updated":                          {"A payment method changed, such as a card's expiry.", "A card alone does not change access; the payments it makes do."},
	"product.created":                                 {"A product was created: what is sold (here, Tollgate Premium).", notNeededCatalog},
	"product.updated":                                 {"A product changed, such as its name or the features attached to it.", notNeededCatalog},
	"price.created":                                   {"A price was created: how much and how often a product is charged.", notNeededCatalog},
	"price.updated":                                   {"A price changed, such as its lookup key or whether it is active (amounts never change: Stripe makes a new price instead).", notNeededCatalog},
	"plan.created":                                    {"A plan was created: the older API's name for a recurring price, sent beside price.created.", notNeededCatalog},
	"coupon.created":                                  {"A coupon was created: a discount to apply (here, 10% off).", notNeededCatalog},
	"promotion_code.created":                          {"A promotion code was created: a word customers type to get a coupon (here, LEARN10).", notNeededCatalog},
	"promotion_code.updated":                          {"A promotion code changed, such as how often it was redeemed.", notNeededCatalog},
	"billing_portal.configuration.created":            {"A Billing Portal configuration was created: what customers may do in the portal.", notNeededCatalog},
	"billing_portal.configuration.updated":            {"A Billing Portal configuration changed.", notNeededCatalog},
	"billing_portal.session.created":                  {"A customer was sent to the Billing Portal.", notNeededPortal},
	"test_helpers.test_clock.created":                 {"A test clock was created: a sandboxed timeline its customers live on, moved forward to reach renewals and trial ends now.", notNeededClock},
	"test_helpers.test_clock.advancing":               {"A test clock started moving forward; Stripe runs everything that falls due.", notNeededClock},
	"test_helpers.test_clock.ready":                   {"A test clock finished moving: everything that fell due has run.", notNeededClock},
	"test_helpers.test_clock.deleted":                 {"A test clock was deleted, with its customers.", notNeededClock},
	"entitlements.feature.created":                    {"An entitlement feature was created (here, test-access and test-access-2).", notNeededCatalog},
	"entitlements.feature.updated":                    {"An entitlement feature changed.", notNeededCatalog},
}

// Explain says what e means and what Tollgate did about it, from the
// result recorded when it was applied.
func Explain(e *tollgate.Event) Explanation {
	_, needed := handledEvents[e.Type]
	m, known := meanings[e.Type]
	x := Explanation{Means: m.means, Needed: needed}
	if !known {
		x.Means = "An event Tollgate has no explanation of yet; Stripe's list of event types describes it (https://docs.stripe.com/api/events/types), and the body is below."
	}
	switch e.Outcome {
	case tollgate.EventPending:
		x.Did = "Recorded and answered; waiting to be applied (Tollgate is starting, or could not reach Stripe and tries again)."
	case tollgate.EventFailed:
		x.Did = "Applying it failed: " + e.Error
	case tollgate.EventIgnored:
		switch {
		case !needed && m.notNeeded != "":
			x.Did = "Not needed by Tollgate: " + m.notNeeded
		case !needed:
			x.Did = "Not needed by Tollgate: it acts only on the events that change a subscription or its entitlements."
		case e.Type == "checkout.session.completed":
			x.Did = "Ignored: not a subscription Checkout Tollgate started (another mode, or another app's session)."
		default:
			x.Did = fmt.Sprintf("Ignored: customer %s is not one Tollgate made (another app's, or another learner's).", orNone(e.CustomerID))
		}
	case tollgate.EventApplied:
		x.Did = did(e.CustomerID, e.Effect)
	}
	if e.APIVersion != "" && e.APIVersion != stripe.APIVersion {
		x.Did += fmt.Sprintf(" It came in API version %s; Tollgate read only ids from it and re-read the objects in %s, so the version did not matter.", e.APIVersion, stripe.APIVersion)
	}
	return x
}

// did describes a sync's effect: what was re-read, and what changed.
func did(customerID string, eff *tollgate.Effect) string {
	if eff == nil {
		return "Applied."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Re-read %s's %s from Stripe.", orNone(customerID), joinAnd(eff.Reread))
	changed := false
	for _, s := range eff.Subscriptions {
		switch {
		case s.Before == "":
			fmt.Fprintf(&b, " Subscription %s is new here: %s.", s.ID, s.After)
			changed = true
		case s.Before != s.After:
			fmt.Fprintf(&b, " Subscription %s: %s → %s.", s.ID, s.Before, s.After)
			changed = true
		}
	}
	if before, after := list(eff.EntitlementsBefore), list(eff.EntitlementsAfter); before != after {
		fmt.Fprintf(&b, " Entitlements: %s → %s.", before, after)
		changed = true
	}
	for _, s := range eff.Subscriptions {
		if s.EventSaid != "" {
			fmt.Fprintf(&b, " The event said %s was %s, but Stripe said %s: the event is older than Stripe's state (it came late or out of order, or more happened since), so Tollgate kept Stripe's answer.", s.ID, s.EventSaid, s.After)
		}
	}
	if !changed {
		b.WriteString(" Nothing changed locally: Tollgate's copy was already up to date (the success page, a move of the test clock or an earlier event had re-read it).")
	}
	return b.String()
}

// Overtaken finds the events that arrived after a newer one about the same
// customer: for each such event's id, the id of the newer event that came
// first. Stripe does not promise order, and this is where it shows; the
// sync reads the truth, so the late one changes nothing it should not.
// Events made in the same second cannot be told apart by Stripe's time.
func Overtaken(evs []*tollgate.Event) map[string]string {
	out := map[string]string{}
	for _, e := range evs {
		if e.CustomerID == "" {
			continue
		}
		var first *tollgate.Event // the newer event that arrived first
		for _, f := range evs {
			if f.CustomerID == e.CustomerID && f.Received.Before(e.Received) && f.Created.After(e.Created) &&
				(first == nil || f.Received.Before(first.Received)) {
				first = f
			}
		}
		if first != nil {
			out[e.ID] = first.ID
		}
	}
	return out
}

// joinAnd joins "a", "b", "c" as "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func list(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
