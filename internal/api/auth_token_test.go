package api

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
)

type principalResponse struct {
	Kind, UserName, RoleName string
}

type principalHandlers struct{}

func (principalHandlers) Whom(ctx context.Context, _ *whoRequest) (*principalResponse, error) {
	p := reqctx.From(ctx).Principal
	return &principalResponse{Kind: p.Kind, UserName: p.UserName, RoleName: p.RoleName}, nil
}

// newTokenServer serves Whom with a permanent root key, a RAM user's key and
// an STS key that expires an hour after testNow on tokenClock.
func newTokenServer(t *testing.T, tokenClock Clock) *Server {
	t.Helper()
	r := NewRegistry()
	api := testAPI
	api.Actions = testActions("Whom")
	if err := r.Bind(api, principalHandlers{}); err != nil {
		t.Fatal(err)
	}
	return NewServer(Config{
		Registry: r,
		Credentials: fakeCredentials{
			"ROOT": {AccessKeyID: "ROOT", Secret: "S", AccountID: 1, Active: true},
			"USER": {AccessKeyID: "USER", Secret: "S", AccountID: 1, Active: true,
				Principal: reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: "9", UserName: "alice"}},
			"STS.K": {AccessKeyID: "STS.K", Secret: "S", AccountID: 1, Active: true, SecurityToken: "TOKEN",
				Expiration: testNow.Add(time.Hour), Principal: reqctx.Principal{Kind: reqctx.PrincipalRole, RoleName: "Ops"}},
		},
		Nonces: sign.NewNonceCache(30*time.Minute, 1000), Clock: clock.NewFake(testNow), TokenClock: tokenClock,
		IDs: ids.Seeded(1), DefaultRegion: "cn-hangzhou", HostID: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func TestCallsActAsTheKeysPrincipalAndSTSKeysNeedTheirToken(t *testing.T) {
	s := newTokenServer(t, nil)
	cases := []struct {
		ak, token, wantCode, wantKind, wantName string
		wantStatus                              int
	}{
		{"ROOT", "", "", reqctx.PrincipalRoot, "", 200},
		{"USER", "", "", reqctx.PrincipalUser, "alice", 200},
		{"STS.K", "TOKEN", "", reqctx.PrincipalRole, "Ops", 200},
		{"STS.K", "", "MissingSecurityToken", "", "", 400},
		{"STS.K", "OTHER", "InvalidSecurityToken.MismatchWithAccessKey", "", "", 400},
		{"ROOT", "TOKEN", "InvalidSecurityToken.MismatchWithAccessKey", "", "", 400},
	}
	for i, c := range cases {
		extra := url.Values{}
		if c.token != "" {
			extra.Set("SecurityToken", c.token)
		}
		status, body := do(t, s, signedParams("Whom", c.ak, "S", "n"+string(rune('a'+i)), extra))
		if status != c.wantStatus || c.wantCode != "" && body["Code"] != c.wantCode {
			t.Errorf("%s with token %q: %d %v, want %d %s", c.ak, c.token, status, body, c.wantStatus, c.wantCode)
			continue
		}
		if c.wantCode == "" && (body["Kind"] != c.wantKind || c.wantName != "" && body["UserName"] != c.wantName && body["RoleName"] != c.wantName) {
			t.Errorf("%s acts as %v, want %s %s", c.ak, body, c.wantKind, c.wantName)
		}
	}
}

func TestSTSKeyExpiresOnTheTokenClock(t *testing.T) {
	tokenClock := clock.NewFake(testNow.Add(59 * time.Minute))
	s := newTokenServer(t, tokenClock)
	if status, body := do(t, s, signedParams("Whom", "STS.K", "S", "n1", url.Values{"SecurityToken": {"TOKEN"}})); status != 200 {
		t.Fatalf("a minute before expiry: %d %v", status, body)
	}
	tokenClock.Set(testNow.Add(time.Hour))
	status, body := do(t, s, signedParams("Whom", "STS.K", "S", "n2", url.Values{"SecurityToken": {"TOKEN"}}))
	if status != 400 || body["Code"] != "InvalidSecurityToken.Expired" {
		t.Fatalf("at expiry: %d %v", status, body)
	}
	// The request clock is not the token clock: the timestamp is still accepted.
	if status, _ := do(t, s, signedParams("Whom", "ROOT", "S", "n3", nil)); status != 200 {
		t.Fatalf("a permanent key with the token clock moved: %d", status)
	}
}
