package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/store"
)

const accountColumns = "id, name, status, created_at"

func scanAccount(a *store.Account) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&a.ID, &a.Name, &a.Status, &created); err != nil {
			return err
		}
		a.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateAccount implements store.Tx.
func (t *tx) CreateAccount(a store.Account) error {
	created, err := toNanos(a.CreatedAt)
	if err != nil {
		return fmt.Errorf("create account %d: %w", a.ID, err)
	}
	err = t.insert(`INSERT INTO accounts (`+accountColumns+`) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		a.ID, a.Name, a.Status, created)
	if err != nil {
		return fmt.Errorf("create account %d (%s): %w", a.ID, a.Name, err)
	}
	return nil
}

// GetAccount implements store.Tx.
func (t *tx) GetAccount(id int64) (store.Account, error) {
	var a store.Account
	if err := t.get(scanAccount(&a), `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id); err != nil {
		return store.Account{}, fmt.Errorf("get account %d: %w", id, err)
	}
	return a, nil
}

// GetAccountByName implements store.Tx.
func (t *tx) GetAccountByName(name string) (store.Account, error) {
	var a store.Account
	if err := t.get(scanAccount(&a), `SELECT `+accountColumns+` FROM accounts WHERE name = ?`, name); err != nil {
		return store.Account{}, fmt.Errorf("get account named %q: %w", name, err)
	}
	return a, nil
}

// ListAccounts implements store.Tx.
func (t *tx) ListAccounts() ([]store.Account, error) {
	out := []store.Account{}
	var a store.Account
	err := t.list(func(s scanner) error {
		if err := scanAccount(&a)(s); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	}, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// SetAccountStatus implements store.Tx.
func (t *tx) SetAccountStatus(id int64, status string) error {
	if err := t.update(`UPDATE accounts SET status = ? WHERE id = ?`, status, id); err != nil {
		return fmt.Errorf("set account %d status: %w", id, err)
	}
	return nil
}

const accessKeyColumns = "id, secret, account_id, status, created_at, user_id"

// accessKeySelect reads AccessKeys (alias k) with their user's name.
const accessKeySelect = `SELECT k.id, k.secret, k.account_id, k.status, k.created_at, k.user_id, COALESCE(u.name, '')
	FROM access_keys k LEFT JOIN ram_users u ON u.id = k.user_id AND u.account_id = k.account_id`

func scanAccessKey(k *store.AccessKey) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&k.ID, &k.Secret, &k.AccountID, &k.Status, &created, &k.UserID, &k.UserName); err != nil {
			return err
		}
		k.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateAccessKey implements store.Tx. The account is checked first, so a
// missing account is store.ErrNotFound rather than a foreign-key failure that
// would abort a PostgreSQL transaction.
func (t *tx) CreateAccessKey(k store.AccessKey) error {
	created, err := toNanos(k.CreatedAt)
	if err != nil {
		return fmt.Errorf("create access key %s: %w", k.ID, err)
	}
	var one int
	err = t.get(func(s scanner) error { return s.Scan(&one) }, `SELECT 1 FROM accounts WHERE id = ?`, k.AccountID)
	if err != nil {
		return fmt.Errorf("create access key %s: account %d: %w", k.ID, k.AccountID, err)
	}
	err = t.insert(`INSERT INTO access_keys (`+accessKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.ID, k.Secret, k.AccountID, k.Status, created, k.UserID)
	if err != nil {
		return fmt.Errorf("create access key %s: %w", k.ID, err)
	}
	return nil
}

// GetAccessKey implements store.Tx.
func (t *tx) GetAccessKey(id string) (store.AccessKey, error) {
	var k store.AccessKey
	if err := t.get(scanAccessKey(&k), accessKeySelect+` WHERE k.id = ?`, id); err != nil {
		return store.AccessKey{}, fmt.Errorf("get access key %s: %w", id, err)
	}
	return k, nil
}

// ListAccessKeys implements store.Tx: the account's own keys, oldest first,
// ties broken by ID.
func (t *tx) ListAccessKeys(accountID int64) ([]store.AccessKey, error) {
	out := []store.AccessKey{}
	var k store.AccessKey
	err := t.list(func(s scanner) error {
		if err := scanAccessKey(&k)(s); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	}, accessKeySelect+` WHERE k.account_id = ? AND k.user_id = '' ORDER BY k.created_at, k.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list access keys of account %d: %w", accountID, err)
	}
	return out, nil
}

// SetAccessKeyStatus implements store.Tx.
func (t *tx) SetAccessKeyStatus(id string, status string) error {
	if err := t.update(`UPDATE access_keys SET status = ? WHERE id = ?`, status, id); err != nil {
		return fmt.Errorf("set access key %s status: %w", id, err)
	}
	return nil
}

// credentialQuery reads an AccessKey and its account in one statement.
const credentialQuery = `SELECT k.id, k.secret, k.account_id, k.status, k.created_at, k.user_id, COALESCE(u.name, ''),
	a.id, a.name, a.status, a.created_at
	FROM access_keys k JOIN accounts a ON a.id = k.account_id
	LEFT JOIN ram_users u ON u.id = k.user_id AND u.account_id = k.account_id WHERE k.id = ?`

// Credential implements store.Store with one prepared statement on the read pool.
func (db *DB) Credential(ctx context.Context, accessKeyID string) (store.AccessKey, store.Account, error) {
	q := db.d.bind(credentialQuery)
	st := db.readStmts.lookup(q)
	if st == nil {
		db.readStmts.prepareAll(ctx, []string{q})
		if st = db.readStmts.lookup(q); st == nil {
			st2, err := db.readStmts.pool.PrepareContext(ctx, q)
			if err != nil {
				return store.AccessKey{}, store.Account{}, fmt.Errorf("credential %s: %w", accessKeyID, db.d.classify(err))
			}
			defer st2.Close()
			st = st2
		}
	}
	var k store.AccessKey
	var a store.Account
	var kCreated, aCreated int64
	err := st.QueryRowContext(ctx, accessKeyID).Scan(&k.ID, &k.Secret, &k.AccountID, &k.Status, &kCreated, &k.UserID, &k.UserName,
		&a.ID, &a.Name, &a.Status, &aCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.AccessKey{}, store.Account{}, fmt.Errorf("credential %s: %w", accessKeyID, store.ErrNotFound)
	}
	if err != nil {
		return store.AccessKey{}, store.Account{}, fmt.Errorf("credential %s: %w", accessKeyID, db.d.classify(err))
	}
	k.CreatedAt, a.CreatedAt = fromNanos(kCreated), fromNanos(aCreated)
	return k, a, nil
}
