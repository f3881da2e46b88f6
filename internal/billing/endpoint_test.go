package billing_test

import (
	"slices"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/tollgate"
)

func TestEnsureWebhookEndpoint(t *testing.T) {
	e := newEnv(t, options{})
	endpoints := func() []*stripe.WebhookEndpoint {
		t.Helper()
		var out []*stripe.WebhookEndpoint
		for we, err := range e.stripe.V1WebhookEndpoints.List(e.ctx, &stripe.WebhookEndpointListParams{}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, we)
		}
		return out
	}
	const first, moved = "https://one.example/payments/event", "https://two.example/payments/event"

	ep, err := e.billing.EnsureWebhookEndpoint(e.ctx, first, billing.WebhookEvents(), tollgate.WebhookEndpoint{}, "install_a")
	if err != nil {
		t.Fatal(err)
	}
	if ep.URL != first || ep.APIVersion != stripe.APIVersion || ep.Status != "enabled" || ep.Secret == "" {
		t.Fatalf("created %+v", ep)
	}
	we := endpoints()[0]
	if !slices.Equal(we.EnabledEvents, billing.WebhookEvents()) || we.Metadata["tollgate_install"] != "install_a" {
		t.Errorf("endpoint on Stripe = %+v, want the handled events and its owner in metadata", we)
	}

	t.Run("NewURLUpdatesInPlace", func(t *testing.T) {
		got, err := e.billing.EnsureWebhookEndpoint(e.ctx, moved, billing.WebhookEvents(), ep, "install_a")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != ep.ID || got.URL != moved || got.Secret != ep.Secret || len(endpoints()) != 1 {
			t.Errorf("got %+v with %d endpoints, want %s moved to %s, its secret kept, no other", got, len(endpoints()), ep.ID, moved)
		}
		ep = got
	})

	t.Run("DisabledThenEnabledAgain", func(t *testing.T) {
		if err := e.billing.DisableWebhookEndpoint(e.ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		if s := endpoints()[0].Status; s != "disabled" {
			t.Fatalf("status after quit = %q, want disabled", s)
		}
		got, err := e.billing.EnsureWebhookEndpoint(e.ctx, moved, billing.WebhookEvents(), ep, "install_a")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != ep.ID || got.Status != "enabled" || endpoints()[0].Status != "enabled" {
			t.Errorf("got %+v, want %s enabled again", got, ep.ID)
		}
	})

	t.Run("FoundByMetadataWhenTheIDIsLost", func(t *testing.T) {
		// Without its secret the endpoint is useless: it is replaced, not duplicated.
		got, err := e.billing.EnsureWebhookEndpoint(e.ctx, moved, billing.WebhookEvents(), tollgate.WebhookEndpoint{}, "install_a")
		if err != nil {
			t.Fatal(err)
		}
		all := endpoints()
		if got.ID == ep.ID || got.Secret == "" || len(all) != 1 || all[0].ID != got.ID {
			t.Errorf("got %+v, endpoints %d; want the old one replaced by one whose secret is known", got, len(all))
		}
		ep = got
	})

	t.Run("OtherTollgateKeepsItsOwn", func(t *testing.T) {
		other, err := e.billing.EnsureWebhookEndpoint(e.ctx, first, billing.WebhookEvents(), tollgate.WebhookEndpoint{}, "install_b")
		if err != nil {
			t.Fatal(err)
		}
		if other.ID == ep.ID || len(endpoints()) != 2 {
			t.Errorf("another Tollgate got %s with %d endpoints, want one of its own beside %s", other.ID, len(endpoints()), ep.ID)
		}
	})

	t.Run("DeletedInTheDashboard", func(t *testing.T) {
		if _, err := e.stripe.V1WebhookEndpoints.Delete(e.ctx, ep.ID, nil); err != nil {
			t.Fatal(err)
		}
		got, err := e.billing.EnsureWebhookEndpoint(e.ctx, moved, billing.WebhookEvents(), ep, "install_a")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == ep.ID || got.Secret == "" || got.URL != moved {
			t.Errorf("got %+v, want a new endpoint in place of the deleted %s", got, ep.ID)
		}
	})
}

func TestSyncAll(t *testing.T) {
	// What a disabled endpoint missed is read back for every customer, even
	// when one of them is gone from Stripe.
	e := newEnv(t, options{})
	u := e.user("ada@example.com")
	e.subscribe(u, billing.Monthly, false, "4242424242424242", "")
	c, err := e.db.CustomerByUser(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The local copy went stale while Tollgate was closed.
	if err := e.db.PutEntitlements(e.ctx, &tollgate.Entitlements{CustomerID: c.StripeID}); err != nil {
		t.Fatal(err)
	}
	gone := e.user("gone@example.com")
	if err := e.db.PutCustomer(e.ctx, &tollgate.Customer{UserID: gone.ID, StripeID: "cus_deleted_in_dashboard"}); err != nil {
		t.Fatal(err)
	}
	if err := e.billing.SyncAll(e.ctx); err == nil {
		t.Error("SyncAll() = nil, want the missing customer's error")
	}
	if got := e.access(u); !slices.Equal(got.Local, both) {
		t.Errorf("local entitlements after SyncAll = %v, want %v read back from Stripe", got.Local, both)
	}
}
