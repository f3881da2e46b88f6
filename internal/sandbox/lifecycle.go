package sandbox

import (
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

// Kinds of timed transitions, in the order they run when due at one instant.
const (
	dueTrialWillEnd = iota
	dueRetry
	dueFinalize
	duePeriodEnd
)

type due struct {
	at   int64
	kind int
	sub  *subscription
	inv  *invoice
}

func (d due) before(o due) bool {
	if d.at != o.at {
		return d.at < o.at
	}
	if d.kind != o.kind {
		return d.kind < o.kind
	}
	return d.sub.Seq < o.sub.Seq
}

// nextDue finds the earliest transition at or before until among the
// subscriptions on the clock ("" for those on real time).
func (s *Sandbox) nextDue(clockID string, until int64) (due, bool) {
	var best due
	found := false
	consider := func(d due) {
		if d.at <= until && (!found || d.before(best)) {
			best, found = d, true
		}
	}
	for _, sub := range subsByClock.of(s.st, clockID) {
		if !sub.entitled() {
			continue
		}
		if sub.Status == subTrialing && !sub.TrialWillEndSent {
			consider(due{at: max(sub.TrialEnd-int64(3*day/time.Second), sub.Created), kind: dueTrialWillEnd, sub: sub})
		}
		consider(due{at: sub.PeriodEnd, kind: duePeriodEnd, sub: sub})
	}
	for _, inv := range invoicesByClock.of(s.st, clockID) {
		d := due{at: inv.NextPaymentAttempt, kind: dueRetry, inv: inv}
		switch {
		case inv.Status == invDraft && inv.AutoFinalizeAt != 0:
			d.at, d.kind = inv.AutoFinalizeAt, dueFinalize
		case inv.Status != invOpen || inv.NextPaymentAttempt == 0:
			continue
		}
		if sub := subscriptions.get(s.st, inv.Subscription); sub != nil && sub.entitled() {
			d.sub = sub
			consider(d)
		}
	}
	return best, found
}

// apply runs one transition at its own time.
func (s *Sandbox) apply(d due) {
	at := time.Unix(d.at, 0)
	switch d.kind {
	case dueTrialWillEnd:
		d.sub.TrialWillEndSent = true
		subscriptions.put(s.st, d.sub)
		s.emit(at, "customer.subscription.trial_will_end", s.renderSubscription(d.sub))
	case dueRetry:
		s.retryInvoice(d.inv, at, true, nil)
	case dueFinalize:
		s.collectDraft(d.inv, at)
	case duePeriodEnd:
		if d.sub.CancelAtPeriodEnd {
			s.endSubscription(d.sub, at, "cancellation_requested")
			return
		}
		s.renew(d.sub, at)
	}
}

// maxStepsPerTick bounds one tick's work, so a far-future Now cannot hold
// the lock for long; the next tick continues.
const maxStepsPerTick = 500

// tick moves objects that are not on a test clock to Config.Now.
func (s *Sandbox) tick() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		now := s.cfg.Now()
		for range maxStepsPerTick {
			d, ok := s.nextDue("", now.Unix())
			if !ok {
				break
			}
			s.apply(d)
		}
		s.expireSessions(now)
		if err := s.commit(s.ctx); err != nil {
			s.log.Error("tick", logkey.Err, err)
		}
		s.mu.Unlock()
	}
}
