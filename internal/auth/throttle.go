package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle slows down password guessing: each email has a token bucket that
// failed logins drain and time refills. It lives in memory, because a restart
// is itself slower than the cooldown.
type throttle struct {
	mu       sync.Mutex
	now      func() time.Time
	attempts int
	cooldown time.Duration
	buckets  map[string]*rate.Limiter
}

// maxTracked bounds the map so that a flood of made-up emails cannot grow it without end.
const maxTracked = 10_000

func newThrottle(now func() time.Time, attempts int, cooldown time.Duration) *throttle {
	return &throttle{now: now, attempts: attempts, cooldown: cooldown, buckets: map[string]*rate.Limiter{}}
}

// wait returns how long the email must wait before its next attempt, 0 if none.
func (t *throttle) wait(email string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[email]
	if !ok {
		return 0
	}
	now := t.now()
	if tokens := b.TokensAt(now); tokens < 1 {
		return time.Duration((1 - tokens) * float64(t.cooldown))
	}
	return 0
}

func (t *throttle) fail(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[email]
	if !ok {
		if len(t.buckets) >= maxTracked {
			t.prune()
		}
		b = rate.NewLimiter(rate.Every(t.cooldown), t.attempts)
		t.buckets[email] = b
	}
	b.AllowN(t.now(), 1)
}

func (t *throttle) reset(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.buckets, email)
}

// prune forgets buckets that have refilled, which carry no information.
func (t *throttle) prune() {
	now := t.now()
	for k, b := range t.buckets {
		if b.TokensAt(now) >= float64(t.attempts) {
			delete(t.buckets, k)
		}
	}
}
