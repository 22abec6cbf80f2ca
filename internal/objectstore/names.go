package objectstore

import (
	"strings"
	"unicode/utf8"
)

// ValidBucketName tells whether name follows OSS's bucket naming rules: 3 to
// 63 characters of lower-case letters, digits and hyphens, starting and ending
// with a letter or a digit. Such a name is also a safe directory name.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(name)-1:
		default:
			return false
		}
	}
	return true
}

// ValidObjectKey tells whether key is a valid OSS object name: 1 to 1023
// bytes of UTF-8, not starting with '/' or '\', without NUL. Keys never name
// files (object files have generated names), so '/', ".." and the like are
// ordinary characters of a key.
func ValidObjectKey(key string) bool {
	return len(key) >= 1 && len(key) <= 1023 && utf8.ValidString(key) &&
		key[0] != '/' && key[0] != '\\' && !strings.ContainsRune(key, 0)
}
