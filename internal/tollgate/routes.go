package tollgate

// Paths on Tollgate's own HTTP server that the outside reaches: Stripe's
// webhook deliveries, and the browser coming back from Checkout and the
// Billing Portal. Billing builds URLs from them and the server routes them.
const (
	WebhookPath         = "/payments/event" // the guide's endpoint
	CheckoutSuccessPath = "/checkout/success"
	CheckoutCancelPath  = "/checkout/cancel"
	PortalReturnPath    = "/portal/return"
)
