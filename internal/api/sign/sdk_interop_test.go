// This test drives the real official Go clients against a loopback server and
// checks that VerifyV1/VerifyV3 accept what they send with the right secret
// and reject it with a wrong one:
//
//   - github.com/aliyun/alibaba-cloud-sdk-go/services/ecs (V1, typed and
//     CommonRequest, GET and POST, query and form parameters);
//   - github.com/alibabacloud-go/ecs-20140526/v7 (V3 by default, V1 with
//     SignatureAlgorithm "v2").
//
// Both modules are test-only dependencies of this package; package sign
// itself uses the standard library only.
package sign_test

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	oldecs "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/ecsd/ecsd/internal/api/sign"
)

const (
	interopAK     = "LTAI-interop-ak"
	interopSecret = "interop-secret/+=&"
	interopRegion = "cn-hangzhou"
	// specialText exercises every encoding rule: space, '*', '~', '+', '/',
	// '&', '=', '%', quotes, UTF-8.
	specialText = `vm a*b~c+d/e&f=g%h "q" 中文 é`
)

// observed is what the loopback server concluded about one request.
type observed struct {
	scheme      string // "V1" or "V3"
	method      string
	params      url.Values
	action      string
	okRight     bool
	okWrong     bool
	verifyErr   error
	accessKeyID string
	timestamp   string
	nonce       string
	sts         string
	signed      []string // V3 SignedHeaders
}

// recorder verifies every request it receives and keeps the outcome.
type recorder struct {
	mu  sync.Mutex
	got []observed
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	o := observed{method: r.Method, params: r.URL.Query()}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" && len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for k, vs := range form {
			o.params[k] = append(o.params[k], vs...)
		}
	}
	if sign.IsV3(r.Header) {
		o.scheme = "V3"
		o.okRight, o.sts, o.verifyErr = sign.VerifyV3(r, body, interopSecret)
		o.okWrong, _, _ = sign.VerifyV3(r, body, "wrong-secret")
		if a, err := sign.ParseV3Authorization(r.Header.Get("Authorization")); err == nil {
			o.accessKeyID, o.signed = a.AccessKeyID, a.SignedHeaders
		}
		o.action = r.Header.Get("x-acs-action")
		o.timestamp = r.Header.Get("x-acs-date")
		o.nonce = r.Header.Get("x-acs-signature-nonce")
	} else {
		o.scheme = "V1"
		o.okRight, o.sts = sign.VerifyV1(r.Method, o.params, interopSecret)
		o.okWrong, _ = sign.VerifyV1(r.Method, o.params, "wrong-secret")
		o.accessKeyID = o.params.Get("AccessKeyId")
		o.action = o.params.Get("Action")
		o.timestamp = o.params.Get("Timestamp")
		o.nonce = o.params.Get("SignatureNonce")
	}
	rec.mu.Lock()
	rec.got = append(rec.got, o)
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	io.WriteString(w, `{"RequestId":"00000000-0000-0000-0000-000000000000"}`)
}

// take returns and forgets the observed requests.
func (rec *recorder) take() []observed {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	got := rec.got
	rec.got = nil
	return got
}

// interopCase is one client call; call returns the client-side error.
type interopCase struct {
	name       string
	scheme     string
	method     string
	action     string
	wantParams map[string]string // decoded parameters the request must carry
	call       func(t *testing.T, host string) error
}

func TestSDKInterop(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	nonces := sign.NewNonceCache(30*time.Minute, 1000)

	cases := append(oldSDKCases(), teaSDKCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(t, host); err != nil {
				t.Fatalf("client error: %v", err)
			}
			got := rec.take()
			if len(got) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(got))
			}
			o := got[0]
			if o.scheme != tc.scheme || o.method != tc.method || o.action != tc.action {
				t.Fatalf("got %s %s %s, want %s %s %s", o.scheme, o.method, o.action, tc.scheme, tc.method, tc.action)
			}
			if o.verifyErr != nil || !o.okRight {
				t.Fatalf("right secret rejected (err %v); server string to sign %q", o.verifyErr, o.sts)
			}
			if o.okWrong {
				t.Fatal("wrong secret accepted")
			}
			for k, v := range tc.wantParams {
				if got := o.params.Get(k); got != v {
					t.Errorf("param %s = %q, want %q", k, got, v)
				}
			}
			checkReplayFields(t, o, nonces)
		})
	}
}

// checkReplayFields checks the access key, timestamp and nonce the client
// sent against the replay-protection primitives.
func checkReplayFields(t *testing.T, o observed, nonces *sign.NonceCache) {
	t.Helper()
	if o.accessKeyID != interopAK {
		t.Errorf("access key %q", o.accessKeyID)
	}
	ts, err := sign.ParseTimestamp(o.timestamp)
	if err != nil {
		t.Errorf("timestamp: %v", err)
	} else if !sign.WithinWindow(ts, time.Now(), 2*time.Minute) {
		t.Errorf("timestamp %v is not now", ts)
	}
	if o.nonce == "" || !nonces.Use(o.accessKeyID, o.nonce, time.Now()) {
		t.Errorf("nonce %q missing or reused", o.nonce)
	}
	if o.scheme == "V3" {
		a := sign.V3Authorization{SignedHeaders: o.signed}
		for _, h := range []string{"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-action", "x-acs-version"} {
			if !a.Signs(h) {
				t.Errorf("client did not sign %s", h)
			}
		}
	}
}

// newOldClient returns an alibaba-cloud-sdk-go ECS client.
func newOldClient(t *testing.T) *oldecs.Client {
	c, err := oldecs.NewClientWithAccessKey(interopRegion, interopAK, interopSecret)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// oldSDKCases are calls through github.com/aliyun/alibaba-cloud-sdk-go.
func oldSDKCases() []interopCase {
	return []interopCase{
		{
			name: "alibaba-cloud-sdk-go StopInstance", scheme: "V1", method: "POST", action: "StopInstance",
			wantParams: map[string]string{"InstanceId": "i-1", "ForceStop": "true", "SignatureType": ""},
			call: func(t *testing.T, host string) error {
				req := oldecs.CreateStopInstanceRequest()
				req.Scheme, req.Domain = "HTTP", host
				req.InstanceId = "i-1"
				req.ForceStop = requests.NewBoolean(true)
				_, err := newOldClient(t).StopInstance(req)
				return err
			},
		},
		{
			name: "alibaba-cloud-sdk-go RunInstances with lists and special characters", scheme: "V1", method: "POST", action: "RunInstances",
			wantParams: map[string]string{"InstanceName": specialText, "Tag.2.Value": "a b", "DataDisk.2.Size": "200", "SecurityGroupIds.2": "sg-2"},
			call: func(t *testing.T, host string) error {
				req := oldecs.CreateRunInstancesRequest()
				req.Scheme, req.Domain = "HTTP", host
				req.ImageId, req.InstanceType = "img-1", "ecs.g7.large"
				req.InstanceName, req.Description = specialText, "~!@#$%^&*()_+`-=[]{}|;':\",./<>?"
				req.DataDisk = &[]oldecs.RunInstancesDataDisk{{Size: "100", Category: "cloud_essd"}, {Size: "200"}}
				req.Tag = &[]oldecs.RunInstancesTag{{Key: "env", Value: "test"}, {Key: "team", Value: "a b"}}
				req.SecurityGroupIds = &[]string{"sg-1", "sg-2"}
				_, err := newOldClient(t).RunInstances(req)
				return err
			},
		},
		{
			name: "alibaba-cloud-sdk-go CommonRequest GET", scheme: "V1", method: "GET", action: "DescribeInstanceStatus",
			wantParams: map[string]string{"PageSize": "30"},
			call: func(t *testing.T, host string) error {
				c, err := sdk.NewClientWithAccessKey(interopRegion, interopAK, interopSecret)
				if err != nil {
					return err
				}
				req := requests.NewCommonRequest()
				req.Domain, req.Version, req.ApiName = host, "2014-05-26", "DescribeInstanceStatus"
				req.QueryParams["PageSize"] = "30"
				_, err = c.ProcessCommonRequest(req)
				return err
			},
		},
		{
			name: "alibaba-cloud-sdk-go CommonRequest POST with form body", scheme: "V1", method: "POST", action: "ModifyInstanceAttribute",
			wantParams: map[string]string{"InstanceId": "i-1", "Description": specialText},
			call: func(t *testing.T, host string) error {
				c, err := sdk.NewClientWithAccessKey(interopRegion, interopAK, interopSecret)
				if err != nil {
					return err
				}
				req := requests.NewCommonRequest()
				req.Method, req.Scheme = "POST", "HTTP"
				req.Domain, req.Version, req.ApiName = host, "2014-05-26", "ModifyInstanceAttribute"
				req.QueryParams["RegionId"] = interopRegion
				req.FormParams["InstanceId"] = "i-1"
				req.FormParams["Description"] = specialText
				_, err = c.ProcessCommonRequest(req)
				return err
			},
		},
	}
}

// newTeaClient returns an ecs-20140526/v7 client; sigAlg "" is the default
// (V3), "v2" the legacy RPC signature (V1).
func newTeaClient(t *testing.T, host, sigAlg string) *teaecs.Client {
	cfg := &openapiutil.Config{
		AccessKeyId:     tea.String(interopAK),
		AccessKeySecret: tea.String(interopSecret),
		RegionId:        tea.String(interopRegion),
		Endpoint:        tea.String(host),
		Protocol:        tea.String("HTTP"),
	}
	if sigAlg != "" {
		cfg.SignatureAlgorithm = tea.String(sigAlg)
	}
	c, err := teaecs.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// teaRunInstances is a RunInstances request with lists and special
// characters.
func teaRunInstances() *teaecs.RunInstancesRequest {
	return &teaecs.RunInstancesRequest{
		RegionId:     tea.String(interopRegion),
		ImageId:      tea.String("img-1"),
		InstanceType: tea.String("ecs.g7.large"),
		InstanceName: tea.String(specialText),
		Description:  tea.String("~!@#$%^&*()_+`-=[]{}|;':\",./<>?"),
		Amount:       tea.Int32(2),
		DataDisk: []*teaecs.RunInstancesRequestDataDisk{
			{Size: tea.Int32(100), Category: tea.String("cloud_essd"), DeleteWithInstance: tea.Bool(true)},
			{Size: tea.Int32(200)},
		},
		Tag: []*teaecs.RunInstancesRequestTag{
			{Key: tea.String("env"), Value: tea.String("test")},
			{Key: tea.String("team"), Value: tea.String("a b")},
		},
		SecurityGroupIds: []*string{tea.String("sg-1"), tea.String("sg-2")},
	}
}

// teaSDKCases are calls through github.com/alibabacloud-go/ecs-20140526/v7.
func teaSDKCases() []interopCase {
	rt := &dara.RuntimeOptions{}
	runParams := map[string]string{"InstanceName": specialText, "Tag.2.Value": "a b", "DataDisk.2.Size": "200", "SecurityGroupIds.2": "sg-2", "Amount": "2"}
	return []interopCase{
		{
			name: "ecs-20140526/v7 V3 StopInstance", scheme: "V3", method: "POST", action: "StopInstance",
			wantParams: map[string]string{"InstanceId": "i-1", "ForceStop": "true"},
			call: func(t *testing.T, host string) error {
				_, err := newTeaClient(t, host, "").StopInstanceWithOptions(&teaecs.StopInstanceRequest{
					InstanceId: tea.String("i-1"), ForceStop: tea.Bool(true)}, rt)
				return err
			},
		},
		{
			name: "ecs-20140526/v7 V3 RunInstances with lists and special characters", scheme: "V3", method: "POST", action: "RunInstances",
			wantParams: runParams,
			call: func(t *testing.T, host string) error {
				_, err := newTeaClient(t, host, "").RunInstancesWithOptions(teaRunInstances(), rt)
				return err
			},
		},
		{
			name: "ecs-20140526/v7 V3 DescribeInstances with a JSON array parameter", scheme: "V3", method: "POST", action: "DescribeInstances",
			wantParams: map[string]string{"InstanceIds": `["i-1","i-2"]`, "PageSize": "10"},
			call: func(t *testing.T, host string) error {
				_, err := newTeaClient(t, host, "").DescribeInstancesWithOptions(&teaecs.DescribeInstancesRequest{
					RegionId: tea.String(interopRegion), InstanceIds: tea.String(`["i-1","i-2"]`), PageSize: tea.Int32(10)}, rt)
				return err
			},
		},
		{
			name: "ecs-20140526/v7 V1 (v2 algorithm) StopInstance", scheme: "V1", method: "POST", action: "StopInstance",
			wantParams: map[string]string{"InstanceId": "i-1", "ForceStop": "true", "Format": "json"},
			call: func(t *testing.T, host string) error {
				_, err := newTeaClient(t, host, "v2").StopInstanceWithOptions(&teaecs.StopInstanceRequest{
					InstanceId: tea.String("i-1"), ForceStop: tea.Bool(true)}, rt)
				return err
			},
		},
		{
			name: "ecs-20140526/v7 V1 (v2 algorithm) RunInstances", scheme: "V1", method: "POST", action: "RunInstances",
			wantParams: runParams,
			call: func(t *testing.T, host string) error {
				_, err := newTeaClient(t, host, "v2").RunInstancesWithOptions(teaRunInstances(), rt)
				return err
			},
		},
	}
}
