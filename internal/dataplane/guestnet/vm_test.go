package guestnet

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/guestimage"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
	"github.com/ecsd/ecsd/internal/driver/qemu"
	"github.com/ecsd/ecsd/internal/store"
)

// testGuest returns the directory of the QEMU test guest
// (scripts/setup-qemu.sh), skipping without QEMU or the guest.
func testGuest(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is not installed: run scripts/setup-qemu.sh")
	}
	dir, err := guestimage.BusyboxGuest()
	if err != nil {
		t.Skipf("%v: the real-stack tests skip", err)
	}
	return dir
}

// TestAGuestReadsItsMetadataThroughTheRealStack boots the test guest with the
// qemu driver plugging its NIC into a real netns Plane, and the reconciler
// running as `ecsd serve --driver qemu` runs it, over a store that records
// the instance: the guest gets its address by DHCP through the ruleset the
// reconciler applied, then reads its own instance ID, key and user data
// from 100.100.100.200 (the guest prints what it read on its console).
func TestAGuestReadsItsMetadataThroughTheRealStack(t *testing.T) {
	guest := testGuest(t)
	plane := newRealPlane(t)
	w := newWorld(t)
	w.vpc("vpc-vm", "10.7.0.0/16", map[string]string{"vsw-vm": "10.7.1.0/24"})
	w.group("sg-vm", "vpc-vm", "Accept")
	const id, ip, mac = "i-guestnet1", "10.7.1.5", "00:16:3e:07:01:05"
	w.instance(id, "vpc-vm", "vsw-vm", ip, mac, "sg-vm")
	w.update(func(tx store.Tx) error {
		if err := tx.CreateKeyPair(store.KeyPair{ID: "kp-vm", AccountID: acct, RegionID: region, Name: "vm", FingerPrint: "00",
			PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAguestnet vm", CreatedAt: w.tick()}); err != nil {
			return err
		}
		in, err := tx.GetInstance(acct, id)
		if err != nil {
			return err
		}
		in.KeyPairName = "vm"
		in.UserData = base64.StdEncoding.EncodeToString([]byte("hello-from-the-store"))
		return tx.UpdateInstance(in)
	})

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	r := New(Config{Store: w.st, Plane: plane})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	stateDir, err := os.MkdirTemp("", "ecsdg")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(stateDir)
	d, err := qemu.New(qemu.Config{StateDir: stateDir, PowerdownInterval: 500 * time.Millisecond,
		Network: netns.DriverNetwork{Plane: plane}})
	if err != nil {
		t.Fatal(err)
	}
	spec := drivertest.DefaultSpec(id)
	spec.MemoryMiB = 256
	spec.Boot = driver.BootSpec{Kernel: filepath.Join(guest, "vmlinuz"), Initrd: filepath.Join(guest, "initramfs.cpio.gz"),
		Cmdline: "console=ttyS0 quiet panic=-1"}
	spec.NICs = []driver.NICSpec{{NetworkInterfaceID: "eni-" + id, MAC: mac, PrivateIP: ip, VPCID: "vpc-vm", VSwitchID: "vsw-vm",
		VSwitchCIDR: "10.7.1.0/24", SecurityGroupIDs: []string{"sg-vm"}}}
	h, err := d.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = d.Start(ctx, h); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Delete(context.Background(), h); err != nil {
			t.Errorf("delete: %v", err)
		}
	}()
	want := []*regexp.Regexp{
		regexp.MustCompile(`ECSD-IP eth0 10\.7\.1\.5/24`),
		regexp.MustCompile(`ECSD-META instance-id=` + id + `\r?\n`),
		regexp.MustCompile(`ECSD-META openssh-key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAguestnet vm`),
		regexp.MustCompile(`ECSD-META user-data=hello-from-the-store`),
	}
	var out []byte
	for range 1800 { // TCG on a shared host: allow three minutes
		if out, err = d.ConsoleOutput(ctx, h); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, []byte("ECSD-META-UNREACHABLE")) || allMatch(out, want) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, re := range want {
		if !re.Match(out) {
			t.Errorf("the console lacks %s", re)
		}
	}
	if t.Failed() {
		t.Logf("console:\n%s", out)
	} else {
		t.Logf("the guest printed:\n%s", regexp.MustCompile(`(?m)^ECSD-(IP|META) .*$`).FindAll(out, -1))
	}
}

func allMatch(b []byte, res []*regexp.Regexp) bool {
	for _, re := range res {
		if !re.Match(b) {
			return false
		}
	}
	return true
}
