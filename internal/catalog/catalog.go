package catalog

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Catalog combines a validated topology with the instance types. It never
// changes after New; every method returns copies.
type Catalog struct {
	topo      Topology // normalised: zone defaults filled in
	regionIdx map[string]int
	zoneIdx   map[string][2]int // zone ID → region index, zone index
	types     []InstanceType
	typeIdx   map[string]int
	families  []Family
	// hosts holds each zone's simulated hosts, laid out on first use.
	hosts map[string]*zoneHostSet
}

// New builds the catalog of topo and the embedded instance types (the guide's
// appendix 1.18.1); see NewWithTypes.
func New(topo Topology) (*Catalog, error) {
	types, err := EmbeddedInstanceTypes()
	if err != nil {
		return nil, err
	}
	return NewWithTypes(topo, types)
}

// NewWithTypes validates topo (Validate, plus every instance type a zone names
// must be in types) and builds a Catalog. Zones without disk categories or
// resource types get the defaults.
func NewWithTypes(topo Topology, types []InstanceType) (*Catalog, error) {
	if err := validateInstanceTypes(types); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	fams, err := familiesOf(types)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c := &Catalog{
		types:     slices.Clone(types),
		typeIdx:   make(map[string]int, len(types)),
		families:  fams,
		regionIdx: map[string]int{},
		zoneIdx:   map[string][2]int{},
		hosts:     map[string]*zoneHostSet{},
	}
	for i, t := range types {
		c.typeIdx[t.ID] = i
	}
	if err := topo.Validate(); err != nil {
		return nil, fmt.Errorf("catalog: topology: %w", err)
	}
	var errs []error
	c.topo = Topology{DefaultRegion: topo.DefaultRegion}
	for ri, r := range topo.Regions {
		r = cloneRegion(r)
		for zi := range r.Zones {
			z := &r.Zones[zi]
			for _, id := range z.InstanceTypes {
				if _, ok := c.typeIdx[id]; !ok {
					errs = append(errs, fmt.Errorf("zone %q: unknown instance type %q", z.ZoneID, id))
				}
			}
			if len(z.DiskCategories) == 0 {
				z.DiskCategories = DefaultDiskCategories()
			}
			if len(z.ResourceTypes) == 0 {
				z.ResourceTypes = DefaultResourceTypes()
			}
			if z.Hosts == nil {
				l := DefaultHostLayout()
				z.Hosts = &l
			}
			c.hosts[z.ZoneID] = &zoneHostSet{layout: *z.Hosts}
			c.zoneIdx[z.ZoneID] = [2]int{ri, zi}
		}
		c.regionIdx[r.RegionID] = ri
		c.topo.Regions = append(c.topo.Regions, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("catalog: topology: %w", err)
	}
	return c, nil
}

// NewDefault builds the catalog of DefaultTopology and the embedded instance types.
func NewDefault() (*Catalog, error) { return New(DefaultTopology()) }

// Load builds the catalog of the topology in the YAML file at path and the
// embedded instance types.
func Load(path string) (*Catalog, error) {
	topo, err := LoadTopology(path)
	if err != nil {
		return nil, err
	}
	return New(topo)
}

// DefaultRegion returns the region assumed when a client sends no RegionId.
func (c *Catalog) DefaultRegion() string { return c.topo.DefaultRegion }

// Topology returns a copy of the (normalised) topology.
func (c *Catalog) Topology() Topology {
	t := Topology{DefaultRegion: c.topo.DefaultRegion}
	for _, r := range c.topo.Regions {
		t.Regions = append(t.Regions, cloneRegion(r))
	}
	return t
}

// Regions returns all regions in topology order, without their zones (ask Zones
// for those): it is on the path of every DescribeRegions, so it copies little.
func (c *Catalog) Regions() []Region {
	out := make([]Region, len(c.topo.Regions))
	for i, r := range c.topo.Regions {
		r.LocalNames = maps.Clone(r.LocalNames)
		r.Zones = nil
		out[i] = r
	}
	return out
}

// HasRegion reports whether the topology has the region, without copying it.
func (c *Catalog) HasRegion(id string) bool {
	_, ok := c.regionIdx[id]
	return ok
}

// Region returns the region with the given ID.
func (c *Catalog) Region(id string) (Region, bool) {
	i, ok := c.regionIdx[id]
	if !ok {
		return Region{}, false
	}
	return cloneRegion(c.topo.Regions[i]), true
}

// Zones returns the zones of a region; ok is false when the region is unknown.
func (c *Catalog) Zones(regionID string) (zones []Zone, ok bool) {
	r, ok := c.Region(regionID)
	if !ok {
		return nil, false
	}
	return r.Zones, true
}

// Zone returns the zone with the given ID and the ID of its region.
func (c *Catalog) Zone(zoneID string) (zone Zone, regionID string, ok bool) {
	ix, ok := c.zoneIdx[zoneID]
	if !ok {
		return Zone{}, "", false
	}
	r := c.topo.Regions[ix[0]]
	return cloneZone(r.Zones[ix[1]]), r.RegionID, true
}

// InstanceType returns the instance type with the given ID.
func (c *Catalog) InstanceType(id string) (InstanceType, bool) {
	i, ok := c.typeIdx[id]
	if !ok {
		return InstanceType{}, false
	}
	return c.types[i], true
}

// InstanceTypes returns the instance types of a family in the guide's order, or
// all of them when family is empty. An unknown family yields an empty list.
func (c *Catalog) InstanceTypes(family string) []InstanceType {
	out := []InstanceType{}
	for _, t := range c.types {
		if family == "" || t.Family == family {
			out = append(out, t)
		}
	}
	return out
}

// Families returns the instance families in the guide's order, restricted to one
// generation unless generation is empty.
func (c *Catalog) Families(generation string) []Family {
	out := []Family{}
	for _, f := range c.families {
		if generation == "" || f.Generation == generation {
			out = append(out, f)
		}
	}
	return out
}

// ZoneOffers reports whether the zone sells the instance type.
func (c *Catalog) ZoneOffers(zoneID, instanceTypeID string) bool {
	z, _, ok := c.Zone(zoneID)
	if !ok {
		return false
	}
	if _, known := c.typeIdx[instanceTypeID]; !known {
		return false
	}
	return len(z.InstanceTypes) == 0 || slices.Contains(z.InstanceTypes, instanceTypeID)
}

// ZoneInstanceTypes returns the instance types sold in a zone, in the guide's
// order (all of them when the zone lists none); nil for an unknown zone.
func (c *Catalog) ZoneInstanceTypes(zoneID string) []InstanceType {
	z, _, ok := c.Zone(zoneID)
	if !ok {
		return nil
	}
	if len(z.InstanceTypes) == 0 {
		return slices.Clone(c.types)
	}
	out := []InstanceType{}
	for _, t := range c.types {
		if slices.Contains(z.InstanceTypes, t.ID) {
			out = append(out, t)
		}
	}
	return out
}

// RegionFamilies returns the families with at least one instance type sold in
// some zone of the region, in the guide's order, restricted to one generation
// unless generation is empty; ok is false when the region is unknown.
func (c *Catalog) RegionFamilies(regionID, generation string) (families []Family, ok bool) {
	zones, ok := c.Zones(regionID)
	if !ok {
		return nil, false
	}
	offered := map[string]bool{}
	for _, z := range zones {
		for _, t := range c.ZoneInstanceTypes(z.ZoneID) {
			offered[t.Family] = true
		}
	}
	out := []Family{}
	for _, f := range c.Families(generation) {
		if offered[f.ID] {
			out = append(out, f)
		}
	}
	return out, true
}

func cloneRegion(r Region) Region {
	r.LocalNames = maps.Clone(r.LocalNames)
	zones := make([]Zone, len(r.Zones))
	for i, z := range r.Zones {
		zones[i] = cloneZone(z)
	}
	r.Zones = zones
	return r
}

func cloneZone(z Zone) Zone {
	z.LocalNames = maps.Clone(z.LocalNames)
	z.InstanceTypes = slices.Clone(z.InstanceTypes)
	z.DiskCategories = slices.Clone(z.DiskCategories)
	z.ResourceTypes = slices.Clone(z.ResourceTypes)
	if z.Hosts != nil {
		l := *z.Hosts
		z.Hosts = &l
	}
	return z
}
