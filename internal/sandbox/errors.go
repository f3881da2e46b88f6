package sandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is a Stripe error body; handlers return it and the router writes
// it as {"error":{...}} with Status as the HTTP status.
type apiError struct {
	Status      int    `json:"-"`
	Type        string `json:"type"`
	Code        string `json:"code,omitempty"`
	DeclineCode string `json:"decline_code,omitempty"`
	Message     string `json:"message"`
	Param       string `json:"param,omitempty"`
	DocURL      string `json:"doc_url,omitempty"`
	Charge      string `json:"charge,omitempty"` // a card error's declined charge
}

func (e *apiError) Error() string { return "sandbox: " + e.Type + ": " + e.Message }

const (
	typeInvalidRequest = "invalid_request_error"
	typeCard           = "card_error"
	typeAPI            = "api_error"
	typeIdempotency    = "idempotency_error"
)

func invalid(param, code, format string, args ...any) *apiError {
	e := &apiError{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: code, Param: param, Message: fmt.Sprintf(format, args...)}
	if code != "" {
		e.DocURL = docURL(code)
	}
	return e
}

// docURL is Stripe's page for an error code: its path spells the code with
// hyphens (resource_missing → …/error-codes/resource-missing).
func docURL(code string) string {
	return "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-")
}

func errMissing(param string) *apiError {
	return invalid(param, "parameter_missing", "Missing required param: %s.", param)
}

func errEmpty(param string) *apiError {
	return invalid(param, "parameter_invalid_empty", "You passed an empty string for '%s'. We assume empty values are an attempt to unset a parameter; however '%s' cannot be unset. You should remove '%s' from your request or supply a non-empty value.", param, param, param)
}

func errUnknownParam(param string) *apiError {
	return invalid(param, "parameter_unknown", "Received unknown parameter: %s", param)
}

func errNotFound(kind, id, param string) *apiError {
	e := invalid(param, "resource_missing", "No such %s: '%s'", kind, id)
	e.Status = http.StatusNotFound
	return e
}

func errCard(declineCode, message string) *apiError {
	return &apiError{Status: http.StatusPaymentRequired, Type: typeCard, Code: "card_declined", DeclineCode: declineCode, Message: message, DocURL: docURL("card_declined")}
}

func errAuth(message string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Type: typeInvalidRequest, Message: message}
}

func errInternal() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Type: typeAPI, Message: "An unexpected error occurred in the Tollgate sandbox; it has been logged."}
}
