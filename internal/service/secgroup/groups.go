package secgroup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// CreateInput are the parameters of CreateSecurityGroup (1.11.1, plus the
// SDK's SecurityGroupType, ResourceGroupId and Tag.N).
type CreateInput struct {
	Name        string
	Description string
	// VpcID, when set, must be an Available VPC of the caller in the region.
	VpcID string
	// Type is normal (default) or enterprise.
	Type            string
	ResourceGroupID string
	Tags            []store.Tag
	// ClientToken makes the call idempotent (1.18.6).
	ClientToken string
}

// created is what a CreateSecurityGroup call records for its ClientToken.
type created struct {
	SecurityGroupID string
}

// Create creates a security group and returns its ID. A new group accepts
// traffic between its members (InnerAccessPolicy Accept; Drop for an enterprise
// group) and has no rules.
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (string, error) {
	if in.Name != "" && !validName(in.Name) {
		return "", errNameMalformed()
	}
	if in.Description != "" && !validDescription(in.Description) {
		return "", errDescriptionMalformed()
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return "", err
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return "", err
	}
	if in.Type == "" {
		in.Type = TypeNormal
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "CreateSecurityGroup", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.deps.Clock.Now().UTC()
	var out created
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (created, error) {
			g := store.SecurityGroup{ID: s.deps.IDs.NewID("sg", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
				Name: in.Name, Description: in.Description, VpcID: in.VpcID, Type: in.Type, InnerAccessPolicy: InnerAccept,
				ResourceGroupID: in.ResourceGroupID, CreatedAt: now}
			if in.Type == TypeEnterprise {
				g.InnerAccessPolicy = InnerDrop
			}
			if err := s.checkCreate(tx, c, in); err != nil {
				return created{}, err
			}
			if err := tx.CreateSecurityGroup(g); err != nil {
				return created{}, fmt.Errorf("create security group: %w", err)
			}
			if err := tx.PutSecurityGroupTags(c.AccountID, g.ID, tags); err != nil {
				return created{}, fmt.Errorf("create security group: %w", err)
			}
			return created{SecurityGroupID: g.ID}, nil
		})
		return err
	})
	return out.SecurityGroupID, err
}

// checkCreate checks the account's quota and the VPC.
func (s *Service) checkCreate(tx store.Tx, c Caller, in CreateInput) error {
	n, err := tx.CountSecurityGroups(c.AccountID)
	if err != nil {
		return fmt.Errorf("create security group: %w", err)
	}
	if n >= s.deps.Limits.GroupsPerAccount {
		return errGroupQuota()
	}
	if in.VpcID == "" {
		return nil
	}
	vpc, err := tx.GetVPC(c.AccountID, in.VpcID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && vpc.RegionID != c.RegionID) {
		return errVpcNotFound()
	}
	if err != nil {
		return fmt.Errorf("create security group: %w", err)
	}
	if vpc.Status != vpcAvailable {
		return errVpcStatus()
	}
	return nil
}

// Delete deletes a group with its rules and tags (DeleteSecurityGroup, 1.11.8).
// A group with instances, or named by a rule of another group, stays:
// DependencyViolation.
func (s *Service) Delete(ctx context.Context, c Caller, groupID string) error {
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, err := group(tx, c, groupID, errGroupNotFound(msgGroupNotFound))
		if err != nil {
			return err
		}
		n, err := s.instances(tx, g.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errHasInstances()
		}
		refs, err := tx.ListSecurityGroupReferences([]string{g.ID})
		if err != nil {
			return fmt.Errorf("delete %s: %w", g.ID, err)
		}
		for _, r := range refs {
			if r.ReferencingAccountID == c.AccountID {
				return errReferenced()
			}
		}
		if len(refs) > 0 {
			return errReferencedByOtherAccount()
		}
		if err := tx.DeleteSecurityGroup(c.AccountID, g.ID); err != nil {
			return fmt.Errorf("delete %s: %w", g.ID, err)
		}
		return nil
	})
}

// ModifyAttribute changes a group's name and description
// (ModifySecurityGroupAttribute, 1.11.12). A nil or empty name leaves the name;
// a nil description leaves it, an empty one clears it.
func (s *Service) ModifyAttribute(ctx context.Context, c Caller, groupID string, name, description *string) error {
	if name != nil && *name != "" && !validName(*name) {
		return errNameMalformed()
	}
	if description != nil && *description != "" && !validDescription(*description) {
		return errDescriptionMalformed()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, err := group(tx, c, groupID, errGroupNotFound(msgGroupNotFound))
		if err != nil {
			return err
		}
		if name != nil && *name != "" {
			g.Name = *name
		}
		if description != nil {
			g.Description = *description
		}
		if err := tx.UpdateSecurityGroup(g); err != nil {
			return fmt.Errorf("modify %s: %w", g.ID, err)
		}
		return nil
	})
}

// ModifyPolicy sets a group's inner access policy (ModifySecurityGroupPolicy,
// 1.11.13): Accept or Drop, in any case.
func (s *Service) ModifyPolicy(ctx context.Context, c Caller, groupID, policy string) error {
	if !validGroupID(groupID) {
		return errGroupIDMalformed()
	}
	switch strings.ToLower(policy) {
	case "accept":
		policy = InnerAccept
	case "drop":
		policy = InnerDrop
	default:
		return errInnerPolicy()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		g, err := group(tx, c, groupID, errGroupNotFound(msgGroupNotFound))
		if err != nil {
			return err
		}
		g.InnerAccessPolicy = policy
		if err := tx.UpdateSecurityGroup(g); err != nil {
			return fmt.Errorf("modify policy of %s: %w", g.ID, err)
		}
		return nil
	})
}
