package loadgen

import (
	"context"
	"fmt"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Audit is what the store holds of a run, read once the app has stopped.
type Audit struct {
	Lost         int // answered 2xx, yet not in the store
	AppliedTwice int // events with more than one outcome recorded
	Pending      int // in the store, not applied yet (the next start applies them)
}

// AuditStore opens the Tollgate store at path (the app must have stopped:
// bbolt locks the file) and checks every acknowledged event in it.
func AuditStore(ctx context.Context, path string, acked map[string]bool) (Audit, error) {
	db, err := store.Open(path)
	if err != nil {
		return Audit{}, fmt.Errorf("loadgen: audit: %w", err)
	}
	defer db.Close()
	var a Audit
	for id := range acked {
		e, err := db.EventByID(ctx, id)
		switch {
		case tollgate.ErrorCode(err) == tollgate.ENOTFOUND:
			a.Lost++
		case err != nil:
			return a, fmt.Errorf("loadgen: audit: %w", err)
		case e.Outcome == tollgate.EventPending:
			a.Pending++
		case e.Outcomes > 1:
			a.AppliedTwice++
		}
	}
	return a, nil
}
