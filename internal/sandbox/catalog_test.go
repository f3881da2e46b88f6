package sandbox_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/sandbox"
)

func TestAPIVersion(t *testing.T) {
	if got, want := sandbox.APIVersion, stripe.APIVersion; got != want {
		t.Fatalf("sandbox.APIVersion = %q, stripe.APIVersion = %q", got, want)
	}
}

func TestCatalog(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()

	t.Run("Empty", func(t *testing.T) {
		if got := collect(t, e.sc.V1Products.List(ctx, &stripe.ProductListParams{})); len(got) != 0 {
			t.Fatalf("new account has %d products", len(got))
		}
	})
	c := e.catalog()

	t.Run("OK", func(t *testing.T) {
		p := must(e.sc.V1Products.Retrieve(ctx, c.product.ID, nil))(t)
		if got, want := p.Name, "Tollgate Pro"; got != want {
			t.Errorf("name = %q, want %q", got, want)
		}
		prices := collect(t, e.sc.V1Prices.List(ctx, &stripe.PriceListParams{LookupKeys: stripe.StringSlice([]string{"pro_yearly"})}))
		if len(prices) != 1 || prices[0].ID != c.yearly.ID {
			t.Fatalf("prices by lookup key = %v", prices)
		}
		if got, want := prices[0].Recurring.Interval, stripe.PriceRecurringIntervalYear; got != want {
			t.Errorf("interval = %s, want %s", got, want)
		}
		if got, want := prices[0].Product.ID, c.product.ID; got != want {
			t.Errorf("product = %s, want %s", got, want)
		}
		pf := collect(t, e.sc.V1ProductFeatures.List(ctx, &stripe.ProductFeatureListParams{Product: stripe.String(c.product.ID)}))
		if len(pf) != 2 || pf[0].EntitlementFeature.LookupKey == "" {
			t.Fatalf("product features = %+v", pf)
		}
		feats := collect(t, e.sc.V1EntitlementsFeatures.List(ctx, &stripe.EntitlementsFeatureListParams{}))
		if len(feats) != 2 {
			t.Fatalf("features = %d, want 2", len(feats))
		}
	})

	t.Run("ExpandProduct", func(t *testing.T) {
		p := &stripe.PriceRetrieveParams{}
		p.AddExpand("product")
		pr := must(e.sc.V1Prices.Retrieve(ctx, c.monthly.ID, p))(t)
		if got, want := pr.Product.Name, "Tollgate Pro"; got != want {
			t.Errorf("expanded product name = %q, want %q", got, want)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		for range 3 {
			must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("page@example.com")}))(t)
		}
		p := &stripe.CustomerListParams{Email: stripe.String("page@example.com")}
		p.Limit = stripe.Int64(2)
		if got := collect(t, e.sc.V1Customers.List(ctx, p)); len(got) != 3 {
			t.Fatalf("paged list gave %d customers, want 3", len(got))
		}
	})

	t.Run("UpdateProduct", func(t *testing.T) {
		p := must(e.sc.V1Products.Update(ctx, c.product.ID, &stripe.ProductUpdateParams{Description: stripe.String("All access")}))(t)
		if got, want := p.Description, "All access"; got != want {
			t.Errorf("description = %q, want %q", got, want)
		}
	})

	t.Run("Account", func(t *testing.T) {
		a := must(e.sc.V1Accounts.Retrieve(ctx, nil))(t)
		if a.ID == "" || a.Settings.Dashboard.DisplayName != "Tollgate Sandbox" {
			t.Fatalf("account = %+v", a)
		}
		// The demo catalog charges pounds, so the account is British.
		if a.Country != "GB" || a.DefaultCurrency != stripe.CurrencyGBP {
			t.Errorf("account country, currency = %q, %q; want GB, gbp", a.Country, a.DefaultCurrency)
		}
	})

	t.Run("PortalConfiguration", func(t *testing.T) {
		cfg := must(e.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel:  &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end")},
				InvoiceHistory:      &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)},
				PaymentMethodUpdate: &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)},
				CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{
					Enabled: stripe.Bool(true), AllowedUpdates: stripe.StringSlice([]string{"email", "name"})},
			},
		}))(t)
		if !cfg.Features.SubscriptionCancel.Enabled || len(cfg.Features.CustomerUpdate.AllowedUpdates) != 2 {
			t.Fatalf("features = %+v", cfg.Features)
		}
		if got := collect(t, e.sc.V1BillingPortalConfigurations.List(ctx, &stripe.BillingPortalConfigurationListParams{})); len(got) != 1 {
			t.Fatalf("configurations = %d, want 1", len(got))
		}
	})
}

// Only Stripe's currencies are taken, in any case and kept in lower case; a
// made-up one is refused before anything is stored.
func TestCurrency(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	prod := must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("x")}))(t)

	for _, bad := range []string{"usdollars", "<script>", "us", "xxx"} {
		_, err := e.sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID),
			Currency: stripe.String(bad), UnitAmount: stripe.Int64(500)})
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusBadRequest || se.Param != "currency" || !strings.HasPrefix(se.Msg, "Invalid currency: ") {
			t.Errorf("price in %q: %d %s %q", bad, se.HTTPStatusCode, se.Param, se.Msg)
		}
		_, err = e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(100), Currency: stripe.String(bad)})
		if se := stripeErr(t, err); se.Param != "currency" {
			t.Errorf("coupon in %q: param %q", bad, se.Param)
		}
	}
	if got := collect(t, e.sc.V1Prices.List(ctx, &stripe.PriceListParams{})); len(got) != 0 {
		t.Fatalf("refused prices were stored: %v", got)
	}

	pr := must(e.sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID),
		Currency: stripe.String("GBP"), UnitAmount: stripe.Int64(500)}))(t)
	if pr.Currency != stripe.CurrencyGBP {
		t.Errorf("currency = %q, want gbp", pr.Currency)
	}
	if got := collect(t, e.sc.V1Prices.List(ctx, &stripe.PriceListParams{Currency: stripe.String("gbp")})); len(got) != 1 {
		t.Errorf("prices in gbp: %d, want 1", len(got))
	}
}
