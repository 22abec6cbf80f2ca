package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// lastDisks returns the last ECSD-DISKS line of a console ("vda vdb"), "" if none.
func lastDisks(console string) string {
	last := ""
	for _, line := range strings.Split(console, "\n") {
		if i := strings.Index(line, "ECSD-DISKS"); i >= 0 {
			last = strings.TrimSpace(strings.TrimPrefix(line[i:], "ECSD-DISKS"))
		}
	}
	return last
}

// qemuImgVirtualSize reads a disk file's virtual size (a running VM has it
// open: -U).
func qemuImgVirtualSize(t *testing.T, path string) int64 {
	t.Helper()
	out, err := exec.Command("qemu-img", "info", "-U", "--output=json", path).Output()
	if err != nil {
		t.Fatalf("qemu-img info %s: %v", path, err)
	}
	var info struct {
		VirtualSize int64 `json:"virtual-size"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	return info.VirtualSize
}

// diskFile is where the server keeps a disk's file.
func diskFile(s *server, diskID string) string {
	return filepath.Join(s.dataDir, "volumes", "disks", diskID+".qcow2")
}

// TestQemuDriverBootsAnImportedImageAndHotPlugsResizesAndSnapshotsItsDisks
// runs ecsd serve --driver qemu: an image registered with `ecsd admin image
// import` while the server runs is the only system image DescribeImages
// lists (with its real size), RunInstances boots it into a real VM, a new
// disk is hot-plugged into the running guest and unplugged again, ResizeDisk
// grows its file, CreateSnapshot copies it, and DeleteInstance removes the
// VM and its disk files. One VM boot.
func TestQemuDriverBootsAnImportedImageAndHotPlugsResizesAndSnapshotsItsDisks(t *testing.T) {
	s, c, img := qemuServerWithGuestImage(t)
	dataDir := s.dataDir

	// The system images are exactly the store's, with their real size.
	list := ecs.CreateDescribeImagesRequest()
	list.ImageOwnerAlias, list.PageSize = "system", "100"
	images, err := c.DescribeImages(list)
	if err != nil {
		t.Fatalf("DescribeImages: %v", err)
	}
	if images.TotalCount != 1 || len(images.Images.Image) != 1 {
		t.Fatalf("DescribeImages lists %d system images, want only the imported one: %+v", images.TotalCount, images.Images.Image)
	}
	if got := images.Images.Image[0]; got.ImageId != img.ImageId || got.Size != 1 || got.Status != "Available" ||
		got.ImageOwnerAlias != "system" || got.ImageName != "busybox-guest" {
		t.Fatalf("DescribeImages shows %+v", got)
	}

	n := newInstanceNet(t, s, c)
	// An image the store does not have (the sim driver's catalog) is unknown.
	bad := n.runRequest()
	bad.ImageId = e2eImage
	if _, err := c.RunInstances(bad); err == nil {
		t.Fatal("RunInstances with an image outside the store succeeded")
	} else if se := serverError(t, err); se.ErrorCode() != "InvalidImageId.NotFound" || se.HttpStatus() != 404 {
		t.Fatalf("RunInstances with an image outside the store: %d %s", se.HttpStatus(), se.ErrorCode())
	}

	run := n.runRequest()
	run.ImageId, run.InstanceType = img.ImageId, "ecs.n4.small"
	run.SystemDiskSize, run.SystemDiskCategory = "20", "cloud_efficiency"
	id := runInstances(t, c, run)[0]
	waitForStatus(t, c, []string{id}, "Running")
	waitConsole(t, c, id, "ECSD-GUEST-READY", func(s string) bool { return strings.Contains(s, "ECSD-GUEST-READY") })
	waitConsole(t, c, id, "ECSD-DISKS vda", func(s string) bool { return lastDisks(s) == "vda" })
	sys := systemDisk(t, c, id)
	sysFile := filepath.Join(dataDir, "volumes", "disks", sys.DiskId+".qcow2")
	if size := qemuImgVirtualSize(t, sysFile); size != 20<<30 {
		t.Fatalf("system disk file is %d bytes, want 20 GiB", size)
	}

	// A new disk is hot-plugged into the running guest.
	diskID := newDisk(t, c, "qemu-data", "cloud_efficiency", 20, "")
	attach := ecs.CreateAttachDiskRequest()
	attach.InstanceId, attach.DiskId = id, diskID
	if _, err := c.AttachDisk(attach); err != nil {
		t.Fatalf("AttachDisk: %v", err)
	}
	waitDisk(t, c, diskID, "In_use")
	waitConsole(t, c, id, "ECSD-DISKS vda vdb", func(s string) bool { return lastDisks(s) == "vda vdb" })
	dataFile := filepath.Join(dataDir, "volumes", "disks", diskID+".qcow2")

	// ResizeDisk grows the file of the disk the VM has open.
	resize := ecs.CreateResizeDiskRequest()
	resize.DiskId, resize.NewSize, resize.Type = diskID, requests.NewInteger(30), "online"
	if _, err := c.ResizeDisk(resize); err != nil {
		t.Fatalf("ResizeDisk: %v", err)
	}
	if size := qemuImgVirtualSize(t, dataFile); size != 30<<30 {
		t.Fatalf("after ResizeDisk the disk file is %d bytes, want 30 GiB", size)
	}
	if d := waitDisk(t, c, diskID, "In_use"); d.Size != 30 {
		t.Fatalf("DescribeDisks shows size %d after ResizeDisk, want 30", d.Size)
	}

	// A snapshot of the running VM's disk is taken and accomplished.
	snap := takeSnapshot(t, c, diskID, "qemu-data-snap")
	waitSnapshot(t, c, snap)
	if _, err := os.Stat(filepath.Join(dataDir, "volumes", "snapshots", snap+".qcow2")); err != nil {
		t.Fatalf("snapshot file: %v", err)
	}

	// DetachDisk unplugs it.
	detach := ecs.CreateDetachDiskRequest()
	detach.InstanceId, detach.DiskId = id, diskID
	if _, err := c.DetachDisk(detach); err != nil {
		t.Fatalf("DetachDisk: %v", err)
	}
	waitDisk(t, c, diskID, "Available")
	waitConsole(t, c, id, "ECSD-DISKS vda", func(s string) bool { return lastDisks(s) == "vda" })

	// DeleteDisk removes the file; DeleteInstance the VM and the system disk's.
	del := ecs.CreateDeleteDiskRequest()
	del.DiskId = diskID
	if _, err := c.DeleteDisk(del); err != nil {
		t.Fatalf("DeleteDisk: %v", err)
	}
	if _, err := os.Stat(dataFile); !os.IsNotExist(err) {
		t.Fatalf("the deleted disk's file is still there: %v", err)
	}
	deleteInstances(t, c, []string{id})
	if got := describeInstances(t, c, []string{id}); len(got) != 0 {
		t.Fatalf("instance %s not deleted", id)
	}
	// The files go right after the rows (the reconciler's next statement).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(sysFile); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deleted instance's system disk file is still there\nserver log:\n%s", s.stderr.String())
		}
	}
	if pids, _ := filepath.Glob(filepath.Join(dataDir, "qemu", id, "qemu.pid")); len(pids) != 0 {
		t.Fatalf("the deleted instance's QEMU is still recorded: %v", pids)
	}
}
