package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// The payment objects a subscription's invoices make, as basil has them:
// "Removed the payment_intent, charge, paid, and paid_out_of_band fields
// from the Invoice object. Removed the invoice field from the PaymentIntent
// and Charge objects." (https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices)
// An invoice's payments are InvoicePayment objects, "accessed in two ways:
// by expanding the payments field on the Invoice resource, [or] by using
// the Invoice Payment retrieve and list endpoints"
// (https://docs.stripe.com/api/invoice-payment/object).

// invoiceWithPayments retrieves an invoice with its payments expanded, down to
// each PaymentIntent.
func (e *env) invoiceWithPayments(id string) *stripe.Invoice {
	e.t.Helper()
	p := &stripe.InvoiceRetrieveParams{}
	p.AddExpand("payments.data.payment.payment_intent")
	return must(e.sc.V1Invoices.Retrieve(context.Background(), id, p))(e.t)
}

func TestPaymentObjects(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()

	t.Run("PaidCheckout", func(t *testing.T) {
		_, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
		card := sub.DefaultPaymentMethod.ID
		inv := e.invoiceWithPayments(e.subscription(sub.ID).LatestInvoice.ID)

		// Basil's invoice: no payment_intent, charge or paid of its own.
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(inv.LastResponse.RawJSON, &raw); err != nil {
			t.Fatal(err)
		}
		for _, gone := range []string{"payment_intent", "charge", "paid", "paid_out_of_band"} {
			if _, ok := raw[gone]; ok {
				t.Errorf("invoice has %s, which basil removed", gone)
			}
		}
		// payments is includable: given only when expanded.
		plain := must(e.sc.V1Invoices.Retrieve(ctx, inv.ID, nil))(t)
		raw = nil
		if err := json.Unmarshal(plain.LastResponse.RawJSON, &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw["payments"]; ok {
			t.Error("invoice has payments without expand[]=payments")
		}

		if inv.Payments == nil || len(inv.Payments.Data) != 1 {
			t.Fatalf("invoice payments = %+v, want one", inv.Payments)
		}
		ip := inv.Payments.Data[0]
		if ip.Status != "paid" || !ip.IsDefault || ip.AmountRequested != 1000 || ip.AmountPaid != 1000 || ip.Invoice.ID != inv.ID ||
			ip.Payment.Type != stripe.InvoicePaymentPaymentTypePaymentIntent || ip.StatusTransitions.PaidAt != t0.Unix() {
			t.Fatalf("invoice payment = %+v", ip)
		}
		pi := ip.Payment.PaymentIntent
		if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.Amount != 1000 || pi.AmountReceived != 1000 || pi.Currency != "usd" ||
			pi.Customer.ID != cu.ID || pi.PaymentMethod.ID != card || pi.Description != "Subscription creation" || pi.LastPaymentError != nil ||
			pi.SetupFutureUsage != stripe.PaymentIntentSetupFutureUsageOffSession {
			t.Fatalf("payment intent = %+v", pi)
		}

		// Each is retrievable by id, and listed.
		got := must(e.sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil))(t)
		ch := must(e.sc.V1Charges.Retrieve(ctx, got.LatestCharge.ID, nil))(t)
		if ch.Status != stripe.ChargeStatusSucceeded || !ch.Paid || !ch.Captured || ch.Amount != 1000 || ch.AmountCaptured != 1000 ||
			ch.PaymentIntent.ID != pi.ID || ch.PaymentMethod != card || ch.Customer.ID != cu.ID || ch.FailureCode != "" ||
			ch.PaymentMethodDetails.Card.Last4 != "4242" || ch.Outcome.Type != "authorized" {
			t.Fatalf("charge = %+v", ch)
		}
		if again := must(e.sc.V1InvoicePayments.Retrieve(ctx, ip.ID, nil))(t); again.Payment.PaymentIntent.ID != pi.ID {
			t.Fatalf("invoice payment by id: %+v", again)
		}
		if ips := collect(t, e.sc.V1InvoicePayments.List(ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)})); len(ips) != 1 || ips[0].ID != ip.ID {
			t.Fatalf("invoice payments listed: %d", len(ips))
		}
		if pis := collect(t, e.sc.V1PaymentIntents.List(ctx, &stripe.PaymentIntentListParams{Customer: stripe.String(cu.ID)})); len(pis) != 1 {
			t.Fatalf("%d payment intents for the customer", len(pis))
		}
		if chs := collect(t, e.sc.V1Charges.List(ctx, &stripe.ChargeListParams{PaymentIntent: stripe.String(pi.ID)})); len(chs) != 1 {
			t.Fatalf("%d charges for the payment intent", len(chs))
		}
		// Checkout charged at once, so no SetupIntent.
		if sis := collect(t, e.sc.V1SetupIntents.List(ctx, &stripe.SetupIntentListParams{Customer: stripe.String(cu.ID)})); len(sis) != 0 {
			t.Fatalf("%d setup intents after a paid Checkout", len(sis))
		}
	})

	t.Run("TrialCheckout", func(t *testing.T) {
		_, cu := e.clockCustomer()
		sub := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID, trialDays: 7}, "4242424242424242")
		sis := collect(t, e.sc.V1SetupIntents.List(ctx, &stripe.SetupIntentListParams{Customer: stripe.String(cu.ID)}))
		if len(sis) != 1 {
			t.Fatalf("%d setup intents after a trial Checkout, want 1", len(sis))
		}
		si := must(e.sc.V1SetupIntents.Retrieve(ctx, sis[0].ID, nil))(t)
		if si.Status != stripe.SetupIntentStatusSucceeded || si.Usage != stripe.SetupIntentUsageOffSession ||
			si.PaymentMethod.ID != sub.DefaultPaymentMethod.ID || si.Customer.ID != cu.ID {
			t.Fatalf("setup intent = %+v", si)
		}
		// The £0 trial invoice is paid without a payment.
		inv := e.invoiceWithPayments(e.subscription(sub.ID).LatestInvoice.ID)
		if inv.Status != stripe.InvoiceStatusPaid || inv.Payments == nil || len(inv.Payments.Data) != 0 {
			t.Fatalf("trial invoice %s payments %+v, want paid with none", inv.Status, inv.Payments)
		}
		if pis := collect(t, e.sc.V1PaymentIntents.List(ctx, &stripe.PaymentIntentListParams{Customer: stripe.String(cu.ID)})); len(pis) != 0 {
			t.Fatalf("%d payment intents during a trial", len(pis))
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.sc.V1PaymentIntents.Retrieve(ctx, "pi_nope", nil)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound || se.Code != stripe.ErrorCodeResourceMissing {
			t.Fatalf("payment intent: %d %s", se.HTTPStatusCode, se.Code)
		}
		_, err = e.sc.V1Charges.Retrieve(ctx, "ch_nope", nil)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound {
			t.Fatalf("charge: %d", se.HTTPStatusCode)
		}
		_, err = e.sc.V1SetupIntents.Retrieve(ctx, "seti_nope", nil)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound {
			t.Fatalf("setup intent: %d", se.HTTPStatusCode)
		}
	})
}

// TestDeclinedPayments covers the payment objects of a renewal declined by
// 4000 0000 0000 0341, "Decline after attaching: attaching this card to a
// Customer object succeeds, but attempts to charge the customer fail"
// (https://docs.stripe.com/testing#declined-payments), and of the attempts
// after it. A failed attempt "returns the PaymentIntent to
// requires_payment_method" (https://docs.stripe.com/payments/paymentintents/lifecycle).
func TestDeclinedPayments(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	_, cust, subID, failedAt := failingRenewal(t, e)
	inv := e.invoiceWithPayments(e.subscription(subID).LatestInvoice.ID)
	if len(inv.Payments.Data) != 1 {
		t.Fatalf("%d invoice payments", len(inv.Payments.Data))
	}
	ip := inv.Payments.Data[0]
	if ip.Status != "open" || ip.AmountPaid != 0 || ip.AmountRequested != 1000 {
		t.Fatalf("invoice payment after a decline = %s paid %d requested %d", ip.Status, ip.AmountPaid, ip.AmountRequested)
	}
	// A declined attempt leaves the PaymentIntent waiting for another
	// payment method, with the decline as its last_payment_error.
	pi := ip.Payment.PaymentIntent
	if pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || pi.AmountReceived != 0 || pi.Description != "Subscription update" ||
		pi.LastPaymentError == nil || pi.LastPaymentError.Code != stripe.ErrorCodeCardDeclined ||
		pi.LastPaymentError.DeclineCode != stripe.DeclineCodeGenericDecline || pi.LastPaymentError.Type != stripe.ErrorTypeCard {
		t.Fatalf("payment intent after a decline = %s %+v", pi.Status, pi.LastPaymentError)
	}
	declined := must(e.sc.V1Charges.Retrieve(ctx, pi.LatestCharge.ID, nil))(t)
	if declined.Status != stripe.ChargeStatusFailed || declined.Paid || declined.Captured || declined.Amount != 1000 ||
		declined.FailureCode != "card_declined" || declined.FailureMessage != "Your card was declined." ||
		declined.Outcome.Type != "issuer_declined" || declined.Outcome.Reason != "generic_decline" ||
		declined.PaymentMethodDetails.Card.Last4 != "0341" || declined.Created != failedAt.Unix() {
		t.Fatalf("declined charge = %+v", declined)
	}

	t.Run("ErrPayDeclined", func(t *testing.T) {
		// The card error of a manual pay names the declined charge.
		_, err := e.sc.V1Invoices.Pay(ctx, inv.ID, nil)
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusPaymentRequired || se.Code != stripe.ErrorCodeCardDeclined || se.DeclineCode != stripe.DeclineCodeGenericDecline || se.ChargeID == "" || se.ChargeID == declined.ID {
			t.Fatalf("pay: %d %s %s charge %q", se.HTTPStatusCode, se.Code, se.DeclineCode, se.ChargeID)
		}
	})

	t.Run("HostedPageDeclines", func(t *testing.T) {
		// A card typed on the hosted page is charged on the same
		// PaymentIntent; its own decline reason is on the charge.
		status, _, _ := e.post(inv.HostedInvoiceURL, url.Values{"card_number": {"4000000000009995"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
		if status != http.StatusPaymentRequired {
			t.Fatalf("insufficient funds card: status %d", status)
		}
		got := must(e.sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil))(t)
		ch := must(e.sc.V1Charges.Retrieve(ctx, got.LatestCharge.ID, nil))(t)
		if ch.FailureCode != "card_declined" || ch.Outcome.Reason != "insufficient_funds" || ch.FailureMessage != "Your card has insufficient funds." ||
			got.LastPaymentError.DeclineCode != stripe.DeclineCodeInsufficientFunds {
			t.Fatalf("charge %s %s %q; last error %+v", ch.FailureCode, ch.Outcome.Reason, ch.FailureMessage, got.LastPaymentError)
		}
		status, _, _ = e.post(inv.HostedInvoiceURL, url.Values{"card_number": {"4000000000000069"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
		got = must(e.sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil))(t)
		if status != http.StatusPaymentRequired || got.LastPaymentError.Code != stripe.ErrorCodeExpiredCard {
			t.Fatalf("expired card: %d %+v", status, got.LastPaymentError)
		}
	})

	// A good card pays the invoice on the PaymentIntent it had all along.
	if status, body, _ := e.post(inv.HostedInvoiceURL, url.Values{"card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}); status != http.StatusSeeOther {
		t.Fatalf("pay on the page: %d\n%s", status, body)
	}
	paid := e.invoiceWithPayments(inv.ID)
	if len(paid.Payments.Data) != 1 || paid.Payments.Data[0].ID != ip.ID || paid.Payments.Data[0].Status != "paid" || paid.Payments.Data[0].AmountPaid != 1000 {
		t.Fatalf("payments after paying = %+v", paid.Payments.Data)
	}
	pi = paid.Payments.Data[0].Payment.PaymentIntent
	if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.AmountReceived != 1000 || pi.LastPaymentError != nil {
		t.Fatalf("payment intent after paying = %s received %d error %+v", pi.Status, pi.AmountReceived, pi.LastPaymentError)
	}
	chs := collect(t, e.sc.V1Charges.List(ctx, &stripe.ChargeListParams{PaymentIntent: stripe.String(pi.ID)}))
	// The failed renewal, the failed manual pay, two declines on the
	// page, then the good card: newest first.
	if len(chs) != 5 || chs[0].Status != stripe.ChargeStatusSucceeded || chs[0].PaymentMethodDetails.Card.Last4 != "4242" {
		t.Fatalf("%d charges, newest %s", len(chs), chs[0].Status)
	}
	for _, ch := range chs[1:] {
		if ch.Status != stripe.ChargeStatusFailed || ch.Customer.ID != cust {
			t.Fatalf("charge %s %s customer %v", ch.ID, ch.Status, ch.Customer)
		}
	}
}
