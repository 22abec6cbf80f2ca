package catalog

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// HostLayout is the physical compute capacity of a zone in the simulated world:
// Switches network switches, each above RacksPerSwitch racks of HostsPerRack
// hosts, every host with VCPUs vCPUs and MemoryGiB GiB of memory for instances.
// Deployment sets (guide 1.6) spread or gather instances over these hosts, racks
// and switches, and RunInstances fails for want of stock when no host has room.
type HostLayout struct {
	// Switches is the number of network switches of the zone.
	Switches int `yaml:"switches"`
	// RacksPerSwitch is the number of racks below each switch.
	RacksPerSwitch int `yaml:"racksPerSwitch"`
	// HostsPerRack is the number of hosts in each rack.
	HostsPerRack int `yaml:"hostsPerRack"`
	// VCPUs is what one host offers instances, in vCPUs.
	VCPUs int `yaml:"vcpus"`
	// MemoryGiB is what one host offers instances, in GiB.
	MemoryGiB int `yaml:"memoryGiB"`
}

// The default host layout of a zone: 4 switches × 8 racks × 64 hosts of 128
// vCPUs and 1024 GiB, 2048 hosts in all. It holds the largest instance type of
// the catalog on every host, and 100,000 ecs.g5.large (2 vCPUs, 8 GiB) in one
// zone with room to spare (bench/instances).
const (
	DefaultSwitches       = 4
	DefaultRacksPerSwitch = 8
	DefaultHostsPerRack   = 64
	DefaultHostVCPUs      = 128
	DefaultHostMemoryGiB  = 1024
)

// maxHostsPerZone bounds a zone's hosts, which the catalog keeps in memory.
const maxHostsPerZone = 100_000

// DefaultHostLayout returns the layout of a zone whose topology sets none.
func DefaultHostLayout() HostLayout {
	return HostLayout{Switches: DefaultSwitches, RacksPerSwitch: DefaultRacksPerSwitch,
		HostsPerRack: DefaultHostsPerRack, VCPUs: DefaultHostVCPUs, MemoryGiB: DefaultHostMemoryGiB}
}

// Count is the number of hosts of the layout.
func (l HostLayout) Count() int { return l.Switches * l.RacksPerSwitch * l.HostsPerRack }

// validate checks that every number is positive and the zone is not too large.
func (l HostLayout) validate(where string) []error {
	var errs []error
	for _, f := range []struct {
		name  string
		value int
	}{{"switches", l.Switches}, {"racksPerSwitch", l.RacksPerSwitch}, {"hostsPerRack", l.HostsPerRack},
		{"vcpus", l.VCPUs}, {"memoryGiB", l.MemoryGiB}} {
		if f.value < 1 {
			errs = append(errs, fmt.Errorf("%s: hosts: %s must be at least 1", where, f.name))
		}
	}
	if len(errs) == 0 && (l.Count() > maxHostsPerZone || l.Count() < 0) {
		errs = append(errs, fmt.Errorf("%s: hosts: %d hosts, at most %d a zone", where, l.Count(), maxHostsPerZone))
	}
	return errs
}

// Host is one simulated physical server of a zone.
type Host struct {
	// ID is unique across the topology: <zone>-sw<n>-rack<n>-host<n>, e.g.
	// cn-hangzhou-b-sw1-rack2-host3.
	ID string
	// ZoneID, SwitchID and RackID say where it is; a rack is below one switch.
	ZoneID   string
	SwitchID string
	RackID   string
	// VCPUs and MemoryMiB are its capacity for instances.
	VCPUs     int
	MemoryMiB int
	// Index is its position in the zone's layout (ZoneHosts).
	Index int
}

// hostsOf lays out a zone's hosts in order: switch by switch, rack by rack.
func hostsOf(zoneID string, l HostLayout) []Host {
	out := make([]Host, 0, l.Count())
	for s := 1; s <= l.Switches; s++ {
		sw := fmt.Sprintf("%s-sw%d", zoneID, s)
		for r := 1; r <= l.RacksPerSwitch; r++ {
			rack := fmt.Sprintf("%s-rack%d", sw, r)
			for h := 1; h <= l.HostsPerRack; h++ {
				out = append(out, Host{ID: fmt.Sprintf("%s-host%d", rack, h), ZoneID: zoneID, SwitchID: sw, RackID: rack,
					VCPUs: l.VCPUs, MemoryMiB: l.MemoryGiB * 1024, Index: len(out)})
			}
		}
	}
	return out
}

// ZoneHosts returns the hosts of a zone in layout order (switch by switch, rack
// by rack); nil for an unknown zone. A zone's hosts are laid out on first use.
func (c *Catalog) ZoneHosts(zoneID string) []Host {
	zh := c.zoneHosts(zoneID)
	if zh == nil {
		return nil
	}
	return slices.Clone(zh.hosts)
}

// Host returns the host with that ID.
func (c *Catalog) Host(id string) (Host, bool) {
	for zoneID, zh := range c.hosts {
		if !strings.HasPrefix(id, zoneID+"-") {
			continue
		}
		c.zoneHosts(zoneID)
		if i, ok := zh.index[id]; ok {
			return zh.hosts[i], true
		}
	}
	return Host{}, false
}

// zoneHostSet is a zone's hosts, laid out once.
type zoneHostSet struct {
	once   sync.Once
	layout HostLayout
	hosts  []Host
	index  map[string]int // host ID → position in hosts
}

// zoneHosts returns the zone's laid-out hosts, or nil for an unknown zone.
func (c *Catalog) zoneHosts(zoneID string) *zoneHostSet {
	zh := c.hosts[zoneID]
	if zh == nil {
		return nil
	}
	zh.once.Do(func() {
		zh.hosts = hostsOf(zoneID, zh.layout)
		zh.index = make(map[string]int, len(zh.hosts))
		for i, h := range zh.hosts {
			zh.index[h.ID] = i
		}
	})
	return zh
}
