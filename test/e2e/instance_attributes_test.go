package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

func TestDescribeAvailableResourceAnswersTerraformsZonesAndInstanceTypesLookups(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)

	// data "alicloud_zones": DestinationResource=Zone, IoOptimized=optimized.
	req := ecs.CreateDescribeAvailableResourceRequest()
	req.RegionId, req.DestinationResource, req.IoOptimized = "cn-hangzhou", "Zone", "optimized"
	zones, err := c.DescribeAvailableResource(req)
	if err != nil {
		t.Fatalf("DescribeAvailableResource Zone: %v", err)
	}
	var ids []string
	for _, z := range zones.AvailableZones.AvailableZone {
		ids = append(ids, z.ZoneId)
		if z.Status != "Available" || len(z.AvailableResources.AvailableResource) != 1 ||
			z.AvailableResources.AvailableResource[0].Type != "Zone" {
			t.Errorf("zone %+v", z)
		}
	}
	if !slices.Equal(ids, []string{"cn-hangzhou-b", "cn-hangzhou-g", "cn-hangzhou-h"}) {
		t.Fatalf("zones %v", ids)
	}

	// data "alicloud_instance_types": DestinationResource=InstanceType with Cores and Memory.
	req = ecs.CreateDescribeAvailableResourceRequest()
	req.RegionId, req.DestinationResource, req.ZoneId = "cn-hangzhou", "InstanceType", "cn-hangzhou-b"
	req.Cores, req.Memory, req.IoOptimized = requests.NewInteger(2), requests.NewFloat(8), "optimized"
	types, err := c.DescribeAvailableResource(req)
	if err != nil {
		t.Fatalf("DescribeAvailableResource InstanceType: %v", err)
	}
	if len(types.AvailableZones.AvailableZone) != 1 {
		t.Fatalf("InstanceType answer %+v", types)
	}
	var found bool
	for _, r := range types.AvailableZones.AvailableZone[0].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource {
		found = found || r.Value == "ecs.g5.large" && r.Status == "Available"
	}
	if !found {
		t.Fatalf("ecs.g5.large is not offered in cn-hangzhou-b: %+v", types.AvailableZones.AvailableZone[0])
	}

	// The Terraform transport reads raw JSON: sizes are numbers.
	raw, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeAvailableResource", map[string]any{
		"RegionId": "cn-hangzhou", "DestinationResource": "DataDisk", "ZoneId": "cn-hangzhou-b", "DataDiskCategory": "cloud_essd"})
	if err != nil {
		t.Fatalf("DescribeAvailableResource DataDisk (tea-rpc): %v", err)
	}
	disk := jsonAt(t, raw, "AvailableZones", "AvailableZone", 0, "AvailableResources", "AvailableResource", 0,
		"SupportedResources", "SupportedResource", 0).(map[string]any)
	if disk["Value"] != "cloud_essd" || disk["Unit"] != "GiB" || !isJSONNumber(disk["Min"]) || !isJSONNumber(disk["Max"]) {
		t.Fatalf("data disk %v", disk)
	}
	_, err = c.DescribeAvailableResource(ecs.CreateDescribeAvailableResourceRequest())
	wantServerError(t, "DescribeAvailableResource without DestinationResource", err, "MissingParameter", http.StatusBadRequest)
}

// jsonAt walks a decoded JSON document by keys and indexes.
func jsonAt(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", v, k)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || len(a) <= k {
				t.Fatalf("%v: no item %d", v, k)
			}
			v = a[k]
		}
	}
	return v
}

func isJSONNumber(v any) bool {
	switch v.(type) {
	case float64, int, int64, interface{ Int64() (int64, error) }:
		return true
	}
	return false
}

// instanceByID reads one instance through DescribeInstances, as Terraform does.
func instanceByID(t *testing.T, c *ecs.Client, id string) ecs.Instance {
	t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	req.InstanceIds = diskIDs(t, id)
	resp, err := c.DescribeInstances(req)
	if err != nil {
		t.Fatalf("DescribeInstances: %v", err)
	}
	if len(resp.Instances.Instance) != 1 {
		t.Fatalf("DescribeInstances %s = %+v", id, resp.Instances)
	}
	return resp.Instances.Instance[0]
}

func TestInstanceAttributesChangeAsTheGuideSaysOnALaunchedInstance(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	id := launchInstance(t, s, c)
	inst := instanceByID(t, c, id)
	run := runID()
	t.Run("ModifyInstanceAttribute", func(t *testing.T) { modifyAttributes(t, c, id, run) })
	t.Run("JoinAndLeaveSecurityGroup", func(t *testing.T) { joinAndLeave(t, c, id, run, inst) })
	t.Run("AttachAndDetachKeyPair", func(t *testing.T) { attachAndDetachKeyPair(t, c, id, run) })
	t.Run("NetworkSpecAndPublicIp", func(t *testing.T) { networkSpecAndPublicIP(t, c, id) })
	t.Run("InstanceRamRole", func(t *testing.T) { unconfiguredRAMRole(t, c, id, run) })
	t.Run("ModifyInstanceVncPasswdWithTheTeaSDK", func(t *testing.T) { vncPasswordWithTheTeaSDK(t, s, id) })
	t.Run("TerraformReads", func(t *testing.T) { terraformReads(t, s, id) })
	t.Run("ModifyInstanceVpcAttribute", func(t *testing.T) { moveInstance(t, s, c, id, inst) })
}

// modifyAttributes changes the name, description, host name and password, and
// checks two of the guide's errors.
func modifyAttributes(t *testing.T, c *ecs.Client, id, run string) {
	t.Helper()
	req := ecs.CreateModifyInstanceAttributeRequest()
	req.InstanceId, req.InstanceName, req.Description, req.HostName = id, "renamed-"+run, "changed by e2e", "web-01"
	req.Password = "Secret#2026"
	if _, err := c.ModifyInstanceAttribute(req); err != nil {
		t.Fatalf("ModifyInstanceAttribute: %v", err)
	}
	got := instanceByID(t, c, id)
	if got.InstanceName != "renamed-"+run || got.Description != "changed by e2e" || got.HostName != "web-01" {
		t.Errorf("after ModifyInstanceAttribute: name %q description %q host %q", got.InstanceName, got.Description, got.HostName)
	}
	bad := ecs.CreateModifyInstanceAttributeRequest()
	bad.InstanceId, bad.Password = id, "onlylowercase"
	_, err := c.ModifyInstanceAttribute(bad)
	wantServerError(t, "weak password", err, "InvalidHostPassword.Malformed", http.StatusBadRequest)
	bad = ecs.CreateModifyInstanceAttributeRequest()
	bad.InstanceId, bad.InstanceName = "i-missing"+run, "x-name"
	_, err = c.ModifyInstanceAttribute(bad)
	wantServerError(t, "unknown instance", err, "InvalidInstanceId.NotFound", http.StatusNotFound)
}

// joinAndLeave joins a second group, refuses a second join and leaving the last group.
func joinAndLeave(t *testing.T, c *ecs.Client, id, run string, inst ecs.Instance) {
	t.Helper()
	sg2 := createSecurityGroup(t, c, "second", inst.VpcAttributes.VpcId, "", run)
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = sg2
		_, _ = c.DeleteSecurityGroup(del)
	})
	join := ecs.CreateJoinSecurityGroupRequest()
	join.InstanceId, join.SecurityGroupId = id, sg2
	if _, err := c.JoinSecurityGroup(join); err != nil {
		t.Fatalf("JoinSecurityGroup: %v", err)
	}
	if got := instanceByID(t, c, id).SecurityGroupIds.SecurityGroupId; len(got) != 2 || !slices.Contains(got, sg2) {
		t.Fatalf("groups after joining: %v", got)
	}
	_, err := c.JoinSecurityGroup(join)
	wantServerError(t, "joining twice", err, "InvalidInstanceId.AlreadyExists", http.StatusForbidden)
	leave := ecs.CreateLeaveSecurityGroupRequest()
	leave.InstanceId, leave.SecurityGroupId = id, sg2
	if _, err := c.LeaveSecurityGroup(leave); err != nil {
		t.Fatalf("LeaveSecurityGroup: %v", err)
	}
	leave.SecurityGroupId = inst.SecurityGroupIds.SecurityGroupId[0]
	_, err = c.LeaveSecurityGroup(leave)
	wantServerError(t, "leaving the last group", err, "InstanceLastSecurityGroup", http.StatusForbidden)
}

// attachAndDetachKeyPair binds and unbinds an imported key pair, with a
// per-instance failure for an unknown instance.
func attachAndDetachKeyPair(t *testing.T, c *ecs.Client, id, run string) {
	t.Helper()
	name := "attach-" + run
	line, _ := ed25519Line(t)
	imp := ecs.CreateImportKeyPairRequest()
	imp.KeyPairName, imp.PublicKeyBody = name, line
	if _, err := c.ImportKeyPair(imp); err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}
	t.Cleanup(func() {
		del := ecs.CreateDeleteKeyPairsRequest()
		del.KeyPairNames = diskIDs(t, name)
		_, _ = c.DeleteKeyPairs(del)
	})
	attach := ecs.CreateAttachKeyPairRequest()
	attach.KeyPairName, attach.InstanceIds = name, diskIDs(t, id, "i-missing"+run)
	resp, err := c.AttachKeyPair(attach)
	if err != nil {
		t.Fatalf("AttachKeyPair: %v", err)
	}
	if resp.TotalCount != "2" || resp.FailCount != "1" || len(resp.Results.Result) != 2 || resp.Results.Result[0].Success != "true" {
		t.Errorf("AttachKeyPair = %+v", resp)
	}
	if got := instanceByID(t, c, id).KeyPairName; got != name {
		t.Fatalf("KeyPairName = %q, want %q", got, name)
	}
	detach := ecs.CreateDetachKeyPairRequest()
	detach.KeyPairName, detach.InstanceIds = name, diskIDs(t, id)
	if _, err := c.DetachKeyPair(detach); err != nil {
		t.Fatalf("DetachKeyPair: %v", err)
	}
	if got := instanceByID(t, c, id).KeyPairName; got != "" {
		t.Fatalf("KeyPairName after detaching = %q", got)
	}
	attach.KeyPairName = "missing-" + run
	_, err = c.AttachKeyPair(attach)
	wantServerError(t, "unknown key pair", err, "InvalidKeyPairName.NotFound", http.StatusNotFound)
}

// networkSpecAndPublicIP raises the public bandwidth from 0, which gives the
// instance a public IP that AllocatePublicIpAddress then returns.
func networkSpecAndPublicIP(t *testing.T, c *ecs.Client, id string) {
	t.Helper()
	spec := ecs.CreateModifyInstanceNetworkSpecRequest()
	spec.InstanceId, spec.InternetMaxBandwidthOut = id, requests.NewInteger(5)
	if _, err := c.ModifyInstanceNetworkSpec(spec); err != nil {
		t.Fatalf("ModifyInstanceNetworkSpec: %v", err)
	}
	got := instanceByID(t, c, id)
	if got.InternetMaxBandwidthOut != 5 || len(got.PublicIpAddress.IpAddress) != 1 {
		t.Fatalf("after raising the bandwidth: out %d public %v", got.InternetMaxBandwidthOut, got.PublicIpAddress.IpAddress)
	}
	alloc := ecs.CreateAllocatePublicIpAddressRequest()
	alloc.InstanceId = id
	ip, err := c.AllocatePublicIpAddress(alloc)
	if err != nil || ip.IpAddress != got.PublicIpAddress.IpAddress[0] {
		t.Fatalf("AllocatePublicIpAddress = %+v, %v; want the address it has", ip, err)
	}
	spec.InternetMaxBandwidthOut = requests.NewInteger(101)
	_, err = c.ModifyInstanceNetworkSpec(spec)
	wantServerError(t, "bandwidth 101", err, "InvalidInternetMaxBandwidthOut.ValueNotSupported", http.StatusBadRequest)
}

// unconfiguredRAMRole checks the RAM-role answers of a server configured with no role.
func unconfiguredRAMRole(t *testing.T, c *ecs.Client, id, run string) {
	t.Helper()
	attach := ecs.CreateAttachInstanceRamRoleRequest()
	attach.RamRoleName, attach.InstanceIds = "NoSuchRole-"+run, diskIDs(t, id)
	_, err := c.AttachInstanceRamRole(attach)
	wantServerError(t, "an unconfigured role", err, "InvalidRamRole.NotFound", http.StatusNotFound)
	detach := ecs.CreateDetachInstanceRamRoleRequest()
	_, err = c.DetachInstanceRamRole(detach)
	wantServerError(t, "DetachInstanceRamRole without InstanceIds", err, "MissingParameter.InstancesIds", http.StatusBadRequest)
	desc := ecs.CreateDescribeInstanceRamRoleRequest()
	desc.InstanceIds = diskIDs(t, id)
	resp, err := c.DescribeInstanceRamRole(desc)
	if err != nil || len(resp.InstanceRamRoleSets.InstanceRamRoleSet) != 1 || resp.InstanceRamRoleSets.InstanceRamRoleSet[0].RamRoleName != "" {
		t.Fatalf("DescribeInstanceRamRole = %+v, %v", resp, err)
	}
}

// vncPasswordWithTheTeaSDK sets the VNC password through the v7 SDK (signature V3).
func vncPasswordWithTheTeaSDK(t *testing.T, s *server, id string) {
	t.Helper()
	tc := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	_, err := tc.ModifyInstanceVncPasswd(&teaecs.ModifyInstanceVncPasswdRequest{RegionId: dara.String("cn-hangzhou"),
		InstanceId: dara.String(id), VncPassword: dara.String("Ab12cd")})
	if err != nil {
		t.Fatalf("ModifyInstanceVncPasswd: %v", err)
	}
	_, err = tc.ModifyInstanceVncPasswd(&teaecs.ModifyInstanceVncPasswdRequest{RegionId: dara.String("cn-hangzhou"),
		InstanceId: dara.String(id), VncPassword: dara.String("abc123")})
	if code, status := teaError(t, err); code != "IncorrectVncPassword.Malformed" || status != http.StatusBadRequest {
		t.Fatalf("weak VNC password: %s (%d)", code, status)
	}
}

// terraformReads makes the reads Terraform's alicloud_instance makes on every
// refresh, through its transport, and checks the raw JSON it asserts on.
func terraformReads(t *testing.T, s *server, id string) {
	t.Helper()
	m, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeInstanceMaintenanceAttributes",
		map[string]any{"RegionId": "cn-hangzhou", "InstanceId.1": id})
	if err != nil {
		t.Fatalf("DescribeInstanceMaintenanceAttributes: %v", err)
	}
	attr := jsonAt(t, m, "MaintenanceAttributes", "MaintenanceAttribute", 0).(map[string]any)
	windows, ok := jsonAt(t, attr, "MaintenanceWindows", "MaintenanceWindow").([]any)
	if attr["InstanceId"] != id || !ok || len(windows) != 0 {
		t.Fatalf("maintenance attributes %v, want this instance with an empty window list", attr)
	}
	if _, ok := attr["NotifyOnMaintenance"].(bool); !ok {
		t.Errorf("NotifyOnMaintenance is %T", attr["NotifyOnMaintenance"])
	}
	a, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeInstanceAttachmentAttributes",
		map[string]any{"RegionId": "cn-hangzhou", "InstanceIds": `["` + id + `"]`})
	if err != nil {
		t.Fatalf("DescribeInstanceAttachmentAttributes: %v", err)
	}
	if got := jsonAt(t, a, "Instances", "Instance", 0, "InstanceId"); got != id {
		t.Fatalf("attachment attributes of %v", got)
	}
	eni := "eni-" + strings.TrimPrefix(id, "i-")
	n, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeNetworkInterfaces",
		map[string]any{"RegionId": "cn-hangzhou", "NetworkInterfaceId.1": eni})
	if err != nil {
		t.Fatalf("DescribeNetworkInterfaces: %v", err)
	}
	set := jsonAt(t, n, "NetworkInterfaceSets", "NetworkInterfaceSet", 0).(map[string]any)
	primary, ok := jsonAt(t, set, "PrivateIpSets", "PrivateIpSet", 0, "Primary").(bool)
	if set["NetworkInterfaceId"] != eni || set["InstanceId"] != id || !ok || !primary {
		t.Fatalf("primary network interface %v", set)
	}
}

// moveInstance stops the instance and moves it to a second VSwitch of its VPC
// and zone with ModifyInstanceVpcAttribute.
func moveInstance(t *testing.T, s *server, c *ecs.Client, id string, inst ecs.Instance) {
	t.Helper()
	vc := vpcSDK(t, s)
	vsw2, err := createVSwitch(t, vc, inst.VpcAttributes.VpcId, inst.ZoneId, "172.16.2.0/24", unique("vsw2"))
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	t.Cleanup(func() { // the instance holds an address of vsw2 now: delete it first
		del := ecs.CreateDeleteInstanceRequest()
		del.InstanceId, del.Force = id, requests.NewBoolean(true)
		if _, err := c.DeleteInstance(del); err == nil {
			waitInstance(t, c, id, "")
		}
		dv := vpc.CreateDeleteVSwitchRequest()
		dv.VSwitchId = vsw2
		_, _ = vc.DeleteVSwitch(dv)
	})
	move := ecs.CreateModifyInstanceVpcAttributeRequest()
	move.InstanceId, move.VSwitchId, move.PrivateIpAddress = id, vsw2, "172.16.2.10"
	_, err = c.ModifyInstanceVpcAttribute(move)
	wantServerError(t, "moving a Running instance", err, "IncorrectInstanceStatus", http.StatusBadRequest)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = id
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitInstance(t, c, id, "Stopped")
	if _, err := c.ModifyInstanceVpcAttribute(move); err != nil {
		t.Fatalf("ModifyInstanceVpcAttribute: %v", err)
	}
	got := instanceByID(t, c, id)
	if got.VpcAttributes.VSwitchId != vsw2 || !slices.Equal(got.VpcAttributes.PrivateIpAddress.IpAddress, []string{"172.16.2.10"}) {
		t.Fatalf("after the move: %s %v", got.VpcAttributes.VSwitchId, got.VpcAttributes.PrivateIpAddress.IpAddress)
	}
	move.PrivateIpAddress = "172.16.2.11"
	_, err = c.ModifyInstanceVpcAttribute(move)
	wantServerError(t, "a second change in one stop", err, "InvalidPrivateIp.Changing", http.StatusBadRequest)
}

// TestInstanceRAMRoleIsARAMRoleOfTheAccountThatTrustsECS: AttachInstanceRamRole
// takes a RAM role of the caller's account (made with the RAM SDK) whose trust
// policy names the ECS service; a role that only trusts RAM principals is
// refused, and another account's role of the same name is unknown.
func TestInstanceRAMRoleIsARAMRoleOfTheAccountThatTrustsECS(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	id := launchInstance(t, s, c)
	role := "EcsE2ERole-" + runID()
	rc := ramSDK(t, s, rootCred())
	createRole(t, rc, role, ecsTrustPolicy)
	usersOnly := "UsersOnly-" + runID()
	createRole(t, rc, usersOnly, accountTrustPolicy(accountID(t, s, rootCred())))
	other := createAccount(t, s, "instance-role")
	createRole(t, ramSDK(t, s, credentials.NewAccessKeyCredential(other.AccessKeyId, other.AccessKeySecret)), "OtherOnly-"+runID(), ecsTrustPolicy)

	refused := ecs.CreateAttachInstanceRamRoleRequest()
	refused.RamRoleName, refused.InstanceIds = usersOnly, diskIDs(t, id)
	_, err := c.AttachInstanceRamRole(refused)
	wantServerError(t, "a role ECS may not assume", err, "InvalidRamRole.NotEcsRole", http.StatusBadRequest)
	refused.RamRoleName = "OtherOnly-x"
	_, err = c.AttachInstanceRamRole(refused)
	wantServerError(t, "another account's role", err, "InvalidRamRole.NotFound", http.StatusNotFound)

	attach := ecs.CreateAttachInstanceRamRoleRequest()
	attach.RamRoleName, attach.InstanceIds = role, diskIDs(t, id)
	resp, err := c.AttachInstanceRamRole(attach)
	if err != nil {
		t.Fatalf("AttachInstanceRamRole: %v", err)
	}
	if resp.TotalCount != 1 || resp.FailCount != 0 || resp.AttachInstanceRamRoleResults.AttachInstanceRamRoleResult[0].Code != "200" {
		t.Fatalf("AttachInstanceRamRole = %+v", resp)
	}
	desc := ecs.CreateDescribeInstanceRamRoleRequest()
	desc.InstanceIds = diskIDs(t, id)
	described, err := c.DescribeInstanceRamRole(desc)
	if err != nil || described.InstanceRamRoleSets.InstanceRamRoleSet[0].RamRoleName != role {
		t.Fatalf("DescribeInstanceRamRole = %+v, %v", described, err)
	}
	detach := ecs.CreateDetachInstanceRamRoleRequest()
	detach.RamRoleName, detach.InstanceIds = role, diskIDs(t, id)
	detached, err := c.DetachInstanceRamRole(detach)
	if err != nil || detached.FailCount != 0 || detached.RamRoleName != role {
		t.Fatalf("DetachInstanceRamRole = %+v, %v", detached, err)
	}
}
