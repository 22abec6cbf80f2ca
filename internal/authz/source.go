// Package authz decides whether a call's principal may perform its action on its
// resources (guide 1.2.3 and 1.3): RAM policy documents, evaluated with explicit
// Deny over Allow and default deny for RAM users; root accounts may do anything.
package authz

import (
	"context"

	"github.com/ecsd/ecsd/internal/reqctx"
)

// PolicySource returns the policy documents (RAM policy JSON, `Version "1"`)
// that apply to a principal of an account: for a RAM user those attached to it
// directly and through its groups, for an assumed role those attached to the
// role. The session policy of an assumed role is not among them (it is in the
// Principal). Documents are immutable once returned, so the evaluator may cache
// their parsed form keyed by the document text.
type PolicySource interface {
	Policies(ctx context.Context, accountID int64, p reqctx.Principal) ([]string, error)
}
