// Package apierr holds the one table of API error codes ecsd answers with and the
// one function that turns any error into an API error (Code, HTTP status, message).
//
// Domain code returns either an *Error built here (when the guide names a code for
// that exact situation) or a sentinel error wrapped with %w; FromError maps both.
package apierr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Error is an API error as the client sees it: the guide's Code, HTTP status and Message.
type Error struct {
	Code       string
	HTTPStatus int
	Message    string
	// Recommend is an optional hint rendered as the envelope's Recommend field.
	Recommend string
	cause     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Is makes errors.Is(err, apierr.New(code, ...)) match on Code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// New builds an error with an explicit code, status and message.
func New(code string, status int, message string) *Error {
	return &Error{Code: code, HTTPStatus: status, Message: message}
}

// Newf builds an error with a formatted message.
func Newf(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, HTTPStatus: status, Message: fmt.Sprintf(format, args...)}
}

// WithCause returns a copy of e that wraps cause (kept for logs, never rendered).
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// BadRequest is a 400 error with the given code and message.
func BadRequest(code, message string) *Error { return New(code, http.StatusBadRequest, message) }

// NotFound is a 404 error with the given code and message; every *.NotFound code is 404.
func NotFound(code, message string) *Error { return New(code, http.StatusNotFound, message) }

// Forbidden is a 403 error with the given code and message.
func Forbidden(code, message string) *Error { return New(code, http.StatusForbidden, message) }

// MissingParameter is the guide's error for an absent mandatory parameter.
func MissingParameter(name string) *Error {
	return BadRequest("MissingParameter",
		fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name))
}

// InvalidParameter is the guide's generic error for a parameter whose value is not valid.
func InvalidParameter(name string) *Error {
	return BadRequest("InvalidParameter", fmt.Sprintf("The specified parameter %q is not valid.", name))
}

// ErrRegionNotFound is the guide's answer for an unknown RegionId (1.18.4).
func ErrRegionNotFound() *Error {
	return NotFound("InvalidRegionId.NotFound", "The specified RegionId does not exist.")
}

// DryRunOperation is Alibaba Cloud's answer to a DryRun request whose checks all
// passed (the guide documents no DryRun).
func DryRunOperation() *Error {
	return BadRequest("DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

// NotImplemented answers an action the guide documents but ecsd does not implement yet.
func NotImplemented(action string) *Error {
	return New("NotImplemented", http.StatusNotImplemented,
		fmt.Sprintf("The action %q is documented by the ECS guide but not implemented by ecsd yet.", action))
}

// InternalError is the answer for an unexpected failure; the cause is logged, not rendered.
func InternalError(cause error) *Error {
	return New("InternalError", http.StatusInternalServerError,
		"The request processing has failed due to some unknown error, exception or failure.").WithCause(cause)
}

// ServiceUnavailable is the answer for a transient failure (the store is busy, shutting down).
func ServiceUnavailable(cause error) *Error {
	return New("ServiceUnavailable", http.StatusServiceUnavailable,
		"The request has failed due to a temporary failure of the server.").WithCause(cause)
}

// Mapper turns domain errors that are not *Error into an *Error; it returns nil when it
// does not recognise err. Packages that own sentinel errors provide one.
type Mapper func(err error) *Error

// FromError maps any error to an *Error: an *Error (anywhere in the chain) is returned
// as is, then each mapper is tried in order, then context cancellation becomes
// ServiceUnavailable, and anything else InternalError.
func FromError(err error, mappers ...Mapper) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, m := range mappers {
		if mapped := m(err); mapped != nil {
			return mapped.WithCause(err)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ServiceUnavailable(err)
	}
	return InternalError(err)
}
