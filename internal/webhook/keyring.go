package webhook

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/stripe/stripe-go/v82/webhook"
)

// Keyring holds the signing secrets in force, each under the name of where it
// comes from. An event signed with any of them is valid, as Stripe itself
// allows while an endpoint's secret is rolled: so TEST_STRIPE_WEBHOOK_SECRET
// (say, printed by stripe listen) and the secret of the endpoint Tollgate made
// are honoured side by side, and neither silently shadows the other.
type Keyring struct {
	mu      sync.RWMutex
	secrets map[string]string // source → whsec_…
	// probes are secrets a sender might sign with by mistake (the API key):
	// never accepted, only tried to name the cause of a refusal.
	probes map[string]string
}

// SetProbe names a secret that must never sign a delivery but that a
// learner's code might sign with by mistake, so a refusal can say so; an
// empty secret removes it.
func (k *Keyring) SetProbe(name, secret string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if secret == "" {
		delete(k.probes, name)
		return
	}
	if k.probes == nil {
		k.probes = map[string]string{}
	}
	k.probes[name] = secret
}

// probe returns the name of the probe secret that signed header over body, or "".
func (k *Keyring) probe(header string, body []byte) string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for name, secret := range k.probes {
		if _, err := webhook.ConstructEventWithOptions(body, header, secret, webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true}); !errors.Is(err, webhook.ErrNoValidSignature) && !errors.Is(err, webhook.ErrNotSigned) && !errors.Is(err, webhook.ErrInvalidHeader) {
			return name
		}
	}
	return ""
}

// Set puts secret in force under source, replacing what that source had; an
// empty secret removes the source.
func (k *Keyring) Set(source, secret string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	secret = strings.TrimSpace(secret)
	if secret == "" {
		delete(k.secrets, source)
		return
	}
	if k.secrets == nil {
		k.secrets = map[string]string{}
	}
	k.secrets[source] = secret
}

// Sources names where the secrets in force come from, sorted.
func (k *Keyring) Sources() []string {
	keys := k.inForce()
	out := make([]string, len(keys))
	for i, key := range keys {
		out[i] = key.source
	}
	return out
}

type key struct{ source, secret string }

// inForce returns the secrets in force, sorted by source so that a delivery
// is checked against them in a stable order.
func (k *Keyring) inForce() []key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]key, 0, len(k.secrets))
	for source, secret := range k.secrets {
		out = append(out, key{source, secret})
	}
	slices.SortFunc(out, func(a, b key) int { return strings.Compare(a.source, b.source) })
	return out
}

func sourceList(keys []key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.source
	}
	return strings.Join(names, ", ")
}

// Secrets returns the signing secrets in force, so that what Tollgate hands
// out (the lab report) can be checked to contain none of them.
func (k *Keyring) Secrets() []string {
	keys := k.inForce()
	out := make([]string, len(keys))
	for i, key := range keys {
		out[i] = key.secret
	}
	return out
}
