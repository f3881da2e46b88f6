// Package lessons is Tollgate's course: the guide's path as lessons, each
// ticked when Tollgate observes the learner do it (a webhook event, a screen
// the app served), never by a button, with the code that handled it.
package lessons

// The course, in the guide's order. Adding a lesson is one declaration in
// this list: its rule (Seen) reads an Observation, which carries the webhook
// event just applied with the user's local copy after it, or an app action.
var All = []Lesson{
	{
		ID: "account", Title: "Register and log in",
		Concept: "Stripe never sees your users' passwords: the app owns its accounts, and later maps each one to exactly one " +
			"Stripe Customer, the object that pays. Tollgate hashes passwords with bcrypt and slows down repeated failed logins, " +
			"which the guide's app leaves out.",
		Doc:  Link{"Stripe API: Customers", "https://docs.stripe.com/api/customers"},
		Do:   "Register on the Register screen, or log in.",
		Code: Func{"internal/auth/auth.go", "Service.Login"},
		Guide: Quote{"1.1 App Flow (No Payments Yet)",
			"A basic authentication system that is **not production-ready** (no email verification, weak security posture, no rate limiting, etc.). It is for learning only."},
		Seen: func(o *Observation) bool { return o.Action == Registered || o.Action == LoggedIn },
	},
	{
		ID: "subscribe-monthly", Title: "Subscribe monthly",
		Concept: "Checkout in subscription mode collects the card and creates the Subscription on a monthly Price. Stripe then " +
			"sends checkout.session.completed and customer.subscription.created; Tollgate maps the session back to the user and " +
			"re-reads the customer's subscriptions from the API rather than trusting the event's copy.",
		Doc:  Link{"Build a subscriptions integration", "https://docs.stripe.com/billing/subscriptions/build-subscriptions"},
		Do:   "On Plans, press Subscribe monthly and pay with 4242 4242 4242 4242.",
		Code: Func{"internal/billing/sync.go", "Service.applyCheckoutSession"},
		Guide: Quote{"4.4 Creating a New Subscription",
			"This event should trigger the webhook which in turn triggers the function `handle_checkout_session`. This retrives the Stripe customer ID and adds them to our customers database."},
		Seen: func(o *Observation) bool {
			return o.Is("customer.subscription.created") && o.Object().interval() == "month"
		},
	},
	{
		ID: "access", Title: "See Access",
		Concept: "Entitlements tie features to what a customer pays for: while a subscription to the product is active, Stripe " +
			"lists the product's features as the customer's active entitlements. The Access screen shows Stripe's live answer " +
			"beside the copy Tollgate keeps from the webhook.",
		Doc:  Link{"Entitlements", "https://docs.stripe.com/billing/entitlements"},
		Do:   "Open the Access screen while subscribed: test-access shows Active.",
		Code: Func{"internal/billing/access.go", "Service.Access"},
		Guide: Quote{"4.5 Managing User Access to Features",
			"If a Stripe customer exists, it calls `stripe.entitlements.ActiveEntitlement.list(customer=customer.stripe_customer_id, limit=100)` to retrieve the active entitlements."},
		Seen: func(o *Observation) bool { return o.Action == SawAccess && o.Entitled },
	},
	{
		ID: "premium", Title: "Open Premium",
		Concept: "A feature gate checks one entitlement's lookup key. Tollgate checks test-access in its own copy, kept current " +
			"by the webhook, so Premium answers without a call to Stripe on every request and whatever Stripe's state.",
		Doc:  Link{"Entitlements: check a customer's active entitlements", "https://docs.stripe.com/billing/entitlements"},
		Do:   "Open the Premium screen while you have test-access.",
		Code: Func{"internal/billing/access.go", "Gate.RequireFeature"},
		Guide: Quote{"4.5 Managing User Access to Features",
			"It checks whether any entitlement has a `lookup_key` that matches the required feature."},
		Seen: func(o *Observation) bool { return o.Action == OpenedPremium },
	},
	{
		ID: "portal", Title: "Open the Billing Portal",
		Concept: "The Billing Portal is a page Stripe hosts where a customer updates their card, sees invoices, switches or " +
			"cancels their plan. The app only creates a short-lived portal session for its customer and sends them there; what " +
			"they change comes back as webhook events.",
		Doc:  Link{"Customer portal", "https://docs.stripe.com/customer-management"},
		Do:   "On Plans, press Manage billing.",
		Code: Func{"internal/billing/checkout.go", "Service.Portal"},
		Guide: Quote{"4.6 User Managing Their Subscription (Billing Portal)",
			"It uses `stripe.billing_portal.Session.create`."},
		Seen: func(o *Observation) bool { return o.Action == OpenedPortal },
	},
	{
		ID: "cancel", Title: "Cancel",
		Concept: "Canceling in the portal, as Tollgate configures it, does not end the subscription at once: Stripe sets " +
			"cancel_at_period_end and sends customer.subscription.updated. The customer keeps access until the period " +
			"(or the trial) ends, and can renew until then.",
		Doc:  Link{"Cancel subscriptions", "https://docs.stripe.com/billing/subscriptions/cancel"},
		Do:   "In the Billing Portal, press Cancel subscription and confirm.",
		Code: Func{"internal/billing/sync.go", "Service.ApplyEvent"},
		Guide: Quote{"4.7.a User Decides to Cancel Their Subscription",
			"When a user cancels in the Billing Portal, Stripe sends `customer.subscription.deleted` once the expiration time has elapsed."},
		Seen: func(o *Observation) bool {
			return o.Is("customer.subscription.updated") && o.Object().CancelAtPeriodEnd && o.Previous("cancel_at_period_end") == "false"
		},
	},
	{
		ID: "trial", Title: "A free trial",
		Concept: "With trial_period_days, Checkout takes the card but charges nothing: the subscription starts trialing, with " +
			"the product's entitlements, and a £0 invoice. Stripe sends customer.subscription.trial_will_end three days before " +
			"the trial ends.",
		Doc:  Link{"Use trial periods on subscriptions", "https://docs.stripe.com/billing/subscriptions/trials"},
		Do:   "On Plans, leave the 7-day free trial switch on and subscribe.",
		Code: Func{"internal/billing/checkout.go", "Service.Checkout"},
		Guide: Quote{"5. Free Trial",
			`A free trial period is set up by adding to the stripe.checkout.session.create the argument subscription_data={"trial_period_days": 7}. This will then create a subscription as usual with the status of ` + "`trialing`."},
		Seen: func(o *Observation) bool {
			return o.Is("customer.subscription.created") && o.Object().Status == "trialing"
		},
	},
	{
		ID: "promotion", Title: "A promotion code",
		Concept: "A promotion code is the customer-facing code for a coupon. With allow_promotion_codes, Checkout shows a field " +
			"for it; the coupon becomes a discount on the subscription, taken off each invoice it applies to.",
		Doc:  Link{"Coupons and promotion codes", "https://docs.stripe.com/billing/subscriptions/coupons"},
		Do:   "In Checkout, press Add promotion code and type LEARN10.",
		Code: Func{"internal/billing/sync.go", "discountName"},
		Guide: Quote{"6. Discount Codes",
			"In the stripe.checkout.session.create add `allow_promotion_codes=True` as an argument."},
		Seen: func(o *Observation) bool {
			return o.Is("customer.subscription.created") && len(o.Object().Discounts) > 0
		},
	},
	{
		ID: "trial-end", Title: "A trial ending",
		Concept: "When the trial ends, the subscription leaves trialing: Stripe starts the first paid period, drafts its " +
			"invoice and charges the card about an hour later. Paid, the subscription stays active and the entitlements do " +
			"not change; declined, it becomes past_due.",
		Doc:  Link{"Trial periods: when a trial ends", "https://docs.stripe.com/billing/subscriptions/trials"},
		Do:   "During a trial, on Plans' Test clock card, press To the trial's end.",
		Code: Func{"internal/billing/sync.go", "subscriptionFromStripe"},
		Guide: Quote{"5. Free Trial",
			"The user inputs their payment details so if they don't cancel then the payment is taken and the entitlements do not change."},
		Seen: func(o *Observation) bool {
			return o.Is("customer.subscription.updated") && o.Previous("status") == `"trialing"` &&
				(o.Object().Status == "active" || o.Object().Status == "past_due")
		},
	},
	{
		ID: "renewal", Title: "A renewal",
		Concept: "At the end of each paid period Stripe renews the subscription: a new period, an invoice with billing reason " +
			"subscription_cycle, and invoice.paid once the card is charged. A test clock lets you jump a month ahead in a click.",
		Doc:  Link{"Test clocks", "https://docs.stripe.com/billing/testing/test-clocks"},
		Do:   "On Plans' Test clock card, press To the next renewal.",
		Code: Func{"internal/billing/sync.go", "Service.sync"},
		Guide: Quote{"3.3 Events",
			"Only `checkout.session.completed` and `customer.subscription.deleted` are currently used to update the database."},
		Seen: func(o *Observation) bool { return o.Is("invoice.paid") && o.renewal() },
	},
	{
		ID: "failed-payment", Title: "A failed payment and its retries",
		Concept: "When a renewal's charge is declined, Stripe sends invoice.payment_failed, makes the subscription past_due and " +
			"schedules retries (next_payment_attempt). Access continues while it retries; if every retry fails, the " +
			"subscription is canceled.",
		Doc:  Link{"Automate payment retries", "https://docs.stripe.com/billing/revenue-recovery/smart-retries"},
		Do:   "Subscribe with the trial and the card 4000 0000 0000 0341, then move the clock to the trial's end.",
		Code: Func{"internal/billing/access.go", "Gate.notice"},
		Guide: Quote{"4.7.b User Fails to Pay for Their Subscription",
			"The webhook listens for `invoice.payment_failed`, but currently only logs the event."},
		Seen: func(o *Observation) bool {
			return o.Is("invoice.payment_failed") && o.Object().NextPaymentAttempt != nil
		},
	},
	{
		ID: "card-update", Title: "A card update that recovers",
		Concept: "A customer whose payment failed updates their card in the Billing Portal. Stripe's next retry charges the new " +
			"card (or they pay the open invoice now on its hosted page), invoice.paid arrives and the subscription is active again.",
		Doc:  Link{"Revenue recovery", "https://docs.stripe.com/billing/revenue-recovery"},
		Do:   "While a payment has failed, update the card in the Billing Portal to 4242…, then move the clock to the next retry.",
		Code: Func{"internal/billing/sync.go", "rememberFailedCard"},
		Guide: Quote{"4.6 User Managing Their Subscription (Billing Portal)",
			"On the billing portal the user can update their payment method, add new payment methods, see their invoice history and update billing info."},
		Seen: func(o *Observation) bool { return o.Is("invoice.paid") && o.Object().AttemptCount > 1 },
	},
	{
		ID: "period-end", Title: "A cancellation at period end",
		Concept: "A subscription canceled at period end runs to the end of what was paid; then Stripe ends it, sends " +
			"customer.subscription.deleted and takes the entitlements away. Tollgate records when and why access went.",
		Doc:  Link{"Subscription webhooks", "https://docs.stripe.com/billing/subscriptions/webhooks"},
		Do:   "After canceling, on Plans' Test clock card, press Past the period end.",
		Code: Func{"internal/billing/sync.go", "whyChanged"},
		Guide: Quote{"4.7.a User Decides to Cancel Their Subscription",
			"When the expiration time has passed a entitlements.active_entitlement_summary.updated which removes the features from the entitlements list that the customer has lost."},
		Seen: func(o *Observation) bool {
			return o.Is("customer.subscription.deleted") && o.Object().CancelAtPeriodEnd
		},
	},
	{
		ID: "switch-plan", Title: "Switching plans",
		Concept: "Switching from monthly to yearly changes the subscription item's Price. Tollgate opens the portal on its plan " +
			"change: Stripe shows the cost, credits the unused time, invoices the difference at once and sends " +
			"customer.subscription.updated with the previous items.",
		Doc:  Link{"Change the price of a subscription", "https://docs.stripe.com/billing/subscriptions/change-price"},
		Do:   "While subscribed, on Plans, press Switch to yearly (or monthly) and confirm in the portal.",
		Code: Func{"internal/billing/checkout.go", "Service.SwitchPlan"},
		Guide: Quote{"2.2 Product Object",
			"That product has two Prices: monthly and yearly."},
		Seen: func(o *Observation) bool { return o.Is("customer.subscription.updated") && o.priceChanged() },
	},
	{
		ID: "duplicates", Title: "Webhooks that arrive twice, late or out of order",
		Concept: "Stripe may deliver an event more than once, late or out of order, and retries an endpoint that does not " +
			"answer 2xx for days. Tollgate records each event by its id, so a redelivery is answered 200 and skipped, and takes " +
			"every event only as a cue to re-read the customer from the API, so a late or stale event cannot leave a wrong state.",
		Doc:  Link{"Webhooks: handle duplicate events", "https://docs.stripe.com/webhooks#handle-duplicate-events"},
		Do:   "On Events, press Replay on one of your events; or, in the sandbox, turn on Duplicate and Reorder in the Delivery chaos panel and subscribe.",
		Code: Func{"internal/webhook/webhook.go", "Handler.receive"},
		Guide: Quote{"3.4 Webhooks",
			"Stripe sends subscription lifecycle updates to `/payments/event`."},
		Seen: func(o *Observation) bool { return o.Action == SkippedDuplicate },
	},
}
