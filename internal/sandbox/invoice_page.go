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
<p><a href="/invoice/{{.ID}}/pdf">Download invoice (PDF)</a></p>
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
	Title, ID, Number, Customer, Error, Headline, Status, PaidOn, NextAttempt, Issued     string
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

// invoicePDFURL is the invoice as a PDF document (its invoice_pdf); a draft
// has none, as in Stripe.
func (s *Sandbox) invoicePDFURL(inv *invoice) any {
	if s.base == "" || inv.Status == invDraft {
		return nil
	}
	return s.base + "/invoice/" + inv.ID + "/pdf"
}

// invoiceView describes the invoice for its page; called with mu held.
func (s *Sandbox) invoiceView(inv *invoice) invoiceView {
	money := func(v int64) string { return formatMoney(v, inv.Currency) }
	due := inv.amountDue()
	v := invoiceView{Title: "Invoice " + inv.Number, ID: inv.ID, Number: inv.Number, Status: strings.ToUpper(inv.Status[:1]) + inv.Status[1:],
		Issued:   formatDate(inv.FinalizedAt),
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
	sub := subscriptions.get(s.st, inv.Subscription)
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
	cp := coupons.get(s.st, d.Coupon)
	switch pc := promotionCodes.get(s.st, d.PromotionCode); {
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

// invoicePDF is the invoice as a one-page PDF document: what its hosted
// page shows, laid out as a printed invoice. mu held.
func (s *Sandbox) invoicePDF(inv *invoice) []byte {
	v := s.invoiceView(inv)
	const left, right, labels, sums = 56.0, 539.0, 160.0, 330.0
	var texts []pdfText
	var rules []pdfRule
	add := func(t pdfText) {
		if t.Size == 0 {
			t.Size = 10
		}
		texts = append(texts, t)
	}
	add(pdfText{X: left, Y: 780, Size: 22, Bold: true, Text: "Invoice"})
	add(pdfText{X: right, Y: 786, Size: 12, Bold: true, Right: true, Text: "Tollgate Sandbox"})
	add(pdfText{X: right, Y: 772, Size: 9, Grey: true, Right: true, Text: "Test mode: no real money moves"})
	y := 736.0
	status := v.Status
	if v.PaidOn != "" {
		status += " on " + v.PaidOn
	}
	for _, row := range [][2]string{{"Invoice number", v.Number}, {"Date of issue", v.Issued}, {"Status", status}, {"Bill to", v.Customer}} {
		add(pdfText{X: left, Y: y, Grey: true, Text: row[0]})
		add(pdfText{X: labels, Y: y, Text: row[1]})
		y -= 16
	}
	y -= 14
	add(pdfText{X: left, Y: y, Size: 16, Bold: true, Text: v.Headline})
	y -= 34
	add(pdfText{X: left, Y: y, Bold: true, Text: "Description"})
	add(pdfText{X: right, Y: y, Bold: true, Right: true, Text: "Amount"})
	rules = append(rules, pdfRule{left, right, y - 6})
	y -= 22
	for _, l := range v.Lines {
		for i, part := range wrapWords(l.Description, 70) {
			add(pdfText{X: left, Y: y, Text: part})
			if i == 0 {
				add(pdfText{X: right, Y: y, Right: true, Text: l.Amount})
			}
			y -= 13
		}
		if l.Period != "" {
			add(pdfText{X: left, Y: y + 1, Size: 8.5, Grey: true, Text: l.Period})
			y -= 12
		}
		y -= 6
	}
	rules = append(rules, pdfRule{sums, right, y + 8})
	y -= 10
	sum := func(label, amount string, bold bool) {
		add(pdfText{X: sums, Y: y, Bold: bold, Text: label})
		add(pdfText{X: right, Y: y, Bold: bold, Right: true, Text: amount})
		y -= 16
	}
	sum("Subtotal", v.Subtotal, false)
	if v.Discount != "" {
		sum(v.DiscountName, "−"+v.Discount, false)
	}
	sum("Total", v.Total, true)
	if v.Balance != "" {
		sum(v.BalanceLabel, v.Balance, false)
	}
	sum("Amount due", v.AmountDue, false)
	sum("Amount paid", v.AmountPaid, false)
	if url, ok := s.hostedInvoiceURL(inv).(string); ok {
		add(pdfText{X: left, Y: 72, Size: 8.5, Grey: true, Text: "View this invoice online: " + url})
	}
	add(pdfText{X: left, Y: 58, Size: 8.5, Grey: true, Text: "Made by the Tollgate Sandbox, an offline Stripe for learning. Invoice " + inv.ID + "."})
	return writePDF("Invoice "+v.Number, texts, rules)
}

// wrapWords breaks text into lines of at most width characters, at spaces.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// invoicePDFPage serves invoice_pdf: the PDF of a finalized invoice.
func (s *Sandbox) invoicePDFPage(w http.ResponseWriter, r *http.Request) {
	var doc []byte
	name := ""
	s.locked(func() {
		if inv := invoices.get(s.st, r.PathValue("id")); inv != nil && inv.Status != invDraft {
			doc, name = s.invoicePDF(inv), inv.Number
		}
	})
	if doc == nil {
		s.messagePage(w, http.StatusNotFound, "Invoice not found", "There is no finalized invoice with this address.")
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="Invoice-`+name+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(doc)
}

func (s *Sandbox) invoicePage(w http.ResponseWriter, r *http.Request) {
	var v invoiceView
	found := false
	s.locked(func() {
		if inv := invoices.get(s.st, r.PathValue("id")); inv != nil && inv.Status != invDraft {
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
		inv := invoices.get(s.st, r.PathValue("id"))
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
	pm.base = paymentMethods.newBase(s.st, at)
	paymentMethods.put(s.st, &pm)
	if !s.retryInvoice(inv, at, false, &pm) {
		if msg == "" {
			msg = "Your card was declined."
		}
		return &pageError{http.StatusPaymentRequired, msg}
	}
	return nil
}
