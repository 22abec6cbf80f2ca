package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/sim"
)

func ptr(d sim.Duration) *sim.Duration { return &d }

func TestFault_startFailsOnce(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, Times: 1, Error: "no host capacity"}}})
	h := create(t, d, "i-1")
	_, err := d.Start(t.Context(), h)
	wantErr(t, "first Start", err, driver.ErrTransient)
	if !strings.Contains(err.Error(), "no host capacity") {
		t.Errorf("error %q lacks the rule's message", err)
	}
	wantState(t, d, h, driver.Stopped)
	start(t, d, h)
	wantState(t, d, h, driver.Running)
}

func TestFault_failsAtTheEndOfTheDelayAndRevertsTheState(t *testing.T) {
	d, clk := newSim(t, sim.Config{
		Delays: sim.Delays{Boot: secs(10)},
		Faults: []sim.Fault{{Op: sim.OpStart, Error: "image corrupt", Kind: sim.KindPermanent}},
	})
	h := create(t, d, "i-1")
	ch := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting) // the control plane sees Starting first
	clk.Advance(10 * time.Second)
	err := await(t, ch).err
	if err == nil || !strings.Contains(err.Error(), "image corrupt") {
		t.Fatalf("Start: %v, want the injected failure", err)
	}
	for _, s := range []error{driver.ErrTransient, driver.ErrNotFound, driver.ErrInvalidState} {
		if errors.Is(err, s) {
			t.Errorf("a permanent fault wraps %v", s)
		}
	}
	wantState(t, d, h, driver.Stopped)
}

func TestFault_skipLetsCallsThrough(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, Skip: 1, Times: 1, Kind: sim.KindTransient}}})
	h := create(t, d, "i-1")
	stopped := driver.StopOptions{Force: true}
	start(t, d, h)
	if _, err := d.Start(t.Context(), h); err != nil { // a no-op Start consumes nothing
		t.Fatal(err)
	}
	if _, err := d.Stop(t.Context(), h, stopped); err != nil {
		t.Fatal(err)
	}
	_, err := d.Start(t.Context(), h)
	wantErr(t, "second boot", err, driver.ErrTransient)
	start(t, d, h)
}

func TestFault_matchesItsInstanceOnly(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, InstanceID: "i-2", Kind: sim.KindUnsupported}}})
	start(t, d, create(t, d, "i-1"))
	_, err := d.Start(t.Context(), create(t, d, "i-2"))
	wantErr(t, "Start of i-2", err, driver.ErrUnsupported)
}

func TestFault_anyOpMatchesEveryCall(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpAny, InstanceID: "i-2", Kind: sim.KindNotFound}}})
	h1 := create(t, d, "i-1")
	_, err := d.Create(t.Context(), specOf("i-2"))
	wantErr(t, "Create of i-2", err, driver.ErrNotFound)
	wantState(t, d, h1, driver.Stopped)
}

func TestFault_kindsWrapTheirSentinels(t *testing.T) {
	for kind, want := range map[sim.ErrorKind]error{
		"":                      driver.ErrTransient,
		sim.KindTransient:       driver.ErrTransient,
		sim.KindNotFound:        driver.ErrNotFound,
		sim.KindInvalidState:    driver.ErrInvalidState,
		sim.KindInvalidArgument: driver.ErrInvalidArgument,
		sim.KindUnsupported:     driver.ErrUnsupported,
		sim.KindTimeout:         driver.ErrTimeout,
	} {
		d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpInspect, Error: "boom", Kind: kind}}})
		_, err := d.Inspect(t.Context(), create(t, d, "i-1"))
		wantErr(t, "Inspect with kind "+string(kind), err, want)
	}
}

func TestFault_inspectFailsTransientlyThenRecovers(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpInspect, Times: 2, Error: "QMP socket busy"}}})
	h := create(t, d, "i-1")
	for range 2 {
		_, err := d.Inspect(t.Context(), h)
		wantErr(t, "Inspect", err, driver.ErrTransient)
	}
	wantState(t, d, h, driver.Stopped)
}

func TestFault_delayReplacesTheConfiguredDelay(t *testing.T) {
	d, clk := newSim(t, sim.Config{
		Delays: sim.Delays{Boot: secs(30)},
		Faults: []sim.Fault{{Op: sim.OpStart, InstanceID: "i-fast", Delay: ptr(0)}, {Op: sim.OpStart, InstanceID: "i-slow", Delay: ptr(secs(300))}},
	})
	start(t, d, create(t, d, "i-fast")) // instant, no clock advance needed
	h := create(t, d, "i-slow")
	ch := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(299 * time.Second)
	notYet(t, ch, "slow Start")
	clk.Advance(time.Second)
	if r := await(t, ch); r.err != nil {
		t.Fatal(r.err)
	}
}

func TestFault_stopHangsUntilForced(t *testing.T) {
	d, clk := newSim(t, sim.Config{
		Delays:      sim.Delays{Stop: secs(5)},
		StopTimeout: secs(120),
		Faults:      []sim.Fault{{Op: sim.OpStop, Hang: true}}, // every graceful stop
	})
	h := start(t, d, create(t, d, "i-1"))

	// A graceful stop with a 30s timeout: Stopping for 30s, then back to Running.
	ch := stopAsync(t.Context(), d, h, driver.StopOptions{Timeout: 30 * time.Second})
	eventuallyState(t, d, h, driver.Stopping)
	clk.Advance(29 * time.Second)
	notYet(t, ch, "hanging Stop")
	clk.Advance(time.Second)
	wantErr(t, "hanging Stop", await(t, ch).err, driver.ErrTimeout)
	wantState(t, d, h, driver.Running)

	// Another graceful stop hangs too; a forced one ends both.
	graceful := stopAsync(t.Context(), d, h, driver.StopOptions{})
	eventuallyState(t, d, h, driver.Stopping)
	if _, err := d.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
		t.Fatalf("forced Stop: %v", err)
	}
	if r := await(t, graceful); r.err != nil {
		t.Fatalf("the graceful Stop should end with the forced one: %v", r.err)
	}
	wantState(t, d, h, driver.Stopped)
}

func TestFault_stopTimeoutDefaults(t *testing.T) {
	d, clk := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStop, Hang: true}}})
	h := start(t, d, create(t, d, "i-1"))
	ch := stopAsync(t.Context(), d, h, driver.StopOptions{})
	eventuallyState(t, d, h, driver.Stopping)
	clk.Advance(sim.DefaultStopTimeout - time.Second)
	notYet(t, ch, "hanging Stop")
	clk.Advance(time.Second)
	wantErr(t, "hanging Stop", await(t, ch).err, driver.ErrTimeout)
}

func TestFault_slowGuestTimesOut(t *testing.T) {
	d, clk := newSim(t, sim.Config{Delays: sim.Delays{Stop: secs(90)}})
	h := start(t, d, create(t, d, "i-1"))
	ch := stopAsync(t.Context(), d, h, driver.StopOptions{Timeout: time.Minute})
	eventuallyState(t, d, h, driver.Stopping)
	clk.Advance(time.Minute)
	wantErr(t, "slow Stop", await(t, ch).err, driver.ErrTimeout)
	wantState(t, d, h, driver.Running)
}

func TestFault_gracefulRebootHangsUntilTimeout(t *testing.T) {
	d, clk := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpReboot, Hang: true, Times: 1}}})
	h := start(t, d, create(t, d, "i-1"))
	ch := async(func() (driver.Handle, error) {
		return d.Reboot(t.Context(), h, driver.RebootOptions{Timeout: 10 * time.Second})
	})
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(10 * time.Second)
	wantErr(t, "hanging Reboot", await(t, ch).err, driver.ErrTimeout)
	wantState(t, d, h, driver.Running)
	if _, err := d.Reboot(t.Context(), h, driver.RebootOptions{}); err != nil {
		t.Fatalf("Reboot after the fault: %v", err)
	}
}

func TestFault_hangNeverMatchesForcedCalls(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStop, Hang: true, Times: 1}}})
	h := start(t, d, create(t, d, "i-1"))
	if _, err := d.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	start(t, d, h)
	// The rule was not consumed by the forced call: this graceful stop hangs.
	ch := stopAsync(t.Context(), d, h, driver.StopOptions{})
	eventuallyState(t, d, h, driver.Stopping)
	notYet(t, ch, "hanging Stop")
}

func TestFault_hangingStartEndsWithAForcedStop(t *testing.T) {
	d, clk := newSim(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, Hang: true}}})
	h := create(t, d, "i-1")
	ch := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(24 * time.Hour)
	wantState(t, d, h, driver.Starting)
	notYet(t, ch, "hanging Start")
	if _, err := d.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "hanging Start", await(t, ch).err, driver.ErrInvalidState)
	wantState(t, d, h, driver.Stopped)
}

func TestFault_crashAfter(t *testing.T) {
	d, clk := newSim(t, sim.Config{
		Delays: sim.Delays{Boot: secs(10)},
		Faults: []sim.Fault{{Op: sim.OpStart, Times: 1, CrashAfter: secs(90)}},
	})
	h := create(t, d, "i-1")
	ch := startAsync(t.Context(), d, h)
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(10 * time.Second)
	await(t, ch)
	clk.Advance(89 * time.Second)
	wantState(t, d, h, driver.Running)
	clk.Advance(time.Second)
	wantState(t, d, h, driver.Crashed)
	out, _ := d.ConsoleOutput(t.Context(), h)
	if !strings.Contains(string(out), "2026-03-01T09:01:40.000Z Kernel panic") {
		t.Errorf("console lacks the panic at boot+90s:\n%s", out)
	}
	ch = startAsync(t.Context(), d, h) // Start accepts a crashed instance
	eventuallyState(t, d, h, driver.Starting)
	clk.Advance(10 * time.Second)
	if r := await(t, ch); r.err != nil {
		t.Fatal(r.err)
	}
	clk.Advance(24 * time.Hour)
	wantState(t, d, h, driver.Running) // the rule fired once
}

func TestFault_attachAndResize(t *testing.T) {
	d, _ := newSim(t, sim.Config{Faults: []sim.Fault{
		{Op: sim.OpAttachDisk, Times: 1, Error: "bus full"},
		{Op: sim.OpResize, Kind: sim.KindUnsupported},
	}})
	h := create(t, d, "i-1")
	disk := specOf("i-1").SystemDisk
	disk.DiskID, disk.Device = "d-1", "/dev/xvdb"
	_, err := d.AttachDisk(t.Context(), h, disk)
	wantErr(t, "AttachDisk", err, driver.ErrTransient)
	if _, err := d.AttachDisk(t.Context(), h, disk); err != nil {
		t.Fatalf("AttachDisk after the fault: %v", err)
	}
	_, err = d.Resize(t.Context(), h, driver.ResizeSpec{VCPU: 4, MemoryMiB: 8192})
	wantErr(t, "Resize", err, driver.ErrUnsupported)
}
