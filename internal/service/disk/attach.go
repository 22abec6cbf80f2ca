package disk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// driverTimeout bounds one attach or detach call of the compute driver. The call
// runs on a context the client cannot cancel: a caller that hangs up must not
// leave a disk half attached.
const driverTimeout = 2 * time.Minute

// AttachInput are the parameters of AttachDisk (1.7.3).
type AttachInput struct {
	InstanceID string
	DiskID     string
	// Device is /dev/xvdb to /dev/xvdz; empty picks the first free one.
	Device string
	// DeleteWithInstance, when set, replaces the disk's value.
	DeleteWithInstance *bool
}

// Attach attaches a portable Available disk to a Running or Stopped instance of
// its zone (AttachDisk, 1.7.3). When the instance runs on the compute driver,
// the disk is Attaching while the driver attaches it, then In_use; otherwise it
// is In_use at once.
func (s *Service) Attach(ctx context.Context, c Caller, in AttachInput) error {
	if in.Device != "" && !ValidDataDevice(in.Device) {
		return errDeviceMalformed()
	}
	st := s.attachStep()
	d, h, err := s.begin(ctx, st, func(tx store.Tx, now time.Time) (store.Disk, store.Instance, error) {
		d, inst, err := checkAttach(tx, c, in, now)
		if err == nil {
			d.InstanceID = inst.ID
			setFlag(&d.DeleteWithInstance, in.DeleteWithInstance)
		}
		return d, inst, err
	})
	if err != nil || h == nil {
		return err
	}
	return s.settle(ctx, d, h, st)
}

// checkAttach applies AttachDisk's rules and returns the disk, with its device
// chosen, and the instance.
func checkAttach(tx store.Tx, c Caller, in AttachInput, now time.Time) (store.Disk, store.Instance, error) {
	inst, err := getInstance(tx, c, in.InstanceID)
	if err != nil {
		return store.Disk{}, store.Instance{}, err
	}
	d, err := getDisk(tx, c, in.DiskID)
	switch {
	case err != nil:
		return store.Disk{}, store.Instance{}, err
	case !d.Portable:
		return store.Disk{}, store.Instance{}, errNotPortable(msgNotPortable)
	case d.Status != StatusAvailable:
		return store.Disk{}, store.Instance{}, errDiskStatus(msgDiskStatusAttach)
	case d.ZoneID != inst.ZoneID:
		return store.Disk{}, store.Instance{}, errNotSameZone()
	case !settledIn(inst, now, instanceRunning, instanceStopped):
		return store.Disk{}, store.Instance{}, errInstanceStatus(http.StatusBadRequest)
	case lockedForSecurity(inst):
		return store.Disk{}, store.Instance{}, errInstanceLocked()
	}
	attached, err := tx.InstanceDisks(inst.ID)
	if err != nil {
		return store.Disk{}, store.Instance{}, fmt.Errorf("attach disk %s: %w", d.ID, err)
	}
	var used []string
	data := 0
	for _, a := range attached {
		used = append(used, a.Device)
		if a.Type == TypeData {
			data++
		}
	}
	if data >= MaxDataDisks {
		return store.Disk{}, store.Instance{}, errDiskLimit()
	}
	if d.Device = in.Device; d.Device == "" {
		var ok bool
		if d.Device, ok = NextDevice(used); !ok {
			return store.Disk{}, store.Instance{}, errDiskLimit()
		}
	} else if slices.Contains(used, d.Device) {
		return store.Disk{}, store.Instance{}, errDeviceInUse()
	}
	return d, inst, nil
}

// Detach detaches a portable data disk from its Running or Stopped instance
// (DetachDisk, 1.7.4); it is then Available with DeleteWithInstance false. When
// the instance runs on the compute driver the disk is Detaching meanwhile.
func (s *Service) Detach(ctx context.Context, c Caller, instanceID, diskID string) error {
	if instanceID == "" || diskID == "" {
		return errDetachParameter()
	}
	st := detachStep()
	d, h, err := s.begin(ctx, st, func(tx store.Tx, now time.Time) (store.Disk, store.Instance, error) {
		return checkDetach(tx, c, instanceID, diskID, now)
	})
	if err != nil || h == nil {
		return err
	}
	return s.settle(ctx, d, h, st)
}

// checkDetach applies DetachDisk's rules.
func checkDetach(tx store.Tx, c Caller, instanceID, diskID string, now time.Time) (store.Disk, store.Instance, error) {
	d, err := getDisk(tx, c, diskID)
	if err != nil {
		return store.Disk{}, store.Instance{}, err
	}
	inst, err := getInstance(tx, c, instanceID)
	switch {
	case err != nil:
		return store.Disk{}, store.Instance{}, err
	case d.Type == TypeSystem:
		return store.Disk{}, store.Instance{}, errSystemDisk()
	case !d.Portable:
		return store.Disk{}, store.Instance{}, errNotPortable(msgNotPortable)
	case d.InstanceID != inst.ID:
		return store.Disk{}, store.Instance{}, errNotAttachedHere()
	case d.Status != StatusInUse:
		return store.Disk{}, store.Instance{}, errDiskStatus(msgDiskStatus)
	case !settledIn(inst, now, instanceRunning, instanceStopped):
		return store.Disk{}, store.Instance{}, errInstanceStatus(http.StatusForbidden)
	case lockedForSecurity(inst):
		return store.Disk{}, store.Instance{}, errInstanceLocked()
	}
	return d, inst, nil
}

// detached makes d a detached disk.
func detached(d *store.Disk, now time.Time) {
	d.Status, d.InstanceID, d.Device, d.DetachedAt, d.DeleteWithInstance = StatusAvailable, "", "", now, false
}

// begin is the first transaction of an attach or detach: check applies the
// action's rules and returns the disk (prepared for the change) and its
// instance. When the instance runs on the compute driver the disk goes to
// st.from and begin returns the handle for settle; otherwise the change is made
// at once (st.done) and the handle is nil.
func (s *Service) begin(ctx context.Context, st step,
	check func(tx store.Tx, now time.Time) (store.Disk, store.Instance, error)) (store.Disk, *driver.Handle, error) {
	var d store.Disk
	var h *driver.Handle
	now := s.now()
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		h = nil
		var inst store.Instance
		var err error
		if d, inst, err = check(tx, now); err != nil {
			return err
		}
		handle, viaDriver, err := s.driverHandle(inst)
		if err != nil {
			return err
		}
		if viaDriver {
			d.Status, h = st.from, &handle
		} else {
			st.done(&d, now)
		}
		if err := tx.UpdateDisk(d); err != nil {
			return fmt.Errorf("disk %s: %w", d.ID, err)
		}
		return nil
	})
	return d, h, err
}

// driverHandle returns the instance's driver handle and whether attach and
// detach go through the driver: they do for an instance the driver created.
func (s *Service) driverHandle(inst store.Instance) (driver.Handle, bool, error) {
	h, ok, err := handleOf(inst)
	if err != nil || !ok {
		return driver.Handle{}, false, err
	}
	if _, can := s.deps.Compute.(driver.DiskAttacher); !can {
		return driver.Handle{}, false, errDriverUnsupported()
	}
	return h, true, nil
}

// step is the driver half of an attach or detach: the transitional status it
// starts from, the driver call, and what success and failure make of the disk.
type step struct {
	from string
	call func(ctx context.Context, da driver.DiskAttacher, h driver.Handle, d store.Disk) (driver.Handle, error)
	done func(d *store.Disk, now time.Time)
	undo func(d *store.Disk)
	// fail maps a driver error to the action's answer.
	fail func(err error) error
}

// attachStep is the driver half of AttachDisk: the disk's file (when there is
// a volume store) is made if missing, and the driver attaches it.
func (s *Service) attachStep() step {
	return step{
		from: StatusAttaching,
		call: func(ctx context.Context, da driver.DiskAttacher, h driver.Handle, d store.Disk) (driver.Handle, error) {
			path, err := s.ensureFile(ctx, d)
			if err != nil {
				return driver.Handle{}, err
			}
			return da.AttachDisk(ctx, h, driver.DiskSpec{DiskID: d.ID, Device: d.Device, SizeGiB: d.SizeGiB, Category: d.Category,
				Path: path})
		},
		done: func(d *store.Disk, now time.Time) { d.Status, d.AttachedAt = StatusInUse, now },
		undo: func(d *store.Disk) { d.Status, d.InstanceID, d.Device = StatusAvailable, "", "" },
		fail: func(err error) error {
			if errors.Is(err, driver.ErrInvalidArgument) {
				return errDeviceInUse().WithCause(err)
			}
			return driverError(err, http.StatusBadRequest)
		},
	}
}

// detachStep is the driver half of DetachDisk.
func detachStep() step {
	return step{
		from: StatusDetaching,
		call: func(ctx context.Context, da driver.DiskAttacher, h driver.Handle, d store.Disk) (driver.Handle, error) {
			nh, err := da.DetachDisk(ctx, h, d.ID)
			if errors.Is(err, driver.ErrNotFound) { // no instance: nothing is attached to it
				return driver.Handle{}, nil
			}
			return nh, err
		},
		done: detached,
		undo: func(d *store.Disk) { d.Status = StatusInUse },
		fail: func(err error) error { return driverError(err, http.StatusForbidden) },
	}
}

// driverError maps a compute driver error (docs/drivers.md) to an answer.
func driverError(err error, instanceStatus int) error {
	var ae *apierr.Error
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, driver.ErrInvalidState), errors.Is(err, driver.ErrNotFound):
		return errInstanceStatus(instanceStatus).WithCause(err)
	case errors.Is(err, driver.ErrUnsupported):
		return errDriverUnsupported().WithCause(err)
	case errors.Is(err, driver.ErrTransient), errors.Is(err, driver.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return apierr.ServiceUnavailable(err)
	}
	return fmt.Errorf("compute driver: %w", err)
}

// settle makes the driver call of st for disk d, which the store shows in
// st.from, and then, in one transaction, finishes the change (persisting the
// instance's new handle) or undoes it. Without a handle (h nil) there is no
// driver call. A disk that has meanwhile left st.from is left alone. An attach
// whose instance has gone is undone; a detach is done.
func (s *Service) settle(ctx context.Context, d store.Disk, h *driver.Handle, st step) error {
	ctx = context.WithoutCancel(ctx)
	var newHandle driver.Handle
	var derr error
	if da, ok := s.deps.Compute.(driver.DiskAttacher); h != nil && !ok {
		derr = errDriverUnsupported()
	} else if h != nil {
		dctx, cancel := context.WithTimeout(ctx, driverTimeout)
		newHandle, derr = st.call(dctx, da, *h, d)
		cancel()
	}
	now := s.now()
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetDisk(d.AccountID, d.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("settle disk %s: %w", d.ID, err)
		}
		if cur.Status != st.from || cur.InstanceID != d.InstanceID {
			return nil
		}
		inst, err := tx.GetInstance(d.AccountID, d.InstanceID)
		gone := errors.Is(err, store.ErrNotFound)
		if err != nil && !gone {
			return fmt.Errorf("settle disk %s: %w", d.ID, err)
		}
		switch {
		case gone && st.from == StatusDetaching, !gone && derr == nil:
			st.done(&cur, now)
		default:
			st.undo(&cur)
		}
		if err := tx.UpdateDisk(cur); err != nil {
			return fmt.Errorf("settle disk %s: %w", d.ID, err)
		}
		if gone || derr != nil {
			return nil
		}
		return persistHandle(tx, inst, newHandle)
	})
	if err != nil {
		return err
	}
	if derr != nil {
		return st.fail(derr)
	}
	return nil
}

// persistHandle records the handle a driver call returned with the instance.
func persistHandle(tx store.Tx, inst store.Instance, h driver.Handle) error {
	if h.IsZero() {
		return nil
	}
	b, err := encodeHandle(h)
	if err != nil {
		return err
	}
	inst.DriverHandle = b
	if err := tx.UpdateInstance(inst); err != nil {
		return fmt.Errorf("persist handle of %s: %w", inst.ID, err)
	}
	return nil
}

// Resume settles the disks a crash left Attaching or Detaching (ecsd stopped
// between the driver call and its transaction) by repeating the driver call,
// which is idempotent, and finishing; a disk left Creating becomes Available and
// one left ReIniting In_use. Call it once at start-up; it recovers the
// instances it needs from the compute driver itself. It returns every failure,
// joined.
func (s *Service) Resume(ctx context.Context) error {
	var pending []store.Disk
	handles := map[string]driver.Handle{}
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		pending, handles = nil, map[string]driver.Handle{}
		accounts, err := tx.ListAccounts()
		if err != nil {
			return fmt.Errorf("resume disks: %w", err)
		}
		for _, a := range accounts {
			disks, _, err := tx.ListDisks(store.DiskFilter{AccountID: a.ID,
				Statuses: []string{StatusAttaching, StatusDetaching, StatusCreating, StatusReIniting}})
			if err != nil {
				return fmt.Errorf("resume disks of %d: %w", a.ID, err)
			}
			pending = append(pending, disks...)
			for _, d := range disks {
				if inst, err := tx.GetInstance(a.ID, d.InstanceID); err == nil {
					if h, ok, err := handleOf(inst); err == nil && ok {
						handles[inst.ID] = h
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range pending {
		if err := s.resumeOne(ctx, d, handles); err != nil {
			errs = append(errs, fmt.Errorf("resume disk %s: %w", d.ID, err))
		}
	}
	return errors.Join(errs...)
}

// resumeOne settles one disk found in a transitional status.
func (s *Service) resumeOne(ctx context.Context, d store.Disk, handles map[string]driver.Handle) error {
	var h *driver.Handle
	if got, ok := handles[d.InstanceID]; ok {
		// Recover is idempotent and never boots or stops: whether or not the
		// instance service has recovered the instance yet, the driver has it now.
		if live, err := s.deps.Compute.Recover(ctx, got); err == nil {
			got = live
		}
		h = &got
	}
	switch d.Status {
	case StatusAttaching:
		return s.settle(ctx, d, h, s.attachStep())
	case StatusDetaching:
		return s.settle(ctx, d, h, detachStep())
	case StatusCreating:
		return s.touch(ctx, d, func(cur *store.Disk) { cur.Status = StatusAvailable })
	case StatusReIniting:
		return s.touch(ctx, d, func(cur *store.Disk) { cur.Status = StatusInUse })
	}
	return nil
}

// touch applies change to disk d if it is still in the status it was read in.
func (s *Service) touch(ctx context.Context, d store.Disk, change func(cur *store.Disk)) error {
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetDisk(d.AccountID, d.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("disk %s: %w", d.ID, err)
		}
		if cur.Status != d.Status {
			return nil
		}
		change(&cur)
		if err := tx.UpdateDisk(cur); err != nil {
			return fmt.Errorf("disk %s: %w", d.ID, err)
		}
		return nil
	})
}
