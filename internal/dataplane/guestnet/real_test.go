package guestnet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/store"
)

var _ Plane = (*netns.Plane)(nil)

// newRealPlane returns a netns Plane with a prefix of its own, removing its
// VPCs when t ends; it skips where the plane cannot run (root, ip, nft,
// dnsmasq).
func newRealPlane(t *testing.T) *netns.Plane {
	t.Helper()
	if err := netns.Available(); err != nil {
		t.Skipf("the network data plane cannot run here: %v", err)
	}
	var b [3]byte
	rand.Read(b[:])
	p, err := netns.New(netns.Config{StateDir: t.TempDir(), Prefix: "ecsdg" + hex.EncodeToString(b[:])})
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
	return p
}

// inNetns runs a command inside a namespace and answers its output.
func inNetns(t *testing.T, ns string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	return string(out), err
}

// TestRealPlaneEnforcesTheStoresGroupsAndServesMetadataInTheNamespace runs
// the reconciler on a real netns Plane: after a pass the namespace's nft
// tables list the plugged interface's tap, MAC and its group's rule, a rule
// added to the store is in the kernel after the next pass, and
// 100.100.100.200:80 inside the namespace answers HTTP from the metadata
// handler (404 here: the namespace itself is no instance).
func TestRealPlaneEnforcesTheStoresGroupsAndServesMetadataInTheNamespace(t *testing.T) {
	plane := newRealPlane(t)
	w := newWorld(t)
	w.vpc("vpc-real", "10.9.0.0/16", map[string]string{"vsw-real": "10.9.1.0/24"})
	w.group("sg-real", "vpc-real", "Accept", store.SecurityGroupRule{ID: "sgr-ssh", Direction: "ingress", IPProtocol: "tcp",
		PortRange: "22/22", SourceCidrIP: "0.0.0.0/0"})
	w.instance("i-real", "vpc-real", "vsw-real", "10.9.1.5", "00:16:3e:09:01:05", "sg-real")
	if _, err := plane.Plug(t.Context(), netns.Port{ID: "eni-i-real", MAC: "00:16:3e:09:01:05", IP: netip.MustParseAddr("10.9.1.5"),
		VPCID: "vpc-real", VSwitchID: "vsw-real", CIDR: netip.MustParsePrefix("10.9.1.0/24")}); err != nil {
		t.Fatal(err)
	}
	r := New(Config{Store: w.st, Plane: plane})
	defer r.Close()
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	ns := plane.NetnsName("vpc-real")
	out, err := inNetns(t, ns, "nft", "list", "ruleset")
	if err != nil {
		t.Fatalf("nft list ruleset: %v\n%s", err, out)
	}
	for _, want := range []string{plane.TapName("eni-i-real"), "00:16:3e:09:01:05", "tcp dport 22 accept"} {
		if !strings.Contains(out, want) {
			t.Errorf("the namespace's ruleset lacks %q:\n%s", want, out)
		}
	}
	w.addRule("sg-real", store.SecurityGroupRule{ID: "sgr-rdp", Direction: "ingress", IPProtocol: "tcp", PortRange: "3389/3389",
		SourceCidrIP: "10.0.0.0/8"})
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if out, _ := inNetns(t, ns, "nft", "list", "ruleset"); !strings.Contains(out, "tcp dport 3389 accept") {
		t.Errorf("a new rule did not reach the kernel:\n%s", out)
	}
	out, err = inNetns(t, ns, "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://100.100.100.200/latest/meta-data/instance-id")
	if err != nil || out != "404" {
		t.Errorf("metadata from inside the namespace = %q, %v; want 404 from the handler", out, err)
	}
	// the background loop: how long a store change takes to reach the kernel
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	timed := &timedPlane{Plane: plane, rule: "sgr-pg", applied: make(chan time.Time, 1)}
	r2 := New(Config{Store: w.st, Plane: timed})
	defer r2.Close()
	go func() { defer close(done); r2.Run(ctx) }()
	w.addRule("sg-real", store.SecurityGroupRule{ID: "sgr-pg", Direction: "ingress", IPProtocol: "tcp", PortRange: "5432/5432",
		SourceCidrIP: "10.0.0.0/8"})
	start := time.Now()
	select {
	case at := <-timed.applied:
		t.Logf("a rule added to the store was applied to the namespace's kernel tables %v later", at.Sub(start).Round(time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatal("a rule added while Run runs was not applied in 30 s")
	}
	if out, _ := inNetns(t, ns, "nft", "list", "ruleset"); !strings.Contains(out, "tcp dport 5432 accept") {
		t.Errorf("the rule is not in the kernel:\n%s", out)
	}
	cancel()
	<-done
	r.Close()
	r2.Close()
	if out, err := inNetns(t, ns, "curl", "-s", "-m", "5", "http://100.100.100.200/"); err == nil {
		t.Errorf("the metadata service still answers after Close: %q", out)
	}
}

// timedPlane reports when ApplyRules has applied a ruleset holding a rule.
type timedPlane struct {
	*netns.Plane
	rule    string
	applied chan time.Time
}

func (p *timedPlane) ApplyRules(ctx context.Context, vpcID string, rs nft.Ruleset) error {
	err := p.Plane.ApplyRules(ctx, vpcID, rs)
	for _, g := range rs.Groups {
		for _, r := range g.Rules {
			if r.ID == p.rule && err == nil {
				select {
				case p.applied <- time.Now():
				default:
				}
			}
		}
	}
	return err
}
