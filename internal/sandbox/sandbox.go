// Package sandbox is an offline Stripe: an in-process, stateful emulator of the
// Billing API a subscription app uses, with hosted Checkout and Portal pages.
package sandbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/connlimit"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
)

// APIVersion is the Stripe API release whose wire format the sandbox speaks;
// it is the version stripe-go v82 pins.
const APIVersion = "2025-08-27.basil"

// Config configures a Sandbox. Zero values give the defaults described on
// each field.
type Config struct {
	Path          string           // bbolt file for the emulator's state (its own file, mode 0600; a missing folder is made, 0700)
	Now           func() time.Time // wall clock for objects not on a test clock; default time.Now
	Logger        *slog.Logger     // default discards
	RetrySchedule []time.Duration  // dunning retries after the first failed attempt; default 3,5,7 days
	HTTPClient    *http.Client     // for webhook delivery; default with a 10 s timeout, not following redirects
	// Key, when set, is the only API key accepted; otherwise any sk_test_
	// key is. An app embedding the sandbox sets a random one, so that other
	// processes and users of the machine cannot use the account.
	Key string

	// WebhookBackoff is the wait before each redelivery of a failed webhook;
	// its length is the number of retries. Each event keeps its own
	// schedule, and later events are delivered while one waits. Default
	// 1s, 5s, 30s, 2m, 10m, 30m, 1h, 2h, 4h, 8h: about 16 hours in all, so
	// an app that was down for minutes or an evening still gets every event.
	// Stripe retries for up to three days in live mode and a few hours in
	// test mode; the sandbox sits between, nearer to what a learner needs.
	WebhookBackoff []time.Duration
	// TickInterval is how often objects not on a test clock are moved to
	// Now. Default one second.
	TickInterval time.Duration
	// Faults are put in force at the start (tollgate sandbox --fault).
	Faults []fault.Spec
	// Retention is which events are kept; the zero value is
	// DefaultRetention.
	Retention Retention

	limits limits // the server's; tests shorten them
}

// limits keep a slow or idle client from holding a connection, and a flood
// of them from using up the process's files: past conns, a newcomer takes
// the place of the connection idle or slow to start longest (connlimit), or
// waits for a request to end. No answer streams, and a clock's advance runs
// after its answer, so every answer fits the write timeout.
type limits struct {
	readHeader, read, write, idle time.Duration
	conns                         int
}

var defaultLimits = limits{readHeader: 5 * time.Second, read: 30 * time.Second, write: 30 * time.Second, idle: 60 * time.Second, conns: 256}

// defaultWebhookBackoff is Config.WebhookBackoff's default, documented there.
var defaultWebhookBackoff = []time.Duration{
	time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour,
}

// Sandbox is one emulated Stripe account.
type Sandbox struct {
	cfg Config
	log *slog.Logger
	db  *bolt.DB

	mu sync.Mutex // serialises every read and change of st
	st *state
	// commits writes st's changes to db, many requests' in one transaction.
	commits *committer
	// cause is the API request whose handler holds mu, stamped on the
	// events it sends; empty otherwise. Guarded by mu.
	cause eventRequest
	// host is that request's Host, where the hosted pages its answer
	// names (a Checkout Session's url) are; empty otherwise. Guarded by mu.
	host string

	ctx     context.Context // cancelled by Close to stop background work
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	workers map[lane]chan struct{} // wake-up of each webhook delivery worker; guarded by mu

	reqlog requestLog // the latest API requests, for errors' request_log_url
	faults fault.Set  // trouble to play instead of answers; see faults.go

	chaos   Chaos // what webhook delivery does wrong on purpose; guarded by mu
	dropped bool  // whether Chaos.Drop lost the last new delivery; guarded by mu

	// base is where the hosted pages are served (http://127.0.0.1:port),
	// set by Start; objects name pages outside any request, such as an
	// invoice's hosted_invoice_url in a webhook event.
	base string
}

// Open opens (or creates) the state file and starts the background ticker and
// webhook delivery.
func Open(cfg Config) (*Sandbox, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("sandbox: open: Config.Path is required")
	}
	if err := checkObjectTypes(); err != nil {
		return nil, fmt.Errorf("sandbox: open: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RetrySchedule == nil {
		cfg.RetrySchedule = []time.Duration{3 * day, 5 * day, 7 * day}
	}
	if cfg.HTTPClient == nil {
		// Stripe never follows a redirect from an endpoint: a 3xx is a failed
		// delivery. Following it would turn the POST into a GET and count
		// whatever that answered. Its own transport lets Close drop its
		// idle connections without touching other clients'.
		cfg.HTTPClient = &http.Client{
			Timeout:       10 * time.Second,
			Transport:     http.DefaultTransport.(*http.Transport).Clone(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.WebhookBackoff == nil {
		cfg.WebhookBackoff = slices.Clone(defaultWebhookBackoff)
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = time.Second
	}
	cfg.Retention = cfg.Retention.withDefaults()
	// `tollgate sandbox --data DIR` may name a folder that does not exist
	// yet: made private, as the app's store makes it, since the state holds
	// webhook signing secrets.
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: create data folder: %w", err)
	}
	db, err := openDB(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	st, err := loadState(db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sandbox{
		cfg: cfg, log: cfg.Logger.With(logkey.Component, "sandbox"), db: db, st: st, commits: newCommitter(db),
		ctx: ctx, cancel: cancel, workers: map[lane]chan struct{}{},
	}
	for _, sp := range cfg.Faults {
		if err := s.faults.Add(sp); err != nil {
			cancel()
			_ = db.Close()
			return nil, fmt.Errorf("sandbox: fault %s: %w", sp, err)
		}
	}
	s.mu.Lock()
	s.wakeDeliveries()
	// A clock whose advance was cut short by a shutdown finishes now.
	for _, clk := range clocks.rows(st) {
		if clk.Status == clockAdvancing {
			s.wg.Add(1)
			go func(id string) {
				defer s.wg.Done()
				s.advance(id)
			}(clk.ID)
		}
	}
	s.mu.Unlock()
	s.wg.Add(2)
	go s.tick()
	go s.pruneLoop()
	return s, nil
}

// Close stops the ticker and webhook delivery and closes the state file.
func (s *Sandbox) Close() error {
	s.stop()
	s.wg.Wait()
	// Keep-alive connections to webhook endpoints would otherwise outlive
	// the sandbox (and hold the receivers' servers open).
	s.cfg.HTTPClient.CloseIdleConnections()
	s.commits.drain()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sandbox: close: %w", err)
	}
	return nil
}

// stop cancels the background work and any clock advance. It cancels under
// mu, where work is counted in wg, so nothing is added to wg once Close
// waits on it.
func (s *Sandbox) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel()
}

// Reset wipes all state, leaving a new empty account.
func (s *Sandbox) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sandbox: reset: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits.drain() // or changes made before would land after the wipe
	if err := wipe(s.db, s.st); err != nil {
		return fmt.Errorf("sandbox: reset: %w", err)
	}
	s.st = newState()
	s.wakeDeliveries() // workers of the old endpoints see them gone and stop
	return nil
}

// AddWebhookEndpoint registers url for every event, signed with secret. The
// command line calls it on each start, so an endpoint already registered for
// url is updated rather than duplicated.
func (s *Sandbox) AddWebhookEndpoint(ctx context.Context, url, secret string) error {
	if url == "" || secret == "" {
		return fmt.Errorf("sandbox: add webhook endpoint: url and secret are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ep *webhookEndpoint
	for _, e := range endpoints.rows(s.st) {
		if e.URL == url {
			ep = e
		}
	}
	if ep == nil {
		ep = &webhookEndpoint{base: endpoints.newBase(s.st, s.cfg.Now()), URL: url, APIVersion: APIVersion, Status: "enabled", Metadata: map[string]string{}}
	}
	ep.Secret = secret
	ep.EnabledEvents = []string{"*"}
	ep.Status = "enabled"
	endpoints.put(s.st, ep)
	if err := s.commit(ctx); err != nil {
		return fmt.Errorf("sandbox: add webhook endpoint: %w", err)
	}
	return nil
}

// pageURL is the URL of a hosted page: on the host the API request holding
// mu was sent to, so a client that reached the sandbox by another address
// than base opens it there too; else on base.
func (s *Sandbox) pageURL(path string) string {
	if s.host != "" {
		return "http://" + s.host + path
	}
	return s.base + path
}

// now is the time for an object: its test clock's frozen time, or Config.Now.
func (s *Sandbox) now(clockID string) time.Time {
	if c := clocks.get(s.st, clockID); clockID != "" && c != nil {
		return time.Unix(c.FrozenTime, 0)
	}
	return s.cfg.Now()
}

// locked runs fn holding mu, releasing it even if fn panics, so a bug in
// one request cannot wedge the whole sandbox.
func (s *Sandbox) locked(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// commit writes the changes of the current operation and waits until they
// are on disk; called with mu held, so other requests wait too. Background
// work, which is rare, uses it; API requests wait with mu released (see
// execute).
func (s *Sandbox) commit(ctx context.Context) error {
	req, err := s.handOver(ctx)
	if err != nil {
		return err
	}
	return req.wait()
}

// handOver gives the current operation's changes to the committer, to be
// written with those of other requests, and wakes the webhook workers if it
// made events (they wait for the commit before sending: deliverLoop).
// Called with mu held.
func (s *Sandbox) handOver(ctx context.Context) (*commitReq, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	ws, err := s.st.writes()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	req := s.commits.submit(ws)
	if s.st.newEvents {
		s.st.newEvents = false
		s.wakeDeliveries()
	}
	return req, nil
}

// Server is a Sandbox serving its Handler on a listener.
type Server struct {
	*Sandbox
	srv *http.Server
	ln  net.Listener
	url string
}

// Start opens a Sandbox and serves it on addr (such as "127.0.0.1:0").
func Start(ctx context.Context, cfg Config, addr string) (*Server, error) {
	sb, err := Open(cfg)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		_ = sb.Close()
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	l := cfg.limits
	if l == (limits{}) {
		l = defaultLimits
	}
	capped := connlimit.Listen(ln, l.conns)
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read,
		WriteTimeout: l.write, IdleTimeout: l.idle, ConnState: capped.ConnState}
	ln = capped
	s := &Server{Sandbox: sb, srv: srv, ln: ln, url: "http://" + ln.Addr().String()}
	base := s.url
	if a, ok := ln.Addr().(*net.TCPAddr); ok && a.IP.IsUnspecified() {
		// Listening on every interface: a browser on this machine still
		// finds the pages on loopback.
		base = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
	}
	sb.locked(func() { sb.base = base })
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			sb.log.Error("serve", logkey.Err, err)
		}
	}()
	return s, nil
}

// URL is the base URL of the server, such as http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Close stops serving and closes the Sandbox. The sandbox's work stops
// first, so a request running a long clock advance ends at its next step
// instead of holding up the shutdown.
func (s *Server) Close() error {
	s.Sandbox.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if cerr := s.Sandbox.Close(); err == nil {
		err = cerr
	}
	return err
}
