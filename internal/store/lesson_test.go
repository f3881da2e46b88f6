package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func TestLessons(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	first := tollgate.LessonDone{Lesson: "renewal", At: at, StripeAt: at.AddDate(0, 1, 0), Via: "the invoice.paid event evt_1"}

	t.Run("OK", func(t *testing.T) {
		if isNew, err := db.MarkLesson(ctx, 1, first); err != nil || !isNew {
			t.Fatalf("MarkLesson = %v, %v; want new", isNew, err)
		}
		if _, err := db.MarkLesson(ctx, 1, tollgate.LessonDone{Lesson: "access", At: at.Add(time.Minute), Via: "the Access screen"}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("FirstTimeCounts", func(t *testing.T) {
		again := first
		again.At, again.Via = at.Add(time.Hour), "the invoice.paid event evt_2"
		if isNew, err := db.MarkLesson(ctx, 1, again); err != nil || isNew {
			t.Fatalf("MarkLesson again = %v, %v; want not new", isNew, err)
		}
	})

	t.Run("SurvivesRestart", func(t *testing.T) {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if db, err = store.Open(path); err != nil {
			t.Fatal(err)
		}
		done, err := db.LessonsDone(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(done) != 2 || done[0] != first || done[1].Lesson != "access" {
			t.Fatalf("done = %+v, want renewal (its first time) then access", done)
		}
	})

	t.Run("PerUser", func(t *testing.T) {
		if done, err := db.LessonsDone(ctx, 2); err != nil || len(done) != 0 {
			t.Fatalf("another user's progress = %+v, %v; want none", done, err)
		}
	})

	t.Run("ResetLessons", func(t *testing.T) {
		if _, err := db.MarkLesson(ctx, 2, first); err != nil {
			t.Fatal(err)
		}
		if err := db.ResetLessons(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if done, _ := db.LessonsDone(ctx, 1); len(done) != 0 {
			t.Errorf("after the reset: %+v", done)
		}
		if done, _ := db.LessonsDone(ctx, 2); len(done) != 1 {
			t.Errorf("the other user's progress after the reset: %+v, want kept", done)
		}
		// Resetting the sandbox's billing copy keeps what learners did.
		if err := db.ResetBilling(ctx); err != nil {
			t.Fatal(err)
		}
		if done, _ := db.LessonsDone(ctx, 2); len(done) != 1 {
			t.Errorf("after ResetBilling: %+v, want kept", done)
		}
	})
}
