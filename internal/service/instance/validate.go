package instance

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Actions whose rules RunInput follows.
const (
	ActionRun    = "RunInstances"
	ActionCreate = "CreateInstance"
)

// Limits of the guide (1.5.1, 1.5.2, 1.15.1).
const (
	// MaxAmount is the most instances one RunInstances creates.
	MaxAmount = 100
	// MaxDataDisks is the most data disks an instance holds (DataDisk.n, n ≤ 16).
	MaxDataDisks = 16
	// MaxSecurityGroups is the most groups an instance joins (SecurityGroupIds.N).
	MaxSecurityGroups = 5
	// MaxInstancesPerGroup is the most instances in one security group.
	MaxInstancesPerGroup = 1000
	// MaxTags is the most Tag.n of RunInstances and of the DescribeInstances
	// filter ("n 的取值范围：[1, 5]").
	MaxTags = 5
	// maxUserData is the most bytes of user data before base64 (16 KiB).
	maxUserData = 16 << 10
	// Tag key and value lengths (1.15.1).
	maxTagKeyLen   = 64
	maxTagValueLen = 128
	// System disk sizes in GiB: RunInstances takes [20, 500], CreateInstance
	// [40, 500]; both default to max(40, image size).
	systemDiskMinRun     = 20
	systemDiskMinCreate  = 40
	systemDiskMax        = 500
	systemDiskDefaultMin = 40
	// Bandwidths in Mbit/s: in [1, 200] (default 200), out [0, 100] (default 0).
	bandwidthInMin, bandwidthInMax, bandwidthInDefault = 1, 200, 200
	bandwidthOutMax                                    = 100
	// AutoReleaseTime is at least half an hour and at most three years ahead.
	autoReleaseMin = 30 * time.Minute
	autoReleaseMax = 3 * 365 * 24 * time.Hour
)

// rules are the differences between RunInstances and CreateInstance: limits,
// allowed characters and the wording of errors.
type rules struct {
	action string
	// create is CreateInstance: one instance, left Stopped, no public IP.
	create bool
	// hostNameMax is the longest Linux host name (128, or 30 for CreateInstance).
	hostNameMax int
	// systemDiskMin is the smallest system disk.
	systemDiskMin int
	// nameExtra and diskNameExtra are the punctuation an instance name and a
	// disk name may contain besides letters, Chinese characters and digits.
	nameExtra, diskNameExtra string
}

func rulesFor(action string) rules {
	if action == ActionCreate {
		return rules{action: ActionCreate, create: true, hostNameMax: 30, systemDiskMin: systemDiskMinCreate,
			nameExtra: "._-", diskNameExtra: "_-"}
	}
	return rules{action: ActionRun, hostNameMax: 128, systemDiskMin: systemDiskMinRun,
		nameExtra: ".:_-", diskNameExtra: ":_-"}
}

// webPrefix reports whether s starts with http:// or https://, which names and
// descriptions may not.
func webPrefix(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// validName checks an instance or disk name: 2 to 128 characters, starting with
// a letter or a Chinese character, then letters, Chinese characters, digits and
// the extra punctuation.
func validName(s, extra string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 128 || webPrefix(s) {
		return false
	}
	for i, r := range s {
		letter := r < utf8.RuneSelf && unicode.IsLetter(r) || unicode.Is(unicode.Han, r)
		if i == 0 && !letter {
			return false
		}
		if !letter && !('0' <= r && r <= '9') && !strings.ContainsRune(extra, r) {
			return false
		}
	}
	return true
}

// validDescription checks a description: 2 to 256 characters, not a URL.
func validDescription(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 256 && !webPrefix(s)
}

// validHostName applies 1.5.1's HostName rules: '.' and '-' neither first, last
// nor next to each other; Windows: 2–15 letters, digits and '-', not all
// digits; others: 2–max characters, dot-separated segments of letters, digits
// and '-'.
func validHostName(s string, windows bool, max int) bool {
	if windows {
		max = 15
	}
	if len(s) < 2 || len(s) > max || strings.ContainsAny(s[:1]+s[len(s)-1:], ".-") {
		return false
	}
	for _, bad := range []string{"..", "--", ".-", "-."} {
		if strings.Contains(s, bad) {
			return false
		}
	}
	digits := true
	for _, r := range s {
		switch {
		case r == '.':
			if windows {
				return false
			}
			digits = false
		case r == '-' || r < utf8.RuneSelf && unicode.IsLetter(r):
			digits = false
		case '0' <= r && r <= '9':
		default:
			return false
		}
	}
	return !(windows && digits)
}

// passwordSpecials are the special characters a password may contain (1.5.2).
const passwordSpecials = "()`~!@#$%^&*-+={}[];:'<>,.?/"

// validPassword applies 1.5.2's rules: 8–30 characters, at least three of upper
// case letters, lower case letters, digits and the special characters, nothing
// else.
func validPassword(s string) bool {
	if len(s) < 8 || len(s) > 30 {
		return false
	}
	var upper, lower, digit, special bool
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSpecials, r):
			special = true
		default:
			return false
		}
	}
	kinds := 0
	for _, k := range []bool{upper, lower, digit, special} {
		if k {
			kinds++
		}
	}
	return kinds >= 3
}

// passwordHash is what the store keeps of a password: never the password.
func passwordHash(instanceID, password string) string {
	if password == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(instanceID + "\x00" + password))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// checkUserData decodes base64 user data and checks its size (1.5.1: at most
// 16 KiB before encoding).
func checkUserData(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, apierr.InvalidParameter("UserData")
	}
	if len(data) > maxUserData {
		return nil, errUserDataSize()
	}
	return data, nil
}

// checkTags applies 1.15.1 to Tag.n: at most MaxTags, keys of 1–64 characters,
// values of at most 128, neither starting with "aliyun", "http://" or
// "https://". Of two tags with one key the later wins.
func checkTags(tags []store.Tag) ([]store.Tag, error) {
	if len(tags) > MaxTags {
		return nil, errTagCount()
	}
	out := make([]store.Tag, 0, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > maxTagKeyLen || reservedTagPrefix(t.Key) {
			return nil, errTagKeyMalformed()
		}
		if utf8.RuneCountInString(t.Value) > maxTagValueLen || reservedTagPrefix(t.Value) {
			return nil, errTagValueMalformed()
		}
		if i := slices.IndexFunc(out, func(o store.Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func reservedTagPrefix(s string) bool {
	return strings.HasPrefix(s, "aliyun") || webPrefix(s)
}

// autoReleaseLayouts are the forms AutoReleaseTime takes: ISO 8601 in UTC,
// with seconds (the guide's) or to the minute.
var autoReleaseLayouts = [...]string{"2006-01-02T15:04:05Z", "2006-01-02T15:04Z"}

// parseAutoReleaseTime reads AutoReleaseTime (1.5.1): seconds are dropped (the
// time is taken at the start of its minute); it must lie between half an hour
// and three years after now.
func parseAutoReleaseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range autoReleaseLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		t = t.Truncate(time.Minute)
		if t.Before(now.Add(autoReleaseMin)) || t.After(now.Add(autoReleaseMax)) {
			return time.Time{}, errAutoReleaseTime()
		}
		return t, nil
	}
	return time.Time{}, errAutoReleaseTime()
}
