package sandbox

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/hostcheck"
	"github.com/tollgate/tollgate/internal/logkey"
)

var idempotency *resource[idemRecord]

func init() {
	idempotency = declare(&resource[idemRecord]{bucket: "idempotency"})
}

const maxBodyBytes = 1 << 20

// call is one API request as a handler sees it.
type call struct {
	ctx  context.Context
	r    *http.Request
	p    *params
	ex   expand
	host string // for the URLs of hosted pages
	// req is the request's Request-Id and Idempotency-Key, which the
	// events it causes carry as their request.
	req eventRequest
	// after runs once the state lock is released and before the response
	// is written; a test clock advance does its work there.
	after func()
}

type apiFunc func(c *call) (any, error)

// Handler serves the API under /v1/ and the hosted Checkout and Portal pages.
func (s *Sandbox) Handler() http.Handler {
	api := http.NewServeMux()
	route := func(pattern string, fn apiFunc) { api.Handle(pattern, s.apiHandler(fn)) }
	s.routes(route)

	v1 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An unknown or unclean path gets Stripe's 404 body, not the
		// mux's plain-text 404, 405 or redirect.
		if _, pattern := api.Handler(r); pattern == "" {
			// Stripe's own words, and like Stripe's, no code: there is no resource to be missing.
			e := &apiError{Status: http.StatusNotFound, Type: typeInvalidRequest, Message: "Unrecognized request URL (" + r.Method + ": " + r.URL.Path + "). "}
			if strings.HasSuffix(r.URL.Path, "/") {
				e.Message += "If you are trying to list objects, remove the trailing slash. If you are trying to retrieve an object, make sure you passed a valid (non-empty) identifier in your code. "
			}
			e.Message += "Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
			id := newID("req_")
			w.Header().Set("Request-Id", id)
			body := withLogURL(mustJSON(map[string]any{"error": e}), logURL(r.Host, id, time.Now()))
			s.reqlog.add(loggedRequest{ID: id, Method: r.Method, Path: r.URL.Path, Status: e.Status, Response: string(body), At: time.Now()})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(e.Status)
			_, _ = w.Write(body)
			return
		}
		api.ServeHTTP(w, r)
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout/{id}", s.checkoutPage)
	mux.HandleFunc("POST /checkout/{id}", s.checkoutSubmit)
	mux.HandleFunc("GET /portal/{id}", s.portalPage)
	mux.HandleFunc("POST /portal/{id}", s.portalSubmit)
	mux.HandleFunc("GET /logs/{id}", s.requestPage)
	mux.HandleFunc("GET /invoice/{id}", s.invoicePage)
	mux.HandleFunc("POST /invoice/{id}", s.invoiceSubmit)
	mux.HandleFunc("GET /invoice/{id}/pdf", s.invoicePDFPage)
	mux.HandleFunc("GET /{$}", s.homePage)
	return s.recoverer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostcheck.Allowed(r) {
			// Against DNS rebinding: a page of another site must not reach
			// the account's customers or add an endpoint that copies every event.
			e := invalid("", "", "The Tollgate sandbox answers only to localhost or an IP address in the Host header, not %q.", r.Host)
			e.Status = http.StatusMisdirectedRequest
			writeJSON(w, e.Status, map[string]any{"error": e})
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			v1.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

func (s *Sandbox) routes(route func(string, apiFunc)) {
	route("GET /v1/account", s.getAccount)

	route("POST /v1/products", s.createProduct)
	route("GET /v1/products", s.listProducts)
	route("GET /v1/products/{id}", s.getProduct)
	route("POST /v1/products/{id}", s.updateProduct)
	route("POST /v1/products/{id}/features", s.attachFeature)
	route("GET /v1/products/{id}/features", s.listProductFeatures)
	route("POST /v1/prices", s.createPrice)
	route("GET /v1/prices", s.listPrices)
	route("GET /v1/prices/{id}", s.getPrice)
	route("POST /v1/prices/{id}", s.updatePrice)
	route("POST /v1/entitlements/features", s.createFeature)
	route("GET /v1/entitlements/features", s.listFeatures)
	route("GET /v1/entitlements/features/{id}", s.getFeature)
	route("GET /v1/entitlements/active_entitlements", s.listActiveEntitlements)

	route("POST /v1/customers", s.createCustomer)
	route("GET /v1/customers", s.listCustomers)
	route("GET /v1/customers/{id}", s.getCustomer)
	route("POST /v1/customers/{id}", s.updateCustomer)
	route("GET /v1/payment_methods/{id}", s.getPaymentMethod)
	route("GET /v1/payment_intents", s.listPaymentIntents)
	route("GET /v1/payment_intents/{id}", s.getPaymentIntent)
	route("GET /v1/charges", s.listCharges)
	route("GET /v1/charges/{id}", s.getCharge)
	route("GET /v1/setup_intents", s.listSetupIntents)
	route("GET /v1/setup_intents/{id}", s.getSetupIntent)

	route("POST /v1/checkout/sessions", s.createSession)
	route("GET /v1/checkout/sessions", s.listSessions)
	route("GET /v1/checkout/sessions/{id}", s.getSession)
	route("GET /v1/checkout/sessions/{id}/line_items", s.listSessionLineItems)
	route("POST /v1/checkout/sessions/{id}/expire", s.expireSession)

	route("GET /v1/subscriptions", s.listSubscriptions)
	route("GET /v1/subscriptions/{id}", s.getSubscription)
	route("POST /v1/subscriptions/{id}", s.updateSubscription)
	route("DELETE /v1/subscriptions/{id}", s.cancelSubscription)
	route("GET /v1/invoices", s.listInvoices)
	route("GET /v1/invoices/{id}", s.getInvoice)
	route("POST /v1/invoices/{id}/pay", s.payInvoice)
	route("GET /v1/invoice_payments", s.listInvoicePayments)
	route("GET /v1/invoice_payments/{id}", s.getInvoicePayment)

	route("POST /v1/coupons", s.createCoupon)
	route("GET /v1/coupons", s.listCoupons)
	route("GET /v1/coupons/{id}", s.getCoupon)
	route("POST /v1/promotion_codes", s.createPromotionCode)
	route("GET /v1/promotion_codes", s.listPromotionCodes)
	route("GET /v1/promotion_codes/{id}", s.getPromotionCode)
	route("POST /v1/promotion_codes/{id}", s.updatePromotionCode)

	route("POST /v1/billing_portal/configurations", s.createPortalConfig)
	route("GET /v1/billing_portal/configurations", s.listPortalConfigs)
	route("GET /v1/billing_portal/configurations/{id}", s.getPortalConfig)
	route("POST /v1/billing_portal/configurations/{id}", s.updatePortalConfig)
	route("POST /v1/billing_portal/sessions", s.createPortalSession)

	route("POST /v1/webhook_endpoints", s.createEndpoint)
	route("GET /v1/webhook_endpoints", s.listEndpoints)
	route("GET /v1/webhook_endpoints/{id}", s.getEndpoint)
	route("POST /v1/webhook_endpoints/{id}", s.updateEndpoint)
	route("DELETE /v1/webhook_endpoints/{id}", s.deleteEndpoint)
	route("GET /v1/events", s.listEvents)
	route("GET /v1/events/{id}", s.getEvent)

	route("POST /v1/test_helpers/test_clocks", s.createClock)
	route("GET /v1/test_helpers/test_clocks", s.listClocks)
	route("GET /v1/test_helpers/test_clocks/{id}", s.getClock)
	route("DELETE /v1/test_helpers/test_clocks/{id}", s.deleteClock)
	route("POST /v1/test_helpers/test_clocks/{id}/advance", s.advanceClock)
}

// recoverer turns a panic into Stripe's api_error, so a bug answers 500
// instead of dropping the connection.
func (s *Sandbox) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", logkey.Method, r.Method, logkey.Path, r.URL.Path, logkey.Panic, v)
				writeJSON(w, http.StatusInternalServerError, map[string]any{"error": errInternal()})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// apiKey checks Bearer (what the SDKs send) or Basic (curl -u sk_test_...:):
// any secret test key, or only Config.Key when it is set.
func (s *Sandbox) apiKey(r *http.Request) (string, *apiError) {
	h := r.Header.Get("Authorization")
	key := ""
	if v, ok := strings.CutPrefix(h, "Bearer "); ok {
		key = strings.TrimSpace(v)
	} else if user, _, ok := r.BasicAuth(); ok {
		key = user
	}
	if key == "" {
		return "", errAuth("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
	}
	shown := key
	if len(shown) > 4 {
		shown = "****" + shown[len(shown)-4:]
	}
	if s.cfg.Key != "" {
		if subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.Key)) != 1 {
			return "", errAuth("Invalid API Key provided: " + shown + ". This Tollgate sandbox accepts only the key it was started with.")
		}
		return key, nil
	}
	if !strings.HasPrefix(key, "sk_test_") || len(key) <= len("sk_test_") {
		return "", errAuth("Invalid API Key provided: " + shown + ". The Tollgate sandbox accepts any secret test key (sk_test_...).")
	}
	return key, nil
}

// idemRecord is a stored response replayed for a repeated Idempotency-Key.
type idemRecord struct {
	base
	Hash   string          `json:"hash"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

const idempotencyTTL = 24 * time.Hour

func (s *Sandbox) apiHandler(fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := eventRequest{ID: newID("req_"), IdempotencyKey: r.Header.Get("Idempotency-Key")}
		w.Header().Set("Request-Id", req.ID)
		w.Header().Set("Stripe-Version", APIVersion)
		if req.IdempotencyKey != "" {
			// Stripe echoes the key, which stripe-go reads back as
			// LastResponse.IdempotencyKey.
			w.Header().Set("Idempotency-Key", req.IdempotencyKey)
		}
		started := time.Now()
		answer := func(status int, body []byte, params string) {
			if status >= 400 {
				body = withLogURL(body, logURL(r.Host, req.ID, started))
			}
			s.reqlog.add(loggedRequest{ID: req.ID, Method: r.Method, Path: r.URL.Path, Params: params, Status: status, Response: string(body), At: started})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
		key, aerr := s.apiKey(r)
		if aerr != nil {
			answer(aerr.Status, mustJSON(map[string]any{"error": aerr}), "")
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			e := invalid("", "", "The request body could not be read (at most 1 MB).")
			answer(e.Status, mustJSON(map[string]any{"error": e}), "")
			return
		}
		form := r.URL.RawQuery
		if r.Method == http.MethodPost && len(raw) > 0 {
			if form != "" {
				form += "&"
			}
			form += string(raw)
		}
		root, aerr := decodeForm(form)
		if aerr != nil {
			answer(aerr.Status, mustJSON(map[string]any{"error": aerr}), form)
			return
		}
		c := &call{ctx: r.Context(), r: r, p: &params{root: root}, host: r.Host, req: req}
		c.ex = newExpand(c.p.strings("expand"))

		idemKey := ""
		if r.Method == http.MethodPost {
			idemKey = r.Header.Get("Idempotency-Key")
		}
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + form))
		status, body, replayed := s.execute(c, fn, key+"|"+idemKey, idemKey != "", hex.EncodeToString(sum[:]))
		if c.after != nil {
			c.after()
		}
		s.log.Debug("api", logkey.Method, r.Method, logkey.Path, r.URL.Path, logkey.Status, status, logkey.Replayed, replayed)
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		answer(status, body, form)
	})
}

// execute runs fn under the state lock, commits its changes and handles
// idempotent replay. It returns the status and body to send.
func (s *Sandbox) execute(c *call, fn apiFunc, idemID string, useIdem bool, hash string) (int, []byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Every event fn sends is caused by this request; what runs later
	// (c.after, the ticker, the hosted pages) is not, and sends events
	// with a null request.
	s.cause = c.req
	defer func() { s.cause = eventRequest{} }()
	if useIdem {
		if rec := idempotency.get(s.st, idemID); rec != nil && time.Since(time.Unix(rec.Created, 0)) < idempotencyTTL {
			if rec.Hash != hash {
				e := invalid("", "", "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", c.r.Header.Get("Idempotency-Key"))
				e.Type = typeIdempotency
				return e.Status, mustJSON(map[string]any{"error": e}), false
			}
			return rec.Status, rec.Body, true
		}
	}
	res, err := fn(c)
	status, body := http.StatusOK, []byte(nil)
	var aerr *apiError
	switch {
	case err == nil:
		body = mustJSON(res)
	case errors.As(err, &aerr):
		status, body = aerr.Status, mustJSON(map[string]any{"error": aerr})
	default:
		s.log.Error("api", logkey.Method, c.r.Method, logkey.Path, c.r.URL.Path, logkey.Err, err)
		e := errInternal()
		status, body = e.Status, mustJSON(map[string]any{"error": e})
	}
	// Like Stripe, only save results of requests that ran: a rejected
	// parameter can be fixed and retried with the same key.
	if useIdem && (status < 400 || status == http.StatusPaymentRequired) {
		s.pruneIdempotency()
		idempotency.put(s.st, &idemRecord{base: base{ID: idemID, Created: time.Now().Unix()}, Hash: hash, Status: status, Body: body})
	}
	if err := s.commit(c.ctx); err != nil {
		s.log.Error("commit", logkey.Err, err)
		e := errInternal()
		return e.Status, mustJSON(map[string]any{"error": e}), false
	}
	return status, body, false
}

// pruneIdempotency forgets keys older than a day, as Stripe does. Keys live
// on real time: they are about requests, not about billing.
func (s *Sandbox) pruneIdempotency() {
	for id, rec := range idempotency.rows(s.st) {
		if time.Since(time.Unix(rec.Created, 0)) >= idempotencyTTL {
			idempotency.del(s.st, id)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Every response is built from maps of plain values.
		panic(err)
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(mustJSON(v))
}

// expand is the set of expand[] paths of a request, such as "customer" or
// "items.data.price.product".
type expand map[string]bool

func newExpand(paths []string) expand {
	e := expand{}
	for _, p := range paths {
		e[p] = true
	}
	return e
}

// has reports whether field itself is to be expanded: named, or on the way
// to a path below it ("latest_invoice.discounts" expands latest_invoice too,
// as in Stripe).
func (e expand) has(field string) bool {
	if e[field] {
		return true
	}
	for p := range e {
		if strings.HasPrefix(p, field+".") {
			return true
		}
	}
	return false
}

// sub returns the paths below field, for expanding inside a nested object.
func (e expand) sub(field string) expand {
	out := expand{}
	for p := range e {
		if rest, ok := strings.CutPrefix(p, field+"."); ok {
			out[rest] = true
		}
	}
	return out
}

// listArgs are the paging parameters every list endpoint takes.
type listArgs struct {
	limit         int
	startingAfter string
	endingBefore  string
}

func (c *call) listArgs() listArgs {
	return listArgs{
		limit:         int(c.p.integer(10, 1, 100, "limit")),
		startingAfter: c.p.str("starting_after"),
		endingBefore:  c.p.str("ending_before"),
	}
}

// page renders one page of rows (newest first) as a Stripe list object.
func page[T any, P interface {
	*T
	row
}](c *call, a listArgs, rows []*T, render func(*T) any) (any, error) {
	start, end := 0, len(rows)
	if a.startingAfter != "" {
		i := indexOf[T, P](rows, a.startingAfter)
		if i < 0 {
			return nil, errNotFound("object", a.startingAfter, "starting_after")
		}
		start = i + 1
	} else if a.endingBefore != "" {
		i := indexOf[T, P](rows, a.endingBefore)
		if i < 0 {
			return nil, errNotFound("object", a.endingBefore, "ending_before")
		}
		end = i
		start = max(0, end-a.limit)
	}
	hasMore := false
	if end-start > a.limit {
		end = start + a.limit
		hasMore = true
	} else if a.endingBefore != "" {
		hasMore = start > 0
	}
	data := make([]any, 0, end-start)
	for _, r := range rows[start:end] {
		data = append(data, render(r))
	}
	return listObject(c.r.URL.Path, data, hasMore), nil
}

func indexOf[T any, P interface {
	*T
	row
}](rows []*T, id string) int {
	for i, r := range rows {
		if P(r).meta().ID == id {
			return i
		}
	}
	return -1
}

func listObject(url string, data []any, hasMore bool) map[string]any {
	if data == nil {
		data = []any{}
	}
	return map[string]any{"object": "list", "data": data, "has_more": hasMore, "url": url}
}

// deleted is the body Stripe returns for a DELETE.
func deleted(id, object string) map[string]any {
	return map[string]any{"id": id, "object": object, "deleted": true}
}

func (s *Sandbox) getAccount(c *call) (any, error) {
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	// A UK account, as the demo catalog's prices are in pounds: a learner
	// comparing the account with its prices should find them agree.
	return map[string]any{
		"id": "acct_tollgatesandbox", "object": "account", "type": "standard", "country": "GB",
		"default_currency": "gbp", "charges_enabled": true, "payouts_enabled": false, "details_submitted": true,
		"email": nil, "created": 0, "metadata": map[string]string{},
		"business_profile": map[string]any{"name": "Tollgate Sandbox"},
		"settings":         map[string]any{"dashboard": map[string]any{"display_name": "Tollgate Sandbox", "timezone": "Etc/UTC"}},
	}, nil
}
