package disk

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/service/volume/volumetest"
	"github.com/ecsd/ecsd/internal/store"
)

// centosImage is the image env.instance gives instances.
const centosImage = "centos_7_9_x64_20G_alibase_20240628.vhd"

// newVolumeEnv is newEnv with a fake volume store (the qemu driver's files)
// that has the images instances use.
func newVolumeEnv(t *testing.T) (*env, *volumetest.Fake) {
	t.Helper()
	e := newEnv(t)
	vols := volumetest.New(map[string]driver.BootSpec{centosImage: {}, ubuntuImage: {Kernel: "/k", Cmdline: "console=ttyS0"}})
	deps := e.svc.deps
	deps.Volumes = vols
	e.svc = New(deps)
	return e, vols
}

func TestAttachDiskGivesTheDriverTheDiskFileMadeFromItsSource(t *testing.T) {
	e, vols := newVolumeEnv(t)
	in := e.driverInstance(t, "i-1", nil)
	id := e.createDisk(t, alice, CreateInput{Category: CategoryEfficiency, Size: ptr(25)})
	if _, made := vols.File(id); made {
		t.Fatal("CreateDisk of a blank disk made its file at once; it is made when first needed")
	}
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: in.ID, DiskID: id}); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	file, ok := vols.File(id)
	if !ok || file.Source != (volume.Source{DiskID: id, SizeGiB: 25}) {
		t.Fatalf("file of the attached disk = %+v, %v; want a blank 25 GiB file", file, ok)
	}
	h, _, err := handleOf(e.getInstance(t, in.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h.State), `"path":"`+volumetest.Path(id)+`"`) {
		t.Fatalf("the driver was not given the disk's file %s: sim state %s", volumetest.Path(id), h.State)
	}
	if d := e.disk(t, id); d.Status != StatusInUse {
		t.Fatalf("disk is %s after Attach", d.Status)
	}
}

func TestAttachDiskThatCannotGetItsFileIsUndone(t *testing.T) {
	e, vols := newVolumeEnv(t)
	in := e.driverInstance(t, "i-1", nil)
	id := e.createDisk(t, alice, CreateInput{})
	vols.Err = driver.ErrTransient
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: in.ID, DiskID: id}); err == nil {
		t.Fatal("Attach succeeded without the disk's file")
	}
	if d := e.disk(t, id); d.Status != StatusAvailable || d.InstanceID != "" {
		t.Fatalf("disk after a failed Attach: %s on %q, want Available", d.Status, d.InstanceID)
	}
}

func TestCreateDiskFromASnapshotMakesItsFileAtOnce(t *testing.T) {
	e, vols := newVolumeEnv(t)
	snap := e.snapshotRow(t, "s-data", TypeData, store.SnapshotAccomplished, 30)
	id := e.createDisk(t, alice, CreateInput{SnapshotID: snap, Category: CategoryEfficiency})
	file, ok := vols.File(id)
	if !ok || file.Source != (volume.Source{DiskID: id, SizeGiB: 30, SnapshotID: snap}) {
		t.Fatalf("file of a disk made from %s = %+v, %v", snap, file, ok)
	}
}

func TestResizeDiskGrowsItsFileAndAFailureRecordsNothing(t *testing.T) {
	e, vols := newVolumeEnv(t)
	in := e.driverInstance(t, "i-1", nil)
	id := e.createDisk(t, alice, CreateInput{})
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: in.ID, DiskID: id}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Resize(t.Context(), alice, ResizeInput{DiskID: id, NewSize: 30, Type: ResizeOnline}); err != nil {
		t.Fatalf("Resize: %v", err)
	}
	if file, _ := vols.File(id); file.SizeGiB != 30 || e.disk(t, id).SizeGiB != 30 {
		t.Fatalf("after Resize to 30: file %d GiB, disk %d GiB", file.SizeGiB, e.disk(t, id).SizeGiB)
	}
	vols.Err = driver.ErrTransient
	err := e.svc.Resize(t.Context(), alice, ResizeInput{DiskID: id, NewSize: 40})
	wantCode(t, "Resize whose file cannot grow", err, "ServiceUnavailable", http.StatusServiceUnavailable)
	if got := e.disk(t, id).SizeGiB; got != 30 {
		t.Fatalf("a failed Resize recorded %d GiB", got)
	}
}

func TestDeleteDiskRemovesItsFile(t *testing.T) {
	e, vols := newVolumeEnv(t)
	snap := e.snapshotRow(t, "s-data", TypeData, store.SnapshotAccomplished, 30)
	id := e.createDisk(t, alice, CreateInput{SnapshotID: snap, Category: CategoryEfficiency})
	if err := e.svc.Delete(t.Context(), alice, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := vols.File(id); ok {
		t.Fatal("the deleted disk's file is still there")
	}
	// A disk the call refuses to delete keeps its file.
	in := e.driverInstance(t, "i-1", nil)
	sys := "d-sys-" + in.ID
	if _, err := vols.EnsureDisk(t.Context(), volume.Source{DiskID: sys, SizeGiB: 40, ImageID: centosImage}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(t.Context(), alice, sys); err == nil {
		t.Fatal("DeleteDisk of a system disk succeeded")
	}
	if _, ok := vols.File(sys); !ok {
		t.Fatal("a refused DeleteDisk removed the file")
	}
}

func TestReInitDiskMakesTheSystemDiskAgainFromItsImage(t *testing.T) {
	e, vols := newVolumeEnv(t)
	in := e.driverInstance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	sys := "d-sys-" + in.ID
	if err := e.svc.ReInit(t.Context(), alice, sys); err != nil {
		t.Fatalf("ReInit: %v", err)
	}
	file, ok := vols.File(sys)
	if !ok || file.Source != (volume.Source{DiskID: sys, SizeGiB: 40, ImageID: centosImage}) || file.Made != 1 {
		t.Fatalf("system disk file after ReInit = %+v, %v", file, ok)
	}
	if err := e.svc.ReInit(t.Context(), alice, sys); err != nil {
		t.Fatal(err)
	}
	if file, _ := vols.File(sys); file.Made != 2 {
		t.Fatalf("a second ReInit made the file %d times in all, want 2", file.Made)
	}
	// A refused ReInit (the instance runs) leaves the file alone.
	e.driverInstance(t, "i-2", nil)
	if err := e.svc.ReInit(t.Context(), alice, "d-sys-i-2"); err == nil {
		t.Fatal("ReInit of a running instance's disk succeeded")
	}
	if _, ok := vols.File("d-sys-i-2"); ok {
		t.Fatal("a refused ReInit made a file")
	}
}

func TestReplaceSystemDiskSwapsTheFilesAndTheDriverForgetsTheDefinition(t *testing.T) {
	e, vols := newVolumeEnv(t)
	in := e.driverInstance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	old := "d-sys-" + in.ID
	if _, err := vols.EnsureDisk(t.Context(), volume.Source{DiskID: old, SizeGiB: 40, ImageID: centosImage}); err != nil {
		t.Fatal(err)
	}
	h, _, err := handleOf(in)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.svc.ReplaceSystemDisk(t.Context(), alice, ReplaceInput{InstanceID: in.ID, ImageID: ubuntuImage})
	if err != nil {
		t.Fatalf("ReplaceSystemDisk: %v", err)
	}
	if _, ok := vols.File(old); ok {
		t.Fatal("the released system disk's file is still there")
	}
	if file, ok := vols.File(id); !ok || file.Source.ImageID != ubuntuImage || file.Source.DiskID != id {
		t.Fatalf("new system disk's file = %+v, %v; want one made from %s", file, ok, ubuntuImage)
	}
	if got := e.getInstance(t, in.ID); len(got.DriverHandle) != 0 || got.ImageID != ubuntuImage {
		t.Fatalf("instance after ReplaceSystemDisk: image %s, handle %s; want the new image and no handle", got.ImageID, got.DriverHandle)
	}
	if state, err := e.sim.Inspect(t.Context(), h); err != nil || state != driver.Missing {
		t.Fatalf("the driver still has the instance's old definition: %v, %v", state, err)
	}
}
