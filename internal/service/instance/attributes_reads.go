package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// InstanceIDs returns one page of the caller's instance IDs in the caller's
// region, newest first, and how many there are: those among ids (unknown IDs
// are left out, as a list action does), or all of them when ids is empty. The
// read-only attribute actions Terraform calls for every instance
// (DescribeInstanceMaintenanceAttributes, DescribeInstanceAttachmentAttributes)
// list what it returns.
func (s *Service) InstanceIDs(ctx context.Context, c Caller, ids []string, page store.Page) ([]string, int, error) {
	var out []string
	var total int
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		insts, n, err := tx.ListInstances(store.InstanceFilter{AccountID: c.AccountID, RegionID: c.RegionID, IDs: ids, Page: page})
		if err != nil {
			return err
		}
		out, total = make([]string, 0, len(insts)), n
		for _, in := range insts {
			out = append(out, in.ID)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list instance ids: %w", err)
	}
	return out, total, nil
}

// ENIQuery selects primary network interfaces (DescribeNetworkInterfaces,
// guide 1.13.3). ecsd has no other network interfaces yet: every instance has
// exactly one, its primary, named PrimaryENIID.
type ENIQuery struct {
	// IDs are network interface IDs (NetworkInterfaceId.N).
	IDs []string
	// InstanceID, VpcID, VSwitchID, PrimaryIP and SecurityGroupID narrow the list.
	InstanceID, VpcID, VSwitchID, PrimaryIP, SecurityGroupID string
	// Type is Primary or Secondary (which lists nothing); Name is a network
	// interface name (primary interfaces have none, so it lists nothing).
	Type, Name string
	Page       store.Page
}

// Errors of DescribeNetworkInterfaces (guide 1.13.3) for filters naming
// something that does not exist.
func errENIInstanceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidEcsId.NotFound", "The specified EcsId is not found.")
}

func errENIVSwitchNotFound() *apierr.Error {
	return apierr.NotFound("InvalidVSwitchId.NotFound", "The specified VSwitchId is not found.")
}

func errENIGroupNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId is not found.")
}

// PrimaryENIs returns one page of the caller's instances, in the caller's
// region, whose primary network interfaces match q, newest first, with their
// security groups, and how many match.
func (s *Service) PrimaryENIs(ctx context.Context, c Caller, q ENIQuery) ([]View, int, error) {
	f := store.InstanceFilter{AccountID: c.AccountID, RegionID: c.RegionID, VpcID: q.VpcID, VSwitchID: q.VSwitchID,
		SecurityGroupID: q.SecurityGroupID, Page: q.Page}
	if q.PrimaryIP != "" {
		f.PrivateIPs = []string{q.PrimaryIP}
	}
	for _, id := range q.IDs {
		if rest, ok := strings.CutPrefix(id, "eni-"); ok && rest != "" {
			f.IDs = append(f.IDs, "i-"+rest)
		}
	}
	none := q.Type == "Secondary" || q.Name != "" || len(q.IDs) > 0 && len(f.IDs) == 0
	if q.InstanceID != "" {
		if len(q.IDs) > 0 && !slices.Contains(f.IDs, q.InstanceID) {
			none = true
		}
		f.IDs = []string{q.InstanceID}
	}
	var views []View
	var total int
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		if err := checkENIFilters(tx, c, q); err != nil {
			return err
		}
		if none {
			return nil
		}
		insts, n, err := tx.ListInstances(f)
		if err != nil {
			return err
		}
		total = n
		views, err = loadViews(tx, insts)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("describe network interfaces: %w", err)
	}
	return views, total, nil
}

// checkENIFilters answers the guide's 404s for an instance, VSwitch or group
// filter naming nothing of the caller's.
func checkENIFilters(tx store.Tx, c Caller, q ENIQuery) error {
	if q.InstanceID != "" {
		if _, err := tx.GetInstance(c.AccountID, q.InstanceID); errors.Is(err, store.ErrNotFound) {
			return errENIInstanceNotFound()
		} else if err != nil {
			return err
		}
	}
	if q.VSwitchID != "" {
		if _, err := tx.GetVSwitch(c.AccountID, q.VSwitchID); errors.Is(err, store.ErrNotFound) {
			return errENIVSwitchNotFound()
		} else if err != nil {
			return err
		}
	}
	if q.SecurityGroupID != "" {
		if _, err := tx.GetSecurityGroup(c.AccountID, q.SecurityGroupID); errors.Is(err, store.ErrNotFound) {
			return errENIGroupNotFound()
		} else if err != nil {
			return err
		}
	}
	return nil
}
