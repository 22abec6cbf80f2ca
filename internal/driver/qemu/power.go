package qemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// opKind is the kind of a power operation under way.
type opKind int

const (
	opStart opKind = iota + 1
	opReboot
	opStop
	opForceStop
	opDelete
)

// operation is a power operation running in the background on behalf of every
// caller that waits for it: a caller whose context ends leaves it running, and a
// repeated call joins it.
type operation struct {
	kind   opKind
	done   chan struct{}
	err    error              // set before done closes
	cancel context.CancelFunc // ends the operation early (superseded)
	next   *operation         // the operation that superseded this one, if any
}

// instance serialises the operations on one instance ID.
type instance struct {
	mu sync.Mutex
	op *operation // under way, or nil
}

// instance returns the lock holder of id.
func (d *Driver) instance(id string) *instance {
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.instances[id]
	if in == nil {
		in = &instance{}
		d.instances[id] = in
	}
	return in
}

// run starts an operation of kind on in, superseding the one under way (which is
// cancelled; its waiters follow to the new one). Callers hold in.mu.
func (d *Driver) run(in *instance, kind opKind, body func(ctx context.Context) error) *operation {
	ctx, cancel := context.WithCancel(context.Background())
	op := &operation{kind: kind, done: make(chan struct{}), cancel: cancel}
	prev := in.op
	if prev != nil {
		prev.next = op
		prev.cancel()
	}
	in.op = op
	go func() {
		defer cancel()
		if prev != nil {
			<-prev.done
		}
		err := body(ctx)
		in.mu.Lock()
		op.err = err
		if in.op == op {
			in.op = nil
		}
		in.mu.Unlock()
		close(op.done)
	}()
	return op
}

// wait waits for op (following the operations that superseded it) or ctx.
func wait(ctx context.Context, op *operation) error {
	for {
		select {
		case <-op.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		next := op.next
		switch {
		case next == nil:
			return op.err
		case next.kind == opDelete:
			return fmt.Errorf("%w: the instance was deleted", driver.ErrNotFound)
		case (op.kind == opStart || op.kind == opReboot) && next.kind == opForceStop:
			return fmt.Errorf("%w: the instance was powered off while it booted", driver.ErrInvalidState)
		}
		op = next
	}
}

// finish returns id's handle after a successful wait.
func (d *Driver) finish(id string, err error) (driver.Handle, error) {
	if err != nil {
		return driver.Handle{}, err
	}
	return d.handle(id), nil
}

// Start boots the instance and returns once QEMU reports it running.
func (d *Driver) Start(ctx context.Context, h driver.Handle) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	in := d.instance(id)
	for {
		in.mu.Lock()
		if op := in.op; op != nil {
			in.mu.Unlock()
			switch op.kind {
			case opStart, opReboot:
				return d.finish(id, wait(ctx, op))
			case opDelete:
				if err := wait(ctx, op); errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					return driver.Handle{}, err
				}
				continue
			}
			return driver.Handle{}, fmt.Errorf("%w: %s is stopping", driver.ErrInvalidState, id)
		}
		state, err := d.observe(ctx, id)
		if err != nil {
			in.mu.Unlock()
			return driver.Handle{}, err
		}
		switch state {
		case driver.Missing:
			in.mu.Unlock()
			return driver.Handle{}, fmt.Errorf("%w: %s", driver.ErrNotFound, id)
		case driver.Running:
			in.mu.Unlock()
			return d.handle(id), nil
		}
		op := d.run(in, opStart, func(ctx context.Context) error { return d.boot(ctx, id) })
		in.mu.Unlock()
		return d.finish(id, wait(ctx, op))
	}
}

// Stop shuts the instance down: gracefully (system_powerdown until the guest powers
// off, ErrTimeout after the timeout) or forced (quit, then SIGKILL).
func (d *Driver) Stop(ctx context.Context, h driver.Handle, opts driver.StopOptions) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = d.cfg.StopTimeout
	}
	in := d.instance(id)
	for {
		in.mu.Lock()
		if op := in.op; op != nil {
			switch {
			case op.kind == opDelete || (!opts.Force && (op.kind == opStart || op.kind == opReboot)):
				// Wait for it to end, then look again.
				in.mu.Unlock()
				if err := wait(ctx, op); ctx.Err() != nil {
					return driver.Handle{}, err
				}
				continue
			case op.kind == opForceStop || (!opts.Force && op.kind == opStop):
				in.mu.Unlock()
				return d.finish(id, wait(ctx, op))
			}
			// A forced stop replaces a boot, a reboot or a graceful stop.
			next := d.run(in, opForceStop, func(ctx context.Context) error { return d.powerOff(id) })
			in.mu.Unlock()
			return d.finish(id, wait(ctx, next))
		}
		state, err := d.observe(ctx, id)
		if err != nil {
			in.mu.Unlock()
			return driver.Handle{}, err
		}
		switch state {
		case driver.Missing:
			in.mu.Unlock()
			return driver.Handle{}, fmt.Errorf("%w: %s", driver.ErrNotFound, id)
		case driver.Stopped, driver.Crashed:
			err := d.powerOff(id) // a guest-powered-off QEMU, or a crash's leftovers
			in.mu.Unlock()
			return d.finish(id, err)
		}
		var op *operation
		if opts.Force {
			op = d.run(in, opForceStop, func(ctx context.Context) error { return d.powerOff(id) })
		} else {
			op = d.run(in, opStop, func(ctx context.Context) error {
				if err := d.powerdown(ctx, id, timeout); err != nil {
					return err
				}
				return d.powerOff(id)
			})
		}
		in.mu.Unlock()
		return d.finish(id, wait(ctx, op))
	}
}

// Reboot restarts a Running instance in the same QEMU process: a graceful
// power-off then system_reset + cont, or system_reset alone when forced. A
// Crashed instance boots again.
func (d *Driver) Reboot(ctx context.Context, h driver.Handle, opts driver.RebootOptions) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = d.cfg.StopTimeout
	}
	in := d.instance(id)
	for {
		in.mu.Lock()
		if op := in.op; op != nil {
			in.mu.Unlock()
			switch op.kind {
			case opStart, opReboot:
				return d.finish(id, wait(ctx, op))
			case opDelete:
				if err := wait(ctx, op); ctx.Err() != nil {
					return driver.Handle{}, err
				}
				continue
			}
			return driver.Handle{}, fmt.Errorf("%w: %s is stopping", driver.ErrInvalidState, id)
		}
		state, err := d.observe(ctx, id)
		if err != nil {
			in.mu.Unlock()
			return driver.Handle{}, err
		}
		var op *operation
		switch state {
		case driver.Missing:
			in.mu.Unlock()
			return driver.Handle{}, fmt.Errorf("%w: %s", driver.ErrNotFound, id)
		case driver.Stopped:
			in.mu.Unlock()
			return driver.Handle{}, fmt.Errorf("%w: %s is stopped", driver.ErrInvalidState, id)
		case driver.Crashed:
			op = d.run(in, opStart, func(ctx context.Context) error { return d.boot(ctx, id) })
		default:
			op = d.run(in, opReboot, func(ctx context.Context) error {
				if !opts.Force {
					if err := d.powerdown(ctx, id, timeout); err != nil {
						return err
					}
				}
				return d.reset(ctx, id)
			})
		}
		in.mu.Unlock()
		return d.finish(id, wait(ctx, op))
	}
}

// Delete kills the instance's QEMU (ending any operation under way) and removes
// its directory; disks at their own paths are left alone.
func (d *Driver) Delete(ctx context.Context, h driver.Handle) (err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return err
	}
	in := d.instance(id)
	in.mu.Lock()
	if op := in.op; op != nil && op.kind == opDelete {
		in.mu.Unlock()
		return wait(ctx, op)
	}
	if in.op == nil && !d.exists(id) {
		in.mu.Unlock()
		return nil
	}
	op := d.run(in, opDelete, func(ctx context.Context) error {
		if err := d.powerOff(id); err != nil {
			return err
		}
		if err := d.unplugNICs(ctx, id); err != nil {
			return err
		}
		d.mu.Lock()
		d.deleted[id] = true
		d.mu.Unlock()
		// The spec goes first: without it the instance no longer exists, even
		// if removing the rest fails.
		if err := os.Remove(d.path(id, specFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %v", driver.ErrTransient, err)
		}
		if err := os.RemoveAll(d.dir(id)); err != nil {
			return fmt.Errorf("%w: %v", driver.ErrTransient, err)
		}
		return nil
	})
	in.mu.Unlock()
	return wait(ctx, op)
}

// boot launches QEMU for id (ending a powered-off one first) and returns once it
// reports running.
func (d *Driver) boot(ctx context.Context, id string) error {
	spec, err := d.readSpec(id)
	if err != nil {
		return err
	}
	if err := d.terminate(id); err != nil { // a QEMU whose guest powered off
		return err
	}
	if err := d.setIntent(id, "running"); err != nil {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	if err := d.launch(ctx, spec); err != nil {
		d.setIntent(id, "stopped")
		return err
	}
	st, err := d.status(ctx, id)
	if err != nil {
		return err
	}
	if st != "running" {
		return fmt.Errorf("%w: %s: qemu status %q after start", driver.ErrTransient, id, st)
	}
	return nil
}

// powerOff records that id should be stopped and ends its QEMU.
func (d *Driver) powerOff(id string) error {
	if err := d.setIntent(id, "stopped"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	return d.terminate(id)
}

// powerdown presses the ACPI power button of id every PowerdownInterval until the
// guest has powered off (QEMU, run with -no-shutdown, stays in state "shutdown")
// or timeout has passed (ErrTimeout; the guest keeps running).
func (d *Driver) powerdown(ctx context.Context, id string, timeout time.Duration) error {
	c, err := d.dial(ctx, id)
	if err != nil {
		if d.livePID(id) == 0 {
			return nil // it is already gone
		}
		return err
	}
	defer c.Close()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(d.cfg.PowerdownInterval)
	defer tick.Stop()
	press := func() error {
		qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
		defer cancel()
		if _, err := c.Execute(qctx, "system_powerdown", nil); err != nil {
			return err
		}
		st, err := c.QueryStatus(qctx)
		if err != nil {
			return err
		}
		if st.Status == "shutdown" {
			return errPoweredOff
		}
		return nil
	}
	for {
		switch err := press(); {
		case errors.Is(err, errPoweredOff):
			return nil
		case err != nil && d.livePID(id) == 0:
			return nil // QEMU exited
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
		}
		for waiting := true; waiting; {
			select {
			case ev, ok := <-c.Events():
				if !ok || ev.Name == "SHUTDOWN" {
					return nil
				}
			case <-tick.C:
				waiting = false
			case <-deadline.C:
				return fmt.Errorf("%w: %s did not power off within %s", driver.ErrTimeout, id, timeout)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// errPoweredOff ends powerdown's loop.
var errPoweredOff = errors.New("powered off")

// reset resets id's machine and lets it run (a powered-off guest sits in state
// "shutdown", and after the reset in "prelaunch", until cont).
func (d *Driver) reset(ctx context.Context, id string) error {
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	if _, err := c.Execute(qctx, "system_reset", nil); err != nil {
		return fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
	}
	st, err := c.QueryStatus(qctx)
	if err == nil && st.Status != "running" {
		_, err = c.Execute(qctx, "cont", nil)
		if err == nil {
			st, err = c.QueryStatus(qctx)
		}
		if err == nil && st.Status != "running" {
			err = fmt.Errorf("status %q after reset", st.Status)
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
	}
	return nil
}
