package qcow2

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

func TestOverlayDiskHasAnAbsoluteBackingOnTheGoldenImage(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-base", 0x5a)
	golden := s.goldenPath("m-base")
	before, _ := os.ReadFile(golden)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-base", SizeGiB: 20})
	if err != nil {
		t.Fatal(err)
	}
	if path != s.DiskPath("d-sys") || !filepath.IsAbs(path) {
		t.Fatalf("path %q", path)
	}
	chain, err := Chain(path)
	if err != nil || len(chain) != 2 || chain[0].Backing != golden || chain[0].VirtualSize != 20<<30 {
		t.Fatalf("chain %+v, %v; want an overlay of 20 GiB on %s", chain, err, golden)
	}
	// The backing path in the file itself is absolute (not resolved by ReadLayer).
	out, _ := exec.Command("qemu-img", "info", "-U", path).CombinedOutput()
	if !bytes.Contains(out, []byte("backing file: "+golden+"\n")) {
		t.Fatalf("qemu-img info:\n%s", out)
	}
	qemuIO(t, path, "read -P 0x5a 0 1M", "write -P 0x77 0 64k")
	qemuIO(t, path, "read -P 0x77 0 64k")
	after, _ := os.ReadFile(golden)
	if !bytes.Equal(before, after) {
		t.Fatal("a write into the overlay changed the golden file")
	}
	// A smaller size than the image's is the image's size.
	small, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-small", ImageID: "m-base"})
	if l, _ := ReadLayer(small); err != nil || l.VirtualSize != 1<<30 {
		t.Fatalf("overlay without size: %+v, %v", l, err)
	}
}

func TestEnsureDiskIsIdempotent(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-base", 0x5a)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", ImageID: "m-base"})
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, path, "write -P 0x66 0 64k")
	for _, src := range []DiskSource{{DiskID: "d-1", ImageID: "m-base"}, {DiskID: "d-1", SizeGiB: 5}} {
		again, err := s.EnsureDisk(t.Context(), src)
		if err != nil || again != path {
			t.Fatalf("EnsureDisk(%+v) again = %q, %v", src, again, err)
		}
	}
	qemuIO(t, path, "read -P 0x66 0 64k") // untouched
}

func TestBlankDiskIsSparse(t *testing.T) {
	s := newStore(t)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-blank", SizeGiB: 2000})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ReadLayer(path)
	fi, _ := os.Stat(path)
	if err != nil || l.VirtualSize != 2000<<30 || l.Backing != "" || fi.Size() > 1<<20 {
		t.Fatalf("blank disk %+v (%d bytes on disk), %v", l, fi.Size(), err)
	}
	qemuIO(t, path, "read -P 0 1G 1M")
}

func TestEnsureDiskRefusesBadSources(t *testing.T) {
	s := newStore(t)
	for _, c := range []struct {
		src  DiskSource
		want error
	}{
		{DiskSource{DiskID: "d-1"}, driver.ErrInvalidArgument},
		{DiskSource{DiskID: "d-1", ImageID: "m-1", SnapshotID: "s-1"}, driver.ErrInvalidArgument},
		{DiskSource{DiskID: "../d-1", SizeGiB: 1}, driver.ErrInvalidArgument},
		{DiskSource{DiskID: "d-1", ImageID: "m-missing"}, driver.ErrNotFound},
		{DiskSource{DiskID: "d-1", SnapshotID: "s-missing"}, driver.ErrNotFound},
	} {
		_, err := s.EnsureDisk(t.Context(), c.src)
		wantErr(t, "EnsureDisk", err, c.want)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.cfg.Dir, disksDir)); len(entries) != 0 {
		t.Fatalf("files left behind: %v", entries)
	}
}

func TestResizeDiskGrowsOfflineAndNeverShrinks(t *testing.T) {
	s := newStore(t)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, path, "write -P 0x12 0 64k")
	for range 2 { // the second call is a no-op
		if err := s.ResizeDisk(t.Context(), "d-1", 3); err != nil {
			t.Fatal(err)
		}
	}
	if l, _ := ReadLayer(path); l.VirtualSize != 3<<30 {
		t.Fatalf("size %d after resize", l.VirtualSize)
	}
	qemuIO(t, path, "read -P 0x12 0 64k")
	wantErr(t, "shrinking", s.ResizeDisk(t.Context(), "d-1", 2), driver.ErrInvalidArgument)
	wantErr(t, "a missing disk", s.ResizeDisk(t.Context(), "d-missing", 2), driver.ErrNotFound)
}

func TestResizeDiskGoesThroughTheLiveHookForARunningVM(t *testing.T) {
	s := newStore(t)
	live := &fakeLive{running: map[string]bool{"d-live": true}, resized: map[string]int64{}}
	s.SetLive(live)
	for _, id := range []string{"d-live", "d-off"} {
		if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: id, SizeGiB: 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.ResizeDisk(t.Context(), id, 4); err != nil {
			t.Fatal(err)
		}
	}
	if len(live.resized) != 1 || live.resized["d-live"] != 4<<30 {
		t.Fatalf("live resizes %v", live.resized)
	}
	if l, _ := ReadLayer(s.DiskPath("d-off")); l.VirtualSize != 4<<30 {
		t.Fatalf("offline disk is %d bytes", l.VirtualSize)
	}
}

func TestRecreateDiskRollsAnOverlayBackToItsImage(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-a", 0x0a)
	importImage(t, s, "m-b", 0x0b)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-a", SizeGiB: 2})
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, path, "write -P 0xee 0 1M")
	for range 2 { // ReInitDisk, twice
		if _, err := s.RecreateDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-a", SizeGiB: 2}); err != nil {
			t.Fatal(err)
		}
		qemuIO(t, path, "read -P 0x0a 0 1M")
	}
	// ReplaceSystemDisk: another image.
	if _, err := s.RecreateDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-b", SizeGiB: 2}); err != nil {
		t.Fatal(err)
	}
	if l, _ := ReadLayer(path); l.Backing != s.goldenPath("m-b") {
		t.Fatalf("backing %q after replacing the image", l.Backing)
	}
	qemuIO(t, path, "read -P 0x0b 0 1M")
}

func TestCrashLeftoversAreIgnoredAndCleanedUp(t *testing.T) {
	s := newStore(t)
	dead := deadPID(t)
	// A crash while a disk was written: a partial temporary file.
	final := s.DiskPath("d-1")
	os.WriteFile(final+".tmp."+dead, []byte("partial"), 0o600)
	if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(final + ".tmp." + dead); !os.IsNotExist(err) {
		t.Fatalf("stale temporary file: %v", err)
	}
	// A crash during an import: a golden temporary file and no record.
	os.MkdirAll(s.imageDir("m-half"), 0o700)
	os.WriteFile(s.goldenPath("m-half")+".tmp."+dead, []byte("partial"), 0o600)
	if _, err := s.Image(t.Context(), "m-half"); err == nil {
		t.Fatal("a half-imported image exists")
	}
	if imgs, _ := s.Images(t.Context()); len(imgs) != 0 {
		t.Fatalf("Images lists a half-imported image: %+v", imgs)
	}
	// A crash after the golden file landed but before the record: imported again.
	importImage(t, s, "m-half", 0x21)
	os.Remove(filepath.Join(s.imageDir("m-half"), recordFile))
	img := importImage(t, s, "m-half", 0x22)
	qemuIO(t, s.goldenPath("m-half"), "read -P 0x22 0 1M")
	if entries, _ := os.ReadDir(s.imageDir("m-half")); len(entries) != 2 || img.FileBytes == 0 {
		t.Fatalf("image directory after the retried import: %v", entries)
	}
	// A crash while a snapshot was copied: its record says copying and no
	// process copies it; the next progress call starts the copy again.
	qemuIO(t, final, "write -P 0x31 0 64k")
	rec := snapshotRecord{SnapshotID: "s-1", DiskID: "d-1", SizeGiB: 1, State: stateCopying, StartedAt: time.Now()}
	if err := writeJSON(s.snapshotRecordPath("s-1"), rec); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(s.snapshotPath("s-1")+".tmp."+dead, []byte("partial"), 0o600)
	h := makeHandle(handleState{Kind: kindSnapshot, ID: "s-1", DiskID: "d-1", SizeGiB: 1})
	waitSnapshot(t, s, h)
	qemuIO(t, s.snapshotPath("s-1"), "read -P 0x31 0 64k")
	if _, err := os.Stat(s.snapshotPath("s-1") + ".tmp." + dead); !os.IsNotExist(err) {
		t.Fatalf("stale snapshot temporary file: %v", err)
	}
}

// TestADiskInUseByAVMIsRefused runs a paused QEMU (no guest boots) with the disk
// open, as a running instance has it.
func TestADiskInUseByAVMIsRefused(t *testing.T) {
	s := newStore(t)
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is not installed: skipping the in-use test")
	}
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-busy", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	vm := exec.CommandContext(ctx, "qemu-system-x86_64", "-M", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
		"-blockdev", `{"driver":"file","filename":"`+path+`","node-name":"f"}`,
		"-blockdev", `{"driver":"qcow2","file":"f","node-name":"q"}`, "-device", "virtio-blk-pci,drive=q")
	if err := vm.Start(); err != nil {
		t.Fatal(err)
	}
	defer vm.Wait()
	defer cancel()
	for i := 0; s.notInUse(t.Context(), path) == nil; i++ {
		if i == 100 {
			t.Fatal("the disk never showed as in use")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = s.RecreateDisk(t.Context(), DiskSource{DiskID: "d-busy", SizeGiB: 1})
	wantErr(t, "RecreateDisk of a disk in use", err, driver.ErrInvalidState)
	wantErr(t, "DeleteDisk of a disk in use", s.DeleteDisk(t.Context(), "d-busy"), driver.ErrInvalidState)
	wantErr(t, "offline ResizeDisk of a disk in use", s.ResizeDisk(t.Context(), "d-busy", 2), driver.ErrInvalidState)
	cancel()
	vm.Wait()
	if err := s.DeleteDisk(t.Context(), "d-busy"); err != nil {
		t.Fatalf("DeleteDisk once the VM is gone: %v", err)
	}
}
