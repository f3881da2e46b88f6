package lessons_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/calls"
	"github.com/tollgate/tollgate/internal/lessons"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// TestDeclarations holds every lesson to what the Lessons screen promises:
// a concept of two or three sentences, Stripe's page for it, the guide's
// words quoted exactly (testdata holds the guide), and a rule.
func TestDeclarations(t *testing.T) {
	guide, err := os.ReadFile("testdata/stripe-flask-guide.md")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, l := range lessons.All {
		if ids[l.ID] {
			t.Errorf("two lessons are %s", l.ID)
		}
		ids[l.ID] = true
		if n := strings.Count(l.Concept, ". ") + 1; n < 2 || n > 3 || !strings.HasSuffix(l.Concept, ".") {
			t.Errorf("%s: the concept has %d sentences, want 2 or 3: %q", l.ID, n, l.Concept)
		}
		if !strings.HasPrefix(l.Doc.URL, "https://docs.stripe.com/") || l.Doc.Title == "" {
			t.Errorf("%s: doc link %+v, want a page of docs.stripe.com", l.ID, l.Doc)
		}
		if !bytes.Contains(guide, []byte(l.Guide.Text)) {
			t.Errorf("%s: the guide does not say %q", l.ID, l.Guide.Text)
		}
		if !bytes.Contains(guide, []byte("# "+l.Guide.Section+"\n")) {
			t.Errorf("%s: the guide has no section %q", l.ID, l.Guide.Section)
		}
		if l.Seen == nil || l.Title == "" || l.Do == "" {
			t.Errorf("%s is incomplete: %+v", l.ID, l)
		}
	}
	// The guide's path, in its order; more lessons may follow it.
	path := []string{"account", "subscribe-monthly", "access", "premium", "portal", "cancel", "trial", "promotion", "trial-end",
		"renewal", "failed-payment", "card-update", "period-end", "switch-plan"}
	for i, id := range path {
		if i >= len(lessons.All) || lessons.All[i].ID != id {
			t.Errorf("lesson %d is not %s: the course must start with the guide's path", i+1, id)
		}
	}
}

func TestExtract(t *testing.T) {
	repo := os.DirFS("../..")
	t.Run("Method", func(t *testing.T) {
		src, err := lessons.Extract(repo, lessons.Func{File: "internal/lessons/source.go", Name: "Extract"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(src.Text, "// Extract finds f in fsys") || !strings.HasSuffix(src.Text, "}") || src.Line < 2 {
			t.Errorf("Extract = line %d %q", src.Line, src.Text[:min(60, len(src.Text))])
		}
	})
	t.Run("PointerReceiver", func(t *testing.T) {
		src, err := lessons.Extract(repo, lessons.Func{File: "internal/lessons/tracker.go", Name: "Tracker.Course"})
		if err != nil || !strings.Contains(src.Text, "func (t *Tracker) Course(") {
			t.Errorf("Tracker.Course = %q, %v", src.Text, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, f := range []lessons.Func{{File: "internal/lessons/source.go", Name: "Nothing"}, {File: "internal/lessons/source.go", Name: "Tracker.Extract"}, {File: "nope.go", Name: "X"}} {
			if _, err := lessons.Extract(repo, f); err == nil {
				t.Errorf("Extract(%+v) found something", f)
			}
		}
		if _, err := lessons.Extract(nil, lessons.Func{File: "a.go", Name: "A"}); err == nil {
			t.Error("Extract with no files found something")
		}
	})
}

// TestTracker checks ticking on a real store: the first time counts, the
// user's local copy reaches the rules, and a rule sees nothing in an event
// whose body does not parse.
func TestTracker(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var told []uint64
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	tr := lessons.NewTracker(lessons.Options{Store: db, Subscriptions: db.SubscriptionsByUser, Now: func() time.Time { return now },
		OnDone: func(u uint64) { told = append(told, u) }})

	tr.Saw(ctx, 7, lessons.Observation{Action: lessons.SawAccess, Entitled: false})
	tr.Applied(ctx, &tollgate.Event{ID: "evt_bad", Type: "invoice.paid", Payload: []byte("{")}, tollgate.EventResult{Outcome: tollgate.EventApplied, UserID: 7})
	if c, _ := tr.Course(ctx, 7); c.Done != 0 || len(told) != 0 {
		t.Fatalf("ticked %d (told %v) from Access without test-access and a broken event", c.Done, told)
	}

	clock := time.Date(2027, 1, 9, 10, 0, 0, 0, time.UTC)
	created := &tollgate.Event{ID: "evt_1", Type: "customer.subscription.created", Created: clock,
		Payload: []byte(`{"data":{"object":{"object":"subscription","status":"trialing","discounts":["di_1"],"items":{"data":[{"price":{"id":"price_m","recurring":{"interval":"month"}}}]}}}}`)}
	tr.Applied(ctx, created, tollgate.EventResult{Outcome: tollgate.EventApplied, UserID: 7})
	tr.Applied(ctx, created, tollgate.EventResult{Outcome: tollgate.EventApplied, UserID: 8}) // another learner's
	tr.Applied(ctx, created, tollgate.EventResult{Outcome: tollgate.EventApplied})            // nobody's
	c, err := tr.Course(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]lessons.LessonView{}
	for _, l := range c.Lessons {
		if l.Done {
			done[l.ID] = l
		}
	}
	if c.Done != 3 || len(done) != 3 || !done["trial"].Done || !done["promotion"].Done || !done["subscribe-monthly"].Done {
		t.Fatalf("done = %v, want subscribe-monthly, trial, promotion", done)
	}
	if d := done["trial"]; !d.At.Equal(now) || !d.StripeAt.Equal(clock) || d.Via != "the customer.subscription.created event evt_1" {
		t.Errorf("trial = %+v", d)
	}
	if len(told) != 2 || told[0] != 7 || told[1] != 8 {
		t.Errorf("told %v, want once per learner who ticked something", told)
	}

	// The trial's first charge is no renewal: its period ends with the trial.
	trialEnd := time.Date(2027, 1, 16, 10, 0, 0, 0, time.UTC)
	if err := db.PutCustomer(ctx, &tollgate.Customer{UserID: 7, StripeID: "cus_1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSubscription(ctx, &tollgate.Subscription{StripeID: "sub_1", CustomerID: "cus_1", UserID: 7, Status: "active", TrialEnd: trialEnd}); err != nil {
		t.Fatal(err)
	}
	paid := func(id string, periodEnd time.Time) *tollgate.Event {
		return &tollgate.Event{ID: id, Type: "invoice.paid", Payload: []byte(`{"data":{"object":{"object":"invoice","billing_reason":"subscription_cycle","attempt_count":1,` +
			`"period_end":` + strconv.FormatInt(periodEnd.Unix(), 10) + `,"parent":{"subscription_details":{"subscription":"sub_1"}}}}}`)}
	}
	tr.Applied(ctx, paid("evt_2", trialEnd), tollgate.EventResult{Outcome: tollgate.EventApplied, UserID: 7})
	if c, _ := tr.Course(ctx, 7); c.Done != 3 {
		t.Fatalf("the trial's first charge ticked a renewal")
	}
	tr.Applied(ctx, paid("evt_3", trialEnd.AddDate(0, 1, 0)), tollgate.EventResult{Outcome: tollgate.EventApplied, UserID: 7})
	if c, _ := tr.Course(ctx, 7); c.Done != 4 {
		t.Fatalf("a month later's charge did not tick the renewal")
	}

	if err := tr.StartOver(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if c, _ := tr.Course(ctx, 7); c.Done != 0 {
		t.Errorf("after StartOver: %d done", c.Done)
	}
	if c, _ := tr.Course(ctx, 8); c.Done != 3 {
		t.Errorf("another learner after StartOver: %d done, want kept", c.Done)
	}
}

// TestReport checks the page a learner hands out: self-contained (no script,
// no address outside it) and blank where any secret would have been.
func TestReport(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	course := lessons.Course{Done: 1, Lessons: []lessons.LessonView{
		{ID: "account", Title: "Register and log in", Done: true, At: at, Via: "the Register screen"},
		{ID: "renewal", Title: "A renewal", Doc: lessons.Link{Title: "Test clocks", URL: "https://docs.stripe.com/billing/testing/test-clocks"}},
	}}
	r := lessons.Report{Learner: `Ada <script>alert(1)</script>`, Email: "ada@example.com", Generated: at, Version: "v1", Stripe: "Tollgate's sandbox",
		Course: course,
		Events: []lessons.ReportEvent{{Event: tollgate.Event{ID: "evt_1", Type: "invoice.paid", Created: at, Received: at, Outcome: "applied"}, Did: "Re-read the subscriptions."}},
		Calls: []calls.Call{{Action: calls.Action{Label: "Save settings"}, Method: "POST", Path: "/v1/webhook_endpoints", Status: 200, Started: at,
			Params: []calls.Param{{Key: "url", Value: "https://x.ngrok.app/payments/event"}, {Key: "note", Value: "sk_test_abc123DEF whsec_Zm9v rk_live_9 ngrok-token-1234567"}}}},
		Secrets: []string{"ngrok-token-1234567", "short"},
	}
	var b strings.Builder
	if err := lessons.WriteReport(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"sk_test_abc123DEF", "whsec_Zm9v", "rk_live_9", "ngrok-token-1234567", "<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("the report contains %q", bad)
		}
	}
	if got := strings.Count(page, lessons.Removed); got != 4 {
		t.Errorf("%d secrets removed, want 4", got)
	}
	if regexp.MustCompile(`https?://[^<\s]*`).FindString(strings.ReplaceAll(page, "https://x.ngrok.app/payments/event", "")) != "" {
		t.Errorf("the report names an address: %s", regexp.MustCompile(`https?://[^<\s]*`).FindString(page))
	}
	for _, want := range []string{"1 of 2", "Register and log in", "the Register screen", "Not yet", "invoice.paid", "Re-read the subscriptions.", "POST /v1/webhook_endpoints", "<style>", "Ada &lt;script&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
