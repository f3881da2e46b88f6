package billing

import (
	"context"

	"github.com/stripe/stripe-go/v82"
)

// WebhookEvents are the event types Tollgate's endpoint subscribes to.
var WebhookEvents = []string{
	"checkout.session.completed",
	"customer.subscription.created",
	"customer.subscription.updated",
	"customer.subscription.deleted",
	"customer.subscription.trial_will_end",
	"invoice.paid",
	"invoice.payment_failed",
	"entitlements.active_entitlement_summary.updated",
}

// Endpoint is a webhook endpoint Tollgate made; Secret is returned by Stripe only at creation.
type Endpoint struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"-"`
}

// EnsureWebhookEndpoint returns a webhook endpoint at url. It reuses known
// when that still exists with the same url; otherwise it deletes known (it
// points at an address of an earlier run) and creates a new one. The new
// endpoint is pinned to stripe-go's API version, because stripe-go refuses to
// verify events of another one.
func (s *Service) EnsureWebhookEndpoint(ctx context.Context, url string, known Endpoint) (Endpoint, error) {
	if known.ID != "" {
		we, err := s.sc.V1WebhookEndpoints.Retrieve(ctx, known.ID, nil)
		if err == nil && we.URL == url && known.Secret != "" && we.Status == "enabled" {
			return known, nil
		}
		if err == nil {
			if _, err := s.sc.V1WebhookEndpoints.Delete(ctx, known.ID, nil); err != nil {
				return Endpoint{}, stripeError("delete old webhook endpoint", err)
			}
		}
	}
	we, err := s.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL:           stripe.String(url),
		EnabledEvents: stripe.StringSlice(WebhookEvents),
		APIVersion:    stripe.String(stripe.APIVersion),
		Description:   stripe.String("Tollgate: subscriptions lab"),
		Metadata:      map[string]string{catalogMetadataKey: "webhook"},
	})
	if err != nil {
		return Endpoint{}, stripeError("create webhook endpoint", err)
	}
	s.log.Info("webhook endpoint created", "endpoint", we.ID, "url", url)
	return Endpoint{ID: we.ID, URL: we.URL, Secret: we.Secret}, nil
}
