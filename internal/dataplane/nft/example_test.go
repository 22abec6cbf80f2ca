package nft

import "net/netip"

// exampleRuleset is two VMs on one bridge in a web group (inner access
// Accept) that lets SSH in from anywhere and drops 10.0.0.0/8 port 23; the
// second VM is also in a db group that lets the web group reach 3306.
func exampleRuleset() Ruleset {
	a := netip.MustParseAddr
	return Ruleset{
		Bridges: []Bridge{{
			Name: "br-vsw1", GatewayIP: a("192.168.1.1"),
			Interfaces: []Interface{
				{ID: "eni-1", Tap: "tap1", MAC: "52:54:00:00:00:01", IP: a("192.168.1.11"), GroupIDs: []string{"sg-web"}},
				{ID: "eni-2", Tap: "tap2", MAC: "52:54:00:00:00:02", IP: a("192.168.1.12"), GroupIDs: []string{"sg-web", "sg-db"}},
			},
		}},
		Groups: map[string]Group{
			"sg-web": {ID: "sg-web", InnerAccessPolicy: "Accept", Members: []netip.Addr{a("192.168.1.12"), a("192.168.1.11")},
				Rules: []Rule{
					{ID: "sgr-ssh", Direction: Ingress, IPProtocol: "tcp", PortRange: "22/22", Policy: "accept", Priority: 2, NicType: Intranet, SourceCidrIP: "0.0.0.0/0"},
					{ID: "sgr-telnet", Direction: Ingress, IPProtocol: "TCP", PortRange: "23/23", Policy: "Drop", Priority: 1, NicType: Intranet, SourceCidrIP: "10.159.6.18/8"},
					{ID: "sgr-out", Direction: Egress, IPProtocol: "all", PortRange: "-1/-1", Policy: "drop", Priority: 5, NicType: Intranet, DestCidrIP: "203.0.113.0/24"},
				}},
			"sg-db": {ID: "sg-db", InnerAccessPolicy: "Drop", Members: []netip.Addr{a("192.168.1.12")},
				Rules: []Rule{
					{ID: "sgr-mysql", Direction: Ingress, IPProtocol: "tcp", PortRange: "3306/3306", Policy: "accept", Priority: 1, NicType: Intranet, PeerGroupID: "sg-web"},
				}},
		},
	}
}
