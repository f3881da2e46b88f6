package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tollgate/tollgate/internal/server"
)

// limited serves h with short limits until the test ends, and returns its address.
func limited(t *testing.T, h http.Handler, conns int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		server.ServeWithLimits(ctx, ln, h, 200*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond, conns)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes c within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	return err == nil // EOF: the server hung up; a timeout is an error
}

func TestLimits(t *testing.T) {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })

	t.Run("SlowHeadersAreDropped", func(t *testing.T) {
		addr := limited(t, hello, 16)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n") // and never the rest
		if !closedWithin(c, 3*time.Second) {
			t.Error("a client that never finishes its headers keeps its connection")
		}
	})

	t.Run("SlowBodiesAreDropped", func(t *testing.T) {
		addr := limited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.ReadAll(r.Body) }), 16)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "POST /payments/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
		if !closedWithin(c, 3*time.Second) {
			t.Error("a client that sends its body slowly keeps its connection")
		}
	})

	t.Run("IdleKeepAliveIsDropped", func(t *testing.T) {
		addr := limited(t, hello, 16)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("first request: %v %v", res, err)
		}
		io.Copy(io.Discard, res.Body)
		if !closedWithin(c, 3*time.Second) {
			t.Error("an idle kept-alive connection is kept forever")
		}
	})

	t.Run("SlowClientsDoNotStopTheServer", func(t *testing.T) {
		// Both slots held by clients that never finish: the next one is answered once they are dropped.
		addr := limited(t, hello, 2)
		for range 2 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, "GET / HTTP/1.1\r\n")
		}
		client := &http.Client{Timeout: 5 * time.Second}
		res, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("with both slots held by slow clients: %v", err)
		}
		res.Body.Close()
	})

	t.Run("EventStreamOutlivesTheTimeouts", func(t *testing.T) {
		events := server.NewBroadcaster()
		srv, err := server.New(server.Options{Assets: fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}, Token: token, Events: events})
		if err != nil {
			t.Fatal(err)
		}
		addr := limited(t, srv, 16)
		res, err := http.Get("http://" + addr + "/api/events?token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		r := bufio.NewReader(res.Body)
		r.ReadString('\n')
		time.Sleep(time.Second) // past every limit
		events.Emit("billing:changed")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("the stream ended after the timeouts: %v", err)
			}
			if strings.Contains(line, "billing:changed") {
				return
			}
		}
	})
}
