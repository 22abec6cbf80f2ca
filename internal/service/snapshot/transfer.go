package snapshot

import (
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

// ImportSnapshot (1.8.4) and ExportSnapshot (1.8.5) exchange snapshots with
// the object store (Deps.Objects), through the RAM roles of ImportImage and
// ExportImage (Deps.Roles). Both run as tasks CancelTask may cancel (kinds in
// transfer_kinds.go); docs/snapshots.md has the rules.

// The RAM roles imports and exports act through unless RoleName names another
// (the image service's defaults, as Alibaba Cloud uses them).
const (
	ImportRole = "AliyunECSImageImportDefaultRole"
	ExportRole = "AliyunECSImageExportDefaultRole"
)

// RoleChecker checks the RAM role an import or export acts through
// (image.TransferRoles).
type RoleChecker interface {
	// Allowed reports whether the account's role lets ECS read (export false)
	// or write (export true) the account's buckets.
	Allowed(ctx context.Context, accountID int64, roleName string, export bool) (bool, error)
}

// SnapshotFiles is what ImportSnapshot and ExportSnapshot need from a volume
// store that keeps the snapshots' data (the qcow2 store).
type SnapshotFiles interface {
	// OpenSnapshot opens the qcow2 data file of a finished snapshot. One the
	// store does not have wraps driver.ErrNotFound.
	OpenSnapshot(ctx context.Context, snapshotID string) (io.ReadCloser, error)
	// ImportSnapshot makes the snapshot's data file from a disk image file
	// (qcow2, VHD or RAW) read from r and returns the volume driver's handle
	// of it; it is idempotent on snapshotID. A file that is no image, or
	// refers to other files, wraps driver.ErrInvalidArgument.
	ImportSnapshot(ctx context.Context, snapshotID string, r io.Reader) (driver.Handle, error)
	// RemoveSnapshot removes what ImportSnapshot made; a missing snapshot is
	// not an error.
	RemoveSnapshot(ctx context.Context, snapshotID string) error
}

// ImportInput are the parameters of ImportSnapshot.
type ImportInput struct {
	SnapshotName string
	OssBucket    string
	OssObject    string
	// RoleName is the RAM role the import acts through (default ImportRole).
	RoleName string
}

// Imported is the answer of ImportSnapshot.
type Imported struct {
	SnapshotID, TaskID string
}

// Import imports a disk image file from a bucket of the caller in the region
// as a snapshot (ImportSnapshot, 1.8.4). Everything is checked before anything
// is created — the parameters, the role, the bucket, the object and its
// header (qcow2, VHD or RAW, told apart by their content) — so bad input
// leaves nothing behind. The snapshot is then progressing, of no source disk,
// its SourceDiskSize the file's virtual size in GiB rounded up; an
// ImportSnapshot task reads the file again (with Deps.Files, into the
// snapshot's data file, so disks made from it get its content) and makes it
// accomplished.
func (s *Service) Import(ctx context.Context, c Caller, in ImportInput) (Imported, error) {
	switch {
	case in.OssBucket == "":
		return Imported{}, apierr.MissingParameter("OssBucket")
	case in.OssObject == "":
		return Imported{}, apierr.MissingParameter("OssObject")
	case in.SnapshotName != "" && !validName(in.SnapshotName):
		return Imported{}, errSnapshotNameMalformed()
	}
	if s.deps.Objects == nil {
		return Imported{}, errBucketNotFound()
	}
	if in.RoleName == "" {
		in.RoleName = ImportRole
	}
	if err := s.checkRole(ctx, c, in.RoleName, false); err != nil {
		return Imported{}, err
	}
	if err := s.checkBucket(ctx, c, in.OssBucket); err != nil {
		return Imported{}, err
	}
	file, err := s.probe(ctx, c.AccountID, in.OssBucket, in.OssObject)
	if err != nil {
		return Imported{}, err
	}
	now := s.now()
	sn := store.Snapshot{ID: s.deps.IDs.NewID("s", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
		Name: in.SnapshotName, Type: store.SnapshotTypeUser, SourceDiskType: diskTypeData,
		SourceDiskSizeGiB: int((file.VirtualSize + 1<<30 - 1) >> 30), Status: store.SnapshotProgressing, CreatedAt: now}
	st := importState{SnapshotID: sn.ID, Bucket: in.OssBucket, Object: in.OssObject}
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		state, err := json.Marshal(st)
		if err != nil {
			return err
		}
		sn.TaskID, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: c.AccountID, RegionID: c.RegionID, Action: ActionImportSnapshot,
			ResourceID: sn.ID, State: state, Operations: []store.TaskOperation{operation(task.OperationProcessing, "SnapshotId", sn.ID)}})
		if err != nil {
			return err
		}
		return tx.CreateSnapshot(sn)
	})
	if err != nil {
		return Imported{}, err
	}
	s.deps.Tasks.Wake()
	return Imported{SnapshotID: sn.ID, TaskID: sn.TaskID}, nil
}

// ExportInput are the parameters of ExportSnapshot.
type ExportInput struct {
	SnapshotID string
	OssBucket  string
	// RoleName is the RAM role the export acts through (default ExportRole).
	RoleName string
}

// ExportObjectKey is the key an exported snapshot is written under in the
// bucket: its ID and the extension of its format (the guide names none).
func ExportObjectKey(snapshotID string) string { return snapshotID + ".qcow2" }

// Export writes an accomplished snapshot of the caller into a bucket of the
// caller in the snapshot's region (ExportSnapshot, 1.8.5) and returns the
// ExportSnapshot task's ID. The object is ExportObjectKey(SnapshotId): the
// snapshot's qcow2 data file with Deps.Files; without (the simulated volume
// driver keeps no bytes) a qcow2 image of the snapshot's source disk size
// that, like ExportImage for snapshot-based images in sim mode, is empty.
func (s *Service) Export(ctx context.Context, c Caller, in ExportInput) (string, error) {
	switch {
	case in.SnapshotID == "":
		return "", apierr.MissingParameter("SnapshotId")
	case in.OssBucket == "":
		return "", apierr.MissingParameter("OssBucket")
	}
	if err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		_, err := exportable(tx, c, in.SnapshotID)
		return err
	}); err != nil {
		return "", err
	}
	if s.deps.Objects == nil {
		return "", errBucketNotFound()
	}
	if in.RoleName == "" {
		in.RoleName = ExportRole
	}
	if err := s.checkRole(ctx, c, in.RoleName, true); err != nil {
		return "", err
	}
	if err := s.checkBucket(ctx, c, in.OssBucket); err != nil {
		return "", err
	}
	var taskID string
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		sn, err := exportable(tx, c, in.SnapshotID)
		if err != nil {
			return err
		}
		busy, err := exporting(tx, sn)
		if err != nil {
			return err
		}
		if busy {
			return errSnapshotExporting()
		}
		state, err := json.Marshal(exportState{SnapshotID: sn.ID, Bucket: in.OssBucket, Object: ExportObjectKey(sn.ID)})
		if err != nil {
			return err
		}
		taskID, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: c.AccountID, RegionID: c.RegionID, Action: ActionExportSnapshot,
			ResourceID: sn.ID, State: state, Operations: []store.TaskOperation{operation(task.OperationProcessing, "SnapshotId", sn.ID)}})
		return err
	})
	if err != nil {
		return "", err
	}
	s.deps.Tasks.Wake()
	return taskID, nil
}

// exportable returns the caller's snapshot if it may be exported:
// SNAPSHOT_NOT_EXIST, then SNAPSHOT_CREATE_NOT_FINISHED.
func exportable(tx store.Tx, c Caller, id string) (store.Snapshot, error) {
	sn, err := getSnapshot(tx, c, id)
	switch {
	case errors.Is(err, ErrSnapshotNotFound()):
		return sn, errExportSnapshotNotFound()
	case err != nil:
		return sn, err
	case sn.Status != store.SnapshotAccomplished:
		return sn, errExportNotFinished()
	}
	return sn, nil
}

// exporting reports whether an export of the snapshot is under way.
func exporting(tx store.Tx, sn store.Snapshot) (bool, error) {
	tasks, _, err := tx.ListTasks(store.TaskFilter{AccountID: sn.AccountID, RegionID: sn.RegionID, Actions: []string{ActionExportSnapshot},
		ResourceIDs: []string{sn.ID}, Statuses: []string{store.TaskWaiting, store.TaskProcessing}, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return false, fmt.Errorf("exports of %s: %w", sn.ID, err)
	}
	return len(tasks) > 0, nil
}

// checkRole answers OSS_AUTHORIZED_FAILED unless the role lets ECS read (or
// write) the caller's buckets.
func (s *Service) checkRole(ctx context.Context, c Caller, roleName string, export bool) error {
	if s.deps.Roles == nil {
		return errOSSAuthorization()
	}
	ok, err := s.deps.Roles.Allowed(ctx, c.AccountID, roleName, export)
	if err != nil {
		return err
	}
	if !ok {
		return errOSSAuthorization()
	}
	return nil
}

// checkBucket answers OSS_BUCKET_NOT_FOUND unless the caller has the bucket
// in the region.
func (s *Service) checkBucket(ctx context.Context, c Caller, bucket string) error {
	region, err := s.deps.Objects.BucketRegion(ctx, c.AccountID, bucket)
	switch {
	case errors.Is(err, objectstore.ErrNoSuchBucket), errors.Is(err, objectstore.ErrAccessDenied):
		return errBucketNotFound()
	case err != nil:
		return fmt.Errorf("bucket %s: %w", bucket, err)
	case region != c.RegionID:
		return errBucketNotFound()
	}
	return nil
}

// snapshotFile is what probe learns of an image file.
type snapshotFile struct {
	Format      string
	Size        int64
	VirtualSize int64
}

// probe opens an image file and reads its header: OSS_OBJECT_NOT_FOUND for a
// missing object, InvalidFile.Malformed for a file that is not an image.
func (s *Service) probe(ctx context.Context, accountID int64, bucket, key string) (snapshotFile, error) {
	r, size, err := s.deps.Objects.Open(ctx, accountID, bucket, key)
	switch {
	case errors.Is(err, objectstore.ErrNoSuchBucket), errors.Is(err, objectstore.ErrAccessDenied):
		return snapshotFile{}, errBucketNotFound()
	case errors.Is(err, objectstore.ErrNoSuchKey):
		return snapshotFile{}, errObjectNotFound()
	case err != nil:
		return snapshotFile{}, fmt.Errorf("object %s/%s: %w", bucket, key, err)
	}
	defer func() { _ = r.Close() }()
	ra := readerAt{r}
	f := snapshotFile{Size: size}
	if f.Format, err = imagefile.Detect(ra, size); err == nil {
		f.VirtualSize, err = imagefile.VirtualSize(ra, size, f.Format)
	}
	if errors.Is(err, imagefile.ErrMalformed) {
		return snapshotFile{}, errSnapshotFileMalformed()
	}
	if err != nil {
		return snapshotFile{}, fmt.Errorf("object %s/%s: %w", bucket, key, err)
	}
	return f, nil
}

// readerAt adapts an io.ReadSeeker to io.ReaderAt (for one reader at a time).
type readerAt struct{ r io.ReadSeeker }

func (a readerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := a.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(a.r, p)
}
