package reliability

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one run of the tollgate binary, its stderr kept for counting.
type proc struct {
	cmd  *exec.Cmd
	url  string // serve: the token URL; sandbox: its base URL
	base string // scheme://host:port
	// log is everything the process wrote to stderr, kept after it exits.
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
}

var (
	serveURL   = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`)
	sandboxURL = regexp.MustCompile(`sandbox ready"? url=(http://127\.0\.0\.1:\d+)`)
)

// options for one start.
type startOpts struct {
	env    []string // added to the environment
	nofile uint64   // RLIMIT_NOFILE (soft and hard) for the process; 0 keeps ours
}

// startServe runs `tollgate serve` on a free loopback port with data.
func (r *Runner) startServe(ctx context.Context, data string, o startOpts, extra ...string) (*proc, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, extra...)
	return r.start(ctx, args, o, func(p *proc, line string) bool {
		if m := serveURL.FindString(line); m != "" {
			p.url, p.base = m, m[:strings.Index(m, "/?")]
			return true
		}
		return false
	})
}

// startSandbox runs `tollgate sandbox` on addr (127.0.0.1:0 for any port) with data.
func (r *Runner) startSandbox(ctx context.Context, data, addr string, extra ...string) (*proc, error) {
	args := append([]string{"sandbox", "--addr", addr, "--data", data}, extra...)
	return r.start(ctx, args, startOpts{}, func(p *proc, line string) bool {
		if m := sandboxURL.FindStringSubmatch(line); m != nil {
			p.url, p.base = m[1], m[1]
			return true
		}
		return false
	})
}

// start runs the binary with args until ready finds its address in a line
// of its stdout or stderr.
func (r *Runner) start(ctx context.Context, args []string, o startOpts, ready func(*proc, string) bool) (*proc, error) {
	bin := r.Bin
	if o.nofile > 0 {
		// prlimit sets both limits: Go raises its soft limit to the hard
		// one at start, so a soft limit alone would not hold.
		args = append([]string{fmt.Sprintf("--nofile=%d:%d", o.nofile, o.nofile), bin}, args...)
		bin = "prlimit"
	}
	cmd := exec.Command(bin, args...)
	// The binary's own config folder is never the person's: XDG_CONFIG_HOME
	// points into the run's work folder.
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(r.Work, "xdg"))
	cmd.Env = append(cmd.Env, o.env...)
	p := &proc{cmd: cmd, done: make(chan struct{})}
	found := make(chan struct{})
	var once sync.Once
	watch := func(rd io.Reader, keep bool) {
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if keep {
				p.mu.Lock()
				p.log.WriteString(line + "\n")
				p.mu.Unlock()
			}
			if ready(p, line) {
				once.Do(func() { close(found) })
			}
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", r.Bin, err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); watch(stdout, false) }()
	go func() { defer wg.Done(); watch(stderr, true) }()
	go func() {
		wg.Wait()
		_ = cmd.Wait()
		close(p.done)
	}()
	select {
	case <-found:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s %s exited before it was ready:\n%s", r.Bin, args[0], p.stderr())
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("%s %s was not ready in 30 s:\n%s", r.Bin, args[0], p.stderr())
	case <-ctx.Done():
		p.kill()
		return nil, ctx.Err()
	}
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// kill ends the process at once, as a power cut or the OOM killer would.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop interrupts the process as Ctrl-C does and waits for it; it is
// killed if it takes longer than 20 s.
func (p *proc) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill()
		return fmt.Errorf("did not stop within 20 s of SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("exited with %d:\n%s", code, tail(p.stderr(), 20))
	}
	return nil
}

// panics counts the panics the process logged: a contained one is logged
// with a panic= key, an uncontained one kills it with "panic:" on stderr.
func (p *proc) panics() int {
	s := p.stderr()
	n := strings.Count(s, " panic=")
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(line, "panic: ") {
			n++
		}
	}
	return n
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// token is the serve token in p's URL.
func (p *proc) token() string {
	_, t, _ := strings.Cut(p.url, "?token=")
	return t
}

// client is an HTTP client for the checks: no redirects followed, a timeout.
func client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
