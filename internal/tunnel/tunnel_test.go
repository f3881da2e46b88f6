package tunnel_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/tollgate"
	"github.com/tollgate/tollgate/internal/tunnel"
	"github.com/tollgate/tollgate/internal/tunnel/ngroktest"
)

const token = "2testTOKEN_abcdefghijklmnop"

// startDouble runs the loopback double of ngrok's service until the test ends.
func startDouble(t *testing.T) *ngroktest.Server { return ngroktest.MustStart(t, token) }

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello "+r.URL.Path) })

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s := startDouble(t)
		tun, err := tunnel.Open(ctx, tunnel.Config{Authtoken: token, ServerAddr: s.Addr(), RootCAs: s.CAPool()}, hello, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := tun.Status()
		if !st.Up || st.URL == "" || st.URL != tun.URL() || st.Error != "" {
			t.Fatalf("status = %+v", st)
		}
		if code, body := get(t, tun.URL()+"/payments/event"); code != http.StatusOK || body != "hello /payments/event" {
			t.Errorf("through the tunnel: %d %q", code, body)
		}
		if got := s.Tunnels(); len(got) != 1 || got[0].URL != tun.URL() || got[0].Proxied != 1 {
			t.Errorf("the service saw %+v, want one tunnel at %s with one connection", got, tun.URL())
		}
		if err := tun.Close(); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the tunnel to be unbound", func() bool { return len(s.Tunnels()) == 0 })
	})

	t.Run("ErrBadAuthtoken", func(t *testing.T) {
		s := startDouble(t)
		start := time.Now()
		_, err := tunnel.Open(ctx, tunnel.Config{Authtoken: "2wrongTOKEN_zyxwvutsrq", ServerAddr: s.Addr(), RootCAs: s.CAPool()}, hello, nil)
		msg := tollgate.ErrorMessage(err)
		if tollgate.ErrorCode(err) != tollgate.EUNAVAILABLE || !strings.HasPrefix(msg, "ngrok refused the tunnel: The authtoken you specified does not look like a proper ngrok tunnel authtoken.") ||
			!strings.Contains(msg, "(ERR_NGROK_105, https://ngrok.com/docs/errors/err_ngrok_105)") {
			t.Fatalf("err = %v\nmessage %q, want ngrok's own words with its code", err, msg)
		}
		if strings.Contains(msg, "2wrongTOKEN_zyxwvutsrq") || strings.Contains(msg, "\n") {
			t.Errorf("message %q quotes the token or spans lines", msg)
		}
		// A refused token is not retried: ngrok's agent would retry it forever.
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %s, want the refusal at once", took)
		}
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		start := time.Now()
		_, err = tunnel.Open(ctx, tunnel.Config{Authtoken: token, ServerAddr: addr, ConnectTimeout: time.Second}, hello, nil)
		took := time.Since(start)
		msg := tollgate.ErrorMessage(err)
		if !strings.HasPrefix(msg, "Could not reach ngrok at "+addr+" within 1s (") || !strings.Contains(msg, "connection refused") {
			t.Fatalf("err = %v\nmessage %q, want the address, the bound and the network's reason", err, msg)
		}
		if took < time.Second || took > 5*time.Second {
			t.Errorf("took %s, want about the 1 s bound", took)
		}
	})

	t.Run("ErrUntrustedCertificate", func(t *testing.T) {
		s := startDouble(t)
		_, err := tunnel.Open(ctx, tunnel.Config{Authtoken: token, ServerAddr: s.Addr(), ConnectTimeout: 3 * time.Second}, hello, nil)
		if msg := tollgate.ErrorMessage(err); !strings.Contains(msg, "certificate") || !strings.Contains(msg, "--ngrok-ca") {
			t.Fatalf("err = %v\nmessage %q, want the certificate named and --ngrok-ca suggested", err, msg)
		}
	})

	t.Run("ErrCallerGivesUp", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = tunnel.Open(ctx, tunnel.Config{Authtoken: token, ServerAddr: addr}, hello, nil)
		if took := time.Since(start); err == nil || took > 2*time.Second {
			t.Fatalf("err = %v after %s, want the caller's 200 ms deadline to end the attempt, not the 10 s bound", err, took)
		}
	})
}

func TestDropFollowsTheNewURL(t *testing.T) {
	s := startDouble(t)
	var changes atomic.Int32
	tun, err := tunnel.Open(context.Background(), tunnel.Config{Authtoken: token, ServerAddr: s.Addr(), RootCAs: s.CAPool()}, hello, func(*tunnel.Tunnel) { changes.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	defer tun.Close()
	first := tun.URL()
	s.DropSessions()
	eventually(t, "the tunnel to come back", func() bool { st := tun.Status(); return st.Up && st.URL != first })
	if changes.Load() < 2 {
		t.Errorf("changed was called %d times, want at least twice: the drop and the return", changes.Load())
	}
	if code, body := get(t, tun.URL()+"/x"); code != http.StatusOK || body != "hello /x" {
		t.Errorf("through the new URL: %d %q", code, body)
	}
	if got := s.Tunnels(); len(got) != 1 || got[0].URL != tun.URL() {
		t.Errorf("the service has %+v, want only the new tunnel", got)
	}
}
