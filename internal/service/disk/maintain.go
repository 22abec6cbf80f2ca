package disk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// ResizeDisk's Type values (SDK): offline (default) takes effect at the next
// start of the instance, online at once.
const (
	ResizeOffline = "offline"
	ResizeOnline  = "online"
)

// errSourceSnapshot answers ReInitDisk for a disk made from a snapshot that no
// longer exists.
func errSourceSnapshot() *apierr.Error {
	return apierr.Forbidden("InvalidSourceSnapshot", "The snapshot which is used to create the specified disk has been deleted.")
}

// ReInit re-initialises an In_use disk of a Stopped instance (ReInitDisk,
// 1.7.6): a system disk to its image, a data disk to empty (or to its source
// snapshot). An instance that has never started since it was created cannot
// (IncorrectDiskStatus.NeverUsed), nor can a disk with a snapshot under way
// (DiskCreatingSnapshot), nor a disk made from a snapshot deleted since
// (InvalidSourceSnapshot). The disk's row does not change and ReIniting is
// never observed: with a volume store (the qemu driver) the disk's file is
// made again from its source before the call returns; otherwise disks hold no
// data.
func (s *Service) ReInit(ctx context.Context, c Caller, diskID string) error {
	now := s.now()
	var d store.Disk
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		d, err = getDisk(tx, c, diskID)
		if err != nil {
			return err
		}
		if d.Status != StatusInUse || d.InstanceID == "" {
			return errDiskStatus(msgDiskStatus)
		}
		inst, err := getInstance(tx, c, d.InstanceID)
		switch {
		case errors.Is(err, ErrInstanceNotFound()):
			return errDiskStatus(msgDiskStatus)
		case err != nil:
			return err
		case !settledIn(inst, now, instanceStopped):
			return errInstanceStatus(http.StatusForbidden)
		case lockedForSecurity(inst):
			return errInstanceLocked()
		case inst.StartedAt.IsZero():
			return errNeverUsed()
		}
		if busy, err := creatingSnapshot(tx, d); err != nil || busy {
			if err == nil {
				err = errCreatingSnapshot("DiskCreatingSnapshot")
			}
			return err
		}
		if d.SourceSnapshotID != "" {
			if _, err := tx.GetSnapshot(c.AccountID, d.SourceSnapshotID); errors.Is(err, store.ErrNotFound) {
				return errSourceSnapshot()
			} else if err != nil {
				return fmt.Errorf("source snapshot of %s: %w", d.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.recreateFile(ctx, d)
}

// ResizeInput are the parameters of ResizeDisk (1.7.9, plus the SDK's Type).
type ResizeInput struct {
	DiskID  string
	NewSize int
	// Type is offline (default) or online.
	Type        string
	ClientToken string
}

// Resize enlarges a data disk (ResizeDisk, 1.7.9): Available, or In_use on a
// Running or Stopped instance; online only for an In_use disk. The new size must
// be larger than the old one and within the category's range. The store records
// it at once. With a volume store (the qemu driver) the disk's file grows in
// the same transaction (a failure leaves the size as it was), live when the
// disk's instance runs; otherwise disks hold no data.
func (s *Service) Resize(ctx context.Context, c Caller, in ResizeInput) error {
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return err
	}
	switch in.Type {
	case "", ResizeOffline, ResizeOnline:
	default:
		return apierr.InvalidParameter("Type")
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "ResizeDisk", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		_, err := idempotency.Run(tx, now, key, params, func() (struct{}, error) {
			d, err := getDisk(tx, c, in.DiskID)
			if err != nil {
				return struct{}{}, err
			}
			if err := checkResize(tx, c, d, in, now); err != nil {
				return struct{}{}, err
			}
			// The file grows first, inside the transaction: it is quick
			// (qemu-img, or block_resize on the running VM), idempotent, and
			// a failure must not record a size the disk does not have.
			if err := s.resizeFile(ctx, d.ID, in.NewSize); err != nil {
				return struct{}{}, err
			}
			d.SizeGiB = in.NewSize
			if err := tx.UpdateDisk(d); err != nil {
				return struct{}{}, fmt.Errorf("resize disk %s: %w", d.ID, err)
			}
			return struct{}{}, nil
		})
		return err
	})
}

// checkResize applies ResizeDisk's rules to d.
func checkResize(tx store.Tx, c Caller, d store.Disk, in ResizeInput, now time.Time) error {
	sizes, known := DataDiskSize(d.Category, d.PerformanceLevel)
	if d.Type != TypeData || !known {
		return errResizeType()
	}
	switch d.Status {
	case StatusAvailable:
		if in.Type == ResizeOnline {
			return errResizeStatus()
		}
	case StatusInUse:
		inst, err := getInstance(tx, c, d.InstanceID)
		if err != nil {
			return err
		}
		if !settledIn(inst, now, instanceRunning, instanceStopped) {
			return errResizeStatus()
		}
	default:
		return errResizeStatus()
	}
	if busy, err := creatingSnapshot(tx, d); err != nil || busy {
		if err == nil {
			err = errResizeStatus() // "磁盘上如果正在执行打快照的操作，则此时不允许进行扩容操作"
		}
		return err
	}
	if in.NewSize <= d.SizeGiB {
		return errSizeTooSmall()
	}
	if in.NewSize > sizes.Max {
		return errNewSize()
	}
	return nil
}

// ReplaceInput are the parameters of ReplaceSystemDisk (1.7.8).
type ReplaceInput struct {
	InstanceID string
	ImageID    string
	// Size is the new system disk's size in GiB; nil means max{40, image size,
	// old system disk size}.
	Size        *int
	ClientToken string
}

// replaced is what a ReplaceSystemDisk call records for its ClientToken.
type replaced struct {
	DiskID string
	// old and disk are the released and the new system disk (not recorded:
	// a repeated call finds the files done).
	old, disk store.Disk
}

// ReplaceSystemDisk gives a Stopped instance a new system disk made from
// another image (ReplaceSystemDisk, 1.7.8) and returns the new disk's ID. The
// old system disk is released; the new one has the old one's category, device
// and flags. The instance's image becomes the new one. With a volume store
// (the qemu driver) the old disk's file goes, the new one is made from the
// image, and the driver forgets the instance's definition (which names the
// old disk and the old image's boot files): the next start defines it again.
func (s *Service) ReplaceSystemDisk(ctx context.Context, c Caller, in ReplaceInput) (string, error) {
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return "", err
	}
	img, err := s.replacementImage(ctx, c, in.ImageID)
	if err != nil {
		return "", err
	}
	if err := s.forgetDefinition(ctx, c, in.InstanceID); err != nil {
		return "", err
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "ReplaceSystemDisk", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var out replaced
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (replaced, error) {
			inst, old, err := s.checkReplace(tx, c, in.InstanceID, img, now)
			if err != nil {
				return replaced{}, err
			}
			size, err := systemDiskSize(in.Size, img.Size, old.SizeGiB)
			if err != nil {
				return replaced{}, err
			}
			d := newSystemDisk(old, inst, img.ID, size, now)
			d.ID = s.deps.IDs.NewID("d", c.RegionID)
			if old.ID != "" {
				if busy, err := creatingSnapshot(tx, old); err != nil || busy {
					if err == nil {
						err = errCreatingSnapshot("DiskCreatingSnapshot")
					}
					return replaced{}, err
				}
				if err := tx.DeleteDisk(c.AccountID, old.ID); err != nil {
					return replaced{}, fmt.Errorf("release system disk %s: %w", old.ID, err)
				}
				if err := deleteTags(tx, c.AccountID, old.ID); err != nil {
					return replaced{}, err
				}
				if err := s.released(tx, old); err != nil {
					return replaced{}, err
				}
			}
			if err := tx.CreateDisk(d); err != nil {
				return replaced{}, fmt.Errorf("create system disk: %w", err)
			}
			inst.ImageID, inst.OSName, inst.OSType = img.ID, img.OSName, img.OSType
			if s.deps.Volumes != nil {
				inst.DriverHandle = nil // forgotten by forgetDefinition
			}
			if err := tx.UpdateInstance(inst); err != nil {
				return replaced{}, fmt.Errorf("replace system disk of %s: %w", inst.ID, err)
			}
			return replaced{DiskID: d.ID, old: old, disk: d}, nil
		})
		return err
	})
	if err == nil && out.disk.ID != "" {
		s.replaceFiles(ctx, out.old, out.disk)
	}
	return out.DiskID, err
}

// replacementImage returns the image a system disk is to be replaced with.
func (s *Service) replacementImage(ctx context.Context, c Caller, imageID string) (image.Image, error) {
	img, err := s.deps.Images.Image(ctx, c.AccountID, c.RegionID, imageID)
	switch {
	case errors.Is(err, image.ErrNotFound()):
		return image.Image{}, errImageNotFound()
	case err != nil:
		return image.Image{}, fmt.Errorf("image %s: %w", imageID, err)
	case !img.Usable():
		return image.Image{}, errImageNotFound()
	case slices.ContainsFunc(img.DiskDeviceMappings, func(m image.DiskDeviceMapping) bool { return m.Type == TypeData }):
		return image.Image{}, errImageHasDataDisks()
	case !img.SupportsIoOptimized:
		return image.Image{}, errImageIoOptimized()
	}
	return img, nil
}

// checkReplace applies ReplaceSystemDisk's instance rules and returns the
// instance and its system disk (zero when it has none).
func (s *Service) checkReplace(tx store.Tx, c Caller, instanceID string, img image.Image, now time.Time) (store.Instance, store.Disk, error) {
	inst, err := getInstance(tx, c, instanceID)
	switch {
	case err != nil:
		return store.Instance{}, store.Disk{}, err
	case !settledIn(inst, now, instanceStopped):
		return store.Instance{}, store.Disk{}, errInstanceStatus(http.StatusForbidden)
	case lockedForSecurity(inst):
		return store.Instance{}, store.Disk{}, errInstanceLocked()
	}
	if t, ok := s.deps.Catalog.InstanceType(inst.InstanceType); ok && !img.SupportsInstanceType(t) {
		return store.Instance{}, store.Disk{}, errImageInstanceType()
	}
	disks, err := tx.InstanceDisks(inst.ID)
	if err != nil {
		return store.Instance{}, store.Disk{}, fmt.Errorf("disks of %s: %w", inst.ID, err)
	}
	for _, d := range disks {
		if d.Type == TypeSystem {
			return inst, d, nil
		}
	}
	return inst, store.Disk{}, nil
}

// systemDiskSize resolves the new system disk's size: at least the image's
// size (LessThanImageSize) and max{40, the old disk's size} (LessThanMinimumSize),
// at most 500 GiB.
func systemDiskSize(size *int, imageSize, oldSize int) (int, error) {
	least := max(SystemDiskMinGiB, oldSize)
	if size == nil {
		return max(least, imageSize), nil
	}
	switch {
	case *size < imageSize:
		return 0, errSystemSizeLessThanImage()
	case *size < least:
		return 0, errSystemSizeLessThanMin()
	case *size > SystemDiskMaxGiB:
		return 0, errSystemSizeMoreThanMax()
	}
	return *size, nil
}

// newSystemDisk returns the system disk replacing old (zero when the instance
// had none) on inst, without its ID.
func newSystemDisk(old store.Disk, inst store.Instance, imageID string, size int, now time.Time) store.Disk {
	d := store.Disk{AccountID: inst.AccountID, RegionID: inst.RegionID, ZoneID: inst.ZoneID, Type: TypeSystem,
		Category: old.Category, PerformanceLevel: old.PerformanceLevel, SizeGiB: size, ImageID: imageID,
		InstanceID: inst.ID, Device: old.Device, Status: StatusInUse, DeleteWithInstance: old.DeleteWithInstance,
		DeleteAutoSnapshot: old.DeleteAutoSnapshot, EnableAutoSnapshot: old.EnableAutoSnapshot,
		Encrypted: old.Encrypted, KMSKeyID: old.KMSKeyID, CreatedAt: now, AttachedAt: now}
	if old.ID == "" {
		d.Category, d.DeleteWithInstance, d.DeleteAutoSnapshot = CategoryEfficiency, true, true
	}
	if d.Device == "" {
		d.Device = SystemDevice
	}
	return d
}
