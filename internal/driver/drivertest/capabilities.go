package drivertest

import (
	"github.com/ecsd/ecsd/internal/driver"
)

// capabilityCases cover the optional capabilities; each skips when the driver does
// not implement it.
func capabilityCases() []testCase {
	return []testCase{
		{"DiskAttacher/AttachAndDetachOnARunningInstance", testDiskRunning},
		{"DiskAttacher/AttachAndDetachOnAStoppedInstance", testDiskStopped},
		{"DiskAttacher/ConflictsAreInvalidArgument", testDiskConflicts},
		{"DiskAttacher/AttachedDisksSurviveARestart", testDiskRestart},
		{"DiskAttacher/MissingIsNotFound", testDiskMissing},
		{"NICAttacher/AttachAndDetach", testNICAttach},
		{"NICAttacher/ConflictsAreInvalidArgument", testNICConflicts},
		{"NICAttacher/MissingIsNotFound", testNICMissing},
		{"Resizer/ResizesAStoppedInstance", testResizeStopped},
		{"Resizer/RunningIsInvalidState", testResizeRunning},
		{"Resizer/RejectsAnInvalidSize", testResizeInvalid},
		{"Consoler/ReadsTheConsole", testConsole},
	}
}

func (e *env) diskAttacher() driver.DiskAttacher {
	da, ok := e.d.(driver.DiskAttacher)
	if !ok {
		e.t.Skipf("driver %s does not implement DiskAttacher", e.d.Name())
	}
	return da
}

func (e *env) nicAttacher() driver.NICAttacher {
	na, ok := e.d.(driver.NICAttacher)
	if !ok {
		e.t.Skipf("driver %s does not implement NICAttacher", e.d.Name())
	}
	return na
}

func (e *env) resizer() driver.Resizer {
	r, ok := e.d.(driver.Resizer)
	if !ok {
		e.t.Skipf("driver %s does not implement Resizer", e.d.Name())
	}
	return r
}

// attachDetach attaches a data disk to h twice, detaches it twice and checks that
// the instance is in state throughout.
func (e *env) attachDetach(h driver.Handle, state driver.PowerState) {
	e.t.Helper()
	da := e.diskAttacher()
	disk := e.dataDisk("d-data-1", "/dev/xvdb")
	h = e.must(da.AttachDisk(e.ctx(), h, disk))
	h = e.must(da.AttachDisk(e.ctx(), h, disk))
	e.want(e.d, h, state)
	h = e.must(da.DetachDisk(e.ctx(), h, disk.DiskID))
	h = e.must(da.DetachDisk(e.ctx(), h, disk.DiskID))
	e.want(e.d, h, state)
	// The device is free again: another disk may take it.
	e.must(da.AttachDisk(e.ctx(), h, e.dataDisk("d-data-2", "/dev/xvdb")))
}

func testDiskRunning(e *env) { e.attachDetach(e.running(), driver.Running) }

func testDiskStopped(e *env) {
	e.diskAttacher()
	h := e.create()
	e.attachDetach(h, driver.Stopped)
	h = e.must(e.d.Start(e.ctx(), h))
	e.want(e.d, h, driver.Running)
}

func testDiskConflicts(e *env) {
	da := e.diskAttacher()
	h := e.running()
	h = e.must(da.AttachDisk(e.ctx(), h, e.dataDisk("d-data-1", "/dev/xvdb")))
	_, err := da.AttachDisk(e.ctx(), h, e.dataDisk("d-data-2", "/dev/xvdb"))
	e.wantErr("AttachDisk at a taken device", err, driver.ErrInvalidArgument)
	_, err = da.AttachDisk(e.ctx(), h, e.dataDisk("d-data-1", "/dev/xvdc"))
	e.wantErr("AttachDisk of an attached disk at another device", err, driver.ErrInvalidArgument)
	_, err = da.DetachDisk(e.ctx(), h, e.lastSpec().SystemDisk.DiskID)
	e.wantErr("DetachDisk of the system disk", err, driver.ErrInvalidArgument)
	_, err = da.AttachDisk(e.ctx(), h, driver.DiskSpec{DiskID: "d-data-3"})
	e.wantErr("AttachDisk without device and size", err, driver.ErrInvalidArgument)
}

func testDiskRestart(e *env) {
	da := e.diskAttacher()
	h := e.running()
	h = e.must(da.AttachDisk(e.ctx(), h, e.dataDisk("d-data-1", "/dev/xvdb")))
	d2 := e.restart()
	h2 := e.must(d2.Recover(e.ctx(), h))
	da2 := d2.(driver.DiskAttacher)
	_, err := da2.AttachDisk(e.ctx(), h2, e.dataDisk("d-data-2", "/dev/xvdb"))
	e.wantErr("AttachDisk at the device taken before the restart", err, driver.ErrInvalidArgument)
	h2 = e.must(da2.DetachDisk(e.ctx(), h2, "d-data-1"))
	e.must(da2.AttachDisk(e.ctx(), h2, e.dataDisk("d-data-2", "/dev/xvdb")))
}

func testDiskMissing(e *env) {
	da := e.diskAttacher()
	h := e.deleted()
	_, err := da.AttachDisk(e.ctx(), h, e.dataDisk("d-data-1", "/dev/xvdb"))
	e.wantErr("AttachDisk to a deleted instance", err, driver.ErrNotFound)
	_, err = da.DetachDisk(e.ctx(), h, "d-data-1")
	e.wantErr("DetachDisk from a deleted instance", err, driver.ErrNotFound)
}

func testNICAttach(e *env) {
	na := e.nicAttacher()
	for _, h := range []driver.Handle{e.running(), e.create()} {
		state, err := e.d.Inspect(e.ctx(), h)
		e.ok("Inspect", err)
		nic := e.nic("eni-second", "00:16:3e:00:00:02")
		h = e.must(na.AttachNIC(e.ctx(), h, nic))
		h = e.must(na.AttachNIC(e.ctx(), h, nic))
		h = e.must(na.DetachNIC(e.ctx(), h, nic.NetworkInterfaceID))
		h = e.must(na.DetachNIC(e.ctx(), h, nic.NetworkInterfaceID))
		e.want(e.d, h, state)
	}
}

func testNICConflicts(e *env) {
	na := e.nicAttacher()
	h := e.running()
	primary := e.lastSpec().NICs
	if len(primary) == 0 {
		e.t.Skip("the harness's spec has no NIC")
	}
	h = e.must(na.AttachNIC(e.ctx(), h, e.nic("eni-second", "00:16:3e:00:00:02")))
	_, err := na.AttachNIC(e.ctx(), h, e.nic("eni-third", "00:16:3E:00:00:02"))
	e.wantErr("AttachNIC with a MAC in use", err, driver.ErrInvalidArgument)
	_, err = na.AttachNIC(e.ctx(), h, e.nic("eni-second", "00:16:3e:00:00:03"))
	e.wantErr("AttachNIC of an attached NIC with another MAC", err, driver.ErrInvalidArgument)
	_, err = na.DetachNIC(e.ctx(), h, primary[0].NetworkInterfaceID)
	e.wantErr("DetachNIC of the primary NIC", err, driver.ErrInvalidArgument)
	_, err = na.AttachNIC(e.ctx(), h, driver.NICSpec{NetworkInterfaceID: "eni-bad", MAC: "not-a-mac"})
	e.wantErr("AttachNIC with a malformed MAC", err, driver.ErrInvalidArgument)
}

func testNICMissing(e *env) {
	na := e.nicAttacher()
	h := e.deleted()
	_, err := na.AttachNIC(e.ctx(), h, e.nic("eni-second", "00:16:3e:00:00:02"))
	e.wantErr("AttachNIC to a deleted instance", err, driver.ErrNotFound)
	_, err = na.DetachNIC(e.ctx(), h, "eni-second")
	e.wantErr("DetachNIC from a deleted instance", err, driver.ErrNotFound)
}

func testResizeStopped(e *env) {
	r := e.resizer()
	h := e.create()
	size := driver.ResizeSpec{VCPU: 2, MemoryMiB: 2048}
	h = e.must(r.Resize(e.ctx(), h, size))
	h = e.must(r.Resize(e.ctx(), h, size))
	e.want(e.d, h, driver.Stopped)
	h = e.must(e.d.Start(e.ctx(), h))
	e.want(e.d, h, driver.Running)
}

func testResizeRunning(e *env) {
	r := e.resizer()
	h := e.running()
	_, err := r.Resize(e.ctx(), h, driver.ResizeSpec{VCPU: 2, MemoryMiB: 2048})
	e.wantErr("Resize of a running instance", err, driver.ErrInvalidState)
	_, err = r.Resize(e.ctx(), e.deleted(), driver.ResizeSpec{VCPU: 2, MemoryMiB: 2048})
	e.wantErr("Resize of a deleted instance", err, driver.ErrNotFound)
}

func testResizeInvalid(e *env) {
	r := e.resizer()
	_, err := r.Resize(e.ctx(), e.create(), driver.ResizeSpec{})
	e.wantErr("Resize to 0 vCPU", err, driver.ErrInvalidArgument)
}

func testConsole(e *env) {
	c, ok := e.d.(driver.Consoler)
	if !ok {
		e.t.Skipf("driver %s does not implement Consoler", e.d.Name())
	}
	_, err := c.ConsoleOutput(e.ctx(), e.running())
	e.ok("ConsoleOutput", err)
	_, err = c.ConsoleOutput(e.ctx(), e.deleted())
	e.wantErr("ConsoleOutput of a deleted instance", err, driver.ErrNotFound)
}
