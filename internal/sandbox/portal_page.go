package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

const portalTemplate = `{{define "portal"}}{{template "top" .}}
{{if .Confirm}}{{template "portal-confirm" .}}
{{else if .Cancel}}{{template "portal-cancel" .}}
{{else if .Reason}}{{template "portal-reason" .}}
{{else if .Confirmation}}<h1>Your plan was updated</h1>
<p class="notice" role="status">{{.Confirmation}}</p>
{{if .ReturnURL}}<p><a href="{{.ReturnURL}}">← Return to the site</a></p>{{end}}
{{else if .Flow}}<h1>Update your plan</h1>
<p class="muted">{{.Customer}}</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{range .Subs}}{{template "portal-sub" .}}{{end}}
{{if .ReturnURL}}<p><a href="{{.ReturnURL}}">← Return to the site</a></p>{{end}}
{{else}}<h1>Your subscription</h1>
<p class="muted">{{.Customer}}</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Notice}}<p class="notice" role="status">{{.Notice}}</p>{{end}}
<h2>Subscriptions</h2>
{{range .Subs}}{{template "portal-sub" .}}{{else}}<p class="muted">No subscriptions.</p>{{end}}
{{if .CanUpdateCard}}<h2>Payment method</h2>
<p>{{if .Card}}{{.Card}}{{else}}No card on file.{{end}}</p>
<form method="post" action="/portal/{{.ID}}"><input type="hidden" name="action" value="update_card">
<label for="card_number">New card number</label><input type="text" id="card_number" name="card_number" inputmode="numeric" placeholder="4242 4242 4242 4242" required>
<div class="row"><div><label for="card_expiry">Expiry (MM/YY)</label><input type="text" id="card_expiry" name="card_expiry" placeholder="12/34"></div>
<div><label for="card_cvc">CVC</label><input type="text" id="card_cvc" name="card_cvc" placeholder="123"></div></div>
<button type="submit">Update card</button></form>{{end}}
{{if .ShowInvoices}}<h2>Invoices</h2>
{{if .Invoices}}<table aria-label="Invoices"><tr><th>Date</th><th>Invoice</th><th class="num">Amount</th><th>Status</th><th></th></tr>
{{range .Invoices}}<tr><td>{{.Date}}</td><td>{{if .URL}}<a href="{{.URL}}" title="View invoice {{.Number}}">{{.Number}}</a>{{else}}{{.Number}}{{end}}</td><td class="num">{{.Amount}}</td><td>{{.Status}}</td><td>{{if .PDF}}<a href="{{.PDF}}" title="Download invoice {{.Number}} as a PDF">PDF</a>{{end}}</td></tr>
{{end}}</table>
{{else}}<p class="muted">No invoices yet.</p>{{end}}{{end}}
{{if .ReturnURL}}<p><a href="{{.ReturnURL}}">← Return to the site</a></p>{{end}}
{{end}}{{template "bottom" .}}{{end}}
{{define "portal-sub"}}<div class="card">
<strong>{{.Plan}}</strong> — {{.Amount}}{{if .Discounted}}<br><span class="discounted">{{.Discounted}}</span>{{end}}<br>
Status: <strong>{{.Status}}</strong>{{if .TrialEnd}} (trial ends {{.TrialEnd}}){{end}}<br>
{{if .Ended}}Ended {{.Ended}}{{else if .CancelPending}}Cancels on {{.PeriodEnd}}{{else}}Renews on {{.PeriodEnd}}{{end}}
{{range .Switches}}<form method="get" action="/portal/{{.Session}}" class="switch"><input type="hidden" name="subscription" value="{{.Subscription}}"><input type="hidden" name="price" value="{{.Price}}"><button type="submit" class="secondary">{{.Label}}</button> <span class="muted"><span class="nowrap">{{.Amount}}</span>{{if .Discounted}} · <span class="nowrap">{{.Discounted}}</span>{{end}}</span></form>
{{end}}{{if and .Live (not .InFlow)}}{{if .CancelPending}}
<form method="post" action="/portal/{{.Session}}"><input type="hidden" name="action" value="renew"><input type="hidden" name="subscription" value="{{.ID}}"><button type="submit">Renew subscription</button></form>
{{else if .CanCancel}}
<form method="get" action="/portal/{{.Session}}"><input type="hidden" name="cancel" value="{{.ID}}"><button type="submit" class="secondary">Cancel subscription</button></form>
{{end}}{{end}}
</div>{{end}}
{{define "portal-confirm"}}{{with .Confirm}}<h1>Confirm your new plan</h1>
<p class="muted">{{$.Customer}}</p>
{{if $.Error}}<p class="error" role="alert">{{$.Error}}</p>{{end}}
<div class="card"><span class="muted">Current plan</span><br><strong>{{.From}}</strong></div>
<div class="card"><span class="muted">New plan</span><br><strong>{{.To}}</strong>{{if .Renews}}<br>Renews on {{.Renews}}{{end}}</div>
{{if .TrialNote}}<p>{{.TrialNote}}</p>{{end}}
{{if .Lines}}<table>
<tr><th>{{.LinesTitle}}</th><th class="num">Amount</th></tr>
{{range .Lines}}<tr><td>{{.Description}}{{if .Period}}<div class="hint">{{.Period}}</div>{{end}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}{{if .Discount}}<tr><td>{{.DiscountName}}</td><td class="num">−{{.Discount}}</td></tr>
{{end}}{{if .Total}}<tr><td><strong>Total</strong></td><td class="num"><strong>{{.Total}}</strong></td></tr>{{end}}
</table>{{end}}
{{if .DiscountNote}}<p class="hint">{{.DiscountNote}}</p>{{end}}
<p><strong>{{.Summary}}</strong></p>
<form method="post" action="/portal/{{$.ID}}"><input type="hidden" name="action" value="update_plan"><input type="hidden" name="subscription" value="{{.Subscription}}"><input type="hidden" name="price" value="{{.Price}}"><button type="submit">Confirm</button></form>
<p><a href="/portal/{{$.ID}}">← Back</a></p>{{end}}{{end}}
{{define "portal-cancel"}}{{with .Cancel}}<h1>Cancel your subscription?</h1>
<p class="muted">{{$.Customer}}</p>
{{if $.Error}}<p class="error" role="alert">{{$.Error}}</p>{{end}}
<div class="card"><strong>{{.Plan}}</strong> — {{.Amount}}{{if .Discounted}}<br><span class="discounted">{{.Discounted}}</span>{{end}}</div>
<p><strong>{{.Access}}</strong></p>
<p>{{.Detail}}</p>
<form method="post" action="/portal/{{$.ID}}"><input type="hidden" name="action" value="cancel"><input type="hidden" name="subscription" value="{{.Subscription}}"><button type="submit" class="danger">Confirm cancellation</button></form>
<p><a href="/portal/{{$.ID}}">← Go back</a></p>{{end}}{{end}}
{{define "portal-reason"}}{{with .Reason}}<h1>Why are you canceling?</h1>
<p class="muted">{{$.Customer}}</p>
{{if $.Notice}}<p class="notice" role="status">{{$.Notice}}</p>{{end}}
{{if $.Error}}<p class="error" role="alert">{{$.Error}}</p>{{end}}
<form method="post" action="/portal/{{$.ID}}" class="reason"><input type="hidden" name="action" value="cancellation_reason"><input type="hidden" name="subscription" value="{{.Subscription}}">
<fieldset><legend>Your answer is optional, and helps us improve.</legend>
{{range $i, $o := .Options}}<label class="choice"><input type="radio" name="reason" value="{{.Value}}"{{if .Checked}} checked{{end}}{{if eq $i 0}} required{{end}}> {{.Label}}</label>
{{end}}</fieldset>
{{if .Other}}<div class="comment"><label for="comment">Tell us more (optional)</label><textarea id="comment" name="comment" rows="3" maxlength="{{.MaxComment}}">{{.Comment}}</textarea></div>{{end}}
<button type="submit">Submit</button> <a class="skip" href="/portal/{{$.ID}}">Skip</a>
</form>{{end}}{{end}}`

type portalView struct {
	Title, ID, Customer, Card, Error, Notice, ReturnURL string
	CanCancel, CanUpdateCard, ShowInvoices              bool
	Subs                                                []portalSub
	Invoices                                            []portalInvoice
	// Flow is set while a subscription_update flow is under way: the page
	// shows only that subscription's plan choices.
	Flow bool
	// Confirm is the confirmation step of a plan change.
	Confirm *portalConfirm
	// Confirmation ends a flow whose after_completion is hosted_confirmation.
	Confirmation string
	// Cancel is the confirmation step of a cancellation; Reason, the
	// question that follows it when the configuration asks for a reason.
	Cancel *portalCancel
	Reason *portalReason
}

// portalCancel says what canceling will do before the customer confirms.
type portalCancel struct {
	Subscription, Plan, Amount, Discounted, Access, Detail string
}

// portalReason asks why a subscription was canceled, with the reasons the
// configuration offers.
type portalReason struct {
	Subscription, Comment string
	Options               []reasonOption
	Other                 bool // "Other reason" is offered: it comes with a comment box
	MaxComment            int
}

type reasonOption struct {
	Value, Label string
	Checked      bool
}

// cancellationFeedback is Stripe's list of cancellation reasons, in the
// order its portal shows them; feedbackLabels are the words it shows.
var (
	cancellationFeedback = []string{"too_expensive", "missing_features", "switched_service", "unused",
		"customer_service", "too_complex", "low_quality", "other"}
	feedbackLabels = map[string]string{
		"too_expensive": "It's too expensive", "missing_features": "I need more features",
		"switched_service": "I found an alternative", "unused": "I no longer need it",
		"customer_service": "Customer service was less than expected", "too_complex": "Ease of use was less than expected",
		"low_quality": "Quality was less than expected", "other": "Other reason",
	}
)

// maxCancelComment is the API's limit on cancellation_details.comment.
const maxCancelComment = 5000

type portalSub struct {
	Session, ID, Plan, Amount, Status, PeriodEnd, TrialEnd, Ended string
	// Discounted is what the subscription costs with its running
	// discount: "£8.10 per month with LEARN10".
	Discounted                             string
	CancelPending, Live, CanCancel, InFlow bool
	Switches                               []portalSwitch
}

// portalSwitch is one plan a subscription may change to.
type portalSwitch struct {
	Session, Subscription, Price, Label, Amount, Discounted string
}

type portalInvoice struct {
	Date, Number, Amount, Status, URL, PDF string
}

// portalConfirm shows what a plan change will do before the customer
// confirms it.
type portalConfirm struct {
	Subscription, Price, From, To, Renews, TrialNote, Summary string
	LinesTitle, DiscountName, Discount, Total, DiscountNote   string
	Lines                                                     []invoiceViewLine
}

// portalView describes the customer's billing for the page; mu held.
func (s *Sandbox) portalView(ps *portalSession) portalView {
	// Only what the configuration enables is shown, as in Stripe.
	v := portalView{Title: "Billing", ID: ps.ID, ReturnURL: ps.ReturnURL}
	cfg := portalConfigs.get(s.st, ps.Configuration)
	if cfg != nil {
		v.CanCancel = cfg.portalFeature("subscription_cancel")
		v.CanUpdateCard = cfg.portalFeature("payment_method_update")
		v.ShowInvoices = cfg.portalFeature("invoice_history")
	}
	flow := ps.Flow != nil && !ps.Flow.Done
	v.Flow = flow
	if ps.Flow != nil && ps.Flow.Done && ps.Flow.AfterCompletion == "hosted_confirmation" {
		v.Confirmation = ps.Flow.CustomMessage
		if v.Confirmation == "" {
			v.Confirmation = "Your subscription has been updated."
		}
	}
	cu := customers.get(s.st, ps.Customer)
	if cu == nil {
		return v
	}
	v.Customer = cu.Email
	if cu.Name != "" {
		v.Customer = cu.Name + " · " + cu.Email
	}
	if pm := s.shownCard(cu); pm != nil {
		v.Card = describeCard(pm)
	}
	for _, sub := range subsByCustomer.newest(s.st, cu.ID, nil) {
		if flow && sub.ID != ps.Flow.Subscription {
			continue
		}
		row := portalSub{Session: ps.ID, ID: sub.ID, Status: strings.ReplaceAll(sub.Status, "_", " "), PeriodEnd: formatDate(sub.PeriodEnd),
			CancelPending: sub.CancelAtPeriodEnd, Live: sub.entitled(), Ended: formatDate(sub.EndedAt), CanCancel: v.CanCancel, InFlow: flow}
		if sub.Status == subTrialing {
			row.TrialEnd = formatDate(sub.TrialEnd)
		}
		row.Plan, row.Amount = s.subPlan(sub)
		if sub.entitled() {
			row.Discounted = s.withDiscount(sub, sub.Items, s.now(sub.TestClock))
		}
		if cfg != nil && sub.entitled() {
			row.Switches = s.switches(cfg, ps.ID, sub)
		}
		v.Subs = append(v.Subs, row)
	}
	for _, inv := range invoicesByCustomer.newest(s.st, cu.ID, func(inv *invoice) bool { return inv.Status != invDraft }) {
		url, _ := s.hostedInvoiceURL(inv).(string)
		pdf, _ := s.invoicePDFURL(inv).(string)
		v.Invoices = append(v.Invoices, portalInvoice{Date: formatDate(inv.Created), Number: inv.Number,
			Amount: formatMoney(inv.Total, inv.Currency), Status: strings.ToUpper(inv.Status[:1]) + inv.Status[1:], URL: url, PDF: pdf})
	}
	return v
}

// subPlan names a subscription's products and what they cost per interval.
func (s *Sandbox) subPlan(sub *subscription) (string, string) {
	var names []string
	var total int64
	amount := ""
	for _, it := range sub.Items {
		if pr := prices.get(s.st, it.Price); pr != nil {
			total += pr.UnitAmount * it.Quantity
			amount = formatMoney(total, pr.Currency) + " per " + pr.Interval
			if pd := products.get(s.st, pr.Product); pd != nil {
				names = append(names, pd.Name)
			}
		}
	}
	return strings.Join(names, " + "), amount
}

// cancelView describes the cancellation the customer asked for, before
// they confirm it, as Stripe's portal does: when access ends. mu held.
func (s *Sandbox) cancelView(ps *portalSession, subID string) (*portalCancel, *pageError) {
	sub, cfg, perr := s.cancellable(ps, subID)
	if perr != nil {
		return nil, perr
	}
	c := &portalCancel{Subscription: sub.ID}
	c.Plan, c.Amount = s.subPlan(sub)
	c.Discounted = s.withDiscount(sub, sub.Items, s.now(sub.TestClock))
	end := formatDate(sub.PeriodEnd)
	switch {
	case cfg.cancelMode() == "immediately":
		c.Access = "Your subscription ends now, and you lose access today."
		c.Detail = "Nothing more is charged, and there is no refund for the rest of the period."
	case sub.Status == subTrialing:
		c.Access = "You keep access until your free trial ends on " + end + "."
		c.Detail = "Your subscription will be canceled then, and you won't be charged. Until then you can renew it here."
	default:
		c.Access = "You keep access until " + end + "."
		c.Detail = "Your subscription will be canceled at the end of your billing period, and you won't be charged again. Until then you can renew it here."
	}
	return c, nil
}

// cancellable finds the subscription a cancellation names and checks the
// portal lets this customer cancel it now; mu held.
func (s *Sandbox) cancellable(ps *portalSession, subID string) (*subscription, *portalConfig, *pageError) {
	cu := customers.get(s.st, ps.Customer)
	cfg := portalConfigs.get(s.st, ps.Configuration)
	sub := subscriptions.get(s.st, subID)
	if sub == nil && subID == "" && cu != nil {
		sub = s.onlyLiveSubscription(cu.ID)
	}
	switch {
	case cu == nil || sub == nil || sub.Customer != cu.ID:
		return nil, nil, &pageError{http.StatusBadRequest, "Choose one of your subscriptions."}
	case !sub.entitled():
		return nil, nil, &pageError{http.StatusBadRequest, "This subscription has already ended."}
	case cfg == nil || !cfg.portalFeature("subscription_cancel"):
		return nil, nil, &pageError{http.StatusBadRequest, "Canceling is not enabled for this portal."}
	case ps.Flow != nil && !ps.Flow.Done:
		return nil, nil, &pageError{http.StatusBadRequest, "This page updates another subscription."}
	}
	return sub, cfg, nil
}

// reasonView asks why sub was canceled, keeping what form chose (nil for
// the page as first shown); it applies to a cancellation the customer
// asked for, when the configuration asks for a reason. mu held.
func (s *Sandbox) reasonView(ps *portalSession, subID string, form url.Values) (*portalReason, *pageError) {
	cfg := portalConfigs.get(s.st, ps.Configuration)
	sub := subscriptions.get(s.st, subID)
	var reasons []string
	if cfg != nil {
		reasons = cfg.cancellationReasons()
	}
	switch {
	case sub == nil || sub.Customer != ps.Customer:
		return nil, &pageError{http.StatusBadRequest, "Choose one of your subscriptions."}
	case len(reasons) == 0:
		return nil, &pageError{http.StatusBadRequest, "This portal does not ask why subscriptions are canceled."}
	case sub.CancelReason != "cancellation_requested":
		return nil, &pageError{http.StatusBadRequest, "This subscription is not being canceled."}
	}
	r := &portalReason{Subscription: sub.ID, MaxComment: maxCancelComment, Comment: form.Get("comment")}
	for _, o := range reasons {
		r.Options = append(r.Options, reasonOption{Value: o, Label: feedbackLabels[o], Checked: form.Get("reason") == o})
		r.Other = r.Other || o == "other"
	}
	return r, nil
}

// switches lists the plans the configuration lets sub change to.
func (s *Sandbox) switches(cfg *portalConfig, session string, sub *subscription) []portalSwitch {
	if len(sub.Items) != 1 {
		return nil
	}
	from := prices.get(s.st, sub.Items[0].Price)
	if from == nil {
		return nil
	}
	var out []portalSwitch
	for _, id := range cfg.switchPrices(from.Product) {
		to := prices.get(s.st, id)
		if to == nil || to.ID == from.ID || !to.Active || to.Currency != from.Currency {
			continue
		}
		sw := portalSwitch{Session: session, Subscription: sub.ID, Price: to.ID,
			Label: switchLabel(from, to), Amount: formatMoney(to.UnitAmount, to.Currency) + " " + perInterval(to)}
		// A discount that lasts goes with the new price; what a once or
		// repeating one does to the switch, the confirmation step shows.
		if cp := coupons.get(s.st, discountCoupon(sub)); cp != nil && cp.Duration == "forever" {
			sw.Discounted = s.withDiscount(sub, []subItem{{Price: to.ID, Quantity: sub.Items[0].Quantity}}, s.now(sub.TestClock))
		}
		out = append(out, sw)
	}
	return out
}

// withDiscount says what items cost with sub's discount while it runs at
// time at, as the portal shows it beside the list price: "£8.10 per month
// with LEARN10", "… until 1 Apr 2025" for a repeating coupon, "£7.50 for
// the next payment with ONCE" for a once coupon not yet used; "" without
// a discount.
func (s *Sandbox) withDiscount(sub *subscription, items []subItem, at time.Time) string {
	d := sub.Discount
	if d == nil || !s.discountLive(d, at.Unix()) {
		return ""
	}
	var total int64
	var pr *price
	for _, it := range items {
		if p := prices.get(s.st, it.Price); p != nil {
			pr, total = p, total+p.UnitAmount*it.Quantity
		}
	}
	code, cp := s.discountCode(d)
	inv := &invoice{Subtotal: total, Lines: []invoiceLine{{Amount: total}}}
	if pr == nil || cp == nil || !s.applyDiscount(inv, cp) {
		return ""
	}
	money := formatMoney(inv.Total, pr.Currency)
	switch cp.Duration {
	case "once":
		return money + " for the next payment with " + code
	case "repeating":
		return money + " " + perInterval(pr) + " with " + code + " until " + formatDate(d.End)
	}
	return money + " " + perInterval(pr) + " with " + code
}

// discountCoupon is the coupon of sub's discount, or "".
func discountCoupon(sub *subscription) string {
	if sub.Discount == nil {
		return ""
	}
	return sub.Discount.Coupon
}

// switchLabel names a plan change as the customer thinks of it: "Switch to
// yearly" when the interval changes, else by its price.
func switchLabel(from, to *price) string {
	if to.Interval == from.Interval && to.IntervalCount == from.IntervalCount {
		return "Switch to " + formatMoney(to.UnitAmount, to.Currency) + " " + perInterval(to)
	}
	if to.IntervalCount > 1 {
		return fmt.Sprintf("Switch to billing every %d %ss", to.IntervalCount, to.Interval)
	}
	return "Switch to " + map[string]string{"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[to.Interval]
}

func perInterval(pr *price) string {
	if pr.IntervalCount > 1 {
		return fmt.Sprintf("every %d %ss", pr.IntervalCount, pr.Interval)
	}
	return "per " + pr.Interval
}

// planName describes a subscription's price for the confirmation step.
func (s *Sandbox) planName(pr *price) string {
	return s.productName(pr) + " · " + formatMoney(pr.UnitAmount, pr.Currency) + " " + perInterval(pr)
}

func describeCard(pm *paymentMethod) string {
	brand := pm.Brand
	if brand != "" {
		brand = strings.ToUpper(brand[:1]) + brand[1:]
	}
	return fmt.Sprintf("%s •••• %s, expires %02d/%d", brand, pm.Last4, pm.ExpMonth, pm.ExpYear%100)
}

// portalPlanChange finds the change the form asks for and checks the
// configuration offers it to this customer; mu held.
func (s *Sandbox) portalPlanChange(ps *portalSession, subID, priceID string) (*planChange, *pageError) {
	cu := customers.get(s.st, ps.Customer)
	cfg := portalConfigs.get(s.st, ps.Configuration)
	sub := subscriptions.get(s.st, subID)
	if cu == nil || sub == nil || sub.Customer != cu.ID {
		return nil, &pageError{http.StatusBadRequest, "Choose one of your subscriptions."}
	}
	if ps.Flow != nil && !ps.Flow.Done && ps.Flow.Subscription != sub.ID {
		return nil, &pageError{http.StatusBadRequest, "This page updates another subscription."}
	}
	offered := false
	if cfg != nil {
		for _, sw := range s.switches(cfg, ps.ID, sub) {
			offered = offered || sw.Price == priceID
		}
	}
	if !offered {
		return nil, &pageError{http.StatusBadRequest, "This portal does not offer that plan change."}
	}
	return s.newPlanChange(sub, priceID, cfg.updateProration(), s.now(cu.TestClock))
}

// confirmView describes a plan change before it is made; mu held.
func (s *Sandbox) confirmView(pc *planChange) *portalConfirm {
	sub := pc.sub
	c := &portalConfirm{Subscription: sub.ID, Price: pc.to.ID, From: s.planName(pc.from), To: s.planName(pc.to),
		Renews: formatDate(pc.periodEnd)}
	if pc.endsTrial {
		c.TrialNote = "Your free trial ends now, and the new plan is billed from today."
	}
	money := func(v int64) string { return formatMoney(v, sub.Currency) }
	for _, l := range pc.lines {
		vl := invoiceViewLine{Description: l.Description, Amount: money(l.Amount)}
		if l.PeriodStart != 0 && l.PeriodEnd != 0 {
			vl.Period = formatDate(l.PeriodStart) + " – " + formatDate(l.PeriodEnd)
		}
		c.Lines = append(c.Lines, vl)
	}
	card := "the card on file"
	if pm := s.chargeCard(sub); pm != nil {
		card = strings.SplitN(describeCard(pm), ",", 2)[0]
	}
	switch {
	case pc.invoiceNow:
		inv := pc.invoice
		c.LinesTitle, c.Total = "Invoiced today", money(inv.Total)
		if inv.DiscountAmount != 0 {
			c.Discount, c.DiscountName = money(inv.DiscountAmount), s.discountName(inv)
			for _, l := range inv.Lines {
				if l.Proration {
					c.DiscountNote = "The discount applies to the new plan only: Stripe does not discount proration lines, so the credit is for the price without it."
				}
			}
		}
		due := s.planChangeDue(pc)
		switch {
		case due > 0:
			c.Summary = "Due today: " + money(due) + ", charged to " + card + "."
		case inv.Total < 0:
			c.Summary = "Nothing to pay today: " + money(-inv.Total) + " goes to your credit balance and pays your next invoices."
		default:
			c.Summary = "Nothing to pay today: your credit balance covers it."
		}
	case len(pc.lines) > 0:
		total := int64(0)
		for _, l := range pc.lines {
			total += l.Amount
		}
		c.LinesTitle = "Added to your next invoice"
		c.Summary = "Nothing is charged today: these prorations (" + money(total) + " in all) are added to your next invoice, on " + formatDate(sub.PeriodEnd) + "."
	default:
		c.Summary = "Nothing is charged today: the new price applies from your next invoice, on " + formatDate(sub.PeriodEnd) + "."
	}
	return c
}

// portalPage shows the portal: its home, a flow's task, or, when the form
// names a subscription and a price, the confirmation step of that plan
// change.
func (s *Sandbox) portalPage(w http.ResponseWriter, r *http.Request) {
	var v portalView
	found, status := false, http.StatusOK
	q := r.URL.Query()
	s.locked(func() {
		ps := portalSessions.get(s.st, r.PathValue("id"))
		if ps == nil {
			return
		}
		found = true
		v = s.portalView(ps)
		switch {
		case q.Has("price"):
			pc, perr := s.portalPlanChange(ps, q.Get("subscription"), q.Get("price"))
			if perr != nil {
				v.Error, status = perr.Message, perr.Status
				return
			}
			v.Confirm = s.confirmView(pc)
			return
		case q.Has("cancel"):
			c, perr := s.cancelView(ps, q.Get("cancel"))
			if perr != nil {
				v.Error, status = perr.Message, perr.Status
				return
			}
			v.Cancel = c
			return
		case q.Has("reason"):
			// Shown after a cancellation, with its notice (below).
			r, perr := s.reasonView(ps, q.Get("reason"), nil)
			if perr != nil {
				v.Error, status = perr.Message, perr.Status
				return
			}
			v.Reason = r
		}
		// The message of the last action shows once, like a flash.
		v.Error, v.Notice = ps.FlashError, ps.FlashNotice
		if ps.FlashError != "" || ps.FlashNotice != "" {
			ps.FlashError, ps.FlashNotice = "", ""
			portalSessions.put(s.st, ps)
			if err := s.commit(r.Context()); err != nil {
				s.log.Error("portal commit", logkey.Session, ps.ID, logkey.Err, err)
			}
		}
	})
	if !found {
		s.messagePage(w, http.StatusNotFound, "Portal session not found", "There is no billing portal session with this address.")
		return
	}
	s.renderPage(w, status, "portal", v)
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
		next     string
	)
	s.locked(func() {
		ps := portalSessions.get(s.st, r.PathValue("id"))
		if ps == nil {
			return
		}
		found = true
		var notice string
		notice, next, perr = s.portalAction(ps, r.PostForm, card)
		if perr != nil && perr.Status == http.StatusBadRequest {
			v = s.portalView(ps)
			v.Error = perr.Message
			if r.PostForm.Get("action") == "cancellation_reason" {
				v.Reason, _ = s.reasonView(ps, r.PostForm.Get("subscription"), r.PostForm)
			}
			return
		}
		ps.FlashNotice = notice
		if perr != nil {
			ps.FlashError = perr.Message
		}
		portalSessions.put(s.st, ps)
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
	case next != "":
		http.Redirect(w, r, next, http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/portal/"+r.PathValue("id"), http.StatusSeeOther)
	}
}

// portalAction applies an action for the session's customer and returns
// its notice and, when a flow ends by redirecting, where to. A malformed
// request is a 400; a refusal the customer can fix (a declined card) is a
// 402 shown on the portal after the redirect.
func (s *Sandbox) portalAction(ps *portalSession, form url.Values, card cardInput) (string, string, *pageError) {
	notice, next, perr := s.portalDo(ps, form, card)
	if perr != nil || form.Get("action") != "update_plan" || ps.Flow == nil || ps.Flow.Done {
		return notice, next, perr
	}
	// The flow's task is done: after_completion says what comes next.
	ps.Flow.Done = true
	if ps.Flow.AfterCompletion == "redirect" {
		return notice, ps.Flow.RedirectURL, nil
	}
	return notice, "", nil
}

// portalDo runs one action; besides its notice it may name the page to
// go to next (the reason question after a cancellation).
func (s *Sandbox) portalDo(ps *portalSession, form url.Values, card cardInput) (string, string, *pageError) {
	action, subID := form.Get("action"), form.Get("subscription")
	cu := customers.get(s.st, ps.Customer)
	if cu == nil {
		return "", "", &pageError{http.StatusBadRequest, "This customer no longer exists."}
	}
	at := s.now(cu.TestClock)
	pc := portalConfigs.get(s.st, ps.Configuration)
	switch action {
	case "update_plan":
		change, perr := s.portalPlanChange(ps, subID, form.Get("price"))
		if perr != nil {
			return "", "", perr
		}
		if perr := s.applyPlanChange(change); perr != nil {
			return "", "", perr
		}
		return "Your plan is now " + s.planName(change.to) + ".", "", nil
	case "cancel":
		// The confirmation step's button: the cancellation itself.
		sub, cfg, perr := s.cancellable(ps, subID)
		if perr != nil {
			return "", "", perr
		}
		next := ""
		if len(cfg.cancellationReasons()) > 0 {
			// As in Stripe, the reason is asked once the cancellation is made.
			next = "/portal/" + ps.ID + "?reason=" + url.QueryEscape(sub.ID)
		}
		if cfg.cancelMode() == "immediately" {
			s.endSubscription(sub, at, "cancellation_requested")
			return "Your subscription has been canceled.", next, nil
		}
		if sub.CancelAtPeriodEnd {
			return "Nothing to change.", "", nil
		}
		prev := s.subSnapshot(sub)
		s.setCancelAtPeriodEnd(sub, true, at)
		s.subChanged(sub, prev, at)
		return "Your subscription will end on " + formatDate(sub.PeriodEnd) + ".", next, nil
	case "renew":
		sub := subscriptions.get(s.st, subID)
		if sub == nil && subID == "" {
			sub = s.onlyLiveSubscription(cu.ID)
		}
		if sub == nil || sub.Customer != cu.ID {
			return "", "", &pageError{http.StatusBadRequest, "Choose one of your subscriptions."}
		}
		if !sub.entitled() {
			return "", "", &pageError{http.StatusBadRequest, "This subscription has already ended."}
		}
		if !sub.CancelAtPeriodEnd {
			return "Nothing to change.", "", nil
		}
		prev := s.subSnapshot(sub)
		s.setCancelAtPeriodEnd(sub, false, at)
		s.subChanged(sub, prev, at)
		return "Your subscription will renew.", "", nil
	case "cancellation_reason":
		if _, perr := s.reasonView(ps, subID, nil); perr != nil {
			return "", "", perr
		}
		sub := subscriptions.get(s.st, subID)
		feedback := form.Get("reason")
		if !slices.Contains(pc.cancellationReasons(), feedback) {
			return "", "", &pageError{http.StatusBadRequest, "Choose one of the reasons, or skip the question."}
		}
		// Stripe's portal takes a comment with "Other reason" only.
		comment := ""
		if feedback == "other" {
			comment = strings.TrimSpace(form.Get("comment"))
		}
		if len([]rune(comment)) > maxCancelComment {
			return "", "", &pageError{http.StatusBadRequest, fmt.Sprintf("Please keep your comment under %d characters.", maxCancelComment)}
		}
		prev := s.subSnapshot(sub)
		sub.CancelFeedback, sub.CancelComment = feedback, comment
		s.subChanged(sub, prev, at)
		return "Thank you for telling us why.", "", nil
	case "update_card":
		if pc == nil || !pc.portalFeature("payment_method_update") {
			return "", "", &pageError{http.StatusBadRequest, "Updating the card is not enabled for this portal."}
		}
		pm, _, msg, declined := checkCard(card, at, false)
		if msg != "" {
			status := http.StatusBadRequest
			if declined {
				status = http.StatusPaymentRequired
			}
			return "", "", &pageError{status, "Card not updated: " + msg}
		}
		pm.base = paymentMethods.newBase(s.st, at)
		s.attachPM(cu, &pm)
		cu.DefaultPM = pm.ID
		customers.put(s.st, cu)
		s.emit(at, "payment_method.attached", renderPaymentMethod(&pm))
		s.emit(at, "customer.updated", s.renderCustomer(cu))
		for _, sub := range subsByCustomer.newest(s.st, cu.ID, nil) {
			if sub.entitled() {
				prev := s.subSnapshot(sub)
				sub.DefaultPM = pm.ID
				s.subChanged(sub, prev, at)
			}
		}
		return "Your card was updated.", "", nil
	}
	return "", "", &pageError{http.StatusBadRequest, "Unknown action."}
}

// shownCard is the card the portal shows: the customer's invoice default,
// else the newest running subscription's card, since after Checkout the
// card is saved only on the subscription.
func (s *Sandbox) shownCard(cu *customer) *paymentMethod {
	if pm := paymentMethods.get(s.st, cu.DefaultPM); pm != nil {
		return pm
	}
	for _, sub := range subsByCustomer.newest(s.st, cu.ID, (*subscription).entitled) {
		if pm := paymentMethods.get(s.st, sub.DefaultPM); pm != nil {
			return pm
		}
	}
	return nil
}

// onlyLiveSubscription picks the customer's subscription when the form did
// not name one and there is exactly one that is still running.
func (s *Sandbox) onlyLiveSubscription(customerID string) *subscription {
	var found *subscription
	for _, sub := range subsByCustomer.of(s.st, customerID) {
		if sub.entitled() {
			if found != nil {
				return nil
			}
			found = sub
		}
	}
	return found
}
