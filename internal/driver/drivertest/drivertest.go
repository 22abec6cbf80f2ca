package drivertest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
)

// Harness adapts the suite to a driver. Only NewDriver is required.
type Harness struct {
	// NewDriver returns the driver under test. The suite calls it once per subtest,
	// and a second time in the subtests that simulate a daemon restart: drivers
	// returned for the same t must share the host (the same state directory and
	// running VMs), as a restarted ecsd would.
	NewDriver func(t *testing.T) driver.Compute
	// Spec returns a valid spec for a new instance; nil means DefaultSpec. A driver
	// that needs real disks (the QEMU driver) creates them here, under t.
	Spec func(t *testing.T, instanceID string) driver.InstanceSpec
	// DataDisk returns a data disk to attach; nil means DefaultDataDisk.
	DataDisk func(t *testing.T, diskID, device string) driver.DiskSpec
	// NIC returns a secondary network interface to attach; nil means DefaultNIC.
	NIC func(t *testing.T, nicID, mac string) driver.NICSpec
}

// Run runs the contract suite against the drivers newDriver returns.
func Run(t *testing.T, newDriver func(t *testing.T) driver.Compute) {
	Harness{NewDriver: newDriver}.Run(t)
}

// Run runs the contract suite with h.
func (h Harness) Run(t *testing.T) {
	if h.NewDriver == nil {
		t.Fatal("drivertest: Harness.NewDriver is nil")
	}
	groups := [][]testCase{lifecycleCases(), recoverCases(), contextCases(), capabilityCases()}
	for _, cases := range groups {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.run(&env{t: t, h: h, d: h.NewDriver(t)})
			})
		}
	}
}

// testCase is one rule of the contract.
type testCase struct {
	name string
	run  func(e *env)
}

// DefaultSpec returns a complete, valid spec for instanceID: 1 vCPU, 1 GiB, a
// 20 GiB system disk at /dev/xvda and one NIC.
func DefaultSpec(instanceID string) driver.InstanceSpec {
	primary := DefaultNIC("eni-"+instanceID, "00:16:3e:00:00:01")
	primary.PrivateIP = "172.16.0.10"
	return driver.InstanceSpec{
		InstanceID:    instanceID,
		Hostname:      "host-" + instanceID,
		InstanceType:  "ecs.t5-lc1m1.small",
		VCPU:          1,
		MemoryMiB:     1024,
		ImageID:       "m-drivertest",
		OSType:        "linux",
		SystemDisk:    driver.DiskSpec{DiskID: "d-sys-" + instanceID, Device: "/dev/xvda", SizeGiB: 20, Category: "cloud_efficiency"},
		NICs:          []driver.NICSpec{primary},
		UserData:      []byte("#cloud-config\n"),
		SSHPublicKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrivertestKeyOnlyForTests drivertest"},
		SerialNumber:  "5b3c1c6e-0000-4000-8000-000000000001",
	}
}

// DefaultDataDisk returns a 20 GiB data disk.
func DefaultDataDisk(diskID, device string) driver.DiskSpec {
	return driver.DiskSpec{DiskID: diskID, Device: device, SizeGiB: 20, Category: "cloud_efficiency"}
}

// DefaultNIC returns a network interface on a test VSwitch.
func DefaultNIC(nicID, mac string) driver.NICSpec {
	return driver.NICSpec{NetworkInterfaceID: nicID, MAC: mac,
		VPCID: "vpc-drivertest", VSwitchID: "vsw-drivertest", SecurityGroupIDs: []string{"sg-drivertest"}}
}

// env is one subtest's world: the driver under test and helpers that fail the
// test on unexpected errors.
type env struct {
	t *testing.T
	h Harness
	d driver.Compute
	// specs are the specs spec returned, in order.
	specs []driver.InstanceSpec
}

func (e *env) ctx() context.Context { return e.t.Context() }

// spec returns the spec of a new instance with an ID unique in the subtest.
func (e *env) spec() driver.InstanceSpec {
	id := fmt.Sprintf("i-drivertest%d", len(e.specs)+1)
	s := DefaultSpec(id)
	if e.h.Spec != nil {
		s = e.h.Spec(e.t, id)
	}
	e.specs = append(e.specs, s)
	return s
}

// lastSpec returns the spec of the instance made last.
func (e *env) lastSpec() driver.InstanceSpec { return e.specs[len(e.specs)-1] }

func (e *env) dataDisk(diskID, device string) driver.DiskSpec {
	if e.h.DataDisk != nil {
		return e.h.DataDisk(e.t, diskID, device)
	}
	return DefaultDataDisk(diskID, device)
}

func (e *env) nic(nicID, mac string) driver.NICSpec {
	if e.h.NIC != nil {
		return e.h.NIC(e.t, nicID, mac)
	}
	return DefaultNIC(nicID, mac)
}

// restart returns a second driver over the same host, as after a daemon restart.
func (e *env) restart() driver.Compute { return e.h.NewDriver(e.t) }

// create creates a new instance and checks it is Stopped.
func (e *env) create() driver.Handle {
	e.t.Helper()
	h := e.must(e.d.Create(e.ctx(), e.spec()))
	e.want(e.d, h, driver.Stopped)
	return h
}

// running creates and starts a new instance.
func (e *env) running() driver.Handle {
	e.t.Helper()
	h := e.must(e.d.Start(e.ctx(), e.create()))
	e.want(e.d, h, driver.Running)
	return h
}

// deleted creates an instance and deletes it, returning its (now stale) handle.
func (e *env) deleted() driver.Handle {
	e.t.Helper()
	h := e.create()
	e.ok("Delete", e.d.Delete(e.ctx(), h))
	return h
}

// must fails the test when err is set, and checks that the handle names the
// driver. (The failing line identifies the call.)
func (e *env) must(h driver.Handle, err error) driver.Handle {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("unexpected error: %v", err)
	}
	if h.Driver != e.d.Name() || h.Version < 1 || len(h.State) == 0 {
		e.t.Fatalf("returned handle of driver %q, version %d, %d bytes of state; want driver %q, version ≥ 1, some state",
			h.Driver, h.Version, len(h.State), e.d.Name())
	}
	return h
}

func (e *env) ok(what string, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// want checks that d reports state for h.
func (e *env) want(d driver.Compute, h driver.Handle, state driver.PowerState) {
	e.t.Helper()
	got, err := d.Inspect(e.ctx(), h)
	if err != nil || got != state {
		e.t.Fatalf("Inspect = %q, %v; want %q", got, err, state)
	}
}

// wantErr checks that err wraps target.
func (e *env) wantErr(what string, err, target error) {
	e.t.Helper()
	if !errors.Is(err, target) {
		e.t.Fatalf("%s: error %v; want one wrapping %v", what, err, target)
	}
}

// wantErrOrNil checks that err is nil or wraps one of targets.
func (e *env) wantErrOrNil(what string, err error, targets ...error) {
	e.t.Helper()
	if err == nil {
		return
	}
	for _, target := range targets {
		if errors.Is(err, target) {
			return
		}
	}
	e.t.Fatalf("%s: error %v; want nil or one wrapping one of %v", what, err, targets)
}
