// Package fault describes the trouble the sandbox can play instead of an
// answer (a 500, a 429, a slow answer, a dropped connection) and keeps the
// ones in force. It is its own package so the command line can check a
// --fault spec without starting a sandbox.
package fault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what the sandbox does instead of answering.
type Kind string

const (
	// ServerError answers 500 with Stripe's api_error body.
	ServerError Kind = "500"
	// RateLimit answers 429 with a Retry-After header and Stripe's rate_limit body.
	RateLimit Kind = "429"
	// Slow waits before answering as usual.
	Slow Kind = "slow"
	// Drop carries the request out and then closes the connection without
	// an answer: the worst case, where Stripe did the work and the client
	// cannot know.
	Drop Kind = "drop"
)

// Defaults and bounds of a fault's wait.
const (
	DefaultRetryAfter = time.Second
	DefaultSlow       = 5 * time.Second
	MaxWait           = 2 * time.Minute
	MaxTimes          = 1000
	maxPath           = 200
)

// Syntax is the spec's grammar, for error messages and help.
const Syntax = "[METHOD] /v1/PATH KIND [xN], KIND one of 500, 429[=WAIT], slow[=WAIT], drop; " +
	"e.g. 'POST /v1/customers 500 x3' or '/v1/checkout/sessions slow=10s'"

// Spec is one fault: which requests it hits and what it does to them.
type Spec struct {
	Method string        // upper case; "" hits every method
	Path   string        // a path prefix under /v1/, such as /v1/checkout/sessions
	Kind   Kind          // what to do instead of answering
	Wait   time.Duration // Slow: the delay; RateLimit: the Retry-After
	Times  int           // how many requests it hits; 0 means until cleared
}

// Parse reads a spec such as "POST /v1/customers 500 x3".
func Parse(s string) (Spec, error) {
	f := strings.Fields(s)
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("fault %q: %s (write %s)", s, fmt.Sprintf(format, args...), Syntax)
	}
	var sp Spec
	if len(f) > 0 && !strings.HasPrefix(f[0], "/") {
		switch m := strings.ToUpper(f[0]); m {
		case "GET", "POST", "DELETE":
			sp.Method, f = m, f[1:]
		default:
			return bad("%q is not GET, POST or DELETE", f[0])
		}
	}
	if len(f) < 2 || len(f) > 3 {
		return bad("it needs a path and a kind")
	}
	sp.Path = f[0]
	if !strings.HasPrefix(sp.Path, "/v1/") && sp.Path != "/v1" || strings.ContainsAny(sp.Path, "?#") || len(sp.Path) > maxPath {
		return bad("the path must start with /v1/, as Stripe's API paths do")
	}
	kind, wait, hasWait := strings.Cut(f[1], "=")
	sp.Kind = Kind(strings.ToLower(kind))
	switch sp.Kind {
	case ServerError, Drop:
		if hasWait {
			return bad("%s takes no =WAIT", sp.Kind)
		}
	case RateLimit, Slow:
		sp.Wait = map[Kind]time.Duration{RateLimit: DefaultRetryAfter, Slow: DefaultSlow}[sp.Kind]
		if hasWait {
			d, err := time.ParseDuration(wait)
			if err != nil || d <= 0 || d > MaxWait {
				return bad("the wait %q is not a duration between 1ms and %v, such as 3s", wait, MaxWait)
			}
			if sp.Kind == RateLimit && d%time.Second != 0 {
				return bad("Retry-After is in whole seconds, not %v", d)
			}
			sp.Wait = d
		}
	default:
		return bad("%q is not a kind", f[1])
	}
	if len(f) == 3 {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(f[2]), "x"))
		if err != nil || !strings.HasPrefix(strings.ToLower(f[2]), "x") || n < 1 || n > MaxTimes {
			return bad("%q is not a count such as x3 (1 to %d)", f[2], MaxTimes)
		}
		sp.Times = n
	}
	return sp, nil
}

// String writes the spec as Parse reads it.
func (sp Spec) String() string {
	var b strings.Builder
	if sp.Method != "" {
		b.WriteString(sp.Method + " ")
	}
	b.WriteString(sp.Path + " " + string(sp.Kind))
	if sp.Kind == Slow && sp.Wait != DefaultSlow || sp.Kind == RateLimit && sp.Wait != DefaultRetryAfter {
		b.WriteString("=" + sp.Wait.String())
	}
	if sp.Times > 0 {
		fmt.Fprintf(&b, " x%d", sp.Times)
	}
	return b.String()
}

func (sp Spec) hits(method, path string) bool {
	if sp.Method != "" && sp.Method != method {
		return false
	}
	return path == sp.Path || strings.HasPrefix(path, strings.TrimSuffix(sp.Path, "/")+"/")
}

// Active is a fault in force, as Settings shows it.
type Active struct {
	Spec string `json:"spec"`
	// Left is how many more requests it hits; -1 until cleared.
	Left int `json:"left"`
	// Hit is how many requests it has hit so far.
	Hit int `json:"hit"`
}

// Set holds the faults in force; safe for concurrent use. Its zero value is empty.
type Set struct {
	mu     sync.Mutex
	faults []*entry
}

type entry struct {
	Spec
	left, hit int // left is -1 until cleared
}

// ErrTooMany refuses a fault past MaxActive.
var ErrTooMany = errors.New("too many faults at once")

// MaxActive bounds the faults in force, whoever adds them.
const MaxActive = 64

// Add puts sp in force, replacing a fault on the same method and path.
func (s *Set) Add(sp Spec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &entry{Spec: sp, left: sp.Times}
	if sp.Times == 0 {
		e.left = -1
	}
	for i, old := range s.faults {
		if old.Method == sp.Method && old.Path == sp.Path {
			s.faults[i] = e
			return nil
		}
	}
	if len(s.faults) >= MaxActive {
		return ErrTooMany
	}
	s.faults = append(s.faults, e)
	return nil
}

// Clear removes every fault.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Take returns the first fault in force that hits method and path, counting
// the hit; a fault whose count runs out is removed.
func (s *Set) Take(method, path string) (Spec, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.faults {
		if !e.hits(method, path) {
			continue
		}
		e.hit++
		if e.left > 0 {
			e.left--
		}
		if e.left == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return e.Spec, true
	}
	return Spec{}, false
}

// Active lists the faults in force, oldest first.
func (s *Set) Active() []Active {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Active, 0, len(s.faults))
	for _, e := range s.faults {
		out = append(out, Active{Spec: e.Spec.String(), Left: e.left, Hit: e.hit})
	}
	return out
}
