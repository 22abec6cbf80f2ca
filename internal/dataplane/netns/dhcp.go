package netns

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Files of a VPC's DHCP server, in its state directory.
const (
	dnsmasqConf  = "dnsmasq.conf"
	dnsmasqHosts = "dhcp-hosts"
	dnsmasqPID   = "dnsmasq.pid"
	dnsmasqLease = "dnsmasq.leases"
	dnsmasqLog   = "dnsmasq.log"
)

// dnsmasqConfig returns the configuration of vpcID's dnsmasq: DHCP only (no
// DNS), on the VPC's bridges, each with a "static" range (only reserved hosts
// get an address), the reservations in a hosts file it re-reads on SIGHUP. The
// router option defaults to the bridge's own address (the gateway).
func (p *Plane) dnsmasqConfig(vpcID string, ports []Port) []byte {
	dir := p.vpcDir(vpcID)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# ecsd DHCP for %s (generated; do not edit)\n", vpcID)
	for _, l := range []string{
		"port=0", "no-resolv", "no-hosts", "user=root", "group=root",
		"bind-dynamic", "except-interface=lo", "dhcp-authoritative",
	} {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "pid-file=%s\n", filepath.Join(dir, dnsmasqPID))
	fmt.Fprintf(&b, "dhcp-leasefile=%s\n", filepath.Join(dir, dnsmasqLease))
	fmt.Fprintf(&b, "dhcp-hostsfile=%s\n", filepath.Join(dir, dnsmasqHosts))
	fmt.Fprintf(&b, "log-facility=%s\n", filepath.Join(dir, dnsmasqLog))
	seen := map[string]bool{}
	for _, port := range ports {
		br := p.BridgeName(port.VSwitchID)
		if seen[br] {
			continue
		}
		seen[br] = true
		mask := net.IP(net.CIDRMask(port.CIDR.Bits(), 32)).String()
		fmt.Fprintf(&b, "# %s %s\ninterface=%s\n", port.VSwitchID, port.CIDR, br)
		fmt.Fprintf(&b, "dhcp-range=set:%s,%s,static,%s,12h\n", br, port.CIDR.Addr(), mask)
	}
	return b.Bytes()
}

// dnsmasqHostsFile returns the reservations: one "MAC,IP" line per port.
func dnsmasqHostsFile(ports []Port) []byte {
	var lines []string
	for _, port := range ports {
		lines = append(lines, fmt.Sprintf("%s,%s", port.MAC, port.IP))
	}
	slices.Sort(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}

// syncDNSMasq makes vpcID's dnsmasq serve ports: restarted when its
// configuration (the set of bridges) changed or it is not running, told to
// re-read its hosts when only the reservations changed, stopped when no port is
// left.
func (p *Plane) syncDNSMasq(ctx context.Context, vpcID string, ports []Port) error {
	if len(ports) == 0 {
		return p.stopDNSMasq(vpcID)
	}
	dir := p.vpcDir(vpcID)
	conf, hosts := p.dnsmasqConfig(vpcID, ports), dnsmasqHostsFile(ports)
	confPath, hostsPath := filepath.Join(dir, dnsmasqConf), filepath.Join(dir, dnsmasqHosts)
	oldConf, _ := os.ReadFile(confPath)
	oldHosts, _ := os.ReadFile(hostsPath)
	pid := p.dnsmasqPID(vpcID)
	if !bytes.Equal(hosts, oldHosts) {
		if err := writeFileAtomic(hostsPath, hosts); err != nil {
			return fmt.Errorf("netns: %w", err)
		}
	}
	if pid != 0 && bytes.Equal(conf, oldConf) {
		if !bytes.Equal(hosts, oldHosts) {
			if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
				return fmt.Errorf("netns: reload dnsmasq of %s: %w", vpcID, err)
			}
		}
		return nil
	}
	if err := p.stopDNSMasq(vpcID); err != nil {
		return err
	}
	if err := writeFileAtomic(confPath, conf); err != nil {
		return fmt.Errorf("netns: %w", err)
	}
	// dnsmasq daemonizes once it listens, writing its pidfile.
	if err := run(ctx, nil, "ip", "netns", "exec", p.NetnsName(vpcID), "dnsmasq", "--conf-file="+confPath); err != nil {
		return err
	}
	for range 100 {
		if p.dnsmasqPID(vpcID) != 0 {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("netns: dnsmasq of %s did not start (see %s)", vpcID, filepath.Join(dir, dnsmasqLog))
}

// dnsmasqPID returns the pid of vpcID's dnsmasq when its pidfile names a live
// dnsmasq started with this VPC's configuration, else 0.
func (p *Plane) dnsmasqPID(vpcID string) int {
	dir := p.vpcDir(vpcID)
	b, err := os.ReadFile(filepath.Join(dir, dnsmasqPID))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("--conf-file="+filepath.Join(dir, dnsmasqConf)+"\x00")) {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
		return 0
	}
	return pid
}

// stopDNSMasq ends vpcID's dnsmasq, if it runs.
func (p *Plane) stopDNSMasq(vpcID string) error {
	pid := p.dnsmasqPID(vpcID)
	if pid == 0 {
		return nil
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for i := range 250 {
		if p.dnsmasqPID(vpcID) == 0 {
			os.Remove(filepath.Join(p.vpcDir(vpcID), dnsmasqPID))
			return nil
		}
		if i == 150 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("netns: dnsmasq %d of %s does not exit", pid, vpcID)
}
