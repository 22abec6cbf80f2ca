package authz_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/authz"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// benchPolicies is a RAM user with 10 policies of 20 statements each, the one
// statement that allows the benchmarked call last (every statement is looked
// at: Deny statements must be, and the Allow comes at the end).
type benchPolicies struct{ docs []string }

func newBenchPolicies() benchPolicies {
	var docs []string
	for i := range 10 {
		var stmts []string
		for j := range 20 {
			var s string
			switch {
			case i == 9 && j == 19:
				s = `{"Effect":"Allow","Action":"ecs:StopInstance","Resource":"acs:ecs:*:*:instance/i-bench",
					"Condition":{"StringEquals":{"ecs:tag/team":"a"},"IpAddress":{"acs:SourceIp":"192.0.2.0/24"}}}`
			case j%4 == 0:
				s = fmt.Sprintf(`{"Effect":"Allow","Action":"ecs:Describe*","Resource":"acs:ecs:*:*:instance/i-other-%d-%d",
					"Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","172.16.0.0/12"]}}}`, i, j)
			case j%4 == 1:
				s = `{"Effect":"Allow","Action":["ecs:CreateDisk","ecs:AttachDisk","ecs:DetachDisk"],"Resource":"acs:ecs:*:*:disk/*"}`
			case j%4 == 2:
				s = `{"Effect":"Deny","Action":"ecs:DeleteInstance","Resource":"acs:ecs:*:*:instance/*",
					"Condition":{"StringEquals":{"ecs:tag/protected":"true"}}}`
			default:
				s = fmt.Sprintf(`{"Effect":"Allow","Action":["ecs:Start*","ecs:Reboot*"],"Resource":"acs:ecs:*:*:instance/i-team%d-*",
					"Condition":{"StringEquals":{"ecs:tag/team":"team-%d"}}}`, i, i)
			}
			stmts = append(stmts, s)
		}
		docs = append(docs, `{"Version":"1","Statement":[`+strings.Join(stmts, ",")+`]}`)
	}
	return benchPolicies{docs: docs}
}

// Policies returns the documents, as a caching source would (a store read
// adds its own cost; the parsed-policy cache then still hashes each document).
func (b benchPolicies) Policies(context.Context, int64, reqctx.Principal) ([]string, error) {
	return append([]string(nil), b.docs...), nil
}

type benchTags struct{}

func (benchTags) ResourceTags(_ context.Context, _ int64, _ string, refs []authz.ResourceRef) (map[authz.ResourceRef]map[string]string, error) {
	out := make(map[authz.ResourceRef]map[string]string, len(refs))
	for _, r := range refs {
		out[r] = map[string]string{"team": "a"}
	}
	return out, nil
}

type benchCredentials map[string]api.Credential

func (c benchCredentials) LookupAccessKey(_ context.Context, id string) (api.Credential, error) {
	return c[id], nil
}

type stopRequest struct {
	InstanceId string `param:"InstanceId,required"`
}

type stopResponse struct{}

// stopHandlers answers StopInstance at once, so the measurement is the front's.
type stopHandlers struct{}

func (stopHandlers) StopInstance(context.Context, *stopRequest) (*stopResponse, error) {
	return &stopResponse{}, nil
}

func newBenchFront(b *testing.B, authorizer api.Authorizer) (*api.Server, benchCredentials) {
	b.Helper()
	ecsAPI, err := apispec.ECS()
	if err != nil {
		b.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(ecsAPI, stopHandlers{}); err != nil {
		b.Fatal(err)
	}
	creds := benchCredentials{
		"ROOT": {AccessKeyID: "ROOT", Secret: "rootsecret", AccountID: 1234, Active: true},
		"USER": {AccessKeyID: "USER", Secret: "usersecret", AccountID: 1234, Active: true,
			Principal: reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: "u-1", UserName: "bench"}},
	}
	return api.NewServer(api.Config{Registry: reg, Credentials: creds, Nonces: sign.NewNonceCache(time.Hour, 1<<22),
		Clock: clock.Real{}, IDs: ids.Seeded(1), DefaultRegion: "cn-hangzhou", HostID: "bench",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Authorizer: authorizer}), creds
}

func signedStop(key, secret string, n int) *http.Request {
	p := url.Values{"Action": {"StopInstance"}, "Version": {"2014-05-26"}, "Format": {"JSON"}, "AccessKeyId": {key},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {fmt.Sprint(key, n)},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "RegionId": {"cn-hangzhou"}, "InstanceId": {"i-bench"}}
	p.Set("Signature", sign.SignV1(http.MethodGet, p, secret))
	r := httptest.NewRequest(http.MethodGet, "/?"+p.Encode(), nil)
	r.RemoteAddr = "192.0.2.7:40000"
	return r
}

// BenchmarkAuthorizationOverhead measures a signed StopInstance call through
// the API front (signature check, nonce, decoding, rendering; a handler that
// does nothing) by the root account and by a RAM user with 10 policies of 20
// statements (tag and IP conditions, the allowing statement last), in the same
// run, and reports both and their ratio (user/root).
func BenchmarkAuthorizationOverhead(b *testing.B) {
	authorizer, err := authz.New(authz.Config{Policies: newBenchPolicies(), Tags: benchTags{}, Clock: clock.Real{}})
	if err != nil {
		b.Fatal(err)
	}
	front, creds := newBenchFront(b, authorizer)
	for _, key := range []string{"ROOT", "USER"} {
		rec := httptest.NewRecorder()
		front.ServeHTTP(rec, signedStop(key, creds[key].Secret, -1))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", key, rec.Code, rec.Body)
		}
	}
	var rootTime, userTime time.Duration
	n := 0
	for b.Loop() {
		for _, key := range []string{"ROOT", "USER"} {
			req := signedStop(key, creds[key].Secret, n)
			rec := httptest.NewRecorder()
			start := time.Now()
			front.ServeHTTP(rec, req)
			elapsed := time.Since(start)
			if key == "ROOT" {
				rootTime += elapsed
			} else {
				userTime += elapsed
			}
		}
		n++
	}
	root, user := float64(rootTime.Nanoseconds())/float64(n), float64(userTime.Nanoseconds())/float64(n)
	b.ReportMetric(root, "root-ns/call")
	b.ReportMetric(user, "user-ns/call")
	b.ReportMetric(user-root, "added-ns/call")
	b.ReportMetric(user/root, "user/root")
}

// BenchmarkAuthorize measures Authorize alone for the same RAM user (policy
// lookup from a fake source, cache hits, resource resolution, tag lookup from
// a fake source, evaluation of 200 statements) and for the root account.
func BenchmarkAuthorize(b *testing.B) {
	authorizer, err := authz.New(authz.Config{Policies: newBenchPolicies(), Tags: benchTags{}, Clock: clock.Real{}})
	if err != nil {
		b.Fatal(err)
	}
	params := wire.Params{"InstanceId": {"i-bench"}, "RegionId": {"cn-hangzhou"}}
	for _, c := range []struct {
		name      string
		principal reqctx.Principal
	}{
		{"root", reqctx.Principal{}},
		{"user-10x20", reqctx.Principal{Kind: reqctx.PrincipalUser, UserName: "bench"}},
	} {
		call := &reqctx.Call{Action: "StopInstance", Version: "2014-05-26", AccountID: 1234, RegionID: "cn-hangzhou",
			SourceIP: "192.0.2.7", Principal: c.principal}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := authorizer.Authorize(context.Background(), call, params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
