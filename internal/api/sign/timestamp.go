package sign

import (
	"fmt"
	"math"
	"time"
)

// TimestampLayout is the request time format of the Timestamp parameter (V1)
// and the x-acs-date header (V3): ISO 8601 in UTC.
const TimestampLayout = "2006-01-02T15:04:05Z"

// ParseTimestamp parses a request time in the form YYYY-MM-DDThh:mm:ssZ,
// also accepting 1 to 9 fractional-second digits before the Z
// (2006-01-02T15:04:05.000Z), which some clients send. Anything else
// (offsets other than Z, missing zero padding, trailing text) is an error.
// The result is in UTC.
func ParseTimestamp(s string) (time.Time, error) {
	if !timestampShape(s) {
		return time.Time{}, fmt.Errorf("timestamp %q is not in the form %s", s, TimestampLayout)
	}
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

// timestampShape checks the exact character layout
// dddd-dd-ddTdd:dd:dd[.d{1,9}]Z that time.Parse alone would accept more
// loosely (it takes one-digit hours, for instance).
func timestampShape(s string) bool {
	const pattern = "dddd-dd-ddTdd:dd:dd"
	n := len(pattern)
	if len(s) < n+1 || s[len(s)-1] != 'Z' {
		return false
	}
	for i := 0; i < n; i++ {
		if !shapeMatch(pattern[i], s[i]) {
			return false
		}
	}
	frac := s[n : len(s)-1]
	if frac == "" {
		return true
	}
	if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
		return false
	}
	for i := 1; i < len(frac); i++ {
		if !isDigit(frac[i]) {
			return false
		}
	}
	return true
}

// shapeMatch reports whether c fits pattern byte p ('d' = any digit).
func shapeMatch(p, c byte) bool {
	if p == 'd' {
		return isDigit(c)
	}
	return p == c
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// WithinWindow reports whether ts lies within window of now, in either
// direction (clock skew both ways): |now - ts| <= window. A negative window
// accepts nothing, and neither does any window when the distance is too large
// for a time.Duration (about 292 years).
func WithinWindow(ts, now time.Time, window time.Duration) bool {
	if window < 0 {
		return false
	}
	d := now.Sub(ts)
	if d == math.MaxInt64 || d == math.MinInt64 {
		return false // Sub saturated: the real distance exceeds any Duration
	}
	return d >= -window && d <= window
}
