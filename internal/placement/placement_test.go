package placement

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/catalog"
)

// layout returns switches × racks × hosts hosts of 8 vCPUs and 32 GiB, named
// s<switch>r<rack>h<host> (short, for readable expectations).
func layout(switches, racks, hosts int) []catalog.Host {
	var out []catalog.Host
	for s := 1; s <= switches; s++ {
		for r := 1; r <= racks; r++ {
			for h := 1; h <= hosts; h++ {
				out = append(out, catalog.Host{ID: fmt.Sprintf("s%dr%dh%d", s, r, h), ZoneID: "z",
					SwitchID: fmt.Sprintf("s%d", s), RackID: fmt.Sprintf("s%dr%d", s, r), VCPUs: 8, MemoryMiB: 32 * 1024})
			}
		}
	}
	return out
}

func ids(hosts []catalog.Host) string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.ID
	}
	return strings.Join(out, " ")
}

// g5large is one ecs.g5.large: 2 vCPUs, 8 GiB.
func g5large(hosts []catalog.Host, count int) Request {
	return Request{Hosts: hosts, VCPUs: 2, MemoryMiB: 8 * 1024, Count: count}
}

func policy(domain, granularity, strategy string) *Policy {
	return &Policy{Domain: domain, Granularity: granularity, Strategy: strategy}
}

func TestPlacementWithoutASetPacksHostAfterHost(t *testing.T) {
	got, err := Place(g5large(layout(1, 1, 3), 6))
	if err != nil {
		t.Fatal(err)
	}
	if want := "s1r1h1 s1r1h1 s1r1h1 s1r1h1 s1r1h2 s1r1h2"; ids(got) != want {
		t.Errorf("got %s, want %s", ids(got), want)
	}
}

func TestPlacementCountsWhatHostsAlreadyRunInCPUAndMemory(t *testing.T) {
	r := g5large(layout(1, 1, 3), 2)
	r.Usage = map[string]Usage{
		"s1r1h1": {VCPUs: 8, MemoryMiB: 0, Instances: 1},         // no vCPU left
		"s1r1h2": {VCPUs: 0, MemoryMiB: 30 * 1024, Instances: 1}, // 2 GiB left
	}
	got, err := Place(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s1r1h3 s1r1h3"; ids(got) != want {
		t.Errorf("got %s, want %s", ids(got), want)
	}
}

func TestPlacementFailsWithNoStockAndTakesWhatFitsAboveMin(t *testing.T) {
	hosts := layout(1, 1, 2) // room for 8 ecs.g5.large
	if _, err := Place(g5large(hosts, 9)); !errors.Is(err, ErrNoStock) {
		t.Fatalf("9 on 2 hosts of 4: %v, want ErrNoStock", err)
	}
	r := g5large(hosts, 9)
	r.Min = 8
	got, err := Place(r)
	if err != nil || len(got) != 8 {
		t.Fatalf("Min 8: %d hosts, %v", len(got), err)
	}
	r.Min = 9
	if _, err := Place(r); !errors.Is(err, ErrNoStock) {
		t.Fatalf("Min 9: %v", err)
	}
	big := g5large(hosts, 1)
	big.VCPUs = 16
	if _, err := Place(big); !errors.Is(err, ErrNoStock) {
		t.Fatalf("a type larger than any host: %v", err)
	}
}

func TestStrictDispersionPutsEveryInstanceInAUnitOfItsOwn(t *testing.T) {
	hosts := layout(2, 2, 2) // 8 hosts, 4 racks, 2 switches
	for _, c := range []struct {
		granularity string
		count       int
		members     []string
		want        string // "" for ErrNoStock
	}{
		{GranularityHost, 8, nil, "s1r1h1 s1r1h2 s1r2h1 s1r2h2 s2r1h1 s2r1h2 s2r2h1 s2r2h2"},
		{GranularityHost, 9, nil, ""},
		{GranularityHost, 2, []string{"s1r1h1", "s1r1h2"}, "s1r2h1 s1r2h2"},
		{GranularityHost, 7, []string{"s1r1h1"}, "s1r1h2 s1r2h1 s1r2h2 s2r1h1 s2r1h2 s2r2h1 s2r2h2"},
		{GranularityHost, 8, []string{"s1r1h1"}, ""},
		{GranularityRack, 4, nil, "s1r1h1 s1r2h1 s2r1h1 s2r2h1"},
		{GranularityRack, 5, nil, ""},
		{GranularityRack, 2, []string{"s1r1h2", "elsewhere"}, "s1r2h1 s2r1h1"},
		{GranularitySwitch, 2, nil, "s1r1h1 s2r1h1"},
		{GranularitySwitch, 3, nil, ""},
		{GranularitySwitch, 1, []string{"s2r2h2"}, "s1r1h1"},
	} {
		t.Run(fmt.Sprintf("%s/%d/%v", c.granularity, c.count, c.members), func(t *testing.T) {
			r := g5large(hosts, c.count)
			r.Set, r.Members = policy(DomainDefault, c.granularity, StrategyStrictDispersion), c.members
			got, err := Place(r)
			if c.want == "" {
				if !errors.Is(err, ErrNoStock) {
					t.Fatalf("got %s, %v; want ErrNoStock", ids(got), err)
				}
				return
			}
			if err != nil || ids(got) != c.want {
				t.Fatalf("got %s, %v; want %s", ids(got), err, c.want)
			}
		})
	}
}

func TestStrictDispersionSkipsHostsWithoutRoomAndAvailabilityIsStrictOverHosts(t *testing.T) {
	hosts := layout(1, 1, 3)
	usage := map[string]Usage{"s1r1h2": {VCPUs: 8, MemoryMiB: 32 * 1024, Instances: 4}} // full of other instances
	for _, p := range []*Policy{policy(DomainDefault, GranularityHost, StrategyStrictDispersion),
		{Strategy: StrategyAvailability}} {
		r := g5large(hosts, 2)
		r.Set, r.Usage = p, usage
		got, err := Place(r)
		if err != nil || ids(got) != "s1r1h1 s1r1h3" {
			t.Errorf("%+v: got %s, %v", p, ids(got), err)
		}
		r.Count = 3
		if _, err := Place(r); !errors.Is(err, ErrNoStock) {
			t.Errorf("%+v: 3 instances on 2 free hosts: %v", p, err)
		}
	}
}

func TestLooseDispersionSpreadsThenDoublesUp(t *testing.T) {
	r := g5large(layout(1, 1, 3), 5)
	r.Set, r.Members = policy(DomainDefault, GranularityHost, StrategyLooseDispersion), []string{"s1r1h1"}
	got, err := Place(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s1r1h2 s1r1h3 s1r1h1 s1r1h2 s1r1h3"; ids(got) != want {
		t.Errorf("got %s, want %s", ids(got), want)
	}
	// 12 fit in all (4 a host); the 13th does not.
	r.Count, r.Members = 13, nil
	if _, err := Place(r); !errors.Is(err, ErrNoStock) {
		t.Errorf("13 instances: %v", err)
	}
}

func TestLooseAggregationGathersBelowTheSetsSwitchThenSpills(t *testing.T) {
	r := g5large(layout(2, 1, 1), 6) // two switches of one host (4 instances each)
	r.Set, r.Members = policy(DomainDefault, GranularitySwitch, StrategyLooseAggregation), []string{"s2r1h1"}
	r.Usage = map[string]Usage{"s2r1h1": {VCPUs: 2, MemoryMiB: 8 * 1024, Instances: 1}} // the member
	got, err := Place(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s2r1h1 s2r1h1 s2r1h1 s1r1h1 s1r1h1 s1r1h1"; ids(got) != want {
		t.Errorf("got %s, want %s", ids(got), want)
	}
}

func TestStrictAggregationKeepsTheSetBelowOneSwitch(t *testing.T) {
	hosts := layout(2, 1, 2) // two switches of two hosts (8 instances each)
	r := g5large(hosts, 6)
	r.Set = policy(DomainDefault, GranularitySwitch, StrategyStrictAggregation)
	r.Usage = map[string]Usage{"s1r1h1": {VCPUs: 6, MemoryMiB: 6 * 1024, Instances: 1}} // switch 1 takes 5 more
	got, err := Place(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s2r1h1 s2r1h1 s2r1h1 s2r1h1 s2r1h2 s2r1h2"; ids(got) != want {
		t.Errorf("got %s, want %s: the first switch with room for all", ids(got), want)
	}
	// With members below switch 1, only switch 1: 5 fit, not 6.
	r.Members = []string{"s1r1h2"}
	if _, err := Place(r); !errors.Is(err, ErrNoStock) {
		t.Errorf("6 more below the members' full switch: %v", err)
	}
	r.Min = 5
	if got, err := Place(r); err != nil || len(got) != 5 || strings.Contains(ids(got), "s2") {
		t.Errorf("Min 5: got %s, %v", ids(got), err)
	}
}

func TestDomainSwitchDispersesWithinOneSwitch(t *testing.T) {
	hosts := layout(2, 2, 1) // two switches of two racks of one host
	r := g5large(hosts, 2)
	r.Set = policy(DomainSwitch, GranularityHost, StrategyStrictDispersion)
	got, err := Place(r)
	if err != nil || ids(got) != "s1r1h1 s1r2h1" {
		t.Fatalf("got %s, %v", ids(got), err)
	}
	r.Count = 3 // no switch has three hosts
	if _, err := Place(r); !errors.Is(err, ErrNoStock) {
		t.Fatalf("3 hosts below one switch of 2: %v", err)
	}
	r.Count, r.Members = 1, []string{"s2r1h1"}
	if got, err := Place(r); err != nil || ids(got) != "s2r2h1" {
		t.Fatalf("beside a member below switch 2: got %s, %v", ids(got), err)
	}
}

func TestPlacementDoesNotModifyItsInput(t *testing.T) {
	hosts := layout(1, 1, 2)
	before := slices.Clone(hosts)
	r := g5large(hosts, 3)
	r.Usage = map[string]Usage{"s1r1h1": {VCPUs: 2, MemoryMiB: 1024, Instances: 1}}
	if _, err := Place(r); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hosts, before) || r.Usage["s1r1h1"].VCPUs != 2 {
		t.Error("Place changed the hosts or the usage")
	}
}

// BenchmarkPlace100OnAFullDefaultZone measures RunInstances Amount=100 placing
// in a default zone (2048 hosts) of which 1500 hosts are full.
func BenchmarkPlace100OnAFullDefaultZone(b *testing.B) {
	c, err := catalog.NewDefault()
	if err != nil {
		b.Fatal(err)
	}
	hosts := c.ZoneHosts("cn-hangzhou-b")
	usage := map[string]Usage{}
	for _, h := range hosts[:1500] {
		usage[h.ID] = Usage{VCPUs: h.VCPUs, MemoryMiB: h.MemoryMiB, Instances: 64}
	}
	for _, p := range []*Policy{nil, policy(DomainDefault, GranularityHost, StrategyLooseDispersion),
		policy(DomainDefault, GranularityRack, StrategyStrictDispersion)} {
		name := "none"
		if p != nil {
			name = p.Granularity + "/" + p.Strategy
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				r := Request{Hosts: hosts, Usage: usage, VCPUs: 2, MemoryMiB: 8192, Count: 100, Set: p}
				if p != nil && p.Strategy == StrategyStrictDispersion {
					r.Count = 5 // 9 racks have hosts with room
				}
				if _, err := Place(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
