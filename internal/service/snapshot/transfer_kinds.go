package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/imagefile"
	"github.com/ecsd/ecsd/internal/objectstore"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// importState is the ImportSnapshot task's state.
type importState struct {
	SnapshotID string `json:"snapshotId"`
	Bucket     string `json:"bucket"`
	Object     string `json:"object"`
}

// exportState is the ExportSnapshot task's state.
type exportState struct {
	SnapshotID string `json:"snapshotId"`
	Bucket     string `json:"bucket"`
	Object     string `json:"object"`
}

// asFailure turns an object store refusal, or an API error of probe (a file
// gone or no longer an image), into the task's failure; other errors are
// retried.
func asFailure(err error) error {
	var e *apierr.Error
	switch {
	case errors.Is(err, objectstore.ErrNoSuchBucket), errors.Is(err, objectstore.ErrAccessDenied):
		e = errBucketNotFound()
	case errors.Is(err, objectstore.ErrNoSuchKey):
		e = errObjectNotFound()
	case !errors.As(err, &e):
		return err
	}
	return task.Fail(e.Code, e.Message)
}

// importStep reads the file again (it may have changed since ImportSnapshot
// looked) and makes the snapshot accomplished, of the file's virtual size.
func (s *Service) importStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[importState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	if s.deps.Objects == nil {
		f := errBucketNotFound()
		return task.Outcome{}, task.Fail(f.Code, f.Message)
	}
	file, err := s.probe(ctx, t.AccountID, st.Bucket, st.Object)
	if err != nil {
		return task.Outcome{}, asFailure(err)
	}
	var handle []byte
	if s.deps.Files != nil {
		if handle, err = s.importFile(ctx, t.AccountID, st); err != nil {
			return task.Outcome{}, err
		}
	}
	now := s.now()
	return task.Outcome{Done: true, Progress: 100,
		Operations: []store.TaskOperation{operation(task.OperationSuccess, "SnapshotId", st.SnapshotID)},
		Apply: s.editSnapshot(t.AccountID, st.SnapshotID, func(sn *store.Snapshot) {
			sn.Status, sn.Progress, sn.FinishedAt = store.SnapshotAccomplished, 100, now
			sn.SourceDiskSizeGiB, sn.SizeBytes = int((file.VirtualSize+1<<30-1)>>30), file.Size
			sn.DriverHandle = handle
		})}, nil
}

// importFile copies the object into the snapshot's data file (Deps.Files)
// and returns the volume driver's handle of it, which lets DeleteSnapshot
// remove the file.
func (s *Service) importFile(ctx context.Context, accountID int64, st importState) ([]byte, error) {
	r, _, err := s.deps.Objects.Open(ctx, accountID, st.Bucket, st.Object)
	if err != nil {
		return nil, asFailure(err)
	}
	defer func() { _ = r.Close() }()
	h, err := s.deps.Files.ImportSnapshot(ctx, st.SnapshotID, r)
	if errors.Is(err, driver.ErrInvalidArgument) {
		f := errSnapshotFileMalformed()
		return nil, task.Fail(f.Code, f.Message)
	}
	if err != nil {
		return nil, fmt.Errorf("data file of snapshot %s: %w", st.SnapshotID, err)
	}
	return json.Marshal(h)
}

// importCancel undoes a cancelled import: the snapshot (and its tags) go, so
// nothing half-imported is left.
func (s *Service) importCancel(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[importState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	if s.deps.Files != nil {
		if err := s.removeImportedFile(ctx, t.AccountID, st.SnapshotID); err != nil {
			return task.Outcome{}, err
		}
	}
	return task.Outcome{Apply: func(tx store.Tx) error {
		sn, err := tx.GetSnapshot(t.AccountID, st.SnapshotID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if sn.Status != store.SnapshotProgressing {
			return nil
		}
		if err := tx.DeleteSnapshot(sn.AccountID, sn.ID); err != nil {
			return fmt.Errorf("delete snapshot %s: %w", sn.ID, err)
		}
		return tx.DeleteAllTags(sn.AccountID, store.TagTypeSnapshot, sn.ID)
	}}, nil
}

// removeImportedFile removes the data file a cancelled import may have made,
// unless the snapshot was accomplished meanwhile.
func (s *Service) removeImportedFile(ctx context.Context, accountID int64, snapshotID string) error {
	var sn store.Snapshot
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		sn, err = tx.GetSnapshot(accountID, snapshotID)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case sn.Status != store.SnapshotProgressing:
		return nil
	}
	if err := s.deps.Files.RemoveSnapshot(ctx, snapshotID); err != nil {
		return fmt.Errorf("data file of snapshot %s: %w", snapshotID, err)
	}
	return nil
}

// importFailed marks the snapshot failed when its import fails.
func (s *Service) importFailed(tx store.Tx, t store.Task, _ *task.Failure) error {
	st, err := decodeState[importState](t)
	if err != nil {
		return nil
	}
	return s.editSnapshot(t.AccountID, st.SnapshotID, func(sn *store.Snapshot) { sn.Status = store.SnapshotFailed })(tx)
}

// exportStep writes the snapshot into the bucket: its qcow2 data file with
// Deps.Files; else a qcow2 image of its source disk size, with no data (the
// simulated volume driver keeps no bytes).
func (s *Service) exportStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[exportState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	if s.deps.Objects == nil {
		f := errBucketNotFound()
		return task.Outcome{}, task.Fail(f.Code, f.Message)
	}
	var sn store.Snapshot
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		sn, err = tx.GetSnapshot(t.AccountID, st.SnapshotID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		f := errExportSnapshotNotFound()
		return task.Outcome{}, task.Fail(f.Code, f.Message)
	}
	if err != nil {
		return task.Outcome{}, err
	}
	var body io.Reader = bytes.NewReader(imagefile.QCOW2Header(int64(sn.SourceDiskSizeGiB) << 30))
	if s.deps.Files != nil {
		f, err := s.deps.Files.OpenSnapshot(ctx, sn.ID)
		if errors.Is(err, driver.ErrNotFound) {
			fail := errExportFailed()
			return task.Outcome{}, task.Fail(fail.Code, fail.Message)
		}
		if err != nil {
			return task.Outcome{}, fmt.Errorf("data file of snapshot %s: %w", sn.ID, err)
		}
		defer func() { _ = f.Close() }()
		body = f
	}
	if err := s.deps.Objects.Put(ctx, t.AccountID, st.Bucket, st.Object, body); err != nil {
		return task.Outcome{}, asFailure(err)
	}
	return task.Outcome{Done: true, Progress: 100,
		Operations: []store.TaskOperation{operation(task.OperationSuccess, "SnapshotId", st.SnapshotID)}}, nil
}
