// Package server is Tollgate's loopback HTTP server: in serve mode it hands the
// frontend to a browser and the bound Go methods to the tab that holds the
// run's token; it also serves the webhook and the pages Stripe returns to.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/connlimit"
	"github.com/tollgate/tollgate/internal/hostcheck"
	"github.com/tollgate/tollgate/internal/logkey"
)

// eventsPath is the event stream of serve mode.
const eventsPath = "/api/events"

// TokenHeader carries the run's token on every API call.
const TokenHeader = "X-Tollgate-Token"

// maxCallBody bounds a bridge call; arguments are form fields, never files.
const maxCallBody = 1 << 20

// Options configure a Server.
type Options struct {
	Assets   fs.FS  // the built frontend (frontend/dist)
	Bindings []any  // the structs bound to Wails
	Token    string // the run's secret; NewToken makes one
	Logger   *slog.Logger
	// Public serves the routes that need no token (PublicRoutes): the webhook and Stripe's return pages.
	Public *http.ServeMux
	// Events, when set, streams UI events at GET /api/events.
	Events *Broadcaster
}

// Server serves one Tollgate process's UI and methods.
type Server struct {
	opts   Options
	bridge *Bridge
	index  []byte
	mux    *http.ServeMux
}

// NewToken returns 128 random bits in hex.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails on supported platforms
	return hex.EncodeToString(b)
}

// New builds the handler. It fails if the assets have no index.html or a
// binding cannot be served.
func New(o Options) (*Server, error) {
	if o.Token == "" {
		return nil, errors.New("server: empty token")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	b, err := NewBridge(o.Bindings...)
	if err != nil {
		return nil, err
	}
	index, err := fs.ReadFile(o.Assets, "index.html")
	if err != nil {
		return nil, fmt.Errorf("server: frontend not built (run make build): %w", err)
	}
	// A plain script in <head> runs before the bundle's module script, so
	// window.go exists when the generated bindings first use it.
	index = bytes.Replace(index, []byte("<head>"), []byte(`<head><script src="/tollgate-bridge.js"></script>`), 1)
	s := &Server{opts: o, bridge: b, index: index, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /api/call", s.handleCall)
	s.mux.HandleFunc("GET /tollgate-bridge.js", s.handleShim)
	if o.Events != nil {
		s.mux.Handle("GET "+eventsPath, o.Events)
	}
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.Handle("GET /", http.FileServerFS(o.Assets))
	return s, nil
}

// ServeHTTP serves the public routes as they are, and checks the token of
// the calls and the event stream. (Serve checks the Host of every route.)
//
// The token never sits in a cookie: cookies ignore ports, so one would reach
// every other server on this machine, another user's among them. The page and
// its scripts hold no secret and are served to anyone on loopback; the tab that
// opened the printed link keeps the token in sessionStorage and sends it with
// each call, which another site cannot do without a CORS preflight we never answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w.Header())
	if s.opts.Public != nil {
		if h, pattern := s.opts.Public.Handler(r); pattern != "" {
			h.ServeHTTP(w, r)
			return
		}
	}
	if strings.HasPrefix(r.URL.Path, "/api/") && !s.authorized(r) {
		s.opts.Logger.Warn("refused a request without the token", logkey.Path, r.URL.Path)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": msgNoToken})
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") && !sameOrigin(r) {
		// Behind the token already; but a token that leaked (a screenshot,
		// a shared terminal) must still not let another site's page call.
		s.opts.Logger.Warn("refused a call from another origin", logkey.Path, r.URL.Path)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "Tollgate answers calls only from its own page."})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// appCSP lets the page load only this server's own scripts, styles, images
// and calls: no inline script, no remote origin, no framing. The window has
// the same policy in index.html's meta tag, since its pages come from Wails.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Secure sets the headers every answer of Tollgate's servers carries. A
// handler may replace the policy with a stricter one (the return pages do).
func Secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w.Header())
		h.ServeHTTP(w, r)
	})
}

func secureHeaders(hd http.Header) {
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	// The first URL of serve mode carries the token: no page may pass it on.
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", appCSP)
}

// msgNoToken is what a tab without the token sees; the shim shows the same words.
const msgNoToken = "This tab lacks the token of this Tollgate run: open the link that `tollgate serve` printed."

// msgOldToken is what the shim shows when its token is refused: the tab opened
// the link of an earlier run, since each run makes a new token.
const msgOldToken = "This tab's link is from an earlier run of tollgate serve. Open the link it printed this time, in the terminal where it runs."

// authorized: calls carry the token in a header; the event stream, which
// EventSource opens without headers, in its query.
func (s *Server) authorized(r *http.Request) bool {
	if r.URL.Path == eventsPath {
		return equal(r.URL.Query().Get("token"), s.opts.Token)
	}
	return equal(r.Header.Get(TokenHeader), s.opts.Token)
}

// sameOrigin: a browser names the page's origin on every call it sends with
// fetch; only this server's own may call. Tools that send no Origin pass.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == "http://"+r.Host
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// LocalOnly answers only requests whose Host is localhost or an IP address,
// against DNS rebinding (see hostcheck). Serve puts every route behind it,
// the webhook and return pages too; the tunnel has its own server, whose
// Host is the tunnel's name.
func LocalOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostcheck.Allowed(r) {
			http.Error(w, "Tollgate answers only to localhost or an IP address in the Host header.", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(s.index)
}

func (s *Server) handleShim(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, shim(s.bridge.Names()))
}

type callRequest struct {
	Name string            `json:"name"`
	Args []json.RawMessage `json:"args"`
}

func (s *Server) handleCall(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "Calls must be JSON."})
		return
	}
	var req callRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxCallBody))
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Bad call: " + err.Error()})
		return
	}
	start := time.Now()
	result, err := s.bridge.Call(req.Name, req.Args)
	var ce *CallError
	switch {
	case errors.As(err, &ce):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": ce.Msg})
	case err != nil:
		var p *Panic
		if errors.As(err, &p) {
			s.opts.Logger.Error("a bound method panicked", logkey.Method, p.Method, logkey.Panic, p.Value)
		}
		// As Wails does: the promise rejects with the error's text. App's
		// methods return errors meant for the user.
		writeJSON(w, http.StatusOK, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"result": result})
	}
	s.opts.Logger.Debug("call", logkey.Method, req.Name, logkey.OK, err == nil, logkey.Took, time.Since(start))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// limits keep a slow or idle client from holding a connection, and a flood
// of them from exhausting the process's files: at 1,024 open files (common
// on desktops) the server would otherwise stop accepting anyone. They matter
// most for the webhook, which the tunnel exposes to the internet.
type limits struct {
	readHeader time.Duration // the request line and headers
	read       time.Duration // the whole request, body included (a webhook is at most 1 MiB)
	write      time.Duration // every answer but the event stream, which lives as long as its tab
	idle       time.Duration // a kept-alive connection between requests
	conns      int           // connections held at once; a newcomer takes the place of one idle or slow to start (connlimit)
}

var defaultLimits = limits{readHeader: 5 * time.Second, read: 30 * time.Second, write: 30 * time.Second, idle: 60 * time.Second, conns: 256}

// Serve serves h on ln until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	return serve(ctx, ln, h, defaultLimits)
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, l limits) error {
	// Requests get ctx as their base, so long-lived ones (the event stream)
	// end with it instead of holding the shutdown until its timeout.
	capped := connlimit.Listen(ln, l.conns)
	srv := &http.Server{
		Handler:           Secure(LocalOnly(deadlines(h, l.write))),
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		IdleTimeout:       l.idle,
		ConnState:         capped.ConnState,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(capped) }()
	select {
	case err := <-done:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("server: shutdown: %w", err)
		}
		return nil
	}
}

// deadlines gives every answer a write deadline, but the event stream none,
// and lifts the event stream's read deadline too: the server's watch for a
// closed connection would otherwise end the stream when ReadTimeout passes.
func deadlines(h http.Handler, write time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.URL.Path == eventsPath {
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
		} else {
			_ = rc.SetWriteDeadline(time.Now().Add(write))
		}
		h.ServeHTTP(w, r)
	})
}
