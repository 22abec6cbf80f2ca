package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ecsd/ecsd/internal/store"
)

// JoinSecurityGroup puts an instance into one more security group (guide
// 1.11.6): the instance Running or Stopped and not locked for security, the
// group of the same account, region and VPC, the instance in fewer than 5
// groups and the group holding fewer than 1000 instances.
func (s *Service) JoinSecurityGroup(ctx context.Context, c Caller, instanceID, groupID string) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, groups, err := membershipOf(tx, c, instanceID, groupID)
		if err != nil {
			return err
		}
		if !s.settledIn(inst, StatusRunning, StatusStopped) {
			return errIncorrectState()
		}
		if slices.Contains(groups, groupID) {
			return errJoinAlreadyMember()
		}
		next := append(groups, groupID)
		if err := checkNewGroup(tx, inst, groupID, len(next)); err != nil {
			return err
		}
		return tx.SetInstanceSecurityGroups(inst.AccountID, inst.ID, next)
	})
	if err != nil {
		return fmt.Errorf("join %s to %s: %w", instanceID, groupID, err)
	}
	return nil
}

// LeaveSecurityGroup takes an instance out of a security group (guide 1.11.7):
// the instance Running or Stopped, not locked for security, in the group and
// in at least one other.
func (s *Service) LeaveSecurityGroup(ctx context.Context, c Caller, instanceID, groupID string) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, groups, err := membershipOf(tx, c, instanceID, groupID)
		if err != nil {
			return err
		}
		if !s.settledIn(inst, StatusRunning, StatusStopped) {
			return ErrIncorrectStatus()
		}
		if !slices.Contains(groups, groupID) {
			return errLeaveNotMember()
		}
		if len(groups) == 1 {
			return errLeaveLastGroup()
		}
		rest := slices.DeleteFunc(groups, func(g string) bool { return g == groupID })
		return tx.SetInstanceSecurityGroups(inst.AccountID, inst.ID, rest)
	})
	if err != nil {
		return fmt.Errorf("take %s out of %s: %w", instanceID, groupID, err)
	}
	return nil
}

// membershipOf looks up the instance (404), the group (404) and the security
// lock (403) of a Join or Leave, and returns the instance and its groups.
func membershipOf(tx store.Tx, c Caller, instanceID, groupID string) (store.Instance, []string, error) {
	inst, err := getInstance(tx, c, instanceID, ErrNotFound())
	if err != nil {
		return store.Instance{}, nil, err
	}
	if _, err := getGroup(tx, inst, groupID); err != nil {
		return store.Instance{}, nil, err
	}
	if Locked(inst, LockSecurity) {
		return store.Instance{}, nil, ErrLockedForSecurity()
	}
	groups, err := tx.InstanceSecurityGroups(inst.ID)
	if err != nil {
		return store.Instance{}, nil, err
	}
	return inst, groups, nil
}

// getGroup returns the instance owner's group in the instance's region, or
// InvalidSecurityGroupId.NotFound.
func getGroup(tx store.Tx, inst store.Instance, groupID string) (store.SecurityGroup, error) {
	g, err := tx.GetSecurityGroup(inst.AccountID, groupID)
	if errors.Is(err, store.ErrNotFound) || err == nil && g.RegionID != inst.RegionID {
		return store.SecurityGroup{}, errJoinGroupNotFound()
	}
	if err != nil {
		return store.SecurityGroup{}, fmt.Errorf("get security group %s: %w", groupID, err)
	}
	return g, nil
}

// checkNewGroup checks a group the instance is about to join, which will make
// it a member of count groups: same VPC, at most 5 groups per instance, room
// for one more instance in the group.
func checkNewGroup(tx store.Tx, inst store.Instance, groupID string, count int) error {
	g, err := getGroup(tx, inst, groupID)
	if err != nil {
		return err
	}
	if g.VpcID != inst.VpcID {
		return errJoinVpcMismatch()
	}
	if count > MaxSecurityGroups {
		return errJoinInstanceLimit()
	}
	n, err := GroupMembers(tx, groupID)
	if err != nil {
		return err
	}
	if n >= MaxInstancesPerGroup {
		return errJoinGroupFull()
	}
	return nil
}

// replaceGroups makes groupIDs (repeats dropped, order kept) the instance's
// groups: ModifyInstanceAttribute's SecurityGroupIds.N. Each group is checked
// like one the instance joins, except the ones it is in already.
func replaceGroups(tx store.Tx, inst store.Instance, groupIDs []string) error {
	var next []string
	for _, g := range groupIDs {
		if !slices.Contains(next, g) {
			next = append(next, g)
		}
	}
	current, err := tx.InstanceSecurityGroups(inst.ID)
	if err != nil {
		return err
	}
	for _, g := range next {
		if slices.Contains(current, g) {
			continue
		}
		if err := checkNewGroup(tx, inst, g, len(next)); err != nil {
			return err
		}
	}
	if len(next) > MaxSecurityGroups {
		return errJoinInstanceLimit()
	}
	return tx.SetInstanceSecurityGroups(inst.AccountID, inst.ID, next)
}
