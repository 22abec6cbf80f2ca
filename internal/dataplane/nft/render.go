package nft

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// Table is the name of ecsd's tables, in the bridge and the inet family.
const Table = "ecsd"

// Mark layout: the interface a packet came from in the high 16 bits, the
// one it goes to in the low 16 bits; 0 is "not an interface" (the bridge
// itself, an uplink).
const (
	fromMask = 0xffff0000
	toMask   = 0x0000ffff
)

func fromMark(i int) string { return fmt.Sprintf("0x%08x", i<<16) }
func toMark(i int) string   { return fmt.Sprintf("0x%08x", i) }

// port is an interface with its index in the ruleset (1-based, the order of
// the bridges and their interfaces).
type port struct {
	Interface
	bridge string
	index  int
}

// Render validates the ruleset and answers the nft script that replaces
// ecsd's tables with it, atomically (`nft -f -` applies a file as one
// transaction: the tables are declared, deleted and defined again, so the
// script works whether or not they exist, and a failing script changes
// nothing).
func Render(rs Ruleset) (string, error) {
	if err := rs.Validate(); err != nil {
		return "", err
	}
	var ports []port
	for _, b := range rs.Bridges {
		for _, ifc := range b.Interfaces {
			ports = append(ports, port{Interface: ifc, bridge: b.Name, index: len(ports) + 1})
		}
	}
	w := &writer{}
	w.line("# ecsd security groups (generated; do not edit)")
	for _, fam := range []string{"bridge", "inet"} {
		w.line("table %s %s", fam, Table)
		w.line("delete table %s %s", fam, Table)
	}
	w.line("")
	renderBridge(w, ports)
	w.line("")
	renderInet(w, rs, ports)
	return w.String(), nil
}

// renderBridge writes the bridge table: anti-spoofing per tap, and the
// from/to marks the inet table filters on.
func renderBridge(w *writer, ports []port) {
	w.line("table bridge %s {", Table)
	w.line("\tchain prerouting {")
	w.line("\t\ttype filter hook prerouting priority -200; policy accept;")
	for _, p := range ports {
		w.line("\t\tiifname %q jump from_%d", p.Tap, p.index)
	}
	// The only bridge ports are guests' taps: a tap the ruleset does not list
	// (just plugged, not yet reconciled) sends nothing.
	w.line("\t\tdrop")
	w.line("\t}")
	w.line("\tchain forward {")
	w.line("\t\ttype filter hook forward priority -200; policy accept;")
	for _, p := range ports {
		w.line("\t\toifname %q meta mark set meta mark or %s", p.Tap, toMark(p.index))
	}
	w.line("\t}")
	for _, p := range ports {
		mark := fromMark(p.index)
		w.line("\tchain from_%d {", p.index)
		w.line("\t\t# %s %s on %s: %s %s", orDash(p.ID), p.Tap, p.bridge, p.MAC, p.IP)
		w.line("\t\tether saddr != %s drop", p.MAC)
		w.line("\t\tether type arp arp saddr ether != %s drop", p.MAC)
		w.line("\t\tether type arp arp saddr ip != { 0.0.0.0, %s } drop", p.IP)
		w.line("\t\tether type arp meta mark set %s accept", mark)
		w.line("\t\tether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 meta mark set %s accept", mark)
		w.line("\t\tether type ip ip saddr != %s drop", p.IP)
		w.line("\t\tether type ip meta mark set %s accept", mark)
		w.line("\t\tdrop")
		w.line("\t}")
	}
	w.line("}")
}

// renderInet writes the inet table: stateful filtering of forwarded
// traffic by the interfaces' groups, and what guests may reach on the host
// side of the bridge (DHCP, the metadata service, ping to the gateway).
func renderInet(w *writer, rs Ruleset, ports []port) {
	w.line("table inet %s {", Table)
	w.line("\tchain forward {")
	w.line("\t\ttype filter hook forward priority 0; policy accept;")
	w.line("\t\tct state established,related accept")
	w.line("\t\tct state invalid drop")
	if len(ports) > 0 {
		var from, to []string
		for _, p := range ports {
			from = append(from, fmt.Sprintf("%s : jump egress_%d", fromMark(p.index), p.index))
			to = append(to, fmt.Sprintf("%s : jump ingress_%d", toMark(p.index), p.index))
		}
		w.line("\t\tmeta mark and 0x%08x vmap { %s }", fromMask, strings.Join(from, ", "))
		w.line("\t\tmeta mark and 0x%08x vmap { %s }", toMask, strings.Join(to, ", "))
		// Traffic routed from one bridge to another (two VSwitches of the VPC)
		// leaves through the bridge's output path, not its forward hook, so it
		// carries no "to" mark; the destination address names the interface
		// (addresses are unique in a VPC, and anti-spoofing keeps them honest).
		var dst []string
		for _, p := range ports {
			dst = append(dst, fmt.Sprintf("%s : jump ingress_%d", p.IP, p.index))
		}
		w.line("\t\tmeta mark and 0x%08x == 0x00000000 ip daddr vmap { %s }", toMask, strings.Join(dst, ", "))
	}
	w.line("\t}")
	w.line("\tchain input {")
	w.line("\t\ttype filter hook input priority 0; policy accept;")
	w.line("\t\tmeta mark and 0x%08x == 0x00000000 accept", fromMask)
	w.line("\t\tct state established,related accept")
	w.line("\t\tct state invalid drop")
	w.line("\t\tudp sport 68 udp dport 67 accept")
	w.line("\t\tip daddr %s tcp dport 80 accept", MetadataIP)
	w.line("\t\ticmp type echo-request accept")
	w.line("\t\tdrop")
	w.line("\t}")
	for _, p := range ports {
		renderDirection(w, rs, p, Egress)
		renderDirection(w, rs, p, Ingress)
	}
	w.line("}")
}

// applied is a rule of one of an interface's groups.
type applied struct {
	Rule
	group string
	order int
}

// renderDirection writes the chain of one interface and direction: inner
// access of its Accept groups first (the guide: members stay connected
// whatever the rules say), then the rules of all its groups by priority,
// drop before accept at the same priority, then the default (ingress drop,
// egress accept). In the egress chain an accept is a return, so that the
// destination's ingress chain still decides.
func renderDirection(w *writer, rs Ruleset, p port, dir string) {
	accept := "accept"
	if dir == Egress {
		accept = "return"
	}
	peerField, localField := "saddr", "daddr"
	if dir == Egress {
		peerField, localField = "daddr", "saddr"
	}
	w.line("\tchain %s_%d {", dir, p.index)
	w.line("\t\t# %s %s %s groups %s", dir, orDash(p.ID), p.IP, orDash(strings.Join(p.GroupIDs, ",")))
	for _, gid := range p.GroupIDs {
		g := rs.Groups[gid]
		if !strings.EqualFold(g.InnerAccessPolicy, Accept) {
			continue
		}
		if set := addrSet(g.Members); set != "" {
			w.line("\t\tip %s %s %s comment %q", peerField, set, accept, gid+" inner access")
		}
	}
	var rules []applied
	for _, gid := range p.GroupIDs {
		for _, r := range rs.Groups[gid].Rules {
			if !strings.EqualFold(r.Direction, dir) || !nicTypeApplies(r.NicType, p.NicType) {
				continue
			}
			rules = append(rules, applied{Rule: r, group: gid, order: len(rules)})
		}
	}
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Priority != rules[j].Priority {
			return rules[i].Priority < rules[j].Priority
		}
		return isDrop(rules[i].Policy) && !isDrop(rules[j].Policy)
	})
	for _, r := range rules {
		m, _ := compileRule(r.Rule) // Validate checked it
		var parts []string
		if m.local != "" {
			parts = append(parts, fmt.Sprintf("ip %s %s", localField, m.local))
		}
		switch {
		case m.peerGrp != "":
			set := addrSet(rs.Groups[m.peerGrp].Members)
			if set == "" {
				w.line("\t\t# %s %s: peer group %s has no members here", r.group, orDash(r.ID), m.peerGrp)
				continue
			}
			parts = append(parts, fmt.Sprintf("ip %s %s", peerField, set))
		case m.peer == "0.0.0.0/0":
			parts = append(parts, "meta nfproto ipv4")
		default:
			parts = append(parts, fmt.Sprintf("ip %s %s", peerField, m.peer))
		}
		switch {
		case m.proto == "":
		case m.sports == "" && m.dports == "":
			parts = append(parts, "meta l4proto "+m.proto)
		default:
			if m.sports != "" {
				parts = append(parts, fmt.Sprintf("%s sport %s", m.proto, m.sports))
			}
			if m.dports != "" {
				parts = append(parts, fmt.Sprintf("%s dport %s", m.proto, m.dports))
			}
		}
		verdict := accept
		if isDrop(r.Policy) {
			verdict = "drop"
		}
		parts = append(parts, verdict, fmt.Sprintf("comment %q", strings.TrimSpace(r.group+" "+r.ID)))
		w.line("\t\t%s", strings.Join(parts, " "))
	}
	if dir == Egress {
		w.line("\t\treturn")
	} else {
		w.line("\t\tdrop")
	}
	w.line("\t}")
}

func isDrop(policy string) bool { return strings.EqualFold(policy, Drop) }

func nicTypeApplies(rule, ifc string) bool {
	if rule == "" {
		return true
	}
	if ifc == "" {
		ifc = Intranet
	}
	return strings.EqualFold(rule, ifc)
}

// addrSet renders IPv4 addresses as an nft anonymous set, sorted and
// without repeats; "" when there are none.
func addrSet(addrs []netip.Addr) string {
	var v4 []netip.Addr
	for _, a := range addrs {
		if a.Is4() {
			v4 = append(v4, a)
		}
	}
	if len(v4) == 0 {
		return ""
	}
	slices.SortFunc(v4, netip.Addr.Compare)
	v4 = slices.Compact(v4)
	s := make([]string, len(v4))
	for i, a := range v4 {
		s[i] = a.String()
	}
	return "{ " + strings.Join(s, ", ") + " }"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type writer struct{ b strings.Builder }

func (w *writer) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

func (w *writer) String() string { return w.b.String() }
