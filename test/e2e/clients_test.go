package e2e

import (
	"errors"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// oldSDK returns a client of github.com/aliyun/alibaba-cloud-sdk-go/services/ecs
// (signature V1, POST, everything in the query) pointed at s.
func oldSDK(t *testing.T, s *server, akID, secret string) *ecs.Client {
	t.Helper()
	c, err := ecs.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewAccessKeyCredential(akID, secret))
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	return c
}

// teaSDK returns a client of github.com/alibabacloud-go/ecs-20140526/v7 (signature
// V3 by default; sigV1 switches it to V1 with SignatureAlgorithm "v2").
func teaSDK(t *testing.T, s *server, akID, secret string, sigV1 bool) *teaecs.Client {
	t.Helper()
	cfg := &openapiutil.Config{
		AccessKeyId:     dara.String(akID),
		AccessKeySecret: dara.String(secret),
		RegionId:        dara.String("cn-hangzhou"),
		Endpoint:        dara.String(s.addr),
		Protocol:        dara.String("HTTP"),
	}
	if sigV1 {
		cfg.SignatureAlgorithm = dara.String("v2")
	}
	c, err := teaecs.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serverError extracts the API error of an old-SDK call.
func serverError(t *testing.T, err error) *sdkerrors.ServerError {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("want *errors.ServerError, got %T: %v", err, err)
	}
	return se
}

// teaError extracts (Code, StatusCode) from a Tea SDK error.
func teaError(t *testing.T, err error) (string, int) {
	t.Helper()
	var teaErr *tea.SDKError
	if errors.As(err, &teaErr) {
		return tea.StringValue(teaErr.Code), tea.IntValue(teaErr.StatusCode)
	}
	var sdkErr *dara.SDKError
	if errors.As(err, &sdkErr) {
		return dara.StringValue(sdkErr.Code), dara.IntValue(sdkErr.StatusCode)
	}
	var ce *openapi.ClientError
	if errors.As(err, &ce) {
		return dara.StringValue(ce.Code), dara.IntValue(ce.StatusCode)
	}
	var se *openapi.ServerError
	if errors.As(err, &se) {
		return dara.StringValue(se.Code), dara.IntValue(se.StatusCode)
	}
	t.Fatalf("unexpected Tea error type %T: %v", err, err)
	return "", 0
}

func TestOldSDKDescribesRegionsZonesAndInstanceTypes(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)

	regions, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	if err != nil {
		t.Fatalf("DescribeRegions: %v", err)
	}
	if regions.RequestId == "" || !hasRegion(regions.Regions.Region, "cn-hangzhou") || !hasRegion(regions.Regions.Region, "cn-beijing") {
		t.Fatalf("DescribeRegions = %+v", regions)
	}

	zreq := ecs.CreateDescribeZonesRequest()
	zreq.RegionId = "cn-beijing"
	zones, err := c.DescribeZones(zreq)
	if err != nil {
		t.Fatalf("DescribeZones: %v", err)
	}
	if len(zones.Zones.Zone) < 2 {
		t.Fatalf("cn-beijing has %d zones, want at least 2", len(zones.Zones.Zone))
	}
	for _, z := range zones.Zones.Zone {
		if !strings.HasPrefix(z.ZoneId, "cn-beijing-") || len(z.AvailableDiskCategories.DiskCategories) == 0 ||
			len(z.AvailableResourceCreation.ResourceTypes) == 0 || len(z.AvailableInstanceTypes.InstanceTypes) == 0 {
			t.Errorf("zone %+v lacks the guide's AvailableDiskCategories/AvailableResourceCreation/instance types", z)
		}
	}

	types, err := c.DescribeInstanceTypes(ecs.CreateDescribeInstanceTypesRequest())
	if err != nil {
		t.Fatalf("DescribeInstanceTypes: %v", err)
	}
	if n := len(types.InstanceTypes.InstanceType); n != 213 {
		t.Fatalf("DescribeInstanceTypes returned %d types, want the guide's 213", n)
	}
	freq := ecs.CreateDescribeInstanceTypeFamiliesRequest()
	freq.RegionId = "cn-hangzhou"
	fams, err := c.DescribeInstanceTypeFamilies(freq)
	if err != nil {
		t.Fatalf("DescribeInstanceTypeFamilies: %v", err)
	}
	if len(fams.InstanceTypeFamilies.InstanceTypeFamily) == 0 {
		t.Fatal("no instance type families")
	}
}

func hasRegion(regions []ecs.Region, id string) bool {
	for _, r := range regions {
		if r.RegionId == id {
			return true
		}
	}
	return false
}

func TestTeaSDKV3SignatureDescribesRegions(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, sigV1 := range []bool{false, true} {
		c := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, sigV1)
		resp, err := c.DescribeRegions(&teaecs.DescribeRegionsRequest{})
		if err != nil {
			t.Fatalf("DescribeRegions (sigV1=%v): %v", sigV1, err)
		}
		if dara.Int32Value(resp.StatusCode) != 200 || len(resp.Body.Regions.Region) < 2 || dara.StringValue(resp.Body.RequestId) == "" {
			t.Fatalf("DescribeRegions (sigV1=%v) = %+v", sigV1, resp.Body)
		}
		types, err := c.DescribeInstanceTypes(&teaecs.DescribeInstanceTypesRequest{InstanceTypeFamily: dara.String("ecs.g5")})
		if err != nil {
			t.Fatalf("DescribeInstanceTypes (sigV1=%v): %v", sigV1, err)
		}
		for _, it := range types.Body.InstanceTypes.InstanceType {
			if dara.StringValue(it.InstanceTypeFamily) != "ecs.g5" || dara.Int32Value(it.CpuCoreCount) <= 0 {
				t.Errorf("instance type %+v", it)
			}
		}
		if len(types.Body.InstanceTypes.InstanceType) == 0 {
			t.Fatal("no ecs.g5 types")
		}
	}
}

func TestVPCSDKDescribesRegionsOnTheSamePort(t *testing.T) {
	s := startServer(t, serverOptions{})
	c, err := vpc.NewClientWithAccessKey("cn-hangzhou", testAccessKeyID, testAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	resp, err := c.DescribeRegions(vpc.CreateDescribeRegionsRequest())
	if err != nil {
		t.Fatalf("VPC DescribeRegions: %v", err)
	}
	if len(resp.Regions.Region) < 2 {
		t.Fatalf("VPC DescribeRegions = %+v", resp)
	}
	zreq := vpc.CreateDescribeZonesRequest()
	zreq.RegionId = "cn-hangzhou"
	zones, err := c.DescribeZones(zreq)
	if err != nil {
		t.Fatalf("VPC DescribeZones: %v", err)
	}
	if len(zones.Zones.Zone) < 2 {
		t.Fatalf("VPC DescribeZones = %+v", zones)
	}
}

func TestClientsWorkOverTLSOnTheSamePort(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	c.SetHTTPSInsecure(true)
	req := ecs.CreateDescribeRegionsRequest()
	req.Scheme = "HTTPS"
	if _, err := c.DescribeRegions(req); err != nil {
		t.Fatalf("old SDK over HTTPS: %v", err)
	}
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	tea.Protocol = dara.String("HTTPS")
	if _, err := tea.DescribeRegionsWithOptions(&teaecs.DescribeRegionsRequest{}, &dara.RuntimeOptions{IgnoreSSL: dara.Bool(true)}); err != nil {
		t.Fatalf("Tea SDK over HTTPS: %v", err)
	}
}
