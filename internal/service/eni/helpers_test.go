package eni

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// testImage is a system image of the embedded catalog.
const testImage = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"

var (
	alice = Caller{AccountID: 1, RegionID: "cn-hangzhou"}
	bob   = Caller{AccountID: 2, RegionID: "cn-hangzhou"}
)

// env is the network interface service beside a real instance service, on a
// fresh SQLite store, a fake clock and the sim driver. Account 1 has vpc-1
// (vsw-1 192.168.1.0/24 and vsw-tiny 192.168.9.0/29 in cn-hangzhou-b, vsw-g in
// cn-hangzhou-g) with groups sg-1 … sg-6, vpc-2 (vsw-2) with sg-2x, and a
// group without VPC, sg-classic.
type env struct {
	st        store.Store
	svc       *Service
	instances *instance.Service
	clk       *clock.Fake
	sim       *sim.Driver
}

func newEnv(t *testing.T) *env { return newEnvWith(t, sim.Config{}, Limits{}) }

func newEnvWith(t *testing.T, cfg sim.Config, limits Limits) *env {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	gen := ids.Seeded(11)
	drv, err := sim.New(cfg, clk)
	if err != nil {
		t.Fatal(err)
	}
	nw := network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	e := &env{st: st, clk: clk, sim: drv,
		svc: New(Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: nw, Compute: drv, Limits: limits}),
		instances: instance.New(instance.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: nw,
			Images: image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}), Compute: drv})}
	e.seed(t)
	return e
}

func (e *env) seed(t *testing.T) {
	t.Helper()
	now := e.clk.Now()
	e.update(t, func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}} {
			a.Status, a.CreatedAt = store.AccountEnabled, now
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		for _, v := range []store.VPC{{ID: "vpc-1", CidrBlock: "192.168.0.0/16"}, {ID: "vpc-2", CidrBlock: "10.0.0.0/8"}} {
			v.AccountID, v.RegionID, v.Status, v.CreatedAt = 1, "cn-hangzhou", "Available", now
			if err := tx.CreateVPC(v); err != nil {
				return err
			}
		}
		for _, w := range []store.VSwitch{
			{ID: "vsw-1", VpcID: "vpc-1", ZoneID: "cn-hangzhou-b", CidrBlock: "192.168.1.0/24"},
			{ID: "vsw-tiny", VpcID: "vpc-1", ZoneID: "cn-hangzhou-b", CidrBlock: "192.168.9.0/29"},
			{ID: "vsw-g", VpcID: "vpc-1", ZoneID: "cn-hangzhou-g", CidrBlock: "192.168.3.0/24"},
			{ID: "vsw-2", VpcID: "vpc-2", ZoneID: "cn-hangzhou-b", CidrBlock: "10.1.0.0/24"},
		} {
			w.AccountID, w.RegionID, w.Status, w.CreatedAt = 1, "cn-hangzhou", "Available", now
			if err := tx.CreateVSwitch(w); err != nil {
				return err
			}
		}
		groups := []store.SecurityGroup{{ID: "sg-2x", VpcID: "vpc-2"}, {ID: "sg-classic"}}
		for _, id := range []string{"sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"} {
			groups = append(groups, store.SecurityGroup{ID: id, VpcID: "vpc-1"})
		}
		for _, g := range groups {
			g.AccountID, g.RegionID, g.Type, g.InnerAccessPolicy, g.CreatedAt = 1, "cn-hangzhou", "normal", "Accept", now
			if err := tx.CreateSecurityGroup(g); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *env) update(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := e.st.Update(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// create makes an interface of alice's in vsw-1 and sg-1, adjusted by edit.
func (e *env) create(t *testing.T, edit func(*CreateInput)) View {
	t.Helper()
	in := CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-1"}}
	if edit != nil {
		edit(&in)
	}
	v, err := e.svc.Create(t.Context(), alice, in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return v
}

// instance launches one of alice's instances of the type in vswitch (sg-1)
// with CreateInstance and lets the reconciler make it Stopped in the driver.
func (e *env) instance(t *testing.T, instanceType, vswitch string) string {
	t.Helper()
	res, err := e.instances.Launch(t.Context(), instance.Caller(alice), instance.RunInput{Action: instance.ActionCreate,
		ImageID: testImage, InstanceType: instanceType, SecurityGroupIDs: []string{"sg-1"}, VSwitchID: vswitch})
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	e.settle(t)
	if got := e.inst(t, res.InstanceIDs[0]); got.Status != instance.StatusStopped || len(got.DriverHandle) == 0 {
		t.Fatalf("new instance %s, driver handle %d bytes", got.Status, len(got.DriverHandle))
	}
	return res.InstanceIDs[0]
}

// settle runs every due instance transition.
func (e *env) settle(t *testing.T) {
	t.Helper()
	if err := e.instances.Settle(t.Context()); err != nil {
		t.Fatalf("Settle: %v", err)
	}
}

func (e *env) inst(t *testing.T, id string) store.Instance {
	t.Helper()
	var in store.Instance
	e.update(t, func(tx store.Tx) error {
		var err error
		in, err = tx.GetInstance(1, id)
		return err
	})
	return in
}

// eni reads an interface of alice's.
func (e *env) eni(t *testing.T, id string) View {
	t.Helper()
	v, err := e.svc.Get(t.Context(), alice, id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return v
}

// driverNICs lists the interfaces the sim driver has for an instance.
func (e *env) driverNICs(t *testing.T, instanceID string) []string {
	t.Helper()
	var h driver.Handle
	if err := json.Unmarshal(e.inst(t, instanceID).DriverHandle, &h); err != nil {
		t.Fatal(err)
	}
	var state struct{ Spec driver.InstanceSpec } // the sim handle carries the instance's spec
	if err := json.Unmarshal(h.State, &state); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range state.Spec.NICs {
		out = append(out, n.NetworkInterfaceID+"="+n.MAC)
	}
	return out
}

// wantCode fails unless err is the API error code with status.
func wantCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: got %v, want %s (%d)", what, err, code, status)
	}
	if e.Code != code || e.HTTPStatus != status {
		t.Fatalf("%s: got %s (%d) %q, want %s (%d)", what, e.Code, e.HTTPStatus, e.Message, code, status)
	}
}

func strp(s string) *string { return &s }
