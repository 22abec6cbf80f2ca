package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultTopologyHasFiveRegionsWithRealNames(t *testing.T) {
	topo := DefaultTopology()
	if err := topo.Validate(); err != nil {
		t.Fatal(err)
	}
	if topo.DefaultRegion != "cn-hangzhou" {
		t.Errorf("default region %q", topo.DefaultRegion)
	}
	names := map[string]string{}
	for _, r := range topo.Regions {
		names[r.RegionID] = r.LocalName
		if len(r.Zones) < 2 {
			t.Errorf("%s has %d zones, want at least 2", r.RegionID, len(r.Zones))
		}
		for _, z := range r.Zones {
			if len(z.InstanceTypes) != 0 {
				t.Errorf("%s: default zones sell every instance type", z.ZoneID)
			}
			if strings.Join(z.DiskCategories, ",") != "cloud,cloud_efficiency,cloud_ssd,cloud_essd" {
				t.Errorf("%s: disk categories %v", z.ZoneID, z.DiskCategories)
			}
		}
	}
	want := map[string]string{
		"cn-hangzhou": "华东1（杭州）", "cn-beijing": "华北2（北京）", "cn-shanghai": "华东2（上海）",
		"cn-qingdao": "华北1（青岛）", "cn-shenzhen": "华南1（深圳）",
	}
	for id, n := range want {
		if names[id] != n {
			t.Errorf("%s: LocalName %q, want %q", id, names[id], n)
		}
	}
	hz := topo.Regions[2]
	if hz.Zones[0].ZoneID != "cn-hangzhou-b" || hz.Zones[0].LocalName != "华东 1 可用区 B" ||
		hz.Zones[0].Name("en-US") != "Hangzhou Zone B" || hz.Name("en-us") != "China (Hangzhou)" {
		t.Errorf("cn-hangzhou zones: %+v", hz.Zones[0])
	}
	if hz.Name("ja") != "华东1（杭州）" {
		t.Error("unknown languages fall back to LocalName")
	}
}

func TestExampleTopologyLoads(t *testing.T) {
	topo, err := LoadTopology("testdata/topology.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if topo.DefaultRegion != "cn-hangzhou" || len(topo.Regions) != 2 {
		t.Fatalf("got %+v", topo)
	}
	z := topo.Regions[0].Zones[1]
	if z.ZoneID != "cn-hangzhou-g" || len(z.InstanceTypes) != 5 || z.Name("en-US") != "Hangzhou Zone G" {
		t.Errorf("zone g: %+v", z)
	}
	c, err := Load("testdata/topology.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	zones, _ := c.Zones("cn-beijing")
	if len(zones[0].DiskCategories) != 4 || len(zones[0].ResourceTypes) != 4 {
		t.Errorf("omitted lists get the defaults: %+v", zones[0])
	}
}

func writeTopology(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInvalidTopologyIsRejectedWithAClearError(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"duplicate region", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1}]}
  - {regionId: cn-a, zones: [{zoneId: cn-a-2}]}`, `region #2 "cn-a": listed twice`},
		{"duplicate zone", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1}, {zoneId: cn-a-1}]}`, `zone "cn-a-1": listed twice`},
		{"zone outside its region", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-b-1}]}`, `zone "cn-b-1": does not belong to region "cn-a"`},
		{"zone equal to region", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a}]}`, `does not belong to region`},
		{"region without zones", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a}`, `"cn-a": no zones`},
		{"default region unknown", `
defaultRegion: cn-x
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1}]}`, `defaultRegion "cn-x" is not one of the regions`},
		{"no default region", `
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1}]}`, `defaultRegion is not set`},
		{"no regions", `defaultRegion: cn-a`, `no regions`},
		{"bad ID", `
defaultRegion: CN_A
regions:
  - {regionId: CN_A, zones: [{zoneId: CN_A-1}]}`, `regionId must be lower-case`},
		{"unknown disk category", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1, diskCategories: [cloud, ephemeral]}]}`, `diskCategories: unknown value "ephemeral"`},
		{"unknown resource type", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1, resourceTypes: [Instance, Router]}]}`, `resourceTypes: unknown value "Router"`},
		{"host layout without racks", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1, hosts: {switches: 1, racksPerSwitch: 0, hostsPerRack: 2, vcpus: 8, memoryGiB: 32}}]}`,
			`zone "cn-a-1": hosts: racksPerSwitch must be at least 1`},
		{"host layout too large", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1, hosts: {switches: 100, racksPerSwitch: 100, hostsPerRack: 100, vcpus: 8, memoryGiB: 32}}]}`,
			`1000000 hosts, at most 100000 a zone`},
		{"unknown host key", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-a-1, hosts: {switches: 1, racks: 2}}]}`, `field racks not found`},
		{"unknown key", `
defaultRegion: cn-a
regions:
  - {regionId: cn-a, zone: [{zoneId: cn-a-1}]}`, `field zone not found`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTopology(t, c.yaml)
			_, err := LoadTopology(path)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not say %q and name the file", err, c.want)
			}
		})
	}
}

func TestTopologyWithUnknownInstanceTypeIsRejected(t *testing.T) {
	path := writeTopology(t, `
defaultRegion: cn-a
regions:
  - regionId: cn-a
    zones:
      - {zoneId: cn-a-1, instanceTypes: [ecs.g5.large, ecs.g9.huge]}`)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), `zone "cn-a-1": unknown instance type "ecs.g9.huge"`) {
		t.Fatalf("got %v", err)
	}
}

func TestTopologyReportsEveryProblem(t *testing.T) {
	_, err := ParseTopology([]byte(`
defaultRegion: cn-x
regions:
  - {regionId: cn-a, zones: [{zoneId: cn-b-1, diskCategories: [tape]}]}`))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"does not belong", "tape", "defaultRegion"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRegionLocationIsTheTimeZoneOffsetOrChinaStandardTime(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		tz   string
		hour int
	}{{"", 8}, {"+08:00", 8}, {"-05:00", 19}, {"+05:30", 5}} {
		if got := (Region{TimeZone: c.tz}).Location(); at.In(got).Hour() != c.hour {
			t.Errorf("timeZone %q: midnight UTC is %v", c.tz, at.In(got))
		}
	}
	for _, bad := range []string{"UTC", "8", "+8:00", "+15:00", "Asia/Shanghai"} {
		topo := Topology{DefaultRegion: "r-1", Regions: []Region{{RegionID: "r-1", TimeZone: bad,
			Zones: []Zone{{ZoneID: "r-1-a"}}}}}
		if err := topo.Validate(); err == nil {
			t.Errorf("timeZone %q was accepted", bad)
		}
	}
}
