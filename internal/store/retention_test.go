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

func TestPruneEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	old := now.Add(-10 * 24 * time.Hour)
	db := MustOpen(t)
	db.Now = func() time.Time { return now }
	record := func(id string, received time.Time, customer string, userID uint64) {
		t.Helper()
		if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: id, Type: "invoice.paid", Received: received, Payload: []byte("body of " + id)}); err != nil {
			t.Fatal(err)
		}
		if customer == "pending" {
			return
		}
		if err := db.SetEventResult(ctx, id, tollgate.EventResult{Outcome: tollgate.EventApplied, CustomerID: customer, UserID: userID}, ""); err != nil {
			t.Fatal(err)
		}
	}
	// A busy customer: 203 old events, then one this week.
	for i := range 203 {
		record(fmt.Sprintf("evt_busy_%03d", i), old.Add(time.Duration(i)*time.Second), "cus_busy", 1)
	}
	record("evt_busy_new", now.Add(-time.Hour), "cus_busy", 1)
	// A quiet customer's old events, one about no customer, and an old one never applied.
	record("evt_quiet_1", old, "cus_quiet", 2)
	record("evt_quiet_2", old.Add(time.Minute), "cus_quiet", 2)
	record("evt_catalog", old, "", 0)
	record("evt_stuck", old.Add(-time.Hour), "pending", 0)

	n, err := db.PruneEvents(ctx, store.DefaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	// cus_busy keeps its newest 200 (the new one and 199 old): 4 old ones go.
	if n != 4 {
		t.Errorf("pruned %d, want 4", n)
	}
	for _, id := range []string{"evt_busy_000", "evt_busy_003"} {
		if _, err := db.EventByID(ctx, id); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("%s after pruning: %v, want not found", id, err)
		}
	}
	for _, id := range []string{"evt_busy_004", "evt_busy_202", "evt_busy_new", "evt_quiet_1", "evt_catalog", "evt_stuck"} {
		if e, err := db.EventByID(ctx, id); err != nil || string(e.Payload) != "body of "+id {
			t.Errorf("%s after pruning: %v, %v, want kept with its payload", id, e, err)
		}
	}
	if pending, _ := db.PendingEvents(ctx, 0, 10); eventIDs(pending) != "[evt_stuck]" {
		t.Errorf("pending after pruning = %s, want the old pending event kept", eventIDs(pending))
	}
	busy, err := db.RecentEventsOf(ctx, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(busy) != 200 || busy[0].ID != "evt_busy_new" || busy[199].ID != "evt_busy_004" {
		t.Errorf("user 1's events after pruning: %d from %s, want 200 from evt_busy_new to evt_busy_004", len(busy), eventIDs(busy[:1]))
	}
	if all, _ := db.RecentEvents(ctx, 1000); len(all) != 204 {
		t.Errorf("%d events listed after pruning, want 204", len(all))
	}

	// Pruning again finds nothing; a shorter rule prunes the rest but the pending one.
	if n, err := db.PruneEvents(ctx, store.DefaultRetention); err != nil || n != 0 {
		t.Errorf("second prune = %d, %v, want 0", n, err)
	}
	if n, err := db.PruneEvents(ctx, store.Retention{MaxAge: time.Minute, PerCustomer: 0}); err != nil || n != 203 {
		t.Errorf("prune to nothing = %d, %v, want 203", n, err)
	}
	if all, _ := db.RecentEvents(ctx, 1000); eventIDs(all) != "[evt_stuck]" {
		t.Errorf("left = %s, want only the pending event", eventIDs(all))
	}
}

func TestEventIndexMigration(t *testing.T) {
	// A schema-2 file held each payload inside its record, and no index.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for id, raw := range map[string]string{
		"evt_b": `{"id":"evt_b","type":"invoice.paid","received":"2026-11-01T10:00:02Z","outcome":"pending","payload":"Ym9keSBi"}`,
		"evt_a": `{"id":"evt_a","type":"invoice.paid","received":"2026-11-01T10:00:02Z","outcome":"pending","payload":"Ym9keSBh"}`,
		"evt_z": `{"id":"evt_z","type":"invoice.paid","received":"2026-11-01T10:00:00Z","outcome":"pending","payload":"Ym9keSB6"}`,
		"evt_1": `{"id":"evt_1","type":"customer.created","received":"2026-11-01T09:00:00Z","outcome":"applied","payload":"Ym9keSAx","customer_id":"cus_1","user_id":7}`,
		"evt_2": `{"id":"evt_2","type":"product.created","received":"2026-11-01T09:30:00Z","outcome":"ignored","payload":"Ym9keSAy"}`,
	} {
		if err := db.PutRawEvent(id, raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ForceSchemaVersion(2); err != nil {
		t.Fatal(err)
	}
	db.Close()

	check := func(t *testing.T, db *store.DB) {
		t.Helper()
		pending, err := db.PendingEvents(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		// Arrival order as schema 2 replayed it: received, then id.
		if got, want := eventIDs(pending), "[evt_z evt_a evt_b]"; got != want {
			t.Errorf("pending = %s, want %s", got, want)
		}
		if len(pending) == 3 && string(pending[0].Payload) != "body z" {
			t.Errorf("pending payload = %q, want body z", pending[0].Payload)
		}
		all, err := db.RecentEvents(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := eventIDs(all), "[evt_b evt_a evt_z evt_2 evt_1]"; got != want {
			t.Errorf("recent = %s, want %s", got, want)
		}
		mine, err := db.RecentEventsOf(ctx, 7, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := eventIDs(mine), "[evt_1]"; got != want {
			t.Errorf("user 7's = %s, want %s", got, want)
		}
		if e, err := db.EventByID(ctx, "evt_1"); err != nil || string(e.Payload) != "body 1" || e.CustomerID != "cus_1" {
			t.Errorf("evt_1 = %+v, %v, want its payload and customer", e, err)
		}
	}
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	check(t, db)
	// A new event after the migration comes after the migrated pending ones.
	if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: "evt_new", Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if pending, _ := db.PendingEvents(ctx, 0, 10); eventIDs(pending) != "[evt_z evt_a evt_b evt_new]" {
		t.Errorf("pending with a new event = %s", eventIDs(pending))
	}
	// Idempotent: running the migration again over migrated records changes nothing.
	if err := db.ForceSchemaVersion(2); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if pending, _ := db.PendingEvents(ctx, 0, 10); eventIDs(pending) != "[evt_z evt_a evt_b evt_new]" {
		t.Errorf("pending after migrating twice and restarting = %s", eventIDs(pending))
	}
	if e, err := db.EventByID(ctx, "evt_b"); err != nil || string(e.Payload) != "body b" {
		t.Errorf("evt_b after migrating twice = %+v, %v", e, err)
	}
}
