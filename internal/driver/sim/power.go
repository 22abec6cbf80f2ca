package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// errInterrupted ends a transition that another one with the same target replaced
// (a forced Stop replacing a graceful one): whoever waited on it looks at the
// instance again and joins the new one. A transition replaced by one with another
// target (a forced Stop ending a boot) or ended by Delete ends with an error instead.
var errInterrupted = errors.New("sim: operation interrupted")

// instance is one simulated instance. power is its settled state (Stopped, Running,
// Crashed); while tr is set, what Inspect reports is tr.shows. The Driver's mutex
// guards every field.
type instance struct {
	spec    driver.InstanceSpec
	power   driver.PowerState
	since   time.Time // when power was entered
	crashAt time.Time // when an injected crash is due; zero: none
	tr      *transition
	console consoleLog
}

// transition is an operation on the instance's timeline: it shows a transitional
// state until `until`, then settles on `to` (or back on `from` when it carries a
// fault error, or when a graceful timeout at `giveUp` comes first).
type transition struct {
	op         Op
	shows      driver.PowerState // Starting or Stopping
	to, from   driver.PowerState
	force      bool
	until      time.Time // zero: never completes by itself (an injected hang)
	giveUp     time.Time // zero: no graceful timeout
	err        error     // an injected failure, returned when until is reached
	crashAfter time.Duration
	done       chan struct{} // closed when the transition has ended
	result     error         // set before done is closed
}

// next returns the earliest instant at which the transition may end on its own, or
// the zero time when it never will.
func (tr *transition) next() time.Time {
	switch {
	case tr.until.IsZero():
		return tr.giveUp
	case tr.giveUp.IsZero() || tr.until.Before(tr.giveUp):
		return tr.until
	}
	return tr.giveUp
}

// observed is the power state Inspect reports.
func (in *instance) observed() driver.PowerState {
	if in.tr != nil {
		return in.tr.shows
	}
	return in.power
}

// advance moves the instance along its timeline to now: it ends a transition whose
// time has come and applies a crash that is due. Evaluation is lazy, so the state
// is right whenever it is looked at, whoever looks.
func (in *instance) advance(now time.Time) {
	if tr := in.tr; tr != nil {
		end := tr.next()
		switch {
		case end.IsZero() || now.Before(end):
		case end.Equal(tr.giveUp) && (tr.until.IsZero() || tr.giveUp.Before(tr.until)):
			in.finish(tr.from, end, fmt.Errorf("sim: %s %s: the guest did not finish in time: %w", tr.op, in.spec.InstanceID, driver.ErrTimeout))
		case tr.err != nil:
			in.finish(tr.from, end, tr.err)
		default:
			in.finish(tr.to, end, nil)
		}
	}
	if in.tr == nil && in.power == driver.Running && !in.crashAt.IsZero() && !now.Before(in.crashAt) {
		in.power, in.since, in.crashAt = driver.Crashed, in.crashAt, time.Time{}
		in.console.printf(in.since, "Kernel panic - not syncing: simulated crash")
	}
}

// finish ends the current transition at `at` in state, with result for its callers.
func (in *instance) finish(state driver.PowerState, at time.Time, result error) {
	tr := in.tr
	in.tr = nil
	if state != in.power {
		in.power, in.since = state, at
	}
	switch {
	case result != nil:
		in.console.printf(at, "%s failed: %v", tr.op, result)
	case state == driver.Running:
		in.console.printf(at, "%s login:", in.hostname())
		if tr.crashAfter > 0 {
			in.crashAt = at.Add(tr.crashAfter)
		}
	case state == driver.Stopped:
		in.console.printf(at, "reboot: Power down")
	}
	tr.result = result
	close(tr.done)
}

// interrupt ends the current transition, if any, with result.
func (in *instance) interrupt(result error) {
	if tr := in.tr; tr != nil {
		in.tr = nil
		tr.result = result
		close(tr.done)
	}
}

// begin makes tr the instance's transition from now on (ending the one it
// replaces) and settles it at once when its delay is zero.
func (in *instance) begin(now time.Time, tr *transition) *transition {
	if old := in.tr; old != nil {
		result := errInterrupted
		if old.to != tr.to {
			result = fmt.Errorf("sim: %s %s: interrupted by a forced %s: %w", old.op, in.spec.InstanceID, tr.op, driver.ErrInvalidState)
		}
		in.interrupt(result)
	}
	in.crashAt = time.Time{}
	tr.from = in.power
	tr.done = make(chan struct{})
	in.tr = tr
	switch tr.shows {
	case driver.Starting:
		in.console.printf(now, "[    0.000000] Linux version 6.1.0-sim (ecsd simulated guest) %s: %d vCPU, %d MiB",
			tr.op, in.spec.VCPU, in.spec.MemoryMiB)
	case driver.Stopping:
		in.console.printf(now, "%s: system is going down (force=%t)", tr.op, tr.force)
	}
	in.advance(now)
	return tr
}

func (in *instance) hostname() string {
	if in.spec.Hostname != "" {
		return in.spec.Hostname
	}
	return in.spec.InstanceID
}

// step is what an operation decides after looking at the instance: succeed (the
// zero step), fail with err, or wait for a transition. When own is set the
// transition's result is the call's result; otherwise the call waits for it to end
// and looks again.
type step struct {
	err  error
	wait *transition
	own  bool
}

// drive runs a timeline operation: decide looks at the instance (under d.mu, at the
// clock's now) until it succeeds or fails, waiting for transitions in between.
func (d *Driver) drive(ctx context.Context, h driver.Handle, op Op, decide func(in *instance, now time.Time) step) (driver.Handle, error) {
	id, err := idOf(h)
	if err != nil {
		return driver.Handle{}, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return driver.Handle{}, err
		}
		d.mu.Lock()
		in := d.instances[id]
		if in == nil {
			d.mu.Unlock()
			return driver.Handle{}, fmt.Errorf("sim: %s %s: %w", op, id, driver.ErrNotFound)
		}
		now := d.clk.Now()
		in.advance(now)
		s := decide(in, now)
		switch {
		case s.err != nil:
			d.mu.Unlock()
			return driver.Handle{}, s.err
		case s.wait == nil:
			defer d.mu.Unlock()
			return handleOf(in)
		}
		d.mu.Unlock()
		err := d.await(ctx, id, s.wait)
		switch {
		case errors.Is(err, errInterrupted) || !s.own && ctx.Err() == nil:
			continue
		case err != nil:
			return driver.Handle{}, err
		}
		return d.current(id, op)
	}
}

// current returns the handle of instance id as it is now.
func (d *Driver) current(id string, op Op) (driver.Handle, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.instances[id]
	if in == nil {
		return driver.Handle{}, fmt.Errorf("sim: %s %s: %w", op, id, driver.ErrNotFound)
	}
	return handleOf(in)
}

// await waits until tr has ended and returns its result, or ctx's error if ctx ends
// first (the transition carries on). Nobody needs to call it for a transition to
// end: the timeline is evaluated whenever the instance is looked at.
func (d *Driver) await(ctx context.Context, id string, tr *transition) error {
	for {
		d.mu.Lock()
		now := d.clk.Now()
		if in := d.instances[id]; in != nil && in.tr == tr {
			in.advance(now)
		}
		select {
		case <-tr.done:
			d.mu.Unlock()
			return tr.result
		default:
		}
		next := tr.next()
		var timer <-chan time.Time
		if !next.IsZero() {
			timer = d.clk.After(next.Sub(now))
		}
		d.mu.Unlock()
		if !next.IsZero() && !d.clk.Now().Before(next) {
			continue // the clock moved between Now and After: look again
		}
		select {
		case <-timer:
		case <-tr.done:
		case <-ctx.Done():
			select {
			case <-tr.done:
				return tr.result
			default:
				return ctx.Err()
			}
		}
	}
}

// timeline builds a transition for op starting now, with faults applied to delay.
// The caller holds d.mu.
func (d *Driver) timeline(in *instance, now time.Time, op Op, force bool, delay Duration) *transition {
	e := d.effect(op, in.spec.InstanceID, force, delay)
	tr := &transition{op: op, force: force, err: e.err, crashAfter: e.crashAfter}
	if !e.hang {
		tr.until = now.Add(e.delay)
	}
	return tr
}

// gracefulTimeout is the timeout of a graceful stop or reboot.
func (d *Driver) gracefulTimeout(t time.Duration) time.Duration {
	switch {
	case t > 0:
		return t
	case d.cfg.StopTimeout > 0:
		return d.cfg.StopTimeout.Std()
	}
	return DefaultStopTimeout
}

func invalidState(op Op, in *instance) error {
	return fmt.Errorf("sim: %s %s: instance is %s: %w", op, in.spec.InstanceID, in.observed(), driver.ErrInvalidState)
}

// Start boots the instance: Starting for the boot delay, then Running.
func (d *Driver) Start(ctx context.Context, h driver.Handle) (driver.Handle, error) {
	return d.drive(ctx, h, OpStart, func(in *instance, now time.Time) step {
		switch {
		case in.tr != nil && in.tr.shows == driver.Starting:
			return step{wait: in.tr, own: true}
		case in.tr != nil:
			return step{err: invalidState(OpStart, in)}
		case in.power == driver.Running:
			return step{}
		}
		tr := d.timeline(in, now, OpStart, false, d.cfg.Delays.Boot)
		tr.shows, tr.to = driver.Starting, driver.Running
		return step{wait: in.begin(now, tr), own: true}
	})
}

// Stop shuts the instance down: Stopping for the stop (or force-stop) delay, then
// Stopped. A graceful Stop first lets a boot under way finish.
func (d *Driver) Stop(ctx context.Context, h driver.Handle, opts driver.StopOptions) (driver.Handle, error) {
	return d.drive(ctx, h, OpStop, func(in *instance, now time.Time) step {
		tr := in.tr
		switch {
		case tr != nil && tr.shows == driver.Stopping && (tr.force || !opts.Force):
			return step{wait: tr, own: true}
		case tr != nil && !opts.Force:
			return step{wait: tr} // let the boot finish, then stop
		case tr == nil && in.power == driver.Stopped:
			return step{}
		case tr == nil && in.power == driver.Crashed:
			in.power, in.since = driver.Stopped, now
			in.console.printf(now, "crashed instance cleaned up")
			return step{}
		}
		delay := d.cfg.Delays.Stop
		if opts.Force {
			delay = d.cfg.Delays.ForceStop
		}
		tr = d.timeline(in, now, OpStop, opts.Force, delay)
		tr.shows, tr.to = driver.Stopping, driver.Stopped
		if !opts.Force {
			tr.giveUp = now.Add(d.gracefulTimeout(opts.Timeout))
		}
		return step{wait: in.begin(now, tr), own: true}
	})
}

// Reboot restarts the instance: Starting for the reboot delay, then Running. A
// graceful reboot that the guest ignores (a Hang fault) times out like a graceful
// Stop and leaves the instance Running; unlike Stop, a long reboot delay alone never
// times out, since the timeout bounds only the guest's shutdown.
func (d *Driver) Reboot(ctx context.Context, h driver.Handle, opts driver.RebootOptions) (driver.Handle, error) {
	return d.drive(ctx, h, OpReboot, func(in *instance, now time.Time) step {
		switch {
		case in.tr != nil && in.tr.shows == driver.Starting:
			return step{wait: in.tr, own: true}
		case in.tr != nil || in.power == driver.Stopped:
			return step{err: invalidState(OpReboot, in)}
		}
		tr := d.timeline(in, now, OpReboot, opts.Force, d.cfg.Delays.Reboot)
		tr.shows, tr.to = driver.Starting, driver.Running
		if tr.until.IsZero() && in.power == driver.Running {
			// The guest ignores the request (a Hang fault; never on forced calls):
			// give up after the graceful timeout and leave it Running.
			tr.giveUp = now.Add(d.gracefulTimeout(opts.Timeout))
		}
		return step{wait: in.begin(now, tr), own: true}
	})
}
