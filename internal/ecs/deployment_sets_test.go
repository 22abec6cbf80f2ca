package ecs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/deploymentset"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// deploymentSetHandlers returns handlers with the instance and deployment-set
// services on a fresh SQLite store, account 1's VPC vpc-1 with VSwitch vsw-1
// (cn-hangzhou-b) and group sg-1, and a context calling as account 1 in
// cn-hangzhou. Zone cn-hangzhou-b has one switch of two racks of two hosts.
func deploymentSetHandlers(t *testing.T) (*Handlers, *instance.Service, context.Context) {
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
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 30, 0, time.UTC))
	err = st.Update(t.Context(), func(tx store.Tx) error {
		now := clk.Now()
		for _, step := range []error{
			tx.CreateAccount(store.Account{ID: 1, Name: "alice", Status: store.AccountEnabled, CreatedAt: now}),
			tx.CreateVPC(store.VPC{ID: "vpc-1", AccountID: 1, RegionID: "cn-hangzhou", CidrBlock: "192.168.0.0/16", Status: "Available", CreatedAt: now}),
			tx.CreateVSwitch(store.VSwitch{ID: "vsw-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1", ZoneID: "cn-hangzhou-b",
				CidrBlock: "192.168.1.0/24", Status: "Available", CreatedAt: now}),
			tx.CreateSecurityGroup(store.SecurityGroup{ID: "sg-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1", Type: "normal",
				InnerAccessPolicy: "Accept", CreatedAt: now}),
		} {
			if step != nil {
				return step
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gen := idgen.Seeded(4)
	drv, err := sim.New(sim.Config{}, clk)
	if err != nil {
		t.Fatal(err)
	}
	images := image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	svc := instance.New(instance.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Images: images, Compute: drv,
		Network: network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})})
	sets := deploymentset.New(deploymentset.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	h := New(Deps{Catalog: cat, Endpoint: testEndpoint, Images: images, Instances: svc, DeploymentSets: sets})
	return h, svc, reqctx.With(t.Context(), &reqctx.Call{AccountID: 1, RegionID: "cn-hangzhou"})
}

func TestDeploymentSetActionsAreRouted(t *testing.T) {
	h, _, _ := deploymentSetHandlers(t)
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, h); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"CreateDeploymentSet", "DeleteDeploymentSet", "ModifyDeploymentSetAttribute",
		"DescribeDeploymentSets", "DescribeDeploymentSetTopology"} {
		if ep, _ := reg.Lookup(spec.Version, name); ep == nil || !ep.Implemented() {
			t.Errorf("%s is not implemented", name)
		}
	}
}

func TestDeploymentSetAnswersHaveTheSDKShapesAndFollowTheInstances(t *testing.T) {
	h, svc, ctx := deploymentSetHandlers(t)
	created, err := h.CreateDeploymentSet(ctx, decodeInto[CreateDeploymentSetRequest](t,
		"RegionId=cn-hangzhou&ZoneId=cn-hangzhou-b&DeploymentSetName=web&Description=web+tier&Strategy=StrictDispersion"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, created, "CreateDeploymentSetResponse", "CreateDeploymentSetResponseBody")
	id := created.DeploymentSetId
	run, err := h.RunInstances(ctx, decodeInto[RunInstancesRequest](t, runQuery("&Amount=3&DeploymentSetId="+id)))
	if err != nil {
		t.Fatal(err)
	}
	ids := run.InstanceIdSets.InstanceIdSet
	if err := svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := h.DescribeDeploymentSets(ctx, decodeInto[DescribeDeploymentSetsRequest](t,
		`RegionId=cn-hangzhou&DeploymentSetIds=["`+id+`"]`))
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, list, "DescribeDeploymentSetsResponse", "DescribeDeploymentSetsResponseBody")
	if list.TotalCount != 1 || len(list.DeploymentSets.DeploymentSet) != 1 {
		t.Fatalf("DescribeDeploymentSets = %s", body)
	}
	d := list.DeploymentSets.DeploymentSet[0]
	want := DeploymentSetItem{DeploymentSetId: id, DeploymentSetName: "web", DeploymentSetDescription: "web tier",
		Domain: "Default", Granularity: "Host", Strategy: "StrictDispersion", DeploymentStrategy: "StrictDispersion",
		CreationTime: "2026-03-01T08:00Z", InstanceAmount: 3, InstanceIds: DeploymentSetInstances{InstanceId: sorted(ids)},
		Capacities: DeploymentSetCapacity{Capacity: []DeploymentSetZoneCapacity{{ZoneId: "cn-hangzhou-b", UsedAmount: 3, AvailableAmount: 1}}}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("set\n got %+v\nwant %+v", d, want)
	}
	if list.RegionId != "cn-hangzhou" || list.PageNumber != 1 || list.PageSize != 10 {
		t.Errorf("paging: %s", body)
	}

	topo, err := h.DescribeDeploymentSetTopology(ctx, decodeInto[DescribeDeploymentSetTopologyRequest](t,
		"RegionId=cn-hangzhou&DeploymentSetId="+id))
	if err != nil {
		t.Fatal(err)
	}
	raw := marshal(t, topo)
	var shape struct {
		RegionId, DeploymentSetId string
		Switchs                   struct {
			Switch []struct {
				SwitchId string
				Hosts    struct {
					Host []struct {
						HostId      string
						InstanceIds struct{ InstanceId []string }
					}
				}
			}
		}
		Racks struct {
			Rack []struct {
				RackId string
				Hosts  struct{ Host []struct{ HostId string } }
			}
		}
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		t.Fatal(err)
	}
	if shape.DeploymentSetId != id || shape.RegionId != "cn-hangzhou" || len(shape.Switchs.Switch) != 1 ||
		len(shape.Switchs.Switch[0].Hosts.Host) != 3 || len(shape.Racks.Rack) != 2 ||
		shape.Racks.Rack[0].RackId != "cn-hangzhou-b-sw1-rack1" || len(shape.Racks.Rack[0].Hosts.Host) != 2 {
		t.Errorf("DescribeDeploymentSetTopology = %s", raw)
	}
	var onHosts []string
	for _, host := range shape.Switchs.Switch[0].Hosts.Host {
		if len(host.InstanceIds.InstanceId) != 1 {
			t.Errorf("host %s has %v: strict dispersion puts one instance a host", host.HostId, host.InstanceIds.InstanceId)
		}
		onHosts = append(onHosts, host.InstanceIds.InstanceId...)
	}
	if !reflect.DeepEqual(sorted(onHosts), sorted(ids)) {
		t.Errorf("topology has %v, the set %v", onHosts, ids)
	}

	instances, err := h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "RegionId=cn-hangzhou"))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range instances.Instances.Instance {
		if in.DeploymentSetId != id {
			t.Errorf("instance %s: DeploymentSetId %q", in.InstanceId, in.DeploymentSetId)
		}
	}

	mod, err := h.ModifyDeploymentSetAttribute(ctx, decodeInto[ModifyDeploymentSetAttributeRequest](t,
		"RegionId=cn-hangzhou&DeploymentSetId="+id+"&DeploymentSetName=web2&Description="))
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyAnswer(t, mod)
	_, err = h.DeleteDeploymentSet(ctx, decodeInto[DeleteDeploymentSetRequest](t, "RegionId=cn-hangzhou&DeploymentSetId="+id))
	assertAPIError(t, err, "DependencyViolation.NotFound", 403)
	for _, i := range ids {
		if _, err := h.DeleteInstance(ctx, decodeInto[DeleteInstanceRequest](t, "InstanceId="+i+"&Force=true")); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	del, err := h.DeleteDeploymentSet(ctx, decodeInto[DeleteDeploymentSetRequest](t, "RegionId=cn-hangzhou&DeploymentSetId="+id))
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyAnswer(t, del)
	list, err = h.DescribeDeploymentSets(ctx, decodeInto[DescribeDeploymentSetsRequest](t, "RegionId=cn-hangzhou"))
	if err != nil || list.TotalCount != 0 || list.DeploymentSets.DeploymentSet == nil {
		t.Fatalf("after deletion: %+v, %v", list, err)
	}
}

func TestDeploymentSetHandlersDecodeAndRefuseLikeTheGuide(t *testing.T) {
	h, _, ctx := deploymentSetHandlers(t)
	_, err := h.DescribeDeploymentSets(ctx, decodeInto[DescribeDeploymentSetsRequest](t, "DeploymentSetIds=ds-1"))
	assertAPIError(t, err, "InvalidParameter", 400)
	list, err := h.DescribeDeploymentSets(ctx, decodeInto[DescribeDeploymentSetsRequest](t, "DeploymentSetIds=[]"))
	if err != nil || list.TotalCount != 0 {
		t.Fatalf("[]: %+v, %v", list, err)
	}
	req := new(DescribeDeploymentSetsRequest)
	if err := decode(t, "PageSize=101", req); err == nil {
		t.Error("PageSize 101 decoded")
	}
	_, err = h.DeleteDeploymentSet(ctx, decodeInto[DeleteDeploymentSetRequest](t, "RegionId=cn-hangzhou"))
	assertAPIError(t, err, "MissingParameter", 400)
	_, err = h.ModifyDeploymentSetAttribute(ctx, decodeInto[ModifyDeploymentSetAttributeRequest](t, "DeploymentSetId=ds-nope&DeploymentSetName=ab"))
	assertAPIError(t, err, "InvalidDeploymentSetId.NotFound", 404)
	_, err = h.DescribeDeploymentSetTopology(ctx, decodeInto[DescribeDeploymentSetTopologyRequest](t, "DeploymentSetId=ds-nope"))
	assertAPIError(t, err, "InvalidDeploymentSetId.NotFound", 404)
	_, err = h.CreateDeploymentSet(ctx, decodeInto[CreateDeploymentSetRequest](t, "Domain=Switch&Granularity=Switch"))
	assertAPIError(t, err, "DependencyViolation.domain.granularity", 400)
	// What Terraform sends.
	created, err := h.CreateDeploymentSet(ctx, decodeInto[CreateDeploymentSetRequest](t,
		"DeploymentSetName=tf-ds&Domain=Default&Granularity=Host&Strategy=Availability&OnUnableToRedeployFailedInstance=CancelMembershipAndStart&ClientToken=tf-1"))
	if err != nil || !strings.HasPrefix(created.DeploymentSetId, "ds-") {
		t.Fatalf("Terraform's create: %+v, %v", created, err)
	}
	_, err = h.RunInstances(ctx, decodeInto[RunInstancesRequest](t, runQuery("&Amount=5&DeploymentSetId="+created.DeploymentSetId)))
	assertAPIError(t, err, "OperationDenied.NoStock", 403)
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }
