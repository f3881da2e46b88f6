package reliability

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var maxOpenFiles = regexp.MustCompile(`Max open files\s+(\d+)`)

// slowClients runs serve with at most 1,024 open files and opens 1,100
// connections that send slowly or idle: headers a byte at a time, a
// webhook body a byte at a time, a kept-alive connection that sends nothing
// more. Meanwhile a probe asks for the page twice a second. The server must
// drop the slow ones in time and answer every probe: without its timeouts
// and connection cap it stops accepting anyone at the file limit. How long a
// probe waited is reported: past the cap, a newcomer takes the place of a
// slow or idle connection, so it should not wait for their timeouts.
func slowClients(ctx context.Context, r *Runner, res *Result) error {
	const clients, nofile = 1100, 1024
	load := 40 * time.Second
	data, err := r.dir("slowclients")
	if err != nil {
		return err
	}
	p, err := r.startServe(ctx, data, startOpts{nofile: nofile, env: []string{"TEST_STRIPE_WEBHOOK_SECRET=" + secret}})
	if err != nil {
		return err
	}
	defer r.saveLog("slowclients", p)
	defer p.stop()
	addr := strings.TrimPrefix(p.base, "http://")
	// prlimit execs the binary in its own process: read the limit it runs under.
	limits, _ := os.ReadFile(fmt.Sprintf("/proc/%d/limits", p.cmd.Process.Pid))
	if m := maxOpenFiles.FindStringSubmatch(string(limits)); m == nil || m[1] != strconv.Itoa(nofile) {
		return fmt.Errorf("serve does not run under a %d open-file limit: %q", nofile, m)
	}

	ctx, cancel := context.WithTimeout(ctx, load)
	defer cancel()
	var opened, dropped atomic.Int64
	var wg sync.WaitGroup
	starts := []string{
		"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
		"POST /payments/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
		"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", // answered, then kept alive and idle
	}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
			if err != nil {
				return
			}
			defer conn.Close()
			opened.Add(1)
			go func() { <-ctx.Done(); conn.Close() }()
			start := starts[i%len(starts)]
			if _, err := io.WriteString(conn, start); err != nil {
				dropped.Add(1)
				return
			}
			if i%len(starts) == 2 {
				// Idle: read until the server closes the connection.
				if _, err := io.Copy(io.Discard, conn); err == nil && ctx.Err() == nil {
					dropped.Add(1)
				}
				return
			}
			for ctx.Err() == nil {
				time.Sleep(2 * time.Second)
				if _, err := conn.Write([]byte("x")); err != nil {
					if ctx.Err() == nil {
						dropped.Add(1)
					}
					return
				}
			}
		}()
	}

	// Probes, fresh connection each, while the load lasts.
	var mu sync.Mutex
	var waits []time.Duration
	probes, unanswered := 0, 0
	var pw sync.WaitGroup
	tick := time.NewTicker(500 * time.Millisecond)
	for loop := true; loop; {
		select {
		case <-ctx.Done():
			loop = false
		case <-tick.C:
			probes++
			pw.Add(1)
			go func() {
				defer pw.Done()
				c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
				start := time.Now()
				resp, err := c.Get(p.base + "/")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					unanswered++
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					unanswered++
					return
				}
				waits = append(waits, time.Since(start))
			}()
		}
	}
	tick.Stop()
	wg.Wait()
	pw.Wait()
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	pct := func(q float64) string {
		if len(waits) == 0 {
			return "-"
		}
		return waits[int(q*float64(len(waits)-1))].Round(10 * time.Millisecond).String()
	}
	emfile := strings.Count(p.stderr(), "too many open files")
	res.add("tried", clients)
	res.add("nofile", nofile)
	res.add("opened", opened.Load())
	res.add("dropped_by_server", dropped.Load())
	res.add("probes", probes)
	res.want("answered", len(waits), probes)
	res.add("wait_p50", pct(0.5))
	res.add("wait_max", pct(1))
	res.add("emfile_logged", emfile)
	res.want("lost", unanswered, 0)
	if err := p.stop(); err != nil {
		res.failf("stop: %v", err)
	}
	res.want("panics", p.panics(), 0)
	if len(waits) == 0 {
		return fmt.Errorf("no probe was answered")
	}
	return nil
}
