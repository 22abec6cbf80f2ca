package network

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

func TestCreateVPCDefaultsTo172_16And12AndIsAvailableWithRouterAndRouteTable(t *testing.T) {
	f := newFixture(t, Quotas{})
	out, err := f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{Name: "prod", Description: "the prod network"})
	if err != nil {
		t.Fatal(err)
	}
	for prefix, id := range map[string]string{"vpc-bp": out.VpcID, "vrt-bp": out.VRouterID, "vtb-bp": out.RouteTableID} {
		if !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+18 {
			t.Errorf("ID %q is not shaped %s…", id, prefix)
		}
	}
	v, err := f.svc.GetVPC(t.Context(), hangzhou(), out.VpcID)
	if err != nil {
		t.Fatal(err)
	}
	if v.CidrBlock != DefaultVPCCidrBlock || v.Status != StatusAvailable || v.Name != "prod" || v.Description != "the prod network" ||
		v.VRouterID != out.VRouterID || v.RouteTableID != out.RouteTableID || v.AccountID != 1 || v.RegionID != "cn-hangzhou" ||
		!v.CreatedAt.Equal(f.clock.Now()) || len(v.VSwitchIDs) != 0 {
		t.Errorf("GetVPC = %+v", v)
	}
}

func TestCreateVPCRejectsBadNamesAndDescriptions(t *testing.T) {
	f := newFixture(t, Quotas{})
	_, err := f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{Name: "x"})
	wantCode(t, err, "InvalidVpcName.Malformed", http.StatusBadRequest)
	_, err = f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{Name: "https://vpc"})
	wantCode(t, err, "InvalidVpcName.Malformed", http.StatusBadRequest)
	_, err = f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{Description: strings.Repeat("d", 257)})
	wantCode(t, err, "InvalidVpcDiscription.Malformed", http.StatusBadRequest)
	_, err = f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{CidrBlock: "11.0.0.0/8"})
	wantCode(t, err, "InvalidParameter", http.StatusBadRequest)
}

func TestVPCQuotaIsPerAccountAndRegion(t *testing.T) {
	f := newFixture(t, Quotas{VPCsPerRegion: 2})
	f.vpc(t, hangzhou(), "")
	f.vpc(t, hangzhou(), "")
	_, err := f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{})
	wantCode(t, err, "QuotaExceeded.Vpc", http.StatusBadRequest)
	f.vpc(t, Scope{AccountID: 1, RegionID: "cn-beijing"}, "")
	f.vpc(t, Scope{AccountID: 2, RegionID: "cn-hangzhou"}, "")
}

func TestCreateVPCDryRunChecksAndCreatesNothing(t *testing.T) {
	f := newFixture(t, Quotas{})
	_, err := f.svc.CreateVPC(t.Context(), hangzhou(), CreateVPCInput{DryRun: true})
	wantCode(t, err, "DryRunOperation", http.StatusBadRequest)
	page, err := f.svc.DescribeVPCs(t.Context(), hangzhou(), VPCQuery{})
	if err != nil || page.Total != 0 {
		t.Fatalf("after a dry run: %+v, %v", page, err)
	}
}

func TestCreateVPCWithClientTokenIsIdempotent(t *testing.T) {
	f := newFixture(t, Quotas{})
	in := CreateVPCInput{CidrBlock: "10.0.0.0/8", Name: "a-vpc", Idempotent: Idempotent{ClientToken: "tok-1"}}
	first, err := f.svc.CreateVPC(t.Context(), hangzhou(), in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.CreateVPC(t.Context(), hangzhou(), in)
	if err != nil || again != first {
		t.Fatalf("retry = %+v, %v; want %+v", again, err, first)
	}
	in.CidrBlock = "192.168.0.0/16"
	_, err = f.svc.CreateVPC(t.Context(), hangzhou(), in)
	wantCode(t, err, "IdempotentParameterMismatch", http.StatusBadRequest)
	if page, _ := f.svc.DescribeVPCs(t.Context(), hangzhou(), VPCQuery{}); page.Total != 1 {
		t.Fatalf("%d VPCs, want 1", page.Total)
	}
}

func TestAnotherAccountsOrRegionsVPCIsNotFound(t *testing.T) {
	f := newFixture(t, Quotas{})
	id := f.vpc(t, hangzhou(), "")
	for _, sc := range []Scope{{AccountID: 2, RegionID: "cn-hangzhou"}, {AccountID: 1, RegionID: "cn-beijing"}} {
		_, err := f.svc.GetVPC(t.Context(), sc, id)
		wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
		err = f.svc.ModifyVPC(t.Context(), sc, ModifyVPCInput{VpcID: id, Name: ptr("stolen")})
		wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
		err = f.svc.DeleteVPC(t.Context(), sc, id, false)
		wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
		_, err = f.svc.CreateVSwitch(t.Context(), sc, CreateVSwitchInput{VpcID: id, ZoneID: sc.RegionID + "-g", CidrBlock: "172.16.0.0/24"})
		if sc.RegionID == "cn-beijing" {
			wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
		}
		if page, _ := f.svc.DescribeVPCs(t.Context(), sc, VPCQuery{IDs: []string{id}}); page.Total != 0 {
			t.Errorf("%+v sees the VPC in a list", sc)
		}
	}
}

func TestDescribeVPCsFiltersAndPagesNewestFirst(t *testing.T) {
	f := newFixture(t, Quotas{})
	var ids []string
	for i := range 5 {
		ids = append(ids, f.vpc(t, hangzhou(), ""))
		f.clock.Advance(time.Second)
		if i == 2 {
			if err := f.svc.ModifyVPC(t.Context(), hangzhou(), ModifyVPCInput{VpcID: ids[i], Name: ptr("named")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	page, err := f.svc.DescribeVPCs(t.Context(), hangzhou(), VPCQuery{Page: store.Page{Number: 2, Size: 2}})
	if err != nil || page.Total != 5 || len(page.VPCs) != 2 || page.VPCs[0].ID != ids[2] || page.VPCs[1].ID != ids[1] {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}
	page, _ = f.svc.DescribeVPCs(t.Context(), hangzhou(), VPCQuery{Name: "named"})
	if page.Total != 1 || page.VPCs[0].ID != ids[2] {
		t.Errorf("by name = %+v", page)
	}
	page, _ = f.svc.DescribeVPCs(t.Context(), hangzhou(), VPCQuery{IDs: []string{ids[0], ids[4], "vpc-missing"}})
	if page.Total != 2 {
		t.Errorf("by IDs = %+v", page)
	}
	yes := true
	if page, _ = f.svc.DescribeVPCs(t.Context(), hangzhou(), VPCQuery{IsDefault: &yes}); page.Total != 0 {
		t.Errorf("default VPCs = %+v", page)
	}
}

func TestModifyVPCRenamesAndChangesTheCidrBlockOnlyIfItStillCoversTheVSwitches(t *testing.T) {
	f := newFixture(t, Quotas{})
	id := f.vpc(t, hangzhou(), "10.0.0.0/8")
	f.vswitch(t, id, "10.1.0.0/24")
	err := f.svc.ModifyVPC(t.Context(), hangzhou(), ModifyVPCInput{VpcID: id, Name: ptr("renamed"), Description: ptr("")})
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.ModifyVPC(t.Context(), hangzhou(), ModifyVPCInput{VpcID: id, CidrBlock: ptr("10.2.0.0/16")})
	wantCode(t, err, "InvalidParameter", http.StatusBadRequest)
	err = f.svc.ModifyVPC(t.Context(), hangzhou(), ModifyVPCInput{VpcID: id, CidrBlock: ptr("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.ModifyVPC(t.Context(), hangzhou(), ModifyVPCInput{VpcID: id, Name: ptr("h")})
	wantCode(t, err, "InvalidVpcName.Malformed", http.StatusBadRequest)
	v, _ := f.svc.GetVPC(t.Context(), hangzhou(), id)
	if v.Name != "renamed" || v.CidrBlock != "10.1.0.0/16" || v.Description != "" {
		t.Errorf("after modify: %+v", v)
	}
}

func TestDeleteVPCIsRefusedWhileItHasVSwitches(t *testing.T) {
	f := newFixture(t, Quotas{})
	id := f.vpc(t, hangzhou(), "")
	vsw := f.vswitch(t, id, "172.16.1.0/24")
	err := f.svc.DeleteVPC(t.Context(), hangzhou(), id, false)
	wantCode(t, err, "DependencyViolation.VSwitch", http.StatusBadRequest)
	if err := f.svc.DeleteVSwitch(t.Context(), hangzhou(), vsw); err != nil {
		t.Fatal(err)
	}
	err = f.svc.DeleteVPC(t.Context(), hangzhou(), id, true)
	wantCode(t, err, "DryRunOperation", http.StatusBadRequest)
	if err := f.svc.DeleteVPC(t.Context(), hangzhou(), id, false); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.GetVPC(t.Context(), hangzhou(), id)
	wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
	err = f.svc.DeleteVPC(t.Context(), hangzhou(), id, false)
	wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound)
}

func TestRouteTablesAreOnePerVPCWithItsVSwitches(t *testing.T) {
	f := newFixture(t, Quotas{})
	a := f.vpc(t, hangzhou(), "10.0.0.0/8")
	f.clock.Advance(time.Second)
	b := f.vpc(t, hangzhou(), "192.168.0.0/16")
	w1 := f.vswitch(t, a, "10.0.1.0/24")
	f.clock.Advance(time.Second)
	w2 := f.vswitch(t, a, "10.0.2.0/24")
	all, err := f.svc.DescribeRouteTables(t.Context(), hangzhou(), RouteTableQuery{})
	if err != nil || all.Total != 2 || all.RouteTables[0].VpcID != b || all.RouteTables[1].VpcID != a {
		t.Fatalf("all = %+v, %v", all, err)
	}
	va, _ := f.svc.GetVPC(t.Context(), hangzhou(), a)
	if got := all.RouteTables[1]; got.ID != va.RouteTableID || got.VRouterID != va.VRouterID || !slices.Equal(got.VSwitchIDs, []string{w1, w2}) {
		t.Errorf("table of %s = %+v", a, got)
	}
	for _, q := range []RouteTableQuery{{VpcID: a}, {RouteTableID: va.RouteTableID}, {VRouterID: va.VRouterID}} {
		if got, _ := f.svc.DescribeRouteTables(t.Context(), hangzhou(), q); got.Total != 1 || got.RouteTables[0].VpcID != a {
			t.Errorf("%+v = %+v", q, got)
		}
	}
	if got, _ := f.svc.DescribeRouteTables(t.Context(), hangzhou(), RouteTableQuery{Page: store.Page{Number: 2, Size: 1}}); got.Total != 2 ||
		len(got.RouteTables) != 1 || got.RouteTables[0].VpcID != a {
		t.Errorf("page 2 = %+v", got)
	}
	if got, _ := f.svc.DescribeRouteTables(t.Context(), hangzhou(), RouteTableQuery{Page: store.Page{Number: 3, Size: 1}}); got.Total != 2 ||
		len(got.RouteTables) != 0 {
		t.Errorf("page 3 = %+v", got)
	}
}

func ptr[T any](v T) *T { return &v }

func TestDeleteVpcIsRefusedWhileSecurityGroupsOrInstancesRemainInIt(t *testing.T) {
	f := newFixture(t, Quotas{})
	sc := hangzhou()
	id := f.vpc(t, sc, "192.168.0.0/16")
	put := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := f.store.Update(t.Context(), fn); err != nil {
			t.Fatal(err)
		}
	}
	put(func(tx store.Tx) error {
		return tx.CreateSecurityGroup(store.SecurityGroup{ID: "sg-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: id,
			Type: "normal", InnerAccessPolicy: "Accept", CreatedAt: f.clock.Now()})
	})
	wantCode(t, f.svc.DeleteVPC(t.Context(), sc, id, false), "DependencyViolation.SecurityGroup", 400)
	put(func(tx store.Tx) error {
		if err := tx.DeleteSecurityGroup(1, "sg-1"); err != nil {
			return err
		}
		return tx.CreateInstance(store.Instance{ID: "i-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: id,
			Status: "Stopped", CreatedAt: f.clock.Now()})
	})
	wantCode(t, f.svc.DeleteVPC(t.Context(), sc, id, false), "DependencyViolation.Instance", 400)
	put(func(tx store.Tx) error { return tx.DeleteInstance(1, "i-1") })
	if err := f.svc.DeleteVPC(t.Context(), sc, id, false); err != nil {
		t.Fatalf("DeleteVPC once empty: %v", err)
	}
}
