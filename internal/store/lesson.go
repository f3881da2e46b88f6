package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

var _ tollgate.LessonStore = (*DB)(nil)

// lessonRecord is the stored form of one lesson done.
type lessonRecord struct {
	Lesson   string    `json:"lesson"`
	At       time.Time `json:"at"`
	StripeAt time.Time `json:"stripe_at,omitzero"`
	Via      string    `json:"via"`
}

// progressRecord is a user's progress: one value per user, small (a lesson
// is done once), so read and written whole in one transaction.
type progressRecord struct {
	Done []lessonRecord `json:"done"`
}

// has says whether lesson is among those done.
func (p progressRecord) has(lesson string) bool {
	return slices.ContainsFunc(p.Done, func(r lessonRecord) bool { return r.Lesson == lesson })
}

// MarkLesson records d for userID unless that lesson is done already.
func (db *DB) MarkLesson(ctx context.Context, userID uint64, d tollgate.LessonDone) (bool, error) {
	// Most observations are of lessons done long ago (every later event of
	// the same kind): a read says so without a write transaction, whose
	// commit would cost an fsync each time.
	if done, err := db.lessonDone(userID, d.Lesson); err != nil || done {
		return false, err
	}
	isNew := false
	err := db.grouped(func(tx *bolt.Tx) error {
		isNew = false // the group may run this again
		b := tx.Bucket(bucketLessons)
		p, err := getProgress(b, userID)
		if err != nil {
			return err
		}
		if p.has(d.Lesson) {
			return nil
		}
		p.Done = append(p.Done, lessonRecord{Lesson: d.Lesson, At: d.At.UTC(), StripeAt: d.StripeAt.UTC(), Via: d.Via})
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		isNew = true
		return b.Put(itob(userID), raw)
	})
	if err != nil {
		return false, fmt.Errorf("store: mark lesson %s: %w", d.Lesson, err)
	}
	return isNew, nil
}

// lessonDone says whether userID has done lesson.
func (db *DB) lessonDone(userID uint64, lesson string) (bool, error) {
	var done bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		p, err := getProgress(tx.Bucket(bucketLessons), userID)
		done = err == nil && p.has(lesson)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: mark lesson %s: %w", lesson, err)
	}
	return done, nil
}

// LessonsDone returns userID's lessons done, oldest first.
func (db *DB) LessonsDone(ctx context.Context, userID uint64) ([]tollgate.LessonDone, error) {
	var out []tollgate.LessonDone
	err := db.bolt.View(func(tx *bolt.Tx) error {
		p, err := getProgress(tx.Bucket(bucketLessons), userID)
		if err != nil {
			return err
		}
		out = make([]tollgate.LessonDone, 0, len(p.Done))
		for _, r := range p.Done {
			out = append(out, tollgate.LessonDone{Lesson: r.Lesson, At: r.At, StripeAt: r.StripeAt, Via: r.Via})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: lessons done: %w", err)
	}
	return out, nil
}

// ResetLessons forgets userID's progress.
func (db *DB) ResetLessons(ctx context.Context, userID uint64) error {
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketLessons).Delete(itob(userID)) }); err != nil {
		return fmt.Errorf("store: reset lessons: %w", err)
	}
	return nil
}

func getProgress(b *bolt.Bucket, userID uint64) (progressRecord, error) {
	var p progressRecord
	if raw := b.Get(itob(userID)); raw != nil {
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, fmt.Errorf("decode progress of user %d: %w", userID, err)
		}
	}
	return p, nil
}
