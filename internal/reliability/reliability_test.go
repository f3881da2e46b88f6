package reliability

import (
	"strings"
	"testing"
)

// A check's line must say FAIL, and what, when a count is wrong; make
// reliability exits non-zero on it.
func TestResultLine(t *testing.T) {
	ok := &Result{Name: "crash"}
	ok.add("tried", 10)
	ok.want("lost", 0, 0)
	if got, want := ok.Line(), "RELIABILITY crash tried=10 lost=0"; got != want || len(ok.Fail) != 0 {
		t.Errorf("Line() = %q, want %q", got, want)
	}
	bad := &Result{Name: "crash"}
	bad.want("lost", 2, 0)
	bad.want("applied_twice", 0, 0)
	if got := bad.Line(); !strings.HasPrefix(got, "RELIABILITY crash lost=2 applied_twice=0 FAIL: lost=2, want 0") {
		t.Errorf("Line() = %q, want a FAIL naming lost", got)
	}
}

func TestDoneLine(t *testing.T) {
	log := `time=2026-12-02T05:09:58.706Z level=INFO msg="webhook event done" component=webhook event_id=evt_reliability_000998 event_type=customer.subscription.updated outcome=ignored
time=2026-12-02T05:09:58.706Z level=INFO msg="skipped a redelivered webhook event" component=webhook event_id=evt_reliability_000998
time=2026-12-02T05:09:58.712Z level=INFO msg="webhook event done" component=webhook event_id=evt_reliability_000999 event_type=customer.subscription.updated outcome=ignored
`
	if got := doneIDs(log); got != 2 {
		t.Errorf("doneIDs = %d, want 2", got)
	}
}
