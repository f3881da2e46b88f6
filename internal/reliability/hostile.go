package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// attempt is one hostile request and whether it should get through.
type attempt struct {
	name   string
	req    func(base string) *http.Request
	accept bool // the controls, which prove the check can see acceptance
}

// hostile sends serve deliveries and calls that must be refused, each with
// a 4xx and never a 5xx, and two controls that must be accepted.
func hostile(ctx context.Context, r *Runner, res *Result) error {
	data, err := r.dir("hostile")
	if err != nil {
		return err
	}
	p, err := r.startServe(ctx, data, startOpts{env: []string{"TEST_STRIPE_WEBHOOK_SECRET=" + secret}})
	if err != nil {
		return err
	}
	defer r.saveLog("hostile", p)
	defer p.stop()
	attempts := append(webhookAttempts(), bridgeAttempts(p.token())...)
	c := client(30 * time.Second)
	wrong, fivexx, lost := 0, 0, 0
	for _, a := range attempts {
		req := a.req(p.base).WithContext(ctx)
		resp, err := c.Do(req)
		if err != nil {
			lost++
			res.failf("%s: no answer: %v", a.name, err)
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		ok := resp.StatusCode/100 == 2 && !bytes.Contains(body, []byte(`"error"`))
		switch {
		case resp.StatusCode >= 500:
			fivexx++
			res.failf("%s: %d", a.name, resp.StatusCode)
		case ok != a.accept:
			wrong++
			res.failf("%s: %d %s, want accepted=%v", a.name, resp.StatusCode, strings.TrimSpace(string(body)), a.accept)
		}
	}
	res.add("tried", len(attempts))
	res.want("wrongly_accepted", wrong, 0)
	res.want("5xx", fivexx, 0)
	res.want("lost", lost, 0)
	if err := p.stop(); err != nil {
		res.failf("stop: %v", err)
	}
	res.want("panics", p.panics(), 0)
	return nil
}

func post(base, path, body string, headers ...string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

func webhookAttempts() []attempt {
	now := time.Now()
	good := eventBody("evt_hostile_control", now)
	signed := func(body []byte, t time.Time, key string) func(string) *http.Request {
		return func(base string) *http.Request {
			return post(base, "/payments/event", string(body), "Stripe-Signature", sign(body, key, t), "Content-Type", "application/json")
		}
	}
	longID := eventBody("evt_"+strings.Repeat("x", 40000), now)
	oversize := eventBody("evt_oversize", now)
	oversize = append(oversize[:len(oversize)-1], []byte(`,"padding":"`+strings.Repeat("x", 2<<20)+`"}`)...)
	malformed := []byte(`{"id":"evt_malformed","object":"event",`)
	noID := []byte(`{"object":"event","type":"customer.created","data":{"object":{}}}`)
	as := []attempt{
		{name: "webhook control", req: signed(good, now, secret), accept: true},
		{name: "webhook unsigned", req: func(b string) *http.Request { return post(b, "/payments/event", string(good)) }},
		{name: "webhook signed with another secret", req: signed(good, now, "whsec_someone_else")},
		{name: "webhook signed with the API key", req: signed(good, now, "sk_test_123")},
		{name: "webhook garbage signature", req: func(b string) *http.Request {
			return post(b, "/payments/event", string(good), "Stripe-Signature", "t=abc,v1=zz")
		}},
		{name: "webhook stale timestamp", req: signed(eventBody("evt_stale", now), now.Add(-10*time.Minute), secret)},
		{name: "webhook body changed after signing", req: func(b string) *http.Request {
			h := sign(good, secret, now)
			return post(b, "/payments/event", strings.Replace(string(good), "active", "canceled", 1), "Stripe-Signature", h)
		}},
		{name: "webhook oversize body", req: signed(oversize, now, secret)},
		{name: "webhook malformed JSON", req: signed(malformed, now, secret)},
		{name: "webhook no id", req: signed(noID, now, secret)},
		{name: "webhook 40,000-character id", req: signed(longID, now, secret)},
		{name: "webhook foreign Host", req: func(b string) *http.Request {
			return post(b, "/payments/event", string(good), "Stripe-Signature", sign(good, secret, now), "Host", "evil.example")
		}},
	}
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		as = append(as, attempt{name: "webhook " + m, req: func(b string) *http.Request {
			req, _ := http.NewRequest(m, b+"/payments/event", bytes.NewReader(good))
			req.Header.Set("Stripe-Signature", sign(good, secret, now))
			return req
		}})
	}
	return as
}

func bridgeAttempts(token string) []attempt {
	callBody := func(name string, args ...any) string {
		b, _ := json.Marshal(map[string]any{"name": name, "args": args})
		return string(b)
	}
	call := func(body string, headers ...string) func(string) *http.Request {
		return func(base string) *http.Request {
			h := append([]string{"Content-Type", "application/json", "X-Tollgate-Token", token}, headers...)
			return post(base, "/api/call", body, h...)
		}
	}
	about := callBody("main.App.About")
	return []attempt{
		{name: "bridge control", req: call(about), accept: true},
		{name: "bridge no token", req: func(b string) *http.Request {
			return post(b, "/api/call", about, "Content-Type", "application/json")
		}},
		{name: "bridge wrong token", req: call(about, "X-Tollgate-Token", strings.Repeat("0", len(token)))},
		{name: "bridge token in the query", req: func(b string) *http.Request {
			return post(b, "/api/call?token="+token, about, "Content-Type", "application/json")
		}},
		{name: "bridge foreign Host", req: call(about, "Host", "evil.example")},
		{name: "bridge rebinding Host", req: call(about, "Host", "127.0.0.1.nip.io")},
		{name: "bridge foreign Origin", req: call(about, "Origin", "http://evil.example")},
		{name: "bridge text/plain body", req: call(about, "Content-Type", "text/plain")},
		{name: "bridge unknown method", req: call(callBody("main.App.Nope"))},
		{name: "bridge method of another type", req: call(callBody("os.Exit", 1))},
		{name: "bridge unexported method", req: call(callBody("main.App.startup"))},
		{name: "bridge too few arguments", req: call(callBody("main.App.Login", "a@example.com"))},
		{name: "bridge too many arguments", req: call(callBody("main.App.Logout", 1, 2))},
		{name: "bridge wrong argument types", req: call(callBody("main.App.Login", 1, true))},
		{name: "bridge args not a list", req: call(`{"name":"main.App.Login","args":{"a":1}}`)},
		{name: "bridge malformed JSON", req: call(`{"name":"main.App.About",`)},
		{name: "bridge 2 MB argument", req: call(callBody("main.App.Login", strings.Repeat("a", 2<<20)+"@example.com", "x"))},
		{name: "bridge 900 KB email", req: call(callBody("main.App.Login", strings.Repeat("a", 900<<10)+"@example.com", "x"))},
		{name: "bridge method needs a login", req: call(callBody("main.App.Plans"))},
		{name: "bridge GET", req: func(b string) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, b+"/api/call", nil)
			req.Header.Set("X-Tollgate-Token", token)
			return req
		}},
	}
}
