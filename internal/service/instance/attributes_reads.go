package instance

import (
	"context"
	"fmt"

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
