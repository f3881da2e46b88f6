package sandbox

import (
	"slices"
	"time"
)

// Chaos is what the sandbox's webhook delivery does wrong on purpose, so a
// learner can watch an endpoint survive what Stripe's documentation warns
// of: events late, twice, out of order, or lost and sent again. It lives in
// memory only: a restart delivers as Stripe normally does. The zero value
// is no chaos.
type Chaos struct {
	// Delay holds each new event back this long before its first delivery.
	Delay time.Duration
	// Duplicate delivers each event a second time once it has succeeded:
	// Stripe may send an event more than once, and says so.
	Duplicate bool
	// Reorder sends new events newest first: each burst (the events one
	// request or one clock step makes) goes out reversed, and a lone event
	// waits up to reorderHold for a newer one to overtake it.
	Reorder bool
	// Drop loses every other new event on its first delivery, as a broken
	// network would: nothing reaches the endpoint, no answer comes back, so
	// the sandbox sends it again after Redeliver, as Stripe retries any
	// delivery that got no 2xx.
	Drop bool
	// Redeliver is the wait before a dropped event is sent again; default 5 s.
	Redeliver time.Duration
}

// Marks on a DeliveryAttempt that chaos made.
const (
	ChaosDropped   = "dropped"   // the attempt never left: lost on the way
	ChaosDuplicate = "duplicate" // a second delivery of an event already delivered
)

// DefaultRedeliver is Chaos.Redeliver's default.
const DefaultRedeliver = 5 * time.Second

// reorderHold is how long Reorder keeps a lone new event back, so that an
// event made soon after (the next step of a flow) overtakes it.
const reorderHold = time.Second

// SetChaos sets the delivery chaos; the zero Chaos turns it off. Deliveries
// already waiting follow the new setting at once.
func (s *Sandbox) SetChaos(c Chaos) {
	if c.Delay < 0 {
		c.Delay = 0
	}
	if c.Redeliver <= 0 {
		c.Redeliver = DefaultRedeliver
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chaos = c
	s.wakeDeliveries()
}

// Chaos returns the delivery chaos in force.
func (s *Sandbox) Chaos() Chaos {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chaos
}

// takeFresh removes and returns the fresh queue's next delivery due at now
// under chaos c; with none due it returns how long until one is, or 0 when
// the queue is empty. Without chaos it is the oldest, at once.
func (q *deliveryQueue) takeFresh(c Chaos, now time.Time) (*delivery, time.Duration) {
	if len(q.fresh) == 0 {
		return nil, 0
	}
	i := 0
	if c.Reorder {
		i = len(q.fresh) - 1
		if i == 0 {
			if wait := q.fresh[0].queued.Add(reorderHold).Sub(now); wait > 0 {
				return nil, wait
			}
		}
	}
	d := q.fresh[i]
	if wait := d.queued.Add(c.Delay).Sub(now); c.Delay > 0 && wait > 0 {
		return nil, wait
	}
	q.fresh = slices.Delete(q.fresh, i, i+1)
	return d, 0
}

// drops decides whether the next new delivery is lost, under mu: every
// other one, so that the events after a lost one overtake it.
func (s *Sandbox) drops() bool {
	if !s.chaos.Drop {
		return false
	}
	s.dropped = !s.dropped
	return s.dropped
}
