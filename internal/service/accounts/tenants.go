package accounts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/ecsd/ecsd/internal/store"
)

// accountNameRE is what an account name may look like: 1 to 64 letters,
// digits, and . _ - @.
var accountNameRE = regexp.MustCompile(`^[a-zA-Z0-9._@\-]{1,64}$`)

// ErrAccountExists: an account with that name exists.
var ErrAccountExists = errors.New("an account with that name already exists")

// ErrUnknownAccount: no account has that name or ID.
var ErrUnknownAccount = errors.New("no such account")

// NewAccount is a created account with its first AccessKey.
type NewAccount struct {
	AccountID       int64
	AccountName     string
	AccessKeyID     string
	AccessKeySecret string
}

// CreateAccount creates an enabled account (a tenant) named name, with one
// AccessKey of its own; the secret is returned this once.
func (s *Service) CreateAccount(ctx context.Context, name string) (NewAccount, error) {
	if !accountNameRE.MatchString(name) {
		return NewAccount{}, fmt.Errorf("account name %q: use 1 to 64 letters, digits, '.', '_', '-' or '@'", name)
	}
	if _, err := strconv.ParseInt(name, 10, 64); err == nil {
		return NewAccount{}, fmt.Errorf("account name %q: a name may not be a number (numbers name accounts by ID)", name)
	}
	var out NewAccount
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetAccountByName(name); err == nil {
			return ErrAccountExists
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		now := s.clock.Now().UTC()
		acct := store.Account{ID: s.ids.NewAccountID(), Name: name, Status: store.AccountEnabled, CreatedAt: now}
		if err := tx.CreateAccount(acct); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return ErrAccountExists
			}
			return err
		}
		k := store.AccessKey{ID: s.ids.NewAccessKeyID(), Secret: s.ids.NewSecret(), AccountID: acct.ID,
			Status: store.AccessKeyActive, CreatedAt: now}
		if err := tx.CreateAccessKey(k); err != nil {
			return err
		}
		out = NewAccount{AccountID: acct.ID, AccountName: name, AccessKeyID: k.ID, AccessKeySecret: k.Secret}
		return nil
	})
	if err != nil {
		return NewAccount{}, fmt.Errorf("create account %q: %w", name, err)
	}
	return out, nil
}

// SetAccountEnabled enables or disables the account named, or numbered, ref.
// A disabled account's AccessKeys — its own, its RAM users' and its STS
// tokens — are refused (Forbidden.AccessKeyDisabled) from the next call on.
func (s *Service) SetAccountEnabled(ctx context.Context, ref string, enabled bool) (store.Account, error) {
	status := store.AccountDisabled
	if enabled {
		status = store.AccountEnabled
	}
	var acct store.Account
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if acct, err = findAccount(tx, ref); err != nil {
			return err
		}
		acct.Status = status
		return tx.SetAccountStatus(acct.ID, status)
	})
	if err != nil {
		return store.Account{}, fmt.Errorf("set account %s %s: %w", ref, status, err)
	}
	return acct, nil
}

// ListAccounts returns every account, by ID.
func (s *Service) ListAccounts(ctx context.Context) ([]store.Account, error) {
	var out []store.Account
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListAccounts()
		return err
	})
	return out, err
}

// findAccount finds an account by name, or by ID when ref is a number.
func findAccount(tx store.Tx, ref string) (store.Account, error) {
	a, err := tx.GetAccountByName(ref)
	if errors.Is(err, store.ErrNotFound) {
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			a, err = tx.GetAccount(id)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Account{}, ErrUnknownAccount
	}
	return a, err
}
