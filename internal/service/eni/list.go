package eni

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeNetworkInterfaces (1.13.3: PageSize 1–100, default 10; the
// SDK's MaxResults up to 500).
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
	MaxMaxResults   = 500
	// MaxIDs is how many NetworkInterfaceId.N one call may name (1.13.3).
	MaxIDs = 100
	// maxFilterTags bounds the Tag.N filter, as for the other Describe actions.
	maxFilterTags = 20
)

// Query is a DescribeNetworkInterfaces call (1.13.3, with the SDK's VpcId,
// Status, PrivateIpAddress.N, Tag.N, NextToken and MaxResults). Empty fields
// match everything.
type Query struct {
	IDs                                                            []string
	InstanceID, VpcID, VSwitchID, PrimaryIP, SecurityGroupID, Name string
	// Type is Primary or Secondary; Status one of the interface statuses.
	Type, Status string
	PrivateIPs   []string
	Tags         []store.Tag
	// Page is the guide's PageNumber/PageSize paging.
	Page store.Page
	// TokenPaging selects NextToken/MaxResults paging: MaxResults per page
	// (DefaultPageSize when 0), after the page NextToken ends.
	TokenPaging bool
	NextToken   string
	MaxResults  int
	// Unsupported names filters ecsd does not model (IPv6 addresses, resource
	// groups, service-managed interfaces); they match nothing.
	Unsupported []string
}

// Result is one page of interfaces.
type Result struct {
	Interfaces []View
	TotalCount int
	PageNumber int
	PageSize   int
	// NextToken continues a token-paged list; "" on its last page.
	NextToken string
}

// List answers DescribeNetworkInterfaces: one page of the caller's interfaces
// in the region, newest first, primary interfaces included. An InstanceId,
// VSwitchId or SecurityGroupId naming nothing of the caller's is the guide's
// 404.
func (s *Service) List(ctx context.Context, c Caller, q Query) (Result, error) {
	f, res, err := compile(c, q)
	if err != nil {
		return Result{}, err
	}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		res.Interfaces, res.TotalCount = []View{}, 0
		if err := checkFilters(tx, c, q); err != nil {
			return err
		}
		if len(q.Unsupported) > 0 || q.IDs != nil && len(q.IDs) == 0 {
			return nil
		}
		list, total, err := tx.ListNetworkInterfaces(f)
		if err != nil {
			return err
		}
		res.TotalCount = total
		if q.TokenPaging && len(list) > res.PageSize { // one more than a page was read: there is a next page
			list = list[:res.PageSize]
			res.NextToken = encodeToken(list[len(list)-1])
		}
		res.Interfaces, err = loadViews(tx, list)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("describe network interfaces: %w", err)
	}
	return res, nil
}

// compile turns q into a store filter and the answer's paging fields.
func compile(c Caller, q Query) (store.NetworkInterfaceFilter, Result, error) {
	f := store.NetworkInterfaceFilter{AccountID: c.AccountID, RegionID: c.RegionID, IDs: q.IDs, InstanceID: q.InstanceID,
		VpcID: q.VpcID, VSwitchID: q.VSwitchID, Type: q.Type, Name: q.Name, SecurityGroupID: q.SecurityGroupID,
		PrivateIPs: q.PrivateIPs, Tags: q.Tags}
	if len(q.IDs) > MaxIDs {
		return f, Result{}, apierr.InvalidParameter("NetworkInterfaceId")
	}
	if q.PrimaryIP != "" {
		if len(f.PrivateIPs) > 0 && !slices.Contains(f.PrivateIPs, q.PrimaryIP) {
			f.PrivateIPs = []string{""} // both filters given, no address matches both
		} else {
			f.PrivateIPs = []string{q.PrimaryIP}
		}
	}
	if q.Status != "" {
		if !slices.Contains([]string{StatusAvailable, StatusAttaching, StatusInUse, StatusDetaching}, q.Status) {
			return f, Result{}, apierr.InvalidParameter("Status")
		}
		f.Statuses = []string{q.Status}
	}
	if len(q.Tags) > maxFilterTags {
		return f, Result{}, apierr.InvalidParameter("Tag")
	}
	for _, t := range q.Tags {
		if t.Key == "" {
			return f, Result{}, apierr.InvalidParameter("Tag.Key")
		}
	}
	res := Result{PageNumber: 1, PageSize: DefaultPageSize}
	if !q.TokenPaging {
		if q.Page.Number > 0 {
			res.PageNumber = q.Page.Number
		}
		if q.Page.Size > 0 {
			res.PageSize = q.Page.Size
		}
		f.Page = store.Page{Number: res.PageNumber, Size: res.PageSize}
		return f, res, nil
	}
	if q.MaxResults > 0 {
		res.PageSize = q.MaxResults
	}
	f.Page = store.Page{Number: 1, Size: res.PageSize + 1}
	if q.NextToken != "" {
		after, ok := decodeToken(q.NextToken)
		if !ok {
			return f, Result{}, apierr.InvalidParameter("NextToken")
		}
		f.After = &after
	}
	return f, res, nil
}

// checkFilters answers the guide's 404s for an instance, VSwitch or group
// filter naming nothing of the caller's in the region.
func checkFilters(tx store.Tx, c Caller, q Query) error {
	if q.InstanceID != "" {
		if _, err := getInstance(tx, c, q.InstanceID); err != nil {
			return err
		}
	}
	if q.VSwitchID != "" {
		w, err := tx.GetVSwitch(c.AccountID, q.VSwitchID)
		if errors.Is(err, store.ErrNotFound) || err == nil && w.RegionID != c.RegionID {
			return errVSwitchNotFound()
		}
		if err != nil {
			return err
		}
	}
	if q.SecurityGroupID != "" {
		g, err := tx.GetSecurityGroup(c.AccountID, q.SecurityGroupID)
		if errors.Is(err, store.ErrNotFound) || err == nil && g.RegionID != c.RegionID {
			return errGroupNotFound()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pageToken is what a NextToken carries: the last interface of the page before.
type pageToken struct {
	CreatedAt int64  `json:"t"`
	ID        string `json:"i"`
}

// encodeToken makes the opaque NextToken that continues after n.
func encodeToken(n store.NetworkInterface) string {
	b, _ := json.Marshal(pageToken{CreatedAt: n.CreatedAt.UnixNano(), ID: n.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (store.Cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.Cursor{}, false
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.ID == "" {
		return store.Cursor{}, false
	}
	return store.Cursor{CreatedAt: time.Unix(0, t.CreatedAt).UTC(), ID: t.ID}, true
}

// Get returns one of the caller's interfaces with its groups and tags.
func (s *Service) Get(ctx context.Context, c Caller, id string) (View, error) {
	var v View
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		n, err := getENI(tx, c, id)
		if err != nil {
			return err
		}
		v, err = load(tx, n)
		return err
	})
	return v, err
}
