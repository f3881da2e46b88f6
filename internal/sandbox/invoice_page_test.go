package sandbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// TestHostedInvoicePage covers the page behind hosted_invoice_url: a past-due
// invoice shows what is due and takes a card; a declined card leaves it open
// (one more attempt, invoice.payment_failed); a good card pays it, which makes
// the subscription active again without replacing its card on file.
func TestHostedInvoicePage(t *testing.T) {
	e := MustStart(t)
	_, _, subID, failedAt := failingRenewal(t, e)
	sub := e.subscription(subID)
	inv := sub.LatestInvoice
	if want := e.srv.URL() + "/invoice/" + inv.ID; inv.HostedInvoiceURL != want {
		t.Fatalf("hosted_invoice_url = %q, want %q", inv.HostedInvoiceURL, want)
	}
	status, page := e.get(inv.HostedInvoiceURL)
	if status != http.StatusOK || !strings.Contains(page, "$10.00 due") || !strings.Contains(page, inv.Number) ||
		!strings.Contains(page, "1 × Tollgate Pro (at $10.00 / month)") || !strings.Contains(page, `name="card_number"`) ||
		!strings.Contains(page, failedAt.AddDate(0, 0, 3).Format("2 Jan 2006")) {
		t.Fatalf("invoice page: %d\n%s", status, page)
	}
	pay := func(card string) (int, string, http.Header) {
		return e.post(inv.HostedInvoiceURL, url.Values{"card_number": {card}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
	}

	t.Run("ErrDeclined", func(t *testing.T) {
		failed := count(e.eventTypes(), "invoice.payment_failed")
		status, page, _ := pay("4000000000000002")
		if status != http.StatusPaymentRequired || !strings.Contains(page, "declined") || !strings.Contains(page, `name="card_number"`) {
			t.Fatalf("declined card: %d\n%s", status, page)
		}
		got := e.subscription(subID)
		if got.Status != stripe.SubscriptionStatusPastDue || got.LatestInvoice.Status != stripe.InvoiceStatusOpen || got.LatestInvoice.AttemptCount != 2 {
			t.Fatalf("after a declined card: %s, invoice %s attempts %d", got.Status, got.LatestInvoice.Status, got.LatestInvoice.AttemptCount)
		}
		// A manual attempt leaves the retry schedule alone.
		if got.LatestInvoice.NextPaymentAttempt != inv.NextPaymentAttempt {
			t.Fatalf("next_payment_attempt moved to %d", got.LatestInvoice.NextPaymentAttempt)
		}
		if n := count(e.eventTypes(), "invoice.payment_failed") - failed; n != 1 {
			t.Fatalf("%d invoice.payment_failed events, want 1", n)
		}
	})
	t.Run("ErrTypo", func(t *testing.T) {
		if status, page, _ := pay("4242 4242"); status != http.StatusBadRequest || !strings.Contains(page, "invalid") {
			t.Fatalf("typo: %d\n%s", status, page)
		}
	})

	updated := count(e.eventTypes(), "customer.subscription.updated")
	if status, page, hdr := pay("4242 4242 4242 4242"); status != http.StatusSeeOther || hdr.Get("Location") != "/invoice/"+inv.ID {
		t.Fatalf("pay: %d %s\n%s", status, hdr.Get("Location"), page)
	}
	got := e.subscription(subID)
	if got.Status != stripe.SubscriptionStatusActive || got.LatestInvoice.Status != stripe.InvoiceStatusPaid || got.LatestInvoice.AmountPaid != 1000 || got.LatestInvoice.AmountRemaining != 0 {
		t.Fatalf("after paying: %s, invoice %s paid %d remaining %d", got.Status, got.LatestInvoice.Status, got.LatestInvoice.AmountPaid, got.LatestInvoice.AmountRemaining)
	}
	if got.DefaultPaymentMethod.ID != sub.DefaultPaymentMethod.ID {
		t.Fatal("the card typed on the invoice page replaced the subscription's card")
	}
	if n := count(e.eventTypes(), "customer.subscription.updated") - updated; n != 1 {
		t.Fatalf("%d customer.subscription.updated events, want 1", n)
	}
	if types := e.eventTypes("invoice.paid", "invoice.payment_succeeded"); len(types) < 2 {
		t.Fatalf("events = %v", types)
	}
	status, page = e.get(inv.HostedInvoiceURL)
	if status != http.StatusOK || !strings.Contains(page, "$10.00 paid") || strings.Contains(page, `name="card_number"`) {
		t.Fatalf("paid invoice page: %d\n%s", status, page)
	}
	t.Run("ErrAlreadyPaid", func(t *testing.T) {
		if status, page, _ := pay("4242424242424242"); status != http.StatusConflict || !strings.Contains(page, "paid") {
			t.Fatalf("second payment: %d\n%s", status, page)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		if status, _ := e.get(e.srv.URL() + "/invoice/in_nope"); status != http.StatusNotFound {
			t.Fatalf("unknown invoice: %d", status)
		}
	})
}

// TestHostedInvoicePageDraft covers a renewal's invoice in its first hour,
// while it is a draft: it has no hosted page yet, as in Stripe.
func TestHostedInvoicePageDraft(t *testing.T) {
	e := MustStart(t)
	c := e.catalog()
	clk, cu := e.clockCustomer()
	s := e.subscribe(sessionOpts{customer: cu.ID, price: c.monthly.ID}, "4242424242424242")
	if first := e.subscription(s.ID).LatestInvoice; first.HostedInvoiceURL == "" {
		t.Fatal("the first, paid invoice has no hosted_invoice_url")
	}
	e.advance(clk.ID, t0.AddDate(0, 1, 0).Add(time.Minute))
	draft := e.subscription(s.ID).LatestInvoice
	if draft.Status != stripe.InvoiceStatusDraft || draft.HostedInvoiceURL != "" {
		t.Fatalf("draft %s hosted_invoice_url %q", draft.Status, draft.HostedInvoiceURL)
	}
	if status, _ := e.get(e.srv.URL() + "/invoice/" + draft.ID); status != http.StatusNotFound {
		t.Fatalf("draft page: %d", status)
	}
}

// TestInvoiceDiscount covers what an invoice says about its promotion code:
// discounts expand to the subscription's discount (and its promotion code),
// total_discount_amounts gives the amount, and the hosted page names both.
func TestInvoiceDiscount(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever"), Name: stripe.String("Learn 10% off")}))(t)
	promo := must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(t)
	_, cu := e.clockCustomer()
	cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, allowPromo: true})
	if status, body, _ := e.pay(cs.URL, "4242424242424242", "learn10"); status != http.StatusSeeOther {
		t.Fatalf("pay: %d\n%s", status, body)
	}
	params := &stripe.SubscriptionListParams{Customer: stripe.String(cu.ID)}
	params.AddExpand("data.latest_invoice.discounts.promotion_code")
	subs := collect(t, e.sc.V1Subscriptions.List(ctx, params))
	if len(subs) != 1 {
		t.Fatalf("%d subscriptions", len(subs))
	}
	inv := subs[0].LatestInvoice
	if inv.Subtotal != 1000 || inv.Total != 900 || inv.AmountPaid != 900 || len(inv.TotalDiscountAmounts) != 1 || inv.TotalDiscountAmounts[0].Amount != 100 {
		t.Fatalf("invoice subtotal %d total %d paid %d discounts %+v", inv.Subtotal, inv.Total, inv.AmountPaid, inv.TotalDiscountAmounts)
	}
	if len(inv.Discounts) != 1 || inv.Discounts[0].PromotionCode == nil || inv.Discounts[0].PromotionCode.ID != promo.ID ||
		inv.Discounts[0].PromotionCode.Code != "LEARN10" || inv.Discounts[0].Coupon == nil || inv.Discounts[0].Coupon.PercentOff != 10 {
		t.Fatalf("discounts = %+v", inv.Discounts)
	}
	if inv.TotalDiscountAmounts[0].Discount.ID != inv.Discounts[0].ID {
		t.Fatalf("total_discount_amounts names %s, discounts %s", inv.TotalDiscountAmounts[0].Discount.ID, inv.Discounts[0].ID)
	}
	status, page := e.get(inv.HostedInvoiceURL)
	if status != http.StatusOK || !strings.Contains(page, "LEARN10 (10% off)") || !strings.Contains(page, "−$1.00") || !strings.Contains(page, "$9.00 paid") {
		t.Fatalf("invoice page: %d\n%s", status, page)
	}
}

// checkPDF fails unless doc is a well-formed PDF as a reader finds its way
// through one: the header, %%EOF at the end, startxref pointing at the
// cross-reference table, each entry's offset at its object, and the content
// stream as long as its /Length says. It returns the content stream.
func checkPDF(t *testing.T, doc []byte) string {
	t.Helper()
	s := string(doc)
	if !strings.HasPrefix(s, "%PDF-1.") || !strings.HasSuffix(strings.TrimRight(s, "\r\n"), "%%EOF") {
		t.Fatalf("not a PDF: starts %q, ends %q", s[:min(len(s), 10)], s[max(0, len(s)-10):])
	}
	tail := s[strings.LastIndex(s, "startxref"):]
	var xref int
	if _, err := fmt.Sscanf(tail, "startxref\n%d\n%%%%EOF", &xref); err != nil || xref <= 0 || xref >= len(s) || !strings.HasPrefix(s[xref:], "xref\n") {
		t.Fatalf("startxref %d (%v) does not point at the xref table: %q", xref, err, tail)
	}
	var first, n int
	if _, err := fmt.Sscanf(s[xref:], "xref\n%d %d\n", &first, &n); err != nil || first != 0 || n < 2 {
		t.Fatalf("xref subsection %d %d: %v", first, n, err)
	}
	entries := s[xref+len(fmt.Sprintf("xref\n%d %d\n", first, n)):]
	for i := range n {
		entry := entries[i*20 : i*20+20]
		if i == 0 {
			if entry != "0000000000 65535 f \n" {
				t.Fatalf("xref entry 0 = %q", entry)
			}
			continue
		}
		var off, gen int
		if _, err := fmt.Sscanf(entry, "%010d %05d n", &off, &gen); err != nil || !strings.HasSuffix(entry, " n \n") {
			t.Fatalf("xref entry %d = %q: %v", i, entry, err)
		}
		if want := fmt.Sprintf("%d 0 obj\n", i); !strings.HasPrefix(s[off:], want) {
			t.Fatalf("xref entry %d points at %q, want %q", i, s[off:min(len(s), off+12)], want)
		}
	}
	if !strings.Contains(s, fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R", n)) {
		t.Fatalf("trailer does not match the %d objects", n)
	}
	start := strings.Index(s, "stream\n") + len("stream\n")
	end := strings.Index(s, "endstream")
	var length int
	if _, err := fmt.Sscanf(s[strings.LastIndex(s[:start], "/Length"):], "/Length %d", &length); err != nil || length != end-start {
		t.Fatalf("content stream is %d bytes, /Length says %d (%v)", end-start, length, err)
	}
	return s[start:end]
}

// TestInvoicePDF covers invoice_pdf: every finalized invoice has one, a
// PDF document with its number, lines, discount, total and status, linked
// from the hosted invoice page and the portal's invoice history; a draft
// has none.
func TestInvoicePDF(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	c := e.catalog()
	cp := must(e.sc.V1Coupons.Create(ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")}))(t)
	must(e.sc.V1PromotionCodes.Create(ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(cp.ID), Code: stripe.String("LEARN10")}))(t)
	clk, cu := e.clockCustomer()
	cs := e.session(sessionOpts{customer: cu.ID, price: c.monthly.ID, allowPromo: true})
	if status, body, _ := e.pay(cs.URL, "4242424242424242", "LEARN10"); status != http.StatusSeeOther {
		t.Fatalf("pay: %d\n%s", status, body)
	}
	sub := must(e.sc.V1CheckoutSessions.Retrieve(ctx, cs.ID, nil))(t).Subscription
	inv := e.subscription(sub.ID).LatestInvoice
	if want := e.srv.URL() + "/invoice/" + inv.ID + "/pdf"; inv.InvoicePDF != want {
		t.Fatalf("invoice_pdf = %q, want %q", inv.InvoicePDF, want)
	}

	res := must(e.http.Get(inv.InvoicePDF))(t)
	doc := must(io.ReadAll(res.Body))(t)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `inline; filename="Invoice-`+inv.Number+`.pdf"` {
		t.Fatalf("GET invoice_pdf: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	content := checkPDF(t, doc)
	// Text is in PDF strings (parentheses escaped), in WinAnsi: × is \xd7,
	// and the minus sign a hyphen.
	for _, want := range []string{"(Invoice)", "(" + inv.Number + ")", "(Paid on 1 Jan 2025)", "($9.00 paid)",
		"(1 \xd7 Tollgate Pro \\(at $10.00 / month\\))", "(1 Jan 2025 \x96 1 Feb 2025)", "(Subtotal)", "($10.00)",
		"(LEARN10 \\(10% off\\))", "(-$1.00)", "(Total)", "($9.00)", "(learner@example.com)"} {
		if !strings.Contains(content, want) {
			t.Errorf("no %q in the PDF's text:\n%s", want, content)
		}
	}
	if !strings.Contains(string(doc), "/Title (Invoice "+inv.Number+")") {
		t.Errorf("no title in the PDF's info")
	}

	_, page := e.get(inv.HostedInvoiceURL)
	wantPage(t, "hosted invoice page", page, `<a href="/invoice/`+inv.ID+`/pdf">Download invoice (PDF)</a>`)
	_, portal := e.portalWith(cu.ID, &stripe.BillingPortalConfigurationCreateFeaturesParams{
		InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}})
	_, page = e.get(portal)
	wantPage(t, "portal invoice history", page, `<a href="`+inv.HostedInvoiceURL+`" title="View invoice `+inv.Number+`">`+inv.Number+`</a>`,
		`<a href="`+inv.InvoicePDF+`" title="Download invoice `+inv.Number+` as a PDF">PDF</a>`)

	t.Run("ErrDraft", func(t *testing.T) {
		e.advance(clk.ID, t0.AddDate(0, 1, 0))
		draft := e.subscription(sub.ID).LatestInvoice
		if draft.Status != stripe.InvoiceStatusDraft || draft.InvoicePDF != "" {
			t.Fatalf("draft %s has invoice_pdf %q", draft.Status, draft.InvoicePDF)
		}
		if status, _ := e.get(e.srv.URL() + "/invoice/" + draft.ID + "/pdf"); status != http.StatusNotFound {
			t.Fatalf("a draft's PDF: %d, want 404", status)
		}
	})
}
