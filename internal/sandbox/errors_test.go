package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/sandbox"
)

func stripeErr(t *testing.T, err error) *stripe.Error {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *stripe.Error", err, err)
	}
	return se
}

func TestErrors(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()

	for _, tc := range []struct {
		name, key string
	}{{"ErrBadKey", "sk_live_nope"}, {"ErrNoKey", ""}, {"ErrPublishableKey", "pk_test_123"}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newClient(e.srv.URL(), tc.key).V1Customers.Retrieve(ctx, "cus_x", nil)
			se := stripeErr(t, err)
			if se.HTTPStatusCode != http.StatusUnauthorized || se.Type != stripe.ErrorTypeInvalidRequest {
				t.Fatalf("got %d %s, want 401 invalid_request_error", se.HTTPStatusCode, se.Type)
			}
		})
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.sc.V1Customers.Retrieve(ctx, "cus_missing", nil)
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusNotFound || se.Code != stripe.ErrorCodeResourceMissing || se.Param != "id" {
			t.Fatalf("got %d %s %s", se.HTTPStatusCode, se.Code, se.Param)
		}
	})

	t.Run("ErrMissingParam", func(t *testing.T) {
		_, err := e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{})
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeInvalidRequest ||
			se.Code != stripe.ErrorCodeParameterMissing || se.Param != "name" {
			t.Fatalf("got %d %s %s %s", se.HTTPStatusCode, se.Type, se.Code, se.Param)
		}
	})

	t.Run("ErrEmptyParam", func(t *testing.T) {
		_, err := e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("")})
		if se := stripeErr(t, err); se.Code != stripe.ErrorCodeParameterInvalidEmpty || se.Param != "name" {
			t.Fatalf("got %s %s", se.Code, se.Param)
		}
	})

	t.Run("ErrUnknownParam", func(t *testing.T) {
		p := &stripe.ProductCreateParams{Name: stripe.String("x")}
		p.AddExtra("colour", "blue")
		_, err := e.sc.V1Products.Create(ctx, p)
		if se := stripeErr(t, err); se.Code != stripe.ErrorCodeParameterUnknown || se.Param != "colour" {
			t.Fatalf("got %s %s", se.Code, se.Param)
		}
	})

	t.Run("ErrBadInteger", func(t *testing.T) {
		prod := must(e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("x")}))(t)
		p := &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd")}
		p.AddExtra("unit_amount", "ten")
		_, err := e.sc.V1Prices.Create(ctx, p)
		se := stripeErr(t, err)
		if se.HTTPStatusCode != http.StatusBadRequest || se.Param != "unit_amount" || se.Code != stripe.ErrorCodeParameterInvalidInteger {
			t.Fatalf("got %d %s param %q", se.HTTPStatusCode, se.Code, se.Param)
		}
	})

	t.Run("ErrUnknownURL", func(t *testing.T) {
		for _, tc := range []struct{ path, hint string }{
			{"/v1/nothing", ""},
			{"/v1/customers/", "remove the trailing slash"},
		} {
			req := must(http.NewRequest(http.MethodGet, e.srv.URL()+tc.path, nil))(t)
			req.Header.Set("Authorization", "Bearer "+testKey)
			res := must(http.DefaultClient.Do(req))(t)
			var body struct{ Error map[string]any }
			err := json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: status %d, decode %v", tc.path, res.StatusCode, err)
			}
			msg, _ := body.Error["message"].(string)
			// Stripe's wording, and like Stripe no code: no resource is missing.
			if !strings.HasPrefix(msg, "Unrecognized request URL (GET: "+tc.path+").") || !strings.Contains(msg, tc.hint) {
				t.Errorf("%s: message %q", tc.path, msg)
			}
			if _, has := body.Error["code"]; has || body.Error["type"] != "invalid_request_error" {
				t.Errorf("%s: error %v, want type invalid_request_error and no code", tc.path, body.Error)
			}
			if res.Header.Get("Request-Id") == "" || body.Error["request_log_url"] == nil {
				t.Errorf("%s: no Request-Id or request_log_url: %v", tc.path, body.Error)
			}
		}
	})

	// doc_url names Stripe's page for the code, whose path uses hyphens.
	t.Run("DocURL", func(t *testing.T) {
		_, err := e.sc.V1Customers.Retrieve(ctx, "cus_missing", nil)
		if se := stripeErr(t, err); se.DocURL != "https://stripe.com/docs/error-codes/resource-missing" {
			t.Fatalf("doc_url = %q", se.DocURL)
		}
	})

	// Every error carries request_log_url, Stripe's link to the request in
	// its dashboard; the sandbox's opens a page with the request and answer.
	t.Run("RequestLogURL", func(t *testing.T) {
		_, err := e.sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("")})
		se := stripeErr(t, err)
		if !strings.HasPrefix(se.RequestLogURL, e.srv.URL()+"/logs/"+se.RequestID) {
			t.Fatalf("request_log_url = %q, request id %q", se.RequestLogURL, se.RequestID)
		}
		status, page := e.get(se.RequestLogURL)
		if status != http.StatusOK {
			t.Fatalf("log page: %d", status)
		}
		for _, want := range []string{"POST /v1/products", "name=", "400", "parameter_invalid_empty"} {
			if !strings.Contains(page, want) {
				t.Errorf("log page lacks %q:\n%s", want, page)
			}
		}
		if status, _ := e.get(e.srv.URL() + "/logs/req_unknown"); status != http.StatusNotFound {
			t.Errorf("unknown request's page: %d, want 404", status)
		}
	})
}

func TestIdempotency(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()

	t.Run("Replay", func(t *testing.T) {
		p := &stripe.CustomerCreateParams{Email: stripe.String("idem@example.com")}
		p.SetIdempotencyKey("key-1")
		first := must(e.sc.V1Customers.Create(ctx, p))(t)
		p2 := &stripe.CustomerCreateParams{Email: stripe.String("idem@example.com")}
		p2.SetIdempotencyKey("key-1")
		second := must(e.sc.V1Customers.Create(ctx, p2))(t)
		if first.ID != second.ID {
			t.Fatalf("replay made a new customer: %s then %s", first.ID, second.ID)
		}
		if got, want := second.LastResponse.Header.Get("Idempotent-Replayed"), "true"; got != want {
			t.Errorf("Idempotent-Replayed = %q, want %q", got, want)
		}
		if n := len(collect(t, e.sc.V1Customers.List(ctx, &stripe.CustomerListParams{Email: stripe.String("idem@example.com")}))); n != 1 {
			t.Fatalf("%d customers, want 1", n)
		}
		// The answer is kept on disk, and replayed after a restart too.
		e.restart()
		p3 := &stripe.CustomerCreateParams{Email: stripe.String("idem@example.com")}
		p3.SetIdempotencyKey("key-1")
		third := must(e.sc.V1Customers.Create(ctx, p3))(t)
		if third.ID != first.ID || third.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("after a restart: %s replayed %q, want %s replayed", third.ID, third.LastResponse.Header.Get("Idempotent-Replayed"), first.ID)
		}
		if string(third.LastResponse.RawJSON) != string(first.LastResponse.RawJSON) {
			t.Errorf("replayed body differs from the first answer")
		}
	})

	// By design, like Stripe, a request refused before it ran (a bad
	// parameter, a missing object) saves no result, so it can be fixed and
	// retried with the same key; only requests that ran are replayed.
	t.Run("ErrorNotSaved", func(t *testing.T) {
		update := func() (*stripe.Product, error) {
			p := &stripe.ProductUpdateParams{Name: stripe.String("Found")}
			p.SetIdempotencyKey("key-2")
			return e.sc.V1Products.Update(ctx, "prod_later", p)
		}
		_, err := update()
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound {
			t.Fatalf("first update: %d, want 404", se.HTTPStatusCode)
		}
		p := &stripe.ProductCreateParams{Name: stripe.String("Later")}
		p.AddExtra("id", "prod_later")
		must(e.sc.V1Products.Create(ctx, p))(t)
		got := must(update())(t)
		if got.Name != "Found" || got.LastResponse.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("retry = %q replayed %q, want the update run afresh", got.Name, got.LastResponse.Header.Get("Idempotent-Replayed"))
		}
	})

	// A declined payment did run, so its error is replayed: the card is
	// not charged a second time.
	t.Run("ReplayDeclined", func(t *testing.T) {
		_, _, subID, _ := failingRenewal(t, e)
		inv := e.subscription(subID).LatestInvoice
		pay := func() *stripe.Error {
			p := &stripe.InvoicePayParams{}
			p.SetIdempotencyKey("key-4")
			_, err := e.sc.V1Invoices.Pay(ctx, inv.ID, p)
			return stripeErr(t, err)
		}
		first, second := pay(), pay()
		if first.HTTPStatusCode != http.StatusPaymentRequired || second.HTTPStatusCode != first.HTTPStatusCode ||
			second.Code != first.Code || second.Msg != first.Msg {
			t.Fatalf("replay = %d %s %q, want %d %s %q", second.HTTPStatusCode, second.Code, second.Msg, first.HTTPStatusCode, first.Code, first.Msg)
		}
		if got, want := e.subscription(subID).LatestInvoice.AttemptCount, inv.AttemptCount+1; got != want {
			t.Fatalf("attempt_count = %d, want %d: the replay charged again", got, want)
		}
	})

	t.Run("ErrDifferentParams", func(t *testing.T) {
		p := &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")}
		p.SetIdempotencyKey("key-3")
		must(e.sc.V1Customers.Create(ctx, p))(t)
		p2 := &stripe.CustomerCreateParams{Email: stripe.String("b@example.com")}
		p2.SetIdempotencyKey("key-3")
		_, err := e.sc.V1Customers.Create(ctx, p2)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeIdempotency {
			t.Fatalf("got %d %s", se.HTTPStatusCode, se.Type)
		}
	})
}

// With Config.Key, the sandbox is the account of whoever holds that key
// only: any other secret test key is refused, as Stripe refuses a key of
// another account.
func TestOnlyItsKey(t *testing.T) {
	const key = "sk_test_0123456789abcdef0123456789abcdef"
	e := MustStart(t, func(c *sandbox.Config) { c.Key = key })
	ctx := context.Background()
	_, err := newClient(e.srv.URL(), testKey).V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")})
	se := stripeErr(t, err)
	if se.HTTPStatusCode != http.StatusUnauthorized || !strings.Contains(se.Msg, "only the key it was started with") {
		t.Fatalf("another sk_test_ key: %d %q", se.HTTPStatusCode, se.Msg)
	}
	if _, err := newClient(e.srv.URL(), key).V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")}); err != nil {
		t.Fatalf("its key: %v", err)
	}
}

// A Host that is a name other than localhost is how a page using DNS
// rebinding would reach the sandbox: every route refuses it.
func TestHostCheck(t *testing.T) {
	e := MustStart(t)
	port := e.srv.URL()[strings.LastIndex(e.srv.URL(), ":")+1:]
	for _, tc := range []struct {
		method, path string
	}{{"GET", "/v1/customers"}, {"POST", "/v1/webhook_endpoints"}, {"GET", "/"}, {"GET", "/checkout/cs_x"}} {
		for host, refused := range map[string]bool{
			"127.0.0.1:" + port:      false,
			"localhost:" + port:      false,
			"rebind.example:" + port: true,
		} {
			req := must(http.NewRequest(tc.method, e.srv.URL()+tc.path, strings.NewReader("url=http%3A%2F%2F127.0.0.1%3A1%2Fx&enabled_events[]=*")))(t)
			req.Host = host
			req.Header.Set("Authorization", "Bearer "+testKey)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res := must(http.DefaultClient.Do(req))(t)
			res.Body.Close()
			if got := res.StatusCode; (got == http.StatusMisdirectedRequest) != refused {
				t.Errorf("%s %s with Host %s: %d, refused = %v", tc.method, tc.path, host, got, refused)
			}
		}
	}
	if got := collect(t, e.sc.V1WebhookEndpoints.List(context.Background(), &stripe.WebhookEndpointListParams{})); len(got) != 2 {
		t.Errorf("%d endpoints, want the 2 from allowed Hosts", len(got))
	}
}

// TestIdempotencyBodiesOfEarlierVersion opens a sandbox.db written before
// answers' bodies moved to a bucket of their own, where each record held its
// body, and replays one of them.
func TestIdempotencyBodiesOfEarlierVersion(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	p := &stripe.CustomerCreateParams{Email: stripe.String("old@example.com")}
	p.SetIdempotencyKey("old-key")
	first := must(e.sc.V1Customers.Create(ctx, p))(t)
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	// Put each body back into its record, as the earlier version kept it.
	db := must(bolt.Open(e.cfg.Path, 0o600, nil))(t)
	err := db.Update(func(tx *bolt.Tx) error {
		recs, bodies := tx.Bucket([]byte("idempotency")), tx.Bucket([]byte("idempotency_bodies"))
		return bodies.ForEach(func(k, body []byte) error {
			var rec map[string]any
			if err := json.Unmarshal(recs.Get(k), &rec); err != nil {
				return err
			}
			rec["body"] = json.RawMessage(body)
			data, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			return recs.Put(k, data)
		})
	})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("idempotency_bodies")) })
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	e.start()
	p2 := &stripe.CustomerCreateParams{Email: stripe.String("old@example.com")}
	p2.SetIdempotencyKey("old-key")
	again := must(e.sc.V1Customers.Create(ctx, p2))(t)
	if again.ID != first.ID || again.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay of an earlier version's key: %s replayed %q, want %s replayed", again.ID, again.LastResponse.Header.Get("Idempotent-Replayed"), first.ID)
	}
}

// TestRowsKeyedByIDOfEarlierVersion opens a sandbox.db whose rows are keyed
// by their ids, as an earlier version kept them (now by sequence number),
// and checks they load, change and survive a restart without a stale copy.
func TestRowsKeyedByIDOfEarlierVersion(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	cu := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Name: stripe.String("Before")}))(t)
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	rekey := func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("customers"))
		moved := map[string][]byte{}
		if err := b.ForEach(func(k, v []byte) error { moved[string(k)] = bytes.Clone(v); return nil }); err != nil {
			return err
		}
		for k, v := range moved {
			var row struct{ ID string }
			if err := json.Unmarshal(v, &row); err != nil {
				return err
			}
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
			if err := b.Put([]byte(row.ID), v); err != nil {
				return err
			}
		}
		return nil
	}
	db := must(bolt.Open(e.cfg.Path, 0o600, nil))(t)
	err := db.Update(rekey)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	e.start()
	must(e.sc.V1Customers.Update(ctx, cu.ID, &stripe.CustomerUpdateParams{Name: stripe.String("After")}))(t)
	e.restart()
	if got := must(e.sc.V1Customers.Retrieve(ctx, cu.ID, nil))(t); got.Name != "After" {
		t.Errorf("name after a restart = %q, want After", got.Name)
	}
	if n := len(collect(t, e.sc.V1Customers.List(ctx, nil))); n != 1 {
		t.Errorf("%d customers listed, want 1", n)
	}
}
