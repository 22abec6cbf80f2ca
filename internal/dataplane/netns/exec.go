package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"golang.org/x/sys/unix"
)

// MetadataIP is the metadata service's address, on every namespace's loopback.
var MetadataIP = nft.MetadataIP

// cmdTimeout bounds one ip/nft command.
const cmdTimeout = 30 * time.Second

// run runs name with args (stdin from in, if any) and returns an error with its
// output when it fails.
func run(ctx context.Context, in io.Reader, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = in
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("netns: %s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// ipCmd runs `ip -n ns args…`.
func ipCmd(ctx context.Context, ns string, args ...string) error {
	return run(ctx, nil, "ip", append([]string{"-n", ns}, args...)...)
}

// link is one interface as `ip -j -d addr show` describes it.
type link struct {
	Name     string   `json:"ifname"`
	Master   string   `json:"master"`
	Flags    []string `json:"flags"`
	LinkInfo struct {
		Kind string `json:"info_kind"`
	} `json:"linkinfo"`
	AddrInfo []struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

func (l link) kind() string { return l.LinkInfo.Kind }
func (l link) up() bool {
	for _, f := range l.Flags {
		if f == "UP" {
			return true
		}
	}
	return false
}

// addrs returns the link's IPv4 addresses as "a.b.c.d/n".
func (l link) addrs() []string {
	var out []string
	for _, a := range l.AddrInfo {
		if a.Family == "inet" {
			out = append(out, a.Local+"/"+strconv.Itoa(a.PrefixLen))
		}
	}
	return out
}

// listLinks returns the interfaces of namespace ns by name.
func listLinks(ctx context.Context, ns string) (map[string]link, error) {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "-n", ns, "-j", "-d", "addr", "show").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("netns: ip -n %s addr show: %w", ns, err)
	}
	var links []link
	if err := json.Unmarshal(out, &links); err != nil {
		return nil, fmt.Errorf("netns: ip -n %s addr show: %w", ns, err)
	}
	m := make(map[string]link, len(links))
	for _, l := range links {
		m[l.Name] = l
	}
	return m, nil
}

// inNetns runs fn on an OS thread that has entered namespace ns, on a goroutine
// of its own: when the thread cannot return to the original namespace it stays
// locked and dies with that goroutine, so no other goroutine ever runs in ns by
// accident.
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open(fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		target, err := os.Open(filepath.Join(netnsDir, ns))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("leaving %s: %w", ns, err) // the thread stays locked and ends
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Listen returns a TCP listener on 100.100.100.200:port inside vpcID's
// namespace: reachable from the VPC's guests (and from inside the namespace),
// not from the host. The namespace must exist (a port of the VPC was plugged).
func (p *Plane) Listen(ctx context.Context, vpcID string, port int) (net.Listener, error) {
	if !nameRE.MatchString(vpcID) {
		return nil, fmt.Errorf("netns: VPC ID %q", vpcID)
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("netns: port %d", port)
	}
	ns := p.NetnsName(vpcID)
	if !nsExists(ns) {
		return nil, fmt.Errorf("netns: VPC %s has no namespace (%s): %w", vpcID, ns, os.ErrNotExist)
	}
	// The address is there from ensureNamespace; make sure anyway (cheap).
	if err := ipCmd(ctx, ns, "addr", "replace", MetadataIP.String()+"/32", "dev", "lo"); err != nil {
		return nil, err
	}
	var l net.Listener
	err := inNetns(ns, func() error {
		var err error
		lc := net.ListenConfig{}
		l, err = lc.Listen(ctx, "tcp4", netip.AddrPortFrom(MetadataIP, uint16(port)).String())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netns: listen in %s: %w", ns, err)
	}
	return l, nil
}

// Dial connects to address (a guest's private IP and port) from inside vpcID's
// namespace, where the VPC's bridges are: what an operator's tools on the
// host use to reach a guest, as `ip netns exec` would. The connection works
// from any goroutine once made.
func (p *Plane) Dial(ctx context.Context, vpcID, network, address string) (net.Conn, error) {
	if !nameRE.MatchString(vpcID) {
		return nil, fmt.Errorf("netns: VPC ID %q", vpcID)
	}
	ns := p.NetnsName(vpcID)
	if !nsExists(ns) {
		return nil, fmt.Errorf("netns: VPC %s has no namespace (%s): %w", vpcID, ns, os.ErrNotExist)
	}
	var c net.Conn
	err := inNetns(ns, func() error {
		var err error
		var d net.Dialer
		c, err = d.DialContext(ctx, network, address)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netns: dial %s in %s: %w", address, ns, err)
	}
	return c, nil
}
