package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// deploymentSetCases cover store.DeploymentSetTx and store.PlacementTx.
var deploymentSetCases = []contractCase{
	{"DeploymentSet/RoundTripScopedToTheAccount", testDeploymentSetRoundTrip},
	{"DeploymentSet/ListNewestFirstFilteredAndPaged", testDeploymentSetList},
	{"DeploymentSet/UpdateCountDelete", testDeploymentSetUpdateCountDelete},
	{"Placement/PlaceAddsUsageAndReleaseTakesItBack", testPlacementUsage},
	{"Placement/AlreadyPlacedIsConflictAndKeepsUsageExact", testPlacementConflict},
	{"Placement/DeploymentSetPlacementsBySetHostInstance", testDeploymentSetPlacements},
	{"Placement/RolledBackWithItsTransaction", testPlacementRollback},
	{"Placement/ConcurrentPlacementsOnOneHostAddUp", testPlacementConcurrent},
}

func deploymentSet(account int64, id string, created time.Time) store.DeploymentSet {
	return store.DeploymentSet{ID: id, AccountID: account, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
		Name: "name-" + id, Description: "about " + id, Domain: "Default", Granularity: "Host",
		Strategy: "StrictDispersion", CreatedAt: created}
}

func testDeploymentSetRoundTrip(t *testing.T, s store.Store) {
	d := deploymentSet(1, "ds-1", when())
	update(t, s, func(tx store.Tx) error { return tx.CreateDeploymentSet(d) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateDeploymentSet(d) })
	wantErr(t, "create twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDeploymentSet(1, "ds-1")
		if err != nil {
			t.Fatal(err)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, d.CreatedAt)
		got.CreatedAt = d.CreatedAt
		if got != d {
			t.Errorf("got %+v, want %+v", got, d)
		}
		_, err = tx.GetDeploymentSet(2, "ds-1")
		wantErr(t, "another account's set", err, store.ErrNotFound)
		_, err = tx.GetDeploymentSet(1, "ds-2")
		wantErr(t, "unknown set", err, store.ErrNotFound)
		return nil
	})
}

func deploymentSetIDs(t *testing.T, s store.Store, f store.DeploymentSetFilter) ([]string, int) {
	t.Helper()
	var ids []string
	var total int
	view(t, s, func(tx store.Tx) error {
		list, n, err := tx.ListDeploymentSets(f)
		if err != nil {
			t.Fatalf("ListDeploymentSets(%+v): %v", f, err)
		}
		for _, d := range list {
			ids = append(ids, d.ID)
		}
		total = n
		return nil
	})
	return ids, total
}

func testDeploymentSetList(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i := 1; i <= 5; i++ {
			d := deploymentSet(1, fmt.Sprintf("ds-%d", i), when().Add(time.Duration(i)*time.Second))
			if i%2 == 0 {
				d.Granularity, d.Strategy, d.Name = "Switch", "LooseAggregation", "even"
			}
			if err := tx.CreateDeploymentSet(d); err != nil {
				return err
			}
		}
		other := deploymentSet(2, "ds-other", when())
		beijing := deploymentSet(1, "ds-beijing", when())
		beijing.RegionID = "cn-beijing"
		if err := tx.CreateDeploymentSet(other); err != nil {
			return err
		}
		return tx.CreateDeploymentSet(beijing)
	})
	for _, c := range []struct {
		name  string
		f     store.DeploymentSetFilter
		want  []string
		total int
	}{
		{"all", store.DeploymentSetFilter{AccountID: 1, RegionID: "cn-hangzhou"}, []string{"ds-5", "ds-4", "ds-3", "ds-2", "ds-1"}, 5},
		{"page 2", store.DeploymentSetFilter{AccountID: 1, RegionID: "cn-hangzhou", Page: store.Page{Number: 2, Size: 2}},
			[]string{"ds-3", "ds-2"}, 5},
		{"ids", store.DeploymentSetFilter{AccountID: 1, IDs: []string{"ds-1", "ds-4", "ds-other"}}, []string{"ds-4", "ds-1"}, 2},
		{"name", store.DeploymentSetFilter{AccountID: 1, RegionID: "cn-hangzhou", Name: "even"}, []string{"ds-4", "ds-2"}, 2},
		{"policy", store.DeploymentSetFilter{AccountID: 1, Domain: "Default", Granularity: "Host", Strategy: "StrictDispersion"},
			[]string{"ds-5", "ds-3", "ds-1", "ds-beijing"}, 4},
		{"other region", store.DeploymentSetFilter{AccountID: 1, RegionID: "cn-beijing"}, []string{"ds-beijing"}, 1},
	} {
		got, total := deploymentSetIDs(t, s, c.f)
		if !reflect.DeepEqual(got, c.want) || total != c.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, got, total, c.want, c.total)
		}
	}
}

func testDeploymentSetUpdateCountDelete(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"ds-1", "ds-2"} {
			if err := tx.CreateDeploymentSet(deploymentSet(1, id, when())); err != nil {
				return err
			}
		}
		d := deploymentSet(1, "ds-1", when())
		d.Name, d.Description, d.Strategy = "renamed", "", "LooseDispersion" // only name and description change
		return tx.UpdateDeploymentSet(d)
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDeploymentSet(1, "ds-1")
		if err != nil || got.Name != "renamed" || got.Description != "" || got.Strategy != "StrictDispersion" {
			t.Errorf("after update: %+v, %v", got, err)
		}
		if n, err := tx.CountDeploymentSets(1, "cn-hangzhou"); err != nil || n != 2 {
			t.Errorf("count = %d, %v", n, err)
		}
		if n, err := tx.CountDeploymentSets(1, "cn-beijing"); err != nil || n != 0 {
			t.Errorf("count in cn-beijing = %d, %v", n, err)
		}
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateDeploymentSet(deploymentSet(2, "ds-1", when())) })
	wantErr(t, "update another account's set", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteDeploymentSet(2, "ds-1") })
	wantErr(t, "delete another account's set", err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.DeleteDeploymentSet(1, "ds-1") })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetDeploymentSet(1, "ds-1")
		wantErr(t, "deleted set", err, store.ErrNotFound)
		n, _ := tx.CountDeploymentSets(1, "cn-hangzhou")
		if n != 1 {
			t.Errorf("count after delete = %d", n)
		}
		return nil
	})
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteDeploymentSet(1, "ds-1") })
	wantErr(t, "delete twice", err, store.ErrNotFound)
}

func placement(instance, host, set string) store.Placement {
	return store.Placement{InstanceID: instance, AccountID: 1, ZoneID: "cn-hangzhou-b", HostID: host,
		DeploymentSetID: set, VCPUs: 2, MemoryMiB: 8192}
}

// zoneUsage reads ZoneHostUsage of cn-hangzhou-b.
func zoneUsage(t *testing.T, s store.Store) []store.HostUsage {
	t.Helper()
	var out []store.HostUsage
	view(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.ZoneHostUsage("cn-hangzhou-b")
		return err
	})
	return out
}

func testPlacementUsage(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		return tx.PlaceInstances([]store.Placement{placement("i-1", "h-1", ""), placement("i-2", "h-1", "ds-1"),
			placement("i-3", "h-2", "ds-1"), {InstanceID: "i-4", AccountID: 2, ZoneID: "cn-hangzhou-g", HostID: "h-g",
				VCPUs: 4, MemoryMiB: 16384}})
	})
	want := []store.HostUsage{{HostID: "h-1", ZoneID: "cn-hangzhou-b", VCPUs: 4, MemoryMiB: 16384, Instances: 2},
		{HostID: "h-2", ZoneID: "cn-hangzhou-b", VCPUs: 2, MemoryMiB: 8192, Instances: 1}}
	if got := zoneUsage(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("usage %+v, want %+v", got, want)
	}
	update(t, s, func(tx store.Tx) error { return tx.PlaceInstances([]store.Placement{placement("i-5", "h-2", "")}) })
	update(t, s, func(tx store.Tx) error {
		p, err := tx.ReleasePlacement("i-1")
		if err != nil || p != placement("i-1", "h-1", "") {
			t.Errorf("released %+v, %v", p, err)
		}
		_, err = tx.GetPlacement("i-1")
		wantErr(t, "released placement", err, store.ErrNotFound)
		_, err = tx.ReleasePlacement("i-1")
		wantErr(t, "release twice", err, store.ErrNotFound)
		got, err := tx.GetPlacement("i-2")
		if err != nil || got != placement("i-2", "h-1", "ds-1") {
			t.Errorf("GetPlacement(i-2) = %+v, %v", got, err)
		}
		return nil
	})
	want = []store.HostUsage{{HostID: "h-1", ZoneID: "cn-hangzhou-b", VCPUs: 2, MemoryMiB: 8192, Instances: 1},
		{HostID: "h-2", ZoneID: "cn-hangzhou-b", VCPUs: 4, MemoryMiB: 16384, Instances: 2}}
	if got := zoneUsage(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("usage after release %+v, want %+v", got, want)
	}
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"i-2", "i-3", "i-5"} {
			if _, err := tx.ReleasePlacement(id); err != nil {
				return err
			}
		}
		return nil
	})
	if got := zoneUsage(t, s); len(got) != 0 {
		t.Fatalf("hosts running nothing keep usage rows: %+v", got)
	}
}

func testPlacementConflict(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { return tx.PlaceInstances([]store.Placement{placement("i-1", "h-1", "")}) })
	update(t, s, func(tx store.Tx) error {
		err := tx.PlaceInstances([]store.Placement{placement("i-2", "h-1", ""), placement("i-1", "h-2", ""),
			placement("i-3", "h-2", "")})
		wantErr(t, "placing a placed instance", err, store.ErrConflict)
		return nil // the transaction stays usable and commits what came before the conflict
	})
	want := []store.HostUsage{{HostID: "h-1", ZoneID: "cn-hangzhou-b", VCPUs: 4, MemoryMiB: 16384, Instances: 2}}
	if got := zoneUsage(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("usage %+v, want %+v", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		if p, err := tx.GetPlacement("i-1"); err != nil || p.HostID != "h-1" {
			t.Errorf("i-1 moved: %+v, %v", p, err)
		}
		_, err := tx.GetPlacement("i-3")
		wantErr(t, "placement after the conflict", err, store.ErrNotFound)
		return nil
	})
}

func testDeploymentSetPlacements(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		return tx.PlaceInstances([]store.Placement{placement("i-9", "h-2", "ds-b"), placement("i-1", "h-2", "ds-a"),
			placement("i-2", "h-1", "ds-a"), placement("i-3", "h-1", ""), placement("i-4", "h-3", "ds-c")})
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.DeploymentSetPlacements([]string{"ds-b", "ds-a"})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, p := range got {
			order = append(order, p.DeploymentSetID+"/"+p.HostID+"/"+p.InstanceID)
		}
		if want := []string{"ds-a/h-1/i-2", "ds-a/h-2/i-1", "ds-b/h-2/i-9"}; !reflect.DeepEqual(order, want) {
			t.Errorf("got %v, want %v", order, want)
		}
		none, err := tx.DeploymentSetPlacements(nil)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("no sets: %v, %v", none, err)
		}
		return nil
	})
}

func testPlacementRollback(t *testing.T, s store.Store) {
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.PlaceInstances([]store.Placement{placement("i-1", "h-1", "ds-1")}); err != nil {
			return err
		}
		return fmt.Errorf("the instances could not be written")
	})
	if err == nil {
		t.Fatal("Update succeeded")
	}
	if got := zoneUsage(t, s); len(got) != 0 {
		t.Fatalf("a rolled-back placement left usage %+v", got)
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetPlacement("i-1")
		wantErr(t, "rolled-back placement", err, store.ErrNotFound)
		return nil
	})
}

func testPlacementConcurrent(t *testing.T, s store.Store) {
	const writers, each = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.Update(t.Context(), func(tx store.Tx) error {
					return tx.PlaceInstances([]store.Placement{placement(fmt.Sprintf("i-%d-%d", w, i), "h-1", "")})
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent placement: %v", err)
		}
	}
	want := []store.HostUsage{{HostID: "h-1", ZoneID: "cn-hangzhou-b", VCPUs: 2 * writers * each,
		MemoryMiB: 8192 * writers * each, Instances: writers * each}}
	if got := zoneUsage(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("usage %+v, want %+v", got, want)
	}
}
