package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
)

func noEnv(string) string { return "" }

func TestParse(t *testing.T) {
	home := t.TempDir()
	userDir := func() (string, error) { return home, nil }
	file := filepath.Join(home, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		args    []string
		want    config.Config
		wantErr string
	}{
		{"Desktop", nil, config.Config{Command: config.Desktop, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:4242"}, ""},
		{"DesktopData", []string{"--data", home + "/x", "--insecure-webhooks"}, config.Config{Command: config.Desktop, DataDir: home + "/x", Addr: "127.0.0.1:4242", InsecureWebhooks: true}, ""},
		{"Serve", []string{"serve"}, config.Config{Command: config.Serve, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:8484"}, ""},
		{"ServeAddr", []string{"serve", "--addr", "127.0.0.1:0", "--data", home}, config.Config{Command: config.Serve, DataDir: home, Addr: "127.0.0.1:0"}, ""},
		{"Version", []string{"version"}, config.Config{Command: config.Version}, ""},
		{"HelpFlag", []string{"serve", "-h"}, config.Config{Command: config.Help}, ""},
		{"ErrUnknownCommand", []string{"srve"}, config.Config{}, `unknown command "srve"`},
		{"ErrUnknownFlag", []string{"serve", "--port", "1"}, config.Config{}, "flag provided but not defined: -port"},
		{"ErrAddrNoPort", []string{"serve", "--addr", "localhost"}, config.Config{}, "not HOST:PORT"},
		{"ErrAddrNoHost", []string{"serve", "--addr", ":8484"}, config.Config{}, "has no host"},
		{"ErrAddrBadPort", []string{"serve", "--addr", "127.0.0.1:http-ish"}, config.Config{}, "bad port"},
		{"ErrDataIsFile", []string{"--data", file}, config.Config{}, "is a file"},
		{"ErrExtraArg", []string{"serve", "now"}, config.Config{}, `unexpected argument "now"`},
		{"ErrVersionArg", []string{"version", "--data", "x"}, config.Config{}, "takes no arguments"},
		{"Sandbox", []string{"sandbox", "--webhook", "http://127.0.0.1:1/payments/event", "--webhook-secret", "whsec_x"}, config.Config{Command: config.Sandbox, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:12111", WebhookURL: "http://127.0.0.1:1/payments/event", WebhookSecret: "whsec_x"}, ""},
		{"ServeStripeAPI", []string{"serve", "--stripe-api", "http://127.0.0.1:12111"}, config.Config{Command: config.Serve, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:8484", Stripe: config.Stripe{APIBase: "http://127.0.0.1:12111"}}, ""},
		{"SandboxReset", []string{"sandbox", "--reset"}, config.Config{Command: config.Sandbox, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:12111", Reset: true}, ""},
		{"ErrSandboxWebhookAlone", []string{"sandbox", "--webhook", "http://127.0.0.1:1/"}, config.Config{}, "go together"},
		{"ErrSandboxWebhookURL", []string{"sandbox", "--webhook", "ftp://x", "--webhook-secret", "whsec_x"}, config.Config{}, "not an http(s) URL"},
		{"ErrSandboxWebhookSecret", []string{"sandbox", "--webhook", "http://127.0.0.1:1/", "--webhook-secret", "sk_test_x"}, config.Config{}, "must start with whsec_"},
		{"SandboxKey", []string{"sandbox", "--key", "sk_test_class"}, config.Config{Command: config.Sandbox, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:12111", SandboxKey: "sk_test_class"}, ""},
		{"ErrSandboxKey", []string{"sandbox", "--key", "pk_test_x"}, config.Config{}, "--key must be a secret test key"},
		{"SandboxFaults", []string{"sandbox", "--fault", "POST /v1/customers 500 x3", "--fault", "/v1/checkout/sessions slow=10s"},
			config.Config{Command: config.Sandbox, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:12111", Faults: []fault.Spec{
				{Method: "POST", Path: "/v1/customers", Kind: fault.ServerError, Times: 3},
				{Path: "/v1/checkout/sessions", Kind: fault.Slow, Wait: 10 * time.Second}}}, ""},
		{"ErrSandboxFault", []string{"sandbox", "--fault", "POST /v1/customers 503"}, config.Config{}, `"503" is not a kind (write [METHOD] /v1/PATH KIND [xN]`},
		{"ErrFaultOnServe", []string{"serve", "--fault", "/v1/ 500"}, config.Config{}, "not defined: -fault"},
		{"ErrSandboxKeyEmpty", []string{"sandbox", "--key", "sk_test_"}, config.Config{}, "--key must be a secret test key"},
		{"ErrStripeAPI", []string{"serve", "--stripe-api", "localhost:12111"}, config.Config{}, "not an http(s) URL"},
		{"ErrInsecureOnSandbox", []string{"sandbox", "--insecure-webhooks"}, config.Config{}, "not defined: -insecure-webhooks"},
		{"KeepEvents", []string{"serve", "--keep-events", "30d,1000"}, config.Config{Command: config.Serve, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:8484", KeepEvents: config.KeepEvents{Days: 30, PerCustomer: 1000}}, ""},
		{"ErrKeepEvents", []string{"serve", "--keep-events", "7,200"}, config.Config{}, "is not DAYSd,COUNT"},
		{"ErrKeepEventsNegative", []string{"--keep-events", "7d,-1"}, config.Config{}, "is not DAYSd,COUNT"},
		{"ErrKeepEventsNothing", []string{"--keep-events", "0d,0"}, config.Config{}, "would keep no event"},
		{"SandboxKeepEvents", []string{"sandbox", "--keep-events", "30d,50"}, config.Config{Command: config.Sandbox, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:12111", KeepEvents: config.KeepEvents{Days: 30, PerCustomer: 50}}, ""},
		{"ErrKeepEventsOnSandbox", []string{"sandbox", "--keep-events", "0d,0"}, config.Config{}, "would keep no event"},
		{"ErrKeepEventsOnBootstrap", []string{"bootstrap", "--keep-events", "7d,200"}, config.Config{}, "not defined: -keep-events"},
		{"Demo", []string{"demo"}, config.Config{Command: config.Demo, Addr: "127.0.0.1:0", Presenter: config.Presenter{Pause: true}}, ""},
		{"DemoServeDelay", []string{"demo", "--serve", "--step-delay", "3s"}, config.Config{Command: config.Demo, Addr: "127.0.0.1:0", Presenter: config.Presenter{Serve: true, StepDelay: 3 * time.Second}}, ""},
		{"DemoNoDelay", []string{"demo", "--step-delay", "0", "--addr", "127.0.0.1:9000"}, config.Config{Command: config.Demo, Addr: "127.0.0.1:9000", Presenter: config.Presenter{}}, ""},
		{"ErrDemoDelay", []string{"demo", "--step-delay", "3"}, config.Config{}, `--step-delay "3" is not a duration`},
		{"ErrDemoNegativeDelay", []string{"demo", "--step-delay", "-1s"}, config.Config{}, "is not a duration"},
		{"ErrDemoData", []string{"demo", "--data", home}, config.Config{}, "takes no --data"},
		{"ErrDemoStripeAPI", []string{"demo", "--stripe-api", "http://127.0.0.1:1"}, config.Config{}, "not defined: -stripe-api"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.want.Command == config.Desktop || tc.want.Command == config.Serve || tc.want.Command == config.Sandbox) && tc.want.KeepEvents == (config.KeepEvents{}) {
				tc.want.KeepEvents = config.DefaultKeepEvents // the default of the window, serve and the sandbox, unless the case sets one
			}
			got, err := config.Parse(tc.args, noEnv, userDir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, config.ErrUsage) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	t.Run("ErrNoConfigDir", func(t *testing.T) {
		_, err := config.Parse(nil, noEnv, func() (string, error) { return "", errors.New("$HOME is not defined") })
		if err == nil || !strings.Contains(err.Error(), "--data") {
			t.Fatalf("err = %v, want it to suggest --data", err)
		}
	})
}

func TestDemoIgnoresStripeEnvironment(t *testing.T) {
	// A demo on the learner's own account would fill it with demo customers.
	env := func(k string) string {
		return map[string]string{config.EnvSecretKey: "sk_test_learners_own", config.EnvAPIBase: "http://127.0.0.1:1", config.EnvNgrokAuthtoken: "x"}[k]
	}
	got, err := config.Parse([]string{"demo"}, env, func() (string, error) { return t.TempDir(), nil })
	if err != nil {
		t.Fatal(err)
	}
	if got.Stripe != (config.Stripe{}) || got.Ngrok != (config.Ngrok{}) || got.DataDir != "" {
		t.Errorf("demo config = %+v, want no Stripe, ngrok or data folder of the learner's", got)
	}
}

func TestParseEnv(t *testing.T) {
	userDir := func() (string, error) { return t.TempDir(), nil }
	dir := t.TempDir()
	caFile, notPEM := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "not.pem")
	if err := os.WriteFile(caFile, testCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	t.Run("KeepEvents", func(t *testing.T) {
		cfg, err := config.Parse([]string{"serve"}, env(map[string]string{config.EnvKeepEvents: "1d,5"}), userDir)
		if err != nil || cfg.KeepEvents != (config.KeepEvents{Days: 1, PerCustomer: 5}) {
			t.Errorf("KeepEvents = %+v, %v, want 1 day and 5", cfg.KeepEvents, err)
		}
		if _, err := config.Parse([]string{"serve"}, env(map[string]string{config.EnvKeepEvents: "a week"}), userDir); err == nil || !strings.Contains(err.Error(), config.EnvKeepEvents) {
			t.Errorf("err = %v, want one naming %s", err, config.EnvKeepEvents)
		}
	})

	t.Run("OK", func(t *testing.T) {
		cfg, err := config.Parse([]string{"serve"}, env(map[string]string{
			config.EnvSecretKey: " sk_test_abc ", config.EnvWebhookSecret: "whsec_abc",
			config.EnvMonthlyPrice: "price_m", config.EnvYearlyPrice: "price_y", config.EnvAPIBase: "http://127.0.0.1:12111",
		}), userDir)
		if err != nil {
			t.Fatal(err)
		}
		want := config.Stripe{SecretKey: "sk_test_abc", WebhookSecret: "whsec_abc", MonthlyPrice: "price_m", YearlyPrice: "price_y", APIBase: "http://127.0.0.1:12111"}
		if cfg.Stripe != want {
			t.Errorf("Stripe = %+v, want %+v", cfg.Stripe, want)
		}
	})
	t.Run("Ngrok", func(t *testing.T) {
		cfg, err := config.Parse([]string{"serve", "--ngrok-server", "127.0.0.1:4443"}, env(map[string]string{
			config.EnvNgrokAuthtoken: " 2tok_abc ", config.EnvNgrokServerAddr: "ignored:1", config.EnvNgrokRootCAs: caFile,
		}), userDir)
		if err != nil {
			t.Fatal(err)
		}
		want := config.Ngrok{Authtoken: "2tok_abc", ServerAddr: "127.0.0.1:4443", CAFile: caFile}
		if cfg.Ngrok != want {
			t.Errorf("Ngrok = %+v, want %+v", cfg.Ngrok, want)
		}
		if pool, err := cfg.Ngrok.RootCAs(); err != nil || pool == nil {
			t.Errorf("RootCAs() = %v, %v; want the file's CA", pool, err)
		}
		if pool, err := (config.Ngrok{}).RootCAs(); pool != nil || err != nil {
			t.Errorf("RootCAs() without a file = %v, %v; want nil: ngrok's own CA", pool, err)
		}
	})
	t.Run("FlagBeatsEnv", func(t *testing.T) {
		cfg, err := config.Parse([]string{"--stripe-api", "http://127.0.0.1:1"}, env(map[string]string{config.EnvAPIBase: "http://127.0.0.1:2"}), userDir)
		if err != nil || cfg.Stripe.APIBase != "http://127.0.0.1:1" {
			t.Fatalf("APIBase = %q, %v", cfg.Stripe.APIBase, err)
		}
	})
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"ErrLiveKey":        {nil, map[string]string{config.EnvSecretKey: "sk_live_abc"}, "live Stripe key"},
		"ErrRestrictedLive": {nil, map[string]string{config.EnvSecretKey: "rk_live_abc"}, "live Stripe key"},
		"ErrPublishableKey": {nil, map[string]string{config.EnvSecretKey: "pk_test_abc"}, "publishable key"},
		"ErrGarbageKey":     {nil, map[string]string{config.EnvSecretKey: "hello"}, "must start with sk_test_"},
		"ErrWebhookSecret":  {nil, map[string]string{config.EnvWebhookSecret: "sk_test_x"}, "not a webhook signing secret"},
		"ErrSecretAsKey":    {nil, map[string]string{config.EnvSecretKey: "whsec_abc"}, "webhook signing secret (whsec_…), not a key"},
		"ErrNgrokToken":     {nil, map[string]string{config.EnvNgrokAuthtoken: "sk_test_abc"}, "NGROK_AUTHTOKEN: That is a Stripe secret"},
		"ErrNgrokServer":    {[]string{"--ngrok-server", "localhost"}, nil, "--ngrok-server \"localhost\" is not HOST:PORT"},
		"ErrNgrokServerEnv": {nil, map[string]string{config.EnvNgrokServerAddr: ":443"}, "is not HOST:PORT"},
		"ErrNgrokCAMissing": {[]string{"serve", "--ngrok-ca", "/no/such/ca.pem"}, nil, "--ngrok-ca: The ngrok CA file cannot be read: open /no/such/ca.pem"},
		"ErrNgrokCANotPEM":  {nil, map[string]string{config.EnvNgrokRootCAs: notPEM}, "holds no PEM certificate"},
		"ErrNgrokOnSandbox": {[]string{"sandbox", "--ngrok-server", "127.0.0.1:1"}, nil, "not defined: -ngrok-server"},
		"ErrPriceID":        {nil, map[string]string{config.EnvMonthlyPrice: "prod_123"}, "monthly price id must start with price_"},
		"ErrAPIBaseEnv":     {nil, map[string]string{config.EnvAPIBase: "nope"}, "not an http(s) URL"},
		"ErrBootstrapNoKey": {[]string{"bootstrap"}, nil, "bootstrap needs TEST_STRIPE_SECRET_KEY"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.Parse(tc.args, env(tc.env), userDir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, config.ErrUsage) {
				t.Fatalf("err = %v, want a usage error containing %q", err, tc.want)
			}
		})
	}
}

// testCA returns a self-signed CA certificate in PEM, as --ngrok-ca takes.
func testCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestSandboxSecretFromEnvironment(t *testing.T) {
	// A flag is visible to every user in ps; the environment is not.
	userDir := func() (string, error) { return t.TempDir(), nil }
	env := map[string]string{config.EnvSandboxWebhookSecret: " whsec_from_env "}
	cfg, err := config.Parse([]string{"sandbox", "--webhook", "http://127.0.0.1:1/payments/event"}, func(k string) string { return env[k] }, userDir)
	if err != nil || cfg.WebhookSecret != "whsec_from_env" {
		t.Fatalf("secret = %q, %v; want the environment's", cfg.WebhookSecret, err)
	}
	cfg, err = config.Parse([]string{"sandbox", "--webhook", "http://127.0.0.1:1/", "--webhook-secret", "whsec_flag"}, func(k string) string { return env[k] }, userDir)
	if err != nil || cfg.WebhookSecret != "whsec_flag" {
		t.Errorf("secret = %q, %v; want the flag over the environment", cfg.WebhookSecret, err)
	}
	env = map[string]string{config.EnvSandboxKey: "sk_test_from_env"}
	if cfg, err = config.Parse([]string{"sandbox"}, func(k string) string { return env[k] }, userDir); err != nil || cfg.SandboxKey != "sk_test_from_env" {
		t.Errorf("key = %q, %v; want the environment's", cfg.SandboxKey, err)
	}
}

func TestLooseFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if mode, loose := config.LooseFolder(dir); !loose || mode != 0o755 {
		t.Errorf("0755 folder: %v %v, want loose", mode, loose)
	}
	os.Chmod(dir, 0o700)
	if _, loose := config.LooseFolder(dir); loose {
		t.Error("a 0700 folder is called loose")
	}
	if _, loose := config.LooseFolder(filepath.Join(dir, "missing")); loose {
		t.Error("a missing folder is called loose")
	}
}
