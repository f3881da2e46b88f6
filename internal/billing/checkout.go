package billing

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// TrialDays is the free trial the Plans screen offers.
const TrialDays = 7

// Redirect is where the browser should go next.
type Redirect struct {
	URL string `json:"url"`
	// Portal is true when the user already has a live subscription and is sent
	// to the Billing Portal instead of paying twice.
	Portal bool `json:"portal"`
}

// Checkout opens a Checkout Session in subscription mode for plan, creating
// the user's Stripe customer first if needed.
func (s *Service) Checkout(ctx context.Context, u *tollgate.User, plan Plan, trial bool) (Redirect, error) {
	if plan != Monthly && plan != Yearly {
		return Redirect{}, tollgate.Errorf(tollgate.EINVALID, "Choose the monthly or the yearly plan.")
	}
	c, err := s.ensureCustomer(ctx, u)
	if err != nil {
		return Redirect{}, err
	}
	// Read the truth from Stripe first: a webhook may not have arrived yet.
	if err := s.Sync(ctx, c.StripeID); err != nil {
		return Redirect{}, err
	}
	subs, err := s.store.SubscriptionsByUser(ctx, u.ID)
	if err != nil {
		return Redirect{}, fmt.Errorf("billing: checkout: %w", err)
	}
	for _, sub := range subs {
		if sub.Live() {
			url, err := s.portalURL(ctx, c.StripeID, nil)
			return Redirect{URL: url, Portal: true}, err
		}
	}
	price, err := s.priceID(ctx, plan)
	if err != nil {
		return Redirect{}, err
	}
	params := &stripe.CheckoutSessionCreateParams{
		Mode:                stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:            stripe.String(c.StripeID),
		ClientReferenceID:   stripe.String(strconv.FormatUint(u.ID, 10)),
		LineItems:           []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price), Quantity: stripe.Int64(1)}},
		AllowPromotionCodes: stripe.Bool(true),
		SuccessURL:          stripe.String(s.cfg.ReturnBase + tollgate.CheckoutSuccessPath + "?session_id={CHECKOUT_SESSION_ID}"),
		CancelURL:           stripe.String(s.cfg.ReturnBase + tollgate.CheckoutCancelPath),
		Metadata:            map[string]string{userMetadataKey: strconv.FormatUint(u.ID, 10), "plan": string(plan)},
	}
	if trial {
		params.SubscriptionData = &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(TrialDays)}
	}
	cs, err := s.sc.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return Redirect{}, stripeError("create checkout session", err)
	}
	s.log.Info("checkout session created", logkey.User, u.ID, logkey.Session, cs.ID, logkey.Plan, plan, logkey.Trial, trial)
	return Redirect{URL: cs.URL}, nil
}

// Portal opens a Billing Portal session for the user's customer.
func (s *Service) Portal(ctx context.Context, u *tollgate.User) (Redirect, error) {
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return Redirect{}, tollgate.Errorf(tollgate.ENOTFOUND, "You have no Stripe customer yet: subscribe to a plan first, and the portal will have something to manage.")
	} else if err != nil {
		return Redirect{}, fmt.Errorf("billing: portal: %w", err)
	}
	url, err := s.portalURL(ctx, c.StripeID, nil)
	return Redirect{URL: url, Portal: true}, err
}

// SwitchPlan opens the Billing Portal on the plan change of the user's
// running subscription: a portal deep link (flow_data[type]=
// subscription_update), so the learner lands on the portal's own plan
// choice, sees there what Stripe will invoice, confirms, and comes straight
// back to Tollgate, which re-reads the subscription. The switch itself is
// Stripe's to make; plan only says which way the learner asked to go.
func (s *Service) SwitchPlan(ctx context.Context, u *tollgate.User, plan Plan) (Redirect, error) {
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return Redirect{}, tollgate.Errorf(tollgate.ENOTFOUND, "You have no subscription to switch yet: subscribe to a plan first.")
	} else if err != nil {
		return Redirect{}, fmt.Errorf("billing: switch plan: %w", err)
	}
	price, err := s.priceID(ctx, plan)
	if err != nil {
		return Redirect{}, err
	}
	subs, err := s.store.SubscriptionsByUser(ctx, u.ID)
	if err != nil {
		return Redirect{}, fmt.Errorf("billing: switch plan: %w", err)
	}
	for _, sub := range subs {
		if !sub.Live() {
			continue
		}
		if sub.PriceID == price {
			return Redirect{}, tollgate.Errorf(tollgate.EINVALID, "You are on the %s plan already.", plan)
		}
		url, err := s.portalURL(ctx, c.StripeID, &stripe.BillingPortalSessionCreateFlowDataParams{
			Type:               stripe.String(string(stripe.BillingPortalSessionFlowTypeSubscriptionUpdate)),
			SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.StripeID)},
			AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{
				Type:     stripe.String(string(stripe.BillingPortalSessionFlowAfterCompletionTypeRedirect)),
				Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String(s.cfg.ReturnBase + tollgate.PortalReturnPath)},
			},
		})
		if err == nil {
			s.log.Info("portal opened to switch plan", logkey.User, u.ID, logkey.Plan, plan)
		}
		return Redirect{URL: url, Portal: true}, err
	}
	return Redirect{}, tollgate.Errorf(tollgate.EINVALID, "You have no running subscription to switch: subscribe to the %s plan instead.", plan)
}

// portalURL opens a portal session for the customer, on flow when given.
func (s *Service) portalURL(ctx context.Context, customerID string, flow *stripe.BillingPortalSessionCreateFlowDataParams) (string, error) {
	params := &stripe.BillingPortalSessionCreateParams{
		Customer:  stripe.String(customerID),
		ReturnURL: stripe.String(s.cfg.ReturnBase + tollgate.PortalReturnPath),
		FlowData:  flow,
	}
	// Tollgate's own configuration (cancel at period end) where it made one;
	// otherwise the account's default, saved in its Dashboard.
	cfg, err := s.findPortalConfiguration(ctx)
	if err != nil {
		return "", err
	}
	if cfg != "" {
		params.Configuration = stripe.String(cfg)
	}
	ps, err := s.sc.V1BillingPortalSessions.Create(ctx, params)
	if err != nil {
		return "", stripeError("create portal session", err)
	}
	return ps.URL, nil
}

// ensureCustomer returns the user's customer, creating it (on a test clock of
// its own when configured) the first time. One customer per user keeps every
// purchase, invoice and entitlement of a person in one place.
func (s *Service) ensureCustomer(ctx context.Context, u *tollgate.User) (*tollgate.Customer, error) {
	s.customerMu.Lock()
	defer s.customerMu.Unlock()
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if err == nil {
		return c, nil
	} else if tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		return nil, fmt.Errorf("billing: customer: %w", err)
	}
	found, err := s.lostCustomer(ctx, u)
	if err != nil {
		return nil, err
	}
	if found != nil {
		c = &tollgate.Customer{UserID: u.ID, StripeID: found.ID}
		if found.TestClock != nil {
			c.TestClock = found.TestClock.ID
		}
		if err := s.store.PutCustomer(ctx, c); err != nil {
			return nil, fmt.Errorf("billing: save customer: %w", err)
		}
		s.log.Info("customer found on Stripe, made by an earlier try whose answer was lost", logkey.User, u.ID, logkey.Customer, c.StripeID, logkey.Clock, c.TestClock)
		return c, nil
	}
	params := &stripe.CustomerCreateParams{
		Email:    stripe.String(u.Email),
		Name:     stripe.String(u.Name),
		Metadata: map[string]string{userMetadataKey: strconv.FormatUint(u.ID, 10)},
	}
	if s.cfg.Install != "" {
		params.Metadata[installMetadataKey] = s.cfg.Install
	}
	c = &tollgate.Customer{UserID: u.ID}
	if s.cfg.TestClocks {
		clock, err := s.sc.V1TestHelpersTestClocks.Create(ctx, &stripe.TestHelpersTestClockCreateParams{
			FrozenTime: stripe.Int64(time.Now().Unix()),
			Name:       stripe.String(clockName(u)),
		})
		if err != nil {
			return nil, stripeError("create test clock", err)
		}
		params.TestClock, c.TestClock = stripe.String(clock.ID), clock.ID
	}
	sc, err := s.sc.V1Customers.Create(ctx, params)
	if err != nil {
		return nil, stripeError("create customer", err)
	}
	c.StripeID = sc.ID
	if err := s.store.PutCustomer(ctx, c); err != nil {
		return nil, fmt.Errorf("billing: save customer: %w", err)
	}
	s.log.Info("customer created", logkey.User, u.ID, logkey.Customer, c.StripeID, logkey.Clock, c.TestClock)
	return c, nil
}

// userMetadataKey carries, on a customer Tollgate made, the number of the
// user it was made for.
const userMetadataKey = "tollgate_user_id"

// clockName is the name of the test clock a user's customer lives on.
func clockName(u *tollgate.User) string { return "Tollgate: " + u.Email }

// lostCustomer returns the customer this Tollgate made for u but never heard
// back about: Stripe made it, and every try's answer was lost on the way (a
// dropped connection), so the store does not know it. Nil when there is none.
//
// Stripe's search would find it by metadata, but its index lags by up to a
// minute; lists are consistent at once. A customer on a test clock is listed
// only by its clock, so with test clocks the clocks named for u are read.
func (s *Service) lostCustomer(ctx context.Context, u *tollgate.User) (*stripe.Customer, error) {
	if s.cfg.Install == "" {
		return nil, nil
	}
	ours := func(cu *stripe.Customer) bool {
		return !cu.Deleted && cu.Metadata[userMetadataKey] == strconv.FormatUint(u.ID, 10) && cu.Metadata[installMetadataKey] == s.cfg.Install
	}
	find := func(params *stripe.CustomerListParams) (*stripe.Customer, error) {
		for cu, err := range s.sc.V1Customers.List(ctx, params) {
			if err != nil {
				return nil, stripeError("list customers", err)
			}
			if ours(cu) {
				return cu, nil
			}
		}
		return nil, nil
	}
	if !s.cfg.TestClocks {
		return find(&stripe.CustomerListParams{Email: stripe.String(u.Email)})
	}
	for clk, err := range s.sc.V1TestHelpersTestClocks.List(ctx, &stripe.TestHelpersTestClockListParams{}) {
		if err != nil {
			return nil, stripeError("list test clocks", err)
		}
		if clk.Name != clockName(u) {
			continue
		}
		if cu, err := find(&stripe.CustomerListParams{TestClock: stripe.String(clk.ID)}); cu != nil || err != nil {
			return cu, err
		}
	}
	return nil, nil
}
