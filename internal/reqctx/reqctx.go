// Package reqctx carries what the HTTP front learned about a call (who is calling,
// from where, in which region) to the handlers, through the request context.
package reqctx

import "context"

// Call describes one authenticated API call.
type Call struct {
	// RequestID is the RequestId of the answer.
	RequestID string
	// Action and Version are the dispatched API action and version.
	Action  string
	Version string
	// AccountID is the numeric ID of the account that owns the AccessKey.
	AccountID int64
	// AccessKeyID is the AccessKey that signed the request.
	AccessKeyID string
	// RegionID is the request's RegionId, or the server's default region when absent.
	RegionID string
	// SourceIP is the caller's address, without port.
	SourceIP string
	// Secure is true when the request arrived over TLS.
	Secure bool
	// Principal is the identity the call acts as within AccountID: the root
	// account, a RAM user, or an assumed RAM role.
	Principal Principal
}

// Principal kinds.
const (
	// PrincipalRoot is the account itself (its own AccessKeys): allowed everything.
	PrincipalRoot = "Root"
	// PrincipalUser is a RAM user of the account, allowed what its policies allow.
	PrincipalUser = "User"
	// PrincipalRole is a RAM role assumed through STS AssumeRole.
	PrincipalRole = "AssumedRole"
)

// Principal is who a call acts as. The zero value (Kind "") is treated as the
// root account, which is what every AccessKey was before RAM existed.
type Principal struct {
	// Kind is PrincipalRoot, PrincipalUser or PrincipalRole.
	Kind string
	// UserID and UserName name the RAM user (Kind PrincipalUser).
	UserID, UserName string
	// RoleID, RoleName and SessionName name the assumed role (Kind PrincipalRole).
	RoleID, RoleName, SessionName string
	// SessionPolicy is the policy document given to AssumeRole ("" when none);
	// it narrows what the role's policies allow.
	SessionPolicy string
}

// IsRoot reports whether p is the account itself.
func (p Principal) IsRoot() bool { return p.Kind == "" || p.Kind == PrincipalRoot }

type callKey struct{}

// With returns a context carrying c.
func With(ctx context.Context, c *Call) context.Context { return context.WithValue(ctx, callKey{}, c) }

// From returns the call carried by ctx, or an empty Call when there is none.
func From(ctx context.Context) *Call {
	if c, ok := ctx.Value(callKey{}).(*Call); ok {
		return c
	}
	return &Call{}
}
