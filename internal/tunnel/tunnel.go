// Package tunnel opens Tollgate's one door to the internet: an ngrok HTTP
// endpoint, run in-process by the ngrok agent library, through which a real
// Stripe account delivers webhooks to a learner's machine.
package tunnel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.ngrok.com/ngrok"
	"golang.ngrok.com/ngrok/config"

	"github.com/tollgate/tollgate/internal/connlimit"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// DefaultServer is where ngrok's agent connects unless told otherwise.
const DefaultServer = "connect.ngrok-agent.com:443"

// maxConns bounds the connections the tunnel serves at once.
const maxConns = 64

// DefaultConnectTimeout bounds one attempt to open the tunnel. ngrok's agent
// retries forever; a learner without network must hear why within seconds,
// and the app must go on working locally meanwhile.
const DefaultConnectTimeout = 10 * time.Second

// Config says how to reach the ngrok service.
type Config struct {
	Authtoken  string
	ServerAddr string         // the agent's server_addr; "" for ngrok's own service
	RootCAs    *x509.CertPool // the agent's root_cas; nil for ngrok's own CA
	// ConnectTimeout bounds each attempt to connect and bind; 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	Logger         *slog.Logger
}

// Status is what the Settings screen shows of the tunnel.
type Status struct {
	URL   string `json:"url"`
	Up    bool   `json:"up"`
	Error string `json:"error"` // why it is down while it reconnects
}

// Tunnel is an open ngrok endpoint serving one handler. When its session
// drops it opens a new one, which may have another URL, and says so.
type Tunnel struct {
	cfg     Config
	handler http.Handler
	changed func(*Tunnel)
	log     *slog.Logger

	life context.Context // ends at Close
	stop context.CancelFunc
	done chan struct{}

	mu     sync.Mutex
	status Status
}

// Open connects to ngrok, binds an HTTP endpoint and serves h on it. It
// returns once the endpoint is up, or with an error that says why not in
// words a learner can act on, within cfg.ConnectTimeout. changed is called
// with the tunnel, from another goroutine, each time it drops and each time
// it comes back; read Status for how and where it now is.
func Open(ctx context.Context, cfg Config, h http.Handler, changed func(*Tunnel)) (*Tunnel, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ServerAddr == "" {
		cfg.ServerAddr = DefaultServer
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if changed == nil {
		changed = func(*Tunnel) {}
	}
	t := &Tunnel{cfg: cfg, handler: h, changed: changed, log: cfg.Logger, done: make(chan struct{})}
	t.life, t.stop = context.WithCancel(context.Background())
	c, err := t.connect(ctx)
	if err != nil {
		t.stop()
		return nil, err
	}
	t.status = Status{URL: c.ln.URL(), Up: true}
	t.log.Info("tunnel open", logkey.URL, c.ln.URL(), logkey.Server, cfg.ServerAddr)
	go t.run(c)
	return t, nil
}

// URL is the tunnel's public URL, such as https://abc.ngrok-free.app.
func (t *Tunnel) URL() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status.URL
}

// Status reports the tunnel's URL and whether it is up.
func (t *Tunnel) Status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

// Close stops serving and ends the ngrok session.
func (t *Tunnel) Close() error {
	t.stop()
	<-t.done
	return nil
}

// conn is one ngrok session with its endpoint.
type conn struct {
	sess ngrok.Session
	ln   ngrok.Tunnel
	lost chan error // receives the error that dropped the session
}

func (c *conn) close() {
	_ = c.ln.Close()
	_ = c.sess.Close()
}

// run serves the endpoint until Close, replacing the session whenever it drops.
//
// ngrok's agent would reconnect a dropped session itself, but it re-binds the
// endpoint under its old URL and never learns a new one, so Tollgate's
// webhook endpoint on Stripe could point where the tunnel no longer is. A new
// session says where it is, and the endpoint can follow.
func (t *Tunnel) run(c *conn) {
	defer close(t.done)
	for {
		capped := connlimit.Listen(c.ln, maxConns)
		srv := &http.Server{
			Handler:   t.handler,
			ConnState: capped.ConnState,
			// This server faces the internet: a slow or idle client must not hold it.
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    64 << 10,
		}
		// A cap on connections at once, as for the app's own server: slow
		// clients from the internet must not exhaust the process's files.
		go func() { _ = srv.Serve(capped) }()
		select {
		case <-t.life.Done():
			_ = srv.Close()
			c.close()
			t.log.Info("tunnel closed")
			return
		case err := <-c.lost:
			_ = srv.Close()
			c.close()
			t.setDown(err)
			t.log.Warn("tunnel dropped; opening a new one", logkey.Err, err)
			go t.changed(t)
			if c = t.reconnect(); c == nil {
				return
			}
			t.mu.Lock()
			was := t.status.URL
			t.status = Status{URL: c.ln.URL(), Up: true}
			t.mu.Unlock()
			t.log.Info("tunnel open again", logkey.URL, c.ln.URL(), logkey.Was, was)
			go t.changed(t)
		}
	}
}

func (t *Tunnel) setDown(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.status.Up, t.status.Error = false, tollgate.ErrorMessage(t.explain(err, false))
}

// reconnect opens a new session, waiting longer after each failure, until
// one opens (returned) or the tunnel is closed (nil).
func (t *Tunnel) reconnect() *conn {
	wait := time.Second
	for {
		c, err := t.connect(t.life)
		if err == nil {
			return c
		}
		if t.life.Err() != nil {
			return nil
		}
		t.setDown(err)
		t.log.Warn("could not open the tunnel again", logkey.Err, err, logkey.RetryIn, wait)
		select {
		case <-t.life.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// connect opens one session and binds one HTTP endpoint on it, within the
// connect timeout. The session lives on t.life afterwards: the ctx given to
// ngrok.Connect governs the whole session, not just connecting, so the
// timeout cancels it only while connecting.
func (t *Tunnel) connect(ctx context.Context) (*conn, error) {
	sessCtx, cancel := context.WithCancel(t.life)
	var (
		connected atomic.Bool
		last      atomic.Pointer[error] // the latest failure, which says why better than "context canceled"
		refused   atomic.Bool
		lost      = make(chan error, 1)
	)
	opts := []ngrok.ConnectOption{
		ngrok.WithAuthtoken(t.cfg.Authtoken),
		ngrok.WithServer(t.cfg.ServerAddr),
		ngrok.WithLogger(slogAdapter{t.log}),
		ngrok.WithDisconnectHandler(func(_ context.Context, _ ngrok.Session, err error) {
			if err == nil || errors.Is(err, context.Canceled) {
				return // closed on purpose
			}
			last.Store(&err)
			if connected.Load() {
				select {
				case lost <- err:
				default: // already dropped
				}
				return
			}
			// The agent would retry a refused token or an untrusted
			// certificate forever; neither mends itself, so fail now.
			if permanent(err) {
				refused.Store(true)
				cancel()
			}
		}),
	}
	if t.cfg.RootCAs != nil {
		opts = append(opts, ngrok.WithCA(t.cfg.RootCAs))
	}
	timedOut := atomic.Bool{}
	timer := time.AfterFunc(t.cfg.ConnectTimeout, func() { timedOut.Store(true); cancel() })
	stop := context.AfterFunc(ctx, cancel) // the caller gave up
	fail := func(err error) (*conn, error) {
		timer.Stop()
		stop()
		cancel()
		if p := last.Load(); p != nil && (refused.Load() || timedOut.Load() || errors.Is(err, context.Canceled)) {
			err = *p
		}
		if ctx.Err() != nil && !timedOut.Load() && !refused.Load() {
			return nil, fmt.Errorf("tunnel: %w", ctx.Err())
		}
		return nil, fmt.Errorf("tunnel: %w", errors.Join(t.explain(err, timedOut.Load()), err))
	}
	sess, err := ngrok.Connect(sessCtx, opts...)
	if err != nil {
		return fail(err)
	}
	ln, err := sess.Listen(sessCtx, config.HTTPEndpoint())
	if err != nil {
		_ = sess.Close()
		return fail(err)
	}
	// From here the timeout must not end the session: only Close or a drop does.
	if !timer.Stop() || !stop() {
		_ = ln.Close()
		_ = sess.Close()
		return fail(context.Canceled)
	}
	connected.Store(true)
	return &conn{sess: sess, ln: ln, lost: lost}, nil
}

// permanent reports errors no retry will mend: the ngrok service refused us
// (a bad or revoked authtoken, an account limit), or its certificate is not
// one we trust.
func permanent(err error) bool {
	var nerr ngrok.Error
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	return (errors.As(err, &nerr) && nerr.Msg() != "") || errors.As(err, &unknownCA) || errors.As(err, &verify) || errors.As(err, &hostname)
}

// explain turns an ngrok failure into a message for the Settings screen.
func (t *Tunnel) explain(err error, timedOut bool) error {
	var nerr ngrok.Error
	switch {
	case errors.As(err, &nerr) && nerr.Msg() != "":
		msg := strings.Join(strings.Fields(nerr.Msg()), " ")
		if tok := t.cfg.Authtoken; len(tok) > 4 {
			// ngrok's refusal quotes the token back; the screen and the log never show a secret.
			msg = strings.ReplaceAll(msg, tok, tok[:4]+"…")
		}
		code := nerr.ErrorCode()
		if code == "" {
			return tollgate.Errorf(tollgate.EUNAVAILABLE, "ngrok refused the tunnel: %s", msg)
		}
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "ngrok refused the tunnel: %s (%s, https://ngrok.com/docs/errors/%s)", msg, code, strings.ToLower(code))
	case permanent(err):
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "The ngrok service at %s showed a certificate Tollgate does not trust (%v). For a service of your own, give its CA with --ngrok-ca.", t.cfg.ServerAddr, rootCause(err))
	case timedOut:
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "Could not reach ngrok at %s within %s (%v). Check your network; Tollgate goes on working locally, and Stripe keeps the events until the tunnel is up.", t.cfg.ServerAddr, t.cfg.ConnectTimeout, rootCause(err))
	}
	return tollgate.Errorf(tollgate.EUNAVAILABLE, "The ngrok tunnel is down: %v", rootCause(err))
}

// rootCause strips the wrappers ngrok puts around a network error, whose
// innermost words are the ones that say what happened.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// slogAdapter sends the agent's own log to Tollgate's at debug level: the
// agent logs every retry as an error, while Tollgate says once, in its own
// words, what went wrong.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Log(ctx context.Context, _ int, msg string, data map[string]any) {
	attrs := make([]any, 0, 2*len(data))
	for k, v := range data {
		attrs = append(attrs, k, v)
	}
	a.log.Log(ctx, slog.LevelDebug, "ngrok: "+msg, attrs...)
}
