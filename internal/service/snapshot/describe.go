package snapshot

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging and list limits of DescribeSnapshots (1.8.3) and DescribeSnapshotLinks (1.8.6).
const (
	DefaultPageSize     = 10
	MaxPageSize         = 100
	MaxLinkPageSize     = 50
	MaxIDs              = 100
	maxFilterTags       = 5
	filterTimeLayout    = "2006-01-02T15:04Z"
	filterTimeLayoutSec = "2006-01-02T15:04:05Z"
)

// Query are the filters and page of DescribeSnapshots (1.8.3, plus the SDK's
// SnapshotLinkId, Encrypted, Filter.N, NextToken and MaxResults).
type Query struct {
	InstanceID string
	DiskID     string
	// SnapshotIDs is the raw JSON array of up to 100 IDs.
	SnapshotIDs    string
	SnapshotLinkID string
	Name           string
	// Status is progressing, accomplished, failed or all; SnapshotType auto,
	// user or all; SourceDiskType System or Data; Usage image, disk,
	// image_disk or none. Empty means all.
	Status, SnapshotType, SourceDiskType, Usage string
	Encrypted                                   *bool
	Tags                                        []store.Tag
	// Filters are the SDK's Filter.N: CreationStartTime and CreationEndTime.
	Filters              []Filter
	PageNumber, PageSize int
	NextToken            string
	MaxResults           *int
}

// Filter is one Filter.N of DescribeSnapshots.
type Filter struct{ Key, Value string }

// Page is one page of snapshots.
type Page struct {
	Snapshots                        []View
	TotalCount, PageNumber, PageSize int
	NextToken                        string
}

// View is a snapshot with its tags.
type View struct {
	store.Snapshot
	Tags []store.Tag
	// RemainSeconds is how long until its retention runs out (0: kept until deleted).
	RemainSeconds int
}

// ParseIDs reads a JSON array of at most MaxIDs IDs; "" is nil (no filter),
// "[]" an empty filter. Anything else answers bad.
func ParseIDs(raw string, bad func() *apierr.Error) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	ids := []string{}
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) > MaxIDs {
		return nil, bad()
	}
	return ids, nil
}

// List answers DescribeSnapshots: the caller's snapshots in the region that
// pass every filter, newest first.
func (s *Service) List(ctx context.Context, c Caller, q Query) (Page, error) {
	f, none, err := snapshotFilter(c, q)
	if err != nil {
		return Page{}, err
	}
	out := Page{Snapshots: []View{}, PageNumber: max(q.PageNumber, 1), PageSize: q.PageSize}
	cursor := q.NextToken != "" || q.MaxResults != nil
	if cursor {
		out.PageNumber, out.PageSize = 1, DefaultPageSize
		if q.MaxResults != nil {
			if *q.MaxResults < 1 || *q.MaxResults > MaxPageSize {
				return Page{}, apierr.InvalidParameter("MaxResults")
			}
			out.PageSize = *q.MaxResults
		}
		if q.NextToken != "" {
			after, ok := parseToken(q.NextToken)
			if !ok {
				return Page{}, apierr.InvalidParameter("NextToken")
			}
			f.After = &after
		}
		f.Page = store.Page{Number: 1, Size: out.PageSize + 1}
	} else {
		if out.PageSize == 0 {
			out.PageSize = DefaultPageSize
		}
		if q.PageNumber < 0 {
			return Page{}, apierr.InvalidParameter("PageNumber")
		}
		if out.PageSize < 1 || out.PageSize > MaxPageSize {
			return Page{}, apierr.InvalidParameter("PageSize")
		}
		f.Page = store.Page{Number: out.PageNumber, Size: out.PageSize}
	}
	if none {
		return out, nil
	}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		list, total, err := tx.ListSnapshots(f)
		if err != nil {
			return fmt.Errorf("list snapshots: %w", err)
		}
		if cursor && len(list) > out.PageSize {
			list = list[:out.PageSize]
			last := list[len(list)-1]
			out.NextToken = token(store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
		}
		out.TotalCount = total
		ids := make([]string, len(list))
		for i, sn := range list {
			ids[i] = sn.ID
		}
		tags, err := tx.GetTags(c.AccountID, store.TagTypeSnapshot, ids)
		if err != nil {
			return fmt.Errorf("snapshot tags: %w", err)
		}
		now := s.now()
		for _, sn := range list {
			v := View{Snapshot: sn, Tags: tags[sn.ID]}
			if sn.ExpiresAt.After(now) {
				v.RemainSeconds = int(sn.ExpiresAt.Sub(now) / time.Second)
			}
			out.Snapshots = append(out.Snapshots, v)
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	return out, nil
}

// snapshotFilter checks q and turns it into a store filter; none is true when
// nothing can match.
func snapshotFilter(c Caller, q Query) (f store.SnapshotFilter, none bool, err error) {
	f = store.SnapshotFilter{AccountID: c.AccountID, RegionID: c.RegionID, InstanceID: q.InstanceID, Name: q.Name,
		Encrypted: q.Encrypted, Tags: q.Tags}
	if f.IDs, err = ParseIDs(q.SnapshotIDs, errSnapshotIDsMalformed); err != nil {
		return f, false, err
	}
	none = f.IDs != nil && len(f.IDs) == 0
	for _, disk := range []string{q.DiskID, q.SnapshotLinkID} {
		if disk == "" {
			continue
		}
		if len(f.SourceDiskIDs) > 0 && f.SourceDiskIDs[0] != disk {
			none = true
		}
		f.SourceDiskIDs = []string{disk}
	}
	switch strings.ToLower(q.Status) {
	case "", "all":
	case store.SnapshotProgressing, store.SnapshotAccomplished, store.SnapshotFailed:
		f.Statuses = []string{strings.ToLower(q.Status)}
	default:
		return f, false, errStatusNotFound()
	}
	switch strings.ToLower(q.SnapshotType) {
	case "", "all":
	case store.SnapshotTypeAuto, store.SnapshotTypeUser:
		f.Types = []string{strings.ToLower(q.SnapshotType)}
	case "copy": // the SDK's copied snapshots: ecsd has none
		none = true
	default:
		return f, false, errTypeNotFound()
	}
	switch strings.ToLower(q.SourceDiskType) {
	case "":
	case "system", "data":
		f.SourceDiskType = strings.ToLower(q.SourceDiskType)
	default:
		return f, false, errSourceDiskType()
	}
	switch q.Usage {
	case "", store.SnapshotUsageImage, store.SnapshotUsageDisk, store.SnapshotUsageImageDisk, store.SnapshotUsageNone:
		f.Usage = q.Usage
	default:
		return f, false, errUsage()
	}
	if len(q.Tags) > maxFilterTags {
		return f, false, tag.ErrCount()
	}
	for _, t := range q.Tags {
		if t.Key == "" {
			return f, false, tag.ErrMismatch()
		}
	}
	for _, fl := range q.Filters {
		if err := timeFilter(&f, fl); err != nil {
			return f, false, err
		}
	}
	return f, none, nil
}

// timeFilter applies one Filter.N: CreationStartTime or CreationEndTime, in
// YYYY-MM-DDThh:mmZ (or with seconds).
func timeFilter(f *store.SnapshotFilter, fl Filter) error {
	if fl.Key == "" && fl.Value == "" {
		return nil
	}
	at, err := ParseTime(fl.Value)
	if err != nil {
		return errFilterKey()
	}
	switch fl.Key {
	case "CreationStartTime":
		f.CreatedFrom = at
	case "CreationEndTime":
		f.CreatedTo = at
	default:
		return errFilterKey()
	}
	return nil
}

// ParseTime reads a UTC time as YYYY-MM-DDThh:mmZ (the guide's format) or
// YYYY-MM-DDThh:mm:ssZ.
func ParseTime(v string) (time.Time, error) {
	if t, err := time.Parse(filterTimeLayout, v); err == nil {
		return t, nil
	}
	return time.Parse(filterTimeLayoutSec, v)
}

// token renders a NextToken cursor.
func token(c store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixNano(), 10) + ":" + c.ID))
}

// parseToken reads a NextToken cursor.
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

// LinkQuery are the filters and page of DescribeSnapshotLinks (1.8.6).
type LinkQuery struct {
	InstanceID string
	// DiskIDs and LinkIDs are raw JSON arrays of up to 100 IDs; a snapshot
	// link's ID is its source disk's ID.
	DiskIDs, LinkIDs     string
	PageNumber, PageSize int
}

// LinkView is a snapshot chain with what is known of its disk now.
type LinkView struct {
	store.SnapshotLink
	// SourceDiskName, InstanceID and InstanceName are the disk's now (empty
	// once the disk is deleted).
	SourceDiskName, InstanceID, InstanceName string
}

// LinkPage is one page of snapshot chains.
type LinkPage struct {
	Links                            []LinkView
	TotalCount, PageNumber, PageSize int
}

// Links answers DescribeSnapshotLinks: the caller's disks' snapshot chains in
// the region, by source disk ID, each with its snapshot count and total size.
func (s *Service) Links(ctx context.Context, c Caller, q LinkQuery) (LinkPage, error) {
	disks, err := ParseIDs(q.DiskIDs, errLinkDiskIDs)
	if err != nil {
		return LinkPage{}, err
	}
	links, err := ParseIDs(q.LinkIDs, errLinkIDs)
	if err != nil {
		return LinkPage{}, err
	}
	out := LinkPage{Links: []LinkView{}, PageNumber: max(q.PageNumber, 1), PageSize: q.PageSize}
	if out.PageSize == 0 {
		out.PageSize = DefaultPageSize
	}
	if q.PageNumber < 0 {
		return LinkPage{}, apierr.InvalidParameter("PageNumber")
	}
	if out.PageSize < 1 || out.PageSize > MaxLinkPageSize {
		return LinkPage{}, apierr.InvalidParameter("PageSize")
	}
	ids, none := intersect(disks, links)
	if none {
		return out, nil
	}
	f := store.SnapshotLinkFilter{AccountID: c.AccountID, RegionID: c.RegionID, SourceDiskIDs: ids, InstanceID: q.InstanceID,
		Page: store.Page{Number: out.PageNumber, Size: out.PageSize}}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		list, total, err := tx.ListSnapshotLinks(f)
		if err != nil {
			return err
		}
		out.TotalCount = total
		for _, l := range list {
			v := LinkView{SnapshotLink: l}
			if d, err := tx.GetDisk(c.AccountID, l.SourceDiskID); err == nil {
				v.SourceDiskName, v.InstanceID = d.Name, d.InstanceID
				if in, err := tx.GetInstance(c.AccountID, d.InstanceID); d.InstanceID != "" && err == nil {
					v.InstanceName = in.Name
				}
			}
			out.Links = append(out.Links, v)
		}
		return nil
	})
	if err != nil {
		return LinkPage{}, fmt.Errorf("describe snapshot links: %w", err)
	}
	return out, nil
}

// intersect combines two optional ID filters; none is true when nothing can match.
func intersect(a, b []string) (ids []string, none bool) {
	switch {
	case a == nil:
		return b, b != nil && len(b) == 0
	case b == nil:
		return a, len(a) == 0
	}
	for _, x := range a {
		for _, y := range b {
			if x == y {
				ids = append(ids, x)
			}
		}
	}
	return ids, len(ids) == 0
}
