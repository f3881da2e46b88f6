package billing

import (
	"context"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Returns re-reads Stripe when the browser comes back from Checkout or the
// Billing Portal, through whichever billing service is in force; it is what
// the server's return pages need.
type Returns struct {
	Service func() (*Service, error)       // the billing service in force
	User    func() (*tollgate.User, error) // who is logged in
	// Action, when set, labels ctx with what the browser did, for the Stripe-calls view.
	Action func(ctx context.Context, label string) context.Context
}

func (r Returns) label(ctx context.Context, label string) context.Context {
	if r.Action == nil {
		return ctx
	}
	return r.Action(ctx, label)
}

// CheckoutSucceeded syncs the customer of a finished Checkout Session.
func (r Returns) CheckoutSucceeded(ctx context.Context, sessionID string) error {
	ctx = r.label(ctx, "Back from Checkout: the success page")
	s, err := r.Service()
	if err != nil {
		return err
	}
	_, err = s.SyncCheckoutSession(ctx, sessionID)
	return err
}

// PortalReturned syncs the logged-in user's customer after the Billing Portal.
func (r Returns) PortalReturned(ctx context.Context) error {
	ctx = r.label(ctx, "Back from the Billing Portal")
	u, err := r.User()
	if err != nil {
		return err
	}
	s, err := r.Service()
	if err != nil {
		return err
	}
	c, err := s.store.CustomerByUser(ctx, u.ID)
	if err != nil {
		return err
	}
	_, err = s.sync(ctx, c.StripeID, origin{what: "the return from the Billing Portal"})
	return err
}
