package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// eventIDs lists the ids in order, so a wrong order shows as one readable line.
func eventIDs(events []*tollgate.Event) string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return fmt.Sprint(ids)
}

func TestRecordEvent(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)

	t.Run("OK", func(t *testing.T) {
		db := MustOpen(t)
		db.Now = func() time.Time { return t0 }
		e := &tollgate.Event{ID: "evt_1", Type: "customer.subscription.updated", APIVersion: "2025-08-27.basil",
			Created: t0.Add(-time.Minute), Payload: []byte(`{"id":"evt_1"}`)}
		isNew, err := db.RecordEvent(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if !isNew {
			t.Fatal("isNew = false for a first delivery")
		}
		if got, want := e.Outcome, tollgate.EventPending; got != want {
			t.Errorf("outcome = %q, want %q", got, want)
		}
		if got, want := e.Received, t0; !got.Equal(want) {
			t.Errorf("received = %v, want db.Now() %v", got, want)
		}
		got, err := db.RecentEvents(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("recent = %s, want [evt_1]", eventIDs(got))
		}
		g := got[0]
		if g.ID != e.ID || g.Type != e.Type || g.APIVersion != e.APIVersion || !g.Created.Equal(e.Created) ||
			!g.Received.Equal(t0) || g.Outcome != tollgate.EventPending || g.Payload != nil {
			t.Errorf("listed = %+v, want %+v without its payload", g, e)
		}
		if g, err := db.EventByID(ctx, e.ID); err != nil || string(g.Payload) != `{"id":"evt_1"}` {
			t.Errorf("by id = %+v, %v, want its payload", g, err)
		}
	})

	t.Run("KeepsGivenReceived", func(t *testing.T) {
		db := MustOpen(t)
		e := &tollgate.Event{ID: "evt_1", Received: t0}
		if _, err := db.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		if got, want := e.Received, t0; !got.Equal(want) {
			t.Errorf("received = %v, want %v", got, want)
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		db := MustOpen(t)
		if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: "evt_1", Type: "a", Payload: []byte("first"), Received: t0}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetEventResult(ctx, "evt_1", tollgate.EventResult{Outcome: tollgate.EventApplied}, ""); err != nil {
			t.Fatal(err)
		}
		again := &tollgate.Event{ID: "evt_1", Type: "b", Payload: []byte("second"), Received: t0.Add(time.Hour)}
		isNew, err := db.RecordEvent(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		if isNew {
			t.Fatal("isNew = true for a redelivery")
		}
		got, err := db.RecentEvents(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("recent = %s, want one event", eventIDs(got))
		}
		// A redelivery must not reset an applied event to pending, or it would be applied twice.
		if g, err := db.EventByID(ctx, "evt_1"); err != nil || string(g.Payload) != "first" || g.Type != "a" || g.Outcome != tollgate.EventApplied || !g.Received.Equal(t0) {
			t.Errorf("stored = %+v, want the first delivery, applied", g)
		}
		// The redelivery is remembered as skipped, for the Events screen.
		if g := got[0]; len(g.Duplicates) != 1 || !g.Duplicates[0].Equal(t0.Add(time.Hour)) {
			t.Errorf("duplicates = %v, want the redelivery's arrival %v", g.Duplicates, t0.Add(time.Hour))
		}
	})

	t.Run("ErrNoID", func(t *testing.T) {
		db := MustOpen(t)
		_, err := db.RecordEvent(ctx, &tollgate.Event{Type: "a"})
		if got, want := tollgate.ErrorCode(err), tollgate.EINVALID; got != want {
			t.Fatalf("code = %q (%v), want %q", got, err, want)
		}
	})
}

func TestSetEventResult(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := MustOpen(t)
		for _, id := range []string{"evt_a", "evt_i", "evt_f"} {
			if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Payload: []byte("p")}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct{ id, outcome, errText string }{
			{"evt_a", tollgate.EventApplied, ""},
			{"evt_i", tollgate.EventIgnored, ""},
			{"evt_f", tollgate.EventFailed, "stripe unreachable"},
		} {
			if err := db.SetEventResult(ctx, c.id, tollgate.EventResult{Outcome: c.outcome}, c.errText); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.RecentEvents(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]*tollgate.Event{}
		for _, e := range got {
			byID[e.ID] = e
		}
		if e := byID["evt_a"]; e.Outcome != tollgate.EventApplied || e.Error != "" {
			t.Errorf("evt_a = %q %q, want applied", e.Outcome, e.Error)
		}
		if e := byID["evt_i"]; e.Outcome != tollgate.EventIgnored {
			t.Errorf("evt_i = %q, want ignored", e.Outcome)
		}
		if e := byID["evt_f"]; e.Outcome != tollgate.EventFailed || e.Error != "stripe unreachable" {
			t.Errorf("evt_f = %q %q, want failed with its text", e.Outcome, e.Error)
		}
		if e, err := db.EventByID(ctx, "evt_f"); err != nil || string(e.Payload) != "p" {
			t.Errorf("payload after outcome = %v, %v, want it kept", e, err)
		}
		pending, err := db.PendingEvents(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) != 0 {
			t.Errorf("pending = %s, want none once every outcome is set", eventIDs(pending))
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpen(t)
		err := db.SetEventResult(ctx, "evt_missing", tollgate.EventResult{Outcome: tollgate.EventApplied}, "")
		if got, want := tollgate.ErrorCode(err), tollgate.ENOTFOUND; got != want {
			t.Fatalf("code = %q (%v), want %q", got, err, want)
		}
	})
}

func TestPendingEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	t0 := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	// Pending events come in the order they were recorded (committed), which
	// is what the worker's cursor relies on: not by id, nor by the Received
	// the handler stamped before its commit.
	for _, e := range []*tollgate.Event{
		{ID: "evt_z", Received: t0},
		{ID: "evt_b", Received: t0.Add(2 * time.Second)},
		{ID: "evt_done", Received: t0.Add(time.Second)},
		{ID: "evt_a", Received: t0.Add(time.Second)},
		{ID: "evt_m", Received: t0.Add(3 * time.Second)},
	} {
		if _, err := db.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetEventResult(ctx, "evt_done", tollgate.EventResult{Outcome: tollgate.EventApplied}, ""); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingEvents(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eventIDs(pending), "[evt_z evt_b evt_a evt_m]"; got != want {
		t.Errorf("pending = %s, want %s", got, want)
	}
	// Paging from a cursor: what comes after the second, two at a time.
	page, err := db.PendingEvents(ctx, pending[1].Seq, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eventIDs(page), "[evt_a evt_m]"; got != want {
		t.Errorf("page after %s = %s, want %s", pending[1].ID, got, want)
	}
	if page, _ := db.PendingEvents(ctx, pending[3].Seq, 2); len(page) != 0 {
		t.Errorf("page after the last = %s, want none", eventIDs(page))
	}
}

func TestRecentEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	t0 := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	for i, id := range []string{"evt_c", "evt_a", "evt_d", "evt_b"} {
		if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Received: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		limit int
		want  string
	}{
		{10, "[evt_b evt_d evt_a evt_c]"},
		{2, "[evt_b evt_d]"},
		{0, "[]"},
	} {
		got, err := db.RecentEvents(ctx, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if eventIDs(got) != c.want {
			t.Errorf("RecentEvents(%d) = %s, want %s", c.limit, eventIDs(got), c.want)
		}
	}
}

func TestEventsReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"evt_1", "evt_2"} {
		if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Type: "invoice.paid", Payload: []byte("body of " + id)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetEventResult(ctx, "evt_1", tollgate.EventResult{Outcome: tollgate.EventApplied}, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// An event left pending when the app stopped is what the webhook worker replays at start.
	pending, err := db.PendingEvents(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != "evt_2" || string(pending[0].Payload) != "body of evt_2" {
		t.Fatalf("pending after reopen = %s, want evt_2 with its payload", eventIDs(pending))
	}
	if isNew, err := db.RecordEvent(ctx, &tollgate.Event{ID: "evt_1"}); err != nil || isNew {
		t.Errorf("re-recording evt_1 after reopen: isNew=%v err=%v, want a duplicate", isNew, err)
	}
}

func TestEventByID(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	payload := []byte(`{"id":"evt_1","object":"event"}`)
	if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: "evt_1", Type: "invoice.paid", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	e, err := db.EventByID(ctx, "evt_1")
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != "invoice.paid" || string(e.Payload) != string(payload) {
		t.Errorf("EventByID = %+v", e)
	}
	if _, err := db.EventByID(ctx, "evt_nope"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("unknown id: %v, want not_found", err)
	}
}

func TestLastEvent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if e, err := db.LastEvent(ctx); e != nil || err != nil {
		t.Fatalf("LastEvent() on an empty store = %v, %v; want none", e, err)
	}
	for _, id := range []string{"evt_b", "evt_a", "evt_b"} { // a redelivery of evt_b is not news
		if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Type: "invoice.paid"}); err != nil {
			t.Fatal(err)
		}
	}
	if e, err := db.LastEvent(ctx); err != nil || e == nil || e.ID != "evt_a" {
		t.Errorf("LastEvent() = %v, %v; want evt_a, received last", e, err)
	}
	if err := db.ResetBilling(ctx); err != nil {
		t.Fatal(err)
	}
	if e, err := db.LastEvent(ctx); e != nil || err != nil {
		t.Errorf("LastEvent() after a reset = %v, %v; want none", e, err)
	}
}

func TestEventEffect(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, id := range []string{"evt_ada", "evt_grace", "evt_product"} {
		if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Type: "customer.subscription.updated"}); err != nil {
			t.Fatal(err)
		}
	}
	effect := &tollgate.Effect{
		Reread:             []string{"subscriptions"},
		Subscriptions:      []tollgate.StatusChange{{ID: "sub_1", Before: "trialing", After: "active"}},
		EntitlementsBefore: []string{}, EntitlementsAfter: []string{"test-access"},
	}
	if err := db.SetEventResult(ctx, "evt_ada", tollgate.EventResult{Outcome: tollgate.EventApplied, CustomerID: "cus_ada", UserID: 1, Effect: effect}, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.SetEventResult(ctx, "evt_grace", tollgate.EventResult{Outcome: tollgate.EventApplied, CustomerID: "cus_grace", UserID: 2}, ""); err != nil {
		t.Fatal(err)
	}
	got, err := db.RecentEventsOf(ctx, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "evt_ada" || got[0].CustomerID != "cus_ada" || got[0].Effect == nil ||
		got[0].Effect.Subscriptions[0] != effect.Subscriptions[0] || got[0].Effect.EntitlementsAfter[0] != "test-access" {
		t.Errorf("events of user 1 = %s %+v, want evt_ada with what it changed", eventIDs(got), got)
	}
	if all, _ := db.RecentEvents(ctx, 10); len(all) != 3 {
		t.Errorf("all events = %s, want all three, the product's (no user) too", eventIDs(all))
	}
}
