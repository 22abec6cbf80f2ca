package driver

import (
	"context"
	"fmt"
	"time"
)

// Compute runs instances: the per-instance life cycle every driver implements.
// Implementations are safe for concurrent use. See the package documentation for
// the rules on contexts, idempotency, handles and errors that every method follows.
type Compute interface {
	// Name returns the driver's name ("sim", "qemu"); it is written in every Handle
	// the driver returns and checked in every Handle it is given.
	Name() string

	// Create defines the instance described by spec (its runtime definition, not its
	// disks, which the volume layer provides) and leaves it Stopped. It is
	// idempotent on spec.InstanceID: when the instance already exists, Create
	// returns its current Handle and ignores the rest of spec. A spec that fails
	// InstanceSpec.Validate is ErrInvalidArgument.
	Create(ctx context.Context, spec InstanceSpec) (Handle, error)

	// Start boots the instance and returns once it is Running. Starting a Running
	// instance succeeds at once; Start while a boot is under way joins it; Start of
	// a Crashed instance boots it again; Start while a shutdown is under way is
	// ErrInvalidState.
	Start(ctx context.Context, h Handle) (Handle, error)

	// Stop shuts the instance down and returns once it is Stopped. Without Force it
	// asks the guest (ACPI power button) and waits up to opts.Timeout; a guest that
	// has not stopped by then leaves the instance Running and the call fails with
	// ErrTimeout. With Force it powers the instance off at once, ending any
	// operation under way. Stop of a Stopped instance succeeds; Stop of a Crashed
	// one cleans it up and leaves it Stopped.
	Stop(ctx context.Context, h Handle, opts StopOptions) (Handle, error)

	// Reboot restarts a Running (or Crashed) instance and returns once it is
	// Running again. Without Force the guest is asked first, as for Stop; with Force
	// the instance is reset. Reboot joins a boot or reboot under way; Reboot of a
	// Stopped instance, or during a shutdown, is ErrInvalidState.
	Reboot(ctx context.Context, h Handle, opts RebootOptions) (Handle, error)

	// Delete powers the instance off if needed and removes everything the driver
	// holds for it, except its disks. Deleting a missing instance succeeds.
	Delete(ctx context.Context, h Handle) error

	// Inspect reports the instance's power state as the driver observes it now,
	// including the transitional Starting and Stopping while an operation runs and
	// Crashed when the instance died on its own. An instance the driver does not
	// have is Missing (not an error).
	Inspect(ctx context.Context, h Handle) (PowerState, error)

	// Recover re-attaches the driver to an instance after a daemon restart, from
	// the Handle alone, and returns a fresh Handle. It never boots or stops the
	// instance and never starts a second copy: when the driver already has the
	// instance (Recover called twice, or with an older Handle), it returns the live
	// instance's Handle unchanged. An instance the driver knows to be gone is
	// ErrNotFound.
	Recover(ctx context.Context, h Handle) (Handle, error)
}

// Handle is the driver's opaque, versioned per-instance state. The control plane
// persists it with the instance after every successful call and passes it back
// unchanged, including after a daemon restart (see Compute.Recover). Only the driver
// named in Driver interprets State.
type Handle struct {
	// Driver is the name of the driver that made the handle (Compute.Name).
	Driver string `json:"driver"`
	// Version is the layout of State; a driver reads every version it ever wrote
	// and refuses newer ones with ErrInvalidArgument.
	Version int `json:"version"`
	// State is the driver's own encoding of what it needs to find the instance
	// again: for the sim driver the spec and power state, for QEMU the pid, QMP
	// socket and tap names.
	State []byte `json:"state"`
}

// IsZero reports whether h is the zero Handle (what a failed call returns).
func (h Handle) IsZero() bool { return h.Driver == "" && h.Version == 0 && len(h.State) == 0 }

// Clone returns a copy of h that shares no memory with it.
func (h Handle) Clone() Handle {
	h.State = append([]byte(nil), h.State...)
	return h
}

// Check returns an error wrapping ErrInvalidArgument unless h was made by the driver
// called name with a Version between 1 and maxVersion.
func (h Handle) Check(name string, maxVersion int) error {
	switch {
	case h.Driver != name:
		return fmt.Errorf("%w: handle of driver %q given to driver %q", ErrInvalidArgument, h.Driver, name)
	case h.Version < 1 || h.Version > maxVersion:
		return fmt.Errorf("%w: %s handle version %d (this driver reads 1 to %d)", ErrInvalidArgument, name, h.Version, maxVersion)
	}
	return nil
}

// PowerState is an instance's power state as a driver observes it. The control
// plane maps it to ECS statuses (Pending is the control plane's own, before Create
// returns).
type PowerState string

// The power states.
const (
	// Missing: the driver has no such instance (never created, or deleted).
	Missing PowerState = "Missing"
	// Stopped: defined but not running.
	Stopped PowerState = "Stopped"
	// Starting: a boot or reboot is under way.
	Starting PowerState = "Starting"
	// Running: the instance is up.
	Running PowerState = "Running"
	// Stopping: a shutdown is under way.
	Stopping PowerState = "Stopping"
	// Crashed: the instance stopped without being asked to (the hypervisor process
	// died, the guest panicked). Start, Reboot, Stop and Delete all accept it.
	Crashed PowerState = "Crashed"
)

// Transitional reports whether p is an operation under way (Starting, Stopping).
func (p PowerState) Transitional() bool { return p == Starting || p == Stopping }

// Valid reports whether p is one of the power states above.
func (p PowerState) Valid() bool {
	switch p {
	case Missing, Stopped, Starting, Running, Stopping, Crashed:
		return true
	}
	return false
}

// StopOptions tune Compute.Stop.
type StopOptions struct {
	// Force powers the instance off without asking the guest (ECS ForceStop=true).
	Force bool
	// Timeout bounds a graceful stop: how long the guest has to shut down before
	// Stop fails with ErrTimeout. Zero or less means the driver's default. Ignored
	// with Force.
	Timeout time.Duration
}

// RebootOptions tune Compute.Reboot.
type RebootOptions struct {
	// Force resets the instance without asking the guest (ECS ForceStop=true).
	Force bool
	// Timeout bounds the graceful part of a reboot, as StopOptions.Timeout does.
	// Zero or less means the driver's default. Ignored with Force.
	Timeout time.Duration
}
