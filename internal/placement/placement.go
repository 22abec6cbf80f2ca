// Package placement chooses the simulated hosts new instances run on: the
// capacity model behind RunInstances and CreateInstance, and the strategies of
// deployment sets (guide 1.6). It is pure: the caller reads the hosts of a zone
// (catalog), what they already run and where a deployment set's instances are
// (store), and records the answer in the transaction that creates the
// instances.
//
// Without a deployment set instances are packed first-fit, host after host in
// layout order. A deployment set's Granularity names the unit its strategy
// counts instances in (a host, a rack or a switch):
//
//   - StrictDispersion: every instance of the set in a unit of its own; no
//     room in a fresh unit is a failure.
//   - LooseDispersion: the unit with the fewest of the set's instances first.
//   - LooseAggregation: the unit with the most of the set's instances first.
//   - StrictAggregation: all the set's instances below one switch.
//
// Domain Switch keeps all the set's instances below one switch as well. Ties go
// to the first unit in layout order.
package placement

import (
	"errors"

	"github.com/ecsd/ecsd/internal/catalog"
)

// Deployment domains, granularities and strategies, spelled as the guide spells
// them (1.6.1).
const (
	DomainDefault = "Default"
	DomainSwitch  = "Switch"

	GranularityHost   = "Host"
	GranularityRack   = "Rack"
	GranularitySwitch = "Switch"

	StrategyLooseDispersion   = "LooseDispersion"
	StrategyLooseAggregation  = "LooseAggregation"
	StrategyStrictAggregation = "StrictAggregation"
	StrategyStrictDispersion  = "StrictDispersion"
	// StrategyAvailability is the strategy of newer APIs and of Terraform's
	// deployment sets: every instance on a host of its own, as StrictDispersion
	// with Host granularity.
	StrategyAvailability = "Availability"
)

// ErrNoStock says that the hosts cannot take the instances asked for, under the
// deployment set's rules if there is one.
var ErrNoStock = errors.New("placement: no host has room")

// Policy is a deployment set's placement rules, in canonical spelling.
type Policy struct {
	Domain      string
	Granularity string
	Strategy    string
}

// effective returns the rules Place applies: Availability is StrictDispersion
// over hosts.
func (p Policy) effective() Policy {
	if p.Strategy == StrategyAvailability {
		return Policy{Domain: p.Domain, Granularity: GranularityHost, Strategy: StrategyStrictDispersion}
	}
	return p
}

// Usage is what a host already runs.
type Usage struct {
	VCPUs     int
	MemoryMiB int
	Instances int
}

// Request asks for hosts for Count instances of one type in one zone.
type Request struct {
	// Hosts are the zone's hosts in layout order (catalog.ZoneHosts).
	Hosts []catalog.Host
	// Usage is what each host already runs, by host ID; absent hosts run nothing.
	Usage map[string]Usage
	// VCPUs and MemoryMiB are what one instance takes.
	VCPUs     int
	MemoryMiB int
	// Count instances are wanted, at least Min of them (Min ≤ Count; 0 means Count).
	Count int
	Min   int
	// Set is the deployment set's policy; nil places without one.
	Set *Policy
	// Members are the hosts of the set's instances already placed, one entry
	// an instance; hosts outside Hosts are ignored.
	Members []string
}

// Place chooses a host for each of up to r.Count instances, as many as fit, in
// order: the instance i runs on the i-th host answered (a host may come more
// than once). Fewer than r.Min is ErrNoStock.
func Place(r Request) ([]catalog.Host, error) {
	need := r.Min
	if need <= 0 || need > r.Count {
		need = r.Count
	}
	z := newZone(r)
	var picked []int
	if r.Set == nil {
		picked = z.firstFit(r.Count)
	} else {
		picked = z.placeSet(r.Set.effective(), r.Count, r.Members)
	}
	if len(picked) < need {
		return nil, ErrNoStock
	}
	out := make([]catalog.Host, len(picked))
	for i, h := range picked {
		out[i] = r.Hosts[h]
	}
	return out, nil
}

// zone is the hosts of a request with what each has left.
type zone struct {
	hosts    []catalog.Host
	freeCPU  []int
	freeMem  []int
	cpu, mem int
	// index (host ID → position), switchOfHost (host → switch number) and
	// switches are set for deployment sets only.
	index        map[string]int
	switchOfHost []int
	switches     int
}

func newZone(r Request) *zone {
	z := &zone{hosts: r.Hosts, freeCPU: make([]int, len(r.Hosts)), freeMem: make([]int, len(r.Hosts)),
		cpu: r.VCPUs, mem: r.MemoryMiB}
	for i, h := range r.Hosts {
		u := r.Usage[h.ID]
		z.freeCPU[i], z.freeMem[i] = h.VCPUs-u.VCPUs, h.MemoryMiB-u.MemoryMiB
	}
	if r.Set == nil {
		return z
	}
	z.index, z.switchOfHost = make(map[string]int, len(r.Hosts)), make([]int, len(r.Hosts))
	switchNo := map[string]int{}
	for i, h := range r.Hosts {
		z.index[h.ID] = i
		n, ok := switchNo[h.SwitchID]
		if !ok {
			n = len(switchNo)
			switchNo[h.SwitchID] = n
		}
		z.switchOfHost[i] = n
	}
	z.switches = len(switchNo)
	return z
}

func (z *zone) fits(i int) bool { return z.freeCPU[i] >= z.cpu && z.freeMem[i] >= z.mem }

func (z *zone) take(i int) {
	z.freeCPU[i] -= z.cpu
	z.freeMem[i] -= z.mem
}

// firstFit packs up to n instances host after host.
func (z *zone) firstFit(n int) []int {
	out := make([]int, 0, n)
	for i := 0; i < len(z.hosts) && len(out) < n; {
		if !z.fits(i) {
			i++
			continue
		}
		z.take(i)
		out = append(out, i)
	}
	return out
}

// units numbers the units of a granularity and maps each host to its unit.
func (z *zone) units(granularity string) (unitOfHost []int, units int) {
	unitOfHost = make([]int, len(z.hosts))
	if granularity == GranularitySwitch {
		copy(unitOfHost, z.switchOfHost)
		return unitOfHost, z.switches
	}
	key := func(h catalog.Host) string { return h.ID }
	if granularity == GranularityRack {
		key = func(h catalog.Host) string { return h.RackID }
	}
	seen := map[string]int{}
	for i, h := range z.hosts {
		n, ok := seen[key(h)]
		if !ok {
			n = len(seen)
			seen[key(h)] = n
		}
		unitOfHost[i] = n
	}
	return unitOfHost, len(seen)
}

// placeSet places up to n instances of a deployment set whose instances run on
// members. Sets confined to one switch try each allowed switch and keep the
// first that takes all n, else the one that takes most.
func (z *zone) placeSet(p Policy, n int, members []string) []int {
	unitOfHost, units := z.units(p.Granularity)
	counts := make([]int, units)
	memberSwitch := -1
	for _, id := range members {
		if i, ok := z.index[id]; ok {
			counts[unitOfHost[i]]++
			if memberSwitch < 0 {
				memberSwitch = z.switchOfHost[i]
			}
		}
	}
	if p.Domain != DomainSwitch && p.Strategy != StrategyStrictAggregation {
		return z.greedy(p.Strategy, n, unitOfHost, counts, -1)
	}
	allowed := []int{memberSwitch}
	if memberSwitch < 0 {
		allowed = make([]int, z.switches)
		for s := range allowed {
			allowed[s] = s
		}
	}
	var best []int
	var bestCPU, bestMem []int
	cpu0, mem0 := append([]int(nil), z.freeCPU...), append([]int(nil), z.freeMem...)
	for _, s := range allowed {
		copy(z.freeCPU, cpu0)
		copy(z.freeMem, mem0)
		got := z.greedy(p.Strategy, n, unitOfHost, append([]int(nil), counts...), s)
		if len(got) > len(best) || best == nil {
			best, bestCPU, bestMem = got, append([]int(nil), z.freeCPU...), append([]int(nil), z.freeMem...)
		}
		if len(got) == n {
			break
		}
	}
	if bestCPU != nil {
		z.freeCPU, z.freeMem = bestCPU, bestMem
	}
	return best
}

// greedy places up to n instances one by one, each in the best unit the
// strategy allows that has a host with room (within switch onlySwitch unless
// it is negative), on that unit's first such host.
func (z *zone) greedy(strategy string, n int, unitOfHost, counts []int, onlySwitch int) []int {
	out := make([]int, 0, n)
	for len(out) < n {
		best := -1
		for i := range z.hosts {
			if onlySwitch >= 0 && z.switchOfHost[i] != onlySwitch || !z.fits(i) {
				continue
			}
			c := counts[unitOfHost[i]]
			switch strategy {
			case StrategyStrictDispersion:
				if c > 0 {
					continue
				}
			case StrategyLooseAggregation, StrategyStrictAggregation:
				if best >= 0 && c <= counts[unitOfHost[best]] {
					continue
				}
			default: // LooseDispersion
				if best >= 0 && c >= counts[unitOfHost[best]] {
					continue
				}
			}
			best = i
			if c == 0 && strategy != StrategyLooseAggregation && strategy != StrategyStrictAggregation {
				break // no unit has fewer than none
			}
		}
		if best < 0 {
			break
		}
		z.take(best)
		counts[unitOfHost[best]]++
		out = append(out, best)
	}
	return out
}
