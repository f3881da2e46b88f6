package connlimit_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/connlimit"
)

// serveCapped serves h on loopback behind a cap of n connections, with
// timeouts far longer than the tests wait, until the test ends.
func serveCapped(t *testing.T, h http.Handler, n int) (*connlimit.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := connlimit.Listen(ln, n)
	srv := &http.Server{Handler: h, ConnState: l.ConnState, ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l, ln.Addr().String()
}

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })

// get sends one request on a new connection and returns it, left open, with
// the answer's body, or fails after d.
func get(t *testing.T, addr string, d time.Duration) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(d))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer within %s: %v", d, err)
	}
	body, _ := io.ReadAll(res.Body)
	c.SetDeadline(time.Time{})
	return c, string(body)
}

// closed reports whether the server has closed c, waiting up to d.
func closed(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	return err == io.EOF
}

// waitOpen waits until l holds n connections.
func waitOpen(t *testing.T, l *connlimit.Listener, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); l.Open() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want %d", l.Open(), n)
		}
	}
}

func TestIdleMakeRoom(t *testing.T) {
	l, addr := serveCapped(t, hello, 2)
	first, _ := get(t, addr, 5*time.Second)
	time.Sleep(10 * time.Millisecond)
	second, _ := get(t, addr, 5*time.Second)
	waitOpen(t, l, 2)
	// Both idle on keep-alive for a minute; a newcomer is answered now, and
	// the connection idle longest gave up its place.
	if _, body := get(t, addr, 2*time.Second); body != "hello" {
		t.Errorf("body = %q", body)
	}
	if !closed(first, 2*time.Second) {
		t.Error("the connection idle longest was not closed for the newcomer")
	}
	if closed(second, 200*time.Millisecond) {
		t.Error("the newer idle connection was closed too")
	}
	if n := l.Open(); n > 2 {
		t.Errorf("%d connections open, want at most 2", n)
	}
}

func TestSlowHeadersMakeRoom(t *testing.T) {
	l, addr := serveCapped(t, hello, 3)
	var slow []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.1\r\n") // and the rest, never
		slow = append(slow, c)
		time.Sleep(10 * time.Millisecond)
	}
	waitOpen(t, l, 3)
	if _, body := get(t, addr, 2*time.Second); body != "hello" {
		t.Errorf("body = %q", body)
	}
	if !closed(slow[0], 2*time.Second) {
		t.Error("the oldest client still sending its headers kept its place")
	}
}

func TestBusyAreNotClosed(t *testing.T) {
	release := make(chan struct{})
	busy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		io.WriteString(w, "done "+r.URL.Path)
	})
	l, addr := serveCapped(t, busy, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	answers := make(chan string, 2)
	for range 2 {
		go fetch(ctx, "http://"+addr+"/slow", answers)
	}
	waitOpen(t, l, 2)
	// Both connections are busy with a request: the newcomer waits for one.
	newcomer := make(chan string, 1)
	go fetch(ctx, "http://"+addr+"/quick", newcomer)
	select {
	case got := <-newcomer:
		t.Fatalf("the newcomer was answered %q while every connection was busy", got)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	for range 2 {
		if got := <-answers; got != "done /slow" {
			t.Errorf("a busy request ended with %q, want its answer", got)
		}
	}
	if got := <-newcomer; !strings.HasPrefix(got, "done /quick") {
		t.Errorf("newcomer = %q, want its answer once a request finished", got)
	}
}

// fetch GETs url on a connection of its own and sends the answer's body, or
// the error, to out.
func fetch(ctx context.Context, url string, out chan<- string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		out <- err.Error()
		return
	}
	res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		out <- err.Error()
		return
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out <- string(b)
}

func TestCloseWhileWaitingForRoom(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := connlimit.Listen(ln, 1)
	first, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	held, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	// No server, so no ConnState hook: the held connection counts as busy,
	// and is not closed to make room; the newcomer waits.
	second, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	accepted := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		accepted <- err
	}()
	select {
	case err := <-accepted:
		t.Fatalf("Accept returned %v while the one place was busy", err)
	case <-time.After(300 * time.Millisecond):
	}
	l.Close()
	select {
	case err := <-accepted:
		if err == nil {
			t.Error("Accept after Close gave a connection")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Accept still waiting for room after Close")
	}
	if !closed(second, 2*time.Second) {
		t.Error("the newcomer held while waiting was not closed")
	}
}
