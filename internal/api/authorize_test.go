package api

import (
	"context"
	"net/url"
	"testing"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// recordingAuthorizer remembers what it was asked and refuses RAM users.
type recordingAuthorizer struct {
	calls []reqctx.Call
	seen  []wire.Params
}

func (a *recordingAuthorizer) Authorize(_ context.Context, c *reqctx.Call, p wire.Params) error {
	a.calls = append(a.calls, *c)
	a.seen = append(a.seen, p)
	if c.Principal.Kind == reqctx.PrincipalUser {
		return apierr.Forbidden("Forbidden.RAM", "User not authorized to operate the specified resource, or this API doesn't support RAM.")
	}
	return nil
}

func newAuthorizingServer(t *testing.T) (*Server, *recordingAuthorizer) {
	t.Helper()
	s := newTestServer(t)
	authz := &recordingAuthorizer{}
	s.cfg.Authorizer = authz
	s.cfg.Credentials = fakeCredentials{
		"AK1": {AccessKeyID: "AK1", Secret: "S1", AccountID: 42, Active: true},
		"USER1": {AccessKeyID: "USER1", Secret: "U1", AccountID: 42, Active: true,
			Principal: reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: "u-1", UserName: "alice"}},
	}
	return s, authz
}

func TestAuthorizerSeesThePrincipalRegionAndParametersBeforeTheHandler(t *testing.T) {
	s, authz := newAuthorizingServer(t)
	status, body := do(t, s, signedParams("Who", "USER1", "U1", "a1", url.Values{"InstanceId": {"i-1"}}))
	if status != 403 || body["Code"] != "Forbidden.RAM" {
		t.Fatalf("RAM user: %d %v", status, body)
	}
	if len(authz.calls) != 1 {
		t.Fatalf("authorizer called %d times", len(authz.calls))
	}
	c := authz.calls[0]
	if c.Principal.UserName != "alice" || c.AccountID != 42 || c.Action != "Who" || c.Version != testAPI.Version ||
		c.RegionID != "cn-hangzhou" || c.SourceIP == "" {
		t.Fatalf("authorizer saw %+v", c)
	}
	if authz.seen[0].Get("InstanceId") != "i-1" || authz.seen[0].Get("RegionId") != "cn-hangzhou" {
		t.Fatalf("authorizer saw parameters %v", authz.seen[0])
	}
	status, body = do(t, s, signedParams("Who", "AK1", "S1", "a2", nil))
	if status != 200 || body["AccountId"] != float64(42) {
		t.Fatalf("root: %d %v", status, body)
	}
}

func TestAuthorizationComesAfterAuthenticationAndRegionAndBeforeNotImplemented(t *testing.T) {
	s, authz := newAuthorizingServer(t)
	cases := []struct {
		name   string
		params url.Values
		status int
		code   string
	}{
		{"bad signature is not authorized", signedParams("Who", "USER1", "nope", "b1", nil), 400, "SignatureDoesNotMatch"},
		{"unknown region is not authorized", signedParams("Who", "USER1", "U1", "b2", url.Values{"RegionId": {"mars-1"}}), 404, "InvalidRegionId.NotFound"},
		{"unknown action is not authorized", signedParams("Nope", "USER1", "U1", "b3", nil), 403, "InvalidAction"},
		{"unimplemented action is authorized first", signedParams("Later", "USER1", "U1", "b4", nil), 403, "Forbidden.RAM"},
		{"root reaches NotImplemented", signedParams("Later", "AK1", "S1", "b5", nil), 501, "NotImplemented"},
	}
	for _, c := range cases {
		before := len(authz.calls)
		status, body := do(t, s, c.params)
		if status != c.status || body["Code"] != c.code {
			t.Errorf("%s: got %d %v, want %d %s", c.name, status, body["Code"], c.status, c.code)
		}
		asked := len(authz.calls) > before
		if wantAsked := c.code == "Forbidden.RAM" || c.code == "NotImplemented"; asked != wantAsked {
			t.Errorf("%s: authorizer asked=%v", c.name, asked)
		}
	}
}
