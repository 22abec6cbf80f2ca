package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// Instances carry their own tags in the tag_text column, so that a tag filter
// of DescribeInstances is checked inside the index that serves the other
// filters (migration 0010), instead of materializing every resource that has
// the tag: on a fleet of 100,000, where half the instances are env=prod, that
// is the difference between reading the 12,500 matching index entries and
// building a set of 50,000 IDs for every query.
//
// tag_text is derived from the tags table (which stays the record) by this
// package alone: every statement that changes an instance's tags rewrites it
// in the same transaction. Its form is " k1=v1 k2=v2 ", tokens in key order,
// each key and value encoded by encodeTagText so that no token contains a
// space, '=', or a pattern character of GLOB or LIKE: a filter is then an
// exact substring match, " key=value " or " key=" for a key with any value.

// tagTextEscapes are the characters encodeTagText writes as ~XX: the token
// separators, the escape itself, and the wildcards of GLOB and LIKE.
const tagTextEscapes = " =~*?[]%_\\"

// encodeTagText escapes s for a tag_text token.
func encodeTagText(s string) string {
	if !strings.ContainsAny(s, tagTextEscapes) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(tagTextEscapes, s[i]) >= 0 {
			fmt.Fprintf(&b, "~%02X", s[i])
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// instanceTagText renders an instance's tags as its tag_text.
func instanceTagText(tags []store.Tag) string {
	tags = slices.Clone(tags)
	slices.SortFunc(tags, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	var b strings.Builder
	b.WriteByte(' ')
	for _, tag := range tags {
		b.WriteString(encodeTagText(tag.Key) + "=" + encodeTagText(tag.Value) + " ")
	}
	return b.String()
}

// refreshInstanceTagText rewrites an instance's tag_text from its tag rows.
func (t *tx) refreshInstanceTagText(instanceID string) error {
	tags := []store.Tag{}
	err := t.list(func(s scanner) error {
		var tag store.Tag
		if err := s.Scan(&tag.Key, &tag.Value); err != nil {
			return err
		}
		tags = append(tags, tag)
		return nil
	}, `SELECT tag_key, tag_value FROM tags WHERE resource_type = ? AND resource_id = ?`, store.TagTypeInstance, instanceID)
	if err != nil {
		return fmt.Errorf("tags of instance %s: %w", instanceID, err)
	}
	if _, err := t.exec(`UPDATE instances SET tag_text = ? WHERE id = ?`, instanceTagText(tags), instanceID); err != nil {
		return fmt.Errorf("tag text of instance %s: %w", instanceID, err)
	}
	return nil
}

// instanceTagConditions adds DescribeInstances' Tag.N filters as matches on
// tag_text: GLOB on SQLite (case-sensitive, like tags), LIKE on PostgreSQL.
func (t *tx) instanceTagConditions(w *where, tags []store.Tag) {
	op, wild := "GLOB", "*"
	if t.d.name == "postgres" {
		op, wild = "LIKE", "%"
	}
	for _, tag := range tags {
		token := " " + encodeTagText(tag.Key) + "="
		if tag.Value != "" {
			token += encodeTagText(tag.Value) + " "
		}
		w.add("tag_text "+op+" ?", wild+token+wild)
	}
}

// backfillInstanceTagText fills tag_text for the instances created before
// migration 0010 (which adds it empty); it runs once, recorded in settings.
func (t *tx) backfillInstanceTagText() error {
	const done = "sqlstore.instance_tag_text"
	var v string
	err := t.get(func(s scanner) error { return s.Scan(&v) }, `SELECT value FROM settings WHERE key = ?`, done)
	if err == nil {
		return nil
	}
	var ids []string
	err = t.list(func(s scanner) error {
		var id string
		if err := s.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, `SELECT DISTINCT resource_id FROM tags WHERE resource_type = ?`, store.TagTypeInstance)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.refreshInstanceTagText(id); err != nil {
			return err
		}
	}
	_, err = t.exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, done, "1")
	return err
}
