package instance

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeInstances (1.5.10: PageSize at most 100, default 10; 1.5.9's
// DescribeInstanceStatus takes at most 50).
const (
	DefaultPageSize       = 10
	MaxPageSize           = 100
	maxListFilterElements = 100
)

// What every instance reports about things ecsd does not vary.
const (
	// NetworkTypeVPC is every instance's InstanceNetworkType; "classic" instances
	// do not exist in ecsd.
	NetworkTypeVPC     = "vpc"
	networkTypeClassic = "classic"
	// PostPaidExpiredTime is the ExpiredTime of a pay-as-you-go instance.
	PostPaidExpiredTime = "2099-12-31T15:59Z"
	// Metadata service options of every instance.
	MetadataHTTPEndpoint = "enabled"
	MetadataHTTPTokens   = "optional"
	MetadataHopLimit     = 1
	// TimeLayout is how instance times are rendered (1.18.8: UTC, to the minute).
	TimeLayout = "2006-01-02T15:04Z"
)

// Query is a DescribeInstances call (1.5.10, with the SDK's extra filters).
// Empty fields match everything; the JSON-array filters are nil when not sent,
// and an empty list matches nothing (1.5.10: "InstanceIds 如果是一个空 Json
// Array … 返回空").
type Query struct {
	VpcID, VSwitchID, ZoneID                               string
	InstanceIDs, PrivateIPs, PublicIPs, InnerIPs, EipAddrs *[]string
	InstanceType, InstanceTypeFamily, InstanceNetworkType  string
	SecurityGroupID                                        string
	// InstanceName matches exactly, or with '*' standing for any run of characters.
	InstanceName, ImageID, Status, KeyPairName string
	IoOptimized, DeviceAvailable               *bool
	// Tags must all be on an instance; an empty Value matches any value.
	Tags                                      []store.Tag
	ResourceGroupID, LockReason, HpcClusterID string
	InstanceChargeType, InternetChargeType    string
	HTTPEndpoint, HTTPTokens                  string
	// Filters are Filter.N: CreationStartTime, CreationEndTime, ExpiredStartTime
	// and ExpiredEndTime, each a time "YYYY-MM-DDThh:mmZ".
	Filters []Filter
	// PageNumber (from 1) and PageSize (1–100) page the list; with TokenPaging,
	// NextToken and MaxResults (1–100) do instead.
	PageNumber, PageSize int
	TokenPaging          bool
	NextToken            string
	MaxResults           int
}

// Filter is one Filter.N of DescribeInstances.
type Filter struct {
	Key, Value string
}

// Result is one page of instances.
type Result struct {
	Instances  []View
	TotalCount int
	PageNumber int
	PageSize   int
	// NextToken continues the list in token paging; "" at its end.
	NextToken string
}

// ParseJSONList reads a JSON-array parameter (InstanceIds, PrivateIpAddresses
// …): nil when raw is nil or empty, at most 100 strings.
func ParseJSONList(param string, raw *string) (*[]string, error) {
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(*raw), &out); err != nil || len(out) > maxListFilterElements {
		return nil, errIDListMalformed(param)
	}
	if out == nil {
		out = []string{}
	}
	return &out, nil
}

// matcher is a compiled Query: what the store filters, and what is checked here.
type matcher struct {
	filter store.InstanceFilter
	// none: a filter that nothing can match (an empty ID list, classic network …).
	none bool
	// memory are the checks the store cannot make; with any, the whole list is
	// read and paged here.
	memory []func(v View) bool
	// size and cursor of token paging.
	token  bool
	size   int
	number int
	after  *store.Cursor
}

// List answers DescribeInstances: one page of the caller's instances in the
// region that pass every filter, newest first.
func (s *Service) List(ctx context.Context, c Caller, q Query) (Result, error) {
	m, err := s.compile(c, q)
	if err != nil {
		return Result{}, err
	}
	res := Result{Instances: []View{}, PageNumber: m.number, PageSize: m.size}
	if m.none {
		return res, nil
	}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		if len(m.memory) > 0 {
			return s.listInMemory(tx, m, &res)
		}
		f := m.filter
		f.Page = store.Page{Number: m.number, Size: m.size}
		if m.token {
			f.Page, f.After = store.Page{Number: 1, Size: m.size + 1}, m.after
		}
		rows, total, err := tx.ListInstances(f)
		if err != nil {
			return err
		}
		res.TotalCount = total
		if m.token && len(rows) > m.size {
			rows = rows[:m.size]
			res.NextToken = encodeToken(rows[len(rows)-1], m.number+1)
		}
		res.Instances, err = loadViews(tx, rows)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// listInMemory reads every instance the store filter selects, applies the
// other checks and pages the rest.
func (s *Service) listInMemory(tx store.Tx, m *matcher, res *Result) error {
	rows, _, err := tx.ListInstances(m.filter)
	if err != nil {
		return err
	}
	views, err := loadViews(tx, rows)
	if err != nil {
		return err
	}
	views = slices.DeleteFunc(views, func(v View) bool {
		for _, keep := range m.memory {
			if !keep(v) {
				return true
			}
		}
		return false
	})
	res.TotalCount = len(views)
	start := (m.number - 1) * m.size
	if m.token {
		start = 0
		if m.after != nil {
			start = len(views)
			for i, v := range views {
				if newerFirst(v.Instance, *m.after) {
					start = i
					break
				}
			}
		}
	}
	start = min(start, len(views))
	end := min(start+m.size, len(views))
	res.Instances = views[start:end]
	if m.token && end < len(views) {
		res.NextToken = encodeToken(views[end-1].Instance, m.number+1)
	}
	return nil
}

// newerFirst reports whether in comes after the cursor in newest-first order.
func newerFirst(in store.Instance, after store.Cursor) bool {
	return in.CreatedAt.Before(after.CreatedAt) || in.CreatedAt.Equal(after.CreatedAt) && in.ID < after.ID
}

// compile checks q and splits it into store and in-memory filters.
func (s *Service) compile(c Caller, q Query) (*matcher, error) {
	if q.PageSize < 0 || q.PageSize > MaxPageSize {
		return nil, apierr.InvalidParameter("PageSize")
	}
	if q.MaxResults < 0 || q.MaxResults > MaxPageSize {
		return nil, apierr.InvalidParameter("MaxResults")
	}
	m := &matcher{number: max(q.PageNumber, 1), size: q.PageSize}
	if m.size == 0 {
		m.size = DefaultPageSize
	}
	if err := m.paging(q); err != nil {
		return nil, err
	}
	if q.Status != "" && !slices.Contains(Statuses(), q.Status) {
		return nil, errStatusNotFound()
	}
	switch q.InstanceNetworkType {
	case "", NetworkTypeVPC:
	case networkTypeClassic:
		m.none = true
	default:
		return nil, errNetworkTypeNotFound()
	}
	if len(q.Tags) > MaxTags {
		return nil, errTagCount()
	}
	for _, t := range q.Tags {
		if t.Key == "" {
			return nil, errTagKeyMalformed()
		}
	}
	m.filter = store.InstanceFilter{AccountID: c.AccountID, RegionID: c.RegionID, ZoneID: q.ZoneID, VpcID: q.VpcID,
		VSwitchID: q.VSwitchID, InstanceType: q.InstanceType, InstanceTypeFamily: q.InstanceTypeFamily,
		SecurityGroupID: q.SecurityGroupID, ImageID: q.ImageID, KeyPairName: q.KeyPairName, Tags: q.Tags}
	if q.Status != "" {
		m.filter.Statuses = []string{q.Status}
	}
	for _, l := range []struct {
		list *[]string
		dst  *[]string
	}{{q.InstanceIDs, &m.filter.IDs}, {q.PrivateIPs, &m.filter.PrivateIPs}, {q.PublicIPs, &m.filter.PublicIPs}} {
		if l.list != nil {
			*l.dst = *l.list
			m.none = m.none || len(*l.list) == 0
		}
	}
	// ecsd instances have no classic inner IPs, EIPs, resource groups or HPC
	// clusters, and are all pay-as-you-go.
	m.none = m.none || q.InnerIPs != nil || q.EipAddrs != nil || q.ResourceGroupID != "" || q.HpcClusterID != "" ||
		q.InstanceChargeType != "" && q.InstanceChargeType != ChargePostPaid ||
		q.HTTPEndpoint != "" && q.HTTPEndpoint != MetadataHTTPEndpoint || q.HTTPTokens != "" && q.HTTPTokens != MetadataHTTPTokens
	return m, s.memoryFilters(m, q)
}

// paging checks the token paging parameters.
func (m *matcher) paging(q Query) error {
	if !q.TokenPaging {
		return nil
	}
	m.token, m.number, m.size = true, 1, q.MaxResults
	if m.size == 0 {
		m.size = DefaultPageSize
	}
	if q.NextToken != "" {
		after, number, ok := decodeToken(q.NextToken)
		if !ok {
			return apierr.InvalidParameter("NextToken")
		}
		m.after, m.number = &after, number
	}
	return nil
}

// memoryFilters adds the checks the store cannot make.
func (s *Service) memoryFilters(m *matcher, q Query) error {
	if strings.Contains(q.InstanceName, "*") {
		m.memory = append(m.memory, func(v View) bool { return wildcardMatch(q.InstanceName, v.Instance.Name) })
	} else {
		m.filter.Name = q.InstanceName
	}
	if q.IoOptimized != nil {
		want := *q.IoOptimized
		m.memory = append(m.memory, func(v View) bool { return s.IoOptimized(v.Instance) == want })
	}
	if q.DeviceAvailable != nil {
		want := *q.DeviceAvailable
		m.memory = append(m.memory, func(v View) bool { return v.DeviceAvailable() == want })
	}
	if q.LockReason != "" {
		m.memory = append(m.memory, func(v View) bool { return Locked(v.Instance, q.LockReason) })
	}
	if q.InternetChargeType != "" {
		m.memory = append(m.memory, func(v View) bool { return v.Instance.InternetChargeType == q.InternetChargeType })
	}
	for _, f := range q.Filters {
		keep, err := timeFilter(f)
		if err != nil {
			return err
		}
		m.memory = append(m.memory, keep)
	}
	return nil
}

// timeFilter compiles one Filter.N.
func timeFilter(f Filter) (func(View) bool, error) {
	t, err := time.Parse(TimeLayout, f.Value)
	if err != nil {
		return nil, apierr.InvalidParameter("Filter.Value")
	}
	expired, _ := time.Parse(TimeLayout, PostPaidExpiredTime)
	switch f.Key {
	case "CreationStartTime":
		return func(v View) bool { return !v.Instance.CreatedAt.Before(t) }, nil
	case "CreationEndTime":
		return func(v View) bool { return !v.Instance.CreatedAt.After(t) }, nil
	case "ExpiredStartTime":
		return func(View) bool { return !expired.Before(t) }, nil
	case "ExpiredEndTime":
		return func(View) bool { return !expired.After(t) }, nil
	}
	return nil, apierr.InvalidParameter("Filter.Key")
}

// wildcardMatch matches name against pattern, where '*' is any run of
// characters (also none) and every other character matches itself.
func wildcardMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, parts[len(parts)-1])
}

// pageToken is what a NextToken carries: the last instance of the page before
// and the number of the page it starts.
type pageToken struct {
	CreatedAt int64  `json:"t"`
	ID        string `json:"i"`
	Page      int    `json:"p"`
}

// encodeToken makes the opaque NextToken that continues after in.
func encodeToken(in store.Instance, page int) string {
	b, _ := json.Marshal(pageToken{CreatedAt: in.CreatedAt.UnixNano(), ID: in.ID, Page: page})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (store.Cursor, int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.Cursor{}, 0, false
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.ID == "" || t.Page < 2 {
		return store.Cursor{}, 0, false
	}
	return store.Cursor{CreatedAt: time.Unix(0, t.CreatedAt).UTC(), ID: t.ID}, t.Page, true
}

// IoOptimized reports whether the instance is I/O optimised: every instance
// type but those of series I.
func (s *Service) IoOptimized(in store.Instance) bool {
	t, ok := s.deps.Catalog.InstanceType(in.InstanceType)
	return !ok || t.Generation != catalog.Generation1
}

// InstanceTypeFamily is the family of the instance's type.
func (s *Service) InstanceTypeFamily(in store.Instance) string {
	if t, ok := s.deps.Catalog.InstanceType(in.InstanceType); ok {
		return t.Family
	}
	return ""
}

// Get returns the caller's instance with its groups, disks and tags, in any
// region of the account (DescribeInstanceAttribute, DescribeUserData).
func (s *Service) Get(ctx context.Context, c Caller, id string) (View, error) {
	var v View
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		in, err := getInstance(tx, c, id, ErrNotFound())
		if err != nil {
			return err
		}
		views, err := loadViews(tx, []store.Instance{in})
		if err != nil {
			return err
		}
		v = views[0]
		return nil
	})
	return v, err
}

// StatusQuery is a DescribeInstanceStatus call (1.5.9, with the SDK's
// InstanceId.N).
type StatusQuery struct {
	ZoneID      string
	InstanceIDs []string
	// PageNumber from 1; PageSize 1–50.
	PageNumber, PageSize int
}

// StatusPage answers DescribeInstanceStatus: one page of the caller's
// instances in the region, newest first, and their total count.
func (s *Service) StatusPage(ctx context.Context, c Caller, q StatusQuery) ([]store.Instance, int, error) {
	var rows []store.Instance
	var total int
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		rows, total, err = tx.ListInstances(store.InstanceFilter{AccountID: c.AccountID, RegionID: c.RegionID,
			ZoneID: q.ZoneID, IDs: q.InstanceIDs, Page: store.Page{Number: q.PageNumber, Size: q.PageSize}})
		return err
	})
	return rows, total, err
}

// UserData answers DescribeUserData (1.5.11): the instance's user data, Base64
// as it was given ("" when it has none), and the instance's region.
func (s *Service) UserData(ctx context.Context, c Caller, id string) (userData, regionID string, err error) {
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		in, err := getInstance(tx, c, id, ErrNotFound())
		if err != nil {
			return err
		}
		userData, regionID = in.UserData, in.RegionID
		return nil
	})
	return userData, regionID, err
}
