package sqlstore

import (
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

const keyPairColumns = "id, account_id, region_id, name, finger_print, public_key, created_at"

// keyPairTagType is the resource_type of key pairs' rows in the tags table (the
// ResourceType clients such as Terraform use for key pairs).
const keyPairTagType = "keypair"

func scanKeyPair(k *store.KeyPair) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&k.ID, &k.AccountID, &k.RegionID, &k.Name, &k.FingerPrint, &k.PublicKey, &created); err != nil {
			return err
		}
		k.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateKeyPair implements store.KeyPairTx.
func (t *tx) CreateKeyPair(k store.KeyPair) error {
	created, err := toNanos(k.CreatedAt)
	if err != nil {
		return fmt.Errorf("create key pair %q: %w", k.Name, err)
	}
	err = t.insert(`INSERT INTO key_pairs (`+keyPairColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.ID, k.AccountID, k.RegionID, k.Name, k.FingerPrint, k.PublicKey, created)
	if err != nil {
		return fmt.Errorf("create key pair %q: %w", k.Name, err)
	}
	for _, tag := range k.Tags {
		err := t.insert(`INSERT INTO tags (resource_type, resource_id, tag_key, account_id, tag_value) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			keyPairTagType, k.ID, tag.Key, k.AccountID, tag.Value)
		if err != nil {
			return fmt.Errorf("create key pair %q: tag %q: %w", k.Name, tag.Key, err)
		}
	}
	return nil
}

// GetKeyPair implements store.KeyPairTx.
func (t *tx) GetKeyPair(accountID int64, regionID, name string) (store.KeyPair, error) {
	var k store.KeyPair
	err := t.get(scanKeyPair(&k), `SELECT `+keyPairColumns+` FROM key_pairs WHERE account_id = ? AND region_id = ? AND name = ?`,
		accountID, regionID, name)
	if err == nil {
		err = t.loadKeyPairTags([]*store.KeyPair{&k})
	}
	if err != nil {
		return store.KeyPair{}, fmt.Errorf("get key pair %q: %w", name, err)
	}
	return k, nil
}

// ListKeyPairs implements store.KeyPairTx.
func (t *tx) ListKeyPairs(f store.KeyPairFilter) ([]store.KeyPair, int, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("name", f.Names)
	w.eq("finger_print", f.FingerPrint)
	if f.Name != "" {
		cond, arg := t.d.nameMatch("name", f.Name)
		w.add(cond, arg)
	}
	for _, tag := range f.Tags {
		const tagged = "id IN (SELECT resource_id FROM tags WHERE resource_type = ? AND account_id = ? AND tag_key = ?"
		if tag.Value == "" {
			w.add(tagged+")", keyPairTagType, f.AccountID, tag.Key)
		} else {
			w.add(tagged+" AND tag_value = ?)", keyPairTagType, f.AccountID, tag.Key, tag.Value)
		}
	}
	total, err := t.count("key_pairs", w)
	if err != nil {
		return nil, 0, fmt.Errorf("count key pairs: %w", err)
	}
	out := []store.KeyPair{}
	var k store.KeyPair
	err = t.list(func(s scanner) error {
		if err := scanKeyPair(&k)(s); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	}, `SELECT `+keyPairColumns+` FROM key_pairs`+w.sql()+` ORDER BY created_at DESC, name`+pageSQL(f.Page), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list key pairs: %w", err)
	}
	ptrs := make([]*store.KeyPair, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := t.loadKeyPairTags(ptrs); err != nil {
		return nil, 0, fmt.Errorf("list key pairs: %w", err)
	}
	return out, total, nil
}

// loadKeyPairTags fills in the tags of key pairs, in key order.
func (t *tx) loadKeyPairTags(kps []*store.KeyPair) error {
	if len(kps) == 0 {
		return nil
	}
	byID := make(map[string]*store.KeyPair, len(kps))
	ids := make([]string, len(kps))
	for i, k := range kps {
		byID[k.ID] = k
		ids[i] = k.ID
		k.Tags = []store.Tag{}
	}
	w := &where{}
	w.add("resource_type = ?", keyPairTagType)
	w.in("resource_id", ids)
	var id string
	var tag store.Tag
	err := t.list(func(s scanner) error {
		if err := s.Scan(&id, &tag.Key, &tag.Value); err != nil {
			return err
		}
		if k := byID[id]; k != nil {
			k.Tags = append(k.Tags, tag)
		}
		return nil
	}, `SELECT resource_id, tag_key, tag_value FROM tags`+w.sql()+` ORDER BY resource_id, tag_key`, w.args...)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	return nil
}

// CountKeyPairs implements store.KeyPairTx.
func (t *tx) CountKeyPairs(accountID int64, regionID string) (int, error) {
	w := &where{}
	w.add("account_id = ?", accountID)
	w.add("region_id = ?", regionID)
	n, err := t.count("key_pairs", w)
	if err != nil {
		return 0, fmt.Errorf("count key pairs of %d in %s: %w", accountID, regionID, err)
	}
	return n, nil
}

// DeleteKeyPair implements store.KeyPairTx.
func (t *tx) DeleteKeyPair(accountID int64, regionID, name string) error {
	_, err := t.exec(`DELETE FROM tags WHERE resource_type = ? AND resource_id IN
		(SELECT id FROM key_pairs WHERE account_id = ? AND region_id = ? AND name = ?)`, keyPairTagType, accountID, regionID, name)
	if err == nil {
		err = t.update(`DELETE FROM key_pairs WHERE account_id = ? AND region_id = ? AND name = ?`, accountID, regionID, name)
	}
	if err != nil {
		return fmt.Errorf("delete key pair %q: %w", name, err)
	}
	return nil
}

// nameMatch returns a case-sensitive condition on column for a name filter in
// which '*' matches any run of characters and everything else matches itself,
// with its one argument. Without '*' it is plain equality. SQLite's LIKE ignores
// ASCII case, so SQLite uses GLOB (case-sensitive; '?' and '[' are quoted as
// "[?]" and "[[]"); PostgreSQL uses LIKE (case-sensitive; '%', '_' and '\' are
// escaped with '\').
func (d *dialect) nameMatch(column, pattern string) (string, any) {
	if !strings.Contains(pattern, "*") {
		return column + " = ?", pattern
	}
	var b strings.Builder
	if d.name == "sqlite" {
		for _, r := range pattern {
			switch r {
			case '?', '[':
				b.WriteString("[" + string(r) + "]")
			default:
				b.WriteRune(r)
			}
		}
		return column + " GLOB ?", b.String()
	}
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteRune('%')
		case '%', '_', '\\':
			b.WriteString(`\` + string(r))
		default:
			b.WriteRune(r)
		}
	}
	return column + ` LIKE ? ESCAPE '\'`, b.String()
}
