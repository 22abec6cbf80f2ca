// Package netns is the data plane of real VMs on one host: one Linux network
// namespace per VPC, inside it one bridge per VSwitch and one tap per network
// interface, DHCP (dnsmasq) handing each interface's MAC its reserved IP and
// nothing else, the metadata address 100.100.100.200 on the namespace's loopback,
// and the security groups of the VPC as nftables tables (internal/dataplane/nft).
//
// Everything the Plane makes lives in the kernel or in its own processes
// (namespaces, bridges, taps, nft tables, dnsmasq), plus a small state directory
// describing the plugged ports, so it all survives an ecsd SIGKILL and a new Plane
// over the same StateDir finds it again. See docs/network.md, "On real VMs".
package netns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ecsd/ecsd/internal/atomicfile"
	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"golang.org/x/sys/unix"
)

// Config configures a Plane.
type Config struct {
	// StateDir is an absolute directory (<data-dir>/net) holding one directory
	// per VPC: its ports, dnsmasq's configuration, hosts, leases and pidfile.
	StateDir string
	// Prefix starts every namespace name (Prefix + "-" + VPC ID); default "ecsd".
	// VPCs lists only the namespaces with this prefix.
	Prefix string
}

// Plane creates and removes the namespaces, bridges, taps, DHCP servers and nft
// tables of the VPCs on this host. It is safe for concurrent use; several Planes
// (in several processes) over one StateDir serialise their changes to a VPC with
// a lock file.
type Plane struct {
	cfg Config

	mu    sync.Mutex
	vpcMu map[string]*sync.Mutex
	rules map[string]string // the last script ApplyRules applied, per VPC
}

// Port is one network interface to plug: its tap goes into the bridge of its
// VSwitch, in the namespace of its VPC.
type Port struct {
	// ID is the network interface's ID (eni-…).
	ID string `json:"id"`
	// MAC is the guest's MAC address; DHCP answers it alone.
	MAC string `json:"mac"`
	// IP is the private IPv4 address DHCP hands MAC.
	IP netip.Addr `json:"ip"`
	// VPCID names the namespace.
	VPCID string `json:"vpcId"`
	// VSwitchID names the bridge.
	VSwitchID string `json:"vSwitchId"`
	// CIDR is the VSwitch's IPv4 block; nft.Gateway of it is the bridge's own
	// (the guests' gateway and DHCP server).
	CIDR netip.Prefix `json:"cidr"`
}

// Attachment is where a plugged port is: what QEMU needs to open its tap.
type Attachment struct {
	// Netns is the namespace's name (for `ip netns exec`).
	Netns string
	// NetnsPath is the namespace's bind mount, /run/netns/<name>.
	NetnsPath string
	// Tap is the tap's name inside the namespace.
	Tap string
}

// netnsDir is where `ip netns` keeps named namespaces.
const netnsDir = "/run/netns"

// New returns a Plane over cfg.StateDir, creating it. It fails with a clear
// error when not run as root or when ip, nft or dnsmasq is missing.
func New(cfg Config) (*Plane, error) {
	if cfg.StateDir == "" || !filepath.IsAbs(cfg.StateDir) {
		return nil, fmt.Errorf("netns: state directory %q must be an absolute path", cfg.StateDir)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "ecsd"
	}
	if !nameRE.MatchString(cfg.Prefix) || len(cfg.Prefix) > 32 {
		return nil, fmt.Errorf("netns: prefix %q", cfg.Prefix)
	}
	if err := Available(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("netns: %w", err)
	}
	return &Plane{cfg: cfg, vpcMu: map[string]*sync.Mutex{}, rules: map[string]string{}}, nil
}

// Available returns nil when this process can run a Plane: root, and the ip,
// nft and dnsmasq commands (packages iproute2, nftables, dnsmasq-base).
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("netns: the network data plane needs root (network namespaces, bridges, taps, nftables)")
	}
	var missing []string
	for _, c := range []string{"ip", "nft", "dnsmasq"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("netns: %s not found (install iproute2, nftables and dnsmasq-base, or run scripts/setup-qemu.sh)", strings.Join(missing, ", "))
	}
	return nil
}

// nameRE is what IDs may look like: they name files, namespaces and comments.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// NetnsName returns the name of vpcID's namespace: Prefix-vpcID.
func (p *Plane) NetnsName(vpcID string) string { return p.cfg.Prefix + "-" + vpcID }

// TapName returns the tap of network interface portID: "tap" and 12 hex digits
// of a hash of the ID (interface names hold at most 15 bytes).
func (p *Plane) TapName(portID string) string { return "tap" + shortHash("tap", portID) }

// BridgeName returns the bridge of VSwitch vswitchID: "br-" and 12 hex digits of
// a hash of the ID.
func (p *Plane) BridgeName(vswitchID string) string { return "br-" + shortHash("br", vswitchID) }

// bridgeMAC is the fixed, locally administered MAC of a VSwitch's bridge (a
// bridge otherwise takes the lowest MAC of its ports, and the guests' gateway
// would change MAC as taps come and go).
func bridgeMAC(vswitchID string) string {
	h := sha256.Sum256([]byte("mac\x00" + vswitchID))
	return net.HardwareAddr{0x02, h[0], h[1], h[2], h[3], h[4]}.String()
}

func shortHash(kind, id string) string {
	h := sha256.Sum256([]byte(kind + "\x00" + id))
	return hex.EncodeToString(h[:6])
}

// gateway is the bridge's address in block (nft.Gateway).
func gateway(block netip.Prefix) netip.Addr { return nft.Gateway(block) } // 192.168.1.253 in a /24

// validate checks a port before anything is made for it.
func (port Port) validate() error {
	switch {
	case !nameRE.MatchString(port.ID):
		return fmt.Errorf("netns: port ID %q", port.ID)
	case !nameRE.MatchString(port.VPCID):
		return fmt.Errorf("netns: port %s: VPC ID %q", port.ID, port.VPCID)
	case !nameRE.MatchString(port.VSwitchID):
		return fmt.Errorf("netns: port %s: VSwitch ID %q", port.ID, port.VSwitchID)
	case !port.IP.Is4():
		return fmt.Errorf("netns: port %s: IP %v is not IPv4", port.ID, port.IP)
	case !port.CIDR.IsValid() || !port.CIDR.Addr().Is4() || port.CIDR.Bits() > 30:
		return fmt.Errorf("netns: port %s: VSwitch block %v", port.ID, port.CIDR)
	case !port.CIDR.Contains(port.IP):
		return fmt.Errorf("netns: port %s: IP %s outside the VSwitch block %s", port.ID, port.IP, port.CIDR)
	case port.IP == gateway(port.CIDR):
		return fmt.Errorf("netns: port %s: IP %s is the VSwitch's gateway", port.ID, port.IP)
	}
	hw, err := net.ParseMAC(port.MAC)
	if err != nil || len(hw) != 6 || hw[0]&1 == 1 {
		return fmt.Errorf("netns: port %s: MAC %q is not a unicast 6-byte MAC", port.ID, port.MAC)
	}
	return nil
}

// Plug makes port's tap ready in its VSwitch's bridge, in its VPC's namespace,
// creating the namespace, the bridge and the DHCP server as needed, and reserves
// port.IP for port.MAC in DHCP. It is idempotent: plugging a port again (after
// an ecsd restart, or with a changed MAC, IP or VSwitch) brings everything to
// what port says. A new namespace starts with the empty security-group ruleset:
// nothing passes a tap until ApplyRules lists it.
func (p *Plane) Plug(ctx context.Context, port Port) (Attachment, error) {
	if err := port.validate(); err != nil {
		return Attachment{}, err
	}
	port.MAC = strings.ToLower(port.MAC)
	port.CIDR = port.CIDR.Masked()
	unlock, err := p.lock(port.VPCID)
	if err != nil {
		return Attachment{}, err
	}
	defer unlock()
	ports, err := p.ports(port.VPCID)
	if err != nil {
		return Attachment{}, err
	}
	for _, o := range ports {
		if o.ID == port.ID {
			continue
		}
		switch {
		case o.MAC == port.MAC:
			return Attachment{}, fmt.Errorf("netns: port %s: MAC %s is port %s's", port.ID, port.MAC, o.ID)
		case o.IP == port.IP:
			return Attachment{}, fmt.Errorf("netns: port %s: IP %s is port %s's", port.ID, port.IP, o.ID)
		case o.VSwitchID == port.VSwitchID && o.CIDR != port.CIDR:
			return Attachment{}, fmt.Errorf("netns: port %s: VSwitch %s has block %s, not %s", port.ID, port.VSwitchID, o.CIDR, port.CIDR)
		}
	}
	ns := p.NetnsName(port.VPCID)
	if err := p.ensureNamespace(ctx, port.VPCID); err != nil {
		return Attachment{}, err
	}
	links, err := listLinks(ctx, ns)
	if err != nil {
		return Attachment{}, err
	}
	br, tap := p.BridgeName(port.VSwitchID), p.TapName(port.ID)
	if err := ensureBridge(ctx, ns, links, br, bridgeMAC(port.VSwitchID), port.CIDR); err != nil {
		return Attachment{}, err
	}
	if l, ok := links[tap]; !ok {
		if err := ipCmd(ctx, ns, "tuntap", "add", "dev", tap, "mode", "tap"); err != nil {
			return Attachment{}, err
		}
	} else if l.kind() != "tun" {
		return Attachment{}, fmt.Errorf("netns: %s in %s is a %q link, not a tap", tap, ns, l.kind())
	}
	if l := links[tap]; l.Master != br || !l.up() {
		if err := ipCmd(ctx, ns, "link", "set", "dev", tap, "master", br, "up"); err != nil {
			return Attachment{}, err
		}
	}
	b, _ := json.MarshalIndent(port, "", "  ")
	if err := writeFileAtomic(p.portFile(port.VPCID, port.ID), b); err != nil {
		return Attachment{}, fmt.Errorf("netns: %w", err)
	}
	if err := p.syncVPC(ctx, port.VPCID); err != nil {
		return Attachment{}, err
	}
	return Attachment{Netns: ns, NetnsPath: filepath.Join(netnsDir, ns), Tap: tap}, nil
}

// Unplug removes the tap of port portID from vpcID's namespace and its DHCP
// reservation; a bridge left without taps goes too. Unplugging a port that is
// not plugged succeeds.
func (p *Plane) Unplug(ctx context.Context, vpcID, portID string) error {
	if !nameRE.MatchString(vpcID) || !nameRE.MatchString(portID) {
		return fmt.Errorf("netns: unplug %q from %q: bad ID", portID, vpcID)
	}
	unlock, err := p.lock(vpcID)
	if err != nil {
		return err
	}
	defer unlock()
	ns := p.NetnsName(vpcID)
	if nsExists(ns) {
		links, err := listLinks(ctx, ns)
		if err != nil {
			return err
		}
		if _, ok := links[p.TapName(portID)]; ok {
			if err := ipCmd(ctx, ns, "link", "del", "dev", p.TapName(portID)); err != nil {
				return err
			}
		}
	}
	if err := os.Remove(p.portFile(vpcID, portID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("netns: %w", err)
	}
	if !nsExists(ns) {
		return nil
	}
	return p.syncVPC(ctx, vpcID)
}

// VPCs returns the VPCs that have a namespace of this Plane's prefix on the
// host, sorted.
func (p *Plane) VPCs() ([]string, error) {
	ents, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netns: %w", err)
	}
	var out []string
	for _, e := range ents {
		if vpc, ok := strings.CutPrefix(e.Name(), p.cfg.Prefix+"-"); ok && nameRE.MatchString(vpc) {
			out = append(out, vpc)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Owns reports whether this Plane (its StateDir) holds vpcID's namespace: it
// plugged ports there that RemoveVPC has not removed. Namespaces of the same
// prefix made by another Plane (another ecsd on the host) are not its own.
func (p *Plane) Owns(vpcID string) bool {
	if !nameRE.MatchString(vpcID) {
		return false
	}
	ents, err := os.ReadDir(p.vpcDir(vpcID))
	if err != nil {
		return false
	}
	for _, e := range ents {
		if e.Name() != lockFile {
			return true
		}
	}
	return false
}

// RemoveVPC stops vpcID's DHCP server, deletes its namespace (with its bridges,
// taps and nft tables) and forgets its ports. Removing a VPC that has no
// namespace succeeds.
func (p *Plane) RemoveVPC(ctx context.Context, vpcID string) error {
	if !nameRE.MatchString(vpcID) {
		return fmt.Errorf("netns: VPC ID %q", vpcID)
	}
	unlock, err := p.lock(vpcID)
	if err != nil {
		return err
	}
	defer unlock()
	if err := p.stopDNSMasq(vpcID); err != nil {
		return err
	}
	ns := p.NetnsName(vpcID)
	if nsExists(ns) {
		if err := run(ctx, nil, "ip", "netns", "delete", ns); err != nil {
			return err
		}
	}
	p.mu.Lock()
	delete(p.rules, vpcID)
	p.mu.Unlock()
	// Keep the lock file (others may hold it); remove the rest.
	ents, _ := os.ReadDir(p.vpcDir(vpcID))
	for _, e := range ents {
		if e.Name() != lockFile {
			os.RemoveAll(filepath.Join(p.vpcDir(vpcID), e.Name()))
		}
	}
	return nil
}

// ensureNamespace creates vpcID's namespace when it is missing and (again
// every time: it is cheap) sets it up: loopback up with the metadata address,
// IPv4 forwarding on (the VSwitches of a VPC reach each other through it),
// bridged traffic through the inet hooks (br_netfilter), and no IPv6.
func (p *Plane) ensureNamespace(ctx context.Context, vpcID string) error {
	ns := p.NetnsName(vpcID)
	created := false
	if !nsExists(ns) {
		if err := run(ctx, nil, "ip", "netns", "add", ns); err != nil {
			return err
		}
		created = true
		p.mu.Lock()
		delete(p.rules, vpcID)
		p.mu.Unlock()
	}
	if err := ipCmd(ctx, ns, "link", "set", "dev", "lo", "up"); err != nil {
		return err
	}
	if err := ipCmd(ctx, ns, "addr", "replace", MetadataIP.String()+"/32", "dev", "lo"); err != nil {
		return err
	}
	err := inNetns(ns, func() error {
		for k, v := range map[string]string{
			"net/ipv4/ip_forward":                       "1",
			"net/bridge/bridge-nf-call-iptables":        "1",
			"net/ipv6/conf/all/disable_ipv6":            "1",
			"net/ipv6/conf/default/disable_ipv6":        "1",
			"net/ipv4/conf/all/rp_filter":               "0",
			"net/ipv4/conf/default/rp_filter":           "0",
			"net/bridge/bridge-nf-call-ip6tables":       "0",
			"net/ipv4/conf/default/accept_redirects":    "0",
			"net/ipv4/conf/default/send_redirects":      "0",
			"net/ipv4/conf/all/send_redirects":          "0",
			"net/ipv4/conf/all/accept_redirects":        "0",
			"net/ipv4/conf/default/accept_source_route": "0",
		} {
			path := "/proc/sys/" + k
			if cur, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(cur)) == v {
				continue
			}
			if err := os.WriteFile(path, []byte(v), 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("sysctl %s=%s: %w", k, v, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("netns: %s: %w", ns, err)
	}
	if created {
		return p.applyLocked(ctx, vpcID, emptyRuleset())
	}
	return nil
}

// ensureBridge creates bridge br with its fixed MAC and the block's gateway
// address when it is missing, and brings it up.
func ensureBridge(ctx context.Context, ns string, links map[string]link, br, mac string, block netip.Prefix) error {
	l, ok := links[br]
	if ok && l.kind() != "bridge" {
		return fmt.Errorf("netns: %s in %s is a %q link, not a bridge", br, ns, l.kind())
	}
	if !ok {
		if err := ipCmd(ctx, ns, "link", "add", "name", br, "address", mac, "type", "bridge", "stp_state", "0", "mcast_snooping", "0"); err != nil {
			return err
		}
	}
	addr := netip.PrefixFrom(gateway(block), block.Bits()).String()
	if !slices.Contains(l.addrs(), addr) {
		if err := ipCmd(ctx, ns, "addr", "replace", addr, "dev", br); err != nil {
			return err
		}
	}
	if !l.up() {
		return ipCmd(ctx, ns, "link", "set", "dev", br, "up")
	}
	return nil
}

// syncVPC brings the bridges and the DHCP server of vpcID in line with its
// ports: bridges of no port are deleted, dnsmasq serves every bridge and
// reserves every port's IP. Callers hold the VPC's lock.
func (p *Plane) syncVPC(ctx context.Context, vpcID string) error {
	ports, err := p.ports(vpcID)
	if err != nil {
		return err
	}
	ns := p.NetnsName(vpcID)
	links, err := listLinks(ctx, ns)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, port := range ports {
		used[p.BridgeName(port.VSwitchID)] = true
	}
	for name, l := range links {
		if l.kind() == "bridge" && strings.HasPrefix(name, "br-") && !used[name] {
			if err := ipCmd(ctx, ns, "link", "del", "dev", name); err != nil {
				return err
			}
		}
	}
	return p.syncDNSMasq(ctx, vpcID, ports)
}

// ports returns the ports plugged in vpcID, sorted by ID.
func (p *Plane) ports(vpcID string) ([]Port, error) {
	files, err := filepath.Glob(filepath.Join(p.vpcDir(vpcID), "ports", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("netns: %w", err)
	}
	var out []Port
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("netns: %w", err)
		}
		var port Port
		if err := json.Unmarshal(b, &port); err != nil {
			return nil, fmt.Errorf("netns: %s: %w", f, err)
		}
		out = append(out, port)
	}
	slices.SortFunc(out, func(a, b Port) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Ports returns the ports plugged in vpcID (as Plug recorded them), sorted by ID.
func (p *Plane) Ports(vpcID string) ([]Port, error) {
	if !nameRE.MatchString(vpcID) {
		return nil, fmt.Errorf("netns: VPC ID %q", vpcID)
	}
	return p.ports(vpcID)
}

const lockFile = "lock"

func (p *Plane) vpcDir(vpcID string) string { return filepath.Join(p.cfg.StateDir, vpcID) }
func (p *Plane) portFile(vpcID, portID string) string {
	return filepath.Join(p.vpcDir(vpcID), "ports", portID+".json")
}

// lock serialises changes to vpcID: in this process with a mutex, across
// processes with flock on the VPC's lock file.
func (p *Plane) lock(vpcID string) (func(), error) {
	p.mu.Lock()
	m := p.vpcMu[vpcID]
	if m == nil {
		m = &sync.Mutex{}
		p.vpcMu[vpcID] = m
	}
	p.mu.Unlock()
	m.Lock()
	if err := os.MkdirAll(filepath.Join(p.vpcDir(vpcID), "ports"), 0o700); err != nil {
		m.Unlock()
		return nil, fmt.Errorf("netns: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(p.vpcDir(vpcID), lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		m.Unlock()
		return nil, fmt.Errorf("netns: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		m.Unlock()
		return nil, fmt.Errorf("netns: lock %s: %w", vpcID, err)
	}
	return func() { f.Close(); m.Unlock() }, nil
}

// nsExists reports whether the named namespace exists.
func nsExists(ns string) bool {
	_, err := os.Stat(filepath.Join(netnsDir, ns))
	return err == nil
}

// writeFileAtomic writes b to path (0600, its directory made if missing)
// through a temporary file and a rename.
func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}
