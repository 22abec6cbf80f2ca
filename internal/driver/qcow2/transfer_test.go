package qcow2

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
)

func TestExportImageConvertsTheGoldenFileToRawVHDAndQcow2WithTheSameContent(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-export", 0x3c)
	for format, want := range map[string]string{"raw": "raw", "VHD": "vpc", "qcow2": "qcow2"} {
		path, cleanup, err := s.ExportImage(t.Context(), "m-export", format)
		if err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
		if filepath.Dir(path) != filepath.Join(s.cfg.Dir, exportsDir) {
			t.Fatalf("export %s at %s; want it under exports/", format, path)
		}
		out, err := exec.Command("qemu-img", "info", "--output=json", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"format": "`+want+`"`) {
			t.Fatalf("qemu-img info of the %s export: %v\n%s", format, err, out)
		}
		identical(t, s.goldenPath("m-export"), path)
		if format == "raw" {
			if fi, err := os.Stat(path); err != nil || fi.Size() != 1<<30 {
				t.Fatalf("raw export: %v, %v; want exactly 1 GiB", fi, err)
			}
		}
		cleanup()
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("export %s still there after cleanup: %v", format, err)
		}
	}
	// A VHD export has exactly the image's size (force_size), unlike a plain vpc conversion.
	path, cleanup, err := s.ExportImage(t.Context(), "m-export", "vhd")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	back := filepath.Join(t.TempDir(), "back.raw")
	if out, err := exec.Command("qemu-img", "convert", "-O", "raw", path, back).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if fi, _ := os.Stat(back); fi.Size() != 1<<30 {
		t.Fatalf("VHD export holds %d bytes; want 1 GiB", fi.Size())
	}
}

func TestExportImageRefusesMissingImagesAndUnknownFormats(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-here", 1)
	_, _, err := s.ExportImage(t.Context(), "m-none", "raw")
	wantErr(t, "missing image", err, driver.ErrNotFound)
	_, _, err = s.ExportImage(t.Context(), "../m-here", "raw")
	wantErr(t, "bad image ID", err, driver.ErrNotFound)
	_, _, err = s.ExportImage(t.Context(), "m-here", "vmdk")
	wantErr(t, "unknown format", err, driver.ErrInvalidArgument)
	if err := s.DeleteImage(t.Context(), "m-here"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ExportImage(t.Context(), "m-here", "raw")
	wantErr(t, "deleted image", err, driver.ErrNotFound)
}

func TestNewRemovesExportFilesLeftByDeadProcesses(t *testing.T) {
	s := newStore(t)
	dir := filepath.Join(s.cfg.Dir, exportsDir)
	stale := filepath.Join(dir, "m-x-aaaa.raw.tmp."+deadPID(t))
	mine := filepath.Join(dir, "m-x-bbbb.raw"+strings.TrimPrefix(tempName("x"), "x"))
	for _, p := range []string{stale, mine} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := New(Config{Dir: s.cfg.Dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale export file still there: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("a running process's export file was removed: %v", err)
	}
}

func TestImportSnapshotMakesASnapshotThatDisksAreCopiedFrom(t *testing.T) {
	s := newStore(t)
	raw := rawImage(t, 3<<30-5, 0x7e) // rounds up to 3 GiB
	for _, c := range []struct{ id, src string }{
		{"s-raw", raw},
		{"s-qcow2", convert(t, raw, "qcow2")},
		{"s-vhd", convert(t, raw, "vpc")},
	} {
		f, err := os.Open(c.src)
		if err != nil {
			t.Fatal(err)
		}
		h, err := s.ImportSnapshot(t.Context(), c.id, f)
		f.Close()
		if err != nil {
			t.Fatalf("import %s: %v", c.id, err)
		}
		if h.Driver != Name {
			t.Fatalf("handle %+v", h)
		}
		p, err := s.SnapshotProgress(t.Context(), h)
		if err != nil || !p.Done || p.SizeBytes <= 0 {
			t.Fatalf("progress of %s: %+v, %v", c.id, p, err)
		}
		l, err := ReadLayer(s.snapshotPath(c.id))
		if err != nil || l.Format != "qcow2" || l.Backing != "" {
			t.Fatalf("data file of %s: %+v, %v", c.id, l, err)
		}
		if c.id != "s-vhd" {
			identical(t, raw, s.snapshotPath(c.id))
		}
		path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-" + c.id, SnapshotID: c.id})
		if err != nil {
			t.Fatal(err)
		}
		qemuIO(t, path, "read -P 0x7e 0 1M", "read -P 0 1M 1M")
		if c.id != "s-vhd" {
			identical(t, raw, path)
		}
	}
	// Idempotent: the second import reads nothing.
	if _, err := s.ImportSnapshot(t.Context(), "s-raw", iotestErrReader{}); err != nil {
		t.Fatalf("second import: %v", err)
	}
	// The snapshot is deleted as any other.
	if err := s.DeleteSnapshot(t.Context(), s.SnapshotHandle("s-raw")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.snapshotPath("s-raw")); !os.IsNotExist(err) {
		t.Fatalf("data file of a deleted snapshot: %v", err)
	}
}

func TestImportSnapshotRefusesFilesThatReferToOtherFiles(t *testing.T) {
	s := newStore(t)
	base := convert(t, rawImage(t, 1<<20, 1), "qcow2")
	overlay := filepath.Join(t.TempDir(), "overlay.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", overlay).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(overlay)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ImportSnapshot(t.Context(), "s-bad", bytes.NewReader(b))
	wantErr(t, "overlay", err, driver.ErrInvalidArgument)
	_, err = s.readSnapshot("s-bad")
	wantErr(t, "record of a refused import", err, driver.ErrNotFound)
	left, _ := filepath.Glob(filepath.Join(s.cfg.Dir, snapshotsDir, "*"))
	if len(left) != 0 {
		t.Fatalf("a refused import left files %v", left)
	}
	_, err = s.ImportSnapshot(t.Context(), "s-bad", iotestErrReader{})
	wantErr(t, "read failure", err, driver.ErrTransient)
}

func TestOpenSnapshotReadsTheDataFileOfFinishedSnapshotsOnly(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-1", 0x42)
	if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", ImageID: "m-1"}); err != nil {
		t.Fatal(err)
	}
	snapshot(t, s, "s-1", "d-1")
	f, err := s.OpenSnapshot(t.Context(), "s-1")
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), "copy.qcow2")
	out, _ := os.Create(copied)
	if _, err := io.Copy(out, f); err != nil {
		t.Fatal(err)
	}
	out.Close()
	f.Close()
	identical(t, s.goldenPath("m-1"), copied)
	_, err = s.OpenSnapshot(t.Context(), "s-none")
	wantErr(t, "missing snapshot", err, driver.ErrNotFound)
	if err := writeJSON(s.snapshotRecordPath("s-2"), snapshotRecord{SnapshotID: "s-2", DiskID: "d-1", SizeGiB: 1, State: stateCopying}); err != nil {
		t.Fatal(err)
	}
	_, err = s.OpenSnapshot(t.Context(), "s-2")
	wantErr(t, "snapshot being taken", err, driver.ErrInvalidState)
}

// iotestErrReader fails every read.
type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
