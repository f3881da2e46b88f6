package server_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

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
func (g *Greeter) Boom() error        { var m map[string]int; m["x"] = 1; return nil }
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
		if code != 200 || r.Error == nil || !strings.Contains(*r.Error, "panicked") {
			t.Fatalf("code=%d error=%v, want the panic reported as an error", code, r.Error)
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
	get := func(t *testing.T, c *http.Client, url, host string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if host != "" {
			req.Host = host
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	t.Run("TokenLinkSetsCookie", func(t *testing.T) {
		ts, _ := newServer(t)
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, body := get(t, c, ts.URL+"/?token="+token, "")
		if res.StatusCode != 200 {
			t.Fatalf("code = %d, want 200 after the redirect", res.StatusCode)
		}
		if res.Request.URL.RawQuery != "" {
			t.Errorf("landed on %s; the token should be gone from the URL", res.Request.URL)
		}
		if !strings.Contains(body, `<head><script src="/tollgate-bridge.js"></script>`) {
			t.Errorf("index lacks the bridge script: %s", body)
		}
		res, js := get(t, c, ts.URL+"/tollgate-bridge.js", "")
		if res.StatusCode != 200 || !strings.Contains(js, `"Greeter":["Boom","Count","Hello","Pointer","Reset"]`) || !strings.Contains(js, token) {
			t.Errorf("shim = %d %s", res.StatusCode, js)
		}
		if res, body := get(t, c, ts.URL+"/assets/app.js", ""); res.StatusCode != 200 || body != "console.log('app')" {
			t.Errorf("asset = %d %q", res.StatusCode, body)
		}
	})

	t.Run("ErrNoCookie", func(t *testing.T) {
		ts, _ := newServer(t)
		for _, p := range []string{"/", "/tollgate-bridge.js", "/assets/app.js"} {
			if res, body := get(t, ts.Client(), ts.URL+p, ""); res.StatusCode != 401 || strings.Contains(body, token) {
				t.Errorf("%s: code = %d, want 401 without the token in the body", p, res.StatusCode)
			}
		}
	})

	t.Run("ErrWrongToken", func(t *testing.T) {
		ts, _ := newServer(t)
		if res, _ := get(t, ts.Client(), ts.URL+"/?token=nope", ""); res.StatusCode != 401 || len(res.Cookies()) != 0 {
			t.Errorf("code = %d cookies = %v, want 401 and no cookie", res.StatusCode, res.Cookies())
		}
	})

	t.Run("HostCheck", func(t *testing.T) {
		ts, _ := newServer(t)
		port := ts.URL[strings.LastIndex(ts.URL, ":")+1:]
		for host, want := range map[string]int{
			"localhost:" + port:          303,
			"127.0.0.1:" + port:          303,
			"[::1]:" + port:              303,
			"evil.example:" + port:       http.StatusMisdirectedRequest,
			"localhost.evil.example":     http.StatusMisdirectedRequest,
			"tollgate.attacker.test:443": http.StatusMisdirectedRequest,
		} {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			if res, _ := get(t, c, ts.URL+"/?token="+token, host); res.StatusCode != want {
				t.Errorf("Host %s: code = %d, want %d", host, res.StatusCode, want)
			}
		}
	})
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
