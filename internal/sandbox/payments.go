package sandbox

import "time"

// The payment objects an invoice's collection makes.
var (
	paymentIntents  *resource[paymentIntent]
	charges         *resource[charge]
	setupIntents    *resource[setupIntent]
	invoicePayments *resource[invoicePayment]

	// The payment objects of one customer, and an invoice's payments.
	paymentIntentsByCustomer index[paymentIntent]
	chargesByCustomer        index[charge]
	setupIntentsByCustomer   index[setupIntent]
	invoicePaymentsByInvoice index[invoicePayment]
)

func init() {
	paymentIntents = declare(&resource[paymentIntent]{
		bucket:  "payment_intents",
		prefix:  "pi_",
		object:  "payment_intent",
		idParam: "intent",
		render:  (*Sandbox).renderPaymentIntent,
		expand: []field{
			ref("customer", "customer"),
			ref("latest_charge", "charge"),
			ref("payment_method", "payment_method"),
			alwaysNull("application"), alwaysNull("on_behalf_of"), alwaysNull("review"),
		},
	})
	charges = declare(&resource[charge]{
		bucket:  "charges",
		prefix:  "ch_",
		object:  "charge",
		idParam: "charge",
		render:  (*Sandbox).renderCharge,
		expand: []field{
			ref("customer", "customer"),
			ref("payment_intent", "payment_intent"),
			alwaysNull("application"), alwaysNull("application_fee"), alwaysNull("balance_transaction"),
			alwaysNull("on_behalf_of"), alwaysNull("review"), alwaysNull("source_transfer"),
		},
	})
	setupIntents = declare(&resource[setupIntent]{
		bucket:  "setup_intents",
		prefix:  "seti_",
		object:  "setup_intent",
		idParam: "intent",
		render:  (*Sandbox).renderSetupIntent,
		expand: []field{
			ref("customer", "customer"),
			ref("payment_method", "payment_method"),
			alwaysNull("application"), alwaysNull("latest_attempt"), alwaysNull("mandate"),
			alwaysNull("on_behalf_of"), alwaysNull("single_use_mandate"),
		},
	})
	invoicePayments = declare(&resource[invoicePayment]{
		bucket:  "invoice_payments",
		prefix:  "inpay_",
		object:  "invoice_payment",
		idParam: "invoice_payment",
		render:  (*Sandbox).renderInvoicePayment,
		expand: []field{
			ref("invoice", "invoice"),
			ref("payment.payment_intent", "payment_intent"),
			alwaysNull("payment.charge"),
		},
	})
	paymentIntentsByCustomer = paymentIntents.index(func(pi *paymentIntent) string { return pi.Customer })
	chargesByCustomer = charges.index(func(ch *charge) string { return ch.Customer })
	setupIntentsByCustomer = setupIntents.index(func(si *setupIntent) string { return si.Customer })
	invoicePaymentsByInvoice = invoicePayments.index(func(ip *invoicePayment) string { return ip.Invoice })
}

// The payments a subscription's invoices make, modelled as API version basil
// has them. 2025-03-31.basil removed invoice.payment_intent, invoice.charge
// and invoice.paid, and the invoice field of PaymentIntents and Charges;
// an invoice's payments are now InvoicePayment objects, under the invoice's
// includable payments list. So:
//
//   - An invoice finalized with an amount to collect gets a PaymentIntent
//     (payment_intent.created) and a default InvoicePayment linking the two:
//     "Stripe automatically creates a default InvoicePayment when the invoice
//     is finalized" (the InvoicePayment object's is_default).
//   - Each attempt to collect it (Checkout, a renewal an hour after its
//     draft, a dunning retry, POST /v1/invoices/{id}/pay, the hosted invoice
//     page) confirms that one PaymentIntent again and makes a new Charge:
//     charge.succeeded and payment_intent.succeeded, or charge.failed and
//     payment_intent.payment_failed, the PaymentIntent going back to
//     requires_payment_method with the decline in last_payment_error.
//   - A paid invoice's InvoicePayment is paid (invoice_payment.paid).
//   - Checkout with nothing to charge today (a trial) saves the card with a
//     SetupIntent instead (setup_intent.created, setup_intent.succeeded).
//
// A £0 invoice (a trial's) is paid without any of them, as Stripe's is.

const (
	piRequiresPaymentMethod = "requires_payment_method"
	piSucceeded             = "succeeded"

	chargeSucceeded = "succeeded"
	chargeFailed    = "failed"

	paymentOpen = "open"
	paymentPaid = "paid"
)

type paymentIntent struct {
	base
	Customer string `json:"customer"`
	// Invoice is the invoice the PaymentIntent collects. It is not
	// rendered: basil has no PaymentIntent.invoice; the link is the
	// invoice's InvoicePayment.
	Invoice          string        `json:"invoice"`
	Amount           int64         `json:"amount"`
	AmountReceived   int64         `json:"amount_received"`
	Currency         string        `json:"currency"`
	Description      string        `json:"description,omitempty"`
	Status           string        `json:"status"`
	PaymentMethod    string        `json:"payment_method,omitempty"`
	LatestCharge     string        `json:"latest_charge,omitempty"`
	SetupFutureUsage string        `json:"setup_future_usage,omitempty"`
	LastError        *paymentError `json:"last_error,omitempty"`
	Secret           string        `json:"secret"`
}

// paymentError is a PaymentIntent's last_payment_error: why its latest
// charge was declined.
type paymentError struct {
	Code          string `json:"code"`
	DeclineCode   string `json:"decline_code"`
	Message       string `json:"message"`
	Charge        string `json:"charge"`
	PaymentMethod string `json:"payment_method"`
}

type charge struct {
	base
	Customer       string `json:"customer"`
	PaymentIntent  string `json:"payment_intent"`
	PaymentMethod  string `json:"payment_method"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Description    string `json:"description,omitempty"`
	Status         string `json:"status"`
	FailureCode    string `json:"failure_code,omitempty"`
	DeclineCode    string `json:"decline_code,omitempty"`
	FailureMessage string `json:"failure_message,omitempty"`
}

type setupIntent struct {
	base
	Customer      string `json:"customer"`
	PaymentMethod string `json:"payment_method,omitempty"`
	Status        string `json:"status"`
	Secret        string `json:"secret"`
}

// invoicePayment links an invoice to the PaymentIntent collecting it.
type invoicePayment struct {
	base
	Invoice         string `json:"invoice"`
	PaymentIntent   string `json:"payment_intent"`
	Currency        string `json:"currency"`
	AmountRequested int64  `json:"amount_requested"`
	AmountPaid      int64  `json:"amount_paid,omitempty"`
	Status          string `json:"status"`
	PaidAt          int64  `json:"paid_at,omitempty"`
}

// paymentDescription is what Stripe writes on a subscription invoice's
// PaymentIntent and charges: "Subscription creation" for the first, and
// "Subscription update" for the others, renewals included.
func paymentDescription(billingReason string) string {
	if billingReason == "subscription_create" {
		return "Subscription creation"
	}
	return "Subscription update"
}

// clientSecret is a PaymentIntent's or SetupIntent's client_secret: its id,
// "_secret_" and random characters, as Stripe's are.
func clientSecret(id string) string { return id + "_secret_" + newID("")[:24] }

// openPayment makes the PaymentIntent and default InvoicePayment of an
// invoice just finalized, when there is something to collect.
func (s *Sandbox) openPayment(inv *invoice, at time.Time) {
	due := inv.amountDue()
	if due <= 0 {
		return
	}
	pi := &paymentIntent{base: paymentIntents.newBase(s.st, at), Customer: inv.Customer, Invoice: inv.ID, Amount: due,
		Currency: inv.Currency, Description: paymentDescription(inv.BillingReason), Status: piRequiresPaymentMethod}
	pi.Secret = clientSecret(pi.ID)
	if inv.BillingReason == "subscription_create" {
		// Checkout's first payment also saves the card for the renewals.
		pi.SetupFutureUsage = "off_session"
	}
	paymentIntents.put(s.st, pi)
	ip := &invoicePayment{base: invoicePayments.newBase(s.st, at), Invoice: inv.ID, PaymentIntent: pi.ID, Currency: inv.Currency,
		AmountRequested: due, Status: paymentOpen}
	invoicePayments.put(s.st, ip)
	inv.PaymentIntent, inv.Payment = pi.ID, ip.ID
	invoices.put(s.st, inv)
	s.emit(at, "payment_intent.created", s.renderPaymentIntent(pi))
}

// collect confirms the invoice's PaymentIntent with card: one new Charge,
// succeeded or failed. It reports whether the money was collected. Without
// a card nothing is charged, and the attempt fails.
func (s *Sandbox) collect(inv *invoice, card *paymentMethod, at time.Time) bool {
	pi := paymentIntents.get(s.st, inv.PaymentIntent)
	if pi == nil {
		// An invoice finalized before the sandbox kept payments.
		s.openPayment(inv, at)
		if pi = paymentIntents.get(s.st, inv.PaymentIntent); pi == nil {
			return false
		}
	}
	if card == nil {
		return false
	}
	ch := &charge{base: charges.newBase(s.st, at), Customer: inv.Customer, PaymentIntent: pi.ID, PaymentMethod: card.ID,
		Amount: pi.Amount, Currency: pi.Currency, Description: pi.Description, Status: chargeSucceeded}
	pi.PaymentMethod, pi.LatestCharge = card.ID, ch.ID
	if card.FailCharges {
		code := card.DeclineCode
		if code == "" {
			code = "generic_decline" // 4000 0000 0000 0341: attaches, then every charge is declined
		}
		ch.Status, ch.FailureCode, ch.DeclineCode, ch.FailureMessage = chargeFailed, failureCode(code), code, declineMessage(code)
		pi.Status = piRequiresPaymentMethod
		pi.LastError = &paymentError{Code: ch.FailureCode, DeclineCode: code, Message: ch.FailureMessage, Charge: ch.ID, PaymentMethod: card.ID}
		charges.put(s.st, ch)
		paymentIntents.put(s.st, pi)
		s.emit(at, "charge.failed", s.renderCharge(ch))
		s.emit(at, "payment_intent.payment_failed", s.renderPaymentIntent(pi))
		return false
	}
	pi.Status, pi.AmountReceived, pi.LastError = piSucceeded, pi.Amount, nil
	charges.put(s.st, ch)
	paymentIntents.put(s.st, pi)
	s.emit(at, "charge.succeeded", s.renderCharge(ch))
	s.emit(at, "payment_intent.succeeded", s.renderPaymentIntent(pi))
	return true
}

// paymentPaid marks the invoice's InvoicePayment paid.
func (s *Sandbox) paymentPaid(inv *invoice, at time.Time) {
	ip := invoicePayments.get(s.st, inv.Payment)
	if ip == nil {
		return
	}
	ip.Status, ip.AmountPaid, ip.PaidAt = paymentPaid, ip.AmountRequested, at.Unix()
	invoicePayments.put(s.st, ip)
	s.emit(at, "invoice_payment.paid", s.renderInvoicePayment(ip))
}

// failureCode is a declined charge's failure_code (the error code): an
// issuer's decline is card_declined, with the reason as its decline_code,
// but for an expired card, which has a code of its own.
func failureCode(declineCode string) string {
	if declineCode == "expired_card" {
		return "expired_card"
	}
	return "card_declined"
}

// newSetupIntent starts saving a card for later payments, as Checkout does
// when nothing is charged today; confirmSetup completes it.
func (s *Sandbox) newSetupIntent(cu *customer, at time.Time) *setupIntent {
	si := &setupIntent{base: setupIntents.newBase(s.st, at), Customer: cu.ID, Status: piRequiresPaymentMethod}
	si.Secret = clientSecret(si.ID)
	setupIntents.put(s.st, si)
	s.emit(at, "setup_intent.created", s.renderSetupIntent(si))
	return si
}

func (s *Sandbox) confirmSetup(si *setupIntent, pm *paymentMethod, at time.Time) {
	si.PaymentMethod, si.Status = pm.ID, "succeeded"
	setupIntents.put(s.st, si)
	s.emit(at, "setup_intent.succeeded", s.renderSetupIntent(si))
}
