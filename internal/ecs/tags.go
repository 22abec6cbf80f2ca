package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// ResourceTagParam is one Tag.N of a tag action: a key and its value.
type ResourceTagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// AddTagsRequest holds the parameters of AddTags (guide 1.15.1). The service
// checks ResourceId, ResourceType and the count of Tag.n, to answer the
// guide's codes.
type AddTagsRequest struct {
	RegionId string `param:"RegionId"`
	// ResourceId is the resource (a key pair by its name).
	ResourceId string `param:"ResourceId"`
	// ResourceType is instance, disk, snapshot, image, securitygroup or keypair.
	ResourceType string `param:"ResourceType"`
	// Tag are one to five tags.
	Tag []ResourceTagParam `param:"Tag"`
}

// AddTagsResponse is the answer of AddTags (RequestId only).
type AddTagsResponse struct{}

// AddTags puts tags on a resource, replacing the values of keys it has
// (guide 1.15.1).
func (h *Handlers) AddTags(ctx context.Context, req *AddTagsRequest) (*AddTagsResponse, error) {
	if err := h.deps.Tags.AddTags(ctx, tagCaller(ctx), req.ResourceType, req.ResourceId, tagParams(req.Tag)); err != nil {
		return nil, err
	}
	return &AddTagsResponse{}, nil
}

// RemoveTagsRequest holds the parameters of RemoveTags (guide 1.15.2).
type RemoveTagsRequest struct {
	RegionId     string `param:"RegionId"`
	ResourceId   string `param:"ResourceId"`
	ResourceType string `param:"ResourceType"`
	// Tag are up to five tags; one without a Value removes its key whatever
	// the value; none removes every tag.
	Tag []ResourceTagParam `param:"Tag"`
}

// RemoveTagsResponse is the answer of RemoveTags (RequestId only).
type RemoveTagsResponse struct{}

// RemoveTags takes tags off a resource (guide 1.15.2).
func (h *Handlers) RemoveTags(ctx context.Context, req *RemoveTagsRequest) (*RemoveTagsResponse, error) {
	if err := h.deps.Tags.RemoveTags(ctx, tagCaller(ctx), req.ResourceType, req.ResourceId, tagParams(req.Tag)); err != nil {
		return nil, err
	}
	return &RemoveTagsResponse{}, nil
}

// DescribeTagsRequest holds the parameters of DescribeTags (guide 1.15.3,
// plus the SDK's Category, which is accepted: every tag is a custom one).
type DescribeTagsRequest struct {
	RegionId     string             `param:"RegionId"`
	ResourceId   string             `param:"ResourceId"`
	ResourceType string             `param:"ResourceType"`
	Tag          []ResourceTagParam `param:"Tag"`
	// PageNumber starts at 1; PageSize is 1–100, default 50.
	PageNumber *int   `param:"PageNumber" min:"1"`
	PageSize   *int   `param:"PageSize" min:"1" max:"100"`
	Category   string `param:"Category"`
}

// DescribeTagsResponse is the answer of DescribeTags.
type DescribeTagsResponse struct {
	PageSize   int              `json:"PageSize"`
	PageNumber int              `json:"PageNumber"`
	TotalCount int              `json:"TotalCount"`
	Tags       DescribeTagsTags `json:"Tags"`
}

// DescribeTagsTags is the SDK's TagsInDescribeTags container.
type DescribeTagsTags struct {
	Tag []DescribeTagsTag `json:"Tag"`
}

// DescribeTagsTag is one distinct tag (the guide's TagSetItem) with the number
// of resources of each type that carry it.
type DescribeTagsTag struct {
	TagKey            string            `json:"TagKey"`
	TagValue          string            `json:"TagValue"`
	ResourceTypeCount ResourceTypeCount `json:"ResourceTypeCount"`
}

// ResourceTypeCount is the SDK's ResourceTypeCount: resources per type (ecsd
// has no dedicated hosts, snapshot policies, reserved instances, launch
// templates or volumes, which count 0).
type ResourceTypeCount struct {
	Instance         int `json:"Instance"`
	Disk             int `json:"Disk"`
	Snapshot         int `json:"Snapshot"`
	Image            int `json:"Image"`
	Securitygroup    int `json:"Securitygroup"`
	KeyPair          int `json:"KeyPair"`
	Ddh              int `json:"Ddh"`
	SnapshotPolicy   int `json:"SnapshotPolicy"`
	ReservedInstance int `json:"ReservedInstance"`
	LaunchTemplate   int `json:"LaunchTemplate"`
	Eni              int `json:"Eni"`
	Volume           int `json:"Volume"`
}

// DescribeTags lists the distinct tags of the caller's resources in the
// region, with how many resources of each type carry each (guide 1.15.3).
func (h *Handlers) DescribeTags(ctx context.Context, req *DescribeTagsRequest) (*DescribeTagsResponse, error) {
	q := tag.DescribeQuery{ResourceType: req.ResourceType, ResourceID: req.ResourceId, Tags: tagParams(req.Tag)}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	res, err := h.deps.Tags.DescribeTags(ctx, tagCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeTagsResponse{PageSize: res.PageSize, PageNumber: res.PageNumber, TotalCount: res.TotalCount,
		Tags: DescribeTagsTags{Tag: make([]DescribeTagsTag, 0, len(res.Tags))}}
	for _, s := range res.Tags {
		n := s.Resources
		resp.Tags.Tag = append(resp.Tags.Tag, DescribeTagsTag{TagKey: s.Key, TagValue: s.Value, ResourceTypeCount: ResourceTypeCount{
			Instance: n["instance"], Disk: n["disk"], Snapshot: n["snapshot"], Image: n["image"],
			Securitygroup: n["securitygroup"], KeyPair: n["keypair"], Eni: n["eni"],
		}})
	}
	return resp, nil
}

// TagResourcesRequest holds the parameters of TagResources (SDK; the guide
// lacks it).
type TagResourcesRequest struct {
	RegionId     string `param:"RegionId"`
	ResourceType string `param:"ResourceType"`
	// ResourceId are one to fifty resources of that type.
	ResourceId []string `param:"ResourceId"`
	// Tag are one to twenty tags.
	Tag []ResourceTagParam `param:"Tag"`
}

// TagResourcesResponse is the answer of TagResources (RequestId only).
type TagResourcesResponse struct{}

// TagResources puts tags on several resources of one type, all or none.
func (h *Handlers) TagResources(ctx context.Context, req *TagResourcesRequest) (*TagResourcesResponse, error) {
	err := h.deps.Tags.TagResources(ctx, tagCaller(ctx), tag.ECS, req.ResourceType, req.ResourceId, tagParams(req.Tag))
	if err != nil {
		return nil, err
	}
	return &TagResourcesResponse{}, nil
}

// UntagResourcesRequest holds the parameters of UntagResources (SDK).
type UntagResourcesRequest struct {
	RegionId     string   `param:"RegionId"`
	ResourceType string   `param:"ResourceType"`
	ResourceId   []string `param:"ResourceId"`
	// TagKey are up to twenty keys to remove; without any, All=true removes
	// every tag.
	TagKey []string `param:"TagKey"`
	All    bool     `param:"All"`
}

// UntagResourcesResponse is the answer of UntagResources (RequestId only).
type UntagResourcesResponse struct{}

// UntagResources takes tags off several resources of one type, all or none.
func (h *Handlers) UntagResources(ctx context.Context, req *UntagResourcesRequest) (*UntagResourcesResponse, error) {
	err := h.deps.Tags.UntagResources(ctx, tagCaller(ctx), tag.ECS, req.ResourceType, req.ResourceId, req.TagKey, req.All)
	if err != nil {
		return nil, err
	}
	return &UntagResourcesResponse{}, nil
}

// TagFilterParam is one TagFilter.N of ListTagResources: a key and up to five
// values, where '*' matches any run of characters.
type TagFilterParam struct {
	TagKey    string   `param:"TagKey"`
	TagValues []string `param:"TagValues"`
}

// ListTagResourcesRequest holds the parameters of ListTagResources (SDK).
type ListTagResourcesRequest struct {
	RegionId string `param:"RegionId"`
	// ResourceType is mandatory, in lower case (instance, disk, …).
	ResourceType string `param:"ResourceType"`
	// ResourceId are up to fifty resources.
	ResourceId []string `param:"ResourceId"`
	// Tag (up to 20, exact) or TagFilter (up to 5, fuzzy) select resources
	// carrying all of them.
	Tag       []ResourceTagParam `param:"Tag"`
	TagFilter []TagFilterParam   `param:"TagFilter"`
	NextToken string             `param:"NextToken"`
}

// ListTagResourcesResponse is the answer of ListTagResources; NextToken is
// left out on the last page (Terraform pages until it is absent).
type ListTagResourcesResponse struct {
	NextToken    string             `json:"NextToken,omitempty"`
	TagResources ListedTagResources `json:"TagResources"`
}

// ListedTagResources is the SDK's TagResources container.
type ListedTagResources struct {
	TagResource []ListedTagResource `json:"TagResource"`
}

// ListedTagResource is one tag of one resource; ResourceType is in the form
// ALIYUN::ECS::INSTANCE.
type ListedTagResource struct {
	ResourceType string `json:"ResourceType"`
	ResourceId   string `json:"ResourceId"`
	TagKey       string `json:"TagKey"`
	TagValue     string `json:"TagValue"`
}

// ListTagResources lists the tags of the caller's resources of one type, 50 a
// page.
func (h *Handlers) ListTagResources(ctx context.Context, req *ListTagResourcesRequest) (*ListTagResourcesResponse, error) {
	q := tag.ListQuery{Product: tag.ECS, ResourceType: req.ResourceType, ResourceIDs: req.ResourceId,
		Tags: tagParams(req.Tag), NextToken: req.NextToken}
	for _, f := range req.TagFilter {
		q.Filters = append(q.Filters, tag.Filter{Key: f.TagKey, Values: f.TagValues})
	}
	res, err := h.deps.Tags.ListTagResources(ctx, tagCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &ListTagResourcesResponse{NextToken: res.NextToken,
		TagResources: ListedTagResources{TagResource: make([]ListedTagResource, 0, len(res.Rows))}}
	for _, r := range res.Rows {
		resp.TagResources.TagResource = append(resp.TagResources.TagResource,
			ListedTagResource{ResourceType: r.ResourceType, ResourceId: r.ResourceID, TagKey: r.Key, TagValue: r.Value})
	}
	return resp, nil
}

// tagCaller is the caller of a tag action.
func tagCaller(ctx context.Context) tag.Caller {
	c := reqctx.From(ctx)
	return tag.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// tagParams converts Tag.N parameters.
func tagParams(params []ResourceTagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}
