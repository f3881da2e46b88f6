package billing

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// installMetadataKey names, on an endpoint or a customer Tollgate made, the
// Tollgate (the data folder) that made it, so two Tollgates on one account
// never take over each other's endpoint or customers.
const installMetadataKey = "tollgate_install"

// EnsureWebhookEndpoint returns Tollgate's webhook endpoint at url, enabled,
// for events (WebhookEvents, or "*" for every type), on stripe-go's API
// version; it never makes a second one. The endpoint is found by known.ID or, failing that, by its
// metadata naming owner. One that is found is updated in place (a new tunnel
// URL, enabled again after a quit) unless Tollgate lacks its secret, which
// Stripe shows only at creation, or it is on another API version, which Stripe
// cannot change: then it is replaced. stripe-go verifies only events of its
// own API version, hence the pin.
func (s *Service) EnsureWebhookEndpoint(ctx context.Context, url string, events []string, known tollgate.WebhookEndpoint, owner string) (tollgate.WebhookEndpoint, error) {
	events = slices.Sorted(slices.Values(events))
	found, err := s.findEndpoint(ctx, known.ID, owner)
	if err != nil {
		return tollgate.WebhookEndpoint{}, err
	}
	if found != nil && (found.ID != known.ID || known.Secret == "" || found.APIVersion != stripe.APIVersion) {
		if _, err := s.sc.V1WebhookEndpoints.Delete(ctx, found.ID, nil); err != nil {
			return tollgate.WebhookEndpoint{}, stripeError("delete webhook endpoint "+found.ID, err)
		}
		s.log.Info("webhook endpoint replaced", logkey.Endpoint, found.ID, logkey.APIVersion, found.APIVersion)
		found = nil
	}
	if found == nil {
		we, err := s.sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
			URL:           stripe.String(url),
			EnabledEvents: stripe.StringSlice(events),
			APIVersion:    stripe.String(stripe.APIVersion),
			Description:   stripe.String("Tollgate: subscriptions lab"),
			Metadata:      map[string]string{catalogMetadataKey: "webhook", installMetadataKey: owner},
		})
		if err != nil {
			return tollgate.WebhookEndpoint{}, stripeError("create webhook endpoint", err)
		}
		s.log.Info("webhook endpoint created", logkey.Endpoint, we.ID, logkey.URL, url)
		return endpointFromStripe(we, we.Secret), nil
	}
	if found.URL == url && found.Status == "enabled" && slices.Equal(slices.Sorted(slices.Values(found.EnabledEvents)), events) {
		return endpointFromStripe(found, known.Secret), nil
	}
	we, err := s.sc.V1WebhookEndpoints.Update(ctx, found.ID, &stripe.WebhookEndpointUpdateParams{
		URL:           stripe.String(url),
		EnabledEvents: stripe.StringSlice(events),
		Disabled:      stripe.Bool(false),
	})
	if err != nil {
		return tollgate.WebhookEndpoint{}, stripeError("update webhook endpoint "+found.ID, err)
	}
	s.log.Info("webhook endpoint updated", logkey.Endpoint, we.ID, logkey.URL, url, logkey.Was, found.URL)
	return endpointFromStripe(we, known.Secret), nil
}

// findEndpoint returns the endpoint with id, or else the one whose metadata
// names owner, or nil when there is neither.
func (s *Service) findEndpoint(ctx context.Context, id, owner string) (*stripe.WebhookEndpoint, error) {
	if id != "" {
		we, err := s.sc.V1WebhookEndpoints.Retrieve(ctx, id, nil)
		var se *stripe.Error
		switch {
		case err == nil:
			return we, nil
		case !errors.As(err, &se) || se.HTTPStatusCode != http.StatusNotFound:
			return nil, stripeError("retrieve webhook endpoint "+id, err)
		}
		// Deleted in the dashboard, or another account: look for ours below.
	}
	for we, err := range s.sc.V1WebhookEndpoints.List(ctx, &stripe.WebhookEndpointListParams{}) {
		if err != nil {
			return nil, stripeError("list webhook endpoints", err)
		}
		if we.Metadata[catalogMetadataKey] == "webhook" && we.Metadata[installMetadataKey] == owner {
			return we, nil
		}
	}
	return nil, nil
}

// DisableWebhookEndpoint stops deliveries to Tollgate's endpoint while it is
// closed, so Stripe does not retry into the void for days; the next start's
// EnsureWebhookEndpoint enables it again.
func (s *Service) DisableWebhookEndpoint(ctx context.Context, id string) error {
	if _, err := s.sc.V1WebhookEndpoints.Update(ctx, id, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(true)}); err != nil {
		return stripeError("disable webhook endpoint "+id, err)
	}
	s.log.Info("webhook endpoint disabled", logkey.Endpoint, id)
	return nil
}

func endpointFromStripe(we *stripe.WebhookEndpoint, secret string) tollgate.WebhookEndpoint {
	return tollgate.WebhookEndpoint{ID: we.ID, URL: we.URL, APIVersion: we.APIVersion, Status: we.Status, Secret: secret}
}

// eventAction is what Tollgate does with an event type it handles.
type eventAction int

const (
	syncCustomer    eventAction = iota + 1 // re-read the customer the event names
	checkoutSession                        // re-read the customer of a subscription-mode Checkout Session
)

// handledEvents are the event types Tollgate acts on: the endpoint it makes on
// a Stripe account subscribes to exactly these, and ApplyEvent ignores any
// other (a sandbox's endpoint gets every type, for learners to see).
var handledEvents = map[string]eventAction{
	"checkout.session.completed":                      checkoutSession,
	"customer.subscription.created":                   syncCustomer,
	"customer.subscription.updated":                   syncCustomer,
	"customer.subscription.deleted":                   syncCustomer,
	"customer.subscription.trial_will_end":            syncCustomer,
	"invoice.paid":                                    syncCustomer,
	"invoice.payment_failed":                          syncCustomer,
	"entitlements.active_entitlement_summary.updated": syncCustomer,
}

// WebhookEvents returns the event types Tollgate handles, sorted.
func WebhookEvents() []string { return slices.Sorted(maps.Keys(handledEvents)) }
