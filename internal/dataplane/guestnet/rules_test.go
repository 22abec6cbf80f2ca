package guestnet

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/store"
)

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// shop is a VPC with two VSwitches: web servers in sg-web (members reach each
// other; SSH from anywhere, HTTP from a block), a database in sg-db (Postgres
// from sg-web only, by peer group), a secondary interface of web1 in sg-db, an
// unattached interface, and another VPC whose instance must not show up.
func shop(t *testing.T) *world {
	w := newWorld(t)
	w.vpc("vpc-shop", "192.168.0.0/16", map[string]string{"vsw-front": "192.168.1.0/24", "vsw-back": "192.168.2.0/24"})
	w.vpc("vpc-other", "192.168.0.0/16", map[string]string{"vsw-other": "192.168.1.0/24"})
	w.group("sg-web", "vpc-shop", "Accept",
		store.SecurityGroupRule{ID: "sgr-ssh", Direction: "ingress", IPProtocol: "tcp", PortRange: "22/22", SourceCidrIP: "0.0.0.0/0"},
		store.SecurityGroupRule{ID: "sgr-http", Direction: "ingress", IPProtocol: "tcp", PortRange: "80/80", SourceCidrIP: "10.0.0.0/8",
			Priority: 5})
	w.group("sg-db", "vpc-shop", "Drop",
		store.SecurityGroupRule{ID: "sgr-pg", Direction: "ingress", IPProtocol: "tcp", PortRange: "5432/5432", PeerGroupID: "sg-web",
			PeerAccountID: acct})
	w.group("sg-other", "vpc-other", "Accept")
	w.instance("i-web1", "vpc-shop", "vsw-front", "192.168.1.11", "00:16:3e:00:00:11", "sg-web")
	w.instance("i-web2", "vpc-shop", "vsw-front", "192.168.1.12", "00:16:3E:00:00:12", "sg-web")
	w.instance("i-db1", "vpc-shop", "vsw-back", "192.168.2.21", "00:16:3e:00:00:21", "sg-db")
	w.secondary("eni-web1b", "vpc-shop", "vsw-back", "192.168.2.11", "00:16:3e:00:01:11", "i-web1", "sg-db")
	w.secondary("eni-spare", "vpc-shop", "vsw-back", "192.168.2.99", "00:16:3e:00:01:99", "", "sg-web")
	w.instance("i-other", "vpc-other", "vsw-other", "192.168.1.11", "00:16:3e:00:00:99", "sg-other")
	return w
}

// TestSyncBuildsTheVPCsRulesetFromTheStore checks the ruleset one pass hands
// the plane: one bridge per VSwitch with its first address as gateway, a tap
// per attached interface (primary ones carrying their instance's groups,
// secondary ones their own, MACs lower-cased), unattached interfaces and other
// VPCs' instances absent, and every group with its rules and the members it
// has in this VPC (an unattached interface is still a member).
func TestSyncBuildsTheVPCsRulesetFromTheStore(t *testing.T) {
	w := shop(t)
	plane := newFakePlane("vpc-shop")
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	rs := plane.last(t, "vpc-shop")
	want := []nft.Bridge{
		{Name: "b-back", GatewayIP: netip.MustParseAddr("192.168.2.253"), Interfaces: []nft.Interface{
			{ID: "eni-i-db1", Tap: "t-i-db1", MAC: "00:16:3e:00:00:21", IP: netip.MustParseAddr("192.168.2.21"), GroupIDs: []string{"sg-db"}},
			{ID: "eni-web1b", Tap: "t-web1b", MAC: "00:16:3e:00:01:11", IP: netip.MustParseAddr("192.168.2.11"), GroupIDs: []string{"sg-db"}},
		}},
		{Name: "b-front", GatewayIP: netip.MustParseAddr("192.168.1.253"), Interfaces: []nft.Interface{
			{ID: "eni-i-web1", Tap: "ti-web1", MAC: "00:16:3e:00:00:11", IP: netip.MustParseAddr("192.168.1.11"), GroupIDs: []string{"sg-web"}},
			{ID: "eni-i-web2", Tap: "ti-web2", MAC: "00:16:3e:00:00:12", IP: netip.MustParseAddr("192.168.1.12"), GroupIDs: []string{"sg-web"}},
		}},
	}
	if !reflect.DeepEqual(rs.Bridges, want) {
		t.Errorf("bridges = %+v\nwant %+v", rs.Bridges, want)
	}
	if len(rs.Groups) != 2 {
		t.Fatalf("groups = %+v, want sg-web and sg-db", rs.Groups)
	}
	web, db := rs.Groups["sg-web"], rs.Groups["sg-db"]
	if web.InnerAccessPolicy != "Accept" || !reflect.DeepEqual(web.Members, addrs("192.168.1.11", "192.168.1.12", "192.168.2.99")) ||
		len(web.Rules) != 2 || web.Rules[0].ID != "sgr-ssh" || web.Rules[1].PortRange != "80/80" || web.Rules[1].Priority != 5 ||
		web.Rules[1].SourceCidrIP != "10.0.0.0/8" {
		t.Errorf("sg-web = %+v", web)
	}
	if db.InnerAccessPolicy != "Drop" || !reflect.DeepEqual(db.Members, addrs("192.168.2.11", "192.168.2.21")) ||
		len(db.Rules) != 1 || db.Rules[0].PeerGroupID != "sg-web" || db.Rules[0].Direction != "ingress" {
		t.Errorf("sg-db = %+v", db)
	}
	script, err := nft.Render(rs)
	if err != nil {
		t.Fatal(err)
	}
	// Postgres reaches the database from sg-web's members only
	if !strings.Contains(script, "ip saddr { 192.168.1.11, 192.168.1.12, 192.168.2.99 } tcp dport 5432 accept") {
		t.Errorf("script lacks the peer-group rule:\n%s", script)
	}
	if _, ok := plane.applied["vpc-other"]; ok {
		t.Error("a VPC without a namespace here got rules")
	}
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(plane.applied["vpc-shop"]); n != 1 {
		t.Errorf("a pass with nothing changed applied again (%d rulesets), want it skipped", n)
	}
}

// TestSyncFollowsRuleMembershipAndInterfaceChanges changes the store between
// passes and checks each pass applies the change: a new rule, an instance
// moved to another group (which also changes the peer group's members other
// rules use), a peer group with no member in this VPC, a secondary interface
// detached.
func TestSyncFollowsRuleMembershipAndInterfaceChanges(t *testing.T) {
	w := shop(t)
	plane := newFakePlane("vpc-shop")
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	sync := func() nft.Ruleset {
		t.Helper()
		if err := r.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		return plane.last(t, "vpc-shop")
	}
	sync()

	w.addRule("sg-db", store.SecurityGroupRule{ID: "sgr-icmp", Direction: "ingress", IPProtocol: "icmp", PortRange: "-1/-1",
		SourceCidrIP: "192.168.0.0/16", Policy: "drop", Priority: 2})
	if rules := sync().Groups["sg-db"].Rules; len(rules) != 2 || rules[1].ID != "sgr-icmp" || rules[1].Policy != "drop" {
		t.Errorf("after AuthorizeSecurityGroup: sg-db rules = %+v", rules)
	}

	w.group("sg-admin", "vpc-shop", "Accept")
	w.update(func(tx store.Tx) error { return tx.SetInstanceSecurityGroups(acct, "i-web2", []string{"sg-admin"}) })
	rs := sync()
	if got := rs.Bridges[1].Interfaces[1]; got.ID != "eni-i-web2" || !reflect.DeepEqual(got.GroupIDs, []string{"sg-admin"}) {
		t.Errorf("after moving i-web2: %+v", got)
	}
	if m := rs.Groups["sg-web"].Members; !reflect.DeepEqual(m, addrs("192.168.1.11", "192.168.2.99")) {
		t.Errorf("sg-web members = %v, want i-web2 gone", m)
	}
	if m := rs.Groups["sg-admin"].Members; !reflect.DeepEqual(m, addrs("192.168.1.12")) {
		t.Errorf("sg-admin members = %v", m)
	}

	// a rule naming a group with no member here: the group is in the
	// ruleset (Render needs it), empty
	w.group("sg-remote", "vpc-other", "Accept")
	w.addRule("sg-db", store.SecurityGroupRule{ID: "sgr-remote", Direction: "ingress", IPProtocol: "tcp", PortRange: "6379/6379",
		PeerGroupID: "sg-remote", PeerAccountID: acct})
	w.update(func(tx store.Tx) error { return tx.SetInstanceSecurityGroups(acct, "i-other", []string{"sg-remote"}) })
	rs = sync()
	if g, ok := rs.Groups["sg-remote"]; !ok || len(g.Members) != 0 {
		t.Errorf("peer group of another VPC = %+v, %v; want present without members (its addresses are another network's)", g, ok)
	}

	w.update(func(tx store.Tx) error {
		n, err := tx.GetNetworkInterface(acct, "eni-web1b")
		if err != nil {
			return err
		}
		n.InstanceID, n.Status = "", "Available"
		return tx.UpdateNetworkInterface(n)
	})
	rs = sync()
	if ifcs := rs.Bridges[0].Interfaces; len(ifcs) != 1 || ifcs[0].ID != "eni-i-db1" {
		t.Errorf("after detaching eni-web1b: back bridge = %+v", ifcs)
	}
}

// TestRemovingAVPCsLastInstanceLeavesItsBridgesEmpty deletes the only
// instance of a VPC: the next pass applies bridges without interfaces and no
// groups; when the plane then removes the namespace, the reconciler stops
// its metadata server and applies nothing more.
func TestRemovingAVPCsLastInstanceLeavesItsBridgesEmpty(t *testing.T) {
	w := newWorld(t)
	w.vpc("vpc-1", "10.0.0.0/8", map[string]string{"vsw-1": "10.1.0.0/16"})
	w.group("sg-1", "vpc-1", "Accept", store.SecurityGroupRule{ID: "sgr-1", Direction: "ingress", IPProtocol: "all",
		PortRange: "-1/-1", SourceCidrIP: "0.0.0.0/0"})
	w.instance("i-only", "vpc-1", "vsw-1", "10.1.0.5", "00:16:3e:00:00:05", "sg-1")
	plane := newFakePlane("vpc-1")
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rs := plane.last(t, "vpc-1"); len(rs.Bridges) != 1 || len(rs.Bridges[0].Interfaces) != 1 {
		t.Fatalf("ruleset = %+v", rs)
	}
	w.deleteInstance("i-only")
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	rs := plane.last(t, "vpc-1")
	if len(rs.Bridges) != 1 || len(rs.Bridges[0].Interfaces) != 0 || len(rs.Groups) != 0 {
		t.Errorf("after the last instance: %+v, want one empty bridge and no groups", rs)
	}
	addr := plane.addr("vpc-1")
	if !reachable(addr) {
		t.Fatalf("metadata listener %s not serving", addr)
	}
	plane.setVPCs()
	applied := len(plane.applied["vpc-1"])
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if reachable(addr) {
		t.Error("the metadata listener of a removed namespace still answers")
	}
	if n := len(plane.applied["vpc-1"]); n != applied {
		t.Errorf("%d rulesets applied after the namespace went, want none", n-applied)
	}
}

// TestANamespaceOfAnUnknownVPCGetsNothing: a namespace whose VPC the store
// does not have gets no rules and no metadata server, and Sync says why.
func TestANamespaceOfAnUnknownVPCGetsNothing(t *testing.T) {
	w := newWorld(t)
	plane := newFakePlane("vpc-ghost")
	plane.foreign = []string{"vpc-ghost"}
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	if err := r.Sync(t.Context()); err == nil {
		t.Error("Sync = nil, want the unknown VPC reported")
	}
	if len(plane.applied) != 0 || plane.listens != 0 || len(plane.removed) != 0 {
		t.Errorf("applied %v, %d listeners, removed %v; want nothing", plane.applied, plane.listens, plane.removed)
	}
}

// TestTheNamespaceOfADeletedVPCGoes: a namespace this ecsd made for a VPC the
// store no longer has is removed, whether the reconciler knew the VPC or not.
func TestTheNamespaceOfADeletedVPCGoes(t *testing.T) {
	w := newWorld(t)
	plane := newFakePlane("vpc-deleted")
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	if err := r.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if !slices.Equal(plane.removed, []string{"vpc-deleted"}) {
		t.Fatalf("removed %v, want the deleted VPC's namespace", plane.removed)
	}
}
