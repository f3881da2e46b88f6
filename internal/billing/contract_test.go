package billing_test

// The contract test: the app's billing code against stripe-mock, which checks
// every request against Stripe's OpenAPI spec and answers with fixtures. The
// sandbox tests prove the app's logic; this one proves its requests are ones
// the real API accepts.
//
// Names here start with contract or mock so that they cannot collide with the
// other test files of this package.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

const (
	contractKey      = "sk_test_123"
	contractCustomer = "cus_contract"
	contractClock    = "clock_contract"
	// Prices given as ids, as TEST_MONTHLY_PRICE_ID and TEST_YEARLY_PRICE_ID would.
	contractMonthly = "price_contract_monthly"
	contractYearly  = "price_contract_yearly"
	// Fixture values of stripe-mock v0.203.0 that steer the app's logic.
	mockFixtureFeature   = "something" // lookup key of the one entitlement fixture
	mockFixtureClockTime = 1234567890  // frozen_time of the test clock fixture
)

func TestContract(t *testing.T) {
	base := startStripeMock(t)

	t.Run("Account", func(t *testing.T) {
		e := newContractEnv(t, base, contractOptions{})
		a, err := e.svc.Account(t.Context())
		contractNoError(t, err)
		e.wantCalls(t, "GET /v1/account 200")
		// The fixture account has neither a display name nor a business name.
		if !strings.HasPrefix(a.ID, "acct_") || a.Name != a.ID {
			t.Errorf("Account() = %+v, want an acct_ id as its own name", a)
		}
	})

	t.Run("Bootstrap", func(t *testing.T) {
		t.Run("Fixtures", func(t *testing.T) {
			// stripe-mock's lists answer with fixtures: a price without a lookup
			// key (which Bootstrap ignores, as the filter would have, so it creates
			// the product and both prices), a feature of another lookup key, an existing
			// promotion code (so no coupon or code is made) and a portal
			// configuration without Tollgate's metadata (so one is made). The
			// product feature fixture names no feature, so both are attached.
			e := newContractEnv(t, base, contractOptions{})
			cat, err := e.svc.Bootstrap(t.Context())
			contractNoError(t, err)
			if !strings.HasPrefix(cat.ProductID, "prod_") {
				t.Fatalf("ProductID = %q, want the created product", cat.ProductID)
			}
			e.wantCalls(t,
				"GET /v1/prices 200",
				"POST /v1/products 200",
				"POST /v1/prices 200",
				"POST /v1/prices 200",
				"GET /v1/entitlements/features 200",
				"GET /v1/products/"+cat.ProductID+"/features 200",
				"POST /v1/entitlements/features 200",
				"POST /v1/products/"+cat.ProductID+"/features 200",
				"POST /v1/entitlements/features 200",
				"POST /v1/products/"+cat.ProductID+"/features 200",
				"GET /v1/promotion_codes 200",
				"GET /v1/billing_portal/configurations 200",
				"POST /v1/billing_portal/configurations 200",
			)
			prices := e.calls("POST", "/v1/prices")
			for i, want := range []struct{ key, interval, amount string }{
				{billing.MonthlyLookupKey, "month", "900"},
				{billing.YearlyLookupKey, "year", "9000"},
			} {
				p := prices[i].Params
				if p.Get("lookup_key") != want.key || p.Get("recurring[interval]") != want.interval || p.Get("unit_amount") != want.amount || p.Get("product") != cat.ProductID {
					t.Errorf("price %d params = %v, want %s, every %s, %s, of %s", i, p, want.key, want.interval, want.amount, cat.ProductID)
				}
			}
			for i, c := range e.calls("POST", "/v1/entitlements/features") {
				if got, want := c.Params.Get("lookup_key"), []string{tollgate.FeatureTestAccess, tollgate.FeatureTestAccess2}[i]; got != want {
					t.Errorf("feature %d lookup_key = %q, want %q", i, got, want)
				}
			}
			pc := e.calls("POST", "/v1/billing_portal/configurations")[0].Params
			for k, want := range map[string]string{
				"features[subscription_cancel][mode]":                            "at_period_end",
				"features[subscription_cancel][cancellation_reason][enabled]":    "true",
				"features[subscription_cancel][cancellation_reason][options][0]": "too_expensive",
				"features[subscription_cancel][cancellation_reason][options][7]": "other",
				"features[subscription_update][enabled]":                         "true",
				"features[subscription_update][default_allowed_updates][0]":      "price",
				"features[subscription_update][proration_behavior]":              string(billing.PortalProration),
				"features[subscription_update][products][0][product]":            cat.ProductID,
				"features[subscription_update][products][0][prices][0]":          cat.MonthlyPriceID,
				"features[subscription_update][products][0][prices][1]":          cat.YearlyPriceID,
			} {
				if got := pc.Get(k); got != want {
					t.Errorf("portal configuration %s = %q, want %q", k, got, want)
				}
			}
			if cat.MonthlyPriceID == "" || cat.YearlyPriceID == "" || cat.PromotionCodeID == "" || cat.PortalConfigID == "" {
				t.Errorf("Bootstrap() = %+v, want every id set", cat)
			}
		})

		t.Run("EarlierPortalConfiguration", func(t *testing.T) {
			// The account holds the configuration an earlier Tollgate made,
			// without plan switching: it is updated in place.
			e := newContractEnv(t, base, contractOptions{})
			e.rec.rewrite = func(path string, obj map[string]any) {
				if path == "/v1/billing_portal/configurations" {
					for _, c := range obj["data"].([]any) {
						c.(map[string]any)["id"], c.(map[string]any)["metadata"] = "bpc_contract", map[string]any{"tollgate": "demo"}
					}
				}
			}
			cat, err := e.svc.Bootstrap(t.Context())
			contractNoError(t, err)
			calls := e.rec.all()
			if last := calls[len(calls)-1]; last.Method != "POST" || last.Path != "/v1/billing_portal/configurations/bpc_contract" || last.Status != http.StatusOK {
				t.Fatalf("last request %s %s %d, want the configuration updated", last.Method, last.Path, last.Status)
			}
			p := calls[len(calls)-1].Params
			if p.Get("features[subscription_update][enabled]") != "true" || p.Get("features[subscription_update][products][0][product]") != cat.ProductID ||
				p.Get("features[subscription_update][products][0][prices][1]") != cat.YearlyPriceID || p.Has("features[subscription_cancel][enabled]") ||
				p.Has("features[subscription_cancel][mode]") {
				t.Errorf("update params = %v, want subscription_update and the cancellation reason only", p)
			}
			// The fixture asks no reason: Tollgate turns the question on, every reason offered.
			if p.Get("features[subscription_cancel][cancellation_reason][enabled]") != "true" ||
				p.Get("features[subscription_cancel][cancellation_reason][options][0]") != "too_expensive" ||
				p.Get("features[subscription_cancel][cancellation_reason][options][7]") != "other" {
				t.Errorf("update params = %v, want the cancellation reason enabled", p)
			}
			if cat.PortalConfigID != "bpc_contract" {
				t.Errorf("PortalConfigID = %q, want the updated bpc_contract", cat.PortalConfigID)
			}
		})

		t.Run("EmptyAccount", func(t *testing.T) {
			// The same run on an account with nothing yet: the lists reach
			// stripe-mock and are validated, then answer empty as a new
			// account would, so that every create request is sent.
			e := newContractEnv(t, base, contractOptions{EmptyLists: true})
			_, err := e.svc.Bootstrap(t.Context())
			// Version gap, not a bug: stripe-go v82 speaks basil, where a
			// promotion code names its coupon as `coupon`; stripe-mock's spec
			// is dahlia, where it is `promotion[coupon]` with
			// `promotion[type]=coupon`, and `promotion` is required. The real
			// API serves each account its pinned version, so basil's shape is
			// right there.
			contractWantDahliaPromotionGap(t, err)
			e.wantCalls(t,
				"GET /v1/prices 200",
				"POST /v1/products 200",
				"POST /v1/prices 200",
				"POST /v1/prices 200",
				"GET /v1/entitlements/features 200",
				"GET /v1/products/{product}/features 200",
				"POST /v1/entitlements/features 200",
				"POST /v1/products/{product}/features 200",
				"POST /v1/entitlements/features 200",
				"POST /v1/products/{product}/features 200",
				"GET /v1/promotion_codes 200",
				// stripe-mock finds every coupon id, so Bootstrap makes no coupon
				// here; CouponCreate below sends that request.
				"GET /v1/coupons/tollgate-learn10 200",
				"POST /v1/promotion_codes 400",
			)
			prod := e.calls("POST", "/v1/products")[0].Params
			if prod.Get("name") != billing.ProductName || prod.Get("metadata[tollgate]") != "demo" {
				t.Errorf("product params = %v", prod)
			}
			pc := e.calls("POST", "/v1/promotion_codes")[0].Params
			if got, want := pc.Encode(), "code="+billing.PromotionCode+"&coupon=tollgate-learn10"; got != want {
				t.Errorf("promotion code params = %s, want %s", got, want)
			}

			// The rest of that request is sound: in dahlia's shape it passes.
			dahlia := url.Values{"code": {pc.Get("code")}, "promotion[type]": {"coupon"}, "promotion[coupon]": {pc.Get("coupon")}}
			if status, body := contractPostForm(t, base+"/v1/promotion_codes", dahlia); status != http.StatusOK {
				t.Errorf("the promotion code in dahlia's shape: %d %s", status, body)
			}
		})

		t.Run("CouponCreate", func(t *testing.T) {
			// ensurePromotionCode creates the coupon only when retrieving it
			// fails, which never happens against stripe-mock, so this sends
			// the params it builds (catalog.go) directly.
			sc := stripe.NewClient(contractKey, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{URL: stripe.String(base), LeveledLogger: contractQuietLogger{}})))
			c, err := sc.V1Coupons.Create(t.Context(), &stripe.CouponCreateParams{
				ID:         stripe.String("tollgate-learn10"),
				Name:       stripe.String("Learn 10% off"),
				PercentOff: stripe.Float64(10),
				Duration:   stripe.String(string(stripe.CouponDurationForever)),
			})
			contractNoError(t, err)
			if c.ID == "" {
				t.Error("coupon has no id")
			}
		})
	})

	t.Run("Prices", func(t *testing.T) {
		t.Run("LookupKeys", func(t *testing.T) {
			// The request is valid; the fixture price has no lookup key, so
			// the catalog looks empty and the app says how to make one.
			e := newContractEnv(t, base, contractOptions{})
			_, err := e.svc.Prices(t.Context())
			contractNoRejection(t, err)
			if tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.Contains(tollgate.ErrorMessage(err), "no monthly Tollgate price") {
				t.Fatalf("Prices() error = %v, want unavailable: no monthly price", err)
			}
			e.wantCalls(t, "GET /v1/prices 200")
			p := e.calls("GET", "/v1/prices")[0].Params
			if got, want := contractList(p, "lookup_keys"), []string{billing.MonthlyLookupKey, billing.YearlyLookupKey}; !slices.Equal(got, want) || p.Get("active") != "true" || p.Get("expand[0]") != "data.product" {
				t.Errorf("price list params = %v, want lookup_keys %q, active, expand data.product", p, want)
			}
		})

		t.Run("ConfiguredIDs", func(t *testing.T) {
			e := newContractEnv(t, base, contractOptions{PriceIDs: true})
			prices, err := e.svc.Prices(t.Context())
			contractNoError(t, err)
			e.wantCalls(t, "GET /v1/prices/"+contractMonthly+" 200", "GET /v1/prices/"+contractYearly+" 200")
			if len(prices) != 2 || prices[0].ID != contractMonthly || prices[1].ID != contractYearly {
				t.Fatalf("Prices() = %+v", prices)
			}
			// The fixture price is a monthly T-shirt; expand=product reached it.
			if got, want := prices[0].Product, "T-shirt"; got != want {
				t.Errorf("Product = %q, want %q", got, want)
			}
		})
	})

	t.Run("Checkout", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			trial bool
		}{{"Monthly", false}, {"MonthlyTrial", true}} {
			t.Run(tc.name, func(t *testing.T) {
				// An empty account has no subscription for the new customer,
				// so the app goes on to open Checkout.
				e := newContractEnv(t, base, contractOptions{EmptyLists: true, PriceIDs: true})
				r, err := e.svc.Checkout(t.Context(), e.user, billing.Monthly, tc.trial)
				contractNoError(t, err)
				e.wantCalls(t,
					"GET /v1/test_helpers/test_clocks 200", // a customer made by a try whose answer was lost? none
					"POST /v1/test_helpers/test_clocks 200",
					"POST /v1/customers 200",
					"GET /v1/subscriptions 200",
					"GET /v1/entitlements/active_entitlements 200",
					"GET /v1/prices/"+contractMonthly+" 200",
					"GET /v1/prices/"+contractYearly+" 200",
					"POST /v1/checkout/sessions 200",
				)
				if r.Portal || !strings.HasPrefix(r.URL, "https://checkout.stripe.com/") {
					t.Errorf("Checkout() = %+v, want a Checkout URL", r)
				}
				c, err := e.db.CustomerByUser(t.Context(), e.user.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(c.StripeID, "cus_") || !strings.HasPrefix(c.TestClock, "clock_") {
					t.Errorf("customer = %+v, want one on a test clock", c)
				}
				if got, want := e.calls("POST", "/v1/customers")[0].Params.Get("test_clock"), c.TestClock; got != want {
					t.Errorf("customer test_clock = %q, want %q", got, want)
				}
				p := e.calls("POST", "/v1/checkout/sessions")[0].Params
				for k, want := range map[string]string{
					"mode":                                 "subscription",
					"customer":                             c.StripeID,
					"line_items[0][price]":                 contractMonthly,
					"client_reference_id":                  strconv.FormatUint(e.user.ID, 10),
					"allow_promotion_codes":                "true",
					"success_url":                          "http://127.0.0.1:1" + tollgate.CheckoutSuccessPath + "?session_id={CHECKOUT_SESSION_ID}",
					"subscription_data[trial_period_days]": map[bool]string{true: strconv.Itoa(billing.TrialDays)}[tc.trial],
				} {
					if got := p.Get(k); got != want {
						t.Errorf("checkout session %s = %q, want %q", k, got, want)
					}
				}
			})
		}

		t.Run("LiveSubscription", func(t *testing.T) {
			// As stripe-mock is: the subscription fixture is active, so the
			// app sends the user to the portal instead of charging twice.
			e := newContractEnv(t, base, contractOptions{PriceIDs: true})
			r, err := e.svc.Checkout(t.Context(), e.user, billing.Yearly, false)
			contractNoError(t, err)
			e.wantCalls(t,
				"GET /v1/test_helpers/test_clocks 200",
				"POST /v1/test_helpers/test_clocks 200",
				"POST /v1/customers 200",
				"GET /v1/subscriptions 200",
				"GET /v1/entitlements/active_entitlements 200",
				"GET /v1/billing_portal/configurations 200",
				"POST /v1/billing_portal/sessions 200",
			)
			if !r.Portal || r.URL == "" {
				t.Errorf("Checkout() = %+v, want the portal", r)
			}
		})
	})

	t.Run("Portal", func(t *testing.T) {
		t.Run("AccountDefault", func(t *testing.T) {
			// The fixture configuration is not Tollgate's, so the session names none
			// and Stripe uses the account's default.
			e := newContractEnv(t, base, contractOptions{Customer: true})
			r, err := e.svc.Portal(t.Context(), e.user)
			contractNoError(t, err)
			e.wantCalls(t, "GET /v1/billing_portal/configurations 200", "POST /v1/billing_portal/sessions 200")
			if !r.Portal || r.URL == "" {
				t.Errorf("Portal() = %+v", r)
			}
			p := e.calls("POST", "/v1/billing_portal/sessions")[0].Params
			if p.Get("customer") != contractCustomer || p.Get("return_url") != "http://127.0.0.1:1"+tollgate.PortalReturnPath || p.Has("configuration") {
				t.Errorf("portal session params = %v", p)
			}
		})
		t.Run("TollgatesConfiguration", func(t *testing.T) {
			// When the account holds the configuration Bootstrap made, the session names it.
			e := newContractEnv(t, base, contractOptions{Customer: true})
			e.rec.rewrite = func(path string, obj map[string]any) {
				if path == "/v1/billing_portal/configurations" {
					for _, c := range obj["data"].([]any) {
						c.(map[string]any)["id"], c.(map[string]any)["metadata"] = "bpc_contract", map[string]any{"tollgate": "demo"}
					}
				}
			}
			_, err := e.svc.Portal(t.Context(), e.user)
			contractNoError(t, err)
			if p := e.calls("POST", "/v1/billing_portal/sessions")[0].Params; p.Get("configuration") != "bpc_contract" {
				t.Errorf("portal session params = %v, want configuration bpc_contract", p)
			}
			// The configuration is kept: a second portal session names it without listing again.
			_, err = e.svc.Portal(t.Context(), e.user)
			contractNoError(t, err)
			if n := len(e.calls("GET", "/v1/billing_portal/configurations")); n != 1 {
				t.Errorf("configurations listed %d times for two portal sessions, want 1", n)
			}
			if p := e.calls("POST", "/v1/billing_portal/sessions")[1].Params; p.Get("configuration") != "bpc_contract" {
				t.Errorf("second portal session params = %v, want configuration bpc_contract", p)
			}
		})
	})

	t.Run("SwitchPlan", func(t *testing.T) {
		// A user with a running monthly subscription: the portal session is
		// a subscription_update flow that sends the browser back to Tollgate.
		e := newContractEnv(t, base, contractOptions{Customer: true, PriceIDs: true})
		if err := e.db.PutSubscription(t.Context(), &tollgate.Subscription{StripeID: "sub_contract", UserID: e.user.ID, CustomerID: contractCustomer,
			Status: tollgate.StatusActive, PriceID: contractMonthly}); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.SwitchPlan(t.Context(), e.user, billing.Yearly)
		contractNoError(t, err)
		e.wantCalls(t,
			"GET /v1/prices/"+contractMonthly+" 200",
			"GET /v1/prices/"+contractYearly+" 200",
			"GET /v1/billing_portal/configurations 200",
			"POST /v1/billing_portal/sessions 200",
		)
		if !r.Portal || r.URL == "" {
			t.Errorf("SwitchPlan() = %+v", r)
		}
		p := e.calls("POST", "/v1/billing_portal/sessions")[0].Params
		for k, want := range map[string]string{
			"customer":        contractCustomer,
			"flow_data[type]": "subscription_update",
			"flow_data[subscription_update][subscription]":      "sub_contract",
			"flow_data[after_completion][type]":                 "redirect",
			"flow_data[after_completion][redirect][return_url]": "http://127.0.0.1:1" + tollgate.PortalReturnPath,
		} {
			if got := p.Get(k); got != want {
				t.Errorf("portal session %s = %q, want %q", k, got, want)
			}
		}
	})

	t.Run("Sync", func(t *testing.T) {
		t.Run("Fixtures", func(t *testing.T) {
			e := newContractEnv(t, base, contractOptions{Customer: true})
			var changed []uint64
			e.svc.OnChange = func(id uint64) { changed = append(changed, id) }
			contractNoError(t, e.svc.Sync(t.Context(), contractCustomer))
			e.wantCalls(t, "GET /v1/subscriptions 200", "GET /v1/entitlements/active_entitlements 200")
			if p := e.calls("GET", "/v1/subscriptions")[0].Params; p.Get("customer") != contractCustomer || p.Get("status") != "all" {
				t.Errorf("subscription list params = %v", p)
			}
			subs, err := e.db.SubscriptionsByUser(t.Context(), e.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(subs) != 1 || subs[0].Status != tollgate.StatusActive || subs[0].UserID != e.user.ID {
				t.Errorf("subscriptions = %+v, want the active fixture", subs)
			}
			e.wantEntitlements(t, mockFixtureFeature)
			if !slices.Equal(changed, []uint64{e.user.ID}) {
				t.Errorf("OnChange got %v, want [%d]", changed, e.user.ID)
			}
		})

		t.Run("PastDue", func(t *testing.T) {
			// A failed payment: the retry date, the invoice's money and the
			// card come in the one list call, expanded; the fixture
			// subscription is made past_due and its invoice open.
			e := newContractEnv(t, base, contractOptions{Customer: true})
			e.rec.rewrite = func(path string, obj map[string]any) {
				if path == "/v1/subscriptions" {
					for _, s := range obj["data"].([]any) {
						s.(map[string]any)["status"] = "past_due"
						if in, ok := s.(map[string]any)["latest_invoice"].(map[string]any); ok {
							in["id"], in["status"], in["next_payment_attempt"] = "in_contract", "open", 1700000000
						}
					}
				}
			}
			contractNoError(t, e.svc.Sync(t.Context(), contractCustomer))
			e.wantCalls(t, "GET /v1/subscriptions 200", "GET /v1/entitlements/active_entitlements 200")
			p := e.calls("GET", "/v1/subscriptions")[0].Params
			if got, want := contractList(p, "expand"), []string{"data.latest_invoice.discounts.promotion_code", "data.default_payment_method", "data.customer.invoice_settings.default_payment_method"}; !slices.Equal(got, want) {
				t.Errorf("subscription list expand = %q, want %q", got, want)
			}
			subs, err := e.db.SubscriptionsByUser(t.Context(), e.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(subs) != 1 || subs[0].Status != tollgate.StatusPastDue || subs[0].LatestInvoiceID != "in_contract" || subs[0].LatestInvoiceStatus != "open" ||
				subs[0].LatestInvoice.ID != "in_contract" || subs[0].NextPaymentAttempt.Unix() != 1700000000 {
				t.Errorf("subscriptions = %+v, want past_due with the expanded invoice's status and retry date", subs)
			}
		})
	})

	t.Run("SyncCheckoutSession", func(t *testing.T) {
		t.Run("Fixture", func(t *testing.T) {
			// The fixture session is open (an unfinished payment-mode session),
			// so the app says nothing was bought.
			e := newContractEnv(t, base, contractOptions{})
			_, err := e.svc.SyncCheckoutSession(t.Context(), "cs_test_contract")
			contractNoRejection(t, err)
			if tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(tollgate.ErrorMessage(err), "cs_test_contract is open, not complete") {
				t.Fatalf("SyncCheckoutSession() error = %v, want invalid: not complete", err)
			}
			e.wantCalls(t, "GET /v1/checkout/sessions/cs_test_contract 200")
		})

		t.Run("Completed", func(t *testing.T) {
			// The fixture made into what a finished Checkout returns for the
			// customer Tollgate made for the user, so that the app syncs it.
			e := newContractEnv(t, base, contractOptions{})
			if err := e.db.PutCustomer(t.Context(), &tollgate.Customer{UserID: e.user.ID, StripeID: contractCustomer}); err != nil {
				t.Fatal(err)
			}
			e.rec.rewrite = func(path string, obj map[string]any) {
				if strings.HasPrefix(path, "/v1/checkout/sessions/") {
					obj["customer"], obj["client_reference_id"], obj["mode"], obj["status"] = contractCustomer, strconv.FormatUint(e.user.ID, 10), "subscription", "complete"
				}
			}
			id, err := e.svc.SyncCheckoutSession(t.Context(), "cs_test_contract")
			contractNoError(t, err)
			if id != e.user.ID {
				t.Errorf("SyncCheckoutSession() = %d, want %d", id, e.user.ID)
			}
			e.wantCalls(t,
				"GET /v1/checkout/sessions/cs_test_contract 200",
				"GET /v1/subscriptions 200",
				"GET /v1/entitlements/active_entitlements 200",
			)
			if c, err := e.db.CustomerByUser(t.Context(), e.user.ID); err != nil || c.StripeID != contractCustomer {
				t.Errorf("customer = %+v, %v; want %s", c, err, contractCustomer)
			}
			e.wantEntitlements(t, mockFixtureFeature)
		})
	})

	t.Run("AdvanceClock", func(t *testing.T) {
		e := newContractEnv(t, base, contractOptions{Customer: true})
		got, err := e.svc.AdvanceClock(t.Context(), e.user, 30)
		contractNoError(t, err)
		e.wantCalls(t,
			"GET /v1/test_helpers/test_clocks/"+contractClock+" 200",
			"POST /v1/test_helpers/test_clocks/"+contractClock+"/advance 200",
			"GET /v1/subscriptions 200",
			"GET /v1/entitlements/active_entitlements 200",
		)
		// stripe-mock reflects frozen_time, and its clock is ready at once.
		want := time.Unix(mockFixtureClockTime, 0).AddDate(0, 0, 30)
		if p := e.calls("POST", "/v1/test_helpers/test_clocks/"+contractClock+"/advance")[0].Params; p.Get("frozen_time") != strconv.FormatInt(want.Unix(), 10) {
			t.Errorf("advance params = %v, want frozen_time %d", p, want.Unix())
		}
		if !got.Equal(want) {
			t.Errorf("AdvanceClock() = %v, want %v", got, want)
		}
	})

	t.Run("EnsureWebhookEndpoint", func(t *testing.T) {
		const hook = "https://tollgate.example/payments/event"
		t.Run("New", func(t *testing.T) {
			// No endpoint known: Tollgate looks for its own by metadata (the
			// fixture's has none), then makes one.
			e := newContractEnv(t, base, contractOptions{})
			ep, err := e.svc.EnsureWebhookEndpoint(t.Context(), hook, billing.WebhookEvents(), tollgate.WebhookEndpoint{}, "install_1")
			contractNoError(t, err)
			e.wantCalls(t, "GET /v1/webhook_endpoints 200", "POST /v1/webhook_endpoints 200")
			// The fixture has no secret, which the real API returns on creation.
			if !strings.HasPrefix(ep.ID, "we_") || ep.Secret != "" {
				t.Errorf("EnsureWebhookEndpoint() = %+v", ep)
			}
			p := e.calls("POST", "/v1/webhook_endpoints")[0].Params
			if p.Get("api_version") != stripe.APIVersion || !slices.Equal(contractList(p, "enabled_events"), billing.WebhookEvents()) ||
				p.Get("url") != hook || p.Get("metadata[tollgate_install]") != "install_1" || p.Get("metadata[tollgate]") != "webhook" {
				t.Errorf("webhook endpoint params = %v", p)
			}
		})

		t.Run("ReplaceOtherAPIVersion", func(t *testing.T) {
			// The known endpoint is on another API version (the fixture's is
			// null), which Stripe cannot change: delete it, make another.
			e := newContractEnv(t, base, contractOptions{})
			_, err := e.svc.EnsureWebhookEndpoint(t.Context(), hook, billing.WebhookEvents(), tollgate.WebhookEndpoint{ID: "we_contract", URL: hook, Secret: "whsec_contract"}, "install_1")
			contractNoError(t, err)
			e.wantCalls(t,
				"GET /v1/webhook_endpoints/we_contract 200",
				"DELETE /v1/webhook_endpoints/we_contract 200",
				"POST /v1/webhook_endpoints 200",
			)
		})

		t.Run("Disable", func(t *testing.T) {
			e := newContractEnv(t, base, contractOptions{})
			contractNoError(t, e.svc.DisableWebhookEndpoint(t.Context(), "we_contract"))
			e.wantCalls(t, "POST /v1/webhook_endpoints/we_contract 200")
			if p := e.calls("POST", "/v1/webhook_endpoints/we_contract")[0].Params; p.Get("disabled") != "true" || len(p) != 1 {
				t.Errorf("disable params = %v, want disabled=true alone", p)
			}
		})
	})

	t.Run("Access", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			e := newContractEnv(t, base, contractOptions{Customer: true})
			a, err := e.svc.Access(t.Context(), e.user)
			contractNoError(t, err)
			e.wantCalls(t, "GET /v1/entitlements/active_entitlements 200")
			if p := e.calls("GET", "/v1/entitlements/active_entitlements")[0].Params; p.Get("customer") != contractCustomer {
				t.Errorf("active entitlements params = %v", p)
			}
			// Nothing synced locally yet; the live answer is the fixture.
			if !a.HasCustomer || a.LiveError != "" || len(a.Local) != 0 || !slices.Equal(a.Live, []string{mockFixtureFeature}) || !slices.Equal(a.OnlyLive, []string{mockFixtureFeature}) {
				t.Errorf("Access() = %+v", a)
			}
		})

		t.Run("NoCustomer", func(t *testing.T) {
			e := newContractEnv(t, base, contractOptions{})
			a, err := e.svc.Access(t.Context(), e.user)
			contractNoError(t, err)
			e.wantCalls(t)
			if a.HasCustomer {
				t.Errorf("Access() = %+v", a)
			}
		})
	})
}

// startStripeMock runs the binary named by STRIPE_MOCK on loopback ports of
// its choosing and returns its plain-HTTP base URL (its TLS certificate names
// no host). Unset, the test is skipped; set but unusable, it fails.
func startStripeMock(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("STRIPE_MOCK")
	if bin == "" {
		t.Skip("set STRIPE_MOCK to a stripe-mock v0.203.0 binary (make test does)")
	}
	// Both addresses, or it also opens 12112 on every interface.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out := &mockOutput{addr: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = time.Second // should a child of it hold the output open after the kill
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock (STRIPE_MOCK=%s; a relative path is taken from %s): %v", bin, contractWd(), err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("stripe-mock output:\n%s", out)
		}
	})
	select {
	case addr := <-out.addr:
		return "http://" + addr
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("stripe-mock (STRIPE_MOCK=%s) exited before listening: %v\n%s", bin, err, out)
	case <-time.After(15 * time.Second):
		t.Fatalf("stripe-mock (STRIPE_MOCK=%s) printed no HTTP address in 15s:\n%s", bin, out)
	}
	return ""
}

func contractWd() string {
	wd, _ := os.Getwd()
	return wd
}

// mockHTTPAddr is the line stripe-mock prints once its HTTP listener is open
// ("Listening for HTTPS at address: ..." follows for the other one).
var mockHTTPAddr = regexp.MustCompile(`Listening for HTTP at address: (\S+)\n`)

// mockOutput keeps stripe-mock's output for a failure report and passes on
// the HTTP address once it is printed.
type mockOutput struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	sent bool
}

func (o *mockOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if !o.sent {
		if m := mockHTTPAddr.FindSubmatch(o.buf.Bytes()); m != nil {
			o.sent = true
			o.addr <- string(m[1])
		}
	}
	return len(p), nil
}

func (o *mockOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

type contractOptions struct {
	EmptyLists bool // answer every list as an account with nothing in it would
	PriceIDs   bool // configure the price ids instead of finding them by lookup key
	Customer   bool // give the user a Stripe customer on a test clock
}

// contractEnv is one billing service, with its own store and user, whose
// requests to stripe-mock are recorded.
type contractEnv struct {
	svc  *billing.Service
	db   *store.DB
	user *tollgate.User
	rec  *mockRecorder
}

func newContractEnv(t *testing.T, base string, o contractOptions) *contractEnv {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u := &tollgate.User{Email: "ada@example.com", Name: "Ada Lovelace"}
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if o.Customer {
		if err := db.PutCustomer(t.Context(), &tollgate.Customer{UserID: u.ID, StripeID: contractCustomer, TestClock: contractClock}); err != nil {
			t.Fatal(err)
		}
	}
	rec := &mockRecorder{next: http.DefaultTransport}
	if o.EmptyLists {
		rec.rewrite = func(_ string, obj map[string]any) {
			if obj["object"] == "list" {
				obj["data"], obj["has_more"] = []any{}, false
			}
		}
	}
	cfg := billing.Config{
		SecretKey: contractKey, APIBase: base, ReturnBase: "http://127.0.0.1:1", TestClocks: true, Install: "contract-install",
		HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second},
	}
	if o.PriceIDs {
		cfg.MonthlyPrice, cfg.YearlyPrice = contractMonthly, contractYearly
	}
	svc, err := billing.New(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	return &contractEnv{svc: svc, db: db, user: u, rec: rec}
}

// wantCalls checks the requests the service sent, in order, as "METHOD /path
// status", and that stripe-mock answered each. In a path, {product} stands
// for the product id stripe-mock made up.
func (e *contractEnv) wantCalls(t *testing.T, want ...string) {
	t.Helper()
	var got []string
	for _, c := range e.rec.all() {
		if !c.Mock {
			t.Errorf("%s %s was not answered by stripe-mock", c.Method, c.Path)
		}
		if c.Err != nil {
			t.Logf("stripe-mock: %s %s %d: %s (param %q)", c.Method, c.Path, c.Status, c.Err.Message, c.Err.Param)
		}
		got = append(got, c.Method+" "+contractProductPath.ReplaceAllString(c.Path, "/products/{product}/")+" "+strconv.Itoa(c.Status))
	}
	want = slices.Clone(want)
	for i, w := range want {
		if !strings.Contains(w, "{product}") {
			want[i] = contractProductPath.ReplaceAllString(w, "/products/{product}/")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

var contractProductPath = regexp.MustCompile(`/products/prod_[A-Za-z0-9]+/`)

// calls returns the recorded requests to one method and path.
func (e *contractEnv) calls(method, path string) []mockCall {
	var out []mockCall
	for _, c := range e.rec.all() {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		panic("no " + method + " " + path + " was recorded")
	}
	return out
}

func (e *contractEnv) wantEntitlements(t *testing.T, want ...string) {
	t.Helper()
	ent, err := e.db.EntitlementsByCustomer(t.Context(), contractCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ent.LookupKeys, want) {
		t.Errorf("entitlements = %q, want %q", ent.LookupKeys, want)
	}
}

// mockRecorder is the service's HTTP transport: it records every request and
// stripe-mock's answer, and may rewrite the fixture in a successful GET
// answer, to steer the app down a path stripe-mock's fixtures never lead to.
// It never touches a request, so what stripe-mock validates is exactly what
// the app sent.
type mockRecorder struct {
	next    http.RoundTripper
	rewrite func(path string, obj map[string]any)
	mu      sync.Mutex
	calls   []mockCall
}

type mockCall struct {
	Method, Path string
	Params       url.Values // the query of a GET, the form body otherwise
	Status       int
	Mock         bool // answered by stripe-mock, which sets Stripe-Mock-Version
	Err          *mockAPIError
}

type mockAPIError struct {
	Type    string `json:"type"`
	Param   string `json:"param"`
	Message string `json:"message"`
}

func (r *mockRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	c := mockCall{Method: req.Method, Path: req.URL.Path, Params: req.URL.Query()}
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > 0 {
			if c.Params, err = url.ParseQuery(string(body)); err != nil {
				return nil, err
			}
		}
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	c.Status, c.Mock = resp.StatusCode, resp.Header.Get("Stripe-Mock-Version") != ""
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error *mockAPIError `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil {
			c.Err = e.Error
		}
	} else if r.rewrite != nil && req.Method == http.MethodGet {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, err
		}
		r.rewrite(req.URL.Path, obj)
		if body, err = json.Marshal(obj); err != nil {
			return nil, err
		}
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return resp, nil
}

func (r *mockRecorder) all() []mockCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// contractNoRejection fails if stripe-mock refused a request as invalid for
// Stripe's spec; any other outcome is the caller's to check.
func contractNoRejection(t *testing.T, err error) {
	t.Helper()
	var se *stripe.Error
	if errors.As(err, &se) && se.Type == stripe.ErrorTypeInvalidRequest {
		// errors.Join puts the app's "billing: <operation>: ..." on the first line.
		op, _, _ := strings.Cut(err.Error(), "\n")
		t.Fatalf("stripe-mock rejected a request (%d, param %q): %s\n(%s)", se.HTTPStatusCode, se.Param, se.Msg, op)
	}
}

func contractNoError(t *testing.T, err error) {
	t.Helper()
	contractNoRejection(t, err)
	if err != nil {
		t.Fatal(err)
	}
}

// contractWantDahliaPromotionGap checks that err is exactly stripe-mock's
// refusal of a basil-shaped promotion code.
func contractWantDahliaPromotionGap(t *testing.T, err error) {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("Bootstrap() error = %v, want stripe-mock's refusal of the promotion code", err)
	}
	if se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeInvalidRequest || se.Param != "" ||
		!strings.HasPrefix(se.Msg, "Request validation error: ") || !strings.HasSuffix(se.Msg, "object property 'promotion' is required") {
		t.Fatalf("stripe-mock refused %d %s, param %q: %s; want 400 invalid_request_error: object property 'promotion' is required", se.HTTPStatusCode, se.Type, se.Param, se.Msg)
	}
	if !strings.Contains(err.Error(), "create promotion code") {
		t.Errorf("error = %v, want it from create promotion code", err)
	}
}

// contractPostForm sends a request the app does not make, in plain HTTP.
func contractPostForm(t *testing.T, u string, v url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(contractKey, "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// contractList reads the list stripe-go sends as name[0], name[1], ...
func contractList(p url.Values, name string) []string {
	var out []string
	for i := 0; p.Has(name + "[" + strconv.Itoa(i) + "]"); i++ {
		out = append(out, p.Get(name+"["+strconv.Itoa(i)+"]"))
	}
	return out
}

// contractQuietLogger keeps stripe-go's own client from logging to stderr.
type contractQuietLogger struct{}

func (contractQuietLogger) Debugf(string, ...any) {}
func (contractQuietLogger) Infof(string, ...any)  {}
func (contractQuietLogger) Warnf(string, ...any)  {}
func (contractQuietLogger) Errorf(string, ...any) {}
