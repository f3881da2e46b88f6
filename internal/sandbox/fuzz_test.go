package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// fuzzTarget is a sandbox with a catalog, an open checkout session and a
// portal session, so every handler a fuzzer hits has something to act on.
type fuzzTarget struct {
	h               http.Handler
	session, portal string
}

func newFuzzTarget(f *testing.F) fuzzTarget {
	e := MustStart(f)
	c := e.catalog()
	cs := e.session(sessionOpts{price: c.monthly.ID, allowPromo: true})
	sub := e.subscribe(sessionOpts{price: c.monthly.ID}, "4242424242424242")
	portal := e.portal(sub.Customer.ID)
	return fuzzTarget{h: e.srv.Handler(), session: strings.TrimPrefix(cs.URL, e.srv.URL()), portal: strings.TrimPrefix(portal, e.srv.URL())}
}

// FuzzFormDecoder posts arbitrary bodies to API endpoints: the answer is
// always a JSON object or a Stripe error body, never a panic or a 500.
func FuzzFormDecoder(f *testing.F) {
	for _, seed := range []string{
		"email=a%40b.c&metadata[k]=v",
		"name=x&metadata[a][b]=1",
		"a[b][0][c]=1&a[b][1][c]=2",
		"expand[]=customer&expand[]=latest_invoice",
		"metadata=&metadata[x]=y",
		"x[=1&]=2&[a]=3",
		"%zz=1&a=%",
		"line_items[0][price]=price_x&line_items[x][price]=y",
		"limit=1000&starting_after=nope",
		"unit_amount=-5&currency=usd&recurring[interval]=fortnight",
		strings.Repeat("a[", 20) + "=1",
		"percent_off=NaN&duration=repeating",
		"mode=subscription&success_url=http://x&line_items[0][price]=&line_items[0][quantity]=0",
	} {
		for _, path := range []string{"/v1/customers", "/v1/prices", "/v1/checkout/sessions", "/v1/coupons", "/v1/promotion_codes",
			"/v1/billing_portal/configurations", "/v1/webhook_endpoints", "/v1/test_helpers/test_clocks"} {
			f.Add(path, seed)
		}
	}
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, path, body string) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/customers", strings.NewReader(body))
		if u, err := url.Parse(path); err == nil && strings.HasPrefix(u.Path, "/v1/") {
			req.URL.Path = u.Path
		}
		req.Header.Set("Authorization", "Bearer "+testKey)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		ft.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("body is not JSON: %q", rec.Body)
		}
		if rec.Code >= 400 {
			if e, ok := m["error"].(map[string]any); !ok || e["type"] == "" || e["message"] == "" {
				t.Fatalf("not a Stripe error body: %s", rec.Body)
			}
		} else if m["object"] == nil {
			t.Fatalf("no object in %s", rec.Body)
		}
	})
}

var pageStatuses = map[int]bool{http.StatusSeeOther: true, http.StatusBadRequest: true, http.StatusPaymentRequired: true,
	http.StatusNotFound: true, http.StatusConflict: true, http.StatusGone: true}

// postPage posts a form to a hosted page: the answer is a redirect or an
// HTML page with a 4xx status, never a panic or a 500.
func postPage(t *testing.T, h http.Handler, path, body string) {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !pageStatuses[rec.Code] {
		t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
	}
	if rec.Code != http.StatusSeeOther && !strings.Contains(rec.Body.String(), "</html>") {
		t.Fatalf("no error page for %q: %s", body, rec.Body)
	}
}

// FuzzCheckoutPage posts arbitrary forms to a fresh checkout session each
// time, so every input reaches completeCheckout's validation rather than a
// session an earlier input already paid. The session has no customer, so
// the page echoes the email, name, promotion code, card and postal code it
// was sent: those must come back escaped, never as markup. Apply
// (intent=apply) re-renders the page without paying.
func FuzzCheckoutPage(f *testing.F) {
	for _, seed := range []string{
		"card_number=4000000000000002&card_expiry=12/34&card_cvc=123",
		"card_number=4242&card_expiry=1/2&card_cvc=1",
		"card_number=4242424242424242&card_expiry=00/00&card_cvc=abc",
		"card_number=4242424242424242&card_expiry=12/34&card_cvc=123&promotion_code=%00%ff",
		"card_number=%zz",
		"email=<script>&card_number=4000000000000341&card_expiry=12/2034&card_cvc=999",
		"email=a@b.c&card_number=4242424242424242&card_expiry=12/34&card_cvc=123",
		"email=x@y.z&name=<script>alert(1)</script>&card_number=4000000000000002&card_expiry=12/34&card_cvc=123",
		`email="><script>alert(1)</script>@x&promotion_code=<script>x</script>&card_number=4242424242424242&card_expiry=12/34&card_cvc=123`,
		"card_number=4242424242424242&card_expiry=12/34&card_cvc=123&country=GB&postal_code=SW1A+1AA",
		"card_number=4242424242424242&card_expiry=12/34&card_cvc=123&country=US&postal_code=",
		"card_number=4242424242424242&card_expiry=12/34&card_cvc=123&country=gb&postal_code=%00",
		`intent=apply&promotion_code=<script>x</script>&card_number="><script>&postal_code=<script>&country=<script>`,
		"intent=apply&promotion_code=NOPE",
		"intent=apply",
		"",
	} {
		f.Add(seed)
	}
	e := MustStart(f)
	c := e.catalog()
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		cs, err := e.sc.V1CheckoutSessions.Create(context.Background(), &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), SuccessURL: stripe.String("http://app.example/ok"), AllowPromotionCodes: stripe.Bool(true),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(c.monthly.ID), Quantity: stripe.Int64(1)}},
		})
		if err != nil {
			t.Fatalf("create session: %v", err)
		}
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/checkout/"+cs.ID, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusSeeOther:
			return
		case http.StatusOK: // Apply priced a good (or no) code
			if form, err := url.ParseQuery(body); err != nil || form.Get("intent") != "apply" {
				t.Fatalf("status 200 for %q, which is not an Apply: %s", body, rec.Body)
			}
		case http.StatusBadRequest, http.StatusPaymentRequired:
		default: // a 409 or 410 would mean the input never reached validation
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		page := rec.Body.String()
		if !strings.Contains(page, "</html>") {
			t.Fatalf("no error page for %q: %s", body, page)
		}
		// The template has no script, so one in the page came from the input.
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Fatalf("unescaped input echoed for %q:\n%s", body, page)
		}
		if form, err := url.ParseQuery(body); err == nil {
			// A refused form is shown again with what was typed.
			for _, k := range []string{"email", "name", "promotion_code", "card_number", "card_expiry", "card_cvc", "postal_code"} {
				if v := form.Get(k); strings.Contains(v, "<script>") && !strings.Contains(page, "&lt;script&gt;") {
					t.Fatalf("%s %q not echoed escaped:\n%s", k, v, page)
				}
			}
		}
	})
}

func FuzzPortalPage(f *testing.F) {
	for _, seed := range []string{
		"action=cancel", "action=renew&subscription=sub_nope", "action=update_card&card_number=4000000000000002",
		"action=update_card&card_number=&card_expiry=99/99", "action=%ff", "action=cancel&action=renew", "",
		"action=update_card&card_number=4242424242424242&card_expiry=12/34&card_cvc=123",
		"action=update_plan", "action=update_plan&subscription=sub_nope&price=price_nope", "action=update_plan&price=%00",
		"action=cancellation_reason&reason=other&comment=%00", "action=cancellation_reason&subscription=sub_nope&reason=%ff",
	} {
		f.Add(seed)
	}
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, body string) { postPage(t, ft.h, ft.portal, body) })
}
