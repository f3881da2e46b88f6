// Package config turns Tollgate's command line and environment into a Command
// and its settings, with an error a person can act on for every bad value.
package config

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/sandbox/fault"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Command is the face of Tollgate to run.
type Command string

const (
	Desktop   Command = "desktop"   // the window (no subcommand)
	Serve     Command = "serve"     // the same UI in a browser
	Sandbox   Command = "sandbox"   // the Stripe emulator alone
	Bootstrap Command = "bootstrap" // create the demo catalog on a Stripe account
	Demo      Command = "demo"      // presenter mode: the guide played by itself, on a sandbox of its own
	Version   Command = "version"   // print the version
	Help      Command = "help"      // print usage
)

// Default addresses.
const (
	DefaultDesktopAddr = "127.0.0.1:4242" // the window's own server: webhook and Checkout returns
	DefaultServeAddr   = "127.0.0.1:8484"
	DefaultSandboxAddr = "127.0.0.1:12111"
)

// The guide's environment variables, honoured as it names them.
const (
	EnvSecretKey     = "TEST_STRIPE_SECRET_KEY"
	EnvWebhookSecret = "TEST_STRIPE_WEBHOOK_SECRET"
	EnvMonthlyPrice  = "TEST_MONTHLY_PRICE_ID"
	EnvYearlyPrice   = "TEST_YEARLY_PRICE_ID"
	EnvAPIBase       = "STRIPE_API_BASE"
)

// EnvSandboxWebhookSecret is --webhook-secret for `tollgate sandbox`, which
// unlike a flag no other user of the machine sees in ps.
const EnvSandboxWebhookSecret = "TOLLGATE_WEBHOOK_SECRET"

// EnvSandboxKey is --key for `tollgate sandbox`, likewise kept out of ps.
const EnvSandboxKey = "TOLLGATE_SANDBOX_KEY"

// EnvKeepEvents is --keep-events.
const EnvKeepEvents = "TOLLGATE_KEEP_EVENTS"

// KeepEvents is the retention rule of the webhook event log: every event of
// the last Days days, and the newest PerCustomer of each customer beyond.
// Pending events are always kept.
type KeepEvents struct {
	Days        int
	PerCustomer int
}

// DefaultKeepEvents keeps a week, and a busy customer's latest 200 beyond it.
var DefaultKeepEvents = KeepEvents{Days: 7, PerCustomer: 200}

func (k KeepEvents) String() string { return fmt.Sprintf("%dd,%d", k.Days, k.PerCustomer) }

// Set parses DAYSd,COUNT, as in 7d,200.
func (k *KeepEvents) Set(s string) error {
	days, count, ok := strings.Cut(strings.TrimSpace(s), ",")
	d, derr := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(days), "d"))
	n, nerr := strconv.Atoi(strings.TrimSpace(count))
	if !ok || !strings.HasSuffix(strings.TrimSpace(days), "d") || derr != nil || nerr != nil || d < 0 || n < 0 {
		return fmt.Errorf("%q is not DAYSd,COUNT, e.g. 7d,200 (every event of the last 7 days, and each customer's latest 200)", s)
	}
	if d == 0 && n == 0 {
		return fmt.Errorf("%q would keep no event once applied; keep a day or a few per customer at least", s)
	}
	*k = KeepEvents{Days: d, PerCustomer: n}
	return nil
}

// The ngrok agent's own environment variables, as its documentation names them.
const (
	EnvNgrokAuthtoken  = "NGROK_AUTHTOKEN"
	EnvNgrokServerAddr = "NGROK_SERVER_ADDR"
	EnvNgrokRootCAs    = "NGROK_ROOT_CAS"
)

// Stripe is the Stripe configuration from the environment and flags. Empty
// fields may still be filled from the Settings screen's stored values.
type Stripe struct {
	SecretKey     string
	WebhookSecret string
	MonthlyPrice  string
	YearlyPrice   string
	APIBase       string
}

// Ngrok says how to open the tunnel that lets a real Stripe account reach
// this machine. Empty fields mean ngrok's own service; the authtoken may
// still come from the Settings screen.
type Ngrok struct {
	Authtoken  string
	ServerAddr string // the agent's server_addr: HOST:PORT of the ngrok service
	CAFile     string // the agent's root_cas: a PEM file of the CAs that sign the service's certificate
}

// RootCAs loads CAFile; nil without one, meaning ngrok's own CA.
func (n Ngrok) RootCAs() (*x509.CertPool, error) {
	if n.CAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(n.CAFile)
	if err != nil {
		return nil, fmt.Errorf("config: ngrok CA file: %w", errors.Join(tollgate.Errorf(tollgate.EINVALID, "The ngrok CA file cannot be read: %v", err), err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, tollgate.Errorf(tollgate.EINVALID, "The ngrok CA file %s holds no PEM certificate.", n.CAFile)
	}
	return pool, nil
}

// Config is everything a face needs to start.
type Config struct {
	Command Command
	DataDir string // folder holding tollgate.db (and sandbox.db)
	Addr    string // where this face's HTTP server listens
	Stripe  Stripe
	Ngrok   Ngrok
	// InsecureWebhooks accepts unsigned webhook events when no secret is set.
	InsecureWebhooks bool
	// KeepEvents says which webhook events the log keeps (window and serve),
	// or which events the emulator keeps (sandbox).
	KeepEvents KeepEvents
	// Sandbox only: one webhook endpoint for every event, and whether to start empty.
	WebhookURL, WebhookSecret string
	Reset                     bool
	// SandboxKey, for the sandbox only, is the one API key it accepts; empty, any sk_test_ key.
	SandboxKey string
	// Faults, for the sandbox only, are the Stripe troubles it plays from the start (--fault, repeated).
	Faults []fault.Spec
	// Presenter is demo's: which face, and how the steps are paced.
	Presenter Presenter
}

// Presenter configures `tollgate demo`.
type Presenter struct {
	Serve bool // in a browser, as `tollgate serve`, instead of the window
	// Pause makes each step wait for Space or Next (no --step-delay);
	// otherwise StepDelay passes before each step.
	Pause     bool
	StepDelay time.Duration
}

// Usage is printed for `tollgate help` and after a bad command line.
const Usage = `Tollgate: a desktop lab for Stripe subscriptions.

Usage:
  tollgate [flags]              open the desktop window
  tollgate serve [flags]        the same app in your browser
  tollgate sandbox [flags]      run only the offline Stripe emulator
  tollgate bootstrap [flags]    create the demo catalog on the Stripe account of TEST_STRIPE_SECRET_KEY
  tollgate demo [flags]         presenter mode: the guide plays by itself, step by step, on a fresh
                                sandbox and data folder of its own (your data is never touched)
  tollgate version              print the version, commit, build date, Go and Stripe API versions
  tollgate help                 print this help

Flags:
  --data DIR               folder for Tollgate's data (default: your config folder + /tollgate)
  --addr HOST:PORT         where to listen: the window's webhook server (default 127.0.0.1:4242),
                           serve (default 127.0.0.1:8484) or sandbox (default 127.0.0.1:12111)
  --stripe-api URL         send Stripe calls to URL instead of api.stripe.com (also STRIPE_API_BASE)
  --insecure-webhooks      window and serve: accept unsigned webhook events when no secret is set
  --keep-events DAYSd,N    window, serve and sandbox: keep every webhook event of the last DAYS days and
                           each customer's latest N, pruning older ones in the background; pending ones
                           always stay (default 7d,200; also TOLLGATE_KEEP_EVENTS)
  --ngrok-server HOST:PORT window and serve: the ngrok service to connect to (default: ngrok's own;
                           also NGROK_SERVER_ADDR)
  --ngrok-ca FILE          window and serve: PEM file of the CAs that sign that service's certificate
                           (default: ngrok's own CA; also NGROK_ROOT_CAS)
  --webhook URL            sandbox: send every event to URL ...
  --webhook-secret SECRET  sandbox: ... signed with this whsec_ secret (or TOLLGATE_WEBHOOK_SECRET,
                           which other users of the machine cannot read in ps)
  --reset                  sandbox: wipe its state first, as a new empty Stripe account
  --key sk_test_...        sandbox: accept only this API key, not any sk_test_ key
                           (or TOLLGATE_SANDBOX_KEY)
  --fault SPEC             sandbox: play Stripe trouble on the calls SPEC names, instead of answering;
                           repeat for more. SPEC is [METHOD] /v1/PATH KIND [xN]: PATH is a prefix,
                           KIND is 500 (api_error), 429[=WAIT] (rate_limit, Retry-After WAIT, default 1s),
                           slow[=WAIT] (answer after WAIT, default 5s) or drop (do the work, then close the
                           connection unanswered); xN for the next N matching calls, else until the sandbox stops.
                           e.g. --fault 'POST /v1/customers 500 x3' --fault '/v1/checkout/sessions slow=10s'
  --serve                  demo: in your browser, as tollgate serve, instead of the window
  --step-delay DURATION    demo: wait this long before each step (3s, 500ms; 0 runs straight
                           through); without it each step waits for Space or the Next button

Environment (the guide's names):
  TEST_STRIPE_SECRET_KEY      a test secret key (sk_test_...); without one Tollgate runs its offline sandbox
  TEST_STRIPE_WEBHOOK_SECRET  the webhook endpoint's signing secret (whsec_...)
  TEST_MONTHLY_PRICE_ID       the monthly price (price_...); found by lookup key when unset
  TEST_YEARLY_PRICE_ID        the yearly price (price_...)
  STRIPE_API_BASE             as --stripe-api
  NGROK_AUTHTOKEN             your ngrok authtoken: with a test key, Tollgate opens an ngrok tunnel to its
                              webhook and registers the endpoint on your Stripe account itself
  TOLLGATE_WEBHOOK_SECRET     as --webhook-secret of tollgate sandbox
  TOLLGATE_SANDBOX_KEY        as --key of tollgate sandbox
  TOLLGATE_KEEP_EVENTS        as --keep-events
  NGROK_SERVER_ADDR           as --ngrok-server
  NGROK_ROOT_CAS              as --ngrok-ca
`

// ErrUsage wraps every command-line or environment mistake, so main can print the usage after it.
var ErrUsage = errors.New("usage")

// Parse reads args (without the program name) and the environment through
// getenv. userConfigDir is os.UserConfigDir, injected for tests.
func Parse(args []string, getenv func(string) string, userConfigDir func() (string, error)) (Config, error) {
	cfg := Config{Command: Desktop}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfg.Command = Command(args[0])
		args = args[1:]
	}
	fs := flag.NewFlagSet(string(cfg.Command), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // we print one clear message ourselves
	fs.StringVar(&cfg.DataDir, "data", "", "")
	switch cfg.Command {
	case Desktop, Serve:
		fs.StringVar(&cfg.Addr, "addr", map[Command]string{Desktop: DefaultDesktopAddr, Serve: DefaultServeAddr}[cfg.Command], "")
		fs.StringVar(&cfg.Stripe.APIBase, "stripe-api", getenv(EnvAPIBase), "")
		fs.BoolVar(&cfg.InsecureWebhooks, "insecure-webhooks", false, "")
		if err := keepEventsFlag(fs, &cfg, getenv); err != nil {
			return cfg, err
		}
		fs.StringVar(&cfg.Ngrok.ServerAddr, "ngrok-server", strings.TrimSpace(getenv(EnvNgrokServerAddr)), "")
		fs.StringVar(&cfg.Ngrok.CAFile, "ngrok-ca", strings.TrimSpace(getenv(EnvNgrokRootCAs)), "")
	case Sandbox:
		fs.StringVar(&cfg.Addr, "addr", DefaultSandboxAddr, "")
		fs.StringVar(&cfg.WebhookURL, "webhook", "", "")
		fs.StringVar(&cfg.WebhookSecret, "webhook-secret", strings.TrimSpace(getenv(EnvSandboxWebhookSecret)), "")
		fs.BoolVar(&cfg.Reset, "reset", false, "")
		fs.StringVar(&cfg.SandboxKey, "key", strings.TrimSpace(getenv(EnvSandboxKey)), "")
		fs.Func("fault", "", func(v string) error {
			sp, err := fault.Parse(v)
			if err != nil {
				return err
			}
			cfg.Faults = append(cfg.Faults, sp)
			return nil
		})
		if err := keepEventsFlag(fs, &cfg, getenv); err != nil {
			return cfg, err
		}
	case Bootstrap:
		fs.StringVar(&cfg.Stripe.APIBase, "stripe-api", getenv(EnvAPIBase), "")
	case Demo:
		// Any free port: a demo must not collide with the learner's own Tollgate.
		fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "")
		fs.BoolVar(&cfg.Presenter.Serve, "serve", false, "")
		cfg.Presenter.Pause = true
		fs.Func("step-delay", "", func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("--step-delay %q is not a duration such as 3s or 500ms", v)
			}
			cfg.Presenter.Pause, cfg.Presenter.StepDelay = false, d
			return nil
		})
	case Version, Help:
		if len(args) > 0 {
			return cfg, fmt.Errorf("%w: %s takes no arguments, got %q", ErrUsage, cfg.Command, args[0])
		}
		return cfg, nil
	default:
		return cfg, fmt.Errorf("%w: unknown command %q", ErrUsage, cfg.Command)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return Config{Command: Help}, nil
	} else if err != nil {
		return cfg, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if cfg.Command == Demo {
		// The demo's data folder is a fresh one of its own, made when it
		// starts: it never reads the learner's data, nor their keys.
		if cfg.DataDir != "" {
			return cfg, fmt.Errorf("%w: demo runs on a fresh data folder of its own and takes no --data", ErrUsage)
		}
		return cfg, checkAddr(cfg.Addr)
	}
	if err := cfg.resolveDataDir(userConfigDir); err != nil {
		return cfg, err
	}
	if cfg.Addr != "" {
		if err := checkAddr(cfg.Addr); err != nil {
			return cfg, err
		}
	}
	if cfg.Command == Sandbox {
		return cfg, errors.Join(cfg.checkSandboxWebhook(), cfg.checkSandboxKey())
	}
	cfg.Stripe.SecretKey = strings.TrimSpace(getenv(EnvSecretKey))
	cfg.Stripe.WebhookSecret = strings.TrimSpace(getenv(EnvWebhookSecret))
	cfg.Stripe.MonthlyPrice = strings.TrimSpace(getenv(EnvMonthlyPrice))
	cfg.Stripe.YearlyPrice = strings.TrimSpace(getenv(EnvYearlyPrice))
	if err := cfg.Stripe.Check(); err != nil {
		return cfg, fmt.Errorf("%w: %v", ErrUsage, tollgate.ErrorMessage(err))
	}
	if cfg.Command == Desktop || cfg.Command == Serve {
		if err := cfg.resolveNgrok(getenv); err != nil {
			return cfg, err
		}
	}
	if cfg.Command == Bootstrap && cfg.Stripe.SecretKey == "" {
		return cfg, fmt.Errorf("%w: bootstrap needs %s: the key of the Stripe test account to set up", ErrUsage, EnvSecretKey)
	}
	return cfg, nil
}

// Check validates each value that is set; the Settings screen uses it too.
func (s Stripe) Check() error {
	if s.SecretKey != "" {
		if err := tollgate.CheckStripeKey(s.SecretKey); err != nil {
			return err
		}
	}
	if s.WebhookSecret != "" {
		if err := tollgate.CheckWebhookSecret(s.WebhookSecret); err != nil {
			return err
		}
	}
	for name, id := range map[string]string{"monthly": s.MonthlyPrice, "yearly": s.YearlyPrice} {
		if id != "" && !strings.HasPrefix(id, "price_") {
			return tollgate.Errorf(tollgate.EINVALID, "The %s price id must start with price_, got %q.", name, id)
		}
	}
	if s.APIBase != "" {
		if err := checkHTTPURL(s.APIBase); err != nil {
			return tollgate.Errorf(tollgate.EINVALID, "The Stripe API base %q is not an http(s) URL such as http://127.0.0.1:12111.", s.APIBase)
		}
	}
	return nil
}

// resolveNgrok reads the authtoken and checks where the agent connects, so a
// typo in either stops the start with one line instead of a tunnel that never opens.
func (c *Config) resolveNgrok(getenv func(string) string) error {
	c.Ngrok.Authtoken = strings.TrimSpace(getenv(EnvNgrokAuthtoken))
	if c.Ngrok.Authtoken != "" {
		if err := tollgate.CheckNgrokAuthtoken(c.Ngrok.Authtoken); err != nil {
			return fmt.Errorf("%w: %s: %s", ErrUsage, EnvNgrokAuthtoken, tollgate.ErrorMessage(err))
		}
	}
	if a := c.Ngrok.ServerAddr; a != "" {
		if host, port, err := net.SplitHostPort(a); err != nil || host == "" || port == "" {
			return fmt.Errorf("%w: --ngrok-server %q is not HOST:PORT, e.g. connect.ngrok-agent.com:443", ErrUsage, a)
		}
	}
	if c.Ngrok.CAFile != "" {
		abs, err := filepath.Abs(c.Ngrok.CAFile)
		if err != nil {
			return fmt.Errorf("%w: --ngrok-ca %q: %v", ErrUsage, c.Ngrok.CAFile, err)
		}
		c.Ngrok.CAFile = abs
		if _, err := c.Ngrok.RootCAs(); err != nil {
			return fmt.Errorf("%w: --ngrok-ca: %s", ErrUsage, tollgate.ErrorMessage(err))
		}
	}
	return nil
}

func (c *Config) checkSandboxWebhook() error {
	switch {
	case c.WebhookURL == "" && c.WebhookSecret == "":
		return nil
	case c.WebhookURL == "" || c.WebhookSecret == "":
		return fmt.Errorf("%w: --webhook and --webhook-secret go together", ErrUsage)
	case checkHTTPURL(c.WebhookURL) != nil:
		return fmt.Errorf("%w: --webhook %q is not an http(s) URL", ErrUsage, c.WebhookURL)
	case !strings.HasPrefix(c.WebhookSecret, "whsec_"):
		return fmt.Errorf("%w: --webhook-secret must start with whsec_", ErrUsage)
	}
	return nil
}

func (c *Config) checkSandboxKey() error {
	if k := c.SandboxKey; k != "" && (!strings.HasPrefix(k, "sk_test_") || len(k) == len("sk_test_")) {
		return fmt.Errorf("%w: --key must be a secret test key, sk_test_ and more (any you like: it is the emulator's)", ErrUsage)
	}
	return nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("not an http(s) URL")
	}
	return nil
}

func (c *Config) resolveDataDir(userConfigDir func() (string, error)) error {
	if c.DataDir == "" {
		base, err := userConfigDir()
		if err != nil {
			return fmt.Errorf("%w: no --data given and no user config folder to default to (%v)", ErrUsage, err)
		}
		c.DataDir = filepath.Join(base, "tollgate")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("%w: --data %q: %v", ErrUsage, c.DataDir, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w: --data %q is a file, not a folder", ErrUsage, c.DataDir)
	}
	c.DataDir = abs
	return nil
}

// LooseFolder reports the mode of dir when other users of the machine may
// read or enter it. Tollgate's files in it are private (0600) whatever the
// folder's mode; a loose folder still shows their names.
func LooseFolder(dir string) (fs.FileMode, bool) {
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return 0, false
	}
	return fi.Mode().Perm(), true
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --addr %q is not HOST:PORT, e.g. 127.0.0.1:8484", ErrUsage, addr)
	}
	if host == "" {
		return fmt.Errorf("%w: --addr %q has no host; write 127.0.0.1:%s to stay on this machine", ErrUsage, addr, port)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("%w: --addr %q has a bad port", ErrUsage, addr)
	}
	return nil
}

// keepEventsFlag registers --keep-events, defaulting to TOLLGATE_KEEP_EVENTS
// or else DefaultKeepEvents: the same rule for the app's log and the
// emulator's.
func keepEventsFlag(fs *flag.FlagSet, cfg *Config, getenv func(string) string) error {
	cfg.KeepEvents = DefaultKeepEvents
	if v := getenv(EnvKeepEvents); v != "" {
		if err := cfg.KeepEvents.Set(v); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrUsage, EnvKeepEvents, err)
		}
	}
	fs.Var(&cfg.KeepEvents, "keep-events", "")
	return nil
}
