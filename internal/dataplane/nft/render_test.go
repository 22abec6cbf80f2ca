package nft

import (
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// chainBody returns the lines of one chain of the rendered script.
func chainBody(t *testing.T, script, chain string) []string {
	t.Helper()
	start := strings.Index(script, "\tchain "+chain+" {\n")
	if start < 0 {
		t.Fatalf("no chain %s in\n%s", chain, script)
	}
	rest := script[start+len("\tchain "+chain+" {\n"):]
	end := strings.Index(rest, "\n\t}\n")
	var out []string
	for _, l := range strings.Split(rest[:end], "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

func render(t *testing.T, rs Ruleset) string {
	t.Helper()
	s, err := Render(rs)
	if err != nil {
		t.Fatal(err)
	}
	nftCheck(t, s)
	return s
}

// nftCheck runs `nft -c -f -` on the script when nft is installed and the
// test runs as root: check mode parses and validates against the kernel
// without changing anything.
func nftCheck(t *testing.T, script string) {
	t.Helper()
	path, err := exec.LookPath("nft")
	if err != nil || os.Geteuid() != 0 {
		return
	}
	cmd := exec.Command(path, "-c", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft -c: %v\n%s\nscript:\n%s", err, out, script)
	}
}

func TestRenderGoldenOneInterface(t *testing.T) {
	rs := Ruleset{
		Bridges: []Bridge{{Name: "br0", GatewayIP: netip.MustParseAddr("10.0.0.1"), Interfaces: []Interface{
			{ID: "eni-a", Tap: "tap0", MAC: "52:54:00:aa:bb:cc", IP: netip.MustParseAddr("10.0.0.5"), GroupIDs: []string{"sg-1"}},
		}}},
		Groups: map[string]Group{"sg-1": {ID: "sg-1", InnerAccessPolicy: "Drop", Rules: []Rule{
			{ID: "sgr-1", Direction: "ingress", IPProtocol: "udp", PortRange: "53/53", SourcePortRange: "1024/65535", Policy: "accept", Priority: 1, NicType: "intranet", SourceCidrIP: "10.0.0.0/24"},
			{ID: "sgr-2", Direction: "ingress", IPProtocol: "icmp", PortRange: "-1/-1", Policy: "accept", Priority: 1, SourceCidrIP: "10.0.0.9"},
		}}},
	}
	got := render(t, rs)
	want := `# ecsd security groups (generated; do not edit)
table bridge ecsd
delete table bridge ecsd
table inet ecsd
delete table inet ecsd

table bridge ecsd {
	chain prerouting {
		type filter hook prerouting priority -200; policy accept;
		iifname "tap0" jump from_1
		drop
	}
	chain forward {
		type filter hook forward priority -200; policy accept;
		oifname "tap0" meta mark set meta mark or 0x00000001
	}
	chain from_1 {
		# eni-a tap0 on br0: 52:54:00:aa:bb:cc 10.0.0.5
		ether saddr != 52:54:00:aa:bb:cc drop
		ether type arp arp saddr ether != 52:54:00:aa:bb:cc drop
		ether type arp arp saddr ip != { 0.0.0.0, 10.0.0.5 } drop
		ether type arp meta mark set 0x00010000 accept
		ether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 meta mark set 0x00010000 accept
		ether type ip ip saddr != 10.0.0.5 drop
		ether type ip meta mark set 0x00010000 accept
		drop
	}
}

table inet ecsd {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state established,related accept
		ct state invalid drop
		meta mark and 0xffff0000 vmap { 0x00010000 : jump egress_1 }
		meta mark and 0x0000ffff vmap { 0x00000001 : jump ingress_1 }
		meta mark and 0x0000ffff == 0x00000000 ip daddr vmap { 10.0.0.5 : jump ingress_1 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		meta mark and 0xffff0000 == 0x00000000 accept
		ct state established,related accept
		ct state invalid drop
		udp sport 68 udp dport 67 accept
		ip daddr 100.100.100.200 tcp dport 80 accept
		icmp type echo-request accept
		drop
	}
	chain egress_1 {
		# egress eni-a 10.0.0.5 groups sg-1
		return
	}
	chain ingress_1 {
		# ingress eni-a 10.0.0.5 groups sg-1
		ip saddr 10.0.0.0/24 udp sport 1024-65535 udp dport 53 accept comment "sg-1 sgr-1"
		ip saddr 10.0.0.9 meta l4proto icmp accept comment "sg-1 sgr-2"
		drop
	}
}
`
	if got != want {
		t.Errorf("script differs.\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderEmptyRulesetIsValid(t *testing.T) {
	got := render(t, Ruleset{})
	if strings.Contains(got, "vmap") {
		t.Errorf("an empty ruleset has no dispatch maps (nft refuses empty anonymous sets):\n%s", got)
	}
	if !strings.HasPrefix(got, "# ecsd security groups (generated; do not edit)\ntable bridge ecsd\ndelete table bridge ecsd\ntable inet ecsd\ndelete table inet ecsd\n") {
		t.Errorf("the script must replace both tables first:\n%s", got)
	}
}

func TestRenderOrdersByPriorityThenDropFirst(t *testing.T) {
	got := render(t, exampleRuleset())
	in := chainBody(t, got, "ingress_2")
	idx := func(substr string) int {
		for i, l := range in {
			if strings.Contains(l, substr) {
				return i
			}
		}
		t.Fatalf("no %q in %q", substr, in)
		return -1
	}
	// inner access of the Accept group is first: the guide says members stay
	// connected whatever the rules say
	if idx("inner access") != 1 {
		t.Errorf("inner access is not first: %q", in)
	}
	if !(idx("sgr-telnet") < idx("sgr-mysql")) {
		t.Errorf("priority 1 drop must come before priority 1 accept of another group: %q", in)
	}
	if !(idx("sgr-mysql") < idx("sgr-ssh")) {
		t.Errorf("priority 1 must come before priority 2: %q", in)
	}
	if in[len(in)-1] != "drop" {
		t.Errorf("ingress must end with drop: %q", in)
	}
	if strings.Contains(strings.Join(chainBody(t, got, "ingress_1"), "\n"), "sgr-mysql") {
		t.Errorf("eni-1 is not in sg-db, it must not get its rules")
	}
}

func TestRenderSamePriorityDropBeforeAcceptInOneGroup(t *testing.T) {
	rs := exampleRuleset()
	g := rs.Groups["sg-web"]
	g.Rules = []Rule{
		{ID: "sgr-acc", Direction: Ingress, IPProtocol: "all", PortRange: "-1/-1", Policy: "accept", Priority: 7, SourceCidrIP: "0.0.0.0/0"},
		{ID: "sgr-drp", Direction: Ingress, IPProtocol: "all", PortRange: "-1/-1", Policy: "drop", Priority: 7, SourceCidrIP: "198.51.100.0/24"},
		{ID: "sgr-p1", Direction: Ingress, IPProtocol: "gre", PortRange: "-1/-1", Policy: "accept", Priority: 1, SourceCidrIP: "0.0.0.0/0"},
	}
	rs.Groups["sg-web"] = g
	in := chainBody(t, render(t, rs), "ingress_1")
	want := []string{
		"# ingress eni-1 192.168.1.11 groups sg-web",
		`ip saddr { 192.168.1.11, 192.168.1.12 } accept comment "sg-web inner access"`,
		`meta nfproto ipv4 meta l4proto gre accept comment "sg-web sgr-p1"`,
		`ip saddr 198.51.100.0/24 drop comment "sg-web sgr-drp"`,
		`meta nfproto ipv4 accept comment "sg-web sgr-acc"`,
		"drop",
	}
	if strings.Join(in, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(in, "\n"), strings.Join(want, "\n"))
	}
}

func TestRenderSourceGroupExpandsToMembers(t *testing.T) {
	rs := exampleRuleset()
	db := rs.Groups["sg-db"]
	web := rs.Groups["sg-web"]
	web.Members = append(web.Members, netip.MustParseAddr("192.168.2.40"), netip.MustParseAddr("192.168.1.11")) // another VSwitch; a repeat
	rs.Groups["sg-web"] = web
	rs.Groups["sg-db"] = db
	in := strings.Join(chainBody(t, render(t, rs), "ingress_2"), "\n")
	if !strings.Contains(in, `ip saddr { 192.168.1.11, 192.168.1.12, 192.168.2.40 } tcp dport 3306 accept comment "sg-db sgr-mysql"`) {
		t.Errorf("the source group must expand to its members, sorted, once each:\n%s", in)
	}
}

func TestRenderPeerGroupWithoutMembersMatchesNothing(t *testing.T) {
	rs := exampleRuleset()
	rs.Groups["sg-empty"] = Group{ID: "sg-empty", InnerAccessPolicy: "Accept"}
	db := rs.Groups["sg-db"]
	db.Rules = []Rule{{ID: "sgr-x", Direction: Ingress, IPProtocol: "tcp", PortRange: "1/65535", Policy: "accept", Priority: 1, PeerGroupID: "sg-empty"},
		{ID: "sgr-y", Direction: Egress, IPProtocol: "tcp", PortRange: "80/80", Policy: "drop", Priority: 1, PeerGroupID: "sg-unknown"}}
	rs.Groups["sg-db"] = db
	got := render(t, rs)
	in := strings.Join(chainBody(t, got, "ingress_2"), "\n")
	if !strings.Contains(in, "# sg-db sgr-x: peer group sg-empty has no members here") || strings.Contains(in, "sgr-x\"") {
		t.Errorf("a rule naming an empty group must match nothing:\n%s", in)
	}
	if eg := strings.Join(chainBody(t, got, "egress_2"), "\n"); !strings.Contains(eg, "sgr-y: peer group sg-unknown has no members") {
		t.Errorf("a rule naming an unknown group must match nothing:\n%s", eg)
	}
}

func TestRenderNoGroupsDropsAllIngressAcceptsEgress(t *testing.T) {
	rs := Ruleset{Bridges: []Bridge{{Name: "br0", Interfaces: []Interface{
		{Tap: "tap9", MAC: "52:54:00:00:00:09", IP: netip.MustParseAddr("10.1.0.9")},
	}}}}
	got := render(t, rs)
	if in := chainBody(t, got, "ingress_1"); len(in) != 2 || in[1] != "drop" {
		t.Errorf("ingress without groups: %q, want only drop", in)
	}
	if eg := chainBody(t, got, "egress_1"); len(eg) != 2 || eg[1] != "return" {
		t.Errorf("egress without groups: %q, want only return (accepted)", eg)
	}
}

func TestRenderEgressAcceptReturnsSoIngressStillDecides(t *testing.T) {
	rs := exampleRuleset()
	web := rs.Groups["sg-web"]
	web.Rules = append(web.Rules, Rule{ID: "sgr-eg", Direction: Egress, IPProtocol: "tcp", PortRange: "443/443", Policy: "accept", Priority: 1, DestCidrIP: "0.0.0.0/0", SourceCidrIP: "192.168.1.0/24"})
	rs.Groups["sg-web"] = web
	eg := strings.Join(chainBody(t, render(t, rs), "egress_1"), "\n")
	if !strings.Contains(eg, `ip saddr 192.168.1.0/24 meta nfproto ipv4 tcp dport 443 return comment "sg-web sgr-eg"`) {
		t.Errorf("egress accept must be a return, the local range a saddr match:\n%s", eg)
	}
	if strings.Contains(eg, " accept") {
		t.Errorf("no accept verdict in an egress chain:\n%s", eg)
	}
}

func TestRenderNicTypeFilter(t *testing.T) {
	rs := exampleRuleset()
	web := rs.Groups["sg-web"]
	web.Rules = append(web.Rules, Rule{ID: "sgr-pub", Direction: Ingress, IPProtocol: "tcp", PortRange: "80/80", Policy: "accept", Priority: 1, NicType: Internet, SourceCidrIP: "0.0.0.0/0"})
	rs.Groups["sg-web"] = web
	if in := strings.Join(chainBody(t, render(t, rs), "ingress_1"), "\n"); strings.Contains(in, "sgr-pub") {
		t.Errorf("an internet rule must not apply to an intranet interface:\n%s", in)
	}
	rs.Bridges[0].Interfaces[0].NicType = Internet
	if in := strings.Join(chainBody(t, render(t, rs), "ingress_1"), "\n"); !strings.Contains(in, "sgr-pub") {
		t.Errorf("an internet rule must apply to an internet interface:\n%s", in)
	}
}

func TestRenderAntiSpoofing(t *testing.T) {
	got := render(t, exampleRuleset())
	from := strings.Join(chainBody(t, got, "from_2"), "\n")
	for _, want := range []string{
		"ether saddr != 52:54:00:00:00:02 drop",
		"arp saddr ether != 52:54:00:00:00:02 drop",
		"arp saddr ip != { 0.0.0.0, 192.168.1.12 } drop",
		"ip saddr 0.0.0.0 udp sport 68 udp dport 67 meta mark set 0x00020000 accept",
		"ip saddr != 192.168.1.12 drop",
	} {
		if !strings.Contains(from, want) {
			t.Errorf("from_2 lacks %q:\n%s", want, from)
		}
	}
	if !strings.HasSuffix(from, "\ndrop") {
		t.Errorf("anything else from the tap (IPv6, VLAN tags) must be dropped:\n%s", from)
	}
}

func TestValidateRefusesUnsafeOrMalformedInput(t *testing.T) {
	base := exampleRuleset
	cases := map[string]func(*Ruleset){
		"tap with a quote":     func(rs *Ruleset) { rs.Bridges[0].Interfaces[0].Tap = `tap"; flush ruleset` },
		"tap too long":         func(rs *Ruleset) { rs.Bridges[0].Interfaces[0].Tap = "tap0123456789abc" },
		"tap twice":            func(rs *Ruleset) { rs.Bridges[0].Interfaces[1].Tap = "tap1" },
		"upper-case MAC":       func(rs *Ruleset) { rs.Bridges[0].Interfaces[0].MAC = "52:54:00:00:00:0A" },
		"IPv6 address":         func(rs *Ruleset) { rs.Bridges[0].Interfaces[0].IP = netip.MustParseAddr("fd00::1") },
		"no IP":                func(rs *Ruleset) { rs.Bridges[0].Interfaces[0].IP = netip.Addr{} },
		"unknown group":        func(rs *Ruleset) { rs.Bridges[0].Interfaces[0].GroupIDs = []string{"sg-nope"} },
		"bad bridge name":      func(rs *Ruleset) { rs.Bridges[0].Name = "br 0" },
		"priority 0":           func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.Priority = 0 }) },
		"priority 101":         func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.Priority = 101 }) },
		"bad protocol":         func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.IPProtocol = "sctp" }) },
		"tcp -1/-1":            func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.PortRange = "-1/-1" }) },
		"ports reversed":       func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.PortRange = "30/20" }) },
		"port 0":               func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.PortRange = "0/20" }) },
		"ports with junk":      func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.PortRange = "22/22x" }) },
		"bad CIDR":             func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.SourceCidrIP = "10.0.0.0/33" }) },
		"IPv6 CIDR":            func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.SourceCidrIP = "::/0" }) },
		"no peer":              func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.SourceCidrIP = "" }) },
		"bad direction":        func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.Direction = "both" }) },
		"bad policy":           func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.Policy = "reject" }) },
		"rule ID with a quote": func(rs *Ruleset) { setRule(rs, func(r *Rule) { r.ID = `x" drop` }) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			rs := base()
			mutate(&rs)
			if s, err := Render(rs); err == nil {
				t.Fatalf("rendered:\n%s", s)
			}
		})
	}
}

func setRule(rs *Ruleset, f func(*Rule)) {
	g := rs.Groups["sg-web"]
	rules := append([]Rule(nil), g.Rules...)
	f(&rules[0])
	g.Rules = rules
	rs.Groups["sg-web"] = g
}

func TestCIDRCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"10.159.6.18/12": "10.144.0.0/12", "10.0.0.7": "10.0.0.7", "10.0.0.7/32": "10.0.0.7",
		"0.0.0.0/0": "", "": "", "192.168.1.0/24": "192.168.1.0/24",
	} {
		if got, err := cidr(in); err != nil || got != want {
			t.Errorf("cidr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestPortRange(t *testing.T) {
	for in, want := range map[string]string{"22/22": "22", "1/65535": "", "1000/2000": "1000-2000"} {
		if got, err := portRange(in, false); err != nil || got != want {
			t.Errorf("portRange(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
