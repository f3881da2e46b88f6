package tollgate

import (
	"context"
	"time"
)

// LessonDone records that Tollgate saw a learner do one lesson of the course
// (internal/lessons): when, and what showed it.
type LessonDone struct {
	Lesson string    `json:"lesson"` // the lesson's id, such as "renewal"
	At     time.Time `json:"at"`     // when Tollgate saw it, on the wall clock
	// StripeAt is Stripe's time of the event that showed it: the customer's
	// test clock, which a learner moves by weeks. Zero for what the app saw itself.
	StripeAt time.Time `json:"stripeAt,omitzero"`
	Via      string    `json:"via"` // "the invoice.paid event evt_…", "the Access screen"
}

// LessonStore keeps each learner's progress through the lessons.
type LessonStore interface {
	// MarkLesson records d for the user unless that lesson is done already
	// (the first time counts); isNew says whether it was recorded.
	MarkLesson(ctx context.Context, userID uint64, d LessonDone) (isNew bool, err error)
	// LessonsDone returns the user's lessons done, in the order they were done.
	LessonsDone(ctx context.Context, userID uint64) ([]LessonDone, error)
	// ResetLessons forgets the user's progress: "Start over".
	ResetLessons(ctx context.Context, userID uint64) error
}
