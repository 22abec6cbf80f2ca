package netns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
)

// newTestPlane returns a Plane with a prefix of its own (so tests never touch
// ecsd's namespaces or each other's) and removes its VPCs when t ends. It skips
// the test where a Plane cannot run.
func newTestPlane(t *testing.T) (*Plane, Config) {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("the network data plane cannot run here: %v", err)
	}
	var b [3]byte
	rand.Read(b[:])
	cfg := Config{StateDir: t.TempDir(), Prefix: "ecsdt" + hex.EncodeToString(b[:])}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		vpcs, _ := p.VPCs()
		for _, v := range vpcs {
			if err := p.RemoveVPC(context.Background(), v); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return p, cfg
}

func testPort(id, mac, ip, vpc, vsw, block string) Port {
	return Port{ID: id, MAC: mac, IP: netip.MustParseAddr(ip), VPCID: vpc, VSwitchID: vsw, CIDR: netip.MustParsePrefix(block)}
}

var (
	portA = testPort("eni-a", "00:16:3e:00:00:0a", "10.1.1.5", "vpc-t1", "vsw-t1a", "10.1.1.0/24")
	portB = testPort("eni-b", "00:16:3e:00:00:0b", "10.1.2.5", "vpc-t1", "vsw-t1b", "10.1.2.0/24")
)

// inNS runs a command in namespace ns and returns its output.
func inNS(t *testing.T, ns string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	return string(out), err
}

// wantVPC checks that vpc's namespace has the bridges and taps of ports, with
// the gateway addresses, and a running dnsmasq reserving every port's IP.
func wantVPC(t *testing.T, p *Plane, vpc string, ports ...Port) {
	t.Helper()
	ns := p.NetnsName(vpc)
	if !nsExists(ns) {
		t.Fatalf("no namespace %s", ns)
	}
	links, err := listLinks(t.Context(), ns)
	if err != nil {
		t.Fatal(err)
	}
	for _, port := range ports {
		br, tap := p.BridgeName(port.VSwitchID), p.TapName(port.ID)
		if l := links[br]; l.kind() != "bridge" || !l.up() {
			t.Errorf("bridge %s of %s: %+v", br, port.VSwitchID, l)
		} else if gw := netip.PrefixFrom(nft.Gateway(port.CIDR), port.CIDR.Bits()).String(); !strings.Contains(strings.Join(l.addrs(), " "), gw) {
			t.Errorf("bridge %s has %v, want the gateway %s", br, l.addrs(), gw)
		}
		if l := links[tap]; l.kind() != "tun" || l.Master != br {
			t.Errorf("tap %s of %s: %+v, want a tap in %s", tap, port.ID, l, br)
		}
		if len(tap) > 15 || len(br) > 15 {
			t.Errorf("interface names longer than 15 bytes: %s %s", tap, br)
		}
	}
	if l := links["lo"]; !strings.Contains(strings.Join(l.addrs(), " "), "100.100.100.200/32") {
		t.Errorf("loopback without the metadata address: %v", l.addrs())
	}
	if p.dnsmasqPID(vpc) == 0 {
		t.Fatalf("no dnsmasq for %s", vpc)
	}
	hosts, _ := os.ReadFile(filepath.Join(p.vpcDir(vpc), dnsmasqHosts))
	for _, port := range ports {
		if !strings.Contains(string(hosts), port.MAC+","+port.IP.String()) {
			t.Errorf("DHCP hosts without %s: %s", port.ID, hosts)
		}
	}
	if out, err := inNS(t, ns, "cat", "/proc/sys/net/ipv4/ip_forward"); err != nil || strings.TrimSpace(out) != "1" {
		t.Errorf("ip_forward in %s = %q, %v", ns, out, err)
	}
}

func TestPlugTwiceIsIdempotentAndBuildsTheVPC(t *testing.T) {
	p, _ := newTestPlane(t)
	ctx := t.Context()
	var first Attachment
	for i := range 2 {
		for _, port := range []Port{portA, portB} {
			a, err := p.Plug(ctx, port)
			if err != nil {
				t.Fatal(err)
			}
			if port.ID == portA.ID {
				if i == 1 && a != first {
					t.Errorf("second Plug answered %+v, first %+v", a, first)
				}
				first = a
			}
		}
	}
	if first.Netns != p.NetnsName("vpc-t1") || first.NetnsPath != "/run/netns/"+first.Netns || first.Tap != p.TapName("eni-a") {
		t.Errorf("attachment %+v", first)
	}
	wantVPC(t, p, "vpc-t1", portA, portB)
	pid := p.dnsmasqPID("vpc-t1")
	if _, err := p.Plug(ctx, portA); err != nil {
		t.Fatal(err)
	}
	if p.dnsmasqPID("vpc-t1") != pid {
		t.Error("plugging a port again restarted dnsmasq")
	}
	if vpcs, err := p.VPCs(); err != nil || len(vpcs) != 1 || vpcs[0] != "vpc-t1" {
		t.Errorf("VPCs = %v, %v", vpcs, err)
	}
	// A MAC or IP taken by another port of the VPC is refused.
	dup := portB
	dup.ID, dup.IP = "eni-c", netip.MustParseAddr("10.1.2.9")
	if _, err := p.Plug(ctx, dup); err == nil {
		t.Error("Plug with another port's MAC succeeded")
	}
	bad := portA
	bad.IP = netip.MustParseAddr("10.9.9.9")
	if _, err := p.Plug(ctx, bad); err == nil {
		t.Error("Plug with an IP outside the block succeeded")
	}
}

func TestANewPlaneOverTheSameStateDirFindsEverything(t *testing.T) {
	p, cfg := newTestPlane(t)
	ctx := t.Context()
	for _, port := range []Port{portA, portB} {
		if _, err := p.Plug(ctx, port); err != nil {
			t.Fatal(err)
		}
	}
	pid := p.dnsmasqPID("vpc-t1")
	// ecsd restarts: a new Plane, nothing in memory.
	p2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if vpcs, err := p2.VPCs(); err != nil || len(vpcs) != 1 || vpcs[0] != "vpc-t1" {
		t.Fatalf("VPCs after a restart = %v, %v", vpcs, err)
	}
	ports, err := p2.Ports("vpc-t1")
	if err != nil || len(ports) != 2 || ports[0] != portA || ports[1] != portB {
		t.Fatalf("Ports after a restart = %+v, %v", ports, err)
	}
	if p2.dnsmasqPID("vpc-t1") != pid {
		t.Fatal("the new Plane does not see the running dnsmasq")
	}
	for _, port := range []Port{portA, portB} {
		if _, err := p2.Plug(ctx, port); err != nil {
			t.Fatal(err)
		}
	}
	wantVPC(t, p2, "vpc-t1", portA, portB)
	if p2.dnsmasqPID("vpc-t1") != pid {
		t.Error("plugging the same ports after a restart restarted dnsmasq")
	}
}

func TestUnplugAndRemoveVPC(t *testing.T) {
	p, _ := newTestPlane(t)
	ctx := t.Context()
	for _, port := range []Port{portA, portB} {
		if _, err := p.Plug(ctx, port); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := p.Unplug(ctx, "vpc-t1", portB.ID); err != nil {
			t.Fatal(err)
		}
	}
	links, err := listLinks(ctx, p.NetnsName("vpc-t1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := links[p.TapName(portB.ID)]; ok {
		t.Error("the tap is still there after Unplug")
	}
	if _, ok := links[p.BridgeName(portB.VSwitchID)]; ok {
		t.Error("the bridge of a VSwitch without ports is still there")
	}
	hosts, _ := os.ReadFile(filepath.Join(p.vpcDir("vpc-t1"), dnsmasqHosts))
	if strings.Contains(string(hosts), portB.MAC) {
		t.Errorf("DHCP still reserves the unplugged port: %s", hosts)
	}
	wantVPC(t, p, "vpc-t1", portA)
	pid := p.dnsmasqPID("vpc-t1")
	for range 2 {
		if err := p.RemoveVPC(ctx, "vpc-t1"); err != nil {
			t.Fatal(err)
		}
	}
	if nsExists(p.NetnsName("vpc-t1")) {
		t.Error("the namespace is still there after RemoveVPC")
	}
	if alive := exec.Command("kill", "-0", fmt.Sprint(pid)).Run() == nil; alive && p.dnsmasqPID("vpc-t1") != 0 {
		t.Error("dnsmasq still runs after RemoveVPC")
	}
	if vpcs, _ := p.VPCs(); len(vpcs) != 0 {
		t.Errorf("VPCs after RemoveVPC = %v", vpcs)
	}
	if err := p.Unplug(ctx, "vpc-t1", portA.ID); err != nil {
		t.Errorf("Unplug from a removed VPC: %v", err)
	}
}

func TestListenAnswersInsideTheNamespaceOnly(t *testing.T) {
	p, _ := newTestPlane(t)
	if _, err := exec.LookPath("busybox"); err != nil {
		t.Skip("busybox is not installed (its wget is the client inside the namespace)")
	}
	ctx := t.Context()
	if _, err := p.Plug(ctx, portA); err != nil {
		t.Fatal(err)
	}
	l, err := p.Listen(ctx, "vpc-t1", 8080)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from the metadata address")
	})}
	go srv.Serve(l)
	defer srv.Close()
	out, err := inNS(t, p.NetnsName("vpc-t1"), "busybox", "wget", "-q", "-O", "-", "http://100.100.100.200:8080/")
	if err != nil || out != "hello from the metadata address" {
		t.Fatalf("wget inside the namespace: %q, %v", out, err)
	}
	c, err := net.DialTimeout("tcp", "100.100.100.200:8080", 500*time.Millisecond)
	if err == nil {
		c.SetDeadline(time.Now().Add(time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.0\r\n\r\n")
		b, _ := io.ReadAll(c)
		c.Close()
		if strings.Contains(string(b), "hello from the metadata address") {
			t.Fatal("the listener answers from the host")
		}
	}
	// Dial reaches the same listener from inside the namespace.
	dc, err := p.Dial(ctx, "vpc-t1", "tcp", "100.100.100.200:8080")
	if err != nil {
		t.Fatalf("Dial inside the namespace: %v", err)
	}
	dc.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(dc, "GET / HTTP/1.0\r\n\r\n")
	b, _ := io.ReadAll(dc)
	dc.Close()
	if !strings.Contains(string(b), "hello from the metadata address") {
		t.Fatalf("Dial inside the namespace read %q", b)
	}
	if _, err := p.Listen(ctx, "vpc-none", 80); err == nil {
		t.Error("Listen in a VPC without a namespace succeeded")
	}
	if _, err := p.Dial(ctx, "vpc-none", "tcp", "10.0.0.1:22"); err == nil {
		t.Error("Dial in a VPC without a namespace succeeded")
	}
}

func TestApplyRulesReplacesTheTablesAndSkipsAnUnchangedRuleset(t *testing.T) {
	p, _ := newTestPlane(t)
	ctx := t.Context()
	if _, err := p.Plug(ctx, portA); err != nil {
		t.Fatal(err)
	}
	ns := p.NetnsName("vpc-t1")
	// A new namespace starts with the empty ruleset: taps send nothing.
	out, err := inNS(t, ns, "nft", "list", "chain", "bridge", "ecsd", "prerouting")
	if err != nil || !strings.Contains(out, "drop") {
		t.Fatalf("a new namespace's prerouting chain: %s %v", out, err)
	}
	rs := nft.Ruleset{
		Bridges: []nft.Bridge{{Name: portA.VSwitchID, GatewayIP: netip.MustParseAddr("10.1.1.253"), Interfaces: []nft.Interface{
			{ID: portA.ID, Tap: p.TapName(portA.ID), MAC: portA.MAC, IP: portA.IP, GroupIDs: []string{"sg-1"}},
		}}},
		Groups: map[string]nft.Group{"sg-1": {ID: "sg-1", InnerAccessPolicy: "Accept", Rules: []nft.Rule{
			{ID: "sgr-1", Direction: "ingress", IPProtocol: "icmp", PortRange: "-1/-1", Policy: "accept", Priority: 1, SourceCidrIP: "0.0.0.0/0"},
		}}},
	}
	if err := p.ApplyRules(ctx, "vpc-t1", rs); err != nil {
		t.Fatal(err)
	}
	out, err = inNS(t, ns, "nft", "list", "table", "inet", "ecsd")
	if err != nil || !strings.Contains(out, `comment "sg-1 sgr-1"`) {
		t.Fatalf("inet table after ApplyRules: %s %v", out, err)
	}
	// Unchanged: no nft run, so a table deleted behind the Plane's back stays deleted.
	if out, err := inNS(t, ns, "nft", "delete", "table", "inet", "ecsd"); err != nil {
		t.Fatal(out, err)
	}
	if err := p.ApplyRules(ctx, "vpc-t1", rs); err != nil {
		t.Fatal(err)
	}
	if _, err := inNS(t, ns, "nft", "list", "table", "inet", "ecsd"); err == nil {
		t.Error("ApplyRules of an unchanged ruleset ran nft")
	}
	// A changed ruleset is applied; a malformed one is refused and changes nothing.
	rs.Groups["sg-1"].Rules[0].PortRange = "-1/-1"
	rs2 := rs
	rs2.Groups = map[string]nft.Group{"sg-1": {ID: "sg-1", InnerAccessPolicy: "Drop"}}
	if err := p.ApplyRules(ctx, "vpc-t1", rs2); err != nil {
		t.Fatal(err)
	}
	bad := rs
	bad.Groups = map[string]nft.Group{"sg-1": {ID: "sg-1", Rules: []nft.Rule{{ID: "sgr-x", Direction: "sideways"}}}}
	if err := p.ApplyRules(ctx, "vpc-t1", bad); err == nil {
		t.Error("a malformed ruleset was applied")
	}
	out, err = inNS(t, ns, "nft", "list", "table", "inet", "ecsd")
	if err != nil || strings.Contains(out, "sgr-1") || !strings.Contains(out, "ingress_1") {
		t.Fatalf("inet table after the second ruleset: %s %v", out, err)
	}
	if err := p.ApplyRules(ctx, "vpc-none", rs); err == nil {
		t.Error("ApplyRules in a VPC without a namespace succeeded")
	}
}

func TestOwnsIsTrueFromPlugUntilRemoveVPCAndNeverForAnotherPlanesNamespace(t *testing.T) {
	p, _ := newTestPlane(t)
	ctx := t.Context()
	if p.Owns("vpc-t1") {
		t.Fatal("Owns before any Plug")
	}
	if _, err := p.Plug(ctx, portA); err != nil {
		t.Fatal(err)
	}
	if !p.Owns("vpc-t1") {
		t.Fatal("Owns is false after Plug")
	}
	other, err := New(Config{StateDir: t.TempDir(), Prefix: p.cfg.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	if other.Owns("vpc-t1") {
		t.Error("another Plane with the same prefix owns the namespace")
	}
	if err := p.RemoveVPC(ctx, "vpc-t1"); err != nil {
		t.Fatal(err)
	}
	if p.Owns("vpc-t1") {
		t.Error("Owns after RemoveVPC")
	}
}
