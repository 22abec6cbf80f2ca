package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// takeSnapshot calls CreateSnapshot and returns the snapshot's ID.
func takeSnapshot(t *testing.T, c *ecs.Client, diskID, name string) string {
	t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId, req.SnapshotName = diskID, name
	resp, err := c.CreateSnapshot(req)
	if err != nil {
		t.Fatalf("CreateSnapshot of %s: %v", diskID, err)
	}
	return resp.SnapshotId
}

// describeSnapshot returns one snapshot as DescribeSnapshots shows it (nil: gone).
func describeSnapshot(t *testing.T, c *ecs.Client, id string) *ecs.Snapshot {
	t.Helper()
	req := ecs.CreateDescribeSnapshotsRequest()
	req.SnapshotIds = diskIDs(t, id)
	resp, err := c.DescribeSnapshots(req)
	if err != nil {
		t.Fatalf("DescribeSnapshots: %v", err)
	}
	if len(resp.Snapshots.Snapshot) == 0 {
		return nil
	}
	return &resp.Snapshots.Snapshot[0]
}

// waitSnapshot polls DescribeSnapshots, as Terraform's alicloud_ecs_snapshot
// does, until the snapshot is accomplished; it returns every Progress seen.
func waitSnapshot(t *testing.T, c *ecs.Client, id string) []string {
	t.Helper()
	var seen []string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		sn := describeSnapshot(t, c, id)
		if sn == nil {
			t.Fatalf("snapshot %s is gone", id)
		}
		if len(seen) == 0 || seen[len(seen)-1] != sn.Progress {
			seen = append(seen, sn.Progress)
		}
		if sn.Status == "accomplished" {
			return seen
		}
		if sn.Status != "progressing" {
			t.Fatalf("snapshot %s is %s", id, sn.Status)
		}
	}
	t.Fatalf("snapshot %s not accomplished after 60s (progress %v)", id, seen)
	return nil
}

// attachedDisk creates a portable disk, attaches it to the instance and waits
// for In_use.
func attachedDisk(t *testing.T, c *ecs.Client, instanceID, name string, size int) string {
	t.Helper()
	id := newDisk(t, c, name, "cloud_efficiency", size, "")
	req := ecs.CreateAttachDiskRequest()
	req.InstanceId, req.DiskId = instanceID, id
	if _, err := c.AttachDisk(req); err != nil {
		t.Fatalf("AttachDisk: %v", err)
	}
	waitDisk(t, c, id, "In_use")
	return id
}

// TestCreateSnapshotGoesFromProgressingToAccomplishedAndDescribeSnapshotsFilters
// follows 1.8.1 and 1.8.3: a snapshot is progressing (0% … 100%) while its
// CreateSnapshot task copies the disk, then accomplished; DescribeSnapshots
// filters by every parameter of the guide and pages.
func TestCreateSnapshotGoesFromProgressingToAccomplishedAndDescribeSnapshotsFilters(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "2s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	sys := systemDisk(t, c, inst)
	data := attachedDisk(t, c, inst, "snap-data", 30)

	first := takeSnapshot(t, c, sys.DiskId, "sys-first")
	progress := waitSnapshot(t, c, first)
	if len(progress) < 2 || progress[0] == "100%" || progress[len(progress)-1] != "100%" {
		t.Errorf("progress seen %v: want values below 100%% before 100%%", progress)
	}
	sn := describeSnapshot(t, c, first)
	if sn.SourceDiskId != sys.DiskId || sn.SourceDiskSize != "40" || sn.SourceDiskType != "system" || sn.SnapshotType != "user" ||
		sn.Usage != "none" || sn.SnapshotName != "sys-first" || !sn.Available {
		t.Errorf("snapshot %+v", sn)
	}
	second := takeSnapshot(t, c, data, "data-first")
	waitSnapshot(t, c, second)
	tag := ecs.CreateTagResourcesRequest()
	tag.ResourceType, tag.ResourceId = "snapshot", &[]string{second}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: "e2e", Value: "snapshots"}}
	if _, err := c.TagResources(tag); err != nil {
		t.Fatalf("TagResources on a snapshot: %v", err)
	}

	both := diskIDs(t, first, second)
	list := func(mod func(r *ecs.DescribeSnapshotsRequest)) []string {
		t.Helper()
		req := ecs.CreateDescribeSnapshotsRequest()
		req.SnapshotIds = both
		mod(req)
		resp, err := c.DescribeSnapshots(req)
		if err != nil {
			t.Fatalf("DescribeSnapshots: %v", err)
		}
		var ids []string
		for _, x := range resp.Snapshots.Snapshot {
			ids = append(ids, x.SnapshotId)
		}
		return ids
	}
	for name, tc := range map[string]struct {
		mod  func(r *ecs.DescribeSnapshotsRequest)
		want []string
	}{
		"newest first":        {func(r *ecs.DescribeSnapshotsRequest) {}, []string{second, first}},
		"DiskId":              {func(r *ecs.DescribeSnapshotsRequest) { r.DiskId = data }, []string{second}},
		"InstanceId":          {func(r *ecs.DescribeSnapshotsRequest) { r.InstanceId = inst }, []string{second, first}},
		"SourceDiskType":      {func(r *ecs.DescribeSnapshotsRequest) { r.SourceDiskType = "System" }, []string{first}},
		"SnapshotType=auto":   {func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "auto" }, nil},
		"Status=accomplished": {func(r *ecs.DescribeSnapshotsRequest) { r.Status = "accomplished" }, []string{second, first}},
		"Usage=none":          {func(r *ecs.DescribeSnapshotsRequest) { r.Usage = "none" }, []string{second, first}},
		"SnapshotName":        {func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotName = "sys-first" }, []string{first}},
		"Tag": {func(r *ecs.DescribeSnapshotsRequest) {
			r.Tag = &[]ecs.DescribeSnapshotsTag{{Key: "e2e", Value: "snapshots"}}
		}, []string{second}},
		"page 2 of 1": {func(r *ecs.DescribeSnapshotsRequest) {
			r.PageNumber, r.PageSize = requests.NewInteger(2), requests.NewInteger(1)
		}, []string{first}},
		"SnapshotIds=[]": {func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotIds = "[]" }, nil},
	} {
		if got := list(tc.mod); !equalIDs(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
	for _, c2 := range []struct {
		mod    func(r *ecs.DescribeSnapshotsRequest)
		code   string
		status int
	}{
		{func(r *ecs.DescribeSnapshotsRequest) { r.Status = "done" }, "InvalidStatus.NotFound", 404},
		{func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "manual" }, "InvalidSnapshotType.NotFound", 404},
		{func(r *ecs.DescribeSnapshotsRequest) { r.Usage = "instance" }, "InvalidUsage", 404},
		{func(r *ecs.DescribeSnapshotsRequest) { r.SourceDiskType = "local" }, "InvalidSourceDiskType", 404},
		{func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotIds = "s-1,s-2" }, "InvalidSnapshotIds.Malformed", 403},
		{func(r *ecs.DescribeSnapshotsRequest) { r.Filter1Key, r.Filter1Value = "Size", "1" }, "InvalidFilterKey.NotFound", 404},
		{func(r *ecs.DescribeSnapshotsRequest) {
			tags := make([]ecs.DescribeSnapshotsTag, 6)
			for i := range tags {
				tags[i] = ecs.DescribeSnapshotsTag{Key: "k" + strconv.Itoa(i)}
			}
			r.Tag = &tags
		}, "InvalidTagCount", 400},
	} {
		req := ecs.CreateDescribeSnapshotsRequest()
		c2.mod(req)
		_, err := c.DescribeSnapshots(req)
		wantServerError(t, "DescribeSnapshots", err, c2.code, c2.status)
	}
}

func equalIDs(a, b []string) bool {
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

// TestCreateSnapshotRefusesWhatTheGuideRefuses covers 1.8.1's table: unknown
// disks, malformed names and descriptions, a portable disk never attached, a
// second snapshot while one is being taken, and ClientToken reuse.
func TestCreateSnapshotRefusesWhatTheGuideRefuses(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "30s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	sys := systemDisk(t, c, inst)
	fresh := newDisk(t, c, "never-attached", "cloud_efficiency", 20, "")
	call := func(mod func(r *ecs.CreateSnapshotRequest)) error {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = sys.DiskId
		mod(req)
		_, err := c.CreateSnapshot(req)
		return err
	}
	for _, x := range []struct {
		name   string
		mod    func(r *ecs.CreateSnapshotRequest)
		code   string
		status int
	}{
		{"an unknown disk", func(r *ecs.CreateSnapshotRequest) { r.DiskId = "d-nope" }, "InvalidDiskId.NotFound", 404},
		{"a name starting with auto", func(r *ecs.CreateSnapshotRequest) { r.SnapshotName = "auto-mine" }, "InvalidSnapshotName.Malformed", 400},
		{"a URL as description", func(r *ecs.CreateSnapshotRequest) { r.Description = "http://x" }, "InvalidDescription.Malformed", 404},
		{"a disk never attached", func(r *ecs.CreateSnapshotRequest) { r.DiskId = fresh }, "IncorrectDiskStatus.NeverAttached", 403},
	} {
		wantServerError(t, x.name, call(x.mod), x.code, x.status)
	}
	if err := call(func(r *ecs.CreateSnapshotRequest) { r.ClientToken = "snap-" + runID() }); err != nil {
		t.Fatal(err)
	}
	wantServerError(t, "a second snapshot while one is taken",
		call(func(r *ecs.CreateSnapshotRequest) {}), "IncorrectDiskStatus.CreatingSnapshot", 403)
}

// TestDeleteSnapshotRefusesOneDisksWereMadeFromUnlessForced follows 1.8.2 and
// 1.7.1: CreateDisk from a snapshot takes its size, DeleteSnapshot then answers
// SnapshotCreatedDisk unless Force; a missing snapshot is ignored; deleting a
// snapshot still being taken cancels its task.
func TestDeleteSnapshotRefusesOneDisksWereMadeFromUnlessForced(t *testing.T) {
	// Long enough for the DeleteSnapshot sent right after a CreateSnapshot to
	// find the copy under way, whatever the store.
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "3s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	data := attachedDisk(t, c, inst, "source", 35)
	snap := takeSnapshot(t, c, data, "")
	waitSnapshot(t, c, snap)

	cd := ecs.CreateCreateDiskRequest()
	cd.ZoneId, cd.DiskCategory, cd.SnapshotId = diskZone, "cloud_efficiency", snap
	made, err := c.CreateDisk(cd)
	if err != nil {
		t.Fatalf("CreateDisk from a snapshot: %v", err)
	}
	t.Cleanup(func() {
		del := ecs.CreateDeleteDiskRequest()
		del.DiskId = made.DiskId
		_, _ = c.DeleteDisk(del)
	})
	if d := waitDisk(t, c, made.DiskId, "Available"); d.Size != 35 || d.SourceSnapshotId != snap {
		t.Errorf("disk from the snapshot: size %d, source %q", d.Size, d.SourceSnapshotId)
	}
	if sn := describeSnapshot(t, c, snap); sn.Usage != "disk" {
		t.Errorf("usage %q, want disk", sn.Usage)
	}
	cd.SnapshotId = "s-nope"
	_, err = c.CreateDisk(cd)
	wantServerError(t, "CreateDisk from a missing snapshot", err, "InvalidSnapshotId.NotFound", 404)

	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = snap
	_, err = c.DeleteSnapshot(del)
	wantServerError(t, "DeleteSnapshot of a snapshot a disk was made from", err, "SnapshotCreatedDisk", 403)
	del.Force = requests.NewBoolean(true)
	if _, err := c.DeleteSnapshot(del); err != nil {
		t.Fatalf("forced DeleteSnapshot: %v", err)
	}
	if describeSnapshot(t, c, snap) != nil {
		t.Error("the snapshot is still listed")
	}
	if _, err := c.DeleteSnapshot(del); err != nil {
		t.Errorf("DeleteSnapshot of a deleted snapshot is ignored, got %v", err)
	}

	slow := takeSnapshot(t, c, data, "")
	del = ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = slow
	if _, err := c.DeleteSnapshot(del); err != nil {
		t.Fatalf("DeleteSnapshot of a snapshot being taken: %v", err)
	}
	tasks := ecs.CreateDescribeTasksRequest()
	tasks.TaskAction, tasks.ResourceIds = "CreateSnapshot", &[]string{slow}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := c.DescribeTasks(tasks)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.TaskSet.Task) == 1 && resp.TaskSet.Task[0].TaskStatus == "Cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the creation task of a deleted snapshot: %+v", resp.TaskSet.Task)
		}
	}
}

// TestDescribeSnapshotLinksCountsADisksSnapshotsAndTheirSize follows 1.8.6.
func TestDescribeSnapshotLinksCountsADisksSnapshotsAndTheirSize(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "0s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	data := attachedDisk(t, c, inst, "chain", 20)
	for range 2 {
		waitSnapshot(t, c, takeSnapshot(t, c, data, ""))
	}
	req := ecs.CreateDescribeSnapshotLinksRequest()
	req.DiskIds = diskIDs(t, data)
	resp, err := c.DescribeSnapshotLinks(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalCount != 1 || len(resp.SnapshotLinks.SnapshotLink) != 1 {
		t.Fatalf("%+v", resp)
	}
	l := resp.SnapshotLinks.SnapshotLink[0]
	if l.SnapshotLinkId != data || l.SourceDiskId != data || l.TotalCount != 2 || l.TotalSize != 2*20<<30 ||
		l.SourceDiskSize != 20 || l.SourceDiskType != "data" || l.InstanceId != inst || l.RegionId != "cn-hangzhou" {
		t.Errorf("link %+v", l)
	}
	req = ecs.CreateDescribeSnapshotLinksRequest()
	req.InstanceId = inst
	if resp, _ := c.DescribeSnapshotLinks(req); resp.TotalCount != 1 {
		t.Errorf("links of the instance: %+v", resp)
	}
	req.SnapshotLinkIds = "[]"
	if resp, _ := c.DescribeSnapshotLinks(req); resp.TotalCount != 0 {
		t.Errorf("SnapshotLinkIds=[]: %+v", resp)
	}
	req = ecs.CreateDescribeSnapshotLinksRequest()
	req.DiskIds = "d-1"
	_, err = c.DescribeSnapshotLinks(req)
	wantServerError(t, "DiskIds not a JSON array", err, "InvalidDiskIds", 400)
}

// TestResetDiskRollsADiskBackOnAStoppedInstance follows 1.7.7.
func TestResetDiskRollsADiskBackOnAStoppedInstance(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "0s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	sys := systemDisk(t, c, inst)
	data := attachedDisk(t, c, inst, "reset-me", 20)
	own := takeSnapshot(t, c, sys.DiskId, "")
	other := takeSnapshot(t, c, data, "")
	waitSnapshot(t, c, own)
	waitSnapshot(t, c, other)
	reset := func(disk, snap string) error {
		req := ecs.CreateResetDiskRequest()
		req.DiskId, req.SnapshotId = disk, snap
		_, err := c.ResetDisk(req)
		return err
	}
	wantServerError(t, "a running instance", reset(sys.DiskId, own), "IncorrectInstanceStatus", 403)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = inst
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	waitInstance(t, c, inst, "Stopped")
	wantServerError(t, "another disk's snapshot", reset(sys.DiskId, other), "InvalidParameter.Mismatch", 403)
	wantServerError(t, "a missing snapshot", reset(sys.DiskId, "s-nope"), "InvalidSnapshotId.NotFound", 404)
	wantServerError(t, "a missing disk", reset("d-nope", own), "InvalidDiskId.NotFound", 404)
	wantServerError(t, "no snapshot", reset(sys.DiskId, ""), "MissingParameter", 400)
	if err := reset(sys.DiskId, own); err != nil {
		t.Fatalf("ResetDisk: %v", err)
	}
	waitDisk(t, c, sys.DiskId, "In_use")
	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = inst
	if _, err := c.StartInstance(start); err != nil {
		t.Fatalf("StartInstance after the reset: %v", err)
	}
	waitInstance(t, c, inst, "Running")
}

// TestRunInstancesMakesADataDiskFromASnapshot follows 1.5.1's
// DataDisk.n.SnapshotId: the disk has the snapshot's size.
func TestRunInstancesMakesADataDiskFromASnapshot(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "0s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	data := attachedDisk(t, c, inst, "golden", 25)
	snap := takeSnapshot(t, c, data, "golden")
	waitSnapshot(t, c, snap)
	base := instanceByID(t, c, inst)
	req := ecs.CreateRunInstancesRequest()
	req.ZoneId, req.ImageId, req.InstanceType = diskZone, base.ImageId, base.InstanceType
	req.SecurityGroupId, req.VSwitchId = base.SecurityGroupIds.SecurityGroupId[0], base.VpcAttributes.VSwitchId
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: snap, Category: "cloud_efficiency"}}
	resp, err := c.RunInstances(req)
	if err != nil {
		t.Fatalf("RunInstances with a data disk from a snapshot: %v", err)
	}
	id := resp.InstanceIdSets.InstanceIdSet[0]
	t.Cleanup(func() {
		del := ecs.CreateDeleteInstanceRequest()
		del.InstanceId, del.Force = id, requests.NewBoolean(true)
		_, _ = c.DeleteInstance(del)
		waitInstance(t, c, id, "")
	})
	disks := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.InstanceId, r.DiskType = id, "data" })
	if len(disks.Disks.Disk) != 1 || disks.Disks.Disk[0].Size != 25 || disks.Disks.Disk[0].SourceSnapshotId != snap {
		t.Errorf("data disk: %+v", disks.Disks.Disk)
	}
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: "s-nope", Category: "cloud_efficiency"}}
	req.ClientToken = ""
	_, err = c.RunInstances(req)
	wantServerError(t, "RunInstances with a missing snapshot", err, "InvalidDataDiskSnapshotId.NotFound", 404)
}
