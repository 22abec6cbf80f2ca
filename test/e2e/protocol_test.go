package e2e

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/ids"
)

// rawCall is a hand-built V1 request, for the protocol cases the SDKs cannot make.
type rawCall struct {
	method string
	params url.Values
	secret string
	// skipSign leaves Signature out.
	skipSign bool
}

// v1Params returns the common V1 parameters for action, signed later by send.
func v1Params(action string) url.Values {
	return url.Values{
		"Action":           {action},
		"Version":          {"2014-05-26"},
		"AccessKeyId":      {testAccessKeyID},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"},
		"SignatureNonce":   {ids.Random().NewRequestID()},
		"Timestamp":        {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
	}
}

// send signs (unless skipSign) and sends the call as a GET with everything in the query.
func (s *server) send(t *testing.T, c rawCall) (int, http.Header, []byte) {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodGet
	}
	if c.secret == "" {
		c.secret = testAccessKeySecret
	}
	if !c.skipSign {
		c.params.Del("Signature")
		c.params.Set("Signature", sign.SignV1(c.method, c.params, c.secret))
	}
	req, err := http.NewRequest(c.method, "http://"+s.addr+"/?"+c.params.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// apiError is the guide's error envelope.
type apiError struct {
	RequestId, HostId, Code, Message string
}

func decodeError(t *testing.T, body []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if e.RequestId == "" || e.Code == "" || e.Message == "" || e.HostId == "" {
		t.Fatalf("error envelope lacks fields: %s", body)
	}
	return e
}

func expectError(t *testing.T, s *server, c rawCall, status int, code string) apiError {
	t.Helper()
	c.params.Set("Format", "JSON")
	got, _, body := s.send(t, c)
	e := decodeError(t, body)
	if got != status || e.Code != code {
		t.Fatalf("got HTTP %d %s (%s), want HTTP %d %s", got, e.Code, e.Message, status, code)
	}
	return e
}

func TestRawGETWithFormatXMLAnswersXML(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := v1Params("DescribeRegions")
	p.Set("Format", "XML")
	status, header, body := s.send(t, rawCall{params: p})
	if status != 200 || header.Get("Content-Type") != "text/xml;charset=utf-8" {
		t.Fatalf("HTTP %d %s: %s", status, header.Get("Content-Type"), body)
	}
	var doc struct {
		XMLName   xml.Name `xml:"DescribeRegionsResponse"`
		RequestId string   `xml:"RequestId"`
		Regions   struct {
			Region []struct {
				RegionId string `xml:"RegionId"`
			} `xml:"Region"`
		} `xml:"Regions"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode XML: %v\n%s", err, body)
	}
	if doc.RequestId == "" || len(doc.Regions.Region) < 2 {
		t.Fatalf("XML answer %s", body)
	}
}

func TestResponseIsXMLWhenNeitherFormatNorAcceptAsks(t *testing.T) {
	s := startServer(t, serverOptions{})
	status, header, body := s.send(t, rawCall{params: v1Params("DescribeRegions")})
	if status != 200 || header.Get("Content-Type") != "text/xml;charset=utf-8" || !strings.Contains(string(body), "<DescribeRegionsResponse>") {
		t.Fatalf("HTTP %d %s: %s", status, header.Get("Content-Type"), body)
	}
}

func TestWrongSecretIsSignatureDoesNotMatch(t *testing.T) {
	s := startServer(t, serverOptions{})
	_, err := oldSDK(t, s, testAccessKeyID, "not-the-secret").DescribeRegions(ecs.CreateDescribeRegionsRequest())
	se := serverError(t, err)
	if se.HttpStatus() != 400 || se.ErrorCode() != "SignatureDoesNotMatch" ||
		!strings.Contains(se.Message(), "server string to sign is:") {
		t.Fatalf("got %d %s %q", se.HttpStatus(), se.ErrorCode(), se.Message())
	}
	if !strings.Contains(se.Recommend(), "InvalidAccessKeySecret") {
		t.Errorf("the SDK should recognise its own string to sign and recommend checking the secret; Recommend = %q", se.Recommend())
	}
	_, err = teaSDK(t, s, testAccessKeyID, "not-the-secret", false).DescribeRegions(&teaecs.DescribeRegionsRequest{})
	if code, status := teaError(t, err); code != "SignatureDoesNotMatch" || status != 400 {
		t.Fatalf("Tea V3 with a wrong secret: %d %s", status, code)
	}
}

func TestUnknownAccessKeyIsInvalidAccessKeyIdNotFound(t *testing.T) {
	s := startServer(t, serverOptions{})
	_, err := oldSDK(t, s, "LTAInosuchkey", "whatever").DescribeRegions(ecs.CreateDescribeRegionsRequest())
	se := serverError(t, err)
	if se.HttpStatus() != 404 || se.ErrorCode() != "InvalidAccessKeyId.NotFound" {
		t.Fatalf("got %d %s", se.HttpStatus(), se.ErrorCode())
	}
	_, err = teaSDK(t, s, "LTAInosuchkey", "whatever", false).DescribeRegions(&teaecs.DescribeRegionsRequest{})
	if code, status := teaError(t, err); code != "InvalidAccessKeyId.NotFound" || status != 404 {
		t.Fatalf("Tea V3: %d %s", status, code)
	}
}

func TestReplayedNonceIsSignatureNonceUsed(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := v1Params("DescribeRegions")
	p.Set("Format", "JSON")
	if status, _, body := s.send(t, rawCall{params: p}); status != 200 {
		t.Fatalf("first call: %d %s", status, body)
	}
	expectError(t, s, rawCall{params: p}, 400, "SignatureNonceUsed")
}

func TestStaleTimestampIsRejected(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := v1Params("DescribeRegions")
	p.Set("Timestamp", time.Now().UTC().Add(-20*time.Minute).Format("2006-01-02T15:04:05Z"))
	expectError(t, s, rawCall{params: p}, 400, "InvalidTimeStamp.Expired")
	p = v1Params("DescribeRegions")
	p.Set("Timestamp", "yesterday")
	expectError(t, s, rawCall{params: p}, 400, "IllegalTimestamp")
}

func TestMissingCommonParametersAreMissingParameter(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, name := range []string{"Action", "Version", "AccessKeyId", "Timestamp", "SignatureNonce"} {
		p := v1Params("DescribeRegions")
		p.Del(name)
		e := expectError(t, s, rawCall{params: p}, 400, "MissingParameter")
		if !strings.Contains(e.Message, `"`+name+`"`) {
			t.Errorf("missing %s: message %q does not name it", name, e.Message)
		}
	}
	p := v1Params("DescribeRegions")
	e := expectError(t, s, rawCall{params: p, skipSign: true}, 400, "MissingParameter")
	if !strings.Contains(e.Message, `"Signature"`) {
		t.Errorf("missing Signature: %q", e.Message)
	}
}

// TestUnknownActionIsInvalidActionAndAnUnknownVersionInvalidParameter: every
// routed action is implemented now (docs/coverage.md), so the 501
// NotImplemented answer of a routed action without a handler is proven by
// internal/api's server tests.
func TestUnknownActionIsInvalidActionAndAnUnknownVersionInvalidParameter(t *testing.T) {
	s := startServer(t, serverOptions{})
	expectError(t, s, rawCall{params: v1Params("DescribeUnicorns")}, 403, "InvalidAction")
	p := v1Params("DescribeRegions")
	p.Set("Version", "2099-01-01")
	expectError(t, s, rawCall{params: p}, 400, "InvalidParameter")
}

func TestUnknownRegionIsInvalidRegionIdNotFound404(t *testing.T) {
	s := startServer(t, serverOptions{})
	req := ecs.CreateDescribeZonesRequest()
	req.RegionId = "xx-nowhere-1"
	_, err := oldSDK(t, s, testAccessKeyID, testAccessKeySecret).DescribeZones(req)
	se := serverError(t, err)
	if se.HttpStatus() != 404 || se.ErrorCode() != "InvalidRegionId.NotFound" {
		t.Fatalf("got %d %s", se.HttpStatus(), se.ErrorCode())
	}
}

func TestUnsupportedHTTPMethod(t *testing.T) {
	s := startServer(t, serverOptions{})
	req, _ := http.NewRequest(http.MethodPut, "http://"+s.addr+"/?Format=JSON&"+v1Params("DescribeRegions").Encode(), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if e := decodeError(t, body); resp.StatusCode != 403 || e.Code != "UnsupportedHTTPMethod" {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
}

func TestPOSTWithEverythingInTheFormBody(t *testing.T) {
	// pop-core with method POST sends every parameter, Signature included, in the body.
	s := startServer(t, serverOptions{})
	p := v1Params("DescribeZones")
	p.Set("RegionId", "cn-hangzhou")
	p.Set("Format", "JSON")
	p.Set("Signature", sign.SignV1(http.MethodPost, p, testAccessKeySecret))
	resp, err := http.Post("http://"+s.addr+"/", "application/x-www-form-urlencoded", strings.NewReader(p.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ZoneId":"cn-hangzhou-`) {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
	}
}
