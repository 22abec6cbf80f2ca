package guestnet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// location is where a VPC lives in the store: VPC IDs are global, but every
// store lookup is scoped to the owning account.
type location struct {
	AccountID int64
	RegionID  string
	VpcID     string
}

// errVPCGone says the store has no VPC of that ID (any more).
var errVPCGone = errors.New("guestnet: VPC not in the store")

// locate finds the account and region of a VPC by asking each account.
func locate(ctx context.Context, st store.Store, vpcID string) (location, error) {
	var loc location
	err := st.View(ctx, func(tx store.Tx) error {
		accts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		for _, a := range accts {
			v, err := tx.GetVPC(a.ID, vpcID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			loc = location{AccountID: v.AccountID, RegionID: v.RegionID, VpcID: v.ID}
			return nil
		}
		return errVPCGone
	})
	return loc, err
}

// names turns store IDs into data plane names.
type names struct {
	tap    func(eniID string) string
	bridge func(vswitchID string) string
}

// buildRuleset reads what the namespace of one VPC enforces: one bridge per
// VSwitch (its gateway nft.Gateway of the block), on it a tap for every
// network interface attached to an instance, and every security group those
// interfaces are in or that one of their groups' rules names as its peer.
// A group's members are the interfaces of this VPC in it: addresses of
// another VPC never reach this namespace, and may overlap this VPC's.
func buildRuleset(ctx context.Context, st store.Store, loc location, n names) (nft.Ruleset, error) {
	var rs nft.Ruleset
	err := st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetVPC(loc.AccountID, loc.VpcID); errors.Is(err, store.ErrNotFound) {
			return errVPCGone
		} else if err != nil {
			return err
		}
		vsws, _, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: loc.AccountID, RegionID: loc.RegionID, VpcID: loc.VpcID})
		if err != nil {
			return err
		}
		nics, _, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{AccountID: loc.AccountID, RegionID: loc.RegionID,
			VpcID: loc.VpcID})
		if err != nil {
			return err
		}
		groupsOf, err := interfaceGroups(tx, nics)
		if err != nil {
			return err
		}
		members := map[string][]netip.Addr{}
		for _, nic := range nics {
			ip, err := netip.ParseAddr(nic.PrivateIP)
			if err != nil {
				return fmt.Errorf("network interface %s: private IP %q", nic.ID, nic.PrivateIP)
			}
			for _, g := range groupsOf(nic) {
				members[g] = append(members[g], ip)
			}
		}
		rs.Bridges = bridges(vsws, nics, groupsOf, n)
		rs.Groups, err = groups(tx, loc.AccountID, rs.Bridges, members)
		return err
	})
	return rs, err
}

// interfaceGroups answers a function giving each interface's security
// groups: a primary interface's are its instance's, a secondary one's its own.
func interfaceGroups(tx store.Tx, nics []store.NetworkInterface) (func(store.NetworkInterface) []string, error) {
	var instIDs, secondary []string
	for _, nic := range nics {
		switch {
		case nic.Type == store.NetworkInterfacePrimary && nic.InstanceID != "":
			instIDs = append(instIDs, nic.InstanceID)
		case nic.Type != store.NetworkInterfacePrimary:
			secondary = append(secondary, nic.ID)
		}
	}
	byInstance, byENI := map[string][]string{}, map[string][]string{}
	var err error
	if len(instIDs) > 0 {
		if byInstance, err = tx.SecurityGroupsOfInstances(instIDs); err != nil {
			return nil, err
		}
	}
	if len(secondary) > 0 {
		if byENI, err = tx.NetworkInterfaceSecurityGroups(secondary); err != nil {
			return nil, err
		}
	}
	return func(nic store.NetworkInterface) []string {
		if nic.Type == store.NetworkInterfacePrimary {
			return byInstance[nic.InstanceID]
		}
		return byENI[nic.ID]
	}, nil
}

// bridges lays the attached interfaces out on their VSwitches' bridges, in ID
// order so that an unchanged VPC renders the same ruleset.
func bridges(vsws []store.VSwitch, nics []store.NetworkInterface, groupsOf func(store.NetworkInterface) []string, n names) []nft.Bridge {
	slices.SortFunc(vsws, func(a, b store.VSwitch) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(nics, func(a, b store.NetworkInterface) int { return strings.Compare(a.ID, b.ID) })
	out := make([]nft.Bridge, 0, len(vsws))
	for _, vsw := range vsws {
		b := nft.Bridge{Name: n.bridge(vsw.ID)}
		if p, err := netip.ParsePrefix(vsw.CidrBlock); err == nil && p.Addr().Is4() {
			b.GatewayIP = nft.Gateway(p)
		}
		for _, nic := range nics {
			if nic.VSwitchID != vsw.ID || nic.InstanceID == "" {
				continue
			}
			ip, _ := netip.ParseAddr(nic.PrivateIP) // checked by the caller
			b.Interfaces = append(b.Interfaces, nft.Interface{ID: nic.ID, Tap: n.tap(nic.ID), MAC: strings.ToLower(instance.MACOf(nic)),
				IP: ip, GroupIDs: slices.Clone(groupsOf(nic))})
		}
		out = append(out, b)
	}
	return out
}

// groups reads the security groups the interfaces are in, with their rules,
// and adds the peer groups those rules name, each with its members here.
func groups(tx store.Tx, accountID int64, bridges []nft.Bridge, members map[string][]netip.Addr) (map[string]nft.Group, error) {
	var ids []string
	for _, b := range bridges {
		for _, ifc := range b.Interfaces {
			for _, g := range ifc.GroupIDs {
				if !slices.Contains(ids, g) {
					ids = append(ids, g)
				}
			}
		}
	}
	out := map[string]nft.Group{}
	if len(ids) == 0 {
		return out, nil
	}
	sgs, _, err := tx.ListSecurityGroups(store.SecurityGroupFilter{AccountID: accountID, IDs: ids})
	if err != nil {
		return nil, err
	}
	for _, sg := range sgs {
		rules, err := tx.ListSecurityGroupRules(accountID, sg.ID)
		if err != nil {
			return nil, err
		}
		g := nft.Group{ID: sg.ID, InnerAccessPolicy: sg.InnerAccessPolicy, Members: sortedAddrs(members[sg.ID])}
		for _, r := range rules {
			g.Rules = append(g.Rules, nft.Rule{ID: r.ID, Direction: r.Direction, IPProtocol: r.IPProtocol,
				PortRange: r.PortRange, SourcePortRange: r.SourcePortRange, Policy: r.Policy, Priority: r.Priority,
				NicType: r.NicType, SourceCidrIP: r.SourceCidrIP, DestCidrIP: r.DestCidrIP, PeerGroupID: r.PeerGroupID})
		}
		out[sg.ID] = g
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok { // a group deleted under a member: no rules, only its members
			out[id] = nft.Group{ID: id, InnerAccessPolicy: nft.Drop, Members: sortedAddrs(members[id])}
		}
	}
	for _, g := range slices.Collect(maps.Values(out)) {
		for _, r := range g.Rules {
			if _, ok := out[r.PeerGroupID]; r.PeerGroupID != "" && !ok {
				out[r.PeerGroupID] = nft.Group{ID: r.PeerGroupID, InnerAccessPolicy: nft.Drop, Members: sortedAddrs(members[r.PeerGroupID])}
			}
		}
	}
	return out, nil
}

func sortedAddrs(a []netip.Addr) []netip.Addr {
	out := slices.Clone(a)
	slices.SortFunc(out, func(x, y netip.Addr) int { return x.Compare(y) })
	return slices.Compact(out)
}

// defaultBridgeName names a VSwitch's bridge when the plane does not say:
// "b-" and the ID's last 13 characters (at most 15 bytes, as Linux requires).
func defaultBridgeName(vswitchID string) string {
	id := strings.TrimPrefix(vswitchID, "vsw-")
	if len(id) > 13 {
		id = id[len(id)-13:]
	}
	return "b-" + id
}
