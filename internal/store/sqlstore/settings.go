package sqlstore

import (
	"fmt"

	"github.com/ecsd/ecsd/internal/store"
)

// GetSetting implements store.Tx.
func (t *tx) GetSetting(key string) (string, error) {
	var v string
	if err := t.get(func(s scanner) error { return s.Scan(&v) }, `SELECT value FROM settings WHERE key = ?`, key); err != nil {
		return "", fmt.Errorf("get setting %s: %w", key, err)
	}
	return v, nil
}

// PutSetting implements store.Tx.
func (t *tx) PutSetting(key, value string) error {
	_, err := t.exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		key, value)
	if err != nil {
		return fmt.Errorf("put setting %s: %w", key, err)
	}
	return nil
}

const idempotencyColumns = "account_id, action, token, params_hash, response, created_at"

// GetIdempotency implements store.Tx.
func (t *tx) GetIdempotency(accountID int64, action, token string) (store.Idempotency, error) {
	var r store.Idempotency
	var created int64
	err := t.get(func(s scanner) error {
		return s.Scan(&r.AccountID, &r.Action, &r.Token, &r.ParamsHash, &r.Response, &created)
	}, `SELECT `+idempotencyColumns+` FROM idempotency WHERE account_id = ? AND action = ? AND token = ?`,
		accountID, action, token)
	if err != nil {
		return store.Idempotency{}, fmt.Errorf("get idempotency record %d/%s/%s: %w", accountID, action, token, err)
	}
	r.CreatedAt = fromNanos(created)
	return r, nil
}

// PutIdempotency implements store.Tx.
func (t *tx) PutIdempotency(r store.Idempotency) error {
	created, err := toNanos(r.CreatedAt)
	if err != nil {
		return fmt.Errorf("put idempotency record %d/%s/%s: %w", r.AccountID, r.Action, r.Token, err)
	}
	err = t.insert(`INSERT INTO idempotency (`+idempotencyColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.AccountID, r.Action, r.Token, r.ParamsHash, r.Response, created)
	if err != nil {
		return fmt.Errorf("put idempotency record %d/%s/%s: %w", r.AccountID, r.Action, r.Token, err)
	}
	return nil
}
