// Package connlimit caps the connections an HTTP server holds at once and,
// once the cap is reached, makes room for a newcomer by closing the
// connection that has waited longest without a request in progress: one
// still sending its first request's headers, or one idle between requests.
//
// Behind a plain cap (golang.org/x/net/netutil.LimitListener) a newcomer
// queues in the kernel's backlog until a slow client's timeout frees a slot,
// so a flood of slow or idle clients keeps a person waiting for tens of
// seconds. Here it waits only for connections busy with a request.
package connlimit

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener is a net.Listener that holds at most max connections, closing
// the longest-waiting idle one to admit a newcomer. Its ConnState method must
// be the server's http.Server.ConnState: it is how the listener learns which
// connections are busy. Without it every connection counts as busy, and the
// listener is a plain cap.
type Listener struct {
	net.Listener
	max int

	mu    sync.Mutex
	open  map[*conn]struct{}
	freed chan struct{} // a connection closed: room may have been made

	closeOnce sync.Once
	closed    chan struct{} // Close was called
}

// Listen caps ln at n connections at once (at least 1).
func Listen(ln net.Listener, n int) *Listener {
	return &Listener{Listener: ln, max: max(n, 1), open: map[*conn]struct{}{},
		freed: make(chan struct{}, 1), closed: make(chan struct{})}
}

// Close closes the listener; an Accept waiting for room gives up.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// conn is an accepted connection and what the server last said of it.
type conn struct {
	net.Conn
	l *Listener

	// Guarded by l.mu.
	waiting bool      // no request in progress: reading its first request's headers, or idle
	since   time.Time // when it last started waiting

	closeOnce sync.Once
	closeErr  error
}

// Close closes the connection and gives its place back.
func (c *conn) Close() error {
	c.closeOnce.Do(func() {
		c.closeErr = c.Conn.Close()
		c.l.mu.Lock()
		delete(c.l.open, c)
		c.l.mu.Unlock()
		select {
		case c.l.freed <- struct{}{}:
		default: // a wake-up is already waiting
		}
	})
	return c.closeErr
}

// Accept waits for a newcomer, then for room: at the cap it closes the
// connection waiting longest without a request, or, when every one is busy
// with a request, waits for one to finish.
func (l *Listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		if len(l.open) < l.max {
			// Busy until the server says otherwise: its ConnState hook
			// reports StateNew before it accepts again. Without the hook
			// no connection is ever closed to make room.
			c := &conn{Conn: nc, l: l}
			l.open[c] = struct{}{}
			l.mu.Unlock()
			return c, nil
		}
		victim := l.longestWaiting()
		l.mu.Unlock()
		if victim != nil {
			_ = victim.Close()
			continue
		}
		// Every connection is busy with a request; a request ends within the
		// server's timeouts. A timer, too, so a request that turns idle (a
		// state change, not a close) is noticed.
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-l.freed:
		case <-t.C:
		case <-l.closed:
			t.Stop()
			_ = nc.Close()
			return nil, net.ErrClosed
		}
		t.Stop()
	}
}

// longestWaiting is the open connection that has waited longest without a
// request in progress, or nil. The caller holds l.mu.
func (l *Listener) longestWaiting() *conn {
	var oldest *conn
	for c := range l.open {
		if c.waiting && (oldest == nil || c.since.Before(oldest.since)) {
			oldest = c
		}
	}
	return oldest
}

// ConnState is the server's http.Server.ConnState hook.
func (l *Listener) ConnState(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateNew, http.StateIdle:
		c.waiting, c.since = true, time.Now()
	case http.StateActive, http.StateHijacked:
		// A hijacked connection (a websocket, say) is its handler's until closed.
		c.waiting = false
	}
}

// Open returns how many connections are open.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.open)
}
