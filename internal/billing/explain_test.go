package billing_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

const unexplained = "An event Tollgate has no explanation of yet"

func TestExplain(t *testing.T) {
	t.Run("EveryHandledType", func(t *testing.T) {
		for _, typ := range billing.WebhookEvents() {
			x := billing.Explain(&tollgate.Event{Type: typ, Outcome: tollgate.EventApplied})
			if !x.Needed || x.Means == "" || strings.HasPrefix(x.Means, unexplained) {
				t.Errorf("%s: %+v, want needed with a meaning", typ, x)
			}
		}
	})

	for _, tc := range []struct {
		name string
		e    tollgate.Event
		want string
	}{
		{"Changed", tollgate.Event{Type: "invoice.paid", Outcome: tollgate.EventApplied, CustomerID: "cus_1", Effect: &tollgate.Effect{
			Reread:             []string{"subscriptions", "active entitlements"},
			Subscriptions:      []tollgate.StatusChange{{ID: "sub_1", Before: "trialing", After: "active"}, {ID: "sub_0", Before: "canceled", After: "canceled"}},
			EntitlementsBefore: []string{}, EntitlementsAfter: []string{"test-access", "test-access-2"},
		}}, "Re-read cus_1's subscriptions and active entitlements from Stripe. Subscription sub_1: trialing → active. Entitlements: none → test-access, test-access-2."},
		{"New", tollgate.Event{Type: "customer.subscription.created", Outcome: tollgate.EventApplied, Effect: &tollgate.Effect{
			Reread: []string{"x"}, Subscriptions: []tollgate.StatusChange{{ID: "sub_2", After: "trialing"}},
			EntitlementsBefore: []string{"test-access"}, EntitlementsAfter: []string{"test-access"},
		}}, "Re-read (none)'s x from Stripe. Subscription sub_2 is new here: trialing."},
		{"Unchanged", tollgate.Event{Type: "invoice.paid", Outcome: tollgate.EventApplied, Effect: &tollgate.Effect{Reread: []string{"x"}}},
			"from Stripe. Nothing changed locally: Tollgate's copy was already up to date"},
		{"NotNeeded", tollgate.Event{Type: "invoice.created", Outcome: tollgate.EventIgnored},
			"Not needed by Tollgate: Tollgate acts on the outcome, invoice.paid or invoice.payment_failed"},
		{"OtherCustomer", tollgate.Event{Type: "invoice.paid", Outcome: tollgate.EventIgnored, CustomerID: "cus_other"},
			"Ignored: customer cus_other is not one Tollgate made"},
		{"Failed", tollgate.Event{Type: "invoice.paid", Outcome: tollgate.EventFailed, Error: "The invoice.paid event evt_1 names no customer."},
			"Applying it failed: The invoice.paid event evt_1 names no customer."},
		{"Pending", tollgate.Event{Type: "invoice.paid", Outcome: tollgate.EventPending}, "Recorded and answered; waiting to be applied"},
		{"OtherAPIVersion", tollgate.Event{Type: "customer.created", Outcome: tollgate.EventIgnored, APIVersion: "2025-09-30.clover"},
			"It came in API version 2025-09-30.clover; Tollgate read only ids from it and re-read the objects in " + stripe.APIVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := billing.Explain(&tc.e).Did; !strings.Contains(got, tc.want) {
				t.Errorf("Did = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// TestExplainEverySandboxEvent runs a subscription's whole life on a
// sandbox endpoint that gets every event type, as Tollgate's does, and checks
// that each type that arrives is explained and did what the screen says.
func TestExplainEverySandboxEvent(t *testing.T) {
	e := newEnv(t, options{webhooks: true})
	ada := e.user("ada@example.com") // trial with LEARN10, renewal, portal cancel, period end
	e.subscribe(ada, billing.Monthly, true, "4242424242424242", billing.PromotionCode)
	if _, err := e.billing.AdvanceClock(e.ctx, ada, 8); err != nil {
		t.Fatal(err)
	}
	// The change a learner came to see: ada's trial became active at its end.
	// Moving the clock re-reads the subscription itself, and the trial-end
	// event can be applied before or after that read: the event either made
	// the change or says the clock's read already had. (Applied after the
	// cancellation below, it would rightly say Stripe has moved on since.)
	var trialEnd *tollgate.Event
	eventually(t, "ada's trial-end event arrived and applied", func() bool {
		evs, _ := e.db.RecentEvents(e.ctx, 1000)
		i := slices.IndexFunc(evs, func(ev *tollgate.Event) bool {
			return ev.UserID == ada.ID && ev.Type == "customer.subscription.updated" && ev.Outcome == tollgate.EventApplied && trialEnded(t, e, ev)
		})
		if i >= 0 {
			trialEnd = evs[i]
		}
		return i >= 0
	})
	if did := billing.Explain(trialEnd).Did; !strings.Contains(did, "trialing → active") &&
		!(strings.Contains(did, "Nothing changed locally") && strings.Contains(did, "test clock")) {
		t.Errorf("ada's trial-end event %s: %q; want trialing → active, or that the clock's read already had", trialEnd.ID, did)
	}
	e.portal(ada, "cancel")
	if _, err := e.billing.AdvanceClock(e.ctx, ada, 31); err != nil {
		t.Fatal(err)
	}
	linus := e.user("linus@example.com") // a renewal that fails
	e.subscribe(linus, billing.Yearly, true, "4000000000000341", "")
	if _, err := e.billing.AdvanceClock(e.ctx, linus, 8); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ada's subscription canceled by webhook", func() bool { return e.onlySubscription(ada).Status == tollgate.StatusCanceled })
	eventually(t, "linus past_due by webhook", func() bool { return e.onlySubscription(linus).Status == tollgate.StatusPastDue })
	// The subscription's status can arrive before the invoice events of the
	// same moment: wait for each type the lifecycle makes, all applied.
	want := []string{"customer.created", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_failed", "customer.subscription.deleted"}
	var evs []*tollgate.Event
	eventually(t, "every event of "+strings.Join(want, ", ")+" arrived and applied", func() bool {
		evs, _ = e.db.RecentEvents(e.ctx, 1000)
		for _, typ := range want {
			if !slices.ContainsFunc(evs, func(ev *tollgate.Event) bool { return ev.Type == typ }) {
				return false
			}
		}
		return !slices.ContainsFunc(evs, func(ev *tollgate.Event) bool { return ev.Outcome == tollgate.EventPending })
	})
	for _, ev := range evs {
		x := billing.Explain(ev)
		if strings.HasPrefix(x.Means, unexplained) {
			t.Errorf("%s is not explained", ev.Type)
		}
		if ev.Outcome == tollgate.EventFailed {
			t.Errorf("%s %s failed: %s", ev.Type, ev.ID, ev.Error)
		}
		if x.Needed != (ev.Outcome == tollgate.EventApplied) && ev.CustomerID != "" {
			t.Errorf("%s %s: needed %v but %s", ev.Type, ev.ID, x.Needed, ev.Outcome)
		}
		if x.Needed && (ev.Effect == nil || len(ev.Effect.Reread) == 0 || ev.UserID == 0) {
			t.Errorf("%s %s applied without saying what it re-read or whom it concerns: %+v", ev.Type, ev.ID, ev)
		}
	}
}

// trialEnded says whether a customer.subscription.updated event is the one a
// trial's end sends: the subscription is active and was trialing.
func trialEnded(t *testing.T, e *env, ev *tollgate.Event) bool {
	t.Helper()
	// The Events page reads events without their bodies: fetch this one whole.
	ev, err := e.db.EventByID(e.ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Data struct {
			Object   struct{ Status string }
			Previous struct{ Status string } `json:"previous_attributes"`
		}
	}
	if err := json.Unmarshal(ev.Payload, &body); err != nil {
		t.Fatalf("%s: %v", ev.ID, err)
	}
	return body.Data.Object.Status == "active" && body.Data.Previous.Status == "trialing"
}
