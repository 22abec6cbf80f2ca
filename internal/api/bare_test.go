package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
)

type codeMsg struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

func (codeMsg) BareResponse() {}

type bareHandlers struct{}

func (bareHandlers) MigrateDisk(context.Context, *whoRequest) (*codeMsg, error) {
	return &codeMsg{Code: -14000401, Msg: "parameter error, parameter is not null."}, nil
}

func TestBareAnswersAreTheirOwnJSONWhateverTheFormat(t *testing.T) {
	r := NewRegistry()
	api := testAPI
	api.Actions = append(api.Actions[:0:0], testAPI.Actions...)
	api.Actions = append(api.Actions, testActions("migrate_disk")...)
	if err := r.Bind(api, bareHandlers{}); err != nil {
		t.Fatal(err)
	}
	s := NewServer(Config{Registry: r, Credentials: fakeCredentials{"AK1": {AccessKeyID: "AK1", Secret: "S1", AccountID: 42, Active: true}},
		Nonces: sign.NewNonceCache(time.Minute, 10), Clock: clock.NewFake(testNow), IDs: ids.Seeded(1), DefaultRegion: "cn-hangzhou"})
	p := signedParams("migrate_disk", "AK1", "S1", "n1", url.Values{"Format": {"XML"}})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+p.Encode(), nil))
	if rec.Code != 200 || rec.Body.String() != `{"code":-14000401,"msg":"parameter error, parameter is not null."}` ||
		rec.Header().Get("Content-Type") != contentTypeJSON || rec.Header().Get("x-acs-request-id") == "" {
		t.Errorf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}
}

func TestLowerCaseRegionIdCountsWhenRegionIdIsAbsent(t *testing.T) {
	s := newTestServer(t)
	status, body := do(t, s, signedParams("Who", "AK1", "S1", "n1", url.Values{"regionId": {"cn-beijing"}}))
	if status != 200 || body["RegionId"] != "cn-beijing" {
		t.Fatalf("%d %v", status, body)
	}
	status, body = do(t, s, signedParams("Who", "AK1", "S1", "n2", url.Values{"regionId": {"cn-nowhere"}}))
	if status != 404 || body["Code"] != "InvalidRegionId.NotFound" {
		t.Fatalf("%d %v", status, body)
	}
}
