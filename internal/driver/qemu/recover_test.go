package qemu

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// TestMain lets the test binary play a short-lived ecsd (see
// TestASIGKILLedDaemonsVMIsAdoptedNotStartedTwice).
func TestMain(m *testing.M) {
	if dir := os.Getenv("ECSD_QEMU_TEST_CHILD_STATE"); dir != "" {
		os.Exit(childStartsAVM(dir, os.Getenv("ECSD_QEMU_TEST_CHILD_GUEST")))
	}
	os.Exit(m.Run())
}

// childStartsAVM creates and starts i-orphan, prints its handle and waits to be
// killed.
func childStartsAVM(dir, guest string) int {
	d, err := New(Config{StateDir: dir})
	if err != nil {
		return 2
	}
	spec := guestSpecFor(guest, "i-orphan")
	ctx := context.Background()
	h, err := d.Create(ctx, spec)
	if err == nil {
		h, err = d.Start(ctx, h)
	}
	if err != nil {
		os.Stderr.WriteString(err.Error())
		return 3
	}
	json.NewEncoder(os.Stdout).Encode(h)
	select {} // until SIGKILL
}

func TestASIGKILLedDaemonsVMIsAdoptedNotStartedTwice(t *testing.T) {
	guest := guestDir(t)
	dir := stateDir(t)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "ECSD_QEMU_TEST_CHILD_STATE="+dir, "ECSD_QEMU_TEST_CHILD_GUEST="+guest)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var h driver.Handle
	if err := json.NewDecoder(out).Decode(&h); err != nil {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("the child daemon printed no handle: %v", err)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()

	d := newTestDriver(t)
	pid := d.livePID("i-orphan")
	if pid == 0 {
		t.Fatal("the VM died with the daemon that started it")
	}
	h2, err := d.Recover(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := d.Inspect(t.Context(), h2); err != nil || st != driver.Running {
		t.Fatalf("Inspect after Recover = %s, %v; want Running", st, err)
	}
	if _, err := d.Start(t.Context(), h2); err != nil {
		t.Fatal(err)
	}
	if got := d.livePID("i-orphan"); got != pid {
		t.Fatalf("qemu pid %d after Recover and Start, want the adopted %d (no second copy)", got, pid)
	}
	if err := d.Delete(t.Context(), h2); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("qemu pid %d still alive after Delete", pid)
	}
}

func TestAVMWhoseQEMUDiedIsCrashedAndBootsAgain(t *testing.T) {
	d := newTestDriver(t)
	h, err := d.Create(t.Context(), guestSpec(t, guestDir(t), "i-crash"))
	if err == nil {
		h, err = d.Start(t.Context(), h)
	}
	if err != nil {
		t.Fatal(err)
	}
	pid := d.livePID("i-crash")
	syscall.Kill(pid, syscall.SIGKILL)
	for !waitExit(pid, time.Second) {
	}
	if st, err := d.Inspect(t.Context(), h); err != nil || st != driver.Crashed {
		t.Fatalf("Inspect after the QEMU process died = %s, %v; want Crashed", st, err)
	}
	// A new driver (ecsd restarted) sees the same.
	d2 := newTestDriver(t)
	if st, err := d2.Inspect(t.Context(), h); err != nil || st != driver.Crashed {
		t.Fatalf("Inspect of a restarted driver = %s, %v; want Crashed", st, err)
	}
	if h, err = d2.Start(t.Context(), h); err != nil {
		t.Fatal(err)
	}
	if st, _ := d2.Inspect(t.Context(), h); st != driver.Running {
		t.Fatalf("Inspect after Start of a crashed instance = %s, want Running", st)
	}
	if h, err = d2.Stop(t.Context(), h, driver.StopOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if st, _ := d2.Inspect(t.Context(), h); st != driver.Stopped {
		t.Fatalf("Inspect after a forced Stop = %s, want Stopped", st)
	}
}

func TestNewRefusesAStateDirectoryTooLongForQMPSockets(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is not installed")
	}
	long := "/tmp/" + strings.Repeat("x", 60)
	if _, err := New(Config{StateDir: long}); err == nil {
		t.Fatal("New accepted a state directory whose socket paths exceed 107 bytes")
	}
	if _, err := New(Config{StateDir: "relative"}); err == nil {
		t.Fatal("New accepted a relative state directory")
	}
}
