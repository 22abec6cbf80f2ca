package guestnet

import (
	"context"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// fakePlane is the data plane as the reconciler sees it: a list of VPC
// namespaces, the rulesets applied to each, and loopback listeners standing in
// for 100.100.100.200 inside them.
type fakePlane struct {
	mu        sync.Mutex
	vpcs      []string
	applied   map[string][]nft.Ruleset
	listeners map[string]net.Listener
	listens   int
	foreign   []string // namespaces another ecsd made (Owns is false)
	removed   []string // RemoveVPC calls
}

func newFakePlane(vpcs ...string) *fakePlane {
	return &fakePlane{vpcs: vpcs, applied: map[string][]nft.Ruleset{}, listeners: map[string]net.Listener{}}
}

func (p *fakePlane) VPCs() ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.vpcs), nil
}

func (p *fakePlane) setVPCs(vpcs ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.vpcs = vpcs
}

func (p *fakePlane) ApplyRules(_ context.Context, vpcID string, rs nft.Ruleset) error {
	if _, err := nft.Render(rs); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.applied[vpcID] = append(p.applied[vpcID], rs)
	return nil
}

// last is the ruleset applied last to a VPC.
func (p *fakePlane) last(t testing.TB, vpcID string) nft.Ruleset {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	all := p.applied[vpcID]
	if len(all) == 0 {
		t.Fatalf("no ruleset applied to %s", vpcID)
	}
	return all[len(all)-1]
}

func (p *fakePlane) Listen(_ context.Context, vpcID string, _ int) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listeners[vpcID] = ln
	p.listens++
	return ln, nil
}

// addr is the address of the VPC's metadata listener.
func (p *fakePlane) addr(vpcID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ln := p.listeners[vpcID]; ln != nil {
		return ln.Addr().String()
	}
	return ""
}

func (p *fakePlane) TapName(portID string) string { return "t" + portID[len(portID)-6:] }

// Owns: the fake made every namespace it lists, except those in foreign.
func (p *fakePlane) Owns(vpcID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.vpcs, vpcID) && !slices.Contains(p.foreign, vpcID)
}

func (p *fakePlane) RemoveVPC(_ context.Context, vpcID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.vpcs = slices.DeleteFunc(p.vpcs, func(v string) bool { return v == vpcID })
	p.removed = append(p.removed, vpcID)
	return nil
}

// world writes VPCs, instances, interfaces and groups into a SQLite store.
type world struct {
	t   testing.TB
	st  store.Store
	now time.Time
}

const (
	acct   = 1234567890123456
	region = "cn-hangzhou"
	zone   = "cn-hangzhou-b"
)

func newWorld(t testing.TB) *world {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, st: st, now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	w.update(func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: acct, Name: "a", Status: store.AccountEnabled, CreatedAt: w.now})
	})
	return w
}

func (w *world) update(fn func(tx store.Tx) error) {
	w.t.Helper()
	if err := w.st.Update(context.Background(), fn); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) tick() time.Time {
	w.now = w.now.Add(time.Second)
	return w.now
}

func (w *world) vpc(id, cidr string, vswitches map[string]string) {
	w.update(func(tx store.Tx) error {
		if err := tx.CreateVPC(store.VPC{ID: id, AccountID: acct, RegionID: region, CidrBlock: cidr, Status: "Available",
			CreatedAt: w.tick()}); err != nil {
			return err
		}
		for vsw, block := range vswitches {
			if err := tx.CreateVSwitch(store.VSwitch{ID: vsw, AccountID: acct, RegionID: region, VpcID: id, ZoneID: zone,
				CidrBlock: block, Status: "Available", CreatedAt: w.tick()}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *world) group(id, vpc, inner string, rules ...store.SecurityGroupRule) {
	w.update(func(tx store.Tx) error {
		if err := tx.CreateSecurityGroup(store.SecurityGroup{ID: id, AccountID: acct, RegionID: region, Name: id, VpcID: vpc,
			Type: "normal", InnerAccessPolicy: inner, CreatedAt: w.tick()}); err != nil {
			return err
		}
		for _, r := range rules {
			if err := w.createRule(tx, id, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *world) createRule(tx store.Tx, group string, r store.SecurityGroupRule) error {
	r.AccountID, r.SecurityGroupID, r.CreatedAt = acct, group, w.tick()
	if r.Policy == "" {
		r.Policy = "accept"
	}
	if r.Priority == 0 {
		r.Priority = 1
	}
	if r.NicType == "" {
		r.NicType = "intranet"
	}
	return tx.CreateSecurityGroupRule(r)
}

func (w *world) addRule(group string, r store.SecurityGroupRule) {
	w.update(func(tx store.Tx) error { return w.createRule(tx, group, r) })
}

// instance creates an instance with its primary interface eni-<id>.
func (w *world) instance(id, vpc, vsw, ip, mac string, groups ...string) {
	w.update(func(tx store.Tx) error {
		in := store.Instance{ID: id, AccountID: acct, RegionID: region, ZoneID: zone, HostName: "host-" + id,
			InstanceType: "ecs.g6.large", ImageID: "img", VpcID: vpc, VSwitchID: vsw, PrivateIP: ip, Status: "Running",
			SerialNumber: "sn-" + id, CreatedAt: w.tick()}
		if err := tx.CreateInstance(in); err != nil {
			return err
		}
		if err := tx.CreateNetworkInterface(store.NetworkInterface{ID: "eni-" + id, AccountID: acct, RegionID: region,
			ZoneID: zone, VpcID: vpc, VSwitchID: vsw, Type: store.NetworkInterfacePrimary, Status: "InUse", InstanceID: id,
			PrivateIP: ip, MAC: mac, CreatedAt: w.tick()}); err != nil {
			return err
		}
		return tx.SetInstanceSecurityGroups(acct, id, groups)
	})
}

// secondary creates a secondary interface, attached to instance unless "".
func (w *world) secondary(id, vpc, vsw, ip, mac, instance string, groups ...string) {
	w.update(func(tx store.Tx) error {
		status := "Available"
		if instance != "" {
			status = "InUse"
		}
		if err := tx.CreateNetworkInterface(store.NetworkInterface{ID: id, AccountID: acct, RegionID: region, ZoneID: zone,
			VpcID: vpc, VSwitchID: vsw, Type: store.NetworkInterfaceSecondary, Status: status, InstanceID: instance,
			PrivateIP: ip, MAC: mac, CreatedAt: w.tick()}); err != nil {
			return err
		}
		return tx.SetNetworkInterfaceSecurityGroups(acct, id, groups)
	})
}

func (w *world) deleteInstance(id string) {
	w.update(func(tx store.Tx) error {
		if err := tx.DeleteNetworkInterface(acct, "eni-"+id); err != nil {
			return err
		}
		return tx.DeleteInstance(acct, id)
	})
}

// fixedClock is a clock that does not move.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
