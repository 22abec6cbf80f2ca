package netns

import (
	"context"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
)

// ApplyRules replaces the security-group tables of vpcID's namespace with rs,
// atomically (one `nft -f` transaction: the old rules hold until the new ones
// are in place, and a refused ruleset changes nothing). Applying the ruleset
// applied last is a no-op. A bridge named after its VSwitch ID ("vsw-…") is
// taken to be that VSwitch's bridge (BridgeName). The namespace must exist.
func (p *Plane) ApplyRules(ctx context.Context, vpcID string, rs nft.Ruleset) error {
	if !nameRE.MatchString(vpcID) {
		return fmt.Errorf("netns: VPC ID %q", vpcID)
	}
	rs = p.bridgeNames(rs)
	script, err := nft.Render(rs)
	if err != nil {
		return err
	}
	p.mu.Lock()
	same := p.rules[vpcID] == script
	p.mu.Unlock()
	if same {
		return nil
	}
	unlock, err := p.lock(vpcID)
	if err != nil {
		return err
	}
	defer unlock()
	p.mu.Lock()
	same = p.rules[vpcID] == script // another caller may have applied it meanwhile
	p.mu.Unlock()
	if same {
		return nil
	}
	return p.applyScript(ctx, vpcID, script)
}

// applyLocked applies rs to vpcID; callers hold the VPC's lock.
func (p *Plane) applyLocked(ctx context.Context, vpcID string, rs nft.Ruleset) error {
	script, err := nft.Render(rs)
	if err != nil {
		return err
	}
	return p.applyScript(ctx, vpcID, script)
}

func (p *Plane) applyScript(ctx context.Context, vpcID, script string) error {
	ns := p.NetnsName(vpcID)
	if !nsExists(ns) {
		return fmt.Errorf("netns: VPC %s has no namespace (%s)", vpcID, ns)
	}
	if err := run(ctx, strings.NewReader(script), "ip", "netns", "exec", ns, "nft", "-f", "-"); err != nil {
		return err
	}
	p.mu.Lock()
	p.rules[vpcID] = script
	p.mu.Unlock()
	return nil
}

// emptyRuleset is what a new namespace starts with: no interface may send
// anything until the VPC's ruleset lists it.
func emptyRuleset() nft.Ruleset { return nft.Ruleset{} }

// bridgeNames returns rs with every bridge named by a VSwitch ID renamed to
// that VSwitch's bridge; rs itself is not changed.
func (p *Plane) bridgeNames(rs nft.Ruleset) nft.Ruleset {
	bridges := make([]nft.Bridge, len(rs.Bridges))
	copy(bridges, rs.Bridges)
	for i, b := range bridges {
		if strings.HasPrefix(b.Name, "vsw-") || len(b.Name) > 15 {
			bridges[i].Name = p.BridgeName(b.Name)
		}
	}
	rs.Bridges = bridges
	return rs
}
