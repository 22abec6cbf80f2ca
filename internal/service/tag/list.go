package tag

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeTags (1.15.3: PageSize "默认 50，最大 100") and of
// ListTagResources (NextToken, 50 rows a page; the VPC API's MaxResults is at
// most 50).
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
	ListPageSize    = 50
)

// DescribeQuery holds the filters of DescribeTags; empty fields match all.
type DescribeQuery struct {
	// ResourceType is one ECS resource type (instance, disk, snapshot, image,
	// securitygroup, keypair).
	ResourceType string
	// ResourceID is one resource (a key pair by its name).
	ResourceID string
	// Tags are up to five tags; a tag matches when its key is one of theirs
	// and, where they have a Value, its value too.
	Tags []store.Tag
	// PageNumber (from 1) and PageSize (1 to 100); 0 takes 1 and 50.
	PageNumber, PageSize int
}

// Summary is one distinct tag (Key, Value) with the number of resources of
// each ECS ResourceType (instance, disk, …) that carry it; types without any
// are absent.
type Summary struct {
	Key, Value string
	Resources  map[string]int
}

// DescribeResult is one page of DescribeTags.
type DescribeResult struct {
	Tags                 []Summary
	TotalCount           int
	PageNumber, PageSize int
}

// DescribeTags lists the distinct tags of the caller's ECS resources in its
// region that pass every filter of q, in (Key, Value) order, one page at a
// time (guide 1.15.3). The conditions are ANDed; the Tag.n among themselves
// are alternatives, since one tag has one key.
func (s *Service) DescribeTags(ctx context.Context, c Caller, q DescribeQuery) (DescribeResult, error) {
	types := productTypes(ECS)
	if q.ResourceType != "" {
		k, err := lookupKind(ECS, q.ResourceType)
		if err != nil {
			return DescribeResult{}, err
		}
		types = []string{k.stored}
	}
	if err := checkFilter(q.Tags); err != nil {
		return DescribeResult{}, err
	}
	page, err := describePage(q.PageNumber, q.PageSize)
	if err != nil {
		return DescribeResult{}, err
	}
	res := DescribeResult{Tags: []Summary{}, PageNumber: page.Number, PageSize: page.Size}
	f := store.TagFilter{AccountID: c.AccountID, RegionID: c.RegionID, ResourceTypes: types}
	for _, t := range q.Tags {
		f.Tags = append(f.Tags, exactMatch(t))
	}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		if q.ResourceID != "" {
			ids, err := storedIDs(tx, c, types, []string{q.ResourceID})
			if err != nil || len(ids) == 0 {
				return err
			}
			f.ResourceIDs = ids
		}
		sums, total, err := tx.SummarizeTags(f, page)
		if err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		res.TotalCount = total
		for _, sum := range sums {
			out := Summary{Key: sum.Key, Value: sum.Value, Resources: map[string]int{}}
			for stored, n := range sum.Resources {
				if k, ok := storedKind(stored); ok {
					out.Resources[k.name] = n
				}
			}
			res.Tags = append(res.Tags, out)
		}
		return nil
	})
	if err != nil {
		return DescribeResult{}, err
	}
	return res, nil
}

// describePage applies DescribeTags' paging defaults and bounds.
func describePage(number, size int) (store.Page, error) {
	p := store.Page{Number: number, Size: size}
	if p.Number == 0 {
		p.Number = 1
	}
	if p.Size == 0 {
		p.Size = DefaultPageSize
	}
	if p.Number < 1 {
		return store.Page{}, apierr.InvalidParameter("PageNumber")
	}
	if p.Size < 1 || p.Size > MaxPageSize {
		return store.Page{}, apierr.InvalidParameter("PageSize")
	}
	return p, nil
}

// ListQuery holds the parameters of ListTagResources (ECS or VPC).
type ListQuery struct {
	Product Product
	// ResourceType is mandatory: one of the product's resource types.
	ResourceType string
	// ResourceIDs are up to 50 resources (key pairs by name).
	ResourceIDs []string
	// Tags are up to 20 exact tags (a Value, when given, must match too);
	// Filters up to 5 fuzzy ones ('*' matches any run of characters). They
	// cannot be used together. Each selects the resources that carry a
	// matching tag of every one of them, and only the matching tags are listed.
	Tags    []store.Tag
	Filters []Filter
	// NextToken continues an earlier listing.
	NextToken string
	// MaxResults is the page size, 1 to 50; 0 takes 50.
	MaxResults int
}

// Filter is one TagFilter.N: a key and up to five values, with '*' wildcards.
type Filter struct {
	Key    string
	Values []string
}

// Row is one tag of one resource as ListTagResources answers it: ResourceType
// in the product's answer form (ALIYUN::ECS::INSTANCE, VPC), a key pair by
// its name.
type Row struct {
	ResourceType, ResourceID, Key, Value string
}

// ListResult is one page of ListTagResources; NextToken is "" on the last.
type ListResult struct {
	Rows      []Row
	NextToken string
}

// ListTagResources lists the tags of the caller's resources of one type in its
// region, in (resource, key) order, a page at a time (ECS and VPC
// ListTagResources).
func (s *Service) ListTagResources(ctx context.Context, c Caller, q ListQuery) (ListResult, error) {
	k, err := requireType(q.Product, q.ResourceType)
	if err != nil {
		return ListResult{}, err
	}
	f, err := listFilter(c, k, q)
	if err != nil {
		return ListResult{}, err
	}
	size := q.MaxResults
	if size == 0 {
		size = ListPageSize
	}
	if size < 1 || size > ListPageSize {
		return ListResult{}, apierr.InvalidParameter("MaxResults")
	}
	after, err := decodeToken(q.NextToken, k)
	if err != nil {
		return ListResult{}, err
	}
	res := ListResult{Rows: []Row{}}
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		if len(q.ResourceIDs) > 0 {
			ids, err := storedIDs(tx, c, []string{k.stored}, q.ResourceIDs)
			if err != nil || len(ids) == 0 {
				return err
			}
			f.ResourceIDs = ids
		}
		rows, err := tx.ListTags(f, store.TagRowPage{After: after, Limit: size + 1})
		if err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		if len(rows) > size {
			rows = rows[:size]
			if res.NextToken, err = encodeToken(rows[size-1]); err != nil {
				return err
			}
		}
		res.Rows, err = answerRows(tx, c, k, rows)
		return err
	})
	if err != nil {
		return ListResult{}, err
	}
	return res, nil
}

// listFilter checks the filters of a ListTagResources query and turns them
// into a store filter.
func listFilter(c Caller, k kind, q ListQuery) (store.TagFilter, error) {
	f := store.TagFilter{AccountID: c.AccountID, RegionID: c.RegionID, ResourceTypes: []string{k.stored}, TaggedWithAll: true}
	if len(q.ResourceIDs) > MaxResourcesPerBatch {
		return f, apierr.InvalidParameter("ResourceId")
	}
	if len(q.Tags) > MaxPerBatch || len(q.Filters) > MaxFilters {
		return f, ErrCount()
	}
	if len(q.Tags) > 0 && len(q.Filters) > 0 {
		return f, apierr.InvalidParameter("TagFilter")
	}
	for _, t := range q.Tags {
		if t.Key == "" && t.Value != "" {
			return f, ErrMismatch()
		}
		if t.Key == "" {
			return f, ErrKeyMalformed()
		}
		f.Tags = append(f.Tags, exactMatch(t))
	}
	for _, tf := range q.Filters {
		if tf.Key == "" {
			return f, ErrKeyMalformed()
		}
		if len(tf.Values) > MaxFilterValues {
			return f, ErrCount()
		}
		f.Tags = append(f.Tags, store.TagMatch{Key: tf.Key, Values: tf.Values, Wildcard: true})
	}
	return f, nil
}

// exactMatch is the store match of an exact Tag.N filter.
func exactMatch(t store.Tag) store.TagMatch {
	m := store.TagMatch{Key: t.Key}
	if t.Value != "" {
		m.Values = []string{t.Value}
	}
	return m
}

// storedIDs turns API resource IDs of the given types into tags-table IDs: a
// key pair's name becomes its internal ID (when the caller has it in the
// region), every other ID stays. The answer is empty when nothing can match.
func storedIDs(tx store.Tx, c Caller, types, ids []string) ([]string, error) {
	var out []string
	if slices.ContainsFunc(types, func(t string) bool { return t != store.TagTypeKeyPair }) {
		out = append(out, ids...)
	}
	if !slices.Contains(types, store.TagTypeKeyPair) {
		return out, nil
	}
	for _, name := range ids {
		kp, err := tx.GetKeyPair(c.AccountID, c.RegionID, name)
		switch {
		case err == nil:
			out = append(out, kp.ID)
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("tag: %w", err)
		}
	}
	return out, nil
}

// answerRows turns store rows of kind k into answer rows, naming key pairs by
// their names.
func answerRows(tx store.Tx, c Caller, k kind, rows []store.TagRow) ([]Row, error) {
	names := map[string]string{}
	if k.stored == store.TagTypeKeyPair && len(rows) > 0 {
		kps, _, err := tx.ListKeyPairs(store.KeyPairFilter{AccountID: c.AccountID, RegionID: c.RegionID})
		if err != nil {
			return nil, fmt.Errorf("tag: %w", err)
		}
		for _, kp := range kps {
			names[kp.ID] = kp.Name
		}
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		id := r.ResourceID
		if k.stored == store.TagTypeKeyPair {
			name, ok := names[id]
			if !ok {
				continue
			}
			id = name
		}
		out = append(out, Row{ResourceType: k.listed, ResourceID: id, Key: r.Key, Value: r.Value})
	}
	return out, nil
}

// encodeToken renders the position after row as a NextToken.
func encodeToken(row store.TagRow) (string, error) {
	b, err := json.Marshal([3]string{row.ResourceType, row.ResourceID, row.Key})
	if err != nil {
		return "", fmt.Errorf("tag: next token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeToken reads a NextToken of a listing of kind k ("" is the start).
func decodeToken(token string, k kind) (*store.TagRow, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var pos [3]string
	if err == nil {
		err = json.Unmarshal(b, &pos)
	}
	if err != nil || pos[0] != k.stored {
		return nil, apierr.InvalidParameter("NextToken")
	}
	return &store.TagRow{ResourceType: pos[0], ResourceID: pos[1], Key: pos[2]}, nil
}
