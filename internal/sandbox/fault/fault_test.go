package fault_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/sandbox/fault"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want fault.Spec
		str  string
	}{
		{"POST /v1/customers 500 x3", fault.Spec{Method: "POST", Path: "/v1/customers", Kind: fault.ServerError, Times: 3}, "POST /v1/customers 500 x3"},
		{"post /v1/customers 500 X3", fault.Spec{Method: "POST", Path: "/v1/customers", Kind: fault.ServerError, Times: 3}, "POST /v1/customers 500 x3"},
		{"/v1/checkout/sessions slow=10s", fault.Spec{Path: "/v1/checkout/sessions", Kind: fault.Slow, Wait: 10 * time.Second}, "/v1/checkout/sessions slow=10s"},
		{"/v1/ slow", fault.Spec{Path: "/v1/", Kind: fault.Slow, Wait: fault.DefaultSlow}, "/v1/ slow"},
		{"GET /v1/prices 429", fault.Spec{Method: "GET", Path: "/v1/prices", Kind: fault.RateLimit, Wait: time.Second}, "GET /v1/prices 429"},
		{"GET /v1/prices 429=3s x1", fault.Spec{Method: "GET", Path: "/v1/prices", Kind: fault.RateLimit, Wait: 3 * time.Second, Times: 1}, "GET /v1/prices 429=3s x1"},
		{"  DELETE   /v1/subscriptions   DROP ", fault.Spec{Method: "DELETE", Path: "/v1/subscriptions", Kind: fault.Drop}, "DELETE /v1/subscriptions drop"},
	} {
		got, err := fault.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v, want %+v", tc.in, got, err, tc.want)
			continue
		}
		if s := got.String(); s != tc.str {
			t.Errorf("String() = %q, want %q", s, tc.str)
		}
		if again, err := fault.Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(String()) = %+v, %v, want %+v", again, err, got)
		}
	}

	for _, tc := range []struct{ in, why string }{
		{"", "needs a path and a kind"},
		{"POST", "needs a path and a kind"},
		{"PUT /v1/customers 500", `"PUT" is not GET, POST or DELETE`},
		{"/customers 500", "must start with /v1/"},
		{"/v1/customers?x=1 500", "must start with /v1/"},
		{"/v1/" + strings.Repeat("a", 300) + " 500", "must start with /v1/"},
		{"/v1/customers 503", `"503" is not a kind`},
		{"/v1/customers 500=1s", "takes no =WAIT"},
		{"/v1/customers slow=forever", "is not a duration"},
		{"/v1/customers slow=3m", "is not a duration"},
		{"/v1/customers slow=-1s", "is not a duration"},
		{"/v1/customers 429=1500ms", "whole seconds"},
		{"/v1/customers 500 3", "is not a count"},
		{"/v1/customers 500 x0", "is not a count"},
		{"/v1/customers 500 x1001", "is not a count"},
		{"/v1/customers 500 x1 extra", "needs a path and a kind"},
	} {
		_, err := fault.Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "e.g. 'POST /v1/customers 500 x3'") {
			t.Errorf("Parse(%q) = %v, want an error saying %q and showing the syntax", tc.in, err, tc.why)
		}
	}
}

func TestSet(t *testing.T) {
	must := func(s string) fault.Spec {
		sp, err := fault.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	t.Run("CountsDownAndMatchesPrefixAndMethod", func(t *testing.T) {
		var s fault.Set
		if err := s.Add(must("POST /v1/customers 500 x2")); err != nil {
			t.Fatal(err)
		}
		for _, miss := range [][2]string{{"GET", "/v1/customers"}, {"POST", "/v1/customersX"}, {"POST", "/v1/prices"}} {
			if _, ok := s.Take(miss[0], miss[1]); ok {
				t.Errorf("%s %s hit POST /v1/customers", miss[0], miss[1])
			}
		}
		if _, ok := s.Take("POST", "/v1/customers/cus_1"); !ok {
			t.Error("a path under the prefix was not hit")
		}
		if a := s.Active(); len(a) != 1 || a[0].Left != 1 || a[0].Hit != 1 {
			t.Errorf("Active = %+v, want 1 left, 1 hit", a)
		}
		if _, ok := s.Take("POST", "/v1/customers"); !ok {
			t.Error("the second request was not hit")
		}
		if _, ok := s.Take("POST", "/v1/customers"); ok {
			t.Error("a third request was hit by a fault for two")
		}
		if a := s.Active(); len(a) != 0 {
			t.Errorf("Active = %+v, want none once spent", a)
		}
	})
	t.Run("UntilClearedAndReplaced", func(t *testing.T) {
		var s fault.Set
		_ = s.Add(must("/v1/ 500"))
		for range 5 {
			if _, ok := s.Take("GET", "/v1/prices"); !ok {
				t.Fatal("a fault until cleared stopped")
			}
		}
		_ = s.Add(must("/v1/ drop x1"))
		if a := s.Active(); len(a) != 1 || a[0].Spec != "/v1/ drop x1" {
			t.Errorf("Active = %+v, want the one fault replaced", a)
		}
		s.Clear()
		if _, ok := s.Take("GET", "/v1/prices"); ok {
			t.Error("hit after Clear")
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		var s fault.Set
		for i := range fault.MaxActive {
			if err := s.Add(fault.Spec{Path: "/v1/p" + strings.Repeat("x", i), Kind: fault.Drop}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Add(fault.Spec{Path: "/v1/one-more", Kind: fault.Drop}); err != fault.ErrTooMany {
			t.Errorf("err = %v, want ErrTooMany", err)
		}
	})
}
