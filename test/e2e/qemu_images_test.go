package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// inode returns a file's inode number (a file made again has a new one).
func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// instanceAction calls StartInstance or StopInstance and waits for status.
func instanceAction(t *testing.T, c *ecs.Client, id, action string) {
	t.Helper()
	var err error
	status := "Running"
	switch action {
	case "start":
		req := ecs.CreateStartInstanceRequest()
		req.InstanceId = id
		_, err = c.StartInstance(req)
	case "stop":
		req := ecs.CreateStopInstanceRequest()
		req.InstanceId = id
		_, err = c.StopInstance(req)
		status = "Stopped"
	}
	if err != nil {
		t.Fatalf("%s %s: %v", action, id, err)
	}
	waitInstance(t, c, id, status)
}

// TestQemuDriverCustomImagesBootAndSystemDisksAreReInitReplacedAndReset runs
// ecsd serve --driver qemu: CreateImage from a snapshot of a running VM's
// system disk makes a golden image that a new instance boots from (with the
// kernel of the image it came from); on the stopped first instance ReInitDisk
// makes the system disk's file again, ReplaceSystemDisk gives it a new file
// from the custom image that the next start boots, and ResetDisk writes a
// snapshot back into the file. Three VM boots.
func TestQemuDriverCustomImagesBootAndSystemDisksAreReInitReplacedAndReset(t *testing.T) {
	s, c, img := qemuServerWithGuestImage(t)
	n := newInstanceNet(t, s, c)
	ready := func(id string) {
		t.Helper()
		waitConsole(t, c, id, "ECSD-GUEST-READY", func(s string) bool { return strings.Contains(s, "ECSD-GUEST-READY") })
	}
	run := n.runRequest()
	run.ImageId, run.InstanceType, run.SystemDiskSize = img.ImageId, "ecs.n4.small", "20"
	first := runInstances(t, c, run)[0]
	waitInstance(t, c, first, "Running")
	ready(first)
	sys := systemDisk(t, c, first)

	// A snapshot of the running system disk becomes a bootable custom image.
	snap := takeSnapshot(t, c, sys.DiskId, "sys")
	waitSnapshot(t, c, snap)
	create := ecs.CreateCreateImageRequest()
	create.SnapshotId, create.ImageName = snap, "from-guest"
	made, err := c.CreateImage(create)
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	waitImage(t, c, "cn-hangzhou", made.ImageId)
	if _, err := os.Stat(filepath.Join(s.dataDir, "volumes", "images", made.ImageId, "disk.qcow2")); err != nil {
		t.Fatalf("no golden file for the custom image: %v", err)
	}
	list := ecs.CreateDescribeImagesRequest()
	list.ImageOwnerAlias = "system"
	if sysImages, err := c.DescribeImages(list); err != nil || sysImages.TotalCount != 1 {
		t.Fatalf("system images after CreateImage: %+v, %v", sysImages, err)
	}
	run2 := n.runRequest()
	run2.ImageId, run2.InstanceType, run2.SystemDiskSize = made.ImageId, "ecs.n4.small", "20"
	second := runInstances(t, c, run2)[0]
	waitInstance(t, c, second, "Running")
	ready(second)
	deleteInstances(t, c, []string{second})

	// ReInitDisk makes the stopped instance's system disk file again.
	instanceAction(t, c, first, "stop")
	before := inode(t, diskFile(s, sys.DiskId))
	reinit := ecs.CreateReInitDiskRequest()
	reinit.DiskId = sys.DiskId
	if _, err := c.ReInitDisk(reinit); err != nil {
		t.Fatalf("ReInitDisk: %v", err)
	}
	if after := inode(t, diskFile(s, sys.DiskId)); after == before {
		t.Fatal("ReInitDisk left the system disk's file as it was")
	}

	// ReplaceSystemDisk: a new file from the custom image, the old one gone,
	// and the next start boots the new disk.
	replace := ecs.CreateReplaceSystemDiskRequest()
	replace.InstanceId, replace.ImageId = first, made.ImageId
	replaced, err := c.ReplaceSystemDisk(replace)
	if err != nil {
		t.Fatalf("ReplaceSystemDisk: %v", err)
	}
	if _, err := os.Stat(diskFile(s, sys.DiskId)); !os.IsNotExist(err) {
		t.Fatalf("the replaced system disk's file is still there: %v", err)
	}
	if _, err := os.Stat(diskFile(s, replaced.DiskId)); err != nil {
		t.Fatalf("the new system disk has no file: %v", err)
	}
	instanceAction(t, c, first, "start")
	ready(first)
	spec, err := os.ReadFile(filepath.Join(s.dataDir, "qemu", first, "spec.json"))
	if err != nil || !strings.Contains(string(spec), replaced.DiskId) || strings.Contains(string(spec), sys.DiskId) {
		t.Fatalf("the VM does not run the new system disk %s: %v\n%s", replaced.DiskId, err, spec)
	}

	// ResetDisk writes the snapshot back into the disk's file.
	instanceAction(t, c, first, "stop")
	newSys := replaced.DiskId
	point := takeSnapshot(t, c, newSys, "point")
	waitSnapshot(t, c, point)
	if out, err := exec.Command("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1M", diskFile(s, newSys)).CombinedOutput(); err != nil {
		t.Fatalf("qemu-io write: %v: %s", err, out)
	}
	snapFile := filepath.Join(s.dataDir, "volumes", "snapshots", point+".qcow2")
	if exec.Command("qemu-img", "compare", "-U", diskFile(s, newSys), snapFile).Run() == nil {
		t.Fatal("the disk written after the snapshot still compares equal to it")
	}
	reset := ecs.CreateResetDiskRequest()
	reset.DiskId, reset.SnapshotId = newSys, point
	if _, err := c.ResetDisk(reset); err != nil {
		t.Fatalf("ResetDisk: %v", err)
	}
	waitDisk(t, c, newSys, "In_use")
	if out, err := exec.Command("qemu-img", "compare", "-U", diskFile(s, newSys), snapFile).CombinedOutput(); err != nil {
		t.Fatalf("after ResetDisk the disk differs from the snapshot: %v: %s", err, out)
	}
}
