package guestnet

import (
	"fmt"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

// BenchmarkSyncOneVPC measures one reconciler pass over a VPC of 50
// instances on 2 VSwitches in 10 security groups (each instance in two; 5
// rules per group, one naming a peer group), on SQLite: what polling every
// 250 ms costs: "unchanged" is the steady state (store reads and a
// comparison with the ruleset applied last), "changed" a pass that hands the
// plane a new ruleset (the fake plane renders it, as the real one does).
func BenchmarkSyncOneVPC(b *testing.B) {
	b.Run("unchanged", func(b *testing.B) { benchSync(b, false) })
	b.Run("changed", func(b *testing.B) { benchSync(b, true) })
}

// benchSync times passes; with changed, every pass applies (and so renders)
// the ruleset as if something had changed.
func benchSync(b *testing.B, changed bool) {
	w := benchWorld(b)
	plane := newFakePlane("vpc-bench")
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	if err := r.Sync(b.Context()); err != nil {
		b.Fatal(err)
	}
	if rs := plane.last(b, "vpc-bench"); len(rs.Bridges) != 2 || len(rs.Groups) != 10 {
		b.Fatalf("ruleset: %d bridges, %d groups", len(rs.Bridges), len(rs.Groups))
	}
	b.ResetTimer()
	for b.Loop() {
		if err := r.Sync(b.Context()); err != nil {
			b.Fatal(err)
		}
		plane.applied["vpc-bench"] = plane.applied["vpc-bench"][:0]
		if changed {
			r.vpcs["vpc-bench"].applied = nil
		}
	}
}

// benchWorld builds the benchmark's VPC.
func benchWorld(tb testing.TB) *world {
	w := newWorld(tb)
	w.vpc("vpc-bench", "10.0.0.0/8", map[string]string{"vsw-1": "10.1.0.0/16", "vsw-2": "10.2.0.0/16"})
	for g := range 10 {
		var rules []store.SecurityGroupRule
		for r := range 4 {
			rules = append(rules, store.SecurityGroupRule{ID: fmt.Sprintf("sgr-%d-%d", g, r), Direction: "ingress",
				IPProtocol: "tcp", PortRange: fmt.Sprintf("%d/%d", 1000+r, 1000+r), SourceCidrIP: "10.0.0.0/8", Priority: 1 + r})
		}
		rules = append(rules, store.SecurityGroupRule{ID: fmt.Sprintf("sgr-%d-peer", g), Direction: "ingress", IPProtocol: "tcp",
			PortRange: "22/22", PeerGroupID: fmt.Sprintf("sg-%d", (g+1)%10), PeerAccountID: acct})
		w.group(fmt.Sprintf("sg-%d", g), "vpc-bench", "Accept", rules...)
	}
	for i := range 50 {
		vsw, ip := "vsw-1", fmt.Sprintf("10.1.0.%d", 10+i)
		if i%2 == 1 {
			vsw, ip = "vsw-2", fmt.Sprintf("10.2.0.%d", 10+i)
		}
		w.instance(fmt.Sprintf("i-%03d", i), "vpc-bench", vsw, ip, fmt.Sprintf("00:16:3e:00:01:%02x", i),
			fmt.Sprintf("sg-%d", i%10), fmt.Sprintf("sg-%d", (i+3)%10))
	}
	return w
}
