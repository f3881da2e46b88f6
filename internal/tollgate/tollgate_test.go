package tollgate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/tollgate"
)

func TestError(t *testing.T) {
	wrapped := fmt.Errorf("store: put user: %w", tollgate.Errorf(tollgate.ECONFLICT, "Taken: %s.", "ada@example.com"))
	if got, want := tollgate.ErrorCode(wrapped), tollgate.ECONFLICT; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	if got, want := tollgate.ErrorMessage(wrapped), "Taken: ada@example.com."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	internal := fmt.Errorf("store: %w", errors.New("open /secret/path: permission denied"))
	if got := tollgate.ErrorCode(internal); got != tollgate.EINTERNAL {
		t.Errorf("code of a plain error = %q, want internal", got)
	}
	if msg := tollgate.ErrorMessage(internal); strings.Contains(msg, "/secret/path") {
		t.Errorf("an internal error's detail reached the user: %q", msg)
	}
	if tollgate.ErrorCode(nil) != "" || tollgate.ErrorMessage(nil) != "" {
		t.Error("nil has a code or message")
	}
}

func TestInvalid(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		if err := tollgate.Invalid(); err != nil {
			t.Errorf("Invalid() = %v, want nil", err)
		}
	})

	t.Run("ErrSeveralFields", func(t *testing.T) {
		err := fmt.Errorf("auth: register: %w", tollgate.Invalid(
			tollgate.FieldError{Field: "email", Message: "Please enter your email address."},
			tollgate.FieldError{Field: "password", Message: "Please choose a password."},
		))
		if got, want := tollgate.ErrorCode(err), tollgate.EINVALID; got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
		if got, want := tollgate.ErrorMessage(err), "Please enter your email address. Please choose a password."; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})
}

func TestErrorReply(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Without fields the reply is the message, as a plain string the frontend shows as it is.
		if got, want := tollgate.ErrorReply(tollgate.Errorf(tollgate.ECONFLICT, "Taken.")), "Taken."; got != want {
			t.Errorf("reply = %q, want %q", got, want)
		}
		if got := tollgate.ErrorReply(errors.New("open /secret/path: denied")); strings.Contains(got, "/secret/path") {
			t.Errorf("an internal error's detail reached the user: %q", got)
		}
	})

	t.Run("Fields", func(t *testing.T) {
		err := fmt.Errorf("auth: %w", tollgate.Invalid(
			tollgate.FieldError{Field: "email", Message: `"a@b" is not an email address.`},
			tollgate.FieldError{Field: "name", Message: "Please enter your name."},
		))
		var reply struct {
			Message string
			Fields  []tollgate.FieldError
		}
		if err := json.Unmarshal([]byte(tollgate.ErrorReply(err)), &reply); err != nil {
			t.Fatalf("reply %q is not JSON: %v", tollgate.ErrorReply(err), err)
		}
		if got, want := reply.Message, tollgate.ErrorMessage(err); got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if got, want := fmt.Sprint(reply.Fields), `[{email "a@b" is not an email address.} {name Please enter your name.}]`; got != want {
			t.Errorf("fields = %s, want %s", got, want)
		}
	})
}

func TestCheckStripeKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"sk_test_abc": true, "rk_test_abc": true,
		"sk_live_abc": false, "rk_live_abc": false, "pk_test_abc": false, "": false, "whsec_abc": false,
	} {
		if err := tollgate.CheckStripeKey(key); (err == nil) != ok {
			t.Errorf("CheckStripeKey(%q) = %v, want ok=%v", key, err, ok)
		}
	}
}

func TestSubscriptionLive(t *testing.T) {
	for status, live := range map[string]bool{
		"trialing": true, "active": true, "past_due": true, "unpaid": true, "incomplete": true, "paused": true,
		"canceled": false, "incomplete_expired": false,
	} {
		if got := (&tollgate.Subscription{Status: status}).Live(); got != live {
			t.Errorf("%s: Live() = %v, want %v", status, got, live)
		}
	}
}

func TestEntitlementsHas(t *testing.T) {
	e := &tollgate.Entitlements{LookupKeys: []string{"test-access-2"}}
	if e.Has(tollgate.FeatureTestAccess) || !e.Has(tollgate.FeatureTestAccess2) {
		t.Errorf("Has on %v is wrong", e.LookupKeys)
	}
}
