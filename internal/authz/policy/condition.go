package policy

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// family is the type of values an operator compares.
type family uint8

const (
	famString family = iota + 1
	famNumeric
	famDate
	famBool
	famIP
)

// compare is how an operator compares the request's value with a policy value.
type compare uint8

const (
	cmpEqual compare = iota + 1
	cmpEqualFold
	cmpLike
	cmpLess
	cmpLessEqual
	cmpGreater
	cmpGreaterEqual
	cmpInPrefix
)

// operatorSpec describes a condition operator: its family, its comparison and
// whether it is negated (true when no policy value matches).
type operatorSpec struct {
	family  family
	compare compare
	negated bool
}

// operators are RAM's condition operators.
var operators = map[string]operatorSpec{
	"StringEquals":              {famString, cmpEqual, false},
	"StringNotEquals":           {famString, cmpEqual, true},
	"StringEqualsIgnoreCase":    {famString, cmpEqualFold, false},
	"StringNotEqualsIgnoreCase": {famString, cmpEqualFold, true},
	"StringLike":                {famString, cmpLike, false},
	"StringNotLike":             {famString, cmpLike, true},
	"NumericEquals":             {famNumeric, cmpEqual, false},
	"NumericNotEquals":          {famNumeric, cmpEqual, true},
	"NumericLessThan":           {famNumeric, cmpLess, false},
	"NumericLessThanEquals":     {famNumeric, cmpLessEqual, false},
	"NumericGreaterThan":        {famNumeric, cmpGreater, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGreaterEqual, false},
	"DateEquals":                {famDate, cmpEqual, false},
	"DateNotEquals":             {famDate, cmpEqual, true},
	"DateLessThan":              {famDate, cmpLess, false},
	"DateLessThanEquals":        {famDate, cmpLessEqual, false},
	"DateGreaterThan":           {famDate, cmpGreater, false},
	"DateGreaterThanEquals":     {famDate, cmpGreaterEqual, false},
	"Bool":                      {famBool, cmpEqual, false},
	"IpAddress":                 {famIP, cmpInPrefix, false},
	"NotIpAddress":              {famIP, cmpInPrefix, true},
}

// Operators lists the condition operators the language has, sorted.
func Operators() []string {
	out := make([]string, 0, len(operators))
	for name := range operators {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// keyKind is where a condition key's value comes from.
type keyKind uint8

const (
	keySourceIP keyKind = iota + 1
	keyCurrentTime
	keySecureTransport
	keyMFAPresent
	// keyServiceTag is `<service>:tag/<key>` (ecs:tag/team): the tags of the
	// resource being accessed, or of the request when it creates the resource.
	keyServiceTag
	keyResourceTag
	keyRequestTag
	// keyOther is any other key, looked up in Env.Extra by its lower-case name.
	keyOther
)

// conditionKey is a parsed condition key.
type conditionKey struct {
	kind keyKind
	// name is the tag key (tag kinds, case kept) or the lower-case key (keyOther).
	name string
}

func parseKey(key string) (conditionKey, error) {
	colon := strings.IndexByte(key, ':')
	if colon <= 0 || colon == len(key)-1 {
		return conditionKey{}, fmt.Errorf("condition key %q is not of the form service:name", key)
	}
	lower := strings.ToLower(key)
	switch lower {
	case "acs:sourceip":
		return conditionKey{kind: keySourceIP}, nil
	case "acs:currenttime":
		return conditionKey{kind: keyCurrentTime}, nil
	case "acs:securetransport":
		return conditionKey{kind: keySecureTransport}, nil
	case "acs:mfapresent":
		return conditionKey{kind: keyMFAPresent}, nil
	}
	for _, t := range []struct {
		prefix string
		kind   keyKind
	}{{"acs:resourcetag/", keyResourceTag}, {"acs:requesttag/", keyRequestTag}} {
		if strings.HasPrefix(lower, t.prefix) {
			return tagKey(key, len(t.prefix), t.kind)
		}
	}
	if slash := strings.Index(lower, ":tag/"); slash > 0 && slash == colon && lower[:colon] != "acs" {
		return tagKey(key, colon+len(":tag/"), keyServiceTag)
	}
	return conditionKey{kind: keyOther, name: lower}, nil
}

func tagKey(key string, at int, kind keyKind) (conditionKey, error) {
	if at >= len(key) {
		return conditionKey{}, fmt.Errorf("condition key %q names no tag key", key)
	}
	return conditionKey{kind: kind, name: key[at:]}, nil
}

func (k conditionKey) readsTags() bool {
	return k.kind == keyServiceTag || k.kind == keyResourceTag || k.kind == keyRequestTag
}

// condition is one (operator, key, values) test of a statement.
type condition struct {
	op  operatorSpec
	key conditionKey
	// One of these holds the policy's values, by the operator's family.
	strs     []string
	nums     []float64
	times    []time.Time
	bools    []bool
	prefixes []netip.Prefix
}

// newCondition parses the values of one operator/key pair.
func newCondition(op operatorSpec, key conditionKey, values []string) (condition, error) {
	c := condition{op: op, key: key}
	for _, v := range values {
		switch op.family {
		case famString:
			c.strs = append(c.strs, v)
		case famNumeric:
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return c, fmt.Errorf("%q is not a number", v)
			}
			c.nums = append(c.nums, n)
		case famDate:
			t, err := parseDate(v)
			if err != nil {
				return c, err
			}
			c.times = append(c.times, t)
		case famBool:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				c.bools = append(c.bools, true)
			case "false":
				c.bools = append(c.bools, false)
			default:
				return c, fmt.Errorf("%q is not true or false", v)
			}
		case famIP:
			p, err := parsePrefix(v)
			if err != nil {
				return c, err
			}
			c.prefixes = append(c.prefixes, p)
		}
	}
	return c, nil
}

// dateLayouts are the ISO 8601 forms a date value may take.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02"}

func parseDate(v string) (time.Time, error) {
	s := strings.TrimSpace(v)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time such as 2026-01-02T15:04:05Z", v)
}

func parsePrefix(v string) (netip.Prefix, error) {
	s := strings.TrimSpace(v)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR block", v)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR block", v)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// eval reports whether the condition holds in env. A key the request does not
// have makes a positive operator false and a negated one true.
func (c *condition) eval(env *Env) bool {
	var matched, present bool
	switch c.op.family {
	case famString:
		v, ok := env.stringValue(c.key)
		present = ok
		matched = ok && c.matchString(v)
	case famNumeric:
		v, ok := env.stringValue(c.key)
		n, err := strconv.ParseFloat(v, 64)
		present = ok && err == nil
		matched = present && c.matchNumber(n)
	case famDate:
		t, ok := env.timeValue(c.key)
		present = ok
		matched = ok && c.matchTime(t)
	case famBool:
		b, ok := env.boolValue(c.key)
		present = ok
		matched = ok && c.matchBool(b)
	case famIP:
		a, ok := env.addrValue(c.key)
		present = ok
		matched = ok && c.matchAddr(a)
	}
	if !present {
		return c.op.negated
	}
	return matched != c.op.negated
}

func (c *condition) matchString(v string) bool {
	for _, want := range c.strs {
		switch c.op.compare {
		case cmpEqual:
			if v == want {
				return true
			}
		case cmpEqualFold:
			if strings.EqualFold(v, want) {
				return true
			}
		case cmpLike:
			if globMatch(want, v, false) {
				return true
			}
		}
	}
	return false
}

func (c *condition) matchNumber(n float64) bool {
	for _, want := range c.nums {
		if ordered(c.op.compare, compareFloat(n, want)) {
			return true
		}
	}
	return false
}

func (c *condition) matchTime(t time.Time) bool {
	for _, want := range c.times {
		if ordered(c.op.compare, t.Compare(want)) {
			return true
		}
	}
	return false
}

func (c *condition) matchBool(b bool) bool {
	for _, want := range c.bools {
		if b == want {
			return true
		}
	}
	return false
}

func (c *condition) matchAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range c.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ordered reports whether a comparison result (-1, 0, 1 of request vs policy
// value) satisfies cmp.
func ordered(cmp compare, r int) bool {
	switch cmp {
	case cmpEqual:
		return r == 0
	case cmpLess:
		return r < 0
	case cmpLessEqual:
		return r <= 0
	case cmpGreater:
		return r > 0
	case cmpGreaterEqual:
		return r >= 0
	}
	return false
}
