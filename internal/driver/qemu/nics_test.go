package qemu

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/driver"
)

// pingScript is the user-data the test guests run: every second it asks the
// test's metadata server for a command (/ctl, a shell snippet: change the
// peers, spoof an address), then pings each peer once and prints the result.
const pingScript = `#!/bin/sh
peers="%s"
spoofed=""
n=0
while true; do
	n=$((n+1))
	if [ -z "$spoofed" ]; then
		c=$(timeout 2 wget -q -O - http://100.100.100.200/ctl 2>/dev/null)
		[ -n "$c" ] && eval "$c"
	fi
	for p in $peers; do
		if ping -c 1 -W 1 $p >/dev/null 2>&1; then echo "ECSD-PING $n $p ok"; else echo "ECSD-PING $n $p fail"; fi
	done
	sleep 1
done
`

// metaGuest is what the test's metadata server knows of one guest, by IP.
type metaGuest struct {
	id, userData string
	ctl          []string // commands not yet fetched
}

// metaServer is a tiny stand-in for internal/metadata: instance-id, hostname,
// key, user-data and the test's /ctl queue, by the caller's address.
type metaServer struct {
	mu     sync.Mutex
	guests map[netip.Addr]*metaGuest
}

func (m *metaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.guests[ap.Addr()]
	if err != nil || g == nil {
		http.NotFound(w, r)
		return
	}
	switch r.URL.Path {
	case "/latest/meta-data/instance-id":
		io.WriteString(w, g.id)
	case "/latest/meta-data/hostname":
		io.WriteString(w, "host-"+g.id)
	case "/latest/meta-data/public-keys/0/openssh-key":
		io.WriteString(w, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINetnsTestKey test")
	case "/latest/user-data":
		io.WriteString(w, g.userData)
	case "/ctl":
		if len(g.ctl) > 0 {
			io.WriteString(w, g.ctl[0])
			g.ctl = g.ctl[1:]
		}
	default:
		http.NotFound(w, r)
	}
}

func (m *metaServer) command(ip string, cmd string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.guests[netip.MustParseAddr(ip)]
	g.ctl = append(g.ctl, cmd)
}

// netGuest is one test guest: its spec, handle and console.
type netGuest struct {
	spec driver.InstanceSpec
	h    driver.Handle
}

func nicFor(id, mac, ip, vpc, vsw, block string) driver.NICSpec {
	return driver.NICSpec{NetworkInterfaceID: id, MAC: mac, PrivateIP: ip, VPCID: vpc, VSwitchID: vsw, VSwitchCIDR: block, SecurityGroupIDs: []string{"sg-" + vpc}}
}

// icmpRuleset is the ruleset of a VPC's ports: one group, inner access Drop,
// that lets ICMP in from anywhere when allowICMP.
func icmpRuleset(p *netns.Plane, vpc string, nics []driver.NICSpec, allowICMP bool) nft.Ruleset {
	rs := nft.Ruleset{Groups: map[string]nft.Group{}}
	g := nft.Group{ID: "sg-" + vpc, InnerAccessPolicy: "Drop"}
	if allowICMP {
		g.Rules = []nft.Rule{{ID: "sgr-icmp", Direction: "ingress", IPProtocol: "icmp", PortRange: "-1/-1", Policy: "accept", Priority: 1, SourceCidrIP: "0.0.0.0/0"}}
	}
	for _, n := range nics {
		g.Members = append(g.Members, netip.MustParseAddr(n.PrivateIP))
	}
	rs.Groups[g.ID] = g
	byVSwitch := map[string]int{}
	for _, n := range nics {
		i, ok := byVSwitch[n.VSwitchID]
		if !ok {
			block := netip.MustParsePrefix(n.VSwitchCIDR)
			rs.Bridges = append(rs.Bridges, nft.Bridge{Name: n.VSwitchID, GatewayIP: nft.Gateway(block)})
			i = len(rs.Bridges) - 1
			byVSwitch[n.VSwitchID] = i
		}
		rs.Bridges[i].Interfaces = append(rs.Bridges[i].Interfaces, nft.Interface{
			ID: n.NetworkInterfaceID, Tap: p.TapName(n.NetworkInterfaceID), MAC: n.MAC,
			IP: netip.MustParseAddr(n.PrivateIP), GroupIDs: []string{g.ID}})
	}
	return rs
}

// consoleLen returns how many bytes guest id's console holds now.
func consoleLen(d *Driver, id string) int {
	fi, err := os.Stat(d.path(id, consoleFile))
	if err != nil {
		return 0
	}
	return int(fi.Size())
}

// waitLines waits until the console of guest id, from byte offset from on,
// has n consecutive lines matching re among the lines matching any (the lines
// the test watches), and returns the offset just after them.
func waitLines(t *testing.T, d *Driver, id string, from int, any, re *regexp.Regexp, n int, limit time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		b, _ := os.ReadFile(d.path(id, consoleFile))
		if from < len(b) {
			run, off := 0, from
			for _, line := range strings.SplitAfter(string(b[from:]), "\n") {
				off += len(line)
				if !strings.HasSuffix(line, "\n") {
					break
				}
				switch {
				case re.MatchString(line):
					run++
				case any.MatchString(line):
					run = 0
				}
				if run >= n {
					return off
				}
			}
		}
		if time.Now().After(deadline) {
			if from > len(b) {
				from = len(b)
			}
			t.Fatalf("%s: no %d lines %q in a row within %s; console since then:\n%s", id, n, re, limit, b[from:])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func pingRE(peer, result string) *regexp.Regexp {
	return regexp.MustCompile(`^ECSD-PING \d+ ` + regexp.QuoteMeta(peer) + ` ` + result + `\r?\n$`)
}

func TestGuestsOnTwoVSwitchesGetTheirIPsByDHCPPingUnderTheRulesAndCannotSpoof(t *testing.T) {
	guest := guestDir(t)
	if err := netns.Available(); err != nil {
		t.Skipf("the network data plane cannot run here: %v", err)
	}
	if _, err := exec.LookPath("busybox"); err != nil {
		t.Skip("busybox is not installed (the namespace-side ping)")
	}
	ctx := t.Context()
	var rb [3]byte
	rand.Read(rb[:])
	plane, err := netns.New(netns.Config{StateDir: t.TempDir(), Prefix: "ecsdq" + hex.EncodeToString(rb[:])})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		vpcs, _ := plane.VPCs()
		for _, v := range vpcs {
			plane.RemoveVPC(context.Background(), v)
		}
	})
	d, err := New(Config{StateDir: stateDir(t), PowerdownInterval: 500 * time.Millisecond, Network: netns.DriverNetwork{Plane: plane}})
	if err != nil {
		t.Fatal(err)
	}
	// A and B: one VPC, two VSwitches (routed through the namespace). C: another
	// VPC whose VSwitch has the same block as A's.
	nicA := nicFor("eni-qa", "00:16:3e:00:01:0a", "10.1.1.5", "vpc-q1", "vsw-q1a", "10.1.1.0/24")
	nicB := nicFor("eni-qb", "00:16:3e:00:01:0b", "10.1.2.5", "vpc-q1", "vsw-q1b", "10.1.2.0/24")
	nicC := nicFor("eni-qc", "00:16:3e:00:02:0c", "10.1.1.6", "vpc-q2", "vsw-q2a", "10.1.1.0/24")
	guests := map[string]*netGuest{}
	meta := map[string]*metaServer{}
	for _, g := range []struct {
		id    string
		nic   driver.NICSpec
		peers string
	}{
		{"i-neta", nicA, "10.1.2.5"},
		{"i-netb", nicB, "10.1.1.5"},
		{"i-netc", nicC, "10.1.1.5 10.1.2.5"},
	} {
		spec := guestSpecFor(guest, g.id)
		spec.NICs = []driver.NICSpec{g.nic}
		spec.UserData = []byte(fmt.Sprintf(pingScript, g.peers))
		guests[g.id] = &netGuest{spec: spec}
		if meta[g.nic.VPCID] == nil {
			meta[g.nic.VPCID] = &metaServer{guests: map[netip.Addr]*metaGuest{}}
		}
		meta[g.nic.VPCID].guests[netip.MustParseAddr(g.nic.PrivateIP)] = &metaGuest{id: g.id, userData: string(spec.UserData)}
		// Plug ahead of the boot so the VPC's namespace exists for the
		// metadata listener (Start plugs again: idempotent).
		if _, _, err := (netns.DriverNetwork{Plane: plane}).Plug(ctx, g.nic); err != nil {
			t.Fatal(err)
		}
	}
	for vpc, m := range meta {
		l, err := plane.Listen(ctx, vpc, 80)
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: m}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
	}
	apply := func(vpc string, allow bool, nics ...driver.NICSpec) {
		t.Helper()
		if err := plane.ApplyRules(ctx, vpc, icmpRuleset(plane, vpc, nics, allow)); err != nil {
			t.Fatal(err)
		}
	}
	apply("vpc-q1", true, nicA, nicB)
	apply("vpc-q2", true, nicC)

	// C gets a secondary NIC while stopped: recorded in its spec, on rp9 at boot.
	nicC2 := nicFor("eni-qc2", "00:16:3e:00:02:0d", "10.1.1.7", "vpc-q2", "vsw-q2a", "10.1.1.0/24")
	for _, id := range []string{"i-neta", "i-netb", "i-netc"} {
		g := guests[id]
		if g.h, err = d.Create(ctx, g.spec); err != nil {
			t.Fatal(err)
		}
	}
	if guests["i-netc"].h, err = d.AttachNIC(ctx, guests["i-netc"].h, nicC2); err != nil {
		t.Fatal(err)
	}
	if spec, _ := d.readSpec("i-netc"); len(spec.NICs) != 2 || spec.NICs[1].NetworkInterfaceID != "eni-qc2" {
		t.Fatalf("spec of a stopped instance after AttachNIC: %+v", spec.NICs)
	}
	for _, id := range []string{"i-neta", "i-netb", "i-netc"} {
		g := guests[id]
		if g.h, err = d.Start(ctx, g.h); err != nil {
			t.Fatal(err)
		}
	}
	cmdline, _ := os.ReadFile(filepath.Join("/proc", fmt.Sprint(d.livePID("i-netc")), "cmdline"))
	if !bytes.Contains(cmdline, []byte("mac=00:16:3e:00:02:0d,bus=rp9")) {
		t.Errorf("the secondary NIC is not on rp9: %q", bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
	}

	anyPing := regexp.MustCompile(`^ECSD-PING `)
	for id, want := range map[string]string{"i-neta": "10.1.1.5/24", "i-netb": "10.1.2.5/24", "i-netc": "10.1.1.6/24"} {
		waitLines(t, d, id, 0, anyPing, regexp.MustCompile(`^ECSD-IP eth0 `+regexp.QuoteMeta(want)+`\r?\n$`), 1, 90*time.Second)
		waitLines(t, d, id, 0, anyPing, regexp.MustCompile(`^ECSD-META instance-id=`+id+`\r?\n$`), 1, 90*time.Second)
	}
	t.Log("every guest has its reserved IP by DHCP and reached its VPC's metadata server")

	// The rule lets ICMP in: A and B, on two VSwitches, ping each other.
	offA := waitLines(t, d, "i-neta", 0, pingRE("10.1.2.5", `\S+`), pingRE("10.1.2.5", "ok"), 2, 60*time.Second)
	offB := waitLines(t, d, "i-netb", 0, pingRE("10.1.1.5", `\S+`), pingRE("10.1.1.5", "ok"), 2, 60*time.Second)
	// C, in the other VPC, reaches neither (A's address is in its own block).
	waitLines(t, d, "i-netc", 0, pingRE("10.1.2.5", `\S+`), pingRE("10.1.2.5", "fail"), 3, 60*time.Second)
	waitLines(t, d, "i-netc", 0, pingRE("10.1.1.5", `\S+`), pingRE("10.1.1.5", "fail"), 3, 60*time.Second)
	if b, _ := os.ReadFile(d.path("i-netc", consoleFile)); regexp.MustCompile(`ECSD-PING \d+ \S+ ok`).Match(b) {
		t.Fatalf("a guest of another VPC reached vpc-q1:\n%s", b)
	}
	t.Log("A and B ping each other across VSwitches; C in another VPC reaches neither")

	// Without the rule the pings fail within a couple of seconds.
	start := time.Now()
	offA, offB = consoleLen(d, "i-neta"), consoleLen(d, "i-netb")
	apply("vpc-q1", false, nicA, nicB)
	waitLines(t, d, "i-neta", offA, pingRE("10.1.2.5", `\S+`), pingRE("10.1.2.5", "fail"), 1, 15*time.Second)
	t.Logf("A's first failed ping %s after the rule is removed", time.Since(start).Round(100*time.Millisecond))
	offA = waitLines(t, d, "i-neta", offA, pingRE("10.1.2.5", `\S+`), pingRE("10.1.2.5", "fail"), 2, 15*time.Second)
	offB = waitLines(t, d, "i-netb", offB, pingRE("10.1.1.5", `\S+`), pingRE("10.1.1.5", "fail"), 2, 15*time.Second)
	t.Logf("pings fail %s after the rule is removed", time.Since(start).Round(100*time.Millisecond))
	apply("vpc-q1", true, nicA, nicB)
	offA = waitLines(t, d, "i-neta", offA, pingRE("10.1.2.5", `\S+`), pingRE("10.1.2.5", "ok"), 2, 15*time.Second)
	offB = waitLines(t, d, "i-netb", offB, pingRE("10.1.1.5", `\S+`), pingRE("10.1.1.5", "ok"), 2, 15*time.Second)
	t.Log("pings work again once the rule is back")

	// A takes another address: it reaches nothing, and nothing reaches it.
	m := meta["vpc-q1"]
	m.command("10.1.1.5", "spoofed=1; ip addr flush dev eth0; ip addr add 10.1.1.99/24 dev eth0; ip route add default via 10.1.1.1; echo ECSD-SPOOFED")
	m.command("10.1.2.5", `peers="10.1.1.99"; echo ECSD-PEERS $peers`)
	offA = waitLines(t, d, "i-neta", offA, anyPing, regexp.MustCompile(`^ECSD-SPOOFED\r?\n$`), 1, 15*time.Second)
	offA = waitLines(t, d, "i-neta", offA, pingRE("10.1.2.5", `\S+`), pingRE("10.1.2.5", "fail"), 3, 20*time.Second)
	offB = waitLines(t, d, "i-netb", offB, pingRE("10.1.1.99", `\S+`), pingRE("10.1.1.99", "fail"), 3, 20*time.Second)
	ns := plane.NetnsName("vpc-q1")
	if out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "2", "10.1.1.99").CombinedOutput(); err == nil {
		t.Errorf("the namespace reaches the spoofed address:\n%s", out)
	}
	if out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "2", "10.1.2.5").CombinedOutput(); err != nil {
		t.Errorf("the namespace does not reach B: %v\n%s", err, out)
	}
	t.Log("a guest that changes its address can neither reach nor be reached")

	testHotplugNIC(t, d, plane, guests["i-neta"])

	// Delete unplugs the instance's taps.
	if err := d.Delete(ctx, guests["i-netb"].h); err != nil {
		t.Fatal(err)
	}
	ports, err := plane.Ports("vpc-q1")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ports {
		if p.ID == nicB.NetworkInterfaceID {
			t.Errorf("B's port is still plugged after Delete: %+v", ports)
		}
	}
}

// testHotplugNIC attaches a secondary NIC to the running guest g (a virtio-net
// device on a root port, its tap in the namespace) and detaches it again.
func testHotplugNIC(t *testing.T, d *Driver, plane *netns.Plane, g *netGuest) {
	t.Helper()
	ctx := t.Context()
	id := g.spec.InstanceID
	nic := nicFor("eni-qa2", "00:16:3e:00:01:1a", "10.1.1.8", "vpc-q1", "vsw-q1a", "10.1.1.0/24")
	var err error
	for range 2 {
		if g.h, err = d.AttachNIC(ctx, g.h, nic); err != nil {
			t.Fatal(err)
		}
	}
	st := d.readNICs(id)
	if p := st.NICs[nic.NetworkInterfaceID]; p.Bus != "rp9" || p.Tap != plane.TapName(nic.NetworkInterfaceID) {
		t.Fatalf("hot-plugged NIC recorded as %+v", st)
	}
	if !qomHas(t, d, id, "nic-eni-qa2") {
		t.Fatal("QEMU has no device nic-eni-qa2 after AttachNIC")
	}
	if spec, _ := d.readSpec(id); len(spec.NICs) != 2 {
		t.Fatalf("spec after a hot-plug: %+v", spec.NICs)
	}
	for range 2 {
		if g.h, err = d.DetachNIC(ctx, g.h, nic.NetworkInterfaceID); err != nil {
			t.Fatal(err)
		}
	}
	if qomHas(t, d, id, "nic-eni-qa2") {
		t.Fatal("QEMU still has nic-eni-qa2 after DetachNIC")
	}
	ports, _ := plane.Ports("vpc-q1")
	for _, p := range ports {
		if p.ID == nic.NetworkInterfaceID {
			t.Fatal("the detached NIC's tap is still plugged")
		}
	}
	if _, err := d.DetachNIC(ctx, g.h, g.spec.NICs[0].NetworkInterfaceID); err == nil {
		t.Fatal("DetachNIC of the primary NIC succeeded")
	}
	t.Log("a secondary NIC hot-plugs on rp9 and hot-unplugs")
}

// qomHas reports whether id's QEMU has a device called dev.
func qomHas(t *testing.T, d *Driver, id, dev string) bool {
	t.Helper()
	c, err := d.dial(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var props []struct {
		Name string `json:"name"`
	}
	if err := c.Run(t.Context(), "qom-list", map[string]any{"path": "/machine/peripheral"}, &props); err != nil {
		t.Fatal(err)
	}
	for _, p := range props {
		if p.Name == dev {
			return true
		}
	}
	return false
}
