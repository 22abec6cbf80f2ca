package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// Delete deletes a snapshot (DeleteSnapshot, 1.8.2). A snapshot that does not
// exist is ignored, as the guide says. One a custom image was made from is
// refused (SnapshotCreatedImage); one disks were made from is refused
// (SnapshotCreatedDisk) unless force (the SDK's Force), after which those disks
// can no longer be re-initialised. Deleting a snapshot still being taken
// cancels its creation.
func (s *Service) Delete(ctx context.Context, c Caller, id string, force bool) error {
	if id == "" {
		return apierr.MissingParameter("SnapshotId")
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		sn, err := getSnapshot(tx, c, id)
		if errors.Is(err, ErrSnapshotNotFound()) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case sn.UsedByImages:
			return errCreatedImage()
		case sn.UsedByDisks && !force:
			return errCreatedDisk()
		}
		return s.remove(tx, sn)
	})
	if err == nil {
		s.deps.Tasks.Wake()
	}
	return err
}

// remove deletes a snapshot's row and tags in tx, and has its data deleted: a
// copy under way is cancelled, a finished one is removed by a DeleteSnapshot task.
func (s *Service) remove(tx store.Tx, sn store.Snapshot) error {
	if err := tx.DeleteSnapshot(sn.AccountID, sn.ID); err != nil {
		return fmt.Errorf("delete snapshot %s: %w", sn.ID, err)
	}
	if err := tx.DeleteAllTags(sn.AccountID, store.TagTypeSnapshot, sn.ID); err != nil {
		return fmt.Errorf("untag snapshot %s: %w", sn.ID, err)
	}
	if sn.Status == store.SnapshotProgressing && sn.TaskID != "" {
		return s.deps.Tasks.RequestCancel(tx, sn.AccountID, sn.TaskID)
	}
	if len(sn.DriverHandle) == 0 {
		return nil
	}
	state, err := json.Marshal(deleteState{SnapshotID: sn.ID, Handle: sn.DriverHandle})
	if err != nil {
		return fmt.Errorf("encode snapshot deletion: %w", err)
	}
	_, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: sn.AccountID, RegionID: sn.RegionID, Action: ActionDeleteSnapshot,
		ResourceID: sn.ID, State: state, Operations: []store.TaskOperation{operation(task.OperationProcessing, "SnapshotId", sn.ID)}})
	return err
}

// DiskReleased is what happens to a disk's snapshots when the disk is deleted
// (DeleteDisk, or DeleteInstance releasing it; 1.5.6): it stops executing its
// automatic snapshot policy, and with DeleteAutoSnapshot its automatic
// snapshots are deleted too (those an image was made from stay). User
// snapshots always stay. The disk services call it inside their transaction.
func (s *Service) DiskReleased(tx store.Tx, d store.Disk) error {
	if err := tx.DeleteDiskPolicy(d.AccountID, d.ID); err != nil {
		return err
	}
	if !d.DeleteAutoSnapshot {
		return nil
	}
	autos, _, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: d.AccountID, SourceDiskIDs: []string{d.ID},
		Types: []string{store.SnapshotTypeAuto}})
	if err != nil {
		return fmt.Errorf("automatic snapshots of %s: %w", d.ID, err)
	}
	for _, sn := range autos {
		if sn.UsedByImages {
			continue
		}
		if err := s.remove(tx, sn); err != nil {
			return err
		}
	}
	return nil
}

// ModifyInput are the parameters of ModifySnapshotAttribute (named in the
// guide's RAM table 1.3; the SDK's shape): nil keeps a value.
type ModifyInput struct {
	SnapshotID  string
	Name        *string
	Description *string
}

// ModifyAttribute renames a snapshot or changes its description. An empty name
// keeps the name; an empty description clears it.
func (s *Service) ModifyAttribute(ctx context.Context, c Caller, in ModifyInput) error {
	if in.SnapshotID == "" {
		return apierr.MissingParameter("SnapshotId")
	}
	name := in.Name != nil && *in.Name != ""
	if name && (!validName(*in.Name) || strings.HasPrefix(strings.ToLower(*in.Name), "auto")) {
		return errSnapshotNameMalformed()
	}
	if in.Description != nil && *in.Description != "" && !validDescription(*in.Description) {
		return errDescriptionMalformed()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		sn, err := getSnapshot(tx, c, in.SnapshotID)
		if err != nil {
			return err
		}
		if name {
			sn.Name = *in.Name
		}
		if in.Description != nil {
			sn.Description = *in.Description
		}
		return tx.UpdateSnapshot(sn)
	})
}
