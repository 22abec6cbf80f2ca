package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
)

// Name is the sim driver's name, written in its handles.
const Name = "sim"

// handleVersion is the layout of handleState; see the decode function for what
// older versions would need.
const handleVersion = 1

// Driver is the simulated compute driver. Instances live in memory; their power
// states follow a timeline on the injected clock. It implements driver.Compute and
// every optional capability. Create one with New; it is safe for concurrent use.
type Driver struct {
	cfg Config
	clk clock.Waiter

	mu        sync.Mutex
	instances map[string]*instance
	deleted   map[string]bool // IDs deleted by this Driver, so Recover can refuse them
	faults    faultSet
}

var (
	_ driver.Compute      = (*Driver)(nil)
	_ driver.DiskAttacher = (*Driver)(nil)
	_ driver.NICAttacher  = (*Driver)(nil)
	_ driver.Resizer      = (*Driver)(nil)
	_ driver.Consoler     = (*Driver)(nil)
)

// New returns a sim driver with cfg's delays and faults, timed by clk (clock.Real{}
// when nil; a *clock.Fake in tests). It fails when cfg does not validate.
func New(cfg Config, clk clock.Waiter) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sim config: %w", err)
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &Driver{
		cfg:       cfg,
		clk:       clk,
		instances: map[string]*instance{},
		deleted:   map[string]bool{},
		faults:    newFaultSet(cfg.Faults),
	}, nil
}

// Name returns "sim".
func (d *Driver) Name() string { return Name }

// handleState is what a sim Handle carries: enough to rebuild the instance in a new
// Driver (after ecsd restarts), because the simulated instance "kept running" while
// the daemon was down.
type handleState struct {
	// Spec is the instance's spec, with the disks and NICs attached since.
	Spec driver.InstanceSpec `json:"spec"`
	// Power is the settled power state: Stopped, Running or Crashed.
	Power driver.PowerState `json:"power"`
	// Since is when the instance entered Power (for Running: when it booted).
	Since time.Time `json:"since"`
	// CrashAt is when an injected crash is due (zero: none).
	CrashAt time.Time `json:"crashAt,omitzero"`
}

// handleOf encodes in as a Handle. The caller holds d.mu.
func handleOf(in *instance) (driver.Handle, error) {
	b, err := json.Marshal(handleState{Spec: in.spec, Power: in.power, Since: in.since, CrashAt: in.crashAt})
	if err != nil {
		return driver.Handle{}, fmt.Errorf("sim: encode handle: %w", err)
	}
	return driver.Handle{Driver: Name, Version: handleVersion, State: b}, nil
}

// decode checks h and reads its state. Version 1 is the only layout so far; a new
// layout bumps handleVersion and keeps reading the old ones here.
func decode(h driver.Handle) (handleState, error) {
	if err := h.Check(Name, handleVersion); err != nil {
		return handleState{}, err
	}
	var st handleState
	if err := json.Unmarshal(h.State, &st); err != nil {
		return handleState{}, fmt.Errorf("%w: sim handle: %v", driver.ErrInvalidArgument, err)
	}
	switch {
	case st.Spec.InstanceID == "":
		return handleState{}, fmt.Errorf("%w: sim handle without an instance ID", driver.ErrInvalidArgument)
	case st.Power != driver.Stopped && st.Power != driver.Running && st.Power != driver.Crashed:
		return handleState{}, fmt.Errorf("%w: sim handle with power state %q", driver.ErrInvalidArgument, st.Power)
	}
	return st, nil
}

// idOf returns the instance ID h names, or an error when h is not a sim handle.
func idOf(h driver.Handle) (string, error) {
	st, err := decode(h)
	return st.Spec.InstanceID, err
}

// pause waits for an effect's delay, or forever when it hangs, honouring ctx.
func (d *Driver) pause(ctx context.Context, e effect) error {
	if e.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if e.delay <= 0 {
		return ctx.Err()
	}
	select {
	case <-d.clk.After(e.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Create adds a Stopped instance after the create delay. An instance ID the driver
// already has returns that instance's handle at once; one it deleted is created
// anew.
func (d *Driver) Create(ctx context.Context, spec driver.InstanceSpec) (driver.Handle, error) {
	if err := spec.Validate(); err != nil {
		return driver.Handle{}, err
	}
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	id := spec.InstanceID
	d.mu.Lock()
	if in := d.instances[id]; in != nil {
		defer d.mu.Unlock()
		return handleOf(in)
	}
	e := d.effect(OpCreate, id, false, d.cfg.Delays.Create)
	d.mu.Unlock()
	if err := d.pause(ctx, e); err != nil {
		return driver.Handle{}, err
	}
	if e.err != nil {
		return driver.Handle{}, e.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.instances[id]
	if in == nil {
		now := d.clk.Now()
		in = &instance{spec: spec.Clone(), power: driver.Stopped, since: now}
		in.console.printf(now, "instance %s defined: %d vCPU, %d MiB, image %s", id, spec.VCPU, spec.MemoryMiB, spec.ImageID)
		d.instances[id] = in
		delete(d.deleted, id)
	}
	return handleOf(in)
}

// Delete removes the instance after the delete delay, ending any operation under
// way (its callers see driver.ErrNotFound). A missing instance succeeds at once.
func (d *Driver) Delete(ctx context.Context, h driver.Handle) error {
	id, err := idOf(h)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	if d.instances[id] == nil {
		d.mu.Unlock()
		return nil
	}
	e := d.effect(OpDelete, id, false, d.cfg.Delays.Delete)
	d.mu.Unlock()
	if err := d.pause(ctx, e); err != nil {
		return err
	}
	if e.err != nil {
		return e.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if in := d.instances[id]; in != nil {
		if in.tr != nil {
			in.interrupt(fmt.Errorf("sim: %s %s: interrupted by Delete: %w", in.tr.op, id, driver.ErrNotFound))
		}
		delete(d.instances, id)
		d.deleted[id] = true
	}
	return nil
}

// Inspect reports the instance's power state on the timeline at the clock's now.
// Inspect faults fire on every call.
func (d *Driver) Inspect(ctx context.Context, h driver.Handle) (driver.PowerState, error) {
	id, err := idOf(h)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	d.mu.Lock()
	e := d.effect(OpInspect, id, false, 0)
	d.mu.Unlock()
	if err := d.pause(ctx, e); err != nil {
		return "", err
	}
	if e.err != nil {
		return "", e.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.instances[id]
	if in == nil {
		return driver.Missing, nil
	}
	in.advance(d.clk.Now())
	return in.observed(), nil
}

// Recover rebuilds the instance from its handle when this Driver does not have it
// (a new Driver after ecsd restarted: the simulated instance kept its power state
// while the daemon was down), or returns the live instance's handle when it does.
// An instance this Driver deleted is driver.ErrNotFound. Recover faults fire on
// every call; CrashAfter makes a recovered Running instance crash that long after.
func (d *Driver) Recover(ctx context.Context, h driver.Handle) (driver.Handle, error) {
	st, err := decode(h)
	if err != nil {
		return driver.Handle{}, err
	}
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	id := st.Spec.InstanceID
	d.mu.Lock()
	e := d.effect(OpRecover, id, false, 0)
	d.mu.Unlock()
	if err := d.pause(ctx, e); err != nil {
		return driver.Handle{}, err
	}
	if e.err != nil {
		return driver.Handle{}, e.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if in := d.instances[id]; in != nil {
		in.advance(d.clk.Now())
		return handleOf(in)
	}
	if d.deleted[id] {
		return driver.Handle{}, fmt.Errorf("sim: recover %s: deleted: %w", id, driver.ErrNotFound)
	}
	now := d.clk.Now()
	in := &instance{spec: st.Spec, power: st.Power, since: st.Since, crashAt: st.CrashAt}
	if in.power == driver.Running && e.crashAfter > 0 {
		in.crashAt = now.Add(e.crashAfter)
	}
	in.console.printf(now, "ecsd-sim: instance %s recovered by a restarted ecsd (%s since %s)", id, in.power, in.since.UTC().Format(time.RFC3339))
	in.advance(now)
	d.instances[id] = in
	return handleOf(in)
}
