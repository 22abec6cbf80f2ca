package instance

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// attrCaller is account 1 calling in cn-hangzhou.
func attrCaller() Caller { return Caller{AccountID: 1, RegionID: "cn-hangzhou"} }

// attrFixture is a Service on a fresh SQLite store, with a VPC (vpc-a:
// vsw-a1 and vsw-a2 in cn-hangzhou-b, vsw-a3 in cn-hangzhou-g), another VPC
// (vpc-b, vsw-b1), groups sg-a1…sg-a6 in vpc-a and sg-b1 in vpc-b, and the key
// pair "web", all of account 1 in cn-hangzhou. Instances are written straight
// into the store (attrInstance), as RunInstances would leave them.
type attrFixture struct {
	svc   *Service
	store store.Store
	clock *clock.Fake
	net   *network.Service
	n     int
}

func newAttrFixture(t *testing.T) *attrFixture {
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
	gen := ids.Seeded(1)
	nw := network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	f := &attrFixture{svc: New(Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: nw}), store: st, clock: clk, net: nw}
	now := clk.Now()
	f.update(t, func(tx store.Tx) error {
		for _, v := range []store.VPC{
			{ID: "vpc-a", AccountID: 1, RegionID: "cn-hangzhou", CidrBlock: "192.168.0.0/16", Status: "Available", CreatedAt: now},
			{ID: "vpc-b", AccountID: 1, RegionID: "cn-hangzhou", CidrBlock: "10.0.0.0/8", Status: "Available", CreatedAt: now},
		} {
			if err := tx.CreateVPC(v); err != nil {
				return err
			}
		}
		for _, w := range []store.VSwitch{
			{ID: "vsw-a1", VpcID: "vpc-a", ZoneID: "cn-hangzhou-b", CidrBlock: "192.168.1.0/24"},
			{ID: "vsw-a2", VpcID: "vpc-a", ZoneID: "cn-hangzhou-b", CidrBlock: "192.168.2.0/24"},
			{ID: "vsw-a3", VpcID: "vpc-a", ZoneID: "cn-hangzhou-g", CidrBlock: "192.168.3.0/24"},
			{ID: "vsw-b1", VpcID: "vpc-b", ZoneID: "cn-hangzhou-b", CidrBlock: "10.1.0.0/24"},
		} {
			w.AccountID, w.RegionID, w.Status, w.CreatedAt = 1, "cn-hangzhou", "Available", now
			if err := tx.CreateVSwitch(w); err != nil {
				return err
			}
		}
		for i, id := range []string{"sg-a1", "sg-a2", "sg-a3", "sg-a4", "sg-a5", "sg-a6", "sg-b1"} {
			vpc := "vpc-a"
			if i == 6 {
				vpc = "vpc-b"
			}
			g := store.SecurityGroup{ID: id, AccountID: 1, RegionID: "cn-hangzhou", VpcID: vpc, Type: "normal",
				InnerAccessPolicy: "Accept", CreatedAt: now}
			if err := tx.CreateSecurityGroup(g); err != nil {
				return err
			}
		}
		return tx.CreateKeyPair(store.KeyPair{ID: "kp-web", AccountID: 1, RegionID: "cn-hangzhou", Name: "web",
			FingerPrint: "00", PublicKey: "ssh-ed25519 AAAA web", CreatedAt: now})
	})
	return f
}

func (f *attrFixture) update(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := f.store.Update(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// attrInstance writes an instance of account 1 in vsw-a1 (cn-hangzhou-b) with
// a private address and the group sg-a1, Running since the fixture's now;
// edit adjusts it first. It returns the instance.
func (f *attrFixture) attrInstance(t *testing.T, edit func(*store.Instance)) store.Instance {
	t.Helper()
	f.n++
	now := f.clock.Now()
	in := store.Instance{ID: fmt.Sprintf("i-attr%03d", f.n), AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
		Name: "web", HostName: "web", InstanceType: "ecs.g5.large", CPU: 2, MemoryMiB: 8192, ImageID: "centos",
		OSType: image.OSTypeLinux, VpcID: "vpc-a", VSwitchID: "vsw-a1", InternetChargeType: "PayByTraffic",
		InternetMaxBandwidthIn: 200, InstanceChargeType: "PostPaid", Status: StatusRunning, CreatedAt: now.Add(-time.Hour),
		StartedAt: now}
	if edit != nil {
		edit(&in)
	}
	f.update(t, func(tx store.Tx) error {
		if in.VSwitchID != "" {
			addr, err := f.net.AllocatePrivateIP(tx, 1, in.VSwitchID, in.PrivateIP, network.OwnerInstance, in.ID)
			if err != nil {
				return err
			}
			in.PrivateIP = addr
		}
		if err := tx.CreateInstance(in); err != nil {
			return err
		}
		return tx.SetInstanceSecurityGroups(1, in.ID, []string{"sg-a1"})
	})
	return in
}

// get reads an instance back.
func (f *attrFixture) get(t *testing.T, id string) store.Instance {
	t.Helper()
	var in store.Instance
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		var err error
		in, err = tx.GetInstance(1, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// groups reads an instance's security groups back.
func (f *attrFixture) groups(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		var err error
		out, err = tx.InstanceSecurityGroups(id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lock sets the security lock of an instance.
func (f *attrFixture) lock(t *testing.T, id string) {
	t.Helper()
	if err := f.svc.LockForSecurity(t.Context(), 1, id, true); err != nil {
		t.Fatal(err)
	}
}

// attrWantError checks that err is the API error code with status and, when
// msg is not empty, that message.
func attrWantError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want API error %s (%d)", err, code, status)
	}
	if e.Code != code || e.HTTPStatus != status || msg != "" && e.Message != msg {
		t.Fatalf("got %s (%d) %q, want %s (%d) %q", e.Code, e.HTTPStatus, e.Message, code, status, msg)
	}
}

func attrStr(s string) *string { return &s }

// ecsTrust is a trust policy that lets the ECS service assume a role.
const ecsTrust = `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`

// createRAMRoles writes RAM roles of account 1 straight into the store; their
// trust policy lets ECS assume them.
func createRAMRoles(t *testing.T, st store.Store, names ...string) {
	t.Helper()
	err := st.Update(t.Context(), func(tx store.Tx) error {
		for i, n := range names {
			r := store.RAMRole{ID: fmt.Sprintf("30000000000000000%02d", i), AccountID: 1, Name: n, AssumeRolePolicy: ecsTrust,
				MaxSessionDuration: 3600, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := tx.CreateRAMRole(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
