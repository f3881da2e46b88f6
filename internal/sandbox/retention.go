package sandbox

import (
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

// Retention is which events the sandbox keeps: every event of the last Age,
// and the last PerCustomer events of each customer whatever their age (a
// zero Retention is DefaultRetention; otherwise a zero field keeps nothing
// by that measure). An
// event still owed to a webhook endpoint (a delivery pending) is kept too,
// or the endpoint could never get it. Older events, and their finished
// deliveries, are deleted in the background, so the event log, and the
// memory and file that hold it, stay the size of what is recent.
type Retention struct {
	Age         time.Duration // default 7 days
	PerCustomer int           // default 200
	// Every is how often the sandbox prunes; default one minute.
	Every time.Duration
}

// DefaultRetention is the rule Tollgate keeps its own events by, too.
var DefaultRetention = Retention{Age: 7 * day, PerCustomer: 200, Every: time.Minute}

func (r Retention) withDefaults() Retention {
	if r.Age == 0 && r.PerCustomer == 0 {
		r.Age, r.PerCustomer = DefaultRetention.Age, DefaultRetention.PerCustomer
	}
	if r.Every <= 0 {
		r.Every = DefaultRetention.Every
	}
	return r
}

// pruneBatch bounds the events one step deletes, so that pruning a large
// backlog never holds the state lock for long: requests run between steps.
const pruneBatch = 1000

// pruneLoop prunes once at start and then every Retention.Every.
func (s *Sandbox) pruneLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.Retention.Every)
	defer t.Stop()
	for {
		if _, err := s.pruneEvents(); err != nil {
			s.log.Error("prune events", logkey.Err, err)
		}
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pruneEvents deletes the events the retention no longer keeps, a batch at
// a time, and returns how many it deleted.
func (s *Sandbox) pruneEvents() (int, error) {
	total := 0
	for {
		n, more, err := s.pruneStep()
		total += n
		if err != nil || !more || s.ctx.Err() != nil {
			return total, err
		}
	}
}

// pruneStep deletes up to pruneBatch events and says whether more may be
// due. Events are walked oldest first and the walk stops at the first one
// recorded within Age, so a step costs the old events still kept (a
// customer's last ones, those pending) and what it deletes, not the log.
func (s *Sandbox) pruneStep() (int, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.cfg.Retention
	cutoff := s.cfg.Now().Add(-r.Age).Unix()
	var gone []*event
	more := false
	for _, ev := range events.all(s.st) {
		if recorded(ev) >= cutoff {
			break
		}
		if len(gone) == pruneBatch {
			more = true
			break
		}
		// Among the customer's last PerCustomer events? Events about no
		// customer (the catalog's) count as one customer's, as in
		// Tollgate's own log.
		l := eventsByCustomer.of(s.st, ev.Customer)
		if len(l)-l.search(ev.Seq) <= r.PerCustomer {
			continue
		}
		if s.owed(ev) {
			continue
		}
		gone = append(gone, ev)
	}
	for _, ev := range gone {
		deliveriesByEvent.delAll(s.st, ev.ID)
		events.del(s.st, ev.ID)
	}
	if len(gone) == 0 {
		return 0, false, nil
	}
	if err := s.commit(s.ctx); err != nil {
		return 0, false, err
	}
	s.log.Debug("pruned events", logkey.Pruned, len(gone))
	return len(gone), more, nil
}

// owed says whether an endpoint still waits for the event: a delivery of
// it is pending (new, or failed and due again).
func (s *Sandbox) owed(ev *event) bool {
	for _, d := range deliveriesByEvent.of(s.st, ev.ID) {
		if d.State == deliveryPending {
			return true
		}
	}
	return false
}

// recorded is when the event was made on the wall clock; events stored
// before that was kept go by their creation.
func recorded(ev *event) int64 {
	if ev.Recorded != 0 {
		return ev.Recorded
	}
	return ev.Created
}
