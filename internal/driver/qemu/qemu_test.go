package qemu

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/guestimage"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
)

// guestDir returns the directory of the test guest scripts/setup-qemu.sh builds,
// skipping the test when QEMU or the guest is missing.
func guestDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is not installed: run scripts/setup-qemu.sh to run the QEMU driver tests")
	}
	dir, err := guestimage.BusyboxGuest()
	if err != nil {
		t.Skipf("%v: the QEMU driver tests skip", err)
	}
	return dir
}

// stateDirs maps each top-level test to its state directory, so that drivers made
// for the same test (a "restarted ecsd") share it.
var stateDirs = map[*testing.T]string{}

// stateDir returns a short state directory for t (QMP socket paths are limited to
// 107 bytes, too short for t.TempDir under long subtest names) and kills every
// QEMU left in it when t ends.
func stateDir(t *testing.T) string {
	t.Helper()
	if dir, ok := stateDirs[t]; ok {
		return dir
	}
	dir, err := os.MkdirTemp("", "ecsdq")
	if err != nil {
		t.Fatal(err)
	}
	stateDirs[t] = dir
	t.Cleanup(func() {
		delete(stateDirs, t)
		killAll(dir)
		os.RemoveAll(dir)
	})
	return dir
}

// killAll kills the QEMU of every instance under dir (daemonized, they would
// outlive the test).
func killAll(dir string) {
	pidfiles, _ := filepath.Glob(filepath.Join(dir, "*", pidFile))
	for _, pf := range pidfiles {
		b, err := os.ReadFile(pf)
		if err != nil {
			continue
		}
		var pid int
		for _, c := range strings.TrimSpace(string(b)) {
			pid = pid*10 + int(c-'0')
		}
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
			waitExit(pid, 5*time.Second)
		}
	}
}

func newTestDriver(t *testing.T) *Driver {
	t.Helper()
	d, err := New(Config{StateDir: stateDir(t), PowerdownInterval: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// guestSpec is drivertest's spec with the busybox guest booted directly.
func guestSpec(_ *testing.T, guest, id string) driver.InstanceSpec { return guestSpecFor(guest, id) }

func guestSpecFor(guest, id string) driver.InstanceSpec {
	s := drivertest.DefaultSpec(id)
	s.MemoryMiB = 256
	s.Boot = driver.BootSpec{
		Kernel:  filepath.Join(guest, "vmlinuz"),
		Initrd:  filepath.Join(guest, "initramfs.cpio.gz"),
		Cmdline: "console=ttyS0 quiet panic=-1",
	}
	return s
}

func TestContract(t *testing.T) {
	guest := guestDir(t)
	drivertest.Harness{
		NewDriver: func(t *testing.T) driver.Compute { return newTestDriver(t) },
		Spec:      func(t *testing.T, id string) driver.InstanceSpec { return guestSpec(t, guest, id) },
		DataDisk:  dataDisk,
	}.Run(t)
}

// waitConsole waits until the console of h shows marker.
func waitConsole(t *testing.T, d *Driver, h driver.Handle, marker string) {
	t.Helper()
	for range 600 {
		out, err := d.ConsoleOutput(t.Context(), h)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, []byte(marker)) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := d.ConsoleOutput(t.Context(), h)
	t.Fatalf("no %q on the console after 60s:\n%s", marker, out)
}

func TestTheGuestBootsAndPowersOffOnTheACPIButton(t *testing.T) {
	d := newTestDriver(t)
	spec := guestSpec(t, guestDir(t), "i-boots")
	spec.SerialNumber = "5b3c1c6e-0000-4000-8000-0000000000aa"
	spec.Boot.Cmdline = "console=ttyS0 panic=-1"
	h, err := d.Create(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = d.Start(t.Context(), h); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, h, "ECSD-GUEST-READY")
	out, _ := d.ConsoleOutput(t.Context(), h)
	if !bytes.Contains(out, []byte("Linux version")) {
		t.Fatalf("console without the kernel banner:\n%s", out)
	}
	cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(d.livePID("i-boots")), "cmdline"))
	if !bytes.Contains(cmdline, []byte("product=Alibaba Cloud ECS,serial="+spec.SerialNumber)) {
		t.Fatalf("qemu command line without the ECS SMBIOS identity: %q", cmdline)
	}
	if h, err = d.Stop(t.Context(), h, driver.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, h, "ECSD-GUEST-POWEROFF")
}
