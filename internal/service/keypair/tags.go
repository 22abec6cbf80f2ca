package keypair

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Tag limits of guide 1.15.1 (AddTags).
const (
	maxTagKeyLength   = 64
	maxTagValueLength = 128
)

// ErrTagKeyMalformed is the guide's answer for a tag key that breaks the rules
// of 1.15.1.
func ErrTagKeyMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
}

// ErrTagValueMalformed is the guide's answer for a tag value that breaks the
// rules of 1.15.1.
func ErrTagValueMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.")
}

// checkTags applies the rules of guide 1.15.1: a key has 1 to 64 characters, a
// value at most 128, and neither starts with "aliyun", "http://" or "https://".
// Of two tags with one key the later wins; the result keeps first-seen order.
func checkTags(tags []store.Tag) ([]store.Tag, error) {
	out := make([]store.Tag, 0, len(tags))
	for _, tag := range tags {
		if n := utf8.RuneCountInString(tag.Key); n == 0 || n > maxTagKeyLength || reservedTagPrefix(tag.Key) {
			return nil, ErrTagKeyMalformed()
		}
		if utf8.RuneCountInString(tag.Value) > maxTagValueLength || reservedTagPrefix(tag.Value) {
			return nil, ErrTagValueMalformed()
		}
		if i := slices.IndexFunc(out, func(t store.Tag) bool { return t.Key == tag.Key }); i >= 0 {
			out[i].Value = tag.Value
			continue
		}
		out = append(out, tag)
	}
	return out, nil
}

// reservedTagPrefix reports whether s starts with a prefix tags may not use.
func reservedTagPrefix(s string) bool {
	for _, p := range []string{"aliyun", "http://", "https://"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
