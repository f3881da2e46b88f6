package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/tollgate"
)

func TestPutCustomer(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := MustOpen(t)
		if err := db.PutCustomer(ctx, &tollgate.Customer{UserID: 1, StripeID: "cus_1", TestClock: "clock_1"}); err != nil {
			t.Fatal(err)
		}
		byUser, err := db.CustomerByUser(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if byUser.StripeID != "cus_1" || byUser.TestClock != "clock_1" || byUser.CreatedAt.IsZero() {
			t.Errorf("CustomerByUser = %+v", byUser)
		}
		byStripe, err := db.CustomerByStripeID(ctx, "cus_1")
		if err != nil {
			t.Fatal(err)
		}
		if byStripe.UserID != 1 {
			t.Errorf("CustomerByStripeID user = %d, want 1", byStripe.UserID)
		}
		// Linking the same pair again (checkout.session.completed after we created the customer) is fine.
		relink := &tollgate.Customer{UserID: 1, StripeID: "cus_1"}
		if err := db.PutCustomer(ctx, relink); err != nil {
			t.Errorf("relink: %v", err)
		}
		if again, _ := db.CustomerByUser(ctx, 1); again.TestClock != "clock_1" || relink.TestClock != "clock_1" {
			t.Errorf("relinking lost the test clock: stored %q, returned %q", again.TestClock, relink.TestClock)
		}
	})
	t.Run("ErrSecondCustomerForUser", func(t *testing.T) {
		db := MustOpen(t)
		db.PutCustomer(ctx, &tollgate.Customer{UserID: 1, StripeID: "cus_1"})
		if err := db.PutCustomer(ctx, &tollgate.Customer{UserID: 1, StripeID: "cus_2"}); tollgate.ErrorCode(err) != tollgate.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
		if c, _ := db.CustomerByUser(ctx, 1); c.StripeID != "cus_1" {
			t.Errorf("customer changed to %s", c.StripeID)
		}
	})
	t.Run("ErrCustomerOfAnotherUser", func(t *testing.T) {
		db := MustOpen(t)
		db.PutCustomer(ctx, &tollgate.Customer{UserID: 1, StripeID: "cus_1"})
		if err := db.PutCustomer(ctx, &tollgate.Customer{UserID: 2, StripeID: "cus_1"}); tollgate.ErrorCode(err) != tollgate.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpen(t)
		if _, err := db.CustomerByUser(ctx, 9); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("by user: %v", err)
		}
		if _, err := db.CustomerByStripeID(ctx, "cus_x"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("by stripe id: %v", err)
		}
	})
}

func TestSubscriptions(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := &tollgate.Subscription{StripeID: "sub_old", UserID: 1, Status: tollgate.StatusCanceled, Created: t0}
	cur := &tollgate.Subscription{StripeID: "sub_new", UserID: 1, Status: tollgate.StatusTrialing, Interval: "month", CurrentPeriodEnd: t0.AddDate(0, 1, 0), Created: t0.Add(time.Hour)}
	other := &tollgate.Subscription{StripeID: "sub_other", UserID: 2, Status: tollgate.StatusActive, Created: t0}
	for _, s := range []*tollgate.Subscription{old, cur, other} {
		if err := db.PutSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	cur.Status = tollgate.StatusActive // a later sync replaces the copy
	if err := db.PutSubscription(ctx, cur); err != nil {
		t.Fatal(err)
	}
	subs, err := db.SubscriptionsByUser(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || subs[0].StripeID != "sub_new" || subs[1].StripeID != "sub_old" {
		t.Fatalf("subscriptions = %+v, want sub_new then sub_old", subs)
	}
	if subs[0].Status != tollgate.StatusActive || !subs[0].CurrentPeriodEnd.Equal(cur.CurrentPeriodEnd) {
		t.Errorf("sub_new = %+v, want the replaced copy", subs[0])
	}
}

// TestSubscriptionInvoice covers what a sync keeps of the latest invoice
// and the card, and a record written before they were kept: it reads as
// an invoice not read yet, with no migration.
func TestSubscriptionInvoice(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		db := MustOpen(t)
		inv := tollgate.Invoice{ID: "in_1", Number: "ABC-0002", Status: "paid", BillingReason: "subscription_update", Currency: "gbp",
			Subtotal: 8565, Total: 7665, AmountDue: 7665, AmountPaid: 7665, HostedURL: "http://127.0.0.1:1/invoice/in_1", Created: t0,
			Discounts: []tollgate.InvoiceDiscount{{Name: "LEARN10", Amount: 900}},
			Lines:     []tollgate.InvoiceLine{{Description: "Unused time on Tollgate Premium after 1 Jan 2026", Amount: -435, Proration: true}, {Description: "1 × Tollgate Premium (at £90.00 / year)", Amount: 9000}}}
		want := &tollgate.Subscription{StripeID: "sub_1", UserID: 1, Status: tollgate.StatusPastDue, Created: t0, LatestInvoiceID: "in_1", LatestInvoice: inv,
			Card: "Visa •••• 4242", CardID: "pm_new", FailedCardID: "pm_old", CardUpdated: true}
		if err := db.PutSubscription(ctx, want); err != nil {
			t.Fatal(err)
		}
		subs, err := db.SubscriptionsByUser(ctx, 1)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions = %v, %v", subs, err)
		}
		got := subs[0]
		if !reflect.DeepEqual(got.LatestInvoice, inv) || got.Card != want.Card || got.CardID != "pm_new" || got.FailedCardID != "pm_old" || !got.CardUpdated {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("RecordFromEarlierTollgate", func(t *testing.T) {
		db := MustOpen(t)
		old := `{"stripe_id":"sub_old","customer_id":"cus_1","user_id":1,"status":"active","interval":"month","created":"2026-01-01T00:00:00Z",` +
			`"latest_invoice_id":"in_1","latest_invoice_status":"paid","synced_at":"2026-01-01T00:00:00Z"}`
		if err := db.PutRawSubscription("sub_old", old); err != nil {
			t.Fatal(err)
		}
		subs, err := db.SubscriptionsByUser(ctx, 1)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions = %v, %v", subs, err)
		}
		if got := subs[0]; got.LatestInvoiceID != "in_1" || got.LatestInvoice.ID != "" || got.Card != "" || got.CardUpdated {
			t.Errorf("old record = %+v, want its fields and no invoice read yet", got)
		}
	})
}

func TestEntitlements(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	e, err := db.EntitlementsByCustomer(ctx, "cus_1")
	if err != nil || len(e.LookupKeys) != 0 {
		t.Fatalf("none stored = %+v, %v; want empty", e, err)
	}
	if err := db.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: "cus_1", LookupKeys: []string{"test-access", "test-access-2"}}); err != nil {
		t.Fatal(err)
	}
	e, _ = db.EntitlementsByCustomer(ctx, "cus_1")
	if !e.Has("test-access") || !e.Has("test-access-2") || e.Has("other") {
		t.Errorf("entitlements = %+v", e)
	}
	db.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: "cus_1"})
	if e, _ = db.EntitlementsByCustomer(ctx, "cus_1"); e.Has("test-access") {
		t.Errorf("after removal = %+v, want empty", e)
	}
}

func TestResetBilling(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	u := &tollgate.User{Email: "ada@example.com", Name: "Ada"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	db.PutCustomer(ctx, &tollgate.Customer{UserID: u.ID, StripeID: "cus_1"})
	db.PutSubscription(ctx, &tollgate.Subscription{StripeID: "sub_1", UserID: u.ID})
	db.PutEntitlements(ctx, &tollgate.Entitlements{CustomerID: "cus_1", LookupKeys: []string{"test-access"}})
	db.RecordEvent(ctx, &tollgate.Event{ID: "evt_1", Type: "invoice.paid"})
	if err := db.ResetBilling(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CustomerByUser(ctx, u.ID); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("customer after reset: %v", err)
	}
	if _, err := db.CustomerByStripeID(ctx, "cus_1"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("customer index after reset: %v", err)
	}
	if subs, _ := db.SubscriptionsByUser(ctx, u.ID); len(subs) != 0 {
		t.Errorf("subscriptions after reset: %v", subs)
	}
	if e, _ := db.EntitlementsByCustomer(ctx, "cus_1"); len(e.LookupKeys) != 0 {
		t.Errorf("entitlements after reset: %v", e)
	}
	if evs, _ := db.RecentEvents(ctx, 10); len(evs) != 0 {
		t.Errorf("events after reset: %v", evs)
	}
	if got, err := db.UserByEmail(ctx, "ada@example.com"); err != nil || got.ID != u.ID {
		t.Errorf("the user did not survive the reset: %v, %v", got, err)
	}
	// The customer can be linked anew: the index was emptied with the records.
	if err := db.PutCustomer(ctx, &tollgate.Customer{UserID: u.ID, StripeID: "cus_2"}); err != nil {
		t.Errorf("link after reset: %v", err)
	}
}
