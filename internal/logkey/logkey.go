// Package logkey names the attributes of Tollgate's structured log once, so
// every package writes the same key for the same thing and a reader can grep
// one name across the app's, the sandbox's and the tunnel's lines.
package logkey

// Attribute keys, for slog's key-value pairs.
const (
	Component    = "component" // the part of Tollgate that logs: billing, webhook, sandbox, tunnel, server
	Err          = "err"
	User         = "user"     // a Tollgate user id
	Customer     = "customer" // a Stripe customer id
	Session      = "session"  // a Checkout Session id
	Invoice      = "invoice"  // a Stripe invoice id
	PortalConfig = "portal_configuration"
	Plan         = "plan"
	Trial        = "trial"
	Lesson       = "lesson" // a lesson id of the course (internal/lessons)
	Clock        = "clock"  // a Stripe test clock id
	Endpoint     = "endpoint"
	EventID      = "event_id"
	EventType    = "event_type"
	Outcome      = "outcome"
	Reason       = "reason"
	APIVersion   = "api_version"
	Want         = "want"
	Delivery     = "delivery"
	Chaos        = "chaos"
	State        = "state"
	Status       = "status" // an HTTP status
	Count        = "count"
	Keep         = "keep" // a retention rule, as --keep-events writes it
	Method       = "method"
	Path         = "path"
	URL          = "url"
	Was          = "was" // what a value was before it changed
	Now          = "now"
	Mode         = "mode"
	API          = "api" // the Stripe API base in use
	Account      = "account"
	Webhook      = "webhook"
	Addr         = "addr"
	Server       = "server"
	Data         = "data" // the data folder
	Panic        = "panic"
	Stack        = "stack"
	Took         = "took"
	OK           = "ok"
	RetryIn      = "retry_in"
	Replayed     = "replayed"
	Fault        = "fault"
	Page         = "page"
	Entitlements = "entitlements"
	Pruned       = "pruned" // how many old records a retention pass deleted
)
