package sandbox_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/sandbox"
)

// A client that never finishes its request, or idles, must not keep its
// connection: enough of them would use up the process's files and stop the
// sandbox. With both connection slots held, the next client is still answered.
func TestSlowClientsAreDropped(t *testing.T) {
	e := MustStart(t, sandbox.WithLimits(300*time.Millisecond, 2))
	addr := strings.TrimPrefix(e.srv.URL(), "http://")
	dial := func(partial string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		io.WriteString(c, partial)
		return c
	}
	for name, partial := range map[string]string{
		"unfinished headers": "GET /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n",
		"a slow body":        "POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + testKey + "\r\nContent-Length: 100\r\n\r\nemail=",
	} {
		c := dial(partial)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Errorf("the sandbox kept a client with %s: %v", name, err)
		}
	}

	dial("GET / HTTP/1.1\r\n")
	dial("GET / HTTP/1.1\r\n")
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(e.srv.URL() + "/")
	if err != nil {
		t.Fatalf("with both slots held by slow clients: %v", err)
	}
	res.Body.Close()
}
