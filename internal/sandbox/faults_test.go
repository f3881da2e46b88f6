package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/sandbox"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
)

func (e *env) fault(spec string) {
	e.t.Helper()
	sp, err := fault.Parse(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.srv.AddFault(sp); err != nil {
		e.t.Fatal(err)
	}
}

// rawPost sends a form to the API as any client would, with no retries.
func (e *env) rawPost(path, form, idemKey string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+path, strings.NewReader(form))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	// A fresh connection each time, so Go's client cannot retry a dropped one on its own.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

// The faults answer as Stripe does when it has trouble, so a client's own
// error handling is what gets tested.
func TestFaults(t *testing.T) {
	t.Run("500IsStripesAPIError", func(t *testing.T) {
		e := MustStart(t)
		e.fault("POST /v1/customers 500 x1")
		_, err := e.sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")})
		var se *stripe.Error
		if !errors.As(err, &se) || se.HTTPStatusCode != 500 || se.Type != stripe.ErrorTypeAPI || se.RequestID == "" || se.RequestLogURL == "" {
			t.Fatalf("err = %#v, want Stripe's api_error with a request id and log URL", err)
		}
		// Only the next one: then the API answers again, and nothing was made.
		if _, err := e.sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")}); err != nil {
			t.Fatalf("second create: %v", err)
		}
		if n := len(collect(t, e.sc.V1Customers.List(context.Background(), &stripe.CustomerListParams{}))); n != 1 {
			t.Errorf("%d customers, want 1: the 500 must do nothing", n)
		}
	})

	t.Run("429HasRetryAfter", func(t *testing.T) {
		e := MustStart(t)
		e.fault("/v1/customers 429=2s")
		res, body, err := e.rawPost("/v1/customers", "email=a@example.com", "")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Error struct{ Type, Code, Message string }
		}
		_ = json.Unmarshal(body, &got)
		if res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" || got.Error.Code != "rate_limit" || got.Error.Type != "invalid_request_error" {
			t.Errorf("answer %d Retry-After %q %s, want 429, 2 and Stripe's rate_limit error", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		// Hosted pages are not the API: no fault reaches them.
		if status, _ := e.get(e.srv.URL() + "/"); status != http.StatusOK {
			t.Errorf("home page answered %d during a fault on the API", status)
		}
	})

	t.Run("SlowAnswersLate", func(t *testing.T) {
		e := MustStart(t)
		e.fault("GET /v1/customers slow=300ms x1")
		start := time.Now()
		collect(t, e.sc.V1Customers.List(context.Background(), &stripe.CustomerListParams{}))
		if took := time.Since(start); took < 300*time.Millisecond {
			t.Errorf("answered after %v, want at least 300ms", took)
		}
	})

	t.Run("DropDoesTheWorkOnce", func(t *testing.T) {
		e := MustStart(t)
		e.fault("POST /v1/customers drop x1")
		if _, _, err := e.rawPost("/v1/customers", "email=a@example.com", "k-1"); err == nil {
			t.Fatal("a dropped answer arrived")
		}
		res, body, err := e.rawPost("/v1/customers", "email=a@example.com", "k-1")
		if err != nil || res.StatusCode != 200 || res.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry = %v %v %s, want the first answer replayed", res, err, body)
		}
		if n := len(collect(t, e.sc.V1Customers.List(context.Background(), &stripe.CustomerListParams{}))); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})

	t.Run("FromConfigAndCleared", func(t *testing.T) {
		sp, _ := fault.Parse("/v1/ 500")
		e := MustStart(t, func(c *sandbox.Config) { c.Faults = []fault.Spec{sp} })
		if a := e.srv.Faults(); len(a) != 1 || a[0].Spec != "/v1/ 500" || a[0].Left != -1 {
			t.Fatalf("Faults = %+v, want the configured one until cleared", a)
		}
		if _, err := e.sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{}); err == nil {
			t.Fatal("created during a 500 fault")
		}
		e.srv.ClearFaults()
		if _, err := e.sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{}); err != nil {
			t.Fatalf("after ClearFaults: %v", err)
		}
	})
}
