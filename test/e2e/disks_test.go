package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

const diskZone = "cn-hangzhou-b"

// newDisk creates a disk through the Go SDK and deletes it when the test ends
// (the store may be shared by several runs: ECSD_E2E_STORE).
func newDisk(t *testing.T, c *ecs.Client, name, category string, size int, token string) string {
	t.Helper()
	req := ecs.CreateCreateDiskRequest()
	req.ZoneId, req.DiskName, req.DiskCategory, req.Size, req.ClientToken = diskZone, name, category, requests.NewInteger(size), token
	resp, err := c.CreateDisk(req)
	if err != nil {
		t.Fatalf("CreateDisk %s: %v", name, err)
	}
	t.Cleanup(func() {
		del := ecs.CreateDeleteDiskRequest()
		del.DiskId = resp.DiskId
		_, _ = c.DeleteDisk(del)
	})
	return resp.DiskId
}

// describeDisks calls DescribeDisks with the parameters set by mod.
func describeDisks(t *testing.T, c *ecs.Client, mod func(r *ecs.DescribeDisksRequest)) *ecs.DescribeDisksResponse {
	t.Helper()
	req := ecs.CreateDescribeDisksRequest()
	mod(req)
	resp, err := c.DescribeDisks(req)
	if err != nil {
		t.Fatalf("DescribeDisks: %v", err)
	}
	return resp
}

// diskIDs is DescribeDisks' DiskIds: a JSON array.
func diskIDs(t *testing.T, ids ...string) string {
	t.Helper()
	b, err := json.Marshal(ids)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitDisk polls DescribeDisks with DiskIds='["id"]', as Terraform's
// alicloud_ecs_disk does, until the disk has status, and returns it.
func waitDisk(t *testing.T, c *ecs.Client, id, status string) ecs.Disk {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, id) })
		if len(resp.Disks.Disk) == 1 && resp.Disks.Disk[0].Status == status {
			return resp.Disks.Disk[0]
		}
	}
	t.Fatalf("disk %s not %s after 30s", id, status)
	return ecs.Disk{}
}

func TestCreateDescribeModifyDeleteDiskFollowsTheGuideThroughTheGoSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	name := unique("disk")
	create := ecs.CreateCreateDiskRequest()
	create.ZoneId, create.DiskName, create.DiskCategory, create.Size = diskZone, name, "cloud_efficiency", requests.NewInteger(20)
	create.ClientToken, create.Tag = "tok-"+name, &[]ecs.CreateDiskTag{{Key: "suite", Value: name}}
	created, err := c.CreateDisk(create)
	if err != nil {
		t.Fatalf("CreateDisk: %v", err)
	}
	id := created.DiskId
	t.Cleanup(func() {
		del := ecs.CreateDeleteDiskRequest()
		del.DiskId = id
		_, _ = c.DeleteDisk(del)
	})
	if again, err := c.CreateDisk(create); err != nil || again.DiskId != id {
		t.Fatalf("CreateDisk retried with its ClientToken: %v, %v; want %s", again, err, id)
	}
	d := waitDisk(t, c, id, "Available")
	if d.DiskName != name || d.Category != "cloud_efficiency" || d.Size != 20 || d.Type != "data" || !d.Portable ||
		d.ZoneId != diskZone || d.RegionId != "cn-hangzhou" || d.InstanceId != "" || !d.DeleteAutoSnapshot ||
		d.DeleteWithInstance || d.CreationTime == "" {
		t.Errorf("new disk = %+v", d)
	}
	if len(d.Tags.Tag) != 1 || d.Tags.Tag[0].TagKey != "suite" || d.Tags.Tag[0].TagValue != name {
		t.Errorf("tags = %+v", d.Tags.Tag)
	}
	tagged := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) {
		r.Tag = &[]ecs.DescribeDisksTag{{Key: "suite", Value: name}}
	})
	if tagged.TotalCount != 1 || tagged.Disks.Disk[0].DiskId != id {
		t.Errorf("Tag filter: %+v", tagged.Disks.Disk)
	}

	mod := ecs.CreateModifyDiskAttributeRequest()
	mod.DiskId, mod.DiskName, mod.Description = id, name+"-renamed", "logs of the e2e suite"
	mod.DeleteAutoSnapshot, mod.EnableAutoSnapshot = requests.NewBoolean(false), requests.NewBoolean(true)
	if _, err := c.ModifyDiskAttribute(mod); err != nil {
		t.Fatalf("ModifyDiskAttribute: %v", err)
	}
	d = waitDisk(t, c, id, "Available")
	if d.DiskName != name+"-renamed" || d.Description != "logs of the e2e suite" || d.DeleteAutoSnapshot || !d.EnableAutoSnapshot {
		t.Errorf("after ModifyDiskAttribute: %+v", d)
	}
	nothing := ecs.CreateModifyDiskAttributeRequest()
	nothing.DiskId = id
	_, err = c.ModifyDiskAttribute(nothing)
	wantServerError(t, "ModifyDiskAttribute without attributes", err, "NoAttributeToModify", 400)

	del := ecs.CreateDeleteDiskRequest()
	del.DiskId = id
	if _, err := c.DeleteDisk(del); err != nil {
		t.Fatalf("DeleteDisk: %v", err)
	}
	gone := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, id) })
	if gone.TotalCount != 0 || len(gone.Disks.Disk) != 0 {
		t.Errorf("deleted disk still listed: %+v", gone.Disks.Disk)
	}
	if _, err := c.DeleteDisk(del); err != nil {
		t.Errorf("DeleteDisk of a deleted disk: %v; the guide ignores it", err)
	}
}

func TestDescribeDisksFiltersAndPagesAsTheGuideSays(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	name := unique("paged")
	var created []string
	for i := range 5 {
		category := "cloud"
		if i == 0 {
			category = "cloud_ssd"
		}
		created = append(created, newDisk(t, c, name, category, 20+i, ""))
	}
	byName := func(r *ecs.DescribeDisksRequest) { r.DiskName = name }
	all := describeDisks(t, c, byName)
	if all.TotalCount != 5 || all.PageNumber != 1 || all.PageSize != 10 || len(all.Disks.Disk) != 5 {
		t.Fatalf("DiskName filter: %d of %d (page %d, size %d)", len(all.Disks.Disk), all.TotalCount, all.PageNumber, all.PageSize)
	}
	var newestFirst []string
	for _, d := range all.Disks.Disk {
		newestFirst = append(newestFirst, d.DiskId)
	}
	var paged []string
	for page := 1; page <= 3; page++ {
		resp := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) {
			byName(r)
			r.PageNumber, r.PageSize = requests.NewInteger(page), requests.NewInteger(2)
		})
		for _, d := range resp.Disks.Disk {
			paged = append(paged, d.DiskId)
		}
	}
	var tokened []string
	next := ""
	for range 5 {
		resp := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) {
			byName(r)
			r.MaxResults, r.NextToken = requests.NewInteger(2), next
		})
		for _, d := range resp.Disks.Disk {
			tokened = append(tokened, d.DiskId)
		}
		if next = resp.NextToken; next == "" {
			break
		}
	}
	if !slices.Equal(paged, newestFirst) || !slices.Equal(tokened, newestFirst) {
		t.Errorf("PageNumber walk %v, NextToken walk %v, want %v", paged, tokened, newestFirst)
	}
	for _, c2 := range []struct {
		name string
		mod  func(r *ecs.DescribeDisksRequest)
		want []string
	}{
		{"category", func(r *ecs.DescribeDisksRequest) { byName(r); r.Category = "cloud_ssd" }, created[:1]},
		{"DiskIds", func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, created[1], "d-unknown") }, created[1:2]},
		{"DiskIds=[]", func(r *ecs.DescribeDisksRequest) { byName(r); r.DiskIds = "[]" }, nil},
		{"system disks", func(r *ecs.DescribeDisksRequest) { byName(r); r.DiskType = "system" }, nil},
		{"In_use", func(r *ecs.DescribeDisksRequest) { byName(r); r.Status = "In_use" }, nil},
		{"portable", func(r *ecs.DescribeDisksRequest) { byName(r); r.Portable = requests.NewBoolean(false) }, nil},
		{"zone", func(r *ecs.DescribeDisksRequest) { byName(r); r.ZoneId = "cn-hangzhou-g" }, nil},
	} {
		resp := describeDisks(t, c, c2.mod)
		var got []string
		for _, d := range resp.Disks.Disk {
			got = append(got, d.DiskId)
		}
		if !slices.Equal(got, c2.want) || resp.TotalCount != len(c2.want) {
			t.Errorf("%s: %v (TotalCount %d), want %v", c2.name, got, resp.TotalCount, c2.want)
		}
	}
}

func TestDiskErrorsCarryTheGuidesCodesAndStatuses(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	create := func(mod func(r *ecs.CreateDiskRequest)) error {
		req := ecs.CreateCreateDiskRequest()
		req.ZoneId, req.Size = diskZone, requests.NewInteger(20)
		mod(req)
		resp, err := c.CreateDisk(req)
		if err == nil {
			t.Cleanup(func() {
				del := ecs.CreateDeleteDiskRequest()
				del.DiskId = resp.DiskId
				_, _ = c.DeleteDisk(del)
			})
		}
		return err
	}
	wantServerError(t, "CreateDisk without ZoneId", create(func(r *ecs.CreateDiskRequest) { r.ZoneId = "" }), "MissingParameter", 400)
	wantServerError(t, "CreateDisk in an unknown zone", create(func(r *ecs.CreateDiskRequest) { r.ZoneId = "cn-hangzhou-z" }),
		"InvalidZoneId.NotFound", 404)
	wantServerError(t, "CreateDisk of 1 GiB", create(func(r *ecs.CreateDiskRequest) { r.Size = requests.NewInteger(1) }),
		"InvalidParameter", 400)
	wantServerError(t, "CreateDisk without a size", create(func(r *ecs.CreateDiskRequest) { r.Size = "" }), "MissingParameter", 400)
	wantServerError(t, "CreateDisk from a snapshot", create(func(r *ecs.CreateDiskRequest) { r.SnapshotId = "s-none" }),
		"InvalidSnapshotId.NotFound", 404)
	wantServerError(t, "CreateDisk with a bad name", create(func(r *ecs.CreateDiskRequest) { r.DiskName = "9lives" }),
		"InvalidDiskName.Malformed", 400)

	req := ecs.CreateDescribeDisksRequest()
	req.DiskType = "boot"
	_, err := c.DescribeDisks(req)
	wantServerError(t, "DescribeDisks DiskType=boot", err, "InvalidDiskType.ValueNotSupported", 400)
	req = ecs.CreateDescribeDisksRequest()
	req.DiskIds = "d-1,d-2"
	_, err = c.DescribeDisks(req)
	wantServerError(t, "DescribeDisks with DiskIds not a JSON array", err, "InvalidDiskIds.Malformed", 403)

	mod := ecs.CreateModifyDiskAttributeRequest()
	mod.DiskId, mod.DiskName = "d-none", "renamed"
	_, err = c.ModifyDiskAttribute(mod)
	wantServerError(t, "ModifyDiskAttribute of an unknown disk", err, "InvalidDiskId.NotFound", 404)
	attach := ecs.CreateAttachDiskRequest()
	attach.InstanceId, attach.DiskId = "i-none", "d-none"
	_, err = c.AttachDisk(attach)
	wantServerError(t, "AttachDisk to an unknown instance", err, "InvalidInstanceId.NotFound", 404)
	detach := ecs.CreateDetachDiskRequest()
	detach.DiskId = "d-none"
	_, err = c.DetachDisk(detach)
	wantServerError(t, "DetachDisk without InstanceId", err, "InvalidParameter", 400)
	resize := ecs.CreateResizeDiskRequest()
	resize.DiskId, resize.NewSize = "d-none", requests.NewInteger(100)
	_, err = c.ResizeDisk(resize)
	wantServerError(t, "ResizeDisk of an unknown disk", err, "InvalidDiskId.NotFound", 404)
	reset := ecs.CreateResetDiskRequest()
	reset.DiskId, reset.SnapshotId = "d-none", "s-none"
	_, err = c.ResetDisk(reset)
	wantServerError(t, "ResetDisk of an unknown disk", err, "InvalidDiskId.NotFound", 404)
}

func TestTerraformAndTeaSDKReadDiskFieldsWithTheirJSONTypes(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	name := unique("typed")
	created, err := tea.CreateDisk(&teaecs.CreateDiskRequest{RegionId: dara.String("cn-hangzhou"), ZoneId: dara.String(diskZone),
		DiskName: dara.String(name), DiskCategory: dara.String("cloud_essd"), Size: dara.Int32(40)})
	if err != nil {
		t.Fatalf("Tea CreateDisk: %v", err)
	}
	id := dara.StringValue(created.Body.DiskId)
	t.Cleanup(func() {
		del := ecs.CreateDeleteDiskRequest()
		del.DiskId = id
		_, _ = c.DeleteDisk(del)
	})
	desc, err := tea.DescribeDisks(&teaecs.DescribeDisksRequest{RegionId: dara.String("cn-hangzhou"), DiskIds: dara.String(diskIDs(t, id))})
	if err != nil || len(desc.Body.Disks.Disk) != 1 {
		t.Fatalf("Tea DescribeDisks: %v, %v", desc, err)
	}
	if d := desc.Body.Disks.Disk[0]; dara.StringValue(d.PerformanceLevel) != "PL1" || dara.Int32Value(d.Size) != 40 ||
		!dara.BoolValue(d.Portable) {
		t.Errorf("Tea sees %v", d)
	}
	resp, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeDisks",
		map[string]any{"RegionId": "cn-hangzhou", "DiskIds": diskIDs(t, id)})
	if err != nil {
		t.Fatalf("DescribeDisks: %v", err)
	}
	disks, _ := resp["Disks"].(map[string]any)
	list, _ := disks["Disk"].([]any)
	if len(list) != 1 {
		t.Fatalf("DescribeDisks = %v", resp)
	}
	d := list[0].(map[string]any)
	for key, want := range map[string]string{"DiskId": "string", "InstanceId": "string", "Status": "string",
		"Portable": "bool", "DeleteWithInstance": "bool", "Encrypted": "bool", "Size": "number"} {
		var ok bool
		switch want {
		case "string":
			_, ok = d[key].(string)
		case "bool":
			_, ok = d[key].(bool)
		case "number":
			_, ok = d[key].(json.Number)
			if !ok {
				_, ok = d[key].(float64)
			}
		}
		if !ok {
			t.Errorf("%s is %T %v, want a JSON %s", key, d[key], d[key], want)
		}
	}
}

// launchInstance starts a Running instance in diskZone through RunInstances
// (with a VPC, VSwitch and security group of its own) and deletes it when the
// test ends. It skips the test while this ecsd has no RunInstances.
func launchInstance(t *testing.T, s *server, c *ecs.Client) string {
	t.Helper()
	vpcID := tryCreateVPC(t, s)
	if vpcID == "" {
		t.Skip("CreateVpc is not implemented yet: no network for RunInstances")
	}
	vc := vpcSDK(t, s)
	vsw, err := createVSwitch(t, vc, vpcID, diskZone, "172.16.1.0/24", unique("vsw"))
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	cleanUp(t, vc, vpcID, vsw)
	run := runID()
	sg := createSecurityGroup(t, c, "disks", vpcID, "", run)
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = sg
		_, _ = c.DeleteSecurityGroup(del)
	})
	req := ecs.CreateRunInstancesRequest()
	req.ZoneId, req.ImageId, req.InstanceType = diskZone, "ubuntu_22_04_x64_20G_alibase_20240530.vhd", "ecs.g5.large"
	req.SecurityGroupId, req.VSwitchId, req.InstanceName = sg, vsw, "disks-"+run
	req.SystemDiskCategory, req.SystemDiskSize, req.ClientToken = "cloud_efficiency", "40", "run-"+run
	resp, err := c.RunInstances(req)
	if err != nil {
		if serverError(t, err).ErrorCode() == "NotImplemented" {
			t.Skip("RunInstances is not implemented yet: attach, detach, resize and system disk cases need an instance")
		}
		t.Fatalf("RunInstances: %v", err)
	}
	if len(resp.InstanceIdSets.InstanceIdSet) != 1 {
		t.Fatalf("RunInstances = %+v", resp)
	}
	id := resp.InstanceIdSets.InstanceIdSet[0]
	t.Cleanup(func() {
		del := ecs.CreateDeleteInstanceRequest()
		del.InstanceId, del.Force = id, requests.NewBoolean(true)
		if _, err := c.DeleteInstance(del); err != nil {
			t.Logf("DeleteInstance %s: %v", id, err)
			return
		}
		waitInstance(t, c, id, "")
	})
	waitInstance(t, c, id, "Running")
	return id
}

// waitInstance polls DescribeInstances until the instance has status, or is
// gone for status "".
func waitInstance(t *testing.T, c *ecs.Client, id, status string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		req := ecs.CreateDescribeInstancesRequest()
		req.InstanceIds = diskIDs(t, id)
		resp, err := c.DescribeInstances(req)
		if err != nil {
			t.Fatalf("DescribeInstances: %v", err)
		}
		list := resp.Instances.Instance
		if (status == "" && len(list) == 0) || (len(list) == 1 && list[0].Status == status) {
			return
		}
	}
	t.Fatalf("instance %s not %q after 60s", id, status)
}

// systemDisk returns the instance's system disk the way Terraform's
// alicloud_instance reads it: DescribeDisks with InstanceId and DiskType=system.
func systemDisk(t *testing.T, c *ecs.Client, instanceID string) ecs.Disk {
	t.Helper()
	resp := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.InstanceId, r.DiskType = instanceID, "system" })
	if len(resp.Disks.Disk) != 1 || resp.Disks.Disk[0].InstanceId != instanceID {
		t.Fatalf("system disk of %s: %+v", instanceID, resp.Disks.Disk)
	}
	return resp.Disks.Disk[0]
}

func TestDiskAttachDetachResizeAndReplaceSystemDiskOnALaunchedInstance(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	instance := launchInstance(t, s, c)
	oldSystem := systemDisk(t, c, instance)
	if oldSystem.Device != "/dev/xvda" || oldSystem.Portable || oldSystem.Status != "In_use" {
		t.Errorf("system disk = %+v", oldSystem)
	}

	id := newDisk(t, c, unique("attach"), "cloud_ssd", 20, "")
	attach := ecs.CreateAttachDiskRequest()
	attach.InstanceId, attach.DiskId, attach.DeleteWithInstance = instance, id, requests.NewBoolean(true)
	if _, err := c.AttachDisk(attach); err != nil {
		t.Fatalf("AttachDisk: %v", err)
	}
	d := waitDisk(t, c, id, "In_use")
	if d.InstanceId != instance || d.Device != "/dev/xvdb" || !d.DeleteWithInstance || d.AttachedTime == "" {
		t.Errorf("attached disk = %+v", d)
	}
	resize := ecs.CreateResizeDiskRequest()
	resize.DiskId, resize.NewSize, resize.Type = id, requests.NewInteger(64), "online"
	if _, err := c.ResizeDisk(resize); err != nil {
		t.Fatalf("ResizeDisk: %v", err)
	}
	if d := waitDisk(t, c, id, "In_use"); d.Size != 64 {
		t.Errorf("size after ResizeDisk: %d", d.Size)
	}
	detach := ecs.CreateDetachDiskRequest()
	detach.InstanceId, detach.DiskId = instance, id
	if _, err := c.DetachDisk(detach); err != nil {
		t.Fatalf("DetachDisk: %v", err)
	}
	if d := waitDisk(t, c, id, "Available"); d.InstanceId != "" || d.DeleteWithInstance || d.DetachedTime == "" {
		t.Errorf("detached disk = %+v", d)
	}
	detach.DiskId = oldSystem.DiskId
	_, err := c.DetachDisk(detach)
	wantServerError(t, "DetachDisk of the system disk", err, "DiskTypeViolation", 403)

	replace := ecs.CreateReplaceSystemDiskRequest()
	replace.InstanceId, replace.ImageId = instance, "centos_7_9_x64_20G_alibase_20240628.vhd"
	_, err = c.ReplaceSystemDisk(replace)
	wantServerError(t, "ReplaceSystemDisk of a Running instance", err, "IncorrectInstanceStatus", 403)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId, stop.ForceStop = instance, requests.NewBoolean(true)
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitInstance(t, c, instance, "Stopped")
	reinit := ecs.CreateReInitDiskRequest()
	reinit.DiskId = oldSystem.DiskId
	if _, err := c.ReInitDisk(reinit); err != nil {
		t.Errorf("ReInitDisk of the system disk: %v", err)
	}
	replace.SystemDiskSize = requests.NewInteger(50)
	replaced, err := c.ReplaceSystemDisk(replace)
	if err != nil {
		t.Fatalf("ReplaceSystemDisk: %v", err)
	}
	sys := systemDisk(t, c, instance)
	if replaced.DiskId == oldSystem.DiskId || sys.DiskId != replaced.DiskId || sys.Size != 50 || sys.ImageId != replace.ImageId ||
		sys.Device != "/dev/xvda" {
		t.Errorf("ReplaceSystemDisk answered %s; system disk now %+v (was %s)", replaced.DiskId, sys, oldSystem.DiskId)
	}
	if old := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, oldSystem.DiskId) }); old.TotalCount != 0 {
		t.Errorf("the old system disk was not released: %+v", old.Disks.Disk)
	}
}

func TestAttachDiskShowsAttachingWhileTheSimulatedHypervisorWorks(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-delay", "700ms"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	instance := launchInstance(t, s, c)
	id := newDisk(t, c, unique("slow"), "cloud", 20, "")
	attach := ecs.CreateAttachDiskRequest()
	attach.InstanceId, attach.DiskId = instance, id
	done := make(chan error, 1)
	go func() {
		_, err := c.AttachDisk(attach)
		done <- err
	}()
	seen := map[string]bool{}
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("AttachDisk: %v", err)
			}
			finished = true
		case <-time.After(50 * time.Millisecond):
		}
		resp := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, id) })
		seen[resp.Disks.Disk[0].Status] = true
	}
	if !seen["Attaching"] || !seen["In_use"] {
		t.Errorf("statuses seen while attaching: %v, want Attaching then In_use", seen)
	}
}
