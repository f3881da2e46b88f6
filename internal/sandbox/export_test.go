package sandbox

import "time"

// WebhookBackoff is the schedule the sandbox retries on, after defaults, so
// a test can check the default without waiting hours for it.
func (s *Sandbox) WebhookBackoff() []time.Duration { return s.cfg.WebhookBackoff }

// WithLimits shortens the server's limits, so a test sees them act in
// moments: timeouts of d, and conns connections at once.
func WithLimits(d time.Duration, conns int) func(*Config) {
	return func(c *Config) { c.limits = limits{readHeader: d, read: d, write: d, idle: d, conns: conns} }
}
