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
}

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
