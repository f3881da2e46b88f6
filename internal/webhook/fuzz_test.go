package webhook_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzReceive delivers any body with any signature, or with a valid one:
// the endpoint answers 200, 400, 405 or 413, never a 5xx or a crash, and
// accepts nothing that is not signed with a secret in force.
func FuzzReceive(f *testing.F) {
	for _, seed := range []struct {
		body   string
		header string
		signed bool
	}{
		{string(newEvent("evt_seed")), "", true},
		{string(newEvent("evt_seed")), "t=1,v1=00", false},
		{`{"id":"evt_x","object":"event","type":"invoice.paid","created":1,"data":{"object":{}}}`, "", true},
		{`{"id":"","type":"x"}`, "", true},
		{`{"id":123}`, "", true},
		{`not json`, "", true},
		{`{"id":"evt_y","created":"yesterday"}`, "", true},
		{``, "t=,v1=", false},
		{`{}`, "v1=abc,t=99999999999999999999", false},
	} {
		f.Add(seed.body, seed.header, seed.signed)
	}
	e := newEnv(f, nil)
	f.Fuzz(func(t *testing.T, body, header string, signed bool) {
		if signed {
			header = sign([]byte(body), testSecret)
		}
		req := httptest.NewRequest(http.MethodPost, "/payments/event", bytes.NewReader([]byte(body)))
		if header != "" {
			req.Header.Set("Stripe-Signature", header)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("body %q, header %q: status %d %s", body, header, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusOK && !signed {
			t.Fatalf("an unsigned or forged body was accepted: %q with %q", body, header)
		}
	})
}
