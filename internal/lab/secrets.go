package lab

import "context"

// Secrets returns every secret this Tollgate holds: the Stripe key in force
// (the embedded sandbox's random one, or the learner's), the webhook signing
// secrets and the ngrok authtoken. What Tollgate writes for others to read,
// the lab report, is scrubbed of them.
func (l *Lab) Secrets(ctx context.Context) []string {
	out := l.keys.Secrets()
	// Effective fills in what it read even when it finds a value wrong.
	eff, _ := l.Settings.Effective(ctx)
	out = append(out, eff.Stripe.SecretKey, eff.Stripe.WebhookSecret, eff.Ngrok.Authtoken)
	l.setupMu.Lock()
	out = append(out, l.sandboxKey)
	l.setupMu.Unlock()
	return out
}
