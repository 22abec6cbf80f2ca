package instance

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// A system image of the embedded catalog, 20 GiB, Linux, and a Windows one.
const (
	lfImage        = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	lfWindowsImage = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd"
)

// lfCaller is account 1 calling in cn-hangzhou.
func lfCaller() Caller { return Caller{AccountID: 1, RegionID: "cn-hangzhou"} }

// launchFixture is a Service on a fresh SQLite store, a fake clock and the sim
// driver, with account 1's VPC vpc-1 (vsw-1 192.168.1.0/24 in cn-hangzhou-b,
// vsw-tiny 192.168.9.0/29 in cn-hangzhou-b, vsw-g in cn-hangzhou-g), vpc-2
// (vsw-2), groups sg-1 and sg-1b in vpc-1 and sg-2 in vpc-2, and key pair "ops".
type launchFixture struct {
	svc   *Service
	store store.Store
	clock *clock.Fake
	sim   *sim.Driver
	deps  Deps
}

func newLaunchFixture(t *testing.T) *launchFixture {
	return newLaunchFixtureWith(t, sim.Config{})
}

func newLaunchFixtureWith(t *testing.T, cfg sim.Config) *launchFixture {
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
	gen := ids.Seeded(7)
	drv, err := sim.New(cfg, clk)
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat,
		Network: network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}),
		Images:  image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}), Compute: drv}
	f := &launchFixture{svc: New(deps), store: st, clock: clk, sim: drv, deps: deps}
	f.seed(t)
	return f
}

// seed writes the fixture's accounts, networks, groups and key pair.
func (f *launchFixture) seed(t *testing.T) {
	t.Helper()
	now := f.clock.Now()
	f.update(t, func(tx store.Tx) error {
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
		for _, g := range []store.SecurityGroup{{ID: "sg-1", VpcID: "vpc-1"}, {ID: "sg-1b", VpcID: "vpc-1"}, {ID: "sg-2", VpcID: "vpc-2"}} {
			g.AccountID, g.RegionID, g.Type, g.InnerAccessPolicy, g.CreatedAt = 1, "cn-hangzhou", "normal", "Accept", now
			if err := tx.CreateSecurityGroup(g); err != nil {
				return err
			}
		}
		return tx.CreateKeyPair(store.KeyPair{ID: "kp-ops", AccountID: 1, RegionID: "cn-hangzhou", Name: "ops",
			FingerPrint: "00", PublicKey: "ssh-ed25519 AAAAops ops", CreatedAt: now})
	})
}

func (f *launchFixture) update(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := f.store.Update(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// runInput is a valid RunInstances call in vsw-1 with sg-1; edit adjusts it.
func runInput(edit func(*RunInput)) RunInput {
	in := RunInput{Action: ActionRun, ImageID: lfImage, InstanceType: "ecs.g5.large", SecurityGroupIDs: []string{"sg-1"},
		VSwitchID: "vsw-1"}
	if edit != nil {
		edit(&in)
	}
	return in
}

// launch runs a call that must succeed and returns its instances.
func (f *launchFixture) launch(t *testing.T, in RunInput) []string {
	t.Helper()
	res, err := f.svc.Launch(t.Context(), lfCaller(), in)
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	return res.InstanceIDs
}

// settle runs every due transition.
func (f *launchFixture) settle(t *testing.T) {
	t.Helper()
	if err := f.svc.Settle(t.Context()); err != nil {
		t.Fatalf("Settle: %v", err)
	}
}

// get reads an instance of account 1, or fails.
func (f *launchFixture) get(t *testing.T, id string) store.Instance {
	t.Helper()
	var in store.Instance
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		var err error
		in, err = tx.GetInstance(1, id)
		return err
	})
	if err != nil {
		t.Fatalf("GetInstance %s: %v", id, err)
	}
	return in
}

// gone reports whether instance id no longer exists.
func (f *launchFixture) gone(t *testing.T, id string) bool {
	t.Helper()
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetInstance(1, id)
		return err
	})
	return errors.Is(err, store.ErrNotFound)
}

// status returns an instance's status.
func (f *launchFixture) status(t *testing.T, id string) string {
	t.Helper()
	return f.get(t, id).Status
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

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

// waitFor polls cond (with real time, for tests where Run works in the
// background) until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
