package qemu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
	"github.com/ecsd/ecsd/internal/driver/qcow2"
)

var (
	diskDirsMu sync.Mutex
	diskDirs   = map[*testing.T]string{}
)

// dataDisk is the contract suite's data disk: a real, sparse qcow2 file, made
// once per test and disk ID.
func dataDisk(t *testing.T, diskID, device string) driver.DiskSpec {
	t.Helper()
	diskDirsMu.Lock()
	dir, ok := diskDirs[t]
	if !ok {
		dir = t.TempDir()
		diskDirs[t] = dir
		t.Cleanup(func() { diskDirsMu.Lock(); delete(diskDirs, t); diskDirsMu.Unlock() })
	}
	diskDirsMu.Unlock()
	disk := drivertest.DefaultDataDisk(diskID, device)
	disk.Path = filepath.Join(dir, diskID+".qcow2")
	if _, err := os.Stat(disk.Path); err != nil {
		out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", disk.Path, strconv.Itoa(disk.SizeGiB)+"G").CombinedOutput()
		if err != nil {
			t.Fatalf("qemu-img create: %v\n%s", err, out)
		}
	}
	return disk
}

func TestDiskArgsOpenTheGoldenImageReadOnlyAndPutDataDisksOnRootPorts(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	dir := t.TempDir()
	golden, sys := filepath.Join(dir, "golden.qcow2"), filepath.Join(dir, "sys.qcow2")
	for _, args := range [][]string{{"create", "-q", "-f", "qcow2", golden, "1G"},
		{"create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", golden, sys, "2G"}} {
		if out, err := exec.Command("qemu-img", args...).CombinedOutput(); err != nil {
			t.Fatalf("qemu-img: %v\n%s", err, out)
		}
	}
	d := &Driver{}
	spec := drivertest.DefaultSpec("i-args")
	spec.SystemDisk.Path = sys
	spec.DataDisks = []driver.DiskSpec{dataDisk(t, "d-data-1", "/dev/xvdb"), {DiskID: "d-nopath", Device: "/dev/xvdc", SizeGiB: 1}}
	a := d.diskArgs(spec)
	joined := strings.Join(a, "\n")
	sysNode := diskNode(spec.SystemDisk.DiskID)
	for _, want := range []string{
		"pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1", "pcie-root-port,id=rp8,bus=pcie.0,chassis=8,slot=8",
		`{"driver":"file","filename":"` + golden + `","node-name":"` + sysNode + `-b1-f","read-only":true}`,
		`{"backing":null,"driver":"qcow2","file":"` + sysNode + `-b1-f","node-name":"` + sysNode + `-b1","read-only":true}`,
		`{"backing":"` + sysNode + `-b1","discard":"unmap","driver":"qcow2","file":"` + sysNode + `-f","node-name":"` + sysNode + `"}`,
		`"bootindex":1,"bus":"pcie.0","drive":"` + sysNode + `","driver":"virtio-blk-pci"`,
		`"bus":"rp1","drive":"` + diskNode("d-data-1") + `","driver":"virtio-blk-pci","id":"` + deviceID("d-data-1") + `","serial":"d-data-1"`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("disk arguments without %s:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, diskNode("d-nopath")) {
		t.Errorf("a disk without a path has arguments:\n%s", joined)
	}
	if len(diskNode("d-"+strings.Repeat("x", 60))+"-b15-f") > 31 {
		t.Error("node names exceed QEMU's 31 bytes")
	}
}

// lastDisks returns the disks the guest printed last (ECSD-DISKS …).
func lastDisks(out []byte) string {
	i := bytes.LastIndex(out, []byte("ECSD-DISKS"))
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(string(out[i:]), "\n")
	return strings.TrimSpace(line)
}

// waitDisks waits until the guest's latest disk list is want and returns how
// long that took.
func waitDisks(t *testing.T, d *Driver, h driver.Handle, want string) time.Duration {
	t.Helper()
	start := time.Now()
	for range 600 {
		out, err := d.ConsoleOutput(t.Context(), h)
		if err != nil {
			t.Fatal(err)
		}
		if lastDisks(out) == want {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := d.ConsoleOutput(t.Context(), h)
	t.Fatalf("no %q as the last disk list after 60s:\n%s", want, out)
	return 0
}

// hmpWrite writes pattern over [off, off+n) of diskID through the device's own
// block backend in the running QEMU (HMP qemu-io), as the guest's writes go.
func hmpWrite(ctx context.Context, d *Driver, id, diskID string, pattern byte, off, n int64) error {
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	var out string
	cmd := fmt.Sprintf(`qemu-io -d /machine/peripheral/%s/virtio-backend "write -P 0x%02x %d %d"`, deviceID(diskID), pattern, off, n)
	if err := c.Run(ctx, "human-monitor-command", map[string]any{"command-line": cmd}, &out); err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("qemu-io: %s", out)
	}
	return nil
}

// TestDisksOfARunningGuest boots one guest whose system disk is an overlay on a
// golden image, then hot-plugs a data disk, snapshots it live while it is
// written, grows it live, and unplugs it, reading the guest's console.
func TestDisksOfARunningGuest(t *testing.T) {
	guest := guestDir(t)
	store, err := qcow2.New(qcow2.Config{Dir: t.TempDir()})
	if err != nil {
		t.Skipf("no qcow2 store: %v", err)
	}
	d := newTestDriver(t)
	store.SetLive(d)
	ctx := t.Context()
	raw := filepath.Join(t.TempDir(), "golden.raw")
	if err := os.WriteFile(raw, bytes.Repeat([]byte{0x5a}, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportImage(ctx, raw, qcow2.Image{ImageID: "m-golden"}); err != nil {
		t.Fatal(err)
	}
	spec := guestSpec(t, guest, "i-disks")
	if spec.SystemDisk.Path, err = store.EnsureDisk(ctx, qcow2.DiskSource{DiskID: spec.SystemDisk.DiskID, ImageID: "m-golden", SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	h, err := d.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = d.Start(ctx, h); err != nil {
		t.Fatal(err)
	}
	waitDisks(t, d, h, "ECSD-DISKS vda")
	cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(d.livePID("i-disks")), "cmdline"))
	golden := filepath.Join(filepath.Dir(filepath.Dir(store.DiskPath("x"))), "images", "m-golden", "disk.qcow2")
	if !bytes.Contains(cmdline, []byte(`"filename":"`+golden+`","node-name":"`+diskNode(spec.SystemDisk.DiskID)+`-b1-f","read-only":true`)) {
		t.Fatalf("the golden image is not opened read-only: %q", cmdline)
	}
	goldenSum := sha256File(t, golden)

	// Hot-plug.
	data := drivertest.DefaultDataDisk("d-hot", "/dev/xvdb")
	data.SizeGiB = 1
	if data.Path, err = store.EnsureDisk(ctx, qcow2.DiskSource{DiskID: data.DiskID, SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 2 {
		if h, err = d.AttachDisk(ctx, h, data); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("AttachDisk (twice) took %s", time.Since(start))
	t.Logf("the guest saw vdb %s after AttachDisk returned", waitDisks(t, d, h, "ECSD-DISKS vda vdb"))
	if got, _ := d.readSpec("i-disks"); len(got.DataDisks) != 1 || got.DataDisks[0].DiskID != "d-hot" {
		t.Fatalf("spec after hot-plug: %+v", got.DataDisks)
	}

	// A live snapshot while the disk is written.
	if err := hmpWrite(ctx, d, "i-disks", "d-hot", 0xa1, 0, 64<<20); err != nil {
		t.Fatal(err)
	}
	writes := make(chan error, 1)
	wctx, stopWrites := context.WithCancel(ctx)
	go func() {
		var err error
		for i := int64(0); err == nil && wctx.Err() == nil; i++ {
			err = hmpWrite(wctx, d, "i-disks", "d-hot", 0xb2, 128<<20+(i%64)<<20, 1<<20)
		}
		if wctx.Err() != nil {
			err = nil
		}
		writes <- err
	}()
	start = time.Now()
	sh, err := store.StartSnapshot(ctx, driver.SnapshotSpec{SnapshotID: "s-live", DiskID: "d-hot", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	var p driver.CopyProgress
	for !p.Done {
		if p, err = store.SnapshotProgress(ctx, sh); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("live snapshot of a 1 GiB disk with 64+ MiB of data took %s (%d bytes)", time.Since(start), p.SizeBytes)
	stopWrites()
	if err := <-writes; err != nil {
		t.Fatalf("writes during the snapshot: %v", err)
	}
	snapFile := filepath.Join(filepath.Dir(filepath.Dir(store.DiskPath("x"))), "snapshots", "s-live.qcow2")
	if out, err := exec.Command("qemu-img", "check", snapFile).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img check of the live snapshot: %v\n%s", err, out)
	}
	if l, err := qcow2.ReadLayer(snapFile); err != nil || l.Backing != "" || l.VirtualSize != 1<<30 {
		t.Fatalf("live snapshot %+v, %v", l, err)
	}
	if out, err := exec.Command("qemu-io", "-f", "qcow2", "-c", "read -P 0xa1 0 64M", snapFile).CombinedOutput(); err != nil || bytes.Contains(out, []byte("failed")) {
		t.Fatalf("the live snapshot lacks the data written before it: %v\n%s", err, out)
	}
	var rec struct{ Live bool }
	b, _ := os.ReadFile(strings.TrimSuffix(snapFile, ".qcow2") + ".json")
	if json.Unmarshal(b, &rec); !rec.Live {
		t.Fatalf("the snapshot was not taken through QEMU: %s", b)
	}
	// The disk is in use: a restore must wait for the VM to let it go.
	if err := store.RestoreSnapshot(ctx, sh, "d-hot"); err == nil {
		t.Fatal("RestoreSnapshot of a disk a running VM writes succeeded")
	}

	// Live resize.
	if err := store.ResizeDisk(ctx, "d-hot", 2); err != nil {
		t.Fatal(err)
	}
	if l, _ := qcow2.ReadLayer(data.Path); l.VirtualSize != 2<<30 {
		t.Fatalf("disk is %d bytes after a live resize", l.VirtualSize)
	}

	// Hot-unplug.
	start = time.Now()
	for range 2 {
		if h, err = d.DetachDisk(ctx, h, "d-hot"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("DetachDisk (twice) took %s", time.Since(start))
	waitDisks(t, d, h, "ECSD-DISKS vda")
	if got, _ := d.readSpec("i-disks"); len(got.DataDisks) != 0 {
		t.Fatalf("spec after detach: %+v", got.DataDisks)
	}
	// Now free, the disk rolls back to the snapshot.
	if err := store.RestoreSnapshot(ctx, sh, "d-hot"); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qemu-io", "-f", "qcow2", "-c", "read -P 0xa1 0 64M", data.Path).CombinedOutput(); err != nil || bytes.Contains(out, []byte("failed")) {
		t.Fatalf("restored disk: %v\n%s", err, out)
	}
	if _, err := d.DetachDisk(ctx, h, spec.SystemDisk.DiskID); err == nil {
		t.Fatal("DetachDisk of the system disk succeeded")
	}

	// Attached while stopped, the disk is there at the next boot.
	if h, err = d.Stop(ctx, h, driver.StopOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if h, err = d.AttachDisk(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	if h, err = d.Start(ctx, h); err != nil {
		t.Fatal(err)
	}
	waitDisks(t, d, h, "ECSD-DISKS vda vdb")

	// The guest powers itself off: QEMU stays (-no-shutdown) with the disk
	// open, and the store releases it before it replaces the disk.
	c, err := d.dial(ctx, "i-disks")
	if err != nil {
		t.Fatal(err)
	}
	for st := ""; st != "shutdown"; time.Sleep(100 * time.Millisecond) {
		c.Execute(ctx, "system_powerdown", nil)
		s, err := c.QueryStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st = s.Status
	}
	c.Close()
	if state, err := d.Inspect(ctx, h); err != nil || state != driver.Stopped {
		t.Fatalf("Inspect after the guest powered off = %s, %v", state, err)
	}
	if _, err := store.RecreateDisk(ctx, qcow2.DiskSource{DiskID: "d-hot", SizeGiB: 1}); err != nil {
		t.Fatalf("RecreateDisk of a disk held by a powered-off VM: %v", err)
	}
	if state, err := d.Inspect(ctx, h); err != nil || state != driver.Stopped {
		t.Fatalf("Inspect after the release = %s, %v", state, err)
	}
	if after := sha256File(t, golden); after != goldenSum {
		t.Fatal("the golden image changed while VMs ran on it")
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
