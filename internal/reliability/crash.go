package reliability

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// crash loads serve with signed events and kills it (SIGKILL) twice: during
// the load, and again just after the restart, while the backlog of events
// recorded but not yet applied is being worked off. Each time, what got no
// answer is delivered again, as Stripe does. At the end every event Tollgate
// acknowledged must be in its store (lost=0), each applied once
// (applied_twice=0), and none left pending.
func crash(ctx context.Context, r *Runner, res *Result) error {
	n := 5000
	if r.Short {
		n = 1000
	}
	data, err := r.dir("crash")
	if err != nil {
		return err
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("evt_reliability_%06d", i)
	}
	l := &ledger{acked: map[string]bool{}}
	env := startOpts{env: []string{"TEST_STRIPE_WEBHOOK_SECRET=" + secret}}
	var procs []*proc
	defer func() {
		for i, p := range procs {
			r.saveLog(fmt.Sprintf("crash-%d", i+1), p)
		}
	}()
	start := func() (*proc, error) {
		p, err := r.startServe(ctx, data, env)
		if err == nil {
			procs = append(procs, p)
		}
		return p, err
	}

	// 1: SIGKILL a third of the way through the load.
	p, err := start()
	if err != nil {
		return err
	}
	l.send(ctx, p, ids, func() bool { return l.count() >= n/3 }, p.kill)
	unanswered1 := n - l.count()
	// Acknowledged but not yet applied when it died: what the restart must apply first.
	backlog := l.count() - doneIDs(p.stderr())
	if backlog < 2 {
		res.failf("no backlog at the first kill (%d events): nothing to kill during", backlog)
	}

	// 2: restart, deliver what had no answer and some of what had (Stripe
	// sends some twice), and SIGKILL once the worker has applied half of
	// the events left pending.
	if p, err = start(); err != nil {
		return err
	}
	applying := func() bool { return doneIDs(p.stderr()) >= max(1, backlog/2) }
	l.send(ctx, p, l.again(ids), applying, p.kill)
	if !applying() {
		res.failf("the second kill came before the backlog was being applied")
	}
	unanswered2 := n - l.count()

	// 3: restart, deliver the rest, wait for the worker, stop cleanly.
	if p, err = start(); err != nil {
		return err
	}
	l.send(ctx, p, l.again(ids), nil, nil)
	waitQuiet(p, 3*time.Second, 2*time.Minute)
	if err := p.stop(); err != nil {
		return fmt.Errorf("stop: %w", err)
	}

	db, err := store.Open(filepath.Join(data, store.FileName))
	if err != nil {
		return err
	}
	defer db.Close()
	events, err := db.RecentEvents(ctx, 1<<30)
	if err != nil {
		return err
	}
	recorded, applied, pending := map[string]bool{}, 0, 0
	for _, e := range events {
		if !strings.HasPrefix(e.ID, "evt_reliability_") {
			continue // the embedded sandbox's own events
		}
		recorded[e.ID] = true
		if e.Outcome == tollgate.EventPending {
			pending++
		} else {
			applied++
		}
	}
	lost := 0
	for id := range l.acked {
		if !recorded[id] {
			lost++
		}
	}
	twice := 0
	counts := map[string]int{}
	for _, p := range procs {
		for _, m := range doneLine.FindAllStringSubmatch(p.stderr(), -1) {
			counts[m[1]]++
		}
	}
	for _, c := range counts {
		if c > 1 {
			twice++
		}
	}
	panics := 0
	for _, p := range procs {
		panics += p.panics()
	}
	res.add("tried", n)
	res.add("kills", 2)
	res.add("backlog", backlog)
	res.add("deliveries", l.deliveries.Load())
	// Unanswered at each kill: what Stripe would have to deliver again.
	res.add("unanswered", fmt.Sprintf("%d+%d", unanswered1, unanswered2))
	res.want("acknowledged", len(l.acked), n)
	res.want("recorded", len(recorded), n)
	res.want("applied", applied, n)
	res.want("pending", pending, 0)
	res.want("lost", lost, 0)
	res.want("applied_twice", twice, 0)
	res.want("panics", panics, 0)
	return nil
}

// doneLine is the worker's log line once an event's outcome is stored: one
// per application.
var doneLine = regexp.MustCompile(`msg="webhook event done" [^\n]*?event_id=(evt_reliability_\d+)`)

func doneIDs(log string) int { return len(doneLine.FindAllString(log, -1)) }

// waitQuiet waits until p has logged no applied event for quiet, or max.
func waitQuiet(p *proc, quiet, max time.Duration) {
	deadline := time.Now().Add(max)
	last, since := -1, time.Now()
	for time.Now().Before(deadline) {
		if n := doneIDs(p.stderr()); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ledger is what the sender knows: which events were acknowledged.
type ledger struct {
	mu         sync.Mutex
	acked      map[string]bool
	deliveries atomic.Int64
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// again is what Stripe would deliver now: every event not yet acknowledged,
// and one in ten of those that were (a redelivery Tollgate must skip).
func (l *ledger) again(ids []string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for i, id := range ids {
		if !l.acked[id] || i%10 == 0 {
			out = append(out, id)
		}
	}
	return out
}

// send delivers ids from 16 senders. Once stop reports true, kill runs
// (once) and the senders give up on the rest, which count as unanswered.
func (l *ledger) send(ctx context.Context, p *proc, ids []string, stop func() bool, kill func()) {
	c := client(10 * time.Second)
	defer c.CloseIdleConnections()
	work := make(chan string)
	var dead atomic.Bool
	var once sync.Once
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				if dead.Load() {
					continue
				}
				now := time.Now()
				body := eventBody(id, now)
				l.deliveries.Add(1)
				if deliver(ctx, c, p.base, body, sign(body, secret, now)) == 200 {
					l.mu.Lock()
					l.acked[id] = true
					l.mu.Unlock()
				}
				if stop != nil && !dead.Load() && stop() {
					once.Do(func() {
						dead.Store(true)
						kill()
					})
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	if stop != nil && !dead.Load() {
		// The load ended first: wait for the moment (a minute at most), then kill.
		for deadline := time.Now().Add(time.Minute); !stop() && !p.exited() && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		once.Do(kill)
	}
}
