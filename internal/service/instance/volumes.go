package instance

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/store"
)

// diskFiles fills the Path of every disk of spec from the volume store,
// making the files that are missing (the system disk from the instance's
// image, data disks from their snapshot or blank), and spec.Boot from the
// image. Without a volume store it does nothing.
func (s *Service) diskFiles(ctx context.Context, spec *driver.InstanceSpec, disks []store.Disk) error {
	if s.deps.Volumes == nil {
		return nil
	}
	byID := map[string]store.Disk{}
	for _, d := range disks {
		byID[d.ID] = d
	}
	ensure := func(ds *driver.DiskSpec) error {
		if ds.DiskID == "" {
			return nil
		}
		path, err := s.deps.Volumes.EnsureDisk(ctx, volume.SourceOf(byID[ds.DiskID]))
		if err != nil {
			return fmt.Errorf("file of disk %s of %s: %w", ds.DiskID, spec.InstanceID, err)
		}
		ds.Path = path
		return nil
	}
	if err := ensure(&spec.SystemDisk); err != nil {
		return err
	}
	for i := range spec.DataDisks {
		if err := ensure(&spec.DataDisks[i]); err != nil {
			return err
		}
	}
	if spec.ImageID == "" {
		return nil
	}
	boot, err := s.deps.Volumes.Boot(ctx, spec.ImageID)
	switch {
	case errors.Is(err, driver.ErrNotFound):
		// The image went after its disk was made: the disk boots through
		// the firmware.
		s.deps.Logger.Warn("image of the instance not in the volume store: firmware boot",
			"instance", spec.InstanceID, "image", spec.ImageID)
	case err != nil:
		return fmt.Errorf("boot of image %s: %w", spec.ImageID, err)
	default:
		spec.Boot = boot
	}
	return nil
}

// deleteDiskFiles removes the files of disks an instance's release deleted;
// a failure is logged (the file is left behind, the disk is gone).
func (s *Service) deleteDiskFiles(ctx context.Context, instanceID string, diskIDs []string) {
	if s.deps.Volumes == nil {
		return
	}
	for _, id := range diskIDs {
		if err := s.deps.Volumes.DeleteDisk(ctx, id); err != nil {
			s.deps.Logger.Error("delete the file of a released disk", "instance", instanceID, "disk", id, "err", err)
		}
	}
}
