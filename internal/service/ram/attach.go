package ram

import (
	"context"
	"errors"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// principalOf resolves a user, group or role name to its ID.
func principalOf(tx store.Tx, accountID int64, principalType, name string) (string, error) {
	switch principalType {
	case store.RAMPrincipalUser:
		if err := checkUserName("UserName", name); err != nil {
			return "", err
		}
		u, err := getUser(tx, accountID, name)
		return u.ID, err
	case store.RAMPrincipalGroup:
		if err := checkGroupName("GroupName", name); err != nil {
			return "", err
		}
		g, err := getGroup(tx, accountID, name)
		return g.ID, err
	default:
		if err := checkRoleName("RoleName", name); err != nil {
			return "", err
		}
		r, err := getRole(tx, accountID, name)
		return r.ID, err
	}
}

// AttachPolicy attaches a system or custom policy to a user, group or role
// (principalType store.RAMPrincipal*). Each may carry MaxSystemPoliciesEach
// system and MaxCustomPoliciesEach custom policies.
func (s *Service) AttachPolicy(ctx context.Context, c Caller, principalType, principalName, policyType, policyName string) error {
	if err := checkPolicyRef(policyType, policyName); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		id, err := principalOf(tx, c.AccountID, principalType, principalName)
		if err != nil {
			return err
		}
		if _, err := readPolicy(tx, c.AccountID, policyType, policyName); err != nil {
			return err
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PrincipalType: principalType,
			PrincipalID: id, PolicyType: policyType})
		if err != nil {
			return err
		}
		limit := MaxCustomPoliciesEach
		if policyType == store.RAMPolicySystem {
			limit = MaxSystemPoliciesEach
		}
		for _, a := range atts {
			if a.PolicyName == policyName {
				return errAlreadyAttached(principalType)
			}
		}
		if len(atts) >= limit {
			return errLimitExceeded(principalType+".Policy", "The policy count of the "+lowerEntity(principalType)+" attached policies beyond the current limits.")
		}
		err = tx.AttachRAMPolicy(store.RAMAttachment{AccountID: c.AccountID, PrincipalType: principalType, PrincipalID: id,
			PolicyType: policyType, PolicyName: policyName, AttachedAt: s.now()})
		if errors.Is(err, store.ErrConflict) {
			return errAlreadyAttached(principalType)
		}
		return err
	})
}

// DetachPolicy detaches a policy from a user, group or role.
func (s *Service) DetachPolicy(ctx context.Context, c Caller, principalType, principalName, policyType, policyName string) error {
	if err := checkPolicyRef(policyType, policyName); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		id, err := principalOf(tx, c.AccountID, principalType, principalName)
		if err != nil {
			return err
		}
		if _, err := readPolicy(tx, c.AccountID, policyType, policyName); err != nil {
			return err
		}
		err = tx.DetachRAMPolicy(store.RAMAttachment{AccountID: c.AccountID, PrincipalType: principalType, PrincipalID: id,
			PolicyType: policyType, PolicyName: policyName})
		if errors.Is(err, store.ErrNotFound) {
			return errNotAttached(principalType)
		}
		return err
	})
}

// AttachedPolicy is a policy attached to a principal, with when it was attached.
type AttachedPolicy struct {
	PolicyInfo
	AttachedAt time.Time
}

// ListPoliciesFor lists the policies attached directly to a user, group or
// role, in the order they were attached.
func (s *Service) ListPoliciesFor(ctx context.Context, c Caller, principalType, principalName string) ([]AttachedPolicy, error) {
	var out []AttachedPolicy
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		id, err := principalOf(tx, c.AccountID, principalType, principalName)
		if err != nil {
			return err
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PrincipalType: principalType, PrincipalID: id})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, a := range atts {
			info, err := readPolicy(tx, c.AccountID, a.PolicyType, a.PolicyName)
			if err != nil {
				return err
			}
			out = append(out, AttachedPolicy{PolicyInfo: info, AttachedAt: a.AttachedAt})
		}
		return nil
	})
	return out, err
}

// PolicyEntities are the users, groups and roles a policy is attached to.
type PolicyEntities struct {
	Users  []AttachedUser
	Groups []AttachedGroup
	Roles  []AttachedRole
}

// AttachedUser is a user a policy is attached to.
type AttachedUser struct {
	store.RAMUser
	AttachedAt time.Time
}

// AttachedGroup is a group a policy is attached to.
type AttachedGroup struct {
	store.RAMGroup
	AttachedAt time.Time
}

// AttachedRole is a role a policy is attached to.
type AttachedRole struct {
	store.RAMRole
	AttachedAt time.Time
}

// ListEntitiesForPolicy lists who a system or custom policy is attached to.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, c Caller, policyType, policyName string) (PolicyEntities, error) {
	if err := checkPolicyRef(policyType, policyName); err != nil {
		return PolicyEntities{}, err
	}
	var out PolicyEntities
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		out = PolicyEntities{Users: []AttachedUser{}, Groups: []AttachedGroup{}, Roles: []AttachedRole{}}
		if _, err := readPolicy(tx, c.AccountID, policyType, policyName); err != nil {
			return err
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PolicyType: policyType, PolicyName: policyName})
		if err != nil {
			return err
		}
		for _, a := range atts {
			switch a.PrincipalType {
			case store.RAMPrincipalUser:
				u, err := tx.GetRAMUserByID(c.AccountID, a.PrincipalID)
				if err != nil {
					return err
				}
				out.Users = append(out.Users, AttachedUser{u, a.AttachedAt})
			case store.RAMPrincipalGroup:
				g, err := tx.GetRAMGroupByID(c.AccountID, a.PrincipalID)
				if err != nil {
					return err
				}
				out.Groups = append(out.Groups, AttachedGroup{g, a.AttachedAt})
			case store.RAMPrincipalRole:
				r, err := tx.GetRAMRoleByID(c.AccountID, a.PrincipalID)
				if err != nil {
					return err
				}
				out.Roles = append(out.Roles, AttachedRole{r, a.AttachedAt})
			}
		}
		return nil
	})
	return out, err
}
