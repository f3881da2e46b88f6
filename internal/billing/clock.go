package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// MaxAdvanceDays bounds one step of the clock to two years. Stripe also
// refuses to move a clock more than two intervals of its shortest
// subscription at once (two months for a monthly plan) and says so in a
// message the learner sees; the Plans screen offers only steps within that.
const MaxAdvanceDays = 730

// advanceTimeout bounds the wait for Stripe to finish advancing a clock,
// which takes seconds in Stripe and no time in the sandbox.
const advanceTimeout = 2 * time.Minute

// AdvanceClock moves the user's test clock forward by days; see AdvanceClockTo.
func (s *Service) AdvanceClock(ctx context.Context, u *tollgate.User, days int) (time.Time, error) {
	if days < 1 || days > MaxAdvanceDays {
		return time.Time{}, tollgate.Errorf(tollgate.EINVALID, "Move the clock forward by 1 to %d days.", MaxAdvanceDays)
	}
	c, clock, err := s.clock(ctx, u)
	if err != nil {
		return time.Time{}, err
	}
	return s.advance(ctx, c, time.Unix(clock.FrozenTime, 0).AddDate(0, 0, days))
}

// clock returns the user's customer and its test clock, as Stripe has it now.
func (s *Service) clock(ctx context.Context, u *tollgate.User) (*tollgate.Customer, *stripe.TestHelpersTestClock, error) {
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return nil, nil, tollgate.Errorf(tollgate.ENOTFOUND, "You have no Stripe customer yet, so there is no clock to move. Subscribe first.")
	} else if err != nil {
		return nil, nil, fmt.Errorf("billing: test clock: %w", err)
	}
	if c.TestClock == "" {
		return nil, nil, tollgate.Errorf(tollgate.EINVALID, "Your customer is not on a test clock, so time runs as it does in real life. Turn on test clocks in Settings before your next first purchase.")
	}
	clock, err := s.sc.V1TestHelpersTestClocks.Retrieve(ctx, c.TestClock, nil)
	if err != nil {
		return nil, nil, stripeError("retrieve test clock", err)
	}
	return c, clock, nil
}

// advance moves the customer's clock to target, waits until Stripe has run
// every transition that fell due, and syncs. It is how a learner sees a trial
// end, a renewal, a failed payment or a cancellation today.
func (s *Service) advance(ctx context.Context, c *tollgate.Customer, target time.Time) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, advanceTimeout)
	defer cancel()
	clock, err := s.sc.V1TestHelpersTestClocks.Advance(ctx, c.TestClock, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(target.Unix())})
	if err != nil {
		return time.Time{}, stripeError("advance test clock", err)
	}
	// Stripe advances in the background; the sandbox usually finishes at once.
	for delay := 100 * time.Millisecond; clock.Status == stripe.TestHelpersTestClockStatusAdvancing; delay = min(2*delay, 2*time.Second) {
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("billing: advance clock: %w", errors.Join(
				tollgate.Errorf(tollgate.EUNAVAILABLE, "Stripe is still moving the test clock after %v; look again in a moment.", advanceTimeout), ctx.Err()))
		case <-time.After(delay):
		}
		if clock, err = s.sc.V1TestHelpersTestClocks.Retrieve(ctx, c.TestClock, nil); err != nil {
			return time.Time{}, stripeError("retrieve test clock", err)
		}
	}
	if clock.Status != stripe.TestHelpersTestClockStatusReady {
		return time.Time{}, tollgate.Errorf(tollgate.EUNAVAILABLE, "The test clock ended in status %q instead of ready.", clock.Status)
	}
	_, err = s.sync(ctx, c.StripeID, origin{what: "moving the test clock", at: unix(clock.FrozenTime)})
	return unix(clock.FrozenTime), err
}

// The moves the Plans screen offers.
const (
	MoveDay       = "day"
	MoveWeek      = "week"
	MoveMonth     = "month"
	MoveYear      = "year"
	MoveTrialEnd  = "trial_end"
	MoveRenewal   = "renewal"
	MoveRetry     = "retry"
	MovePeriodEnd = "period_end"
)

// chargeDelay is how long after a period ends its invoice is charged: Stripe
// drafts it then and finalizes and charges it about an hour later. A move to
// a renewal lands just after the charge, so the learner sees its outcome.
const chargeDelay = time.Hour

// ClockView is the Plans screen's test clock: its time and the moves on offer.
type ClockView struct {
	ID  string    `json:"id"`
	Now time.Time `json:"now"` // the clock's frozen time
	// Moves are always all listed; one that cannot be made says why.
	Moves []ClockMove `json:"moves"`
}

// ClockMove is one way to move the clock.
type ClockMove struct {
	ID    string    `json:"id"`
	Label string    `json:"label"`
	To    time.Time `json:"to,omitzero"` // where it lands
	Why   string    `json:"why"`         // why it cannot be made now; "" when it can
}

// Clock reads the user's test clock and works out the moves: the steps, and
// one click to each coming event of the subscription, landing just after it.
func (s *Service) Clock(ctx context.Context, u *tollgate.User) (ClockView, error) {
	_, clock, err := s.clock(ctx, u)
	if err != nil {
		return ClockView{}, err
	}
	subs, err := s.store.SubscriptionsByUser(ctx, u.ID)
	if err != nil {
		return ClockView{}, fmt.Errorf("billing: clock: %w", err)
	}
	return clockView(clock.ID, unix(clock.FrozenTime), subs), nil
}

func clockView(id string, now time.Time, subs []*tollgate.Subscription) ClockView {
	v := ClockView{ID: id, Now: now}
	// Stripe moves a clock at most two intervals of its shortest subscription at once.
	limit, limitWhy := now.AddDate(0, 0, MaxAdvanceDays), ""
	var live *tollgate.Subscription
	for _, sub := range subs {
		if !sub.Live() {
			continue
		}
		if live == nil {
			live = sub
		}
		if sub.Interval == "month" {
			limit, limitWhy = now.AddDate(0, 2, 0), "Stripe moves a test clock at most two intervals of the shortest subscription at once: two months for a monthly plan."
		} else if sub.Interval == "year" && limitWhy == "" {
			limit = now.AddDate(2, 0, 0)
		}
	}
	step := func(id, label string, to time.Time) {
		m := ClockMove{ID: id, Label: label, To: to}
		if to.After(limit) {
			m.Why = limitWhy
			if m.Why == "" {
				m.Why = fmt.Sprintf("A move of at most %d days at once.", MaxAdvanceDays)
			}
		}
		v.Moves = append(v.Moves, m)
	}
	step(MoveDay, "+1 day", now.AddDate(0, 0, 1))
	step(MoveWeek, "+7 days", now.AddDate(0, 0, 7))
	step(MoveMonth, "+1 month", now.AddDate(0, 1, 0))
	step(MoveYear, "+1 year", now.AddDate(1, 0, 0))

	to := func(id, label string, at time.Time, why string) {
		if why != "" {
			v.Moves = append(v.Moves, ClockMove{ID: id, Label: label, Why: why})
			return
		}
		step(id, label, at)
	}
	if live == nil {
		for _, m := range []struct{ id, label string }{{MoveTrialEnd, "To the trial's end"}, {MoveRenewal, "To the next renewal"}, {MoveRetry, "To the next payment retry"}, {MovePeriodEnd, "Past the period end"}} {
			to(m.id, m.label, time.Time{}, "No subscription is running.")
		}
		return v
	}
	whyTrial := ""
	if live.Status != tollgate.StatusTrialing || !live.TrialEnd.After(now) {
		whyTrial = "No free trial is running."
	}
	to(MoveTrialEnd, "To the trial's end, and its first charge", live.TrialEnd.Add(chargeDelay+time.Minute), whyTrial)
	whyRenewal := ""
	switch {
	case live.CancelAtPeriodEnd:
		whyRenewal = "It does not renew: it is canceled at its period end."
	case !live.CurrentPeriodEnd.After(now):
		whyRenewal = "No renewal is due."
	}
	to(MoveRenewal, "To the next renewal, and its charge", live.CurrentPeriodEnd.Add(chargeDelay+time.Minute), whyRenewal)
	whyRetry := ""
	if live.Status != tollgate.StatusPastDue || !live.NextPaymentAttempt.After(now) {
		whyRetry = "No failed payment is waiting for a retry."
	}
	to(MoveRetry, "To the next payment retry", live.NextPaymentAttempt.Add(time.Minute), whyRetry)
	whyEnd := ""
	if !live.CancelAtPeriodEnd || !live.CurrentPeriodEnd.After(now) {
		whyEnd = "No cancellation is waiting for the period's end."
	}
	to(MovePeriodEnd, "Past the period end, when the cancellation takes effect", live.CurrentPeriodEnd.Add(time.Minute), whyEnd)
	return v
}

// MoveClock makes one of the moves Clock lists.
func (s *Service) MoveClock(ctx context.Context, u *tollgate.User, move string) (time.Time, error) {
	c, clock, err := s.clock(ctx, u)
	if err != nil {
		return time.Time{}, err
	}
	subs, err := s.store.SubscriptionsByUser(ctx, u.ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("billing: move clock: %w", err)
	}
	for _, m := range clockView(clock.ID, unix(clock.FrozenTime), subs).Moves {
		if m.ID != move {
			continue
		}
		if m.Why != "" {
			return time.Time{}, tollgate.Errorf(tollgate.EINVALID, "%s", m.Why)
		}
		return s.advance(ctx, c, m.To)
	}
	return time.Time{}, tollgate.Errorf(tollgate.EINVALID, "There is no clock move %q.", move)
}
