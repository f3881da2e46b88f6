package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

// The hosted Checkout page, laid out as Stripe's: what is bought and what
// it costs over time (a trial's "Then £9.00 per month starting …"), an
// order summary with the promotion code and its Apply button, then the
// card with the country and postal code Stripe asks for with it.
//
// Every re-render of a submitted form (Apply, or a refusal) keeps what was
// typed, card included, so a mistaken code costs the customer nothing.
const checkoutTemplate = `{{define "checkout"}}{{template "top" .}}
<h1>{{.Heading}}</h1>
{{if .Trial}}<div class="price">{{.Trial}}</div>{{else}}<div class="price">{{.Price}} <span class="muted">{{.Per}}</span></div>{{end}}
{{if .Then}}<p>{{.Then}}</p>{{end}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Open}}<form method="post" action="/checkout/{{.ID}}">{{end}}
<table class="summary" aria-label="Order summary">
{{range .Lines}}<tr><td>{{.Description}}{{if .Period}}<div class="hint">{{.Period}}</div>{{end}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}<tr><td>Subtotal</td><td class="num">{{.Subtotal}}</td></tr>
{{if .Discount}}<tr><td>{{.DiscountName}}</td><td class="num">−{{.Discount}}</td></tr>
{{end}}{{if .TotalAfterTrial}}<tr><td>Total after trial</td><td class="num">{{.TotalAfterTrial}}</td></tr>
{{end}}<tr><td><strong>Total due today</strong></td><td class="num"><strong>{{.DueToday}}</strong></td></tr>
</table>
{{if .Open}}{{if .AllowPromo}}<label for="promotion_code">Promotion code</label>
<div class="inline"><input type="text" id="promotion_code" name="promotion_code" value="{{.Promo}}" autocomplete="off"{{if .PromoError}} aria-invalid="true" aria-describedby="promotion_code_error" autofocus{{end}}>
<button type="submit" name="intent" value="apply" class="secondary" formnovalidate>Apply</button></div>
{{if .PromoError}}<p class="error" id="promotion_code_error" role="alert">{{.PromoError}}</p>{{else if .PromoNotice}}<p class="notice" role="status">{{.PromoNotice}}</p>{{end}}{{end}}
<h2>Pay with card</h2>
{{if .NeedEmail}}<label for="email">Email</label><input type="email" id="email" name="email" value="{{.Email}}" autocomplete="email" required>
<label for="name">Name on card</label><input type="text" id="name" name="name" value="{{.Name}}" autocomplete="cc-name">{{else}}<p class="muted">Paying as {{.Email}}</p>{{end}}
<label for="card_number">Card number</label><input type="text" id="card_number" name="card_number" value="{{.Card.Number}}" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<div class="row"><div><label for="card_expiry">Expiry (MM/YY)</label><input type="text" id="card_expiry" name="card_expiry" value="{{.Card.Expiry}}" autocomplete="cc-exp" placeholder="12/34" required></div>
<div><label for="card_cvc">CVC</label><input type="text" id="card_cvc" name="card_cvc" value="{{.Card.CVC}}" inputmode="numeric" autocomplete="cc-csc" placeholder="123" required></div></div>
<div class="row"><div><label for="country">Country or region</label><select id="country" name="country" autocomplete="country">
{{range .Countries}}<option value="{{.Code}}"{{if eq .Code $.Country}} selected{{end}}>{{.Name}}</option>
{{end}}</select></div>
<div><label for="postal_code">Postal code</label><input type="text" id="postal_code" name="postal_code" value="{{.PostalCode}}" autocomplete="postal-code" maxlength="20"></div></div>
<p class="hint">A postal code (a ZIP in the US) is needed for cards from the United Kingdom, the United States and Canada.</p>
<button type="submit">{{if .Trial}}Start trial{{else}}Subscribe{{end}}</button>
</form>
<p class="hint">Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 0341 is accepted now but later charges fail. Any future expiry and any 3-digit CVC.</p>
{{if .CancelURL}}<p><a href="{{.CancelURL}}">← Cancel and go back</a></p>{{end}}
{{else}}<p>{{.Closed}}</p>{{end}}
{{template "bottom" .}}{{end}}`

type checkoutView struct {
	Title, ID, Heading, Price, Per, Trial, Then                   string
	Lines                                                         []invoiceViewLine
	Subtotal, DiscountName, Discount, TotalAfterTrial, DueToday   string
	Error, PromoError, PromoNotice, Email, Name, Promo, CancelURL string
	Closed, Country, PostalCode                                   string
	Card                                                          cardInput
	Countries                                                     []country
	Open, NeedEmail, AllowPromo                                   bool
}

// checkoutView describes the session for the page; called with mu held.
// in is nil for the page as first shown; for a submitted form shown again,
// it is what was typed: kept in the fields, and its promotion code priced
// in the summary when it is one this customer can redeem.
func (s *Sandbox) checkoutView(cs *checkoutSession, in *checkoutInput) checkoutView {
	v := checkoutView{Title: "Checkout", ID: cs.ID, CancelURL: cs.CancelURL, Open: cs.Status == "open",
		AllowPromo: cs.AllowPromotionCodes, Email: cs.CustomerEmail, Countries: countries}
	cu := customers.get(s.st, cs.Customer)
	clockID := ""
	if cu != nil {
		clockID = cu.TestClock
	}
	at := s.now(clockID)
	money := func(v int64) string { return formatMoney(v, cs.Currency) }

	var names []string
	var recurring *price
	for _, it := range cs.Items {
		pr := prices.get(s.st, it.Price)
		if pr == nil {
			continue
		}
		recurring = pr
		name := s.productName(pr)
		names = append(names, name)
		l := invoiceViewLine{Description: name, Amount: money(pr.UnitAmount * it.Quantity), Period: "Billed " + billedEvery(pr)}
		if it.Quantity > 1 {
			l.Description = fmt.Sprintf("%d × %s (at %s)", it.Quantity, name, money(pr.UnitAmount))
		}
		if cs.TrialDays > 0 {
			l.Period = fmt.Sprintf("%d days free, then billed %s", cs.TrialDays, billedEvery(pr))
		}
		v.Lines = append(v.Lines, l)
	}
	v.Heading = "Subscribe to " + strings.Join(names, " + ")
	v.Price, v.Subtotal = money(cs.Subtotal), money(cs.Subtotal)
	if recurring != nil {
		v.Per = perInterval(recurring)
	}

	// The discount: the session's own, or the promotion code typed.
	couponID, code := cs.Coupon, ""
	if pc := promotionCodes.get(s.st, cs.PromotionCode); pc != nil {
		code = pc.Code
	}
	if in != nil && v.Open {
		if typed := strings.TrimSpace(in.Promo); typed != "" && cs.AllowPromotionCodes {
			if pc, why := s.findPromotionCode(typed, cs.Customer, at); pc != nil {
				couponID, code = pc.Coupon, pc.Code
				v.PromoNotice = pc.Code + " applied."
			} else {
				v.PromoError = why
			}
		}
	}
	cp := coupons.get(s.st, couponID)
	off := int64(0)
	if cp != nil {
		off = s.firstDiscount(&checkoutSession{Coupon: couponID, Subtotal: cs.Subtotal})
		v.DiscountName = describeCoupon(cp)
		if code != "" {
			v.DiscountName = code + " (" + v.DiscountName + ")"
		}
		if off > 0 {
			v.Discount = money(off)
		}
	}

	first := at
	if cs.TrialDays > 0 {
		v.Heading = "Try " + strings.Join(names, " + ")
		v.Trial = fmt.Sprintf("%d days free", cs.TrialDays)
		first = at.Add(time.Duration(cs.TrialDays) * day)
		v.TotalAfterTrial, v.DueToday = money(cs.Subtotal-off), money(0)
	} else {
		v.DueToday = money(cs.Subtotal - off)
	}
	if recurring != nil {
		v.Then = s.thenLine(cs, cp, off, recurring, first, at)
	}

	if cu != nil {
		v.Email = cu.Email
	} else {
		v.NeedEmail = cs.CustomerEmail == ""
	}
	if in != nil && v.Open {
		v.Name, v.Promo, v.Card, v.Country, v.PostalCode = in.Name, in.Promo, in.Card, in.Country, in.PostalCode
		if v.NeedEmail {
			v.Email = in.Email
		}
	}
	switch cs.Status {
	case "complete":
		v.Closed = "This checkout is complete. Thank you!"
	case "expired":
		v.Closed = "This checkout session has expired. Go back to the site to start again."
	}
	return v
}

// thenLine says what is charged after today, as Stripe's Checkout does
// under its price: the recurring amount, less the discount while it lasts,
// and from when. first is the first charge (today, or the trial's end).
// Without a trial and with a discount that never ends, today's total says
// it all, and the line is empty.
func (s *Sandbox) thenLine(cs *checkoutSession, cp *coupon, off int64, pr *price, first, at time.Time) string {
	money := func(v int64) string { return formatMoney(v, cs.Currency) }
	full, per := money(cs.Subtotal), perInterval(pr)
	charge := func(k int64) time.Time { return addInterval(first, pr.Interval, k*pr.IntervalCount) }
	// discounted counts the charges the coupon takes off: a forever coupon
	// all of them (-1), a once coupon the first, a repeating one those
	// before it ends, counted from today as the subscription's discount is.
	discounted := int64(0)
	if cp != nil && off > 0 {
		switch cp.Duration {
		case "forever":
			discounted = -1
		case "once":
			discounted = 1
		case "repeating":
			end := addInterval(at, "month", cp.DurationInMonths)
			for discounted < 1000 && charge(discounted).Before(end) {
				discounted++
			}
		}
	}
	trial := cs.TrialDays > 0
	switch {
	case discounted == -1 && trial:
		return "Then " + money(cs.Subtotal-off) + " " + per + " starting " + formatDate(first.Unix())
	case discounted == -1:
		return ""
	case discounted == 0 && trial:
		return "Then " + full + " " + per + " starting " + formatDate(first.Unix())
	case discounted == 0:
		return ""
	}
	after := full + " " + per + " from " + formatDate(charge(discounted).Unix())
	switch {
	case trial && discounted == 1:
		return "Then " + money(cs.Subtotal-off) + " on " + formatDate(first.Unix()) + ", and " + after
	case trial:
		return "Then " + money(cs.Subtotal-off) + " " + per + " starting " + formatDate(first.Unix()) + ", and " + after
	case discounted == 1:
		return "Then " + after
	}
	return "Then " + money(cs.Subtotal-off) + " " + per + ", and " + after
}

// billedEvery names a price's interval for the summary: "monthly", "every 3 months".
func billedEvery(pr *price) string {
	if pr.IntervalCount > 1 {
		return fmt.Sprintf("every %d %ss", pr.IntervalCount, pr.Interval)
	}
	return map[string]string{"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[pr.Interval]
}

func describeCoupon(cp *coupon) string {
	off := couponOff(cp)
	switch cp.Duration {
	case "repeating":
		return fmt.Sprintf("%s for %d months", off, cp.DurationInMonths)
	case "forever":
		return off + " forever"
	}
	return off + " the first payment"
}

func (s *Sandbox) checkoutPage(w http.ResponseWriter, r *http.Request) {
	var v checkoutView
	found := false
	s.locked(func() {
		if cs := sessions.get(s.st, r.PathValue("id")); cs != nil {
			v, found = s.checkoutView(cs, nil), true
		}
	})
	if !found {
		s.messagePage(w, http.StatusNotFound, "Checkout not found", "There is no checkout session with this address.")
		return
	}
	v.Country = browserCountry(r.Header.Get("Accept-Language"))
	s.renderPage(w, http.StatusOK, "checkout", v)
}

// checkoutSubmit pays, or, for the Apply button (intent=apply), prices the
// promotion code typed and shows the page again with everything kept:
// the code's discount in the summary, or why it cannot be used.
func (s *Sandbox) checkoutSubmit(w http.ResponseWriter, r *http.Request) {
	if !readPageForm(w, r) {
		s.messagePage(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := r.PostForm
	in := checkoutInput{
		Card:  cardInput{Number: f.Get("card_number"), Expiry: f.Get("card_expiry"), CVC: f.Get("card_cvc")},
		Promo: f.Get("promotion_code"), Email: f.Get("email"), Name: f.Get("name"),
		Country: f.Get("country"), PostalCode: f.Get("postal_code"),
	}
	apply := f.Get("intent") == "apply"
	var (
		v       checkoutView
		perr    *pageError
		success string
		found   bool
	)
	s.locked(func() {
		cs := sessions.get(s.st, r.PathValue("id"))
		if cs == nil {
			return
		}
		found = true
		if apply {
			perr = s.applyPromotionCode(cs, in)
			v = s.checkoutView(cs, &in)
			return
		}
		perr = s.completeCheckout(cs, in)
		if err := s.commit(r.Context()); err != nil {
			s.log.Error("checkout commit", logkey.Session, cs.ID, logkey.Err, err)
			perr = &pageError{http.StatusInternalServerError, "The sandbox could not save this payment; please try again."}
		}
		if perr != nil {
			v = s.checkoutView(cs, &in)
		}
		success = strings.ReplaceAll(cs.SuccessURL, "{CHECKOUT_SESSION_ID}", cs.ID)
	})
	if v.Country == "" {
		v.Country = browserCountry(r.Header.Get("Accept-Language"))
	}
	switch {
	case !found:
		s.messagePage(w, http.StatusNotFound, "Checkout not found", "There is no checkout session with this address.")
	case apply && perr == nil && v.PromoError != "":
		s.renderPage(w, http.StatusBadRequest, "checkout", v)
	case apply && perr == nil:
		s.renderPage(w, http.StatusOK, "checkout", v)
	case perr != nil:
		// A refused promotion code is said beside its field, once.
		if perr.Message != v.PromoError {
			v.Error = perr.Message
		}
		if perr.Status == http.StatusConflict || perr.Status == http.StatusGone {
			v.Open = false
		}
		s.renderPage(w, perr.Status, "checkout", v)
	default:
		http.Redirect(w, r, success, http.StatusSeeOther)
	}
}

// applyPromotionCode checks the code typed for the Apply button; it changes
// nothing, since the code counts only once the checkout completes. mu held.
func (s *Sandbox) applyPromotionCode(cs *checkoutSession, in checkoutInput) *pageError {
	switch {
	case cs.Status == "complete":
		return &pageError{http.StatusConflict, "This checkout session is already complete."}
	case cs.Status == "expired":
		return &pageError{http.StatusGone, "This checkout session has expired; go back and start again."}
	case !cs.AllowPromotionCodes && strings.TrimSpace(in.Promo) != "":
		return &pageError{http.StatusBadRequest, "Promotion codes are not accepted for this purchase."}
	}
	return nil
}
