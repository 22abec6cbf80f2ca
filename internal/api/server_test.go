package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
)

type fakeCredentials map[string]Credential

func (f fakeCredentials) LookupAccessKey(_ context.Context, id string) (Credential, error) {
	c, ok := f[id]
	if !ok {
		return Credential{}, ErrUnknownAccessKey
	}
	return c, nil
}

type whoRequest struct {
	RegionId string `param:"RegionId"`
}

type whoResponse struct {
	RegionId  string
	AccountId int64
}

type whoHandlers struct{}

func (whoHandlers) Who(ctx context.Context, req *whoRequest) (*whoResponse, error) {
	return &whoResponse{RegionId: req.RegionId, AccountId: reqctx.From(ctx).AccountID}, nil
}

func (whoHandlers) Boom(context.Context, *whoRequest) (*whoResponse, error) { panic("boom") }

var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	r := NewRegistry()
	api := testAPI
	api.Actions = append(api.Actions[:0:0], testAPI.Actions...)
	api.Actions = append(api.Actions, testActions("Who", "Boom")...)
	if err := r.Bind(api, whoHandlers{}); err != nil {
		t.Fatal(err)
	}
	return NewServer(Config{
		Registry: r,
		Credentials: fakeCredentials{
			"AK1": {AccessKeyID: "AK1", Secret: "S1", AccountID: 42, Active: true},
			"AK2": {AccessKeyID: "AK2", Secret: "S2", AccountID: 43, Active: false},
		},
		Nonces:        sign.NewNonceCache(30*time.Minute, 1000),
		Clock:         clock.NewFake(testNow),
		IDs:           ids.Seeded(1),
		DefaultRegion: "cn-hangzhou",
		KnownRegion:   func(id string) bool { return id == "cn-hangzhou" || id == "cn-beijing" },
		HostID:        "test",
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func testActions(names ...string) []apispec.Action {
	out := make([]apispec.Action, len(names))
	for i, n := range names {
		out[i] = apispec.Action{Name: n, Section: "1.2." + string(rune('1'+i))}
	}
	return out
}

func signedParams(action, ak, secret, nonce string, extra url.Values) url.Values {
	p := url.Values{"Action": {action}, "Version": {testAPI.Version}, "Format": {"JSON"}, "AccessKeyId": {ak},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {nonce},
		"Timestamp": {testNow.Format("2006-01-02T15:04:05Z")}}
	for k, v := range extra {
		p[k] = v
	}
	p.Set("Signature", sign.SignV1(http.MethodGet, p, secret))
	return p
}

func do(t *testing.T, s *Server, p url.Values) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+p.Encode(), nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %s: %v", rec.Body, err)
	}
	return rec.Code, body
}

func TestAuthenticatedCallReachesTheHandlerWithItsCaller(t *testing.T) {
	s := newTestServer(t)
	status, body := do(t, s, signedParams("Who", "AK1", "S1", "n1", nil))
	if status != 200 || body["AccountId"] != float64(42) || body["RegionId"] != "cn-hangzhou" || body["RequestId"] == "" {
		t.Fatalf("%d %v", status, body)
	}
	status, body = do(t, s, signedParams("Who", "AK1", "S1", "n2", url.Values{"RegionId": {"cn-beijing"}}))
	if status != 200 || body["RegionId"] != "cn-beijing" {
		t.Fatalf("%d %v", status, body)
	}
}

func TestFrontErrorsHaveTheGuideCodes(t *testing.T) {
	s := newTestServer(t)
	cases := []struct {
		name   string
		params url.Values
		status int
		code   string
	}{
		{"wrong secret", signedParams("Who", "AK1", "nope", "e1", nil), 400, "SignatureDoesNotMatch"},
		{"unknown key", signedParams("Who", "AK9", "S1", "e2", nil), 404, "InvalidAccessKeyId.NotFound"},
		{"disabled key", signedParams("Who", "AK2", "S2", "e3", nil), 403, "Forbidden.AccessKeyDisabled"},
		{"unknown action", signedParams("Nope", "AK1", "S1", "e4", nil), 403, "InvalidAction"},
		{"not implemented", signedParams("Later", "AK1", "S1", "e5", nil), 501, "NotImplemented"},
		{"unknown region", signedParams("Who", "AK1", "S1", "e6", url.Values{"RegionId": {"mars-1"}}), 404, "InvalidRegionId.NotFound"},
		{"panicking handler", signedParams("Boom", "AK1", "S1", "e7", nil), 500, "InternalError"},
		{"bad method", signedParams("Who", "AK1", "S1", "e8", url.Values{"SignatureMethod": {"HMAC-MD5"}}), 400, "InvalidParamater"},
	}
	for _, c := range cases {
		status, body := do(t, s, c.params)
		if status != c.status || body["Code"] != c.code {
			t.Errorf("%s: got %d %v, want %d %s", c.name, status, body["Code"], c.status, c.code)
		}
	}
}

func TestOnlyCorrectlySignedRequestsConsumeNonces(t *testing.T) {
	s := newTestServer(t)
	if status, body := do(t, s, signedParams("Who", "AK1", "wrong", "shared", nil)); status != 400 {
		t.Fatalf("forged request: %d %v", status, body)
	}
	if status, body := do(t, s, signedParams("Who", "AK1", "S1", "shared", nil)); status != 200 {
		t.Fatalf("a forged request burned the nonce: %d %v", status, body)
	}
	if status, body := do(t, s, signedParams("Who", "AK1", "S1", "shared", nil)); status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replay: %d %v", status, body)
	}
}

func TestV3SignedRequestIsAccepted(t *testing.T) {
	s := newTestServer(t)
	req := httptest.NewRequest(http.MethodPost, "http://ecsd.test/?RegionId=cn-beijing", strings.NewReader(""))
	req.Header.Set("x-acs-action", "Who")
	req.Header.Set("x-acs-version", testAPI.Version)
	req.Header.Set("x-acs-date", testNow.Format("2006-01-02T15:04:05Z"))
	req.Header.Set("x-acs-signature-nonce", "v3nonce")
	req.Header.Set("Accept", "application/json")
	sign.SignV3(req, nil, "AK1", "S1")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"RegionId":"cn-beijing"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
