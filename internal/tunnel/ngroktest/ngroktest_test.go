package ngroktest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.ngrok.com/ngrok"
	"golang.ngrok.com/ngrok/config"

	"github.com/tollgate/tollgate/internal/tunnel/ngroktest"
)

const token = "2abcTESTtoken_0123456789"

func start(t *testing.T) *ngroktest.Server { return ngroktest.MustStart(t, token) }

// connect opens a real ngrok session on the double. Heartbeats stay at 200 ms:
// an interval shorter than the Auth round trip makes the client's heartbeat
// callback read its logger while Auth writes it, which -race reports.
func connect(t *testing.T, s *ngroktest.Server, opts ...ngrok.ConnectOption) ngrok.Session {
	t.Helper()
	// The context outlives Connect on purpose: cancelling it closes the session.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	opts = append([]ngrok.ConnectOption{
		ngrok.WithAuthtoken(token),
		ngrok.WithServer(s.Addr()),
		ngrok.WithCA(s.CAPool()),
		ngrok.WithHeartbeatInterval(200 * time.Millisecond),
	}, opts...)
	sess, err := ngrok.Connect(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

// listen binds an HTTP endpoint and serves a handler that names the path.
func listen(t *testing.T, sess ngrok.Session) ngrok.Tunnel {
	t.Helper()
	tun, err := sess.Listen(context.Background(), config.HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hi from "+r.URL.Path)
	})}
	go srv.Serve(tun)
	t.Cleanup(func() { srv.Close() })
	return tun
}

// get fetches url on a fresh connection, so no kept-alive socket outlives a drop.
func get(url string) (int, string, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func mustGet(t *testing.T, url, want string) {
	t.Helper()
	code, body, err := get(url)
	if err != nil || code != 200 || body != want {
		t.Fatalf("GET %s = %d %q %v, want 200 %q", url, code, body, err, want)
	}
}

func TestOK(t *testing.T) {
	s := start(t)
	sess := connect(t, s)
	tun := listen(t, sess)
	if !strings.HasPrefix(tun.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", tun.URL())
	}
	mustGet(t, tun.URL()+"/hello", "hi from /hello")
	tuns := s.Tunnels()
	if len(tuns) != 1 || tuns[0].URL != tun.URL() || tuns[0].ID != tun.ID() || tuns[0].Proxied < 1 {
		t.Fatalf("Tunnels() = %+v, want one for %s %s with Proxied >= 1", tuns, tun.ID(), tun.URL())
	}
}

func TestErrBadToken(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 16)
	done := make(chan error, 1)
	go func() {
		_, err := ngrok.Connect(ctx,
			ngrok.WithAuthtoken("wrong"),
			ngrok.WithServer(s.Addr()),
			ngrok.WithCA(s.CAPool()),
			ngrok.WithHeartbeatInterval(200*time.Millisecond),
			ngrok.WithDisconnectHandler(func(_ context.Context, _ ngrok.Session, err error) {
				select {
				case errs <- err:
				default:
				}
			}))
		done <- err
	}()
	var err error
	select {
	case err = <-errs:
	case <-time.After(5 * time.Second):
		t.Fatal("no disconnect error for a wrong token")
	}
	var nerr ngrok.Error
	if !errors.As(err, &nerr) || nerr.ErrorCode() != "ERR_NGROK_105" {
		t.Fatalf("error %v, want an ngrok.Error with code ERR_NGROK_105", err)
	}
	if !strings.Contains(nerr.Msg(), "Your authtoken: wrong") {
		t.Fatalf("Msg() = %q", nerr.Msg())
	}
	cancel() // the client retries a refused token forever; only the context stops it
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Connect succeeded with a wrong token")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Connect did not return after cancel")
	}
}

func TestDrop(t *testing.T) {
	s := start(t)
	connected := make(chan struct{}, 4)
	sess := connect(t, s, ngrok.WithConnectHandler(func(context.Context, ngrok.Session) {
		connected <- struct{}{}
	}))
	<-connected
	tun := listen(t, sess)
	first := tun.URL()
	mustGet(t, first+"/a", "hi from /a")

	s.DropSessions()
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		t.Fatal("the client did not reconnect after DropSessions")
	}
	// The client re-binds with its old tunnel id and ignores the URL in the
	// reply: tun.URL() still says the dropped URL, which now refuses
	// connections, while the double serves the same id on a new port.
	tuns := s.Tunnels()
	if len(tuns) != 1 || tuns[0].ID != tun.ID() || tuns[0].URL == first {
		t.Fatalf("after reconnect Tunnels() = %+v, want %s on a new URL", tuns, tun.ID())
	}
	if tun.URL() != first {
		t.Fatalf("tun.URL() changed to %s; the design notes say the client keeps the old one", tun.URL())
	}
	if _, _, err := get(first + "/a"); err == nil {
		t.Fatal("the dropped URL still answers")
	}
	mustGet(t, tuns[0].URL+"/b", "hi from /b")
	if n := s.Tunnels()[0].Proxied; n != 1 {
		t.Fatalf("Proxied = %d on the new listener, want 1", n)
	}

	// What the app does on a URL change: a new session, whose URL is new and works.
	sess.Close()
	sess2 := connect(t, s)
	tun2 := listen(t, sess2)
	if tun2.URL() == first || tun2.URL() == tuns[0].URL {
		t.Fatalf("new session got an old URL %s", tun2.URL())
	}
	mustGet(t, tun2.URL()+"/c", "hi from /c")
}

func TestHeartbeat(t *testing.T) {
	s := start(t)
	var mu sync.Mutex
	var discErrs []error
	beats := make(chan time.Duration, 16)
	sess := connect(t, s,
		ngrok.WithHeartbeatTolerance(time.Second),
		ngrok.WithDisconnectHandler(func(_ context.Context, _ ngrok.Session, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				discErrs = append(discErrs, err)
			}
		}),
		ngrok.WithHeartbeatHandler(func(_ context.Context, _ ngrok.Session, d time.Duration) {
			select {
			case beats <- d:
			default:
			}
		}))
	tun := listen(t, sess)
	time.Sleep(900 * time.Millisecond) // > 3 intervals of 200 ms
	mu.Lock()
	got := discErrs
	mu.Unlock()
	if len(got) > 0 {
		t.Fatalf("disconnected during heartbeats: %v", got)
	}
	if len(beats) < 3 {
		t.Fatalf("%d heartbeats answered in 900 ms, want >= 3", len(beats))
	}
	mustGet(t, tun.URL()+"/still", "hi from /still")
}

func TestUnbindAndOffline(t *testing.T) {
	s := start(t)
	sess := connect(t, s)
	tun := listen(t, sess)
	if err := tun.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Tunnels()); n != 0 {
		t.Fatalf("%d tunnels after Close, want 0", n)
	}
	if _, _, err := get(tun.URL()); err == nil {
		t.Fatal("an unbound URL still answers")
	}

	// A session that ends without unbinding leaves its URL reserved but offline.
	tun2 := listen(t, sess)
	sess.Close()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Tunnels()) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	code, body, err := get(tun2.URL())
	if err != nil || code != 404 || !strings.Contains(body, "ERR_NGROK_3200") {
		t.Fatalf("offline endpoint answered %d %q %v, want 404 ERR_NGROK_3200", code, body, err)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	s := start(t)
	sess := connect(t, s)
	tun := listen(t, sess)
	mustGet(t, tun.URL()+"/x", "hi from /x")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close() // idempotent
	// Close has waited for every goroutine to call Done; give them a moment to return.
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "ngroktest.(*Server)") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server goroutines left after Close:\n%s", stacks)
		}
	}
	if _, _, err := get(tun.URL()); err == nil {
		t.Fatal("an edge still answers after Close")
	}
}
