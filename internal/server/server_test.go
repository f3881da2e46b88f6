package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tollgate/tollgate/internal/server"
)

// Greeter stands for the App bound to Wails: the bridge must call it as Wails would.
type Greeter struct{ calls int }

type Greeting struct {
	Text string `json:"text"`
}

func (g *Greeter) Hello(name string, times int) (Greeting, error) {
	g.calls++
	if name == "" {
		return Greeting{}, errors.New("Please enter a name.")
	}
	return Greeting{Text: strings.Repeat("hello "+name+" ", times)}, nil
}
func (g *Greeter) Count() int         { return g.calls }
func (g *Greeter) Reset() error       { g.calls = 0; return nil }
func (g *Greeter) Boom() error        { panic("boom") } // a bound method that panics
func (g *Greeter) Pointer() *Greeting { return nil }

const token = "0123456789abcdef0123456789abcdef"

func newServer(t *testing.T) (*httptest.Server, *Greeter) {
	t.Helper()
	g := &Greeter{}
	assets := fstest.MapFS{
		"index.html":    {Data: []byte("<!doctype html><html><head><title>T</title></head><body></body></html>")},
		"assets/app.js": {Data: []byte("console.log('app')")},
	}
	srv, err := server.New(server.Options{Assets: assets, Bindings: []any{g}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv) // listens on 127.0.0.1
	t.Cleanup(ts.Close)
	return ts, g
}

type callResult struct {
	Result json.RawMessage `json:"result"`
	Error  *string         `json:"error"`
}

func call(t *testing.T, ts *httptest.Server, tok, body string) (int, callResult) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/api/call", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set(server.TokenHeader, tok)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r callResult
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.StatusCode, r
}

func TestCall(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts, g := newServer(t)
		code, r := call(t, ts, token, `{"name":"server_test.Greeter.Hello","args":["Ada",2]}`)
		if code != 200 || r.Error != nil {
			t.Fatalf("code=%d err=%v", code, r.Error)
		}
		if got, want := string(r.Result), `{"text":"hello Ada hello Ada "}`; got != want {
			t.Errorf("result = %s, want %s", got, want)
		}
		if g.calls != 1 {
			t.Errorf("method ran %d times, want 1", g.calls)
		}
	})

	t.Run("MethodError", func(t *testing.T) {
		ts, _ := newServer(t)
		code, r := call(t, ts, token, `{"name":"server_test.Greeter.Hello","args":["",1]}`)
		if code != 200 || r.Error == nil || *r.Error != "Please enter a name." {
			t.Fatalf("code=%d error=%v, want 200 with the method's error text", code, r.Error)
		}
	})

	t.Run("ResultOnly", func(t *testing.T) {
		ts, _ := newServer(t)
		call(t, ts, token, `{"name":"server_test.Greeter.Hello","args":["A",1]}`)
		if _, r := call(t, ts, token, `{"name":"server_test.Greeter.Count","args":[]}`); string(r.Result) != "1" {
			t.Errorf("Count = %s, want 1", r.Result)
		}
		if _, r := call(t, ts, token, `{"name":"server_test.Greeter.Reset","args":[]}`); r.Error != nil || string(r.Result) != "null" {
			t.Errorf("Reset = %s %v, want null and no error", r.Result, r.Error)
		}
	})

	t.Run("ErrPanicBecomesError", func(t *testing.T) {
		ts, _ := newServer(t)
		code, r := call(t, ts, token, `{"name":"server_test.Greeter.Boom","args":[]}`)
		if code != 200 || r.Error == nil || !strings.Contains(*r.Error, "Something went wrong") || strings.Contains(*r.Error, "boom") {
			t.Fatalf("code=%d error=%v, want a generic error without the panic's detail", code, r.Error)
		}
		if _, r := call(t, ts, token, `{"name":"server_test.Greeter.Count","args":[]}`); string(r.Result) != "0" {
			t.Errorf("the server did not survive the panic: %s", r.Result)
		}
	})

	for _, tc := range []struct{ name, body, want string }{
		{"ErrUnknownMethod", `{"name":"server_test.Greeter.Nope","args":[]}`, "no bound method"},
		{"ErrArgCount", `{"name":"server_test.Greeter.Hello","args":["A"]}`, "takes 2 arguments, got 1"},
		{"ErrArgType", `{"name":"server_test.Greeter.Hello","args":["A","two"]}`, "argument 2"},
		{"ErrBadJSON", `{"name":`, "Bad call"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, g := newServer(t)
			code, r := call(t, ts, token, tc.body)
			if code != 400 || r.Error == nil || !strings.Contains(*r.Error, tc.want) {
				t.Fatalf("code=%d error=%v, want 400 containing %q", code, r.Error, tc.want)
			}
			if g.calls != 0 {
				t.Error("the method ran despite the bad call")
			}
		})
	}

	t.Run("ErrNoToken", func(t *testing.T) {
		ts, g := newServer(t)
		for _, tok := range []string{"", "wrong-token"} {
			if code, _ := call(t, ts, tok, `{"name":"server_test.Greeter.Hello","args":["A",1]}`); code != 401 {
				t.Errorf("token %q: code = %d, want 401", tok, code)
			}
		}
		if g.calls != 0 {
			t.Error("the method ran without the token")
		}
	})

	t.Run("ErrForeignOrigin", func(t *testing.T) {
		ts, g := newServer(t)
		for origin, want := range map[string]int{"http://evil.example": 403, "null": 403, ts.URL + ".evil.example": 403, ts.URL: 200} {
			req, _ := http.NewRequest("POST", ts.URL+"/api/call", strings.NewReader(`{"name":"server_test.Greeter.Hello","args":["A",1]}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(server.TokenHeader, token)
			req.Header.Set("Origin", origin)
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("Origin %q: code = %d, want %d", origin, res.StatusCode, want)
			}
		}
		if g.calls != 1 {
			t.Errorf("calls = %d, want only the same-origin one", g.calls)
		}
	})

	t.Run("ErrNotJSON", func(t *testing.T) {
		// A plain form post is what a foreign page can send without a preflight; it must not get through.
		ts, g := newServer(t)
		req, _ := http.NewRequest("POST", ts.URL+"/api/call", strings.NewReader(`{"name":"server_test.Greeter.Hello","args":["A",1]}`))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set(server.TokenHeader, token)
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType || g.calls != 0 {
			t.Errorf("code = %d, calls = %d; want 415 and no call", res.StatusCode, g.calls)
		}
	})
}

func TestPages(t *testing.T) {
	get := func(t *testing.T, url, host string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if host != "" {
			req.Host = host
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	t.Run("PageAndScriptsHoldNoSecret", func(t *testing.T) {
		// They reach anyone on loopback, so none of them may carry the token or set a cookie.
		ts, _ := newServer(t)
		for _, path := range []string{"/", "/?token=" + token, "/tollgate-bridge.js", "/assets/app.js"} {
			res, body := get(t, ts.URL+path, "")
			if res.StatusCode != 200 || strings.Contains(body, token) || len(res.Cookies()) != 0 {
				t.Errorf("%s: %d, token in body %v, cookies %v", path, res.StatusCode, strings.Contains(body, token), res.Cookies())
			}
		}
		_, index := get(t, ts.URL+"/", "")
		if !strings.Contains(index, `<head><script src="/tollgate-bridge.js"></script>`) {
			t.Errorf("index lacks the bridge script: %s", index)
		}
		_, js := get(t, ts.URL+"/tollgate-bridge.js", "")
		if !strings.Contains(js, `"Greeter":["Boom","Count","Hello","Pointer","Reset"]`) || !strings.Contains(js, "sessionStorage") {
			t.Errorf("shim = %s", js)
		}
	})

	t.Run("EventsNeedTheToken", func(t *testing.T) {
		assets := fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}
		srv, err := server.New(server.Options{Assets: assets, Token: token, Events: server.NewBroadcaster()})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		if res, _ := get(t, ts.URL+"/api/events", ""); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("without the token: %d, want 401", res.StatusCode)
		}
		if res, _ := get(t, ts.URL+"/api/events?token=wrong", ""); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("with a wrong token: %d, want 401", res.StatusCode)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events?token="+token, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
			t.Errorf("with the token: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})

	// Serve checks the Host of every route, the token-free ones too: a
	// rebinding page must reach neither the UI nor the webhook and return pages.
	t.Run("HostCheck", func(t *testing.T) {
		hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "webhook reached") })
		srv, err := server.New(server.Options{Assets: fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}, Token: token,
			Public: server.PublicRoutes(hook, &returns{}, "/", nil)})
		if err != nil {
			t.Fatal(err)
		}
		for name, h := range map[string]http.Handler{"serve": srv, "window": server.PublicRoutes(hook, &returns{}, "", nil)} {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- server.Serve(ctx, ln, h) }()
			base := "http://" + ln.Addr().String()
			port := base[strings.LastIndex(base, ":")+1:]
			for host, want := range map[string]int{
				"localhost:" + port:          200,
				"127.0.0.1:" + port:          200,
				"[::1]:" + port:              200,
				"evil.example:" + port:       http.StatusMisdirectedRequest,
				"localhost.evil.example":     http.StatusMisdirectedRequest,
				"tollgate.attacker.test:443": http.StatusMisdirectedRequest,
			} {
				for _, path := range []string{"/checkout/cancel", "/payments/event"} {
					req, _ := http.NewRequest(http.MethodGet, base+path, nil)
					if path == "/payments/event" {
						req.Method = http.MethodPost
					}
					req.Host = host
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					if res.StatusCode != want {
						t.Errorf("%s, %s with Host %s: code = %d, want %d", name, path, host, res.StatusCode, want)
					}
				}
				if name == "serve" {
					if res, _ := get(t, base+"/", host); res.StatusCode != want {
						t.Errorf("serve, / with Host %s: code = %d, want %d", host, res.StatusCode, want)
					}
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: Serve = %v", name, err)
			}
		}
	})
}

func TestShutdownEndsStreams(t *testing.T) {
	// An open event stream must not hold Serve's shutdown until its timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := server.NewBroadcaster()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, b) }()
	res, err := http.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want a clean stop", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("shutdown took %v", d)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("Serve did not return with a stream open")
	}
}

func TestNew(t *testing.T) {
	t.Run("ErrNoIndex", func(t *testing.T) {
		if _, err := server.New(server.Options{Assets: fstest.MapFS{}, Token: token}); err == nil || !strings.Contains(err.Error(), "make build") {
			t.Fatalf("err = %v, want a hint to build the frontend", err)
		}
	})
	t.Run("ErrBadBinding", func(t *testing.T) {
		assets := fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}
		if _, err := server.New(server.Options{Assets: assets, Token: token, Bindings: []any{Greeter{}}}); err == nil {
			t.Fatal("binding a struct value succeeded, want an error")
		}
		if _, err := server.New(server.Options{Assets: assets, Token: token, Bindings: []any{&badResults{}}}); err == nil {
			t.Fatal("binding a method with (T, T) results succeeded, want an error")
		}
	})
}

type badResults struct{}

func (*badResults) Two() (int, int) { return 1, 2 }

// BenchmarkCall is the bridge's overhead per method call in serve mode, over loopback HTTP.
func BenchmarkCall(b *testing.B) {
	g := &Greeter{}
	srv, err := server.New(server.Options{Assets: fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}, Bindings: []any{g}, Token: token})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	body := `{"name":"server_test.Greeter.Hello","args":["Ada",1]}`
	for b.Loop() {
		req, _ := http.NewRequest("POST", ts.URL+"/api/call", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(server.TokenHeader, token)
		res, err := ts.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
