package lab

import (
	"errors"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// The Settings screen's "Simulate Stripe trouble" reaches the embedded
// sandbox here, as Reset does, and nowhere else: the billing code under test
// cannot tell these faults from Stripe's own.

// drillSandbox is the embedded sandbox while Tollgate talks to it, for the
// controls only it has; nil otherwise.
func (l *Lab) drillSandbox() *sandbox.Server {
	if l.State().Mode != ModeSandbox {
		return nil
	}
	return l.drills.Load()
}

// troubledSandbox is drillSandbox, or why Stripe trouble cannot be had.
func (l *Lab) troubledSandbox() (*sandbox.Server, error) {
	sb := l.drillSandbox()
	if sb == nil {
		return nil, tollgate.Errorf(tollgate.EINVALID, "Only Tollgate's own sandbox can simulate Stripe trouble; a real Stripe account has its own, now and then.")
	}
	return sb, nil
}

// StripeTrouble lists the faults the embedded sandbox plays; none outside sandbox mode.
func (l *Lab) StripeTrouble() []fault.Active {
	sb, err := l.troubledSandbox()
	if err != nil {
		return []fault.Active{}
	}
	return sb.Faults()
}

// SimulateStripeTrouble puts the fault spec (fault.Syntax) in force and lists those in force.
func (l *Lab) SimulateStripeTrouble(spec string) ([]fault.Active, error) {
	sb, err := l.troubledSandbox()
	if err != nil {
		return nil, err
	}
	sp, err := fault.Parse(spec)
	if err != nil {
		return nil, tollgate.Errorf(tollgate.EINVALID, "%s", err.Error())
	}
	if err := sb.AddFault(sp); errors.Is(err, fault.ErrTooMany) {
		return nil, tollgate.Errorf(tollgate.EINVALID, "At most %d kinds of trouble at once: stop them first.", fault.MaxActive)
	} else if err != nil {
		return nil, err
	}
	l.log.Info("simulating Stripe trouble", logkey.Fault, sp.String())
	return sb.Faults(), nil
}

// StopStripeTrouble takes every fault out of force.
func (l *Lab) StopStripeTrouble() ([]fault.Active, error) {
	sb, err := l.troubledSandbox()
	if err != nil {
		return nil, err
	}
	sb.ClearFaults()
	return sb.Faults(), nil
}
