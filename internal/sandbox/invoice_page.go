package sandbox

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/logkey"
)

// The hosted invoice page: what an invoice's hosted_invoice_url shows. As
// Stripe's, it shows the invoice to whoever has the link and lets them pay
// an open one with a card typed there; that card pays this invoice only and
// does not become the subscription's card.
const invoiceTemplate = `{{define "invoice"}}{{template "top" .}}
<h1>Invoice {{.Number}}</h1>
<p class="muted">From Tollgate Sandbox{{if .Customer}} · to {{.Customer}}{{end}}</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<div class="price">{{.Headline}}</div>
<p>Status: <strong>{{.Status}}</strong>{{if .PaidOn}} on {{.PaidOn}}{{end}}{{if .NextAttempt}} · Stripe retries the card on file on {{.NextAttempt}}{{end}}</p>
<table>
<tr><th>Description</th><th class="num">Amount</th></tr>
{{range .Lines}}<tr><td>{{.Description}}{{if .Period}}<div class="hint">{{.Period}}</div>{{end}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}<tr><td>Subtotal</td><td class="num">{{.Subtotal}}</td></tr>
{{if .Discount}}<tr><td>{{.DiscountName}}</td><td class="num">−{{.Discount}}</td></tr>
{{end}}<tr><td><strong>Total</strong></td><td class="num"><strong>{{.Total}}</strong></td></tr>
{{if .Balance}}<tr><td>{{.BalanceLabel}}</td><td class="num">{{.Balance}}</td></tr>
{{end}}<tr><td>Amount due</td><td class="num">{{.AmountDue}}</td></tr>
<tr><td>Amount paid</td><td class="num">{{.AmountPaid}}</td></tr>
</table>
{{if .Payable}}<h2>Pay this invoice</h2>
<form method="post" action="/invoice/{{.ID}}">
<label for="card_number">Card number</label><input type="text" id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<div class="row"><div><label for="card_expiry">Expiry (MM/YY)</label><input type="text" id="card_expiry" name="card_expiry" placeholder="12/34" required></div>
<div><label for="card_cvc">CVC</label><input type="text" id="card_cvc" name="card_cvc" inputmode="numeric" placeholder="123" required></div></div>
<button type="submit">Pay {{.AmountDue}}</button>
</form>
<p class="hint">Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 and 4000 0000 0000 0341 are declined. Any future expiry and any 3-digit CVC. This card pays this invoice only; it does not replace the card on file.</p>{{end}}
{{template "bottom" .}}{{end}}`

type invoiceView struct {
	Title, ID, Number, Customer, Error, Headline, Status, PaidOn, NextAttempt             string
	Subtotal, DiscountName, Discount, Total, BalanceLabel, Balance, AmountDue, AmountPaid string
	Lines                                                                                 []invoiceViewLine
	Payable                                                                               bool
}

type invoiceViewLine struct {
	Description, Period, Amount string
}

// hostedInvoiceURL is the invoice's page; a draft has none, as in Stripe.
func (s *Sandbox) hostedInvoiceURL(inv *invoice) any {
	if s.base == "" || inv.Status == invDraft {
		return nil
	}
	return s.base + "/invoice/" + inv.ID
}

// invoiceView describes the invoice for its page; called with mu held.
func (s *Sandbox) invoiceView(inv *invoice) invoiceView {
	money := func(v int64) string { return formatMoney(v, inv.Currency) }
	due := inv.amountDue()
	v := invoiceView{Title: "Invoice " + inv.Number, ID: inv.ID, Number: inv.Number, Status: strings.ToUpper(inv.Status[:1]) + inv.Status[1:],
		Subtotal: money(inv.Subtotal), Total: money(inv.Total), AmountDue: money(due), AmountPaid: money(inv.AmountPaid),
		Payable: inv.Status == invOpen}
	v.Customer = inv.CustomerEmail
	if inv.CustomerName != "" {
		v.Customer = inv.CustomerName + " · " + inv.CustomerEmail
	}
	switch inv.Status {
	case invPaid:
		v.Headline, v.PaidOn = money(inv.AmountPaid)+" paid", formatDate(inv.PaidAt)
	default:
		v.Headline = money(due-inv.AmountPaid) + " due"
		v.NextAttempt = formatDate(inv.NextPaymentAttempt)
	}
	for _, l := range inv.Lines {
		vl := invoiceViewLine{Description: l.Description, Amount: money(l.Amount)}
		if l.PeriodStart != 0 && l.PeriodEnd != 0 {
			vl.Period = formatDate(l.PeriodStart) + " – " + formatDate(l.PeriodEnd)
		}
		v.Lines = append(v.Lines, vl)
	}
	if inv.DiscountAmount != 0 {
		v.Discount, v.DiscountName = money(inv.DiscountAmount), s.discountName(inv)
	}
	switch {
	case inv.Total < 0:
		v.BalanceLabel, v.Balance = "Added to your credit balance", money(-inv.Total)
	case due != inv.Total:
		v.BalanceLabel, v.Balance = "Paid from your credit balance", money(due-inv.Total)
	}
	return v
}

// discountName says which discount an invoice carries as a customer knows
// it: the promotion code typed, else the coupon, with what it takes off.
func (s *Sandbox) discountName(inv *invoice) string {
	sub := s.st.subscriptions.get(inv.Subscription)
	if sub == nil || sub.Discount == nil || sub.Discount.ID != inv.Discount {
		return "Discount"
	}
	name, cp := s.discountCode(sub.Discount)
	if cp != nil {
		name += " (" + couponOff(cp) + ")"
	}
	return name
}

// discountCode names a subscription's discount by the promotion code
// typed, else its coupon's name or id; it also returns the coupon.
func (s *Sandbox) discountCode(d *discount) (string, *coupon) {
	cp := s.st.coupons.get(d.Coupon)
	switch pc := s.st.promotionCodes.get(d.PromotionCode); {
	case pc != nil:
		return pc.Code, cp
	case cp != nil && cp.Name != "":
		return cp.Name, cp
	case cp != nil:
		return cp.ID, cp
	}
	return "Discount", nil
}

// couponOff is what a coupon takes off: "10% off", "£2.50 off".
func couponOff(cp *coupon) string {
	if cp.AmountOff > 0 {
		return formatMoney(cp.AmountOff, cp.Currency) + " off"
	}
	return fmt.Sprintf("%g%% off", cp.PercentOff)
}

func (s *Sandbox) invoicePage(w http.ResponseWriter, r *http.Request) {
	var v invoiceView
	found := false
	s.locked(func() {
		if inv := s.st.invoices.get(r.PathValue("id")); inv != nil && inv.Status != invDraft {
			v, found = s.invoiceView(inv), true
		}
	})
	if !found {
		s.messagePage(w, http.StatusNotFound, "Invoice not found", "There is no finalized invoice with this address.")
		return
	}
	s.renderPage(w, http.StatusOK, "invoice", v)
}

// invoiceSubmit pays an open invoice with the card typed on the page and
// answers 303 back to the page, which then shows it paid; a refusal is
// shown on the page with its status.
func (s *Sandbox) invoiceSubmit(w http.ResponseWriter, r *http.Request) {
	if !readPageForm(w, r) {
		s.messagePage(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	card := cardInput{Number: r.PostForm.Get("card_number"), Expiry: r.PostForm.Get("card_expiry"), CVC: r.PostForm.Get("card_cvc")}
	var (
		v     invoiceView
		perr  *pageError
		found bool
	)
	s.locked(func() {
		inv := s.st.invoices.get(r.PathValue("id"))
		if inv == nil || inv.Status == invDraft {
			return
		}
		found = true
		perr = s.payOnPage(inv, card)
		if err := s.commit(r.Context()); err != nil {
			s.log.Error("invoice commit", logkey.Invoice, inv.ID, logkey.Err, err)
			perr = &pageError{http.StatusInternalServerError, "The sandbox could not save this payment; please try again."}
		}
		v = s.invoiceView(inv)
	})
	switch {
	case !found:
		s.messagePage(w, http.StatusNotFound, "Invoice not found", "There is no finalized invoice with this address.")
	case perr != nil:
		v.Error = perr.Message
		s.renderPage(w, perr.Status, "invoice", v)
	default:
		http.Redirect(w, r, "/invoice/"+r.PathValue("id"), http.StatusSeeOther)
	}
}

// payOnPage charges an open invoice to the card typed. A typo changes
// nothing; a declined card counts as a failed attempt (invoice.payment_failed)
// outside the retry schedule, as any manual payment does.
func (s *Sandbox) payOnPage(inv *invoice, card cardInput) *pageError {
	if inv.Status != invOpen {
		return &pageError{http.StatusConflict, "This invoice is " + inv.Status + "; there is nothing to pay."}
	}
	at := s.now(inv.TestClock)
	pm, tc, msg, declined := checkCard(card, at, true)
	if msg != "" && !declined {
		return &pageError{http.StatusBadRequest, msg}
	}
	if declined || tc.failCharges {
		pm.FailCharges = true
	}
	pm.base = s.st.newBase("pm_", at)
	s.st.paymentMethods.put(s.st, pm.ID, &pm)
	if !s.retryInvoice(inv, at, false, &pm) {
		if msg == "" {
			msg = "Your card was declined."
		}
		return &pageError{http.StatusPaymentRequired, msg}
	}
	return nil
}
