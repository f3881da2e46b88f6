package lessons

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Lesson is one step of the course.
type Lesson struct {
	ID      string
	Title   string
	Concept string // two or three sentences on the Stripe concept
	Doc     Link   // Stripe's documentation page for it
	Do      string // how to do it in Tollgate
	Code    Func   // the function in Tollgate that handled it
	Guide   Quote  // the guide's Flask equivalent
	// Seen reports whether o shows the learner doing this lesson. It must
	// only read o: rules run on the webhook's worker.
	Seen func(o *Observation) bool
}

// Link is a page of Stripe's documentation.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Func names a Go function of this repository: its file from the module
// root, and its name, "Type.Method" for a method.
type Func struct {
	File string `json:"file"`
	Name string `json:"name"`
}

// Quote is a passage of the Stripe + Flask guide, word for word.
type Quote struct {
	Section string `json:"section"`
	Text    string `json:"text"`
}

// Course is the Lessons screen: every lesson, done or not.
type Course struct {
	Lessons []LessonView `json:"lessons"`
	Done    int          `json:"done"`
}

// LessonView is one lesson as the Lessons screen and the lab report show it.
type LessonView struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Concept string `json:"concept"`
	Doc     Link   `json:"doc"`
	Do      string `json:"do"`
	Guide   Quote  `json:"guide"`
	Code    Source `json:"code"`
	// Done, and when and how, once Tollgate saw it.
	Done     bool      `json:"done"`
	At       time.Time `json:"at,omitzero"`
	StripeAt time.Time `json:"stripeAt,omitzero"` // Stripe's time, the test clock's, for an event
	Via      string    `json:"via"`
}

// Tracker ticks lessons as Tollgate observes them and keeps the progress.
type Tracker struct {
	store   tollgate.LessonStore
	subs    func(ctx context.Context, userID uint64) ([]*tollgate.Subscription, error)
	now     func() time.Time
	onDone  func(userID uint64)
	log     *slog.Logger
	sources map[string]Source // by lesson id
}

// Options configure NewTracker.
type Options struct {
	Store tollgate.LessonStore
	// Subscriptions reads a user's local subscriptions, for rules that need
	// the state an event left (a renewal is told from a trial's end by it).
	Subscriptions func(ctx context.Context, userID uint64) ([]*tollgate.Subscription, error)
	// Source is the module's Go files, as embedded in the binary; nil shows
	// every lesson's code as missing.
	Source fs.FS
	// OnDone, when set, is called after a lesson is ticked. It must not block.
	OnDone func(userID uint64)
	Logger *slog.Logger
	Now    func() time.Time
}

// NewTracker reads each lesson's function out of o.Source once: the code is
// the binary's own, so it cannot change while it runs.
func NewTracker(o Options) *Tracker {
	t := &Tracker{store: o.Store, subs: o.Subscriptions, now: o.Now, onDone: o.OnDone, log: o.Logger, sources: map[string]Source{}}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	for _, l := range All {
		src, err := Extract(o.Source, l.Code)
		if err != nil {
			t.log.Error("a lesson's code is missing from the binary", logkey.Err, err)
			src = Source{Func: l.Code, Text: "// " + err.Error()}
		}
		t.sources[l.ID] = src
	}
	return t
}

// Saw records an app action of the user's.
func (t *Tracker) Saw(ctx context.Context, userID uint64, o Observation) {
	t.observe(ctx, userID, &o, time.Time{}, "the "+actionPlaces[o.Action])
}

// actionPlaces name where Tollgate saw each action.
var actionPlaces = map[string]string{
	Registered: "Register screen", LoggedIn: "Log in screen", SawAccess: "Access screen",
	OpenedPremium: "Premium screen", OpenedPortal: "Manage billing button's portal session",
}

// Redelivered records that a redelivery of e, an event Tollgate had already
// recorded, was recognised by its id and skipped. Only an event already
// applied says whose it is; an earlier one ticks nothing.
func (t *Tracker) Redelivered(ctx context.Context, e *tollgate.Event) {
	t.observe(ctx, e.UserID, &Observation{Action: SkippedDuplicate}, e.Created, "a redelivery of the "+e.Type+" event "+e.ID+", skipped")
}

// Applied records a webhook event Tollgate applied for a user: the rules
// read it with the user's local copy as it left it.
func (t *Tracker) Applied(ctx context.Context, e *tollgate.Event, res tollgate.EventResult) {
	if res.UserID == 0 || res.Outcome != tollgate.EventApplied && res.Outcome != tollgate.EventIgnored {
		return
	}
	o := &Observation{Event: e}
	if t.subs != nil {
		subs, err := t.subs(ctx, res.UserID)
		if err != nil {
			t.log.Warn("lessons: could not read the subscriptions an event left", logkey.EventID, e.ID, logkey.Err, err)
		}
		o.Subscriptions = subs
	}
	t.observe(ctx, res.UserID, o, e.Created, "the "+e.Type+" event "+e.ID)
}

// observe ticks every lesson o shows that the user has not done yet. A
// failure is logged, never returned: a lesson must not fail what it watches.
func (t *Tracker) observe(ctx context.Context, userID uint64, o *Observation, stripeAt time.Time, via string) {
	if userID == 0 {
		return
	}
	ticked := false
	for _, l := range All {
		if !l.Seen(o) {
			continue
		}
		isNew, err := t.store.MarkLesson(ctx, userID, tollgate.LessonDone{Lesson: l.ID, At: t.now().UTC(), StripeAt: stripeAt, Via: via})
		if err != nil {
			t.log.Error("lessons: could not record a lesson done", logkey.User, userID, logkey.Err, err)
			continue
		}
		if isNew {
			t.log.Info("lesson done", logkey.User, userID, logkey.Lesson, l.ID)
			ticked = true
		}
	}
	if ticked && t.onDone != nil {
		t.onDone(userID)
	}
}

// Course returns the user's progress through every lesson.
func (t *Tracker) Course(ctx context.Context, userID uint64) (Course, error) {
	done, err := t.store.LessonsDone(ctx, userID)
	if err != nil {
		return Course{}, fmt.Errorf("lessons: %w", err)
	}
	byID := make(map[string]tollgate.LessonDone, len(done))
	for _, d := range done {
		byID[d.Lesson] = d
	}
	c := Course{Lessons: make([]LessonView, 0, len(All))}
	for _, l := range All {
		v := LessonView{ID: l.ID, Title: l.Title, Concept: l.Concept, Doc: l.Doc, Do: l.Do, Guide: l.Guide, Code: t.sources[l.ID]}
		if d, ok := byID[l.ID]; ok {
			v.Done, v.At, v.StripeAt, v.Via = true, d.At, d.StripeAt, d.Via
			c.Done++
		}
		c.Lessons = append(c.Lessons, v)
	}
	return c, nil
}

// StartOver forgets the user's progress.
func (t *Tracker) StartOver(ctx context.Context, userID uint64) error {
	if err := t.store.ResetLessons(ctx, userID); err != nil {
		return fmt.Errorf("lessons: start over: %w", err)
	}
	if t.onDone != nil {
		t.onDone(userID)
	}
	return nil
}
