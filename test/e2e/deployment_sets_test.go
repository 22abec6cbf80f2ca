package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// hostLayout is a zone's hosts in a test topology (catalog.HostLayout).
type hostLayout struct{ switches, racks, hosts, vcpus, memGiB int }

// placementServer starts ecsd on a topology whose cn-hangzhou has its usual
// zones b, g and h (default hosts) and a zone of this run with the layout given,
// named cn-hangzhou-<run>: its hosts are this run's alone, even on a shared store.
func placementServer(t *testing.T, l hostLayout, extra ...string) (*server, string, string) {
	t.Helper()
	zone := "cn-hangzhou-t" + runID()
	path := writePlacementTopology(t, zone, l)
	s := startServer(t, serverOptions{args: append([]string{"--topology", path}, extra...)})
	return s, zone, path
}

func writePlacementTopology(t *testing.T, zone string, l hostLayout) string {
	t.Helper()
	body := fmt.Sprintf(`defaultRegion: cn-hangzhou
regions:
  - regionId: cn-hangzhou
    localName: 华东1（杭州）
    zones:
      - {zoneId: cn-hangzhou-b, localName: 华东 1 可用区 B}
      - {zoneId: cn-hangzhou-g, localName: 华东 1 可用区 G}
      - {zoneId: cn-hangzhou-h, localName: 华东 1 可用区 H}
      - zoneId: %s
        localName: 测试
        hosts: {switches: %d, racksPerSwitch: %d, hostsPerRack: %d, vcpus: %d, memoryGiB: %d}
`, zone, l.switches, l.racks, l.hosts, l.vcpus, l.memGiB)
	path := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// zoneNet is a VPC with a VSwitch in zone and a security group, deleted when
// the test ends (after the instances).
func zoneNet(t *testing.T, s *server, c *ecs.Client, zone, cidr string) instanceNet {
	t.Helper()
	vc := vpcSDK(t, s)
	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock, create.VpcName = "10.0.0.0/16", unique("e2e-ds")
	created, err := vc.CreateVpc(create)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, vc, created.VpcId)
	vsw, err := createVSwitch(t, vc, created.VpcId, zone, cidr, "ds")
	if err != nil {
		t.Fatalf("CreateVSwitch in %s: %v", zone, err)
	}
	cleanUp(t, vc, created.VpcId, vsw)
	n := instanceNet{vpcID: created.VpcId, vswitchID: vsw}
	n.groupID = createSecurityGroup(t, c, "ds", created.VpcId, "", runID())
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = n.groupID
		_, _ = c.DeleteSecurityGroup(del)
	})
	return n
}

// createDeploymentSet calls CreateDeploymentSet; zone, when set, is sent as
// ZoneId (the guide's parameter, which the SDK's struct lacks).
func createDeploymentSet(t *testing.T, c *ecs.Client, zone string, edit func(*ecs.CreateDeploymentSetRequest)) string {
	t.Helper()
	req := ecs.CreateCreateDeploymentSetRequest()
	req.RegionId = "cn-hangzhou"
	if zone != "" {
		req.QueryParams["ZoneId"] = zone
	}
	if edit != nil {
		edit(req)
	}
	resp, err := c.CreateDeploymentSet(req)
	if err != nil {
		t.Fatalf("CreateDeploymentSet: %v", err)
	}
	if !strings.HasPrefix(resp.DeploymentSetId, "ds-") || resp.RequestId == "" {
		t.Fatalf("CreateDeploymentSet = %+v", resp)
	}
	t.Cleanup(func() {
		del := ecs.CreateDeleteDeploymentSetRequest()
		del.RegionId, del.DeploymentSetId = "cn-hangzhou", resp.DeploymentSetId
		_, _ = c.DeleteDeploymentSet(del)
	})
	return resp.DeploymentSetId
}

func describeDeploymentSet(t *testing.T, c *ecs.Client, id string) ecs.DeploymentSet {
	t.Helper()
	req := ecs.CreateDescribeDeploymentSetsRequest()
	req.RegionId, req.DeploymentSetIds = "cn-hangzhou", `["`+id+`"]`
	resp, err := c.DescribeDeploymentSets(req)
	if err != nil {
		t.Fatalf("DescribeDeploymentSets: %v", err)
	}
	if resp.TotalCount != 1 || len(resp.DeploymentSets.DeploymentSet) != 1 {
		t.Fatalf("DescribeDeploymentSets %s = %+v", id, resp)
	}
	return resp.DeploymentSets.DeploymentSet[0]
}

// deploymentSetTopology is DescribeDeploymentSetTopology's answer as the older
// SDKs decoded it.
type deploymentSetTopology struct {
	RegionId, DeploymentSetId string
	Switchs                   struct{ Switch []topologyGroup }
	Racks                     struct{ Rack []topologyGroup }
}

type topologyGroup struct {
	SwitchId, RackId string
	Hosts            struct {
		Host []struct {
			HostId      string
			InstanceIds struct{ InstanceId []string }
		}
	}
}

// describeTopology calls DescribeDeploymentSetTopology, which today's SDK has no
// struct for, through the SDK's CommonRequest.
func describeTopology(t *testing.T, s *server, c *ecs.Client, id string) (deploymentSetTopology, error) {
	t.Helper()
	req := requests.NewCommonRequest()
	req.Method, req.Scheme, req.Domain, req.Version, req.ApiName = "POST", "http", s.addr, "2014-05-26", "DescribeDeploymentSetTopology"
	req.QueryParams["RegionId"], req.QueryParams["DeploymentSetId"] = "cn-hangzhou", id
	resp, err := c.ProcessCommonRequest(req)
	if err != nil {
		return deploymentSetTopology{}, err
	}
	var out deploymentSetTopology
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &out); err != nil {
		t.Fatalf("DescribeDeploymentSetTopology answered %s: %v", resp.GetHttpContentString(), err)
	}
	return out, nil
}

// hostsOfSet maps each host of the set's topology (by switch) to its instances.
func hostsOfSet(t *testing.T, s *server, c *ecs.Client, id string) map[string][]string {
	t.Helper()
	topo, err := describeTopology(t, s, c, id)
	if err != nil {
		t.Fatalf("DescribeDeploymentSetTopology: %v", err)
	}
	out := map[string][]string{}
	for _, sw := range topo.Switchs.Switch {
		for _, h := range sw.Hosts.Host {
			out[h.HostId] = append(out[h.HostId], h.InstanceIds.InstanceId...)
		}
	}
	return out
}

func runInSet(c *ecs.Client, n instanceNet, set string, amount int) (*ecs.RunInstancesResponse, error) {
	req := n.runRequest()
	req.Amount, req.DeploymentSetId = requests.NewInteger(amount), set
	return c.RunInstances(req)
}

func TestDeploymentSetLifecycleFollowsTheGuideThroughTheGoSDKs(t *testing.T) {
	s, zone, _ := placementServer(t, hostLayout{1, 2, 2, 4, 16})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)

	id := createDeploymentSet(t, c, zone, func(r *ecs.CreateDeploymentSetRequest) {
		r.DeploymentSetName, r.Description, r.Strategy, r.ClientToken = "web", "web tier", "StrictDispersion", "ds-"+runID()
	})
	got := describeDeploymentSet(t, c, id)
	if got.DeploymentSetName != "web" || got.DeploymentSetDescription != "web tier" || got.Domain != "Default" ||
		got.Granularity != "Host" || got.Strategy != "StrictDispersion" || got.DeploymentStrategy != "StrictDispersion" ||
		got.InstanceAmount != 0 || len(got.CreationTime) != len("2026-03-01T08:00Z") {
		t.Fatalf("DescribeDeploymentSets = %+v", got)
	}
	if len(got.Capacities.Capacity) != 1 || got.Capacities.Capacity[0].ZoneId != zone || got.Capacities.Capacity[0].AvailableAmount != 4 {
		t.Errorf("capacities of a strict set over 4 hosts: %+v", got.Capacities)
	}

	mod := ecs.CreateModifyDeploymentSetAttributeRequest()
	mod.RegionId, mod.DeploymentSetId, mod.DeploymentSetName = "cn-hangzhou", id, "web2"
	if _, err := c.ModifyDeploymentSetAttribute(mod); err != nil {
		t.Fatalf("ModifyDeploymentSetAttribute: %v", err)
	}
	if got := describeDeploymentSet(t, c, id); got.DeploymentSetName != "web2" || got.DeploymentSetDescription != "web tier" {
		t.Fatalf("after renaming: %+v", got)
	}
	// A fresh request each: the SDK keeps a request's earlier parameters.
	for _, c2 := range []struct {
		id, name, description, what, code string
		status                            int
	}{
		{id, "", "http://example.com", "a description starting with http://", "InvalidDescription.Malformed", 400},
		{id, "9lives", "", "a name starting with a digit", "InvalidPlacmentSetName.Malformed", 400},
		{"ds-nope", "web3", "", "an unknown set", "InvalidDeploymentSetId.NotFound", 404},
		{"", "web3", "", "no DeploymentSetId", "MissingParameter", 400},
	} {
		mod := ecs.CreateModifyDeploymentSetAttributeRequest()
		mod.RegionId, mod.DeploymentSetId, mod.DeploymentSetName, mod.Description = "cn-hangzhou", c2.id, c2.name, c2.description
		_, err := c.ModifyDeploymentSetAttribute(mod)
		wantServerError(t, c2.what, err, c2.code, c2.status)
	}

	// The v7 SDK lists it too (without DeploymentSetIds: the whole region).
	tc := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	listed, err := tc.DescribeDeploymentSets(&teaecs.DescribeDeploymentSetsRequest{RegionId: dara.String("cn-hangzhou"),
		PageSize: dara.Int32(100)})
	if err != nil {
		t.Fatalf("v7 DescribeDeploymentSets: %v", err)
	}
	found := false
	for _, d := range listed.Body.DeploymentSets.DeploymentSet {
		found = found || dara.StringValue(d.DeploymentSetId) == id && dara.StringValue(d.DeploymentSetName) == "web2"
	}
	if !found {
		t.Fatalf("v7 DescribeDeploymentSets does not list %s", id)
	}

	del := ecs.CreateDeleteDeploymentSetRequest()
	del.RegionId, del.DeploymentSetId = "cn-hangzhou", id
	if _, err := c.DeleteDeploymentSet(del); err != nil {
		t.Fatalf("DeleteDeploymentSet: %v", err)
	}
	req := ecs.CreateDescribeDeploymentSetsRequest()
	req.RegionId, req.DeploymentSetIds = "cn-hangzhou", `["`+id+`"]`
	if resp, err := c.DescribeDeploymentSets(req); err != nil || resp.TotalCount != 0 {
		t.Fatalf("DescribeDeploymentSets of a deleted set: %+v, %v", resp, err)
	}
	_, err = c.DeleteDeploymentSet(del)
	wantServerError(t, "deleting it again", err, "InvalidDeploymentSetId.NotFound", 404)
	del = ecs.CreateDeleteDeploymentSetRequest()
	del.RegionId = "cn-hangzhou"
	_, err = c.DeleteDeploymentSet(del)
	wantServerError(t, "DeleteDeploymentSet without an ID", err, "MissingParameter", 400)
	_, err = describeTopology(t, s, c, "ds-nope")
	wantServerError(t, "the topology of an unknown set", err, "InvalidDeploymentSetId.NotFound", 404)
}

func TestCreateDeploymentSetRefusesWhatTheGuideRefuses(t *testing.T) {
	s, _, _ := placementServer(t, hostLayout{1, 1, 1, 4, 16})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	for _, tc := range []struct {
		name, zone, domain, granularity, strategy, setName, description string
		code                                                            string
		status                                                          int
	}{
		{name: "an unknown zone", zone: "cn-hangzhou-z", code: "InvalidZoneId.NotFound", status: 404},
		{name: "a domain", domain: "Rack", code: "InvalidParameter.Domain", status: 400},
		{name: "a granularity", granularity: "Zone", code: "InvalidParameter.granularity", status: 400},
		{name: "a strategy", strategy: "Spread", code: "InvalidParameter.Strategy", status: 400},
		{name: "switch granularity in a switch domain", domain: "Switch", granularity: "Switch",
			code: "DependencyViolation.domain.granularity", status: 400},
		{name: "aggregation over hosts", granularity: "Host", strategy: "StrictAggregation",
			code: "DependencyViolation.strategy.granularity", status: 400},
		{name: "aggregation over racks", granularity: "Rack", strategy: "LooseAggregation",
			code: "DependencyViolation.strategy.granularity", status: 400},
		{name: "a one-letter name", setName: "a", code: "InvalidPlacmentSetName.Malformed", status: 400},
		{name: "a description starting with https://", description: "https://x", code: "InvalidDescription.Malformed", status: 400},
	} {
		req := ecs.CreateCreateDeploymentSetRequest()
		req.RegionId, req.Domain, req.Granularity, req.Strategy = "cn-hangzhou", tc.domain, tc.granularity, tc.strategy
		req.DeploymentSetName, req.Description = tc.setName, tc.description
		if tc.zone != "" {
			req.QueryParams["ZoneId"] = tc.zone
		}
		_, err := c.CreateDeploymentSet(req)
		wantServerError(t, "CreateDeploymentSet with "+tc.name, err, tc.code, tc.status)
	}
	// Case does not matter; Terraform's Availability is strict dispersion over hosts.
	id := createDeploymentSet(t, c, "", func(r *ecs.CreateDeploymentSetRequest) {
		r.Domain, r.Granularity, r.Strategy = "default", "switch", "looseaggregation"
	})
	if d := describeDeploymentSet(t, c, id); d.Domain != "Default" || d.Granularity != "Switch" || d.Strategy != "LooseAggregation" {
		t.Errorf("canonical spelling: %+v", d)
	}
	id = createDeploymentSet(t, c, "", func(r *ecs.CreateDeploymentSetRequest) {
		r.Domain, r.Granularity, r.Strategy = "Default", "Host", "Availability"
	})
	if d := describeDeploymentSet(t, c, id); d.Strategy != "Availability" || d.DeploymentStrategy != "Availability" {
		t.Errorf("Availability: %+v", d)
	}
}

func TestStrictDispersionOverHostsFailsWithNoStockWhenInstancesOutnumberHosts(t *testing.T) {
	s, zone, _ := placementServer(t, hostLayout{1, 2, 2, 4, 16}) // 4 hosts of 2 ecs.g5.large
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := zoneNet(t, s, c, zone, "10.0.1.0/24")
	set := createDeploymentSet(t, c, zone, func(r *ecs.CreateDeploymentSetRequest) { r.Strategy = "StrictDispersion" })

	_, err := runInSet(c, n, set, 5)
	wantServerError(t, "5 instances strictly dispersed over 4 hosts", err, "OperationDenied.NoStock", 403)
	if se := serverError(t, err); se.Message() != "Sales of this resource are temporarily suspended in the specified region; please try again later." {
		t.Errorf("message %q", se.Message())
	}
	req := n.runRequest()
	req.Amount, req.DeploymentSetId = requests.NewInteger(4), set
	ids := runInstances(t, c, req)
	hosts := hostsOfSet(t, s, c, set)
	if len(hosts) != 4 {
		t.Fatalf("4 instances on %d hosts: %v", len(hosts), hosts)
	}
	for h, on := range hosts {
		if len(on) != 1 || !strings.HasPrefix(h, zone+"-sw1-rack") {
			t.Errorf("host %s has %v", h, on)
		}
	}
	d := describeDeploymentSet(t, c, set)
	if d.InstanceAmount != 4 || !slices.Equal(d.InstanceIds.InstanceId, slices.Sorted(slices.Values(ids))) ||
		d.Capacities.Capacity[0].UsedAmount != 4 || d.Capacities.Capacity[0].AvailableAmount != 0 {
		t.Errorf("DescribeDeploymentSets = %+v", d)
	}
	for _, in := range waitForStatus(t, c, ids, "Running") {
		if in.DeploymentSetId != set {
			t.Errorf("instance %s: DeploymentSetId %q", in.InstanceId, in.DeploymentSetId)
		}
	}
	_, err = runInSet(c, n, set, 1)
	wantServerError(t, "a fifth instance", err, "OperationDenied.NoStock", 403)

	del := ecs.CreateDeleteDeploymentSetRequest()
	del.RegionId, del.DeploymentSetId = "cn-hangzhou", set
	_, err = c.DeleteDeploymentSet(del)
	wantServerError(t, "deleting a set with instances", err, "DependencyViolation.NotFound", 403)

	// Deleting an instance frees its host for the set.
	deleteInstances(t, c, ids[:1])
	if resp, err := runInSet(c, n, set, 1); err != nil {
		t.Fatalf("an instance in place of a deleted one: %v", err)
	} else {
		ids = append(ids[1:], resp.InstanceIdSets.InstanceIdSet...)
	}
	deleteInstances(t, c, ids)
	if d := describeDeploymentSet(t, c, set); d.InstanceAmount != 0 {
		t.Fatalf("InstanceAmount %d with every instance gone", d.InstanceAmount)
	}
	if _, err := c.DeleteDeploymentSet(del); err != nil {
		t.Fatalf("DeleteDeploymentSet of an empty set: %v", err)
	}
}

func TestRackAndSwitchDispersionAndAggregationFollowTheTopology(t *testing.T) {
	s, zone, _ := placementServer(t, hostLayout{2, 2, 2, 4, 16}) // 2 switches × 2 racks × 2 hosts
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := zoneNet(t, s, c, zone, "10.0.1.0/24")

	racks := createDeploymentSet(t, c, zone, func(r *ecs.CreateDeploymentSetRequest) {
		r.Granularity, r.Strategy = "Rack", "StrictDispersion"
	})
	_, err := runInSet(c, n, racks, 5)
	wantServerError(t, "5 instances over 4 racks", err, "OperationDenied.NoStock", 403)
	req := n.runRequest()
	req.Amount, req.DeploymentSetId = requests.NewInteger(4), racks
	runInstances(t, c, req)
	topo, err := describeTopology(t, s, c, racks)
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Racks.Rack) != 4 || len(topo.Switchs.Switch) != 2 {
		t.Fatalf("rack dispersion: %d racks below %d switches", len(topo.Racks.Rack), len(topo.Switchs.Switch))
	}
	for _, r := range topo.Racks.Rack {
		if len(r.Hosts.Host) != 1 || len(r.Hosts.Host[0].InstanceIds.InstanceId) != 1 {
			t.Errorf("rack %s: %+v", r.RackId, r.Hosts)
		}
	}

	gather := createDeploymentSet(t, c, zone, func(r *ecs.CreateDeploymentSetRequest) {
		r.Granularity, r.Strategy = "Switch", "StrictAggregation"
	})
	req = n.runRequest()
	req.Amount, req.DeploymentSetId = requests.NewInteger(5), gather
	runInstances(t, c, req)
	topo, err = describeTopology(t, s, c, gather)
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Switchs.Switch) != 1 {
		t.Fatalf("strict aggregation spans %d switches", len(topo.Switchs.Switch))
	}
	// The set took the first switch, which the rack set's two instances there
	// share: 8 slots, 7 taken. Two more cannot stay with the set.
	_, err = runInSet(c, n, gather, 2)
	wantServerError(t, "2 more below a switch with room for 1", err, "OperationDenied.NoStock", 403)
	resp, err := runInSet(c, n, gather, 1)
	if err != nil {
		t.Fatalf("one more below the set's switch: %v", err)
	}
	t.Cleanup(func() { deleteInstances(t, c, resp.InstanceIdSets.InstanceIdSet) })
	swOf := topo.Switchs.Switch[0].SwitchId
	if topo, _ = describeTopology(t, s, c, gather); len(topo.Switchs.Switch) != 1 || topo.Switchs.Switch[0].SwitchId != swOf {
		t.Fatalf("the sixth instance left switch %s: %+v", swOf, topo.Switchs)
	}
	// The first switch is full now; loose aggregation gathers below the other.
	loose := createDeploymentSet(t, c, zone, func(r *ecs.CreateDeploymentSetRequest) {
		r.Granularity, r.Strategy = "Switch", "LooseAggregation"
	})
	_, err = runInSet(c, n, loose, 7)
	wantServerError(t, "7 instances in a zone with room for 6", err, "OperationDenied.NoStock", 403)
	req = n.runRequest()
	req.Amount, req.DeploymentSetId = requests.NewInteger(6), loose
	runInstances(t, c, req)
	if topo, _ = describeTopology(t, s, c, loose); len(topo.Switchs.Switch) != 1 || topo.Switchs.Switch[0].SwitchId == swOf {
		t.Fatalf("loose aggregation: %+v", topo.Switchs)
	}
}

func TestInstancesWithoutADeploymentSetTakeTheSameHosts(t *testing.T) {
	s, zone, _ := placementServer(t, hostLayout{1, 2, 2, 4, 16}) // room for 8 ecs.g5.large
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := zoneNet(t, s, c, zone, "10.0.1.0/24")
	req := n.runRequest()
	req.Amount = requests.NewInteger(6) // packed: three hosts full
	plain := runInstances(t, c, req)

	set := createDeploymentSet(t, c, zone, func(r *ecs.CreateDeploymentSetRequest) { r.Strategy = "StrictDispersion" })
	_, err := runInSet(c, n, set, 2)
	wantServerError(t, "2 strictly dispersed instances with one host free", err, "OperationDenied.NoStock", 403)
	req = n.runRequest()
	req.DeploymentSetId = set
	runInstances(t, c, req)

	req = n.runRequest()
	req.Amount = requests.NewInteger(2)
	_, err = c.RunInstances(req)
	wantServerError(t, "2 more in a zone with room for 1", err, "OperationDenied.NoStock", 403)
	req.MinAmount = requests.NewInteger(1)
	last := runInstances(t, c, req)
	if len(last) != 1 {
		t.Fatalf("Amount 2, MinAmount 1 with room for 1: %d instances", len(last))
	}
	create := ecs.CreateCreateInstanceRequest()
	create.RegionId, create.ImageId, create.InstanceType = "cn-hangzhou", e2eImage, "ecs.g5.large"
	create.SecurityGroupId, create.VSwitchId = n.groupID, n.vswitchID
	_, err = c.CreateInstance(create)
	wantServerError(t, "CreateInstance in a full zone", err, "OperationDenied", 403)
	if se := serverError(t, err); se.Message() != "The resource is out of usage." {
		t.Errorf("message %q", se.Message())
	}

	// Releasing instances gives their room back.
	deleteInstances(t, c, append(plain[:2], last...))
	req = n.runRequest()
	req.Amount = requests.NewInteger(3)
	runInstances(t, c, req)
}
