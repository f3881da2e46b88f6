package auth

import (
	"cmp"
	"slices"
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

// take spends one attempt for email before its password is checked, or
// returns how long to wait when none is left. Spending first, not after a
// failure, is what bounds concurrent guesses: checking a password takes
// bcrypt's ~50 ms, and guesses counted only afterwards would all pass the
// check together. A successful login gives the attempts back (reset).
func (t *throttle) take(email string) time.Duration {
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
	now := t.now()
	if b.AllowN(now, 1) {
		return 0
	}
	return time.Duration((1 - b.TokensAt(now)) * float64(t.cooldown))
}

func (t *throttle) reset(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.buckets, email)
}

// prune forgets buckets that have refilled, which carry no information,
// and, if that is not enough, the fullest half: memory stays bounded
// whatever a flood of made-up emails sends.
func (t *throttle) prune() {
	now := t.now()
	for k, b := range t.buckets {
		if b.TokensAt(now) >= float64(t.attempts) {
			delete(t.buckets, k)
		}
	}
	if len(t.buckets) < maxTracked {
		return
	}
	type entry struct {
		email  string
		tokens float64
	}
	all := make([]entry, 0, len(t.buckets))
	for k, b := range t.buckets {
		all = append(all, entry{k, b.TokensAt(now)})
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(b.tokens, a.tokens) })
	for _, e := range all[:len(all)/2] {
		delete(t.buckets, e.email)
	}
}
