package lab

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Bounds of the delivery chaos a learner may ask for: long enough to see,
// short enough that a forgotten switch costs a minute, not an evening.
const (
	MaxChaosDelay = 60 * time.Second
	MaxOutage     = 10 * time.Minute
)

// Chaos is the delivery chaos the Events screen switches: what the embedded
// sandbox does wrong when it delivers webhook events, and an outage of
// Tollgate's own endpoint. Only in sandbox mode: on a Stripe account
// delivery is Stripe's to do, and its retries come hours apart.
type Chaos struct {
	Available bool   `json:"available"`
	Reason    string `json:"reason"` // why not, when not available
	// DelaySeconds holds each new event back before its first delivery.
	DelaySeconds int  `json:"delaySeconds"`
	Duplicate    bool `json:"duplicate"` // each event delivered twice
	Reorder      bool `json:"reorder"`   // new events sent newest first
	Drop         bool `json:"drop"`      // every other new event lost once, sent again RedeliverSeconds later
	// RedeliverSeconds is how long a dropped event waits to be sent again.
	RedeliverSeconds int `json:"redeliverSeconds"`
	// OutageSeconds, when SetChaos is given it above 0, makes Tollgate's
	// endpoint answer 503 for that long from now; 0 leaves an outage running.
	OutageSeconds int `json:"outageSeconds"`
	// OutageUntil is when the outage ends; zero when there is none.
	OutageUntil time.Time `json:"outageUntil"`
	EndOutage   bool      `json:"endOutage"` // SetChaos: end a running outage now
}

// Chaos returns the delivery chaos in force.
func (l *Lab) Chaos() Chaos {
	if l.State().Mode != ModeSandbox {
		return Chaos{Reason: "Delivery chaos works only with Tollgate's own sandbox: on a Stripe account, Stripe delivers the events, and its retries come hours apart."}
	}
	sb := l.drillSandbox()
	if sb == nil {
		return Chaos{Reason: "The sandbox is not running."}
	}
	c := sb.Chaos()
	out := Chaos{Available: true, DelaySeconds: int(c.Delay / time.Second), Duplicate: c.Duplicate, Reorder: c.Reorder, Drop: c.Drop,
		RedeliverSeconds: int(c.Redeliver / time.Second)}
	if out.RedeliverSeconds == 0 {
		out.RedeliverSeconds = int(sandbox.DefaultRedeliver / time.Second)
	}
	if until := l.Webhook.OutageUntil(); time.Now().Before(until) {
		out.OutageUntil = until.UTC()
	}
	return out
}

// SetChaos sets the sandbox's delivery chaos and starts or ends an outage
// of the endpoint, and returns what is now in force.
func (l *Lab) SetChaos(ctx context.Context, c Chaos) (Chaos, error) {
	switch {
	case c.DelaySeconds < 0 || time.Duration(c.DelaySeconds)*time.Second > MaxChaosDelay:
		return Chaos{}, tollgate.Errorf(tollgate.EINVALID, "Delay each event by 0 to %d seconds.", int(MaxChaosDelay/time.Second))
	case c.RedeliverSeconds < 0 || time.Duration(c.RedeliverSeconds)*time.Second > MaxChaosDelay:
		return Chaos{}, tollgate.Errorf(tollgate.EINVALID, "Send a dropped event again after 1 to %d seconds.", int(MaxChaosDelay/time.Second))
	case c.OutageSeconds < 0 || time.Duration(c.OutageSeconds)*time.Second > MaxOutage:
		return Chaos{}, tollgate.Errorf(tollgate.EINVALID, "An outage lasts 1 to %d seconds.", int(MaxOutage/time.Second))
	}
	sb := l.drillSandbox()
	if sb == nil {
		return Chaos{}, tollgate.Errorf(tollgate.EINVALID, "%s", l.Chaos().Reason)
	}
	sb.SetChaos(sandbox.Chaos{Delay: time.Duration(c.DelaySeconds) * time.Second, Duplicate: c.Duplicate, Reorder: c.Reorder,
		Drop: c.Drop, Redeliver: time.Duration(c.RedeliverSeconds) * time.Second})
	switch {
	case c.EndOutage:
		l.Webhook.RefuseUntil(time.Time{})
	case c.OutageSeconds > 0:
		l.Webhook.RefuseUntil(time.Now().Add(time.Duration(c.OutageSeconds) * time.Second))
	}
	got := l.Chaos()
	l.log.Info("delivery chaos set", logkey.Chaos, fmt.Sprintf("%+v", got))
	return got, nil
}
