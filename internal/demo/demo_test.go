package demo_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/demo"
)

// script returns n steps that record their order in ran.
func script(n int, ran *[]int, mu *sync.Mutex) []demo.Step {
	steps := make([]demo.Step, n)
	for i := range steps {
		steps[i] = demo.Step{Caption: "Step " + string(rune('A'+i)), Screen: "plans", Run: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			*ran = append(*ran, i)
			return nil
		}}
	}
	return steps
}

// waitView polls r until cond holds, or fails after 5 s.
func waitView(t *testing.T, r *demo.Runner, what string, cond func(demo.View) bool) demo.View {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if v := r.View(); cond(v) {
			return v
		} else if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; view %+v", what, v)
		}
	}
}

func statuses(v demo.View) string {
	var b strings.Builder
	for _, s := range v.Steps {
		b.WriteString(s.Status[:1])
	}
	return b.String()
}

func TestRunner(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var ran []int
		var mu sync.Mutex
		changes := 0
		r := demo.New(script(3, &ran, &mu), false, 0, func() { changes++ })
		r.Start()
		if err := r.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		v := r.View()
		if !v.Finished || v.Failed || v.Current != 3 || statuses(v) != "ddd" || len(ran) != 3 || ran[0] != 0 || ran[2] != 2 {
			t.Errorf("view %+v, ran %v; want every step done in order", v, ran)
		}
		// Started, then each step announced, running and done, then finished.
		if got, want := changes, 1+3*3+1; got != want {
			t.Errorf("%d changes, want %d", got, want)
		}
	})

	t.Run("PauseWaitsForNext", func(t *testing.T) {
		var ran []int
		var mu sync.Mutex
		r := demo.New(script(2, &ran, &mu), true, 0, nil)
		done := make(chan error, 1)
		go func() { done <- r.Run(context.Background()) }()
		r.Next() // before the start: must not skip the first caption
		if v := r.View(); v.Started || statuses(v) != "ww" {
			t.Fatalf("before Start: %+v", v)
		}
		r.Start()
		if v := r.View(); statuses(v) != "nw" {
			t.Fatalf("right after Start: %+v; want the first step announced", v)
		}
		time.Sleep(50 * time.Millisecond)
		if v := r.View(); statuses(v) != "nw" {
			t.Fatalf("ran without a Next: %+v", v)
		}
		r.Next()
		waitView(t, r, "the first step done, the second announced", func(v demo.View) bool { return statuses(v) == "dn" && v.Current == 1 })
		r.Next()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if v := r.View(); !v.Finished || !v.Pause {
			t.Errorf("view %+v, want finished in pause mode", v)
		}
	})

	t.Run("NextCutsTheDelay", func(t *testing.T) {
		var ran []int
		var mu sync.Mutex
		r := demo.New(script(1, &ran, &mu), false, time.Hour, nil)
		r.Start()
		done := make(chan error, 1)
		go func() { done <- r.Run(context.Background()) }()
		waitView(t, r, "the step announced", func(v demo.View) bool { return statuses(v) == "n" })
		if v := r.View(); v.DelayMillis != time.Hour.Milliseconds() {
			t.Errorf("delay %d ms, want an hour", v.DelayMillis)
		}
		r.Next()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrStepFailedStops", func(t *testing.T) {
		ran := 0
		boom := errors.New("the card was declined")
		r := demo.New([]demo.Step{
			{Caption: "one", Run: func(context.Context) error { ran++; return nil }},
			{Caption: "two", Run: func(context.Context) error { ran++; return boom }},
			{Caption: "three", Run: func(context.Context) error { ran++; return nil }},
		}, false, 0, nil)
		r.Start()
		err := r.Run(context.Background())
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "step 2 (two)") {
			t.Errorf("Run() = %v, want step 2's error", err)
		}
		v := r.View()
		if ran != 2 || !v.Failed || v.Finished || statuses(v) != "dfw" || v.Steps[1].Error != boom.Error() {
			t.Errorf("ran %d, view %+v; want the script stopped at step 2 with its error", ran, v)
		}
	})

	t.Run("ErrPanicIsAFailedStep", func(t *testing.T) {
		r := demo.New([]demo.Step{{Caption: "bad", Run: func(context.Context) error { panic("nil map") }}}, false, 0, nil)
		r.Start()
		if err := r.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "panic: nil map") {
			t.Errorf("Run() = %v, want the panic as the step's error", err)
		}
		if v := r.View(); v.Steps[0].Status != demo.StatusFailed {
			t.Errorf("view %+v, want the step failed", v)
		}
	})

	t.Run("ErrCanceledBeforeStart", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := demo.New([]demo.Step{{Caption: "never", Run: func(context.Context) error { t.Error("ran"); return nil }}}, true, 0, nil)
		if err := r.Run(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Run() = %v, want canceled", err)
		}
	})
}
