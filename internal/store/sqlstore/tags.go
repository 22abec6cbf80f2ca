package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// tagTable names the table that holds the resources of a tag resource type
// (every one has id, account_id and region_id columns), or "" for a type
// without one.
func tagTable(resourceType string) string {
	switch resourceType {
	case store.TagTypeInstance:
		return "instances"
	case store.TagTypeDisk:
		return "disks"
	case store.TagTypeSnapshot:
		return "snapshots"
	case store.TagTypeSecurityGroup:
		return "security_groups"
	case store.TagTypeKeyPair:
		return "key_pairs"
	case store.TagTypeVPC:
		return "vpcs"
	case store.TagTypeVSwitch:
		return "vswitches"
	case store.TagTypeNetworkInterface:
		return "network_interfaces"
	}
	return ""
}

// tabledTagTypes lists the resource types tagTable knows, in a fixed order.
func tabledTagTypes() []string {
	return []string{store.TagTypeInstance, store.TagTypeDisk, store.TagTypeSecurityGroup,
		store.TagTypeKeyPair, store.TagTypeVPC, store.TagTypeVSwitch, store.TagTypeNetworkInterface, store.TagTypeSnapshot}
}

// PutTags implements store.TagTx.
func (t *tx) PutTags(accountID int64, resourceType, resourceID string, tags []store.Tag) error {
	for _, tag := range tags {
		_, err := t.exec(`INSERT INTO tags (resource_type, resource_id, tag_key, account_id, tag_value) VALUES (?, ?, ?, ?, ?) `+
			`ON CONFLICT (resource_type, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value `+
			`WHERE tags.account_id = excluded.account_id`,
			resourceType, resourceID, tag.Key, accountID, tag.Value)
		if err != nil {
			return fmt.Errorf("tag %s %s with %q: %w", resourceType, resourceID, tag.Key, err)
		}
	}
	return t.afterTagChange(resourceType, resourceID)
}

// afterTagChange keeps what is derived from a resource's tags current: an
// instance's tag_text.
func (t *tx) afterTagChange(resourceType, resourceID string) error {
	if resourceType != store.TagTypeInstance {
		return nil
	}
	return t.refreshInstanceTagText(resourceID)
}

// DeleteTags implements store.TagTx.
func (t *tx) DeleteTags(accountID int64, resourceType, resourceID string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	w := resourceTagsWhere(accountID, resourceType, resourceID)
	w.in("tag_key", keys)
	if _, err := t.exec(`DELETE FROM tags`+w.sql(), w.args...); err != nil {
		return fmt.Errorf("untag %s %s: %w", resourceType, resourceID, err)
	}
	return t.afterTagChange(resourceType, resourceID)
}

// DeleteAllTags implements store.TagTx.
func (t *tx) DeleteAllTags(accountID int64, resourceType, resourceID string) error {
	w := resourceTagsWhere(accountID, resourceType, resourceID)
	if _, err := t.exec(`DELETE FROM tags`+w.sql(), w.args...); err != nil {
		return fmt.Errorf("untag all of %s %s: %w", resourceType, resourceID, err)
	}
	return t.afterTagChange(resourceType, resourceID)
}

// resourceTagsWhere selects the tag rows of one resource of an account.
// It compares the account as owned does, so that the engine seeks the primary
// key (resource_type, resource_id, tag_key) rather than scanning the account's
// tags in tags_lookup_resource.
func resourceTagsWhere(accountID int64, resourceType, resourceID string) *where {
	w := &where{}
	w.owned(accountID, []string{resourceID})
	w.add("resource_type = ?", resourceType)
	w.add("resource_id = ?", resourceID)
	return w
}

// GetTags implements store.TagTx.
func (t *tx) GetTags(accountID int64, resourceType string, resourceIDs []string) (map[string][]store.Tag, error) {
	out := map[string][]store.Tag{}
	if len(resourceIDs) == 0 {
		return out, nil
	}
	// The account is checked on each row rather than in the WHERE clause, for
	// the reason owned gives.
	w := &where{}
	w.add("resource_type = ?", resourceType)
	w.in("resource_id", resourceIDs)
	err := t.list(func(s scanner) error {
		var id string
		var account int64
		var tag store.Tag
		if err := s.Scan(&account, &id, &tag.Key, &tag.Value); err != nil {
			return err
		}
		if account == accountID {
			out[id] = append(out[id], tag)
		}
		return nil
	}, `SELECT account_id, resource_id, tag_key, tag_value FROM tags`+w.sql()+` ORDER BY resource_id, tag_key`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("get tags of %s: %w", resourceType, err)
	}
	return out, nil
}

// ListTags implements store.TagTx.
func (t *tx) ListTags(f store.TagFilter, p store.TagRowPage) ([]store.TagRow, error) {
	w := t.tagWhere(f)
	if a := p.After; a != nil {
		w.add("(t.resource_type > ? OR (t.resource_type = ? AND (t.resource_id > ? OR (t.resource_id = ? AND t.tag_key > ?))))",
			a.ResourceType, a.ResourceType, a.ResourceID, a.ResourceID, a.Key)
	}
	out := []store.TagRow{}
	err := t.list(func(s scanner) error {
		var r store.TagRow
		if err := s.Scan(&r.ResourceType, &r.ResourceID, &r.Key, &r.Value); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, `SELECT t.resource_type, t.resource_id, t.tag_key, t.tag_value FROM tags t`+w.sql()+
		` ORDER BY t.resource_type, t.resource_id, t.tag_key`+pageSQL(store.Page{Number: 1, Size: p.Limit}), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	return out, nil
}

// SummarizeTags implements store.TagTx.
func (t *tx) SummarizeTags(f store.TagFilter, p store.Page) ([]store.TagSummary, int, error) {
	w := t.tagWhere(f)
	var total int
	err := t.get(func(s scanner) error { return s.Scan(&total) },
		`SELECT COUNT(*) FROM (SELECT DISTINCT t.tag_key, t.tag_value FROM tags t`+w.sql()+`) pairs`, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("count tags: %w", err)
	}
	out := []store.TagSummary{}
	err = t.list(func(s scanner) error {
		sum := store.TagSummary{Resources: map[string]int{}}
		if err := s.Scan(&sum.Key, &sum.Value); err != nil {
			return err
		}
		out = append(out, sum)
		return nil
	}, `SELECT t.tag_key, t.tag_value FROM tags t`+w.sql()+` GROUP BY t.tag_key, t.tag_value ORDER BY t.tag_key, t.tag_value`+
		pageSQL(p), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("summarize tags: %w", err)
	}
	if err := t.countTagResources(w, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// countTagResources fills in the per-type resource counts of the summaries,
// among the rows w selects.
func (t *tx) countTagResources(w *where, sums []store.TagSummary) error {
	if len(sums) == 0 {
		return nil
	}
	index := make(map[[2]string]*store.TagSummary, len(sums))
	pairs := make([]string, len(sums))
	args := append([]any{}, w.args...)
	for i := range sums {
		index[[2]string{sums[i].Key, sums[i].Value}] = &sums[i]
		pairs[i] = "(t.tag_key = ? AND t.tag_value = ?)"
		args = append(args, sums[i].Key, sums[i].Value)
	}
	cond := "(" + strings.Join(pairs, " OR ") + ")"
	conj := " WHERE "
	if len(w.conds) > 0 {
		conj = " AND "
	}
	err := t.list(func(s scanner) error {
		var key, value, typ string
		var n int
		if err := s.Scan(&key, &value, &typ, &n); err != nil {
			return err
		}
		if sum := index[[2]string{key, value}]; sum != nil {
			sum.Resources[typ] = n
		}
		return nil
	}, `SELECT t.tag_key, t.tag_value, t.resource_type, COUNT(*) FROM tags t`+w.sql()+conj+cond+
		` GROUP BY t.tag_key, t.tag_value, t.resource_type`, args...)
	if err != nil {
		return fmt.Errorf("count tagged resources: %w", err)
	}
	return nil
}

// tagWhere renders a TagFilter as conditions on "tags t".
func (t *tx) tagWhere(f store.TagFilter) *where {
	w := &where{}
	w.add("t.account_id = ?", f.AccountID)
	w.in("t.resource_type", f.ResourceTypes)
	w.in("t.resource_id", f.ResourceIDs)
	if f.RegionID != "" {
		tagRegionCondition(w, f)
	}
	if len(f.Tags) > 0 {
		var alts []string
		var args []any
		for _, m := range f.Tags {
			cond, margs := t.tagMatchSQL("t", m)
			alts = append(alts, cond)
			args = append(args, margs...)
		}
		w.add("("+strings.Join(alts, " OR ")+")", args...)
	}
	if f.TaggedWithAll {
		for _, m := range f.Tags {
			cond, margs := t.tagMatchSQL("o", m)
			w.add("EXISTS (SELECT 1 FROM tags o WHERE o.account_id = t.account_id AND o.resource_type = t.resource_type"+
				" AND o.resource_id = t.resource_id AND "+cond+")", margs...)
		}
	}
	return w
}

// tagRegionCondition keeps the rows of resources that exist in f.RegionID
// (among f.ResourceTypes, when set); a filter naming only types without a
// table keeps nothing.
func tagRegionCondition(w *where, f store.TagFilter) {
	var alts []string
	var args []any
	for _, typ := range tabledTagTypes() {
		if len(f.ResourceTypes) > 0 && !slices.Contains(f.ResourceTypes, typ) {
			continue
		}
		alts = append(alts, "(t.resource_type = ? AND t.resource_id IN (SELECT id FROM "+tagTable(typ)+
			" WHERE account_id = ? AND region_id = ?))")
		args = append(args, typ, f.AccountID, f.RegionID)
	}
	if len(alts) == 0 {
		w.add("1 = 0")
		return
	}
	w.add("("+strings.Join(alts, " OR ")+")", args...)
}

// tagMatchSQL renders one TagMatch on the tag_key and tag_value columns of the
// table aliased alias.
func (t *tx) tagMatchSQL(alias string, m store.TagMatch) (string, []any) {
	match := func(column, v string) (string, any) {
		if m.Wildcard {
			return t.d.nameMatch(column, v)
		}
		return column + " = ?", v
	}
	cond, arg := match(alias+".tag_key", m.Key)
	args := []any{arg}
	if len(m.Values) == 0 {
		return cond, args
	}
	values := make([]string, len(m.Values))
	for i, v := range m.Values {
		c, a := match(alias+".tag_value", v)
		values[i] = c
		args = append(args, a)
	}
	return "(" + cond + " AND (" + strings.Join(values, " OR ") + "))", args
}
