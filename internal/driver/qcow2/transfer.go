package qcow2

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// exportsDir (under Config.Dir) holds the temporary files of image exports.
const exportsDir = "exports"

// exportFormats are the formats ExportImage writes: qemu-img's output options
// per format name (VHD as a dynamic VPC file of exactly the image's size, the
// form Alibaba Cloud reads).
var exportFormats = map[string][]string{
	"raw":   {"-O", "raw"},
	"qcow2": {"-O", "qcow2"},
	"vhd":   {"-O", "vpc", "-o", "subformat=dynamic,force_size=on"},
}

// ExportImage converts the golden file of image imageID into a new temporary
// file of format ("raw", "qcow2" or "vhd", any case) and returns its path and
// the func that removes it, which the caller must call once it has read the
// file. A missing image wraps ErrNotFound; an unknown format,
// ErrInvalidArgument. Files of exports that a crash left behind are removed
// by the next New.
func (s *Store) ExportImage(ctx context.Context, imageID, format string) (path string, cleanup func(), err error) {
	opts, ok := exportFormats[strings.ToLower(format)]
	if !ok {
		return "", nil, fmt.Errorf("%w: export format %q", driver.ErrInvalidArgument, format)
	}
	if err := checkID("image", imageID); err != nil {
		return "", nil, fmt.Errorf("%w: image %q", driver.ErrNotFound, imageID)
	}
	defer s.lock("image/" + imageID)()
	if _, err := s.readImage(imageID); err != nil {
		return "", nil, err
	}
	var suffix [6]byte
	rand.Read(suffix[:])
	path = tempName(filepath.Join(s.cfg.Dir, exportsDir,
		imageID+"-"+hex.EncodeToString(suffix[:])+"."+strings.ToLower(format)))
	args := append([]string{"convert", "-f", "qcow2"}, opts...)
	if _, err := s.qemuImg(ctx, append(args, s.goldenPath(imageID), path)...); err != nil {
		os.Remove(path)
		return "", nil, err
	}
	return path, func() { os.Remove(path) }, nil
}

// removeStaleExports removes the export files of processes that no longer run.
func (s *Store) removeStaleExports() {
	matches, _ := filepath.Glob(filepath.Join(s.cfg.Dir, exportsDir, "*.tmp.*"))
	for _, m := range matches {
		pid, err := strconv.Atoi(m[strings.LastIndex(m, ".tmp.")+len(".tmp."):])
		if err != nil || !processAlive(pid) {
			os.Remove(m)
		}
	}
}

// OpenSnapshot opens the data file of a finished snapshot: a standalone qcow2
// file (ExportSnapshot). A missing snapshot wraps ErrNotFound; one still being
// taken, ErrInvalidState. The open file stays readable when the snapshot is
// deleted meanwhile.
func (s *Store) OpenSnapshot(ctx context.Context, snapshotID string) (*os.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkID("snapshot", snapshotID); err != nil {
		return nil, fmt.Errorf("%w: snapshot %q", driver.ErrNotFound, snapshotID)
	}
	defer s.lock("snapshot/" + snapshotID)()
	if _, err := s.doneSnapshot(snapshotID); err != nil {
		return nil, err
	}
	f, err := os.Open(s.snapshotPath(snapshotID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: snapshot %s has no data", driver.ErrNotFound, snapshotID)
	}
	return f, transient(err)
}

// SnapshotHandle returns the handle of snapshot snapshotID, as StartSnapshot
// and ImportSnapshot return it.
func (s *Store) SnapshotHandle(snapshotID string) driver.Handle {
	return makeHandle(handleState{Kind: kindSnapshot, ID: snapshotID})
}

// ImportSnapshot makes snapshot snapshotID from the disk image file read from
// r (raw, qcow2, VHD, VHDX, VMDK or VDI; ImportSnapshot): the file is saved
// under a temporary name, checked as ImportImage checks its source (a file
// that refers to other files, or is no image, wraps ErrInvalidArgument),
// converted into the snapshot's standalone qcow2 data file and recorded done,
// record last. It is idempotent on snapshotID: a finished snapshot is returned
// as it is and r is not read; a snapshot being taken is ErrInvalidState.
func (s *Store) ImportSnapshot(ctx context.Context, snapshotID string, r io.Reader) (driver.Handle, error) {
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	if err := checkID("snapshot", snapshotID); err != nil {
		return driver.Handle{}, err
	}
	defer s.lock("snapshot/" + snapshotID)()
	rec, err := s.readSnapshot(snapshotID)
	switch {
	case err == nil && rec.State == stateDone:
		return s.SnapshotHandle(snapshotID), nil
	case err == nil:
		return driver.Handle{}, fmt.Errorf("%w: snapshot %s is being taken", driver.ErrInvalidState, snapshotID)
	case !errors.Is(err, driver.ErrNotFound):
		return driver.Handle{}, err
	}
	started := time.Now().UTC()
	final := s.snapshotPath(snapshotID)
	source := final + ".src"
	removeStaleTemps(final)
	removeStaleTemps(source)
	srcTmp, tmp := tempName(source), tempName(final)
	defer os.Remove(srcTmp)
	if err := saveFile(srcTmp, r); err != nil {
		return driver.Handle{}, err
	}
	format, err := s.checkSource(ctx, srcTmp)
	if err != nil {
		return driver.Handle{}, err
	}
	if _, err := s.qemuImg(ctx, "convert", "-f", format, "-O", "qcow2", srcTmp, tmp); err != nil {
		os.Remove(tmp)
		return driver.Handle{}, err
	}
	l, err := ReadLayer(tmp)
	if err == nil {
		err = commit(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return driver.Handle{}, transient(err)
	}
	fi, err := os.Stat(final)
	if err != nil {
		return driver.Handle{}, transient(err)
	}
	// The record goes last: its presence is what makes the snapshot exist.
	rec = snapshotRecord{SnapshotID: snapshotID, SizeGiB: max(roundUpGiB(l.VirtualSize), 1), State: stateDone,
		SizeBytes: fi.Size(), StartedAt: started, FinishedAt: time.Now().UTC()}
	if err := writeJSON(s.snapshotRecordPath(snapshotID), rec); err != nil {
		return driver.Handle{}, transient(err)
	}
	return s.SnapshotHandle(snapshotID), nil
}

// saveFile writes r into a new file at path (mode 0600) and syncs it.
func saveFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return transient(err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return transient(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return transient(err)
	}
	return transient(f.Close())
}
