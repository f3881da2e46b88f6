package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/demo"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/lessons"
	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/sandbox/fault"
	"github.com/tollgate/tollgate/internal/settings"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// App is bound to Wails: each exported method is a promise in the frontend
// (frontend/wailsjs/go/main/App.js) and, in serve mode, an HTTP call. Methods
// stay thin: they find the session, call a service and translate its error.
type App struct {
	ctx   context.Context
	log   *slog.Logger
	lab   *lab.Lab
	about About
	// saveDialog asks where to save a file, suggesting name; "" when the
	// person cancels. Only the window has one; nil in serve.
	saveDialog func(name string) (string, error)
	// secrets are what the face holds beside the lab's (serve's token),
	// kept out of the lab report.
	secrets []string
	// presenter plays the guide in `tollgate demo`; nil otherwise.
	presenter *demo.Runner
}

// About describes this Tollgate for the Settings screen.
type About struct {
	Version       string `json:"version"`
	DataDir       string `json:"dataDir"`
	Database      string `json:"database"`
	SchemaVersion uint64 `json:"schemaVersion"`
	Face          string `json:"face"`
}

// Plans is what the Plans screen shows. Its structs are held by value, not by
// pointer, because Wails' TypeScript generator does not follow pointer slices
// into other packages and would leave the frontend without their types.
type Plans struct {
	Prices        []billing.Price         `json:"prices"`
	HasCustomer   bool                    `json:"hasCustomer"`
	TestClock     string                  `json:"testClock"`
	Subscriptions []tollgate.Subscription `json:"subscriptions"`
	PaymentFailed bool                    `json:"paymentFailed"`
	TrialDays     int                     `json:"trialDays"`
	Promotion     string                  `json:"promotion"` // a code to try, where Tollgate made the catalog
	// Clock is the customer's test clock, its time and its moves; ID "" when there is none.
	Clock billing.ClockView `json:"clock"`
	// Timeline is the latest subscription's life; Subscription "" when there is none.
	Timeline billing.Timeline `json:"timeline"`
}

func newApp(l *lab.Lab, log *slog.Logger, about About) *App {
	return &App{ctx: context.Background(), log: log, lab: l, about: about}
}

func (a *App) startup(ctx context.Context) { a.ctx = ctx }

// Register creates an account and logs it in.
func (a *App) Register(email, name, password string) (*tollgate.User, error) {
	return call(a, "Register", func(ctx context.Context) (*tollgate.User, error) {
		u, err := a.lab.Auth.Register(ctx, email, name, password)
		if err != nil {
			return nil, err
		}
		a.lab.Session.Set(u)
		a.lab.Lessons.Saw(ctx, u.ID, lessons.Observation{Action: lessons.Registered})
		a.log.Info("registered", logkey.User, u.ID)
		return u, nil
	})
}

// Login checks the credentials and starts the session.
func (a *App) Login(email, password string) (*tollgate.User, error) {
	return call(a, "Log in", func(ctx context.Context) (*tollgate.User, error) {
		u, err := a.lab.Auth.Login(ctx, email, password)
		if err != nil {
			return nil, err
		}
		a.lab.Session.Set(u)
		a.lab.Lessons.Saw(ctx, u.ID, lessons.Observation{Action: lessons.LoggedIn})
		a.log.Info("logged in", logkey.User, u.ID)
		return u, nil
	})
}

// Logout ends the session.
func (a *App) Logout() error {
	a.lab.Session.Set(nil)
	return nil
}

// CurrentUser returns the logged-in user, or null when nobody is.
func (a *App) CurrentUser() (*tollgate.User, error) {
	u, _ := a.lab.Session.User()
	return u, nil
}

// About returns where Tollgate keeps its data and which version runs.
func (a *App) About() (About, error) { return a.about, nil }

// Plans returns the prices and the user's subscriptions.
func (a *App) Plans() (Plans, error) {
	return withBilling(a, "Open Plans", func(ctx context.Context, b *billing.Service, u *tollgate.User) (Plans, error) {
		prices, err := b.Prices(ctx)
		if err != nil {
			return Plans{}, err
		}
		st, err := b.Status(ctx, u)
		p := Plans{Prices: prices, HasCustomer: st.HasCustomer, TestClock: st.TestClock, Subscriptions: st.Subscriptions,
			PaymentFailed: st.PaymentFailed, TrialDays: billing.TrialDays}
		if a.lab.State().Mode != lab.ModeStripe {
			p.Promotion = billing.PromotionCode
		}
		if err == nil && st.TestClock != "" {
			p.Clock, err = b.Clock(ctx, u)
		}
		if err == nil && len(st.Subscriptions) > 0 {
			p.Timeline, err = a.timeline(ctx, u, st.Subscriptions[0], p.Clock.Now)
		}
		return p, err
	})
}

// timeline draws a subscription's life from the user's recorded events, up to
// now on the customer's clock (or the wall clock, without one).
func (a *App) timeline(ctx context.Context, u *tollgate.User, sub tollgate.Subscription, now time.Time) (billing.Timeline, error) {
	evs, err := a.lab.DB.RecentEventsOf(ctx, u.ID, maxEventRows*5)
	if err != nil {
		return billing.Timeline{}, err
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	return billing.BuildTimeline(sub, evs, now), nil
}

// Subscribe opens Stripe Checkout for "monthly" or "yearly", with the free
// trial when asked; a user who already subscribes is sent to the portal.
func (a *App) Subscribe(plan string, trial bool) (billing.Redirect, error) {
	return withBilling(a, subscribeLabel(plan, trial), func(ctx context.Context, b *billing.Service, u *tollgate.User) (billing.Redirect, error) {
		return b.Checkout(ctx, u, billing.Plan(plan), trial)
	})
}

// SwitchPlan opens the Billing Portal on the plan change of the running
// subscription, towards "monthly" or "yearly"; the switch happens there.
func (a *App) SwitchPlan(plan string) (billing.Redirect, error) {
	return withBilling(a, "switch plan", func(ctx context.Context, b *billing.Service, u *tollgate.User) (billing.Redirect, error) {
		return b.SwitchPlan(ctx, u, billing.Plan(plan))
	})
}

// ManageBilling opens the Stripe Billing Portal.
func (a *App) ManageBilling() (billing.Redirect, error) {
	return withBilling(a, "Manage billing: open the Billing Portal", func(ctx context.Context, b *billing.Service, u *tollgate.User) (billing.Redirect, error) {
		r, err := b.Portal(ctx, u)
		if err == nil {
			a.lab.Lessons.Saw(ctx, u.ID, lessons.Observation{Action: lessons.OpenedPortal})
		}
		return r, err
	})
}

// Access lists the user's entitlements, local and live.
func (a *App) Access() (billing.Access, error) {
	return withBilling(a, "Open Access", func(ctx context.Context, b *billing.Service, u *tollgate.User) (billing.Access, error) {
		acc, err := b.Access(ctx, u)
		if err == nil {
			a.lab.Lessons.Saw(ctx, u.ID, lessons.Observation{Action: lessons.SawAccess, Entitled: slices.Contains(acc.Local, tollgate.FeatureTestAccess)})
		}
		return acc, err
	})
}

// PremiumView is the Premium screen: its content, and why it is open.
type PremiumView struct {
	Text   string `json:"text"`
	Why    string `json:"why"`    // how test-access came
	Notice string `json:"notice"` // while a payment has failed: access continues during the retries
}

// Premium returns the premium content, refused in Go without test-access.
// It answers from the local copy, so it works whatever Stripe's state.
func (a *App) Premium() (PremiumView, error) {
	return withUser(a, "Open Premium", func(ctx context.Context, u *tollgate.User) (PremiumView, error) {
		if err := a.lab.Gate.RequireFeature(ctx, u, tollgate.FeatureTestAccess); err != nil {
			return PremiumView{}, err
		}
		a.lab.Lessons.Saw(ctx, u.ID, lessons.Observation{Action: lessons.OpenedPremium})
		why, notice, err := a.lab.Gate.Why(ctx, u, tollgate.FeatureTestAccess)
		return PremiumView{
			Text: "Welcome to Premium, " + u.Name + ". This text left Go only because your account has the test-access entitlement.",
			Why:  why, Notice: notice,
		}, err
	})
}

// MoveClock makes one of the test clock's moves the Plans screen offers
// (billing.MoveDay, MoveTrialEnd, …) and returns the screen as it now stands.
func (a *App) MoveClock(move string) (Plans, error) {
	_, err := withBilling(a, "Move the test clock: "+strings.ReplaceAll(move, "_", " "), func(ctx context.Context, b *billing.Service, u *tollgate.User) (time.Time, error) {
		return b.MoveClock(ctx, u, move)
	})
	if err != nil {
		return Plans{}, err
	}
	return a.Plans()
}

// Stripe reports which Stripe Tollgate talks to, whether billing is ready,
// and the setup checklist.
func (a *App) Stripe() (lab.State, error) {
	return call(a, "Read the Stripe set-up", a.lab.Status)
}

// StripeSettings returns the Settings screen's Stripe form (secrets only as "set").
func (a *App) StripeSettings() (settings.View, error) {
	return withUser(a, "Open Settings", func(ctx context.Context, _ *tollgate.User) (settings.View, error) {
		return a.lab.Settings.View(ctx)
	})
}

// SaveStripeSettings checks the form (a new key against Stripe), stores it
// and sets billing up again with it.
func (a *App) SaveStripeSettings(s settings.Form, clearSecrets bool) (lab.State, error) {
	return withUser(a, "Save settings", func(ctx context.Context, _ *tollgate.User) (lab.State, error) {
		if err := a.lab.SaveSettings(ctx, s, clearSecrets); err != nil {
			return lab.State{}, err
		}
		return a.lab.Status(ctx)
	})
}

// SetUpStripe runs the setup sequence again, as after a network outage.
func (a *App) SetUpStripe() (lab.State, error) {
	return withUser(a, "Set up Stripe again", func(ctx context.Context, _ *tollgate.User) (lab.State, error) {
		if err := a.lab.Setup(ctx); err != nil {
			a.log.Warn("setup failed", logkey.Err, err)
		}
		return a.lab.Status(ctx)
	})
}

// ResetSandbox wipes the offline sandbox and Tollgate's copy of it; accounts stay.
func (a *App) ResetSandbox() (lab.State, error) {
	return withUser(a, "Reset the sandbox", func(ctx context.Context, _ *tollgate.User) (lab.State, error) {
		if err := a.lab.ResetSandbox(ctx); err != nil {
			return lab.State{}, err
		}
		return a.lab.Status(ctx)
	})
}

// StripeTrouble lists the Stripe faults the offline sandbox plays.
func (a *App) StripeTrouble() ([]fault.Active, error) {
	return withUser(a, "List Stripe trouble", func(context.Context, *tollgate.User) ([]fault.Active, error) {
		return a.lab.StripeTrouble(), nil
	})
}

// SimulateStripeTrouble makes the offline sandbox play a fault, such as
// "POST /v1/checkout/sessions 500 x3", as `tollgate sandbox --fault` does.
func (a *App) SimulateStripeTrouble(spec string) ([]fault.Active, error) {
	return withUser(a, "Simulate Stripe trouble", func(context.Context, *tollgate.User) ([]fault.Active, error) {
		return a.lab.SimulateStripeTrouble(spec)
	})
}

// StopStripeTrouble ends every simulated fault.
func (a *App) StopStripeTrouble() ([]fault.Active, error) {
	return withUser(a, "Stop Stripe trouble", func(context.Context, *tollgate.User) ([]fault.Active, error) {
		return a.lab.StopStripeTrouble()
	})
}

// call runs one bound method's work: it turns an error into what the user
// sees and a panic into an error, because Wails does not recover panics in
// bound methods and one would close the window. op names the action, as the
// Stripe-calls view shows it above the calls it made.
func call[T any](a *App, op string, f func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, a.fail(op, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
		}
	}()
	if v, err = f(a.lab.Calls.WithAction(a.ctx, op)); err != nil {
		var zero T
		return zero, a.fail(op, err)
	}
	return v, nil
}

// subscribeLabel names a Subscribe action for the Stripe-calls view.
func subscribeLabel(plan string, trial bool) string {
	if trial {
		return "Subscribe " + plan + ", with the free trial"
	}
	return "Subscribe " + plan
}

// withUser is call for the methods that need someone logged in.
func withUser[T any](a *App, op string, f func(context.Context, *tollgate.User) (T, error)) (T, error) {
	return call(a, op, func(ctx context.Context) (T, error) {
		u, err := a.lab.Session.User()
		if err != nil {
			var zero T
			return zero, err
		}
		return f(ctx, u)
	})
}

// withBilling is withUser with the billing service in force.
func withBilling[T any](a *App, op string, f func(context.Context, *billing.Service, *tollgate.User) (T, error)) (T, error) {
	return withUser(a, op, func(ctx context.Context, u *tollgate.User) (T, error) {
		b, err := a.lab.Billing()
		if err != nil {
			var zero T
			return zero, err
		}
		return f(ctx, b, u)
	})
}

// fail is the one place that decides what the user sees of an error: the
// message of a tollgate.Error (with each input's, for a form), or a generic
// line for anything else, which is logged.
func (a *App) fail(op string, err error) error {
	if tollgate.ErrorCode(err) == tollgate.EINTERNAL {
		a.log.Error(op+" failed", logkey.Err, err)
	} else {
		a.log.Debug(op+" refused", logkey.Err, err)
	}
	return errors.New(tollgate.ErrorReply(err))
}
