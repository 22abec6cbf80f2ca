package wire

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ErrorKind says what is wrong with a call's parameters.
type ErrorKind int

// The kinds of *Error. The zero ErrorKind is not a valid kind.
const (
	// KindMissing: a required parameter is absent or empty (MissingParameter).
	KindMissing ErrorKind = iota + 1
	// KindInvalid: a value is not a valid number, boolean, enum value, JSON value,
	// or is out of its min/max/maxLen bounds (InvalidParameter).
	KindInvalid
	// KindTooMany: a list holds more items than its maxItems (or the default cap).
	KindTooMany
	// KindMalformedList: a list index is not a canonical positive decimal,
	// e.g. `Tag.0.Key`, `Tag.x.Key`, `Tag.01.Key`, `Tag..Key`.
	KindMalformedList
)

// String returns a short lower-case name of the kind.
func (k ErrorKind) String() string {
	switch k {
	case KindMissing:
		return "missing"
	case KindInvalid:
		return "invalid"
	case KindTooMany:
		return "too many"
	case KindMalformedList:
		return "malformed list"
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the first problem Decode found in a call's parameters.
type Error struct {
	// Kind says what went wrong.
	Kind ErrorKind
	// Param is the full wire name of the parameter as the client sent it or would
	// send it: "ImageId", "DataDisk.2.Size", "NetworkInterface.1.SecurityGroupIds".
	Param string
	// Value is the offending value as sent ("" for KindMissing and KindTooMany).
	Value string
	// Reason is a short lower-case explanation, e.g. "not an integer".
	Reason string
}

// maxErrorValue caps how much of Value Error() quotes.
const maxErrorValue = 64

// Error implements the error interface.
func (e *Error) Error() string {
	switch e.Kind {
	case KindMissing:
		return "wire: missing parameter " + e.Param
	case KindTooMany:
		return fmt.Sprintf("wire: too many items in parameter %s: %s", e.Param, e.Reason)
	case KindMalformedList:
		return fmt.Sprintf("wire: malformed list parameter %s: %s", e.Param, e.Reason)
	}
	return fmt.Sprintf("wire: invalid parameter %s=%q: %s", e.Param, truncate(e.Value), e.Reason)
}

// truncate shortens s to maxErrorValue runes for messages.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxErrorValue {
		return s
	}
	n := 0
	for i := range s {
		if n == maxErrorValue {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func missing(param string) *Error {
	return &Error{Kind: KindMissing, Param: param, Reason: "required"}
}

func invalid(param, value, reason string) *Error {
	return &Error{Kind: KindInvalid, Param: param, Value: value, Reason: reason}
}

func tooMany(param string, limit int) *Error {
	return &Error{Kind: KindTooMany, Param: param, Reason: "at most " + strconv.Itoa(limit) + " allowed"}
}

func malformed(param, value, reason string) *Error {
	return &Error{Kind: KindMalformedList, Param: param, Value: value, Reason: reason}
}
