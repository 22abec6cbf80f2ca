package deploymentset

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

type fixture struct {
	svc   *Service
	store store.Store
	clock *clock.Fake
}

// newFixture is a Service on a fresh SQLite store with accounts 1 and 2, the
// default topology but for cn-hangzhou-b: one switch of two racks of two hosts.
func newFixture(t *testing.T, quota int) *fixture {
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
	f := &fixture{svc: New(Deps{Store: st, IDs: ids.Seeded(5), Clock: clk, Catalog: cat, Quota: quota}), store: st, clock: clk}
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}} {
			a.Status, a.CreatedAt = store.AccountEnabled, clk.Now()
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var alice = Caller{AccountID: 1, RegionID: "cn-hangzhou"}

func wantCode(t *testing.T, what string, err error, code string, status int, message string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: got %v, want %s (%d)", what, err, code, status)
	}
	if e.Code != code || e.HTTPStatus != status || message != "" && e.Message != message {
		t.Fatalf("%s: got %s (%d) %q, want %s (%d) %q", what, e.Code, e.HTTPStatus, e.Message, code, status, message)
	}
}

func (f *fixture) create(t *testing.T, c Caller, in CreateInput) string {
	t.Helper()
	res, err := f.svc.Create(t.Context(), c, in)
	if err != nil {
		t.Fatalf("Create(%+v): %v", in, err)
	}
	return res.DeploymentSetID
}

func (f *fixture) get(t *testing.T, id string) Set {
	t.Helper()
	res, err := f.svc.List(t.Context(), alice, ListQuery{IDs: []string{id}})
	if err != nil || len(res.Sets) != 1 {
		t.Fatalf("List(%s): %+v, %v", id, res, err)
	}
	return res.Sets[0]
}

func (f *fixture) place(t *testing.T, ps ...store.Placement) {
	t.Helper()
	if err := f.store.Update(t.Context(), func(tx store.Tx) error { return tx.PlaceInstances(ps) }); err != nil {
		t.Fatal(err)
	}
}

func TestCreateDefaultsToDefaultHostLooseDispersionAndTakesAnyLetterCase(t *testing.T) {
	f := newFixture(t, 0)
	id := f.create(t, alice, CreateInput{})
	if !strings.HasPrefix(id, "ds-") {
		t.Errorf("ID %q does not start with ds-", id)
	}
	d := f.get(t, id)
	if d.Domain != "Default" || d.Granularity != "Host" || d.Strategy != "LooseDispersion" || d.ZoneID != "" ||
		d.Name != "" || d.Description != "" || !d.CreatedAt.Equal(f.clock.Now()) {
		t.Errorf("defaults: %+v", d.DeploymentSet)
	}
	id = f.create(t, alice, CreateInput{ZoneID: "cn-hangzhou-b", Name: "web.tier_1-a", Description: "web servers",
		Domain: "switch", Granularity: "RACK", Strategy: "strictdispersion"})
	d = f.get(t, id)
	if d.Domain != "Switch" || d.Granularity != "Rack" || d.Strategy != "StrictDispersion" || d.ZoneID != "cn-hangzhou-b" ||
		d.Name != "web.tier_1-a" || d.Description != "web servers" {
		t.Errorf("canonical spelling: %+v", d.DeploymentSet)
	}
	id = f.create(t, alice, CreateInput{Domain: "Default", Granularity: "Host", Strategy: "Availability"}) // Terraform
	if d := f.get(t, id); d.Strategy != "Availability" {
		t.Errorf("Availability: %+v", d.DeploymentSet)
	}
}

func TestCreateRefusesWhatTheGuideRefuses(t *testing.T) {
	f := newFixture(t, 0)
	for _, c := range []struct {
		name    string
		in      CreateInput
		code    string
		status  int
		message string
	}{
		{"unknown zone", CreateInput{ZoneID: "cn-hangzhou-z"}, "InvalidZoneId.NotFound", 404,
			"The ZoneId provided does not exist in our records."},
		{"zone of another region", CreateInput{ZoneID: "cn-beijing-a"}, "InvalidZoneId.NotFound", 404, ""},
		{"name too short", CreateInput{Name: "a"}, "InvalidPlacmentSetName.Malformed", 400, "Specified plament set name is not valid."},
		{"name starting with a digit", CreateInput{Name: "1web"}, "InvalidPlacmentSetName.Malformed", 400, ""},
		{"name with a colon", CreateInput{Name: "web:1"}, "InvalidPlacmentSetName.Malformed", 400, ""},
		{"name as a URL", CreateInput{Name: "http://x"}, "InvalidPlacmentSetName.Malformed", 400, ""},
		{"name too long", CreateInput{Name: strings.Repeat("a", 129)}, "InvalidPlacmentSetName.Malformed", 400, ""},
		{"description too short", CreateInput{Description: "x"}, "InvalidDescription.Malformed", 400,
			`The specified parameter "Description" is not valid.`},
		{"description as a URL", CreateInput{Description: "https://x.y"}, "InvalidDescription.Malformed", 400, ""},
		{"description too long", CreateInput{Description: strings.Repeat("d", 257)}, "InvalidDescription.Malformed", 400, ""},
		{"domain", CreateInput{Domain: "Rack"}, "InvalidParameter.Domain", 400, "The specified parameter Domain is not valid."},
		{"granularity", CreateInput{Granularity: "Zone"}, "InvalidParameter.granularity", 400,
			"The specified parameter Granularity is not valid."},
		{"strategy", CreateInput{Strategy: "Spread"}, "InvalidParameter.Strategy", 400, "The specified parameter Strategy is not valid"},
		{"switch domain with switch granularity", CreateInput{Domain: "Switch", Granularity: "Switch"},
			"DependencyViolation.domain.granularity", 400, "The DeploymentSet domain and granularity is violation."},
		{"aggregation over hosts", CreateInput{Strategy: "LooseAggregation"}, "DependencyViolation.strategy.granularity", 400,
			"The DeploymentSet strategy and granularity is violation."},
		{"strict aggregation over racks", CreateInput{Granularity: "Rack", Strategy: "StrictAggregation"},
			"DependencyViolation.strategy.granularity", 400, ""},
		{"availability over switches", CreateInput{Granularity: "Switch", Strategy: "Availability"},
			"DependencyViolation.strategy.granularity", 400, ""},
	} {
		_, err := f.svc.Create(t.Context(), alice, c.in)
		wantCode(t, c.name, err, c.code, c.status, c.message)
	}
	for _, in := range []CreateInput{{Granularity: "Switch", Strategy: "StrictAggregation"},
		{Granularity: "Switch", Strategy: "LooseAggregation"}, {Domain: "Switch", Granularity: "Rack", Strategy: "StrictDispersion"},
		{Name: "部署集一", Description: "中文描述"}} {
		if _, err := f.svc.Create(t.Context(), alice, in); err != nil {
			t.Errorf("Create(%+v): %v", in, err)
		}
	}
}

func TestCreateStopsAtTheQuotaPerRegionAndAClientTokenGivesOneSet(t *testing.T) {
	f := newFixture(t, 2)
	f.create(t, alice, CreateInput{})
	f.create(t, alice, CreateInput{})
	_, err := f.svc.Create(t.Context(), alice, CreateInput{})
	wantCode(t, "third set with a quota of 2", err, "DEPLOYMENTSET.QUOTA_FULL", 400, "The deploymentSet quota is full")
	f.create(t, Caller{AccountID: 1, RegionID: "cn-beijing"}, CreateInput{})
	f.create(t, Caller{AccountID: 2, RegionID: "cn-hangzhou"}, CreateInput{})

	f2 := newFixture(t, 0)
	in := CreateInput{Name: "web", ClientToken: "tok-1"}
	first, second := f2.create(t, alice, in), f2.create(t, alice, in)
	if first != second {
		t.Fatalf("the same ClientToken made %s and %s", first, second)
	}
	in.Name = "db"
	_, err = f2.svc.Create(t.Context(), alice, in)
	wantCode(t, "token with other parameters", err, "IdempotentParameterMismatch", 400, "")
	if res, _ := f2.svc.List(t.Context(), alice, ListQuery{}); res.TotalCount != 1 {
		t.Fatalf("%d sets after a retried create", res.TotalCount)
	}
}

func TestModifyRenamesAndRedescribesOnlyWhatIsSent(t *testing.T) {
	f := newFixture(t, 0)
	id := f.create(t, alice, CreateInput{Name: "web", Description: "first"})
	if err := f.svc.Modify(t.Context(), alice, ModifyInput{ID: id, Name: "web2"}); err != nil {
		t.Fatal(err)
	}
	if d := f.get(t, id); d.Name != "web2" || d.Description != "first" {
		t.Fatalf("after renaming: %+v", d.DeploymentSet)
	}
	if err := f.svc.Modify(t.Context(), alice, ModifyInput{ID: id, Description: "second"}); err != nil {
		t.Fatal(err)
	}
	if d := f.get(t, id); d.Name != "web2" || d.Description != "second" {
		t.Fatalf("after describing: %+v", d.DeploymentSet)
	}
	wantCode(t, "no ID", f.svc.Modify(t.Context(), alice, ModifyInput{Name: "x1"}), "MissingParameter", 400,
		"The input parameter DeploymentSetId that is mandatory for processing this request is not supplied.")
	wantCode(t, "bad name", f.svc.Modify(t.Context(), alice, ModifyInput{ID: id, Name: "_x"}),
		"InvalidPlacmentSetName.Malformed", 400, "")
	wantCode(t, "bad description", f.svc.Modify(t.Context(), alice, ModifyInput{ID: id, Description: "http://a"}),
		"InvalidDescription.Malformed", 400, "The specified parameter Description is not valid.")
	for _, c := range []Caller{{AccountID: 2, RegionID: "cn-hangzhou"}, {AccountID: 1, RegionID: "cn-beijing"}} {
		wantCode(t, "another account's or region's set", f.svc.Modify(t.Context(), c, ModifyInput{ID: id, Name: "x1"}),
			"InvalidDeploymentSetId.NotFound", 404, "The DeploymentSetId provided does not exist in our records.")
	}
}

func TestDeleteRefusesASetWithInstances(t *testing.T) {
	f := newFixture(t, 0)
	id := f.create(t, alice, CreateInput{})
	f.place(t, store.Placement{InstanceID: "i-1", AccountID: 1, ZoneID: "cn-hangzhou-b",
		HostID: "cn-hangzhou-b-sw1-rack1-host1", DeploymentSetID: id, VCPUs: 2, MemoryMiB: 8192})
	wantCode(t, "set with an instance", f.svc.Delete(t.Context(), alice, id), "DependencyViolation.NotFound", 403,
		"There are still instance(s) in the specified DeploymentSetId.")
	if err := f.store.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.ReleasePlacement("i-1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "another account", f.svc.Delete(t.Context(), Caller{AccountID: 2, RegionID: "cn-hangzhou"}, id),
		"InvalidDeploymentSetId.NotFound", 404, "")
	if err := f.svc.Delete(t.Context(), alice, id); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "deleted set", f.svc.Delete(t.Context(), alice, id), "InvalidDeploymentSetId.NotFound", 404, "")
	wantCode(t, "no ID", f.svc.Delete(t.Context(), alice, ""), "MissingParameter", 400, "")
}

func TestListFiltersPagesAndShowsInstancesAndStrictCapacity(t *testing.T) {
	f := newFixture(t, 0)
	var created []string
	for i, in := range []CreateInput{{Name: "a1", Strategy: "StrictDispersion", ZoneID: "cn-hangzhou-b"}, {Name: "b1"},
		{Name: "c1", Granularity: "Switch", Strategy: "LooseAggregation"}} {
		f.clock.Advance(time.Duration(i+1) * time.Minute)
		created = append(created, f.create(t, alice, in))
	}
	f.place(t, store.Placement{InstanceID: "i-2", AccountID: 1, ZoneID: "cn-hangzhou-b", HostID: "cn-hangzhou-b-sw1-rack1-host1",
		DeploymentSetID: created[0], VCPUs: 2, MemoryMiB: 8192},
		store.Placement{InstanceID: "i-1", AccountID: 1, ZoneID: "cn-hangzhou-b", HostID: "cn-hangzhou-b-sw1-rack2-host1",
			DeploymentSetID: created[0], VCPUs: 2, MemoryMiB: 8192})
	res, err := f.svc.List(t.Context(), alice, ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range res.Sets {
		names = append(names, s.Name)
	}
	if !reflect.DeepEqual(names, []string{"c1", "b1", "a1"}) || res.TotalCount != 3 || res.PageNumber != 1 || res.PageSize != 10 {
		t.Fatalf("list: %v, %+v", names, res)
	}
	strict := res.Sets[2]
	if !reflect.DeepEqual(strict.InstanceIDs, []string{"i-1", "i-2"}) ||
		!reflect.DeepEqual(strict.Capacities, []Capacity{{ZoneID: "cn-hangzhou-b", Used: 2, Available: 2}}) {
		t.Errorf("strict set: instances %v, capacities %+v", strict.InstanceIDs, strict.Capacities)
	}
	if len(res.Sets[0].InstanceIDs) != 0 || len(res.Sets[0].Capacities) != 0 {
		t.Errorf("empty aggregation set: %+v", res.Sets[0])
	}
	for _, c := range []struct {
		q    ListQuery
		want []string
	}{
		{ListQuery{IDs: []string{created[0], created[2], "ds-nope"}}, []string{"c1", "a1"}},
		{ListQuery{IDs: []string{}}, nil},
		{ListQuery{Name: "b1"}, []string{"b1"}},
		{ListQuery{Strategy: "looseaggregation"}, []string{"c1"}},
		{ListQuery{Granularity: "Host", Domain: "Default"}, []string{"b1", "a1"}},
		{ListQuery{PageNumber: 2, PageSize: 2}, []string{"a1"}},
	} {
		res, err := f.svc.List(t.Context(), alice, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		var got []string
		for _, s := range res.Sets {
			got = append(got, s.Name)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
	if res, _ := f.svc.List(t.Context(), Caller{AccountID: 2, RegionID: "cn-hangzhou"}, ListQuery{}); res.TotalCount != 0 {
		t.Errorf("another account sees %d sets", res.TotalCount)
	}
	_, err = f.svc.List(t.Context(), alice, ListQuery{Domain: "Rack"})
	wantCode(t, "bad domain filter", err, "InvalidParameter.Domain", 400, "")
}

func TestParseIDsTakesAJSONArrayOfAtMost100(t *testing.T) {
	s := func(v string) *string { return &v }
	if ids, err := ParseIDs(s(`["ds-1","ds-2"]`)); err != nil || !reflect.DeepEqual(ids, []string{"ds-1", "ds-2"}) {
		t.Errorf("two IDs: %v, %v", ids, err)
	}
	if ids, err := ParseIDs(nil); err != nil || ids != nil {
		t.Errorf("absent: %v, %v", ids, err)
	}
	if ids, err := ParseIDs(s("[]")); err != nil || ids == nil || len(ids) != 0 {
		t.Errorf("[]: %v, %v", ids, err)
	}
	for _, bad := range []string{"ds-1", `["ds-1"`, `[1]`, "[" + strings.Repeat(`"x",`, 100) + `"x"]`} {
		_, err := ParseIDs(s(bad))
		wantCode(t, bad, err, "InvalidParameter", 400, "")
	}
}

func TestTopologyGroupsTheSetsInstancesBySwitchAndRackInLayoutOrder(t *testing.T) {
	f := newFixture(t, 0)
	id := f.create(t, alice, CreateInput{Strategy: "LooseDispersion"})
	other := f.create(t, alice, CreateInput{})
	h := func(rack, host int) string {
		return "cn-hangzhou-b-sw1-rack" + string(rune('0'+rack)) + "-host" + string(rune('0'+host))
	}
	p := func(instance, host, set string) store.Placement {
		return store.Placement{InstanceID: instance, AccountID: 1, ZoneID: "cn-hangzhou-b", HostID: host,
			DeploymentSetID: set, VCPUs: 2, MemoryMiB: 8192}
	}
	f.place(t, p("i-3", h(2, 1), id), p("i-1", h(1, 2), id), p("i-2", h(1, 2), id), p("i-4", h(1, 1), id),
		p("i-9", h(1, 1), other))
	topo, err := f.svc.Topology(t.Context(), alice, id)
	if err != nil {
		t.Fatal(err)
	}
	hosts := []HostInstances{{HostID: h(1, 1), InstanceIDs: []string{"i-4"}}, {HostID: h(1, 2), InstanceIDs: []string{"i-1", "i-2"}},
		{HostID: h(2, 1), InstanceIDs: []string{"i-3"}}}
	want := Topology{DeploymentSetID: id, RegionID: "cn-hangzhou",
		Switches: []Group{{ID: "cn-hangzhou-b-sw1", Hosts: hosts}},
		Racks:    []Group{{ID: "cn-hangzhou-b-sw1-rack1", Hosts: hosts[:2]}, {ID: "cn-hangzhou-b-sw1-rack2", Hosts: hosts[2:]}}}
	if !reflect.DeepEqual(topo, want) {
		t.Errorf("topology\n got %+v\nwant %+v", topo, want)
	}
	empty, err := f.svc.Topology(t.Context(), alice, f.create(t, alice, CreateInput{}))
	if err != nil || empty.Switches == nil || len(empty.Switches) != 0 || len(empty.Racks) != 0 {
		t.Errorf("empty set: %+v, %v", empty, err)
	}
	_, err = f.svc.Topology(t.Context(), alice, "ds-nope")
	wantCode(t, "unknown set", err, "InvalidDeploymentSetId.NotFound", 404, "")
	_, err = f.svc.Topology(t.Context(), alice, "")
	wantCode(t, "no ID", err, "MissingParameter", 400, "")
}
