package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/hostcheck"
	"github.com/tollgate/tollgate/internal/logkey"
)

// idempotency keeps answers to replay for a repeated Idempotency-Key, by
// the key (the sandbox's own records, not an API object). The answers'
// bodies, most of what a day of keys weighs, stay on disk only, in
// bucketIdemBodies under the record's key, and are read back for a replay.
var idempotency *resource[idemRecord]

const bucketIdemBodies = "idempotency_bodies"

func init() {
	idempotency = declare(&resource[idemRecord]{bucket: "idempotency"})
}

const maxBodyBytes = 1 << 20

// call is one API request as a handler sees it.
type call struct {
	ctx context.Context
	r   *http.Request
	p   *params
	// expand are the request's expand[] paths, which name fields of
	// returns, the object type of its answer.
	expand  []string
	returns *objectType
	host    string // for the URLs of hosted pages
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
	route := func(pattern string, returns *objectType, fn apiFunc) { api.Handle(pattern, s.apiHandler(returns, fn)) }
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
	faulty := s.faulty(v1)
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
			faulty.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// routes lists the API: each route, the object type of its answer (which
// expand[] follows) and its handler. A retrieve by id is the resource's own.
func (s *Sandbox) routes(route func(pattern string, returns *objectType, fn apiFunc)) {
	route("GET /v1/account", one("account"), s.getAccount)

	route("POST /v1/products", one("product"), s.createProduct)
	route("GET /v1/products", list("product"), s.listProducts)
	route("GET /v1/products/{id}", one("product"), products.retrieve(s))
	route("POST /v1/products/{id}", one("product"), s.updateProduct)
	route("POST /v1/products/{id}/features", one("product_feature"), s.attachFeature)
	route("GET /v1/products/{id}/features", list("product_feature"), s.listProductFeatures)
	route("POST /v1/prices", one("price"), s.createPrice)
	route("GET /v1/prices", list("price"), s.listPrices)
	route("GET /v1/prices/{id}", one("price"), prices.retrieve(s))
	route("POST /v1/prices/{id}", one("price"), s.updatePrice)
	route("POST /v1/entitlements/features", one("entitlements.feature"), s.createFeature)
	route("GET /v1/entitlements/features", list("entitlements.feature"), s.listFeatures)
	route("GET /v1/entitlements/features/{id}", one("entitlements.feature"), features.retrieve(s))
	route("GET /v1/entitlements/active_entitlements", list("entitlements.active_entitlement"), s.listActiveEntitlements)

	route("POST /v1/customers", one("customer"), s.createCustomer)
	route("GET /v1/customers", list("customer"), s.listCustomers)
	route("GET /v1/customers/{id}", one("customer"), customers.retrieve(s))
	route("POST /v1/customers/{id}", one("customer"), s.updateCustomer)
	route("GET /v1/payment_methods/{id}", one("payment_method"), paymentMethods.retrieve(s))
	route("GET /v1/payment_intents", list("payment_intent"), s.listPaymentIntents)
	route("GET /v1/payment_intents/{id}", one("payment_intent"), paymentIntents.retrieve(s))
	route("GET /v1/charges", list("charge"), s.listCharges)
	route("GET /v1/charges/{id}", one("charge"), charges.retrieve(s))
	route("GET /v1/setup_intents", list("setup_intent"), s.listSetupIntents)
	route("GET /v1/setup_intents/{id}", one("setup_intent"), setupIntents.retrieve(s))

	route("POST /v1/checkout/sessions", one("checkout.session"), s.createSession)
	route("GET /v1/checkout/sessions", list("checkout.session"), s.listSessions)
	route("GET /v1/checkout/sessions/{id}", one("checkout.session"), sessions.retrieve(s))
	route("GET /v1/checkout/sessions/{id}/line_items", list("item"), s.listSessionLineItems)
	route("POST /v1/checkout/sessions/{id}/expire", one("checkout.session"), s.expireSession)

	route("GET /v1/subscriptions", list("subscription"), s.listSubscriptions)
	route("GET /v1/subscriptions/{id}", one("subscription"), subscriptions.retrieve(s))
	route("POST /v1/subscriptions/{id}", one("subscription"), s.updateSubscription)
	route("DELETE /v1/subscriptions/{id}", one("subscription"), s.cancelSubscription)
	route("GET /v1/invoices", list("invoice"), s.listInvoices)
	route("GET /v1/invoices/{id}", one("invoice"), invoices.retrieve(s))
	route("POST /v1/invoices/{id}/pay", one("invoice"), s.payInvoice)
	route("GET /v1/invoice_payments", list("invoice_payment"), s.listInvoicePayments)
	route("GET /v1/invoice_payments/{id}", one("invoice_payment"), invoicePayments.retrieve(s))

	route("POST /v1/coupons", one("coupon"), s.createCoupon)
	route("GET /v1/coupons", list("coupon"), s.listCoupons)
	route("GET /v1/coupons/{id}", one("coupon"), coupons.retrieve(s))
	route("POST /v1/promotion_codes", one("promotion_code"), s.createPromotionCode)
	route("GET /v1/promotion_codes", list("promotion_code"), s.listPromotionCodes)
	route("GET /v1/promotion_codes/{id}", one("promotion_code"), promotionCodes.retrieve(s))
	route("POST /v1/promotion_codes/{id}", one("promotion_code"), s.updatePromotionCode)

	route("POST /v1/billing_portal/configurations", one("billing_portal.configuration"), s.createPortalConfig)
	route("GET /v1/billing_portal/configurations", list("billing_portal.configuration"), s.listPortalConfigs)
	route("GET /v1/billing_portal/configurations/{id}", one("billing_portal.configuration"), portalConfigs.retrieve(s))
	route("POST /v1/billing_portal/configurations/{id}", one("billing_portal.configuration"), s.updatePortalConfig)
	route("POST /v1/billing_portal/sessions", one("billing_portal.session"), s.createPortalSession)

	route("POST /v1/webhook_endpoints", one("webhook_endpoint"), s.createEndpoint)
	route("GET /v1/webhook_endpoints", list("webhook_endpoint"), s.listEndpoints)
	route("GET /v1/webhook_endpoints/{id}", one("webhook_endpoint"), endpoints.retrieve(s))
	route("POST /v1/webhook_endpoints/{id}", one("webhook_endpoint"), s.updateEndpoint)
	route("DELETE /v1/webhook_endpoints/{id}", one("deleted"), s.deleteEndpoint)
	route("GET /v1/events", list("event"), s.listEvents)
	route("GET /v1/events/{id}", one("event"), events.retrieve(s))

	route("POST /v1/test_helpers/test_clocks", one("test_helpers.test_clock"), s.createClock)
	route("GET /v1/test_helpers/test_clocks", list("test_helpers.test_clock"), s.listClocks)
	route("GET /v1/test_helpers/test_clocks/{id}", one("test_helpers.test_clock"), clocks.retrieve(s))
	route("DELETE /v1/test_helpers/test_clocks/{id}", one("deleted"), s.deleteClock)
	route("POST /v1/test_helpers/test_clocks/{id}/advance", one("test_helpers.test_clock"), s.advanceClock)
}

func init() {
	// Answers with nothing expand[] can name.
	addObjectType(&objectType{name: "account"})
	addObjectType(&objectType{name: "deleted"})
}

// one is the object type of an answer; list, of a list of them.
func one(name string) *objectType { return mustType(name) }

func list(name string) *objectType { mustType(name); return listType(name) }

// mustType is a declared object type. Naming an undeclared one is a
// mistake in the routes table, which every test that serves the API finds.
func mustType(name string) *objectType {
	t := objectTypes[name]
	if t == nil {
		panic("sandbox: route answers an undeclared object type " + name)
	}
	return t
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

// idemRecord is a stored response replayed for a repeated Idempotency-Key;
// its body is in bucketIdemBodies.
type idemRecord struct {
	base
	Hash   string `json:"hash"`
	Status int    `json:"status"`
}

const idempotencyTTL = 24 * time.Hour

func (s *Sandbox) apiHandler(returns *objectType, fn apiFunc) http.Handler {
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
		c := &call{ctx: r.Context(), r: r, p: &params{root: root}, host: r.Host, req: req, returns: returns}
		c.expand = c.p.strings("expand")
		// Refused before the handler runs, so a bad path changes nothing.
		if e := checkExpand(returns, c.expand); e != nil {
			answer(e.Status, mustJSON(map[string]any{"error": e}), form)
			return
		}

		idemKey := ""
		if r.Method == http.MethodPost {
			idemKey = r.Header.Get("Idempotency-Key")
		}
		// The request's fingerprint, which a replay of its key must match; only keyed requests have one.
		hash := ""
		if idemKey != "" {
			sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + form))
			hash = hex.EncodeToString(sum[:])
		}
		status, body, replayed := s.execute(c, fn, key+"|"+idemKey, idemKey != "", hash)
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
// idempotent replay. It returns the status and body to send once what the
// answer says is on disk. The wait for the disk is outside the lock, so
// that the requests arriving meanwhile run and share the next transaction.
func (s *Sandbox) execute(c *call, fn apiFunc, idemID string, useIdem bool, hash string) (int, []byte, bool) {
	a := s.run(c, fn, idemID, useIdem, hash)
	if err := a.commit.wait(); err != nil {
		s.log.Error("commit", logkey.Err, err)
		e := errInternal()
		return e.Status, mustJSON(map[string]any{"error": e}), false
	}
	if a.replayOf != "" {
		// On disk now: the commit waited for is the latest, so it or an
		// earlier one holds it.
		body, err := s.idemBody(a.replayOf)
		if err != nil {
			s.log.Error("idempotent replay", logkey.Err, err)
			e := errInternal()
			return e.Status, mustJSON(map[string]any{"error": e}), false
		}
		return a.status, body, true
	}
	return a.status, a.body, false
}

// answer is what run decided under the state lock.
type answer struct {
	status int
	body   []byte
	// replayOf, for an idempotent replay, is the key of the stored body to
	// answer with, which execute reads from disk.
	replayOf string
	// commit is the one to wait for before answering: the request's own,
	// or the latest, even for a request that changed nothing, since its
	// answer may show changes not yet on disk.
	commit *commitReq
}

// idemBody reads a stored answer's body for a replay, by its key.
func (s *Sandbox) idemBody(key string) ([]byte, error) {
	var body []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bucketIdemBodies)); b != nil {
			body = bytes.Clone(b.Get([]byte(key)))
		}
		if body == nil {
			return fmt.Errorf("no stored body for an idempotency key")
		}
		return nil
	})
	return body, err
}

// run is execute's part under the state lock.
func (s *Sandbox) run(c *call, fn apiFunc, idemID string, useIdem bool, hash string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Every event fn sends is caused by this request; what runs later
	// (c.after, the ticker, the hosted pages) is not, and sends events
	// with a null request.
	s.cause, s.host = c.req, c.host
	defer func() { s.cause, s.host = eventRequest{}, "" }()
	if useIdem {
		if rec := idempotency.get(s.st, idemID); rec != nil && time.Since(time.Unix(rec.Created, 0)) < idempotencyTTL {
			if rec.Hash != hash {
				e := invalid("", "", "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", c.r.Header.Get("Idempotency-Key"))
				e.Type = typeIdempotency
				return answer{status: e.Status, body: mustJSON(map[string]any{"error": e})}
			}
			return answer{status: rec.Status, replayOf: rowKey(rec.ID, rec.Seq), commit: s.commits.submit(nil)}
		}
	}
	res, err := fn(c)
	status, body := http.StatusOK, []byte(nil)
	var aerr *apiError
	switch {
	case err == nil:
		s.expand(res, c.returns, c.expand)
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
		// Keyed by the key, not an id of its own; the sequence number
		// keeps records in the order they expire.
		rec := &idemRecord{base: idempotency.newBase(s.st, time.Now()), Hash: hash, Status: status}
		rec.ID = idemID
		idempotency.put(s.st, rec)
		s.st.raw = append(s.st.raw, write{bucket: bucketIdemBodies, key: rowKey(idemID, rec.Seq), value: body})
	}
	req, err := s.handOver(c.ctx)
	if err != nil {
		s.log.Error("commit", logkey.Err, err)
		e := errInternal()
		return answer{status: e.Status, body: mustJSON(map[string]any{"error": e})}
	}
	return answer{status: status, body: body, commit: req}
}

// pruneIdempotency forgets keys older than a day, as Stripe does. Keys live
// on real time: they are about requests, not about billing. Records are
// kept in the order they were made, so it looks only at those that expire.
func (s *Sandbox) pruneIdempotency() {
	var old []*idemRecord
	for _, rec := range idempotency.all(s.st) {
		if time.Since(time.Unix(rec.Created, 0)) < idempotencyTTL {
			break
		}
		old = append(old, rec)
	}
	for _, rec := range old {
		idempotency.del(s.st, rec.ID)
		s.st.raw = append(s.st.raw, write{bucket: bucketIdemBodies, key: rowKey(rec.ID, rec.Seq)})
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

// pageOf renders one page of the rows of l (oldest first, all of r's or
// those of one index key) that keep accepts (all for nil), newest first, as
// page does, but walks only from the cursor to the page's end: a list costs
// its page, not the table. l must hold every row of r keep accepts.
func pageOf[T any](c *call, st *state, a listArgs, r *resource[T], l seqList[T], keep func(*T) bool, render func(*T) any) (any, error) {
	if keep == nil {
		keep = func(*T) bool { return true }
	}
	// A cursor must be a row the list holds, as in page.
	cursor := func(id, param string) (int, error) {
		v := r.get(st, id)
		if v == nil || !keep(v) {
			return 0, errNotFound("object", id, param)
		}
		return l.search(meta(v).Seq), nil
	}
	var rows []*T
	hasMore := false
	if a.endingBefore != "" && a.startingAfter == "" {
		i, err := cursor(a.endingBefore, "ending_before")
		if err != nil {
			return nil, err
		}
		// The page is the limit rows newer than the cursor nearest to it.
		for i++; i < len(l); i++ {
			if keep(l[i]) {
				if len(rows) == a.limit {
					hasMore = true
					break
				}
				rows = append(rows, l[i])
			}
		}
		slices.Reverse(rows)
	} else {
		i := len(l)
		if a.startingAfter != "" {
			var err error
			if i, err = cursor(a.startingAfter, "starting_after"); err != nil {
				return nil, err
			}
		}
		for i--; i >= 0; i-- {
			if keep(l[i]) {
				if len(rows) == a.limit {
					hasMore = true
					break
				}
				rows = append(rows, l[i])
			}
		}
	}
	data := make([]any, 0, len(rows))
	for _, v := range rows {
		data = append(data, render(v))
	}
	return listObject(c.r.URL.Path, data, hasMore), nil
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
		"email": nil, "created": 0, "metadata": map[string]string{}, "business_type": nil, "groups": nil,
		"business_profile": map[string]any{"name": "Tollgate Sandbox", "annual_revenue": nil, "estimated_worker_count": nil,
			"mcc": nil, "minority_owned_business_designation": nil, "product_description": nil, "support_address": nil,
			"support_email": nil, "support_phone": nil, "support_url": nil, "url": nil},
		"settings": map[string]any{
			"branding":      map[string]any{"icon": nil, "logo": nil, "primary_color": nil, "secondary_color": nil},
			"card_payments": map[string]any{"decline_on": map[string]any{"avs_failure": false, "cvc_failure": false}, "statement_descriptor_prefix": nil, "statement_descriptor_prefix_kana": nil, "statement_descriptor_prefix_kanji": nil},
			"dashboard":     map[string]any{"display_name": "Tollgate Sandbox", "timezone": "Etc/UTC"},
			"payments":      map[string]any{"statement_descriptor": "TOLLGATE SANDBOX", "statement_descriptor_kana": nil, "statement_descriptor_kanji": nil},
		},
	}, nil
}
