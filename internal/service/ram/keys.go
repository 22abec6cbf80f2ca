package ram

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
)

// keyOwner resolves the UserName parameter of the AccessKey actions to a user
// ID: the named user; without a name, the calling RAM user, or "" (the
// account's own keys) for the account itself. An assumed role must name a user.
func keyOwner(tx store.Tx, c Caller, userName string) (string, error) {
	if userName != "" {
		if err := checkUserName("UserName", userName); err != nil {
			return "", err
		}
		u, err := getUser(tx, c.AccountID, userName)
		return u.ID, err
	}
	switch c.Principal.Kind {
	case reqctx.PrincipalUser:
		if _, err := tx.GetRAMUserByID(c.AccountID, c.Principal.UserID); err != nil {
			return "", errNotExist("User")
		}
		return c.Principal.UserID, nil
	case reqctx.PrincipalRole:
		return "", apierr.MissingParameter("UserName")
	}
	return "", nil
}

// keysOf lists the keys of a user, or the account's own keys for userID "".
func keysOf(tx store.Tx, accountID int64, userID string) ([]store.AccessKey, error) {
	if userID == "" {
		return tx.ListAccessKeys(accountID)
	}
	return tx.ListUserAccessKeys(accountID, userID)
}

// CreateAccessKey creates an active AccessKey for a RAM user (or for the
// caller, see keyOwner). A user may hold two keys. The secret is in the answer
// only.
func (s *Service) CreateAccessKey(ctx context.Context, c Caller, userName string) (store.AccessKey, error) {
	var k store.AccessKey
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		userID, err := keyOwner(tx, c, userName)
		if err != nil {
			return err
		}
		if userID != "" {
			keys, err := tx.ListUserAccessKeys(c.AccountID, userID)
			if err != nil {
				return err
			}
			if len(keys) >= MaxAccessKeysPerUser {
				return errLimitExceeded("User.AccessKey", "The access key count of the user access keys beyond the current limits.")
			}
		}
		k = store.AccessKey{ID: s.deps.IDs.NewAccessKeyID(), Secret: s.deps.IDs.NewSecret(), AccountID: c.AccountID,
			Status: store.AccessKeyActive, CreatedAt: s.now(), UserID: userID}
		return tx.CreateAccessKey(k)
	})
	if err != nil {
		return store.AccessKey{}, fmt.Errorf("create access key: %w", err)
	}
	return k, nil
}

// ListAccessKeys lists a user's AccessKeys (without secrets' use: the handler
// leaves them out).
func (s *Service) ListAccessKeys(ctx context.Context, c Caller, userName string) ([]store.AccessKey, error) {
	var keys []store.AccessKey
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		userID, err := keyOwner(tx, c, userName)
		if err != nil {
			return err
		}
		keys, err = keysOf(tx, c.AccountID, userID)
		return err
	})
	return keys, err
}

// UpdateAccessKey sets a key Active or Inactive. An Inactive key is refused
// (Forbidden.AccessKeyDisabled) from the next call on.
func (s *Service) UpdateAccessKey(ctx context.Context, c Caller, userName, keyID, status string) error {
	if keyID == "" {
		return apierr.MissingParameter("UserAccessKeyId")
	}
	if status != store.AccessKeyActive && status != store.AccessKeyInactive {
		if status == "" {
			return apierr.MissingParameter("Status")
		}
		return errStatus()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if err := ownKey(tx, c, userName, keyID); err != nil {
			return err
		}
		return tx.SetAccessKeyStatus(keyID, status)
	})
}

// DeleteAccessKey deletes a key; it stops working at once.
func (s *Service) DeleteAccessKey(ctx context.Context, c Caller, userName, keyID string) error {
	if keyID == "" {
		return apierr.MissingParameter("UserAccessKeyId")
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if err := ownKey(tx, c, userName, keyID); err != nil {
			return err
		}
		return tx.DeleteAccessKey(keyID)
	})
}

// ownKey checks that keyID belongs to the user userName names (see keyOwner).
func ownKey(tx store.Tx, c Caller, userName, keyID string) error {
	userID, err := keyOwner(tx, c, userName)
	if err != nil {
		return err
	}
	k, err := tx.GetAccessKey(keyID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (k.AccountID != c.AccountID || k.UserID != userID) {
		return errAccessKeyNotExist()
	}
	return err
}
