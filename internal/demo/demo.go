// Package demo plays a script of steps for presenter mode: one at a time,
// each announced by its caption before it runs, after a fixed delay or when
// the presenter says next, and stops at the first step that fails.
package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Step is one step of the script.
type Step struct {
	// Caption is the one line the audience reads, said before the step runs.
	Caption string
	// Screen is the screen the UI shows for the step ("plans", "access"…).
	Screen string
	// Run does the step through the same pages and methods a learner uses,
	// and checks that it had the effect the caption promises.
	Run func(ctx context.Context) error
}

// Step statuses.
const (
	StatusWaiting = "waiting" // not reached
	StatusNext    = "next"    // announced: waiting for the delay or the presenter
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// StepView is a step as the presenter's bar shows it.
type StepView struct {
	Caption string `json:"caption"`
	Screen  string `json:"screen"`
	Status  string `json:"status"`
	Error   string `json:"error"` // why it failed
	Millis  int64  `json:"millis"`
}

// View is the whole script's progress.
type View struct {
	Active  bool       `json:"active"` // false outside presenter mode
	Steps   []StepView `json:"steps"`
	Current int        `json:"current"` // the step announced or running; len(Steps) once finished
	// Pause is true when each step waits for the presenter's Next; otherwise
	// DelayMillis passes between steps.
	Pause       bool  `json:"pause"`
	DelayMillis int64 `json:"delayMillis"`
	Started     bool  `json:"started"`
	Finished    bool  `json:"finished"` // every step done
	Failed      bool  `json:"failed"`   // a step failed; the script stopped there
}

// Runner plays a script.
type Runner struct {
	steps    []Step
	pause    bool
	delay    time.Duration
	onChange func()

	start     chan struct{}
	startOnce sync.Once
	next      chan struct{} // a Next the running script has not consumed yet

	mu   sync.Mutex
	view View
}

// New returns a runner of steps that waits delay before each step or, with
// pause, for Next. onChange, when set, is called after every change of the
// view, from the runner's goroutine; it must not block.
func New(steps []Step, pause bool, delay time.Duration, onChange func()) *Runner {
	r := &Runner{steps: steps, pause: pause, delay: delay, onChange: onChange,
		start: make(chan struct{}), next: make(chan struct{}, 1)}
	r.view = View{Active: true, Pause: pause, DelayMillis: delay.Milliseconds(), Steps: make([]StepView, len(steps))}
	for i, s := range steps {
		r.view.Steps[i] = StepView{Caption: s.Caption, Screen: s.Screen, Status: StatusWaiting}
	}
	return r
}

// Start lets Run begin: the UI calls it once it shows the script, so the
// audience sees the first step from its caption on. Calls after the first do nothing.
//
// The first step is announced here rather than when Run's goroutine gets
// to it, so the view the caller reads straight after Start already shows
// its caption: a browser whose event stream is not open yet would
// otherwise keep showing the step as not reached.
func (r *Runner) Start() {
	r.startOnce.Do(func() {
		// A Next pressed before the start (a key held) must not skip the
		// first caption; one pressed after it, even before Run's goroutine
		// gets going, must not be lost.
		select {
		case <-r.next:
		default:
		}
		r.update(func(v *View) {
			v.Started = true
			if len(v.Steps) > 0 {
				v.Current, v.Steps[0].Status = 0, StatusNext
			}
		})
		close(r.start)
	})
}

// Next runs the announced step now, without waiting for the rest of the delay.
func (r *Runner) Next() {
	select {
	case r.next <- struct{}{}:
	default: // one is already waiting
	}
}

// View returns a copy of the progress.
func (r *Runner) View() View {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.view
	v.Steps = append([]StepView(nil), v.Steps...)
	return v
}

// Run plays the script once Start is called, until the last step is done, a
// step fails (its error is returned) or ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	select {
	case <-r.start:
	case <-ctx.Done():
		return ctx.Err()
	}
	for i, s := range r.steps {
		r.update(func(v *View) { v.Current, v.Steps[i].Status = i, StatusNext })
		if err := r.wait(ctx); err != nil {
			return err
		}
		r.update(func(v *View) { v.Steps[i].Status = StatusRunning })
		began := time.Now()
		err := run(ctx, s)
		took := time.Since(began).Milliseconds()
		if err != nil {
			r.update(func(v *View) {
				v.Steps[i].Status, v.Steps[i].Error, v.Steps[i].Millis, v.Failed = StatusFailed, err.Error(), took, true
			})
			return fmt.Errorf("demo: step %d (%s): %w", i+1, s.Caption, err)
		}
		r.update(func(v *View) { v.Steps[i].Status, v.Steps[i].Millis = StatusDone, took })
	}
	r.update(func(v *View) { v.Current, v.Finished = len(r.steps), true })
	return nil
}

// wait holds the announced step until the presenter's Next or, without
// pause, the delay.
func (r *Runner) wait(ctx context.Context) error {
	var timeout <-chan time.Time
	if !r.pause {
		if r.delay <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(r.delay)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
	case <-r.next:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// run runs one step, turning a panic into its error so the presenter sees
// which step broke instead of a closed window.
func run(ctx context.Context, s Step) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	if s.Run == nil {
		return errors.New("the step has nothing to run")
	}
	return s.Run(ctx)
}

func (r *Runner) update(f func(*View)) {
	r.mu.Lock()
	f(&r.view)
	r.mu.Unlock()
	if r.onChange != nil {
		r.onChange()
	}
}
