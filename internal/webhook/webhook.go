// Package webhook serves POST /payments/event: it verifies Stripe's signature,
// records each event durably, skips redeliveries and applies events in the background.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

const (
	// MaxBody bounds an event body. Stripe's events are a few KiB; anything
	// near this is not Stripe, and reading it would only cost memory.
	MaxBody = 1 << 20
	// Tolerance is how old a signature may be: Stripe's own default, which
	// limits how long a captured delivery can be replayed.
	Tolerance = 300 * time.Second
	// maxIDLen is the longest id Stripe makes.
	maxIDLen = 255
	// pendingPage is how many pending events the worker reads at a time.
	pendingPage = 64
	// maxSaving bounds the outcomes being saved while the worker goes on.
	maxSaving = 256
)

// Replies a person or the Stripe dashboard may read; each is one line.
const (
	msgNoSecret = "no webhook secret configured; set TEST_STRIPE_WEBHOOK_SECRET or start with --insecure-webhooks"
	msgRecorded = "event recorded"
	msgDup      = "duplicate event, already recorded"
)

// Options configure a Handler.
type Options struct {
	Events  tollgate.EventStore
	Applier tollgate.EventApplier
	// Keys holds the signing secrets in force; they may change at run time,
	// for example when Tollgate creates a new endpoint. Nil means none.
	Keys *Keyring
	// Insecure (--insecure-webhooks) accepts unsigned events while no secret is
	// configured, for trying the app without a Stripe endpoint.
	Insecure bool
	Logger   *slog.Logger
	// Now is the clock for the signature tolerance and for Received; default time.Now.
	Now func() time.Time
	// Done, when set, is called after each event's result is recorded, so
	// the faces can show it; it must not block.
	Done func(*tollgate.Event)
	// Skipped, when set, is called once a redelivery of an event already
	// recorded was skipped, before it is answered; it must not block.
	Skipped func(ctx context.Context, id string)
}

// Handler is the http.Handler for POST /payments/event and the single worker
// that applies what it records.
//
// The handler and the worker meet only in the store, through its pending
// index, which lists events in the order their records were committed. The
// worker reads it from where it last read (its cursor), so each recorded event
// is read once: a delivery committed before a read is in it, and one
// committed after signals wake, so the worker reads again. No lock is shared
// between deliveries, which can then share one commit (the store's group
// commit) instead of queueing for one fsync each.
type Handler struct {
	o   Options
	log *slog.Logger

	wake  chan struct{} // a buffered signal that events were recorded, or Retry was called
	retry atomic.Bool   // read the pending index from its start again
	wg    sync.WaitGroup

	refusals refusals

	outageMu sync.Mutex
	outage   time.Time // until when every delivery is answered 503; guarded by outageMu
}

// New returns the handler. Until Start, events are verified, recorded and
// answered but not applied; Start applies them.
func New(o Options) *Handler {
	if o.Events == nil || o.Applier == nil {
		panic("webhook: New needs Options.Events and Options.Applier")
	}
	if o.Keys == nil {
		o.Keys = &Keyring{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Insecure {
		o.Logger.Warn("--insecure-webhooks is on: while no webhook secret is configured, unsigned events are accepted, so anyone who can reach the endpoint can forge them")
	}
	return &Handler{o: o, log: o.Logger, wake: make(chan struct{}, 1)}
}

// ServeHTTP answers one delivery. A new event is answered as soon as it is
// recorded: Stripe times out slow endpoints and redelivers, and applying an
// event means calling Stripe back, which can take seconds.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.answer(w, h.refused(nil, &refusal{http.StatusMethodNotAllowed, "use POST to deliver Stripe events",
			"Stripe delivers events with POST; this was a " + r.Method + ", as a browser or a probe sends."}))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.answer(w, h.refused(nil, &refusal{http.StatusRequestEntityTooLarge, fmt.Sprintf("event body is larger than %d bytes", MaxBody),
			"Far larger than any Stripe event: not from Stripe."}))
		return
	} else if err != nil {
		h.answer(w, h.refused(nil, &refusal{http.StatusBadRequest, "could not read the event body: " + err.Error(),
			"The connection broke while the event was being sent; Stripe sends it again."}))
		return
	}
	if until := h.OutageUntil(); h.o.Now().Before(until) {
		// Refused after reading, unlike a server that is truly down, only so
		// the Events screen can say which event was turned away.
		h.answer(w, h.refused(body, &refusal{http.StatusServiceUnavailable, "endpoint unavailable: deliveries are refused for the outage drill; send it again later",
			fmt.Sprintf("Tollgate's endpoint was down on purpose (the outage switch, until %s): it answered 503 without recording the event, as a server that is restarting or overloaded would. Stripe sends it again on its retry schedule, and the retry is recorded once the outage ends.", until.UTC().Format("15:04:05 UTC"))}))
		return
	}
	h.answer(w, h.receive(r.Context(), r.Header.Get("Stripe-Signature"), body))
}

// RefuseUntil makes the endpoint answer every delivery 503 until t, as an
// app that is down would, so a learner sees Stripe retry and nothing lost;
// a t in the past ends the outage.
func (h *Handler) RefuseUntil(t time.Time) {
	h.outageMu.Lock()
	defer h.outageMu.Unlock()
	h.outage = t
}

// OutageUntil returns when the outage RefuseUntil began ends; zero or past
// when there is none.
func (h *Handler) OutageUntil() time.Time {
	h.outageMu.Lock()
	defer h.outageMu.Unlock()
	return h.outage
}

// answer is a reply to a delivery.
type answer struct {
	status int
	text   string
}

func (h *Handler) answer(w http.ResponseWriter, a answer) { reply(w, a.status, a.text) }

// receive verifies, records and answers one delivery's body: the work of
// ServeHTTP once the body is read, shared with Replay.
func (h *Handler) receive(ctx context.Context, signature string, body []byte) answer {
	e, why := h.verify(signature, body)
	if why != nil {
		return h.refused(body, why)
	}
	e.Received = h.o.Now().UTC()
	e.Payload = body

	isNew, err := h.record(ctx, e)
	if err != nil {
		// Not answering 2xx makes Stripe redeliver later, so nothing is lost.
		h.log.Error("could not record a webhook event", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Err, err)
		return answer{http.StatusInternalServerError, "could not record the event; Stripe will deliver it again"}
	}
	if !isNew {
		h.log.Info("skipped a redelivered webhook event", logkey.EventID, e.ID, logkey.EventType, e.Type)
		if h.o.Skipped != nil {
			h.o.Skipped(ctx, e.ID)
		}
		return answer{http.StatusOK, msgDup}
	}
	return answer{http.StatusOK, msgRecorded}
}

// verify returns the event in body, or why to refuse it.
func (h *Handler) verify(header string, body []byte) (*tollgate.Event, *refusal) {
	keys := h.o.Keys.inForce()
	if len(keys) == 0 {
		if !h.o.Insecure {
			return nil, &refusal{http.StatusBadRequest, msgNoSecret, causeNoSecret}
		}
		e, why := decode(body)
		if why == nil {
			h.log.Warn("accepted an unsigned event: --insecure-webhooks is on", logkey.EventID, e.ID, logkey.EventType, e.Type)
		}
		return e, why
	}

	// stripe-go measures the tolerance against time.Now, which tests cannot
	// move; so it checks the signature here and the age is checked below
	// against o.Now. Events of another API version are accepted: Tollgate reads
	// only ids from an event and re-reads the objects through stripe-go, so the
	// version of the payload does not matter, while refusing it would lose every
	// event of an endpoint (or `stripe listen`) on the account's default version.
	//
	// stripe-go checks the signature alone here: its ConstructEvent would
	// also decode every field of data.object into maps, most of a delivery's
	// cost, while Tollgate reads four fields (decode) and the applier its own.
	err := webhook.ErrNoValidSignature
	for _, k := range keys {
		err = webhook.ValidatePayloadIgnoringTolerance(body, header, k.secret)
		if !errors.Is(err, webhook.ErrNoValidSignature) {
			break // valid, or a fault of the header that no other secret mends
		}
	}
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		return nil, &refusal{http.StatusBadRequest, "missing Stripe-Signature header", causeNotSigned}
	case errors.Is(err, webhook.ErrInvalidHeader):
		return nil, &refusal{http.StatusBadRequest, "malformed Stripe-Signature header", causeMalformed}
	case errors.Is(err, webhook.ErrNoValidSignature):
		return nil, &refusal{http.StatusBadRequest, "no valid signature: the event is signed with none of the secrets in force (" + sourceList(keys) + ")", h.badSignature(header, body, keys)}
	case err != nil: // none other is documented; refused all the same
		return nil, &refusal{http.StatusBadRequest, "malformed Stripe-Signature header: " + err.Error(), causeMalformed}
	}
	// The signature is valid from here on, so the timestamp it covers is Stripe's.
	signed, ok := signedAt(header)
	if !ok {
		return nil, &refusal{http.StatusBadRequest, "malformed Stripe-Signature header", causeMalformed}
	}
	if age := h.o.Now().Sub(signed); age > Tolerance {
		return nil, &refusal{http.StatusBadRequest, fmt.Sprintf("signature timestamp is more than %d s old", int(Tolerance/time.Second)),
			fmt.Sprintf("Signed %s ago, and Tollgate accepts 5 minutes: a captured delivery sent again (a replay attack), or this machine's clock is off by that much.", age.Round(time.Second))}
	}
	e, why := decode(body)
	if why == nil && e.APIVersion != stripe.APIVersion {
		h.log.Warn("accepted an event of another API version; Tollgate re-reads its objects with stripe-go's",
			logkey.EventID, e.ID, logkey.APIVersion, e.APIVersion, logkey.Want, stripe.APIVersion)
	}
	return e, why
}

// signedAt returns the t= timestamp of a Stripe-Signature header; like
// stripe-go, the last one wins.
func signedAt(header string) (time.Time, bool) {
	var t time.Time
	ok := false
	for pair := range strings.SplitSeq(header, ",") {
		if v, found := strings.CutPrefix(pair, "t="); found {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			t, ok = time.Unix(sec, 0), true
		}
	}
	return t, ok
}

// decode reads the fields of an event Tollgate records, or why to refuse it.
func decode(body []byte) (*tollgate.Event, *refusal) {
	var se struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		APIVersion string `json:"api_version"`
		Created    int64  `json:"created"`
	}
	if err := json.Unmarshal(body, &se); err != nil {
		return nil, notJSON(err)
	}
	if se.ID == "" {
		return nil, &refusal{http.StatusBadRequest, "event has no id", "The body has no event id: not a Stripe event."}
	}
	// Stripe's ids are at most 255 characters; a longer one is not Stripe's,
	// and would not fit bbolt's keys (a 500 on every redelivery).
	if len(se.ID) > maxIDLen || len(se.Type) > maxIDLen {
		return nil, &refusal{http.StatusBadRequest, fmt.Sprintf("event id or type longer than %d characters", maxIDLen), "Stripe's ids and types are at most 255 characters: not a Stripe event."}
	}
	e := &tollgate.Event{ID: se.ID, Type: se.Type, APIVersion: se.APIVersion}
	if se.Created != 0 {
		e.Created = time.Unix(se.Created, 0).UTC()
	}
	return e, nil
}

// badSignature names the likeliest cause of a signature that no secret in
// force matches: signed with the API key, an event of another API version
// (so from an endpoint made elsewhere), or simply another secret.
func (h *Handler) badSignature(header string, body []byte, keys []key) string {
	if name := h.o.Keys.probe(header, body); name != "" {
		return "Signed with " + name + " instead of a webhook signing secret: whoever sent it signed with the API key (sk_…). Webhook signatures use the endpoint's whsec_ secret."
	}
	cause := "Signed with a secret Tollgate does not hold (it holds: " + sourceList(keys) + "). With stripe listen, paste the whsec_ it printed this time; with an endpoint you made, its signing secret from the dashboard. Or the body was changed on the way."
	var claim struct {
		APIVersion string `json:"api_version"`
	}
	if json.Unmarshal(body, &claim) == nil && claim.APIVersion != "" && claim.APIVersion != stripe.APIVersion {
		cause += " It is also of API version " + claim.APIVersion + ", not the " + stripe.APIVersion + " of the endpoints Tollgate makes: it likely comes from an endpoint made elsewhere (the dashboard, or stripe listen on the account's version), whose secret Tollgate does not hold."
	}
	return cause
}

func notJSON(err error) *refusal {
	return &refusal{http.StatusBadRequest, "event body is not a JSON Stripe event: " + err.Error(), "The body is not a Stripe event."}
}

// record stores e and, if it is new, wakes the worker without waiting for it.
func (h *Handler) record(ctx context.Context, e *tollgate.Event) (isNew bool, err error) {
	isNew, err = h.o.Events.RecordEvent(ctx, e)
	if isNew {
		h.signal()
	}
	return isNew, err
}

func (h *Handler) signal() {
	select {
	case h.wake <- struct{}{}:
	default: // a wake-up is already waiting
	}
}

// Start starts the worker, which applies one event at a time until ctx ends.
// It first applies the events left pending when the app last stopped, then new
// ones in arrival order. Call it once.
func (h *Handler) Start(ctx context.Context) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		w := worker{Handler: h, saving: make(chan struct{}, maxSaving)}
		defer w.saves.Wait()
		w.run(ctx)
	}()
}

// Retry makes the worker apply the events still pending, such as those left
// while Stripe could not be reached; the lab calls it once Stripe is set up again.
func (h *Handler) Retry() {
	h.retry.Store(true)
	h.signal()
}

// Wait returns once the worker has stopped after its context ended, and the
// outcomes it applied are saved.
func (h *Handler) Wait() { h.wg.Wait() }

// worker is the state of the one goroutine that applies events.
type worker struct {
	*Handler
	// cursor is the Seq of the last event read: an event left pending (Stripe
	// unreachable, its outcome not saved) is not read again until Retry or
	// the next start, so it cannot be applied over and over.
	cursor uint64
	// Outcomes are saved while the next events are applied, so the worker's
	// writes share commits with the deliveries' instead of waiting for one
	// each; saving bounds how many, saves waits for them.
	saving chan struct{}
	saves  sync.WaitGroup
}

func (w *worker) run(ctx context.Context) {
	for ctx.Err() == nil {
		if w.retry.Swap(false) {
			// An outcome still being saved would read as pending: wait for it,
			// or its event would be applied twice.
			w.saves.Wait()
			w.cursor = 0
		}
		todo, err := w.o.Events.PendingEvents(ctx, w.cursor, pendingPage)
		if err != nil && ctx.Err() == nil {
			w.log.Error("could not read pending webhook events; they will be applied at the next start or retry", logkey.Err, err)
		}
		for _, e := range todo {
			if ctx.Err() != nil {
				return
			}
			w.cursor = e.Seq
			w.apply(ctx, e)
		}
		if len(todo) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		}
	}
}

// apply applies e and saves what it did, in the background.
func (w *worker) apply(ctx context.Context, e *tollgate.Event) {
	h := w.Handler
	res, err := h.applyRecovering(ctx, e)
	outcome := res.Outcome
	if err != nil && ctx.Err() != nil {
		// Stopping mid-way is not the event's fault: leave it pending for the next start.
		h.log.Info("left a webhook event pending for the next start", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Err, err)
		return
	}
	if tollgate.ErrorCode(err) == tollgate.EUNAVAILABLE {
		// Stripe unreachable or billing not set up: nothing is wrong with the
		// event, so it stays pending and is tried again by Retry or at the next start.
		h.log.Warn("left a webhook event pending until Stripe can be reached", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Err, err)
		return
	}
	errText := ""
	if err != nil {
		// The text is shown on the Events screen: the user's words, not the machine's.
		outcome, errText = tollgate.EventFailed, tollgate.ErrorMessage(err)
		h.log.Warn("applying a webhook event failed", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Err, err)
	} else if outcome != tollgate.EventApplied && outcome != tollgate.EventIgnored {
		outcome, errText = tollgate.EventFailed, fmt.Sprintf("the applier returned the unknown outcome %q", outcome)
	}
	// The work is done even if ctx has just ended, so the outcome is saved regardless.
	res.Outcome = outcome
	w.saving <- struct{}{}
	w.saves.Add(1)
	go func() {
		defer func() { <-w.saving; w.saves.Done() }()
		if err := h.o.Events.SetEventResult(context.WithoutCancel(ctx), e.ID, res, errText); err != nil {
			h.log.Error("could not record a webhook event's outcome; it stays pending", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Outcome, outcome, logkey.Err, err)
			return
		}
		if outcome == tollgate.EventFailed {
			h.log.Warn("webhook event failed", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Outcome, outcome, logkey.Err, errText)
		} else {
			h.log.Info("webhook event done", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Outcome, outcome)
		}
		h.done(e)
	}()
}

func (h *Handler) done(e *tollgate.Event) {
	if h.o.Done != nil {
		h.o.Done(e)
	}
}

// applyRecovering turns a panic in the applier into an error, so that one bad
// event is recorded as failed instead of stopping every later one.
func (h *Handler) applyRecovering(ctx context.Context, e *tollgate.Event) (res tollgate.EventResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("applying a webhook event panicked", logkey.EventID, e.ID, logkey.EventType, e.Type, logkey.Panic, p, logkey.Stack, string(debug.Stack()))
			res, err = tollgate.EventResult{}, fmt.Errorf("panic: %v", p)
		}
	}()
	return h.o.Applier.ApplyEvent(ctx, e)
}

// refused logs a refusal and keeps it for the Events screen, so that a
// misconfigured endpoint shows up in Tollgate and not only in Stripe's dashboard.
func (h *Handler) refused(body []byte, why *refusal) answer {
	h.log.Warn("refused a webhook delivery", logkey.Status, why.status, logkey.Reason, why.reply)
	r := Refusal{At: h.o.Now().UTC(), Status: why.status, Reply: why.reply, Cause: why.cause}
	// What the body claims to be, unverified, so the learner can tell which delivery it was.
	var claim struct{ ID, Type string }
	if json.Unmarshal(body, &claim) == nil {
		r.EventID, r.EventType = clip(claim.ID), clip(claim.Type)
	}
	h.refusals.add(r)
	return answer{why.status, why.reply}
}

func reply(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	io.WriteString(w, text+"\n")
}
