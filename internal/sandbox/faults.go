package sandbox

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
)

// AddFault puts a fault in force: the requests it hits get trouble instead
// of an answer, as Stripe's own have now and then, so a learner can see what
// an app should do about it.
func (s *Sandbox) AddFault(sp fault.Spec) error {
	if err := s.faults.Add(sp); err != nil {
		return err
	}
	s.log.Info("fault on", logkey.Fault, sp.String())
	return nil
}

// ClearFaults takes every fault out of force.
func (s *Sandbox) ClearFaults() {
	s.faults.Clear()
	s.log.Info("faults cleared")
}

// Faults lists the faults in force.
func (s *Sandbox) Faults() []fault.Active { return s.faults.Active() }

// faulty plays a fault in force on an API request instead of api's answer;
// without one, api answers.
func (s *Sandbox) faulty(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sp, ok := s.faults.Take(r.Method, r.URL.Path)
		if !ok {
			api.ServeHTTP(w, r)
			return
		}
		s.log.Debug("fault", logkey.Fault, sp.String(), logkey.Method, r.Method, logkey.Path, r.URL.Path)
		switch sp.Kind {
		case fault.ServerError:
			// Stripe's words for a fault on its side. No Stripe-Should-Retry:
			// a client must decide from the status, as it does for a 500 of a
			// proxy in between.
			s.faultAnswer(w, r, http.StatusInternalServerError, &apiError{Status: http.StatusInternalServerError, Type: typeAPI,
				Message: "An unknown error occurred; this is a fault the Tollgate sandbox was asked to play."})
		case fault.RateLimit:
			w.Header().Set("Retry-After", strconv.Itoa(int(sp.Wait/time.Second)))
			e := &apiError{Status: http.StatusTooManyRequests, Type: typeInvalidRequest, Code: "rate_limit", DocURL: docURL("rate_limit"),
				Message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."}
			s.faultAnswer(w, r, e.Status, e)
		case fault.Slow:
			t := time.NewTimer(sp.Wait)
			defer t.Stop()
			select {
			case <-t.C:
				api.ServeHTTP(w, r)
			case <-r.Context().Done(): // the client gave up: nothing is done
			case <-s.ctx.Done():
			}
		case fault.Drop:
			api.ServeHTTP(discard{h: http.Header{}}, r)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler) // HTTP/2: the server resets the stream
		}
	})
}

// faultAnswer writes a fault's error as the API writes its own, with a
// Request-Id and an entry in the request log.
func (s *Sandbox) faultAnswer(w http.ResponseWriter, r *http.Request, status int, e *apiError) {
	id := newID("req_")
	now := time.Now()
	body := withLogURL(mustJSON(map[string]any{"error": e}), logURL(r.Host, id, now))
	s.reqlog.add(loggedRequest{ID: id, Method: r.Method, Path: r.URL.Path, Status: status, Response: string(body), At: now})
	w.Header().Set("Request-Id", id)
	w.Header().Set("Stripe-Version", APIVersion)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// discard is a ResponseWriter for an answer nobody gets.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
