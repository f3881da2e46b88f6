// Package ngroktest is a loopback double of ngrok's agent service for tests:
// the real ngrok client connects to it offline. It is never linked into the app.
package ngroktest

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.ngrok.com/muxado/v2"
)

// Options configures a Server.
type Options struct {
	// Authtoken is the only token accepted; any other gets ngrok's ERR_NGROK_105 refusal. Required.
	Authtoken string
	Logger    *slog.Logger // nil: discard
}

// Tunnel is one endpoint bound by an agent that is connected now.
type Tunnel struct {
	ID      string // the bind id the agent knows the tunnel by
	URL     string // "http://127.0.0.1:<port>"
	Proxied int    // connections proxied through it so far
}

// Stream types of ngrok's typed muxado streams; heartbeats use muxado's own.
const (
	typeAuth      = 0
	typeBind      = 1
	typeUnbind    = 2
	typeProxy     = 3
	typeSrvInfo   = 8
	typeHeartbeat = 0xFFFFFFFF
)

// Server is a running double. Its zero value is not usable; call Start.
type Server struct {
	token   string
	log     *slog.Logger
	ln      net.Listener
	tlsConf *tls.Config
	caPool  *x509.CertPool
	caPEM   []byte

	mu      sync.Mutex
	closed  bool
	agents  map[*agent]bool
	tunnels []*tunnel // in bind order
	edges   map[net.Conn]bool
	retired map[string]bool // URLs closed by DropSessions, never handed out again
	wg      sync.WaitGroup
}

// agent is one connection from an ngrok client.
type agent struct {
	raw    net.Conn // the TCP connection under TLS, closed to simulate a drop
	mux    muxado.TypedStreamSession
	authed atomic.Bool
}

type tunnel struct {
	id      string
	url     string
	ln      net.Listener
	owner   *agent // nil while no connected agent has it bound
	proxied int
}

// Start listens on 127.0.0.1:0 with TLS (a fresh test CA made in memory,
// server cert with IP SAN 127.0.0.1 and DNS SAN localhost).
func Start(o Options) (*Server, error) {
	if o.Authtoken == "" {
		return nil, errors.New("ngroktest: Options.Authtoken is required")
	}
	s := &Server{token: o.Authtoken, log: o.Logger, agents: map[*agent]bool{}, edges: map[net.Conn]bool{}, retired: map[string]bool{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	cert, caPEM, pool, err := newCerts()
	if err != nil {
		return nil, err
	}
	s.caPEM, s.caPool = caPEM, pool
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if s.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go s.acceptAgents()
	return s, nil
}

// MustStart starts a double that accepts only token and stops it when tb ends.
func MustStart(tb testing.TB, token string) *Server {
	tb.Helper()
	s, err := Start(Options{Authtoken: token})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Addr is the agent address, "127.0.0.1:port", for ngrok.WithServer.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// CAPool trusts the double's CA, for ngrok.WithCA.
func (s *Server) CAPool() *x509.CertPool { return s.caPool }

// CAPEM is the CA certificate as PEM, for a --ngrok-ca file.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.caPEM...) }

// Tunnels lists the tunnels currently bound by a connected agent, in bind order.
func (s *Server) Tunnels() []Tunnel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Tunnel
	for _, t := range s.tunnels {
		if t.owner != nil {
			out = append(out, Tunnel{ID: t.id, URL: t.url, Proxied: t.proxied})
		}
	}
	return out
}

// DropSessions abruptly closes every agent connection and every tunnel's edge
// listener, as a network drop would; the agent may reconnect, and then gets
// new URLs for the same tunnel ids.
func (s *Server) DropSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked()
}

func (s *Server) dropLocked() {
	for a := range s.agents {
		a.raw.Close() // under TLS: no close_notify, no muxado GOAWAY, like a cut cable
	}
	for _, t := range s.tunnels {
		t.ln.Close()
		s.retired[t.url] = true
	}
	for c := range s.edges {
		c.Close()
	}
	s.tunnels = nil
}

// Close stops everything and waits for every goroutine; it is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.ln.Close()
		s.dropLocked()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// goLocked runs f in a tracked goroutine unless the server is closed; s.mu must be held.
func (s *Server) goLocked(f func()) bool {
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f() }()
	return true
}

func (s *Server) acceptAgents() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		a := &agent{raw: c}
		s.mu.Lock()
		if s.goLocked(func() { s.serveAgent(a) }) {
			s.agents[a] = true
		} else {
			c.Close()
		}
		s.mu.Unlock()
	}
}

func (s *Server) serveAgent(a *agent) {
	defer func() {
		a.raw.Close()
		s.mu.Lock()
		delete(s.agents, a)
		for _, t := range s.tunnels {
			if t.owner == a {
				t.owner = nil // the URL stays reserved for a reconnect that re-binds the id
			}
		}
		s.mu.Unlock()
	}()
	tc := tls.Server(a.raw, s.tlsConf)
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	if err := tc.Handshake(); err != nil {
		s.log.Debug("ngroktest: agent handshake failed", "err", err)
		return
	}
	tc.SetDeadline(time.Time{})
	a.mux = muxado.NewTypedStreamSession(muxado.Server(tc, nil))
	defer a.mux.Close()
	s.log.Debug("ngroktest: agent connected", "remote", a.raw.RemoteAddr())
	for {
		st, err := a.mux.AcceptTypedStream()
		if err != nil {
			s.log.Debug("ngroktest: agent gone", "err", err)
			return
		}
		s.mu.Lock()
		ok := s.goLocked(func() { s.serveStream(a, st) })
		s.mu.Unlock()
		if !ok {
			st.Close()
		}
	}
}

// serveStream answers one request. Every stream the client opens must get a
// reply: the client waits for one with no timeout.
func (s *Server) serveStream(a *agent, st muxado.TypedStream) {
	defer st.Close()
	if st.StreamType() == typeHeartbeat {
		io.Copy(st, st) // the client sends 4-byte ids and times out unless each comes back
		return
	}
	var reply any
	switch typ := st.StreamType(); {
	case typ == typeAuth:
		var ok bool
		if reply, ok = s.auth(st); ok {
			a.authed.Store(true)
		} else {
			defer a.mux.Close() // ngrok hangs up after a refusal; the client has the reply by then
		}
	case !a.authed.Load():
		reply = errReply{"ngroktest: authenticate first"}
	case typ == typeBind:
		reply = s.bind(a, st)
	case typ == typeUnbind:
		reply = s.unbind(st)
	case typ == typeSrvInfo:
		reply = map[string]string{"Region": "local"}
	default:
		reply = errReply{fmt.Sprintf("ngroktest: request type %d is not supported", typ)}
	}
	b, _ := json.Marshal(reply)
	st.Write(b)
}

type errReply struct{ Error string }

func (s *Server) auth(st muxado.Stream) (reply any, ok bool) {
	var req struct {
		Version  []string
		ClientID string `json:"ClientId"`
		Extra    struct{ Authtoken string }
	}
	if err := json.NewDecoder(st).Decode(&req); err != nil {
		return errReply{"ngroktest: bad Auth: " + err.Error()}, false
	}
	// ngrok.Connect stores a placeholder session (without a logger) only after
	// starting the goroutine that authenticates; an Auth reply faster than that
	// lets the placeholder overwrite the real one, and a later tunnel Accept
	// error then panics on the nil logger. A real server is never this fast.
	time.Sleep(20 * time.Millisecond)
	if req.Extra.Authtoken != s.token {
		return errReply{"The authtoken you specified does not look like a proper ngrok tunnel authtoken.\n" +
			"Your authtoken: " + req.Extra.Authtoken + "\n" +
			"Instructions to install your authtoken are on your ngrok dashboard:\n" +
			"https://dashboard.ngrok.com/get-started/your-authtoken\n\nERR_NGROK_105\n"}, false
	}
	version := "3" // the client offers ["3", "2"]; take 3, or whatever it offers first
	if len(req.Version) > 0 && !slices.Contains(req.Version, "3") {
		version = req.Version[0]
	}
	id := req.ClientID
	if id == "" {
		id = randomID("")
	}
	type extra struct{ Version, Region, AccountName, PlanName string }
	return struct {
		Version  string
		ClientID string `json:"ClientId"`
		Extra    extra
	}{version, id, extra{"ngroktest", "local", "Tollgate Test", "Free"}}, true
}

func (s *Server) bind(a *agent, st muxado.Stream) any {
	var req struct {
		ID    string `json:"Id"`
		Proto string
	}
	if err := json.NewDecoder(st).Decode(&req); err != nil {
		return errReply{"ngroktest: bad Bind: " + err.Error()}
	}
	if req.Proto != "http" && req.Proto != "https" {
		return errReply{"ngroktest: only http and https endpoints are served, not " + req.Proto}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var t *tunnel
	for _, old := range s.tunnels {
		if req.ID != "" && old.id == req.ID {
			t = old // a reconnect re-binding its id: its listener is still open, keep the URL
		}
	}
	if t == nil {
		ln, err := s.listenEdgeLocked()
		if err != nil {
			return errReply{"ngroktest: " + err.Error()}
		}
		t = &tunnel{id: req.ID, url: "http://" + ln.Addr().String(), ln: ln}
		if t.id == "" {
			t.id = randomID("tun_")
		}
		if !s.goLocked(func() { s.acceptEdge(t) }) {
			ln.Close()
			return errReply{"ngroktest: server closed"}
		}
		s.tunnels = append(s.tunnels, t)
	}
	t.owner = a
	return struct {
		ID    string `json:"Id"`
		URL   string
		Proto string
		Opts  map[string]string
		Extra map[string]string
	}{t.id, t.url, req.Proto, map[string]string{"URL": t.url}, map[string]string{"Token": t.id}}
}

// listenEdgeLocked opens an edge listener on a port no dropped tunnel had, so
// a test that waits for a new URL after DropSessions cannot be fooled by the
// kernel handing the same port back.
func (s *Server) listenEdgeLocked() (net.Listener, error) {
	var stale []net.Listener
	defer func() {
		for _, ln := range stale {
			ln.Close()
		}
	}()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil || !s.retired["http://"+ln.Addr().String()] {
			return ln, err
		}
		stale = append(stale, ln)
	}
}

func (s *Server) unbind(st muxado.Stream) any {
	var req struct {
		ID string `json:"Id"`
	}
	if err := json.NewDecoder(st).Decode(&req); err != nil {
		return errReply{"ngroktest: bad Unbind: " + err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.tunnels {
		if t.id == req.ID {
			t.ln.Close()
			s.tunnels = append(s.tunnels[:i], s.tunnels[i+1:]...)
			return struct{}{}
		}
	}
	return errReply{"ngroktest: no tunnel " + req.ID}
}

func (s *Server) acceptEdge(t *tunnel) {
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		owner := t.owner
		if s.goLocked(func() { s.proxy(t, owner, c) }) {
			s.edges[c] = true
		} else {
			c.Close()
		}
		s.mu.Unlock()
	}
}

// proxy hands one edge connection to the agent: a Proxy stream starting with
// an int64 little-endian length and the JSON header, then raw bytes both ways.
func (s *Server) proxy(t *tunnel, a *agent, c net.Conn) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.edges, c)
		s.mu.Unlock()
	}()
	if a == nil {
		offline(c, t.url)
		return
	}
	st, err := a.mux.OpenTypedStream(typeProxy)
	if err != nil {
		s.log.Debug("ngroktest: cannot open proxy stream", "err", err)
		return
	}
	defer st.Close()
	hdr, _ := json.Marshal(struct {
		ID             string `json:"Id"`
		ClientAddr     string
		Proto          string
		EdgeType       string
		PassthroughTLS bool
	}{t.id, c.RemoteAddr().String(), "http", "3", false}) // edge type 3 is ngrok's HTTP(S) edge
	msg := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	if _, err := st.Write(append(msg, hdr...)); err != nil {
		return
	}
	s.mu.Lock()
	t.proxied++
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		io.Copy(st, c)
		st.CloseWrite()
		close(done)
	}()
	if _, err := io.Copy(c, st); err != nil {
		c.Close() // the agent session died: no clean end to pass on
	} else if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	<-done
}

// offline answers like ngrok's edge when no agent serves the endpoint.
func offline(c net.Conn, url string) {
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
		return
	}
	body := "The endpoint " + url + " is offline.\n\nERR_NGROK_3200\n"
	fmt.Fprintf(c, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\nNgrok-Error-Code: ERR_NGROK_3200\r\n\r\n%s", len(body), body)
}

func randomID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
