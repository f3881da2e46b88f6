package reliability

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// faultCase is one click of Subscribe while `tollgate sandbox --fault`
// plays spec. A case that stays down clicks again once the fault is gone.
type faultCase struct {
	spec      string
	staysDown bool // the learner must see the message, then succeed
	// says is what that message must say; by default, that Stripe is in
	// trouble and nothing was done twice.
	says []string
}

var troubleSays = []string{"Stripe is having trouble just now", "Nothing was done twice"}

var faultCases = []faultCase{
	{spec: "POST /v1/customers 500 x2"},
	{spec: "POST /v1/checkout/sessions 500 x2"},
	{spec: "POST /v1/checkout/sessions 429=1s x2"},
	{spec: "POST /v1/customers drop x1"},
	{spec: "POST /v1/checkout/sessions drop x1"},
	{spec: "POST /v1/checkout/sessions slow=2s x1"},
	{spec: "GET /v1/ 500 x2"},
	{spec: "POST /v1/checkout/sessions 500", staysDown: true},
	{spec: "POST /v1/customers 429=1s", staysDown: true},
	// Every answer lost after Stripe made the customer: the click after
	// finds that customer rather than making a second.
	{spec: "POST /v1/customers drop", staysDown: true, says: []string{"Stripe could not be reached"}},
}

// faults runs serve against `tollgate sandbox` on a fixed port, restarted
// with each --fault in turn, and clicks Subscribe for a new learner each
// time. Every click that is retried must end at a Checkout page; one that
// stays down must show the message; and the account must hold exactly one
// customer and one Checkout Session per learner.
func faults(ctx context.Context, r *Runner, res *Result) error {
	sbData, err := r.dir("faults-sandbox")
	if err != nil {
		return err
	}
	appData, err := r.dir("faults-app")
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	var sandboxes []*proc
	sb, err := r.startSandbox(ctx, sbData, addr)
	if err != nil {
		return err
	}
	sandboxes = append(sandboxes, sb)
	defer func() {
		for i, p := range sandboxes {
			r.saveLog(fmt.Sprintf("faults-sandbox-%d", i+1), p)
		}
	}()
	defer func() { sb.stop() }()
	app, err := r.startServe(ctx, appData, startOpts{}, "--stripe-api", sb.base)
	if err != nil {
		return err
	}
	defer r.saveLog("faults-app", app)
	defer app.stop()
	c := client(2 * time.Minute)
	if err := ready(ctx, app); err != nil {
		return err
	}
	restart := func(args ...string) error {
		if err := sb.stop(); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		p, err := r.startSandbox(ctx, sbData, addr, args...)
		if err != nil {
			return err
		}
		sb = p
		sandboxes = append(sandboxes, p)
		return nil
	}
	subscribe := func() (url, message string, err error) {
		_, out, err := bridge(ctx, c, app, "Subscribe", "monthly", false)
		if err != nil {
			return "", "", err
		}
		if m, ok := out["error"].(string); ok {
			return "", m, nil
		}
		r, _ := out["result"].(map[string]any)
		u, _ := r["url"].(string)
		return u, "", nil
	}

	retried, messages, wrong, lost := 0, 0, 0, 0
	emails := map[string]int{} // learner → successful clicks
	for i, fc := range faultCases {
		email := fmt.Sprintf("learner%d@example.com", i+1)
		if _, out, err := bridge(ctx, c, app, "Register", email, "Learner", "correct horse battery"); err != nil || out["error"] != nil {
			return fmt.Errorf("register %s: %v %v", email, out, err)
		}
		if err := restart("--fault", fc.spec); err != nil {
			return err
		}
		url, msg, err := subscribe()
		if err != nil {
			lost++ // the click got no answer at all
			res.failf("%s: %v", fc.spec, err)
			continue
		}
		switch {
		case !fc.staysDown && strings.Contains(url, "/checkout/cs_"):
			retried++
			emails[email]++
		case fc.staysDown && saysAll(msg, fc.says):
			messages++
			// The fault is gone: the same click works.
			if err := restart(); err != nil {
				return err
			}
			if url, msg, err = subscribe(); err != nil || !strings.Contains(url, "/checkout/cs_") {
				wrong++
				res.failf("%s: after the fault, %q %q %v", fc.spec, url, msg, err)
			}
			emails[email]++
		default:
			wrong++
			res.failf("%s: url %q, message %q", fc.spec, url, msg)
		}
	}

	dupCustomers, dupSessions, err := countOnStripe(ctx, sb.base, emails)
	if err != nil {
		return err
	}
	res.add("tried", len(faultCases))
	res.add("retried_ok", retried)
	res.add("message_shown", messages)
	res.want("wrong", wrong, 0)
	res.want("duplicate_customers", dupCustomers, 0)
	res.want("duplicate_sessions", dupSessions, 0)
	res.want("lost", lost, 0)
	panics := app.panics()
	for _, p := range sandboxes {
		panics += p.panics()
	}
	res.want("panics", panics, 0)
	return nil
}

// ready waits until serve's billing is set up on the sandbox; it logs in a
// first account to ask.
func ready(ctx context.Context, app *proc) error {
	hc := client(30 * time.Second)
	if _, out, err := bridge(ctx, hc, app, "Register", "owner@example.com", "Owner", "correct horse battery"); err != nil || out["error"] != nil {
		return fmt.Errorf("register: %v %v", out, err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, out, err := bridge(ctx, hc, app, "Stripe")
		if err != nil {
			return err
		}
		if st, _ := out["result"].(map[string]any); st["ready"] == true {
			return nil
		}
	}
	return fmt.Errorf("billing was not ready on the sandbox in 30 s:\n%s", tail(app.stderr(), 20))
}

// countOnStripe lists the sandbox's customers (by test clock, as Stripe
// lists clocked customers) and their Checkout Sessions, and counts those
// beyond one customer per learner and one session per successful click.
func countOnStripe(ctx context.Context, base string, clicks map[string]int) (dupCustomers, dupSessions int, err error) {
	sc := stripe.NewClient("sk_test_reliability", stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{URL: stripe.String(base)})))
	customers, sessions := map[string]int{}, map[string]int{}
	for clk, err := range sc.V1TestHelpersTestClocks.List(ctx, &stripe.TestHelpersTestClockListParams{}) {
		if err != nil {
			return 0, 0, err
		}
		for cu, err := range sc.V1Customers.List(ctx, &stripe.CustomerListParams{TestClock: stripe.String(clk.ID)}) {
			if err != nil {
				return 0, 0, err
			}
			customers[cu.Email]++
			for _, err := range sc.V1CheckoutSessions.List(ctx, &stripe.CheckoutSessionListParams{Customer: stripe.String(cu.ID)}) {
				if err != nil {
					return 0, 0, err
				}
				sessions[cu.Email]++
			}
		}
	}
	for email, n := range clicks {
		dupCustomers += max(0, customers[email]-1)
		dupSessions += max(0, sessions[email]-n)
		if customers[email] == 0 || sessions[email] < n {
			return 0, 0, fmt.Errorf("%s: %d customers and %d sessions on the sandbox, want 1 and %d", email, customers[email], sessions[email], n)
		}
	}
	return dupCustomers, dupSessions, nil
}

// freeAddr is a loopback address no one listens on now, for a process that
// must come back on the same one.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// saysAll reports whether msg holds every one of says, or of troubleSays
// when says is empty.
func saysAll(msg string, says []string) bool {
	if len(says) == 0 {
		says = troubleSays
	}
	for _, w := range says {
		if !strings.Contains(msg, w) {
			return false
		}
	}
	return msg != ""
}
