package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// networkInterfaceCases cover store.NetworkInterfaceTx.
var networkInterfaceCases = []contractCase{
	{"NetworkInterface/RoundTripAndAccountScope", testNetworkInterfaceRoundTrip},
	{"NetworkInterface/UniqueMAC", testNetworkInterfaceUniqueMAC},
	{"NetworkInterface/ListFiltersPagesAndCursor", testNetworkInterfaceList},
	{"NetworkInterface/SecurityGroups", testNetworkInterfaceSecurityGroups},
	{"NetworkInterface/InstanceInterfaces", testInstanceNetworkInterfaces},
}

func networkInterface(id string, account int64, created time.Time) store.NetworkInterface {
	return store.NetworkInterface{ID: id, AccountID: account, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
		VpcID: "vpc-1", VSwitchID: "vsw-1", Type: store.NetworkInterfaceSecondary, Name: "n-" + id, Description: "d",
		Status: "Available", PrivateIP: "172.16.1." + id[len(id)-1:], MAC: "00:16:3e:00:00:0" + id[len(id)-1:],
		CreatedAt: created}
}

func testNetworkInterfaceRoundTrip(t *testing.T, s store.Store) {
	n := networkInterface("eni-1", 1, when().UTC())
	update(t, s, func(tx store.Tx) error { return tx.CreateNetworkInterface(n) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateNetworkInterface(n) })
	wantErr(t, "CreateNetworkInterface twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetNetworkInterface(1, "eni-1")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(n) {
			t.Errorf("GetNetworkInterface = %+v, %v\nwant %+v", got, err, n)
		}
		_, err = tx.GetNetworkInterface(2, "eni-1")
		wantErr(t, "GetNetworkInterface of another account", err, store.ErrNotFound)
		return nil
	})
	n.Status, n.InstanceID, n.AttachedAt, n.Name, n.Description = "InUse", "i-1", when().UTC().Add(time.Second), "renamed", ""
	update(t, s, func(tx store.Tx) error { return tx.UpdateNetworkInterface(n) })
	view(t, s, func(tx store.Tx) error {
		if got, _ := tx.GetNetworkInterface(1, "eni-1"); fmt.Sprint(got) != fmt.Sprint(n) {
			t.Errorf("after UpdateNetworkInterface: %+v", got)
		}
		return nil
	})
	other := n
	other.AccountID = 2
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateNetworkInterface(other) })
	wantErr(t, "UpdateNetworkInterface of another account", err, store.ErrNotFound)
	// A primary interface recorded without a MAC (migration 0013) reads back without one.
	legacy := networkInterface("eni-2", 1, when().UTC())
	legacy.Type, legacy.MAC, legacy.InstanceID, legacy.Status = store.NetworkInterfacePrimary, "", "i-2", "InUse"
	update(t, s, func(tx store.Tx) error { return tx.CreateNetworkInterface(legacy) })
	update(t, s, func(tx store.Tx) error {
		if got, err := tx.GetNetworkInterface(1, "eni-2"); err != nil || got.MAC != "" {
			t.Errorf("interface without a MAC = %+v, %v", got, err)
		}
		return tx.DeleteNetworkInterface(1, "eni-1")
	})
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteNetworkInterface(1, "eni-1") })
	wantErr(t, "DeleteNetworkInterface twice", err, store.ErrNotFound)
}

func testNetworkInterfaceUniqueMAC(t *testing.T, s store.Store) {
	a, b := networkInterface("eni-1", 1, when().UTC()), networkInterface("eni-2", 2, when().UTC())
	b.MAC = a.MAC
	update(t, s, func(tx store.Tx) error { return tx.CreateNetworkInterface(a) })
	// The conflict leaves the transaction usable: the same transaction goes on
	// with another MAC and commits.
	update(t, s, func(tx store.Tx) error {
		taken, err := tx.NetworkInterfaceMACTaken(a.MAC)
		if err != nil || !taken {
			t.Errorf("NetworkInterfaceMACTaken(%s) = %v, %v", a.MAC, taken, err)
		}
		wantErr(t, "CreateNetworkInterface with a taken MAC, another account", tx.CreateNetworkInterface(b), store.ErrConflict)
		b.MAC = "00:16:3e:aa:bb:cc"
		return tx.CreateNetworkInterface(b)
	})
	// Legacy primary interfaces without a MAC do not collide with each other.
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"eni-3", "eni-4"} {
			n := networkInterface(id, 1, when().UTC())
			n.MAC, n.Type = "", store.NetworkInterfacePrimary
			if err := tx.CreateNetworkInterface(n); err != nil {
				return err
			}
		}
		return nil
	})
	b.MAC = a.MAC
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "UpdateNetworkInterface to a taken MAC", tx.UpdateNetworkInterface(b), store.ErrConflict)
		b.MAC = "00:16:3e:aa:bb:cd"
		return tx.UpdateNetworkInterface(b)
	})
	view(t, s, func(tx store.Tx) error {
		if taken, err := tx.NetworkInterfaceMACTaken("00:16:3e:aa:bb:cc"); err != nil || taken {
			t.Errorf("the MAC given up by an update is still taken: %v, %v", taken, err)
		}
		return nil
	})
}

func testNetworkInterfaceList(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i := 1; i <= 5; i++ {
			n := networkInterface(fmt.Sprintf("eni-%d", i), 1, base.Add(time.Duration(i)*time.Second))
			if i%2 == 0 {
				n.Status, n.InstanceID, n.VSwitchID = "InUse", "i-1", "vsw-2"
			}
			if i == 5 {
				n.Type, n.Status, n.InstanceID = store.NetworkInterfacePrimary, "InUse", "i-5"
			}
			if err := tx.CreateNetworkInterface(n); err != nil {
				return err
			}
		}
		if err := tx.PutTags(1, store.TagTypeNetworkInterface, "eni-3", []store.Tag{{Key: "env", Value: "prod"}}); err != nil {
			return err
		}
		return tx.CreateNetworkInterface(networkInterface("eni-9", 2, base))
	})
	view(t, s, func(tx store.Tx) error {
		all, total, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{AccountID: 1, RegionID: "cn-hangzhou"})
		if err != nil || total != 5 || len(all) != 5 || all[0].ID != "eni-5" {
			t.Errorf("all = %v (%d), %v", networkInterfaceIDs(all), total, err)
		}
		for _, c := range []struct {
			f    store.NetworkInterfaceFilter
			want string
		}{
			{store.NetworkInterfaceFilter{Statuses: []string{"Available"}}, "[eni-3 eni-1]"},
			{store.NetworkInterfaceFilter{InstanceID: "i-1"}, "[eni-4 eni-2]"},
			{store.NetworkInterfaceFilter{VSwitchID: "vsw-2", Type: store.NetworkInterfaceSecondary}, "[eni-4 eni-2]"},
			{store.NetworkInterfaceFilter{Type: store.NetworkInterfacePrimary}, "[eni-5]"},
			{store.NetworkInterfaceFilter{IDs: []string{"eni-1", "eni-9"}}, "[eni-1]"},
			{store.NetworkInterfaceFilter{PrivateIPs: []string{"172.16.1.3"}, Name: "n-eni-3"}, "[eni-3]"},
			{store.NetworkInterfaceFilter{Tags: []store.Tag{{Key: "env"}}}, "[eni-3]"},
			{store.NetworkInterfaceFilter{Tags: []store.Tag{{Key: "env", Value: "dev"}}}, "[]"},
		} {
			c.f.AccountID = 1
			got, total, err := tx.ListNetworkInterfaces(c.f)
			if err != nil || fmt.Sprint(networkInterfaceIDs(got)) != c.want || total != len(got) {
				t.Errorf("filter %+v = %v (%d), %v; want %s", c.f, networkInterfaceIDs(got), total, err, c.want)
			}
		}
		page, total, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{AccountID: 1, Page: store.Page{Number: 2, Size: 2}})
		if err != nil || total != 5 || fmt.Sprint(networkInterfaceIDs(page)) != "[eni-3 eni-2]" {
			t.Errorf("page 2 of size 2 = %v (%d), %v", networkInterfaceIDs(page), total, err)
		}
		next, _, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{AccountID: 1, Page: store.Page{Size: 2},
			After: &store.Cursor{CreatedAt: page[1].CreatedAt, ID: page[1].ID}})
		if err != nil || fmt.Sprint(networkInterfaceIDs(next)) != "[eni-1]" {
			t.Errorf("after cursor = %v, %v", networkInterfaceIDs(next), err)
		}
		for typ, want := range map[string]int{store.NetworkInterfaceSecondary: 4, store.NetworkInterfacePrimary: 1} {
			if n, err := tx.CountNetworkInterfaces(1, "cn-hangzhou", typ); err != nil || n != want {
				t.Errorf("CountNetworkInterfaces(%s) = %d, %v; want %d", typ, n, err, want)
			}
		}
		if n, err := tx.CountNetworkInterfaces(1, "cn-beijing", ""); err != nil || n != 0 {
			t.Errorf("CountNetworkInterfaces in another region = %d, %v", n, err)
		}
		// Tag listings scoped to a region know where interfaces are.
		for region, want := range map[string]int{"cn-hangzhou": 1, "cn-beijing": 0} {
			rows, err := tx.ListTags(store.TagFilter{AccountID: 1, RegionID: region,
				ResourceTypes: []string{store.TagTypeNetworkInterface}}, store.TagRowPage{})
			if err != nil || len(rows) != want {
				t.Errorf("ListTags of interfaces in %s = %v, %v; want %d rows", region, rows, err, want)
			}
		}
		return nil
	})
}

func networkInterfaceIDs(list []store.NetworkInterface) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.ID
	}
	return out
}

func testNetworkInterfaceSecurityGroups(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateNetworkInterface(networkInterface("eni-1", 1, base)); err != nil {
			return err
		}
		primary := networkInterface("eni-2", 1, base.Add(time.Second))
		primary.Type, primary.InstanceID, primary.Status = store.NetworkInterfacePrimary, "i-2", "InUse"
		if err := tx.CreateNetworkInterface(primary); err != nil {
			return err
		}
		if err := tx.CreateInstance(instance("i-2", 1, base)); err != nil {
			return err
		}
		if err := tx.SetInstanceSecurityGroups(1, "i-2", []string{"sg-a"}); err != nil {
			return err
		}
		if err := tx.SetNetworkInterfaceSecurityGroups(1, "eni-1", []string{"sg-a", "sg-c"}); err != nil {
			return err
		}
		return tx.SetNetworkInterfaceSecurityGroups(1, "eni-1", []string{"sg-b", "sg-a"})
	})
	view(t, s, func(tx store.Tx) error {
		groups, err := tx.NetworkInterfaceSecurityGroups([]string{"eni-1", "eni-2", "eni-x"})
		if err != nil || fmt.Sprint(groups) != "map[eni-1:[sg-b sg-a]]" {
			t.Errorf("NetworkInterfaceSecurityGroups = %v, %v", groups, err)
		}
		for g, want := range map[string]int{"sg-a": 1, "sg-b": 1, "sg-c": 0} {
			if n, err := tx.CountSecurityGroupNetworkInterfaces(g); err != nil || n != want {
				t.Errorf("CountSecurityGroupNetworkInterfaces(%s) = %d, %v; want %d", g, n, err, want)
			}
		}
		// A primary interface is in its instance's groups.
		for g, want := range map[string]string{"sg-a": "[eni-2 eni-1]", "sg-b": "[eni-1]", "sg-c": "[]"} {
			got, _, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{AccountID: 1, SecurityGroupID: g})
			if err != nil || fmt.Sprint(networkInterfaceIDs(got)) != want {
				t.Errorf("interfaces in %s = %v, %v; want %s", g, networkInterfaceIDs(got), err, want)
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteNetworkInterface(1, "eni-1") })
	view(t, s, func(tx store.Tx) error {
		if n, _ := tx.CountSecurityGroupNetworkInterfaces("sg-b"); n != 0 {
			t.Errorf("memberships outlive the interface: %d", n)
		}
		return nil
	})
}

func testInstanceNetworkInterfaces(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i, spec := range []struct{ id, instance, typ string }{
			{"eni-1", "i-1", store.NetworkInterfaceSecondary},
			{"eni-2", "i-1", store.NetworkInterfacePrimary},
			{"eni-3", "i-1", store.NetworkInterfaceSecondary},
			{"eni-4", "i-2", store.NetworkInterfacePrimary},
			{"eni-5", "", store.NetworkInterfaceSecondary},
		} {
			n := networkInterface(spec.id, 1, base)
			n.InstanceID, n.Type = spec.instance, spec.typ
			if spec.instance != "" {
				n.Status, n.AttachedAt = "InUse", base.Add(time.Duration(10-i)*time.Second)
			}
			if err := tx.CreateNetworkInterface(n); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.InstanceNetworkInterfaces([]string{"i-1", "i-2"})
		if err != nil || fmt.Sprint(networkInterfaceIDs(got)) != "[eni-2 eni-3 eni-1 eni-4]" {
			t.Errorf("InstanceNetworkInterfaces = %v, %v; want each primary first, then by attachment", networkInterfaceIDs(got), err)
		}
		none, err := tx.InstanceNetworkInterfaces(nil)
		if err != nil || len(none) != 0 {
			t.Errorf("InstanceNetworkInterfaces(nil) = %v, %v", none, err)
		}
		return nil
	})
}
