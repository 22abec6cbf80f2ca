package image

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// Goldens keeps the golden image files instances boot from: the qcow2 volume
// store of `ecsd serve --driver qemu`. With Deps.Goldens set, the system
// images are exactly the store's images (those `ecsd admin image import`
// registered), and every custom image gets a golden file before it is
// Available: CreateImage from its system-disk snapshot, ImportImage and the
// copies of imported images from their file, CopyImage of a snapshot image
// from the same snapshot. DeleteImage removes the image from the golden store.
type Goldens interface {
	// GoldenImages lists the store's images.
	GoldenImages(ctx context.Context) ([]GoldenImage, error)
	// GoldenFromSnapshot makes the golden file of g from a snapshot of a
	// system disk; it is idempotent on g.ImageID. A snapshot the store does
	// not have wraps driver.ErrNotFound.
	GoldenFromSnapshot(ctx context.Context, snapshotID string, g GoldenImage) error
	// GoldenFromFile makes the golden file of g from an image file in any
	// format qemu-img reads; it is idempotent on g.ImageID.
	GoldenFromFile(ctx context.Context, path string, g GoldenImage) error
	// DeleteGolden removes an image's golden file; a missing one is not an
	// error.
	DeleteGolden(ctx context.Context, imageID string) error
	// ExportGolden converts an image's golden file into a new temporary file
	// of format (FormatRAW, FormatVHD or FormatQCOW2) and returns its path and
	// the func that removes it (ExportImage). An image the store does not
	// have wraps driver.ErrNotFound.
	ExportGolden(ctx context.Context, imageID, format string) (path string, cleanup func(), err error)
}

// GoldenImage describes an image of the golden store.
type GoldenImage struct {
	ImageID, Name, Description string
	// OSType is linux or windows; Platform the distribution; Architecture
	// x86_64, i386 or arm64 (empty means x86_64).
	OSType, Platform, Architecture string
	// SizeGiB is the image's virtual size, rounded up.
	SizeGiB int
	// BootFrom, when making a golden file, names the image whose boot files
	// (kernel, initrd, command line) the new image takes; empty means the
	// image boots through the firmware.
	BootFrom string
	// CreatedAt is when the image was registered.
	CreatedAt time.Time
}

// goldenSource is the Source of system images when the service has Goldens:
// the golden store's images that are not custom images (the golden files of
// custom images are the store's too), in every region, for every account.
type goldenSource struct{ s *Service }

// Images implements Source.
func (g goldenSource) Images(ctx context.Context, _ int64, _ string, q Query) ([]Image, error) {
	if q.OwnerAlias != "" && q.OwnerAlias != OwnerSystem {
		return nil, nil
	}
	all, err := g.s.deps.Goldens.GoldenImages(ctx)
	if err != nil {
		return nil, fmt.Errorf("golden images: %w", err)
	}
	var out []Image
	err = g.s.deps.Store.View(ctx, func(tx store.Tx) error {
		out = out[:0]
		for _, gi := range all {
			if len(q.ImageIDs) > 0 && !slices.Contains(q.ImageIDs, gi.ImageID) {
				continue
			}
			_, err := tx.GetImage(gi.ImageID)
			switch {
			case err == nil:
				continue // a custom image's golden file
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			out = append(out, systemImageOf(gi))
		}
		return nil
	})
	return out, err
}

// systemImageOf is how DescribeImages shows a golden store image: a system
// image, Available, whose size is the file's virtual size.
func systemImageOf(g GoldenImage) Image {
	platform := cmpOr(g.Platform, "Others Linux")
	osType := cmpOr(g.OSType, OSTypeLinux)
	arch := cmpOr(g.Architecture, ArchX8664)
	return Image{
		ID: g.ImageID, Name: cmpOr(g.Name, g.ImageID), Description: g.Description, OwnerAlias: OwnerSystem,
		OSName: platform, OSNameEn: platform, Platform: platform, OSType: osType, Architecture: arch,
		Size: max(g.SizeGiB, 1), Status: StatusAvailable, Progress: ProgressDone, Usage: UsageInstance,
		CreationTime: g.CreatedAt.UTC(), BootMode: "BIOS", SupportsCloudinit: true, SupportsIoOptimized: true,
		NvmeSupport: "unsupported", Tags: []Tag{},
		DiskDeviceMappings: []DiskDeviceMapping{{Device: SystemDiskDevice, Type: DiskTypeSystem, Size: max(g.SizeGiB, 1)}},
	}
}

// makeGolden makes the golden file of a custom image that is about to be
// Available (nothing without Goldens): from its file when it has one
// (imports and their copies), else from its system disk's snapshot.
func (s *Service) makeGolden(ctx context.Context, img store.Image) error {
	if s.deps.Goldens == nil {
		return nil
	}
	g := GoldenImage{ImageID: img.ID, Name: img.Name, Description: img.Description, OSType: img.OSType,
		Platform: img.Platform, Architecture: img.Architecture, SizeGiB: img.SizeGiB}
	var err error
	if img.ContentPath != "" {
		err = s.deps.Goldens.GoldenFromFile(ctx, img.ContentPath, g)
	} else {
		var sn store.Snapshot
		if sn, err = s.systemSnapshot(ctx, img); err != nil {
			return err
		}
		if g.BootFrom, err = s.bootSource(ctx, img, sn); err != nil {
			return err
		}
		err = s.deps.Goldens.GoldenFromSnapshot(ctx, sn.ID, g)
	}
	switch {
	case errors.Is(err, driver.ErrNotFound):
		return task.Fail("InvalidSnapshotId.NotFound", "The snapshot of the image's system disk does not exist.")
	case errors.Is(err, driver.ErrInvalidArgument):
		return task.Fail(errFormatMalformed().Code, errFormatMalformed().Message)
	case err != nil:
		return fmt.Errorf("golden file of %s: %w", img.ID, err)
	}
	return nil
}

// systemSnapshot returns the snapshot of a custom image's system disk: the
// one its system disk mapping names, or for a copy (whose mappings name no
// snapshot) the system disk snapshot among those it references.
func (s *Service) systemSnapshot(ctx context.Context, img store.Image) (store.Snapshot, error) {
	var found store.Snapshot
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		found = store.Snapshot{}
		ids, err := tx.ImageSnapshotRefs(img.ID)
		if err != nil {
			return err
		}
		if len(img.Disks) > 0 && img.Disks[0].SnapshotID != "" {
			ids = []string{img.Disks[0].SnapshotID}
		}
		for _, id := range ids {
			sn, err := tx.GetSnapshot(img.AccountID, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if sn.SourceDiskType == DiskTypeSystem {
				found = sn
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return store.Snapshot{}, err
	}
	if found.ID == "" {
		return store.Snapshot{}, task.Fail("InvalidSnapshotId.NotFound", "The snapshot of the image's system disk does not exist.")
	}
	return found, nil
}

// bootSource returns the image whose boot files a custom image made from
// snapshots takes: the source image of a copy; else the image of the disk
// its system snapshot sn was taken of, or of the instance it was made from.
// Empty when none is known any more (the image then boots through the
// firmware).
func (s *Service) bootSource(ctx context.Context, img store.Image, sn store.Snapshot) (string, error) {
	if img.Origin == store.ImageOriginCopy && img.SourceImageID != "" {
		return img.SourceImageID, nil
	}
	var from string
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		from = ""
		d, err := tx.GetDisk(img.AccountID, sn.SourceDiskID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && d.ImageID != "" {
			from = d.ImageID
			return nil
		}
		if img.SourceInstanceID == "" {
			return nil
		}
		in, err := tx.GetInstance(img.AccountID, img.SourceInstanceID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		from = in.ImageID
		return err
	})
	return from, err
}

// deleteGolden removes a deleted custom image's golden file from the store
// (which keeps the file itself while system disks still use it as their
// backing file).
func (s *Service) deleteGolden(ctx context.Context, imageID string) error {
	if s.deps.Goldens == nil {
		return nil
	}
	if err := s.deps.Goldens.DeleteGolden(ctx, imageID); err != nil {
		return fmt.Errorf("golden file of %s: %w", imageID, err)
	}
	return nil
}
