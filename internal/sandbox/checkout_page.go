package sandbox

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/logkey"
)

const checkoutTemplate = `{{define "checkout"}}{{template "top" .}}
<h1>Subscribe to {{.Product}}</h1>
<div class="price">{{.Price}} <span class="muted">per {{.Interval}}</span></div>
{{if .Trial}}<p><strong>{{.Trial}}</strong> — nothing is charged today.</p>{{end}}
{{range .Lines}}<div class="muted">{{.}}</div>{{end}}
{{if .Discount}}<p>Discount: {{.Discount}}</p>{{end}}
<p>Due today: <strong>{{.DueToday}}</strong></p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Open}}
<form method="post" action="/checkout/{{.ID}}">
{{if .NeedEmail}}<label for="email">Email</label><input type="email" id="email" name="email" value="{{.Email}}" required>
<label for="name">Name on card</label><input type="text" id="name" name="name" value="{{.Name}}">{{else}}<p class="muted">Paying as {{.Email}}</p>{{end}}
<label for="card_number">Card number</label><input type="text" id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<div class="row"><div><label for="card_expiry">Expiry (MM/YY)</label><input type="text" id="card_expiry" name="card_expiry" placeholder="12/34" required></div>
<div><label for="card_cvc">CVC</label><input type="text" id="card_cvc" name="card_cvc" inputmode="numeric" placeholder="123" required></div></div>
{{if .AllowPromo}}<label for="promotion_code">Promotion code</label><input type="text" id="promotion_code" name="promotion_code" value="{{.Promo}}">{{end}}
<button type="submit">{{if .Trial}}Start trial{{else}}Subscribe{{end}}</button>
</form>
<p class="hint">Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 0341 is accepted now but later charges fail. Any future expiry and any 3-digit CVC.</p>
{{if .CancelURL}}<p><a href="{{.CancelURL}}">← Cancel and go back</a></p>{{end}}
{{else}}<p>{{.Closed}}</p>{{end}}
{{template "bottom" .}}{{end}}`

type checkoutView struct {
	Title, ID, Product, Interval, Price, Trial, Discount, DueToday string
	Lines                                                          []string
	Error, Email, Name, Promo, CancelURL, Closed                   string
	Open, NeedEmail, AllowPromo                                    bool
}

// checkoutView describes the session for the page; called with mu held.
func (s *Sandbox) checkoutView(cs *checkoutSession) checkoutView {
	v := checkoutView{Title: "Checkout", ID: cs.ID, CancelURL: cs.CancelURL, Open: cs.Status == "open",
		AllowPromo: cs.AllowPromotionCodes, Email: cs.CustomerEmail}
	var names []string
	for _, it := range cs.Items {
		pr := s.st.prices.get(it.Price)
		if pr == nil {
			continue
		}
		name := s.productName(pr)
		names = append(names, name)
		v.Interval = pr.Interval
		if pr.IntervalCount > 1 {
			v.Interval = fmt.Sprintf("%d %ss", pr.IntervalCount, pr.Interval)
		}
		if len(cs.Items) > 1 || it.Quantity > 1 {
			v.Lines = append(v.Lines, fmt.Sprintf("%d × %s at %s", it.Quantity, name, formatMoney(pr.UnitAmount, pr.Currency)))
		}
	}
	v.Product = strings.Join(names, " + ")
	v.Price = formatMoney(cs.Subtotal, cs.Currency)
	if cs.TrialDays > 0 {
		v.Trial = fmt.Sprintf("%d-day free trial", cs.TrialDays)
	}
	due := cs.Subtotal
	if cp := s.st.coupons.get(cs.Coupon); cp != nil {
		v.Discount = describeCoupon(cp)
		due -= cs.DiscountAmount
	}
	if cs.TrialDays > 0 {
		due = 0
	}
	v.DueToday = formatMoney(due, cs.Currency)
	if cu := s.st.customers.get(cs.Customer); cu != nil {
		v.Email = cu.Email
	} else {
		v.NeedEmail = cs.CustomerEmail == ""
	}
	switch cs.Status {
	case "complete":
		v.Closed = "This checkout is complete. Thank you!"
	case "expired":
		v.Closed = "This checkout session has expired. Go back to the site to start again."
	}
	return v
}

func describeCoupon(cp *coupon) string {
	off := fmt.Sprintf("%g%% off", cp.PercentOff)
	if cp.AmountOff > 0 {
		off = formatMoney(cp.AmountOff, cp.Currency) + " off"
	}
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
		if cs := s.st.sessions.get(r.PathValue("id")); cs != nil {
			v, found = s.checkoutView(cs), true
		}
	})
	if !found {
		s.messagePage(w, http.StatusNotFound, "Checkout not found", "There is no checkout session with this address.")
		return
	}
	s.renderPage(w, http.StatusOK, "checkout", v)
}

func (s *Sandbox) checkoutSubmit(w http.ResponseWriter, r *http.Request) {
	if !readPageForm(w, r) {
		s.messagePage(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	in := checkoutInput{
		Card:  cardInput{Number: r.PostForm.Get("card_number"), Expiry: r.PostForm.Get("card_expiry"), CVC: r.PostForm.Get("card_cvc")},
		Promo: r.PostForm.Get("promotion_code"), Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"),
	}
	var (
		v       checkoutView
		perr    *pageError
		success string
		found   bool
	)
	s.locked(func() {
		cs := s.st.sessions.get(r.PathValue("id"))
		if cs == nil {
			return
		}
		found = true
		perr = s.completeCheckout(cs, in)
		if err := s.commit(r.Context()); err != nil {
			s.log.Error("checkout commit", logkey.Session, cs.ID, logkey.Err, err)
			perr = &pageError{http.StatusInternalServerError, "The sandbox could not save this payment; please try again."}
		}
		v = s.checkoutView(cs)
		success = strings.ReplaceAll(cs.SuccessURL, "{CHECKOUT_SESSION_ID}", cs.ID)
	})
	if !found {
		s.messagePage(w, http.StatusNotFound, "Checkout not found", "There is no checkout session with this address.")
		return
	}
	if perr != nil {
		v.Error, v.Promo, v.Name = perr.Message, in.Promo, in.Name
		if v.NeedEmail {
			v.Email = in.Email
		}
		if perr.Status == http.StatusConflict || perr.Status == http.StatusGone {
			v.Open = false
		}
		s.renderPage(w, perr.Status, "checkout", v)
		return
	}
	http.Redirect(w, r, success, http.StatusSeeOther)
}
