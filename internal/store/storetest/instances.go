package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// instanceCases cover store.InstanceTx and store.DiskTx.
var instanceCases = []contractCase{
	{"Instance/RoundTripAndAccountScope", testInstanceRoundTrip},
	{"Instance/ListFiltersPagesAndCursor", testInstanceList},
	{"Instance/DueTransitions", testInstanceDueTransitions},
	{"Instance/HandlesByStatusPageByID", testInstanceHandles},
	{"Instance/TagFiltersMatchExactly", testInstanceTagFilters},
	{"Instance/SecurityGroupMemberships", testInstanceSecurityGroups},
	{"Disk/RoundTripListAndInstanceDisks", testDisks},
}

func instance(id string, account int64, created time.Time) store.Instance {
	return store.Instance{ID: id, AccountID: account, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Name: "n-" + id,
		HostName: "h", InstanceType: "ecs.g5.large", CPU: 2, MemoryMiB: 8192, ImageID: "img", OSName: "Debian", OSType: "linux",
		VpcID: "vpc-1", VSwitchID: "vsw-1", PrivateIP: "172.16.1." + id[len(id)-1:], InstanceChargeType: "PostPaid",
		Status: "Running", CreatedAt: created, DriverHandle: []byte(`{"driver":"sim"}`)}
}

func testInstanceRoundTrip(t *testing.T, s store.Store) {
	in := instance("i-1", 1, when().UTC())
	in.NextStatus, in.NextStatusAt = "Running", when().UTC().Add(time.Second)
	in.DeletionProtection, in.AutoReleaseTime, in.StartedAt = true, when().UTC().Add(time.Hour), when().UTC()
	update(t, s, func(tx store.Tx) error { return tx.CreateInstance(in) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateInstance(in) })
	wantErr(t, "CreateInstance twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetInstance(1, "i-1")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(in) {
			t.Errorf("GetInstance = %+v, %v\nwant %+v", got, err, in)
		}
		_, err = tx.GetInstance(2, "i-1")
		wantErr(t, "GetInstance of another account", err, store.ErrNotFound)
		return nil
	})
	in.Status, in.NextStatus, in.NextStatusAt, in.Name = "Stopped", "", time.Time{}, "renamed"
	update(t, s, func(tx store.Tx) error { return tx.UpdateInstance(in) })
	update(t, s, func(tx store.Tx) error {
		if got, _ := tx.GetInstance(1, "i-1"); fmt.Sprint(got) != fmt.Sprint(in) {
			t.Errorf("after UpdateInstance: %+v", got)
		}
		return tx.DeleteInstance(1, "i-1")
	})
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteInstance(1, "i-1") })
	wantErr(t, "DeleteInstance twice", err, store.ErrNotFound)
}

func testInstanceList(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i := 1; i <= 5; i++ {
			in := instance(fmt.Sprintf("i-%d", i), 1, base.Add(time.Duration(i)*time.Second))
			if i%2 == 0 {
				in.Status = "Stopped"
			}
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
		}
		return tx.CreateInstance(instance("i-9", 2, base))
	})
	view(t, s, func(tx store.Tx) error {
		all, total, err := tx.ListInstances(store.InstanceFilter{AccountID: 1, RegionID: "cn-hangzhou"})
		if err != nil || total != 5 || len(all) != 5 || all[0].ID != "i-5" {
			t.Errorf("ListInstances = %d/%d, %v", len(all), total, err)
		}
		running, total, err := tx.ListInstances(store.InstanceFilter{AccountID: 1, Statuses: []string{"Running"},
			VpcID: "vpc-1", InstanceTypeFamily: "ecs.g5", Page: store.Page{Number: 1, Size: 2}})
		if err != nil || total != 3 || len(running) != 2 || running[0].ID != "i-5" || running[1].ID != "i-3" {
			t.Errorf("running, page 1 of size 2 = %v (%d), %v", instanceIDs(running), total, err)
		}
		next, _, err := tx.ListInstances(store.InstanceFilter{AccountID: 1, Statuses: []string{"Running"},
			Page: store.Page{Size: 2}, After: &store.Cursor{CreatedAt: running[1].CreatedAt, ID: running[1].ID}})
		if err != nil || len(next) != 1 || next[0].ID != "i-1" {
			t.Errorf("after cursor = %v, %v", instanceIDs(next), err)
		}
		return nil
	})
}

func instanceIDs(list []store.Instance) []string {
	out := make([]string, len(list))
	for i, in := range list {
		out[i] = in.ID
	}
	return out
}

func testInstanceDueTransitions(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i, due := range []time.Duration{2 * time.Second, time.Second, time.Hour} {
			in := instance(fmt.Sprintf("i-%d", i+1), int64(i+1), base)
			in.Status, in.NextStatus, in.NextStatusAt = "Pending", "Starting", base.Add(due)
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
		}
		return tx.CreateInstance(instance("i-4", 1, base))
	})
	view(t, s, func(tx store.Tx) error {
		due, err := tx.DueInstanceTransitions(base.Add(time.Minute), 10)
		if err != nil || len(due) != 2 || due[0].ID != "i-2" || due[1].ID != "i-1" {
			t.Errorf("DueInstanceTransitions = %+v, %v; want i-2, i-1 across accounts", due, err)
		}
		return nil
	})
}

func testInstanceHandles(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, id := range []string{"i-3", "i-1", "i-4", "i-2"} {
			in := instance(id, int64(1+i%2), when().UTC())
			if id == "i-4" {
				in.Status = "Stopped"
			}
			if id == "i-2" {
				in.NextStatus, in.DriverHandle = "Released", nil
			}
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		first, err := tx.InstanceHandles("Running", "", 2)
		if err != nil || len(first) != 2 || first[0].ID != "i-1" || first[1].ID != "i-2" {
			t.Fatalf("first page = %+v, %v; want i-1, i-2 of both accounts", first, err)
		}
		if first[0].AccountID != 2 || string(first[0].DriverHandle) != `{"driver":"sim"}` ||
			first[1].NextStatus != "Released" || first[1].DriverHandle != nil {
			t.Errorf("handles = %+v", first)
		}
		rest, err := tx.InstanceHandles("Running", first[1].ID, 2)
		if err != nil || len(rest) != 1 || rest[0].ID != "i-3" {
			t.Errorf("after i-2 = %+v, %v; want i-3 only (i-4 is Stopped)", rest, err)
		}
		return nil
	})
}

// testInstanceTagFilters checks that Tag.N filters match keys and values
// exactly (case, spaces, pattern characters, prefixes), whether the tags were
// written before or after the instance, and follow changes and removals.
func testInstanceTagFilters(t *testing.T, s store.Store) {
	tricky := []store.Tag{{Key: "env", Value: "prod"}, {Key: "a b", Value: "x=y *?[%_~\\"}, {Key: "Team", Value: ""}}
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutTags(1, store.TagTypeInstance, "i-1", tricky); err != nil { // before the row
			return err
		}
		for _, id := range []string{"i-1", "i-2", "i-3"} {
			if err := tx.CreateInstance(instance(id, 1, when().UTC())); err != nil {
				return err
			}
		}
		if err := tx.PutTags(1, store.TagTypeInstance, "i-2", []store.Tag{{Key: "env", Value: "production"}, {Key: "team", Value: "a"}}); err != nil {
			return err
		}
		return tx.PutTags(1, store.TagTypeInstance, "i-3", []store.Tag{{Key: "envx", Value: "prod"}, {Key: "x", Value: "env=prod"}})
	})
	match := func(tags ...store.Tag) string {
		var ids []string
		view(t, s, func(tx store.Tx) error {
			got, _, err := tx.ListInstances(store.InstanceFilter{AccountID: 1, Statuses: []string{"Running"}, Tags: tags})
			if err != nil {
				return err
			}
			for _, in := range got {
				ids = append(ids, in.ID)
			}
			return nil
		})
		slices.Sort(ids)
		return fmt.Sprint(ids)
	}
	for _, c := range []struct {
		tags []store.Tag
		want string
	}{
		{[]store.Tag{{Key: "env", Value: "prod"}}, "[i-1]"},
		{[]store.Tag{{Key: "env"}}, "[i-1 i-2]"},
		{[]store.Tag{{Key: "ENV", Value: "prod"}}, "[]"},
		{[]store.Tag{{Key: "env", Value: "pro"}}, "[]"},
		{[]store.Tag{{Key: "env", Value: "p*"}}, "[]"},
		{[]store.Tag{{Key: "env", Value: "pro_"}}, "[]"},
		{[]store.Tag{{Key: "a b", Value: "x=y *?[%_~\\"}}, "[i-1]"},
		{[]store.Tag{{Key: "a"}}, "[]"},
		{[]store.Tag{{Key: "Team"}}, "[i-1]"},
		{[]store.Tag{{Key: "team", Value: "a"}, {Key: "env"}}, "[i-2]"},
	} {
		if got := match(c.tags...); got != c.want {
			t.Errorf("Tag filter %+v matches %s, want %s", c.tags, got, c.want)
		}
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteTags(1, store.TagTypeInstance, "i-1", []string{"env"}); err != nil {
			return err
		}
		return tx.PutTags(1, store.TagTypeInstance, "i-2", []store.Tag{{Key: "env", Value: "prod"}})
	})
	if got := match(store.Tag{Key: "env", Value: "prod"}); got != "[i-2]" {
		t.Errorf("after retagging: env=prod matches %s, want [i-2]", got)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteAllTags(1, store.TagTypeInstance, "i-2") })
	if got := match(store.Tag{Key: "env"}); got != "[]" {
		t.Errorf("after removing every tag: env matches %s", got)
	}
}

func testInstanceSecurityGroups(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateInstance(instance("i-1", 1, when().UTC())); err != nil {
			return err
		}
		if err := tx.CreateInstance(instance("i-2", 1, when().UTC())); err != nil {
			return err
		}
		if err := tx.SetInstanceSecurityGroups(1, "i-2", []string{"sg-c"}); err != nil {
			return err
		}
		return tx.SetInstanceSecurityGroups(1, "i-1", []string{"sg-b", "sg-a"})
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.SecurityGroupsOfInstances([]string{"i-2", "i-1", "i-9"})
		if err != nil || len(got) != 2 || fmt.Sprint(got["i-1"]) != "[sg-b sg-a]" || fmt.Sprint(got["i-2"]) != "[sg-c]" {
			t.Errorf("SecurityGroupsOfInstances = %v, %v", got, err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		groups, err := tx.InstanceSecurityGroups("i-1")
		n, cerr := tx.CountSecurityGroupInstances("sg-a")
		list, _, lerr := tx.ListInstances(store.InstanceFilter{AccountID: 1, SecurityGroupID: "sg-b"})
		if err != nil || cerr != nil || lerr != nil || fmt.Sprint(groups) != "[sg-b sg-a]" || n != 1 || len(list) != 1 {
			t.Errorf("groups %v (%v), count %d (%v), list %d (%v)", groups, err, n, cerr, len(list), lerr)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteInstance(1, "i-1") })
	view(t, s, func(tx store.Tx) error {
		if n, _ := tx.CountSecurityGroupInstances("sg-a"); n != 0 {
			t.Errorf("memberships outlive the instance: %d", n)
		}
		return nil
	})
}

func testDisks(t *testing.T, s store.Store) {
	base := when().UTC()
	sys := store.Disk{ID: "d-sys", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Type: "system",
		Category: "cloud_essd", SizeGiB: 40, PerformanceLevel: "PL1", ImageID: "img", InstanceID: "i-1", Device: "/dev/xvda",
		Status: "In_use", DeleteWithInstance: true, CreatedAt: base, AttachedAt: base}
	data := sys
	data.ID, data.Type, data.Device, data.SizeGiB, data.Portable, data.CreatedAt = "d-data", "data", "/dev/xvdb", 100, true, base.Add(time.Second)
	loose := data
	loose.ID, loose.InstanceID, loose.Device, loose.Status, loose.AttachedAt = "d-loose", "", "", "Available", time.Time{}
	update(t, s, func(tx store.Tx) error {
		for _, d := range []store.Disk{data, sys, loose} {
			if err := tx.CreateDisk(d); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDisk(1, "d-sys")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(sys) {
			t.Errorf("GetDisk = %+v, %v", got, err)
		}
		_, err = tx.GetDisk(2, "d-sys")
		wantErr(t, "GetDisk of another account", err, store.ErrNotFound)
		attached, err := tx.InstanceDisks("i-1")
		if err != nil || len(attached) != 2 || attached[0].ID != "d-sys" || attached[1].ID != "d-data" {
			t.Errorf("InstanceDisks = %v, %v", attached, err)
		}
		byInstance, err := tx.DisksOfInstances([]string{"i-9", "i-1"})
		if err != nil || len(byInstance) != 1 || len(byInstance["i-1"]) != 2 || byInstance["i-1"][0].ID != "d-sys" {
			t.Errorf("DisksOfInstances = %v, %v; want i-1's two disks, system first", byInstance, err)
		}
		avail, total, err := tx.ListDisks(store.DiskFilter{AccountID: 1, Statuses: []string{"Available"}})
		if err != nil || total != 1 || avail[0].ID != "d-loose" {
			t.Errorf("available disks = %v (%d), %v", avail, total, err)
		}
		return nil
	})
	loose.Status, loose.InstanceID, loose.Device = "In_use", "i-1", "/dev/xvdc"
	update(t, s, func(tx store.Tx) error { return tx.UpdateDisk(loose) })
	update(t, s, func(tx store.Tx) error { return tx.DeleteDisk(1, "d-loose") })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteDisk(1, "d-loose") })
	wantErr(t, "DeleteDisk twice", err, store.ErrNotFound)
}
