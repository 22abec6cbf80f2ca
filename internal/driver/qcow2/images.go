package qcow2

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// Files in an image's directory.
const (
	goldenFile = "disk.qcow2"
	kernelFile = "kernel"
	initrdFile = "initrd"
	recordFile = "image.json"
	// retiredFile marks an image deleted while disks still use its golden file.
	retiredFile = "retired"
)

// Image is a golden image in the store.
type Image struct {
	// ImageID is the image's ID (m-…); ImportImage makes one up when it is empty.
	ImageID string `json:"imageId"`
	// ImageName, Description, OSType ("linux"), Platform ("Debian") and
	// Architecture ("x86_64") describe the image for DescribeImages.
	ImageName    string `json:"imageName,omitempty"`
	Description  string `json:"description,omitempty"`
	OSType       string `json:"osType,omitempty"`
	Platform     string `json:"platform,omitempty"`
	Architecture string `json:"architecture,omitempty"`
	// SizeGiB is the image's virtual size in GiB, rounded up: the smallest
	// system disk made from it.
	SizeGiB int `json:"sizeGiB"`
	// FileBytes is the size of the golden file on disk.
	FileBytes int64 `json:"fileBytes"`
	// Boot holds the absolute host paths of the kernel and initrd kept with the
	// image, and its kernel command line; the zero value boots the disk through
	// the firmware.
	Boot driver.BootSpec `json:"boot,omitzero"`
	// CreatedAt is when the image entered the store.
	CreatedAt time.Time `json:"createdAt"`
}

// ImportImage converts the disk image at src (an absolute path; raw, qcow2, VHD,
// VHDX, VMDK or VDI) into a standalone, read-only golden qcow2 file, copies the
// files img.Boot names into the image's directory and records the image. A file
// that refers to other files (a backing file, an external data file, extents
// elsewhere) is ErrInvalidArgument: reading through it could copy host files. It is idempotent on img.ImageID: when the image exists, it
// returns it and reads nothing. An empty ImageID gets a new "m-…" ID.
func (s *Store) ImportImage(ctx context.Context, src string, img Image) (Image, error) {
	if img.ImageID == "" {
		img.ImageID = newImageID()
	}
	if err := checkID("image", img.ImageID); err != nil {
		return Image{}, err
	}
	defer s.lock("image/" + img.ImageID)()
	if got, err := s.readImage(img.ImageID); err == nil {
		return got, nil
	}
	format, err := s.checkSource(ctx, src)
	if err != nil {
		return Image{}, err
	}
	return s.importLocked(ctx, src, format, img)
}

// importFormats are the formats ImportImage reads.
var importFormats = map[string]bool{"raw": true, "qcow2": true, "vpc": true, "vhdx": true, "vmdk": true, "vdi": true}

// checkSource returns the format of the image file at src, refusing (with
// ErrInvalidArgument) what is not a self-contained image of a known format: a
// file with a backing file, an external data file or extents in other files
// would make qemu-img read host files named inside it, which a user-supplied
// image must never do.
func (s *Store) checkSource(ctx context.Context, src string) (string, error) {
	if !filepath.IsAbs(src) {
		return "", fmt.Errorf("%w: image file %q is not an absolute path", driver.ErrInvalidArgument, src)
	}
	if fi, err := os.Stat(src); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%w: image file %s: not a regular file (%v)", driver.ErrInvalidArgument, src, err)
	}
	out, err := s.qemuImg(ctx, "info", "--output=json", "-U", src)
	if err != nil {
		return "", fmt.Errorf("%w: %s is not a disk image qemu-img reads: %v", driver.ErrInvalidArgument, src, err)
	}
	var si struct {
		Format         string `json:"format"`
		Backing        string `json:"backing-filename"`
		FormatSpecific struct {
			Data struct {
				DataFile string `json:"data-file"`
				Extents  []struct {
					Filename string `json:"filename"`
				} `json:"extents"`
			} `json:"data"`
		} `json:"format-specific"`
	}
	if err := json.Unmarshal(out, &si); err != nil {
		return "", fmt.Errorf("%w: qemu-img info %s: %v", driver.ErrInvalidArgument, src, err)
	}
	if !importFormats[si.Format] {
		return "", fmt.Errorf("%w: %s: format %q cannot be imported", driver.ErrInvalidArgument, src, si.Format)
	}
	if si.Backing != "" || si.FormatSpecific.Data.DataFile != "" {
		return "", fmt.Errorf("%w: %s refers to other files (backing or data file): import a standalone image", driver.ErrInvalidArgument, src)
	}
	for _, e := range si.FormatSpecific.Data.Extents {
		if f := e.Filename; f != src && filepath.Join(filepath.Dir(src), f) != src {
			return "", fmt.Errorf("%w: %s has an extent in another file (%s)", driver.ErrInvalidArgument, src, f)
		}
	}
	return si.Format, nil
}

// ImageFromSnapshot makes a golden image from a finished snapshot (CreateImage);
// it is idempotent on img.ImageID as ImportImage is. A missing snapshot wraps
// ErrNotFound; one still being taken, ErrInvalidState.
func (s *Store) ImageFromSnapshot(ctx context.Context, snapshotID string, img Image) (Image, error) {
	if img.ImageID == "" {
		img.ImageID = newImageID()
	}
	if err := checkID("image", img.ImageID); err != nil {
		return Image{}, err
	}
	if err := checkID("snapshot", snapshotID); err != nil {
		return Image{}, err
	}
	defer s.lock("image/" + img.ImageID)()
	if got, err := s.readImage(img.ImageID); err == nil {
		return got, nil
	}
	if _, err := s.doneSnapshot(snapshotID); err != nil {
		return Image{}, err
	}
	return s.importLocked(ctx, s.snapshotPath(snapshotID), "qcow2", img)
}

// importLocked writes image img from src (of format) into the store. Callers
// hold the image's lock and have checked that it has no record.
func (s *Store) importLocked(ctx context.Context, src, format string, img Image) (Image, error) {
	dir := s.imageDir(img.ImageID)
	golden := s.goldenPath(img.ImageID)
	if _, err := os.Stat(golden); err == nil {
		// A retired image (deleted while disks still use it) or a crash after the
		// golden file landed: reuse the ID only when no disk uses the old file.
		used, err := s.goldenUsers(golden)
		if err != nil {
			return Image{}, err
		}
		if len(used) > 0 {
			return Image{}, fmt.Errorf("%w: image ID %s was deleted but its golden file still backs disks %v",
				driver.ErrInvalidState, img.ImageID, used)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return Image{}, transient(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Image{}, transient(err)
	}
	tmp := tempName(golden)
	if _, err := s.qemuImg(ctx, "convert", "-f", format, "-O", "qcow2", src, tmp); err != nil {
		os.Remove(tmp)
		return Image{}, err
	}
	if err := os.Chmod(tmp, 0o444); err != nil {
		return Image{}, transient(err)
	}
	if err := commit(tmp, golden); err != nil {
		return Image{}, transient(err)
	}
	boot := img.Boot
	for _, f := range []struct {
		src  *string
		name string
	}{{&boot.Kernel, kernelFile}, {&boot.Initrd, initrdFile}} {
		if *f.src == "" {
			continue
		}
		dst := filepath.Join(dir, f.name)
		if err := copyReadOnly(*f.src, dst); err != nil {
			return Image{}, fmt.Errorf("%w: boot file: %v", driver.ErrInvalidArgument, err)
		}
		*f.src = dst
	}
	img.Boot = boot
	l, err := ReadLayer(golden)
	if err != nil {
		return Image{}, transient(err)
	}
	img.SizeGiB = roundUpGiB(l.VirtualSize)
	if img.OSType == "" {
		img.OSType = "linux"
	}
	if img.Architecture == "" {
		img.Architecture = "x86_64"
	}
	if img.CreatedAt.IsZero() {
		img.CreatedAt = time.Now().UTC()
	}
	img.FileBytes = 0 // measured on every read
	// The record goes last: its presence is what makes the image exist.
	if err := writeJSON(filepath.Join(dir, recordFile), img); err != nil {
		return Image{}, transient(err)
	}
	return s.readImage(img.ImageID)
}

// copyReadOnly copies src to dst (mode 0444) through a temporary file.
func copyReadOnly(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := tempName(dst)
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o444)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return commit(tmp, dst)
}

// Images returns every image in the store, by ID.
func (s *Store) Images(ctx context.Context) ([]Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(s.cfg.Dir, imagesDir))
	if err != nil {
		return nil, transient(err)
	}
	var imgs []Image
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		img, err := s.readImage(e.Name())
		if errors.Is(err, driver.ErrNotFound) {
			continue // retired, or an import under way
		}
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	slices.SortFunc(imgs, func(a, b Image) int { return strings.Compare(a.ImageID, b.ImageID) })
	return imgs, nil
}

// Image returns the image id; a missing one wraps driver.ErrNotFound.
func (s *Store) Image(ctx context.Context, id string) (Image, error) {
	if err := ctx.Err(); err != nil {
		return Image{}, err
	}
	if err := checkID("image", id); err != nil {
		return Image{}, fmt.Errorf("%w: image %q", driver.ErrNotFound, id)
	}
	return s.readImage(id)
}

// readImage reads image id's record and measures its golden file.
func (s *Store) readImage(id string) (Image, error) {
	var img Image
	if err := readJSON(filepath.Join(s.imageDir(id), recordFile), &img); err != nil {
		if errors.Is(err, driver.ErrNotFound) {
			return Image{}, fmt.Errorf("%w: image %s", driver.ErrNotFound, id)
		}
		return Image{}, err
	}
	fi, err := os.Stat(s.goldenPath(id))
	if err != nil {
		return Image{}, transient(err)
	}
	img.FileBytes = fi.Size()
	return img, nil
}

// DeleteImage removes the image from the store; deleting a missing image
// succeeds. The golden file stays (without a record, so the image is gone) while
// disks still use it as their backing file, and goes with the last of them.
func (s *Store) DeleteImage(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkID("image", id); err != nil {
		return nil
	}
	defer s.lock("image/" + id)()
	if _, err := os.Stat(s.imageDir(id)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	// The marker first: from then on the directory is garbage once unused.
	if err := os.WriteFile(filepath.Join(s.imageDir(id), retiredFile), nil, 0o600); err != nil {
		return transient(err)
	}
	if err := os.Remove(filepath.Join(s.imageDir(id), recordFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return transient(err)
	}
	return s.dropRetiredImage(id)
}

// dropRetiredImage removes the directory of the retired image id unless disks
// still use its golden file. Callers hold the image's lock.
func (s *Store) dropRetiredImage(id string) error {
	if _, err := os.Stat(filepath.Join(s.imageDir(id), retiredFile)); err != nil {
		return nil // not retired: an import under way in another process, say
	}
	used, err := s.goldenUsers(s.goldenPath(id))
	if err != nil || len(used) > 0 {
		return err
	}
	return transient(os.RemoveAll(s.imageDir(id)))
}

// goldenUsers returns the IDs of the disks whose backing file is golden.
func (s *Store) goldenUsers(golden string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(s.cfg.Dir, disksDir, "*.qcow2*"))
	if err != nil {
		return nil, transient(err)
	}
	var users []string
	for _, f := range files {
		l, err := ReadLayer(f)
		if err != nil {
			continue // removed meanwhile
		}
		if l.Backing == golden {
			users = append(users, strings.SplitN(filepath.Base(f), ".qcow2", 2)[0])
		}
	}
	return users, nil
}

// gcRetiredImages drops the retired images that no disk uses any more.
func (s *Store) gcRetiredImages() {
	entries, _ := os.ReadDir(filepath.Join(s.cfg.Dir, imagesDir))
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(s.imageDir(e.Name()), retiredFile)); err != nil || !e.IsDir() {
			continue
		}
		unlock := s.lock("image/" + e.Name())
		s.dropRetiredImage(e.Name())
		unlock()
	}
}

// newImageID returns a fresh image ID shaped like Alibaba's (m- and 20
// lowercase letters and digits).
func newImageID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "m-" + string(b)
}
