package secgroup

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Authorize adds rules to a group: ingress rules (AuthorizeSecurityGroup) or
// egress rules (AuthorizeSecurityGroupEgress), all or none. A rule identical to
// one the group has (same direction, protocol, ports, NIC type, policy,
// priority, peer and local range) is not added again and the call succeeds, as
// Alibaba Cloud answers; the guide says such a call fails but names no code.
func (s *Service) Authorize(ctx context.Context, c Caller, groupID string, egress bool, specs []RuleSpec) error {
	a, parsed, err := parseCall(actAuthorize, actAuthorizeEgress, egress, specs)
	if err != nil {
		return err
	}
	now := s.deps.Clock.Now().UTC()
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, rules, err := groupRules(tx, c, a, groupID)
		if err != nil {
			return err
		}
		var added []store.SecurityGroupRule
		for _, p := range parsed {
			r, t, err := s.newRule(tx, c, g, a, p)
			if err != nil {
				return err
			}
			if hasRule(rules, t) || hasRule(added, t) {
				continue
			}
			added = append(added, r)
		}
		if len(rules)+len(added) > s.deps.Limits.RulesPerGroup {
			return ruleError(a, probLimit)
		}
		for i, r := range added {
			r.ID = s.deps.IDs.NewID("sgr", g.RegionID)
			r.CreatedAt = now.Add(time.Duration(i)) // keeps the request's order
			if err := tx.CreateSecurityGroupRule(r); err != nil {
				return fmt.Errorf("authorize in %s: %w", g.ID, err)
			}
		}
		return nil
	})
}

// groupRules returns the caller's group and its rules, or action a's not-found answer.
func groupRules(tx store.Tx, c Caller, a ruleAction, groupID string) (store.SecurityGroup, []store.SecurityGroupRule, error) {
	g, err := group(tx, c, groupID, ruleError(a, probGroupNotFound))
	if err != nil {
		return g, nil, err
	}
	rules, err := tx.ListSecurityGroupRules(c.AccountID, g.ID)
	if err != nil {
		return g, nil, fmt.Errorf("rules of %s: %w", g.ID, err)
	}
	return g, rules, nil
}

// parseCall picks the ingress or the egress action and parses the call's rules.
func parseCall(ingress, egressAction ruleAction, egress bool, specs []RuleSpec) (ruleAction, []parsedRule, error) {
	a := ingress
	if egress {
		a = egressAction
	}
	parsed, err := parseAll(a, specs)
	return a, parsed, err
}

// parseAll parses every rule of a call.
func parseAll(a ruleAction, specs []RuleSpec) ([]parsedRule, error) {
	if len(specs) == 0 {
		return nil, apierr.MissingParameter("IpProtocol")
	}
	out := make([]parsedRule, 0, len(specs))
	for _, spec := range specs {
		p, err := parseRule(a, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func hasRule(rules []store.SecurityGroupRule, t target) bool {
	for _, r := range rules {
		if t.matches(r, true) {
			return true
		}
	}
	return false
}

// newRule builds the rule p asks for in group g, checking its peer group, and
// returns it with its identity.
func (s *Service) newRule(tx store.Tx, c Caller, g store.SecurityGroup, a ruleAction, p parsedRule) (store.SecurityGroupRule, target, error) {
	r := store.SecurityGroupRule{AccountID: c.AccountID, SecurityGroupID: g.ID, Direction: a.direction(),
		IPProtocol: p.protocol, PortRange: p.portRange, SourcePortRange: p.sourcePortRange, NicType: effectiveNic(g, p),
		Policy: p.policy, Priority: max(p.priority, 1)}
	if p.description != nil {
		r.Description = *p.description
	}
	peerCidr, localCidr := &r.SourceCidrIP, &r.DestCidrIP
	if a.egress() {
		peerCidr, localCidr = &r.DestCidrIP, &r.SourceCidrIP
	}
	*peerCidr, *localCidr = p.peerCidrText, p.localCidrText
	if p.peerGroupIDs != nil {
		if g.VpcID == "" && p.nicType != NicIntranet {
			return r, target{}, ruleError(a, probNicRequired)
		}
		peer, echo, err := s.peerGroup(tx, c, g, a, p)
		if err != nil {
			return r, target{}, err
		}
		r.PeerGroupID, r.PeerAccountID, r.PeerOwnerAccount = peer.ID, peer.AccountID, echo
	}
	return r, targetOf(a, g, p, r.PeerGroupID, r.PeerAccountID), nil
}

// peerGroup finds the peer group a rule of group g names (Authorize,
// ModifySecurityGroupRule), with the owner text the rule reports.
func (s *Service) peerGroup(tx store.Tx, c Caller, g store.SecurityGroup, a ruleAction, p parsedRule) (store.SecurityGroup, string, error) {
	owner, echo, err := resolveOwner(tx, c, p)
	if errors.Is(err, store.ErrNotFound) {
		return store.SecurityGroup{}, "", ruleError(a, probPeerNotFound)
	}
	if err != nil {
		return store.SecurityGroup{}, "", err
	}
	id := p.peerGroupIDs[0]
	if id == g.ID && owner == c.AccountID {
		return store.SecurityGroup{}, "", ruleError(a, probSameGroup)
	}
	peer, err := group(tx, Caller{AccountID: owner, RegionID: g.RegionID}, id, ruleError(a, probPeerNotFound))
	if err != nil {
		return store.SecurityGroup{}, "", err
	}
	switch {
	case (g.VpcID == "") != (peer.VpcID == ""):
		return store.SecurityGroup{}, "", ruleError(a, probNetworkMismatch)
	case g.VpcID != peer.VpcID:
		return store.SecurityGroup{}, "", ruleError(a, probVpcMismatch)
	}
	return peer, echo, nil
}

// resolveOwner returns the account owning a rule's peer group: the one named by
// ID or by name, else the caller's; and, when one was named, its ID as the rule
// reports it. ErrNotFound when the named account does not exist.
func resolveOwner(tx store.Tx, c Caller, p parsedRule) (int64, string, error) {
	switch {
	case p.ownerID != 0:
		if _, err := tx.GetAccount(p.ownerID); err != nil {
			return 0, "", fmt.Errorf("owner of the peer group: %w", err)
		}
		return p.ownerID, strconv.FormatInt(p.ownerID, 10), nil
	case p.ownerAccount != "":
		acct, err := tx.GetAccountByName(p.ownerAccount)
		if err != nil {
			return 0, "", fmt.Errorf("owner of the peer group: %w", err)
		}
		return acct.ID, strconv.FormatInt(acct.ID, 10), nil
	}
	return c.AccountID, "", nil
}

// Revoke removes the rules of a group that the specs name: ingress rules
// (RevokeSecurityGroup) or egress rules (RevokeSecurityGroupEgress). A spec
// names a rule by direction, protocol, port range, NIC type, policy and peer,
// and by priority, source port range and local range when they are sent. A spec
// that names no rule removes nothing and the call succeeds, as Alibaba Cloud
// answers; the guide says such a call fails but names no code.
func (s *Service) Revoke(ctx context.Context, c Caller, groupID string, egress bool, specs []RuleSpec) error {
	a, parsed, err := parseCall(actRevoke, actRevokeEgress, egress, specs)
	if err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, rules, err := groupRules(tx, c, a, groupID)
		if err != nil {
			return err
		}
		doomed := map[string]bool{}
		for _, p := range parsed {
			targets, err := revokeTargets(tx, c, g, a, p, rules)
			if err != nil {
				return err
			}
			for _, r := range rules {
				for _, t := range targets {
					if t.matches(r, false) {
						doomed[r.ID] = true
					}
				}
			}
		}
		for _, r := range rules {
			if doomed[r.ID] {
				if err := tx.DeleteSecurityGroupRule(c.AccountID, g.ID, r.ID); err != nil {
					return fmt.Errorf("revoke in %s: %w", g.ID, err)
				}
			}
		}
		return nil
	})
}

// revokeTargets returns the identities a Revoke spec names: one per peer group
// (up to ten, comma-separated), or one for a CIDR rule.
func revokeTargets(tx store.Tx, c Caller, g store.SecurityGroup, a ruleAction, p parsedRule, rules []store.SecurityGroupRule) ([]target, error) {
	if p.peerGroupIDs == nil {
		return []target{targetOf(a, g, p, "", 0)}, nil
	}
	if g.VpcID == "" && p.nicType != NicIntranet {
		return nil, ruleError(a, probNicRequired)
	}
	named := p.ownerID != 0 || p.ownerAccount != ""
	owner, _, err := resolveOwner(tx, c, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ruleError(a, probOwnerMismatch)
	}
	if err != nil {
		return nil, err
	}
	var out []target
	for _, id := range p.peerGroupIDs {
		id = strings.TrimSpace(id)
		_, err := group(tx, Caller{AccountID: owner, RegionID: g.RegionID}, id, store.ErrNotFound)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ruleError(a, peerProblem(rules, id, named))
		}
		if err != nil {
			return nil, err
		}
		out = append(out, targetOf(a, g, p, id, owner))
	}
	return out, nil
}

// peerProblem explains why a Revoke's peer group was not found in the account
// it was looked up in: a rule of the group names it under another owner, who was
// not named (or named wrongly), or it does not exist at all.
func peerProblem(rules []store.SecurityGroupRule, id string, named bool) problem {
	for _, r := range rules {
		if r.PeerGroupID == id {
			if named {
				return probOwnerMismatch
			}
			return probOwnerRequired
		}
	}
	return probPeerNotFound
}

// ModifyRule changes the description of the ingress rules of a group that the
// spec names (ModifySecurityGroupRule, 1.11.14), the way Revoke names rules. A
// spec that names no rule changes nothing and the call succeeds.
func (s *Service) ModifyRule(ctx context.Context, c Caller, groupID string, spec RuleSpec) error {
	a := actModifyRule
	if spec.Description == nil {
		return apierr.MissingParameter("Description")
	}
	p, err := parseRule(a, spec)
	if err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, rules, err := groupRules(tx, c, a, groupID)
		if err != nil {
			return err
		}
		t := targetOf(a, g, p, "", 0)
		if p.peerGroupIDs != nil {
			if g.VpcID == "" && p.nicType != NicIntranet {
				return ruleError(a, probNicRequired)
			}
			peer, _, err := s.peerGroup(tx, c, g, a, p)
			if err != nil {
				return err
			}
			t = targetOf(a, g, p, peer.ID, peer.AccountID)
		}
		for _, r := range rules {
			if !t.matches(r, false) {
				continue
			}
			r.Description = *p.description
			if err := tx.UpdateSecurityGroupRule(r); err != nil {
				return fmt.Errorf("modify rule %s: %w", r.ID, err)
			}
		}
		return nil
	})
}
