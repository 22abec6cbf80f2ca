// Package volume is what the disk, instance and image services need from the
// store of disk and image files (the qcow2 volume store of `ecsd serve
// --driver qemu`; nothing in sim mode, where disks hold no data). It declares
// the interfaces those services consume and the one rule they share: which
// source a disk's file is made from.
package volume

import (
	"context"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// Source describes a disk's file: its ID and size, and what it is made from.
// At most one of ImageID and SnapshotID is set; neither means a blank disk.
type Source struct {
	DiskID  string
	SizeGiB int
	// ImageID is the image a system disk is made from (an overlay on the
	// image's golden file).
	ImageID string
	// SnapshotID is the snapshot a data disk is made from (a copy of it).
	SnapshotID string
}

// SourceOf returns the source of a disk's file: a system disk is made from
// its image, a data disk from the snapshot it was created from, or blank.
func SourceOf(d store.Disk) Source {
	src := Source{DiskID: d.ID, SizeGiB: d.SizeGiB}
	switch {
	case d.Type == "system" && d.ImageID != "":
		src.ImageID = d.ImageID
	case d.SourceSnapshotID != "":
		src.SnapshotID = d.SourceSnapshotID
	}
	return src
}

// Disks holds disk files and knows how the images boot. Every method is
// idempotent on the disk ID.
type Disks interface {
	// EnsureDisk makes the disk's file if it is missing and returns its path.
	EnsureDisk(ctx context.Context, src Source) (path string, err error)
	// RecreateDisk replaces the disk's file by a fresh one made from src
	// (ReInitDisk, ReplaceSystemDisk) and returns its path.
	RecreateDisk(ctx context.Context, src Source) (path string, err error)
	// ResizeDisk grows the disk's file to sizeGiB, live when a running VM
	// has the disk. A disk without a file yet is not an error: its file will
	// be made at the new size.
	ResizeDisk(ctx context.Context, diskID string, sizeGiB int) error
	// DeleteDisk removes the disk's file; a missing file is not an error.
	DeleteDisk(ctx context.Context, diskID string) error
	// Boot returns how instances of the image boot (direct kernel boot, or the
	// zero BootSpec for the firmware). An image the store does not have wraps
	// driver.ErrNotFound.
	Boot(ctx context.Context, imageID string) (driver.BootSpec, error)
}
