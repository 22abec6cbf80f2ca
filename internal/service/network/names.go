package network

import (
	"strings"
	"unicode/utf8"
)

// Length limits of names and descriptions, in characters (VPC API: names 2–128,
// descriptions 2–256, neither starting with http:// or https://). An empty value
// means "none" and is always accepted.
const (
	minNameLen, maxNameLen               = 2, 128
	minDescriptionLen, maxDescriptionLen = 2, 256
)

// validName reports whether s may name a VPC or VSwitch.
func validName(s string) bool { return validText(s, minNameLen, maxNameLen) }

// validDescription reports whether s may describe a VPC or VSwitch.
func validDescription(s string) bool { return validText(s, minDescriptionLen, maxDescriptionLen) }

func validText(s string, minLen, maxLen int) bool {
	if s == "" {
		return true
	}
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen {
		return false
	}
	lower := strings.ToLower(s)
	return !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://")
}
