package tag

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/store"
)

// Limits of guide 1.15 and, for the actions the guide lacks, of the official
// SDKs' documentation.
const (
	// MaxKeyLength and MaxValueLength bound a key and a value, in characters (1.15.1).
	MaxKeyLength   = 64
	MaxValueLength = 128
	// MaxPerCall is how many Tag.n AddTags, RemoveTags and DescribeTags take
	// (1.15: "n 从 1 开始，最大为 5").
	MaxPerCall = 5
	// MaxPerBatch is how many Tag.N (or TagKey.N) TagResources, UntagResources
	// and ListTagResources take (SDK: "Valid values of N: 1 to 20").
	MaxPerBatch = 20
	// MaxResourcesPerBatch is how many ResourceId.N they take (SDK: 1 to 50).
	MaxResourcesPerBatch = 50
	// MaxFilters is how many TagFilter.N ListTagResources takes, and
	// MaxFilterValues how many TagValues.N each (SDK: 1 to 5).
	MaxFilters      = 5
	MaxFilterValues = 5
	// MaxPerResource is how many tags one ECS resource carries (1.15.1: "每个资源
	// 最多可以绑定 10 个 Tag").
	MaxPerResource = 10
	// MaxPerVPCResource is how many tags one VPC or VSwitch carries (the VPC
	// API's limit; the guide does not cover VPC resources).
	MaxPerVPCResource = 20
)

// reservedPrefixes start no key or value (1.15.1).
func reservedPrefixes() []string { return []string{"aliyun", "http://", "https://"} }

// reserved reports whether s starts with a reserved prefix.
func reserved(s string) bool {
	return slices.ContainsFunc(reservedPrefixes(), func(p string) bool { return strings.HasPrefix(s, p) })
}

// ValidKey reports whether key may be a tag key (1.15.1): 1 to 64 characters,
// not starting with aliyun, http:// or https://.
func ValidKey(key string) bool {
	n := utf8.RuneCountInString(key)
	return n > 0 && n <= MaxKeyLength && !reserved(key)
}

// ValidValue reports whether value may be a tag value (1.15.1): at most 128
// characters (empty is fine), not starting with aliyun, http:// or https://.
func ValidValue(value string) bool {
	return utf8.RuneCountInString(value) <= MaxValueLength && !reserved(value)
}

// Validate checks tags to be put on a resource against guide 1.15.1 and
// returns them with repeated keys folded: the later value wins, the order is
// that of first appearance. A value without a key is ErrMismatch, a bad key
// ErrKeyMalformed, a bad value ErrValueMalformed. It does not count the tags:
// each action has its own bound.
func Validate(tags []store.Tag) ([]store.Tag, error) {
	out := make([]store.Tag, 0, len(tags))
	for _, t := range tags {
		if t.Key == "" && t.Value != "" {
			return nil, ErrMismatch()
		}
		if !ValidKey(t.Key) {
			return nil, ErrKeyMalformed()
		}
		if !ValidValue(t.Value) {
			return nil, ErrValueMalformed()
		}
		if i := slices.IndexFunc(out, func(o store.Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// CheckQuota answers ErrQuotaExceed when putting adding on a resource that
// carries existing would leave it with more than limit tags. Keys it already
// has only change their values, so a resource over the limit (tagged at
// creation with more) may still have its values changed.
func CheckQuota(existing, adding []store.Tag, limit int) error {
	added := 0
	for _, t := range adding {
		if !slices.ContainsFunc(existing, func(e store.Tag) bool { return e.Key == t.Key }) {
			added++
		}
	}
	if added > 0 && len(existing)+added > limit {
		return ErrQuotaExceed()
	}
	return nil
}

// checkFilter checks the Tag.n filter of DescribeTags (1.15.3): at most five,
// each with a key of at most 64 characters and a value of at most 128.
func checkFilter(tags []store.Tag) error {
	if len(tags) > MaxPerCall {
		return ErrCount()
	}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > MaxKeyLength {
			return errDescribeKeyMalformed()
		}
		if utf8.RuneCountInString(t.Value) > MaxValueLength {
			return errDescribeValueMalformed()
		}
	}
	return nil
}
