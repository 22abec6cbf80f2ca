package ram

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/service/ram/policydoc"
	"github.com/ecsd/ecsd/internal/store"
)

// Session durations of roles, in seconds.
const (
	DefaultMaxSessionDuration = 3600
	maxMaxSessionDuration     = 43200
)

// CreateRole creates a role whose trust policy (AssumeRolePolicyDocument)
// names who may assume it. maxSession is MaxSessionDuration (nil: 3600).
func (s *Service) CreateRole(ctx context.Context, c Caller, name, description, trust string, maxSession *int) (store.RAMRole, error) {
	if err := checkRoleName("RoleName", name); err != nil {
		return store.RAMRole{}, err
	}
	if err := checkMaxLen("Description", description, maxDescriptionLen); err != nil {
		return store.RAMRole{}, err
	}
	if err := checkDocument("AssumeRolePolicyDocument", trust, policydoc.Trust); err != nil {
		return store.RAMRole{}, err
	}
	duration := DefaultMaxSessionDuration
	if maxSession != nil {
		if *maxSession < DefaultMaxSessionDuration || *maxSession > maxMaxSessionDuration {
			return store.RAMRole{}, errMaxSessionDuration()
		}
		duration = *maxSession
	}
	var r store.RAMRole
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		roles, err := tx.ListRAMRoles(c.AccountID)
		if err != nil {
			return err
		}
		for _, existing := range roles {
			// ARNs are lower-case, so names differing only in case would share one.
			if strings.EqualFold(existing.Name, name) {
				return errAlreadyExists("Role")
			}
		}
		if len(roles) >= MaxRoles {
			return errLimitExceeded("Role", "The count of roles beyond the current limits.")
		}
		now := s.now()
		r = store.RAMRole{ID: s.newNumericID() + fmt.Sprintf("%03d", now.Nanosecond()%1000), AccountID: c.AccountID, Name: name,
			Description: description, AssumeRolePolicy: trust, MaxSessionDuration: duration, CreatedAt: now, UpdatedAt: now}
		err = tx.CreateRAMRole(r)
		if errors.Is(err, store.ErrConflict) {
			return errAlreadyExists("Role")
		}
		return err
	})
	if err != nil {
		return store.RAMRole{}, fmt.Errorf("create ram role: %w", err)
	}
	return r, nil
}

// GetRole returns a role of the caller's account.
func (s *Service) GetRole(ctx context.Context, c Caller, name string) (store.RAMRole, error) {
	if err := checkRoleName("RoleName", name); err != nil {
		return store.RAMRole{}, err
	}
	var r store.RAMRole
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		r, err = getRole(tx, c.AccountID, name)
		return err
	})
	return r, err
}

// ListRoles returns one page of the caller's roles, by name.
func (s *Service) ListRoles(ctx context.Context, c Caller, p Page) ([]store.RAMRole, PageInfo, error) {
	var roles []store.RAMRole
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		roles, err = tx.ListRAMRoles(c.AccountID)
		return err
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	return pageOf(roles, p)
}

// UpdateRoleInput are the fields of UpdateRole; empty (nil) ones are kept.
type UpdateRoleInput struct {
	NewAssumeRolePolicyDocument, NewDescription string
	NewMaxSessionDuration                       *int
}

// UpdateRole changes a role's trust policy, description or maximum session duration.
func (s *Service) UpdateRole(ctx context.Context, c Caller, name string, in UpdateRoleInput) (store.RAMRole, error) {
	if err := checkRoleName("RoleName", name); err != nil {
		return store.RAMRole{}, err
	}
	if in.NewAssumeRolePolicyDocument != "" {
		if err := checkDocument("NewAssumeRolePolicyDocument", in.NewAssumeRolePolicyDocument, policydoc.Trust); err != nil {
			return store.RAMRole{}, err
		}
	}
	if err := checkMaxLen("NewDescription", in.NewDescription, maxDescriptionLen); err != nil {
		return store.RAMRole{}, err
	}
	if d := in.NewMaxSessionDuration; d != nil && (*d < DefaultMaxSessionDuration || *d > maxMaxSessionDuration) {
		return store.RAMRole{}, errMaxSessionDuration()
	}
	var r store.RAMRole
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = getRole(tx, c.AccountID, name); err != nil {
			return err
		}
		if in.NewAssumeRolePolicyDocument != "" {
			r.AssumeRolePolicy = in.NewAssumeRolePolicyDocument
		}
		if in.NewDescription != "" {
			r.Description = in.NewDescription
		}
		if in.NewMaxSessionDuration != nil {
			r.MaxSessionDuration = *in.NewMaxSessionDuration
		}
		r.UpdatedAt = s.now()
		return tx.UpdateRAMRole(r)
	})
	return r, err
}

// DeleteRole deletes a role that has no policies attached. Tokens already
// issued for it keep their expiry but no longer carry any permission.
func (s *Service) DeleteRole(ctx context.Context, c Caller, name string) error {
	if err := checkRoleName("RoleName", name); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		r, err := getRole(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PrincipalType: store.RAMPrincipalRole, PrincipalID: r.ID})
		if err != nil {
			return err
		}
		if len(atts) > 0 {
			return errDeleteConflict("Role.Policy", "The role CAN NOT has any attached policy while deleting the role.")
		}
		return tx.DeleteRAMRole(c.AccountID, r.ID)
	})
}

func getRole(tx store.Tx, accountID int64, name string) (store.RAMRole, error) {
	r, err := tx.GetRAMRole(accountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.RAMRole{}, errNotExist("Role")
	}
	return r, err
}

// FindRole returns the account's role whose name equals name ignoring case
// (role ARNs are lower-case), or store.ErrNotFound.
func FindRole(tx store.Tx, accountID int64, name string) (store.RAMRole, error) {
	if r, err := tx.GetRAMRole(accountID, name); err == nil || !errors.Is(err, store.ErrNotFound) {
		return r, err
	}
	roles, err := tx.ListRAMRoles(accountID)
	if err != nil {
		return store.RAMRole{}, err
	}
	for _, r := range roles {
		if strings.EqualFold(r.Name, name) {
			return r, nil
		}
	}
	return store.RAMRole{}, fmt.Errorf("ram role %q: %w", name, store.ErrNotFound)
}
