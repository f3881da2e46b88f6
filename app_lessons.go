package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/billing"
	"github.com/tollgate/tollgate/internal/lab"
	"github.com/tollgate/tollgate/internal/lessons"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// The Lessons screen's bound methods: the course, and the lab report.

// Lessons returns the course with the learner's progress.
func (a *App) Lessons() (lessons.Course, error) {
	return withUser(a, "Open Lessons", func(ctx context.Context, u *tollgate.User) (lessons.Course, error) {
		return a.lab.Lessons.Course(ctx, u.ID)
	})
}

// StartOverLessons forgets the learner's progress and returns the course.
func (a *App) StartOverLessons() (lessons.Course, error) {
	return withUser(a, "Start the lessons over", func(ctx context.Context, u *tollgate.User) (lessons.Course, error) {
		if err := a.lab.Lessons.StartOver(ctx, u.ID); err != nil {
			return lessons.Course{}, err
		}
		return a.lab.Lessons.Course(ctx, u.ID)
	})
}

// LabReport returns the lab report, one self-contained HTML page, which a
// browser (serve) downloads.
func (a *App) LabReport() (string, error) {
	return withUser(a, "Export the lab report", func(ctx context.Context, u *tollgate.User) (string, error) {
		var b strings.Builder
		err := a.writeReport(ctx, u, &b)
		return b.String(), err
	})
}

// SaveLabReport asks in the window's save dialog where to put the lab report
// and writes it there; it returns the file's path, or "" when the learner
// cancels. Only the window has a dialog: serve downloads LabReport instead.
func (a *App) SaveLabReport() (string, error) {
	return withUser(a, "Save the lab report", func(ctx context.Context, u *tollgate.User) (string, error) {
		if a.saveDialog == nil {
			return "", tollgate.Errorf(tollgate.EINVALID, "Only the window has a save dialog; in a browser the report downloads.")
		}
		path, err := a.saveDialog(reportFileName(u, time.Now()))
		if err != nil || path == "" {
			return "", err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return "", tollgate.Errorf(tollgate.EINVALID, "Could not write the report to %s: %v", path, err)
		}
		if err := a.writeReport(ctx, u, f); err != nil {
			f.Close()
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", tollgate.Errorf(tollgate.EINVALID, "Could not write the report to %s: %v", path, err)
		}
		a.log.Info("lab report saved", "path", path)
		return path, nil
	})
}

// reportFileName is the name the save dialog suggests.
func reportFileName(u *tollgate.User, now time.Time) string {
	return fmt.Sprintf("tollgate-lab-%d-%s.html", u.ID, now.UTC().Format("2006-01-02"))
}

// writeReport gathers the learner's lab (their lessons, their events and the
// Stripe calls of this run) into the report.
func (a *App) writeReport(ctx context.Context, u *tollgate.User, w io.Writer) error {
	course, err := a.lab.Lessons.Course(ctx, u.ID)
	if err != nil {
		return err
	}
	evs, err := a.lab.DB.RecentEventsOf(ctx, u.ID, maxEventRows)
	if err != nil {
		return err
	}
	r := lessons.Report{Learner: u.Name, Email: u.Email, Generated: time.Now().UTC(), Version: a.about.Version,
		Stripe: stripeName(a.lab.State().Mode), Course: course, Calls: a.lab.Calls.Recent(maxCallRows), Secrets: append(a.lab.Secrets(ctx), a.secrets...)}
	for _, e := range evs {
		r.Events = append(r.Events, lessons.ReportEvent{Event: *e, Did: billing.Explain(e).Did})
	}
	return lessons.WriteReport(w, r)
}

// stripeName says which Stripe a lab talks to, as the top bar does.
func stripeName(mode string) string {
	switch mode {
	case lab.ModeSandbox:
		return "Tollgate's sandbox"
	case lab.ModeExternalSandbox:
		return "a Stripe emulator"
	}
	return "Stripe test mode"
}
