package sandbox_test

// expand[] as the API reference's "Expanding Responses" describes it
// (https://docs.stripe.com/api/expanding_objects): nested fields after a
// dot, list expansions starting with data, at most four levels; and a path
// that names no expandable field is refused with "This property cannot be
// expanded (…)." before anything is done.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

func TestExpand(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	cat := e.catalog()
	clk, cu := e.clockCustomer()
	sub := e.subscribe(sessionOpts{customer: cu.ID, price: cat.monthly.ID}, "4242424242424242")

	t.Run("Nested", func(t *testing.T) {
		p := &stripe.SubscriptionRetrieveParams{}
		p.AddExpand("items.data.price.product")
		p.AddExpand("latest_invoice.customer")
		p.AddExpand("latest_invoice.parent.subscription_details.subscription")
		p.AddExpand("default_payment_method")
		p.AddExpand("test_clock")
		got := must(e.sc.V1Subscriptions.Retrieve(ctx, sub.ID, p))(t)
		if prod := got.Items.Data[0].Price.Product; prod == nil || prod.Name != cat.product.Name {
			t.Errorf("items.data.price.product = %+v, want the product %q", prod, cat.product.Name)
		}
		if inv := got.LatestInvoice; inv == nil || inv.Customer == nil || inv.Customer.Email != cu.Email {
			t.Errorf("latest_invoice.customer not expanded: %+v", inv)
		}
		// Two paths through latest_invoice expand the one invoice.
		if s := got.LatestInvoice.Parent.SubscriptionDetails.Subscription; s == nil || s.Status != stripe.SubscriptionStatusActive {
			t.Errorf("latest_invoice.parent.subscription_details.subscription = %+v", s)
		}
		if pm := got.DefaultPaymentMethod; pm == nil || pm.Card == nil || pm.Card.Last4 != "4242" {
			t.Errorf("default_payment_method = %+v, want the card from Checkout", pm)
		}
		if got.TestClock == nil || got.TestClock.FrozenTime != clk.FrozenTime {
			t.Errorf("test_clock = %+v, want the clock", got.TestClock)
		}
	})

	t.Run("List", func(t *testing.T) {
		p := &stripe.InvoiceListParams{Customer: stripe.String(cu.ID)}
		p.AddExpand("data.payments")
		p.AddExpand("data.customer")
		invs := collect(t, e.sc.V1Invoices.List(ctx, p))
		if len(invs) != 1 || invs[0].Customer == nil || invs[0].Customer.Email != cu.Email {
			t.Fatalf("invoices = %+v, want one with its customer expanded", invs)
		}
		pays := invs[0].Payments
		if pays == nil || len(pays.Data) != 1 || pays.Data[0].Status != "paid" {
			t.Fatalf("payments = %+v, want the invoice's one paid payment", pays)
		}
		ip := must(e.sc.V1InvoicePayments.Retrieve(ctx, pays.Data[0].ID, &stripe.InvoicePaymentRetrieveParams{
			Params: stripe.Params{Expand: stripe.StringSlice([]string{"payment.payment_intent.latest_charge"})}}))(t)
		if pi := ip.Payment.PaymentIntent; pi == nil || pi.LatestCharge == nil || pi.LatestCharge.Status != stripe.ChargeStatusSucceeded {
			t.Fatalf("payment.payment_intent.latest_charge = %+v, want the succeeded charge", pi)
		}
	})

	t.Run("Included", func(t *testing.T) {
		// A customer's subscriptions, left out unless expanded.
		plain := must(e.sc.V1Customers.Retrieve(ctx, cu.ID, nil))(t)
		if plain.Subscriptions != nil {
			t.Errorf("subscriptions given without expand[]: %+v", plain.Subscriptions)
		}
		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("subscriptions.data.latest_invoice")
		got := must(e.sc.V1Customers.Retrieve(ctx, cu.ID, p))(t)
		if got.Subscriptions == nil || len(got.Subscriptions.Data) != 1 || got.Subscriptions.Data[0].ID != sub.ID ||
			got.Subscriptions.Data[0].LatestInvoice == nil || got.Subscriptions.Data[0].LatestInvoice.Status != stripe.InvoiceStatusPaid {
			t.Errorf("subscriptions = %+v, want the one subscription with its paid invoice", got.Subscriptions)
		}
	})

	t.Run("NullField", func(t *testing.T) {
		// A field Stripe expands that the sandbox always leaves null.
		p := &stripe.SubscriptionRetrieveParams{}
		p.AddExpand("schedule")
		if got := must(e.sc.V1Subscriptions.Retrieve(ctx, sub.ID, p))(t); got.Schedule != nil {
			t.Errorf("schedule = %+v, want null", got.Schedule)
		}
	})

	for _, tc := range []struct {
		name    string
		do      func(expand ...string) error
		paths   []string
		param   string
		message string
	}{
		{"ErrUnknown", retrieveSubscription(e, sub.ID), []string{"customer", "colour"},
			"expand[1]", "This property cannot be expanded (colour)."},
		{"ErrScalar", retrieveSubscription(e, sub.ID), []string{"status"},
			"expand[0]", "This property cannot be expanded (status)."},
		{"ErrPastField", retrieveSubscription(e, sub.ID), []string{"customer.colour.shade"},
			"expand[0]", "This property cannot be expanded (customer.colour)."},
		{"ErrPastNull", retrieveSubscription(e, sub.ID), []string{"schedule.customer"},
			"expand[0]", "This property cannot be expanded (schedule.customer)."},
		{"ErrDataOnObject", retrieveSubscription(e, sub.ID), []string{"data.customer"},
			"expand[0]", "This property cannot be expanded (data)."},
		{"ErrListWithoutData", listSubscriptions(e, cu.ID), []string{"customer"},
			"expand[0]", "This property cannot be expanded (customer). You may want to try expanding 'data.customer' instead."},
		{"ErrTooDeep", retrieveSubscription(e, sub.ID), []string{"latest_invoice.customer.invoice_settings.default_payment_method.customer"},
			"expand[0]", "You cannot expand more than 4 levels of a property. Property: latest_invoice.customer.invoice_settings.default_payment_method.customer"},
		// basil has no invoice.subscription: it is under parent.
		{"ErrNotInBasil", func(expand ...string) error {
			p := &stripe.InvoiceListParams{Customer: stripe.String(cu.ID)}
			p.Expand = stripe.StringSlice(expand)
			return firstErr(e.sc.V1Invoices.List(ctx, p))
		}, []string{"data.subscription"}, "expand[0]", "This property cannot be expanded (data.subscription)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			se := stripeErr(t, tc.do(tc.paths...))
			if se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeInvalidRequest ||
				se.Param != tc.param || se.Msg != tc.message {
				t.Fatalf("got %d %s param %q %q, want 400 invalid_request_error param %q %q",
					se.HTTPStatusCode, se.Type, se.Param, se.Msg, tc.param, tc.message)
			}
		})
	}

	t.Run("ErrChangesNothing", func(t *testing.T) {
		// Refused before the handler runs: no customer is made.
		p := &stripe.CustomerCreateParams{Email: stripe.String("refused@example.com")}
		p.AddExpand("colour")
		if _, err := e.sc.V1Customers.Create(ctx, p); err == nil || !strings.Contains(err.Error(), "cannot be expanded") {
			t.Fatalf("create with a bad expand[] = %v, want it refused", err)
		}
		list := collect(t, e.sc.V1Customers.List(ctx, &stripe.CustomerListParams{Email: stripe.String("refused@example.com")}))
		if len(list) != 0 {
			t.Errorf("a refused create made %d customers", len(list))
		}
	})
}

func retrieveSubscription(e *env, id string) func(...string) error {
	return func(expand ...string) error {
		p := &stripe.SubscriptionRetrieveParams{}
		p.Expand = stripe.StringSlice(expand)
		_, err := e.sc.V1Subscriptions.Retrieve(context.Background(), id, p)
		return err
	}
}

func listSubscriptions(e *env, customer string) func(...string) error {
	return func(expand ...string) error {
		p := &stripe.SubscriptionListParams{Customer: stripe.String(customer)}
		p.Expand = stripe.StringSlice(expand)
		return firstErr(e.sc.V1Subscriptions.List(context.Background(), p))
	}
}

// firstErr is the error of a list's first page, if any.
func firstErr[T any](seq stripe.Seq2[T, error]) error {
	for _, err := range seq {
		return err
	}
	return nil
}
