package billing

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Access is what the Access screen shows: the entitlements Tollgate keeps
// locally (from the summary events) beside Stripe's live answer, so a learner
// can see the webhook at work and spot when the two disagree.
type Access struct {
	HasCustomer bool     `json:"hasCustomer"`
	CustomerID  string   `json:"customerId"`
	Local       []string `json:"local"`
	Live        []string `json:"live"`
	LiveError   string   `json:"liveError"`
	// OnlyLocal and OnlyLive are the differences; both empty when in step.
	OnlyLocal []string `json:"onlyLocal"`
	OnlyLive  []string `json:"onlyLive"`
	// The guide's two flags.
	HasTestAccess  bool `json:"hasTestAccess"`
	HasTestAccess2 bool `json:"hasTestAccess2"`
	// Why says how each entitlement (held or lost) last came or went.
	Why []Reason `json:"why"`
	// Notice, while a payment has failed, says that access continues during Stripe's retries, and until when.
	Notice string `json:"notice"`
}

// Reason is how an entitlement last came or went, in words.
type Reason struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// Access reads the user's entitlements. With no Stripe customer it makes no
// Stripe call at all: there is nothing to ask about.
func (s *Service) Access(ctx context.Context, u *tollgate.User) (Access, error) {
	a := Access{Local: []string{}, Live: []string{}, OnlyLocal: []string{}, OnlyLive: []string{}, Why: []Reason{}}
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return a, nil
	} else if err != nil {
		return a, fmt.Errorf("billing: access: %w", err)
	}
	a.HasCustomer, a.CustomerID = true, c.StripeID
	local, err := s.store.EntitlementsByCustomer(ctx, c.StripeID)
	if err != nil {
		return a, fmt.Errorf("billing: access: %w", err)
	}
	a.Local = append(a.Local, local.LookupKeys...)
	for ae, err := range s.sc.V1EntitlementsActiveEntitlements.List(ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(c.StripeID)}) {
		if err != nil {
			// The local copy still answers; say why the live one is missing.
			a.LiveError = tollgate.ErrorMessage(stripeError("list active entitlements", err))
			a.Live = nil
			break
		}
		a.Live = append(a.Live, ae.LookupKey)
	}
	slices.Sort(a.Local)
	if a.Live != nil {
		slices.Sort(a.Live)
		a.OnlyLocal, a.OnlyLive = minus(a.Local, a.Live), minus(a.Live, a.Local)
	}
	a.HasTestAccess = local.Has(tollgate.FeatureTestAccess)
	a.HasTestAccess2 = local.Has(tollgate.FeatureTestAccess2)
	for _, key := range slices.Sorted(maps.Keys(local.Why)) {
		a.Why = append(a.Why, Reason{Key: key, Text: reasonText(local.Why[key])})
	}
	if a.Notice, err = (Gate{Store: s.store}).notice(ctx, u); err != nil {
		return a, err
	}
	return a, nil
}

// reasonText says how an entitlement came or went: when (on Stripe's clock),
// with which subscription, and what told Tollgate.
func reasonText(c tollgate.EntitlementChange) string {
	verb := "Granted"
	if !c.Granted {
		verb = "Removed"
	}
	text := verb + " " + c.At.UTC().Format("2 Jan 2006, 15:04 UTC")
	if c.Subscription != "" {
		text += fmt.Sprintf(", when subscription %s was %s", c.Subscription, c.Status)
	}
	return text + ". Tollgate learnt it from " + c.Source + "."
}

// Why says how key last came or went for the user, and Notice what a failed
// payment means for access; both from the local copy, with no Stripe call.
func (g Gate) Why(ctx context.Context, u *tollgate.User, key string) (why, notice string, err error) {
	c, err := g.Store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return "", "", nil
	} else if err != nil {
		return "", "", fmt.Errorf("billing: why %s: %w", key, err)
	}
	e, err := g.Store.EntitlementsByCustomer(ctx, c.StripeID)
	if err != nil {
		return "", "", fmt.Errorf("billing: why %s: %w", key, err)
	}
	if change, ok := e.Why[key]; ok {
		why = reasonText(change)
	}
	notice, err = g.notice(ctx, u)
	return why, notice, err
}

// notice says, while a subscription is past_due, that access continues during
// Stripe's retries and until when: the entitlements follow the subscription,
// which stays past_due until a retry pays or the last one fails.
func (g Gate) notice(ctx context.Context, u *tollgate.User) (string, error) {
	subs, err := g.Store.SubscriptionsByUser(ctx, u.ID)
	if err != nil {
		return "", fmt.Errorf("billing: notice: %w", err)
	}
	for _, sub := range subs {
		if sub.Status != tollgate.StatusPastDue {
			continue
		}
		until := "until Stripe's last retry"
		if !sub.NextPaymentAttempt.IsZero() {
			until = "at least until the next attempt, " + sub.NextPaymentAttempt.UTC().Format("2 Jan 2006, 15:04 UTC") + ", and on through the retries after it"
		}
		return "Your last payment failed, but access continues while Stripe retries: " + until + ". If every retry fails, Stripe cancels the subscription and access ends then; update the card to keep it.", nil
	}
	return "", nil
}

func minus(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Gate answers whether a user may see a feature from the local copy alone,
// with no network round trip: the webhook keeps that copy current, which is
// the point of having one. It needs no Stripe key, so Premium keeps its answer
// while Stripe is unreachable or not set up.
type Gate struct {
	Store tollgate.BillingStore
}

// RequireFeature returns nil when the user's customer has the entitlement
// key, and a Forbidden error that says what to do otherwise.
func (g Gate) RequireFeature(ctx context.Context, u *tollgate.User, key string) error {
	c, err := g.Store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return tollgate.Errorf(tollgate.EFORBIDDEN, "Premium needs the %s entitlement, and you have no subscription yet. Choose a plan on the Plans screen.", key)
	} else if err != nil {
		return fmt.Errorf("billing: require %s: %w", key, err)
	}
	e, err := g.Store.EntitlementsByCustomer(ctx, c.StripeID)
	if err != nil {
		return fmt.Errorf("billing: require %s: %w", key, err)
	}
	if !e.Has(key) {
		why := ""
		if change, ok := e.Why[key]; ok && !change.Granted {
			why = " " + reasonText(change)
		}
		return tollgate.Errorf(tollgate.EFORBIDDEN, "Premium needs the %s entitlement, which your account does not have now.%s Choose a plan on the Plans screen.", key, why)
	}
	return nil
}

// Status is what the Plans screen shows about the user's subscriptions.
type Status struct {
	HasCustomer   bool                    `json:"hasCustomer"`
	TestClock     string                  `json:"testClock"`
	Subscriptions []tollgate.Subscription `json:"subscriptions"`
	// PaymentFailed is set while a subscription is past_due: the banner's cue.
	PaymentFailed bool `json:"paymentFailed"`
}

// Status reads the local copy; it makes no Stripe call.
func (s *Service) Status(ctx context.Context, u *tollgate.User) (Status, error) {
	st := Status{Subscriptions: []tollgate.Subscription{}}
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return st, nil
	} else if err != nil {
		return st, fmt.Errorf("billing: status: %w", err)
	}
	st.HasCustomer, st.TestClock = true, c.TestClock
	subs, err := s.store.SubscriptionsByUser(ctx, u.ID)
	if err != nil {
		return st, fmt.Errorf("billing: status: %w", err)
	}
	for _, sub := range subs {
		st.Subscriptions = append(st.Subscriptions, *sub)
		if sub.Status == tollgate.StatusPastDue {
			st.PaymentFailed = true
		}
	}
	return st, nil
}
