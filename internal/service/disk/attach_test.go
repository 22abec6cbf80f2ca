package disk

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/store"
)

func (e *env) console(t *testing.T, instanceID string) string {
	t.Helper()
	in := e.getInstance(t, instanceID)
	h, ok, err := handleOf(in)
	if err != nil || !ok {
		t.Fatalf("handle of %s: %v, %v", instanceID, ok, err)
	}
	out, err := e.sim.ConsoleOutput(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestAttachDiskPicksTheNextFreeDeviceAndMakesTheDiskInUse(t *testing.T) {
	e := newEnv(t)
	e.instance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	first := e.createDisk(t, alice, CreateInput{})
	second := e.createDisk(t, alice, CreateInput{})
	third := e.createDisk(t, alice, CreateInput{})
	e.clk.Advance(time.Hour)
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: first, DeleteWithInstance: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	d := e.disk(t, first)
	if d.Status != StatusInUse || d.InstanceID != "i-1" || d.Device != "/dev/xvdb" || !d.DeleteWithInstance ||
		!d.AttachedAt.Equal(e.clk.Now()) {
		t.Errorf("attached disk = %+v", d)
	}
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: second, Device: "/dev/xvdc"}); err != nil {
		t.Fatal(err)
	}
	err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: third, Device: "/dev/xvdc"})
	wantCode(t, "taken device", err, "InvalidDevice.InUse", 403)
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: third}); err != nil {
		t.Fatal(err)
	}
	if d := e.disk(t, third); d.Device != "/dev/xvdd" || d.DeleteWithInstance {
		t.Errorf("third disk: device %s, DeleteWithInstance %v; want /dev/xvdd, unchanged false", d.Device, d.DeleteWithInstance)
	}
}

func TestAttachDiskAnswersTheGuidesErrors(t *testing.T) {
	e := newEnv(t)
	e.instance(t, "i-1", nil)
	e.instance(t, "i-pending", func(in *store.Instance) { in.Status = "Pending" })
	e.instance(t, "i-locked", func(in *store.Instance) { in.OperationLocks = "security" })
	e.instance(t, "i-bob", func(in *store.Instance) { in.AccountID = 2 })
	e.instance(t, "i-full", nil)
	e.instance(t, "i-deleting", func(in *store.Instance) { in.NextStatus, in.NextStatusAt = "Deleted", in.CreatedAt })
	avail := e.createDisk(t, alice, CreateInput{})
	elsewhere := e.createDisk(t, alice, CreateInput{ZoneID: otherZone})
	for i := range MaxDataDisks {
		id := e.createDisk(t, alice, CreateInput{})
		if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-full", DiskID: id}); err != nil {
			t.Fatalf("data disk %d: %v", i+1, err)
		}
	}
	for _, c := range []struct {
		name   string
		in     AttachInput
		code   string
		status int
	}{
		{"malformed device", AttachInput{InstanceID: "i-1", DiskID: avail, Device: "/dev/xvda"}, "InvalidDevice.Malformed", 400},
		{"unknown instance", AttachInput{InstanceID: "i-none", DiskID: avail}, "InvalidInstanceId.NotFound", 404},
		{"another account's instance", AttachInput{InstanceID: "i-bob", DiskID: avail}, "InvalidInstanceId.NotFound", 404},
		{"unknown disk", AttachInput{InstanceID: "i-1", DiskID: "d-none"}, "InvalidDiskId.NotFound", 404},
		{"system disk", AttachInput{InstanceID: "i-1", DiskID: "d-sys-i-pending"}, "DiskNotPortable", 403},
		{"other zone", AttachInput{InstanceID: "i-1", DiskID: elsewhere}, "ResourcesNotInSameZone", 403},
		{"pending instance", AttachInput{InstanceID: "i-pending", DiskID: avail}, "IncorrectInstanceStatus", 400},
		{"locked instance", AttachInput{InstanceID: "i-locked", DiskID: avail}, "InstanceLockedForSecurity", 403},
		{"instance being deleted", AttachInput{InstanceID: "i-deleting", DiskID: avail}, "IncorrectInstanceStatus", 400},
		{"seventeenth data disk", AttachInput{InstanceID: "i-full", DiskID: avail}, "InstanceDiskLimitExceeded", 403},
	} {
		wantCode(t, c.name, e.svc.Attach(t.Context(), alice, c.in), c.code, c.status)
	}
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: avail}); err != nil {
		t.Fatal(err)
	}
	err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: avail})
	wantCode(t, "attached disk", err, "IncorrectDiskStatus", 403)
	if d := e.disk(t, elsewhere); d.Status != StatusAvailable || d.InstanceID != "" {
		t.Errorf("refused attach changed the disk: %+v", d)
	}
}

func TestAttachAndDetachGoThroughTheComputeDriverOfARunningInstance(t *testing.T) {
	e := newEnv(t)
	before := e.driverInstance(t, "i-1", nil)
	id := e.createDisk(t, alice, CreateInput{})
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: id, DeleteWithInstance: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if d := e.disk(t, id); d.Status != StatusInUse || d.Device != "/dev/xvdb" || d.AttachedAt.IsZero() {
		t.Errorf("after attach: %+v", d)
	}
	if !strings.Contains(e.console(t, "i-1"), "disk "+id+" attached as /dev/xvdb") {
		t.Errorf("the driver did not attach the disk:\n%s", e.console(t, "i-1"))
	}
	if bytes.Equal(e.getInstance(t, "i-1").DriverHandle, before.DriverHandle) {
		t.Error("the handle the driver returned was not persisted")
	}
	e.clk.Advance(time.Minute)
	if err := e.svc.Detach(t.Context(), alice, "i-1", id); err != nil {
		t.Fatal(err)
	}
	d := e.disk(t, id)
	if d.Status != StatusAvailable || d.InstanceID != "" || d.Device != "" || d.DeleteWithInstance || !d.DetachedAt.Equal(e.clk.Now()) {
		t.Errorf("after detach: %+v; want Available, unattached, DeleteWithInstance false", d)
	}
	if !strings.Contains(e.console(t, "i-1"), "disk "+id+" detached") {
		t.Errorf("the driver did not detach the disk:\n%s", e.console(t, "i-1"))
	}
}

func TestAttachDiskIsAttachingWhileTheDriverWorks(t *testing.T) {
	e := newEnvWith(t, sim.Config{Delays: sim.Delays{Attach: sim.Duration(10 * time.Second)}}, Limits{})
	e.driverInstance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	id := e.createDisk(t, alice, CreateInput{})
	done := make(chan error, 1)
	go func() { done <- e.svc.Attach(context.Background(), alice, AttachInput{InstanceID: "i-1", DiskID: id}) }()
	for e.clk.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	res := e.list(t, alice, ListQuery{InstanceID: "i-1", DiskType: "data"})
	if len(res.Disks) != 1 || res.Disks[0].Disk.Status != StatusAttaching || res.Disks[0].Disk.Device != "/dev/xvdb" {
		t.Errorf("while the driver attaches: %+v, want Attaching at /dev/xvdb", res.Disks)
	}
	e.clk.Advance(10 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := e.disk(t, id); d.Status != StatusInUse {
		t.Errorf("after the delay: %s, want In_use", d.Status)
	}
}

func TestAttachDiskRefusedByTheDriverLeavesTheDiskAvailable(t *testing.T) {
	for _, c := range []struct {
		kind   sim.ErrorKind
		code   string
		status int
	}{
		{sim.KindInvalidState, "IncorrectInstanceStatus", 400},
		{sim.KindInvalidArgument, "InvalidDevice.InUse", 403},
		{sim.KindTransient, "ServiceUnavailable", 503},
	} {
		e := newEnvWith(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpAttachDisk, Kind: c.kind}}}, Limits{})
		e.driverInstance(t, "i-1", nil)
		id := e.createDisk(t, alice, CreateInput{})
		err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: id})
		wantCode(t, string(c.kind), err, c.code, c.status)
		if d := e.disk(t, id); d.Status != StatusAvailable || d.InstanceID != "" || d.Device != "" {
			t.Errorf("%s: disk after a refused attach: %+v", c.kind, d)
		}
	}
}

// noCapabilities hides the sim driver's optional capabilities.
type noCapabilities struct{ driver.Compute }

func TestAttachDiskWithoutDriverSupportIsOperationDenied(t *testing.T) {
	e := newEnv(t)
	e.driverInstance(t, "i-1", nil)
	e.svc.deps.Compute = noCapabilities{e.sim}
	id := e.createDisk(t, alice, CreateInput{})
	err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: id})
	wantCode(t, "driver without DiskAttacher", err, "OperationDenied", 403)
	if d := e.disk(t, id); d.Status != StatusAvailable {
		t.Errorf("disk %s after refusal", d.Status)
	}
}

func TestDetachDiskAnswersTheGuidesErrors(t *testing.T) {
	e := newEnv(t)
	e.instance(t, "i-1", nil)
	e.instance(t, "i-2", nil)
	e.instance(t, "i-locked", func(in *store.Instance) { in.OperationLocks = "security" })
	e.instance(t, "i-starting", func(in *store.Instance) { in.Status = "Starting" })
	loose := e.createDisk(t, alice, CreateInput{})
	onI1 := e.createDisk(t, alice, CreateInput{})
	onLocked := e.createDisk(t, alice, CreateInput{})
	onStarting := e.createDisk(t, alice, CreateInput{})
	for id, inst := range map[string]string{onI1: "i-1", onLocked: "i-locked", onStarting: "i-starting"} {
		e.update(t, func(tx store.Tx) error {
			d, _ := tx.GetDisk(1, id)
			d.Status, d.InstanceID, d.Device = StatusInUse, inst, "/dev/xvdb"
			return tx.UpdateDisk(d)
		})
	}
	for _, c := range []struct {
		name, instance, disk string
		c                    Caller
		code                 string
		status               int
	}{
		{"no instance", "", onI1, alice, "InvalidParameter", 400},
		{"no disk", "i-1", "", alice, "InvalidParameter", 400},
		{"unknown disk", "i-1", "d-none", alice, "InvalidDiskId.NotFound", 404},
		{"another account's disk", "i-1", onI1, bob, "InvalidDiskId.NotFound", 404},
		{"unknown instance", "i-none", onI1, alice, "InvalidInstanceId.NotFound", 404},
		{"system disk", "i-1", "d-sys-i-1", alice, "DiskTypeViolation", 403},
		{"attached elsewhere", "i-2", onI1, alice, "DependencyViolation", 403},
		{"attached nowhere", "i-1", loose, alice, "DependencyViolation", 403},
		{"starting instance", "i-starting", onStarting, alice, "IncorrectInstanceStatus", 403},
		{"locked instance", "i-locked", onLocked, alice, "InstanceLockedForSecurity", 403},
	} {
		wantCode(t, c.name, e.svc.Detach(t.Context(), c.c, c.instance, c.disk), c.code, c.status)
	}
	e.update(t, func(tx store.Tx) error {
		d, _ := tx.GetDisk(1, onI1)
		d.Status = StatusReIniting
		return tx.UpdateDisk(d)
	})
	wantCode(t, "re-initialising disk", e.svc.Detach(t.Context(), alice, "i-1", onI1), "IncorrectDiskStatus", 403)
}

func TestResumeAfterARestartFinishesAttachesAndDetachesACrashInterrupted(t *testing.T) {
	e := newEnv(t)
	e.driverInstance(t, "i-1", nil)
	attaching := e.createDisk(t, alice, CreateInput{})
	detaching := e.createDisk(t, alice, CreateInput{})
	orphan := e.createDisk(t, alice, CreateInput{})
	creating := e.createDisk(t, bob, CreateInput{})
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: detaching}); err != nil {
		t.Fatal(err)
	}
	e.update(t, func(tx store.Tx) error { // what a crash right after the first transaction leaves
		for id, set := range map[string]func(d *store.Disk){
			attaching: func(d *store.Disk) { d.Status, d.InstanceID, d.Device = StatusAttaching, "i-1", "/dev/xvdc" },
			detaching: func(d *store.Disk) { d.Status = StatusDetaching },
			orphan:    func(d *store.Disk) { d.Status, d.InstanceID, d.Device = StatusAttaching, "i-gone", "/dev/xvdb" },
		} {
			d, _ := tx.GetDisk(1, id)
			set(&d)
			if err := tx.UpdateDisk(d); err != nil {
				return err
			}
		}
		d, _ := tx.GetDisk(2, creating)
		d.Status = StatusCreating
		return tx.UpdateDisk(d)
	})
	restarted, err := sim.New(sim.Config{}, e.clk) // ecsd starts again: the driver knows no instance
	if err != nil {
		t.Fatal(err)
	}
	e.sim, e.svc.deps.Compute = restarted, restarted
	if err := e.svc.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	if d := e.disk(t, attaching); d.Status != StatusInUse || d.Device != "/dev/xvdc" {
		t.Errorf("attaching disk resumed to %+v", d)
	}
	if !strings.Contains(e.console(t, "i-1"), "disk "+attaching+" attached as /dev/xvdc") {
		t.Error("resume did not repeat the driver's attach")
	}
	if d := e.disk(t, detaching); d.Status != StatusAvailable || d.InstanceID != "" {
		t.Errorf("detaching disk resumed to %+v", d)
	}
	if d := e.disk(t, orphan); d.Status != StatusAvailable || d.InstanceID != "" {
		t.Errorf("disk attaching to a gone instance resumed to %+v", d)
	}
	res := e.list(t, bob, ListQuery{})
	if len(res.Disks) != 1 || res.Disks[0].Disk.Status != StatusAvailable {
		t.Errorf("creating disk resumed to %+v", res.Disks)
	}
}
