package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// TestGroupCommit writes concurrently, so that writes share transactions, with
// some that fail inside theirs: each failure is its own, and every other write
// is committed and answered as such.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Go(func() {
			if i%10 == 9 {
				// An outcome for an event never recorded fails within the group.
				errs[i] = db.SetEventResult(ctx, fmt.Sprintf("evt_missing_%d", i), tollgate.EventResult{Outcome: tollgate.EventApplied}, "")
				return
			}
			isNew, err := db.RecordEvent(ctx, &tollgate.Event{ID: fmt.Sprintf("evt_%03d", i), Payload: []byte("p")})
			if err == nil && !isNew {
				err = fmt.Errorf("isNew = false for a first delivery")
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%10 == 9 {
			if tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
				t.Errorf("write %d: %v, want not found", i, err)
			}
		} else if err != nil {
			t.Errorf("write %d: %v, want committed", i, err)
		}
	}
	if all, _ := db.RecentEvents(ctx, 1000); len(all) != 180 {
		t.Errorf("%d events stored, want 180", len(all))
	}
	if pending, _ := db.PendingEvents(ctx, 0, 1000); len(pending) != 180 {
		t.Errorf("%d events pending, want 180", len(pending))
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordEvent(ctx, &tollgate.Event{ID: "evt_late"}); err == nil {
		t.Error("a write after Close succeeded")
	}
}
