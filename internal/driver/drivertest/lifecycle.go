package drivertest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// lifecycleCases cover Create, Start, Stop, Reboot, Delete and Inspect.
func lifecycleCases() []testCase {
	return []testCase{
		{"Create/LeavesTheInstanceStopped", testCreateStopped},
		{"Create/IsIdempotentOnInstanceID", testCreateIdempotent},
		{"Create/RejectsAnInvalidSpec", testCreateInvalid},
		{"Create/AfterDeleteCreatesAnew", testCreateAfterDelete},
		{"Start/RunsTheInstance", testStart},
		{"Start/IsIdempotent", testStartIdempotent},
		{"Start/ConcurrentCallsAllSucceed", testStartConcurrent},
		{"Start/MissingIsNotFound", testStartMissing},
		{"Stop/GracefulStopsTheInstance", testStopGraceful},
		{"Stop/ForcedStopsTheInstance", testStopForced},
		{"Stop/IsIdempotent", testStopIdempotent},
		{"Stop/ForcedEndsABootUnderWay", testStopDuringBoot},
		{"Stop/MissingIsNotFound", testStopMissing},
		{"Reboot/GracefulLeavesItRunning", testRebootGraceful},
		{"Reboot/ForcedLeavesItRunning", testRebootForced},
		{"Reboot/StoppedIsInvalidState", testRebootStopped},
		{"Reboot/MissingIsNotFound", testRebootMissing},
		{"Delete/RemovesAStoppedInstance", testDeleteStopped},
		{"Delete/RemovesARunningInstance", testDeleteRunning},
		{"Delete/IsIdempotent", testDeleteIdempotent},
		{"Delete/EndsABootUnderWay", testDeleteDuringBoot},
		{"Inspect/AnOldHandleSeesTheLiveState", testInspectOldHandle},
		{"Lifecycle/FullCycle", testFullCycle},
	}
}

func testCreateStopped(e *env) {
	h := e.create()
	if h.Driver != e.d.Name() {
		e.t.Fatalf("handle names driver %q, want %q", h.Driver, e.d.Name())
	}
}

func testCreateIdempotent(e *env) {
	spec := e.spec()
	h1 := e.must(e.d.Create(e.ctx(), spec))
	h2 := e.must(e.d.Create(e.ctx(), spec))
	e.want(e.d, h2, driver.Stopped)
	e.must(e.d.Start(e.ctx(), h1))
	h3 := e.must(e.d.Create(e.ctx(), spec))
	e.want(e.d, h3, driver.Running) // the existing instance, not a reset one
	e.want(e.d, h2, driver.Running)
}

func testCreateInvalid(e *env) {
	spec := e.spec()
	spec.InstanceID = ""
	_, err := e.d.Create(e.ctx(), spec)
	e.wantErr("Create without InstanceID", err, driver.ErrInvalidArgument)
	spec = e.spec()
	spec.VCPU = 0
	_, err = e.d.Create(e.ctx(), spec)
	e.wantErr("Create with 0 vCPU", err, driver.ErrInvalidArgument)
	spec = e.spec()
	spec.SystemDisk.Device = ""
	_, err = e.d.Create(e.ctx(), spec)
	e.wantErr("Create with a system disk without device", err, driver.ErrInvalidArgument)
}

func testCreateAfterDelete(e *env) {
	spec := e.spec()
	h := e.must(e.d.Create(e.ctx(), spec))
	e.must(e.d.Start(e.ctx(), h))
	e.ok("Delete", e.d.Delete(e.ctx(), h))
	h = e.must(e.d.Create(e.ctx(), spec))
	e.want(e.d, h, driver.Stopped)
}

func testStart(e *env) {
	h := e.must(e.d.Start(e.ctx(), e.create()))
	e.want(e.d, h, driver.Running)
}

func testStartIdempotent(e *env) {
	h0 := e.create()
	h1 := e.must(e.d.Start(e.ctx(), h0))
	h2 := e.must(e.d.Start(e.ctx(), h1))
	e.must(e.d.Start(e.ctx(), h0))
	e.want(e.d, h2, driver.Running)
}

func testStartConcurrent(e *env) {
	h := e.create()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = e.d.Start(e.ctx(), h) })
	}
	wg.Wait()
	for i, err := range errs {
		e.ok(fmt.Sprintf("concurrent Start %d", i), err)
	}
	e.want(e.d, h, driver.Running)
}

func testStartMissing(e *env) {
	_, err := e.d.Start(e.ctx(), e.deleted())
	e.wantErr("Start of a deleted instance", err, driver.ErrNotFound)
}

func testStopGraceful(e *env) {
	h := e.must(e.d.Stop(e.ctx(), e.running(), driver.StopOptions{}))
	e.want(e.d, h, driver.Stopped)
	h = e.must(e.d.Start(e.ctx(), h))
	e.want(e.d, h, driver.Running)
}

func testStopForced(e *env) {
	h := e.must(e.d.Stop(e.ctx(), e.running(), driver.StopOptions{Force: true}))
	e.want(e.d, h, driver.Stopped)
}

func testStopIdempotent(e *env) {
	h := e.create()
	e.must(e.d.Stop(e.ctx(), h, driver.StopOptions{}))
	e.must(e.d.Start(e.ctx(), h))
	e.must(e.d.Stop(e.ctx(), h, driver.StopOptions{}))
	e.must(e.d.Stop(e.ctx(), h, driver.StopOptions{}))
	e.must(e.d.Stop(e.ctx(), h, driver.StopOptions{Force: true}))
	e.want(e.d, h, driver.Stopped)
}

func testStopDuringBoot(e *env) {
	h := e.create()
	ctx, cancel := context.WithTimeout(e.ctx(), time.Millisecond)
	_, err := e.d.Start(ctx, h)
	cancel()
	e.wantErrOrNil("Start with a 1ms deadline", err, context.DeadlineExceeded)
	h = e.must(e.d.Stop(e.ctx(), h, driver.StopOptions{Force: true}))
	e.want(e.d, h, driver.Stopped)
}

func testStopMissing(e *env) {
	_, err := e.d.Stop(e.ctx(), e.deleted(), driver.StopOptions{})
	e.wantErr("Stop of a deleted instance", err, driver.ErrNotFound)
}

func testRebootGraceful(e *env) {
	h := e.must(e.d.Reboot(e.ctx(), e.running(), driver.RebootOptions{}))
	e.want(e.d, h, driver.Running)
	h = e.must(e.d.Reboot(e.ctx(), h, driver.RebootOptions{}))
	e.want(e.d, h, driver.Running)
}

func testRebootForced(e *env) {
	h := e.must(e.d.Reboot(e.ctx(), e.running(), driver.RebootOptions{Force: true}))
	e.want(e.d, h, driver.Running)
}

func testRebootStopped(e *env) {
	h := e.create()
	_, err := e.d.Reboot(e.ctx(), h, driver.RebootOptions{})
	e.wantErr("Reboot of a stopped instance", err, driver.ErrInvalidState)
	e.want(e.d, h, driver.Stopped)
}

func testRebootMissing(e *env) {
	_, err := e.d.Reboot(e.ctx(), e.deleted(), driver.RebootOptions{Force: true})
	e.wantErr("Reboot of a deleted instance", err, driver.ErrNotFound)
}

func testDeleteStopped(e *env) {
	h := e.create()
	e.ok("Delete", e.d.Delete(e.ctx(), h))
	e.want(e.d, h, driver.Missing)
}

func testDeleteRunning(e *env) {
	h := e.running()
	e.ok("Delete", e.d.Delete(e.ctx(), h))
	e.want(e.d, h, driver.Missing)
}

func testDeleteIdempotent(e *env) {
	h0 := e.create()
	h1 := e.must(e.d.Start(e.ctx(), h0))
	e.ok("Delete", e.d.Delete(e.ctx(), h1))
	e.ok("Delete again", e.d.Delete(e.ctx(), h1))
	e.ok("Delete with the Create handle", e.d.Delete(e.ctx(), h0))
	e.want(e.d, h0, driver.Missing)
}

func testDeleteDuringBoot(e *env) {
	h := e.create()
	ctx, cancel := context.WithTimeout(e.ctx(), time.Millisecond)
	_, err := e.d.Start(ctx, h)
	cancel()
	e.wantErrOrNil("Start with a 1ms deadline", err, context.DeadlineExceeded)
	e.ok("Delete", e.d.Delete(e.ctx(), h))
	e.want(e.d, h, driver.Missing)
	_, err = e.d.Start(e.ctx(), h)
	e.wantErr("Start after Delete", err, driver.ErrNotFound)
}

func testInspectOldHandle(e *env) {
	h0 := e.create()
	e.must(e.d.Start(e.ctx(), h0))
	e.want(e.d, h0, driver.Running)
	e.must(e.d.Stop(e.ctx(), h0, driver.StopOptions{Force: true}))
	e.want(e.d, h0, driver.Stopped)
}

func testFullCycle(e *env) {
	h := e.create()
	steps := []struct {
		what string
		call func(driver.Handle) (driver.Handle, error)
		want driver.PowerState
	}{
		{"Start", func(h driver.Handle) (driver.Handle, error) { return e.d.Start(e.ctx(), h) }, driver.Running},
		{"Reboot", func(h driver.Handle) (driver.Handle, error) { return e.d.Reboot(e.ctx(), h, driver.RebootOptions{}) }, driver.Running},
		{"Stop", func(h driver.Handle) (driver.Handle, error) { return e.d.Stop(e.ctx(), h, driver.StopOptions{}) }, driver.Stopped},
		{"Start", func(h driver.Handle) (driver.Handle, error) { return e.d.Start(e.ctx(), h) }, driver.Running},
		{"forced Reboot", func(h driver.Handle) (driver.Handle, error) {
			return e.d.Reboot(e.ctx(), h, driver.RebootOptions{Force: true})
		}, driver.Running},
		{"forced Stop", func(h driver.Handle) (driver.Handle, error) {
			return e.d.Stop(e.ctx(), h, driver.StopOptions{Force: true})
		}, driver.Stopped},
	}
	for _, s := range steps {
		next, err := s.call(h)
		e.ok(s.what, err)
		h = e.must(next, nil)
		e.want(e.d, h, s.want)
	}
	e.ok("Delete", e.d.Delete(e.ctx(), h))
	e.want(e.d, h, driver.Missing)
}
