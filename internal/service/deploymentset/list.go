package deploymentset

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/placement"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeDeploymentSets (guide 1.6.4).
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
	maxIDs          = 100
)

// ParseIDs reads DeploymentSetIds: a JSON array of at most 100 IDs. Absent (or
// blank) is nil: no filter.
func ParseIDs(raw *string) ([]string, error) {
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return nil, nil
	}
	ids := []string{}
	if err := json.Unmarshal([]byte(*raw), &ids); err != nil || len(ids) > maxIDs {
		return nil, errIDsMalformed()
	}
	return ids, nil
}

// ListQuery is a DescribeDeploymentSets call. IDs nil lists every set; an
// empty non-nil IDs matches nothing.
type ListQuery struct {
	IDs         []string
	Name        string
	Domain      string
	Granularity string
	Strategy    string
	PageNumber  int
	PageSize    int
}

// Set is a deployment set with its instances.
type Set struct {
	store.DeploymentSet
	// InstanceIDs are the set's instances, in ID order.
	InstanceIDs []string
	// Capacities is, for strict dispersion, what each zone can still take.
	Capacities []Capacity
}

// Capacity is how many instances of a strictly dispersed set one zone holds
// and how many more it can take: one a unit (host, rack or switch, within the
// set's switch for Domain Switch) that holds none yet.
type Capacity struct {
	ZoneID    string
	Used      int
	Available int
}

// ListResult is one page of sets.
type ListResult struct {
	Sets       []Set
	TotalCount int
	PageNumber int
	PageSize   int
}

// List answers DescribeDeploymentSets (guide 1.6.4): the caller's sets in the
// region, newest first, filtered and paged.
func (s *Service) List(ctx context.Context, c Caller, q ListQuery) (ListResult, error) {
	res := ListResult{Sets: []Set{}, PageNumber: max(q.PageNumber, 1), PageSize: q.PageSize}
	if res.PageSize <= 0 {
		res.PageSize = DefaultPageSize
	}
	f := store.DeploymentSetFilter{AccountID: c.AccountID, RegionID: c.RegionID, IDs: q.IDs, Name: q.Name,
		Page: store.Page{Number: res.PageNumber, Size: res.PageSize}}
	var err error
	if f.Domain, err = filterValue(q.Domain, errDomain, placement.DomainDefault, placement.DomainSwitch); err != nil {
		return ListResult{}, err
	}
	if f.Granularity, err = filterValue(q.Granularity, errGranularity, placement.GranularityHost,
		placement.GranularityRack, placement.GranularitySwitch); err != nil {
		return ListResult{}, err
	}
	if f.Strategy, err = filterValue(q.Strategy, errStrategy, placement.StrategyLooseDispersion,
		placement.StrategyLooseAggregation, placement.StrategyStrictAggregation, placement.StrategyStrictDispersion,
		placement.StrategyAvailability); err != nil {
		return ListResult{}, err
	}
	if q.IDs != nil && len(q.IDs) == 0 {
		return res, nil
	}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		sets, total, err := tx.ListDeploymentSets(f)
		if err != nil {
			return err
		}
		res.TotalCount = total
		ids := make([]string, len(sets))
		for i, d := range sets {
			ids[i] = d.ID
		}
		members, err := tx.DeploymentSetPlacements(ids)
		if err != nil {
			return err
		}
		bySet := map[string][]store.Placement{}
		for _, p := range members {
			bySet[p.DeploymentSetID] = append(bySet[p.DeploymentSetID], p)
		}
		for _, d := range sets {
			res.Sets = append(res.Sets, s.view(d, bySet[d.ID]))
		}
		return nil
	})
	if err != nil {
		return ListResult{}, err
	}
	return res, nil
}

// filterValue checks a policy filter like CreateDeploymentSet checks the value.
func filterValue(v string, bad func() *apierr.Error, valid ...string) (string, error) {
	if v == "" {
		return "", nil
	}
	c, ok := canonical(v, valid...)
	if !ok {
		return "", bad()
	}
	return c, nil
}

// view adds a set's instances and capacities.
func (s *Service) view(d store.DeploymentSet, members []store.Placement) Set {
	out := Set{DeploymentSet: d, InstanceIDs: []string{}, Capacities: []Capacity{}}
	for _, p := range members {
		out.InstanceIDs = append(out.InstanceIDs, p.InstanceID)
	}
	slices.Sort(out.InstanceIDs)
	pol := placement.Policy{Domain: d.Domain, Granularity: d.Granularity, Strategy: d.Strategy}
	if pol.Strategy == placement.StrategyAvailability {
		pol.Granularity, pol.Strategy = placement.GranularityHost, placement.StrategyStrictDispersion
	}
	if pol.Strategy != placement.StrategyStrictDispersion {
		return out
	}
	zones := []string{d.ZoneID}
	if d.ZoneID == "" {
		zones = nil
		all, _ := s.deps.Catalog.Zones(d.RegionID)
		for _, z := range all {
			zones = append(zones, z.ZoneID)
		}
	}
	for _, zoneID := range zones {
		z, _, ok := s.deps.Catalog.Zone(zoneID)
		if !ok || z.Hosts == nil {
			continue
		}
		out.Capacities = append(out.Capacities, s.capacity(zoneID, *z.Hosts, pol, members))
	}
	return out
}

// capacity counts a zone's units and those the set's instances hold.
func (s *Service) capacity(zoneID string, l catalog.HostLayout, pol placement.Policy, members []store.Placement) Capacity {
	c := Capacity{ZoneID: zoneID}
	units := l.Count()
	if pol.Granularity == placement.GranularityRack {
		units = l.Switches * l.RacksPerSwitch
	}
	if pol.Granularity == placement.GranularitySwitch {
		units = l.Switches
	}
	if pol.Domain == placement.DomainSwitch && len(members) > 0 {
		units /= l.Switches // one switch's share
	}
	used := map[string]bool{}
	for _, p := range members {
		if p.ZoneID != zoneID {
			continue
		}
		c.Used++
		h, ok := s.deps.Catalog.Host(p.HostID)
		if !ok {
			continue
		}
		switch pol.Granularity {
		case placement.GranularityRack:
			used[h.RackID] = true
		case placement.GranularitySwitch:
			used[h.SwitchID] = true
		default:
			used[h.ID] = true
		}
	}
	c.Available = max(units-len(used), 0)
	return c
}

// Topology is where a set's instances run (guide 1.6.5): by switch and host,
// and by rack and host.
type Topology struct {
	DeploymentSetID string
	RegionID        string
	Switches        []Group
	Racks           []Group
}

// Group is a switch or a rack with the set's instances on each of its hosts.
type Group struct {
	ID    string
	Hosts []HostInstances
}

// HostInstances is one host and the set's instances on it, in ID order.
type HostInstances struct {
	HostID      string
	InstanceIDs []string
}

// Topology answers DescribeDeploymentSetTopology (guide 1.6.5): the switches,
// racks and hosts the set's instances run on, in layout order.
func (s *Service) Topology(ctx context.Context, c Caller, id string) (Topology, error) {
	if id == "" {
		return Topology{}, errIDMissing()
	}
	var members []store.Placement
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.get(tx, c, id); err != nil {
			return err
		}
		var err error
		members, err = tx.DeploymentSetPlacements([]string{id})
		return err
	})
	if err != nil {
		return Topology{}, err
	}
	type placed struct {
		host catalog.Host
		ids  []string
	}
	byHost := map[string]*placed{}
	var hosts []*placed
	for _, p := range members {
		ph := byHost[p.HostID]
		if ph == nil {
			h, ok := s.deps.Catalog.Host(p.HostID)
			if !ok { // a host the topology no longer has
				h = catalog.Host{ID: p.HostID, ZoneID: p.ZoneID}
			}
			ph = &placed{host: h}
			byHost[p.HostID] = ph
			hosts = append(hosts, ph)
		}
		ph.ids = append(ph.ids, p.InstanceID)
	}
	slices.SortFunc(hosts, func(a, b *placed) int {
		return cmp.Or(cmp.Compare(a.host.ZoneID, b.host.ZoneID), cmp.Compare(a.host.Index, b.host.Index),
			cmp.Compare(a.host.ID, b.host.ID))
	})
	t := Topology{DeploymentSetID: id, RegionID: c.RegionID, Switches: []Group{}, Racks: []Group{}}
	for _, ph := range hosts {
		slices.Sort(ph.ids)
		hi := HostInstances{HostID: ph.host.ID, InstanceIDs: ph.ids}
		t.Switches = appendToGroup(t.Switches, ph.host.SwitchID, hi)
		t.Racks = appendToGroup(t.Racks, ph.host.RackID, hi)
	}
	return t, nil
}

// appendToGroup adds a host to the group id, which is the last group or a new one
// (hosts come in layout order, so a group's hosts are contiguous).
func appendToGroup(groups []Group, id string, h HostInstances) []Group {
	if n := len(groups); n > 0 && groups[n-1].ID == id {
		groups[n-1].Hosts = append(groups[n-1].Hosts, h)
		return groups
	}
	return append(groups, Group{ID: id, Hosts: []HostInstances{h}})
}
