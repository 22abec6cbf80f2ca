package disk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeDisks: PageSize 1–100, default 10 (1.7.2); the SDK's
// MaxResults 1–500, default 10.
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
	MaxMaxResults   = 500
	maxDiskIDs      = 100
)

// ListQuery are the filters and paging of DescribeDisks (1.7.2, plus the SDK's
// Encrypted, DiskChargeType, LockReason, NextToken and MaxResults). Empty fields
// do not filter.
type ListQuery struct {
	ZoneID string
	// IDs, when not nil, selects those disks; a non-nil empty list selects none
	// (DiskIds=[]).
	IDs        []string
	InstanceID string
	// DiskType is all (default), system or data.
	DiskType string
	// Category is all (default) or a category, ephemeral and ephemeral_ssd included.
	Category string
	// Status is All (default) or one disk status.
	Status     string
	SnapshotID string
	Name       string
	// Portable, DeleteWithInstance, DeleteAutoSnapshot, EnableAutoSnapshot and
	// Encrypted select disks with that value.
	Portable           *bool
	DeleteWithInstance *bool
	DeleteAutoSnapshot *bool
	EnableAutoSnapshot *bool
	Encrypted          *bool
	// DiskChargeType is PostPaid (every disk) or PrePaid (none).
	DiskChargeType string
	// LockReason selects disks locked for that reason.
	LockReason string
	// Tags must all be on a disk; an empty Value matches any value.
	Tags []store.Tag
	// PageNumber (from 1) and PageSize select a page, unless NextToken or
	// MaxResults is set: then MaxResults disks after NextToken are listed.
	PageNumber, PageSize int
	NextToken            string
	MaxResults           *int
}

// cursorPaging reports whether q pages with NextToken/MaxResults.
func (q ListQuery) cursorPaging() bool { return q.NextToken != "" || q.MaxResults != nil }

// ListResult is one page of DescribeDisks.
type ListResult struct {
	Disks      []View
	TotalCount int
	PageNumber int
	PageSize   int
	// NextToken continues a cursor listing; empty on its last page and in page mode.
	NextToken string
}

// View is one disk as DescribeDisks shows it.
type View struct {
	Disk store.Disk
	// Tags are the disk's tags, by key.
	Tags []store.Tag
	// OperationLocks are the lock reasons of the instance an In_use disk is
	// attached to (guide 1.18.7: disk actions follow the instance's locks).
	OperationLocks []string
	// ChargeType is the DiskChargeType (PostPaid).
	ChargeType string
	// AutoSnapshotPolicyID is the automatic snapshot policy the disk executes ("" when none).
	AutoSnapshotPolicyID string
}

// ParseDiskIDs decodes DescribeDisks' DiskIds, a JSON array of at most 100 IDs.
// An absent parameter ("") is nil (no filter), "[]" an empty list (nothing);
// anything else is InvalidDiskIds.Malformed.
func ParseDiskIDs(raw string) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	ids := []string{}
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) > maxDiskIDs {
		return nil, errDiskIDsMalformed()
	}
	return ids, nil
}

// listPlan is a checked ListQuery: the store filter, the conditions the store
// cannot evaluate, and whether nothing can match.
type listPlan struct {
	filter  store.DiskFilter
	post    []func(d store.Disk, locks []string) bool
	none    bool
	after   *store.Cursor
	size    int
	pageNum int
	// cursorMode pages with NextToken/MaxResults instead of PageNumber.
	cursorMode bool
}

// List answers DescribeDisks: the caller's disks in the region that pass every
// filter, newest first, one page of them, with the total count.
func (s *Service) List(ctx context.Context, c Caller, q ListQuery) (ListResult, error) {
	p, err := s.plan(c, q)
	if err != nil {
		return ListResult{}, err
	}
	res := ListResult{Disks: []View{}, PageNumber: p.pageNum, PageSize: p.size}
	if p.none {
		return res, nil
	}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		locks := lockCache{tx: tx, c: c, m: map[string][]string{}}
		disks, total, next, err := p.run(tx, &locks)
		if err != nil {
			return err
		}
		res.TotalCount, res.NextToken = total, next
		res.Disks, err = views(tx, c, disks, &locks)
		return err
	})
	if err != nil {
		return ListResult{}, err
	}
	return res, nil
}

// plan checks q and turns it into a listPlan.
func (s *Service) plan(c Caller, q ListQuery) (listPlan, error) {
	p := listPlan{filter: store.DiskFilter{AccountID: c.AccountID, RegionID: c.RegionID, ZoneID: q.ZoneID, IDs: q.IDs,
		InstanceID: q.InstanceID, SnapshotID: q.SnapshotID, Name: q.Name, Portable: q.Portable, Tags: q.Tags}}
	if q.IDs != nil && len(q.IDs) == 0 {
		p.none = true
	}
	if q.ZoneID != "" {
		if _, region, ok := s.deps.Catalog.Zone(q.ZoneID); !ok || region != c.RegionID {
			return listPlan{}, errZoneFilterNotFound()
		}
	}
	var err error
	if p.filter.Type, err = diskTypeFilter(q.DiskType); err != nil {
		return listPlan{}, err
	}
	if p.filter.Category, err = categoryFilter(q.Category); err != nil {
		return listPlan{}, err
	}
	if p.filter.Statuses, err = statusFilter(q.Status); err != nil {
		return listPlan{}, err
	}
	if err := p.addSpecial(q); err != nil {
		return listPlan{}, err
	}
	if err := checkFilterTags(q.Tags); err != nil {
		return listPlan{}, err
	}
	for _, flag := range []struct {
		want *bool
		get  func(store.Disk) bool
	}{
		{q.DeleteWithInstance, func(d store.Disk) bool { return d.DeleteWithInstance }},
		{q.DeleteAutoSnapshot, func(d store.Disk) bool { return d.DeleteAutoSnapshot }},
		{q.EnableAutoSnapshot, func(d store.Disk) bool { return d.EnableAutoSnapshot }},
		{q.Encrypted, func(d store.Disk) bool { return d.Encrypted }},
	} {
		if flag.want != nil {
			want, get := *flag.want, flag.get
			p.post = append(p.post, func(d store.Disk, _ []string) bool { return get(d) == want })
		}
	}
	if err := p.paging(q); err != nil {
		return listPlan{}, err
	}
	return p, nil
}

// addSpecial adds the DiskChargeType and LockReason filters.
func (p *listPlan) addSpecial(q ListQuery) error {
	switch q.DiskChargeType {
	case "", chargeTypePostPaid:
	case "PrePaid":
		p.none = true
	default:
		return errChargeTypeNotFound()
	}
	switch q.LockReason {
	case "":
	case lockSecurity:
		p.post = append(p.post, func(_ store.Disk, locks []string) bool { return slices.Contains(locks, lockSecurity) })
	case "financial", "recycling", "dedicatedhostfinancial":
		p.none = true
	default:
		return errLockReasonNotFound()
	}
	return nil
}

// paging sets the page or cursor of the plan.
func (p *listPlan) paging(q ListQuery) error {
	if q.cursorPaging() {
		p.cursorMode, p.size, p.pageNum = true, DefaultPageSize, 1
		if q.MaxResults != nil {
			if *q.MaxResults < 1 || *q.MaxResults > MaxMaxResults {
				return apierr.InvalidParameter("MaxResults")
			}
			p.size = *q.MaxResults
		}
		if q.NextToken != "" {
			after, ok := parseToken(q.NextToken)
			if !ok {
				return apierr.InvalidParameter("NextToken")
			}
			p.after = &after
		}
		return nil
	}
	p.pageNum, p.size = max(q.PageNumber, 1), q.PageSize
	if p.size == 0 {
		p.size = DefaultPageSize
	}
	if p.size < 1 || p.size > MaxPageSize {
		return apierr.InvalidParameter("PageSize")
	}
	return nil
}

// run lists the plan's disks: through the store's paging when every condition
// is the store's, otherwise all matches filtered and paged here. A cursor page
// is fetched with one row too many, to know whether a NextToken is due.
func (p listPlan) run(tx store.Tx, locks *lockCache) ([]store.Disk, int, string, error) {
	f := p.filter
	if len(p.post) == 0 {
		f.After, f.Page = p.after, store.Page{Number: p.pageNum, Size: p.size}
		if p.cursorMode {
			f.Page = store.Page{Number: 1, Size: p.size + 1}
		}
		disks, total, err := tx.ListDisks(f)
		if err != nil {
			return nil, 0, "", fmt.Errorf("list disks: %w", err)
		}
		disks, next := p.trim(disks)
		return disks, total, next, nil
	}
	all, _, err := tx.ListDisks(f)
	if err != nil {
		return nil, 0, "", fmt.Errorf("list disks: %w", err)
	}
	kept := []store.Disk{}
	for _, d := range all {
		l, err := locks.of(d)
		if err != nil {
			return nil, 0, "", err
		}
		if p.keep(d, l) {
			kept = append(kept, d)
		}
	}
	if !p.cursorMode {
		start := min((p.pageNum-1)*p.size, len(kept))
		return kept[start:min(start+p.size, len(kept))], len(kept), "", nil
	}
	start := 0
	if p.after != nil {
		start = len(kept)
		if i := slices.IndexFunc(kept, func(d store.Disk) bool { return after(d, *p.after) }); i >= 0 {
			start = i
		}
	}
	page, next := p.trim(kept[start:min(start+p.size+1, len(kept))])
	return page, len(kept), next, nil
}

// trim cuts a cursor page fetched with one row too many to its size and
// returns its NextToken (empty when nothing follows, and in page mode).
func (p listPlan) trim(disks []store.Disk) ([]store.Disk, string) {
	if !p.cursorMode || len(disks) <= p.size {
		return disks, ""
	}
	disks = disks[:p.size]
	last := disks[len(disks)-1]
	return disks, token(store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
}

func (p listPlan) keep(d store.Disk, locks []string) bool {
	for _, f := range p.post {
		if !f(d, locks) {
			return false
		}
	}
	return true
}

// after reports whether d comes after the cursor in newest-first order.
func after(d store.Disk, c store.Cursor) bool {
	return d.CreatedAt.Before(c.CreatedAt) || d.CreatedAt.Equal(c.CreatedAt) && d.ID < c.ID
}

// token encodes a cursor as an opaque NextToken.
func token(c store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixNano(), 10) + ":" + c.ID))
}

// parseToken decodes a NextToken made by token.
func parseToken(s string) (store.Cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.Cursor{}, false
	}
	nanos, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || id == "" {
		return store.Cursor{}, false
	}
	return store.Cursor{CreatedAt: time.Unix(0, n).UTC(), ID: id}, true
}

// diskTypeFilter checks DiskType: all, system or data, in any case.
func diskTypeFilter(v string) (string, error) {
	switch strings.ToLower(v) {
	case "", "all":
		return "", nil
	case TypeSystem, TypeData:
		return strings.ToLower(v), nil
	}
	return "", errDiskTypeFilter()
}

// categoryFilter checks Category: all or one of the categories.
func categoryFilter(v string) (string, error) {
	switch c := strings.ToLower(v); c {
	case "", "all":
		return "", nil
	case CategoryCloud, CategoryEfficiency, CategorySSD, CategoryESSD, "ephemeral", CategoryEphemeralSSD:
		return c, nil
	}
	return "", errCategoryFilter()
}

// statusFilter checks Status: All or one disk status, in any case.
func statusFilter(v string) ([]string, error) {
	if v == "" || strings.EqualFold(v, "all") {
		return nil, nil
	}
	for _, st := range []string{StatusInUse, StatusAvailable, StatusAttaching, StatusDetaching, StatusCreating, StatusReIniting} {
		if strings.EqualFold(v, st) {
			return []string{st}, nil
		}
	}
	return nil, errStatusFilter()
}

// lockCache looks up the lock reasons of the instances disks are attached to,
// once per instance.
type lockCache struct {
	tx store.Tx
	c  Caller
	m  map[string][]string
}

// of returns the lock reasons that apply to d: its instance's, when In_use.
func (l *lockCache) of(d store.Disk) ([]string, error) {
	if d.Status != StatusInUse || d.InstanceID == "" {
		return nil, nil
	}
	if got, ok := l.m[d.InstanceID]; ok {
		return got, nil
	}
	in, err := getInstance(l.tx, l.c, d.InstanceID)
	if err != nil && !errors.Is(err, ErrInstanceNotFound()) {
		return nil, err
	}
	l.m[d.InstanceID] = locks(in)
	return l.m[d.InstanceID], nil
}

// views adds tags and locks to a page of disks.
func views(tx store.Tx, c Caller, disks []store.Disk, locks *lockCache) ([]View, error) {
	ids := make([]string, len(disks))
	for i, d := range disks {
		ids[i] = d.ID
	}
	tags, err := listTags(tx, c.AccountID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(disks))
	for _, d := range disks {
		l, err := locks.of(d)
		if err != nil {
			return nil, err
		}
		v := View{Disk: d, Tags: tags[d.ID], OperationLocks: l, ChargeType: chargeTypePostPaid}
		switch p, err := tx.GetDiskPolicy(c.AccountID, d.ID); {
		case err == nil:
			v.AutoSnapshotPolicyID = p.PolicyID
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("policy of disk %s: %w", d.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}
