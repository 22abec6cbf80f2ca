package netns

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
)

// TestDHCPHandsOutTheReservedAddressAndNothingElse plays a guest with a veth
// pair: one end in the VSwitch's bridge (listed in the ruleset as the port's
// "tap"), the other in a client namespace where busybox udhcpc asks for a
// lease with the port's MAC, then with an unknown MAC, then with the MAC of a
// port plugged later on the same VSwitch (dnsmasq re-reads its hosts).
func TestDHCPHandsOutTheReservedAddressAndNothingElse(t *testing.T) {
	p, _ := newTestPlane(t)
	if _, err := exec.LookPath("busybox"); err != nil {
		t.Skip("busybox is not installed (its udhcpc is the DHCP client)")
	}
	ctx := t.Context()
	if _, err := p.Plug(ctx, portA); err != nil {
		t.Fatal(err)
	}
	ns, client := p.NetnsName("vpc-t1"), p.cfg.Prefix+"-client"
	if err := run(ctx, nil, "ip", "netns", "add", client); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", client).Run() })
	for _, args := range [][]string{
		{"-n", ns, "link", "add", "vbr", "type", "veth", "peer", "name", "vcl", "netns", client},
		{"-n", ns, "link", "set", "vbr", "master", p.BridgeName(portA.VSwitchID), "up"},
		{"-n", client, "link", "set", "lo", "up"},
	} {
		if err := run(ctx, nil, "ip", args...); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(t.TempDir(), "lease.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n[ \"$1\" = bound ] && echo \"LEASE $ip/$mask via $router\"\nexit 0\n"), 0o755)
	// lease sets the client's MAC, lets that MAC and ip through the ruleset
	// and asks for a lease.
	lease := func(mac, ip string) (string, error) {
		t.Helper()
		rs := nft.Ruleset{Bridges: []nft.Bridge{{Name: portA.VSwitchID, Interfaces: []nft.Interface{
			{ID: "veth", Tap: "vbr", MAC: mac, IP: netip.MustParseAddr(ip)}}}}}
		if err := p.ApplyRules(ctx, "vpc-t1", rs); err != nil {
			t.Fatal(err)
		}
		if err := run(ctx, nil, "ip", "-n", client, "link", "set", "vcl", "down", "address", mac); err != nil {
			t.Fatal(err)
		}
		if err := run(ctx, nil, "ip", "-n", client, "link", "set", "vcl", "up"); err != nil {
			t.Fatal(err)
		}
		out, err := inNS(t, client, "busybox", "udhcpc", "-i", "vcl", "-n", "-q", "-t", "4", "-T", "1", "-s", script)
		return out, err
	}
	out, err := lease(portA.MAC, portA.IP.String())
	if err != nil || !strings.Contains(out, "LEASE 10.1.1.5/24 via 10.1.1.253") {
		t.Fatalf("the reserved MAC got %q, %v; want 10.1.1.5/24 via the gateway", out, err)
	}
	if out, err := lease("00:16:3e:00:00:99", "10.1.1.99"); err == nil || strings.Contains(out, "LEASE") {
		t.Fatalf("an unknown MAC got a lease: %q", out)
	}
	pid := p.dnsmasqPID("vpc-t1")
	late := testPort("eni-late", "00:16:3e:00:00:0c", "10.1.1.9", "vpc-t1", "vsw-t1a", "10.1.1.0/24")
	if _, err := p.Plug(ctx, late); err != nil {
		t.Fatal(err)
	}
	if p.dnsmasqPID("vpc-t1") != pid {
		t.Error("a port on a known VSwitch restarted dnsmasq (a SIGHUP is enough)")
	}
	out, err = lease(late.MAC, late.IP.String())
	if err != nil || !strings.Contains(out, "LEASE 10.1.1.9/24 via 10.1.1.253") {
		t.Fatalf("a port plugged later got %q, %v; want 10.1.1.9/24", out, err)
	}
}
