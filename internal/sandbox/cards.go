package sandbox

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"time"
)

// paymentMethods are the cards typed on the hosted pages.
var paymentMethods *resource[paymentMethod]

func init() {
	paymentMethods = declare(&resource[paymentMethod]{
		bucket: "payment_methods",
		prefix: "pm_",
		object: "payment_method",
		render: func(_ *Sandbox, pm *paymentMethod) map[string]any { return renderPaymentMethod(pm) },
		expand: []field{ref("customer", "customer")},
	})
}

// testCard is how one of Stripe's documented test numbers behaves.
type testCard struct {
	brand       string
	declineCode string // non-empty: declined when entered
	failCharges bool   // attaches fine, every later charge fails
}

var testCards = map[string]testCard{
	"4242424242424242": {brand: "visa"},
	"4000056655665556": {brand: "visa"},
	"5555555555554444": {brand: "mastercard"},
	"378282246310005":  {brand: "amex"},
	"4000000000000002": {brand: "visa", declineCode: "generic_decline"},
	"4000000000009995": {brand: "visa", declineCode: "insufficient_funds"},
	"4000000000009987": {brand: "visa", declineCode: "lost_card"},
	"4000000000000069": {brand: "visa", declineCode: "expired_card"},
	"4000000000000341": {brand: "visa", failCharges: true},
}

// cardInput is what a hosted page's card form submitted.
type cardInput struct {
	Number, Expiry, CVC string
}

type paymentMethod struct {
	base
	Customer    string `json:"customer"`
	Brand       string `json:"brand"`
	Last4       string `json:"last4"`
	ExpMonth    int64  `json:"exp_month"`
	ExpYear     int64  `json:"exp_year"`
	FailCharges bool   `json:"fail_charges"`
	// DeclineCode is why its charges fail (generic_decline when empty).
	DeclineCode string `json:"decline_code,omitempty"`
	// What was typed with the card: its CVC (checked when given), and the
	// billing details Checkout collects (the country and postal code).
	CVCChecked        bool   `json:"cvc_checked,omitempty"`
	BillingCountry    string `json:"billing_country,omitempty"`
	BillingPostalCode string `json:"billing_postal_code,omitempty"`
	BillingEmail      string `json:"billing_email,omitempty"`
	BillingName       string `json:"billing_name,omitempty"`
	// Fingerprint identifies the card number, as Stripe's does: the same
	// number typed twice gives the same one.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// checkCard validates a card as Stripe's form would at time now. It returns
// the parsed card, or a user-facing message and whether it is a decline (402)
// rather than a typo (400).
func checkCard(in cardInput, now time.Time, requireDetails bool) (paymentMethod, testCard, string, bool) {
	num := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, in.Number)
	var pm paymentMethod
	if num == "" {
		return pm, testCard{}, "Enter a card number.", false
	}
	tc, ok := testCards[num]
	if !ok {
		if !luhn(num) {
			return pm, tc, "Your card number is invalid.", false
		}
		return pm, tc, "Your card was declined: this is a sandbox, use a Stripe test card such as 4242 4242 4242 4242.", true
	}
	pm.Brand, pm.Last4, pm.FailCharges, pm.DeclineCode = tc.brand, num[len(num)-4:], tc.failCharges, tc.declineCode
	pm.Fingerprint = cardFingerprint(num)
	pm.ExpMonth, pm.ExpYear = 12, int64(now.Year()+3)
	if in.Expiry != "" || requireDetails {
		m, y, ok := parseExpiry(in.Expiry)
		if !ok {
			return pm, tc, "Your card's expiration date is incomplete or invalid; use MM/YY.", false
		}
		if time.Date(y, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC).Before(now) {
			return pm, tc, "Your card's expiration date is in the past.", false
		}
		pm.ExpMonth, pm.ExpYear = int64(m), int64(y)
	}
	if in.CVC != "" || requireDetails {
		want := 3
		if tc.brand == "amex" {
			want = 4
		}
		if len(in.CVC) != want || strings.Trim(in.CVC, "0123456789") != "" {
			return pm, tc, "Your card's security code is invalid.", false
		}
		pm.CVCChecked = true
	}
	if tc.declineCode != "" {
		return pm, tc, declineMessage(tc.declineCode), true
	}
	return pm, tc, "", false
}

func declineMessage(code string) string {
	switch code {
	case "insufficient_funds":
		return "Your card has insufficient funds."
	case "lost_card", "generic_decline":
		return "Your card was declined."
	case "expired_card":
		return "Your card has expired."
	}
	return "Your card was declined."
}

func parseExpiry(s string) (int, int, bool) {
	mm, yy, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), "/")
	if !ok {
		return 0, 0, false
	}
	m, err1 := strconv.Atoi(mm)
	y, err2 := strconv.Atoi(yy)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || len(mm) > 2 {
		return 0, 0, false
	}
	switch len(yy) {
	case 2:
		y += 2000
	case 4:
	default:
		return 0, 0, false
	}
	return m, y, true
}

func luhn(num string) bool {
	if len(num) < 12 || len(num) > 19 {
		return false
	}
	sum := 0
	for i := range len(num) {
		d := int(num[len(num)-1-i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func renderPaymentMethod(pm *paymentMethod) map[string]any {
	var address any
	if pm.BillingCountry != "" {
		address = map[string]any{"city": nil, "country": pm.BillingCountry, "line1": nil, "line2": nil,
			"postal_code": nullable(pm.BillingPostalCode), "state": nil}
	}
	// Stripe's test cards pass every check they are given data for; a
	// check without data (no postal code typed) is null.
	pass := func(given bool) any {
		if given {
			return "pass"
		}
		return nil
	}
	return map[string]any{
		"id": pm.ID, "object": "payment_method", "type": "card", "created": pm.Created, "livemode": false,
		"customer": nullable(pm.Customer), "metadata": map[string]string{},
		"billing_details": map[string]any{"address": address, "email": nullable(pm.BillingEmail), "name": nullable(pm.BillingName), "phone": nil, "tax_id": nil},
		"card": map[string]any{"brand": pm.Brand, "last4": pm.Last4, "exp_month": pm.ExpMonth, "exp_year": pm.ExpYear,
			"country": "US", "funding": "credit", "display_brand": pm.Brand, "fingerprint": nullable(pm.Fingerprint),
			"checks": map[string]any{"address_line1_check": nil, "address_postal_code_check": pass(pm.BillingPostalCode != ""),
				"cvc_check": pass(pm.CVCChecked)},
			"generated_from": nil, "networks": map[string]any{"available": []string{pm.Brand}, "preferred": nil},
			"regulated_status": "unregulated", "three_d_secure_usage": map[string]any{"supported": true}, "wallet": nil},
	}
}

// cardFingerprint is a card number's fingerprint: 16 characters derived
// from the number, so they say nothing of it.
func cardFingerprint(number string) string {
	sum := sha256.Sum256([]byte("tollgate card " + number))
	b := make([]byte, 16)
	for i := range b {
		b[i] = idAlphabet[int(sum[i])%len(idAlphabet)]
	}
	return string(b)
}
