package sandbox

import "time"

// WebhookBackoff is the schedule the sandbox retries on, after defaults, so
// a test can check the default without waiting hours for it.
func (s *Sandbox) WebhookBackoff() []time.Duration { return s.cfg.WebhookBackoff }
