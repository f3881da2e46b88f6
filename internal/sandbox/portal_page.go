package sandbox

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/logkey"
)

const portalTemplate = `{{define "portal"}}{{template "top" .}}
<h1>Your subscription</h1>
<p class="muted">{{.Customer}}</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Notice}}<p class="notice" role="status">{{.Notice}}</p>{{end}}
<h2>Subscriptions</h2>
{{range .Subs}}<div class="card">
<strong>{{.Plan}}</strong> — {{.Amount}}<br>
Status: <strong>{{.Status}}</strong>{{if .TrialEnd}} (trial ends {{.TrialEnd}}){{end}}<br>
{{if .Ended}}Ended {{.Ended}}{{else if .CancelPending}}Cancels on {{.PeriodEnd}}{{else}}Renews on {{.PeriodEnd}}{{end}}
{{if .Live}}{{if .CancelPending}}
<form method="post" action="/portal/{{$.ID}}"><input type="hidden" name="action" value="renew"><input type="hidden" name="subscription" value="{{.ID}}"><button type="submit">Renew subscription</button></form>
{{else if $.CanCancel}}
<form method="post" action="/portal/{{$.ID}}"><input type="hidden" name="action" value="cancel"><input type="hidden" name="subscription" value="{{.ID}}"><button type="submit" class="secondary">Cancel subscription</button></form>
{{end}}{{end}}
</div>{{else}}<p class="muted">No subscriptions.</p>{{end}}
{{if .CanUpdateCard}}<h2>Payment method</h2>
<p>{{if .Card}}{{.Card}}{{else}}No card on file.{{end}}</p>
<form method="post" action="/portal/{{.ID}}"><input type="hidden" name="action" value="update_card">
<label for="card_number">New card number</label><input type="text" id="card_number" name="card_number" inputmode="numeric" placeholder="4242 4242 4242 4242" required>
<div class="row"><div><label for="card_expiry">Expiry (MM/YY)</label><input type="text" id="card_expiry" name="card_expiry" placeholder="12/34"></div>
<div><label for="card_cvc">CVC</label><input type="text" id="card_cvc" name="card_cvc" placeholder="123"></div></div>
<button type="submit">Update card</button></form>{{end}}
{{if .ShowInvoices}}<h2>Invoices</h2>
{{if .Invoices}}<table><tr><th>Date</th><th>Number</th><th>Amount</th><th>Status</th></tr>
{{range .Invoices}}<tr><td>{{.Date}}</td><td>{{.Number}}</td><td>{{.Amount}}</td><td>{{.Status}}</td></tr>{{end}}</table>
{{else}}<p class="muted">No invoices yet.</p>{{end}}{{end}}
{{if .ReturnURL}}<p><a href="{{.ReturnURL}}">← Return to the site</a></p>{{end}}
{{template "bottom" .}}{{end}}`

type portalView struct {
	Title, ID, Customer, Card, Error, Notice, ReturnURL string
	CanCancel, CanUpdateCard, ShowInvoices              bool
	Subs                                                []portalSub
	Invoices                                            []portalInvoice
}

type portalSub struct {
	ID, Plan, Amount, Status, PeriodEnd, TrialEnd, Ended string
	CancelPending, Live                                  bool
}

type portalInvoice struct {
	Date, Number, Amount, Status string
}

// portalView describes the customer's billing for the page; mu held.
func (s *Sandbox) portalView(ps *portalSession) portalView {
	// Only what the configuration enables is shown, as in Stripe.
	v := portalView{Title: "Billing", ID: ps.ID, ReturnURL: ps.ReturnURL}
	if pc := s.st.portalConfigs.get(ps.Configuration); pc != nil {
		v.CanCancel = pc.portalFeature("subscription_cancel")
		v.CanUpdateCard = pc.portalFeature("payment_method_update")
		v.ShowInvoices = pc.portalFeature("invoice_history")
	}
	cu := s.st.customers.get(ps.Customer)
	if cu == nil {
		return v
	}
	v.Customer = cu.Email
	if cu.Name != "" {
		v.Customer = cu.Name + " · " + cu.Email
	}
	if pm := s.shownCard(cu); pm != nil {
		v.Card = fmt.Sprintf("%s •••• %s, expires %02d/%d", strings.ToUpper(pm.Brand[:1])+pm.Brand[1:], pm.Last4, pm.ExpMonth, pm.ExpYear%100)
	}
	for _, sub := range sorted(&s.st.subscriptions, func(sub *subscription) bool { return sub.Customer == cu.ID }) {
		ps := portalSub{ID: sub.ID, Status: strings.ReplaceAll(sub.Status, "_", " "), PeriodEnd: formatDate(sub.PeriodEnd),
			CancelPending: sub.CancelAtPeriodEnd, Live: sub.entitled(), Ended: formatDate(sub.EndedAt)}
		if sub.Status == subTrialing {
			ps.TrialEnd = formatDate(sub.TrialEnd)
		}
		var names []string
		var total int64
		for _, it := range sub.Items {
			if pr := s.st.prices.get(it.Price); pr != nil {
				total += pr.UnitAmount * it.Quantity
				ps.Amount = formatMoney(total, pr.Currency) + " per " + pr.Interval
				if pd := s.st.products.get(pr.Product); pd != nil {
					names = append(names, pd.Name)
				}
			}
		}
		ps.Plan = strings.Join(names, " + ")
		v.Subs = append(v.Subs, ps)
	}
	for _, inv := range sorted(&s.st.invoices, func(inv *invoice) bool { return inv.Customer == cu.ID }) {
		v.Invoices = append(v.Invoices, portalInvoice{Date: formatDate(inv.Created), Number: inv.Number,
			Amount: formatMoney(inv.Total, inv.Currency), Status: inv.Status})
	}
	return v
}

func (s *Sandbox) portalPage(w http.ResponseWriter, r *http.Request) {
	var v portalView
	found := false
	s.locked(func() {
		ps := s.st.portalSessions.get(r.PathValue("id"))
		if ps == nil {
			return
		}
		found = true
		v = s.portalView(ps)
		// The message of the last action shows once, like a flash.
		v.Error, v.Notice = ps.FlashError, ps.FlashNotice
		if ps.FlashError != "" || ps.FlashNotice != "" {
			ps.FlashError, ps.FlashNotice = "", ""
			s.st.portalSessions.put(s.st, ps.ID, ps)
			if err := s.commit(r.Context()); err != nil {
				s.log.Error("portal commit", logkey.Session, ps.ID, logkey.Err, err)
			}
		}
	})
	if !found {
		s.messagePage(w, http.StatusNotFound, "Portal session not found", "There is no billing portal session with this address.")
		return
	}
	s.renderPage(w, http.StatusOK, "portal", v)
}

// portalSubmit runs one portal action and answers 303 back to the portal,
// where its outcome (done, or refused with a reason) is shown. Only a
// malformed request (unknown action or subscription) is answered with the
// page and a 400.
func (s *Sandbox) portalSubmit(w http.ResponseWriter, r *http.Request) {
	if !readPageForm(w, r) {
		s.messagePage(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	card := cardInput{Number: r.PostForm.Get("card_number"), Expiry: r.PostForm.Get("card_expiry"), CVC: r.PostForm.Get("card_cvc")}
	var (
		v        portalView
		perr     *pageError
		found    bool
		failSave bool
	)
	s.locked(func() {
		ps := s.st.portalSessions.get(r.PathValue("id"))
		if ps == nil {
			return
		}
		found = true
		var notice string
		notice, perr = s.portalAction(ps, r.PostForm.Get("action"), r.PostForm.Get("subscription"), card)
		if perr != nil && perr.Status == http.StatusBadRequest {
			v = s.portalView(ps)
			v.Error = perr.Message
			return
		}
		ps.FlashNotice = notice
		if perr != nil {
			ps.FlashError = perr.Message
		}
		s.st.portalSessions.put(s.st, ps.ID, ps)
		if err := s.commit(r.Context()); err != nil {
			s.log.Error("portal commit", logkey.Session, ps.ID, logkey.Err, err)
			failSave = true
		}
	})
	switch {
	case !found:
		s.messagePage(w, http.StatusNotFound, "Portal session not found", "There is no billing portal session with this address.")
	case perr != nil && perr.Status == http.StatusBadRequest:
		s.renderPage(w, perr.Status, "portal", v)
	case failSave:
		s.messagePage(w, http.StatusInternalServerError, "Error", "The sandbox could not save this change; please try again.")
	default:
		http.Redirect(w, r, "/portal/"+r.PathValue("id"), http.StatusSeeOther)
	}
}

// portalAction applies an action for the session's customer. A malformed
// request is a 400; a refusal the customer can fix (a declined card) is a
// 402 shown on the portal after the redirect.
func (s *Sandbox) portalAction(ps *portalSession, action, subID string, card cardInput) (string, *pageError) {
	cu := s.st.customers.get(ps.Customer)
	if cu == nil {
		return "", &pageError{http.StatusBadRequest, "This customer no longer exists."}
	}
	at := s.now(cu.TestClock)
	pc := s.st.portalConfigs.get(ps.Configuration)
	switch action {
	case "cancel", "renew":
		sub := s.st.subscriptions.get(subID)
		if sub == nil && subID == "" {
			sub = s.onlyLiveSubscription(cu.ID)
		}
		if sub == nil || sub.Customer != cu.ID {
			return "", &pageError{http.StatusBadRequest, "Choose one of your subscriptions."}
		}
		if !sub.entitled() {
			return "", &pageError{http.StatusBadRequest, "This subscription has already ended."}
		}
		if action == "cancel" && (pc == nil || !pc.portalFeature("subscription_cancel")) {
			return "", &pageError{http.StatusBadRequest, "Canceling is not enabled for this portal."}
		}
		if action == "cancel" && pc.cancelMode() == "immediately" {
			s.endSubscription(sub, at, "cancellation_requested")
			return "Your subscription has been canceled.", nil
		}
		on := action == "cancel"
		if sub.CancelAtPeriodEnd == on {
			return "Nothing to change.", nil
		}
		prev := s.subSnapshot(sub)
		s.setCancelAtPeriodEnd(sub, on, at)
		s.subChanged(sub, prev, at)
		if on {
			return "Your subscription will end on " + formatDate(sub.PeriodEnd) + ".", nil
		}
		return "Your subscription will renew.", nil
	case "update_card":
		if pc == nil || !pc.portalFeature("payment_method_update") {
			return "", &pageError{http.StatusBadRequest, "Updating the card is not enabled for this portal."}
		}
		pm, _, msg, declined := checkCard(card, at, false)
		if msg != "" {
			status := http.StatusBadRequest
			if declined {
				status = http.StatusPaymentRequired
			}
			return "", &pageError{status, "Card not updated: " + msg}
		}
		pm.base = s.st.newBase("pm_", at)
		s.attachPM(cu, &pm)
		cu.DefaultPM = pm.ID
		s.st.customers.put(s.st, cu.ID, cu)
		s.emit(at, "payment_method.attached", renderPaymentMethod(&pm))
		s.emit(at, "customer.updated", s.renderCustomer(cu, nil))
		for _, sub := range s.st.subscriptions.rows {
			if sub.Customer == cu.ID && sub.entitled() {
				prev := s.subSnapshot(sub)
				sub.DefaultPM = pm.ID
				s.subChanged(sub, prev, at)
			}
		}
		return "Your card was updated.", nil
	}
	return "", &pageError{http.StatusBadRequest, "Unknown action."}
}

// shownCard is the card the portal shows: the customer's invoice default,
// else the newest running subscription's card, since after Checkout the
// card is saved only on the subscription.
func (s *Sandbox) shownCard(cu *customer) *paymentMethod {
	if pm := s.st.paymentMethods.get(cu.DefaultPM); pm != nil {
		return pm
	}
	for _, sub := range sorted(&s.st.subscriptions, func(sub *subscription) bool { return sub.Customer == cu.ID && sub.entitled() }) {
		if pm := s.st.paymentMethods.get(sub.DefaultPM); pm != nil {
			return pm
		}
	}
	return nil
}

// onlyLiveSubscription picks the customer's subscription when the form did
// not name one and there is exactly one that is still running.
func (s *Sandbox) onlyLiveSubscription(customerID string) *subscription {
	var found *subscription
	for _, sub := range s.st.subscriptions.rows {
		if sub.Customer == customerID && sub.entitled() {
			if found != nil {
				return nil
			}
			found = sub
		}
	}
	return found
}
