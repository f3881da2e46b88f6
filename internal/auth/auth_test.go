package auth_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tollgate/tollgate/internal/auth"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// fakeClock is a settable clock for the login throttle.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newService(t *testing.T) (*auth.Service, *store.DB, *fakeClock) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return auth.New(db, auth.Options{Cost: bcrypt.MinCost, Now: clock.Now, Attempts: 3, Cooldown: 30 * time.Second}), db, clock
}

func TestRegister(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s, db, _ := newService(t)
		u, err := s.Register(ctx, "  Ada@Example.COM ", " Ada Lovelace ", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := u.Email, "ada@example.com"; got != want {
			t.Errorf("email = %q, want %q", got, want)
		}
		if got, want := u.Name, "Ada Lovelace"; got != want {
			t.Errorf("name = %q, want %q", got, want)
		}
		stored, err := db.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := bcrypt.CompareHashAndPassword(stored.PasswordHash, []byte("correct horse")); err != nil {
			t.Errorf("stored hash does not verify the password: %v", err)
		}
	})

	t.Run("PasswordNeverInClear", func(t *testing.T) {
		s, db, _ := newService(t)
		const password = "PlainTextCanary-9f3a"
		if _, err := s.Register(ctx, "ada@example.com", "Ada", password); err != nil {
			t.Fatal(err)
		}
		path := db.Path
		db.Close()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(password)) {
			t.Fatal("the database file contains the password in clear")
		}
		if !bytes.Contains(raw, []byte("ada@example.com")) {
			t.Fatal("the database file does not contain the user at all; the check above proves nothing")
		}
	})

	t.Run("ErrDuplicateEmail", func(t *testing.T) {
		s, _, _ := newService(t)
		if _, err := s.Register(ctx, "ada@example.com", "Ada", "password1"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Register(ctx, "ADA@example.com", "Ada Again", "password2")
		if got, want := tollgate.ErrorCode(err), tollgate.ECONFLICT; got != want {
			t.Fatalf("code = %q (%v), want %q", got, err, want)
		}
	})

	for _, tc := range []struct {
		name, email, userName, password, wantMsg string
	}{
		{"ErrEmptyEmail", "", "Ada", "password1", "enter your email"},
		{"ErrMalformedEmail", "ada.example.com", "Ada", "password1", "not an email address"},
		{"ErrDisplayNameEmail", "Ada <ada@example.com>", "Ada", "password1", "not an email address"},
		{"ErrNoDomainDot", "ada@localhost", "Ada", "password1", "not an email address"},
		{"ErrEmptyName", "ada@example.com", "   ", "password1", "enter your name"},
		{"ErrLongName", "ada@example.com", strings.Repeat("a", 101), "password1", "at most 100"},
		{"ErrEmptyPassword", "ada@example.com", "Ada", "", "choose a password"},
		{"ErrShortPassword", "ada@example.com", "Ada", "short", "at least 8 bytes; yours has 5"},
		// bcrypt's unit is the byte, so both bounds count bytes: é is two.
		{"ErrShortPasswordInBytes", "ada@example.com", "Ada", "ééé", "at least 8 bytes; yours has 6"},
		{"ErrLongPassword", "ada@example.com", "Ada", strings.Repeat("p", 73), "at most 72 bytes"},
		{"ErrLongPasswordInBytes", "ada@example.com", "Ada", strings.Repeat("é", 37), "at most 72 bytes, as bcrypt reads no more; yours has 74"},
		{"ErrLongLocalPart", strings.Repeat("a", 65) + "@example.com", "Ada", "password1", "before the @ can be at most 64 bytes"},
		{"ErrLongDomain", "a@" + domain(256), "Ada", "password1", "after the @ can be at most 255 bytes"},
		{"ErrLongEmail", strings.Repeat("a", 64) + "@" + domain(190), "Ada", "password1", "at most 254 bytes (RFC 5321); yours has 255"},
		{"ErrNULInEmail", "ada\x00@example.com", "Ada", "password1", "email address contains a control character"},
		{"ErrTabInEmail", "ada\t@example.com", "Ada", "password1", "email address contains a control character"},
		{"ErrNULInName", "ada@example.com", "Ada\x00Lovelace", "password1", "name contains a control character"},
		{"ErrNewlineInName", "ada@example.com", "Ada\nLovelace", "password1", "name contains a control character"},
		{"ErrC1InName", "ada@example.com", "Ada\u0085Lovelace", "password1", "name contains a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db, _ := newService(t)
			_, err := s.Register(ctx, tc.email, tc.userName, tc.password)
			if got, want := tollgate.ErrorCode(err), tollgate.EINVALID; got != want {
				t.Fatalf("code = %q (%v), want %q", got, err, want)
			}
			if msg := tollgate.ErrorMessage(err); !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tc.wantMsg)
			}
			if _, err := db.UserByEmail(ctx, "ada@example.com"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
				t.Errorf("a user was stored despite the error: %v", err)
			}
		})
	}
}

// domain returns a well-formed domain name of n bytes (n >= 5), in labels short enough for DNS.
func domain(n int) string {
	label := strings.Repeat("d", 50) + "."
	k := (n - 5) / len(label)
	return strings.Repeat(label, k) + strings.Repeat("d", n-4-k*len(label)) + ".com"
}

func TestRegisterLimits(t *testing.T) {
	ctx := context.Background()
	// Each input at its longest or shortest allowed.
	for _, tc := range []struct {
		name, email, userName, password string
	}{
		{"OKLongestEmail", strings.Repeat("a", 64) + "@" + domain(189), "Ada", "password1"},
		{"OKLongestName", "ada@example.com", strings.Repeat("n", 100), "password1"},
		{"OKShortestPassword", "ada@example.com", "Ada", "éééé"},
		{"OKLongestPassword", "ada@example.com", "Ada", strings.Repeat("é", 36)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(tc.email); tc.name == "OKLongestEmail" && got != 254 {
				t.Fatalf("the test's address is %d bytes, want 254", got)
			}
			s, _, _ := newService(t)
			if _, err := s.Register(ctx, tc.email, tc.userName, tc.password); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("ErrEveryMistakeAtOnce", func(t *testing.T) {
		s, _, _ := newService(t)
		_, err := s.Register(ctx, "not-an-email", "Ada\x00", "short")
		var e *tollgate.Error
		if !errors.As(err, &e) || e.Code != tollgate.EINVALID {
			t.Fatalf("err = %v, want an invalid *tollgate.Error", err)
		}
		want := []tollgate.FieldError{
			{Field: auth.FieldEmail, Message: `"not-an-email" is not an email address like ada@example.com.`},
			{Field: auth.FieldName, Message: "Your name contains a control character (such as a tab, a line break or NUL); please remove it."},
			{Field: auth.FieldPassword, Message: "Your password must be at least 8 bytes; yours has 5."},
		}
		if !slices.Equal(e.Fields, want) {
			t.Errorf("fields = %q\nwant     %q", e.Fields, want)
		}
		for _, f := range want {
			if !strings.Contains(tollgate.ErrorMessage(err), f.Message) {
				t.Errorf("message %q lacks %q", tollgate.ErrorMessage(err), f.Message)
			}
		}
	})

	t.Run("ErrTwoMistakes", func(t *testing.T) {
		s, _, _ := newService(t)
		_, err := s.Register(ctx, "ada@example.com", "", "")
		var e *tollgate.Error
		if !errors.As(err, &e) {
			t.Fatalf("err = %v, want a *tollgate.Error", err)
		}
		var fields []string
		for _, f := range e.Fields {
			fields = append(fields, f.Field)
		}
		if got, want := strings.Join(fields, ","), "name,password"; got != want {
			t.Errorf("fields = %s, want %s", got, want)
		}
	})
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*auth.Service, *fakeClock) {
		s, _, clock := newService(t)
		if _, err := s.Register(ctx, "ada@example.com", "Ada", "correct horse"); err != nil {
			t.Fatal(err)
		}
		return s, clock
	}

	t.Run("OK", func(t *testing.T) {
		s, _ := setup(t)
		u, err := s.Login(ctx, " ADA@example.com", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := u.Name, "Ada"; got != want {
			t.Errorf("name = %q, want %q", got, want)
		}
	})

	t.Run("ErrWrongPasswordSameAsUnknownEmail", func(t *testing.T) {
		s, _ := setup(t)
		_, wrong := s.Login(ctx, "ada@example.com", "wrong password")
		_, unknown := s.Login(ctx, "nobody@example.com", "wrong password")
		if tollgate.ErrorCode(wrong) != tollgate.EUNAUTHORIZED || tollgate.ErrorCode(unknown) != tollgate.EUNAUTHORIZED {
			t.Fatalf("codes = %q, %q; want unauthorized", tollgate.ErrorCode(wrong), tollgate.ErrorCode(unknown))
		}
		if a, b := tollgate.ErrorMessage(wrong), tollgate.ErrorMessage(unknown); a != b {
			t.Errorf("messages differ, which tells whether the email exists: %q vs %q", a, b)
		}
	})

	t.Run("ErrEmptyPassword", func(t *testing.T) {
		s, _ := setup(t)
		if _, err := s.Login(ctx, "ada@example.com", ""); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("err = %v, want invalid", err)
		}
	})

	t.Run("ErrThrottled", func(t *testing.T) {
		s, clock := setup(t)
		for i := 0; i < 3; i++ {
			if _, err := s.Login(ctx, "ada@example.com", "guess"); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
				t.Fatalf("attempt %d: %v, want unauthorized", i, err)
			}
		}
		// Out of attempts: even the right password is refused until time passes.
		_, err := s.Login(ctx, "ada@example.com", "correct horse")
		if got, want := tollgate.ErrorCode(err), tollgate.ETOOMANY; got != want {
			t.Fatalf("code = %q (%v), want %q", got, err, want)
		}
		if msg := tollgate.ErrorMessage(err); !strings.Contains(msg, "30 seconds") {
			t.Errorf("message = %q, want the wait in seconds", msg)
		}
		// Another email is not affected.
		if _, err := s.Login(ctx, "other@example.com", "guess"); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
			t.Errorf("other email: %v, want unauthorized", err)
		}
		clock.Add(30 * time.Second)
		if _, err := s.Login(ctx, "ada@example.com", "correct horse"); err != nil {
			t.Fatalf("after the cooldown: %v", err)
		}
		// Success resets the count: three more failures are allowed again.
		for i := 0; i < 3; i++ {
			if _, err := s.Login(ctx, "ada@example.com", "guess"); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
				t.Fatalf("after reset, attempt %d: %v", i, err)
			}
		}
	})
}

func TestLoginConcurrentGuesses(t *testing.T) {
	// 50 guesses at once, the right password among them: the attempts are
	// spent before bcrypt runs, so no more than the allowed number are ever
	// checked, and the rest are slowed down whatever their order.
	ctx := context.Background()
	s, _, _ := newService(t)
	if _, err := s.Register(ctx, "ada@example.com", "Ada", "correct horse"); err != nil {
		t.Fatal(err)
	}
	const guesses, attempts = 50, 3 // newService allows 3 attempts
	codes := make([]string, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			password := "wrong guess"
			if i == 37 {
				password = "correct horse"
			}
			_, err := s.Login(ctx, "ada@example.com", password)
			codes[i] = tollgate.ErrorCode(err)
		}()
	}
	wg.Wait()
	checked, throttled := 0, 0
	for _, c := range codes {
		switch c {
		case "", tollgate.EUNAUTHORIZED: // the password was checked
			checked++
		case tollgate.ETOOMANY:
			throttled++
		default:
			t.Errorf("unexpected outcome %q", c)
		}
	}
	if checked > attempts || throttled < guesses-attempts {
		t.Errorf("%d passwords checked and %d throttled, want at most %d checked: %v", checked, throttled, attempts, codes)
	}
}

func TestSession(t *testing.T) {
	var s auth.Session
	if _, err := s.User(); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
		t.Fatalf("empty session: %v, want unauthorized", err)
	}
	s.Set(&tollgate.User{ID: 7})
	if u, err := s.User(); err != nil || u.ID != 7 {
		t.Fatalf("User() = %v, %v", u, err)
	}
	s.Set(nil)
	if _, err := s.User(); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
		t.Fatalf("after logout: %v, want unauthorized", err)
	}
}
