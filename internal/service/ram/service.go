// Package ram owns the RAM identities inside an account (guide 1.2.3 and 1.3):
// RAM users and their AccessKeys, user groups, custom policies with their
// versions, the built-in system policies, roles with their trust policies, and
// which policies are attached to which user, group or role. It answers with
// RAM's own error codes (EntityNotExist.User, DeleteConflict.User.AccessKey …)
// and implements authz.PolicySource over the store.
//
// Every mutation is one store transaction; every lookup is scoped by the
// caller's account, so another account's users, groups, policies and roles
// answer exactly like missing ones.
package ram

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
)

// Limits of one account, RAM's defaults.
const (
	MaxUsers              = 1000
	MaxGroups             = 50
	MaxRoles              = 1000
	MaxCustomPolicies     = 1500
	MaxAccessKeysPerUser  = 2
	MaxGroupsPerUser      = 5
	MaxPolicyVersions     = 5
	MaxSystemPoliciesEach = 20 // system policies attached to one user, group or role
	MaxCustomPoliciesEach = 5  // custom policies attached to one user, group or role
)

// IDs generates numeric IDs and AccessKey pairs.
type IDs interface {
	// NewAccountID returns a positive 16-digit number (used for user, group and role IDs).
	NewAccountID() int64
	NewAccessKeyID() string
	NewSecret() string
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Deps are what the service needs.
type Deps struct {
	Store store.Store
	IDs   IDs
	Clock Clock
}

// Service implements the RAM use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }

// Caller is who calls: the account and the principal inside it.
type Caller struct {
	AccountID int64
	Principal reqctx.Principal
}

// Page asks for one page of a RAM list: Marker is the previous answer's
// Marker ("" for the first page), MaxItems 1–1000 (0 for the default 100).
type Page struct {
	Marker   string
	MaxItems int
}

// PageInfo is what a paged answer adds: IsTruncated and the Marker of the next page.
type PageInfo struct {
	IsTruncated bool
	Marker      string
}

// pageOf cuts one page out of items.
func pageOf[T any](items []T, p Page) ([]T, PageInfo, error) {
	size := p.MaxItems
	if size == 0 {
		size = 100
	}
	if size < 1 || size > 1000 {
		return nil, PageInfo{}, apierr.InvalidParameter("MaxItems")
	}
	start := 0
	if p.Marker != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.Marker)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(raw), "o"))
		if err != nil || perr != nil || !strings.HasPrefix(string(raw), "o") || n < 0 {
			return nil, PageInfo{}, apierr.InvalidParameter("Marker")
		}
		start = min(n, len(items))
	}
	end := min(start+size, len(items))
	out := items[start:end]
	if end < len(items) {
		return out, PageInfo{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(end)))}, nil
	}
	return out, PageInfo{}, nil
}

// newNumericID returns a 16-digit numeric-string ID.
func (s *Service) newNumericID() string {
	return strconv.FormatInt(s.deps.IDs.NewAccountID(), 10)
}

func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }

// RoleARN is the ARN of a role: acs:ram::<account>:role/<name>. RAM keeps the
// name's case in the ARN it stores; AssumeRole matches names case-insensitively.
func RoleARN(accountID int64, name string) string {
	return "acs:ram::" + strconv.FormatInt(accountID, 10) + ":role/" + strings.ToLower(name)
}
