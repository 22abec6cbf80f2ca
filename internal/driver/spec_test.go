package driver_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
)

func TestInstanceSpec_defaultIsValid(t *testing.T) {
	if err := drivertest.DefaultSpec("i-1").Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestInstanceSpec_validateReportsEveryProblem(t *testing.T) {
	s := drivertest.DefaultSpec("i-1")
	s.InstanceID = ""
	s.MemoryMiB = 0
	s.DataDisks = []driver.DiskSpec{
		{DiskID: s.SystemDisk.DiskID, Device: "/dev/xvdb", SizeGiB: 5},
		{DiskID: "d-2", Device: "/dev/xvdb", SizeGiB: 0},
	}
	s.NICs = append(s.NICs,
		driver.NICSpec{NetworkInterfaceID: "eni-2", MAC: "00-16-3E-00-00-01"},
		driver.NICSpec{NetworkInterfaceID: "eni-2", MAC: "zz", PrivateIP: "fe80::1"})
	err := s.Validate()
	if !errors.Is(err, driver.ErrInvalidArgument) {
		t.Fatalf("Validate = %v, want ErrInvalidArgument", err)
	}
	for _, want := range []string{
		"empty InstanceID",
		"MemoryMiB 0",
		`data disk 1: disk ID "d-sys-i-1" used twice`,
		`data disk 2: device "/dev/xvdb" used twice`,
		`data disk 2: driver: invalid argument: disk "d-2": SizeGiB 0`,
		`NIC 1: MAC "00:16:3e:00:00:01" used twice`,
		`NIC 2: ID "eni-2" used twice`,
		`MAC "zz" is not a 6-byte MAC address`,
		`PrivateIP "fe80::1" is not an IPv4 address`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
}

func TestInstanceSpec_cloneSharesNothing(t *testing.T) {
	s := drivertest.DefaultSpec("i-1")
	s.DataDisks = []driver.DiskSpec{drivertest.DefaultDataDisk("d-1", "/dev/xvdb")}
	c := s.Clone()
	s.DataDisks[0].DiskID = "changed"
	s.NICs[0].SecurityGroupIDs[0] = "changed"
	s.UserData[0] = 'X'
	s.SSHPublicKeys[0] = "changed"
	if c.DataDisks[0].DiskID == "changed" || c.NICs[0].SecurityGroupIDs[0] == "changed" || c.UserData[0] == 'X' || c.SSHPublicKeys[0] == "changed" {
		t.Fatalf("clone shares memory with the original: %+v", c)
	}
}

func TestSameMAC(t *testing.T) {
	if !driver.SameMAC("00:16:3E:0A:00:01", "00-16-3e-0a-00-01") || driver.SameMAC("00:16:3e:0a:00:01", "00:16:3e:0a:00:02") {
		t.Fatal("SameMAC disagrees with MAC spelling rules")
	}
}

func TestHandle_check(t *testing.T) {
	h := driver.Handle{Driver: "sim", Version: 2, State: []byte("{}")}
	if err := h.Check("sim", 2); err != nil {
		t.Fatalf("Check of a good handle: %v", err)
	}
	for _, bad := range []struct {
		name string
		max  int
	}{{"qemu", 2}, {"sim", 1}} {
		if err := h.Check(bad.name, bad.max); !errors.Is(err, driver.ErrInvalidArgument) {
			t.Errorf("Check(%q, %d) = %v, want ErrInvalidArgument", bad.name, bad.max, err)
		}
	}
	if err := (driver.Handle{}).Check("sim", 1); !errors.Is(err, driver.ErrInvalidArgument) {
		t.Errorf("Check of the zero handle = %v", err)
	}
	if !(driver.Handle{}).IsZero() || h.IsZero() {
		t.Error("IsZero is wrong")
	}
	c := h.Clone()
	c.State[0] = 'X'
	if h.State[0] == 'X' {
		t.Error("Clone shares State")
	}
}

func TestPowerState(t *testing.T) {
	for _, p := range []driver.PowerState{driver.Missing, driver.Stopped, driver.Starting, driver.Running, driver.Stopping, driver.Crashed} {
		if !p.Valid() {
			t.Errorf("%s is not Valid", p)
		}
		if got, want := p.Transitional(), p == driver.Starting || p == driver.Stopping; got != want {
			t.Errorf("%s.Transitional() = %t", p, got)
		}
	}
	if driver.PowerState("Pending").Valid() {
		t.Error("Pending is a control-plane status, not a power state")
	}
}
