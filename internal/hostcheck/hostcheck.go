// Package hostcheck guards servers on this machine against DNS rebinding: a
// page of another site points its own name at 127.0.0.1 and then talks to
// the server as a same-origin page. Its requests carry that name in Host,
// which no one typing this machine's address would; localhost and IP
// addresses are what a person types, so they are the only Hosts allowed.
package hostcheck

import (
	"net"
	"net/http"
	"strings"
)

// Allowed reports whether r's Host is localhost or an IP address (any port).
func Allowed(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	host = strings.Trim(host, "[]")
	return strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}
