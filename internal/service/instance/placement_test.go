package instance

import (
	"sort"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// newPlacementFixture is the launch fixture on a topology whose zone
// cn-hangzhou-b has four hosts (one switch, two racks of two) of 4 vCPUs and
// 16 GiB: two ecs.g5.large (2 vCPUs, 8 GiB) a host, eight in the zone.
func newPlacementFixture(t *testing.T) *launchFixture {
	t.Helper()
	topo := catalog.DefaultTopology()
	for ri := range topo.Regions {
		for zi := range topo.Regions[ri].Zones {
			if topo.Regions[ri].Zones[zi].ZoneID == "cn-hangzhou-b" {
				topo.Regions[ri].Zones[zi].Hosts = &catalog.HostLayout{Switches: 1, RacksPerSwitch: 2, HostsPerRack: 2,
					VCPUs: 4, MemoryGiB: 16}
			}
		}
	}
	cat, err := catalog.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	gen := ids.Seeded(11)
	drv, err := sim.New(sim.Config{}, clk)
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat,
		Network: network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}),
		Images:  image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}), Compute: drv}
	f := &launchFixture{svc: New(deps), store: st, clock: clk, sim: drv, deps: deps}
	f.seed(t)
	return f
}

const (
	hostB1 = "cn-hangzhou-b-sw1-rack1-host1"
	hostB2 = "cn-hangzhou-b-sw1-rack1-host2"
	hostB3 = "cn-hangzhou-b-sw1-rack2-host1"
	hostB4 = "cn-hangzhou-b-sw1-rack2-host2"
)

// createSet stores a deployment set of account 1 in cn-hangzhou.
func (f *launchFixture) createSet(t *testing.T, id, zone, granularity, strategy string) {
	t.Helper()
	f.update(t, func(tx store.Tx) error {
		return tx.CreateDeploymentSet(store.DeploymentSet{ID: id, AccountID: 1, RegionID: "cn-hangzhou", ZoneID: zone,
			Domain: "Default", Granularity: granularity, Strategy: strategy, CreatedAt: f.clock.Now()})
	})
}

// hostsOf returns the host of each instance, sorted; "" for an unplaced one.
func (f *launchFixture) hostsOf(t *testing.T, ids []string) []string {
	t.Helper()
	var out []string
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		for _, id := range ids {
			p, err := tx.GetPlacement(id)
			if err != nil {
				return err
			}
			if p.VCPUs != 2 || p.MemoryMiB != 8192 || p.ZoneID != "cn-hangzhou-b" {
				t.Errorf("placement of %s: %+v", id, p)
			}
			out = append(out, p.HostID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("placements: %v", err)
	}
	sort.Strings(out)
	return out
}

// usage returns the usage rows of cn-hangzhou-b.
func (f *launchFixture) usage(t *testing.T) map[string]store.HostUsage {
	t.Helper()
	out := map[string]store.HostUsage{}
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		rows, err := tx.ZoneHostUsage("cn-hangzhou-b")
		for _, u := range rows {
			out[u.HostID] = u
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *launchFixture) instanceCount(t *testing.T) int {
	t.Helper()
	var n int
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		var err error
		n, err = tx.CountInstances(1, "cn-hangzhou")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunInstancesPlacesEachInstanceOnAHostAndDeletionGivesTheCapacityBack(t *testing.T) {
	f := newPlacementFixture(t)
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount = intp(3) }))
	if got := f.hostsOf(t, ids); !equal(got, []string{hostB1, hostB1, hostB2}) {
		t.Fatalf("hosts %v: instances without a set are packed host after host", got)
	}
	u := f.usage(t)
	if u[hostB1].VCPUs != 4 || u[hostB1].MemoryMiB != 16384 || u[hostB1].Instances != 2 || u[hostB2].Instances != 1 {
		t.Fatalf("usage %+v", u)
	}
	f.settle(t)
	for _, id := range ids {
		if err := f.svc.Delete(t.Context(), lfCaller(), id, true, false); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.usage(t)) != 2 {
		t.Fatal("DeleteInstance gave the capacity back before the instances were gone")
	}
	f.settle(t)
	if u := f.usage(t); len(u) != 0 {
		t.Fatalf("usage after the instances are gone: %+v", u)
	}
}

func TestRunInstancesBeyondTheZoneIsNoStockAndWritesNothing(t *testing.T) {
	f := newPlacementFixture(t)
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.Amount = intp(9) }))
	wantCode(t, "9 instances in a zone of 8", err, "OperationDenied.NoStock", 403)
	if n := f.instanceCount(t); n != 0 || len(f.usage(t)) != 0 {
		t.Fatalf("a refused launch left %d instances and usage %+v", n, f.usage(t))
	}
	_, err = f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.Amount, in.DryRun = intp(9), true }))
	wantCode(t, "DryRun of 9", err, "OperationDenied.NoStock", 403)

	// MinAmount: as many as the hosts hold, at least MinAmount.
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount, in.MinAmount = intp(10), intp(6) }))
	if len(ids) != 8 {
		t.Fatalf("Amount 10, MinAmount 6 in a zone of 8: %d instances", len(ids))
	}
	_, err = f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.Action = ActionCreate }))
	wantCode(t, "CreateInstance in a full zone", err, "OperationDenied", 403)
	// Other zones have their own hosts.
	f.launch(t, runInput(func(in *RunInput) { in.VSwitchID = "vsw-g"; in.Amount = intp(3) }))
}

func TestStrictDispersionFailsWhenInstancesOutnumberHosts(t *testing.T) {
	f := newPlacementFixture(t)
	f.createSet(t, "ds-strict", "", "Host", "StrictDispersion")
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
		in.Amount, in.DeploymentSetID = intp(5), "ds-strict"
	}))
	wantCode(t, "5 instances over 4 hosts", err, "OperationDenied.NoStock", 403)
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount, in.DeploymentSetID = intp(3), "ds-strict" }))
	if got := f.hostsOf(t, ids); !equal(got, []string{hostB1, hostB2, hostB3}) {
		t.Fatalf("hosts %v, want three different ones", got)
	}
	if in := f.get(t, ids[0]); in.DeploymentSetID != "ds-strict" {
		t.Errorf("instance's DeploymentSetID = %q", in.DeploymentSetID)
	}
	_, err = f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
		in.Amount, in.DeploymentSetID = intp(2), "ds-strict"
	}))
	wantCode(t, "2 more with one host left", err, "OperationDenied.NoStock", 403)
	more := f.launch(t, runInput(func(in *RunInput) { in.DeploymentSetID = "ds-strict" }))
	if got := f.hostsOf(t, more); !equal(got, []string{hostB4}) {
		t.Fatalf("the fourth went to %v", got)
	}
}

func TestInstancesWithoutASetTakeRoomASetWouldUse(t *testing.T) {
	f := newPlacementFixture(t)
	f.launch(t, runInput(func(in *RunInput) { in.Amount = intp(2) })) // fills host 1
	f.createSet(t, "ds-strict", "", "Host", "StrictDispersion")
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
		in.Amount, in.DeploymentSetID = intp(4), "ds-strict"
	}))
	wantCode(t, "4 over 3 hosts with room", err, "OperationDenied.NoStock", 403)
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount, in.DeploymentSetID = intp(3), "ds-strict" }))
	if got := f.hostsOf(t, ids); !equal(got, []string{hostB2, hostB3, hostB4}) {
		t.Fatalf("hosts %v", got)
	}
}

func TestRackDispersionAndLooseDispersion(t *testing.T) {
	f := newPlacementFixture(t)
	f.createSet(t, "ds-rack", "", "Rack", "StrictDispersion")
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
		in.Amount, in.DeploymentSetID = intp(3), "ds-rack"
	}))
	wantCode(t, "3 instances over 2 racks", err, "OperationDenied.NoStock", 403)
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount, in.DeploymentSetID = intp(2), "ds-rack" }))
	if got := f.hostsOf(t, ids); !equal(got, []string{hostB1, hostB3}) {
		t.Fatalf("hosts %v, want one a rack", got)
	}
	f.createSet(t, "ds-loose", "", "Host", "LooseDispersion")
	ids = f.launch(t, runInput(func(in *RunInput) { in.Amount, in.DeploymentSetID = intp(6), "ds-loose" }))
	if got := f.hostsOf(t, ids); !equal(got, []string{hostB1, hostB2, hostB2, hostB3, hostB4, hostB4}) {
		t.Fatalf("hosts %v: loose dispersion spreads first, then doubles up", got)
	}
}

func TestDeploymentSetMustBeTheCallersInTheRegionAndTheZone(t *testing.T) {
	f := newPlacementFixture(t)
	f.update(t, func(tx store.Tx) error {
		for _, d := range []store.DeploymentSet{
			{ID: "ds-bob", AccountID: 2, RegionID: "cn-hangzhou"},
			{ID: "ds-beijing", AccountID: 1, RegionID: "cn-beijing"},
			{ID: "ds-zone-b", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b"},
		} {
			d.Domain, d.Granularity, d.Strategy, d.CreatedAt = "Default", "Host", "LooseDispersion", f.clock.Now()
			if err := tx.CreateDeploymentSet(d); err != nil {
				return err
			}
		}
		return nil
	})
	for _, id := range []string{"ds-nope", "ds-bob", "ds-beijing"} {
		_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.DeploymentSetID = id }))
		wantCode(t, id, err, "InvalidDeploymentSetId.NotFound", 404)
	}
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
		in.DeploymentSetID, in.VSwitchID = "ds-zone-b", "vsw-g"
	}))
	wantCode(t, "a set of zone b in zone g", err, "InvalidParameter.Conflict", 400)
	f.launch(t, runInput(func(in *RunInput) { in.DeploymentSetID = "ds-zone-b" }))
}

func TestARetriedRunInstancesPlacesItsInstancesOnce(t *testing.T) {
	f := newPlacementFixture(t)
	in := runInput(func(in *RunInput) { in.Amount, in.ClientToken = intp(4), "token-1" })
	first := f.launch(t, in)
	again := f.launch(t, in)
	if !equal(first, again) {
		t.Fatalf("retry answered %v, first %v", again, first)
	}
	total := 0
	for _, u := range f.usage(t) {
		total += u.Instances
	}
	if total != 4 {
		t.Fatalf("%d instances counted on the hosts, want 4", total)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
