// Package sts issues temporary credentials (STS 2015-04-01): AssumeRole checks
// the role's trust policy against the caller and hands out an "STS." AccessKey
// pair with a SecurityToken that acts as the role until it expires;
// GetCallerIdentity says who a call acts as. Tokens are kept in the store, so
// they survive restarts and every API server of a deployment accepts them.
package sts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/service/ram/policydoc"
	"github.com/ecsd/ecsd/internal/store"
)

// Limits of AssumeRole.
const (
	MinDurationSeconds     = 900
	DefaultDurationSeconds = 3600
	maxSessionPolicyBytes  = 2048
	// expiredKept is how long an expired token stays in the store, so that
	// using it answers InvalidSecurityToken.Expired rather than an unknown key.
	expiredKept = 24 * time.Hour
)

// KeyPrefix starts every temporary AccessKey ID.
const KeyPrefix = "STS."

// IDs generates the random parts of credentials.
type IDs interface {
	NewSecret() string
}

// Clock tells the time tokens are issued and checked with.
type Clock interface{ Now() time.Time }

// Deps are what the service needs.
type Deps struct {
	Store store.Store
	IDs   IDs
	Clock Clock
}

// Service implements the STS actions.
type Service struct{ deps Deps }

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }

// Caller is who calls.
type Caller struct {
	AccountID int64
	Principal reqctx.Principal
}

// AssumeRoleInput are the parameters of AssumeRole.
type AssumeRoleInput struct {
	RoleArn, RoleSessionName, Policy, ExternalID string
	// DurationSeconds is nil for the default (3600, or less when the role allows less).
	DurationSeconds *int
}

// Credentials are a temporary credential as AssumeRole answers it.
type Credentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	// Expiration is when the credential stops working, IssuedAt when it was made.
	Expiration, IssuedAt time.Time
	// AssumedRoleID is "<RoleId>:<RoleSessionName>", Arn the assumed role's ARN.
	AssumedRoleID, Arn string
}

var (
	roleArnRE     = regexp.MustCompile(`^acs:ram::([0-9]+):role/([a-zA-Z0-9.\-_]{1,64})$`)
	sessionNameRE = regexp.MustCompile(`^[a-zA-Z0-9.@\-_]{2,64}$`)
)

func errRoleArn() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
}

func errNoPermission() *apierr.Error {
	return apierr.Forbidden("NoPermission", "You are not authorized to do this action. You should be authorized by RAM.")
}

// AssumeRole issues a temporary credential for the role RoleArn names, when
// that role's trust policy names the caller (its account, itself as a RAM
// user or role); the role may belong to another account that trusts the
// caller's. A RAM user also needs sts:AssumeRole in its own policies, which
// internal/authz checks before the call gets here.
func (s *Service) AssumeRole(ctx context.Context, c Caller, in AssumeRoleInput) (Credentials, error) {
	if in.RoleArn == "" {
		return Credentials{}, apierr.MissingParameter("RoleArn")
	}
	m := roleArnRE.FindStringSubmatch(in.RoleArn)
	if m == nil {
		return Credentials{}, errRoleArn()
	}
	roleAccount, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return Credentials{}, errRoleArn()
	}
	if in.RoleSessionName == "" {
		return Credentials{}, apierr.MissingParameter("RoleSessionName")
	}
	if !sessionNameRE.MatchString(in.RoleSessionName) {
		return Credentials{}, apierr.BadRequest("InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
	}
	if len(in.Policy) > maxSessionPolicyBytes {
		return Credentials{}, apierr.BadRequest("InvalidParameter.PolicySize",
			fmt.Sprintf("The size of Policy must be smaller than %d bytes.", maxSessionPolicyBytes))
	}
	if in.Policy != "" {
		if _, err := policydoc.Parse(in.Policy, policydoc.Permission); err != nil {
			return Credentials{}, apierr.BadRequest("InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.")
		}
	}
	var out Credentials
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		role, err := ram.FindRole(tx, roleAccount, m[2])
		if errors.Is(err, store.ErrNotFound) {
			return apierr.New("EntityNotExist.Role", http.StatusNotFound, "The role does not exist.")
		}
		if err != nil {
			return err
		}
		trust, err := policydoc.Parse(role.AssumeRolePolicy, policydoc.Trust)
		if err != nil || !trust.Trusts(trustCaller(c, in.ExternalID)) {
			return errNoPermission()
		}
		duration, err := sessionDuration(in.DurationSeconds, role.MaxSessionDuration)
		if err != nil {
			return err
		}
		out, err = s.issue(tx, role, in.RoleSessionName, in.Policy, duration)
		return err
	})
	if err != nil {
		return Credentials{}, fmt.Errorf("assume role %s: %w", in.RoleArn, err)
	}
	return out, nil
}

// issue records a temporary credential acting as role for duration, inside tx.
func (s *Service) issue(tx store.Tx, role store.RAMRole, sessionName, policy string, duration time.Duration) (Credentials, error) {
	now := s.deps.Clock.Now().UTC().Truncate(time.Second)
	if _, err := tx.DeleteExpiredSTSTokens(now.Add(-expiredKept)); err != nil {
		return Credentials{}, err
	}
	tok := store.STSToken{
		AccessKeyID: KeyPrefix + s.deps.IDs.NewSecret()[:25], Secret: s.deps.IDs.NewSecret() + s.deps.IDs.NewSecret()[:14],
		SecurityToken: "CAIS" + s.deps.IDs.NewSecret() + s.deps.IDs.NewSecret() + s.deps.IDs.NewSecret() + s.deps.IDs.NewSecret(),
		AccountID:     role.AccountID, RoleID: role.ID, RoleName: role.Name, SessionName: sessionName,
		SessionPolicy: policy, CreatedAt: now, ExpiresAt: now.Add(duration),
	}
	if err := tx.CreateSTSToken(tok); err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKeyID: tok.AccessKeyID, AccessKeySecret: tok.Secret, SecurityToken: tok.SecurityToken,
		Expiration: tok.ExpiresAt, IssuedAt: tok.CreatedAt, AssumedRoleID: role.ID + ":" + sessionName,
		Arn: ram.RoleARN(role.AccountID, role.Name) + "/" + sessionName}, nil
}

// trustCaller describes c as a trust policy sees it.
func trustCaller(c Caller, externalID string) policydoc.Caller {
	tc := policydoc.Caller{AccountID: c.AccountID, ExternalID: externalID}
	switch c.Principal.Kind {
	case reqctx.PrincipalUser:
		tc.UserName = c.Principal.UserName
	case reqctx.PrincipalRole:
		tc.RoleName = c.Principal.RoleName
	}
	return tc
}

// sessionDuration checks DurationSeconds against 900 and the role's maximum.
func sessionDuration(requested *int, roleMax int) (time.Duration, error) {
	if roleMax < DefaultDurationSeconds {
		roleMax = DefaultDurationSeconds
	}
	if requested == nil {
		return DefaultDurationSeconds * time.Second, nil
	}
	if *requested < MinDurationSeconds || *requested > roleMax {
		limit := "1hr"
		if roleMax != DefaultDurationSeconds {
			limit = strconv.Itoa(roleMax) + "s"
		}
		return 0, apierr.BadRequest("InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/"+limit+".")
	}
	return time.Duration(*requested) * time.Second, nil
}

// Identity is what GetCallerIdentity answers.
type Identity struct {
	// IdentityType is "Account", "RAMUser" or "AssumedRoleUser".
	IdentityType                     string
	AccountID                        int64
	Arn, PrincipalID, UserID, RoleID string
}

// GetCallerIdentity describes the caller.
func (s *Service) GetCallerIdentity(_ context.Context, c Caller) Identity {
	acct := strconv.FormatInt(c.AccountID, 10)
	p := c.Principal
	switch p.Kind {
	case reqctx.PrincipalUser:
		return Identity{IdentityType: "RAMUser", AccountID: c.AccountID, UserID: p.UserID, PrincipalID: p.UserID,
			Arn: "acs:ram::" + acct + ":user/" + p.UserName}
	case reqctx.PrincipalRole:
		return Identity{IdentityType: "AssumedRoleUser", AccountID: c.AccountID, RoleID: p.RoleID,
			PrincipalID: p.RoleID + ":" + p.SessionName,
			Arn:         "acs:ram::" + acct + ":assumed-role/" + strings.ToLower(p.RoleName) + "/" + p.SessionName}
	}
	return Identity{IdentityType: "Account", AccountID: c.AccountID, PrincipalID: acct, Arn: "acs:ram::" + acct + ":root"}
}
