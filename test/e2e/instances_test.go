package e2e

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// The system image e2e instances boot from.
const e2eImage = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"

// instanceNet is what instances need: a VPC with a VSwitch in cn-hangzhou-b, a
// security group in it and a key pair, made through the official SDKs and
// deleted when the test ends (after the instances, which instanceNet's
// cleanup deletes first).
type instanceNet struct {
	vpcID, vswitchID, groupID, keyPair string
}

func newInstanceNet(t *testing.T, s *server, c *ecs.Client) instanceNet {
	t.Helper()
	return newInstanceNetWith(t, s, vpcSDK(t, s), c)
}

// newInstanceNetWith is newInstanceNet for the account whose VPC client vc
// and ECS client c are (another account than the root, say).
func newInstanceNetWith(t *testing.T, s *server, vc *vpc.Client, c *ecs.Client) instanceNet {
	t.Helper()
	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock, create.VpcName = "10.0.0.0/16", unique("e2e-instances")
	created, err := vc.CreateVpc(create)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, vc, created.VpcId)
	vsw, err := createVSwitch(t, vc, created.VpcId, "cn-hangzhou-b", "10.0.1.0/24", "instances")
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	cleanUp(t, vc, created.VpcId, vsw)
	n := instanceNet{vpcID: created.VpcId, vswitchID: vsw}
	n.groupID = createSecurityGroup(t, c, "instances", created.VpcId, "", runID())
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = n.groupID
		_, _ = c.DeleteSecurityGroup(del)
	})
	line, _ := ed25519Line(t)
	n.keyPair = keyPairPrefix(t, s) + "ops"
	imp := ecs.CreateImportKeyPairRequest()
	imp.KeyPairName, imp.PublicKeyBody = n.keyPair, line
	if _, err := c.ImportKeyPair(imp); err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}
	t.Cleanup(func() {
		del := ecs.CreateDeleteKeyPairsRequest()
		del.KeyPairNames = diskIDs(t, n.keyPair)
		_, _ = c.DeleteKeyPairs(del)
	})
	return n
}

// runRequest is a RunInstances request in n.
func (n instanceNet) runRequest() *ecs.RunInstancesRequest {
	req := ecs.CreateRunInstancesRequest()
	req.RegionId, req.ImageId, req.InstanceType = "cn-hangzhou", e2eImage, "ecs.g5.large"
	req.SecurityGroupId, req.VSwitchId = n.groupID, n.vswitchID
	return req
}

// runInstances calls RunInstances and deletes the instances when the test ends.
func runInstances(t *testing.T, c *ecs.Client, req *ecs.RunInstancesRequest) []string {
	t.Helper()
	resp, err := c.RunInstances(req)
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	ids := resp.InstanceIdSets.InstanceIdSet
	t.Cleanup(func() { deleteInstances(t, c, ids) })
	return ids
}

// deleteInstances force-deletes instances and waits until they are gone.
func deleteInstances(t *testing.T, c *ecs.Client, ids []string) {
	for _, id := range ids {
		del := ecs.CreateDeleteInstanceRequest()
		del.InstanceId, del.Force = id, requests.NewBoolean(true)
		_, _ = c.DeleteInstance(del)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if len(describeInstances(t, c, ids)) == 0 {
			return
		}
	}
	t.Logf("instances %v not gone after 30s", ids)
}

// describeInstances lists the instances named, the way Terraform reads one.
func describeInstances(t *testing.T, c *ecs.Client, ids []string) []ecs.Instance {
	t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	data, _ := json.Marshal(ids)
	req.RegionId, req.InstanceIds, req.PageSize = "cn-hangzhou", string(data), "100"
	resp, err := c.DescribeInstances(req)
	if err != nil {
		t.Fatalf("DescribeInstances: %v", err)
	}
	return resp.Instances.Instance
}

// waitForStatus polls DescribeInstances until every instance has status.
func waitForStatus(t *testing.T, c *ecs.Client, ids []string, status string) []ecs.Instance {
	t.Helper()
	var got []ecs.Instance
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got = describeInstances(t, c, ids)
		ok := len(got) == len(ids)
		for _, in := range got {
			ok = ok && in.Status == status
		}
		if ok {
			return got
		}
	}
	t.Fatalf("instances %v not %s after 60s: %+v", ids, status, got)
	return nil
}

func TestInstanceLifecycleFollowsTheGuideThroughTheGoSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	run := runID()

	req := n.runRequest()
	req.Amount, req.InstanceName, req.UniqueSuffix = "3", "web", requests.NewBoolean(true)
	req.ClientToken, req.KeyPairName, req.InternetMaxBandwidthOut = "run-"+run, n.keyPair, "5"
	req.UserData = base64.StdEncoding.EncodeToString([]byte("#cloud-config\n"))
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{Category: "cloud_efficiency", Size: "40"},
		{Category: "cloud_ssd", Size: "100", Device: "/dev/xvdf"}}
	req.Tag = &[]ecs.RunInstancesTag{{Key: "suite", Value: run}}
	ids := runInstances(t, c, req)
	if len(ids) != 3 {
		t.Fatalf("RunInstances answered %v", ids)
	}
	again, err := c.RunInstances(req)
	if err != nil || !slices.Equal(again.InstanceIdSets.InstanceIdSet, ids) {
		t.Fatalf("a retry with the same ClientToken = %v, %v; want %v", again.InstanceIdSets.InstanceIdSet, err, ids)
	}

	instances := waitForStatus(t, c, ids, "Running")
	for _, in := range instances {
		if in.VpcAttributes.VpcId != n.vpcID || len(in.VpcAttributes.PrivateIpAddress.IpAddress) != 1 ||
			len(in.PublicIpAddress.IpAddress) != 1 || in.KeyPairName != n.keyPair || len(in.Tags.Tag) != 1 ||
			len(in.NetworkInterfaces.NetworkInterface) != 1 || !in.NetworkInterfaces.NetworkInterface[0].PrivateIpSets.PrivateIpSet[0].Primary ||
			in.Memory != 8192 || in.Cpu != 2 || in.ZoneId != "cn-hangzhou-b" || !in.IoOptimized || in.InstanceNetworkType != "vpc" {
			t.Fatalf("DescribeInstances = %+v", in)
		}
	}
	walkInstanceFilters(t, c, n, ids, run)
	walkStopStartReboot(t, c, ids[0])
	walkInstanceReads(t, c, ids[0])
	walkInstanceErrors(t, c, n)

	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = ids[0]
	_, err = c.DeleteInstance(del)
	wantServerError(t, "DeleteInstance of a Running instance", err, "IncorrectInstanceState", 403)
	del.Force = requests.NewBoolean(true)
	if _, err := c.DeleteInstance(del); err != nil {
		t.Fatalf("DeleteInstance with Force: %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); len(describeInstances(t, c, ids[:1])) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the deleted instance is still listed")
		}
	}
	_, err = c.DeleteInstance(del)
	wantServerError(t, "DeleteInstance of a deleted instance", err, "InvalidInstanceId.NotFound", 404)
	attr := ecs.CreateDescribeInstanceAttributeRequest()
	attr.InstanceId = ids[0]
	_, err = c.DescribeInstanceAttribute(attr)
	wantServerError(t, "DescribeInstanceAttribute of a deleted instance", err, "InvalidInstanceId.NotFound", 404)
}

// walkInstanceFilters: DescribeInstances' filters, pages and NextToken (1.5.10).
func walkInstanceFilters(t *testing.T, c *ecs.Client, n instanceNet, ids []string, run string) {
	t.Helper()
	list := func(edit func(*ecs.DescribeInstancesRequest)) *ecs.DescribeInstancesResponse {
		t.Helper()
		req := ecs.CreateDescribeInstancesRequest()
		req.RegionId = "cn-hangzhou"
		req.Tag = &[]ecs.DescribeInstancesTag{{Key: "suite", Value: run}}
		edit(req)
		resp, err := c.DescribeInstances(req)
		if err != nil {
			t.Fatalf("DescribeInstances: %v", err)
		}
		return resp
	}
	for name, edit := range map[string]func(*ecs.DescribeInstancesRequest){
		"VSwitchId":          func(r *ecs.DescribeInstancesRequest) { r.VSwitchId = n.vswitchID },
		"VpcId and Status":   func(r *ecs.DescribeInstancesRequest) { r.VpcId, r.Status = n.vpcID, "Running" },
		"SecurityGroupId":    func(r *ecs.DescribeInstancesRequest) { r.SecurityGroupId = n.groupID },
		"InstanceName *":     func(r *ecs.DescribeInstancesRequest) { r.InstanceName = "web*" },
		"InstanceTypeFamily": func(r *ecs.DescribeInstancesRequest) { r.InstanceTypeFamily = "ecs.g5" },
		"IoOptimized":        func(r *ecs.DescribeInstancesRequest) { r.IoOptimized = requests.NewBoolean(true) },
		"KeyPairName":        func(r *ecs.DescribeInstancesRequest) { r.KeyPairName = n.keyPair },
	} {
		if got := list(edit); got.TotalCount != 3 || len(got.Instances.Instance) != 3 {
			t.Errorf("filter %s: %d instances", name, got.TotalCount)
		}
	}
	if got := list(func(r *ecs.DescribeInstancesRequest) { r.Status = "Stopped" }); got.TotalCount != 0 {
		t.Errorf("Status=Stopped: %d instances", got.TotalCount)
	}
	page := list(func(r *ecs.DescribeInstancesRequest) { r.PageNumber, r.PageSize = "2", "2" })
	if page.TotalCount != 3 || len(page.Instances.Instance) != 1 || page.PageNumber != 2 || page.PageSize != 2 {
		t.Errorf("page 2 of 2: total %d, %d instances", page.TotalCount, len(page.Instances.Instance))
	}
	var walked []string
	token := ""
	for range 5 {
		resp := list(func(r *ecs.DescribeInstancesRequest) { r.MaxResults, r.NextToken = "2", token })
		for _, in := range resp.Instances.Instance {
			walked = append(walked, in.InstanceId)
		}
		if token = resp.NextToken; token == "" {
			break
		}
	}
	slices.Sort(walked)
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(walked, want) {
		t.Errorf("NextToken walk = %v, want %v", walked, want)
	}
	bad := ecs.CreateDescribeInstancesRequest()
	bad.Status = "Sleeping"
	_, err := c.DescribeInstances(bad)
	wantServerError(t, "DescribeInstances with an unknown Status", err, "InvalidStatus.NotFound", 404)
}

// walkStopStartReboot: 1.5.3–1.5.5 and their state rules.
func walkStopStartReboot(t *testing.T, c *ecs.Client, id string) {
	t.Helper()
	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = id
	_, err := c.StartInstance(start)
	wantServerError(t, "StartInstance of a Running instance", err, "IncorrectInstanceStatus", 403)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId, stop.ForceStop = id, requests.NewBoolean(true)
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitForStatus(t, c, []string{id}, "Stopped")
	reboot := ecs.CreateRebootInstanceRequest()
	reboot.InstanceId = id
	_, err = c.RebootInstance(reboot)
	wantServerError(t, "RebootInstance of a Stopped instance", err, "IncorrectInstanceStatus", 403)
	if _, err := c.StartInstance(start); err != nil {
		t.Fatalf("StartInstance: %v", err)
	}
	waitForStatus(t, c, []string{id}, "Running")
	if _, err := c.RebootInstance(reboot); err != nil {
		t.Fatalf("RebootInstance: %v", err)
	}
	waitForStatus(t, c, []string{id}, "Running")
	status := ecs.CreateDescribeInstanceStatusRequest()
	status.RegionId, status.InstanceId = "cn-hangzhou", &[]string{id}
	resp, err := c.DescribeInstanceStatus(status)
	if err != nil || resp.TotalCount != 1 || resp.InstanceStatuses.InstanceStatus[0].Status != "Running" {
		t.Fatalf("DescribeInstanceStatus = %+v, %v", resp, err)
	}
}

// walkInstanceReads: the reads Terraform makes besides DescribeInstances.
func walkInstanceReads(t *testing.T, c *ecs.Client, id string) {
	t.Helper()
	attr := ecs.CreateDescribeInstanceAttributeRequest()
	attr.InstanceId = id
	got, err := c.DescribeInstanceAttribute(attr)
	if err != nil || got.InstanceId != id || got.Status != "Running" || got.IoOptimized != "optimized" ||
		len(got.SecurityGroupIds.SecurityGroupId) != 1 {
		t.Fatalf("DescribeInstanceAttribute = %+v, %v", got, err)
	}
	data := ecs.CreateDescribeUserDataRequest()
	data.RegionId, data.InstanceId = "cn-hangzhou", id
	ud, err := c.DescribeUserData(data)
	if err != nil || ud.UserData != base64.StdEncoding.EncodeToString([]byte("#cloud-config\n")) {
		t.Fatalf("DescribeUserData = %+v, %v", ud, err)
	}
}

// walkInstanceErrors: the guide's errors of RunInstances, on the way.
func walkInstanceErrors(t *testing.T, c *ecs.Client, n instanceNet) {
	t.Helper()
	for _, e := range []struct {
		name   string
		edit   func(*ecs.RunInstancesRequest)
		code   string
		status int
	}{
		{"an unknown image", func(r *ecs.RunInstancesRequest) { r.ImageId = "m-missing" }, "InvalidImageId.NotFound", 404},
		{"an unknown instance type", func(r *ecs.RunInstancesRequest) { r.InstanceType = "ecs.none.large" }, "InvalidInstanceType.ValueNotSupported", 400},
		{"a missing group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = "sg-missing" }, "InvalidSecurityGroupId", 404},
		{"a missing VSwitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = "vsw-missing" }, "InvalidVSwitchId.NotFound", 404},
		{"Amount 101", func(r *ecs.RunInstancesRequest) { r.Amount = "101" }, "InvalidParameter", 400},
		{"a 600 GiB system disk", func(r *ecs.RunInstancesRequest) { r.SystemDiskSize = "600" }, "InvalidSystemDiskSize.MoreThanMaxSize", 404},
		{"DryRun", func(r *ecs.RunInstancesRequest) { r.DryRun = requests.NewBoolean(true) }, "DryRunOperation", 400},
	} {
		req := n.runRequest()
		e.edit(req)
		_, err := c.RunInstances(req)
		wantServerError(t, "RunInstances with "+e.name, err, e.code, e.status)
	}
}

func TestCreateInstanceThroughTheTeaSDKIsStoppedAndStartsWithoutARegionId(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	created, err := tea.CreateInstance(&teaecs.CreateInstanceRequest{RegionId: dara.String("cn-hangzhou"),
		ImageId: dara.String(e2eImage), InstanceType: dara.String("ecs.g5.large"), SecurityGroupId: dara.String(n.groupID),
		VSwitchId: dara.String(n.vswitchID), InstanceName: dara.String("tea")})
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	id := dara.StringValue(created.Body.InstanceId)
	t.Cleanup(func() { deleteInstances(t, c, []string{id}) })
	waitForStatus(t, c, []string{id}, "Stopped")
	if _, err := tea.StartInstance(&teaecs.StartInstanceRequest{InstanceId: dara.String(id)}); err != nil {
		t.Fatalf("StartInstance (no RegionId): %v", err)
	}
	waitForStatus(t, c, []string{id}, "Running")
	if _, err := tea.StopInstance(&teaecs.StopInstanceRequest{InstanceId: dara.String(id)}); err != nil {
		t.Fatalf("StopInstance (no RegionId): %v", err)
	}
	waitForStatus(t, c, []string{id}, "Stopped")
	if _, err := tea.DeleteInstance(&teaecs.DeleteInstanceRequest{InstanceId: dara.String(id)}); err != nil {
		t.Fatalf("DeleteInstance (no RegionId): %v", err)
	}
	_, err = tea.StartInstance(&teaecs.StartInstanceRequest{InstanceId: dara.String("i-missing")})
	if code, status := teaError(t, err); code != "InvalidInstanceId.NotFound" || status != 404 {
		t.Fatalf("StartInstance of a missing instance: %d %s", status, code)
	}
}

func TestTerraformTransportRunsAnInstanceAndReadsItWithJSONTypes(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	resp, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "RunInstances", map[string]any{
		"RegionId": "cn-hangzhou", "ClientToken": "tf-" + runID(), "ImageId": e2eImage, "InstanceType": "ecs.g5.large",
		"SecurityGroupIds.1": n.groupID, "VSwitchId": n.vswitchID, "InstanceName": "tf", "SystemDisk.Category": "cloud_essd",
		"SystemDisk.Size": "40", "DataDisk.1.Category": "cloud_essd", "DataDisk.1.Size": "20", "Tag.1.Key": "made-by",
		"Tag.1.Value": "terraform", "InternetMaxBandwidthOut": "0"})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	set, _ := resp["InstanceIdSets"].(map[string]any)["InstanceIdSet"].([]any)
	if len(set) != 1 {
		t.Fatalf("RunInstances = %v", resp)
	}
	id := set[0].(string)
	t.Cleanup(func() { deleteInstances(t, c, []string{id}) })
	waitForStatus(t, c, []string{id}, "Running")
	resp, err = terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeInstances", map[string]any{
		"RegionId": "cn-hangzhou", "InstanceIds": `["` + id + `"]`})
	if err != nil {
		t.Fatalf("DescribeInstances: %v", err)
	}
	in := resp["Instances"].(map[string]any)["Instance"].([]any)[0].(map[string]any)
	nic := in["NetworkInterfaces"].(map[string]any)["NetworkInterface"].([]any)[0].(map[string]any)
	ip := nic["PrivateIpSets"].(map[string]any)["PrivateIpSet"].([]any)[0].(map[string]any)
	if _, ok := ip["Primary"].(bool); !ok {
		t.Errorf("Primary is %T, want a JSON boolean", ip["Primary"])
	}
	for _, key := range []string{"DeletionProtection", "IoOptimized", "DeviceAvailable", "Recyclable"} {
		if _, ok := in[key].(bool); !ok {
			t.Errorf("%s is %T, want a JSON boolean", key, in[key])
		}
	}
	if _, ok := in["Memory"].(json.Number); !ok {
		if _, ok := in["Memory"].(float64); !ok {
			t.Errorf("Memory is %T, want a JSON number", in["Memory"])
		}
	}
}

func TestInstancesInterruptedByACrashReachRunningAfterARestartWithoutDuplicates(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, serverOptions{dataDir: dir, args: []string{"--sim-delay", "2s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	req := n.runRequest()
	req.Amount = "2"
	resp, err := c.RunInstances(req)
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	ids := resp.InstanceIdSets.InstanceIdSet
	waitForStatus(t, c, ids, "Starting")
	if err := s.cmd.Process.Kill(); err != nil { // SIGKILL while Starting
		t.Fatal(err)
	}
	<-s.done

	// The same data dir and address, so the clients and cleanups keep working.
	s2 := startServer(t, serverOptions{dataDir: dir, addr: s.addr, args: []string{"--sim-delay", "2s"}})
	c2 := oldSDK(t, s2, testAccessKeyID, testAccessKeySecret)
	t.Cleanup(func() { deleteInstances(t, c2, ids) })
	waitForStatus(t, c2, ids, "Running")
	list := ecs.CreateDescribeInstancesRequest()
	list.VSwitchId = n.vswitchID
	got, err := c2.DescribeInstances(list)
	if err != nil || got.TotalCount != len(ids) {
		t.Fatalf("after the restart: %d instances in the VSwitch, %v; want %d", got.TotalCount, err, len(ids))
	}
	status := ecs.CreateDescribeInstanceStatusRequest()
	status.InstanceId = &ids
	st, err := c2.DescribeInstanceStatus(status)
	if err != nil || st.TotalCount != len(ids) {
		t.Fatalf("DescribeInstanceStatus after the restart: %+v, %v", st, err)
	}
}
