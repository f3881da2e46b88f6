package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/lessons"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Secrets the test lab holds beside those it makes itself (the sandbox's
// key, its endpoint's signing secret): the sandbox needs no ngrok, but a
// learner may well have set one.
const (
	testWebhookSecret = "whsec_lessonsTestSigningSecret0123456789"
	testNgrokToken    = "2lessonsTestNgrokAuthtoken_0123456789abcdef"
	testServeToken    = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

// lessonLab is a whole Tollgate in sandbox mode, as the window runs it: the
// embedded sandbox, the lab, its webhook and return pages on a loopback
// server, and the App whose bound methods the screens call.
type lessonLab struct {
	t   *testing.T
	app *App
	lab *lab.Lab
}

func newLessonLab(t *testing.T) *lessonLab {
	t.Helper()
	var public http.Handler = http.NotFoundHandler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { public.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	cfg := config.Config{DataDir: t.TempDir(), Stripe: config.Stripe{WebhookSecret: testWebhookSecret}, Ngrok: config.Ngrok{Authtoken: testNgrokToken}}
	l, err := lab.Open(context.Background(), lab.Options{Config: cfg, BaseURL: ts.URL, Source: source})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	returns := billing.Returns{Service: l.Billing, User: l.Session.User, Action: l.Calls.WithAction}
	public = server.PublicRoutes(l.Webhook, returns, "", nil)
	app := newApp(l, slog.New(slog.DiscardHandler), About{Version: "test"})
	app.startup(context.Background())
	return &lessonLab{t: t, app: app, lab: l}
}

// done is the set of lessons the logged-in user has done.
func (x *lessonLab) done() []string {
	x.t.Helper()
	c, err := x.app.Lessons()
	if err != nil {
		x.t.Fatal(err)
	}
	var ids []string
	for _, l := range c.Lessons {
		if l.Done {
			ids = append(ids, l.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// expect waits for the user's lessons to be exactly want, then for the
// webhook to fall quiet and checks they still are: a lesson ticked by an
// event that came later would show then.
func (x *lessonLab) expect(step string, want ...string) {
	x.t.Helper()
	slices.Sort(want)
	deadline := time.Now().Add(15 * time.Second)
	for !slices.Equal(x.done(), want) {
		if time.Now().After(deadline) {
			x.t.Fatalf("after %s: lessons done %v, want %v", step, x.done(), want)
		}
		time.Sleep(25 * time.Millisecond)
	}
	x.quiet()
	if got := x.done(); !slices.Equal(got, want) {
		x.t.Fatalf("after %s, once the webhook fell quiet: lessons done %v, want %v", step, got, want)
	}
}

// quiet waits until no event of the user's arrived for a while and none is pending.
func (x *lessonLab) quiet() {
	x.t.Helper()
	u, _ := x.lab.Session.User()
	last, since := -1, time.Now()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		evs, err := x.lab.DB.RecentEventsOf(context.Background(), u.ID, 1000)
		if err != nil {
			x.t.Fatal(err)
		}
		pending := slices.ContainsFunc(evs, func(e *tollgate.Event) bool { return e.Outcome == tollgate.EventPending })
		if len(evs) != last || pending {
			last, since = len(evs), time.Now()
			continue
		}
		if time.Since(since) > 400*time.Millisecond {
			return
		}
	}
	x.t.Fatal("the webhook did not fall quiet")
}

func (x *lessonLab) register(email string) {
	x.t.Helper()
	if _, err := x.app.Register(email, strings.Split(email, "@")[0], "correct horse"); err != nil {
		x.t.Fatal(err)
	}
}

// subscribe pays on the hosted Checkout page and follows the success page.
func (x *lessonLab) subscribe(plan string, trial bool, card, promo string) {
	x.t.Helper()
	r, err := x.app.Subscribe(plan, trial)
	if err != nil || r.Portal {
		x.t.Fatalf("Subscribe = %+v, %v", r, err)
	}
	res := post(x.t, r.URL, url.Values{"card_number": {card}, "card_expiry": {"12/34"}, "card_cvc": {"123"}, "promotion_code": {promo},
		"country": {"GB"}, "postal_code": {"SW1A 1AA"}})
	if res.StatusCode != http.StatusSeeOther {
		x.t.Fatalf("checkout answered %d", res.StatusCode)
	}
	get(x.t, res.Header.Get("Location"))
}

// portal runs one Billing Portal action on the user's subscription, in a
// session from Manage billing.
func (x *lessonLab) portal(form url.Values) {
	x.t.Helper()
	r, err := x.app.ManageBilling()
	if err != nil {
		x.t.Fatal(err)
	}
	x.portalAt(r.URL, form)
}

func (x *lessonLab) portalAt(portalURL string, form url.Values) {
	x.t.Helper()
	form.Set("subscription", x.subscription().StripeID)
	if res := post(x.t, portalURL, form); res.StatusCode != http.StatusSeeOther {
		x.t.Fatalf("portal %s answered %d", form.Get("action"), res.StatusCode)
	}
}

func (x *lessonLab) subscription() tollgate.Subscription {
	x.t.Helper()
	p, err := x.app.Plans()
	if err != nil || len(p.Subscriptions) == 0 {
		x.t.Fatalf("Plans = %+v, %v; want a subscription", p, err)
	}
	return p.Subscriptions[0]
}

func (x *lessonLab) move(to string) {
	x.t.Helper()
	if _, err := x.app.MoveClock(to); err != nil {
		x.t.Fatalf("move the clock to %s: %v", to, err)
	}
}

func post(t *testing.T, u string, form url.Values) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func get(t *testing.T, u string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s answered %d", u, res.StatusCode)
	}
}

// TestLessons drives the learner's flows through the App's bound methods,
// the sandbox's hosted pages and its test clocks, and checks after each step
// that exactly the lessons it shows are ticked: each lesson by its flow, and
// by nothing else (no other step of any flow ticks it).
func TestLessons(t *testing.T) {
	if testing.Short() {
		t.Skip("drives whole subscriptions through the sandbox")
	}
	x := newLessonLab(t)
	tickedBy := map[string][]string{} // lesson → the steps that ticked it, in every flow
	var was []string
	step := func(name string, do func(), want ...string) {
		t.Helper()
		do()
		x.expect(name, want...)
		for _, id := range want {
			if !slices.Contains(was, id) {
				tickedBy[id] = append(tickedBy[id], name)
			}
		}
		was = slices.Clone(want)
	}
	// A new learner: the session is theirs from Register on.
	start := func(email string) {
		was = nil
		step("register", func() { x.register(email) }, "account")
	}

	// Each lesson and the steps that must tick it, for each learner of the
	// flows below; every other step of every flow must leave it alone.
	want := map[string][]string{
		"account":           {"register", "register", "register", "register"},
		"subscribe-monthly": {"monthly without a trial", "monthly with a trial and LEARN10"},
		"access":            {"open Access while entitled"},
		"premium":           {"open Premium while entitled"},
		"portal":            {"Manage billing", "cancel in the portal", "card updated in the portal, then the next retry"},
		"switch-plan":       {"switch to yearly in the portal"},
		"trial":             {"monthly with a trial and LEARN10", "yearly with a trial on the 0341 card"},
		"promotion":         {"monthly with a trial and LEARN10"},
		"trial-end":         {"to the trial's end", "to the trial's end on the 0341 card"},
		"renewal":           {"to the next renewal"},
		"cancel":            {"cancel in the portal"},
		"period-end":        {"past the period end"},
		"failed-payment":    {"to the trial's end on the 0341 card"},
		"card-update":       {"card updated in the portal, then the next retry"},
		"duplicates":        {"replay an event"},
	}

	t.Run("Account", func(t *testing.T) {
		start("ada@example.com")
		// Without a subscription neither screen shows what the lessons teach.
		step("open Access with no subscription", func() { x.app.Access() }, "account")
		step("open Premium with no subscription", func() { x.app.Premium() }, "account")
		step("log in again", func() {
			x.app.Logout()
			if _, err := x.app.Login("ada@example.com", "correct horse"); err != nil {
				t.Fatal(err)
			}
		}, "account")
	})

	t.Run("MonthlyAccessPremiumPortalSwitch", func(t *testing.T) {
		start("grace@example.com")
		step("monthly without a trial", func() { x.subscribe("monthly", false, "4242424242424242", "") }, "account", "subscribe-monthly")
		step("open Access while entitled", func() { x.app.Access() }, "account", "subscribe-monthly", "access")
		step("open Premium while entitled", func() {
			if _, err := x.app.Premium(); err != nil {
				t.Fatal(err)
			}
		}, "account", "subscribe-monthly", "access", "premium")
		step("Manage billing", func() {
			if _, err := x.app.ManageBilling(); err != nil {
				t.Fatal(err)
			}
		}, "account", "subscribe-monthly", "access", "premium", "portal")
		step("switch to yearly in the portal", func() {
			r, err := x.app.SwitchPlan("yearly")
			if err != nil {
				t.Fatal(err)
			}
			p, err := x.app.Plans()
			if err != nil {
				t.Fatal(err)
			}
			x.portalAt(r.URL, url.Values{"action": {"update_plan"}, "price": {p.Prices[1].ID}})
		}, "account", "subscribe-monthly", "access", "premium", "portal", "switch-plan")
		step("replay an event", func() {
			log, err := x.app.Events(false)
			if err != nil || len(log.Events) == 0 {
				t.Fatalf("Events = %+v, %v; want grace's events", log, err)
			}
			// The newest is applied by now: expect waited for the webhook to fall quiet.
			if r, err := x.app.ReplayEvent(log.Events[0].Event.ID); err != nil || !r.Duplicate {
				t.Fatalf("ReplayEvent = %+v, %v; want it skipped as a duplicate", r, err)
			}
		}, "account", "subscribe-monthly", "access", "premium", "portal", "switch-plan", "duplicates")
	})

	t.Run("TrialRenewalCancel", func(t *testing.T) {
		start("linus@example.com")
		step("monthly with a trial and LEARN10", func() { x.subscribe("monthly", true, "4242424242424242", "LEARN10") },
			"account", "subscribe-monthly", "trial", "promotion")
		step("to the trial's end", func() { x.move(billing.MoveTrialEnd) }, "account", "subscribe-monthly", "trial", "promotion", "trial-end")
		step("to the next renewal", func() { x.move(billing.MoveRenewal) }, "account", "subscribe-monthly", "trial", "promotion", "trial-end", "renewal")
		step("cancel in the portal", func() { x.portal(url.Values{"action": {"cancel"}}) },
			"account", "subscribe-monthly", "trial", "promotion", "trial-end", "renewal", "portal", "cancel")
		step("past the period end", func() { x.move(billing.MovePeriodEnd) },
			"account", "subscribe-monthly", "trial", "promotion", "trial-end", "renewal", "portal", "cancel", "period-end")
	})

	t.Run("FailedPaymentRecovered", func(t *testing.T) {
		start("barbara@example.com")
		step("yearly with a trial on the 0341 card", func() { x.subscribe("yearly", true, "4000000000000341", "") }, "account", "trial")
		step("to the trial's end on the 0341 card", func() { x.move(billing.MoveTrialEnd) }, "account", "trial", "trial-end", "failed-payment")
		step("card updated in the portal, then the next retry", func() {
			x.portal(url.Values{"action": {"update_card"}, "card_number": {"4242424242424242"}, "card_expiry": {"12/34"}, "card_cvc": {"123"}})
			x.move(billing.MoveRetry)
		}, "account", "trial", "trial-end", "failed-payment", "portal", "card-update")
	})

	// One test per lesson, in the course's order.
	for _, l := range lessons.All {
		t.Run("Lesson/"+l.ID, func(t *testing.T) {
			if len(want[l.ID]) == 0 {
				t.Fatalf("lesson %s has no flow in this test: add the step that ticks it", l.ID)
			}
			if got := tickedBy[l.ID]; !slices.Equal(got, want[l.ID]) {
				t.Errorf("lesson %s was ticked by %q, want %q", l.ID, got, want[l.ID])
			}
		})
	}

	t.Run("LabReport", func(t *testing.T) {
		x.app.secrets = []string{testServeToken}
		page, err := x.app.LabReport()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := x.lab.Session.User()
		stored, err := x.lab.DB.UserByID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ep, err := x.lab.Settings.Endpoint(context.Background())
		if err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
			t.Fatalf("endpoint = %+v, %v; want its signing secret", ep, err)
		}
		// Every secret the app holds, found without asking the code that scrubs the report.
		secrets := map[string]string{"the signing secret": testWebhookSecret, "the ngrok authtoken": testNgrokToken, "the serve token": testServeToken,
			"the endpoint's secret": ep.Secret, "the password hash": string(stored.PasswordHash), "the password": "correct horse"}
		for what, s := range secrets {
			if s == "" || strings.Contains(page, s) {
				t.Errorf("the report contains %s (%q)", what, s)
			}
		}
		for _, shape := range []string{"sk_test_", "sk_live_", "rk_test_", "whsec_", "$2a$", "<script", "src=", "href=", "url("} {
			if strings.Contains(page, shape) {
				t.Errorf("the report contains %q", shape)
			}
		}
		for _, want := range []string{"Tollgate lab report", "barbara", "<strong>6 of 15</strong>", "A card update that recovers", "invoice.payment_failed", "POST /v1/checkout/sessions"} {
			if !strings.Contains(page, want) {
				t.Errorf("the report lacks %q", want)
			}
		}
	})

	t.Run("SaveLabReport", func(t *testing.T) {
		x.app.saveDialog = nil
		if _, err := x.app.SaveLabReport(); err == nil || !strings.Contains(err.Error(), "in a browser the report downloads") {
			t.Errorf("without a window: %v, want the reason", err)
		}
		path := filepath.Join(t.TempDir(), "report.html")
		var suggested string
		x.app.saveDialog = func(name string) (string, error) { suggested = name; return path, nil }
		got, err := x.app.SaveLabReport()
		if err != nil || got != path || !strings.HasPrefix(suggested, "tollgate-lab-") || !strings.HasSuffix(suggested, ".html") {
			t.Fatalf("SaveLabReport = %q, %v (suggested %q)", got, err, suggested)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("the saved report: %v, %v; want a private file", fi, err)
		}
		body, _ := os.ReadFile(path)
		if !strings.Contains(string(body), "Tollgate lab report") {
			t.Errorf("the saved file is not the report")
		}
		x.app.saveDialog = func(string) (string, error) { return "", nil } // the learner cancels
		if got, err := x.app.SaveLabReport(); got != "" || err != nil {
			t.Errorf("cancelled: %q, %v; want nothing written and no error", got, err)
		}
		x.app.saveDialog = func(string) (string, error) { return filepath.Join(t.TempDir(), "no", "such", "dir", "r.html"), nil }
		if _, err := x.app.SaveLabReport(); err == nil || !strings.Contains(err.Error(), "Could not write the report") {
			t.Errorf("an unwritable place: %v, want the reason", err)
		}
	})

	t.Run("SurvivesRestartAndStartsOver", func(t *testing.T) {
		before := x.done()
		dir := x.lab.DB.Path
		x.lab.Close()
		l, err := lab.Open(context.Background(), lab.Options{Config: config.Config{DataDir: strings.TrimSuffix(dir, "/tollgate.db")}, BaseURL: "http://127.0.0.1:9", Source: source})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		x.lab, x.app = l, newApp(l, slog.New(slog.DiscardHandler), About{})
		x.app.startup(context.Background())
		if _, err := x.app.Login("barbara@example.com", "correct horse"); err != nil {
			t.Fatal(err)
		}
		if got := x.done(); !slices.Equal(got, before) {
			t.Fatalf("after a restart: %v, want %v", got, before)
		}
		c, err := x.app.StartOverLessons()
		if err != nil || c.Done != 0 {
			t.Fatalf("StartOverLessons = %d done, %v", c.Done, err)
		}
		if got := x.done(); len(got) != 0 {
			t.Errorf("after Start over: %v", got)
		}
	})
}

// TestLessonSource checks that "See the code" shows code of this commit: each
// lesson's function, as the binary embeds it, is word for word the function
// in the repository's file, found again with go/parser.
func TestLessonSource(t *testing.T) {
	repo := os.DirFS(".")
	for _, l := range lessons.All {
		t.Run(l.ID, func(t *testing.T) {
			embedded, err := lessons.Extract(source, l.Code)
			if err != nil {
				t.Fatalf("embedded: %v (add %s to source.go's go:embed)", err, l.Code.File)
			}
			onDisk, err := lessons.Extract(repo, l.Code)
			if err != nil {
				t.Fatal(err)
			}
			if embedded != onDisk {
				t.Errorf("the embedded %s differs from %s in the repository", l.Code.Name, l.Code.File)
			}
			file, _ := os.ReadFile(l.Code.File)
			if !strings.Contains(string(file), embedded.Text) || !strings.Contains(embedded.Text, "func ") {
				t.Errorf("%s's text is not a function of %s", l.Code.Name, l.Code.File)
			}
		})
	}
}
