package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// CreateVSwitchInput is what CreateVSwitch needs.
type CreateVSwitchInput struct {
	VpcID       string
	ZoneID      string
	CidrBlock   string
	Name        string
	Description string
	Idempotent
}

// CreateVSwitchOutput is what CreateVSwitch returns; a retry with the same
// ClientToken returns the first call's.
type CreateVSwitchOutput struct {
	VSwitchID string
}

// VSwitch is a VSwitch as the API shows it: with the route table it uses (its
// VPC's system table) and how many of its addresses are still free.
type VSwitch struct {
	store.VSwitch
	RouteTableID string
	// AvailableIPs is the size of the block minus the four reserved addresses
	// minus the allocated ones.
	AvailableIPs int64
}

// CreateVSwitch creates a VSwitch in a zone of the caller's region, inside a
// VPC's CIDR block and overlapping none of its other VSwitches. The VSwitch is
// Available at once.
func (s *Service) CreateVSwitch(ctx context.Context, sc Scope, in CreateVSwitchInput) (CreateVSwitchOutput, error) {
	if _, region, ok := s.deps.Catalog.Zone(in.ZoneID); !ok || region != sc.RegionID {
		return CreateVSwitchOutput{}, errZoneNotFound()
	}
	if !validName(in.Name) {
		return CreateVSwitchOutput{}, errVSwitchNameMalformed()
	}
	if !validDescription(in.Description) {
		return CreateVSwitchOutput{}, errVSwitchDescriptionMalformed()
	}
	block, err := vswitchCIDR(in.CidrBlock)
	if err != nil {
		return CreateVSwitchOutput{}, err
	}
	key := idempotency.Key{AccountID: sc.AccountID, Action: "CreateVSwitch", Token: in.ClientToken}
	var out CreateVSwitchOutput
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, s.now(), key, in.fingerprint(in), func() (CreateVSwitchOutput, error) {
			return s.createVSwitch(tx, sc, in, block)
		})
		return err
	})
	if err != nil {
		return CreateVSwitchOutput{}, fmt.Errorf("create vswitch: %w", err)
	}
	return out, nil
}

func (s *Service) createVSwitch(tx store.Tx, sc Scope, in CreateVSwitchInput, block netip.Prefix) (CreateVSwitchOutput, error) {
	v, err := getVPC(tx, sc, in.VpcID)
	if err != nil {
		return CreateVSwitchOutput{}, err
	}
	vpcBlock, err := netip.ParsePrefix(v.CidrBlock)
	if err != nil {
		return CreateVSwitchOutput{}, fmt.Errorf("vpc %s has a bad stored CIDR block %q: %w", v.ID, v.CidrBlock, err)
	}
	if !contains(vpcBlock, block) {
		return CreateVSwitchOutput{}, errVSwitchCidrNotInVpc()
	}
	siblings, _, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: sc.AccountID, VpcID: v.ID})
	if err != nil {
		return CreateVSwitchOutput{}, err
	}
	for _, w := range siblings {
		if p, err := netip.ParsePrefix(w.CidrBlock); err == nil && p.Overlaps(block) {
			return CreateVSwitchOutput{}, errCidrOverlapped()
		}
	}
	if len(siblings) >= s.deps.Quotas.VSwitchesPerVPC {
		return CreateVSwitchOutput{}, errVSwitchQuotaExceeded()
	}
	w := store.VSwitch{
		ID:          s.deps.IDs.NewID("vsw", sc.RegionID),
		AccountID:   sc.AccountID,
		RegionID:    sc.RegionID,
		VpcID:       v.ID,
		ZoneID:      in.ZoneID,
		Name:        in.Name,
		Description: in.Description,
		CidrBlock:   block.String(),
		Status:      StatusAvailable,
		CreatedAt:   s.now(),
	}
	if err := tx.CreateVSwitch(w); err != nil {
		return CreateVSwitchOutput{}, err
	}
	return CreateVSwitchOutput{VSwitchID: w.ID}, nil
}

// VSwitchQuery selects VSwitches of the caller's region; empty fields match all.
type VSwitchQuery struct {
	VpcID     string
	ZoneID    string
	IDs       []string
	Name      string
	IsDefault *bool
	// RouteTableID keeps the VSwitches that use that route table.
	RouteTableID string
	Page         store.Page
}

// VSwitchPage is one page of VSwitches, newest first, and how many match in all.
type VSwitchPage struct {
	VSwitches []VSwitch
	Total     int
}

// DescribeVSwitches lists the caller's VSwitches in the region.
func (s *Service) DescribeVSwitches(ctx context.Context, sc Scope, q VSwitchQuery) (VSwitchPage, error) {
	page := VSwitchPage{VSwitches: []VSwitch{}}
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		if q.RouteTableID != "" {
			vpcID, err := vpcOfRouteTable(tx, sc, q.RouteTableID)
			if err != nil || vpcID == "" || (q.VpcID != "" && q.VpcID != vpcID) {
				return err
			}
			q.VpcID = vpcID
		}
		vsws, total, err := tx.ListVSwitches(store.VSwitchFilter{AccountID: sc.AccountID, RegionID: sc.RegionID,
			VpcID: q.VpcID, ZoneID: q.ZoneID, IDs: q.IDs, Name: q.Name, IsDefault: q.IsDefault, Page: q.Page})
		if err != nil {
			return err
		}
		page.Total = total
		tables := map[string]string{}
		for _, w := range vsws {
			view, err := vswitchView(tx, w, tables)
			if err != nil {
				return err
			}
			page.VSwitches = append(page.VSwitches, view)
		}
		return nil
	})
	if err != nil {
		return VSwitchPage{}, fmt.Errorf("describe vswitches: %w", err)
	}
	return page, nil
}

// GetVSwitch returns one of the caller's VSwitches, or InvalidVSwitchId.NotFound.
func (s *Service) GetVSwitch(ctx context.Context, sc Scope, id string) (VSwitch, error) {
	var out VSwitch
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		w, err := getVSwitch(tx, sc, id)
		if err != nil {
			return err
		}
		out, err = vswitchView(tx, w, map[string]string{})
		return err
	})
	if err != nil {
		return VSwitch{}, fmt.Errorf("get vswitch %s: %w", id, err)
	}
	return out, nil
}

// ModifyVSwitchInput names a VSwitch and what to change; nil fields stay as they are.
type ModifyVSwitchInput struct {
	VSwitchID   string
	Name        *string
	Description *string
}

// ModifyVSwitch renames or re-describes a VSwitch.
func (s *Service) ModifyVSwitch(ctx context.Context, sc Scope, in ModifyVSwitchInput) error {
	if in.Name != nil && !validName(*in.Name) {
		return errVSwitchNameMalformed()
	}
	if in.Description != nil && !validDescription(*in.Description) {
		return errVSwitchDescriptionMalformed()
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		w, err := getVSwitch(tx, sc, in.VSwitchID)
		if err != nil {
			return err
		}
		if in.Name != nil {
			w.Name = *in.Name
		}
		if in.Description != nil {
			w.Description = *in.Description
		}
		return tx.UpdateVSwitch(w)
	})
	if err != nil {
		return fmt.Errorf("modify vswitch %s: %w", in.VSwitchID, err)
	}
	return nil
}

// DeleteVSwitch deletes a VSwitch in which no address is allocated; while
// instances or network interfaces hold addresses in it, it is refused with
// DependencyViolation.
func (s *Service) DeleteVSwitch(ctx context.Context, sc Scope, id string) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		w, err := getVSwitch(tx, sc, id)
		if err != nil {
			return err
		}
		n, err := tx.CountPrivateIPs(w.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errVSwitchInUse()
		}
		if err := tx.DeleteFreeRanges(w.ID); err != nil {
			return err
		}
		return tx.DeleteVSwitch(w.AccountID, w.ID)
	})
	if err != nil {
		return fmt.Errorf("delete vswitch %s: %w", id, err)
	}
	return nil
}

// getVSwitch returns the caller's VSwitch in the caller's region, or
// InvalidVSwitchId.NotFound.
func getVSwitch(tx store.Tx, sc Scope, id string) (store.VSwitch, error) {
	w, err := tx.GetVSwitch(sc.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && w.RegionID != sc.RegionID) {
		return store.VSwitch{}, errVSwitchNotFound()
	}
	return w, err
}

// vswitchView adds the route table and the free-address count to a VSwitch;
// tables caches VPC ID → route table ID across calls.
func vswitchView(tx store.Tx, w store.VSwitch, tables map[string]string) (VSwitch, error) {
	table, ok := tables[w.VpcID]
	if !ok {
		v, err := tx.GetVPC(w.AccountID, w.VpcID)
		if err != nil {
			return VSwitch{}, fmt.Errorf("vpc of vswitch %s: %w", w.ID, err)
		}
		table = v.RouteTableID
		tables[w.VpcID] = table
	}
	free, err := availableIPs(tx, w)
	if err != nil {
		return VSwitch{}, err
	}
	return VSwitch{VSwitch: w, RouteTableID: table, AvailableIPs: free}, nil
}
