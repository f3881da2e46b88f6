package sandbox

import (
	"net/http"
	"strings"
	"time"
	"unicode"
)

// checkoutInput is what the hosted Checkout form submitted.
type checkoutInput struct {
	Card  cardInput
	Promo string
	Email string
	Name  string
	// The billing address Checkout asks for with a card: the country, and
	// the postal code where the card's postal code check needs one.
	Country    string
	PostalCode string
}

// checkAddress validates the country and postal code typed with a card and
// returns them cleaned, or a message for the customer.
func checkAddress(country, postal string) (string, string, string) {
	country, postal = strings.ToUpper(strings.TrimSpace(country)), strings.TrimSpace(postal)
	switch {
	case !knownCountry(country):
		return "", "", "Select your country or region."
	case postal == "" && postalCodeCountries[country]:
		return "", "", "Your postal code is incomplete."
	case len([]rune(postal)) > 20 || strings.IndexFunc(postal, unicode.IsControl) >= 0:
		return "", "", "Your postal code is invalid."
	}
	return country, postal, ""
}

// pageError is a problem shown on a hosted page, with the HTTP status the
// page is answered with.
type pageError struct {
	Status  int
	Message string
}

// findPromotionCode looks up a customer-facing code; like Stripe's, codes
// are case-insensitive. An inactive code may share its text with an active
// one (only active codes must be unique), so inactive codes are skipped and
// "no longer active" is the answer only when no active code matched.
func (s *Sandbox) findPromotionCode(code, customerID string, at time.Time) (*promotionCode, string) {
	sawInactive, why := false, ""
	for _, pc := range promotionCodes.sorted(s.st, func(pc *promotionCode) bool { return strings.EqualFold(pc.Code, code) }) {
		if !pc.Active {
			sawInactive = true
			continue
		}
		reason := s.promoUsable(pc, customerID, at)
		if reason == "" {
			return pc, ""
		}
		if why == "" {
			why = reason
		}
	}
	switch {
	case why != "":
		return nil, why
	case sawInactive:
		return nil, "This promotion code is no longer active."
	}
	return nil, "This promotion code is invalid."
}

// promoUsable is the one check of whether a promotion code can be redeemed
// by customerID ("" for a customer Checkout has yet to create) at time at:
// it runs when a session is created with the code, when the code is typed
// on the hosted page and again when the checkout completes, since the code
// or its coupon may have run out in between. It returns why not, or "".
func (s *Sandbox) promoUsable(pc *promotionCode, customerID string, at time.Time) string {
	cp := coupons.get(s.st, pc.Coupon)
	switch {
	case !pc.Active:
		return "This promotion code is no longer active."
	case pc.ExpiresAt != 0 && at.Unix() >= pc.ExpiresAt:
		return "This promotion code has expired."
	case pc.MaxRedemptions != 0 && pc.TimesRedeemed >= pc.MaxRedemptions:
		return "This promotion code has been fully redeemed."
	case pc.Customer != "" && pc.Customer != customerID:
		return "This promotion code cannot be redeemed by this customer."
	case cp == nil || !s.couponValid(cp, at):
		return "This promotion code's coupon is no longer valid."
	}
	return ""
}

// completeCheckout pays (or starts the trial of) a checkout session: it
// validates everything first, so a refused form changes nothing.
func (s *Sandbox) completeCheckout(cs *checkoutSession, in checkoutInput) *pageError {
	switch cs.Status {
	case "complete":
		return &pageError{http.StatusConflict, "This checkout session is already complete."}
	case "expired":
		return &pageError{http.StatusGone, "This checkout session has expired; go back and start again."}
	}
	cu := customers.get(s.st, cs.Customer)
	clockID := ""
	if cu != nil {
		clockID = cu.TestClock
	}
	at := s.now(clockID)
	pm, tc, msg, declined := checkCard(in.Card, at, true)
	if msg != "" {
		if declined {
			return &pageError{http.StatusPaymentRequired, msg}
		}
		return &pageError{http.StatusBadRequest, msg}
	}
	country, postal, msg := checkAddress(in.Country, in.PostalCode)
	if msg != "" {
		return &pageError{http.StatusBadRequest, msg}
	}
	couponID, promoID := cs.Coupon, cs.PromotionCode
	if code := strings.TrimSpace(in.Promo); code != "" {
		if !cs.AllowPromotionCodes {
			return &pageError{http.StatusBadRequest, "Promotion codes are not accepted for this purchase."}
		}
		pc, why := s.findPromotionCode(code, cs.Customer, at)
		if pc == nil {
			return &pageError{http.StatusBadRequest, why}
		}
		couponID, promoID = pc.Coupon, pc.ID
	} else if pc := promotionCodes.get(s.st, promoID); promoID != "" {
		// The discount was fixed when the session was made; it may have
		// expired or been used up since.
		if pc == nil {
			return &pageError{http.StatusBadRequest, "This checkout's promotion code no longer exists."}
		}
		if why := s.promoUsable(pc, cs.Customer, at); why != "" {
			return &pageError{http.StatusBadRequest, why}
		}
	} else if couponID != "" {
		if cp := coupons.get(s.st, couponID); cp == nil || !s.couponValid(cp, at) {
			return &pageError{http.StatusBadRequest, "This checkout's coupon is no longer valid."}
		}
	}
	email := cs.CustomerEmail
	if cu == nil && email == "" {
		email = strings.TrimSpace(in.Email)
		if !strings.Contains(email, "@") {
			return &pageError{http.StatusBadRequest, "Enter a valid email address."}
		}
	}
	trial := cs.TrialDays > 0
	discountAmount := int64(0)
	if cp := coupons.get(s.st, couponID); cp != nil && !trial {
		probe := &checkoutSession{Coupon: couponID, Subtotal: cs.Subtotal}
		discountAmount = s.firstDiscount(probe)
	}
	if !trial && cs.Subtotal-discountAmount > 0 && tc.failCharges {
		return &pageError{http.StatusPaymentRequired, "Your card was declined."}
	}
	// With nothing to charge today (a trial), Checkout saves the card with
	// a SetupIntent; otherwise the first invoice's PaymentIntent saves it.
	setup := trial || cs.Subtotal-discountAmount <= 0

	// Everything checked: now create the objects, in Stripe's order.
	if cu == nil {
		cu = s.newCustomer(email, strings.TrimSpace(in.Name), "")
		customers.put(s.st, cu)
		s.emit(at, "customer.created", s.renderCustomer(cu))
	}
	// Checkout in subscription mode saves the card as the new subscription's
	// default_payment_method and leaves the customer's invoice default
	// alone, as Stripe does; renewals charge the subscription's card.
	var si *setupIntent
	if setup {
		si = s.newSetupIntent(cu, at)
	}
	pm.base = paymentMethods.newBase(s.st, at)
	pm.BillingCountry, pm.BillingPostalCode = country, postal
	pm.BillingEmail, pm.BillingName = cu.Email, strings.TrimSpace(in.Name)
	s.attachPM(cu, &pm)
	s.emit(at, "payment_method.attached", renderPaymentMethod(&pm))
	if si != nil {
		s.confirmSetup(si, &pm, at)
	}

	sub := s.newSubscription(cs, cu, pm.ID, at)
	if couponID != "" {
		s.redeem(sub, couponID, promoID, at)
	}
	inv := s.makeInvoice(sub, "subscription_create", at, trial)
	sub.LatestInvoice = inv.ID
	subscriptions.put(s.st, sub)
	s.emit(at, "customer.subscription.created", s.renderSubscription(sub))
	s.charge(inv, sub, at, true, nil)

	cs.Status, cs.Customer, cs.Subscription, cs.Invoice = "complete", cu.ID, sub.ID, inv.ID
	cs.Coupon, cs.PromotionCode, cs.DiscountAmount = couponID, promoID, inv.DiscountAmount
	cs.CustomerDetailsEmail, cs.CustomerDetailsName = cu.Email, cu.Name
	cs.CustomerDetailsCountry, cs.CustomerDetailsPostalCode = country, postal
	cs.PaymentStatus = "paid"
	if inv.Total == 0 && trial {
		cs.PaymentStatus = "no_payment_required"
	}
	sessions.put(s.st, cs)
	s.emit(at, "checkout.session.completed", s.renderSession(cs))
	s.refreshEntitlements(cu.ID, at)
	return nil
}

func (s *Sandbox) newSubscription(cs *checkoutSession, cu *customer, pmID string, at time.Time) *subscription {
	sub := &subscription{base: subscriptions.newBase(s.st, at), Customer: cu.ID, Currency: cs.Currency, StartDate: at.Unix(),
		PeriodStart: at.Unix(), DefaultPM: pmID, Metadata: map[string]string{}, TestClock: cu.TestClock,
		Description: cs.SubscriptionDesc}
	for k, v := range cs.SubscriptionMetadata {
		sub.Metadata[k] = v
	}
	for _, it := range cs.Items {
		sub.Items = append(sub.Items, subItem{ID: newID("si_"), Created: at.Unix(), Price: it.Price, Quantity: it.Quantity})
	}
	if cs.TrialDays > 0 {
		end := at.Add(time.Duration(cs.TrialDays) * day).Unix()
		sub.Status, sub.TrialStart, sub.TrialEnd, sub.PeriodEnd, sub.BillingCycleAnchor = subTrialing, at.Unix(), end, end, end
		return sub
	}
	interval, count := s.subInterval(sub)
	sub.Status, sub.BillingCycleAnchor = subActive, at.Unix()
	sub.PeriodEnd = addInterval(at, interval, count).Unix()
	return sub
}

// redeem applies a coupon (through a promotion code or directly) to a new
// subscription and counts the redemption.
func (s *Sandbox) redeem(sub *subscription, couponID, promoID string, at time.Time) {
	cp := coupons.get(s.st, couponID)
	if cp == nil {
		return
	}
	d := &discount{ID: newID("di_"), Coupon: cp.ID, PromotionCode: promoID, Start: at.Unix()}
	if cp.Duration == "repeating" {
		d.End = addInterval(at, "month", cp.DurationInMonths).Unix()
	}
	sub.Discount = d
	cp.TimesRedeemed++
	coupons.put(s.st, cp)
	if pc := promotionCodes.get(s.st, promoID); pc != nil {
		pc.TimesRedeemed++
		promotionCodes.put(s.st, pc)
	}
}
