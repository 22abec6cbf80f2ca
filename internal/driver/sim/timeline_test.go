package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
	"github.com/ecsd/ecsd/internal/driver/sim"
)

func TestStart_showsStartingForTheBootDelay(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(30)}})
	h := create(t, d, "i-1")
	ch := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(29 * time.Second)
	wantState(t, d, h, driver.Starting)
	notYet(t, ch, "Start")
	clk.Advance(time.Second)
	r := await(t, ch)
	if r.err != nil {
		t.Fatalf("Start: %v", r.err)
	}
	wantState(t, d, r.h, driver.Running)
}

func TestStart_cancelledCallerLeavesTheBootRunning(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(30)}})
	h := create(t, d, "i-1")
	ctx, cancel := context.WithCancel(t.Context())
	ch := startAsync(ctx, d, h)
	eventuallyState(t, d, h, driver.Starting)
	cancel()
	wantErr(t, "cancelled Start", await(t, ch).err, context.Canceled)
	wantState(t, d, h, driver.Starting)
	clk.Advance(30 * time.Second)
	wantState(t, d, h, driver.Running) // nobody waited: the timeline is evaluated lazily
}

func TestStart_repeatedCallJoinsTheBootUnderWay(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(30)}})
	h := create(t, d, "i-1")
	first := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(20 * time.Second)
	second := startAsync(t.Context(), d, h)
	eventually(t, "the second Start to wait on the clock", func() bool { return clk.Waiters() >= 2 })
	clk.Advance(10 * time.Second) // 30s after the first call: both are done
	for _, ch := range []<-chan result{first, second} {
		if r := await(t, ch); r.err != nil {
			t.Fatalf("Start: %v", r.err)
		}
	}
}

func TestStart_whileStoppingIsInvalidState(t *testing.T) {
	d, _ := newSim(t, sim.Config{Delays: sim.Delays{Stop: secs(10)}})
	h := start(t, d, create(t, d, "i-1"))
	stopAsync(t.Context(), d, h, driver.StopOptions{})
	eventuallyState(t, d, h, driver.Stopping)
	_, err := d.Start(t.Context(), h)
	wantErr(t, "Start while Stopping", err, driver.ErrInvalidState)
}

func TestStop_gracefulShowsStoppingForTheStopDelay(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Stop: secs(10), ForceStop: secs(1)}})
	h := start(t, d, create(t, d, "i-1"))
	ch := stopAsync(t.Context(), d, h, driver.StopOptions{})
	eventuallyState(t, d, h, driver.Stopping)
	clk.Advance(9 * time.Second)
	notYet(t, ch, "Stop")
	clk.Advance(time.Second)
	if r := await(t, ch); r.err != nil {
		t.Fatalf("Stop: %v", r.err)
	}
	wantState(t, d, h, driver.Stopped)
}

func TestStop_gracefulWaitsForTheBootUnderWay(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(10), Stop: secs(5)}})
	h := create(t, d, "i-1")
	started := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	stopped := stopAsync(t.Context(), d, h, driver.StopOptions{})
	eventually(t, "both calls to wait on the clock", func() bool { return clk.Waiters() >= 2 })
	clk.Advance(10 * time.Second)
	if r := await(t, started); r.err != nil {
		t.Fatalf("Start: %v", r.err)
	}
	eventuallyState(t, d, h, driver.Stopping)
	notYet(t, stopped, "Stop")
	clk.Advance(5 * time.Second)
	if r := await(t, stopped); r.err != nil {
		t.Fatalf("Stop: %v", r.err)
	}
	wantState(t, d, h, driver.Stopped)
}

func TestStop_forcedEndsABootAndTheBootFails(t *testing.T) {
	d, _ := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(60)}})
	h := create(t, d, "i-1")
	started := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	if _, err := d.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
		t.Fatalf("forced Stop: %v", err)
	}
	wantErr(t, "the interrupted Start", await(t, started).err, driver.ErrInvalidState)
	wantState(t, d, h, driver.Stopped)
}

func TestStop_ofACrashedInstanceCleansUp(t *testing.T) {
	d, clk := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, CrashAfter: secs(5)}}})
	h := start(t, d, create(t, d, "i-1"))
	clk.Advance(5 * time.Second)
	wantState(t, d, h, driver.Crashed)
	if _, err := d.Stop(t.Context(), h, driver.StopOptions{}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	wantState(t, d, h, driver.Stopped)
}

func TestReboot_showsStartingForTheRebootDelay(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Reboot: secs(8)}})
	h := start(t, d, create(t, d, "i-1"))
	ch := async(func() (driver.Handle, error) { return d.Reboot(t.Context(), h, driver.RebootOptions{}) })
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(7 * time.Second)
	notYet(t, ch, "Reboot")
	clk.Advance(time.Second)
	if r := await(t, ch); r.err != nil {
		t.Fatalf("Reboot: %v", r.err)
	}
	wantState(t, d, h, driver.Running)
}

func TestReboot_startsACrashedInstance(t *testing.T) {
	d, clk := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, CrashAfter: secs(1)}}})
	h := start(t, d, create(t, d, "i-1"))
	clk.Advance(time.Second)
	wantState(t, d, h, driver.Crashed)
	if _, err := d.Reboot(t.Context(), h, driver.RebootOptions{}); err != nil {
		t.Fatalf("Reboot: %v", err)
	}
	wantState(t, d, h, driver.Running)
}

func TestCreate_takesTheCreateDelayAndCancelLeavesNothing(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Create: secs(3)}})
	spec := drivertest.DefaultSpec("i-1")
	ctx, cancel := context.WithCancel(t.Context())
	ch := async(func() (driver.Handle, error) { return d.Create(ctx, spec) })
	eventually(t, "Create to wait on the clock", func() bool { return clk.Waiters() == 1 })
	cancel()
	wantErr(t, "cancelled Create", await(t, ch).err, context.Canceled)
	// A handle for the same spec, made by another driver, finds nothing here.
	other, _ := newSim(t, sim.Config{})
	wantState(t, d, create(t, other, "i-1"), driver.Missing)

	ch = async(func() (driver.Handle, error) { return d.Create(t.Context(), spec) })
	// The cancelled call's wait stays registered on the fake clock: wait for two.
	eventually(t, "Create to wait on the clock", func() bool { return clk.Waiters() == 2 })
	clk.Advance(3 * time.Second)
	r := await(t, ch)
	if r.err != nil {
		t.Fatalf("Create: %v", r.err)
	}
	wantState(t, d, r.h, driver.Stopped)
}

func TestDelete_takesTheDeleteDelayAndEndsABoot(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(60), Delete: secs(2)}})
	h := create(t, d, "i-1")
	started := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	deleted := async(func() (driver.Handle, error) { return driver.Handle{}, d.Delete(t.Context(), h) })
	eventually(t, "Delete to wait on the clock", func() bool { return clk.Waiters() >= 2 })
	wantState(t, d, h, driver.Starting) // Delete has not happened yet
	clk.Advance(2 * time.Second)
	if r := await(t, deleted); r.err != nil {
		t.Fatalf("Delete: %v", r.err)
	}
	wantErr(t, "Start ended by Delete", await(t, started).err, driver.ErrNotFound)
	wantState(t, d, h, driver.Missing)
}

func TestAttachDisk_waitsTheAttachDelayAndCancelChangesNothing(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Attach: secs(4)}})
	h := start(t, d, create(t, d, "i-1"))
	disk := drivertest.DefaultDataDisk("d-1", "/dev/xvdb")
	ctx, cancel := context.WithCancel(t.Context())
	ch := async(func() (driver.Handle, error) { return d.AttachDisk(ctx, h, disk) })
	eventually(t, "AttachDisk to wait on the clock", func() bool { return clk.Waiters() == 1 })
	cancel()
	wantErr(t, "cancelled AttachDisk", await(t, ch).err, context.Canceled)
	// The device is still free: another disk can take it.
	ch = async(func() (driver.Handle, error) {
		return d.AttachDisk(t.Context(), h, drivertest.DefaultDataDisk("d-2", "/dev/xvdb"))
	})
	eventually(t, "AttachDisk to wait on the clock", func() bool { return clk.Waiters() == 2 })
	clk.Advance(4 * time.Second)
	if r := await(t, ch); r.err != nil {
		t.Fatalf("AttachDisk: %v", r.err)
	}
}

func TestConsoleOutput_tellsTheStory(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Boot: secs(20)}})
	h := create(t, d, "i-1")
	ch := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(20 * time.Second)
	await(t, ch)
	if _, err := d.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	out, err := d.ConsoleOutput(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"2026-03-01T09:00:00.000Z [    0.000000] Linux version",
		"2026-03-01T09:00:20.000Z host-i-1 login:",
		"reboot: Power down",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}

func TestConsoleOutput_keepsABoundedTail(t *testing.T) {
	d, _ := newSim(t, sim.Config{})
	h := create(t, d, "i-1")
	for range 600 { // about three times the bound
		start(t, d, h)
		if _, err := d.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := d.ConsoleOutput(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > 64<<10 || !strings.HasSuffix(string(out), "reboot: Power down\n") {
		t.Fatalf("console output is %d bytes ending %q", len(out), out[max(0, len(out)-40):])
	}
}
