package tollgate

import (
	"errors"
	"fmt"
)

// Error codes: a small closed set, so that one place can decide what the user sees.
const (
	EINTERNAL     = "internal"     // a fault of ours; the user sees a generic message and it is logged
	EINVALID      = "invalid"      // bad input; the message says what to fix
	ENOTFOUND     = "not_found"    // no such thing
	ECONFLICT     = "conflict"     // would break a uniqueness rule
	EUNAUTHORIZED = "unauthorized" // not logged in, or wrong credentials
	EFORBIDDEN    = "forbidden"    // logged in but not entitled
	ETOOMANY      = "too_many"     // slowed down after repeated failures
	EUNAVAILABLE  = "unavailable"  // a dependency (Stripe, the tunnel) cannot be reached
)

// Error is an error meant for the user: Message is safe to show as it is.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("tollgate error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a generic one
// so that no detail of the machine leaks to the screen.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong inside Tollgate; the log has the details."
}
