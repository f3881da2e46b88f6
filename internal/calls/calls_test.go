package calls_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/calls"
)

const secret = "sk_test_never_recorded_1234"

func TestTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Request-Id", "req_"+r.Method)
		if r.Method == http.MethodPost && string(body) == "" {
			t.Error("the body did not reach the server")
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	log := calls.New(3)
	client := &http.Client{Transport: log.Transport(http.DefaultTransport)}
	ctx := log.WithAction(context.Background(), "Subscribe monthly")

	form := "mode=subscription&line_items%5B0%5D%5Bprice%5D=price_1&subscription_data%5Btrial_period_days%5D=7"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/checkout/sessions", strings.NewReader(form))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/v1/subscriptions?customer=cus_1&status=all", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if res, err := client.Do(req); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}

	got := log.Recent(10)
	if len(got) != 2 {
		t.Fatalf("%d calls, want 2", len(got))
	}
	get, post := got[0], got[1] // newest first
	if post.Method != "POST" || post.Path != "/v1/checkout/sessions" || post.Status != 200 || post.RequestID != "req_POST" || post.Action.Label != "Subscribe monthly" || post.Action.ID == 0 {
		t.Errorf("POST call = %+v", post)
	}
	want := []calls.Param{{"mode", "subscription"}, {"line_items[0][price]", "price_1"}, {"subscription_data[trial_period_days]", "7"}}
	if len(post.Params) != 3 || post.Params[0] != want[0] || post.Params[1] != want[1] || post.Params[2] != want[2] {
		t.Errorf("POST params = %v, want %v in the order sent", post.Params, want)
	}
	if get.Path != "/v1/subscriptions" || len(get.Params) != 2 || get.Params[1] != (calls.Param{"status", "all"}) || get.Action.Label != "Tollgate, on its own" {
		t.Errorf("GET call = %+v", get)
	}
	for _, c := range got {
		if strings.Contains(strings.Join([]string{c.Path, c.Error, c.RequestID, c.Action.Label}, " "), secret) {
			t.Errorf("the secret key was recorded: %+v", c)
		}
		for _, p := range c.Params {
			if strings.Contains(p.Value, secret) {
				t.Errorf("the secret key was recorded: %+v", c)
			}
		}
	}

	t.Run("Unreachable", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		if _, err := client.Get("http://" + addr + "/v1/account"); err == nil {
			t.Fatal("want an error")
		}
		c := log.Recent(1)[0]
		if c.Status != 0 || !strings.Contains(c.Error, "connection refused") || c.Path != "/v1/account" {
			t.Errorf("call = %+v, want no status and the network's reason", c)
		}
	})

	t.Run("KeepsTheLatest", func(t *testing.T) {
		for range 5 {
			res, err := client.Get(srv.URL + "/v1/account")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		got := log.Recent(10)
		if len(got) != 3 || got[0].Seq != 8 || got[2].Seq != 6 {
			t.Errorf("kept %d calls, seqs %d…%d; want the latest 3, 8 down to 6", len(got), got[0].Seq, got[len(got)-1].Seq)
		}
	})
}

func TestAttempts(t *testing.T) {
	// A request sent again with its Idempotency-Key is counted as a retry of the first.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer srv.Close()
	log := calls.New(10)
	client := &http.Client{Transport: log.Transport(http.DefaultTransport)}
	post := func(key string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/customers", strings.NewReader("email=a"))
		req.Header.Set("Idempotency-Key", key)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	post("idem_1")
	post("idem_1")
	post("idem_2")
	got := log.Recent(3)
	if got[2].Attempt != 1 || got[1].Attempt != 2 || got[1].IdempotencyKey != "idem_1" || got[0].Attempt != 1 {
		t.Errorf("attempts = %d, %d, %d; want 1, 2 for one key and 1 for another", got[2].Attempt, got[1].Attempt, got[0].Attempt)
	}
}
