package knowledge

import (
	"errors"
	"fmt"
)

// Error codes, classified once at an adapter's edge.
const (
	EINVALID     = "invalid"     // the user's input cannot be used
	ENOTFOUND    = "not_found"   // no such article, feed or schedule
	ECONFLICT    = "conflict"    // already exists
	EFORBIDDEN   = "forbidden"   // the user may not do that
	ERATELIMIT   = "rate_limit"  // too many requests, here or upstream
	ETIMEOUT     = "timeout"     // an upstream took too long
	EUNAVAILABLE = "unavailable" // an upstream (model, site, Discord) failed
	EINTERNAL    = "internal"    // a bug or an unexpected failure
)

// Error is an error with a code and a message a user may read. Err keeps
// the cause for the logs.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error implements error; it includes the cause so logs get it once.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with code and message that keeps cause.
func WrapError(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic sentence that reveals nothing
// internal.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "Something went wrong on my side. Please try again later."
}
