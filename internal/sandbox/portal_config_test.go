package sandbox_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
	bolt "go.etcd.io/bbolt"
)

// switchFeatures is a subscription_update feature that lets a subscriber of
// the catalog's product switch between its monthly and yearly prices.
func switchFeatures(c catalog, proration string) *stripe.BillingPortalConfigurationCreateFeaturesParams {
	return &stripe.BillingPortalConfigurationCreateFeaturesParams{
		SubscriptionUpdate: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams{
			Enabled:               stripe.Bool(true),
			DefaultAllowedUpdates: stripe.StringSlice([]string{"price"}),
			ProrationBehavior:     stripe.String(proration),
			Products: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateProductParams{
				{Product: stripe.String(c.product.ID), Prices: stripe.StringSlice([]string{c.monthly.ID, c.yearly.ID})},
			},
		},
	}
}

// TestPortalConfigurationSubscriptionUpdate covers features.subscription_update
// as basil's API takes it: accepted, rendered back in Stripe's shape, changed
// in place by an update, and refused when it names what cannot be switched to.
func TestPortalConfigurationSubscriptionUpdate(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()

	cfg := must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{Features: switchFeatures(c, "create_prorations")}))(t)
	su := cfg.Features.SubscriptionUpdate
	if su == nil || !su.Enabled || su.ProrationBehavior != "create_prorations" || len(su.DefaultAllowedUpdates) != 1 || su.DefaultAllowedUpdates[0] != "price" {
		t.Fatalf("subscription_update = %+v", su)
	}
	if len(su.Products) != 1 || su.Products[0].Product != c.product.ID || !slices.Equal(su.Products[0].Prices, []string{c.monthly.ID, c.yearly.ID}) {
		t.Fatalf("products = %+v", su.Products)
	}
	if aq := su.Products[0].AdjustableQuantity; aq == nil || aq.Enabled || aq.Minimum != 1 {
		t.Fatalf("adjustable_quantity = %+v, want Stripe's default", aq)
	}
	if su.ScheduleAtPeriodEnd == nil || len(su.ScheduleAtPeriodEnd.Conditions) != 0 {
		t.Fatalf("schedule_at_period_end = %+v", su.ScheduleAtPeriodEnd)
	}
	// Features left out are rendered disabled, not missing.
	if f := cfg.Features; f.SubscriptionCancel == nil || f.SubscriptionCancel.Enabled || f.InvoiceHistory == nil || f.InvoiceHistory.Enabled {
		t.Fatalf("features = %+v", f)
	}
	if got := must(e.sc.V1BillingPortalConfigurations.Retrieve(ctx, cfg.ID, nil))(t).Features.SubscriptionUpdate; !slices.Equal(got.Products[0].Prices, su.Products[0].Prices) {
		t.Fatalf("retrieved products = %+v", got.Products)
	}

	t.Run("Update", func(t *testing.T) {
		// What an app does to a configuration it made before it offered
		// switching: the fields given change, the others stay.
		old := must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end")},
			},
			Metadata: map[string]string{"tollgate": "demo"},
		}))(t)
		got := must(e.sc.V1BillingPortalConfigurations.Update(ctx, old.ID, &stripe.BillingPortalConfigurationUpdateParams{
			Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
				SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
					Enabled: stripe.Bool(true), DefaultAllowedUpdates: stripe.StringSlice([]string{"price"}), ProrationBehavior: stripe.String("always_invoice"),
					Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{
						{Product: stripe.String(c.product.ID), Prices: stripe.StringSlice([]string{c.monthly.ID, c.yearly.ID})},
					},
				},
			},
		}))(t)
		if got.ID != old.ID || !got.Features.SubscriptionCancel.Enabled || got.Features.SubscriptionCancel.Mode != "at_period_end" || got.Metadata["tollgate"] != "demo" {
			t.Fatalf("update lost what it did not name: %+v", got)
		}
		if su := got.Features.SubscriptionUpdate; !su.Enabled || su.ProrationBehavior != "always_invoice" || len(su.Products) != 1 {
			t.Fatalf("subscription_update after update = %+v", su)
		}
		// Turning it off again keeps the products, as Stripe does.
		got = must(e.sc.V1BillingPortalConfigurations.Update(ctx, old.ID, &stripe.BillingPortalConfigurationUpdateParams{
			Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
				SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{Enabled: stripe.Bool(false)},
			},
		}))(t)
		if su := got.Features.SubscriptionUpdate; su.Enabled || len(su.Products) != 1 {
			t.Fatalf("subscription_update after disabling = %+v", su)
		}
		if n := count(e.eventTypes("billing_portal.configuration.updated"), "billing_portal.configuration.updated"); n != 2 {
			t.Fatalf("%d billing_portal.configuration.updated events, want 2", n)
		}
		_, err := e.sc.V1BillingPortalConfigurations.Update(ctx, "bpc_nope", &stripe.BillingPortalConfigurationUpdateParams{Active: stripe.Bool(false)})
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound {
			t.Fatalf("update of an unknown configuration: %d", se.HTTPStatusCode)
		}
	})

	one := must(e.sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{Product: stripe.String(c.product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)}))(t)
	other := must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Other")}))(t)
	for _, tc := range []struct {
		name, param, text string
		edit              func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams)
	}{
		{"ErrUnknownPrice", "features[subscription_update][products][0][prices][1]", "No such price", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.Products[0].Prices[1] = stripe.String("price_nope")
		}},
		{"ErrPriceOfOtherProduct", "features[subscription_update][products][0][prices][0]", "belongs to product", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.Products[0].Product = stripe.String(other.ID)
		}},
		{"ErrOneTimePrice", "features[subscription_update][products][0][prices][1]", "not recurring", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.Products[0].Prices[1] = stripe.String(one.ID)
		}},
		{"ErrNoProducts", "features[subscription_update][products]", "at least one product", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.Products = nil
		}},
		{"ErrProration", "features[subscription_update][proration_behavior]", "must be one of", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.ProrationBehavior = stripe.String("sometimes")
		}},
		{"ErrAllowedUpdate", "features[subscription_update][default_allowed_updates]", "must be one of", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.DefaultAllowedUpdates = stripe.StringSlice([]string{"plan"})
		}},
		{"ErrEnabledMissing", "features[subscription_update][enabled]", "Missing required param", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.Enabled = nil
		}},
		{"ErrScheduled", "features[subscription_update][schedule_at_period_end][conditions]", "at once", func(f *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams) {
			f.ScheduleAtPeriodEnd = &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateScheduleAtPeriodEndParams{
				Conditions: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateScheduleAtPeriodEndConditionParams{{Type: stripe.String("shortening_interval")}},
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := switchFeatures(c, "create_prorations")
			tc.edit(f.SubscriptionUpdate)
			_, err := e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{Features: f})
			se := stripeErr(t, err)
			if se.HTTPStatusCode/100 != 4 || se.Param != tc.param || !strings.Contains(se.Msg, tc.text) {
				t.Fatalf("got %d param %q: %s; want param %s with %q", se.HTTPStatusCode, se.Param, se.Msg, tc.param, tc.text)
			}
		})
	}

	t.Run("ErrUnknownField", func(t *testing.T) {
		// An unknown field inside a product is refused, as Stripe refuses any.
		f := switchFeatures(c, "none")
		params := &stripe.BillingPortalConfigurationCreateParams{Features: f}
		params.AddExtra("features[subscription_update][products][0][color]", "blue")
		_, err := e.sc.V1BillingPortalConfigurations.Create(ctx, params)
		if se := stripeErr(t, err); se.Param != "features[subscription_update][products][0][color]" || se.Code != stripe.ErrorCodeParameterUnknown {
			t.Fatalf("got param %q code %s: %s", se.Param, se.Code, se.Msg)
		}
		params = &stripe.BillingPortalConfigurationCreateParams{}
		params.AddExtra("features[subscription_pause][enabled]", "true")
		_, err = e.sc.V1BillingPortalConfigurations.Create(ctx, params)
		if se := stripeErr(t, err); se.Param != "features[subscription_pause][enabled]" {
			t.Fatalf("a feature basil does not have: param %q: %s", se.Param, se.Msg)
		}
	})
}

// TestPortalConfigurationFromEarlierSandbox covers a sandbox.db written
// before features were typed, when they were kept as the form's strings:
// such a configuration still renders with Stripe's types and still works.
func TestPortalConfigurationFromEarlierSandbox(t *testing.T) {
	e := MustStart(t)
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	db := must(bolt.Open(e.cfg.Path, 0o600, nil))(t)
	legacy := `{"id":"bpc_legacy","seq":1,"created":1735732800,"active":true,"is_default":false,` +
		`"features":{"subscription_cancel":{"enabled":"true","mode":"at_period_end"},"invoice_history":{"enabled":"true"}},` +
		`"metadata":{"tollgate":"demo"},"updated":1735732800}`
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("portal_configurations")).Put([]byte("bpc_legacy"), []byte(legacy))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	e.start() // MustStart's cleanup closes this one

	cfg := must(e.sc.V1BillingPortalConfigurations.Retrieve(context.Background(), "bpc_legacy", nil))(t)
	if f := cfg.Features; !f.SubscriptionCancel.Enabled || f.SubscriptionCancel.Mode != "at_period_end" || !f.InvoiceHistory.Enabled || f.SubscriptionUpdate.Enabled {
		t.Fatalf("legacy features = %+v", f)
	}
	c := e.catalog()
	cfg = must(e.sc.V1BillingPortalConfigurations.Update(context.Background(), "bpc_legacy", &stripe.BillingPortalConfigurationUpdateParams{
		Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
				Enabled: stripe.Bool(true), DefaultAllowedUpdates: stripe.StringSlice([]string{"price"}),
				Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{
					{Product: stripe.String(c.product.ID), Prices: stripe.StringSlice([]string{c.monthly.ID, c.yearly.ID})},
				},
			},
		},
	}))(t)
	if f := cfg.Features; !f.SubscriptionCancel.Enabled || !f.SubscriptionUpdate.Enabled || len(f.SubscriptionUpdate.Products) != 1 {
		t.Fatalf("updated legacy features = %+v", f)
	}
}
