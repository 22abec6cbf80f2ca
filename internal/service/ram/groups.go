package ram

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// CreateGroup creates a user group in the caller's account.
func (s *Service) CreateGroup(ctx context.Context, c Caller, name, comments string) (store.RAMGroup, error) {
	if err := checkGroupName("GroupName", name); err != nil {
		return store.RAMGroup{}, err
	}
	if err := checkMaxLen("Comments", comments, maxCommentsLen); err != nil {
		return store.RAMGroup{}, err
	}
	var g store.RAMGroup
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		groups, err := tx.ListRAMGroups(c.AccountID)
		if err != nil {
			return err
		}
		if len(groups) >= MaxGroups {
			return errLimitExceeded("Group", "The count of groups beyond the current limits.")
		}
		now := s.now()
		g = store.RAMGroup{ID: s.newNumericID(), AccountID: c.AccountID, Name: name, Comments: comments, CreatedAt: now, UpdatedAt: now}
		err = tx.CreateRAMGroup(g)
		if errors.Is(err, store.ErrConflict) {
			if _, gerr := tx.GetRAMGroup(c.AccountID, name); gerr == nil {
				return errAlreadyExists("Group")
			}
		}
		return err
	})
	if err != nil {
		return store.RAMGroup{}, fmt.Errorf("create ram group: %w", err)
	}
	return g, nil
}

// GetGroup returns a group of the caller's account.
func (s *Service) GetGroup(ctx context.Context, c Caller, name string) (store.RAMGroup, error) {
	if err := checkGroupName("GroupName", name); err != nil {
		return store.RAMGroup{}, err
	}
	var g store.RAMGroup
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		g, err = getGroup(tx, c.AccountID, name)
		return err
	})
	return g, err
}

// ListGroups returns one page of the caller's groups, by name.
func (s *Service) ListGroups(ctx context.Context, c Caller, p Page) ([]store.RAMGroup, PageInfo, error) {
	var groups []store.RAMGroup
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		groups, err = tx.ListRAMGroups(c.AccountID)
		return err
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	return pageOf(groups, p)
}

// UpdateGroup renames a group or changes its comments (empty values keep the old ones).
func (s *Service) UpdateGroup(ctx context.Context, c Caller, name, newName, newComments string) (store.RAMGroup, error) {
	if err := checkGroupName("GroupName", name); err != nil {
		return store.RAMGroup{}, err
	}
	if newName != "" {
		if err := checkGroupName("NewGroupName", newName); err != nil {
			return store.RAMGroup{}, err
		}
	}
	if err := checkMaxLen("NewComments", newComments, maxCommentsLen); err != nil {
		return store.RAMGroup{}, err
	}
	var g store.RAMGroup
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if g, err = getGroup(tx, c.AccountID, name); err != nil {
			return err
		}
		if newName != "" {
			g.Name = newName
		}
		if newComments != "" {
			g.Comments = newComments
		}
		g.UpdatedAt = s.now()
		err = tx.UpdateRAMGroup(g)
		if errors.Is(err, store.ErrConflict) {
			return errAlreadyExists("Group")
		}
		return err
	})
	if err != nil {
		return store.RAMGroup{}, fmt.Errorf("update ram group: %w", err)
	}
	return g, nil
}

// DeleteGroup deletes a group that has no members and no policies.
func (s *Service) DeleteGroup(ctx context.Context, c Caller, name string) error {
	if err := checkGroupName("GroupName", name); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, err := getGroup(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		members, err := tx.ListRAMGroupMembers(c.AccountID, g.ID, "")
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return errDeleteConflict("Group.User", "The group CAN NOT has any user member while deleting the group.")
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PrincipalType: store.RAMPrincipalGroup, PrincipalID: g.ID})
		if err != nil {
			return err
		}
		if len(atts) > 0 {
			return errDeleteConflict("Group.Policy", "The entity CAN NOT has any attached policy while deleting the group.")
		}
		return tx.DeleteRAMGroup(c.AccountID, g.ID)
	})
}

// AddUserToGroup makes a user a member of a group (at most MaxGroupsPerUser groups).
func (s *Service) AddUserToGroup(ctx context.Context, c Caller, groupName, userName string) error {
	if err := checkGroupName("GroupName", groupName); err != nil {
		return err
	}
	if err := checkUserName("UserName", userName); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, u, err := groupAndUser(tx, c.AccountID, groupName, userName)
		if err != nil {
			return err
		}
		joined, err := tx.ListRAMGroupMembers(c.AccountID, "", u.ID)
		if err != nil {
			return err
		}
		for _, m := range joined {
			if m.GroupID == g.ID {
				return errAlreadyInGroup()
			}
		}
		if len(joined) >= MaxGroupsPerUser {
			return errLimitExceeded("User.Group", "The count of groups the target user joined beyond the current limits.")
		}
		err = tx.AddRAMGroupMember(store.RAMGroupMember{AccountID: c.AccountID, GroupID: g.ID, UserID: u.ID, JoinedAt: s.now()})
		if errors.Is(err, store.ErrConflict) {
			return errAlreadyInGroup()
		}
		return err
	})
}

// RemoveUserFromGroup takes a user out of a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, c Caller, groupName, userName string) error {
	if err := checkGroupName("GroupName", groupName); err != nil {
		return err
	}
	if err := checkUserName("UserName", userName); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, u, err := groupAndUser(tx, c.AccountID, groupName, userName)
		if err != nil {
			return err
		}
		err = tx.RemoveRAMGroupMember(c.AccountID, g.ID, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return errNotInGroup()
		}
		return err
	})
}

// GroupMembership is a group a user belongs to, or a user of a group, with
// the time the user joined it.
type GroupMembership struct {
	Group    store.RAMGroup
	User     store.RAMUser
	JoinedAt time.Time
}

// ListGroupsForUser lists the groups a user belongs to, in the order it joined them.
func (s *Service) ListGroupsForUser(ctx context.Context, c Caller, userName string) ([]GroupMembership, error) {
	if err := checkUserName("UserName", userName); err != nil {
		return nil, err
	}
	var out []GroupMembership
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, c.AccountID, userName)
		if err != nil {
			return err
		}
		members, err := tx.ListRAMGroupMembers(c.AccountID, "", u.ID)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, m := range members {
			g, err := tx.GetRAMGroupByID(c.AccountID, m.GroupID)
			if err != nil {
				return err
			}
			out = append(out, GroupMembership{Group: g, User: u, JoinedAt: m.JoinedAt})
		}
		return nil
	})
	return out, err
}

// ListUsersForGroup lists one page of a group's members, in the order they joined.
func (s *Service) ListUsersForGroup(ctx context.Context, c Caller, groupName string, p Page) ([]GroupMembership, PageInfo, error) {
	if err := checkGroupName("GroupName", groupName); err != nil {
		return nil, PageInfo{}, err
	}
	var out []GroupMembership
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		g, err := getGroup(tx, c.AccountID, groupName)
		if err != nil {
			return err
		}
		members, err := tx.ListRAMGroupMembers(c.AccountID, g.ID, "")
		if err != nil {
			return err
		}
		out = out[:0]
		for _, m := range members {
			u, err := tx.GetRAMUserByID(c.AccountID, m.UserID)
			if err != nil {
				return err
			}
			out = append(out, GroupMembership{Group: g, User: u, JoinedAt: m.JoinedAt})
		}
		return nil
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	return pageOf(out, p)
}

func getGroup(tx store.Tx, accountID int64, name string) (store.RAMGroup, error) {
	g, err := tx.GetRAMGroup(accountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.RAMGroup{}, errNotExist("Group")
	}
	return g, err
}

func groupAndUser(tx store.Tx, accountID int64, groupName, userName string) (store.RAMGroup, store.RAMUser, error) {
	g, err := getGroup(tx, accountID, groupName)
	if err != nil {
		return g, store.RAMUser{}, err
	}
	u, err := getUser(tx, accountID, userName)
	return g, u, err
}
