package instance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Stopped modes of StopInstance (the SDK's StoppedMode).
const (
	StoppedModeKeepCharging = "KeepCharging"
	StoppedModeStopCharging = "StopCharging"
	// StoppedModeNotApplicable is what an instance that is not Stopped reports.
	StoppedModeNotApplicable = "Not-applicable"
)

// Start starts a Stopped instance (StartInstance 1.5.3): it becomes Starting at
// once and Running when the driver has booted it.
func (s *Service) Start(ctx context.Context, c Caller, id string, dryRun bool) error {
	return s.transition(ctx, c, id, dryRun, ErrNotFoundInRecords(), func(tx store.Tx, in *store.Instance, now time.Time) error {
		switch {
		case Locked(*in, LockSecurity):
			return ErrLockedForSecurity()
		case in.Status == StatusPending:
			return errNotReady()
		case in.Status != StatusStopped || Busy(*in) || Deleting(*in, now):
			return ErrIncorrectStatus()
		}
		if err := disksReady(tx, in.ID); err != nil {
			return err
		}
		in.Status, in.NextStatus, in.NextStatusAt = StatusStarting, intentRunning, now
		return nil
	})
}

// StopInput is a StopInstance call.
type StopInput struct {
	InstanceID string
	// Force powers the instance off instead of asking the guest (ForceStop).
	Force bool
	// StoppedMode is KeepCharging (default) or StopCharging.
	StoppedMode string
	DryRun      bool
}

// Stop stops a Running instance (StopInstance 1.5.4): it becomes Stopping at
// once and Stopped when the driver has shut it down. A guest that ignores a
// graceful stop is powered off.
func (s *Service) Stop(ctx context.Context, c Caller, in StopInput) error {
	mode := in.StoppedMode
	switch mode {
	case "":
		mode = StoppedModeKeepCharging
	case StoppedModeKeepCharging, StoppedModeStopCharging:
	default:
		return apierr.InvalidParameter("StoppedMode")
	}
	return s.transition(ctx, c, in.InstanceID, in.DryRun, ErrNotFoundInRecords(), func(_ store.Tx, row *store.Instance, now time.Time) error {
		if err := runningAndSettled(*row, now); err != nil {
			return err
		}
		row.Status, row.NextStatus, row.NextStatusAt, row.StoppedMode = StatusStopping, intentStopped, now, mode
		if in.Force {
			row.NextStatus = intentForceStopped
		}
		return nil
	})
}

// Reboot reboots a Running instance (RebootInstance 1.5.5): Stopping, then
// Starting while the driver reboots it, then Running. With force the instance
// is reset instead of asking the guest.
func (s *Service) Reboot(ctx context.Context, c Caller, id string, force, dryRun bool) error {
	return s.transition(ctx, c, id, dryRun, ErrNotFoundInRecords(), func(tx store.Tx, in *store.Instance, now time.Time) error {
		if err := runningAndSettled(*in, now); err != nil {
			return err
		}
		if err := disksReady(tx, in.ID); err != nil {
			return err
		}
		in.Status, in.NextStatus, in.NextStatusAt = StatusStopping, intentReboot, now
		if force {
			in.NextStatus = intentForceReboot
		}
		return nil
	})
}

// disksReady is the disk precondition of StartInstance and RebootInstance: the
// instance has its system disk, and no attached disk is in the middle of an
// operation (1.5.3, 1.5.5: 403 DiskError).
func disksReady(tx store.Tx, id string) error {
	disks, err := tx.InstanceDisks(id)
	if err != nil {
		return fmt.Errorf("disks of %s: %w", id, err)
	}
	system := false
	for _, d := range disks {
		if d.Status != diskStatusInUse {
			return errDiskStatus()
		}
		system = system || d.Type == diskTypeSystem
	}
	if !system {
		return errDiskStatus()
	}
	return nil
}

// runningAndSettled is the precondition of StopInstance and RebootInstance.
func runningAndSettled(in store.Instance, now time.Time) error {
	switch {
	case Locked(in, LockSecurity):
		return ErrLockedForSecurity()
	case in.Status != StatusRunning || Busy(in) || Deleting(in, now):
		return ErrIncorrectStatus()
	}
	return nil
}

// Delete releases an instance (DeleteInstance 1.5.6). Without force it must be
// Stopped; with force (the SDK's Force) it may be in any status and is powered
// off. Deletion protection refuses it. The reconciler then removes the instance
// from the driver and, in one transaction, its row, addresses, memberships and
// tags, deletes the disks released with it and detaches the others. Deleting an
// instance already being deleted succeeds.
func (s *Service) Delete(ctx context.Context, c Caller, id string, force, dryRun bool) error {
	return s.transition(ctx, c, id, dryRun, ErrNotFound(), func(_ store.Tx, in *store.Instance, now time.Time) error {
		switch {
		case Deleting(*in, now) && !dryRun:
			return errAlreadyDeleting
		case in.DeletionProtection:
			return errDeletionProtection()
		case !force && (in.Status != StatusStopped || Busy(*in)):
			return errIncorrectState()
		}
		if in.Status == StatusRunning || in.Status == StatusStarting {
			in.Status = StatusStopping
		}
		in.NextStatus, in.NextStatusAt = intentDeleted, now
		return nil
	})
}

// errAlreadyDeleting ends a transition that has nothing to change.
var errAlreadyDeleting = errors.New("instance: already being deleted")

// transition reads the caller's instance, lets change check and modify it, and
// writes it back in one transaction; then it wakes the reconciler. With dryRun
// it stops after the checks and answers DryRunOperation.
func (s *Service) transition(ctx context.Context, c Caller, id string, dryRun bool, notFound error,
	change func(tx store.Tx, in *store.Instance, now time.Time) error) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		in, err := getInstance(tx, c, id, notFound)
		if err != nil {
			return err
		}
		if err := change(tx, &in, s.now()); err != nil {
			return err
		}
		if dryRun {
			return ErrDryRun()
		}
		return tx.UpdateInstance(in)
	})
	if errors.Is(err, errAlreadyDeleting) {
		return nil
	}
	if err == nil {
		s.rec.wake()
	}
	return err
}
