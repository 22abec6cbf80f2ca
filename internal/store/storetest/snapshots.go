package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// snapshotCases cover store.SnapshotTx.
var snapshotCases = []contractCase{
	{"Snapshot/RoundTripAndAccountScope", testSnapshotRoundTrip},
	{"Snapshot/ListFiltersUsageAndTags", testSnapshotList},
	{"Snapshot/ExpiryAndPolicyRetention", testSnapshotExpiry},
	{"Snapshot/Links", testSnapshotLinks},
	{"AutoSnapshotPolicy/RoundTripListDelete", testPolicies},
	{"AutoSnapshotPolicy/DiskPolicies", testDiskPolicies},
}

func snapshot(id, disk string, account int64, created time.Time) store.Snapshot {
	return store.Snapshot{ID: id, AccountID: account, RegionID: "cn-hangzhou", Name: "n-" + id, Type: store.SnapshotTypeUser,
		SourceDiskID: disk, SourceDiskType: "data", SourceDiskSizeGiB: 20, SourceDiskCategory: "cloud_efficiency",
		Status: store.SnapshotAccomplished, Progress: 100, SizeBytes: 1 << 20, TaskID: "t-" + id, CreatedAt: created,
		FinishedAt: created.Add(time.Second), DriverHandle: []byte(`{"driver":"sim"}`)}
}

func snapshotIDs(list []store.Snapshot) string {
	ids := []string{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return fmt.Sprint(ids)
}

func testSnapshotRoundTrip(t *testing.T, s store.Store) {
	in := snapshot("s-1", "d-1", 1, when().UTC())
	in.RetentionDays, in.ExpiresAt, in.PolicyID, in.Encrypted, in.KMSKeyID = 3, when().UTC().Add(72*time.Hour), "p-1", true, "k"
	update(t, s, func(tx store.Tx) error { return tx.CreateSnapshot(in) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateSnapshot(in) })
	wantErr(t, "CreateSnapshot twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSnapshot(1, "s-1")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(in) {
			t.Errorf("GetSnapshot = %+v, %v\nwant %+v", got, err, in)
		}
		_, err = tx.GetSnapshot(2, "s-1")
		wantErr(t, "GetSnapshot of another account", err, store.ErrNotFound)
		return nil
	})
	in.Status, in.Progress, in.Name = store.SnapshotFailed, 30, "renamed"
	update(t, s, func(tx store.Tx) error { return tx.UpdateSnapshot(in) })
	update(t, s, func(tx store.Tx) error {
		if got, _ := tx.GetSnapshot(1, "s-1"); fmt.Sprint(got) != fmt.Sprint(in) {
			t.Errorf("after UpdateSnapshot: %+v", got)
		}
		return tx.DeleteSnapshot(1, "s-1")
	})
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteSnapshot(1, "s-1") })
	wantErr(t, "DeleteSnapshot twice", err, store.ErrNotFound)
}

func testSnapshotList(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i := 1; i <= 4; i++ {
			sn := snapshot(fmt.Sprintf("s-%d", i), fmt.Sprintf("d-%d", i%2), 1, base.Add(time.Duration(i)*time.Minute))
			if i == 4 {
				sn.Type, sn.Status, sn.SourceDiskType = store.SnapshotTypeAuto, store.SnapshotProgressing, "system"
			}
			if err := tx.CreateSnapshot(sn); err != nil {
				return err
			}
		}
		if err := tx.CreateSnapshot(snapshot("s-9", "d-9", 2, base)); err != nil {
			return err
		}
		// d-a is made from s-1 (and on i-1), an image from s-1 and s-2.
		err := tx.CreateDisk(store.Disk{ID: "d-a", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Type: "data",
			Category: "cloud", SizeGiB: 20, SourceSnapshotID: "s-1", Status: "In_use", InstanceID: "i-1", CreatedAt: base})
		if err != nil {
			return err
		}
		err = tx.CreateDisk(store.Disk{ID: "d-0", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Type: "data",
			Category: "cloud", SizeGiB: 20, Status: "In_use", InstanceID: "i-1", CreatedAt: base})
		if err != nil {
			return err
		}
		for _, id := range []string{"s-1", "s-2"} {
			if err := tx.PutSnapshotImageRef(1, id, "m-1"); err != nil {
				return err
			}
		}
		return tx.PutTags(1, store.TagTypeSnapshot, "s-3", []store.Tag{{Key: "env", Value: "prod"}})
	})
	yes := true
	cases := []struct {
		f    store.SnapshotFilter
		want string
		n    int
	}{
		{store.SnapshotFilter{AccountID: 1}, "[s-4 s-3 s-2 s-1]", 4},
		{store.SnapshotFilter{AccountID: 1, IDs: []string{"s-1", "s-9"}}, "[s-1]", 1},
		{store.SnapshotFilter{AccountID: 1, SourceDiskIDs: []string{"d-0"}}, "[s-4 s-2]", 2},
		{store.SnapshotFilter{AccountID: 1, InstanceID: "i-1"}, "[s-4 s-2]", 2},
		{store.SnapshotFilter{AccountID: 1, Name: "n-s-3"}, "[s-3]", 1},
		{store.SnapshotFilter{AccountID: 1, Statuses: []string{store.SnapshotProgressing}}, "[s-4]", 1},
		{store.SnapshotFilter{AccountID: 1, Types: []string{store.SnapshotTypeUser}}, "[s-3 s-2 s-1]", 3},
		{store.SnapshotFilter{AccountID: 1, SourceDiskType: "system"}, "[s-4]", 1},
		{store.SnapshotFilter{AccountID: 1, Usage: store.SnapshotUsageImageDisk}, "[s-1]", 1},
		{store.SnapshotFilter{AccountID: 1, Usage: store.SnapshotUsageImage}, "[s-2]", 1},
		{store.SnapshotFilter{AccountID: 1, Usage: store.SnapshotUsageNone}, "[s-4 s-3]", 2},
		{store.SnapshotFilter{AccountID: 1, Usage: store.SnapshotUsageDisk}, "[]", 0},
		{store.SnapshotFilter{AccountID: 1, Encrypted: &yes}, "[]", 0},
		{store.SnapshotFilter{AccountID: 1, CreatedFrom: base.Add(2 * time.Minute), CreatedTo: base.Add(3 * time.Minute)}, "[s-3 s-2]", 2},
		{store.SnapshotFilter{AccountID: 1, Tags: []store.Tag{{Key: "env"}}}, "[s-3]", 1},
		{store.SnapshotFilter{AccountID: 1, Page: store.Page{Number: 2, Size: 3}}, "[s-1]", 4},
		{store.SnapshotFilter{AccountID: 1, After: &store.Cursor{CreatedAt: base.Add(3 * time.Minute), ID: "s-3"}, Page: store.Page{Size: 1}}, "[s-2]", 4},
	}
	view(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			got, n, err := tx.ListSnapshots(c.f)
			if err != nil {
				t.Fatalf("ListSnapshots(%+v): %v", c.f, err)
			}
			if snapshotIDs(got) != c.want || n != c.n {
				t.Errorf("ListSnapshots(%+v) = %s (%d), want %s (%d)", c.f, snapshotIDs(got), n, c.want, c.n)
			}
		}
		got, _ := tx.GetSnapshot(1, "s-1")
		if got.Usage() != store.SnapshotUsageImageDisk {
			t.Errorf("usage of s-1 = %s", got.Usage())
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteSnapshotImageRef(1, "s-2", "m-1"); err != nil {
			return err
		}
		got, _ := tx.GetSnapshot(1, "s-2")
		if got.Usage() != store.SnapshotUsageNone {
			t.Errorf("usage of s-2 after its image went = %s", got.Usage())
		}
		return nil
	})
}

func testSnapshotExpiry(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i, exp := range []time.Duration{2 * time.Hour, time.Hour, 0} {
			sn := snapshot(fmt.Sprintf("s-%d", i+1), "d-1", 1, base)
			sn.PolicyID = "p-1"
			if exp > 0 {
				sn.ExpiresAt = base.Add(exp)
			}
			if err := tx.CreateSnapshot(sn); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ExpiredSnapshots(base.Add(3*time.Hour), 10)
		if err != nil || snapshotIDs(got) != "[s-2 s-1]" {
			t.Errorf("ExpiredSnapshots = %s, %v; want [s-2 s-1]", snapshotIDs(got), err)
		}
		got, _ = tx.ExpiredSnapshots(base.Add(90*time.Minute), 10)
		if snapshotIDs(got) != "[s-2]" {
			t.Errorf("ExpiredSnapshots at +90m = %s", snapshotIDs(got))
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.SetPolicySnapshotsRetention(1, "p-1", 2) })
	view(t, s, func(tx store.Tx) error {
		for _, id := range []string{"s-1", "s-2", "s-3"} {
			got, _ := tx.GetSnapshot(1, id)
			if got.RetentionDays != 2 || !got.ExpiresAt.Equal(base.Add(48*time.Hour)) {
				t.Errorf("%s after retention 2: %d days, expires %v", id, got.RetentionDays, got.ExpiresAt)
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.SetPolicySnapshotsRetention(1, "p-1", 0) })
	view(t, s, func(tx store.Tx) error {
		if got, _ := tx.ExpiredSnapshots(base.Add(1000*time.Hour), 10); len(got) != 0 {
			t.Errorf("kept forever, yet expired: %s", snapshotIDs(got))
		}
		return nil
	})
}

func testSnapshotLinks(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i := 1; i <= 3; i++ {
			sn := snapshot(fmt.Sprintf("s-%d", i), "d-b", 1, base.Add(time.Duration(i)*time.Minute))
			sn.SourceDiskSizeGiB, sn.SizeBytes = 20+i, int64(i)<<20
			if err := tx.CreateSnapshot(sn); err != nil {
				return err
			}
		}
		if err := tx.CreateSnapshot(snapshot("s-4", "d-a", 1, base)); err != nil {
			return err
		}
		if err := tx.CreateSnapshot(snapshot("s-9", "d-c", 2, base)); err != nil {
			return err
		}
		return tx.CreateDisk(store.Disk{ID: "d-a", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Type: "data",
			Category: "cloud", SizeGiB: 20, Status: "In_use", InstanceID: "i-1", CreatedAt: base})
	})
	view(t, s, func(tx store.Tx) error {
		links, n, err := tx.ListSnapshotLinks(store.SnapshotLinkFilter{AccountID: 1})
		if err != nil || n != 2 || len(links) != 2 {
			t.Fatalf("ListSnapshotLinks = %+v, %d, %v; want two", links, n, err)
		}
		if l := links[1]; l.SourceDiskID != "d-b" || l.Count != 3 || l.TotalBytes != 6<<20 || l.SourceDiskSizeGiB != 23 ||
			l.RegionID != "cn-hangzhou" || l.SourceDiskType != "data" {
			t.Errorf("link of d-b = %+v; want 3 snapshots, 6 MiB, size of the newest (23)", l)
		}
		links, n, _ = tx.ListSnapshotLinks(store.SnapshotLinkFilter{AccountID: 1, InstanceID: "i-1"})
		if n != 1 || len(links) != 1 || links[0].SourceDiskID != "d-a" {
			t.Errorf("links of i-1 = %+v (%d)", links, n)
		}
		links, n, _ = tx.ListSnapshotLinks(store.SnapshotLinkFilter{AccountID: 1, SourceDiskIDs: []string{"d-b", "d-c"},
			Page: store.Page{Number: 1, Size: 1}})
		if n != 1 || len(links) != 1 || links[0].SourceDiskID != "d-b" {
			t.Errorf("links of d-b, d-c = %+v (%d)", links, n)
		}
		links, n, _ = tx.ListSnapshotLinks(store.SnapshotLinkFilter{AccountID: 1, Page: store.Page{Number: 2, Size: 1}})
		if n != 2 || len(links) != 1 || links[0].SourceDiskID != "d-b" {
			t.Errorf("page 2 of 1 = %+v (%d)", links, n)
		}
		return nil
	})
}

func testPolicies(t *testing.T, s store.Store) {
	base := when().UTC()
	p := store.AutoSnapshotPolicy{ID: "p-1", AccountID: 1, RegionID: "cn-hangzhou", Name: "daily", TimePoints: []int{0, 13},
		RepeatWeekdays: []int{1, 7}, RetentionDays: -1, CreatedAt: base}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAutoSnapshotPolicy(p); err != nil {
			return err
		}
		q := p
		q.ID, q.Name, q.CreatedAt = "p-2", "weekly", base.Add(time.Minute)
		return tx.CreateAutoSnapshotPolicy(q)
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAutoSnapshotPolicy(p) })
	wantErr(t, "CreateAutoSnapshotPolicy twice", err, store.ErrConflict)
	p.Name, p.TimePoints, p.RepeatWeekdays, p.RetentionDays = "renamed", []int{5}, []int{2, 3}, 7
	update(t, s, func(tx store.Tx) error { return tx.UpdateAutoSnapshotPolicy(p) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetAutoSnapshotPolicy(1, "p-1")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(p) {
			t.Errorf("GetAutoSnapshotPolicy = %+v, %v\nwant %+v", got, err, p)
		}
		_, err = tx.GetAutoSnapshotPolicy(2, "p-1")
		wantErr(t, "a policy of another account", err, store.ErrNotFound)
		list, n, err := tx.ListAutoSnapshotPolicies(store.AutoSnapshotPolicyFilter{AccountID: 1})
		if err != nil || n != 2 || len(list) != 2 || list[0].ID != "p-2" {
			t.Errorf("ListAutoSnapshotPolicies = %+v, %d, %v", list, n, err)
		}
		list, n, _ = tx.ListAutoSnapshotPolicies(store.AutoSnapshotPolicyFilter{AccountID: 1, IDs: []string{"p-1"}})
		if n != 1 || list[0].Name != "renamed" {
			t.Errorf("by ID = %+v", list)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutDiskPolicy(store.DiskPolicy{DiskID: "d-1", AccountID: 1, RegionID: "cn-hangzhou", PolicyID: "p-1", AppliedAt: base}); err != nil {
			return err
		}
		return tx.DeleteAutoSnapshotPolicy(1, "p-1")
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetDiskPolicy(1, "d-1")
		wantErr(t, "the disk's policy after DeleteAutoSnapshotPolicy", err, store.ErrNotFound)
		return nil
	})
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteAutoSnapshotPolicy(1, "p-1") })
	wantErr(t, "DeleteAutoSnapshotPolicy twice", err, store.ErrNotFound)
}

func testDiskPolicies(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i, pol := range []string{"p-1", "p-1", "p-2"} {
			err := tx.PutDiskPolicy(store.DiskPolicy{DiskID: fmt.Sprintf("d-%d", i+1), AccountID: 1, RegionID: "cn-hangzhou",
				PolicyID: pol, AppliedAt: base})
			if err != nil {
				return err
			}
		}
		return tx.PutDiskPolicy(store.DiskPolicy{DiskID: "d-9", AccountID: 2, RegionID: "cn-hangzhou", PolicyID: "p-9", AppliedAt: base})
	})
	slot := base.Add(time.Hour)
	update(t, s, func(tx store.Tx) error {
		return tx.PutDiskPolicy(store.DiskPolicy{DiskID: "d-2", AccountID: 1, RegionID: "cn-hangzhou", PolicyID: "p-2",
			AppliedAt: base, LastSlot: slot})
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDiskPolicy(1, "d-2")
		if err != nil || got.PolicyID != "p-2" || !got.LastSlot.Equal(slot) {
			t.Errorf("GetDiskPolicy(d-2) = %+v, %v", got, err)
		}
		_, err = tx.GetDiskPolicy(2, "d-2")
		wantErr(t, "another account's disk policy", err, store.ErrNotFound)
		counts, err := tx.CountPolicyDisks(1, []string{"p-1", "p-2", "p-3"})
		if err != nil || counts["p-1"] != 1 || counts["p-2"] != 2 || counts["p-3"] != 0 {
			t.Errorf("CountPolicyDisks = %v, %v", counts, err)
		}
		all, err := tx.ListDiskPolicies("", "", 0)
		if err != nil || len(all) != 4 {
			t.Errorf("ListDiskPolicies = %+v, %v", all, err)
		}
		page, _ := tx.ListDiskPolicies("", "d-1", 2)
		if len(page) != 2 || page[0].DiskID != "d-2" || page[1].DiskID != "d-3" {
			t.Errorf("ListDiskPolicies after d-1 = %+v", page)
		}
		ofP2, _ := tx.ListDiskPolicies("p-2", "", 0)
		if len(ofP2) != 2 || ofP2[0].DiskID != "d-2" || ofP2[1].DiskID != "d-3" {
			t.Errorf("ListDiskPolicies of p-2 = %+v", ofP2)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteDiskPolicy(1, "d-1"); err != nil {
			return err
		}
		return tx.DeleteDiskPolicy(1, "d-1")
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetDiskPolicy(1, "d-1")
		wantErr(t, "a deleted disk policy", err, store.ErrNotFound)
		return nil
	})
}
