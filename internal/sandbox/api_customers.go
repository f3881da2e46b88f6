package sandbox

// customers are Stripe's Customer objects.
var customers *resource[customer]

// customersByEmail files customers by email.
var customersByEmail index[customer]

// customersByClock files customers by test clock.
var customersByClock index[customer]

func init() {
	customers = declare(&resource[customer]{
		bucket: "customers",
		prefix: "cus_",
		object: "customer",
		render: (*Sandbox).renderCustomer,
		expand: []field{
			ref("invoice_settings.default_payment_method", "payment_method"),
			ref("test_clock", "test_helpers.test_clock"),
			included("subscriptions", "list:subscription", func(s *Sandbox, id string) any { return s.customerSubscriptions(id) }),
			alwaysNull("default_source"),
		},
	})
	customersByEmail = customers.index(func(cu *customer) string { return cu.Email })
	customersByClock = customers.index(func(cu *customer) string { return cu.TestClock })
}

type customer struct {
	base
	Email         string            `json:"email,omitempty"`
	Name          string            `json:"name,omitempty"`
	Description   string            `json:"description,omitempty"`
	Phone         string            `json:"phone,omitempty"`
	Metadata      map[string]string `json:"metadata"`
	TestClock     string            `json:"test_clock,omitempty"`
	DefaultPM     string            `json:"default_payment_method,omitempty"`
	InvoiceSeq    int64             `json:"invoice_seq"`
	InvoicePrefix string            `json:"invoice_prefix"`
	// Balance is what the customer owes (positive) or is owed (negative, a
	// credit), settled on the next invoices; a downgrade's proration can
	// leave a credit here.
	Balance int64 `json:"balance,omitempty"`
	// Entitlements are the feature ids last announced in an
	// active_entitlement_summary.updated event, to send one only on change.
	Entitlements []string `json:"entitlements,omitempty"`
}

func (s *Sandbox) renderCustomer(cu *customer) map[string]any {
	delinquent := false
	for _, sub := range subsByCustomer.of(s.st, cu.ID) {
		if sub.Status == subPastDue {
			delinquent = true
		}
	}
	return map[string]any{
		"id": cu.ID, "object": "customer", "address": nil, "balance": cu.Balance, "created": cu.Created, "currency": nil,
		"default_source": nil, "delinquent": delinquent, "description": nullable(cu.Description), "discount": nil,
		"email": nullable(cu.Email), "invoice_prefix": cu.InvoicePrefix,
		"invoice_settings": map[string]any{"custom_fields": nil, "default_payment_method": nullable(cu.DefaultPM), "footer": nil, "rendering_options": nil},
		"livemode":         false, "metadata": cu.Metadata, "name": nullable(cu.Name), "next_invoice_sequence": cu.InvoiceSeq + 1,
		"phone": nullable(cu.Phone), "preferred_locales": []string{}, "shipping": nil, "tax_exempt": "none",
		"test_clock": nullable(cu.TestClock),
	}
}

// newCustomer makes a customer at the time of its clock (if any).
func (s *Sandbox) newCustomer(email, name, clockID string) *customer {
	cu := &customer{base: customers.newBase(s.st, s.now(clockID)), Email: email, Name: name, TestClock: clockID, Metadata: map[string]string{}}
	cu.InvoicePrefix = newID("")[:8]
	return cu
}

func (s *Sandbox) createCustomer(c *call) (any, error) {
	p := c.p
	clockID := p.str("test_clock")
	if clockID != "" && clocks.get(s.st, clockID) == nil {
		p.fail(errNotFound("test_clock", clockID, "test_clock"))
	}
	cu := s.newCustomer(p.str("email"), p.str("name"), clockID)
	cu.Description = p.str("description")
	cu.Phone = p.str("phone")
	cu.Metadata = p.metadata(nil)
	pmID := p.str("payment_method")
	if pmID != "" && paymentMethods.get(s.st, pmID) == nil {
		p.fail(errNotFound("payment_method", pmID, "payment_method"))
	}
	def := p.str("invoice_settings", "default_payment_method")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if pmID != "" {
		s.attachPM(cu, paymentMethods.get(s.st, pmID))
	}
	if def != "" {
		pm := paymentMethods.get(s.st, def)
		if pm == nil || pm.Customer != cu.ID {
			return nil, invalid("invoice_settings[default_payment_method]", "", "The payment method '%s' is not attached to this customer.", def)
		}
		cu.DefaultPM = def
	}
	customers.put(s.st, cu)
	s.emit(s.now(clockID), "customer.created", s.renderCustomer(cu))
	return s.renderCustomer(cu), nil
}

// attachPM attaches a payment method to the customer. As in Stripe, that
// does not make it the customer's invoice default: only
// invoice_settings.default_payment_method (or the portal) sets that.
func (s *Sandbox) attachPM(cu *customer, pm *paymentMethod) {
	pm.Customer = cu.ID
	paymentMethods.put(s.st, pm)
}

func (s *Sandbox) updateCustomer(c *call) (any, error) {
	cu, err := customers.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	next := *cu
	if p.has("email") {
		next.Email = p.str("email")
	}
	if p.has("name") {
		next.Name = p.str("name")
	}
	if p.has("description") {
		next.Description = p.str("description")
	}
	if p.has("phone") {
		next.Phone = p.str("phone")
	}
	next.Metadata = p.metadata(cu.Metadata)
	if p.has("invoice_settings", "default_payment_method") {
		next.DefaultPM = p.str("invoice_settings", "default_payment_method")
		if pm := paymentMethods.get(s.st, next.DefaultPM); next.DefaultPM != "" && (pm == nil || pm.Customer != cu.ID) {
			p.fail(invalid("invoice_settings[default_payment_method]", "", "The payment method '%s' is not attached to this customer.", next.DefaultPM))
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	*cu = next
	customers.put(s.st, cu)
	s.emit(s.now(cu.TestClock), "customer.updated", s.renderCustomer(cu))
	return s.renderCustomer(cu), nil
}

func (s *Sandbox) listCustomers(c *call) (any, error) {
	p := c.p
	email := p.str("email")
	clock := p.str("test_clock")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	// As in Stripe, customers on a test clock are listed only when that
	// clock is asked for, even when they match the email.
	l := customersByClock.of(s.st, clock)
	if email != "" {
		l = customersByEmail.of(s.st, email)
	}
	return pageOf(c, s.st, a, customers, l, func(cu *customer) bool {
		return (email == "" || cu.Email == email) && cu.TestClock == clock
	}, func(cu *customer) any { return s.renderCustomer(cu) })
}

// customerSubscriptions is a customer's includable subscriptions list:
// those not canceled, newest first, as "The customer's current
// subscriptions, if any" (the Customer object) and the subscriptions list
// by default give them.
func (s *Sandbox) customerSubscriptions(id string) map[string]any {
	data := []any{}
	for _, sub := range subsByCustomer.newest(s.st, id, func(sub *subscription) bool { return sub.Status != subCanceled }) {
		data = append(data, s.renderSubscription(sub))
	}
	return listObject("/v1/customers/"+id+"/subscriptions", data, false)
}
