package storetest

import (
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// networkCases cover store.NetworkTx.
var networkCases = []contractCase{
	{"Network/VPCRoundTripAndAccountScope", testVPCRoundTrip},
	{"Network/VPCListFiltersAndPages", testVPCList},
	{"Network/VSwitchRoundTripUpdateDelete", testVSwitchRoundTrip},
	{"Network/PrivateIPsAreUniquePerVSwitch", testPrivateIPs},
	{"Network/FreeRangesAreFoundByTheirFirstAddress", testFreeRanges},
}

func vpc(id string, account int64, region string, created time.Time) store.VPC {
	return store.VPC{ID: id, AccountID: account, RegionID: region, Name: "n-" + id, Description: "d", CidrBlock: "172.16.0.0/12",
		Status: "Available", VRouterID: "vrt-" + id, RouteTableID: "vtb-" + id, CreatedAt: created}
}

func testVPCRoundTrip(t *testing.T, s store.Store) {
	v := vpc("vpc-1", 1, "cn-hangzhou", when().UTC())
	v.IsDefault = true
	update(t, s, func(tx store.Tx) error { return tx.CreateVPC(v) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateVPC(v) })
	wantErr(t, "CreateVPC twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetVPC(1, "vpc-1")
		if err != nil || got != v {
			t.Errorf("GetVPC = %+v, %v; want %+v", got, err, v)
		}
		_, err = tx.GetVPC(2, "vpc-1")
		wantErr(t, "GetVPC of another account", err, store.ErrNotFound)
		return nil
	})
	v.Name, v.Description, v.Status = "renamed", "new", "Pending"
	update(t, s, func(tx store.Tx) error { return tx.UpdateVPC(v) })
	update(t, s, func(tx store.Tx) error {
		if got, _ := tx.GetVPC(1, "vpc-1"); got != v {
			t.Errorf("after UpdateVPC: %+v", got)
		}
		return tx.DeleteVPC(1, "vpc-1")
	})
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteVPC(1, "vpc-1") })
	wantErr(t, "DeleteVPC twice", err, store.ErrNotFound)
}

func testVPCList(t *testing.T, s store.Store) {
	base := when()
	update(t, s, func(tx store.Tx) error {
		for i, id := range []string{"vpc-a", "vpc-b", "vpc-c"} {
			if err := tx.CreateVPC(vpc(id, 1, "cn-hangzhou", base.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		if err := tx.CreateVPC(vpc("vpc-x", 1, "cn-beijing", base)); err != nil {
			return err
		}
		return tx.CreateVPC(vpc("vpc-y", 2, "cn-hangzhou", base))
	})
	view(t, s, func(tx store.Tx) error {
		all, total, err := tx.ListVPCs(store.VPCFilter{AccountID: 1, RegionID: "cn-hangzhou"})
		if err != nil || total != 3 || len(all) != 3 || all[0].ID != "vpc-c" || all[2].ID != "vpc-a" {
			t.Errorf("ListVPCs = %v, %d, %v; want newest first, three", ids(all), total, err)
		}
		page, total, err := tx.ListVPCs(store.VPCFilter{AccountID: 1, RegionID: "cn-hangzhou", Page: store.Page{Number: 2, Size: 2}})
		if err != nil || total != 3 || len(page) != 1 || page[0].ID != "vpc-a" {
			t.Errorf("page 2 of 2 = %v, %d, %v", ids(page), total, err)
		}
		some, total, err := tx.ListVPCs(store.VPCFilter{AccountID: 1, IDs: []string{"vpc-a", "vpc-x", "vpc-y"}})
		if err != nil || total != 2 || len(some) != 2 {
			t.Errorf("by IDs = %v, %d, %v", ids(some), total, err)
		}
		return nil
	})
}

func ids(vs []store.VPC) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

func testVSwitchRoundTrip(t *testing.T, s store.Store) {
	v := store.VSwitch{ID: "vsw-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1", ZoneID: "cn-hangzhou-b",
		Name: "n", Description: "d", CidrBlock: "172.16.1.0/24", Status: "Available", CreatedAt: when().UTC()}
	update(t, s, func(tx store.Tx) error { return tx.CreateVSwitch(v) })
	view(t, s, func(tx store.Tx) error {
		if got, err := tx.GetVSwitch(1, "vsw-1"); err != nil || got != v {
			t.Errorf("GetVSwitch = %+v, %v", got, err)
		}
		_, err := tx.GetVSwitch(2, "vsw-1")
		wantErr(t, "GetVSwitch of another account", err, store.ErrNotFound)
		list, total, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: 1, VpcID: "vpc-1", ZoneID: "cn-hangzhou-b"})
		if err != nil || total != 1 || len(list) != 1 {
			t.Errorf("ListVSwitches = %+v, %d, %v", list, total, err)
		}
		return nil
	})
	v.Name = "renamed"
	update(t, s, func(tx store.Tx) error { return tx.UpdateVSwitch(v) })
	update(t, s, func(tx store.Tx) error { return tx.DeleteVSwitch(1, "vsw-1") })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateVSwitch(v) })
	wantErr(t, "UpdateVSwitch after delete", err, store.ErrNotFound)
}

func testPrivateIPs(t *testing.T, s store.Store) {
	ip := store.PrivateIP{AccountID: 1, VSwitchID: "vsw-1", Address: "172.16.1.10", OwnerType: "Instance", OwnerID: "i-1", CreatedAt: when().UTC()}
	update(t, s, func(tx store.Tx) error { return tx.AllocatePrivateIP(ip) })
	err := s.Update(t.Context(), func(tx store.Tx) error {
		dup := ip
		dup.OwnerID = "i-2"
		return tx.AllocatePrivateIP(dup)
	})
	wantErr(t, "allocating a taken address", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		list, err := tx.ListPrivateIPs("vsw-1")
		if n, cerr := tx.CountPrivateIPs("vsw-1"); err != nil || cerr != nil || n != 1 || len(list) != 1 || list[0] != ip {
			t.Errorf("ListPrivateIPs = %+v (%d), %v %v", list, n, err, cerr)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.ReleasePrivateIP("vsw-1", "172.16.1.10") })
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.ReleasePrivateIP("vsw-1", "172.16.1.10") })
	wantErr(t, "releasing a free address", err, store.ErrNotFound)
}

func testFreeRanges(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		_, err := tx.LowestFreeRange("vsw-1")
		wantErr(t, "LowestFreeRange without runs", err, store.ErrNotFound)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		for _, r := range []store.FreeRange{fr("vsw-1", 20, 30), fr("vsw-1", 5, 9), fr("vsw-1", 0xfffffff0, 0xffffffff),
			fr("vsw-2", 1, 2)} {
			if err := tx.PutFreeRange(r); err != nil {
				return err
			}
		}
		return tx.PutFreeRange(store.FreeRange{VSwitchID: "vsw-1", First: 20, Last: 25}) // replaces 20-30
	})
	view(t, s, func(tx store.Tx) error {
		if r, err := tx.LowestFreeRange("vsw-1"); err != nil || r != fr("vsw-1", 5, 9) {
			t.Errorf("LowestFreeRange = %+v, %v", r, err)
		}
		for _, c := range []struct {
			addr uint32
			want store.FreeRange
		}{{5, fr("vsw-1", 5, 9)}, {19, fr("vsw-1", 5, 9)}, {27, fr("vsw-1", 20, 25)},
			{0xffffffff, fr("vsw-1", 0xfffffff0, 0xffffffff)}} {
			if r, err := tx.FreeRangeFrom("vsw-1", c.addr); err != nil || r != c.want {
				t.Errorf("FreeRangeFrom(%d) = %+v, %v; want %+v", c.addr, r, err, c.want)
			}
		}
		_, err := tx.FreeRangeFrom("vsw-1", 4)
		wantErr(t, "FreeRangeFrom below every run", err, store.ErrNotFound)
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteFreeRange("vsw-1", 6) })
	wantErr(t, "DeleteFreeRange of no run", err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.DeleteFreeRange("vsw-1", 5) })
	update(t, s, func(tx store.Tx) error { return tx.DeleteFreeRanges("vsw-1") })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.LowestFreeRange("vsw-1")
		wantErr(t, "LowestFreeRange after DeleteFreeRanges", err, store.ErrNotFound)
		if r, err := tx.LowestFreeRange("vsw-2"); err != nil || r.First != 1 {
			t.Errorf("another VSwitch's runs: %+v, %v", r, err)
		}
		return nil
	})
}

// fr is a free run of a VSwitch.
func fr(vswitchID string, first, last uint32) store.FreeRange {
	return store.FreeRange{VSwitchID: vswitchID, First: first, Last: last}
}
