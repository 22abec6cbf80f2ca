package app

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qcow2"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/volume"
)

// newTestVolumes returns the qcow2 adaptor over a store in a fresh data dir,
// skipping the test when qemu-img is missing.
func newTestVolumes(t *testing.T) qcow2Volumes {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed (apt-get install qemu-utils): skipping the volume store adaptor test")
	}
	st, err := newQcow2Volumes(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return qcow2Volumes{st}
}

// TestQcow2AdaptorMakesDisksBootsAndGoldenImagesWithTheRealStore drives the
// adaptor the services use over a real qcow2 store: an imported image with
// boot files is listed with its size, a system disk is an overlay on it with
// its boot, a resize of a disk without a file is not an error, and a golden
// image made from a snapshot takes the boot files of the image named.
func TestQcow2AdaptorMakesDisksBootsAndGoldenImagesWithTheRealStore(t *testing.T) {
	v := newTestVolumes(t)
	ctx := t.Context()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", src, "1G").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v: %s", err, out)
	}
	kernel := filepath.Join(dir, "vmlinuz")
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	boot := driver.BootSpec{Kernel: kernel, Cmdline: "console=ttyS0"}
	base, err := v.st.ImportImage(ctx, src, qcow2Image("m-base", boot))
	if err != nil {
		t.Fatal(err)
	}
	all, err := v.GoldenImages(ctx)
	if err != nil || len(all) != 1 || all[0].ImageID != "m-base" || all[0].SizeGiB != 1 || all[0].Platform != "Debian" {
		t.Fatalf("GoldenImages = %+v, %v", all, err)
	}

	path, err := v.EnsureDisk(ctx, volume.Source{DiskID: "d-sys", SizeGiB: 20, ImageID: "m-base"})
	if err != nil {
		t.Fatal(err)
	}
	if path != v.st.DiskPath("d-sys") {
		t.Fatalf("EnsureDisk path %s, want %s", path, v.st.DiskPath("d-sys"))
	}
	got, err := v.Boot(ctx, "m-base")
	if err != nil || got != base.Boot || got.Cmdline != "console=ttyS0" || got.Kernel == "" {
		t.Fatalf("Boot = %+v, %v; want the image's %+v", got, err, base.Boot)
	}
	if _, err := v.Boot(ctx, "m-nope"); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("Boot of a missing image: %v, want ErrNotFound", err)
	}
	if err := v.ResizeDisk(ctx, "d-never-made", 30); err != nil {
		t.Fatalf("ResizeDisk of a disk without a file: %v", err)
	}
	if err := v.ResizeDisk(ctx, "d-sys", 30); err != nil {
		t.Fatal(err)
	}

	// A snapshot of the system disk becomes a golden image booting like m-base.
	h, err := v.st.StartSnapshot(ctx, driver.SnapshotSpec{SnapshotID: "s-sys", DiskID: "d-sys", SizeGiB: 30})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		p, err := v.st.SnapshotProgress(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if p.Done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("snapshot not done after a minute")
		}
	}
	if err := v.GoldenFromSnapshot(ctx, "s-sys", image.GoldenImage{ImageID: "m-custom", Name: "custom", BootFrom: "m-base"}); err != nil {
		t.Fatal(err)
	}
	custom, err := v.Boot(ctx, "m-custom")
	if err != nil || custom.Cmdline != "console=ttyS0" || custom.Kernel == "" || custom.Kernel == base.Boot.Kernel {
		t.Fatalf("boot of the image made from the snapshot = %+v, %v; want its own copy of m-base's kernel", custom, err)
	}
	if err := v.DeleteGolden(ctx, "m-custom"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Boot(ctx, "m-custom"); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("a deleted golden image still boots: %v", err)
	}
	if err := v.DeleteDisk(ctx, "d-sys"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("DeleteDisk left %s: %v", path, err)
	}
}

// qcow2Image is a Debian image record for ImportImage.
func qcow2Image(id string, boot driver.BootSpec) qcow2.Image {
	return qcow2.Image{ImageID: id, ImageName: id, OSType: "linux", Platform: "Debian", Architecture: "x86_64", Boot: boot}
}
