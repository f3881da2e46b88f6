package billing_test

import (
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func TestBuildTimeline(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	sub := tollgate.Subscription{StripeID: "sub_1", CustomerID: "cus_1", Status: "canceled", Created: t0, TrialEnd: day(7)}
	ev := func(id, typ string, at time.Time, before, after string) *tollgate.Event {
		e := &tollgate.Event{ID: id, Type: typ, Created: at, CustomerID: "cus_1"}
		if after != "" {
			e.Effect = &tollgate.Effect{Subscriptions: []tollgate.StatusChange{{ID: "sub_1", Before: before, After: after}}}
		}
		return e
	}
	events := []*tollgate.Event{ // out of order, as deliveries may be
		ev("evt_paid", "invoice.paid", day(7).Add(time.Hour), "active", "active"),
		ev("evt_created", "customer.subscription.created", t0, "", "trialing"),
		ev("evt_will_end", "customer.subscription.trial_will_end", day(4), "trialing", "trialing"),
		ev("evt_drafted", "invoice.created", day(7), "", ""),
		ev("evt_active", "customer.subscription.updated", day(7), "trialing", "active"),
		ev("evt_failed", "invoice.payment_failed", day(38).Add(time.Hour), "active", "past_due"),
		ev("evt_deleted", "customer.subscription.deleted", day(52), "past_due", "canceled"),
		ev("evt_customer", "customer.created", t0, "", ""),                            // not drawn
		{ID: "evt_other", Type: "invoice.paid", Created: day(3), CustomerID: "cus_2"}, // another customer's
	}
	now := day(60)
	tl := billing.BuildTimeline(sub, events, now)

	wantSpans := []billing.TimelineSpan{
		{From: t0, To: day(7), Status: "trialing"},
		{From: day(7), To: day(38).Add(time.Hour), Status: "active"},
		{From: day(38).Add(time.Hour), To: day(52), Status: "past_due"},
		{From: day(52), To: now, Status: "canceled"},
	}
	if len(tl.Spans) != len(wantSpans) {
		t.Fatalf("spans = %+v, want %+v", tl.Spans, wantSpans)
	}
	for i, s := range tl.Spans {
		if !s.From.Equal(wantSpans[i].From) || !s.To.Equal(wantSpans[i].To) || s.Status != wantSpans[i].Status {
			t.Errorf("span %d = %+v, want %+v", i, s, wantSpans[i])
		}
	}
	want := []struct{ kind, label, event string }{
		{"created", "Subscription created", "evt_created"},
		{"trial_will_end", "Trial ends in 3 days (trial_will_end)", "evt_will_end"},
		{"drafted", "Invoice drafted", "evt_drafted"},
		{"updated", "Subscription updated: trialing → active", "evt_active"},
		{"trial_end", "Trial end", ""},
		{"paid", "Invoice paid", "evt_paid"},
		{"failed", "Payment failed: active → past_due", "evt_failed"},
		{"canceled", "Subscription canceled: past_due → canceled", "evt_deleted"},
	}
	if len(tl.Points) != len(want) {
		t.Fatalf("points = %+v, want %d", tl.Points, len(want))
	}
	for i, p := range tl.Points {
		if p.Kind != want[i].kind || p.Label != want[i].label || p.EventID != want[i].event {
			t.Errorf("point %d = %+v, want %+v", i, p, want[i])
		}
	}

	t.Run("StatusNoEventToldOf", func(t *testing.T) {
		// The success page re-read the subscription before any event arrived.
		fresh := tollgate.Subscription{StripeID: "sub_2", CustomerID: "cus_1", Status: "active", Created: t0}
		tl := billing.BuildTimeline(fresh, nil, t0.Add(time.Hour))
		if len(tl.Spans) != 1 || tl.Spans[0].Status != "active" || !tl.Spans[0].To.Equal(t0.Add(time.Hour)) || len(tl.Points) != 0 {
			t.Errorf("timeline = %+v, want one active span up to now", tl)
		}
	})
}
