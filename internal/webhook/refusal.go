package webhook

import (
	"slices"
	"sync"
	"time"
)

// Refusal is a delivery the endpoint refused, kept so the Events screen can
// list it with its likely cause: a learner whose events never arrive should
// see why in Tollgate, not only in Stripe's dashboard.
type Refusal struct {
	At     time.Time `json:"at"`
	Status int       `json:"status"`
	Reply  string    `json:"reply"` // what the sender was told
	Cause  string    `json:"cause"` // the likely cause, in plain words
	// What the body claims to be; unverified, since it was refused.
	EventID   string `json:"eventId"`
	EventType string `json:"eventType"`
}

// refusal is why verify refuses a delivery.
type refusal struct {
	status int
	reply  string // one line, for the sender
	cause  string // plain words, for the learner
}

// The likely causes that need no detail of the delivery.
const (
	causeNoSecret  = "Tollgate has no signing secret yet, so it cannot tell Stripe's deliveries from forgeries. Set TEST_STRIPE_WEBHOOK_SECRET (stripe listen prints it), or add an ngrok authtoken on Settings so that Tollgate makes its own endpoint."
	causeNotSigned = "The delivery has no Stripe-Signature header: not sent by Stripe or stripe listen, or something on the way (a proxy) removed the header."
	causeMalformed = "The Stripe-Signature header is not in Stripe's t=…,v1=… form: not Stripe's."
)

// maxRefusals is how many refusals are kept. They live in memory only: the
// endpoint faces the internet through the tunnel, and a flood of forgeries
// must cost no disk writes.
const maxRefusals = 50

type refusals struct {
	mu   sync.Mutex
	list []Refusal // oldest first
}

func (rs *refusals) add(r Refusal) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.list = append(rs.list, r)
	if len(rs.list) > maxRefusals {
		rs.list = slices.Delete(rs.list, 0, len(rs.list)-maxRefusals)
	}
}

// Refusals returns the latest refused deliveries, newest first.
func (h *Handler) Refusals() []Refusal {
	h.refusals.mu.Lock()
	defer h.refusals.mu.Unlock()
	out := append(make([]Refusal, 0, len(h.refusals.list)), h.refusals.list...) // never nil: the screen reads a list
	slices.Reverse(out)
	return out
}

// clip bounds what an unverified body claims, which is shown on a screen.
func clip(s string) string {
	const max = 100
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
