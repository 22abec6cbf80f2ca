package ram

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/store"
)

// UserInput are the fields of CreateUser.
type UserInput struct {
	UserName, DisplayName, MobilePhone, Email, Comments string
}

// CreateUser creates a RAM user in the caller's account.
func (s *Service) CreateUser(ctx context.Context, c Caller, in UserInput) (store.RAMUser, error) {
	if err := checkUserName("UserName", in.UserName); err != nil {
		return store.RAMUser{}, err
	}
	if err := (userFields{in.DisplayName, in.MobilePhone, in.Email, in.Comments}).check(""); err != nil {
		return store.RAMUser{}, err
	}
	var u store.RAMUser
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		users, err := tx.ListRAMUsers(c.AccountID)
		if err != nil {
			return err
		}
		if len(users) >= MaxUsers {
			return errLimitExceeded("User", "The count of users beyond the current limits.")
		}
		now := s.now()
		u = store.RAMUser{ID: s.newNumericID(), AccountID: c.AccountID, Name: in.UserName, DisplayName: in.DisplayName,
			MobilePhone: in.MobilePhone, Email: in.Email, Comments: in.Comments, CreatedAt: now, UpdatedAt: now}
		err = tx.CreateRAMUser(u)
		if errors.Is(err, store.ErrConflict) {
			if _, gerr := tx.GetRAMUser(c.AccountID, in.UserName); gerr == nil {
				return errAlreadyExists("User")
			}
		}
		return err
	})
	if err != nil {
		return store.RAMUser{}, fmt.Errorf("create ram user: %w", err)
	}
	return u, nil
}

// GetUser returns a RAM user of the caller's account.
func (s *Service) GetUser(ctx context.Context, c Caller, name string) (store.RAMUser, error) {
	if err := checkUserName("UserName", name); err != nil {
		return store.RAMUser{}, err
	}
	var u store.RAMUser
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = getUser(tx, c.AccountID, name)
		return err
	})
	return u, err
}

// ListUsers returns one page of the caller's RAM users, by name.
func (s *Service) ListUsers(ctx context.Context, c Caller, p Page) ([]store.RAMUser, PageInfo, error) {
	var users []store.RAMUser
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		users, err = tx.ListRAMUsers(c.AccountID)
		return err
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	return pageOf(users, p)
}

// UpdateUserInput are the fields of UpdateUser; empty ones are left as they are.
type UpdateUserInput struct {
	NewUserName, NewDisplayName, NewMobilePhone, NewEmail, NewComments string
}

// UpdateUser renames a RAM user or changes its descriptive fields. Its
// AccessKeys, groups and policies follow it, since they refer to its ID.
func (s *Service) UpdateUser(ctx context.Context, c Caller, name string, in UpdateUserInput) (store.RAMUser, error) {
	if err := checkUserName("UserName", name); err != nil {
		return store.RAMUser{}, err
	}
	if in.NewUserName != "" {
		if err := checkUserName("NewUserName", in.NewUserName); err != nil {
			return store.RAMUser{}, err
		}
	}
	if err := (userFields{in.NewDisplayName, in.NewMobilePhone, in.NewEmail, in.NewComments}).check("New"); err != nil {
		return store.RAMUser{}, err
	}
	var u store.RAMUser
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if u, err = getUser(tx, c.AccountID, name); err != nil {
			return err
		}
		set := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		set(&u.Name, in.NewUserName)
		set(&u.DisplayName, in.NewDisplayName)
		set(&u.MobilePhone, in.NewMobilePhone)
		set(&u.Email, in.NewEmail)
		set(&u.Comments, in.NewComments)
		u.UpdatedAt = s.now()
		err = tx.UpdateRAMUser(u)
		if errors.Is(err, store.ErrConflict) {
			return errAlreadyExists("User")
		}
		return err
	})
	if err != nil {
		return store.RAMUser{}, fmt.Errorf("update ram user: %w", err)
	}
	return u, nil
}

// DeleteUser deletes a RAM user that has no AccessKeys, belongs to no group
// and has no policies attached (DeleteConflict.User.* otherwise).
func (s *Service) DeleteUser(ctx context.Context, c Caller, name string) error {
	if err := checkUserName("UserName", name); err != nil {
		return err
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		keys, err := tx.ListUserAccessKeys(c.AccountID, u.ID)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return errDeleteConflict("User.AccessKey", "The user CAN NOT has any access key while deleting the user.")
		}
		groups, err := tx.ListRAMGroupMembers(c.AccountID, "", u.ID)
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return errDeleteConflict("User.Group", "The user CAN NOT be in any group while deleting the user.")
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PrincipalType: store.RAMPrincipalUser, PrincipalID: u.ID})
		if err != nil {
			return err
		}
		if len(atts) > 0 {
			return errDeleteConflict("User.Policy", "The user CAN NOT has any attached policy while deleting the user.")
		}
		return tx.DeleteRAMUser(c.AccountID, u.ID)
	})
	if err != nil {
		return fmt.Errorf("delete ram user: %w", err)
	}
	return nil
}

// getUser reads a user by name; EntityNotExist.User when absent.
func getUser(tx store.Tx, accountID int64, name string) (store.RAMUser, error) {
	u, err := tx.GetRAMUser(accountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.RAMUser{}, errNotExist("User")
	}
	return u, err
}
