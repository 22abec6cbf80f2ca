package wire

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// class is the family of a scalar Go type.
type class uint8

const (
	classNone class = iota
	classString
	classBool
	classInt
	classUint
	classFloat
)

func classOf(k reflect.Kind) class {
	switch k {
	case reflect.String:
		return classString
	case reflect.Bool:
		return classBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return classInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return classUint
	case reflect.Float32, reflect.Float64:
		return classFloat
	}
	return classNone
}

func bitsOf(t reflect.Type) int {
	switch classOf(t.Kind()) {
	case classInt, classUint, classFloat:
		return t.Bits()
	}
	return 0
}

// bound is an inclusive min or max, stored in the representation of its class.
type bound struct {
	set bool
	i   int64
	u   uint64
	f   float64
}

// leaf is a scalar wire value and its validation rules.
type leaf struct {
	class    class
	bits     int
	enum     []string // allowed values (strings)
	maxLen   int      // maximum length in runes (strings); 0: none
	min, max bound    // inclusive bounds (numbers)
}

func (l *leaf) numeric() bool {
	return l.class == classInt || l.class == classUint || l.class == classFloat
}

// parseBound parses a min/max tag value for l's class.
func (l *leaf) parseBound(s string) (bound, error) {
	b := bound{set: true}
	var err error
	switch l.class {
	case classInt:
		b.i, err = strconv.ParseInt(s, 10, l.bits)
	case classUint:
		b.u, err = strconv.ParseUint(s, 10, l.bits)
	default:
		b.f, err = strconv.ParseFloat(s, l.bits)
		if err == nil && (math.IsNaN(b.f) || math.IsInf(b.f, 0)) {
			err = errors.New("not finite")
		}
	}
	return b, err
}

// cmp compares two bounds (or a value held in a bound) of l's class.
func (l *leaf) cmp(a, b bound) int {
	switch l.class {
	case classInt:
		return compare(a.i, b.i)
	case classUint:
		return compare(a.u, b.u)
	}
	return compare(a.f, b.f)
}

func compare[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// set parses the non-empty wire value s into v (whose kind is l's class) and
// validates it. It returns "" on success and the reason otherwise. An empty
// string is stored without validation (it means "not specified").
func (l *leaf) set(v reflect.Value, s string) string {
	var b bound
	var err error
	switch l.class {
	case classString:
		if s == "" {
			v.SetString("")
			return ""
		}
		if reason := l.checkString(s); reason != "" {
			return reason
		}
		v.SetString(s)
		return ""
	case classBool:
		switch {
		case strings.EqualFold(s, "true"):
			v.SetBool(true)
		case strings.EqualFold(s, "false"):
			v.SetBool(false)
		default:
			return "not a boolean (true or false)"
		}
		return ""
	case classInt:
		b.i, err = strconv.ParseInt(s, 10, l.bits)
	case classUint:
		b.u, err = parseUint(s, l.bits)
	default:
		b.f, err = strconv.ParseFloat(s, l.bits)
		if err == nil && (math.IsNaN(b.f) || math.IsInf(b.f, 0)) {
			return "not a finite number"
		}
	}
	if reason := l.checkNumber(b, err); reason != "" {
		return reason
	}
	switch l.class {
	case classInt:
		v.SetInt(b.i)
	case classUint:
		v.SetUint(b.u)
	default:
		v.SetFloat(b.f)
	}
	return ""
}

// parseUint is strconv.ParseUint with an optional leading '+'.
func parseUint(s string, bits int) (uint64, error) {
	if len(s) > 1 && s[0] == '+' {
		s = s[1:]
	}
	return strconv.ParseUint(s, 10, bits)
}

// checkString validates a non-empty string value.
func (l *leaf) checkString(s string) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if l.maxLen > 0 && utf8.RuneCountInString(s) > l.maxLen {
		return fmt.Sprintf("longer than %d characters", l.maxLen)
	}
	if l.enum != nil && !slices.Contains(l.enum, s) {
		return "must be one of " + strings.Join(l.enum, "|")
	}
	return ""
}

// checkNumber turns a parse error into a reason and checks min and max.
func (l *leaf) checkNumber(b bound, err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return "number out of range"
	}
	if err != nil {
		if l.class == classFloat {
			return "not a number"
		}
		return "not an integer"
	}
	if l.min.set && l.cmp(b, l.min) < 0 {
		return "must be at least " + l.formatBound(l.min)
	}
	if l.max.set && l.cmp(b, l.max) > 0 {
		return "must be at most " + l.formatBound(l.max)
	}
	return ""
}

func (l *leaf) formatBound(b bound) string {
	switch l.class {
	case classInt:
		return strconv.FormatInt(b.i, 10)
	case classUint:
		return strconv.FormatUint(b.u, 10)
	}
	return strconv.FormatFloat(b.f, 'g', -1, 64)
}

// format renders a scalar value of l's class as the wire string.
func (l *leaf) format(v reflect.Value) (string, error) {
	switch l.class {
	case classString:
		return v.String(), nil
	case classBool:
		return strconv.FormatBool(v.Bool()), nil
	case classInt:
		return strconv.FormatInt(v.Int(), 10), nil
	case classUint:
		return strconv.FormatUint(v.Uint(), 10), nil
	}
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", errors.New("not a finite number")
	}
	return strconv.FormatFloat(f, 'g', -1, l.bits), nil
}
