package qcow2

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// newStore returns a store in a fresh directory, skipping the test when qemu-img
// is missing.
func newStore(t *testing.T) *Store {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed (apt-get install qemu-utils): skipping the qcow2 store tests")
	}
	s, err := New(Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// qemuIO runs qemu-io commands on a qcow2 file, failing the test on error (a
// pattern that does not match fails too).
func qemuIO(t *testing.T, path string, cmds ...string) {
	t.Helper()
	if _, err := exec.LookPath("qemu-io"); err != nil {
		t.Skip("qemu-io is not installed (apt-get install qemu-utils)")
	}
	args := []string{"-f", "qcow2"}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	out, err := exec.Command("qemu-io", append(args, path)...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("failed")) {
		t.Fatalf("qemu-io %v %s: %v\n%s", cmds, filepath.Base(path), err, out)
	}
}

// identical fails the test unless qemu-img compare finds a and b identical.
func identical(t *testing.T, a, b string) {
	t.Helper()
	out, err := exec.Command("qemu-img", "compare", "-U", a, b).CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img compare %s %s: %v\n%s", a, b, err, out)
	}
}

// differ fails the test when qemu-img compare finds a and b identical.
func differ(t *testing.T, a, b string) {
	t.Helper()
	if out, err := exec.Command("qemu-img", "compare", "-U", a, b).CombinedOutput(); err == nil {
		t.Fatalf("qemu-img compare %s %s: identical\n%s", a, b, out)
	}
}

// rawImage writes a raw disk image of size bytes whose first MiB is pattern.
func rawImage(t *testing.T, size int64, pattern byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.raw")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(bytes.Repeat([]byte{pattern}, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// convert converts src into format (qemu-img's name) in a new file.
func convert(t *testing.T, src, format string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "src."+format)
	if out, err := exec.Command("qemu-img", "convert", "-O", format, src, dst).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v\n%s", err, out)
	}
	return dst
}

// importImage imports a 1 GiB raw image whose first MiB is pattern.
func importImage(t *testing.T, s *Store, id string, pattern byte) Image {
	t.Helper()
	img, err := s.ImportImage(t.Context(), rawImage(t, 1<<30, pattern), Image{ImageID: id, ImageName: id})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// waitSnapshot polls until the snapshot is done and returns its last progress.
func waitSnapshot(t *testing.T, s *Store, h driver.Handle) driver.CopyProgress {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		p, err := s.SnapshotProgress(t.Context(), h)
		if err != nil && !errors.Is(err, driver.ErrTransient) {
			t.Fatalf("SnapshotProgress: %v", err)
		}
		if p.Done {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("snapshot not done after 2 minutes: %+v, %v", p, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// snapshot takes a snapshot of diskID and waits for it.
func snapshot(t *testing.T, s *Store, id, diskID string) driver.Handle {
	t.Helper()
	h, err := s.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: id, DiskID: diskID, SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, s, h)
	return h
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v; want one wrapping %v", what, err, target)
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(cmd.Process.Pid)
}

// fakeLive is a Live hook that records its calls and claims the disks in it.
type fakeLive struct {
	running map[string]bool
	resized map[string]int64
	backups []string
}

func (f *fakeLive) BackupDisk(_ context.Context, diskID, target string) (bool, error) {
	if !f.running[diskID] {
		return false, nil
	}
	f.backups = append(f.backups, diskID)
	out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", target, "1G").CombinedOutput()
	if err != nil {
		return true, errors.New(string(out))
	}
	return true, nil
}

func (f *fakeLive) ResizeDisk(_ context.Context, diskID string, bytes int64) (bool, error) {
	if !f.running[diskID] {
		return false, nil
	}
	f.resized[diskID] = bytes
	return true, nil
}
