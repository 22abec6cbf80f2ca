package network

import (
	"context"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// RouteTable is the system route table of a VPC, created and deleted with it.
// Every VSwitch of the VPC uses it (ecsd has no custom route tables).
type RouteTable struct {
	ID        string
	AccountID int64
	VpcID     string
	VRouterID string
	CreatedAt time.Time
	// VSwitchIDs are the VSwitches that use the table, oldest first.
	VSwitchIDs []string
}

// RouteTableQuery selects route tables of the caller's region; empty fields match all.
type RouteTableQuery struct {
	VpcID        string
	RouteTableID string
	VRouterID    string
	Page         store.Page
}

// RouteTablePage is one page of route tables, newest first, and how many match in all.
type RouteTablePage struct {
	RouteTables []RouteTable
	Total       int
}

// DescribeRouteTables lists the system route tables of the caller's VPCs in
// the region. The VPCs of one account and region are few (see Quotas), so the
// table and router filters run over them in memory.
func (s *Service) DescribeRouteTables(ctx context.Context, sc Scope, q RouteTableQuery) (RouteTablePage, error) {
	page := RouteTablePage{RouteTables: []RouteTable{}}
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		f := store.VPCFilter{AccountID: sc.AccountID, RegionID: sc.RegionID}
		if q.VpcID != "" {
			f.IDs = []string{q.VpcID}
		}
		vpcs, _, err := tx.ListVPCs(f)
		if err != nil {
			return err
		}
		var match []store.VPC
		for _, v := range vpcs {
			if (q.RouteTableID == "" || v.RouteTableID == q.RouteTableID) && (q.VRouterID == "" || v.VRouterID == q.VRouterID) {
				match = append(match, v)
			}
		}
		page.Total = len(match)
		for _, v := range pageOf(match, q.Page) {
			ids, err := vswitchIDs(tx, sc.AccountID, v.ID)
			if err != nil {
				return err
			}
			page.RouteTables = append(page.RouteTables, RouteTable{ID: v.RouteTableID, AccountID: v.AccountID,
				VpcID: v.ID, VRouterID: v.VRouterID, CreatedAt: v.CreatedAt, VSwitchIDs: ids})
		}
		return nil
	})
	if err != nil {
		return RouteTablePage{}, fmt.Errorf("describe route tables: %w", err)
	}
	return page, nil
}

// vpcOfRouteTable returns the ID of the caller's VPC whose system route table
// is id, or "" when there is none in the region.
func vpcOfRouteTable(tx store.Tx, sc Scope, id string) (string, error) {
	vpcs, _, err := tx.ListVPCs(store.VPCFilter{AccountID: sc.AccountID, RegionID: sc.RegionID})
	if err != nil {
		return "", fmt.Errorf("find route table %s: %w", id, err)
	}
	for _, v := range vpcs {
		if v.RouteTableID == id {
			return v.ID, nil
		}
	}
	return "", nil
}

// pageOf returns the items of one page of all (a zero page is everything).
func pageOf[T any](all []T, p store.Page) []T {
	off := min(p.Offset(), len(all))
	end := len(all)
	if p.Limit() >= 0 {
		end = min(off+p.Limit(), len(all))
	}
	return all[off:end]
}
