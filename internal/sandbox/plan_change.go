package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

// A plan change is what the portal's subscription_update does: the
// subscription's one item moves to another price of the configuration.
// What the sandbox models, after Stripe's docs on changing prices and on
// prorations (basil):
//
//   - A new interval (monthly ↔ yearly) starts a new billing period now,
//     billed in advance on an invoice made, finalized and charged at once
//     (billing_reason subscription_update). With create_prorations or
//     always_invoice that invoice also credits the unused time of the old
//     price; with none it does not.
//   - The same interval keeps the period: create_prorations adds a credit
//     for unused time and a charge for the remaining time to the next
//     invoice (as pending invoice items), always_invoice invoices them now,
//     none changes only the price.
//   - A trial ends at the change, as every portal update did before clover's
//     trial_update_behavior, so the new price is billed from now.
//   - Discounts do not reduce proration lines; a negative total becomes a
//     credit on the customer's balance (applyBalance).
//   - The portal applies a change only once it is paid: a declined card
//     leaves the subscription as it was, which is what Stripe's pending
//     updates do for the portal.
type planChange struct {
	sub      *subscription
	from, to *price
	at       time.Time
	behavior string // subscription_update.proration_behavior
	// endsTrial: the subscription was trialing; the change ends the trial.
	endsTrial bool
	// newPeriod: the billing period restarts at the change (a new interval,
	// or the end of a trial) and runs to periodEnd.
	newPeriod bool
	periodEnd int64
	// lines are invoiced now when invoiceNow, else left for the next invoice.
	lines      []invoiceLine
	invoiceNow bool
	// invoice is the invoice made now, totalled with its discount; it is
	// stored only when the change is applied.
	invoice *invoice
}

// newPlanChange works out switching sub to the price toID under behavior,
// at time at; it changes nothing. A request the portal would not offer is
// refused with a 400.
func (s *Sandbox) newPlanChange(sub *subscription, toID, behavior string, at time.Time) (*planChange, *pageError) {
	if !sub.entitled() {
		return nil, &pageError{http.StatusBadRequest, "This subscription has ended; it cannot change plan."}
	}
	if len(sub.Items) != 1 {
		return nil, &pageError{http.StatusBadRequest, "A subscription with several items cannot change plan in the portal."}
	}
	it := sub.Items[0]
	from, to := prices.get(s.st, it.Price), prices.get(s.st, toID)
	switch {
	case from == nil || to == nil:
		return nil, &pageError{http.StatusBadRequest, "Choose one of the plans offered."}
	case to.ID == from.ID:
		return nil, &pageError{http.StatusBadRequest, "This is already your plan."}
	case !to.Active || to.Interval == "" || to.Currency != from.Currency:
		return nil, &pageError{http.StatusBadRequest, "This plan cannot be chosen."}
	}
	pc := &planChange{sub: sub, from: from, to: to, at: at, behavior: behavior, endsTrial: sub.Status == subTrialing}
	pc.newPeriod = pc.endsTrial || to.Interval != from.Interval || max(to.IntervalCount, 1) != max(from.IntervalCount, 1)
	prorate := behavior == "create_prorations" || behavior == "always_invoice"
	if pc.newPeriod {
		pc.periodEnd = addInterval(at, to.Interval, max(to.IntervalCount, 1)).Unix()
		if l, ok := s.prorationLine(sub, it, from, at, -1); ok && prorate && !pc.endsTrial {
			pc.lines = append(pc.lines, l)
		}
		pc.lines = append(pc.lines, s.periodLine(subItem{ID: it.ID, Price: to.ID, Quantity: it.Quantity}, to, at.Unix(), pc.periodEnd))
		pc.invoiceNow = true
	} else {
		pc.periodEnd = sub.PeriodEnd
		if prorate {
			for _, side := range []struct {
				pr   *price
				sign int64
			}{{from, -1}, {to, 1}} {
				if l, ok := s.prorationLine(sub, it, side.pr, at, side.sign); ok {
					pc.lines = append(pc.lines, l)
				}
			}
		}
		pc.invoiceNow = behavior == "always_invoice" && len(pc.lines) > 0
	}
	if pc.invoiceNow {
		inv := &invoice{base: base{Created: at.Unix()}, Customer: sub.Customer, Subscription: sub.ID, Status: invDraft,
			BillingReason: "subscription_update", Currency: sub.Currency, PeriodStart: at.Unix(), PeriodEnd: at.Unix(),
			TestClock: sub.TestClock, Lines: pc.lines}
		if cu := customers.get(s.st, sub.Customer); cu != nil {
			inv.CustomerEmail, inv.CustomerName = cu.Email, cu.Name
		}
		s.totalInvoice(inv, sub, at)
		pc.invoice = inv
	}
	return pc, nil
}

// prorationLine is the credit (sign -1) for the unused time of the current
// period at price pr, or the charge (sign 1) for its remaining time, in
// Stripe's words: "Unused time on Tollgate Premium after 15 Jan 2025". It
// reports false when nothing of the period is left.
func (s *Sandbox) prorationLine(sub *subscription, it subItem, pr *price, at time.Time, sign int64) (invoiceLine, bool) {
	span, left := sub.PeriodEnd-sub.PeriodStart, sub.PeriodEnd-at.Unix()
	if span <= 0 || left <= 0 {
		return invoiceLine{}, false
	}
	amount := sign * int64(math.Round(float64(pr.UnitAmount*it.Quantity)*float64(left)/float64(span)))
	if amount == 0 {
		return invoiceLine{}, false
	}
	what := s.productName(pr)
	if it.Quantity != 1 {
		what = fmt.Sprintf("%d × %s", it.Quantity, what)
	}
	l := invoiceLine{ID: newID("il_"), SubItem: it.ID, Price: pr.ID, Quantity: it.Quantity, Amount: amount,
		PeriodStart: at.Unix(), PeriodEnd: sub.PeriodEnd, Proration: true, InvoiceItem: newID("ii_")}
	if sign < 0 {
		l.Description = "Unused time on " + what + " after " + formatDate(at.Unix())
		// The credit gives back part of the line that billed this period.
		if inv := invoices.get(s.st, sub.LatestInvoice); inv != nil {
			for _, paid := range inv.Lines {
				if paid.SubItem == it.ID && !paid.Proration && paid.PeriodEnd == sub.PeriodEnd {
					l.CreditedInvoice, l.CreditedLine = inv.ID, paid.ID
				}
			}
		}
	} else {
		l.Description = "Remaining time on " + what + " after " + formatDate(at.Unix())
	}
	return l, true
}

// due is what the change charges now: the invoice's total less any credit
// balance, as its finalization will settle it.
func (s *Sandbox) planChangeDue(pc *planChange) int64 {
	if !pc.invoiceNow {
		return 0
	}
	bal := int64(0)
	if cu := customers.get(s.st, pc.sub.Customer); cu != nil {
		bal = cu.Balance
	}
	return max(0, pc.invoice.Total+bal)
}

// applyPlanChange makes the change: the price, the period, the invoice (made
// and charged now, or its lines left for the next one), then
// customer.subscription.updated with what was before. A card that would be
// declined refuses the whole change with a 402.
func (s *Sandbox) applyPlanChange(pc *planChange) *pageError {
	sub, at := pc.sub, pc.at
	if due := s.planChangeDue(pc); due > 0 {
		if card := s.chargeCard(sub); card == nil || card.FailCharges {
			return &pageError{http.StatusPaymentRequired, "Your card was declined, so your plan was not changed. Update your card, then try again."}
		}
	}
	prev := s.subSnapshot(sub)
	sub.Items[0].Price = pc.to.ID
	if pc.endsTrial {
		sub.Status, sub.TrialEnd = subActive, at.Unix()
	}
	if pc.newPeriod {
		sub.PeriodStart, sub.PeriodEnd, sub.BillingCycleAnchor, sub.Cycle = at.Unix(), pc.periodEnd, at.Unix(), 0
		if sub.CancelAtPeriodEnd {
			sub.CancelAt = sub.PeriodEnd
		}
	}
	if !pc.invoiceNow {
		sub.PendingLines = append(sub.PendingLines, pc.lines...)
		s.subChanged(sub, prev, at)
		return nil
	}
	inv := pc.invoice
	inv.base = invoices.newBase(s.st, at)
	if inv.Discount != "" && sub.Discount != nil {
		sub.Discount.Used = true
	}
	invoices.put(s.st, inv)
	s.emit(at, "invoice.created", s.renderInvoice(inv))
	s.finalize(inv, at)
	sub.LatestInvoice = inv.ID
	switch ok := s.charge(inv, sub, at, true, nil); {
	case ok && sub.Status == subPastDue:
		sub.Status = subActive // its latest invoice is paid
	case !ok:
		sub.Status = subPastDue
	}
	s.subChanged(sub, prev, at)
	return nil
}
