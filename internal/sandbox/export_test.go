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

// ExpandField is one field of an object type that expand[] may name, as
// its declaration says: Kind is "ref" (an id expanded into an object of
// type To, or always null when To is empty), "nested" (an object of type To
// always there) or "included" (given only when expanded).
type ExpandField struct {
	Path, Kind, To string
}

// ExpandableFields are the declared fields of every object type, by its
// name, for the conformance test to hold against Stripe's spec.
func ExpandableFields() map[string][]ExpandField {
	kinds := map[fieldKind]string{fieldRef: "ref", fieldNested: "nested", fieldIncluded: "included"}
	out := map[string][]ExpandField{}
	for name, t := range objectTypes {
		out[name] = []ExpandField{}
		for _, f := range t.fields {
			out[name] = append(out[name], ExpandField{Path: f.path, Kind: kinds[f.kind], To: f.to})
		}
	}
	return out
}

// PruneEvents runs the event retention now, as its background loop does,
// and returns how many events it deleted.
func (s *Sandbox) PruneEvents() (int, error) { return s.pruneEvents() }
