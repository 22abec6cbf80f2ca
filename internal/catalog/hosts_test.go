package catalog

import (
	"testing"
)

func TestZonesWithoutAHostLayoutGetTheDefaultOneWhichHoldsTheBenchmarkFleet(t *testing.T) {
	c, err := NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	z, _, _ := c.Zone("cn-hangzhou-b")
	if z.Hosts == nil || *z.Hosts != DefaultHostLayout() {
		t.Fatalf("zone hosts = %+v, want the default layout", z.Hosts)
	}
	hosts := c.ZoneHosts("cn-hangzhou-b")
	if len(hosts) != DefaultSwitches*DefaultRacksPerSwitch*DefaultHostsPerRack {
		t.Fatalf("%d hosts", len(hosts))
	}
	vcpus, mib := 0, 0
	for _, h := range hosts {
		vcpus += h.VCPUs
		mib += h.MemoryMiB
	}
	// bench/instances: 100,000 ecs.g5.large (2 vCPUs, 8 GiB) must fit in one zone.
	if vcpus < 100_000*2 || mib < 100_000*8*1024 {
		t.Errorf("a default zone has %d vCPUs and %d MiB: 100,000 ecs.g5.large do not fit", vcpus, mib)
	}
	for _, typ := range c.InstanceTypes("") {
		if typ.CPUCoreCount > DefaultHostVCPUs || typ.MemorySize > DefaultHostMemoryGiB {
			t.Errorf("%s (%d vCPUs, %g GiB) fits on no default host", typ.ID, typ.CPUCoreCount, typ.MemorySize)
		}
	}
}

func TestHostsAreLaidOutSwitchByRackWithUniqueIDs(t *testing.T) {
	topo, err := ParseTopology([]byte(`
defaultRegion: cn-a
regions:
  - regionId: cn-a
    zones:
      - {zoneId: cn-a-1, hosts: {switches: 2, racksPerSwitch: 2, hostsPerRack: 3, vcpus: 8, memoryGiB: 32}}
      - {zoneId: cn-a-2}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(topo)
	if err != nil {
		t.Fatal(err)
	}
	hosts := c.ZoneHosts("cn-a-1")
	if len(hosts) != 12 {
		t.Fatalf("%d hosts, want 2 × 2 × 3", len(hosts))
	}
	first, last := hosts[0], hosts[11]
	if first != (Host{ID: "cn-a-1-sw1-rack1-host1", ZoneID: "cn-a-1", SwitchID: "cn-a-1-sw1", RackID: "cn-a-1-sw1-rack1",
		VCPUs: 8, MemoryMiB: 32 * 1024, Index: 0}) {
		t.Errorf("first host %+v", first)
	}
	if last.ID != "cn-a-1-sw2-rack2-host3" || last.Index != 11 || last.RackID != "cn-a-1-sw2-rack2" || last.SwitchID != "cn-a-1-sw2" {
		t.Errorf("last host %+v", last)
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if seen[h.ID] {
			t.Errorf("host %s twice", h.ID)
		}
		seen[h.ID] = true
		if got, ok := c.Host(h.ID); !ok || got != h {
			t.Errorf("Host(%s) = %+v, %v", h.ID, got, ok)
		}
	}
	if _, ok := c.Host("cn-a-1-sw9-rack1-host1"); ok {
		t.Error("an unknown host was found")
	}
	if n := len(c.ZoneHosts("cn-a-2")); n != DefaultHostLayout().Count() {
		t.Errorf("zone without a layout has %d hosts", n)
	}
	if c.ZoneHosts("cn-x-1") != nil {
		t.Error("an unknown zone has hosts")
	}
	hosts[0].VCPUs = 1
	if c.ZoneHosts("cn-a-1")[0].VCPUs != 8 {
		t.Error("ZoneHosts returned the catalog's own slice")
	}
}

func TestExampleTopologyDeclaresAHostLayout(t *testing.T) {
	c, err := Load("testdata/topology.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	z, _, _ := c.Zone("cn-hangzhou-b")
	want := HostLayout{Switches: 2, RacksPerSwitch: 4, HostsPerRack: 16, VCPUs: 96, MemoryGiB: 768}
	if z.Hosts == nil || *z.Hosts != want {
		t.Errorf("hosts = %+v, want %+v", z.Hosts, want)
	}
}
