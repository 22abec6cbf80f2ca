package network

import (
	"net/http"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

func TestCreateVSwitchChecksZoneNamesAndCidrBlock(t *testing.T) {
	f := newFixture(t, Quotas{})
	vpc := f.vpc(t, hangzhou(), "172.16.0.0/16")
	f.vswitch(t, vpc, "172.16.1.0/24")
	for _, tc := range []struct {
		in     CreateVSwitchInput
		code   string
		status int
	}{
		{CreateVSwitchInput{ZoneID: "cn-beijing-a", CidrBlock: "172.16.2.0/24"}, "InvalidZoneId.NotFound", http.StatusNotFound},
		{CreateVSwitchInput{ZoneID: "cn-hangzhou-z", CidrBlock: "172.16.2.0/24"}, "InvalidZoneId.NotFound", http.StatusNotFound},
		{CreateVSwitchInput{Name: "h", CidrBlock: "172.16.2.0/24"}, "InvalidVSwitchName.Malformed", http.StatusBadRequest},
		{CreateVSwitchInput{Description: "http://x", CidrBlock: "172.16.2.0/24"}, "InvalidVSwitchDiscription.Malformed", http.StatusBadRequest},
		{CreateVSwitchInput{CidrBlock: "172.16.2.0/30"}, "InvalidCirdrBlock.MaskLength", http.StatusBadRequest},
		{CreateVSwitchInput{CidrBlock: "172.16.2.0"}, "InvalidCidrBlock.Malformed", http.StatusBadRequest},
		{CreateVSwitchInput{CidrBlock: "172.17.0.0/24"}, "InvalidParameter", http.StatusBadRequest},
		{CreateVSwitchInput{CidrBlock: "172.16.0.0/16"}, "InvalidCidrBlock.Overlapped", http.StatusBadRequest},
		{CreateVSwitchInput{CidrBlock: "172.16.1.128/25"}, "InvalidCidrBlock.Overlapped", http.StatusBadRequest},
		{CreateVSwitchInput{VpcID: "vpc-missing", CidrBlock: "172.16.2.0/24"}, "InvalidVpcId.NotFound", http.StatusNotFound},
	} {
		in := tc.in
		if in.VpcID == "" {
			in.VpcID = vpc
		}
		if in.ZoneID == "" {
			in.ZoneID = "cn-hangzhou-g"
		}
		_, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), in)
		wantCode(t, err, tc.code, tc.status)
	}
}

func TestAVSwitchMayTakeTheWholeVPCBlockWhenItIsAlone(t *testing.T) {
	f := newFixture(t, Quotas{})
	vpc := f.vpc(t, hangzhou(), "192.168.0.0/24")
	f.vswitch(t, vpc, "192.168.0.0/24")
	_, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), CreateVSwitchInput{VpcID: vpc, ZoneID: "cn-hangzhou-h", CidrBlock: "192.168.0.0/25"})
	wantCode(t, err, "InvalidCidrBlock.Overlapped", http.StatusBadRequest)
}

func TestVSwitchQuotaIsPerVPC(t *testing.T) {
	f := newFixture(t, Quotas{VSwitchesPerVPC: 1})
	vpc := f.vpc(t, hangzhou(), "10.0.0.0/16")
	f.vswitch(t, vpc, "10.0.1.0/24")
	_, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), CreateVSwitchInput{VpcID: vpc, ZoneID: "cn-hangzhou-b", CidrBlock: "10.0.2.0/24"})
	wantCode(t, err, "QuotaExceeded.VSwitch", http.StatusBadRequest)
	f.vswitch(t, f.vpc(t, hangzhou(), "10.0.0.0/16"), "10.0.2.0/24")
}

func TestCreateVSwitchWithClientTokenIsIdempotent(t *testing.T) {
	f := newFixture(t, Quotas{})
	vpc := f.vpc(t, hangzhou(), "")
	in := CreateVSwitchInput{VpcID: vpc, ZoneID: "cn-hangzhou-b", CidrBlock: "172.16.1.0/24", Idempotent: Idempotent{ClientToken: "t"}}
	first, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), in)
	if err != nil || again != first {
		t.Fatalf("retry = %+v, %v; want %+v", again, err, first)
	}
	in.ZoneID = "cn-hangzhou-g"
	_, err = f.svc.CreateVSwitch(t.Context(), hangzhou(), in)
	wantCode(t, err, "IdempotentParameterMismatch", http.StatusBadRequest)
}

func TestDescribeVSwitchesFiltersByVPCZoneNameIDAndRouteTable(t *testing.T) {
	f := newFixture(t, Quotas{})
	a := f.vpc(t, hangzhou(), "10.0.0.0/16")
	b := f.vpc(t, hangzhou(), "10.0.0.0/16")
	wa := f.vswitch(t, a, "10.0.1.0/24")
	f.clock.Advance(time.Second)
	wb, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), CreateVSwitchInput{VpcID: b, ZoneID: "cn-hangzhou-h",
		CidrBlock: "10.0.1.0/24", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	vb, _ := f.svc.GetVPC(t.Context(), hangzhou(), b)
	for _, tc := range []struct {
		q    VSwitchQuery
		want []string
	}{
		{VSwitchQuery{}, []string{wb.VSwitchID, wa}},
		{VSwitchQuery{VpcID: a}, []string{wa}},
		{VSwitchQuery{ZoneID: "cn-hangzhou-h"}, []string{wb.VSwitchID}},
		{VSwitchQuery{Name: "web"}, []string{wb.VSwitchID}},
		{VSwitchQuery{IDs: []string{wa}}, []string{wa}},
		{VSwitchQuery{RouteTableID: vb.RouteTableID}, []string{wb.VSwitchID}},
		{VSwitchQuery{RouteTableID: vb.RouteTableID, VpcID: a}, nil},
		{VSwitchQuery{RouteTableID: "vtb-missing"}, nil},
	} {
		page, err := f.svc.DescribeVSwitches(t.Context(), hangzhou(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range page.VSwitches {
			got = append(got, w.ID)
		}
		if page.Total != len(tc.want) || len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("%+v = %v (total %d), want %v", tc.q, got, page.Total, tc.want)
		}
	}
	w, err := f.svc.GetVSwitch(t.Context(), hangzhou(), wb.VSwitchID)
	if err != nil || w.RouteTableID != vb.RouteTableID || w.AvailableIPs != 252 || w.Name != "web" || w.Status != StatusAvailable {
		t.Errorf("GetVSwitch = %+v, %v", w, err)
	}
	_, err = f.svc.GetVSwitch(t.Context(), Scope{AccountID: 2, RegionID: "cn-hangzhou"}, wa)
	wantCode(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
}

func TestModifyVSwitchRenamesAndRedescribes(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.0.0/24")
	if err := f.svc.ModifyVSwitch(t.Context(), hangzhou(), ModifyVSwitchInput{VSwitchID: w, Name: ptr("db"), Description: ptr("database tier")}); err != nil {
		t.Fatal(err)
	}
	err := f.svc.ModifyVSwitch(t.Context(), hangzhou(), ModifyVSwitchInput{VSwitchID: w, Description: ptr("d")})
	wantCode(t, err, "InvalidVSwitchDiscription.Malformed", http.StatusBadRequest)
	err = f.svc.ModifyVSwitch(t.Context(), hangzhou(), ModifyVSwitchInput{VSwitchID: "vsw-missing", Name: ptr("db")})
	wantCode(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
	got, _ := f.svc.GetVSwitch(t.Context(), hangzhou(), w)
	if got.Name != "db" || got.Description != "database tier" {
		t.Errorf("after modify: %+v", got)
	}
}

func TestDeleteVSwitchIsRefusedWhileAddressesAreAllocated(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.0.0/24")
	addr, err := f.allocate(t, w, "")
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.DeleteVSwitch(t.Context(), hangzhou(), w)
	wantCode(t, err, "DependencyViolation", http.StatusBadRequest)
	if err := f.store.Update(t.Context(), func(tx store.Tx) error { return f.svc.ReleasePrivateIP(tx, w, addr) }); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteVSwitch(t.Context(), hangzhou(), w); err != nil {
		t.Fatal(err)
	}
	err = f.svc.DeleteVSwitch(t.Context(), hangzhou(), w)
	wantCode(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
}
