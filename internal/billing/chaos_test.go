package billing_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// TestDeliveryChaos runs a purchase, a cancellation in the portal and the
// period's end with the sandbox delivering webhooks badly on purpose, one
// switch at a time, and no success page: the events alone carry the state.
// Whatever the delivery did, every event must be recorded once and applied,
// and the local copy must end as Stripe has it.
func TestDeliveryChaos(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chaos sandbox.Chaos
		// outage makes the app's endpoint answer 503 for this long from the start.
		outage time.Duration
		check  func(t *testing.T, e *env, ds []sandbox.Delivery, evs map[string]*tollgate.Event)
	}{
		{name: "Delay", chaos: sandbox.Chaos{Delay: 2 * time.Second}},
		{name: "Duplicate", chaos: sandbox.Chaos{Duplicate: true}, check: func(t *testing.T, e *env, ds []sandbox.Delivery, evs map[string]*tollgate.Event) {
			// A duplicate follows its delivery's success, so the last ones may still be on their way.
			eventually(t, "every event's duplicate sent and skipped", func() bool {
				ds, evs = e.deliveries()
				return !slices.ContainsFunc(ds, func(d sandbox.Delivery) bool {
					return countChaos(d, sandbox.ChaosDuplicate) == 0 || evs[d.EventID] == nil || len(evs[d.EventID].Duplicates) == 0
				})
			})
			for _, d := range ds {
				if n := countChaos(d, sandbox.ChaosDuplicate); n != 1 {
					t.Errorf("%s %s: %d duplicate deliveries, want 1", d.EventID, d.EventType, n)
				}
				if ev := evs[d.EventID]; ev != nil && len(ev.Duplicates) != 1 {
					t.Errorf("%s %s: %d duplicates recorded as skipped, want 1", d.EventID, d.EventType, len(ev.Duplicates))
				}
			}
		}},
		{name: "Reorder", chaos: sandbox.Chaos{Reorder: true}, check: func(t *testing.T, e *env, ds []sandbox.Delivery, evs map[string]*tollgate.Event) {
			if !overtook(ds) {
				t.Error("every event arrived in the order it was made; want some reversed")
			}
		}},
		{name: "Drop", chaos: sandbox.Chaos{Drop: true, Redeliver: 300 * time.Millisecond}, check: func(t *testing.T, e *env, ds []sandbox.Delivery, evs map[string]*tollgate.Event) {
			dropped := 0
			for _, d := range ds {
				if countChaos(d, sandbox.ChaosDropped) > 0 {
					dropped++
					if len(d.Attempts) != 2 || d.Attempts[1].StatusCode != http.StatusOK {
						t.Errorf("%s: attempts %+v, want the drop and then a delivery", d.EventID, d.Attempts)
					}
				}
			}
			if dropped == 0 || dropped > (len(ds)+1)/2 {
				t.Errorf("%d of %d events dropped, want every other one", dropped, len(ds))
			}
		}},
		{name: "Outage", outage: 700 * time.Millisecond, check: func(t *testing.T, e *env, ds []sandbox.Delivery, evs map[string]*tollgate.Event) {
			refused := map[string]bool{}
			for _, r := range e.wh.Refusals() {
				if r.Status == http.StatusServiceUnavailable {
					refused[r.EventID] = true
				}
			}
			if len(refused) == 0 {
				t.Fatal("no delivery refused with 503 during the outage")
			}
			for _, d := range ds {
				if refused[d.EventID] && (d.Attempts[0].StatusCode != http.StatusServiceUnavailable || d.Attempts[len(d.Attempts)-1].StatusCode != http.StatusOK) {
					t.Errorf("%s: attempts %+v, want 503 first and a retry that got through", d.EventID, d.Attempts)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, options{webhooks: true, backoff: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 2 * time.Second}})
			e.sb.SetChaos(tc.chaos)
			if tc.outage > 0 {
				e.wh.RefuseUntil(time.Now().Add(tc.outage))
			}
			u := e.user("ada@example.com")
			r, err := e.billing.Checkout(e.ctx, u, billing.Monthly, false)
			if err != nil {
				t.Fatal(err)
			}
			e.pay(r.URL, "4242424242424242", "")
			if tc.chaos.Delay > 0 {
				// Moments after paying, nothing has arrived: every event waits out the delay.
				if evs, _ := e.db.RecentEvents(e.ctx, 100); len(evs) != 0 {
					t.Errorf("%d events arrived within the delay, want none yet", len(evs))
				}
			}
			eventually(t, "the subscription from webhooks alone", func() bool {
				st := e.status(u)
				return len(st.Subscriptions) == 1 && st.Subscriptions[0].Status == tollgate.StatusActive
			})
			e.portal(u, "cancel")
			eventually(t, "the cancellation from webhooks", func() bool { return e.onlySubscription(u).CancelAtPeriodEnd })
			if _, err := e.billing.AdvanceClock(e.ctx, u, 32); err != nil {
				t.Fatal(err)
			}
			ds, evs := e.settle()

			sub := e.onlySubscription(u)
			live, err := e.stripe.V1Subscriptions.Retrieve(e.ctx, sub.StripeID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sub.Status != string(live.Status) || sub.Status != tollgate.StatusCanceled {
				t.Errorf("local status %s, Stripe's %s; want both canceled", sub.Status, live.Status)
			}
			if a := e.access(u); len(a.Local) != 0 || len(a.Live) != 0 {
				t.Errorf("access = local %v, live %v; want none after the period's end", a.Local, a.Live)
			}
			for _, d := range ds {
				ev := evs[d.EventID]
				switch {
				case ev == nil:
					t.Errorf("%s %s: delivered but not recorded", d.EventID, d.EventType)
				case ev.Outcome != tollgate.EventApplied && ev.Outcome != tollgate.EventIgnored:
					t.Errorf("%s %s: outcome %s (%s), want applied or ignored", ev.ID, ev.Type, ev.Outcome, ev.Error)
				}
			}
			if tc.check != nil {
				tc.check(t, e, ds, evs)
			}
		})
	}
}

// settle waits until the sandbox has no delivery pending to the app and the
// app no event pending, and returns the deliveries and the recorded events.
func (e *env) settle() ([]sandbox.Delivery, map[string]*tollgate.Event) {
	e.t.Helper()
	eventually(e.t, "every delivery made and applied", func() bool {
		ds := e.sb.Deliveries(e.epID)
		if slices.ContainsFunc(ds, func(d sandbox.Delivery) bool { return d.State != "succeeded" }) {
			return false
		}
		pending, err := e.db.PendingEvents(e.ctx, 0, 1)
		return err == nil && len(pending) == 0
	})
	return e.deliveries()
}

// deliveries returns the sandbox's deliveries to the app and the events the app recorded, by id.
func (e *env) deliveries() ([]sandbox.Delivery, map[string]*tollgate.Event) {
	e.t.Helper()
	all, err := e.db.RecentEvents(e.ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	evs := make(map[string]*tollgate.Event, len(all))
	for _, ev := range all {
		evs[ev.ID] = ev
	}
	return e.sb.Deliveries(e.epID), evs
}

func countChaos(d sandbox.Delivery, mark string) int {
	n := 0
	for _, a := range d.Attempts {
		if a.Chaos == mark {
			n++
		}
	}
	return n
}

// overtook reports whether some event (deliveries are in the order their
// events were made) got through before one made earlier.
func overtook(ds []sandbox.Delivery) bool {
	through := func(d sandbox.Delivery) time.Time {
		for _, a := range d.Attempts {
			if a.StatusCode == http.StatusOK {
				return a.At
			}
		}
		return time.Time{}
	}
	for i := 1; i < len(ds); i++ {
		if through(ds[i]).Before(through(ds[i-1])) {
			return true
		}
	}
	return false
}
