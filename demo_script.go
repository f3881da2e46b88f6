package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/demo"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// The demo's learner and cards: the guide's test cards, typed as a person would.
const (
	demoEmail    = "ada@example.com"
	demoName     = "Ada Lovelace"
	demoPassword = "correct horse"
	cardWorks    = "4242 4242 4242 4242"
	cardFails    = "4000 0000 0000 0341" // attaches, then every charge is declined
)

// webhookWait bounds the wait for a change that only a webhook brings (a
// portal action, an invoice paid on its page); the sandbox delivers in
// milliseconds, so this is room for a slow machine, not a schedule.
const webhookWait = 20 * time.Second

// script is the guide, played through the same bound methods the screens
// call and the same hosted pages a browser posts, each step checking that
// it did what its caption says. Nothing is staged: a step that does not
// happen as told fails, and the presenter sees why.
func (a *App) script() []demo.Step {
	s := &player{a: a, browser: &http.Client{Timeout: 30 * time.Second}}
	return []demo.Step{
		step("Ada creates an account: it lives in Tollgate's own store, and Stripe knows nothing of her yet.", "plans", s.register),
		step("She subscribes monthly with the 7-day free trial: Tollgate makes her a Stripe customer and a Checkout Session.", "plans", s.subscribe),
		step("On Stripe's hosted Checkout page she enters card 4242 4242 4242 4242 and the promotion code LEARN10.", "plans", s.pay),
		step("Access: Stripe's active entitlements, test-access and test-access-2, copied into Tollgate by the webhook.", "access", s.access),
		step("Premium opens: Go checks test-access in the local copy, without asking Stripe.", "premium", s.premium),
		step("The test clock jumps to the trial's end: Stripe charges £8.10 (£9 less LEARN10) and the trial turns active.", "plans", s.trialEnd),
		step("A month later the subscription renews, and the renewal is paid.", "plans", s.renewal),
		step("In the Billing Portal Ada's card is swapped for one that will be declined (4000 0000 0000 0341).", "plans", s.badCard),
		step("At the next renewal the charge is declined: past_due, and access goes on while Stripe retries.", "access", s.failedPayment),
		step("She updates her card in the portal and pays the open invoice on its hosted page: active again.", "plans", s.recover),
		step("In the portal she cancels: the subscription ends at the period's end, so access lasts until then.", "plans", s.cancel),
		step("The clock passes the period's end: Stripe cancels the subscription and the entitlements go.", "access", s.periodEnd),
		step("Premium is locked again, and the Events screen shows every webhook that told Tollgate so.", "events", s.locked),
	}
}

func step(caption, screen string, run func(context.Context) error) demo.Step {
	return demo.Step{Caption: caption, Screen: screen, Run: run}
}

// player holds what the steps share: the open Checkout Session, and the
// HTTP client that stands for the learner's browser on Stripe's pages.
type player struct {
	a        *App
	browser  *http.Client
	checkout string // the Checkout page's URL
}

func (p *player) register(context.Context) error {
	_, err := p.a.Register(demoEmail, demoName, demoPassword)
	return err
}

func (p *player) subscribe(context.Context) error {
	r, err := p.a.Subscribe(string(billing.Monthly), true)
	if err != nil {
		return err
	}
	if r.Portal || r.URL == "" {
		return fmt.Errorf("Subscribe sent Ada to %q instead of Checkout", r.URL)
	}
	p.checkout = r.URL
	return nil
}

// pay posts the hosted Checkout form as the browser does when Ada presses
// Start trial, and follows Stripe back to Tollgate's success page.
func (p *player) pay(ctx context.Context) error {
	if err := p.post(ctx, p.checkout, url.Values{"card_number": {cardWorks}, "card_expiry": {"12/34"}, "card_cvc": {"123"},
		"country": {"GB"}, "postal_code": {"SW1A 1AA"}, "promotion_code": {billing.PromotionCode}}); err != nil {
		return err
	}
	// LEARN10 shows on the first paid invoice, at the trial's end: the trial's own is £0.
	_, err := p.subscription(ctx, "trialing", func(s tollgate.Subscription) bool { return s.Status == tollgate.StatusTrialing })
	return err
}

func (p *player) access(context.Context) error {
	acc, err := p.a.Access()
	if err != nil {
		return err
	}
	if !acc.HasTestAccess || !acc.HasTestAccess2 || len(acc.OnlyLocal)+len(acc.OnlyLive) > 0 {
		return fmt.Errorf("access is local %v, Stripe %v; want both entitlements in both", acc.Local, acc.Live)
	}
	return nil
}

func (p *player) premium(context.Context) error {
	_, err := p.a.Premium()
	return err
}

func (p *player) trialEnd(ctx context.Context) error {
	return p.move(ctx, billing.MoveTrialEnd, "active, £8.10 paid with LEARN10", func(s tollgate.Subscription) bool {
		return s.Status == tollgate.StatusActive && s.LatestInvoice.Status == "paid" && s.LatestInvoice.Total == 810 &&
			slices.ContainsFunc(s.LatestInvoice.Discounts, func(d tollgate.InvoiceDiscount) bool { return d.Name == billing.PromotionCode })
	})
}

func (p *player) renewal(ctx context.Context) error {
	return p.move(ctx, billing.MoveRenewal, "renewed and paid", func(s tollgate.Subscription) bool {
		return s.Status == tollgate.StatusActive && s.LatestInvoice.Status == "paid" && s.LatestInvoice.BillingReason == "subscription_cycle"
	})
}

func (p *player) badCard(ctx context.Context) error {
	if err := p.updateCard(ctx, cardFails); err != nil {
		return err
	}
	_, err := p.subscription(ctx, "charged to the 0341 card", func(s tollgate.Subscription) bool { return strings.HasSuffix(s.Card, "0341") })
	return err
}

func (p *player) failedPayment(ctx context.Context) error {
	if err := p.move(ctx, billing.MoveRenewal, "past_due", func(s tollgate.Subscription) bool { return s.Status == tollgate.StatusPastDue }); err != nil {
		return err
	}
	// During Stripe's retries the entitlements stay, as the Access screen says.
	return p.access(ctx)
}

func (p *player) recover(ctx context.Context) error {
	if err := p.updateCard(ctx, cardWorks); err != nil {
		return err
	}
	sub, err := p.subscription(ctx, "the new card on file", func(s tollgate.Subscription) bool { return s.CardUpdated && s.LatestInvoice.HostedURL != "" })
	if err != nil {
		return err
	}
	if err := p.post(ctx, sub.LatestInvoice.HostedURL, url.Values{"card_number": {cardWorks}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}); err != nil {
		return err
	}
	_, err = p.subscription(ctx, "active again", func(s tollgate.Subscription) bool {
		return s.Status == tollgate.StatusActive && s.LatestInvoice.Status == "paid"
	})
	return err
}

func (p *player) cancel(ctx context.Context) error {
	sub, err := p.subscription(ctx, "a subscription to cancel", func(tollgate.Subscription) bool { return true })
	if err != nil {
		return err
	}
	portal, err := p.a.ManageBilling()
	if err != nil {
		return err
	}
	// The portal's Confirm cancellation button, then its question of why.
	if err := p.post(ctx, portal.URL, url.Values{"action": {"cancel"}, "subscription": {sub.StripeID}}); err != nil {
		return err
	}
	if err := p.post(ctx, portal.URL, url.Values{"action": {"cancellation_reason"}, "subscription": {sub.StripeID},
		"reason": {"other"}, "comment": {"Only watching the demo"}}); err != nil {
		return err
	}
	_, err = p.subscription(ctx, "canceled at the period's end", func(s tollgate.Subscription) bool { return s.CancelAtPeriodEnd })
	return err
}

func (p *player) periodEnd(ctx context.Context) error {
	if err := p.move(ctx, billing.MovePeriodEnd, "canceled", func(s tollgate.Subscription) bool { return s.Status == tollgate.StatusCanceled }); err != nil {
		return err
	}
	acc, err := p.a.Access()
	if err != nil {
		return err
	}
	if len(acc.Local) > 0 || len(acc.Live) > 0 {
		return fmt.Errorf("after the end access is local %v, Stripe %v; want none", acc.Local, acc.Live)
	}
	return nil
}

func (p *player) locked(context.Context) error {
	if _, err := p.a.Premium(); err == nil {
		return errors.New("Premium still opens after the subscription ended")
	}
	return nil
}

// move makes one of the Plans screen's clock moves and checks where it landed.
func (p *player) move(ctx context.Context, move, want string, ok func(tollgate.Subscription) bool) error {
	if _, err := p.a.MoveClock(move); err != nil {
		return err
	}
	_, err := p.subscription(ctx, want, ok)
	return err
}

// updateCard types card into the Billing Portal's card form and sends it.
func (p *player) updateCard(ctx context.Context, card string) error {
	portal, err := p.a.ManageBilling()
	if err != nil {
		return err
	}
	return p.post(ctx, portal.URL, url.Values{"action": {"update_card"}, "card_number": {card}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
}

// subscription waits until the Plans screen shows Ada's latest subscription
// as ok wants, which a webhook may take a moment to bring, and returns it.
func (p *player) subscription(ctx context.Context, want string, ok func(tollgate.Subscription) bool) (tollgate.Subscription, error) {
	ctx, cancel := context.WithTimeout(ctx, webhookWait)
	defer cancel()
	for {
		plans, err := p.a.Plans()
		if err != nil {
			return tollgate.Subscription{}, err
		}
		if len(plans.Subscriptions) > 0 && ok(plans.Subscriptions[0]) {
			return plans.Subscriptions[0], nil
		}
		select {
		case <-ctx.Done():
			got := "no subscription"
			if len(plans.Subscriptions) > 0 {
				s := plans.Subscriptions[0]
				got = fmt.Sprintf("%s (%s, latest invoice %s)", s.Status, s.Card, s.LatestInvoice.Status)
			}
			return tollgate.Subscription{}, fmt.Errorf("waited %v for the subscription to be %s; it is %s", webhookWait, want, got)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// post sends a form as the browser does and follows the redirects after it,
// back into Tollgate; a page that answers with an error fails the step with
// the page's status.
func (p *player) post(ctx context.Context, target string, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("demo: post %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := p.browser.Do(req)
	if err != nil {
		return fmt.Errorf("demo: post %s: %w", target, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode >= 400 {
		return fmt.Errorf("the page %s answered %s", req.URL.Path, res.Status)
	}
	return nil
}
