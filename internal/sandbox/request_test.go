package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// TestEventRequest covers event.request. The API reference: request.id is
// the "ID of the API request that caused the event. If null, the event was
// automatic (e.g., Stripe's automatic subscription handling)", and
// request.idempotency_key "the idempotency key transmitted during the
// request, if any" (https://docs.stripe.com/api/events/object#event_object-request).
// The sandbox stamps an event with the Request-Id header of the API request
// whose handler sent it and the Idempotency-Key that request carried (which
// stripe-go sends on every POST); what the request's test clock advance
// runs afterwards, the hosted pages and the ticker are automatic: null.
func TestEventRequest(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()

	// lastEvent is the newest event of the type.
	lastEvent := func(t *testing.T, typ string) *stripe.Event {
		t.Helper()
		evs := collect(t, e.sc.V1Events.List(ctx, &stripe.EventListParams{Type: stripe.String(typ)}))
		if len(evs) == 0 {
			t.Fatalf("no %s event", typ)
		}
		return evs[0]
	}
	wantRequest := func(t *testing.T, ev *stripe.Event, id, key string) {
		t.Helper()
		if ev.Request == nil || ev.Request.ID != id || ev.Request.IdempotencyKey != key {
			t.Errorf("%s request = %+v, want id %q idempotency_key %q", ev.Type, ev.Request, id, key)
		}
	}

	t.Run("APIRequest", func(t *testing.T) {
		p := &stripe.CustomerCreateParams{Email: stripe.String("ada@example.com")}
		p.SetIdempotencyKey("tollgate-test-key-1")
		cu := must(e.sc.V1Customers.Create(ctx, p))(t)
		if cu.LastResponse.RequestID == "" || cu.LastResponse.IdempotencyKey != "tollgate-test-key-1" {
			t.Fatalf("response Request-Id %q Idempotency-Key %q", cu.LastResponse.RequestID, cu.LastResponse.IdempotencyKey)
		}
		wantRequest(t, lastEvent(t, "customer.created"), cu.LastResponse.RequestID, "tollgate-test-key-1")

		// stripe-go makes up a key for every POST that has none.
		up := must(e.sc.V1Customers.Update(ctx, cu.ID, &stripe.CustomerUpdateParams{Name: stripe.String("Ada")}))(t)
		if up.LastResponse.IdempotencyKey == "" {
			t.Fatal("stripe-go sent no Idempotency-Key on a POST")
		}
		wantRequest(t, lastEvent(t, "customer.updated"), up.LastResponse.RequestID, up.LastResponse.IdempotencyKey)
	})

	t.Run("IdempotentReplay", func(t *testing.T) {
		// A replayed request runs nothing again, so it sends no event.
		p := &stripe.CustomerCreateParams{Email: stripe.String("grace@example.com")}
		p.SetIdempotencyKey("tollgate-test-key-2")
		first := must(e.sc.V1Customers.Create(ctx, p))(t)
		before := count(e.eventTypes(), "customer.created")
		again := must(e.sc.V1Customers.Create(ctx, p))(t)
		if again.ID != first.ID || count(e.eventTypes(), "customer.created") != before {
			t.Fatalf("replay made customer %s and %d more events", again.ID, count(e.eventTypes(), "customer.created")-before)
		}
	})

	t.Run("HostedPage", func(t *testing.T) {
		// Checkout's page is not an API request: what its form does is null.
		sub := e.subscribe(sessionOpts{price: c.monthly.ID}, "4242424242424242")
		ev := lastEvent(t, "customer.subscription.created")
		if ev.Data.Object["id"] != sub.ID {
			t.Fatalf("newest customer.subscription.created is not %s", sub.ID)
		}
		wantRequest(t, ev, "", "")
		wantRequest(t, lastEvent(t, "checkout.session.completed"), "", "")
	})

	t.Run("ClockAdvance", func(t *testing.T) {
		clk, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		res := must(e.sc.V1TestHelpersTestClocks.Advance(ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{
			FrozenTime: stripe.Int64(t0.AddDate(0, 1, 0).Add(2 * time.Hour).Unix())}))(t)
		waitFor(t, "the clock to be ready", func() bool {
			return must(e.sc.V1TestHelpersTestClocks.Retrieve(ctx, clk.ID, nil))(t).Status == stripe.TestHelpersTestClockStatusReady
		})
		// The advance request itself starts the clock moving...
		wantRequest(t, lastEvent(t, "test_helpers.test_clock.advancing"), res.LastResponse.RequestID, res.LastResponse.IdempotencyKey)
		// ...and what falls due meanwhile is Stripe's automatic handling.
		for _, typ := range []string{"invoice.created", "customer.subscription.updated", "invoice.finalized", "invoice.paid", "test_helpers.test_clock.ready"} {
			wantRequest(t, lastEvent(t, typ), "", "")
		}
		if inv := e.subscription(sub.ID).LatestInvoice; inv.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle || inv.Status != stripe.InvoiceStatusPaid {
			t.Fatalf("renewal %s %s", inv.BillingReason, inv.Status)
		}

		// A DELETE causes its events too.
		del := must(e.sc.V1Subscriptions.Cancel(ctx, sub.ID, nil))(t)
		wantRequest(t, lastEvent(t, "customer.subscription.deleted"), del.LastResponse.RequestID, del.LastResponse.IdempotencyKey)
	})
}

// TestPortalSessionCreated covers billing_portal.session.created, "occurs
// whenever a portal session is created"
// (https://docs.stripe.com/api/events/types#event_types-billing_portal.session.created),
// beside billing_portal.configuration.created for the configuration.
func TestPortalSessionCreated(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	cu := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("ada@example.com")}))(t)
	e.portal(cu.ID)
	types := e.eventTypes("billing_portal.configuration.created", "billing_portal.session.created")
	if len(types) != 2 || types[0] != "billing_portal.configuration.created" || types[1] != "billing_portal.session.created" {
		t.Fatalf("events = %v", types)
	}
	ps := must(e.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer: stripe.String(cu.ID), Configuration: stripe.String(collect(t, e.sc.V1BillingPortalConfigurations.List(ctx, nil))[0].ID),
	}))(t)
	evs := collect(t, e.sc.V1Events.List(ctx, &stripe.EventListParams{Type: stripe.String("billing_portal.session.created")}))
	if len(evs) != 2 || evs[0].Data.Object["id"] != ps.ID || evs[0].Data.Object["customer"] != cu.ID || evs[0].Data.Object["url"] != ps.URL {
		t.Fatalf("newest billing_portal.session.created = %+v", evs[0].Data.Object)
	}
	if evs[0].Request == nil || evs[0].Request.ID != ps.LastResponse.RequestID {
		t.Fatalf("request = %+v, want %s", evs[0].Request, ps.LastResponse.RequestID)
	}
}
