package lab

import (
	"context"
	"slices"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// The setup checklist's steps, in order. The checklist is how the Settings
// screen shows the setup sequence (setup.go) as it runs.
const (
	StepKey      = "key"
	StepCatalog  = "catalog"
	StepTunnel   = "tunnel"
	StepEndpoint = "endpoint"
	StepEvent    = "event"
)

// Step statuses.
const (
	StatusWaiting = "waiting" // not reached yet, or waiting on the learner
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // not needed in this mode; Note says why
)

// State is what the Settings screen shows about Stripe.
type State struct {
	Mode       string `json:"mode"`
	APIBase    string `json:"apiBase"`
	Account    string `json:"account"`
	Webhook    string `json:"webhook"`    // the URL Stripe sends events to
	WebhookSet bool   `json:"webhookSet"` // a signing secret is in force
	TestClocks bool   `json:"testClocks"`
	Ready      bool   `json:"ready"` // billing works: the key and the catalog steps are done
	Error      string `json:"error"` // why billing is not ready
	// Steps is the setup as a checklist: key, catalog, tunnel, endpoint, event.
	Steps []Step `json:"steps"`
	// ListenCommand forwards a Stripe account's events here with the Stripe
	// CLI; set when no tunnel does it.
	ListenCommand string `json:"listenCommand"`

	endpointID string // the endpoint Tollgate made, which quitting disables
	account    string // the account's id and where it is served: what the local copy describes
}

// Step is one line of the setup checklist.
type Step struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Facts  []Fact `json:"facts"` // what a learner needs to find it in the dashboard
	Note   string `json:"note"`  // why it is skipped, or what the learner can do
	Error  string `json:"error"` // Stripe's or ngrok's own words
}

// Fact is a labelled value on the checklist, such as an id.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Status is State with the last event received, read from the store.
func (l *Lab) Status(ctx context.Context) (State, error) {
	st := l.State()
	st.Steps = slices.Clone(st.Steps)
	i := slices.IndexFunc(st.Steps, func(s Step) bool { return s.ID == StepEvent })
	if i < 0 {
		return st, nil
	}
	last, err := l.DB.LastEvent(ctx)
	if err != nil {
		return st, err
	}
	if last == nil {
		st.Steps[i].Status, st.Steps[i].Note = StatusWaiting, "No event yet. Subscribe on the Plans screen and Stripe sends some within seconds."
		return st, nil
	}
	st.Steps[i].Status, st.Steps[i].Note = StatusDone, ""
	st.Steps[i].Facts = []Fact{{"Event", last.ID}, {"Type", last.Type}, {"Received", last.Received.Local().Format("2 Jan 2006 15:04:05")}}
	return st, nil
}

// State reports the Stripe side of the lab, with the tunnel as it is now:
// it may have dropped since the last setup.
func (l *Lab) State() State {
	st := l.current.Load().state
	t := l.liveTunnel.Load()
	if t == nil {
		return st
	}
	ts := t.Status()
	st.Steps = slices.Clone(st.Steps)
	for i, s := range st.Steps {
		if s.ID == StepTunnel && s.Status == StatusDone && !ts.Up {
			st.Steps[i].Status, st.Steps[i].Error = StatusRunning, "Reconnecting: "+ts.Error
		}
	}
	return st
}

// run is one pass of the setup sequence, publishing the checklist as it goes.
type run struct {
	l    *Lab
	snap snapshot
}

func (l *Lab) newRun() *run {
	steps := []Step{
		{ID: StepKey, Title: "Key works"},
		{ID: StepCatalog, Title: "Catalog ready"},
		{ID: StepTunnel, Title: "Tunnel up"},
		{ID: StepEndpoint, Title: "Webhook endpoint registered"},
		{ID: StepEvent, Title: "Last event received"},
	}
	for i := range steps {
		steps[i].Status, steps[i].Facts = StatusWaiting, []Fact{}
	}
	return &run{l: l, snap: snapshot{state: State{Steps: steps, Error: "Stripe is being set up."}}}
}

func (r *run) step(id string) *Step {
	i := slices.IndexFunc(r.snap.state.Steps, func(s Step) bool { return s.ID == id })
	return &r.snap.state.Steps[i]
}

// set changes a step and publishes a copy of the whole state: screens may
// hold the previous one, which must not change under them.
func (r *run) set(id, status, note string, facts ...Fact) {
	s := r.step(id)
	s.Status, s.Note, s.Error = status, note, ""
	if facts != nil {
		s.Facts = facts
	}
	r.publish()
}

func (r *run) publish() {
	snap := r.snap
	snap.state.Steps = slices.Clone(r.snap.state.Steps)
	r.l.publish(&snap)
}

// fail marks a step failed with err's words. With ready false billing is
// withdrawn; a failed tunnel or endpoint leaves it working, events aside.
func (r *run) fail(id string, err error, ready bool) error {
	s := r.step(id)
	s.Status, s.Error = StatusFailed, tollgate.ErrorMessage(err)
	if !ready {
		r.snap.billing, r.snap.state.Ready = nil, false
		r.snap.state.Error = s.Title + ": " + s.Error
		r.l.keys.Set(sourceEndpoint, "")
	}
	r.publish()
	return err
}
