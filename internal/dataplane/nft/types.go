// Package nft renders security groups to an nftables ruleset.
//
// The input is plain data (the data plane reads it from the store): the
// bridges of one network namespace, each with its network interfaces (tap
// name, MAC, private IP, security groups), and the groups with their rules
// and members. Render answers a complete `nft -f -` script that replaces
// ecsd's two tables (`table bridge ecsd` and `table inet ecsd`) in one
// transaction.
//
// Why two tables (docs/security-groups.md, "On real VMs"): the bridge family
// sees the tap a frame enters or leaves by, but has no conntrack on these
// hosts (no NF_CONNTRACK_BRIDGE); the inet family has conntrack through
// br_netfilter but sees only the bridge as the interface. So the bridge
// table checks anti-spoofing and marks each packet with the index of the
// interface it came from (high 16 bits) and goes to (low 16 bits), and the
// inet table filters statefully on those marks.
package nft

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Directions of a rule.
const (
	Ingress = "ingress"
	Egress  = "egress"
)

// Policies of a rule and of a group's inner access.
const (
	Accept = "accept"
	Drop   = "drop"
)

// NIC types.
const (
	Intranet = "intranet"
	Internet = "internet"
)

// MetadataIP is the address of the instance metadata service in every guest's network.
var MetadataIP = netip.MustParseAddr("100.100.100.200")

// Ruleset is what one network namespace of the data plane enforces.
type Ruleset struct {
	Bridges []Bridge
	// Groups holds every group an interface belongs to and every group a
	// rule names as its peer, by ID.
	Groups map[string]Group
}

// Bridge is one Linux bridge (a VSwitch) and the interfaces plugged into it.
type Bridge struct {
	Name string
	// GatewayIP is the bridge's own address: the guests' gateway and DHCP
	// server. Invalid (zero) when the bridge has none.
	GatewayIP  netip.Addr
	Interfaces []Interface
}

// Interface is a network interface of a guest: its tap on the bridge.
type Interface struct {
	// ID is the interface's ID (eni-…), used in comments only.
	ID  string
	Tap string
	// MAC is the guest's MAC address, lower-case colon form.
	MAC string
	IP  netip.Addr
	// GroupIDs are its security groups, in order.
	GroupIDs []string
	// NicType is intranet (default) or internet; rules of the other NIC
	// type do not apply to it.
	NicType string
}

// Group is a security group.
type Group struct {
	ID string
	// InnerAccessPolicy is Accept (members reach each other whatever the
	// rules say) or Drop (the rules alone decide); any case.
	InnerAccessPolicy string
	Rules             []Rule
	// Members are the private IPs of every interface in the group,
	// wherever it runs.
	Members []netip.Addr
}

// Rule is one security group rule as the API records it.
type Rule struct {
	ID         string
	Direction  string
	IPProtocol string
	// PortRange and SourcePortRange are "from/to" or "-1/-1"; SourcePortRange may be empty.
	PortRange       string
	SourcePortRange string
	Policy          string
	Priority        int
	NicType         string
	// SourceCidrIP and DestCidrIP are IPv4 blocks or addresses, as written.
	SourceCidrIP string
	DestCidrIP   string
	// PeerGroupID is the source (ingress) or destination (egress) group,
	// used when the peer CIDR block is empty.
	PeerGroupID string
}

var (
	tapRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)
	macRE = regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2}){5}$`)
	// words that may appear in comments and bridge names
	safeRE = regexp.MustCompile(`^[A-Za-z0-9_.:/-]*$`)
)

// maxInterfaces is how many interfaces one ruleset marks (16 bits each way, 0 = none).
const maxInterfaces = 0xffff

// Validate checks that the ruleset can be rendered safely: names that
// cannot break out of the script, well-formed MACs and addresses, unique
// taps. Rules that are malformed are reported too; Render never guesses.
func (rs Ruleset) Validate() error {
	taps := map[string]bool{}
	n := 0
	for _, b := range rs.Bridges {
		if !tapRE.MatchString(b.Name) {
			return fmt.Errorf("nft: bridge name %q", b.Name)
		}
		if b.GatewayIP.IsValid() && !b.GatewayIP.Is4() {
			return fmt.Errorf("nft: bridge %s: gateway %s is not IPv4", b.Name, b.GatewayIP)
		}
		for _, ifc := range b.Interfaces {
			n++
			if !tapRE.MatchString(ifc.Tap) {
				return fmt.Errorf("nft: tap name %q", ifc.Tap)
			}
			if taps[ifc.Tap] {
				return fmt.Errorf("nft: tap %s plugged twice", ifc.Tap)
			}
			taps[ifc.Tap] = true
			if !macRE.MatchString(ifc.MAC) {
				return fmt.Errorf("nft: %s: MAC %q (lower-case aa:bb:cc:dd:ee:ff)", ifc.Tap, ifc.MAC)
			}
			if !ifc.IP.Is4() {
				return fmt.Errorf("nft: %s: IP %s is not IPv4", ifc.Tap, ifc.IP)
			}
			if !safeRE.MatchString(ifc.ID) {
				return fmt.Errorf("nft: %s: interface ID %q", ifc.Tap, ifc.ID)
			}
			for _, g := range ifc.GroupIDs {
				if _, ok := rs.Groups[g]; !ok {
					return fmt.Errorf("nft: %s: group %s not in the ruleset", ifc.Tap, g)
				}
			}
		}
	}
	if n > maxInterfaces {
		return fmt.Errorf("nft: %d interfaces, at most %d", n, maxInterfaces)
	}
	for id, g := range rs.Groups {
		if !safeRE.MatchString(id) {
			return fmt.Errorf("nft: group ID %q", id)
		}
		for _, r := range g.Rules {
			if _, err := compileRule(r); err != nil {
				return fmt.Errorf("nft: group %s rule %s: %w", id, r.ID, err)
			}
		}
	}
	return nil
}

// matcher is a rule turned into nft match expressions, without the peer.
type matcher struct {
	proto   string // "", "tcp", "udp", "icmp", "gre"
	dports  string // nft range "22" / "1-1024", "" for any
	sports  string
	local   string // canonical CIDR narrowing the interface's side, "" for any
	peer    string // canonical CIDR of the peer, "" when the peer is a group
	peerGrp string
}

func compileRule(r Rule) (matcher, error) {
	var m matcher
	switch d := strings.ToLower(r.Direction); d {
	case Ingress, Egress:
	default:
		return m, fmt.Errorf("direction %q", r.Direction)
	}
	switch p := strings.ToLower(r.Policy); p {
	case Accept, Drop, "":
	default:
		return m, fmt.Errorf("policy %q", r.Policy)
	}
	if r.Priority < 1 || r.Priority > 100 {
		return m, fmt.Errorf("priority %d outside 1-100", r.Priority)
	}
	if !safeRE.MatchString(r.ID) {
		return m, fmt.Errorf("rule ID %q", r.ID)
	}
	proto := strings.ToLower(r.IPProtocol)
	switch proto {
	case "tcp", "udp":
		m.proto = proto
		var err error
		if m.dports, err = portRange(r.PortRange, false); err != nil {
			return m, err
		}
		if r.SourcePortRange != "" {
			if m.sports, err = portRange(r.SourcePortRange, false); err != nil {
				return m, err
			}
		}
	case "icmp", "gre", "all":
		if proto != "all" {
			m.proto = proto
		}
		if _, err := portRange(r.PortRange, true); err != nil {
			return m, err
		}
	default:
		return m, fmt.Errorf("protocol %q", r.IPProtocol)
	}
	peerCIDR, localCIDR := r.SourceCidrIP, r.DestCidrIP
	if strings.ToLower(r.Direction) == Egress {
		peerCIDR, localCIDR = r.DestCidrIP, r.SourceCidrIP
	}
	var err error
	if m.local, err = cidr(localCIDR); err != nil {
		return m, err
	}
	if peerCIDR != "" {
		if m.peer, err = cidr(peerCIDR); err != nil {
			return m, err
		}
		if m.peer == "" {
			m.peer = "0.0.0.0/0"
		}
	} else if r.PeerGroupID != "" {
		if !safeRE.MatchString(r.PeerGroupID) {
			return m, fmt.Errorf("peer group %q", r.PeerGroupID)
		}
		m.peerGrp = r.PeerGroupID
	} else {
		return m, fmt.Errorf("no peer")
	}
	return m, nil
}

// portRange turns "a/b" into nft's "a" or "a-b"; "" for the whole range.
func portRange(s string, minusOneOnly bool) (string, error) {
	if minusOneOnly {
		if s != "-1/-1" && s != "" {
			return "", fmt.Errorf("port range %q for a protocol without ports", s)
		}
		return "", nil
	}
	var from, to int
	if _, err := fmt.Sscanf(s, "%d/%d", &from, &to); err != nil || fmt.Sprintf("%d/%d", from, to) != s {
		return "", fmt.Errorf("port range %q", s)
	}
	if from < 1 || to > 65535 || from > to {
		return "", fmt.Errorf("port range %q", s)
	}
	switch {
	case from == 1 && to == 65535:
		return "", nil
	case from == to:
		return fmt.Sprint(from), nil
	}
	return fmt.Sprintf("%d-%d", from, to), nil
}

// cidr canonicalizes an IPv4 block or address ("10.159.6.18/12" →
// "10.144.0.0/12"); "" for none. 0.0.0.0/0 answers "".
func cidr(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return "", fmt.Errorf("CIDR block %q", s)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", fmt.Errorf("CIDR block %q", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if !p.Addr().Is4() {
		return "", fmt.Errorf("CIDR block %q is not IPv4", s)
	}
	p = p.Masked()
	if p.Bits() == 0 {
		return "", nil
	}
	if p.Bits() == 32 {
		return p.Addr().String(), nil
	}
	return p.String(), nil
}

// Gateway is the address of a VSwitch block that the data plane gives its
// bridge: the guests' default gateway and DHCP server. As on Alibaba Cloud it
// is the third address from the end (192.168.1.253 in 192.168.1.0/24), one of
// the four addresses of every block the control plane never hands out (the
// first and the last three).
func Gateway(block netip.Prefix) netip.Addr {
	if !block.Addr().Is4() || block.Bits() > 30 {
		return netip.Addr{}
	}
	base := block.Masked().Addr().As4()
	n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	last := n | (1<<(32-block.Bits()) - 1)
	g := last - 2
	return netip.AddrFrom4([4]byte{byte(g >> 24), byte(g >> 16), byte(g >> 8), byte(g)})
}
