package e2e

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// vpcSDK returns a client of github.com/aliyun/alibaba-cloud-sdk-go/services/vpc
// pointed at s.
func vpcSDK(t *testing.T, s *server) *vpc.Client {
	t.Helper()
	c, err := vpc.NewClientWithAccessKey("cn-hangzhou", testAccessKeyID, testAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	return c
}

// wantServerError fails unless err is an API error with that code and status.
func wantServerError(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want %s (%d)", what, code, status)
	}
	se := serverError(t, err)
	if se.ErrorCode() != code || se.HttpStatus() != status {
		t.Fatalf("%s = %d %s (%s), want %d %s", what, se.HttpStatus(), se.ErrorCode(), se.Message(), status, code)
	}
}

// unique returns a suffix no earlier run has used: with ECSD_E2E_STORE every
// server of the suite, and every run, share one database and one account.
func unique(prefix string) string {
	return prefix + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// cleanUp deletes VSwitches and then a VPC when the test ends, whatever
// happened to them before (cleanups run last-registered first, so a later call
// naming more VSwitches runs before an earlier one for the same VPC).
func cleanUp(t *testing.T, c *vpc.Client, vpcID string, vswitchIDs ...string) {
	t.Cleanup(func() {
		for _, id := range vswitchIDs {
			req := vpc.CreateDeleteVSwitchRequest()
			req.VSwitchId = id
			_, _ = c.DeleteVSwitch(req)
		}
		req := vpc.CreateDeleteVpcRequest()
		req.VpcId = vpcID
		_, _ = c.DeleteVpc(req)
	})
}

func createVSwitch(t *testing.T, c *vpc.Client, vpcID, zone, cidr, name string) (string, error) {
	t.Helper()
	req := vpc.CreateCreateVSwitchRequest()
	req.VpcId, req.ZoneId, req.CidrBlock, req.VSwitchName = vpcID, zone, cidr, name
	resp, err := c.CreateVSwitch(req)
	if err != nil {
		return "", err
	}
	return resp.VSwitchId, nil
}

func TestVPCSDKWalksAVPCAndItsVSwitchesFromCreateToGone(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := vpcSDK(t, s)

	name := unique("e2e-vpc")
	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock, create.VpcName, create.Description = "10.0.0.0/16", name, "made by the e2e suite"
	created, err := c.CreateVpc(create)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, c, created.VpcId)
	attr := describeVpc(t, c, created.VpcId)
	if attr.Status != "Available" || attr.CidrBlock != "10.0.0.0/16" || attr.VRouterId != created.VRouterId ||
		attr.VpcName != name || attr.RegionId != "cn-hangzhou" || attr.OwnerId <= 0 {
		t.Fatalf("DescribeVpcAttribute = %+v", attr)
	}

	var vsws []string
	for _, v := range []struct{ zone, cidr, name string }{
		{"cn-hangzhou-b", "10.0.1.0/24", "web"}, {"cn-hangzhou-g", "10.0.2.0/24", "app"}, {"cn-hangzhou-g", "10.0.3.0/28", "db"},
	} {
		id, err := createVSwitch(t, c, created.VpcId, v.zone, v.cidr, v.name)
		if err != nil {
			t.Fatalf("CreateVSwitch %s: %v", v.cidr, err)
		}
		vsws = append(vsws, id)
	}
	cleanUp(t, c, created.VpcId, vsws...)
	_, err = createVSwitch(t, c, created.VpcId, "cn-hangzhou-b", "10.0.1.128/25", "dup")
	wantServerError(t, "an overlapping VSwitch", err, "InvalidCidrBlock.Overlapped", 400)
	_, err = createVSwitch(t, c, created.VpcId, "cn-hangzhou-b", "10.1.0.0/24", "outside")
	wantServerError(t, "a VSwitch outside its VPC", err, "InvalidParameter", 400)
	_, err = createVSwitch(t, c, created.VpcId, "cn-beijing-a", "10.0.9.0/24", "elsewhere")
	wantServerError(t, "a VSwitch in another region's zone", err, "InvalidZoneId.NotFound", 404)
	_, err = createVSwitch(t, c, created.VpcId, "cn-hangzhou-b", "10.0.9.0/24", "http://x")
	wantServerError(t, "a VSwitch named like a URL", err, "InvalidVSwitchName.Malformed", 400)

	checkVSwitchReads(t, c, created, name, vsws)
	checkModify(t, c, created.VpcId, vsws[0])

	del := vpc.CreateDeleteVpcRequest()
	del.VpcId = created.VpcId
	_, err = c.DeleteVpc(del)
	wantServerError(t, "DeleteVpc with VSwitches", err, "DependencyViolation.VSwitch", 400)
	for _, id := range vsws {
		req := vpc.CreateDeleteVSwitchRequest()
		req.VSwitchId = id
		if _, err := c.DeleteVSwitch(req); err != nil {
			t.Fatalf("DeleteVSwitch %s: %v", id, err)
		}
	}
	gone := vpc.CreateDescribeVSwitchAttributesRequest()
	gone.VSwitchId = vsws[0]
	_, err = c.DescribeVSwitchAttributes(gone)
	wantServerError(t, "DescribeVSwitchAttributes of a deleted VSwitch", err, "InvalidVSwitchId.NotFound", 404)
	if _, err := c.DeleteVpc(del); err != nil {
		t.Fatalf("DeleteVpc: %v", err)
	}
	ga := vpc.CreateDescribeVpcAttributeRequest()
	ga.VpcId = created.VpcId
	_, err = c.DescribeVpcAttribute(ga)
	wantServerError(t, "DescribeVpcAttribute of a deleted VPC", err, "InvalidVpcId.NotFound", 404)
	after := vpc.CreateDescribeVpcsRequest()
	after.VpcId = created.VpcId
	list, err := c.DescribeVpcs(after)
	if err != nil || list.TotalCount != 0 || len(list.Vpcs.Vpc) != 0 {
		t.Fatalf("DescribeVpcs after delete = %+v, %v", list, err)
	}
}

func describeVpc(t *testing.T, c *vpc.Client, id string) *vpc.DescribeVpcAttributeResponse {
	t.Helper()
	req := vpc.CreateDescribeVpcAttributeRequest()
	req.VpcId = id
	resp, err := c.DescribeVpcAttribute(req)
	if err != nil {
		t.Fatalf("DescribeVpcAttribute: %v", err)
	}
	return resp
}

// checkVSwitchReads describes, filters and pages the VSwitches of a VPC.
func checkVSwitchReads(t *testing.T, c *vpc.Client, created *vpc.CreateVpcResponse, vpcName string, vsws []string) {
	t.Helper()
	attr := vpc.CreateDescribeVSwitchAttributesRequest()
	attr.VSwitchId = vsws[2]
	db, err := c.DescribeVSwitchAttributes(attr)
	if err != nil {
		t.Fatalf("DescribeVSwitchAttributes: %v", err)
	}
	// A /28 has 16 addresses; the first and the last three are reserved.
	if db.Status != "Available" || db.AvailableIpAddressCount != 12 || db.ZoneId != "cn-hangzhou-g" || db.VpcId != created.VpcId ||
		db.RouteTable.RouteTableId != created.RouteTableId || db.RouteTable.RouteTableType != "System" || db.VSwitchName != "db" {
		t.Fatalf("DescribeVSwitchAttributes = %+v", db)
	}

	page := vpc.CreateDescribeVSwitchesRequest()
	page.VpcId = created.VpcId
	page.PageSize, page.PageNumber = requests.NewInteger(2), requests.NewInteger(2)
	got, err := c.DescribeVSwitches(page)
	if err != nil || got.TotalCount != 3 || got.PageNumber != 2 || got.PageSize != 2 || len(got.VSwitches.VSwitch) != 1 ||
		got.VSwitches.VSwitch[0].VSwitchId != vsws[0] {
		t.Fatalf("DescribeVSwitches page 2 of 2 = %+v, %v", got, err)
	}
	byZone := vpc.CreateDescribeVSwitchesRequest()
	byZone.VpcId, byZone.ZoneId, byZone.VSwitchName = created.VpcId, "cn-hangzhou-g", "app"
	if got, err = c.DescribeVSwitches(byZone); err != nil || got.TotalCount != 1 || got.VSwitches.VSwitch[0].VSwitchId != vsws[1] ||
		got.VSwitches.VSwitch[0].AvailableIpAddressCount != 252 {
		t.Fatalf("DescribeVSwitches by zone and name = %+v, %v", got, err)
	}

	vpcs := vpc.CreateDescribeVpcsRequest()
	vpcs.VpcName = vpcName
	vpcs.AcceptFormat = "XML"
	list, err := c.DescribeVpcs(vpcs)
	if err != nil || list.TotalCount != 1 || len(list.Vpcs.Vpc) != 1 || len(list.Vpcs.Vpc[0].VSwitchIds.VSwitchId) != 3 ||
		list.Vpcs.Vpc[0].RouterTableIds.RouterTableIds[0] != created.RouteTableId {
		t.Fatalf("DescribeVpcs by name (XML) = %+v, %v", list, err)
	}

	tables := vpc.CreateDescribeRouteTableListRequest()
	tables.VpcId = created.VpcId
	rt, err := c.DescribeRouteTableList(tables)
	if err != nil || rt.TotalCount != 1 || len(rt.RouterTableList.RouterTableListType) != 1 {
		t.Fatalf("DescribeRouteTableList = %+v, %v", rt, err)
	}
	if sys := rt.RouterTableList.RouterTableListType[0]; sys.RouteTableId != created.RouteTableId || sys.RouteTableType != "System" ||
		sys.RouterId != created.VRouterId || sys.RouterType != "VRouter" || len(sys.VSwitchIds.VSwitchId) != 3 {
		t.Fatalf("system route table = %+v", sys)
	}
}

// checkModify renames the VPC and a VSwitch and reads the names back.
func checkModify(t *testing.T, c *vpc.Client, vpcID, vswID string) {
	t.Helper()
	mv := vpc.CreateModifyVpcAttributeRequest()
	mv.VpcId, mv.VpcName, mv.Description = vpcID, "e2e-renamed", "renamed by the e2e suite"
	if _, err := c.ModifyVpcAttribute(mv); err != nil {
		t.Fatalf("ModifyVpcAttribute: %v", err)
	}
	mv.VpcName = "x"
	_, err := c.ModifyVpcAttribute(mv)
	wantServerError(t, "a one-character VPC name", err, "InvalidVpcName.Malformed", 400)
	if attr := describeVpc(t, c, vpcID); attr.VpcName != "e2e-renamed" || attr.Description != "renamed by the e2e suite" {
		t.Fatalf("after ModifyVpcAttribute: %+v", attr)
	}
	ms := vpc.CreateModifyVSwitchAttributeRequest()
	ms.VSwitchId, ms.VSwitchName = vswID, "web-renamed"
	if _, err := c.ModifyVSwitchAttribute(ms); err != nil {
		t.Fatalf("ModifyVSwitchAttribute: %v", err)
	}
	attr := vpc.CreateDescribeVSwitchAttributesRequest()
	attr.VSwitchId = vswID
	if got, err := c.DescribeVSwitchAttributes(attr); err != nil || got.VSwitchName != "web-renamed" {
		t.Fatalf("after ModifyVSwitchAttribute: %+v, %v", got, err)
	}
}

func TestCreateVpcClientTokenReturnsTheSameVpcOrIdempotentParameterMismatch(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := vpcSDK(t, s)
	req := vpc.CreateCreateVpcRequest()
	token := unique("e2e-token")
	req.CidrBlock, req.VpcName, req.ClientToken = "192.168.0.0/16", token, token
	first, err := c.CreateVpc(req)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, c, first.VpcId)
	again, err := c.CreateVpc(req)
	if err != nil || again.VpcId != first.VpcId || again.RouteTableId != first.RouteTableId || again.RequestId == first.RequestId {
		t.Fatalf("retry = %+v, %v; want VpcId %s with a new RequestId", again, err, first.VpcId)
	}
	req.CidrBlock = "172.16.0.0/12"
	_, err = c.CreateVpc(req)
	wantServerError(t, "the token with another CidrBlock", err, "IdempotentParameterMismatch", 400)
	byName := vpc.CreateDescribeVpcsRequest()
	byName.VpcName = req.VpcName
	list, err := c.DescribeVpcs(byName)
	if err != nil || list.TotalCount != 1 {
		t.Fatalf("DescribeVpcs = %+v, %v; want one VPC", list, err)
	}

	vsw := vpc.CreateCreateVSwitchRequest()
	vsw.VpcId, vsw.ZoneId, vsw.CidrBlock, vsw.ClientToken = first.VpcId, "cn-hangzhou-h", "192.168.7.0/24", token
	a, err := c.CreateVSwitch(vsw)
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	cleanUp(t, c, first.VpcId, a.VSwitchId)
	b, err := c.CreateVSwitch(vsw)
	if err != nil || b.VSwitchId != a.VSwitchId {
		t.Fatalf("CreateVSwitch retry = %+v, %v; want %s", b, err, a.VSwitchId)
	}
}

func TestVPCCidrBlockValidationFollowsTheVPCAPI(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := vpcSDK(t, s)
	for _, tc := range []struct{ cidr, code string }{
		{"10.0.0.1/16", "InvalidCidrBlock.Malformed"},
		{"not-a-cidr", "InvalidCidrBlock.Malformed"},
		{"8.8.8.0/24", "InvalidParameter"},
		{"192.168.0.0/25", "InvalidParameter"},
	} {
		req := vpc.CreateCreateVpcRequest()
		req.CidrBlock = tc.cidr
		_, err := c.CreateVpc(req)
		wantServerError(t, "CreateVpc "+tc.cidr, err, tc.code, 400)
	}
	created, err := c.CreateVpc(vpc.CreateCreateVpcRequest())
	if err != nil {
		t.Fatal(err)
	}
	cleanUp(t, c, created.VpcId)
	if attr := describeVpc(t, c, created.VpcId); attr.CidrBlock != "172.16.0.0/12" {
		t.Fatalf("default CidrBlock = %s", attr.CidrBlock)
	}
	_, err = createVSwitch(t, c, created.VpcId, "cn-hangzhou-b", "172.16.0.0/30", "tiny")
	wantServerError(t, "a /30 VSwitch", err, "InvalidCirdrBlock.MaskLength", 400)
}

func TestTerraformTransportSeesVPCAndVSwitchLifecycleFieldsAsJSONTypes(t *testing.T) {
	s := startServer(t, serverOptions{})
	created, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "CreateVpc",
		map[string]any{"RegionId": "cn-hangzhou", "CidrBlock": "172.16.0.0/16", "VpcName": "tf-vpc", "ClientToken": unique("tf")})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	vpcID, _ := created["VpcId"].(string)
	cleanUp(t, vpcSDK(t, s), vpcID)
	attr, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "DescribeVpcAttribute",
		map[string]any{"RegionId": "cn-hangzhou", "VpcId": vpcID})
	if err != nil || attr["Status"] != "Available" || attr["VpcId"] != vpcID {
		t.Fatalf("DescribeVpcAttribute = %v, %v", attr, err)
	}
	if _, ok := attr["IsDefault"].(bool); !ok {
		t.Errorf("IsDefault is %T, want a JSON boolean", attr["IsDefault"])
	}
	tables, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "DescribeRouteTableList",
		map[string]any{"RegionId": "cn-hangzhou", "VpcId": vpcID})
	if err != nil {
		t.Fatalf("DescribeRouteTableList: %v", err)
	}
	list := tables["RouterTableList"].(map[string]any)["RouterTableListType"].([]any)
	if sys := list[0].(map[string]any); len(list) != 1 || sys["RouteTableType"] != "System" || sys["VpcId"] != vpcID {
		t.Fatalf("DescribeRouteTableList = %v", tables)
	}
	if _, hasCode := tables["Code"]; hasCode {
		t.Errorf("a success carries a top-level Code: %v", tables)
	}
	vsw, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "CreateVSwitch",
		map[string]any{"RegionId": "cn-hangzhou", "VpcId": vpcID, "ZoneId": "cn-hangzhou-h", "CidrBlock": "172.16.8.0/22"})
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	vswID, _ := vsw["VSwitchId"].(string)
	va, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "DescribeVSwitchAttributes",
		map[string]any{"RegionId": "cn-hangzhou", "VSwitchId": vswID})
	if err != nil || va["Status"] != "Available" {
		t.Fatalf("DescribeVSwitchAttributes = %v, %v", va, err)
	}
	// A /22 has 1024 addresses, four of them reserved; Terraform needs a JSON number.
	switch n := va["AvailableIpAddressCount"].(type) {
	case float64:
		if n != 1020 {
			t.Errorf("AvailableIpAddressCount = %v, want 1020", n)
		}
	case json.Number:
		if n.String() != "1020" {
			t.Errorf("AvailableIpAddressCount = %v, want 1020", n)
		}
	default:
		t.Errorf("AvailableIpAddressCount is %T %v, want a JSON number", n, n)
	}
	for _, call := range []struct{ action, key, id string }{{"DeleteVSwitch", "VSwitchId", vswID}, {"DeleteVpc", "VpcId", vpcID}} {
		if _, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", call.action,
			map[string]any{"RegionId": "cn-hangzhou", call.key: call.id}); err != nil {
			t.Fatalf("%s: %v", call.action, err)
		}
	}
	_, err = terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "DescribeVpcAttribute",
		map[string]any{"RegionId": "cn-hangzhou", "VpcId": vpcID})
	if code, status := teaError(t, err); code != "InvalidVpcId.NotFound" || status != 404 {
		t.Fatalf("a deleted VPC = %d %s, want 404 InvalidVpcId.NotFound", status, code)
	}
}
