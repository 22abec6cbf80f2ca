package sqlstore

import (
	"fmt"

	"github.com/ecsd/ecsd/internal/store"
)

// tagResourceSecurityGroup is the resource type of security groups in the tags table.
const tagResourceSecurityGroup = "securitygroup"

const securityGroupColumns = "id, account_id, region_id, name, description, vpc_id, group_type, inner_access_policy, resource_group_id, created_at"

func scanSecurityGroup(g *store.SecurityGroup) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&g.ID, &g.AccountID, &g.RegionID, &g.Name, &g.Description, &g.VpcID, &g.Type,
			&g.InnerAccessPolicy, &g.ResourceGroupID, &created); err != nil {
			return err
		}
		g.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateSecurityGroup implements store.SecurityGroupTx.
func (t *tx) CreateSecurityGroup(g store.SecurityGroup) error {
	created, err := toNanos(g.CreatedAt)
	if err != nil {
		return fmt.Errorf("create security group %s: %w", g.ID, err)
	}
	err = t.insert(`INSERT INTO security_groups (`+securityGroupColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		g.ID, g.AccountID, g.RegionID, g.Name, g.Description, g.VpcID, g.Type, g.InnerAccessPolicy, g.ResourceGroupID, created)
	if err != nil {
		return fmt.Errorf("create security group %s: %w", g.ID, err)
	}
	return nil
}

// GetSecurityGroup implements store.SecurityGroupTx.
func (t *tx) GetSecurityGroup(accountID int64, id string) (store.SecurityGroup, error) {
	var g store.SecurityGroup
	err := t.get(scanSecurityGroup(&g), `SELECT `+securityGroupColumns+` FROM security_groups WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return store.SecurityGroup{}, fmt.Errorf("get security group %s: %w", id, err)
	}
	return g, nil
}

// ListSecurityGroups implements store.SecurityGroupTx.
func (t *tx) ListSecurityGroups(f store.SecurityGroupFilter) ([]store.SecurityGroup, int, error) {
	w := &where{}
	w.owned(f.AccountID, f.IDs)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.eq("vpc_id", f.VpcID)
	w.eq("name", f.Name)
	w.eq("group_type", f.Type)
	w.eq("resource_group_id", f.ResourceGroupID)
	if f.InVPC != nil {
		if *f.InVPC {
			w.add("vpc_id <> ''")
		} else {
			w.add("vpc_id = ''")
		}
	}
	tagConditions(w, f.AccountID, tagResourceSecurityGroup, f.Tags)
	total, err := t.count("security_groups", w)
	if err != nil {
		return nil, 0, fmt.Errorf("count security groups: %w", err)
	}
	out := []store.SecurityGroup{}
	var g store.SecurityGroup
	err = t.list(func(s scanner) error {
		if err := scanSecurityGroup(&g)(s); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	}, `SELECT `+securityGroupColumns+` FROM security_groups`+w.sql()+` ORDER BY created_at DESC, id`+pageSQL(f.Page), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list security groups: %w", err)
	}
	return out, total, nil
}

// CountSecurityGroups implements store.SecurityGroupTx.
func (t *tx) CountSecurityGroups(accountID int64) (int, error) {
	w := &where{}
	w.add("account_id = ?", accountID)
	n, err := t.count("security_groups", w)
	if err != nil {
		return 0, fmt.Errorf("count security groups of %d: %w", accountID, err)
	}
	return n, nil
}

// UpdateSecurityGroup implements store.SecurityGroupTx.
func (t *tx) UpdateSecurityGroup(g store.SecurityGroup) error {
	err := t.update(`UPDATE security_groups SET name = ?, description = ?, inner_access_policy = ? WHERE account_id = ? AND id = ?`,
		g.Name, g.Description, g.InnerAccessPolicy, g.AccountID, g.ID)
	if err != nil {
		return fmt.Errorf("update security group %s: %w", g.ID, err)
	}
	return nil
}

// DeleteSecurityGroup implements store.SecurityGroupTx.
func (t *tx) DeleteSecurityGroup(accountID int64, id string) error {
	if err := t.update(`DELETE FROM security_groups WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete security group %s: %w", id, err)
	}
	if _, err := t.exec(`DELETE FROM security_group_rules WHERE account_id = ? AND security_group_id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete rules of security group %s: %w", id, err)
	}
	if _, err := t.exec(`DELETE FROM tags WHERE account_id = ? AND resource_type = ? AND resource_id = ?`,
		accountID, tagResourceSecurityGroup, id); err != nil {
		return fmt.Errorf("delete tags of security group %s: %w", id, err)
	}
	return nil
}

const securityGroupRuleColumns = "id, account_id, security_group_id, direction, ip_protocol, port_range, source_port_range, " +
	"nic_type, policy, priority, source_cidr_ip, dest_cidr_ip, peer_group_id, peer_account_id, peer_owner_account, description, created_at"

func scanSecurityGroupRule(r *store.SecurityGroupRule) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&r.ID, &r.AccountID, &r.SecurityGroupID, &r.Direction, &r.IPProtocol, &r.PortRange,
			&r.SourcePortRange, &r.NicType, &r.Policy, &r.Priority, &r.SourceCidrIP, &r.DestCidrIP, &r.PeerGroupID,
			&r.PeerAccountID, &r.PeerOwnerAccount, &r.Description, &created); err != nil {
			return err
		}
		r.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateSecurityGroupRule implements store.SecurityGroupTx.
func (t *tx) CreateSecurityGroupRule(r store.SecurityGroupRule) error {
	created, err := toNanos(r.CreatedAt)
	if err != nil {
		return fmt.Errorf("create security group rule %s: %w", r.ID, err)
	}
	err = t.insert(`INSERT INTO security_group_rules (`+securityGroupRuleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.ID, r.AccountID, r.SecurityGroupID, r.Direction, r.IPProtocol, r.PortRange, r.SourcePortRange, r.NicType, r.Policy,
		r.Priority, r.SourceCidrIP, r.DestCidrIP, r.PeerGroupID, r.PeerAccountID, r.PeerOwnerAccount, r.Description, created)
	if err != nil {
		return fmt.Errorf("create security group rule %s: %w", r.ID, err)
	}
	return nil
}

// ListSecurityGroupRules implements store.SecurityGroupTx.
func (t *tx) ListSecurityGroupRules(accountID int64, groupID string) ([]store.SecurityGroupRule, error) {
	out := []store.SecurityGroupRule{}
	var r store.SecurityGroupRule
	err := t.list(func(s scanner) error {
		if err := scanSecurityGroupRule(&r)(s); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, `SELECT `+securityGroupRuleColumns+` FROM security_group_rules WHERE account_id = ? AND security_group_id = ? ORDER BY created_at, id`,
		accountID, groupID)
	if err != nil {
		return nil, fmt.Errorf("list rules of security group %s: %w", groupID, err)
	}
	return out, nil
}

// CountSecurityGroupRules implements store.SecurityGroupTx.
func (t *tx) CountSecurityGroupRules(accountID int64, groupIDs []string) (map[string]store.SecurityGroupRuleCount, error) {
	out := map[string]store.SecurityGroupRuleCount{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.add("account_id = ?", accountID)
	w.in("security_group_id", groupIDs)
	err := t.list(func(s scanner) error {
		var id string
		var rules, g2g int64
		if err := s.Scan(&id, &rules, &g2g); err != nil {
			return err
		}
		out[id] = store.SecurityGroupRuleCount{Rules: int(rules), GroupToGroup: int(g2g)}
		return nil
	}, `SELECT security_group_id, COUNT(*), COALESCE(SUM(CASE WHEN peer_group_id <> '' THEN 1 ELSE 0 END), 0) FROM security_group_rules`+
		w.sql()+` GROUP BY security_group_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("count security group rules: %w", err)
	}
	return out, nil
}

// UpdateSecurityGroupRule implements store.SecurityGroupTx.
func (t *tx) UpdateSecurityGroupRule(r store.SecurityGroupRule) error {
	err := t.update(`UPDATE security_group_rules SET description = ?, priority = ? WHERE account_id = ? AND security_group_id = ? AND id = ?`,
		r.Description, r.Priority, r.AccountID, r.SecurityGroupID, r.ID)
	if err != nil {
		return fmt.Errorf("update security group rule %s: %w", r.ID, err)
	}
	return nil
}

// DeleteSecurityGroupRule implements store.SecurityGroupTx.
func (t *tx) DeleteSecurityGroupRule(accountID int64, groupID, ruleID string) error {
	err := t.update(`DELETE FROM security_group_rules WHERE account_id = ? AND security_group_id = ? AND id = ?`, accountID, groupID, ruleID)
	if err != nil {
		return fmt.Errorf("delete security group rule %s: %w", ruleID, err)
	}
	return nil
}

// ListSecurityGroupReferences implements store.SecurityGroupTx.
func (t *tx) ListSecurityGroupReferences(groupIDs []string) ([]store.SecurityGroupReference, error) {
	out := []store.SecurityGroupReference{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.in("peer_group_id", groupIDs)
	w.add("security_group_id <> peer_group_id")
	err := t.list(func(s scanner) error {
		var r store.SecurityGroupReference
		if err := s.Scan(&r.GroupID, &r.ReferencingGroupID, &r.ReferencingAccountID); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, `SELECT DISTINCT peer_group_id, security_group_id, account_id FROM security_group_rules`+w.sql()+
		` ORDER BY peer_group_id, security_group_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list security group references: %w", err)
	}
	return out, nil
}

// PutSecurityGroupTags implements store.SecurityGroupTx.
func (t *tx) PutSecurityGroupTags(accountID int64, groupID string, tags []store.Tag) error {
	for _, tag := range tags {
		_, err := t.exec(`INSERT INTO tags (resource_type, resource_id, tag_key, account_id, tag_value) VALUES (?, ?, ?, ?, ?) `+
			`ON CONFLICT (resource_type, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
			tagResourceSecurityGroup, groupID, tag.Key, accountID, tag.Value)
		if err != nil {
			return fmt.Errorf("tag security group %s: %w", groupID, err)
		}
	}
	return nil
}

// ListSecurityGroupTags implements store.SecurityGroupTx.
func (t *tx) ListSecurityGroupTags(accountID int64, groupIDs []string) (map[string][]store.Tag, error) {
	out := map[string][]store.Tag{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.add("account_id = ?", accountID)
	w.add("resource_type = ?", tagResourceSecurityGroup)
	w.in("resource_id", groupIDs)
	err := t.list(func(s scanner) error {
		var id string
		var tag store.Tag
		if err := s.Scan(&id, &tag.Key, &tag.Value); err != nil {
			return err
		}
		out[id] = append(out[id], tag)
		return nil
	}, `SELECT resource_id, tag_key, tag_value FROM tags`+w.sql()+` ORDER BY resource_id, tag_key`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list security group tags: %w", err)
	}
	return out, nil
}
