package drivertest

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// recoverCases cover Recover and the handle rules.
func recoverCases() []testCase {
	return []testCase{
		{"Recover/SameDriverReturnsTheLiveInstance", testRecoverSameDriver},
		{"Recover/AnOldHandleDoesNotResetTheInstance", testRecoverOldHandle},
		{"Recover/RestartedDriverReattachesARunningInstance", testRecoverRunning},
		{"Recover/RestartedDriverReattachesAStoppedInstance", testRecoverStopped},
		{"Recover/IsIdempotent", testRecoverIdempotent},
		{"Recover/DeletedIsNotFound", testRecoverDeleted},
		{"Handle/SurvivesPersistence", testHandlePersisted},
		{"Handle/OfAnotherDriverIsInvalidArgument", testHandleForeign},
		{"Handle/OfANewerVersionIsInvalidArgument", testHandleNewer},
		{"Handle/ZeroIsInvalidArgument", testHandleZero},
	}
}

func testRecoverSameDriver(e *env) {
	h := e.running()
	h2 := e.must(e.d.Recover(e.ctx(), h))
	e.want(e.d, h2, driver.Running)
	e.must(e.d.Stop(e.ctx(), h2, driver.StopOptions{}))
	e.want(e.d, h, driver.Stopped)
}

func testRecoverOldHandle(e *env) {
	h0 := e.create()
	e.must(e.d.Start(e.ctx(), h0))
	h := e.must(e.d.Recover(e.ctx(), h0))
	e.want(e.d, h, driver.Running)
	e.want(e.d, h0, driver.Running)
}

func testRecoverRunning(e *env) {
	h := e.running()
	d2 := e.restart()
	h2 := e.must(d2.Recover(e.ctx(), h))
	// Running at once, not Starting: the instance was re-attached, not booted again.
	e.want(d2, h2, driver.Running)
	h2 = e.must(d2.Start(e.ctx(), h2))
	e.want(d2, h2, driver.Running)
	h2 = e.must(d2.Stop(e.ctx(), h2, driver.StopOptions{}))
	e.want(d2, h2, driver.Stopped)
	e.ok("Delete of the recovered instance", d2.Delete(e.ctx(), h2))
	e.want(d2, h2, driver.Missing)
}

func testRecoverStopped(e *env) {
	h := e.must(e.d.Stop(e.ctx(), e.running(), driver.StopOptions{}))
	d2 := e.restart()
	h2 := e.must(d2.Recover(e.ctx(), h))
	e.want(d2, h2, driver.Stopped)
	h2 = e.must(d2.Start(e.ctx(), h2))
	e.want(d2, h2, driver.Running)
}

func testRecoverIdempotent(e *env) {
	h := e.running()
	d2 := e.restart()
	h2 := e.must(d2.Recover(e.ctx(), h))
	h3 := e.must(d2.Recover(e.ctx(), h))
	e.want(d2, h3, driver.Running)
	e.must(d2.Stop(e.ctx(), h2, driver.StopOptions{Force: true}))
	e.want(d2, h3, driver.Stopped) // one instance behind both handles
	h4 := e.must(d2.Recover(e.ctx(), h))
	e.want(d2, h4, driver.Stopped)
}

func testRecoverDeleted(e *env) {
	_, err := e.d.Recover(e.ctx(), e.deleted())
	e.wantErr("Recover of an instance this driver deleted", err, driver.ErrNotFound)
}

func testHandlePersisted(e *env) {
	h := e.running()
	b, err := json.Marshal(h)
	e.ok("marshal handle", err)
	var back driver.Handle
	e.ok("unmarshal handle", json.Unmarshal(b, &back))
	e.want(e.d, back, driver.Running)
	e.want(e.d, h.Clone(), driver.Running)
	back = e.must(e.d.Stop(e.ctx(), back, driver.StopOptions{}))
	e.want(e.d, h, driver.Stopped)
}

// allCalls runs every Compute method with h and returns the errors by name.
func (e *env) allCalls(h driver.Handle) map[string]error {
	ctx := e.ctx()
	errs := map[string]error{}
	_, errs["Start"] = e.d.Start(ctx, h)
	_, errs["Stop"] = e.d.Stop(ctx, h, driver.StopOptions{Force: true})
	_, errs["Reboot"] = e.d.Reboot(ctx, h, driver.RebootOptions{Force: true})
	_, errs["Inspect"] = e.d.Inspect(ctx, h)
	_, errs["Recover"] = e.d.Recover(ctx, h)
	errs["Delete"] = e.d.Delete(ctx, h)
	return errs
}

func (e *env) wantAllInvalid(what string, h driver.Handle) {
	e.t.Helper()
	for call, err := range e.allCalls(h) {
		e.wantErr(call+" with "+what, err, driver.ErrInvalidArgument)
	}
}

func testHandleForeign(e *env) {
	h := e.running()
	foreign := h.Clone()
	foreign.Driver = "not-" + h.Driver
	e.wantAllInvalid("a handle of another driver", foreign)
	e.want(e.d, h, driver.Running)
}

func testHandleNewer(e *env) {
	h := e.running()
	newer := h.Clone()
	newer.Version += 1000
	e.wantAllInvalid("a handle of a newer version", newer)
	e.want(e.d, h, driver.Running)
}

func testHandleZero(e *env) {
	e.wantAllInvalid("the zero handle", driver.Handle{})
}

// contextCases cover cancellation.
func contextCases() []testCase {
	return []testCase{
		{"Context/ADoneContextDoesNothing", testContextDone},
		{"Context/DeadlineDuringStartThenRetry", testContextStartRetry},
		{"Context/DeadlineDuringStopThenRetry", testContextStopRetry},
		{"Context/DeadlineDuringRebootThenRetry", testContextRebootRetry},
	}
}

func testContextDone(e *env) {
	done, cancel := context.WithCancel(e.ctx())
	cancel()
	canceled := func(what string, err error) {
		e.t.Helper()
		e.wantErr(what+" with a cancelled context", err, context.Canceled)
	}
	spec := e.spec()
	_, err := e.d.Create(done, spec)
	canceled("Create", err)
	h := e.must(e.d.Create(e.ctx(), spec))
	e.want(e.d, h, driver.Stopped) // the cancelled Create left nothing behind to trip on
	_, err = e.d.Start(done, h)
	canceled("Start", err)
	e.want(e.d, h, driver.Stopped)
	h = e.must(e.d.Start(e.ctx(), h))
	_, err = e.d.Stop(done, h, driver.StopOptions{Force: true})
	canceled("Stop", err)
	_, err = e.d.Reboot(done, h, driver.RebootOptions{Force: true})
	canceled("Reboot", err)
	canceled("Delete", e.d.Delete(done, h))
	_, err = e.d.Inspect(done, h)
	canceled("Inspect", err)
	_, err = e.d.Recover(done, h)
	canceled("Recover", err)
	e.want(e.d, h, driver.Running)
}

// shortCall runs call with a context that ends after a millisecond: the call either
// finishes in time or returns the deadline error.
func (e *env) shortCall(what string, call func(ctx context.Context) error) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx(), time.Millisecond)
	defer cancel()
	err := call(ctx)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		e.t.Fatalf("%s with a 1ms deadline: %v; want nil or the deadline error", what, err)
	}
}

func testContextStartRetry(e *env) {
	h := e.create()
	e.shortCall("Start", func(ctx context.Context) error { _, err := e.d.Start(ctx, h); return err })
	h = e.must(e.d.Start(e.ctx(), h))
	e.want(e.d, h, driver.Running)
}

func testContextStopRetry(e *env) {
	h := e.running()
	e.shortCall("Stop", func(ctx context.Context) error { _, err := e.d.Stop(ctx, h, driver.StopOptions{}); return err })
	h = e.must(e.d.Stop(e.ctx(), h, driver.StopOptions{}))
	e.want(e.d, h, driver.Stopped)
}

func testContextRebootRetry(e *env) {
	h := e.running()
	e.shortCall("Reboot", func(ctx context.Context) error {
		_, err := e.d.Reboot(ctx, h, driver.RebootOptions{})
		return err
	})
	h = e.must(e.d.Reboot(e.ctx(), h, driver.RebootOptions{}))
	e.want(e.d, h, driver.Running)
}
