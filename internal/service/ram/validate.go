package ram

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/ram/policydoc"
)

var (
	userNameRE   = regexp.MustCompile(`^[a-zA-Z0-9.@\-_]+$`)
	groupNameRE  = regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)
	roleNameRE   = regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)
	policyNameRE = regexp.MustCompile(`^[a-zA-Z0-9\-]+$`)
	versionIDRE  = regexp.MustCompile(`^v[1-9][0-9]*$`)
	phoneRE      = regexp.MustCompile(`^[0-9]{1,6}-[0-9]{4,20}$`)
	emailRE      = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Length limits of RAM parameters.
const (
	maxNameLen        = 64
	maxPolicyNameLen  = 128
	maxDisplayNameLen = 128
	maxCommentsLen    = 128
	maxDescriptionLen = 1024
	maxDocumentLen    = 6144
)

// checkName validates a user, group or role name parameter.
func checkName(param, value string, re *regexp.Regexp, maxLen int) error {
	if value == "" {
		return apierr.MissingParameter(param)
	}
	if utf8.RuneCountInString(value) > maxLen {
		return errLength(param)
	}
	if !re.MatchString(value) {
		return errInvalidChars(param)
	}
	return nil
}

func checkUserName(param, v string) error  { return checkName(param, v, userNameRE, maxNameLen) }
func checkGroupName(param, v string) error { return checkName(param, v, groupNameRE, maxNameLen) }
func checkRoleName(param, v string) error  { return checkName(param, v, roleNameRE, maxNameLen) }
func checkPolicyName(param, v string) error {
	return checkName(param, v, policyNameRE, maxPolicyNameLen)
}

// checkMaxLen answers InvalidParameter.<param>.Length for a value over max characters.
func checkMaxLen(param, value string, max int) error {
	if utf8.RuneCountInString(value) > max {
		return errLength(param)
	}
	return nil
}

// userFields are the descriptive fields of CreateUser and UpdateUser.
type userFields struct {
	displayName, mobilePhone, email, comments string
}

// check validates the fields under their parameter names (prefix "New" for UpdateUser).
func (f userFields) check(prefix string) error {
	if err := checkMaxLen(prefix+"DisplayName", f.displayName, maxDisplayNameLen); err != nil {
		return err
	}
	if f.mobilePhone != "" && !phoneRE.MatchString(f.mobilePhone) {
		return errFormat(prefix + "MobilePhone")
	}
	if f.email != "" && !emailRE.MatchString(f.email) {
		return errFormat(prefix + "Email")
	}
	return checkMaxLen(prefix+"Comments", f.comments, maxCommentsLen)
}

// checkPolicyType validates a PolicyType parameter ("System" or "Custom").
func checkPolicyType(t string) error {
	if t != "System" && t != "Custom" {
		if t == "" {
			return apierr.MissingParameter("PolicyType")
		}
		return errPolicyType()
	}
	return nil
}

// checkDocument validates a policy document parameter of kind k.
func checkDocument(param, text string, k policydoc.Kind) error {
	if strings.TrimSpace(text) == "" {
		return apierr.MissingParameter(param)
	}
	if len(text) > maxDocumentLen {
		return errLength(param)
	}
	if _, err := policydoc.Parse(text, k); err != nil {
		return ErrMalformedPolicyDocument(err.Error())
	}
	return nil
}

func checkVersionID(v string) error {
	if v == "" {
		return apierr.MissingParameter("VersionId")
	}
	if !versionIDRE.MatchString(v) {
		return errFormat("VersionId")
	}
	return nil
}
