package sqlstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// This file implements store.RAMTx for users, AccessKeys and groups;
// ram_policies.go has policies, roles, attachments and STS tokens.

const ramUserColumns = "id, account_id, name, display_name, mobile_phone, email, comments, created_at, updated_at"

func scanRAMUser(u *store.RAMUser) func(scanner) error {
	return func(s scanner) error {
		var created, updated int64
		if err := s.Scan(&u.ID, &u.AccountID, &u.Name, &u.DisplayName, &u.MobilePhone, &u.Email, &u.Comments,
			&created, &updated); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = fromNanos(created), fromNanos(updated)
		return nil
	}
}

// CreateRAMUser implements store.RAMTx.
func (t *tx) CreateRAMUser(u store.RAMUser) error {
	created, updated, err := nanosPair(u.CreatedAt, u.UpdatedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_users (`+ramUserColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			u.ID, u.AccountID, u.Name, u.DisplayName, u.MobilePhone, u.Email, u.Comments, created, updated)
	}
	if err != nil {
		return fmt.Errorf("create ram user %q: %w", u.Name, err)
	}
	return nil
}

// GetRAMUser implements store.RAMTx.
func (t *tx) GetRAMUser(accountID int64, name string) (store.RAMUser, error) {
	var u store.RAMUser
	if err := t.get(scanRAMUser(&u), `SELECT `+ramUserColumns+` FROM ram_users WHERE account_id = ? AND name = ?`, accountID, name); err != nil {
		return store.RAMUser{}, fmt.Errorf("get ram user %q: %w", name, err)
	}
	return u, nil
}

// GetRAMUserByID implements store.RAMTx.
func (t *tx) GetRAMUserByID(accountID int64, id string) (store.RAMUser, error) {
	var u store.RAMUser
	if err := t.get(scanRAMUser(&u), `SELECT `+ramUserColumns+` FROM ram_users WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.RAMUser{}, fmt.Errorf("get ram user %s: %w", id, err)
	}
	return u, nil
}

// ListRAMUsers implements store.RAMTx.
func (t *tx) ListRAMUsers(accountID int64) ([]store.RAMUser, error) {
	out := []store.RAMUser{}
	var u store.RAMUser
	err := t.list(func(s scanner) error {
		if err := scanRAMUser(&u)(s); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	}, `SELECT `+ramUserColumns+` FROM ram_users WHERE account_id = ? ORDER BY name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list ram users: %w", err)
	}
	return out, nil
}

// UpdateRAMUser implements store.RAMTx. A name taken by another user is
// checked first, so the unique index never fails the statement.
func (t *tx) UpdateRAMUser(u store.RAMUser) error {
	if other, err := t.GetRAMUser(u.AccountID, u.Name); err == nil && other.ID != u.ID {
		return fmt.Errorf("update ram user %s: name %q: %w", u.ID, u.Name, store.ErrConflict)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	created, updated, err := nanosPair(u.CreatedAt, u.UpdatedAt)
	if err == nil {
		err = t.update(`UPDATE ram_users SET name = ?, display_name = ?, mobile_phone = ?, email = ?, comments = ?,
			created_at = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
			u.Name, u.DisplayName, u.MobilePhone, u.Email, u.Comments, created, updated, u.AccountID, u.ID)
	}
	if err != nil {
		return fmt.Errorf("update ram user %s: %w", u.ID, err)
	}
	return nil
}

// DeleteRAMUser implements store.RAMTx.
func (t *tx) DeleteRAMUser(accountID int64, id string) error {
	if err := t.update(`DELETE FROM ram_users WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete ram user %s: %w", id, err)
	}
	return nil
}

// ListUserAccessKeys implements store.RAMTx.
func (t *tx) ListUserAccessKeys(accountID int64, userID string) ([]store.AccessKey, error) {
	out := []store.AccessKey{}
	var k store.AccessKey
	err := t.list(func(s scanner) error {
		if err := scanAccessKey(&k)(s); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	}, accessKeySelect+` WHERE k.account_id = ? AND k.user_id = ? ORDER BY k.created_at, k.id`, accountID, userID)
	if err != nil {
		return nil, fmt.Errorf("list access keys of ram user %s: %w", userID, err)
	}
	return out, nil
}

// DeleteAccessKey implements store.RAMTx.
func (t *tx) DeleteAccessKey(id string) error {
	if err := t.update(`DELETE FROM access_keys WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete access key %s: %w", id, err)
	}
	return nil
}

const ramGroupColumns = "id, account_id, name, comments, created_at, updated_at"

func scanRAMGroup(g *store.RAMGroup) func(scanner) error {
	return func(s scanner) error {
		var created, updated int64
		if err := s.Scan(&g.ID, &g.AccountID, &g.Name, &g.Comments, &created, &updated); err != nil {
			return err
		}
		g.CreatedAt, g.UpdatedAt = fromNanos(created), fromNanos(updated)
		return nil
	}
}

// CreateRAMGroup implements store.RAMTx.
func (t *tx) CreateRAMGroup(g store.RAMGroup) error {
	created, updated, err := nanosPair(g.CreatedAt, g.UpdatedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_groups (`+ramGroupColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			g.ID, g.AccountID, g.Name, g.Comments, created, updated)
	}
	if err != nil {
		return fmt.Errorf("create ram group %q: %w", g.Name, err)
	}
	return nil
}

// GetRAMGroup implements store.RAMTx.
func (t *tx) GetRAMGroup(accountID int64, name string) (store.RAMGroup, error) {
	var g store.RAMGroup
	if err := t.get(scanRAMGroup(&g), `SELECT `+ramGroupColumns+` FROM ram_groups WHERE account_id = ? AND name = ?`, accountID, name); err != nil {
		return store.RAMGroup{}, fmt.Errorf("get ram group %q: %w", name, err)
	}
	return g, nil
}

// GetRAMGroupByID implements store.RAMTx.
func (t *tx) GetRAMGroupByID(accountID int64, id string) (store.RAMGroup, error) {
	var g store.RAMGroup
	if err := t.get(scanRAMGroup(&g), `SELECT `+ramGroupColumns+` FROM ram_groups WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.RAMGroup{}, fmt.Errorf("get ram group %s: %w", id, err)
	}
	return g, nil
}

// ListRAMGroups implements store.RAMTx.
func (t *tx) ListRAMGroups(accountID int64) ([]store.RAMGroup, error) {
	out := []store.RAMGroup{}
	var g store.RAMGroup
	err := t.list(func(s scanner) error {
		if err := scanRAMGroup(&g)(s); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	}, `SELECT `+ramGroupColumns+` FROM ram_groups WHERE account_id = ? ORDER BY name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list ram groups: %w", err)
	}
	return out, nil
}

// UpdateRAMGroup implements store.RAMTx.
func (t *tx) UpdateRAMGroup(g store.RAMGroup) error {
	if other, err := t.GetRAMGroup(g.AccountID, g.Name); err == nil && other.ID != g.ID {
		return fmt.Errorf("update ram group %s: name %q: %w", g.ID, g.Name, store.ErrConflict)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	created, updated, err := nanosPair(g.CreatedAt, g.UpdatedAt)
	if err == nil {
		err = t.update(`UPDATE ram_groups SET name = ?, comments = ?, created_at = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
			g.Name, g.Comments, created, updated, g.AccountID, g.ID)
	}
	if err != nil {
		return fmt.Errorf("update ram group %s: %w", g.ID, err)
	}
	return nil
}

// DeleteRAMGroup implements store.RAMTx.
func (t *tx) DeleteRAMGroup(accountID int64, id string) error {
	if err := t.update(`DELETE FROM ram_groups WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete ram group %s: %w", id, err)
	}
	return nil
}

// AddRAMGroupMember implements store.RAMTx.
func (t *tx) AddRAMGroupMember(m store.RAMGroupMember) error {
	joined, err := toNanos(m.JoinedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_group_members (account_id, group_id, user_id, joined_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			m.AccountID, m.GroupID, m.UserID, joined)
	}
	if err != nil {
		return fmt.Errorf("add ram user %s to group %s: %w", m.UserID, m.GroupID, err)
	}
	return nil
}

// RemoveRAMGroupMember implements store.RAMTx.
func (t *tx) RemoveRAMGroupMember(accountID int64, groupID, userID string) error {
	err := t.update(`DELETE FROM ram_group_members WHERE account_id = ? AND group_id = ? AND user_id = ?`, accountID, groupID, userID)
	if err != nil {
		return fmt.Errorf("remove ram user %s from group %s: %w", userID, groupID, err)
	}
	return nil
}

// ListRAMGroupMembers implements store.RAMTx.
func (t *tx) ListRAMGroupMembers(accountID int64, groupID, userID string) ([]store.RAMGroupMember, error) {
	w := &where{}
	w.add("account_id = ?", accountID)
	w.eq("group_id", groupID)
	w.eq("user_id", userID)
	out := []store.RAMGroupMember{}
	err := t.list(func(s scanner) error {
		var m store.RAMGroupMember
		var joined int64
		if err := s.Scan(&m.AccountID, &m.GroupID, &m.UserID, &joined); err != nil {
			return err
		}
		m.JoinedAt = fromNanos(joined)
		out = append(out, m)
		return nil
	}, `SELECT account_id, group_id, user_id, joined_at FROM ram_group_members`+w.sql()+` ORDER BY joined_at, group_id, user_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list ram group members: %w", err)
	}
	return out, nil
}

// nanosPair converts a created/updated pair to stored nanoseconds.
func nanosPair(a, b time.Time) (int64, int64, error) {
	x, err := toNanos(a)
	if err != nil {
		return 0, 0, err
	}
	y, err := toNanos(b)
	return x, y, err
}
