package qcow2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/ecsd/ecsd/internal/driver"
)

// Name is the volume driver's name, written in the Handles it returns.
const Name = "qcow2"

// Config configures a Store.
type Config struct {
	// Dir is the store's directory (<data-dir>/volumes); it must be absolute.
	Dir string
	// QemuImg is the qemu-img executable; default "qemu-img" from PATH.
	QemuImg string
}

// Live is what the store needs from the compute driver for disks that a running
// VM has open: QEMU itself must copy or grow them. *qemu.Driver implements it.
type Live interface {
	// BackupDisk writes a crash-consistent, standalone qcow2 copy of diskID to
	// target (which must not exist) while a VM runs. live is false, and nothing
	// is written, when no running VM has the disk.
	BackupDisk(ctx context.Context, diskID, target string) (live bool, err error)
	// ResizeDisk grows diskID to bytes in the running VM that has it. live is
	// false when no running VM has the disk.
	ResizeDisk(ctx context.Context, diskID string, bytes int64) (live bool, err error)
}

// Store is the qcow2 volume store. It is safe for concurrent use, and several
// processes may share a directory (ecsd serve and ecsd admin image import): every
// change lands by rename.
type Store struct {
	cfg Config

	mu     sync.Mutex
	locks  map[string]*sync.Mutex
	live   Live
	copies map[string]*copyJob // snapshot copies under way in this process
}

var (
	_ driver.Snapshotter  = (*Store)(nil)
	_ driver.DiskMigrator = (*Store)(nil)
)

// Subdirectories of Config.Dir.
const (
	imagesDir    = "images"
	disksDir     = "disks"
	snapshotsDir = "snapshots"
)

// New returns a store over cfg.Dir, creating its directories. It fails when
// qemu-img cannot be found.
func New(cfg Config) (*Store, error) {
	if cfg.Dir == "" || !filepath.IsAbs(cfg.Dir) {
		return nil, fmt.Errorf("qcow2: directory %q must be an absolute path", cfg.Dir)
	}
	if cfg.QemuImg == "" {
		cfg.QemuImg = "qemu-img"
	}
	if _, err := exec.LookPath(cfg.QemuImg); err != nil {
		return nil, fmt.Errorf("qcow2: %w (install qemu-utils)", err)
	}
	for _, d := range []string{imagesDir, disksDir, snapshotsDir, exportsDir} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("qcow2: %w", err)
		}
	}
	s := &Store{cfg: cfg, locks: map[string]*sync.Mutex{}, copies: map[string]*copyJob{}}
	s.removeStaleExports()
	return s, nil
}

// SetLive sets the compute driver that copies and grows the disks of running VMs;
// nil (the default) treats every disk as offline.
func (s *Store) SetLive(l Live) {
	s.mu.Lock()
	s.live = l
	s.mu.Unlock()
}

func (s *Store) liveHook() Live {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

// lock locks the named object ("disk/d-…") and returns its unlock.
func (s *Store) lock(key string) func() {
	s.mu.Lock()
	m := s.locks[key]
	if m == nil {
		m = &sync.Mutex{}
		s.locks[key] = m
	}
	s.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// DiskPath returns the path of diskID's file (which may not exist yet).
func (s *Store) DiskPath(diskID string) string {
	return filepath.Join(s.cfg.Dir, disksDir, diskID+".qcow2")
}

func (s *Store) imageDir(id string) string   { return filepath.Join(s.cfg.Dir, imagesDir, id) }
func (s *Store) goldenPath(id string) string { return filepath.Join(s.imageDir(id), goldenFile) }
func (s *Store) snapshotPath(id string) string {
	return filepath.Join(s.cfg.Dir, snapshotsDir, id+".qcow2")
}
func (s *Store) snapshotRecordPath(id string) string {
	return filepath.Join(s.cfg.Dir, snapshotsDir, id+".json")
}

// checkID refuses IDs that cannot name a file.
func checkID(what, id string) error {
	if id == "" || len(id) > 128 || id[0] == '.' || id[0] == '-' {
		return fmt.Errorf("%w: %s ID %q", driver.ErrInvalidArgument, what, id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("%w: %s ID %q", driver.ErrInvalidArgument, what, id)
		}
	}
	return nil
}

// qemuImg runs qemu-img with args and returns its standard output. A failure
// wraps ErrInvalidState when the image is in use by a VM (QEMU's image lock),
// else ErrTransient.
func (s *Store) qemuImg(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.cfg.QemuImg, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, qemuImgError(args, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// errInUse marks a qemu-img failure on an image a running VM has open.
var errInUse = errors.New("the image is in use by a running VM")

func qemuImgError(args []string, err error, stderr string) error {
	msg := strings.TrimSpace(stderr)
	sentinel := driver.ErrTransient
	if strings.Contains(msg, "Failed to get") && strings.Contains(msg, "lock") {
		sentinel = errors.Join(driver.ErrInvalidState, errInUse)
	}
	return fmt.Errorf("%w: qemu-img %s: %v: %s", sentinel, args[0], err, msg)
}

// info is the part of qemu-img info's answer the store reads.
type info struct {
	VirtualSize int64  `json:"virtual-size"`
	Format      string `json:"format"`
	ActualSize  int64  `json:"actual-size"`
}

// imageInfo runs qemu-img info on path. It takes QEMU's shared lock, so it fails
// with ErrInvalidState (errInUse) while a VM writes the image.
func (s *Store) imageInfo(ctx context.Context, path string) (info, error) {
	out, err := s.qemuImg(ctx, "info", "--output=json", path)
	if err != nil {
		return info{}, err
	}
	var in info
	if err := json.Unmarshal(out, &in); err != nil {
		return info{}, fmt.Errorf("%w: qemu-img info %s: %v", driver.ErrTransient, path, err)
	}
	return in, nil
}

// notInUse fails with ErrInvalidState when a running VM has the image at path
// open for writing. A missing or unreadable file is not in use.
func (s *Store) notInUse(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	_, err := s.imageInfo(ctx, path)
	if errors.Is(err, errInUse) {
		// A VM whose guest powered itself off may still hold the file.
		if r, ok := s.liveHook().(Releaser); ok {
			diskID := strings.TrimSuffix(filepath.Base(path), ".qcow2")
			if rerr := r.ReleaseDisk(ctx, diskID); rerr != nil {
				return rerr
			}
			_, err = s.imageInfo(ctx, path)
		}
	}
	if errors.Is(err, errInUse) {
		return fmt.Errorf("disk file %s: %w", filepath.Base(path), err)
	}
	return ctx.Err()
}

// Releaser is implemented by a Live hook that can let go of a disk held by a VM
// that no longer runs a guest (a QEMU process whose guest powered off): the
// store calls it before it gives up on a disk it finds in use.
type Releaser interface {
	// ReleaseDisk ends whatever holds diskID open without running a guest.
	ReleaseDisk(ctx context.Context, diskID string) error
}

// tempName returns the temporary name this process writes final under.
func tempName(final string) string { return final + ".tmp." + strconv.Itoa(os.Getpid()) }

// removeStaleTemps removes the temporary files of final left by this process or
// by processes that no longer run (a crash part-way).
func removeStaleTemps(final string) {
	matches, _ := filepath.Glob(final + ".tmp.*")
	for _, m := range matches {
		pid, err := strconv.Atoi(m[len(final)+len(".tmp."):])
		if err != nil || pid == os.Getpid() || !processAlive(pid) {
			os.Remove(m)
		}
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// commit syncs tmp, renames it to final and syncs final's directory.
func commit(tmp, final string) error {
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	return syncFile(filepath.Dir(final))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// writeJSON writes v to path through a temporary file and a rename.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := tempName(path)
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return commit(tmp, path)
}

// readJSON reads path into v; a missing file wraps driver.ErrNotFound.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", driver.ErrNotFound, filepath.Base(path))
	}
	if err != nil {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", driver.ErrTransient, path, err)
	}
	return nil
}

// transient wraps a file-system error as ErrTransient (errors that already wrap
// a sentinel are returned as they are).
func transient(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{driver.ErrTransient, driver.ErrNotFound, driver.ErrInvalidState, driver.ErrInvalidArgument,
		driver.ErrUnsupported, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			return err
		}
	}
	return fmt.Errorf("%w: %v", driver.ErrTransient, err)
}

// gib is one GiB in bytes.
const gib = int64(1) << 30

// roundUpGiB returns bytes in GiB, rounded up.
func roundUpGiB(bytes int64) int { return int((bytes + gib - 1) / gib) }
