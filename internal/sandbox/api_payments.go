package sandbox

// The payment objects' API: retrieve and list PaymentIntents, Charges,
// SetupIntents and InvoicePayments. They are made by the billing flows
// (payments.go), never through the API, so there is nothing to create.

func (s *Sandbox) renderPaymentIntent(pi *paymentIntent) map[string]any {
	var lastErr any
	if e := pi.LastError; e != nil {
		var pm any = nullable(e.PaymentMethod)
		if p := paymentMethods.get(s.st, e.PaymentMethod); p != nil {
			pm = renderPaymentMethod(p) // an object in Stripe's error, not an id
		}
		lastErr = map[string]any{"type": typeCard, "code": e.Code, "decline_code": e.DeclineCode, "message": e.Message,
			"charge": e.Charge, "payment_method": pm, "doc_url": docURL(e.Code)}
	}
	var sfu any
	if pi.SetupFutureUsage != "" {
		sfu = pi.SetupFutureUsage
	}
	return map[string]any{
		"id": pi.ID, "object": "payment_intent", "amount": pi.Amount, "amount_capturable": 0,
		"amount_details": map[string]any{"tip": map[string]any{}}, "amount_received": pi.AmountReceived, "application": nil,
		"application_fee_amount": nil, "automatic_payment_methods": nil, "canceled_at": nil, "cancellation_reason": nil,
		"capture_method": "automatic", "client_secret": pi.Secret, "confirmation_method": "automatic", "created": pi.Created,
		"currency": pi.Currency, "customer": nullable(pi.Customer), "description": nullable(pi.Description),
		"excluded_payment_method_types": nil, "last_payment_error": lastErr, "latest_charge": nullable(pi.LatestCharge), "livemode": false,
		"metadata": map[string]string{}, "next_action": nil, "on_behalf_of": nil,
		"payment_method": nullable(pi.PaymentMethod), "payment_method_configuration_details": nil,
		"payment_method_options": map[string]any{"card": map[string]any{"installments": nil, "mandate_options": nil, "network": nil, "request_three_d_secure": "automatic"}},
		"payment_method_types":   []string{"card"}, "processing": nil, "receipt_email": nil, "review": nil,
		"setup_future_usage": sfu, "shipping": nil, "source": nil, "statement_descriptor": nil,
		"statement_descriptor_suffix": nil, "status": pi.Status, "transfer_data": nil, "transfer_group": nil,
	}
}

func (s *Sandbox) renderCharge(ch *charge) map[string]any {
	var details any
	if pm := paymentMethods.get(s.st, ch.PaymentMethod); pm != nil {
		var authorized any
		if ch.Status == chargeSucceeded {
			authorized = ch.Amount
		}
		details = map[string]any{"type": "card", "card": map[string]any{"brand": pm.Brand, "last4": pm.Last4, "exp_month": pm.ExpMonth,
			"exp_year": pm.ExpYear, "country": "US", "funding": "credit", "network": pm.Brand, "three_d_secure": nil, "wallet": nil,
			"checks":            map[string]any{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": "pass"},
			"amount_authorized": authorized, "authorization_code": nil, "fingerprint": nullable(pm.Fingerprint), "installments": nil,
			"mandate": nil, "network_token": nil, "network_transaction_id": nil, "regulated_status": "unregulated"}}
	}
	paid := ch.Status == chargeSucceeded
	outcome := map[string]any{"advice_code": nil, "network_advice_code": nil, "network_decline_code": nil,
		"network_status": "approved_by_network", "reason": nil, "risk_level": "normal",
		"seller_message": "Payment complete.", "type": "authorized"}
	captured := ch.Amount
	if !paid {
		outcome = map[string]any{"advice_code": nil, "network_advice_code": nil, "network_decline_code": nil,
			"network_status": "declined_by_network", "reason": ch.DeclineCode, "risk_level": "normal",
			"seller_message": "The bank did not return any further details with this decline.", "type": "issuer_declined"}
		captured = 0
	}
	return map[string]any{
		"id": ch.ID, "object": "charge", "amount": ch.Amount, "amount_captured": captured, "amount_refunded": 0,
		"application": nil, "application_fee": nil, "application_fee_amount": nil, "balance_transaction": nil,
		"billing_details":                 map[string]any{"address": nil, "email": nil, "name": nil, "phone": nil, "tax_id": nil},
		"calculated_statement_descriptor": "TOLLGATE SANDBOX", "captured": paid, "created": ch.Created, "currency": ch.Currency,
		"customer": nullable(ch.Customer), "description": nullable(ch.Description), "disputed": false,
		"failure_balance_transaction": nil, "failure_code": nullable(ch.FailureCode), "failure_message": nullable(ch.FailureMessage),
		"fraud_details": map[string]any{}, "livemode": false, "metadata": map[string]string{}, "on_behalf_of": nil,
		"outcome": outcome, "paid": paid, "payment_intent": ch.PaymentIntent, "payment_method": ch.PaymentMethod,
		"payment_method_details": details, "receipt_email": nil, "receipt_number": nil, "receipt_url": nil, "refunded": false,
		"review": nil, "shipping": nil, "source": nil, "source_transfer": nil, "statement_descriptor": nil,
		"statement_descriptor_suffix": nil, "status": ch.Status, "transfer_data": nil, "transfer_group": nil,
	}
}

func (s *Sandbox) renderSetupIntent(si *setupIntent) map[string]any {
	return map[string]any{
		"id": si.ID, "object": "setup_intent", "application": nil, "automatic_payment_methods": nil, "cancellation_reason": nil,
		"client_secret": si.Secret, "created": si.Created, "customer": nullable(si.Customer), "description": nil,
		"flow_directions": nil, "last_setup_error": nil, "latest_attempt": nil, "livemode": false, "mandate": nil,
		"metadata": map[string]string{}, "next_action": nil, "on_behalf_of": nil,
		"payment_method": nullable(si.PaymentMethod), "payment_method_configuration_details": nil,
		"payment_method_options": map[string]any{"card": map[string]any{"mandate_options": nil, "network": nil, "request_three_d_secure": "automatic"}},
		"payment_method_types":   []string{"card"}, "single_use_mandate": nil, "status": si.Status, "usage": "off_session",
	}
}

func (s *Sandbox) renderInvoicePayment(ip *invoicePayment) map[string]any {
	var paid any
	if ip.Status == paymentPaid {
		paid = ip.AmountPaid
	}
	return map[string]any{
		"id": ip.ID, "object": "invoice_payment", "amount_paid": paid, "amount_requested": ip.AmountRequested,
		"created": ip.Created, "currency": ip.Currency, "invoice": ip.Invoice, "is_default": true, "livemode": false,
		"payment":            map[string]any{"type": "payment_intent", "payment_intent": ip.PaymentIntent},
		"status":             ip.Status,
		"status_transitions": map[string]any{"canceled_at": nil, "paid_at": nullInt(ip.PaidAt)},
	}
}

// invoicePayments is an invoice's includable payments list, given only when
// expanded (expand[]=payments), as in Stripe.
func (s *Sandbox) invoicePayments(invoiceID string) map[string]any {
	data := []any{}
	for _, ip := range invoicePaymentsByInvoice.newest(s.st, invoiceID, nil) {
		data = append(data, s.renderInvoicePayment(ip))
	}
	return listObject("/v1/invoice_payments?invoice="+invoiceID, data, false)
}

func (s *Sandbox) listPaymentIntents(c *call) (any, error) {
	cust := c.p.str("customer")
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	l := paymentIntents.all(s.st)
	if cust != "" {
		l = paymentIntentsByCustomer.of(s.st, cust)
	}
	return pageOf(c, s.st, a, paymentIntents, l, func(pi *paymentIntent) bool { return cust == "" || pi.Customer == cust },
		func(pi *paymentIntent) any { return s.renderPaymentIntent(pi) })
}

func (s *Sandbox) listCharges(c *call) (any, error) {
	cust, pi := c.p.str("customer"), c.p.str("payment_intent")
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	l := charges.all(s.st)
	if cust != "" {
		l = chargesByCustomer.of(s.st, cust)
	}
	return pageOf(c, s.st, a, charges, l, func(ch *charge) bool {
		return (cust == "" || ch.Customer == cust) && (pi == "" || ch.PaymentIntent == pi)
	}, func(ch *charge) any { return s.renderCharge(ch) })
}

func (s *Sandbox) listSetupIntents(c *call) (any, error) {
	cust, pm := c.p.str("customer"), c.p.str("payment_method")
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	l := setupIntents.all(s.st)
	if cust != "" {
		l = setupIntentsByCustomer.of(s.st, cust)
	}
	return pageOf(c, s.st, a, setupIntents, l, func(si *setupIntent) bool {
		return (cust == "" || si.Customer == cust) && (pm == "" || si.PaymentMethod == pm)
	}, func(si *setupIntent) any { return s.renderSetupIntent(si) })
}

func (s *Sandbox) listInvoicePayments(c *call) (any, error) {
	p := c.p
	inv := p.str("invoice")
	status := p.oneOf("", []string{"canceled", "open", "paid"}, "status")
	typ := p.oneOf("", []string{"payment_intent", "payment_record"}, "payment", "type")
	pi := p.str("payment", "payment_intent")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	l := invoicePayments.all(s.st)
	if inv != "" {
		l = invoicePaymentsByInvoice.of(s.st, inv)
	}
	return pageOf(c, s.st, a, invoicePayments, l, func(ip *invoicePayment) bool {
		return (inv == "" || ip.Invoice == inv) && (status == "" || ip.Status == status) &&
			(typ == "" || typ == "payment_intent") && (pi == "" || ip.PaymentIntent == pi)
	}, func(ip *invoicePayment) any { return s.renderInvoicePayment(ip) })
}
