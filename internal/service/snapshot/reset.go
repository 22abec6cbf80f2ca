package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// ResetInput are the parameters of ResetDisk (1.7.7, plus the SDK's DryRun).
type ResetInput struct {
	DiskID     string
	SnapshotID string
	DryRun     bool
}

// ResetDisk rolls a disk back to one of its own snapshots (ResetDisk, 1.7.7).
// The disk must be In_use on a Stopped instance that is not locked for
// security, the snapshot must have been taken of that disk and be
// accomplished. The disk is ReIniting until a ResetDisk task has copied the
// snapshot back, then In_use again; the instance cannot start meanwhile.
func (s *Service) ResetDisk(ctx context.Context, c Caller, in ResetInput) error {
	if in.DiskID == "" {
		return apierr.MissingParameter("DiskId")
	}
	if in.SnapshotID == "" {
		return apierr.MissingParameter("SnapshotId")
	}
	now := s.now()
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getDisk(tx, c, in.DiskID, ErrDiskNotFound())
		if err != nil {
			return err
		}
		sn, err := getSnapshot(tx, c, in.SnapshotID)
		if err != nil {
			return err
		}
		if err := checkReset(tx, d, sn, now); err != nil {
			return err
		}
		if in.DryRun {
			return apierr.DryRunOperation()
		}
		state, err := json.Marshal(resetState{DiskID: d.ID, SnapshotID: sn.ID, Handle: sn.DriverHandle})
		if err != nil {
			return fmt.Errorf("encode reset task: %w", err)
		}
		_, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: c.AccountID, RegionID: c.RegionID, Action: ActionResetDisk,
			ResourceID: d.ID, State: state,
			Operations: []store.TaskOperation{operation(task.OperationProcessing, "DiskId", d.ID, "SnapshotId", sn.ID)}})
		if err != nil {
			return err
		}
		d.Status = diskReIniting
		if err := tx.UpdateDisk(d); err != nil {
			return fmt.Errorf("reset disk %s: %w", d.ID, err)
		}
		return nil
	})
	if err == nil {
		s.deps.Tasks.Wake()
	}
	return err
}

// checkReset applies ResetDisk's rules in the order of the guide's table.
func checkReset(tx store.Tx, d store.Disk, sn store.Snapshot, now time.Time) error {
	if d.Status != diskInUse || d.InstanceID == "" {
		return errDiskStatus()
	}
	in, err := tx.GetInstance(d.AccountID, d.InstanceID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errDiskStatus()
	case err != nil:
		return fmt.Errorf("instance of %s: %w", d.ID, err)
	case in.Status != instanceStopped || deleting(in, now):
		return errInstanceStatus(http.StatusForbidden)
	case locked(in):
		return errResetLocked()
	case sn.SourceDiskID != d.ID:
		return errMismatch()
	case sn.Status != store.SnapshotAccomplished || len(sn.DriverHandle) == 0:
		return ErrSnapshotNotReady()
	}
	busy, err := creatingSnapshot(tx, d.AccountID, d.ID)
	if err != nil {
		return err
	}
	if busy {
		return errDiskCreatingSnapshot()
	}
	return nil
}
