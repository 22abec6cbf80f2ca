package vpc

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of the VPC Describe* actions: PageNumber from 1, PageSize 1 to 50,
// default 10.
const (
	defaultPageSize = 10
	maxPageSize     = 50
)

// creationTimeLayout is how the VPC API renders CreationTime (UTC, seconds).
const creationTimeLayout = "2006-01-02T15:04:05Z"

// Values ecsd reports for features it does not have.
const (
	routeTableTypeSystem = "System"
	routerTypeVRouter    = "VRouter"
	dnsHostnameDisabled  = "DISABLED"
)

// scope is the caller's account and region, as the HTTP front resolved them.
func scope(ctx context.Context) network.Scope {
	c := reqctx.From(ctx)
	return network.Scope{AccountID: c.AccountID, RegionID: c.RegionID}
}

// paging applies the defaults to a request's PageNumber and PageSize, whose
// ranges the decoder has checked.
func paging(number, size *int) store.Page {
	p := store.Page{Number: 1, Size: defaultPageSize}
	if number != nil {
		p.Number = *number
	}
	if size != nil {
		p.Size = *size
	}
	return p
}

// creationTime renders a creation time.
func creationTime(t time.Time) string { return t.UTC().Format(creationTimeLayout) }

// TagParam is one Tag.N of a request. ecsd keeps no VPC tags yet: tags sent on
// a create are accepted and dropped, and a Tag filter matches nothing.
type TagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// Tags is the SDK's Tags container (always empty: ecsd keeps no VPC tags yet).
type Tags struct {
	Tag []Tag `json:"Tag"`
}

// Tag is one tag as the SDK's Tag struct has it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// noTags is an empty Tags container.
func noTags() Tags { return Tags{Tag: []Tag{}} }

// VSwitchIds is the SDK's VSwitchIds container.
type VSwitchIds struct {
	VSwitchId []string `json:"VSwitchId"`
}

// CloudResources is the SDK's CloudResources container.
type CloudResources struct {
	CloudResourceSetType []CloudResourceSetType `json:"CloudResourceSetType"`
}

// CloudResourceSetType counts the resources of one type in a VPC or VSwitch.
type CloudResourceSetType struct {
	ResourceType  string `json:"ResourceType"`
	ResourceCount int    `json:"ResourceCount"`
}

// nonNil returns s, or an empty slice for nil, so that JSON shows [] and not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
