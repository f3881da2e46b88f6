package billing

import (
	"context"
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// The demo catalog. Lookup keys, not ids, name it, so that the same code finds
// it again on any account and a second bootstrap changes nothing.
const (
	ProductName        = "Tollgate Premium"
	MonthlyLookupKey   = "tollgate_monthly"
	YearlyLookupKey    = "tollgate_yearly"
	PromotionCode      = "LEARN10"
	couponID           = "tollgate-learn10"
	catalogMetadataKey = "tollgate"
	currency           = "gbp"
	monthlyAmount      = 900  // £9.00
	yearlyAmount       = 9000 // £90.00: two months free
)

// features are the entitlements the product grants, by lookup key.
var features = []struct{ key, name string }{
	{tollgate.FeatureTestAccess, "Test access (opens Premium)"},
	{tollgate.FeatureTestAccess2, "Test access 2"},
}

// Catalog is what Bootstrap found or made.
type Catalog struct {
	ProductID       string `json:"productId"`
	MonthlyPriceID  string `json:"monthlyPriceId"`
	YearlyPriceID   string `json:"yearlyPriceId"`
	PromotionCodeID string `json:"promotionCodeId"`
	PortalConfigID  string `json:"portalConfigId"`
	// FeatureIDs are the entitlement features, in the order of FeatureKeys.
	FeatureIDs []string `json:"featureIds"`
}

// FeatureKeys are the lookup keys of the features the demo product grants.
func FeatureKeys() []string {
	keys := make([]string, len(features))
	for i, f := range features {
		keys[i] = f.key
	}
	return keys
}

// Bootstrap makes sure the account holds the demo catalog: one product with a
// monthly and a yearly price, the features test-access and test-access-2
// attached to it, a 10% coupon with promotion code LEARN10, and a Billing
// Portal configuration that allows cancelling at period end and switching
// between the two prices. It creates only what is missing (and brings a
// portal configuration made by an earlier Tollgate up to date), so it is
// safe to run at every start.
func (s *Service) Bootstrap(ctx context.Context) (Catalog, error) {
	var cat Catalog
	prices, err := s.pricesByLookupKey(ctx)
	if err != nil {
		return cat, err
	}
	for _, p := range prices {
		cat.ProductID = p.Product.ID
	}
	if cat.ProductID == "" {
		prod, err := s.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{
			Name:        stripe.String(ProductName),
			Description: stripe.String("The subscription of the Tollgate Stripe lab."),
			Metadata:    map[string]string{catalogMetadataKey: "demo"},
		})
		if err != nil {
			return cat, stripeError("create product", err)
		}
		cat.ProductID = prod.ID
	}
	for _, want := range []struct {
		key, interval string
		amount        int64
	}{{MonthlyLookupKey, "month", monthlyAmount}, {YearlyLookupKey, "year", yearlyAmount}} {
		if _, ok := prices[want.key]; ok {
			continue
		}
		p, err := s.sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{
			Product:    stripe.String(cat.ProductID),
			Currency:   stripe.String(currency),
			UnitAmount: stripe.Int64(want.amount),
			Recurring:  &stripe.PriceCreateRecurringParams{Interval: stripe.String(want.interval)},
			LookupKey:  stripe.String(want.key),
			Nickname:   stripe.String(want.key),
		})
		if err != nil {
			return cat, stripeError("create price "+want.key, err)
		}
		prices[want.key] = p
	}
	cat.MonthlyPriceID, cat.YearlyPriceID = prices[MonthlyLookupKey].ID, prices[YearlyLookupKey].ID
	if cat.FeatureIDs, err = s.attachFeatures(ctx, cat.ProductID); err != nil {
		return cat, err
	}
	if cat.PromotionCodeID, err = s.ensurePromotionCode(ctx); err != nil {
		return cat, err
	}
	if cat.PortalConfigID, err = s.ensurePortalConfiguration(ctx, cat); err != nil {
		return cat, err
	}
	return cat, nil
}

func (s *Service) pricesByLookupKey(ctx context.Context) (map[string]*stripe.Price, error) {
	found := map[string]*stripe.Price{}
	params := &stripe.PriceListParams{LookupKeys: stripe.StringSlice([]string{MonthlyLookupKey, YearlyLookupKey}), Active: stripe.Bool(true)}
	params.AddExpand("data.product")
	for p, err := range s.sc.V1Prices.List(ctx, params) {
		if err != nil {
			return nil, stripeError("list prices", err)
		}
		// Keep only the keys asked for, even from a server that ignores the filter.
		if p.LookupKey == MonthlyLookupKey || p.LookupKey == YearlyLookupKey {
			found[p.LookupKey] = p
		}
	}
	return found, nil
}

// attachFeatures makes sure the product grants each feature and returns their ids.
func (s *Service) attachFeatures(ctx context.Context, productID string) ([]string, error) {
	byKey := map[string]string{} // lookup key → feature id
	for f, err := range s.sc.V1EntitlementsFeatures.List(ctx, &stripe.EntitlementsFeatureListParams{}) {
		if err != nil {
			return nil, stripeError("list features", err)
		}
		byKey[f.LookupKey] = f.ID
	}
	attached := map[string]bool{}
	for pf, err := range s.sc.V1ProductFeatures.List(ctx, &stripe.ProductFeatureListParams{Product: stripe.String(productID)}) {
		if err != nil {
			return nil, stripeError("list product features", err)
		}
		attached[pf.EntitlementFeature.ID] = true
	}
	ids := make([]string, 0, len(features))
	for _, f := range features {
		id, ok := byKey[f.key]
		if !ok {
			feat, err := s.sc.V1EntitlementsFeatures.Create(ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String(f.name), LookupKey: stripe.String(f.key)})
			if err != nil {
				return nil, stripeError("create feature "+f.key, err)
			}
			id = feat.ID
		}
		ids = append(ids, id)
		if attached[id] {
			continue
		}
		if _, err := s.sc.V1ProductFeatures.Create(ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(productID), EntitlementFeature: stripe.String(id)}); err != nil {
			return nil, stripeError("attach feature "+f.key, err)
		}
	}
	return ids, nil
}

func (s *Service) ensurePromotionCode(ctx context.Context) (string, error) {
	for pc, err := range s.sc.V1PromotionCodes.List(ctx, &stripe.PromotionCodeListParams{Code: stripe.String(PromotionCode), Active: stripe.Bool(true)}) {
		if err != nil {
			return "", stripeError("list promotion codes", err)
		}
		return pc.ID, nil
	}
	if _, err := s.sc.V1Coupons.Retrieve(ctx, couponID, nil); err != nil {
		if _, err := s.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{
			ID:         stripe.String(couponID),
			Name:       stripe.String("Learn 10% off"),
			PercentOff: stripe.Float64(10),
			Duration:   stripe.String(string(stripe.CouponDurationForever)),
		}); err != nil {
			return "", stripeError("create coupon", err)
		}
	}
	pc, err := s.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(couponID), Code: stripe.String(PromotionCode)})
	if err != nil {
		return "", stripeError("create promotion code", err)
	}
	return pc.ID, nil
}

// PortalProration is how the portal prorates a plan switch. Stripe bills a
// switch between intervals (monthly ↔ yearly) at once whatever this says,
// crediting the unused time unless it is none; always_invoice does the same
// for prices of one interval, where create_prorations would leave the
// proration for the next invoice, weeks later. So with always_invoice every
// switch a learner makes shows up at once on the Plans screen's invoice,
// whichever prices they add to the catalog.
const PortalProration = stripe.BillingPortalConfigurationFeaturesSubscriptionUpdateProrationBehaviorAlwaysInvoice

// cancellationReasons are every reason Stripe's portal can offer a
// customer who cancels; Tollgate offers them all, so a learner sees the
// question and finds the answer in the subscription's cancellation_details.
var cancellationReasons = []string{
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionTooExpensive),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionMissingFeatures),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionSwitchedService),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionUnused),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionCustomerService),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionTooComplex),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionLowQuality),
	string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOptionOther),
}

// ensurePortalConfiguration makes Tollgate's portal configuration, or
// brings one made by an earlier Tollgate up to date: it must let a
// subscriber switch between the catalog's two prices, and ask one who
// cancels why. It is updated in place, not duplicated, so its id (shown
// on the checklist) stays.
func (s *Service) ensurePortalConfiguration(ctx context.Context, cat Catalog) (string, error) {
	c, err := s.lookupPortalConfiguration(ctx)
	if err != nil {
		return "", err
	}
	update := &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams{
		Enabled:               stripe.Bool(true),
		DefaultAllowedUpdates: stripe.StringSlice([]string{string(stripe.BillingPortalConfigurationFeaturesSubscriptionUpdateDefaultAllowedUpdatePrice)}),
		ProrationBehavior:     stripe.String(string(PortalProration)),
		Products: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateProductParams{
			{Product: stripe.String(cat.ProductID), Prices: stripe.StringSlice([]string{cat.MonthlyPriceID, cat.YearlyPriceID})},
		},
	}
	switch {
	case c == nil:
		c, err = s.sc.V1BillingPortalConfigurations.Create(ctx, &stripe.BillingPortalConfigurationCreateParams{
			BusinessProfile: &stripe.BillingPortalConfigurationCreateBusinessProfileParams{Headline: stripe.String("Tollgate: manage your subscription")},
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				InvoiceHistory:      &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)},
				PaymentMethodUpdate: &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)},
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{
					Enabled: stripe.Bool(true),
					Mode:    stripe.String(string(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelModeAtPeriodEnd)),
					CancellationReason: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelCancellationReasonParams{
						Enabled: stripe.Bool(true), Options: stripe.StringSlice(cancellationReasons),
					},
				},
				SubscriptionUpdate: update,
			},
			Metadata: map[string]string{catalogMetadataKey: "demo"},
		})
		if err != nil {
			return "", stripeError("create portal configuration", err)
		}
	case !switchesPlans(c, cat) || !asksWhy(c):
		// Only what is out of date is sent: whatever else the
		// configuration says (its cancel mode, say) stays.
		features := &stripe.BillingPortalConfigurationUpdateFeaturesParams{}
		if !switchesPlans(c, cat) {
			products := []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{}
			for _, p := range update.Products {
				products = append(products, &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{Product: p.Product, Prices: p.Prices})
			}
			features.SubscriptionUpdate = &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
				Enabled: update.Enabled, DefaultAllowedUpdates: update.DefaultAllowedUpdates, ProrationBehavior: update.ProrationBehavior, Products: products,
			}
		}
		if !asksWhy(c) {
			features.SubscriptionCancel = &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelParams{
				CancellationReason: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelCancellationReasonParams{
					Enabled: stripe.Bool(true), Options: stripe.StringSlice(cancellationReasons),
				},
			}
		}
		c, err = s.sc.V1BillingPortalConfigurations.Update(ctx, c.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: features})
		if err != nil {
			return "", stripeError("update portal configuration "+c.ID, err)
		}
		s.log.Info("portal configuration brought up to date: switching plans, the reason for a cancellation", logkey.PortalConfig, c.ID)
	}
	s.catalogMu.Lock()
	s.portalCfg = c.ID
	s.catalogMu.Unlock()
	return c.ID, nil
}

// switchesPlans reports whether a portal configuration lets a subscriber
// switch between the catalog's two prices as Tollgate sets it up.
func switchesPlans(c *stripe.BillingPortalConfiguration, cat Catalog) bool {
	if c.Features == nil || c.Features.SubscriptionUpdate == nil {
		return false
	}
	su := c.Features.SubscriptionUpdate
	if !su.Enabled || su.ProrationBehavior != PortalProration ||
		!slices.Contains(su.DefaultAllowedUpdates, stripe.BillingPortalConfigurationFeaturesSubscriptionUpdateDefaultAllowedUpdatePrice) {
		return false
	}
	for _, p := range su.Products {
		if p.Product == cat.ProductID {
			return slices.Contains(p.Prices, cat.MonthlyPriceID) && slices.Contains(p.Prices, cat.YearlyPriceID)
		}
	}
	return false
}

// asksWhy reports whether a portal configuration asks a customer who
// cancels why, with every reason Stripe offers.
func asksWhy(c *stripe.BillingPortalConfiguration) bool {
	if c.Features == nil || c.Features.SubscriptionCancel == nil || c.Features.SubscriptionCancel.CancellationReason == nil {
		return false
	}
	r := c.Features.SubscriptionCancel.CancellationReason
	if !r.Enabled {
		return false
	}
	for _, want := range cancellationReasons {
		if !slices.Contains(r.Options, stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOption(want)) {
			return false
		}
	}
	return true
}

// findPortalConfiguration returns the id of the portal configuration Tollgate
// made, or "" when there is none. Sessions must name it: in Stripe an API-made
// configuration is never the account's default, which only the Dashboard sets.
// Once found it is kept, so opening the portal costs one call, not two.
func (s *Service) findPortalConfiguration(ctx context.Context) (string, error) {
	s.catalogMu.Lock()
	id := s.portalCfg
	s.catalogMu.Unlock()
	if id != "" {
		return id, nil
	}
	c, err := s.lookupPortalConfiguration(ctx)
	if err != nil || c == nil {
		return "", err
	}
	s.catalogMu.Lock()
	s.portalCfg = c.ID
	s.catalogMu.Unlock()
	return c.ID, nil
}

// lookupPortalConfiguration lists the account's active configurations for
// the one Tollgate made (by its metadata); nil when there is none.
func (s *Service) lookupPortalConfiguration(ctx context.Context) (*stripe.BillingPortalConfiguration, error) {
	for c, err := range s.sc.V1BillingPortalConfigurations.List(ctx, &stripe.BillingPortalConfigurationListParams{Active: stripe.Bool(true)}) {
		if err != nil {
			return nil, stripeError("list portal configurations", err)
		}
		if c.Metadata[catalogMetadataKey] == "demo" {
			return c, nil
		}
	}
	return nil, nil
}

// Price is a plan as the Plans screen shows it.
type Price struct {
	Plan     Plan   `json:"plan"`
	ID       string `json:"id"`
	Product  string `json:"product"`
	Amount   int64  `json:"amount"` // in the currency's smallest unit
	Currency string `json:"currency"`
	Interval string `json:"interval"`
}

// Prices returns the monthly and yearly prices: the configured ids, or the
// catalog's by lookup key. They are read once and kept, as prices never change
// (Stripe makes a new price instead).
func (s *Service) Prices(ctx context.Context) ([]Price, error) {
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	if s.priceInfo != nil {
		return s.priceInfo, nil
	}
	var byKey map[string]*stripe.Price
	out := []Price{}
	for _, plan := range []Plan{Monthly, Yearly} {
		var p *stripe.Price
		if id := s.cfg.priceIDs[plan]; id != "" {
			var err error
			if p, err = s.sc.V1Prices.Retrieve(ctx, id, &stripe.PriceRetrieveParams{Expand: []*string{stripe.String("product")}}); err != nil {
				return nil, stripeError("retrieve "+string(plan)+" price "+id, err)
			}
		} else {
			if byKey == nil {
				var err error
				if byKey, err = s.pricesByLookupKey(ctx); err != nil {
					return nil, err
				}
			}
			if p = byKey[map[Plan]string{Monthly: MonthlyLookupKey, Yearly: YearlyLookupKey}[plan]]; p == nil {
				return nil, tollgate.Errorf(tollgate.EUNAVAILABLE, "This Stripe account has no %s Tollgate price: set TEST_MONTHLY_PRICE_ID and TEST_YEARLY_PRICE_ID, or run `tollgate bootstrap` to create the demo catalog.", plan)
			}
		}
		price := Price{Plan: plan, ID: p.ID, Amount: p.UnitAmount, Currency: string(p.Currency)}
		if p.Recurring != nil {
			price.Interval = string(p.Recurring.Interval)
		}
		if p.Product != nil {
			price.Product = p.Product.Name
		}
		out = append(out, price)
	}
	s.priceInfo = out
	return out, nil
}

// priceID returns the price id for plan.
func (s *Service) priceID(ctx context.Context, plan Plan) (string, error) {
	prices, err := s.Prices(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range prices {
		if p.Plan == plan {
			return p.ID, nil
		}
	}
	return "", tollgate.Errorf(tollgate.EINVALID, "Choose the monthly or the yearly plan.")
}
