package instance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// errLost says the driver no longer has the instance and cannot recover it:
// the step drops the handle, and the next one creates the instance again from
// its disks (the driver's instance is only its runtime definition).
var errLost = errors.New("instance: the driver lost the instance")

// step makes one driver call toward in's intent and records it; more says that
// another step follows at once.
func (s *Service) step(ctx context.Context, in store.Instance) (more bool, err error) {
	switch in.NextStatus {
	case intentDeleted, intentReleased:
		return false, s.stepDelete(ctx, in)
	}
	if in.Status == StatusPending || len(in.DriverHandle) == 0 {
		return true, s.stepCreate(ctx, in)
	}
	switch in.NextStatus {
	case intentRunning:
		err = s.stepStart(ctx, in)
	case intentStopped, intentForceStopped:
		err = s.stepStop(ctx, in)
	case intentReboot, intentForceReboot:
		return s.stepReboot(ctx, in)
	default:
		s.deps.Logger.Error("reconciler: unknown intent, dropped", "instance", in.ID, "intent", in.NextStatus)
		return false, s.commit(ctx, in, nil, settleIdle)
	}
	if errors.Is(err, errLost) {
		return true, s.dropHandle(ctx, in)
	}
	return false, err
}

// stepCreate defines the instance in the driver (Pending); RunInstances'
// instances go on Starting, CreateInstance's are Stopped.
func (s *Service) stepCreate(ctx context.Context, in store.Instance) error {
	spec, err := s.spec(ctx, in)
	if err != nil {
		return err
	}
	h, err := s.deps.Compute.Create(ctx, spec)
	if err != nil {
		return fmt.Errorf("create %s: %w", in.ID, err)
	}
	handle, err := encodeHandle(h)
	if err != nil {
		return err
	}
	err = s.commit(ctx, in, handle, func(cur *store.Instance, now time.Time) {
		if cur.Status != StatusPending {
			return
		}
		cur.Status = StatusStarting
		if cur.NextStatus == intentStopped {
			cur.Status = StatusStopped
			scheduleIdle(cur)
		}
	})
	if err == nil {
		s.rec.clearPassword(in.ID) // the guest seed is built
	}
	return err
}

// stepStart boots the instance (Starting → Running).
func (s *Service) stepStart(ctx context.Context, in store.Instance) error {
	h, err := s.call(ctx, in, func(h driver.Handle) (driver.Handle, error) { return s.deps.Compute.Start(ctx, h) })
	if err != nil {
		return err
	}
	return s.commit(ctx, in, h, func(cur *store.Instance, now time.Time) {
		cur.Status, cur.StartedAt = StatusRunning, now
		scheduleIdle(cur)
	})
}

// stepStop shuts the instance down (Stopping → Stopped). A guest that ignores a
// graceful shutdown is powered off.
func (s *Service) stepStop(ctx context.Context, in store.Instance) error {
	force := in.NextStatus == intentForceStopped
	h, err := s.call(ctx, in, func(h driver.Handle) (driver.Handle, error) {
		out, err := s.deps.Compute.Stop(ctx, h, driver.StopOptions{Force: force})
		if errors.Is(err, driver.ErrTimeout) {
			s.deps.Logger.Info("reconciler: guest ignored the shutdown, powering off", "instance", in.ID)
			out, err = s.deps.Compute.Stop(ctx, h, driver.StopOptions{Force: true})
		}
		return out, err
	})
	if err != nil {
		return err
	}
	return s.commit(ctx, in, h, func(cur *store.Instance, now time.Time) {
		cur.Status = StatusStopped
		scheduleIdle(cur)
	})
}

// stepReboot reboots the instance: Stopping becomes Starting, then Running
// once the driver's reboot returns. An instance the driver finds stopped (it
// died meanwhile) is booted instead.
func (s *Service) stepReboot(ctx context.Context, in store.Instance) (bool, error) {
	if in.Status == StatusStopping {
		err := s.commit(ctx, in, nil, func(cur *store.Instance, _ time.Time) { cur.Status = StatusStarting })
		return true, err
	}
	force := in.NextStatus == intentForceReboot
	h, err := s.call(ctx, in, func(h driver.Handle) (driver.Handle, error) {
		out, err := s.deps.Compute.Reboot(ctx, h, driver.RebootOptions{Force: force})
		switch {
		case errors.Is(err, driver.ErrTimeout):
			out, err = s.deps.Compute.Reboot(ctx, h, driver.RebootOptions{Force: true})
		case errors.Is(err, driver.ErrInvalidState):
			out, err = s.deps.Compute.Start(ctx, h)
		}
		return out, err
	})
	if errors.Is(err, errLost) {
		return true, s.dropHandle(ctx, in)
	}
	if err != nil {
		return false, err
	}
	return false, s.commit(ctx, in, h, func(cur *store.Instance, now time.Time) {
		cur.Status, cur.StartedAt = StatusRunning, now
		scheduleIdle(cur)
	})
}

// checkRunning inspects a Running instance that has no operation under way
// (the health sweep's step). One the driver reports Crashed or Stopped (its
// hypervisor died, the guest powered off) is Stopped from now on; one it lost
// is Stopped without a handle, and StartInstance creates it again. A healthy
// instance is not written, unless the driver had to recover its handle.
func (s *Service) checkRunning(ctx context.Context, in store.Instance) error {
	var state driver.PowerState
	h, err := s.call(ctx, in, func(h driver.Handle) (driver.Handle, error) {
		var err error
		state, err = s.deps.Compute.Inspect(ctx, h)
		if err == nil && state == driver.Missing {
			err = fmt.Errorf("inspect %s: %w", in.ID, driver.ErrNotFound)
		}
		return driver.Handle{}, err
	})
	switch {
	case errors.Is(err, errLost):
		s.deps.Logger.Warn("reconciler: the driver lost a running instance; it is Stopped", "instance", in.ID)
		return s.settleStopped(ctx, in, nil, true)
	case err != nil:
		return err
	case state == driver.Crashed:
		s.deps.Logger.Warn("reconciler: instance crashed; it is Stopped", "instance", in.ID)
		stopped, err := s.deps.Compute.Stop(ctx, decodeOrZero(in.DriverHandle), driver.StopOptions{Force: true})
		if err != nil {
			return fmt.Errorf("clean up crashed %s: %w", in.ID, err)
		}
		handle, err := encodeHandle(stopped)
		if err != nil {
			return err
		}
		return s.settleStopped(ctx, in, handle, false)
	case state == driver.Stopped:
		s.deps.Logger.Warn("reconciler: instance stopped on its own; it is Stopped", "instance", in.ID)
		return s.settleStopped(ctx, in, h, false)
	}
	if h == nil {
		return nil
	}
	return s.commit(ctx, in, h, func(*store.Instance, time.Time) {})
}

// settleStopped records that a Running instance found dead is Stopped.
func (s *Service) settleStopped(ctx context.Context, in store.Instance, handle []byte, dropHandle bool) error {
	return s.steps.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetInstance(in.AccountID, in.ID)
		if err != nil || cur.NextStatus != in.NextStatus || cur.Status != StatusRunning {
			return ignoreNotFound(err)
		}
		if handle != nil {
			cur.DriverHandle = handle
		}
		if dropHandle {
			cur.DriverHandle = nil
		}
		cur.Status = StatusStopped
		scheduleIdle(&cur)
		return tx.UpdateInstance(cur)
	})
}

// stepDelete removes the instance from the driver, then, in one transaction,
// its row, memberships, tags, addresses and primary network interface, the
// disks released with it, and detaches the other disks and the secondary
// network interfaces.
func (s *Service) stepDelete(ctx context.Context, in store.Instance) error {
	if len(in.DriverHandle) > 0 {
		h, err := decodeHandle(in.DriverHandle)
		if err != nil {
			return err
		}
		if err := s.deps.Compute.Delete(ctx, h); err != nil && !errors.Is(err, driver.ErrNotFound) {
			return fmt.Errorf("delete %s: %w", in.ID, err)
		}
	}
	var deletedDisks []string
	err := s.steps.Update(ctx, func(tx store.Tx) error {
		deletedDisks = nil
		cur, err := tx.GetInstance(in.AccountID, in.ID)
		if err != nil || cur.NextStatus != in.NextStatus || cur.NextStatusAt.After(s.now()) {
			return ignoreNotFound(err)
		}
		deletedDisks, err = s.remove(tx, cur)
		return err
	})
	if err == nil {
		s.rec.forget(in.ID)
		s.deleteDiskFiles(ctx, in.ID, deletedDisks)
	}
	return err
}

// remove deletes an instance's rows inside tx and returns the IDs of the
// disks deleted with it.
func (s *Service) remove(tx store.Tx, in store.Instance) ([]string, error) {
	if err := s.deps.Network.ReleasePrivateIP(tx, in.VSwitchID, in.PrivateIP); err != nil {
		return nil, err
	}
	if err := releasePublicIP(tx, in.PublicIP); err != nil {
		return nil, err
	}
	if err := releasePlacement(tx, in.ID); err != nil {
		return nil, err
	}
	deleted, err := s.releaseDisks(tx, in, s.now())
	if err != nil {
		return nil, err
	}
	if err := releaseNICs(tx, in); err != nil {
		return nil, err
	}
	if err := tx.DeleteAllTags(in.AccountID, store.TagTypeInstance, in.ID); err != nil {
		return nil, fmt.Errorf("delete tags of %s: %w", in.ID, err)
	}
	if err := tx.DeleteInstance(in.AccountID, in.ID); err != nil {
		return nil, fmt.Errorf("delete instance %s: %w", in.ID, err)
	}
	return deleted, nil
}

// dropHandle forgets a handle the driver cannot use any more.
func (s *Service) dropHandle(ctx context.Context, in store.Instance) error {
	s.deps.Logger.Warn("reconciler: the driver lost the instance; creating it again", "instance", in.ID)
	return s.steps.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetInstance(in.AccountID, in.ID)
		if err != nil {
			return ignoreNotFound(err)
		}
		cur.DriverHandle = nil
		return tx.UpdateInstance(cur)
	})
}

// call runs a driver operation on the instance's handle and returns the new
// handle, encoded. When the driver does not know the instance (it restarted
// without recovering it), it recovers the handle and tries once more; an
// instance the driver cannot recover is errLost.
func (s *Service) call(ctx context.Context, in store.Instance, op func(driver.Handle) (driver.Handle, error)) ([]byte, error) {
	if len(in.DriverHandle) == 0 {
		return nil, fmt.Errorf("%s has no driver handle: %w", in.ID, errLost)
	}
	h, err := decodeHandle(in.DriverHandle)
	if err != nil {
		return nil, err
	}
	out, err := op(h)
	if errors.Is(err, driver.ErrNotFound) {
		recovered, rerr := s.deps.Compute.Recover(ctx, h)
		if errors.Is(rerr, driver.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", in.ID, errLost)
		}
		if rerr != nil {
			return nil, fmt.Errorf("recover %s: %w", in.ID, rerr)
		}
		out, err = op(recovered)
		if errors.Is(err, driver.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", in.ID, errLost)
		}
		if err == nil && out.IsZero() {
			out = recovered
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.ID, err)
	}
	if out.IsZero() {
		return nil, nil
	}
	return encodeHandle(out)
}

// encodeHandle is how a driver handle is persisted (JSON).
func encodeHandle(h driver.Handle) ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode driver handle: %w", err)
	}
	return b, nil
}

func decodeHandle(b []byte) (driver.Handle, error) {
	var h driver.Handle
	if err := json.Unmarshal(b, &h); err != nil {
		return driver.Handle{}, fmt.Errorf("decode driver handle: %w", err)
	}
	return h, nil
}

func decodeOrZero(b []byte) driver.Handle {
	h, _ := decodeHandle(b)
	return h
}
