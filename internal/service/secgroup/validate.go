package secgroup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// Limits of names, descriptions, tags and tokens.
const (
	maxCreateTags   = 20  // Tag.N of CreateSecurityGroup (SDK; the guide's AddTags takes 5 per call)
	maxFilterTags   = 5   // 1.11.10: Tag.n "最大为 5"
	maxRuleDescLen  = 512 // 1.11.14: [1, 512]
	maxGroupIDLen   = 100 // 1.11.13
	maxRevokeGroups = 10  // 1.11.4: "最多10个"
)

// hasURLPrefix reports whether s starts with http:// or https://, which the
// guide forbids for names, descriptions and tags.
func hasURLPrefix(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// validName checks a SecurityGroupName (1.11.1): 2–128 characters, starting with
// a letter or a Chinese character, then letters, Chinese characters, digits,
// ".", "_" or "-"; not starting with http:// or https://.
func validName(name string) bool {
	if n := utf8.RuneCountInString(name); n < 2 || n > 128 || hasURLPrefix(name) {
		return false
	}
	for i, r := range name {
		han := unicode.Is(unicode.Han, r)
		if i == 0 {
			if !isASCIILetter(r) && !han {
				return false
			}
			continue
		}
		if !isASCIILetter(r) && !han && !(r >= '0' && r <= '9') && r != '.' && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// validDescription checks a group Description (1.11.1): 2–256 characters, not
// starting with http:// or https://.
func validDescription(d string) bool {
	n := utf8.RuneCountInString(d)
	return n >= 2 && n <= 256 && !hasURLPrefix(d)
}

// checkTags validates the tags of a create call (guide 1.15.1, through the tag
// service's rules); a later tag with the key of an earlier one replaces it.
func checkTags(tags []store.Tag) ([]store.Tag, error) {
	if len(tags) > maxCreateTags {
		return nil, errTagCount()
	}
	return tag.Validate(tags)
}

// checkFilterTags validates the Tag.n filter of DescribeSecurityGroups.
func checkFilterTags(tags []store.Tag) error {
	if len(tags) > maxFilterTags {
		return errTagCount()
	}
	for _, t := range tags {
		if t.Key == "" {
			return errTagKeyMalformed()
		}
	}
	return nil
}

// validGroupID checks the shape ModifySecurityGroupPolicy demands of a
// SecurityGroupId (1.11.13): present, at most 100 characters, letters, digits,
// "_" and the "-" every security group ID has.
func validGroupID(id string) bool {
	if id == "" || len(id) > maxGroupIDLen {
		return false
	}
	for _, r := range id {
		if !isASCIILetter(r) && !(r >= '0' && r <= '9') && r != '_' && r != '-' {
			return false
		}
	}
	return true
}
