package policy

import "unicode/utf8"

// globMatch reports whether s matches pattern, where `*` matches any run of
// characters (also none) and `?` exactly one character; with fold, ASCII
// letters of s match regardless of case (pattern is then lower-case already).
// It runs in O(len(pattern)·len(s)) at worst and allocates nothing.
func globMatch(pattern, s string, fold bool) bool {
	p, i := 0, 0
	// star and starS remember the last `*` seen and where in s its match
	// started, to backtrack when a later part fails.
	star, starS := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				star, starS = p, i
				p++
				continue
			case '?':
				_, size := utf8.DecodeRuneInString(s[i:])
				p, i = p+1, i+size
				continue
			default:
				b := s[i]
				if fold && 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				if c == b {
					p, i = p+1, i+1
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		// Let the last `*` swallow one more character and retry after it.
		_, size := utf8.DecodeRuneInString(s[starS:])
		starS += size
		p, i = star+1, starS
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
