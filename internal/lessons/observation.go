package lessons

import (
	"encoding/json"
	"time"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Actions of the app a lesson can be seen in: what a screen served, not a
// button that says "done".
const (
	Registered    = "registered"     // an account was made (and logged in)
	LoggedIn      = "logged_in"      // a login succeeded
	SawAccess     = "saw_access"     // the Access screen was served
	OpenedPremium = "opened_premium" // the Premium gate let the user in
	OpenedPortal  = "opened_portal"  // a Billing Portal session was made for the user
	// SkippedDuplicate: the webhook skipped a redelivery of one of the
	// user's events, recognised by its id (a Replay, Stripe's retry, or the
	// sandbox's delivery chaos).
	SkippedDuplicate = "skipped_duplicate"
)

// Observation is one thing Tollgate saw, which lesson rules read: an app
// action, or a webhook event it applied with the user's local copy after it.
type Observation struct {
	Action   string // one of the actions above; "" for an event
	Entitled bool   // for SawAccess: the local copy has test-access
	// Event is the webhook event applied, with its verified payload.
	Event *tollgate.Event
	// Subscriptions are the user's subscriptions in the local store once the
	// event was applied: what Stripe said when Tollgate re-read it.
	Subscriptions []*tollgate.Subscription

	parsed   bool
	object   eventObject
	previous map[string]json.RawMessage
}

// eventObject is what lesson rules read of an event's data.object: the
// fields of a subscription or an invoice, as every API version spells them.
type eventObject struct {
	Status            string            `json:"status"`
	CancelAtPeriodEnd bool              `json:"cancel_at_period_end"`
	Discounts         []json.RawMessage `json:"discounts"`
	Items             items             `json:"items"`
	// An invoice's.
	BillingReason      string `json:"billing_reason"`
	AttemptCount       int64  `json:"attempt_count"`
	NextPaymentAttempt *int64 `json:"next_payment_attempt"`
	PeriodEnd          int64  `json:"period_end"`
	Parent             *struct {
		SubscriptionDetails *struct {
			Subscription json.RawMessage `json:"subscription"`
		} `json:"subscription_details"`
	} `json:"parent"`
}

type items struct {
	Data []struct {
		Price struct {
			ID        string `json:"id"`
			Recurring *struct {
				Interval string `json:"interval"`
			} `json:"recurring"`
		} `json:"price"`
	} `json:"data"`
}

// prices lists the items' price ids.
func (it items) prices() []string {
	out := make([]string, 0, len(it.Data))
	for _, d := range it.Data {
		out = append(out, d.Price.ID)
	}
	return out
}

// interval is the first item's billing interval: month or year.
func (o eventObject) interval() string {
	if len(o.Items.Data) == 0 || o.Items.Data[0].Price.Recurring == nil {
		return ""
	}
	return o.Items.Data[0].Price.Recurring.Interval
}

// Is reports whether o is a webhook event of one of types.
func (o *Observation) Is(types ...string) bool {
	if o.Event == nil {
		return false
	}
	for _, t := range types {
		if o.Event.Type == t {
			return true
		}
	}
	return false
}

// Object is the event's data.object (zero for an action, or a body that
// does not parse: a rule then sees nothing and ticks nothing).
func (o *Observation) Object() eventObject {
	o.parse()
	return o.object
}

// Previous is the raw JSON of a field in the event's previous_attributes
// (`"trialing"`, `false`), or "" when the event does not name it.
func (o *Observation) Previous(field string) string {
	o.parse()
	return string(o.previous[field])
}

func (o *Observation) parse() {
	if o.parsed || o.Event == nil {
		return
	}
	o.parsed = true
	var body struct {
		Data struct {
			Object   eventObject                `json:"object"`
			Previous map[string]json.RawMessage `json:"previous_attributes"`
		} `json:"data"`
	}
	if json.Unmarshal(o.Event.Payload, &body) == nil {
		o.object, o.previous = body.Data.Object, body.Data.Previous
	}
}

// renewal tells a paid renewal from the first charge after a trial, which
// Stripe also bills with the reason subscription_cycle: an invoice's own
// period is the one that just ended, and after a trial that period ends
// when the trial does.
func (o *Observation) renewal() bool {
	in := o.Object()
	if in.BillingReason != "subscription_cycle" {
		return false
	}
	sub := ""
	if in.Parent != nil && in.Parent.SubscriptionDetails != nil {
		_ = json.Unmarshal(in.Parent.SubscriptionDetails.Subscription, &sub)
	}
	for _, s := range o.Subscriptions {
		if (sub == "" || s.StripeID == sub) && !s.TrialEnd.IsZero() && s.TrialEnd.Equal(time.Unix(in.PeriodEnd, 0)) {
			return false
		}
	}
	return true
}

// priceChanged reports a subscription.updated whose previous items had
// another price: a plan switch, not a renewal (whose items change only
// their period).
func (o *Observation) priceChanged() bool {
	raw := o.Previous("items")
	if raw == "" {
		return false
	}
	var was items
	if json.Unmarshal([]byte(raw), &was) != nil {
		return false
	}
	before, now := was.prices(), o.Object().Items.prices()
	if len(before) == 0 || len(before) != len(now) {
		return len(before) > 0
	}
	for i := range before {
		if before[i] != now[i] {
			return true
		}
	}
	return false
}
