// Package accounts owns tenants and their AccessKeys: the root account bootstrap at
// first start, and the AccessKey lookups that authenticate every API call.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// IDs generates account IDs and AccessKey pairs.
type IDs interface {
	NewAccountID() int64
	NewAccessKeyID() string
	NewSecret() string
}

// Service manages accounts.
type Service struct {
	store store.Store
	ids   IDs
	clock Clock
}

// New returns a Service.
func New(s store.Store, ids IDs, clock Clock) *Service {
	return &Service{store: s, ids: ids, clock: clock}
}

// ErrUnknownAccessKey: no such AccessKey.
var ErrUnknownAccessKey = errors.New("unknown access key")

// Credential is an AccessKey as authentication needs it: a permanent key of
// the account or of one of its RAM users, or a temporary STS key.
type Credential struct {
	AccessKeyID string
	Secret      string
	AccountID   int64
	// Active is false when the key or its account is disabled.
	Active bool
	// Principal is who the key acts as (the account itself, a RAM user, or an
	// assumed role).
	Principal reqctx.Principal
	// SecurityToken and ExpiresAt are set for a temporary key: requests must
	// carry the token, and the key stops working at ExpiresAt.
	SecurityToken string
	ExpiresAt     time.Time
}

// stsKeyPrefix starts the AccessKey IDs of temporary credentials.
const stsKeyPrefix = "STS."

// LookupAccessKey returns the AccessKey, who it acts as and whether it may be
// used. Nothing is cached: a disabled account or key, a deleted key or user,
// is refused from the next call on.
func (s *Service) LookupAccessKey(ctx context.Context, accessKeyID string) (Credential, error) {
	if strings.HasPrefix(accessKeyID, stsKeyPrefix) {
		return s.lookupTemporaryKey(ctx, accessKeyID)
	}
	k, a, err := s.store.Credential(ctx, accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return Credential{}, ErrUnknownAccessKey
	}
	if err != nil {
		return Credential{}, err
	}
	p := reqctx.Principal{Kind: reqctx.PrincipalRoot}
	if k.UserID != "" {
		p = reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: k.UserID, UserName: k.UserName}
	}
	return Credential{AccessKeyID: k.ID, Secret: k.Secret, AccountID: k.AccountID, Principal: p,
		Active: k.Status == store.AccessKeyActive && a.Status == store.AccountEnabled}, nil
}

// lookupTemporaryKey reads an STS credential and its account's status.
func (s *Service) lookupTemporaryKey(ctx context.Context, accessKeyID string) (Credential, error) {
	var cred Credential
	err := s.store.View(ctx, func(tx store.Tx) error {
		t, err := tx.GetSTSToken(accessKeyID)
		if err != nil {
			return err
		}
		a, err := tx.GetAccount(t.AccountID)
		if err != nil {
			return err
		}
		cred = Credential{AccessKeyID: t.AccessKeyID, Secret: t.Secret, AccountID: t.AccountID,
			Active: a.Status == store.AccountEnabled, SecurityToken: t.SecurityToken, ExpiresAt: t.ExpiresAt,
			Principal: reqctx.Principal{Kind: reqctx.PrincipalRole, RoleID: t.RoleID, RoleName: t.RoleName,
				SessionName: t.SessionName, SessionPolicy: t.SessionPolicy}}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return Credential{}, ErrUnknownAccessKey
	}
	return cred, err
}

// RootAccountName is the name of the account created at first start.
const RootAccountName = "root"

// settingRootAccount remembers which account is the root account.
const settingRootAccount = "root_account_id"

// Root is the root account's AccessKey as bootstrapped.
type Root struct {
	AccountID       int64
	AccessKeyID     string
	AccessKeySecret string
	// Created is true when this call created the AccessKey (first start).
	Created bool
}

// EnsureRoot makes sure the root account exists, and that it owns an AccessKey:
// the given one when accessKeyID is set (created on first use, kept afterwards), or
// else, when the account has no AccessKey yet, a newly generated one (Created is
// true, and the secret is returned this once). With accessKeyID empty and a root
// that already has keys, it returns the first active key.
func (s *Service) EnsureRoot(ctx context.Context, accessKeyID, secret string) (Root, error) {
	var root Root
	err := s.store.Update(ctx, func(tx store.Tx) error {
		root = Root{}
		acct, err := s.rootAccount(tx)
		if err != nil {
			return err
		}
		root.AccountID = acct.ID
		if accessKeyID != "" {
			return s.ensureGivenKey(tx, &root, accessKeyID, secret)
		}
		keys, err := tx.ListAccessKeys(acct.ID)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.Status == store.AccessKeyActive {
				root.AccessKeyID, root.AccessKeySecret = k.ID, k.Secret
				return nil
			}
		}
		k := store.AccessKey{ID: s.ids.NewAccessKeyID(), Secret: s.ids.NewSecret(), AccountID: acct.ID,
			Status: store.AccessKeyActive, CreatedAt: s.clock.Now().UTC()}
		if err := tx.CreateAccessKey(k); err != nil {
			return fmt.Errorf("create root access key: %w", err)
		}
		root.AccessKeyID, root.AccessKeySecret, root.Created = k.ID, k.Secret, true
		return nil
	})
	return root, err
}

func (s *Service) ensureGivenKey(tx store.Tx, root *Root, accessKeyID, secret string) error {
	if secret == "" {
		return errors.New("an AccessKey ID was given without its secret")
	}
	k, err := tx.GetAccessKey(accessKeyID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		k = store.AccessKey{ID: accessKeyID, Secret: secret, AccountID: root.AccountID,
			Status: store.AccessKeyActive, CreatedAt: s.clock.Now().UTC()}
		if err := tx.CreateAccessKey(k); err != nil {
			return fmt.Errorf("create root access key: %w", err)
		}
		root.Created = true
	case err != nil:
		return err
	case k.AccountID != root.AccountID:
		return fmt.Errorf("access key %s belongs to account %d, not to the root account", accessKeyID, k.AccountID)
	case k.Secret != secret:
		return fmt.Errorf("access key %s already exists with a different secret", accessKeyID)
	}
	root.AccessKeyID, root.AccessKeySecret = k.ID, k.Secret
	return nil
}

// rootAccount returns the root account, creating it on first start.
func (s *Service) rootAccount(tx store.Tx) (store.Account, error) {
	v, err := tx.GetSetting(settingRootAccount)
	if err == nil {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return store.Account{}, fmt.Errorf("setting %s=%q: %w", settingRootAccount, v, perr)
		}
		return tx.GetAccount(id)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Account{}, err
	}
	acct := store.Account{ID: s.ids.NewAccountID(), Name: RootAccountName, Status: store.AccountEnabled,
		CreatedAt: s.clock.Now().UTC()}
	if err := tx.CreateAccount(acct); err != nil {
		return store.Account{}, fmt.Errorf("create root account: %w", err)
	}
	if err := tx.PutSetting(settingRootAccount, strconv.FormatInt(acct.ID, 10)); err != nil {
		return store.Account{}, err
	}
	return acct, nil
}

// RootAccountID returns the ID of the root account created at first start, or
// store.ErrNotFound before the first start.
func (s *Service) RootAccountID(ctx context.Context) (int64, error) {
	var id int64
	err := s.store.View(ctx, func(tx store.Tx) error {
		v, err := tx.GetSetting(settingRootAccount)
		if err != nil {
			return err
		}
		id, err = strconv.ParseInt(v, 10, 64)
		return err
	})
	return id, err
}
