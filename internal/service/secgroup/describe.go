package secgroup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// Rule is a rule as DescribeSecurityGroupAttribute shows it.
type Rule struct {
	store.SecurityGroupRule
	// PeerGroupName is the name of the peer group of a group-to-group rule.
	PeerGroupName string
}

// Detail is a group with its rules.
type Detail struct {
	Group store.SecurityGroup
	Rules []Rule
}

// RuleFilter selects the rules DescribeSecurityGroupAttribute shows.
type RuleFilter struct {
	// Direction is ingress, egress, or all ("" is all).
	Direction string
	// NicType, when set, is internet or intranet.
	NicType string
}

// Describe returns a group and the rules f selects, oldest first
// (DescribeSecurityGroupAttribute, 1.11.9). Without NicType the rules of both
// NIC types are shown.
func (s *Service) Describe(ctx context.Context, c Caller, groupID string, f RuleFilter) (Detail, error) {
	nic := strings.ToLower(f.NicType)
	if nic != "" && nic != NicInternet && nic != NicIntranet {
		return Detail{}, errNicType()
	}
	var out Detail
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		g, err := group(tx, c, groupID, errGroupNotFound(msgGroupNotFound))
		if err != nil {
			return err
		}
		rules, err := tx.ListSecurityGroupRules(c.AccountID, g.ID)
		if err != nil {
			return fmt.Errorf("describe %s: %w", g.ID, err)
		}
		out = Detail{Group: g, Rules: []Rule{}}
		names := map[string]string{}
		for _, r := range rules {
			if (f.Direction != "" && f.Direction != "all" && r.Direction != f.Direction) || (nic != "" && r.NicType != nic) {
				continue
			}
			name, err := peerName(tx, r, names)
			if err != nil {
				return err
			}
			out.Rules = append(out.Rules, Rule{SecurityGroupRule: r, PeerGroupName: name})
		}
		return nil
	})
	return out, err
}

// peerName returns the name of a rule's peer group ("" for a CIDR rule or a
// peer that is gone), memoized in names.
func peerName(tx store.Tx, r store.SecurityGroupRule, names map[string]string) (string, error) {
	if r.PeerGroupID == "" {
		return "", nil
	}
	if name, ok := names[r.PeerGroupID]; ok {
		return name, nil
	}
	peer, err := tx.GetSecurityGroup(r.PeerAccountID, r.PeerGroupID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("peer of rule %s: %w", r.ID, err)
	}
	names[r.PeerGroupID] = peer.Name
	return peer.Name, nil
}

// ListQuery selects the groups DescribeSecurityGroups lists.
type ListQuery struct {
	IDs             []string
	VpcID           string
	Name            string
	Type            string
	ResourceGroupID string
	// NetworkType is vpc (groups in a VPC), classic (groups without) or "" (all).
	NetworkType string
	// Tags must all be on a group; an empty Value matches any value.
	Tags []store.Tag
	// PageNumber (from 1) and PageSize (1–50) select the page.
	PageNumber int
	PageSize   int
}

// Summary is a group as DescribeSecurityGroups lists it.
type Summary struct {
	Group store.SecurityGroup
	Tags  []store.Tag
	Rules store.SecurityGroupRuleCount
	// Instances is how many instances are in the group; Available how many more
	// may join.
	Instances int
	Available int
}

// List returns one page of the caller's groups in the region, newest first, and
// the total count (DescribeSecurityGroups, 1.11.10).
func (s *Service) List(ctx context.Context, c Caller, q ListQuery) ([]Summary, int, error) {
	if err := checkFilterTags(q.Tags); err != nil {
		return nil, 0, err
	}
	f := store.SecurityGroupFilter{AccountID: c.AccountID, RegionID: c.RegionID, IDs: q.IDs, VpcID: q.VpcID, Name: q.Name,
		Type: q.Type, ResourceGroupID: q.ResourceGroupID, Tags: q.Tags, Page: store.Page{Number: q.PageNumber, Size: q.PageSize}}
	if q.NetworkType != "" {
		inVPC := strings.EqualFold(q.NetworkType, "vpc")
		f.InVPC = &inVPC
	}
	var out []Summary
	var total int
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		groups, n, err := tx.ListSecurityGroups(f)
		if err != nil {
			return err
		}
		ids := make([]string, len(groups))
		for i, g := range groups {
			ids[i] = g.ID
		}
		tags, err := tx.ListSecurityGroupTags(c.AccountID, ids)
		if err != nil {
			return err
		}
		counts, err := tx.CountSecurityGroupRules(c.AccountID, ids)
		if err != nil {
			return err
		}
		out, total = make([]Summary, 0, len(groups)), n
		for _, g := range groups {
			members, err := s.instances(tx, g.ID)
			if err != nil {
				return err
			}
			out = append(out, Summary{Group: g, Tags: tags[g.ID], Rules: counts[g.ID], Instances: members,
				Available: max(s.deps.Limits.InstancesPerGroup-members, 0)})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list security groups: %w", err)
	}
	return out, total, nil
}

// Reference lists the groups whose rules name group GroupID.
type Reference struct {
	GroupID     string
	Referencing []store.SecurityGroupReference
}

// maxReferences bounds the records one DescribeSecurityGroupReferences answer
// carries (1.11.11: "该接口单次最多返回 100 条记录").
const maxReferences = 100

// References returns, for each of 1 to 10 of the caller's groups, the groups of
// any account whose rules name it (DescribeSecurityGroupReferences, 1.11.11).
// Groups nobody references are left out.
func (s *Service) References(ctx context.Context, c Caller, groupIDs []string) ([]Reference, error) {
	if len(groupIDs) == 0 || len(groupIDs) > 10 {
		return nil, errGroupNos()
	}
	var out []Reference
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		for _, id := range groupIDs {
			if _, err := group(tx, c, id, errGroupNotFound(msgGroupNotFoundNewer)); err != nil {
				return err
			}
		}
		refs, err := tx.ListSecurityGroupReferences(groupIDs)
		if err != nil {
			return fmt.Errorf("describe references: %w", err)
		}
		out = []Reference{}
		for i, id := range groupIDs {
			if slices.Contains(groupIDs[:i], id) {
				continue
			}
			ref := Reference{GroupID: id}
			for _, r := range refs {
				if r.GroupID == id && len(ref.Referencing)+countReferencing(out) < maxReferences {
					ref.Referencing = append(ref.Referencing, r)
				}
			}
			if len(ref.Referencing) > 0 {
				out = append(out, ref)
			}
		}
		return nil
	})
	return out, err
}

func countReferencing(refs []Reference) int {
	n := 0
	for _, r := range refs {
		n += len(r.Referencing)
	}
	return n
}
