package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// CreateInput are the parameters of CreateSnapshot (1.8.1, plus the SDK's
// RetentionDays and Tag.N).
type CreateInput struct {
	DiskID      string
	Name        string
	Description string
	// RetentionDays, when set, deletes the snapshot that many days after it
	// was taken (1–65536).
	RetentionDays *int
	Tags          []store.Tag
	ClientToken   string
}

// created is what a CreateSnapshot call records for its ClientToken.
type created struct {
	SnapshotID string
}

// Create takes a snapshot of a disk and returns its ID (CreateSnapshot, 1.8.1).
// The snapshot is progressing at 0% when the call returns; a CreateSnapshot
// task copies the disk and makes it accomplished at 100%.
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (string, error) {
	if in.DiskID == "" {
		return "", apierr.MissingParameter("DiskId")
	}
	if in.Name != "" && (!validName(in.Name) || strings.HasPrefix(strings.ToLower(in.Name), "auto")) {
		return "", errSnapshotNameMalformed()
	}
	if in.Description != "" && !validDescription(in.Description) {
		return "", errDescriptionMalformed()
	}
	if in.RetentionDays != nil && (*in.RetentionDays < 1 || *in.RetentionDays > MaxRetentionDays) {
		return "", apierr.InvalidParameter("RetentionDays")
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return "", err
	}
	if len(in.Tags) > tag.MaxPerBatch {
		return "", tag.ErrCount()
	}
	tags, err := tag.Validate(in.Tags)
	if err != nil {
		return "", err
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "CreateSnapshot", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var out created
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (created, error) {
			d, err := getDisk(tx, c, in.DiskID, errCreateDiskNotFound())
			if err != nil {
				return created{}, err
			}
			if err := checkSnapshotable(tx, d, now); err != nil {
				return created{}, err
			}
			if err := s.checkQuota(tx, d); err != nil {
				return created{}, err
			}
			sn := s.newSnapshot(d, now)
			sn.Name, sn.Description, sn.Type = in.Name, in.Description, store.SnapshotTypeUser
			if in.RetentionDays != nil {
				sn.RetentionDays, sn.ExpiresAt = *in.RetentionDays, expiry(now, *in.RetentionDays)
			}
			if err := s.take(tx, sn); err != nil {
				return created{}, err
			}
			if len(tags) > 0 {
				if err := tx.PutTags(c.AccountID, store.TagTypeSnapshot, sn.ID, tags); err != nil {
					return created{}, fmt.Errorf("tag snapshot %s: %w", sn.ID, err)
				}
			}
			return created{SnapshotID: sn.ID}, nil
		})
		return err
	})
	if err != nil {
		return "", err
	}
	s.deps.Tasks.Wake()
	return out.SnapshotID, nil
}

// checkSnapshotable applies CreateSnapshot's rules on the disk and its
// instance (1.8.1): a cloud disk, attached to a Running or Stopped instance
// that has started since the disk was added and is not locked, or detached
// after having been attached; no snapshot of it under way.
func checkSnapshotable(tx store.Tx, d store.Disk, now time.Time) error {
	if d.Category == localCategory {
		return errCategoryNotSupported()
	}
	switch d.Status {
	case diskAvailable:
		if d.AttachedAt.IsZero() {
			return errNeverAttached()
		}
	case diskInUse:
		in, err := tx.GetInstance(d.AccountID, d.InstanceID)
		if errors.Is(err, store.ErrNotFound) {
			return errDiskStatus()
		}
		if err != nil {
			return fmt.Errorf("instance of %s: %w", d.ID, err)
		}
		switch {
		case in.Status != instanceRunning && in.Status != instanceStopped || deleting(in, now):
			return errInstanceStatus(http.StatusBadRequest)
		case locked(in):
			return errInstanceLocked()
		case in.StartedAt.IsZero():
			return errNeverUsed()
		case in.Status != instanceRunning && d.CreatedAt.After(in.StartedAt):
			return errNeverUsed() // added while the instance was stopped, not started since
		}
	default:
		return errDiskStatus()
	}
	busy, err := creatingSnapshot(tx, d.AccountID, d.ID)
	if err != nil {
		return err
	}
	if busy {
		return errCreatingSnapshot()
	}
	return nil
}

// checkQuota refuses a snapshot beyond Limits.SnapshotsPerDisk.
func (s *Service) checkQuota(tx store.Tx, d store.Disk) error {
	n, err := s.countSnapshots(tx, d, nil)
	if err != nil {
		return err
	}
	if n >= s.deps.Limits.SnapshotsPerDisk {
		return errSnapshotQuota()
	}
	return nil
}

// countSnapshots counts the disk's snapshots (of the given types; nil: all).
func (s *Service) countSnapshots(tx store.Tx, d store.Disk, types []string) (int, error) {
	_, n, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: d.AccountID, SourceDiskIDs: []string{d.ID}, Types: types,
		Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return 0, fmt.Errorf("snapshots of %s: %w", d.ID, err)
	}
	return n, nil
}

// newSnapshot returns a progressing snapshot of d with a new ID.
func (s *Service) newSnapshot(d store.Disk, now time.Time) store.Snapshot {
	return store.Snapshot{ID: s.deps.IDs.NewID("s", d.RegionID), AccountID: d.AccountID, RegionID: d.RegionID,
		SourceDiskID: d.ID, SourceDiskType: d.Type, SourceDiskSizeGiB: d.SizeGiB, SourceDiskCategory: d.Category,
		Status: store.SnapshotProgressing, Encrypted: d.Encrypted, KMSKeyID: d.KMSKeyID, CreatedAt: now}
}

// createState is the CreateSnapshot task's state.
type createState struct {
	SnapshotID string `json:"snapshotId"`
	DiskID     string `json:"diskId"`
	SizeGiB    int    `json:"sizeGiB"`
	// Handle is the volume driver's handle, once the copy has started.
	Handle json.RawMessage `json:"handle,omitempty"`
}

// take records the snapshot and enqueues the task that copies the disk, in tx.
func (s *Service) take(tx store.Tx, sn store.Snapshot) error {
	state, err := json.Marshal(createState{SnapshotID: sn.ID, DiskID: sn.SourceDiskID, SizeGiB: sn.SourceDiskSizeGiB})
	if err != nil {
		return fmt.Errorf("encode snapshot task: %w", err)
	}
	sn.TaskID, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: sn.AccountID, RegionID: sn.RegionID,
		Action: ActionCreateSnapshot, ResourceID: sn.ID, State: state,
		Operations: []store.TaskOperation{operation(task.OperationProcessing, "SnapshotId", sn.ID, "DiskId", sn.SourceDiskID)}})
	if err != nil {
		return err
	}
	if err := tx.CreateSnapshot(sn); err != nil {
		return fmt.Errorf("create snapshot: %w", err)
	}
	return nil
}

// operation builds a task operation with name/value items.
func operation(status string, nameValues ...string) store.TaskOperation {
	op := store.TaskOperation{Status: status}
	for i := 0; i+1 < len(nameValues); i += 2 {
		op.Items = append(op.Items, store.TaskItem{Name: nameValues[i], Value: nameValues[i+1]})
	}
	return op
}

// TakeForImage records a snapshot of disk d and enqueues the task that takes
// it, inside the caller's transaction: CreateImage with InstanceId snapshots
// every disk of the instance this way (guide 1.9.1). The snapshot is a user
// snapshot named after the image; the caller checks the instance's state and
// wakes the task engine after the commit.
func (s *Service) TakeForImage(tx store.Tx, d store.Disk, imageID string, now time.Time) (store.Snapshot, error) {
	busy, err := creatingSnapshot(tx, d.AccountID, d.ID)
	if err != nil {
		return store.Snapshot{}, err
	}
	if busy {
		return store.Snapshot{}, errCreatingSnapshot()
	}
	sn := s.newSnapshot(d, now)
	sn.Type, sn.Description = store.SnapshotTypeUser, "Created for image "+imageID
	if err := s.take(tx, sn); err != nil {
		return store.Snapshot{}, err
	}
	return sn, nil
}
