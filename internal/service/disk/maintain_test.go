package disk

import (
	"reflect"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

const (
	ubuntuImage  = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	armImage     = "ubuntu_22_04_arm64_20G_alibase_20240508.vhd"
	windowsImage = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd"
)

// attachRow attaches disk id to instance in the store directly.
func (e *env) attachRow(t *testing.T, id, instance, device string) {
	t.Helper()
	e.update(t, func(tx store.Tx) error {
		d, err := tx.GetDisk(1, id)
		if err != nil {
			return err
		}
		d.Status, d.InstanceID, d.Device, d.AttachedAt = StatusInUse, instance, device, e.clk.Now()
		return tx.UpdateDisk(d)
	})
}

func TestReInitDiskNeedsAnInUseDiskOfAStoppedInstanceThatHasRun(t *testing.T) {
	e := newEnv(t)
	stopped := func(in *store.Instance) { in.Status = instanceStopped }
	e.instance(t, "i-stopped", stopped)
	e.instance(t, "i-running", nil)
	e.instance(t, "i-locked", func(in *store.Instance) { stopped(in); in.OperationLocks = "security" })
	e.instance(t, "i-new", func(in *store.Instance) { stopped(in); in.StartedAt = time.Time{} })
	data := e.createDisk(t, alice, CreateInput{})
	loose := e.createDisk(t, alice, CreateInput{})
	e.attachRow(t, data, "i-stopped", "/dev/xvdb")
	e.update(t, func(tx store.Tx) error {
		return tx.CreateDisk(store.Disk{ID: "d-from-snap", AccountID: 1, RegionID: testRegion, ZoneID: testZone, Type: TypeData,
			Category: CategoryCloud, SizeGiB: 20, SourceSnapshotID: "s-gone", Status: StatusInUse, InstanceID: "i-stopped",
			Device: "/dev/xvdc", Portable: true})
	})
	for _, id := range []string{data, "d-sys-i-stopped"} {
		before := e.disk(t, id)
		if err := e.svc.ReInit(t.Context(), alice, id); err != nil {
			t.Fatalf("ReInitDisk %s: %v", id, err)
		}
		if after := e.disk(t, id); !reflect.DeepEqual(after, before) {
			t.Errorf("ReInitDisk changed the row: %+v -> %+v", before, after)
		}
	}
	for _, c := range []struct {
		name, disk string
		c          Caller
		code       string
		status     int
	}{
		{"unknown disk", "d-none", alice, "InvalidDiskId.NotFound", 404},
		{"another account's disk", data, bob, "InvalidDiskId.NotFound", 404},
		{"available disk", loose, alice, "IncorrectDiskStatus", 403},
		{"running instance", "d-sys-i-running", alice, "IncorrectInstanceStatus", 403},
		{"locked instance", "d-sys-i-locked", alice, "InstanceLockedForSecurity", 403},
		{"never started", "d-sys-i-new", alice, "IncorrectDiskStatus.NeverUsed", 403},
		{"source snapshot gone", "d-from-snap", alice, "InvalidSourceSnapshot", 403},
	} {
		wantCode(t, c.name, e.svc.ReInit(t.Context(), c.c, c.disk), c.code, c.status)
	}
}

func TestResizeDiskOnlyEnlargesDataDisksWithinTheCategoryMaximum(t *testing.T) {
	e := newEnv(t)
	e.instance(t, "i-1", nil)
	e.instance(t, "i-pending", func(in *store.Instance) { in.Status = "Pending" })
	loose := e.createDisk(t, alice, CreateInput{})
	used := e.createDisk(t, alice, CreateInput{Category: CategorySSD})
	pending := e.createDisk(t, alice, CreateInput{})
	e.attachRow(t, used, "i-1", "/dev/xvdb")
	e.attachRow(t, pending, "i-pending", "/dev/xvdb")
	for _, in := range []ResizeInput{
		{DiskID: loose, NewSize: 2000},
		{DiskID: used, NewSize: 100, Type: ResizeOffline},
		{DiskID: used, NewSize: 32768, Type: ResizeOnline},
	} {
		if err := e.svc.Resize(t.Context(), alice, in); err != nil {
			t.Fatalf("ResizeDisk %+v: %v", in, err)
		}
		if got := e.disk(t, in.DiskID).SizeGiB; got != in.NewSize {
			t.Errorf("size after %+v: %d", in, got)
		}
	}
	for _, c := range []struct {
		name   string
		c      Caller
		in     ResizeInput
		code   string
		status int
	}{
		{"unknown type", alice, ResizeInput{DiskID: loose, NewSize: 3000, Type: "hot"}, "InvalidParameter", 400},
		{"unknown disk", alice, ResizeInput{DiskID: "d-none", NewSize: 30}, "InvalidDiskId.NotFound", 404},
		{"another account's disk", bob, ResizeInput{DiskID: loose, NewSize: 3000}, "InvalidDiskId.NotFound", 404},
		{"system disk", alice, ResizeInput{DiskID: "d-sys-i-1", NewSize: 100}, "OperationDenied", 403},
		{"same size", alice, ResizeInput{DiskID: loose, NewSize: 2000}, "InvalidDiskSize.TooSmall", 403},
		{"smaller", alice, ResizeInput{DiskID: used, NewSize: 20}, "InvalidDiskSize.TooSmall", 403},
		{"beyond cloud's 2000", alice, ResizeInput{DiskID: loose, NewSize: 2001}, "InvalidParameter", 403},
		{"beyond cloud_ssd's 32768", alice, ResizeInput{DiskID: used, NewSize: 32769}, "InvalidParameter", 403},
		{"online while detached", alice, ResizeInput{DiskID: loose, NewSize: 3000, Type: ResizeOnline}, "OperationDenied", 403},
		{"pending instance", alice, ResizeInput{DiskID: pending, NewSize: 30}, "OperationDenied", 403},
	} {
		wantCode(t, c.name, e.svc.Resize(t.Context(), c.c, c.in), c.code, c.status)
	}
}

func TestResizeDiskClientTokenRepeatsTheFirstAnswer(t *testing.T) {
	e := newEnv(t)
	id := e.createDisk(t, alice, CreateInput{})
	in := ResizeInput{DiskID: id, NewSize: 40, ClientToken: "grow-1"}
	for range 2 {
		if err := e.svc.Resize(t.Context(), alice, in); err != nil {
			t.Fatalf("ResizeDisk with the same token: %v", err)
		}
	}
	in.NewSize = 50
	wantCode(t, "other size, same token", e.svc.Resize(t.Context(), alice, in), "IdempotentParameterMismatch", 400)
}

func TestReplaceSystemDiskReleasesTheOldDiskAndAttachesANewOneAsXvda(t *testing.T) {
	e := newEnv(t)
	e.instance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	e.clk.Advance(time.Hour)
	id, err := e.svc.ReplaceSystemDisk(t.Context(), alice, ReplaceInput{InstanceID: "i-1", ImageID: ubuntuImage, ClientToken: "r-1"})
	if err != nil {
		t.Fatal(err)
	}
	if id == "d-sys-i-1" || !e.gone(t, "d-sys-i-1") {
		t.Fatalf("new system disk %s; old one gone: %v", id, e.gone(t, "d-sys-i-1"))
	}
	d := e.disk(t, id)
	if d.Type != TypeSystem || d.Status != StatusInUse || d.InstanceID != "i-1" || d.Device != SystemDevice ||
		d.Category != CategoryEfficiency || d.SizeGiB != 40 || d.ImageID != ubuntuImage || d.Portable ||
		!d.DeleteWithInstance || !d.CreatedAt.Equal(e.clk.Now()) || !d.AttachedAt.Equal(e.clk.Now()) {
		t.Errorf("new system disk = %+v", d)
	}
	if in := e.getInstance(t, "i-1"); in.ImageID != ubuntuImage || in.OSType != "linux" || in.OSName == "" {
		t.Errorf("instance image after replacement: %q %q %q", in.ImageID, in.OSName, in.OSType)
	}
	again, err := e.svc.ReplaceSystemDisk(t.Context(), alice, ReplaceInput{InstanceID: "i-1", ImageID: ubuntuImage, ClientToken: "r-1"})
	if err != nil || again != id {
		t.Errorf("retry with the token: %s, %v; want %s", again, err, id)
	}
	id2, err := e.svc.ReplaceSystemDisk(t.Context(), alice, ReplaceInput{InstanceID: "i-1", ImageID: windowsImage, Size: ptr(60)})
	if err != nil {
		t.Fatal(err)
	}
	if d := e.disk(t, id2); d.SizeGiB != 60 || d.ImageID != windowsImage || !e.gone(t, id) {
		t.Errorf("second replacement: %+v (first gone: %v)", d, e.gone(t, id))
	}
}

func TestReplaceSystemDiskAnswersTheGuidesErrors(t *testing.T) {
	e := newEnv(t)
	stopped := func(in *store.Instance) { in.Status = instanceStopped }
	e.instance(t, "i-1", stopped)
	e.instance(t, "i-running", nil)
	e.instance(t, "i-locked", func(in *store.Instance) { stopped(in); in.OperationLocks = "security" })
	e.instance(t, "i-big", stopped)
	e.update(t, func(tx store.Tx) error {
		d, _ := tx.GetDisk(1, "d-sys-i-big")
		d.SizeGiB = 100
		return tx.UpdateDisk(d)
	})
	for _, c := range []struct {
		name   string
		in     ReplaceInput
		code   string
		status int
	}{
		{"unknown image", ReplaceInput{InstanceID: "i-1", ImageID: "m-none"}, "InvalidImageId.NotFound", 404},
		{"unknown instance", ReplaceInput{InstanceID: "i-none", ImageID: ubuntuImage}, "InvalidInstanceId.NotFound", 404},
		{"running instance", ReplaceInput{InstanceID: "i-running", ImageID: ubuntuImage}, "IncorrectInstanceStatus", 403},
		{"locked instance", ReplaceInput{InstanceID: "i-locked", ImageID: ubuntuImage}, "InstanceLockedForSecurity", 403},
		{"arm image on x86", ReplaceInput{InstanceID: "i-1", ImageID: armImage}, "InvalidParameter.Conflict", 400},
		{"below the image", ReplaceInput{InstanceID: "i-1", ImageID: windowsImage, Size: ptr(39)}, "InvalidSystemDiskSize.LessThanImageSize", 404},
		{"below 40", ReplaceInput{InstanceID: "i-1", ImageID: ubuntuImage, Size: ptr(30)}, "InvalidSystemDiskSize.LessThanMinimumSize", 404},
		{"below the old disk", ReplaceInput{InstanceID: "i-big", ImageID: ubuntuImage, Size: ptr(80)}, "InvalidSystemDiskSize.LessThanMinimumSize", 404},
		{"above 500", ReplaceInput{InstanceID: "i-1", ImageID: ubuntuImage, Size: ptr(501)}, "InvalidSystemDiskSize.MoreThanMaxSize", 404},
	} {
		_, err := e.svc.ReplaceSystemDisk(t.Context(), alice, c.in)
		wantCode(t, c.name, err, c.code, c.status)
	}
	if _, err := e.svc.ReplaceSystemDisk(t.Context(), bob, ReplaceInput{InstanceID: "i-1", ImageID: ubuntuImage}); err == nil {
		t.Error("bob replaced alice's system disk")
	}
	if e.gone(t, "d-sys-i-1") {
		t.Error("a refused replacement released the system disk")
	}
	id, err := e.svc.ReplaceSystemDisk(t.Context(), alice, ReplaceInput{InstanceID: "i-big", ImageID: ubuntuImage})
	if err != nil || e.disk(t, id).SizeGiB != 100 {
		t.Errorf("default size replacing a 100 GiB disk: %v, want 100 GiB", err)
	}
}
