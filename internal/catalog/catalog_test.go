package catalog

import (
	"testing"
)

func defaultCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogLooksUpRegionsAndZones(t *testing.T) {
	c := defaultCatalog(t)
	if c.DefaultRegion() != "cn-hangzhou" || len(c.Regions()) != 5 {
		t.Fatalf("default %q, %d regions", c.DefaultRegion(), len(c.Regions()))
	}
	r, ok := c.Region("cn-beijing")
	if !ok || r.LocalName != "华北2（北京）" {
		t.Errorf("cn-beijing: %+v %v", r, ok)
	}
	if _, ok := c.Region("cn-nowhere"); ok {
		t.Error("unknown region found")
	}
	zones, ok := c.Zones("cn-beijing")
	if !ok || len(zones) != 3 || zones[0].ZoneID != "cn-beijing-a" {
		t.Errorf("cn-beijing zones: %+v", zones)
	}
	if _, ok := c.Zones("cn-nowhere"); ok {
		t.Error("zones of an unknown region")
	}
	z, region, ok := c.Zone("cn-shanghai-e")
	if !ok || region != "cn-shanghai" || z.ZoneID != "cn-shanghai-e" {
		t.Errorf("zone: %+v %q %v", z, region, ok)
	}
}

func TestCatalogHandsOutCopies(t *testing.T) {
	c := defaultCatalog(t)
	zones, _ := c.Zones("cn-hangzhou")
	zones[0].DiskCategories[0] = "tampered"
	zones[0].LocalNames["en-US"] = "tampered"
	r, _ := c.Region("cn-hangzhou")
	if r.Zones[0].DiskCategories[0] != "cloud" || r.Zones[0].LocalNames["en-US"] != "Hangzhou Zone B" {
		t.Error("caller mutated the catalog")
	}
}

func TestCatalogLooksUpInstanceTypesAndFamilies(t *testing.T) {
	c := defaultCatalog(t)
	it, ok := c.InstanceType("ecs.sn2ne.14xlarge")
	if !ok || it.CPUCoreCount != 56 || it.MemorySize != 224 || it.Family != "ecs.sn2ne" {
		t.Errorf("sn2ne.14xlarge: %+v", it)
	}
	if _, ok := c.InstanceType("ecs.nope"); ok {
		t.Error("unknown type found")
	}
	if n := len(c.InstanceTypes("")); n != 213 {
		t.Errorf("all types: %d", n)
	}
	if n := len(c.InstanceTypes("ecs.g5")); n != 8 {
		t.Errorf("g5 types: %d", n)
	}
	if n := len(c.InstanceTypes("ecs.nope")); n != 0 {
		t.Errorf("unknown family: %d", n)
	}
	if n := len(c.Families("")); n != 44 {
		t.Errorf("families: %d", n)
	}
	series := map[string]int{Generation1: 8, Generation2: 3, Generation3: 33}
	for g, want := range series {
		if n := len(c.Families(g)); n != want {
			t.Errorf("generation %s: %d families, want %d", g, n, want)
		}
	}
}

func TestZoneInstanceTypesRespectTheTopology(t *testing.T) {
	c, err := Load("testdata/topology.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.ZoneInstanceTypes("cn-hangzhou-b")); n != 213 {
		t.Errorf("empty list means all: %d", n)
	}
	g := c.ZoneInstanceTypes("cn-hangzhou-g")
	if len(g) != 5 || g[0].ID != "ecs.n4.small" {
		t.Errorf("zone g: %v", g)
	}
	if c.ZoneInstanceTypes("cn-nowhere-a") != nil {
		t.Error("unknown zone")
	}
	if !c.ZoneOffers("cn-hangzhou-g", "ecs.g5.large") || c.ZoneOffers("cn-hangzhou-g", "ecs.g5.2xlarge") ||
		!c.ZoneOffers("cn-hangzhou-b", "ecs.g5.2xlarge") || c.ZoneOffers("cn-hangzhou-b", "ecs.nope") {
		t.Error("ZoneOffers")
	}
	fams, ok := c.RegionFamilies("cn-hangzhou", "")
	if !ok || len(fams) != 44 {
		t.Errorf("cn-hangzhou families: %d", len(fams))
	}
	if _, ok := c.RegionFamilies("cn-nowhere", ""); ok {
		t.Error("unknown region")
	}
}

func TestRegionFamiliesOnlyListWhatTheZonesSell(t *testing.T) {
	topo := Topology{DefaultRegion: "cn-a", Regions: []Region{{
		RegionID: "cn-a",
		Zones: []Zone{
			{ZoneID: "cn-a-1", InstanceTypes: []string{"ecs.g5.large", "ecs.t1.small"}},
			{ZoneID: "cn-a-2", InstanceTypes: []string{"ecs.n1.tiny"}},
		},
	}}}
	types, _ := EmbeddedInstanceTypes()
	c, err := NewWithTypes(topo, types)
	if err != nil {
		t.Fatal(err)
	}
	fams, _ := c.RegionFamilies("cn-a", "")
	if len(fams) != 3 || fams[0].ID != "ecs.g5" || fams[1].ID != "ecs.n1" || fams[2].ID != "ecs.t1" {
		t.Errorf("families: %+v", fams)
	}
	fams, _ = c.RegionFamilies("cn-a", Generation1)
	if len(fams) != 1 || fams[0].ID != "ecs.t1" {
		t.Errorf("ecs-1 families: %+v", fams)
	}
}

func TestNewRejectsInconsistentInstanceTypes(t *testing.T) {
	types := []InstanceType{
		{ID: "ecs.a.small", Family: "ecs.a", Generation: Generation3, CPUCoreCount: 1, MemorySize: 1},
		{ID: "ecs.a.large", Family: "ecs.a", Generation: Generation1, CPUCoreCount: 2, MemorySize: 2},
	}
	if _, err := NewWithTypes(DefaultTopology(), types); err == nil {
		t.Error("a family with two generations was accepted")
	}
	types[1] = types[0]
	if _, err := NewWithTypes(DefaultTopology(), types); err == nil {
		t.Error("a duplicate instance type was accepted")
	}
}
