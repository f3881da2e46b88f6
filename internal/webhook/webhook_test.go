package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
	tgwebhook "github.com/tollgate/tollgate/internal/webhook"
)

const (
	testSecret = "whsec_test_0123456789abcdef"
	// payloadMarker sits inside every test event's data, so a test can tell
	// whether a payload leaked into the log.
	payloadMarker = "sub_payload_marker"
	typeActedOn   = "customer.subscription.updated"
)

// eventJSON is the smallest body stripe-go accepts as an event.
func eventJSON(id, typ, apiVersion string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"object":"event","type":%q,"api_version":%q,"created":1756900000,"data":{"object":{"id":%q,"object":"subscription","status":"active"}}}`,
		id, typ, apiVersion, payloadMarker)
}

func newEvent(id string) []byte { return eventJSON(id, typeActedOn, stripe.APIVersion) }

// sign returns a Stripe-Signature header for body, signed now with secret.
func sign(body []byte, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header
}

// recordingApplier is a test double of the app's own EventApplier interface: it
// records the ids it is given, in order, and acts on one event type only,
// unless fn says otherwise.
type recordingApplier struct {
	mu  sync.Mutex
	ids []string
	fn  func(ctx context.Context, e *tollgate.Event) (string, error)
}

// ApplyEvent says every event concerns user 7's customer cus_of_<id>, so
// tests can see that whom an event concerns is recorded, whatever its outcome.
func (a *recordingApplier) ApplyEvent(ctx context.Context, e *tollgate.Event) (tollgate.EventResult, error) {
	a.mu.Lock()
	a.ids = append(a.ids, e.ID)
	fn := a.fn
	a.mu.Unlock()
	outcome, err := tollgate.EventIgnored, error(nil)
	switch {
	case fn != nil:
		outcome, err = fn(ctx, e)
	case e.Type == typeActedOn:
		outcome = tollgate.EventApplied
	}
	return tollgate.EventResult{Outcome: outcome, CustomerID: "cus_of_" + e.ID, UserID: 7}, err
}

func (a *recordingApplier) applied() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fmt.Sprint(a.ids)
}

// syncBuffer collects log lines written by the handler and its worker at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	db      *store.DB
	h       *tgwebhook.Handler
	url     string
	applier *recordingApplier
	logs    *syncBuffer
}

// keys returns a keyring holding secrets by source.
func keys(secrets map[string]string) *tgwebhook.Keyring {
	k := &tgwebhook.Keyring{}
	for source, secret := range secrets {
		k.Set(source, secret)
	}
	return k
}

// newEnv serves a handler over real HTTP on 127.0.0.1 with a real store; the
// worker is not running until start.
func newEnv(tb testing.TB, configure func(*tgwebhook.Options)) *env {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), store.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	e := &env{db: db, applier: &recordingApplier{}, logs: &syncBuffer{}}
	o := tgwebhook.Options{
		Events:  db,
		Applier: e.applier,
		Keys:    keys(map[string]string{"TEST_STRIPE_WEBHOOK_SECRET": testSecret}),
		Logger:  slog.New(slog.NewTextHandler(e.logs, nil)).With("component", "webhook"),
	}
	if configure != nil {
		configure(&o)
	}
	e.h = tgwebhook.New(o)
	srv := httptest.NewServer(e.h)
	tb.Cleanup(srv.Close)
	e.url = srv.URL + "/payments/event"
	return e
}

// start runs the worker until the test ends; cleanups run last-in first-out,
// so the worker stops before the server and the store close.
func (e *env) start(tb testing.TB) {
	ctx, cancel := context.WithCancel(context.Background())
	e.h.Start(ctx)
	tb.Cleanup(func() {
		cancel()
		e.h.Wait()
	})
}

// client's timeout turns a handler that waits for the worker into a failure, not a hang.
var client = &http.Client{Timeout: 5 * time.Second}

func (e *env) post(t *testing.T, body []byte, signature string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(text))
}

// deliver posts a new event signed with the test secret and expects a 200.
func (e *env) deliver(t *testing.T, body []byte) {
	t.Helper()
	if code, text := e.post(t, body, sign(body, testSecret)); code != http.StatusOK {
		t.Fatalf("status = %d %q, want 200", code, text)
	}
}

func (e *env) recorded(t *testing.T) []*tollgate.Event {
	t.Helper()
	events, err := e.db.RecentEvents(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func (e *env) wantNothingRecorded(t *testing.T) {
	t.Helper()
	if events := e.recorded(t); len(events) != 0 {
		t.Errorf("%d events recorded, want none", len(events))
	}
}

// waitOutcome waits until the worker has recorded an outcome for id.
func (e *env) waitOutcome(t *testing.T, id string) *tollgate.Event {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ev, err := e.db.EventByID(context.Background(), id); err == nil && ev.Outcome != tollgate.EventPending {
			return ev
		}
	}
	t.Fatalf("event %s has no outcome after 5 s; applied so far: %s", id, e.applier.applied())
	return nil
}

// flush delivers one more event and waits for it: the worker applies in
// arrival order, so anything wrongly applied twice would have been by then.
func (e *env) flush(t *testing.T) {
	t.Helper()
	e.deliver(t, newEvent("evt_flush"))
	e.waitOutcome(t, "evt_flush")
}

func TestReceive(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t, nil)
		e.start(t)
		body := newEvent("evt_ok")
		code, text := e.post(t, body, sign(body, testSecret))
		if code != http.StatusOK {
			t.Fatalf("status = %d %q, want 200", code, text)
		}
		got := e.waitOutcome(t, "evt_ok")
		if got.Outcome != tollgate.EventApplied || got.Type != typeActedOn || got.APIVersion != stripe.APIVersion ||
			!got.Created.Equal(time.Unix(1756900000, 0)) || !bytes.Equal(got.Payload, body) || got.Received.IsZero() {
			t.Errorf("recorded = %+v, want it applied with the event's fields and the raw body", got)
		}
		e.flush(t)
		if got, want := e.applier.applied(), "[evt_ok evt_flush]"; got != want {
			t.Errorf("applied = %s, want %s", got, want)
		}
		if logs := e.logs.String(); strings.Contains(logs, testSecret) || strings.Contains(logs, payloadMarker) {
			t.Errorf("the log holds the secret or the payload:\n%s", logs)
		}
	})

	t.Run("ErrWrongSecret", func(t *testing.T) {
		e := newEnv(t, nil)
		e.start(t)
		body := newEvent("evt_wrong")
		code, text := e.post(t, body, sign(body, "whsec_someone_else"))
		if got, want := code, http.StatusBadRequest; got != want {
			t.Fatalf("status = %d, want %d", got, want)
		}
		if got, want := text, "no valid signature: the event is signed with none of the secrets in force (TEST_STRIPE_WEBHOOK_SECRET)"; got != want {
			t.Errorf("text = %q, want %q", got, want)
		}
		if strings.Contains(text, testSecret) || strings.Contains(e.logs.String(), testSecret) {
			t.Error("the secret was echoed or logged")
		}
		e.wantNothingRecorded(t)
	})

	t.Run("ErrMissingHeader", func(t *testing.T) {
		e := newEnv(t, nil)
		code, text := e.post(t, newEvent("evt_unsigned"), "")
		if code != http.StatusBadRequest || text != "missing Stripe-Signature header" {
			t.Errorf("got %d %q, want 400 missing Stripe-Signature header", code, text)
		}
		e.wantNothingRecorded(t)
	})

	t.Run("ErrMalformedHeader", func(t *testing.T) {
		e := newEnv(t, nil)
		code, text := e.post(t, newEvent("evt_malformed"), "t=notanumber,v1=abc")
		if code != http.StatusBadRequest || text != "malformed Stripe-Signature header" {
			t.Errorf("got %d %q, want 400 malformed Stripe-Signature header", code, text)
		}
	})

	t.Run("ErrStale", func(t *testing.T) {
		e := newEnv(t, nil)
		body := newEvent("evt_stale")
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: testSecret, Timestamp: time.Now().Add(-301 * time.Second)}).Header
		code, text := e.post(t, body, sig)
		if code != http.StatusBadRequest || text != "signature timestamp is more than 300 s old" {
			t.Errorf("got %d %q, want 400 signature timestamp is more than 300 s old", code, text)
		}
		e.wantNothingRecorded(t)
	})

	t.Run("InjectedClock", func(t *testing.T) {
		// The tolerance and Received follow Options.Now, not the machine's clock.
		signedAt := time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC)
		var now atomic.Pointer[time.Time]
		e := newEnv(t, func(o *tgwebhook.Options) { o.Now = func() time.Time { return *now.Load() } })
		post := func(id string, age time.Duration) (int, string) {
			at := signedAt.Add(age)
			now.Store(&at)
			body := newEvent(id)
			return e.post(t, body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: testSecret, Timestamp: signedAt}).Header)
		}
		if code, text := post("evt_fresh", 299*time.Second); code != http.StatusOK {
			t.Fatalf("299 s old: %d %q, want 200", code, text)
		}
		if code, _ := post("evt_old", 301*time.Second); code != http.StatusBadRequest {
			t.Errorf("301 s old: %d, want 400", code)
		}
		events := e.recorded(t)
		if len(events) != 1 || !events[0].Received.Equal(signedAt.Add(299*time.Second)) {
			t.Errorf("recorded = %+v, want evt_fresh received at the injected time", events)
		}
	})

	t.Run("ErrTamperedBody", func(t *testing.T) {
		e := newEnv(t, nil)
		body := newEvent("evt_tampered")
		sig := sign(body, testSecret)
		tampered := bytes.Replace(body, []byte(`"active"`), []byte(`"canceled"`), 1)
		if code, text := e.post(t, tampered, sig); code != http.StatusBadRequest || !strings.HasPrefix(text, "no valid signature") {
			t.Errorf("got %d %q, want 400 no valid signature", code, text)
		}
		e.wantNothingRecorded(t)
	})

	t.Run("ErrOversize", func(t *testing.T) {
		e := newEnv(t, nil)
		body := bytes.Repeat([]byte("a"), tgwebhook.MaxBody+1)
		if code, _ := e.post(t, body, sign(body, testSecret)); code != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", code)
		}
		e.wantNothingRecorded(t)
	})

	t.Run("MaxBodyFits", func(t *testing.T) {
		// The limit is inclusive: an event of exactly MaxBody bytes is accepted.
		e := newEnv(t, nil)
		small := newEvent("evt_big")
		pad := strings.Repeat("a", tgwebhook.MaxBody-len(small)-len(`,"pad":""`))
		body := bytes.Replace(small, []byte(`"status":"active"`), []byte(`"status":"active","pad":"`+pad+`"`), 1)
		if len(body) != tgwebhook.MaxBody {
			t.Fatalf("test body is %d bytes, want %d", len(body), tgwebhook.MaxBody)
		}
		e.deliver(t, body)
	})

	t.Run("ErrMethod", func(t *testing.T) {
		e := newEnv(t, nil)
		resp, err := client.Get(e.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, want := resp.StatusCode, http.StatusMethodNotAllowed; got != want {
			t.Errorf("status = %d, want %d", got, want)
		}
		if got, want := resp.Header.Get("Allow"), "POST"; got != want {
			t.Errorf("Allow = %q, want %q", got, want)
		}
	})

	t.Run("UnknownType", func(t *testing.T) {
		e := newEnv(t, nil)
		e.start(t)
		e.deliver(t, eventJSON("evt_radar", "radar.early_fraud_warning.created", stripe.APIVersion))
		if got := e.waitOutcome(t, "evt_radar"); got.Outcome != tollgate.EventIgnored {
			t.Errorf("outcome = %q, want %q as the applier says", got.Outcome, tollgate.EventIgnored)
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		e := newEnv(t, nil)
		e.start(t)
		body := newEvent("evt_dup")
		sig := sign(body, testSecret)
		for i, want := range []string{"event recorded", "duplicate event, already recorded", "duplicate event, already recorded"} {
			if i == 2 {
				e.waitOutcome(t, "evt_dup") // a redelivery after applying must not reset it either
			}
			if code, text := e.post(t, body, sig); code != http.StatusOK || text != want {
				t.Errorf("delivery %d: %d %q, want 200 %q", i+1, code, text, want)
			}
		}
		e.flush(t)
		if got, want := e.applier.applied(), "[evt_dup evt_flush]"; got != want {
			t.Errorf("applied = %s, want %s", got, want)
		}
		if got := e.waitOutcome(t, "evt_dup"); got.Outcome != tollgate.EventApplied {
			t.Errorf("outcome = %q, want applied", got.Outcome)
		}
	})

	t.Run("ApplierError", func(t *testing.T) {
		// The recorded text is what the Events screen shows: the user-facing message,
		// never the internal chain (paths, raw Stripe bodies).
		e := newEnv(t, nil)
		e.applier.fn = func(_ context.Context, ev *tollgate.Event) (string, error) {
			if ev.ID == "evt_internal" {
				return "", errors.New("store: open /home/ada/.config/tollgate/tollgate.db: permission denied")
			}
			return "", fmt.Errorf("billing: sync: %w", tollgate.Errorf(tollgate.ENOTFOUND, "Stripe says: No such subscription: 'sub_1'"))
		}
		e.start(t)
		e.deliver(t, newEvent("evt_err"))
		e.deliver(t, newEvent("evt_internal"))
		if got := e.waitOutcome(t, "evt_err"); got.Outcome != tollgate.EventFailed || got.Error != "Stripe says: No such subscription: 'sub_1'" {
			t.Errorf("outcome = %q %q, want failed with the applier's message", got.Outcome, got.Error)
		}
		if got := e.waitOutcome(t, "evt_internal"); got.Outcome != tollgate.EventFailed || strings.Contains(got.Error, "/home/ada") {
			t.Errorf("internal failure recorded as %q %q, want failed without the internal detail", got.Outcome, got.Error)
		}
		if !strings.Contains(e.logs.String(), "/home/ada") {
			t.Error("the internal detail is not in the log either")
		}
	})

	t.Run("UnavailableStaysPendingUntilRetry", func(t *testing.T) {
		e := newEnv(t, nil)
		var down atomic.Bool
		down.Store(true)
		e.applier.fn = func(_ context.Context, ev *tollgate.Event) (string, error) {
			if ev.ID == "evt_offline" && down.Load() {
				return "", fmt.Errorf("billing: %w", tollgate.Errorf(tollgate.EUNAVAILABLE, "Stripe could not be reached."))
			}
			return tollgate.EventApplied, nil
		}
		e.start(t)
		e.deliver(t, newEvent("evt_offline"))
		// The worker applies in order, so once a later event has an outcome the first was tried.
		e.flush(t)
		for _, ev := range e.recorded(t) {
			if ev.ID == "evt_offline" && ev.Outcome != tollgate.EventPending {
				t.Fatalf("after a try while Stripe was down: %q, want pending", ev.Outcome)
			}
		}
		down.Store(false)
		e.h.Retry()
		if got := e.waitOutcome(t, "evt_offline"); got.Outcome != tollgate.EventApplied {
			t.Errorf("after Retry: %q, want applied", got.Outcome)
		}
	})

	t.Run("ApplierPanic", func(t *testing.T) {
		e := newEnv(t, nil)
		e.applier.fn = func(_ context.Context, ev *tollgate.Event) (string, error) {
			if ev.ID == "evt_panic" {
				panic("boom")
			}
			return tollgate.EventApplied, nil
		}
		e.start(t)
		e.deliver(t, newEvent("evt_panic"))
		e.deliver(t, newEvent("evt_after"))
		if got := e.waitOutcome(t, "evt_panic"); got.Outcome != tollgate.EventFailed || got.Error != tollgate.ErrorMessage(errors.New("")) {
			t.Errorf("panicking event = %q %q, want failed with the generic message", got.Outcome, got.Error)
		}
		if !strings.Contains(e.logs.String(), "boom") {
			t.Error("the panic is not in the log")
		}
		if got := e.waitOutcome(t, "evt_after"); got.Outcome != tollgate.EventApplied {
			t.Errorf("next event = %q, want applied: the worker must survive a panic", got.Outcome)
		}
	})

	t.Run("ArrivalOrder", func(t *testing.T) {
		e := newEnv(t, nil)
		e.start(t)
		var want []string
		for i := range 5 {
			id := fmt.Sprintf("evt_order_%d", i)
			want = append(want, id)
			e.deliver(t, newEvent(id))
		}
		e.flush(t)
		if got, want := e.applier.applied(), fmt.Sprint(append(want, "evt_flush")); got != want {
			t.Errorf("applied = %s, want %s", got, want)
		}
	})

	t.Run("Backlog", func(t *testing.T) {
		// More events than the worker reads at once arrive while it is stuck: none
		// may wait for it, and each must still be applied once, in order.
		e := newEnv(t, nil)
		release := make(chan struct{})
		e.applier.fn = func(ctx context.Context, ev *tollgate.Event) (string, error) {
			if ev.ID == "evt_q_000" {
				select {
				case <-release:
				case <-ctx.Done():
				}
			}
			return tollgate.EventApplied, nil
		}
		e.start(t)
		var want []string
		for i := range 2*tgwebhook.PendingPage + 10 {
			id := fmt.Sprintf("evt_q_%03d", i)
			want = append(want, id)
			e.deliver(t, newEvent(id))
		}
		close(release)
		e.flush(t)
		if got, want := e.applier.applied(), fmt.Sprint(append(want, "evt_flush")); got != want {
			t.Errorf("applied = %s\nwant %s", got, want)
		}
	})

	t.Run("ErrNoSecret", func(t *testing.T) {
		e := newEnv(t, func(o *tgwebhook.Options) { o.Keys = nil })
		body := newEvent("evt_nosecret")
		code, text := e.post(t, body, sign(body, testSecret))
		if code != http.StatusBadRequest || text != "no webhook secret configured; set TEST_STRIPE_WEBHOOK_SECRET or start with --insecure-webhooks" {
			t.Errorf("got %d %q, want 400 naming both ways out", code, text)
		}
		e.wantNothingRecorded(t)
	})

	t.Run("SecretChangesAtRunTime", func(t *testing.T) {
		k := keys(map[string]string{"Tollgate's endpoint": "whsec_old"})
		e := newEnv(t, func(o *tgwebhook.Options) { o.Keys = k })
		k.Set("Tollgate's endpoint", "whsec_new")
		body := newEvent("evt_rotated")
		if code, _ := e.post(t, body, sign(body, "whsec_old")); code != http.StatusBadRequest {
			t.Errorf("old secret: status %d, want 400", code)
		}
		if code, text := e.post(t, body, sign(body, "whsec_new")); code != http.StatusOK {
			t.Errorf("new secret: %d %q, want 200", code, text)
		}
		k.Set("Tollgate's endpoint", "")
		if code, text := e.post(t, newEvent("evt_after"), ""); code != http.StatusBadRequest || !strings.HasPrefix(text, "no webhook secret configured") {
			t.Errorf("secret removed: %d %q, want 400 no secret", code, text)
		}
	})

	t.Run("EverySecretInForce", func(t *testing.T) {
		// A learner's TEST_STRIPE_WEBHOOK_SECRET (stripe listen) and the secret of
		// the endpoint Tollgate made are both valid, as during Stripe's secret rotation.
		k := keys(map[string]string{"TEST_STRIPE_WEBHOOK_SECRET": "whsec_listen", "Tollgate's endpoint": "whsec_endpoint"})
		e := newEnv(t, func(o *tgwebhook.Options) { o.Keys = k })
		for i, secret := range []string{"whsec_listen", "whsec_endpoint"} {
			body := newEvent(fmt.Sprintf("evt_either_%d", i))
			if code, text := e.post(t, body, sign(body, secret)); code != http.StatusOK {
				t.Errorf("signed with %s: %d %q, want 200", secret, code, text)
			}
		}
		body := newEvent("evt_neither")
		code, text := e.post(t, body, sign(body, "whsec_other"))
		if want := "no valid signature: the event is signed with none of the secrets in force (TEST_STRIPE_WEBHOOK_SECRET, Tollgate's endpoint)"; code != http.StatusBadRequest || text != want {
			t.Errorf("signed with neither: %d %q, want 400 %q", code, text, want)
		}
		if got := k.Sources(); !slices.Equal(got, []string{"TEST_STRIPE_WEBHOOK_SECRET", "Tollgate's endpoint"}) {
			t.Errorf("Sources() = %v", got)
		}
	})

	t.Run("Insecure", func(t *testing.T) {
		e := newEnv(t, func(o *tgwebhook.Options) {
			o.Keys = nil
			o.Insecure = true
		})
		e.start(t)
		if code, text := e.post(t, newEvent("evt_insecure"), ""); code != http.StatusOK {
			t.Fatalf("unsigned event: %d %q, want 200", code, text)
		}
		if got := e.waitOutcome(t, "evt_insecure"); got.Outcome != tollgate.EventApplied {
			t.Errorf("outcome = %q, want applied", got.Outcome)
		}
		if code, _ := e.post(t, []byte("{not json"), ""); code != http.StatusBadRequest {
			t.Errorf("bad JSON: status %d, want 400", code)
		}
		if code, text := e.post(t, []byte(`{"object":"event"}`), ""); code != http.StatusBadRequest || text != "event has no id" {
			t.Errorf("event without id: %d %q, want 400 event has no id", code, text)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "--insecure-webhooks is on") || !strings.Contains(logs, "accepted an unsigned event") {
			t.Errorf("want a warning at start and one per unsigned event, log:\n%s", logs)
		}
	})

	t.Run("OtherAPIVersion", func(t *testing.T) {
		// An endpoint on the account's default version (or `stripe listen`) sends
		// another version: accepted, recorded with it, and a warning says so.
		e := newEnv(t, nil)
		e.start(t)
		body := eventJSON("evt_clover", typeActedOn, "2026-01-28.clover")
		if code, text := e.post(t, body, sign(body, testSecret)); code != http.StatusOK {
			t.Fatalf("status = %d %q, want 200", code, text)
		}
		got := e.waitOutcome(t, "evt_clover")
		if got.APIVersion != "2026-01-28.clover" || got.Outcome != tollgate.EventApplied {
			t.Errorf("recorded %+v, want applied with its api_version", got)
		}
		if logs := e.logs.String(); !strings.Contains(logs, "2026-01-28.clover") || !strings.Contains(logs, stripe.APIVersion) {
			t.Errorf("want a warning naming both versions, log:\n%s", logs)
		}
	})

	t.Run("PendingAtStart", func(t *testing.T) {
		// Events recorded before the app last stopped are applied first, oldest first.
		e := newEnv(t, nil)
		t0 := time.Now().Add(-time.Hour)
		for i, id := range []string{"evt_left_b", "evt_left_a"} {
			ev := &tollgate.Event{ID: id, Type: typeActedOn, Received: t0.Add(time.Duration(i) * time.Second), Payload: newEvent(id)}
			if _, err := e.db.RecordEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
		e.start(t)
		e.flush(t)
		if got, want := e.applier.applied(), "[evt_left_b evt_left_a evt_flush]"; got != want {
			t.Errorf("applied = %s, want %s", got, want)
		}
	})

	t.Run("AnswerDoesNotWaitForApplier", func(t *testing.T) {
		e := newEnv(t, nil)
		entered, release := make(chan struct{}), make(chan struct{})
		e.applier.fn = func(ctx context.Context, _ *tollgate.Event) (string, error) {
			close(entered)
			select {
			case <-release:
			case <-ctx.Done():
			}
			return tollgate.EventApplied, nil
		}
		e.start(t)
		e.deliver(t, newEvent("evt_slow")) // returns while the applier cannot finish
		select {
		case <-entered:
		case <-time.After(5 * time.Second):
			t.Fatal("the applier was never called")
		}
		if got := e.recorded(t); len(got) != 1 || got[0].Outcome != tollgate.EventPending {
			t.Fatalf("recorded = %+v, want evt_slow pending while the applier runs", got)
		}
		close(release)
		if got := e.waitOutcome(t, "evt_slow"); got.Outcome != tollgate.EventApplied {
			t.Errorf("outcome = %q, want applied", got.Outcome)
		}
	})

	t.Run("ErrStoreDown", func(t *testing.T) {
		// Without a 2xx Stripe delivers again later, so a failed write loses nothing.
		e := newEnv(t, nil)
		if err := e.db.Close(); err != nil {
			t.Fatal(err)
		}
		body := newEvent("evt_nostore")
		if code, _ := e.post(t, body, sign(body, testSecret)); code != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", code)
		}
	})

	t.Run("UnknownOutcome", func(t *testing.T) {
		e := newEnv(t, nil)
		e.applier.fn = func(context.Context, *tollgate.Event) (string, error) { return "done", nil }
		e.start(t)
		e.deliver(t, newEvent("evt_odd"))
		if got := e.waitOutcome(t, "evt_odd"); got.Outcome != tollgate.EventFailed || !strings.Contains(got.Error, `"done"`) {
			t.Errorf("outcome = %q %q, want failed naming the unknown outcome", got.Outcome, got.Error)
		}
	})

	t.Run("ShutdownLeavesPending", func(t *testing.T) {
		// An apply cut short by shutdown is not a failure: the next start applies it.
		e := newEnv(t, nil)
		entered := make(chan struct{})
		e.applier.fn = func(ctx context.Context, _ *tollgate.Event) (string, error) {
			close(entered)
			<-ctx.Done()
			return "", ctx.Err()
		}
		ctx, cancel := context.WithCancel(context.Background())
		e.h.Start(ctx)
		e.deliver(t, newEvent("evt_cut"))
		select {
		case <-entered:
		case <-time.After(5 * time.Second):
			t.Fatal("the applier was never called")
		}
		cancel()
		e.h.Wait()
		if got := e.recorded(t); len(got) != 1 || got[0].Outcome != tollgate.EventPending {
			t.Fatalf("recorded = %+v, want evt_cut still pending", got)
		}

		next := &recordingApplier{}
		restarted := tgwebhook.New(tgwebhook.Options{Events: e.db, Applier: next})
		ctx, cancel = context.WithCancel(context.Background())
		defer func() { cancel(); restarted.Wait() }()
		restarted.Start(ctx)
		e.applier = next
		if got := e.waitOutcome(t, "evt_cut"); got.Outcome != tollgate.EventApplied {
			t.Errorf("after restart outcome = %q, want applied", got.Outcome)
		}
	})
}
