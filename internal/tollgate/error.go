package tollgate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	// Fields, when set, says what is wrong with each input of a form, so that a
	// form shows every mistake at once, each beside its input; Message says
	// them all in one text for whatever shows only text.
	Fields []FieldError
}

// FieldError is what is wrong with one input of a form.
type FieldError struct {
	Field   string `json:"field"`   // the input's name in the form, such as "email"
	Message string `json:"message"` // safe to show, as Error.Message
}

// Invalid returns an EINVALID *Error holding every input's problem, in the
// form's order, or nil when fields is empty.
func Invalid(fields ...FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = f.Message
	}
	return &Error{Code: EINVALID, Message: strings.Join(msgs, " "), Fields: fields}
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

// ErrorReply is the text a bound method rejects with, which
// frontend/src/errors.ts reads: the message of ErrorMessage, or, for an error
// about a form's inputs, the JSON object {"message": ..., "fields": [{"field":
// ..., "message": ...}]}, since a rejection carries one string and the form
// needs to know which message goes beside which input.
func ErrorReply(err error) string {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		b, err := json.Marshal(struct {
			Message string       `json:"message"`
			Fields  []FieldError `json:"fields"`
		}{e.Message, e.Fields})
		if err == nil {
			return string(b)
		}
	}
	return ErrorMessage(err)
}
