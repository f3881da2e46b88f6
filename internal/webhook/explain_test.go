package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/tollgate/tollgate/internal/tollgate"
	tgwebhook "github.com/tollgate/tollgate/internal/webhook"
)

func TestResultRecorded(t *testing.T) {
	var done atomic.Int32
	e := newEnv(t, func(o *tgwebhook.Options) { o.Done = func(*tollgate.Event) { done.Add(1) } })
	e.start(t)
	e.applier.fn = func(_ context.Context, ev *tollgate.Event) (string, error) {
		if ev.ID == "evt_bad" {
			return "", tollgate.Errorf(tollgate.EINVALID, "The event names no customer.")
		}
		return tollgate.EventApplied, nil
	}
	e.deliver(t, newEvent("evt_good"))
	e.deliver(t, newEvent("evt_bad"))
	for id, want := range map[string]string{"evt_good": tollgate.EventApplied, "evt_bad": tollgate.EventFailed} {
		got := e.waitOutcome(t, id)
		// Whom it concerns is kept even when applying failed: the Events screen lists it under that user.
		if got.Outcome != want || got.CustomerID != "cus_of_"+id || got.UserID != 7 {
			t.Errorf("%s = %+v, want %s with its customer and user", id, got, want)
		}
	}
	// Done follows the recorded result, so it may come a moment after waitOutcome sees it.
	for deadline := time.Now().Add(5 * time.Second); done.Load() < 2 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
	}
	if n := done.Load(); n != 2 {
		t.Errorf("Done was called %d times, want once per event, failed or not", n)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.h.Refusals(); r == nil || len(r) != 0 {
		t.Errorf("Refusals() before any = %#v, want an empty list, not nil (the screen reads a list)", r)
	}
	body := newEvent("evt_claimed")
	stale := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: testSecret, Timestamp: time.Now().Add(-10 * time.Minute)}).Header
	for _, d := range []struct{ signature, cause string }{
		{"", "no Stripe-Signature header"},
		{"garbage", "not in Stripe's t=…,v1=… form"},
		{sign(body, "whsec_someone_else"), "Signed with a secret Tollgate does not hold (it holds: TEST_STRIPE_WEBHOOK_SECRET)"},
		{stale, "a captured delivery sent again"},
	} {
		if code, _ := e.post(t, body, d.signature); code != http.StatusBadRequest {
			t.Fatalf("signature %q: status %d, want 400", d.signature, code)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, e.url, nil)
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
	}
	got := e.h.Refusals()
	if len(got) != 5 {
		t.Fatalf("%d refusals, want 5", len(got))
	}
	if got[0].Status != http.StatusMethodNotAllowed || !strings.Contains(got[0].Cause, "this was a GET") || got[0].EventID != "" {
		t.Errorf("newest refusal = %+v, want the GET", got[0])
	}
	for i, want := range []string{"a captured delivery sent again", "Signed with a secret Tollgate does not hold", "t=…,v1=…", "no Stripe-Signature header"} {
		r := got[i+1]
		if !strings.Contains(r.Cause, want) || r.EventID != "evt_claimed" || r.EventType != typeActedOn || r.Reply == "" || r.At.IsZero() {
			t.Errorf("refusal %d = %+v, want the cause %q and what the body claims", i+1, r, want)
		}
	}
	if !strings.Contains(got[1].Cause, "Signed 10m") {
		t.Errorf("stale cause = %q, want how old the signature was", got[1].Cause)
	}
	e.wantNothingRecorded(t)

	t.Run("LikelyCauses", func(t *testing.T) {
		k := keys(map[string]string{"TEST_STRIPE_WEBHOOK_SECRET": testSecret})
		k.SetProbe("the Stripe secret key", "sk_test_pasted_as_signing_secret")
		e := newEnv(t, func(o *tgwebhook.Options) { o.Keys = k })
		body := newEvent("evt_signed_with_key")
		e.post(t, body, sign(body, "sk_test_pasted_as_signing_secret"))
		other := eventJSON("evt_clover", typeActedOn, "2025-09-30.clover")
		e.post(t, other, sign(other, "whsec_of_a_dashboard_endpoint"))
		r := e.h.Refusals()
		if len(r) != 2 || !strings.Contains(r[1].Cause, "Signed with the Stripe secret key instead of a webhook signing secret") {
			t.Errorf("signed with the API key: %+v, want that cause", r)
		}
		if len(r) == 2 && !strings.Contains(r[0].Cause, "It is also of API version 2025-09-30.clover") {
			t.Errorf("another API version: %q, want it named as a clue", r[0].Cause)
		}
		e.wantNothingRecorded(t)
	})

	t.Run("NoSecret", func(t *testing.T) {
		e := newEnv(t, func(o *tgwebhook.Options) { o.Keys = nil })
		e.post(t, body, sign(body, testSecret))
		if r := e.h.Refusals(); len(r) != 1 || !strings.Contains(r[0].Cause, "Tollgate has no signing secret yet") {
			t.Errorf("refusals = %+v, want the missing secret explained", r)
		}
	})

	t.Run("KeepsTheLatest", func(t *testing.T) {
		e := newEnv(t, nil)
		for i := range 60 {
			e.post(t, newEvent(fmt.Sprintf("evt_%02d", i)), "")
		}
		if r := e.h.Refusals(); len(r) != 50 || r[0].EventID != "evt_59" || r[49].EventID != "evt_10" {
			t.Errorf("kept %d refusals, %s…%s; want the latest 50", len(r), r[0].EventID, r[len(r)-1].EventID)
		}
	})
}

func TestReplay(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	e.start(t)
	e.deliver(t, newEvent("evt_once"))
	e.waitOutcome(t, "evt_once")
	got, err := e.h.Replay(ctx, "evt_once")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != http.StatusOK || !got.Duplicate || got.Reply != "duplicate event, already recorded" {
		t.Errorf("Replay() = %+v, want 200 and skipped as a duplicate", got)
	}
	e.flush(t)
	if got := e.applier.applied(); got != "[evt_once evt_flush]" {
		t.Errorf("applied %s, want evt_once once", got)
	}
	if _, err := e.h.Replay(ctx, "evt_never"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("Replay(unknown) = %v, want not found", err)
	}

	t.Run("SecretGone", func(t *testing.T) {
		// With no secret in force the replay is refused as Stripe's would be, and says so.
		k := keys(map[string]string{"TEST_STRIPE_WEBHOOK_SECRET": testSecret})
		e := newEnv(t, func(o *tgwebhook.Options) { o.Keys = k })
		e.deliver(t, newEvent("evt_kept"))
		k.Set("TEST_STRIPE_WEBHOOK_SECRET", "")
		got, err := e.h.Replay(ctx, "evt_kept")
		if err != nil || got.Status != http.StatusBadRequest || got.Duplicate || !strings.HasPrefix(got.Reply, "no webhook secret configured") {
			t.Errorf("Replay() = %+v, %v; want the refusal", got, err)
		}
	})
}

func TestOversizedID(t *testing.T) {
	// A signed event whose id is longer than any Stripe makes is refused with a 400, every time, not a 500.
	e := newEnv(t, nil)
	body := newEvent("evt_" + strings.Repeat("x", 40000))
	for range 2 {
		if code, text := e.post(t, body, sign(body, testSecret)); code != http.StatusBadRequest || !strings.Contains(text, "longer than 255") {
			t.Fatalf("oversized id: %d %q, want 400", code, text)
		}
	}
	e.wantNothingRecorded(t)
	if code, _ := e.post(t, newEvent("evt_"+strings.Repeat("x", 251)), sign(newEvent("evt_"+strings.Repeat("x", 251)), testSecret)); code != http.StatusOK {
		t.Errorf("a 255-character id: %d, want 200", code)
	}
}
