package vpc

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// networkActions are the VPC and VSwitch actions of this package.
func networkActions() []string {
	return []string{"CreateVpc", "DescribeVpcs", "DescribeVpcAttribute", "ModifyVpcAttribute", "DeleteVpc",
		"CreateVSwitch", "DescribeVSwitches", "DescribeVSwitchAttributes", "ModifyVSwitchAttribute", "DeleteVSwitch",
		"DescribeRouteTableList"}
}

// netFixture is the VPC handlers on a real SQLite store, with seeded IDs and a
// fake clock.
type netFixture struct {
	h     *Handlers
	svc   *network.Service
	store store.Store
	clock *clock.Fake
}

func newNetFixture(t *testing.T) *netFixture {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	svc := network.New(network.Deps{Store: st, IDs: ids.Seeded(7), Clock: clk, Catalog: cat})
	return &netFixture{h: New(Deps{Catalog: cat, Endpoint: testEndpoint, Network: svc}), svc: svc, store: st, clock: clk}
}

// as returns a context calling as an account in a region.
func as(t *testing.T, account int64, region string) context.Context {
	return reqctx.With(t.Context(), &reqctx.Call{AccountID: account, RegionID: region, RequestID: "test"})
}

// decode turns raw parameters into a request struct the way the front does.
func decode[T any](t *testing.T, params string) *T {
	t.Helper()
	q, err := url.ParseQuery(params)
	if err != nil {
		t.Fatal(err)
	}
	req := new(T)
	if err := wire.Decode(wire.Merge(q, nil), req); err != nil {
		t.Fatalf("decode %s: %v", params, err)
	}
	return req
}

func (f *netFixture) createVpc(t *testing.T, ctx context.Context, cidr string) *CreateVpcResponse {
	t.Helper()
	resp, err := f.h.CreateVpc(ctx, &CreateVpcRequest{CidrBlock: cidr, VpcName: "test-vpc"})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	return resp
}

func (f *netFixture) createVSwitch(t *testing.T, ctx context.Context, vpcID, cidr string) string {
	t.Helper()
	resp, err := f.h.CreateVSwitch(ctx, &CreateVSwitchRequest{VpcId: vpcID, ZoneId: "cn-hangzhou-b", CidrBlock: cidr, VSwitchName: "test-vsw"})
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	return resp.VSwitchId
}

func TestNetworkHandlersBindToTheVPCSpec(t *testing.T) {
	spec, err := apispec.VPC()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, newNetFixture(t).h); err != nil {
		t.Fatal(err)
	}
	for _, action := range networkActions() {
		ep, _ := reg.Lookup(spec.Version, action)
		if ep == nil || !ep.Implemented() {
			t.Errorf("%s is not routed to a handler", action)
		}
	}
}

func TestVPCAnswersHaveTheSDKShapes(t *testing.T) {
	f := newNetFixture(t)
	ctx := as(t, 1234567890123456, "cn-hangzhou")
	created := f.createVpc(t, ctx, "10.0.0.0/8")
	assertSDKShape(t, created, "CreateVpcResponse")
	vsw := f.createVSwitch(t, ctx, created.VpcId, "10.0.1.0/24")
	assertSDKShape(t, &CreateVSwitchResponse{VSwitchId: vsw}, "CreateVSwitchResponse")

	attr, err := f.h.DescribeVpcAttribute(ctx, &DescribeVpcAttributeRequest{VpcId: created.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, attr, "DescribeVpcAttributeResponse")
	if attr.Status != "Available" || attr.CidrBlock != "10.0.0.0/8" || attr.VRouterId != created.VRouterId || attr.OwnerId != 1234567890123456 ||
		attr.CreationTime != "2026-03-01T08:00:00Z" || attr.RegionId != "cn-hangzhou" || len(attr.VSwitchIds.VSwitchId) != 1 ||
		attr.VSwitchIds.VSwitchId[0] != vsw || attr.CloudResources.CloudResourceSetType[0].ResourceCount != 1 {
		t.Errorf("DescribeVpcAttribute = %+v", attr)
	}
	list, err := f.h.DescribeVpcs(ctx, &DescribeVpcsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, list, "DescribeVpcsResponse")
	if list.TotalCount != 1 || list.PageNumber != 1 || list.PageSize != 10 ||
		list.Vpcs.Vpc[0].RouterTableIds.RouterTableIds[0] != created.RouteTableId {
		t.Errorf("DescribeVpcs = %+v", list)
	}

	va, err := f.h.DescribeVSwitchAttributes(ctx, &DescribeVSwitchAttributesRequest{VSwitchId: vsw})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, va, "DescribeVSwitchAttributesResponse")
	if va.AvailableIpAddressCount != 252 || va.RouteTable.RouteTableId != created.RouteTableId || va.RouteTable.RouteTableType != "System" ||
		va.ZoneId != "cn-hangzhou-b" || va.VpcId != created.VpcId || va.Status != "Available" || va.VSwitchName != "test-vsw" {
		t.Errorf("DescribeVSwitchAttributes = %+v", va)
	}
	vl, err := f.h.DescribeVSwitches(ctx, &DescribeVSwitchesRequest{VpcId: created.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, vl, "DescribeVSwitchesResponse")
	if vl.TotalCount != 1 || vl.VSwitches.VSwitch[0].VSwitchId != vsw {
		t.Errorf("DescribeVSwitches = %+v", vl)
	}

	rt, err := f.h.DescribeRouteTableList(ctx, &DescribeRouteTableListRequest{VpcId: created.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, rt, "DescribeRouteTableListResponse")
	if got := rt.RouterTableList.RouterTableListType; !rt.Success || rt.TotalCount != 1 || len(got) != 1 ||
		got[0].RouteTableId != created.RouteTableId || got[0].RouteTableType != "System" || got[0].VpcId != created.VpcId ||
		got[0].RouterId != created.VRouterId || got[0].VSwitchIds.VSwitchId[0] != vsw {
		t.Errorf("DescribeRouteTableList = %+v", rt)
	}
	for name, resp := range map[string]any{
		"ModifyVpcAttributeResponse": &ModifyVpcAttributeResponse{}, "DeleteVpcResponse": &DeleteVpcResponse{},
		"ModifyVSwitchAttributeResponse": &ModifyVSwitchAttributeResponse{}, "DeleteVSwitchResponse": &DeleteVSwitchResponse{},
	} {
		assertSDKShape(t, resp, name)
	}
}

func TestEmptyListsRenderAsArraysWithTheSDKShape(t *testing.T) {
	f := newNetFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	vpcs, _ := f.h.DescribeVpcs(ctx, &DescribeVpcsRequest{})
	assertSDKShape(t, vpcs, "DescribeVpcsResponse")
	vsws, _ := f.h.DescribeVSwitches(ctx, &DescribeVSwitchesRequest{})
	assertSDKShape(t, vsws, "DescribeVSwitchesResponse")
	rts, _ := f.h.DescribeRouteTableList(ctx, &DescribeRouteTableListRequest{})
	assertSDKShape(t, rts, "DescribeRouteTableListResponse")
	created := f.createVpc(t, ctx, "")
	attr, _ := f.h.DescribeVpcAttribute(ctx, &DescribeVpcAttributeRequest{VpcId: created.VpcId})
	assertSDKShape(t, attr, "DescribeVpcAttributeResponse")
}

func TestPagingDefaultsTo10AndAllows1To50(t *testing.T) {
	f := newNetFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	var vpcIDs []string
	for range 3 {
		vpcIDs = append(vpcIDs, f.createVpc(t, ctx, "").VpcId)
		f.clock.Advance(time.Second)
	}
	resp, err := f.h.DescribeVpcs(ctx, decode[DescribeVpcsRequest](t, "PageNumber=2&PageSize=2"))
	if err != nil || resp.TotalCount != 3 || resp.PageNumber != 2 || resp.PageSize != 2 || len(resp.Vpcs.Vpc) != 1 ||
		resp.Vpcs.Vpc[0].VpcId != vpcIDs[0] {
		t.Fatalf("page 2 of 2 = %+v, %v", resp, err)
	}
	resp, _ = f.h.DescribeVpcs(ctx, decode[DescribeVpcsRequest](t, "VpcId="+vpcIDs[0]+","+vpcIDs[2]))
	if resp.TotalCount != 2 {
		t.Errorf("two comma-separated IDs = %+v", resp)
	}
	for _, bad := range []string{"PageSize=51", "PageSize=0", "PageNumber=0"} {
		q, _ := url.ParseQuery(bad)
		if err := wire.Decode(wire.Merge(q, nil), new(DescribeVpcsRequest)); err == nil {
			t.Errorf("%s decoded without an error", bad)
		}
	}
	_, err = f.h.DescribeVpcs(ctx, &DescribeVpcsRequest{VpcId: strings.Repeat("vpc-x,", 21)})
	assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
}

func TestFiltersEcsdCannotSatisfyMatchNothing(t *testing.T) {
	f := newNetFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	created := f.createVpc(t, ctx, "")
	f.createVSwitch(t, ctx, created.VpcId, "172.16.0.0/24")
	other := int64(2)
	for _, req := range []*DescribeVpcsRequest{{ResourceGroupId: "rg-1"}, {Tag: []TagParam{{Key: "k"}}}, {VpcOwnerId: &other}} {
		if resp, _ := f.h.DescribeVpcs(ctx, req); resp.TotalCount != 0 || len(resp.Vpcs.Vpc) != 0 {
			t.Errorf("DescribeVpcs(%+v) = %+v", req, resp)
		}
	}
	for _, req := range []*DescribeRouteTableListRequest{{RouteTableType: "Custom"}, {RouterType: "VBR"}, {RouteTableName: "x"}} {
		if resp, _ := f.h.DescribeRouteTableList(ctx, req); resp.TotalCount != 0 {
			t.Errorf("DescribeRouteTableList(%+v) = %+v", req, resp)
		}
	}
	if resp, _ := f.h.DescribeVSwitches(ctx, &DescribeVSwitchesRequest{VSwitchOwnerId: &other}); resp.TotalCount != 0 {
		t.Errorf("another owner's VSwitches = %+v", resp)
	}
	if resp, _ := f.h.DescribeVSwitches(ctx, &DescribeVSwitchesRequest{RouteTableId: created.RouteTableId}); resp.TotalCount != 1 {
		t.Errorf("VSwitches of the route table = %+v", resp)
	}
}

func TestAnotherAccountsVPCAndVSwitchAnswerNotFound(t *testing.T) {
	f := newNetFixture(t)
	mine := as(t, 1, "cn-hangzhou")
	created := f.createVpc(t, mine, "")
	vsw := f.createVSwitch(t, mine, created.VpcId, "172.16.0.0/24")
	theirs := as(t, 2, "cn-hangzhou")
	_, err := f.h.DescribeVpcAttribute(theirs, &DescribeVpcAttributeRequest{VpcId: created.VpcId})
	assertAPIError(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
	_, err = f.h.DeleteVpc(theirs, &DeleteVpcRequest{VpcId: created.VpcId})
	assertAPIError(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
	_, err = f.h.DescribeVSwitchAttributes(theirs, &DescribeVSwitchAttributesRequest{VSwitchId: vsw})
	assertAPIError(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
	_, err = f.h.ModifyVSwitchAttribute(theirs, &ModifyVSwitchAttributeRequest{VSwitchId: vsw, VSwitchName: ptr("mine-now")})
	assertAPIError(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
	_, err = f.h.DeleteVSwitch(theirs, &DeleteVSwitchRequest{VSwitchId: vsw})
	assertAPIError(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
	_, err = f.h.CreateVSwitch(theirs, &CreateVSwitchRequest{VpcId: created.VpcId, ZoneId: "cn-hangzhou-b", CidrBlock: "172.16.1.0/24"})
	assertAPIError(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
	if resp, _ := f.h.DescribeVSwitches(theirs, &DescribeVSwitchesRequest{VSwitchId: vsw}); resp.TotalCount != 0 {
		t.Errorf("another account lists the VSwitch: %+v", resp)
	}
	if resp, _ := f.h.DescribeRouteTableList(theirs, &DescribeRouteTableListRequest{RouteTableId: created.RouteTableId}); resp.TotalCount != 0 {
		t.Errorf("another account lists the route table: %+v", resp)
	}
}

func TestCreateVpcClientTokenCoversEveryParameter(t *testing.T) {
	f := newNetFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	req := decode[CreateVpcRequest](t, "RegionId=cn-hangzhou&CidrBlock=10.0.0.0/8&VpcName=idem&ClientToken=abc&Tag.1.Key=env&Tag.1.Value=dev")
	first, err := f.h.CreateVpc(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.h.CreateVpc(ctx, decode[CreateVpcRequest](t, "CidrBlock=10.0.0.0/8&VpcName=idem&ClientToken=abc&Tag.1.Key=env&Tag.1.Value=dev"))
	if err != nil || *again != *first {
		t.Fatalf("retry (RegionId defaulted) = %+v, %v; want %+v", again, err, first)
	}
	_, err = f.h.CreateVpc(ctx, decode[CreateVpcRequest](t, "CidrBlock=10.0.0.0/8&VpcName=idem&ClientToken=abc&Tag.1.Key=env&Tag.1.Value=prod"))
	assertAPIError(t, err, "IdempotentParameterMismatch", http.StatusBadRequest)
}

func TestModifyAndDeleteThroughTheHandlers(t *testing.T) {
	f := newNetFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	created := f.createVpc(t, ctx, "192.168.0.0/16")
	vsw := f.createVSwitch(t, ctx, created.VpcId, "192.168.1.0/24")
	if _, err := f.h.ModifyVpcAttribute(ctx, decode[ModifyVpcAttributeRequest](t, "VpcId="+created.VpcId+"&VpcName=renamed&Description=")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.h.ModifyVSwitchAttribute(ctx, &ModifyVSwitchAttributeRequest{VSwitchId: vsw, Description: ptr("web tier")}); err != nil {
		t.Fatal(err)
	}
	attr, _ := f.h.DescribeVpcAttribute(ctx, &DescribeVpcAttributeRequest{VpcId: created.VpcId})
	va, _ := f.h.DescribeVSwitchAttributes(ctx, &DescribeVSwitchAttributesRequest{VSwitchId: vsw})
	if attr.VpcName != "renamed" || attr.Description != "" || va.Description != "web tier" || va.VSwitchName != "test-vsw" {
		t.Errorf("after modify: %+v / %+v", attr, va)
	}
	_, err := f.h.DeleteVpc(ctx, &DeleteVpcRequest{VpcId: created.VpcId})
	assertAPIError(t, err, "DependencyViolation.VSwitch", http.StatusBadRequest)
	err = f.store.Update(t.Context(), func(tx store.Tx) error {
		_, err := f.svc.AllocatePrivateIP(tx, 1, vsw, "", network.OwnerInstance, "i-1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.h.DeleteVSwitch(ctx, &DeleteVSwitchRequest{VSwitchId: vsw})
	assertAPIError(t, err, "DependencyViolation", http.StatusBadRequest)
	va, _ = f.h.DescribeVSwitchAttributes(ctx, &DescribeVSwitchAttributesRequest{VSwitchId: vsw})
	if va.AvailableIpAddressCount != 251 {
		t.Errorf("AvailableIpAddressCount with one address taken = %d", va.AvailableIpAddressCount)
	}
}

func ptr[T any](v T) *T { return &v }
