package disk

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/store"
)

// The disk files (Deps.Volumes, the qemu driver's qcow2 store). A disk's file
// is made when it is first needed (attached to an instance the driver runs,
// or the instance is defined), from the disk's source (volume.SourceOf);
// ResizeDisk grows it, ReInitDisk and ReplaceSystemDisk make it again and
// DeleteDisk removes it. Without a volume store these do nothing.

// ensureFile makes d's file if it is missing and returns its path ("" without
// a volume store).
func (s *Service) ensureFile(ctx context.Context, d store.Disk) (string, error) {
	if s.deps.Volumes == nil {
		return "", nil
	}
	path, err := s.deps.Volumes.EnsureDisk(ctx, volume.SourceOf(d))
	if err != nil {
		return "", fmt.Errorf("file of disk %s: %w", d.ID, err)
	}
	return path, nil
}

// prepareFile makes the file of a disk created from a snapshot at once, so
// that it does not depend on the snapshot any more (which may be deleted
// before the disk is first attached). A failure is logged: attaching the disk
// tries again.
func (s *Service) prepareFile(ctx context.Context, d store.Disk) {
	if s.deps.Volumes == nil || d.SourceSnapshotID == "" {
		return
	}
	if _, err := s.ensureFile(ctx, d); err != nil {
		s.deps.Logger.Error("make the file of a disk created from a snapshot", "disk", d.ID, "err", err)
	}
}

// recreateFile makes d's file again from its source (ReInitDisk).
func (s *Service) recreateFile(ctx context.Context, d store.Disk) error {
	if s.deps.Volumes == nil {
		return nil
	}
	if _, err := s.deps.Volumes.RecreateDisk(ctx, volume.SourceOf(d)); err != nil {
		return volumeError(fmt.Errorf("re-initialise the file of disk %s: %w", d.ID, err))
	}
	return nil
}

// resizeFile grows d's file to sizeGiB, live when a running VM has it.
func (s *Service) resizeFile(ctx context.Context, diskID string, sizeGiB int) error {
	if s.deps.Volumes == nil {
		return nil
	}
	if err := s.deps.Volumes.ResizeDisk(ctx, diskID, sizeGiB); err != nil {
		return volumeError(fmt.Errorf("resize the file of disk %s: %w", diskID, err))
	}
	return nil
}

// deleteFiles removes the files of deleted disks; a failure is logged (the
// disk is gone, its file is left behind).
func (s *Service) deleteFiles(ctx context.Context, diskIDs ...string) {
	if s.deps.Volumes == nil {
		return
	}
	for _, id := range diskIDs {
		if err := s.deps.Volumes.DeleteDisk(ctx, id); err != nil {
			s.deps.Logger.Error("delete the file of a deleted disk", "disk", id, "err", err)
		}
	}
}

// volumeError maps a volume store failure to an answer: a transient one is
// ServiceUnavailable (the client retries), anything else an internal error.
func volumeError(err error) error {
	switch {
	case errors.Is(err, driver.ErrTransient), errors.Is(err, driver.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return apierr.ServiceUnavailable(err)
	}
	return apierr.InternalError(err)
}

// forgetDefinition makes the compute driver forget a Stopped instance's
// definition before ReplaceSystemDisk records the new disk (with a volume
// store only): the definition names the old disk's file and the old image's
// boot files, and the next start defines the instance again from the store.
// The driver's instance is only a runtime definition (the disks stay), and an
// instance whose handle outlives it is defined again on its next start.
func (s *Service) forgetDefinition(ctx context.Context, c Caller, instanceID string) error {
	if s.deps.Volumes == nil || s.deps.Compute == nil {
		return nil
	}
	now := s.now()
	var inst store.Instance
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		inst, err = getInstance(tx, c, instanceID)
		return err
	})
	if err != nil || !settledIn(inst, now, instanceStopped) || lockedForSecurity(inst) {
		return nil // the transaction answers the error
	}
	h, ok, err := handleOf(inst)
	if err != nil || !ok {
		return err
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), driverTimeout)
	defer cancel()
	if err := s.deps.Compute.Delete(dctx, h); err != nil && !errors.Is(err, driver.ErrNotFound) {
		return driverError(err, http.StatusForbidden)
	}
	return nil
}

// replaceFiles removes the released system disk's file and makes the new
// one's from its image; a failure is logged (the next start of the instance
// makes the missing file).
func (s *Service) replaceFiles(ctx context.Context, old, d store.Disk) {
	if s.deps.Volumes == nil {
		return
	}
	if old.ID != "" {
		s.deleteFiles(ctx, old.ID)
	}
	if _, err := s.deps.Volumes.RecreateDisk(ctx, volume.SourceOf(d)); err != nil {
		s.deps.Logger.Error("make the file of a replaced system disk", "disk", d.ID, "err", err)
	}
}
