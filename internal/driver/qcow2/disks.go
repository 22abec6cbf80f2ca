package qcow2

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ecsd/ecsd/internal/driver"
)

// DiskSource describes a disk to make: an overlay on a golden image (ImageID), a
// copy of a snapshot (SnapshotID), or, with neither, a blank sparse disk. At most
// one source may be set.
type DiskSource struct {
	// DiskID is the disk's ID (d-…), which names its file.
	DiskID string
	// SizeGiB is the disk's size. With a source it may be 0 (the source's size);
	// a source larger than SizeGiB wins, since a disk never cuts its source short.
	SizeGiB int
	// ImageID makes the disk an overlay whose backing file is the image's golden
	// file (an absolute path).
	ImageID string
	// SnapshotID makes the disk a standalone copy of a finished snapshot.
	SnapshotID string
}

func (src DiskSource) check() error {
	if err := checkID("disk", src.DiskID); err != nil {
		return err
	}
	switch {
	case src.ImageID != "" && src.SnapshotID != "":
		return fmt.Errorf("%w: disk %s: both an image and a snapshot", driver.ErrInvalidArgument, src.DiskID)
	case src.SizeGiB < 0 || src.SizeGiB > 64<<10:
		return fmt.Errorf("%w: disk %s: size %d GiB", driver.ErrInvalidArgument, src.DiskID, src.SizeGiB)
	case src.ImageID == "" && src.SnapshotID == "" && src.SizeGiB < 1:
		return fmt.Errorf("%w: blank disk %s without a size", driver.ErrInvalidArgument, src.DiskID)
	}
	if src.ImageID != "" {
		if err := checkID("image", src.ImageID); err != nil {
			return fmt.Errorf("%w: image %q", driver.ErrNotFound, src.ImageID)
		}
	}
	if src.SnapshotID != "" {
		if err := checkID("snapshot", src.SnapshotID); err != nil {
			return fmt.Errorf("%w: snapshot %q", driver.ErrNotFound, src.SnapshotID)
		}
	}
	return nil
}

// EnsureDisk makes the disk src describes unless its file exists, and returns the
// file's path. It is idempotent on src.DiskID: an existing disk is returned as it
// is, whatever the rest of src says. A missing image or snapshot wraps
// ErrNotFound; a snapshot still being taken, ErrInvalidState.
func (s *Store) EnsureDisk(ctx context.Context, src DiskSource) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := src.check(); err != nil {
		return "", err
	}
	defer s.lock("disk/" + src.DiskID)()
	final := s.DiskPath(src.DiskID)
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	if err := s.makeDisk(ctx, src, final, int64(src.SizeGiB)*gib); err != nil {
		return "", err
	}
	return final, nil
}

// RecreateDisk replaces the disk's content with a fresh one made from src
// (ReInitDisk and ReplaceSystemDisk from an image, ResetDisk from a snapshot, or
// blank), whether or not the disk exists, and returns its path. The old content
// stays in place until the new file is complete. A disk a running VM has open is
// ErrInvalidState. Repeating the call makes the same content again.
func (s *Store) RecreateDisk(ctx context.Context, src DiskSource) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := src.check(); err != nil {
		return "", err
	}
	unlock := s.lock("disk/" + src.DiskID)
	final := s.DiskPath(src.DiskID)
	err := s.notInUse(ctx, final)
	if err == nil {
		err = s.makeDisk(ctx, src, final, int64(src.SizeGiB)*gib)
	}
	unlock()
	if err != nil {
		return "", err
	}
	s.gcRetiredImages() // the old overlay may have been a retired image's last user
	return final, nil
}

// makeDisk writes the disk src describes to final, through a temporary file; its
// size is want bytes, or its source's size when that is larger. Callers hold the
// disk's lock.
func (s *Store) makeDisk(ctx context.Context, src DiskSource, final string, want int64) error {
	removeStaleTemps(final)
	tmp := tempName(final)
	var err error
	switch {
	case src.ImageID != "":
		err = s.makeOverlay(ctx, src.ImageID, tmp, want)
	case src.SnapshotID != "":
		err = s.copySnapshot(ctx, src.SnapshotID, tmp, want)
	default:
		_, err = s.qemuImg(ctx, "create", "-q", "-f", "qcow2", tmp, strconv.FormatInt(want, 10))
	}
	if err == nil {
		err = commit(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return transient(err)
	}
	return nil
}

// makeOverlay creates at tmp a qcow2 overlay of at least want bytes whose backing
// file is image id's golden file, by absolute path.
func (s *Store) makeOverlay(ctx context.Context, id, tmp string, want int64) error {
	defer s.lock("image/" + id)() // DeleteImage must see the new user
	if _, err := s.readImage(id); err != nil {
		return err
	}
	golden := s.goldenPath(id)
	l, err := ReadLayer(golden)
	if err != nil {
		return transient(err)
	}
	size := max(want, l.VirtualSize)
	_, err = s.qemuImg(ctx, "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", golden, tmp, strconv.FormatInt(size, 10))
	return err
}

// copySnapshot writes at tmp a standalone copy of the finished snapshot id, grown
// to want bytes when the snapshot is smaller.
func (s *Store) copySnapshot(ctx context.Context, id, tmp string, want int64) error {
	if _, err := s.doneSnapshot(id); err != nil {
		return err
	}
	if _, err := s.qemuImg(ctx, "convert", "-f", "qcow2", "-O", "qcow2", s.snapshotPath(id), tmp); err != nil {
		return err
	}
	l, err := ReadLayer(tmp)
	if err != nil {
		return transient(err)
	}
	if want > l.VirtualSize {
		_, err = s.qemuImg(ctx, "resize", "-q", "-f", "qcow2", tmp, strconv.FormatInt(want, 10))
	}
	return err
}

// ResizeDisk grows the disk to sizeGiB: through the Live hook when a running VM
// has it (QEMU's block_resize; the guest sees the new size at once), else with
// qemu-img resize. Growing to the current size succeeds; shrinking is
// ErrInvalidArgument; a missing disk is ErrNotFound.
func (s *Store) ResizeDisk(ctx context.Context, diskID string, sizeGiB int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkID("disk", diskID); err != nil {
		return err
	}
	if sizeGiB < 1 || sizeGiB > 64<<10 {
		return fmt.Errorf("%w: disk %s: size %d GiB", driver.ErrInvalidArgument, diskID, sizeGiB)
	}
	defer s.lock("disk/" + diskID)()
	final := s.DiskPath(diskID)
	l, err := ReadLayer(final)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: disk %s", driver.ErrNotFound, diskID)
	}
	if err != nil {
		return transient(err)
	}
	want := int64(sizeGiB) * gib
	switch {
	case want == l.VirtualSize:
		return nil
	case want < l.VirtualSize:
		return fmt.Errorf("%w: disk %s is %d bytes; it cannot shrink to %d GiB", driver.ErrInvalidArgument, diskID, l.VirtualSize, sizeGiB)
	}
	if live := s.liveHook(); live != nil {
		ok, err := live.ResizeDisk(ctx, diskID, want)
		if err != nil || ok {
			return err
		}
	}
	_, err = s.qemuImg(ctx, "resize", "-q", "-f", l.Format, final, strconv.FormatInt(want, 10))
	return err
}

// DeleteDisk removes the disk's file; deleting a missing disk succeeds, and a
// disk a running VM has open is ErrInvalidState.
func (s *Store) DeleteDisk(ctx context.Context, diskID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkID("disk", diskID); err != nil {
		return err
	}
	unlock := s.lock("disk/" + diskID)
	final := s.DiskPath(diskID)
	err := s.notInUse(ctx, final)
	if err == nil {
		removeStaleTemps(final)
		if err = os.Remove(final); errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		if err == nil {
			err = syncFile(filepath.Dir(final))
		}
	}
	unlock()
	if err != nil {
		return transient(err)
	}
	s.gcRetiredImages()
	return nil
}
