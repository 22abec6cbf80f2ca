package qcow2

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
)

func TestImportImageConvertsRawQcow2AndVHDIntoReadOnlyGoldenFiles(t *testing.T) {
	s := newStore(t)
	raw := rawImage(t, 1<<30+1, 0x5a) // one byte over 1 GiB: rounds up to 2
	for _, c := range []struct{ id, src string }{
		{"m-raw", raw},
		{"m-qcow2", convert(t, raw, "qcow2")},
		{"m-vhd", convert(t, raw, "vpc")},
	} {
		img, err := s.ImportImage(t.Context(), c.src, Image{ImageID: c.id, ImageName: c.id, Platform: "Debian"})
		if err != nil {
			t.Fatalf("import %s: %v", c.id, err)
		}
		if img.SizeGiB != 2 || img.FileBytes <= 0 || img.OSType != "linux" || img.Architecture != "x86_64" || img.CreatedAt.IsZero() {
			t.Fatalf("import %s: %+v", c.id, img)
		}
		golden := s.goldenPath(c.id)
		fi, err := os.Stat(golden)
		if err != nil || fi.Mode().Perm() != 0o444 || fi.Size() != img.FileBytes {
			t.Fatalf("golden file of %s: %v, %v; want mode 0444 and %d bytes", c.id, fi.Mode(), err, img.FileBytes)
		}
		l, err := ReadLayer(golden)
		if err != nil || l.Format != "qcow2" || l.Backing != "" {
			t.Fatalf("golden file of %s: %+v, %v; want a standalone qcow2", c.id, l, err)
		}
		if c.id != "m-vhd" { // VHD rounds the size up to its CHS geometry
			identical(t, raw, golden)
		}
		qemuIO(t, golden, "read -P 0x5a 0 1M")
	}
	imgs, err := s.Images(t.Context())
	if err != nil || len(imgs) != 3 || imgs[0].ImageID != "m-qcow2" || imgs[2].ImageID != "m-vhd" {
		t.Fatalf("Images = %+v, %v", imgs, err)
	}
}

func TestImportImageIsIdempotentOnTheImageID(t *testing.T) {
	s := newStore(t)
	first := importImage(t, s, "m-once", 0x11)
	again, err := s.ImportImage(t.Context(), rawImage(t, 2<<30, 0x22), Image{ImageID: "m-once", ImageName: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatalf("second import = %+v; want the first %+v", again, first)
	}
	qemuIO(t, s.goldenPath("m-once"), "read -P 0x11 0 1M")
	// Without an ID, a new one is made up.
	img, err := s.ImportImage(t.Context(), rawImage(t, 1<<20, 1), Image{})
	if err != nil || !strings.HasPrefix(img.ImageID, "m-") || len(img.ImageID) != 22 {
		t.Fatalf("import without ID = %+v, %v", img, err)
	}
}

func TestImportImageKeepsReadOnlyCopiesOfTheBootFiles(t *testing.T) {
	s := newStore(t)
	dir := t.TempDir()
	kernel, initrd := filepath.Join(dir, "vmlinuz"), filepath.Join(dir, "initrd.img")
	os.WriteFile(kernel, []byte("kernel bytes"), 0o644)
	os.WriteFile(initrd, []byte("initrd bytes"), 0o644)
	img, err := s.ImportImage(t.Context(), rawImage(t, 1<<20, 7), Image{ImageID: "m-boot",
		Boot: driver.BootSpec{Kernel: kernel, Initrd: initrd, Cmdline: "console=ttyS0 root=/dev/vda rw"}})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(kernel) // the store keeps its own copies
	for path, want := range map[string]string{img.Boot.Kernel: "kernel bytes", img.Boot.Initrd: "initrd bytes"} {
		b, err := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if err != nil || string(b) != want || !strings.HasPrefix(path, s.imageDir("m-boot")+"/") || fi.Mode().Perm() != 0o444 {
			t.Fatalf("boot file %s: %q, %v, %v", path, b, err, fi.Mode())
		}
	}
	if img.Boot.Cmdline != "console=ttyS0 root=/dev/vda rw" {
		t.Fatalf("cmdline %q", img.Boot.Cmdline)
	}
	got, err := s.Image(t.Context(), "m-boot")
	if err != nil || got != img {
		t.Fatalf("Image = %+v, %v; want %+v", got, err, img)
	}
}

func TestImportImageRefusesWhatIsNotAnImage(t *testing.T) {
	s := newStore(t)
	_, err := s.ImportImage(t.Context(), "/nonexistent/disk.raw", Image{ImageID: "m-x"})
	wantErr(t, "import of a missing file", err, driver.ErrInvalidArgument)
	_, err = s.ImportImage(t.Context(), rawImage(t, 1<<20, 1), Image{ImageID: "../evil"})
	wantErr(t, "import with a path as ID", err, driver.ErrInvalidArgument)
	// A file that names host files (a backing file here) must not be read through.
	overlay := filepath.Join(t.TempDir(), "overlay.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", rawImage(t, 1<<20, 1), overlay).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v\n%s", err, out)
	}
	_, err = s.ImportImage(t.Context(), overlay, Image{ImageID: "m-overlay"})
	wantErr(t, "import of an image with a backing file", err, driver.ErrInvalidArgument)
	_, err = s.ImportImage(t.Context(), "relative.raw", Image{ImageID: "m-rel"})
	wantErr(t, "import of a relative path", err, driver.ErrInvalidArgument)
	if imgs, _ := s.Images(t.Context()); len(imgs) != 0 {
		t.Fatalf("refused imports left images: %+v", imgs)
	}
	_, err = s.Image(t.Context(), "m-missing")
	wantErr(t, "Image of a missing ID", err, driver.ErrNotFound)
}

func TestDeleteImageKeepsTheGoldenFileWhileDisksUseIt(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-used", 0x33)
	golden := s.goldenPath("m-used")
	disk, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-used"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteImage(t.Context(), "m-used"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Image(t.Context(), "m-used"); err == nil {
		t.Fatal("the deleted image is still there")
	}
	if imgs, _ := s.Images(t.Context()); len(imgs) != 0 {
		t.Fatalf("Images after delete = %+v", imgs)
	}
	qemuIO(t, disk, "read -P 0x33 0 1M") // the disk still reads through its golden file
	_, err = s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-new", ImageID: "m-used"})
	wantErr(t, "a disk from a deleted image", err, driver.ErrNotFound)
	_, err = s.ImportImage(t.Context(), rawImage(t, 1<<20, 1), Image{ImageID: "m-used"})
	wantErr(t, "reusing the ID of an image whose golden file backs a disk", err, driver.ErrInvalidState)
	if err := s.DeleteDisk(t.Context(), "d-sys"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(golden); !os.IsNotExist(err) {
		t.Fatalf("golden file after its last disk went: %v", err)
	}
	if err := s.DeleteImage(t.Context(), "m-used"); err != nil {
		t.Fatalf("deleting a missing image: %v", err)
	}
}

func TestImageFromSnapshotIsAStandaloneGoldenCopy(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-base", 0x44)
	disk, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-base"})
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, disk, "write -P 0x55 1M 1M")
	snapshot(t, s, "s-1", "d-sys")
	img, err := s.ImageFromSnapshot(t.Context(), "s-1", Image{ImageID: "m-custom", ImageName: "custom"})
	if err != nil {
		t.Fatal(err)
	}
	golden := s.goldenPath("m-custom")
	if l, err := ReadLayer(golden); err != nil || l.Backing != "" || img.SizeGiB != 1 {
		t.Fatalf("custom image %+v: %+v, %v", img, l, err)
	}
	identical(t, disk, golden)
	qemuIO(t, golden, "read -P 0x44 0 1M", "read -P 0x55 1M 1M")
	_, err = s.ImageFromSnapshot(t.Context(), "s-missing", Image{ImageID: "m-x"})
	wantErr(t, "an image from a missing snapshot", err, driver.ErrNotFound)
	if out, err := exec.Command("qemu-img", "check", golden).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img check: %v\n%s", err, out)
	}
}
