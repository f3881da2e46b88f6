package billing

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Retries of an answer that says Stripe is having trouble.
const (
	maxRetries    = 2
	retryBackoff  = 500 * time.Millisecond // doubled each time
	maxRetryAfter = 5 * time.Second        // a longer Retry-After is not waited for: the learner is told instead
)

// retrying sends a request again when Stripe answers 5xx or 429, where Stripe
// says it is safe. stripe-go v82 retries only network errors, not an answer
// with an error body; a POST carries its Idempotency-Key on every try, so
// Stripe answers a repeat with its first answer instead of acting twice.
type retrying struct{ next http.RoundTripper }

func (rt retrying) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	wait := retryBackoff
	for try := 0; ; try++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		res, err := rt.next.RoundTrip(r)
		if err != nil || try == maxRetries || !retriable(res) || (req.Method == http.MethodPost && req.Header.Get("Idempotency-Key") == "") {
			return res, err
		}
		if after, ok := retryAfter(res); ok {
			if after > maxRetryAfter {
				return res, nil
			}
			wait = after
		}
		io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// retriable is Stripe's own advice when it gives one, else 429 and 5xx.
func retriable(res *http.Response) bool {
	switch res.Header.Get("Stripe-Should-Retry") {
	case "true":
		return true
	case "false":
		return false
	}
	return res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500
}

func retryAfter(res *http.Response) (time.Duration, bool) {
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || secs < 0 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}
