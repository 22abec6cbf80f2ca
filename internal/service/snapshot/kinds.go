package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// The task kinds of this package (TaskAction values).
const (
	// ActionCreateSnapshot copies a disk into a snapshot: start the copy, then
	// follow its progress until it is done.
	ActionCreateSnapshot = "CreateSnapshot"
	// ActionDeleteSnapshot removes a deleted snapshot's data from the volume driver.
	ActionDeleteSnapshot = "DeleteSnapshot"
	// ActionResetDisk copies a snapshot back into its disk.
	ActionResetDisk = "ResetDisk"
	// ActionMigrateDisk moves a disk's data (migrate_disk).
	ActionMigrateDisk = "MigrateDisk"
	// ActionImportSnapshot reads an image file into an imported snapshot
	// (CancelTask may cancel it: the snapshot goes).
	ActionImportSnapshot = "ImportSnapshot"
	// ActionExportSnapshot writes a snapshot into a bucket (CancelTask may
	// cancel it).
	ActionExportSnapshot = "ExportSnapshot"
)

// Step numbers of the CreateSnapshot kind.
const (
	stepStartCopy  = 0
	stepFollowCopy = 1
)

// kinds are the task kinds this package registers.
func (s *Service) kinds() []task.Kind {
	return []task.Kind{
		{Action: ActionCreateSnapshot, Step: s.createStep, Cancel: s.createCancel, Fail: s.createFailed},
		{Action: ActionDeleteSnapshot, Step: s.deleteDataStep},
		{Action: ActionResetDisk, Step: s.resetStep, Fail: s.resetFailed},
		{Action: ActionMigrateDisk, Step: s.migrateStep},
		{Action: ActionImportSnapshot, Cancellable: true, Step: s.importStep, Cancel: s.importCancel, Fail: s.importFailed},
		{Action: ActionExportSnapshot, Cancellable: true, Step: s.exportStep},
	}
}

func decodeState[T any](t store.Task) (T, error) {
	var st T
	if err := json.Unmarshal(t.State, &st); err != nil {
		return st, task.Fail("InternalError", fmt.Sprintf("The state of task %s cannot be read.", t.ID))
	}
	return st, nil
}

func handleOf(raw json.RawMessage) (driver.Handle, error) {
	var h driver.Handle
	if err := json.Unmarshal(raw, &h); err != nil {
		return driver.Handle{}, fmt.Errorf("decode volume handle: %w", err)
	}
	return h, nil
}

// createStep runs one step of a CreateSnapshot task.
func (s *Service) createStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[createState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	switch t.Step {
	case stepStartCopy:
		h, err := s.deps.Volumes.StartSnapshot(ctx, driver.SnapshotSpec{SnapshotID: st.SnapshotID, DiskID: st.DiskID, SizeGiB: st.SizeGiB})
		if err != nil {
			return task.Outcome{}, volumeError(err)
		}
		if st.Handle, err = json.Marshal(h); err != nil {
			return task.Outcome{}, err
		}
		state, err := json.Marshal(st)
		if err != nil {
			return task.Outcome{}, err
		}
		return task.Outcome{Next: stepFollowCopy, State: state, Apply: s.editSnapshot(t.AccountID, st.SnapshotID,
			func(sn *store.Snapshot) { sn.DriverHandle = st.Handle })}, nil
	case stepFollowCopy:
		h, err := handleOf(st.Handle)
		if err != nil {
			return task.Outcome{}, err
		}
		p, err := s.deps.Volumes.SnapshotProgress(ctx, h)
		if err != nil {
			return task.Outcome{}, volumeError(err)
		}
		if !p.Done {
			return task.Outcome{Next: stepFollowCopy, After: s.deps.PollInterval, Progress: p.Percent,
				Apply: s.editSnapshot(t.AccountID, st.SnapshotID, func(sn *store.Snapshot) { sn.Progress = p.Percent })}, nil
		}
		now := s.now()
		return task.Outcome{Done: true, Operations: []store.TaskOperation{
			operation(task.OperationSuccess, "SnapshotId", st.SnapshotID, "DiskId", st.DiskID)},
			Apply: s.editSnapshot(t.AccountID, st.SnapshotID, func(sn *store.Snapshot) {
				sn.Status, sn.Progress, sn.SizeBytes, sn.FinishedAt = store.SnapshotAccomplished, 100, p.SizeBytes, now
			})}, nil
	}
	return task.Outcome{}, task.Fail("InternalError", fmt.Sprintf("Task %s has no step %d.", t.ID, t.Step))
}

// editSnapshot changes a progressing snapshot in the step's transaction; a
// snapshot deleted meanwhile is left alone (its deletion cancels the task).
func (s *Service) editSnapshot(accountID int64, id string, edit func(*store.Snapshot)) func(store.Tx) error {
	return func(tx store.Tx) error {
		sn, err := tx.GetSnapshot(accountID, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if sn.Status != store.SnapshotProgressing {
			return nil
		}
		edit(&sn)
		return tx.UpdateSnapshot(sn)
	}
}

// createCancel removes the partial copy of a snapshot being taken (DeleteSnapshot
// of a progressing snapshot cancels its task); a snapshot still recorded fails.
func (s *Service) createCancel(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[createState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	var h driver.Handle
	if len(st.Handle) > 0 {
		if h, err = handleOf(st.Handle); err != nil {
			return task.Outcome{}, err
		}
	} else {
		// The first step may have started the copy without saving its handle
		// (the cancellation took its lease): StartSnapshot is idempotent on the
		// snapshot's ID and returns the copy's handle, if any, to delete.
		h, err = s.deps.Volumes.StartSnapshot(ctx, driver.SnapshotSpec{SnapshotID: st.SnapshotID, DiskID: st.DiskID, SizeGiB: st.SizeGiB})
		if err != nil {
			return task.Outcome{}, err
		}
	}
	if err := s.deps.Volumes.DeleteSnapshot(ctx, h); err != nil {
		return task.Outcome{}, err
	}
	return task.Outcome{Apply: s.editSnapshot(t.AccountID, st.SnapshotID, func(sn *store.Snapshot) {
		sn.Status = store.SnapshotFailed
	})}, nil
}

// createFailed marks the snapshot failed when its task fails.
func (s *Service) createFailed(tx store.Tx, t store.Task, _ *task.Failure) error {
	st, err := decodeState[createState](t)
	if err != nil {
		return nil
	}
	return s.editSnapshot(t.AccountID, st.SnapshotID, func(sn *store.Snapshot) { sn.Status = store.SnapshotFailed })(tx)
}

// volumeError turns a driver refusal that retrying cannot fix into a Failure.
func volumeError(err error) error {
	switch {
	case errors.Is(err, driver.ErrInvalidArgument), errors.Is(err, driver.ErrUnsupported), errors.Is(err, driver.ErrNotFound):
		return task.Fail("CreateSnapshot.Failed", "The process of creating snapshot is failed")
	}
	return err
}

// deleteState is the DeleteSnapshot task's state.
type deleteState struct {
	SnapshotID string          `json:"snapshotId"`
	Handle     json.RawMessage `json:"handle"`
}

// deleteDataStep removes a deleted snapshot's data (idempotent in the driver).
func (s *Service) deleteDataStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[deleteState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	h, err := handleOf(st.Handle)
	if err != nil {
		return task.Outcome{}, task.Fail("InternalError", "The snapshot's volume handle cannot be read.")
	}
	if err := s.deps.Volumes.DeleteSnapshot(ctx, h); err != nil {
		return task.Outcome{}, err
	}
	return task.Outcome{Done: true, Operations: []store.TaskOperation{operation(task.OperationSuccess, "SnapshotId", st.SnapshotID)}}, nil
}

// resetState is the ResetDisk task's state.
type resetState struct {
	DiskID     string          `json:"diskId"`
	SnapshotID string          `json:"snapshotId"`
	Handle     json.RawMessage `json:"handle"`
}

// resetStep copies the snapshot back into the disk and makes the disk In_use again.
func (s *Service) resetStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[resetState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	h, err := handleOf(st.Handle)
	if err != nil {
		return task.Outcome{}, task.Fail("InternalError", "The snapshot's volume handle cannot be read.")
	}
	if err := s.deps.Volumes.RestoreSnapshot(ctx, h, st.DiskID); err != nil {
		if errors.Is(err, driver.ErrNotFound) || errors.Is(err, driver.ErrInvalidArgument) {
			return task.Outcome{}, task.Fail("InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
		}
		return task.Outcome{}, err
	}
	return task.Outcome{Done: true,
		Operations: []store.TaskOperation{operation(task.OperationSuccess, "DiskId", st.DiskID, "SnapshotId", st.SnapshotID)},
		Apply:      s.settleDisk(t.AccountID, st.DiskID)}, nil
}

// resetFailed gives the disk back when its reset fails.
func (s *Service) resetFailed(tx store.Tx, t store.Task, _ *task.Failure) error {
	st, err := decodeState[resetState](t)
	if err != nil {
		return nil
	}
	return s.settleDisk(t.AccountID, st.DiskID)(tx)
}

// settleDisk makes a ReIniting disk In_use again.
func (s *Service) settleDisk(accountID int64, diskID string) func(store.Tx) error {
	return func(tx store.Tx) error {
		d, err := tx.GetDisk(accountID, diskID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.Status != diskReIniting {
			return nil
		}
		d.Status = diskInUse
		return tx.UpdateDisk(d)
	}
}
