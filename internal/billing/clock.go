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

// AdvanceClock moves the user's test clock forward by days, waits until Stripe
// has run every transition that fell due, and syncs. It is how a learner sees
// a trial end, a renewal, a failed payment or a cancellation today.
func (s *Service) AdvanceClock(ctx context.Context, u *tollgate.User, days int) (time.Time, error) {
	if days < 1 || days > MaxAdvanceDays {
		return time.Time{}, tollgate.Errorf(tollgate.EINVALID, "Move the clock forward by 1 to %d days.", MaxAdvanceDays)
	}
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return time.Time{}, tollgate.Errorf(tollgate.ENOTFOUND, "You have no Stripe customer yet, so there is no clock to move. Subscribe first.")
	} else if err != nil {
		return time.Time{}, fmt.Errorf("billing: advance clock: %w", err)
	}
	if c.TestClock == "" {
		return time.Time{}, tollgate.Errorf(tollgate.EINVALID, "Your customer is not on a test clock, so time runs as it does in real life. Turn on test clocks in Settings before your next first purchase.")
	}
	ctx, cancel := context.WithTimeout(ctx, advanceTimeout)
	defer cancel()
	clock, err := s.sc.V1TestHelpersTestClocks.Retrieve(ctx, c.TestClock, nil)
	if err != nil {
		return time.Time{}, stripeError("retrieve test clock", err)
	}
	target := time.Unix(clock.FrozenTime, 0).AddDate(0, 0, days)
	clock, err = s.sc.V1TestHelpersTestClocks.Advance(ctx, c.TestClock, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(target.Unix())})
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
	return unix(clock.FrozenTime), s.Sync(ctx, c.StripeID)
}
