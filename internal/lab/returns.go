package lab

import (
	"context"

	"github.com/tollgate/tollgate/internal/server"
)

var _ server.Returns = (*Lab)(nil)

// CheckoutSucceeded syncs the customer of a finished Checkout Session.
func (l *Lab) CheckoutSucceeded(ctx context.Context, sessionID string) error {
	b, err := l.Billing()
	if err != nil {
		return err
	}
	_, err = b.SyncCheckoutSession(ctx, sessionID)
	return err
}

// PortalReturned syncs the logged-in user's customer after the Billing Portal.
func (l *Lab) PortalReturned(ctx context.Context) error {
	u, err := l.Session.User()
	if err != nil {
		return err
	}
	b, err := l.Billing()
	if err != nil {
		return err
	}
	c, err := l.DB.CustomerByUser(ctx, u.ID)
	if err != nil {
		return err
	}
	return b.Sync(ctx, c.StripeID)
}
