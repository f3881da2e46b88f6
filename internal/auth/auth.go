// Package auth registers and logs in local Tollgate users: it validates input,
// hashes passwords with bcrypt and slows down repeated failed logins.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Password length bounds, in bytes of UTF-8. bcrypt reads at most 72 bytes, so
// a longer password would silently be cut; refusing it is the honest answer.
// The minimum is in bytes too, so that the form speaks of one unit only (a
// letter, digit or space is one byte; an accented letter two, an emoji four).
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
	maxNameLen       = 100 // characters: a limit for the screen, not for bcrypt
)

// RFC 5321's limits on an address, in bytes (its octets): the local part
// (before the @) 64, the domain 255, and the whole address 254, the longest
// that fits in a path of 256 with its angle brackets.
const (
	maxLocalPartBytes = 64
	maxDomainBytes    = 255
	maxEmailBytes     = 254
)

// The names of the registration form's inputs, which each FieldError names.
const (
	FieldEmail    = "email"
	FieldName     = "name"
	FieldPassword = "password"
)

// Service implements registration and login over a UserStore.
type Service struct {
	users    tollgate.UserStore
	cost     int
	throttle *throttle
	// dummyHash is compared against when an email is unknown, so that a failed
	// login takes as long whether or not the account exists.
	dummyHash []byte
}

// Options tune the service; the zero value is right for the app.
type Options struct {
	Cost     int              // bcrypt cost; bcrypt.DefaultCost when 0 (tests use bcrypt.MinCost)
	Now      func() time.Time // clock for throttling; time.Now when nil
	Attempts int              // failed logins allowed in a row per email before slowing down; 5 when 0
	Cooldown time.Duration    // time that earns back one attempt; 30 s when 0
}

// New returns a Service storing users in users.
func New(users tollgate.UserStore, o Options) *Service {
	if o.Cost == 0 {
		o.Cost = bcrypt.DefaultCost
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Attempts == 0 {
		o.Attempts = 5
	}
	if o.Cooldown == 0 {
		o.Cooldown = 30 * time.Second
	}
	dummy, _ := bcrypt.GenerateFromPassword([]byte("tollgate-dummy-password"), o.Cost)
	return &Service{users: users, cost: o.Cost, throttle: newThrottle(o.Now, o.Attempts, o.Cooldown), dummyHash: dummy}
}

// Register validates the input, hashes the password and creates the user.
// Every input is checked, so that one answer names every mistake (a
// tollgate.Invalid error with a FieldError per wrong input).
func (s *Service) Register(ctx context.Context, email, name, password string) (*tollgate.User, error) {
	var wrong []tollgate.FieldError
	check := func(field string, err error) {
		if err != nil {
			wrong = append(wrong, tollgate.FieldError{Field: field, Message: tollgate.ErrorMessage(err)})
		}
	}
	email, err := NormalizeEmail(email)
	check(FieldEmail, err)
	name, err = normalizeName(name)
	check(FieldName, err)
	check(FieldPassword, checkPassword(password))
	if err := tollgate.Invalid(wrong...); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return nil, fmt.Errorf("auth: hash password: %w", err)
	}
	u := &tollgate.User{Email: email, Name: name, PasswordHash: hash}
	if err := s.users.CreateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("auth: register: %w", err)
	}
	return u, nil
}

// errBadLogin is the one answer to every failed login, so that it never tells
// whether the email has an account.
var errBadLogin = tollgate.Errorf(tollgate.EUNAUTHORIZED, "Email or password is incorrect.")

// Login returns the user whose email and password match. After too many failures
// for one email it refuses every attempt for a while, even a right one.
func (s *Service) Login(ctx context.Context, email, password string) (*tollgate.User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, tollgate.Errorf(tollgate.EINVALID, "Please enter your password.")
	}
	if wait := s.throttle.take(email); wait > 0 {
		return nil, tollgate.Errorf(tollgate.ETOOMANY, "Too many failed logins for this email. Try again in %d seconds.", max(1, int(wait.Round(time.Second)/time.Second)))
	}
	u, err := s.users.UserByEmail(ctx, email)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return nil, errBadLogin
	} else if err != nil {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	if err := bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)); errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return nil, errBadLogin
	} else if err != nil {
		return nil, fmt.Errorf("auth: compare password: %w", err)
	}
	s.throttle.reset(email)
	return u, nil
}

// NormalizeEmail trims and lower-cases an address and checks that it is a bare
// address such as ada@example.com (no display name, no angle brackets) within
// RFC 5321's lengths.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", tollgate.Errorf(tollgate.EINVALID, "Please enter your email address.")
	}
	if hasControl(email) {
		return "", tollgate.Errorf(tollgate.EINVALID, "Your email address contains a control character (such as a tab or NUL); please remove it.")
	}
	// The most precise limit first: a long domain also makes a long address.
	if at := strings.LastIndex(email, "@"); at >= 0 {
		if n := len(email[:at]); n > maxLocalPartBytes {
			return "", tollgate.Errorf(tollgate.EINVALID, "The part of your email address before the @ can be at most %d bytes (RFC 5321); yours has %d.", maxLocalPartBytes, n)
		}
		if n := len(email[at+1:]); n > maxDomainBytes {
			return "", tollgate.Errorf(tollgate.EINVALID, "The part of your email address after the @ can be at most %d bytes (RFC 5321); yours has %d.", maxDomainBytes, n)
		}
	}
	if n := len(email); n > maxEmailBytes {
		return "", tollgate.Errorf(tollgate.EINVALID, "Your email address can be at most %d bytes (RFC 5321); yours has %d.", maxEmailBytes, n)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", tollgate.Errorf(tollgate.EINVALID, "%q is not an email address like ada@example.com.", email)
	}
	return email, nil
}

// normalizeName trims a name and checks that it is one line of text of a
// length the screen can show.
func normalizeName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", tollgate.Errorf(tollgate.EINVALID, "Please enter your name.")
	case hasControl(name):
		return "", tollgate.Errorf(tollgate.EINVALID, "Your name contains a control character (such as a tab, a line break or NUL); please remove it.")
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", tollgate.Errorf(tollgate.EINVALID, "Your name must be at most %d characters.", maxNameLen)
	}
	return name, nil
}

// checkPassword counts bytes, bcrypt's unit, for both bounds.
func checkPassword(p string) error {
	switch {
	case p == "":
		return tollgate.Errorf(tollgate.EINVALID, "Please choose a password.")
	case len(p) < MinPasswordBytes:
		return tollgate.Errorf(tollgate.EINVALID, "Your password must be at least %d bytes; yours has %d.", MinPasswordBytes, len(p))
	case len(p) > MaxPasswordBytes:
		return tollgate.Errorf(tollgate.EINVALID, "Your password must be at most %d bytes, as bcrypt reads no more; yours has %d (an accented letter is 2 bytes, an emoji 4).", MaxPasswordBytes, len(p))
	}
	return nil
}

// hasControl reports whether s holds a control character (C0, DEL or C1),
// which no address or name has and which would garble what shows it.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
