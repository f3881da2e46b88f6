package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/tollgate/tollgate/internal/server"
)

// Form is a struct argument, as the Settings form is.
type Form struct {
	Key   string   `json:"key"`
	Clear bool     `json:"clear"`
	Tags  []string `json:"tags"`
	Count int      `json:"count"`
}

// Shapes binds one method per kind of argument the app's methods take.
type Shapes struct{}

func (Shapes) Text(s string) (string, error)           { return s, nil }
func (Shapes) Number(n int) (int, error)               { return n, nil }
func (Shapes) Both(s string, b bool) (bool, error)     { return b, nil }
func (Shapes) Struct(f Form, clear bool) (Form, error) { return f, nil }
func (Shapes) Nothing() error                          { return nil }

// FuzzCall sends the bridge any body: whatever the name, the arguments or the
// JSON, it answers with a status a client can act on, never a 5xx or a crash.
func FuzzCall(f *testing.F) {
	for _, seed := range []string{
		`{"name":"server_test.Shapes.Text","args":["hi"]}`,
		`{"name":"server_test.Shapes.Number","args":[1e400]}`,
		`{"name":"server_test.Shapes.Both","args":["x",true,3]}`,
		`{"name":"server_test.Shapes.Struct","args":[{"key":"k","tags":["a"],"count":-1},false]}`,
		`{"name":"server_test.Shapes.Struct","args":[{"count":"nine"},false]}`,
		`{"name":"server_test.Shapes.Nothing","args":null}`,
		`{"name":"server_test.Shapes.Missing","args":[]}`,
		`{"name":"","args":[[[[[[]]]]]]}`,
		`{"name":"server_test.Shapes.Text","args":["\u0000\ud800"]}`,
		`not json`, ``, `{"name":1}`,
	} {
		f.Add(seed)
	}
	srv, err := server.New(server.Options{Assets: fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}, Token: token, Bindings: []any{&Shapes{}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/call", bytes.NewReader([]byte(body)))
		req.Host = "127.0.0.1"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(server.TokenHeader, token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: status %d %s", body, rec.Code, rec.Body)
		}
	})
}
