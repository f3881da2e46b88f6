package sandbox

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

// clocks are test clocks.
var clocks *resource[testClock]

func init() {
	clocks = declare(&resource[testClock]{
		bucket: "test_clocks",
		prefix: "clock_",
		object: "test_helpers.test_clock",
		render: func(_ *Sandbox, c *testClock) map[string]any { return renderClock(c) },
	})
}

const (
	clockReady     = "ready"
	clockAdvancing = "advancing"
)

type testClock struct {
	base
	Name       string `json:"name,omitempty"`
	FrozenTime int64  `json:"frozen_time"`
	Status     string `json:"status"`
	Target     int64  `json:"target,omitempty"`
}

func renderClock(c *testClock) map[string]any {
	details := map[string]any{}
	if c.Status == clockAdvancing {
		details["advancing"] = map[string]any{"target_frozen_time": c.Target}
	}
	return map[string]any{"id": c.ID, "object": "test_helpers.test_clock", "created": c.Created,
		"deletes_after": c.Created + int64(30*day/time.Second), "frozen_time": c.FrozenTime, "livemode": false,
		"name": nullable(c.Name), "status": c.Status, "status_details": details}
}

func (s *Sandbox) createClock(c *call) (any, error) {
	p := c.p
	if !p.has("frozen_time") {
		p.fail(errMissing("frozen_time"))
	}
	frozen := p.integer(0, 0, 1<<40, "frozen_time")
	name := p.str("name")
	if err := p.finish(); err != nil {
		return nil, err
	}
	clk := &testClock{base: clocks.newBase(s.st, s.cfg.Now()), Name: name, FrozenTime: frozen, Status: clockReady}
	clocks.put(s.st, clk)
	s.emit(s.cfg.Now(), "test_helpers.test_clock.created", renderClock(clk))
	return renderClock(clk), nil
}

func (s *Sandbox) listClocks(c *call) (any, error) {
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	return page(c, a, clocks.sorted(s.st, nil), func(clk *testClock) any { return renderClock(clk) })
}

// deleteClock deletes the clock with its customers and their objects, as
// Stripe does.
func (s *Sandbox) deleteClock(c *call) (any, error) {
	clk, err := clocks.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	// Each walk copies its list (newest), since del changes it.
	for _, cu := range customersByClock.newest(s.st, clk.ID, nil) {
		customers.del(s.st, cu.ID)
		paymentIntentsByCustomer.delAll(s.st, cu.ID)
		chargesByCustomer.delAll(s.st, cu.ID)
		setupIntentsByCustomer.delAll(s.st, cu.ID)
	}
	subsByClock.delAll(s.st, clk.ID)
	for _, inv := range invoicesByClock.newest(s.st, clk.ID, nil) {
		invoices.del(s.st, inv.ID)
		invoicePaymentsByInvoice.delAll(s.st, inv.ID)
	}
	clocks.del(s.st, clk.ID)
	return deleted(clk.ID, "test_helpers.test_clock"), nil
}

// advanceClock answers like Stripe (the clock, status advancing) and then,
// before the response is written, runs every transition due up to the new
// time, releasing the lock between transitions so the clock can be read
// as advancing meanwhile.
func (s *Sandbox) advanceClock(c *call) (any, error) {
	clk, err := clocks.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	if !p.has("frozen_time") {
		p.fail(errMissing("frozen_time"))
	}
	target := p.integer(0, 0, 1<<40, "frozen_time")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if clk.Status == clockAdvancing {
		return nil, invalid("", "", "This test clock is already advancing; wait until its status is ready.")
	}
	if target <= clk.FrozenTime {
		return nil, invalid("frozen_time", "", "The frozen_time must be after the test clock's current frozen_time (%d).", clk.FrozenTime)
	}
	if limit, per := s.advanceLimit(clk); target > limit.Unix() {
		return nil, invalid("frozen_time", "", "A test clock can advance at most two intervals of the shortest interval among its subscriptions, or two years without any: here %s, so frozen_time can be at most %d.", per, limit.Unix())
	}
	if s.ctx.Err() != nil {
		return nil, &apiError{Status: http.StatusServiceUnavailable, Type: typeAPI, Message: "The Tollgate sandbox is shutting down; try again once it is back."}
	}
	clk.Status, clk.Target = clockAdvancing, target
	clocks.put(s.st, clk)
	s.emit(time.Unix(clk.FrozenTime, 0), "test_helpers.test_clock.advancing", renderClock(clk))
	id := clk.ID
	// Counted while mu is held and the sandbox is not yet stopped (stop
	// cancels under mu), so Close waits for this advance to notice.
	s.wg.Add(1)
	c.after = func() {
		defer s.wg.Done()
		s.advance(id)
	}
	return renderClock(clk), nil
}

// advanceLimit is how far Stripe lets a clock move in one advance: two
// intervals of the shortest interval among its live subscriptions, or two
// years when it has none. per describes the interval for the error.
func (s *Sandbox) advanceLimit(clk *testClock) (limit time.Time, per string) {
	from := time.Unix(clk.FrozenTime, 0)
	limit, per = addInterval(from, "year", 2), "2 years"
	for _, sub := range subsByClock.of(s.st, clk.ID) {
		if !sub.entitled() {
			continue
		}
		interval, count := s.subInterval(sub)
		count = max(count, 1)
		if l := addInterval(from, interval, 2*count); l.Before(limit) {
			limit, per = l, fmt.Sprintf("2 × %d %s", count, interval)
		}
	}
	return limit, per
}

// maxAdvanceSteps guards against a transition that fails to move time on.
const maxAdvanceSteps = 100000

// advance runs the clock to its target; called without the lock.
func (s *Sandbox) advance(clockID string) {
	for steps := 0; ; steps++ {
		s.mu.Lock()
		// On Close, stop between steps: each step is committed, the clock
		// stays advancing on disk and Open resumes it.
		if s.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		clk := clocks.get(s.st, clockID)
		if clk == nil { // deleted or reset meanwhile
			s.mu.Unlock()
			return
		}
		d, ok := s.nextDue(clockID, clk.Target)
		if ok && steps > maxAdvanceSteps {
			s.log.Error("advance: too many transitions; stopping", logkey.Clock, clockID)
			ok = false
		}
		if ok {
			clk.FrozenTime = max(clk.FrozenTime, d.at)
			clocks.put(s.st, clk)
			s.apply(d)
		} else {
			clk.FrozenTime, clk.Status, clk.Target = clk.Target, clockReady, 0
			clocks.put(s.st, clk)
			s.emit(time.Unix(clk.FrozenTime, 0), "test_helpers.test_clock.ready", renderClock(clk))
		}
		if err := s.commit(s.ctx); err != nil {
			s.log.Error("advance", logkey.Clock, clockID, logkey.Err, err)
		}
		s.mu.Unlock()
		if !ok {
			return
		}
	}
}
