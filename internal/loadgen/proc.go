package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is a running tollgate subcommand, and what it printed to say it is ready.
type Proc struct {
	cmd     *exec.Cmd
	Ready   string        // the URL it printed
	Started time.Duration // from exec to that line
	exited  chan error
}

var (
	sandboxReady = regexp.MustCompile(`msg="sandbox ready" url=(\S+)`)
	serveReady   = regexp.MustCompile(`Tollgate is running at (\S+)`)
)

// StartSandbox runs `tollgate sandbox` on a free loopback port, accepting only key.
func StartSandbox(ctx context.Context, bin, data, key string, log io.Writer) (*Proc, error) {
	return start(ctx, bin, []string{"sandbox", "--addr", "127.0.0.1:0", "--data", data, "--key", key}, nil, sandboxReady, log)
}

// StartServe runs `tollgate serve` on a free loopback port in Stripe mode
// against apiBase with key and the webhook secret, as a learner with a key does.
func StartServe(ctx context.Context, bin, data, apiBase, key, secret string, log io.Writer) (*Proc, error) {
	env := []string{"TEST_STRIPE_SECRET_KEY=" + key, "TEST_STRIPE_WEBHOOK_SECRET=" + secret}
	return start(ctx, bin, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--stripe-api", apiBase}, env, serveReady, log)
}

func start(ctx context.Context, bin string, args, env []string, ready *regexp.Regexp, log io.Writer) (*Proc, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loadgen: start %s %s: %w", bin, args[0], err)
	}
	p := &Proc{cmd: cmd, exited: make(chan error, 1)}
	go func() { err := cmd.Wait(); pw.Close(); p.exited <- err }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			fmt.Fprintln(log, sc.Text())
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case p.Ready = <-found:
		p.Started = time.Since(t0)
		return p, nil
	case err := <-p.exited:
		return nil, fmt.Errorf("loadgen: %s %s exited before it was ready: %v", bin, args[0], err)
	case <-time.After(60 * time.Second):
		p.Stop()
		return nil, fmt.Errorf("loadgen: %s %s not ready after 60 s", bin, args[0])
	}
}

// Memory is a process's resident memory, in bytes, as Linux's /proc counts it.
type Memory struct {
	// RSS is every page mapped and resident: the process's own (Anon) and
	// pages of files it maps (File), its binary and shared libraries among
	// them, which other processes may share and the kernel may drop.
	RSS, Anon, File int64
	// PSS divides each shared page among the processes that map it.
	PSS int64
	// Peak is the highest RSS the process has had.
	Peak int64
}

// Memory reads the process's resident memory from /proc.
func (p *Proc) Memory() (Memory, error) { return MemoryOf(p.cmd.Process.Pid) }

// MemoryOf reads the resident memory of the process pid from Linux's /proc.
func MemoryOf(pid int) (Memory, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("loadgen: memory: %w", err)
	}
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("loadgen: memory: %w", err)
	}
	var m Memory
	for _, f := range []struct {
		text  []byte
		field string
		into  *int64
	}{{status, "VmRSS:", &m.RSS}, {status, "RssAnon:", &m.Anon}, {status, "RssFile:", &m.File}, {status, "VmHWM:", &m.Peak}, {rollup, "Pss:", &m.PSS}} {
		if *f.into, err = kBytes(string(f.text), f.field); err != nil {
			return Memory{}, fmt.Errorf("loadgen: memory of %d: %w", pid, err)
		}
	}
	return m, nil
}

// kBytes reads a "Field:   123 kB" line of a /proc file, in bytes.
func kBytes(text, field string) (int64, error) {
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s line", field)
}

// Stop interrupts the process, as Ctrl-C does, and waits for it to exit.
func (p *Proc) Stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-p.exited:
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("loadgen: %s did not stop within 30 s", p.cmd.Path)
	}
}

// Bridge calls the bound methods of a `tollgate serve`, as its page does.
type Bridge struct {
	Base, Token string
	Client      *http.Client
}

// NewBridge reads the base URL and token from the link serve printed.
func NewBridge(link string) (*Bridge, error) {
	base, token, ok := strings.Cut(link, "/?token=")
	if !ok {
		return nil, fmt.Errorf("loadgen: %q is not serve's link", link)
	}
	return &Bridge{Base: base, Token: token, Client: &http.Client{Timeout: 30 * time.Second}}, nil
}

// Call calls main.App.<method> with args and decodes its result into out (if not nil).
func (b *Bridge) Call(ctx context.Context, method string, out any, args ...any) error {
	body, err := json.Marshal(map[string]any{"name": "main.App." + method, "args": args})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.Base+"/api/call", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Tollgate-Token", b.Token)
	resp, err := b.Client.Do(req)
	if err != nil {
		return fmt.Errorf("loadgen: call %s: %w", method, err)
	}
	defer resp.Body.Close()
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  string          `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return fmt.Errorf("loadgen: call %s: %w", method, err)
	}
	if reply.Error != "" {
		return &CallError{Method: method, Msg: reply.Error}
	}
	if out != nil {
		return json.Unmarshal(reply.Result, out)
	}
	return nil
}

// CallError is a bound method's error, as the page sees it.
type CallError struct{ Method, Msg string }

func (e *CallError) Error() string { return e.Method + ": " + e.Msg }
