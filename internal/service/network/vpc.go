package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// Scope is who calls and where: the account that owns the resources and the
// region of the call. Resources of other accounts and other regions are
// invisible: asking for one is the same *.NotFound as asking for a missing one.
type Scope struct {
	AccountID int64
	RegionID  string
}

// Idempotent is embedded by create inputs: ClientToken makes a create idempotent
// (guide 1.18.6), Params are the call's decoded parameters without ClientToken,
// hashed to tell a retry (same answer) from a reuse of the token with other
// parameters (IdempotentParameterMismatch). A nil Params hashes the input itself.
type Idempotent struct {
	ClientToken string `json:"-"`
	Params      any    `json:"-"`
}

// fingerprint returns what idempotency.Run hashes for a create input.
func (i Idempotent) fingerprint(input any) any {
	if i.Params != nil {
		return i.Params
	}
	return input
}

// CreateVPCInput is what CreateVPC needs.
type CreateVPCInput struct {
	// CidrBlock is the VPC's block; "" is DefaultVPCCidrBlock.
	CidrBlock   string
	Name        string
	Description string
	// DryRun checks the request (parameters, quota) and creates nothing: the
	// answer is DryRunOperation.
	DryRun bool
	Idempotent
}

// CreateVPCOutput is what CreateVPC returns; a retry with the same ClientToken
// returns the first call's.
type CreateVPCOutput struct {
	VpcID        string
	VRouterID    string
	RouteTableID string
}

// VPC is a VPC with the IDs of its VSwitches, oldest first.
type VPC struct {
	store.VPC
	VSwitchIDs []string
}

// CreateVPC creates a VPC together with its vRouter and system route table.
// The VPC is Available at once.
func (s *Service) CreateVPC(ctx context.Context, sc Scope, in CreateVPCInput) (CreateVPCOutput, error) {
	cidr, err := vpcCIDR(in.CidrBlock)
	if err != nil {
		return CreateVPCOutput{}, err
	}
	if !validName(in.Name) {
		return CreateVPCOutput{}, errVpcNameMalformed()
	}
	if !validDescription(in.Description) {
		return CreateVPCOutput{}, errVpcDescriptionMalformed()
	}
	key := idempotency.Key{AccountID: sc.AccountID, Action: "CreateVpc", Token: in.ClientToken}
	var out CreateVPCOutput
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, s.now(), key, in.fingerprint(in), func() (CreateVPCOutput, error) {
			return s.createVPC(tx, sc, cidr, in)
		})
		return err
	})
	if err != nil {
		return CreateVPCOutput{}, fmt.Errorf("create vpc: %w", err)
	}
	return out, nil
}

func (s *Service) createVPC(tx store.Tx, sc Scope, cidr netip.Prefix, in CreateVPCInput) (CreateVPCOutput, error) {
	_, n, err := tx.ListVPCs(store.VPCFilter{AccountID: sc.AccountID, RegionID: sc.RegionID, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return CreateVPCOutput{}, err
	}
	if n >= s.deps.Quotas.VPCsPerRegion {
		return CreateVPCOutput{}, errVpcQuotaExceeded()
	}
	if in.DryRun {
		return CreateVPCOutput{}, apierr.DryRunOperation()
	}
	v := store.VPC{
		ID:           s.deps.IDs.NewID("vpc", sc.RegionID),
		AccountID:    sc.AccountID,
		RegionID:     sc.RegionID,
		Name:         in.Name,
		Description:  in.Description,
		CidrBlock:    cidr.String(),
		Status:       StatusAvailable,
		VRouterID:    s.deps.IDs.NewID("vrt", sc.RegionID),
		RouteTableID: s.deps.IDs.NewID("vtb", sc.RegionID),
		CreatedAt:    s.now(),
	}
	if err := tx.CreateVPC(v); err != nil {
		return CreateVPCOutput{}, err
	}
	return CreateVPCOutput{VpcID: v.ID, VRouterID: v.VRouterID, RouteTableID: v.RouteTableID}, nil
}

// VPCQuery selects VPCs of the caller's region; empty fields match all.
type VPCQuery struct {
	IDs       []string
	Name      string
	IsDefault *bool
	Page      store.Page
}

// VPCPage is one page of VPCs, newest first, and how many match in all.
type VPCPage struct {
	VPCs  []VPC
	Total int
}

// DescribeVPCs lists the caller's VPCs in the region.
func (s *Service) DescribeVPCs(ctx context.Context, sc Scope, q VPCQuery) (VPCPage, error) {
	var page VPCPage
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		vpcs, total, err := tx.ListVPCs(store.VPCFilter{AccountID: sc.AccountID, RegionID: sc.RegionID,
			IDs: q.IDs, Name: q.Name, IsDefault: q.IsDefault, Page: q.Page})
		if err != nil {
			return err
		}
		page = VPCPage{VPCs: make([]VPC, 0, len(vpcs)), Total: total}
		for _, v := range vpcs {
			ids, err := vswitchIDs(tx, sc.AccountID, v.ID)
			if err != nil {
				return err
			}
			page.VPCs = append(page.VPCs, VPC{VPC: v, VSwitchIDs: ids})
		}
		return nil
	})
	if err != nil {
		return VPCPage{}, fmt.Errorf("describe vpcs: %w", err)
	}
	return page, nil
}

// GetVPC returns one of the caller's VPCs, or InvalidVpcId.NotFound.
func (s *Service) GetVPC(ctx context.Context, sc Scope, id string) (VPC, error) {
	var out VPC
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		v, err := getVPC(tx, sc, id)
		if err != nil {
			return err
		}
		ids, err := vswitchIDs(tx, sc.AccountID, v.ID)
		out = VPC{VPC: v, VSwitchIDs: ids}
		return err
	})
	if err != nil {
		return VPC{}, fmt.Errorf("get vpc %s: %w", id, err)
	}
	return out, nil
}

// ModifyVPCInput names a VPC and what to change; nil fields stay as they are.
type ModifyVPCInput struct {
	VpcID       string
	Name        *string
	Description *string
	// CidrBlock, when set, replaces the VPC's block: it must follow the rules of
	// CreateVPC and still cover every VSwitch of the VPC.
	CidrBlock *string
}

// ModifyVPC renames or re-describes a VPC, or changes its CIDR block.
func (s *Service) ModifyVPC(ctx context.Context, sc Scope, in ModifyVPCInput) error {
	if in.Name != nil && !validName(*in.Name) {
		return errVpcNameMalformed()
	}
	if in.Description != nil && !validDescription(*in.Description) {
		return errVpcDescriptionMalformed()
	}
	var cidr netip.Prefix
	if in.CidrBlock != nil && *in.CidrBlock != "" {
		var err error
		if cidr, err = vpcCIDR(*in.CidrBlock); err != nil {
			return err
		}
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		v, err := getVPC(tx, sc, in.VpcID)
		if err != nil {
			return err
		}
		if in.Name != nil {
			v.Name = *in.Name
		}
		if in.Description != nil {
			v.Description = *in.Description
		}
		if cidr.IsValid() && cidr.String() != v.CidrBlock {
			if err := coversVSwitches(tx, v, cidr); err != nil {
				return err
			}
			v.CidrBlock = cidr.String()
		}
		return tx.UpdateVPC(v)
	})
	if err != nil {
		return fmt.Errorf("modify vpc %s: %w", in.VpcID, err)
	}
	return nil
}

// coversVSwitches checks that a new VPC block still holds every VSwitch.
func coversVSwitches(tx store.Tx, v store.VPC, cidr netip.Prefix) error {
	vsws, _, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: v.AccountID, VpcID: v.ID})
	if err != nil {
		return err
	}
	for _, w := range vsws {
		p, err := netip.ParsePrefix(w.CidrBlock)
		if err != nil {
			return fmt.Errorf("vswitch %s has a bad stored CIDR block %q: %w", w.ID, w.CidrBlock, err)
		}
		if !contains(cidr, p) {
			return errVpcCidrInvalid()
		}
	}
	return nil
}

// DeleteVPC deletes an empty VPC with its vRouter and system route table. A VPC
// that still has dependents (see vpcDependents) is refused. With dryRun the
// checks run and nothing is deleted (DryRunOperation).
func (s *Service) DeleteVPC(ctx context.Context, sc Scope, id string, dryRun bool) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		v, err := getVPC(tx, sc, id)
		if err != nil {
			return err
		}
		if err := vpcDependents(tx, v); err != nil {
			return err
		}
		if dryRun {
			return apierr.DryRunOperation()
		}
		return tx.DeleteVPC(v.AccountID, v.ID)
	})
	if err != nil {
		return fmt.Errorf("delete vpc %s: %w", id, err)
	}
	return nil
}

// vpcDependents decides whether a VPC can be deleted: it returns the API error
// naming the first kind of resource still in the VPC, or nil when there is none.
// Today a VPC's dependents are its VSwitches (DependencyViolation.VSwitch);
// security groups (DependencyViolation.SecurityGroup) and instances
// (DependencyViolation.Instance) belong here as well once they exist.
func vpcDependents(tx store.Tx, v store.VPC) error {
	_, n, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: v.AccountID, VpcID: v.ID, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return fmt.Errorf("count vswitches of %s: %w", v.ID, err)
	}
	if n > 0 {
		return errVpcHasVSwitches()
	}
	_, n, err = tx.ListSecurityGroups(store.SecurityGroupFilter{AccountID: v.AccountID, VpcID: v.ID, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return fmt.Errorf("count security groups of %s: %w", v.ID, err)
	}
	if n > 0 {
		return errVpcHasSecurityGroups()
	}
	_, n, err = tx.ListInstances(store.InstanceFilter{AccountID: v.AccountID, VpcID: v.ID, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return fmt.Errorf("count instances of %s: %w", v.ID, err)
	}
	if n > 0 {
		return errVpcHasInstances()
	}
	return nil
}

// getVPC returns the caller's VPC in the caller's region, or InvalidVpcId.NotFound.
func getVPC(tx store.Tx, sc Scope, id string) (store.VPC, error) {
	v, err := tx.GetVPC(sc.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && v.RegionID != sc.RegionID) {
		return store.VPC{}, errVpcNotFound()
	}
	return v, err
}

// vswitchIDs returns the IDs of a VPC's VSwitches, oldest first.
func vswitchIDs(tx store.Tx, accountID int64, vpcID string) ([]string, error) {
	vsws, _, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: accountID, VpcID: vpcID})
	if err != nil {
		return nil, fmt.Errorf("list vswitches of %s: %w", vpcID, err)
	}
	ids := make([]string, len(vsws))
	for i, w := range vsws {
		ids[len(vsws)-1-i] = w.ID
	}
	return ids, nil
}
