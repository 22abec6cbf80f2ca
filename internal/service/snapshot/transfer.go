package snapshot

import (
	"context"
	"errors"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// ImportSnapshot (1.8.4) and ExportSnapshot (1.8.5) are not yet wired to the
// object service (objectstore.Objects, which ImportImage and ExportImage use):
// they check their parameters as the guide says and then answer
// OSS_BUCKET_NOT_FOUND (403). Wiring them means task kinds
// (ActionImportSnapshot …) registered like the others, which CancelTask may
// cancel, and a snapshot record without a source disk for an import.

// ImportInput are the parameters of ImportSnapshot.
type ImportInput struct {
	SnapshotName string
	OssBucket    string
	OssObject    string
}

// Import answers ImportSnapshot: the parameters are checked, then the bucket
// is not found.
func (s *Service) Import(_ context.Context, _ Caller, in ImportInput) (string, string, error) {
	switch {
	case in.OssBucket == "":
		return "", "", apierr.MissingParameter("OssBucket")
	case in.OssObject == "":
		return "", "", apierr.MissingParameter("OssObject")
	case in.SnapshotName != "" && !validName(in.SnapshotName):
		return "", "", errSnapshotNameMalformed()
	}
	return "", "", errBucketNotFound()
}

// ExportInput are the parameters of ExportSnapshot.
type ExportInput struct {
	SnapshotID string
	OssBucket  string
}

// Export answers ExportSnapshot: the snapshot must exist (SNAPSHOT_NOT_EXIST)
// and be accomplished (SNAPSHOT_CREATE_NOT_FINISHED), then the bucket is not found.
func (s *Service) Export(ctx context.Context, c Caller, in ExportInput) (string, error) {
	switch {
	case in.SnapshotID == "":
		return "", apierr.MissingParameter("SnapshotId")
	case in.OssBucket == "":
		return "", apierr.MissingParameter("OssBucket")
	}
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		sn, err := getSnapshot(tx, c, in.SnapshotID)
		switch {
		case errors.Is(err, ErrSnapshotNotFound()):
			return errExportSnapshotNotFound()
		case err != nil:
			return err
		case sn.Status != store.SnapshotAccomplished:
			return errExportNotFinished()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return "", errBucketNotFound()
}
