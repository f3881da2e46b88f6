package hostcheck_test

import (
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/internal/hostcheck"
)

func TestAllowed(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":                  true,
		"LOCALHOST:4242":             true,
		"127.0.0.1:4242":             true,
		"127.0.0.1":                  true,
		"[::1]:4242":                 true,
		"192.168.1.20:8484":          true, // a class reaching an instructor's serve by its address
		"evil.example":               false,
		"evil.example:4242":          false,
		"localhost.evil.example":     false,
		"127.0.0.1.nip.io:4242":      false,
		"tollgate.attacker.test:443": false,
		"":                           false,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		if got := hostcheck.Allowed(r); got != want {
			t.Errorf("Host %q: allowed = %v, want %v", host, got, want)
		}
	}
}
