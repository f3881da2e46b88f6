package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

const day = 24 * time.Hour

// addInterval moves t forward n billing intervals. Months clamp to the end
// of shorter months (Jan 31 → Feb 28), as Stripe's billing does; callers
// count from the billing cycle anchor so the day comes back (→ Mar 31).
func addInterval(t time.Time, interval string, n int64) time.Time {
	t = t.UTC()
	switch interval {
	case "day":
		return t.AddDate(0, 0, int(n))
	case "week":
		return t.AddDate(0, 0, 7*int(n))
	case "year":
		n *= 12
	}
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// subInterval is the interval of the subscription's (first) price.
func (s *Sandbox) subInterval(sub *subscription) (string, int64) {
	for _, it := range sub.Items {
		if pr := prices.get(s.st, it.Price); pr != nil && pr.Interval != "" {
			return pr.Interval, pr.IntervalCount
		}
	}
	return "month", 1
}

// discountLive reports whether a subscription discount applies at time at.
func (s *Sandbox) discountLive(d *discount, at int64) bool {
	cp := coupons.get(s.st, d.Coupon)
	if cp == nil {
		return false
	}
	switch cp.Duration {
	case "once":
		return !d.Used
	case "repeating":
		return at < d.End
	}
	return true
}

// buildInvoice stores a draft invoice billing the subscription's current
// period (or its trial), applying its discount; it sends no event.
//
// The invoice's own period_start and period_end are not that period: as the
// API reference says of them, they are the usage period, which "looks back
// one period for a subscription invoice"; the service period is on each
// line. So a first invoice has start == end (its creation time, nothing
// was used before it), and a renewal covers the period that just ended,
// given here as from and to.
func (s *Sandbox) buildInvoice(sub *subscription, reason string, at time.Time, trial bool, from, to int64) *invoice {
	inv := &invoice{base: invoices.newBase(s.st, at), Customer: sub.Customer, Subscription: sub.ID, Status: invDraft,
		BillingReason: reason, Currency: sub.Currency, PeriodStart: from, PeriodEnd: to,
		TestClock: sub.TestClock}
	if cu := customers.get(s.st, sub.Customer); cu != nil {
		inv.CustomerEmail, inv.CustomerName = cu.Email, cu.Name
	}
	if !trial {
		// Prorations left for the next invoice (a same-interval plan change
		// with create_prorations) come first, as Stripe lists them.
		inv.Lines = append(inv.Lines, sub.PendingLines...)
		sub.PendingLines = nil
	}
	for _, it := range sub.Items {
		pr := prices.get(s.st, it.Price)
		if pr == nil {
			continue
		}
		l := s.periodLine(it, pr, sub.PeriodStart, sub.PeriodEnd)
		if trial {
			l.Amount, l.Description = 0, "Trial period for "+s.productName(pr)
		}
		inv.Lines = append(inv.Lines, l)
	}
	if s.totalInvoice(inv, sub, at) {
		sub.Discount.Used = true
	}
	invoices.put(s.st, inv)
	return inv
}

// periodLine bills one subscription item for a whole period, in Stripe's
// words: "1 × Tollgate Premium (at £9.00 / month)".
func (s *Sandbox) periodLine(it subItem, pr *price, start, end int64) invoiceLine {
	return invoiceLine{ID: newID("il_"), SubItem: it.ID, Price: pr.ID, Quantity: it.Quantity, PeriodStart: start, PeriodEnd: end,
		Amount:      pr.UnitAmount * it.Quantity,
		Description: fmt.Sprintf("%d × %s (at %s / %s)", it.Quantity, s.productName(pr), formatMoney(pr.UnitAmount, pr.Currency), pr.Interval)}
}

// totalInvoice adds up the lines and takes off the subscription's discount
// while it is live; it reports whether the discount took something off, so
// the caller can count a "once" coupon as used. It changes nothing else, so
// a preview can total an invoice it does not keep.
func (s *Sandbox) totalInvoice(inv *invoice, sub *subscription, at time.Time) bool {
	inv.Subtotal = 0
	for _, l := range inv.Lines {
		inv.Subtotal += l.Amount
	}
	inv.Total = inv.Subtotal
	if d := sub.Discount; d != nil && s.discountLive(d, at.Unix()) && s.applyDiscount(inv, coupons.get(s.st, d.Coupon)) {
		inv.Discount = d.ID
		return true
	}
	return false
}

// finalize opens a draft for payment. The number is taken only now, as in
// Stripe, so drafts leave no gaps in the customer's sequence.
func (s *Sandbox) finalize(inv *invoice, at time.Time) {
	if cu := customers.get(s.st, inv.Customer); cu != nil {
		cu.InvoiceSeq++
		customers.put(s.st, cu)
		inv.Number = fmt.Sprintf("%s-%04d", cu.InvoicePrefix, cu.InvoiceSeq)
	}
	inv.Status, inv.FinalizedAt, inv.AutoFinalizeAt = invOpen, at.Unix(), 0
	s.applyBalance(inv, at)
	invoices.put(s.st, inv)
	s.emit(at, "invoice.finalized", s.renderInvoice(inv))
	s.openPayment(inv, at)
}

// applyBalance settles an invoice against the customer's credit balance
// when it is finalized, as Stripe does: a credit (a negative balance, such
// as what a downgrade's proration left) lowers the amount due, and a
// negative total (a credit larger than the charge) is added to the balance
// for the next invoices instead of being refunded.
func (s *Sandbox) applyBalance(inv *invoice, at time.Time) {
	cu := customers.get(s.st, inv.Customer)
	if cu == nil || (cu.Balance == 0 && inv.Total >= 0) {
		return
	}
	inv.StartingBalance = cu.Balance
	inv.EndingBalance = cu.Balance + inv.Total - inv.amountDue()
	inv.BalanceApplied = true
	cu.Balance = inv.EndingBalance
	customers.put(s.st, cu)
	s.emit(at, "customer.updated", s.renderCustomer(cu))
}

// makeInvoice creates and finalizes a new subscription's first invoice at
// once: Checkout collects it while the customer waits.
func (s *Sandbox) makeInvoice(sub *subscription, reason string, at time.Time, trial bool) *invoice {
	inv := s.buildInvoice(sub, reason, at, trial, at.Unix(), at.Unix())
	s.emit(at, "invoice.created", s.renderInvoice(inv))
	s.finalize(inv, at)
	return inv
}

// draftInvoice creates a renewal's invoice as Stripe does: a draft, which
// is finalized and charged autoFinalizeDelay later (see collectDraft). from
// and to are the period that just ended, the invoice's own period.
func (s *Sandbox) draftInvoice(sub *subscription, at time.Time, from, to int64) *invoice {
	inv := s.buildInvoice(sub, "subscription_cycle", at, false, from, to)
	inv.AutoFinalizeAt = at.Add(autoFinalizeDelay).Unix()
	invoices.put(s.st, inv)
	s.emit(at, "invoice.created", s.renderInvoice(inv))
	return inv
}

// collectDraft finalizes a renewal's draft when it is due and makes the
// first attempt to charge it, which starts the dunning schedule on failure.
// The subscription follows its latest invoice: paid → active, failed →
// past_due.
func (s *Sandbox) collectDraft(inv *invoice, at time.Time) {
	sub := subscriptions.get(s.st, inv.Subscription)
	if sub == nil {
		return
	}
	prev := s.subSnapshot(sub)
	s.finalize(inv, at)
	ok := s.charge(inv, sub, at, true, nil)
	switch {
	case ok && sub.Status == subPastDue && sub.LatestInvoice == inv.ID:
		sub.Status = subActive
	case !ok:
		sub.Status = subPastDue
	}
	s.subChanged(sub, prev, at)
}

// applyDiscount takes a coupon off the invoice, spreading it over the lines
// it applies to, and reports whether it took anything off. As Stripe's docs
// say, discounts do not affect proration line items: a plan change's credit
// for unused time is the price's, and only whole-period lines are discounted.
func (s *Sandbox) applyDiscount(inv *invoice, cp *coupon) bool {
	base := int64(0)
	for _, l := range inv.Lines {
		if l.discountable() {
			base += l.Amount
		}
	}
	if cp == nil || base <= 0 {
		return false
	}
	off := cp.AmountOff
	if cp.PercentOff > 0 {
		off = int64(math.Round(float64(base) * cp.PercentOff / 100))
	}
	off = min(off, base)
	inv.DiscountAmount, inv.Total = off, inv.Subtotal-off
	left, last := off, -1
	for i, l := range inv.Lines {
		if l.discountable() && l.Amount > 0 {
			last = i
		}
	}
	for i := range inv.Lines {
		l := &inv.Lines[i]
		if !l.discountable() || l.Amount <= 0 {
			continue
		}
		share := off * l.Amount / base
		if i == last {
			share = left
		}
		l.DiscountAmount, left = share, left-share
	}
	return off > 0
}

// chargeCard is the card a subscription's invoices are charged to: its own
// default payment method, else its customer's invoice default.
func (s *Sandbox) chargeCard(sub *subscription) *paymentMethod {
	pm := paymentMethods.get(s.st, sub.DefaultPM)
	if cu := customers.get(s.st, sub.Customer); pm == nil && cu != nil {
		pm = paymentMethods.get(s.st, cu.DefaultPM)
	}
	return pm
}

// charge tries to collect an open invoice with card (nil: the subscription's)
// through its PaymentIntent (collect), and sends invoice.paid or
// invoice.payment_failed, then invoice.updated with what changed. scheduled
// attempts advance the dunning schedule; a manual pay only counts the
// attempt.
func (s *Sandbox) charge(inv *invoice, sub *subscription, at time.Time, scheduled bool, card *paymentMethod) bool {
	prev := s.renderInvoice(inv)
	due := inv.amountDue()
	ok := due == 0
	inv.Attempted = true
	if !ok {
		inv.AttemptCount++
		if card == nil {
			card = s.chargeCard(sub)
		}
		ok = s.collect(inv, card, at)
	}
	if ok {
		inv.Status, inv.AmountPaid, inv.PaidAt, inv.NextPaymentAttempt = invPaid, due, at.Unix(), 0
		invoices.put(s.st, inv)
		s.paymentPaid(inv, at)
		obj := s.renderInvoice(inv)
		s.emit(at, "invoice.paid", obj)
		s.emit(at, "invoice.payment_succeeded", obj)
		s.invoiceChanged(inv, prev, at)
		return true
	}
	if scheduled {
		if inv.FirstFailedAt == 0 {
			inv.FirstFailedAt = at.Unix()
		}
		inv.ScheduledFailures++
		inv.NextPaymentAttempt = 0
		if n := inv.ScheduledFailures - 1; n < int64(len(s.cfg.RetrySchedule)) {
			inv.NextPaymentAttempt = time.Unix(inv.FirstFailedAt, 0).Add(s.cfg.RetrySchedule[n]).Unix()
		}
	}
	invoices.put(s.st, inv)
	s.emit(at, "invoice.payment_failed", s.renderInvoice(inv))
	s.invoiceChanged(inv, prev, at)
	return false
}

// retryInvoice charges an open invoice again (a dunning retry, a manual pay,
// or a card typed on the hosted invoice page) and moves its subscription:
// paid → active; last retry failed → canceled.
func (s *Sandbox) retryInvoice(inv *invoice, at time.Time, scheduled bool, card *paymentMethod) bool {
	sub := subscriptions.get(s.st, inv.Subscription)
	if sub == nil {
		return false
	}
	prev := s.subSnapshot(sub)
	ok := s.charge(inv, sub, at, scheduled, card)
	switch {
	case ok && sub.Status == subPastDue:
		sub.Status = subActive
		s.subChanged(sub, prev, at)
	case !ok && scheduled && inv.NextPaymentAttempt == 0 && sub.Status != subCanceled:
		s.endSubscription(sub, at, "payment_failed")
	}
	return ok
}

// renew starts the next period at its boundary with a draft invoice, charged
// when it is finalized an hour later. A trial ends now (active until that
// charge says otherwise); a past_due subscription stays so until it pays.
func (s *Sandbox) renew(sub *subscription, at time.Time) {
	prev := s.subSnapshot(sub)
	interval, count := s.subInterval(sub)
	if sub.Status != subTrialing {
		sub.Cycle++
	}
	anchor := time.Unix(sub.BillingCycleAnchor, 0)
	ended, endedAt := sub.PeriodStart, sub.PeriodEnd
	sub.PeriodStart = sub.PeriodEnd
	sub.PeriodEnd = addInterval(anchor, interval, count*(sub.Cycle+1)).Unix()
	if sub.Status == subTrialing {
		sub.Status = subActive
	}
	inv := s.draftInvoice(sub, at, ended, endedAt)
	sub.LatestInvoice = inv.ID
	s.subChanged(sub, prev, at)
}

// endSubscription cancels now and revokes the entitlements it granted.
func (s *Sandbox) endSubscription(sub *subscription, at time.Time, reason string) {
	sub.Status = subCanceled
	sub.EndedAt = at.Unix()
	if sub.CanceledAt == 0 {
		sub.CanceledAt = at.Unix()
	}
	sub.CancelReason = reason
	subscriptions.put(s.st, sub)
	s.emit(at, "customer.subscription.deleted", s.renderSubscription(sub))
	s.stopCollection(sub, at)
	s.refreshEntitlements(sub.Customer, at)
}

// stopCollection is what canceling a subscription does to invoices, in the
// API reference's words: "By default, upon subscription cancellation,
// Stripe stops automatic collection of all finalized invoices for the
// customer." An open invoice (the one a failed dunning left, say) stays
// open and payable, but auto_advance becomes false and no retry is
// scheduled; the subscription's renewal draft is no longer finalized on
// its own. Each sends invoice.updated.
func (s *Sandbox) stopCollection(sub *subscription, at time.Time) {
	// A subscription's invoices are its customer's.
	for _, inv := range invoicesByCustomer.newest(s.st, sub.Customer, func(inv *invoice) bool {
		return (inv.Status == invOpen && inv.Customer == sub.Customer && !inv.CollectionStopped) ||
			(inv.Status == invDraft && inv.Subscription == sub.ID && inv.AutoFinalizeAt != 0)
	}) {
		prev := s.renderInvoice(inv)
		inv.NextPaymentAttempt, inv.AutoFinalizeAt, inv.CollectionStopped = 0, 0, true
		s.invoiceChanged(inv, prev, at)
	}
}

func (s *Sandbox) subSnapshot(sub *subscription) map[string]any {
	return s.renderSubscription(sub)
}

// subChanged saves the subscription and, if anything visible changed, sends
// customer.subscription.updated with previous_attributes, as Stripe does.
func (s *Sandbox) subChanged(sub *subscription, prev map[string]any, at time.Time) {
	subscriptions.put(s.st, sub)
	cur := s.renderSubscription(sub)
	if diff := changed(prev, cur); len(diff) > 0 {
		s.emitWithPrevious(at, "customer.subscription.updated", cur, diff)
	}
	s.refreshEntitlements(sub.Customer, at)
}

// invoiceChanged sends invoice.updated with previous_attributes if anything
// visible changed since prev (the invoice rendered before). Stripe's event
// reference: invoice.updated "occurs whenever an invoice changes"; the
// subscription webhooks guide lists it for a payment that succeeds or
// fails. Finalizing is announced by invoice.finalized instead.
func (s *Sandbox) invoiceChanged(inv *invoice, prev map[string]any, at time.Time) {
	invoices.put(s.st, inv)
	cur := s.renderInvoice(inv)
	if diff := changed(prev, cur); len(diff) > 0 {
		s.emitWithPrevious(at, "invoice.updated", cur, diff)
	}
}

// changed returns the fields of prev whose values differ in cur: an event's
// previous_attributes.
func changed(prev, cur map[string]any) map[string]any {
	diff := map[string]any{}
	for k, v := range prev {
		a, _ := json.Marshal(v)
		b, _ := json.Marshal(cur[k])
		if !bytes.Equal(a, b) {
			diff[k] = v
		}
	}
	return diff
}

// productName names a price's product for invoice lines and the hosted pages,
// falling back to its id when the product is gone.
func (s *Sandbox) productName(pr *price) string {
	if pd := products.get(s.st, pr.Product); pd != nil {
		return pd.Name
	}
	return pr.Product
}
