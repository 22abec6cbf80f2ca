package sqlstore

import (
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
