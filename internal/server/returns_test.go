package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// returns records what the return pages asked billing to do.
type returns struct {
	sessions []string
	portals  int
	err      error
}

func (r *returns) CheckoutSucceeded(_ context.Context, id string) error {
	r.sessions = append(r.sessions, id)
	return r.err
}

func (r *returns) PortalReturned(context.Context) error { r.portals++; return r.err }

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestReturnPages(t *testing.T) {
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "webhook reached") })

	t.Run("ServeModeNeedsNoToken", func(t *testing.T) {
		// Stripe and a browser coming back from Stripe hold no token; the UI still needs it.
		ret := &returns{}
		srv, err := server.New(server.Options{Assets: fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}, Token: token,
			Public: server.PublicRoutes(hook, ret, "/", nil)})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		res, body := get(t, ts.URL+"/checkout/success?session_id=cs_1")
		if res.StatusCode != 200 || !strings.Contains(body, "You&#39;re subscribed") || !strings.Contains(body, `href="/#/plans"`) {
			t.Errorf("success = %d %s", res.StatusCode, body)
		}
		if res.Header.Get("Refresh") != "2; url=/#/plans" {
			t.Errorf("Refresh = %q, want a way back into the app", res.Header.Get("Refresh"))
		}
		if len(ret.sessions) != 1 || ret.sessions[0] != "cs_1" {
			t.Errorf("synced sessions %v, want [cs_1]", ret.sessions)
		}
		if res, body := get(t, ts.URL+"/payments/event"); res.StatusCode != 200 || body != "webhook reached" {
			t.Errorf("webhook route = %d %q", res.StatusCode, body)
		}
		res, err = http.Post(ts.URL+"/api/call", "application/json", strings.NewReader(`{"name":"x","args":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a call without the token = %d, want 401", res.StatusCode)
		}
	})

	t.Run("DesktopMode", func(t *testing.T) {
		ret := &returns{}
		ts := httptest.NewServer(server.PublicRoutes(hook, ret, "", nil))
		defer ts.Close()
		_, body := get(t, ts.URL+"/checkout/cancel")
		if !strings.Contains(body, "Checkout canceled") || !strings.Contains(body, "Nothing was charged") || !strings.Contains(body, "return to the Tollgate window") {
			t.Errorf("cancel page = %s", body)
		}
		if len(ret.sessions) != 0 {
			t.Error("cancel synced a session")
		}
		_, body = get(t, ts.URL+"/portal/return")
		if ret.portals != 1 || !strings.Contains(body, "Billing Portal") {
			t.Errorf("portal return: %d syncs, %s", ret.portals, body)
		}
		if res, _ := get(t, ts.URL+"/"); res.StatusCode != 404 {
			t.Errorf("anything else = %d, want 404", res.StatusCode)
		}
	})

	t.Run("ErrNoSessionID", func(t *testing.T) {
		ret := &returns{}
		ts := httptest.NewServer(server.PublicRoutes(hook, ret, "", nil))
		defer ts.Close()
		if res, _ := get(t, ts.URL+"/checkout/success"); res.StatusCode != 400 || len(ret.sessions) != 0 {
			t.Errorf("code = %d, syncs = %v; want 400 and none", res.StatusCode, ret.sessions)
		}
	})

	t.Run("TheTruthAboutTheSession", func(t *testing.T) {
		// Anyone can open the success page with any id: it says what Stripe says.
		ret := &returns{err: tollgate.Errorf(tollgate.ENOTFOUND, "Stripe says: No such checkout.session: 'anything'")}
		ts := httptest.NewServer(server.PublicRoutes(hook, ret, "", nil))
		defer ts.Close()
		res, body := get(t, ts.URL+"/checkout/success?session_id=anything")
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "No such checkout") || strings.Contains(body, "Payment received") || strings.Contains(body, "subscribed") {
			t.Errorf("unknown session = %d %s", res.StatusCode, body)
		}
		ret.err = tollgate.Errorf(tollgate.EINVALID, "Checkout session cs_1 is open, not complete: nothing was bought.")
		if res, body := get(t, ts.URL+"/checkout/success?session_id=cs_1"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nothing was bought") {
			t.Errorf("unfinished session = %d %s", res.StatusCode, body)
		}
	})

	t.Run("SyncFailureStillReassures", func(t *testing.T) {
		ret := &returns{err: tollgate.Errorf(tollgate.EUNAVAILABLE, "Stripe could not be reached.")}
		ts := httptest.NewServer(server.PublicRoutes(hook, ret, "", nil))
		defer ts.Close()
		res, body := get(t, ts.URL+"/checkout/success?session_id=cs_1")
		if res.StatusCode != 200 || !strings.Contains(body, "Stripe could not be reached.") || !strings.Contains(body, "If you paid, the webhook will update") {
			t.Errorf("success with Stripe down = %d %s", res.StatusCode, body)
		}
		ret.err = errors.New("disk on fire")
		if _, body := get(t, ts.URL+"/checkout/success?session_id=cs_2"); strings.Contains(body, "disk on fire") {
			t.Error("an internal error's text reached the page")
		}
	})
}

func TestBroadcaster(t *testing.T) {
	b := server.NewBroadcaster()
	ts := httptest.NewServer(b)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	r := bufio.NewReader(res.Body)
	if line, _ := r.ReadString('\n'); line != ": connected\n" {
		t.Fatalf("first line = %q", line)
	}
	r.ReadString('\n')
	b.Emit("billing:changed")
	var got []string
	for len(got) < 2 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimSpace(line))
	}
	if got[0] != "event: tollgate" || got[1] != "data: billing:changed" {
		t.Errorf("stream = %q", got)
	}
}

func TestSecurityHeaders(t *testing.T) {
	// Every answer of every route carries them: the app, its calls, the return pages, the webhook, the tunnel.
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "webhook reached") })
	srv, err := server.New(server.Options{Assets: fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}, Token: token,
		Public: server.PublicRoutes(hook, &returns{}, "/", nil)})
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(srv)
	defer app.Close()
	tunnel := httptest.NewServer(server.TunnelRoutes(hook))
	defer tunnel.Close()
	for _, url := range []string{app.URL + "/", app.URL + "/api/call", app.URL + "/checkout/cancel", app.URL + "/checkout/success?session_id=cs_1", app.URL + "/payments/event", tunnel.URL + "/", tunnel.URL + "/payments/event"} {
		res, _ := get(t, url)
		h := res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", url, h)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'unsafe-inline'") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP %q, want one forbidding inline script and remote origins", url, csp)
		}
	}
	// The return pages run no script at all.
	if res, _ := get(t, app.URL+"/checkout/cancel"); !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("return page CSP = %q, want nothing but its own style", res.Header.Get("Content-Security-Policy"))
	}
}
