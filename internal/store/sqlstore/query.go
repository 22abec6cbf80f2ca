package sqlstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// where collects the conditions and arguments of a filtered list query.
type where struct {
	conds []string
	args  []any
}

// add appends a condition with its ? arguments.
func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// owned adds the account condition of a listing that may also select by
// primary key (ids). With IDs the primary key is the way in, so the account is
// compared as account_id + 0, a form no index serves: with a plain
// account_id = ?, SQLite without statistics prefers an index leading with
// account_id that matches more equalities (status, region…) and reads every
// row of the account instead of seeking the IDs.
func (w *where) owned(accountID int64, ids []string) {
	if len(ids) > 0 {
		w.add("account_id + 0 = ?", accountID)
		return
	}
	w.add("account_id = ?", accountID)
}

// eq adds "column = value" when value is not empty.
func (w *where) eq(column, value string) {
	if value != "" {
		w.add(column+" = ?", value)
	}
}

// in adds "column IN (…)" when values is not empty.
func (w *where) in(column string, values []string) {
	if len(values) == 0 {
		return
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	w.add(column+" IN ("+marks+")", args...)
}

// boolean adds "column = value" when value is set.
func (w *where) boolean(column string, value *bool) {
	if value != nil {
		w.add(column+" = ?", *value)
	}
}

// sql renders " WHERE a AND b" (or "").
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// pageSQL renders the LIMIT/OFFSET clause of a page ("" for everything).
func pageSQL(p store.Page) string {
	if p.Limit() < 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(p.Limit()) + " OFFSET " + strconv.Itoa(p.Offset())
}

// count runs SELECT COUNT(*) FROM table with w's conditions.
func (t *tx) count(table string, w *where) (int, error) {
	var n int
	err := t.get(func(s scanner) error { return s.Scan(&n) }, "SELECT COUNT(*) FROM "+table+w.sql(), w.args...)
	return n, err
}

// newestFirst lists the rows of table matching w, newest first (created_at, then
// id, descending), as one page, or as the rows after a NextToken cursor; it also
// returns how many rows match before paging.
func newestFirst[T any](t *tx, table, columns string, w *where, page store.Page, after *store.Cursor,
	scan func(*T) func(scanner) error) ([]T, int, error) {
	total, err := t.count(table, w)
	if err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", table, err)
	}
	if after != nil {
		at, err := toNanos(after.CreatedAt)
		if err != nil {
			return nil, 0, err
		}
		w.add("(created_at < ? OR (created_at = ? AND id < ?))", at, at, after.ID)
		page.Number = 1
	}
	out := []T{}
	var row T
	err = t.list(func(s scanner) error {
		if err := scan(&row)(s); err != nil {
			return err
		}
		out = append(out, row)
		return nil
	}, `SELECT `+columns+` FROM `+table+w.sql()+` ORDER BY created_at DESC, id DESC`+pageSQL(page), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", table, err)
	}
	return out, total, nil
}

// updateAll renders "UPDATE table SET col = ?, … WHERE account_id = ? AND id = ?"
// for every column but the first three (id, account_id, region_id) and
// created_at, with args (in columns order) followed by the account and ID.
func updateAll(table, columns string, args []any, accountID int64, id string) (string, []any) {
	var sets []string
	var vals []any
	for i, c := range strings.Split(columns, ", ") {
		if i < 3 || c == "created_at" {
			continue
		}
		sets = append(sets, c+" = ?")
		vals = append(vals, args[i])
	}
	vals = append(vals, accountID, id)
	return `UPDATE ` + table + ` SET ` + strings.Join(sets, ", ") + ` WHERE account_id = ? AND id = ?`, vals
}

// setGroupMemberships replaces the security groups of one member (an instance
// or a network interface) in table, whose member column is memberColumn, and
// keeps their order in position.
func (t *tx) setGroupMemberships(table, memberColumn string, accountID int64, memberID string, groupIDs []string) error {
	if _, err := t.exec(`DELETE FROM `+table+` WHERE `+memberColumn+` = ?`, memberID); err != nil {
		return fmt.Errorf("set security groups of %s: %w", memberID, err)
	}
	for i, g := range groupIDs {
		err := t.insert(`INSERT INTO `+table+` (`+memberColumn+`, security_group_id, account_id, position)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, memberID, g, accountID, i)
		if err != nil {
			return fmt.Errorf("set security groups of %s: %w", memberID, err)
		}
	}
	return nil
}
