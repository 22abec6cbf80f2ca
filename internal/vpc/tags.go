package vpc

import (
	"context"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// Tags of VPCs and VSwitches (VPC API 2016-04-28). ResourceType is VPC or
// VSWITCH, in any case; the rules, limits and error codes are those of the
// ECS guide's tags (1.15), except that a resource carries up to 20 tags.

// TagResourcesRequest holds the parameters of the VPC API's TagResources.
type TagResourcesRequest struct {
	RegionId     string `param:"RegionId"`
	ResourceType string `param:"ResourceType"`
	// ResourceId are one to fifty VPCs or VSwitches.
	ResourceId []string `param:"ResourceId"`
	// Tag are one to twenty tags.
	Tag []TagParam `param:"Tag"`
}

// TagResourcesResponse is the answer of TagResources (RequestId only).
type TagResourcesResponse struct{}

// TagResources puts tags on VPCs or VSwitches, all or none.
func (h *Handlers) TagResources(ctx context.Context, req *TagResourcesRequest) (*TagResourcesResponse, error) {
	err := h.deps.Tags.TagResources(ctx, tagCaller(ctx), tag.VPC, req.ResourceType, req.ResourceId, tagParams(req.Tag))
	if err != nil {
		return nil, err
	}
	return &TagResourcesResponse{}, nil
}

// UnTagResourcesRequest holds the parameters of the VPC API's untagging
// action (the SDK's UnTagResourcesRequest).
type UnTagResourcesRequest struct {
	RegionId     string   `param:"RegionId"`
	ResourceType string   `param:"ResourceType"`
	ResourceId   []string `param:"ResourceId"`
	// TagKey are up to twenty keys to remove; without any, All=true removes
	// every tag.
	TagKey []string `param:"TagKey"`
	All    bool     `param:"All"`
}

// UnTagResourcesResponse is the answer of the untagging action (RequestId only).
type UnTagResourcesResponse struct{}

// UnTagResources takes tags off VPCs or VSwitches, all or none. The VPC SDK
// and Terraform call the action UnTagResources; see docs/tags.md.
func (h *Handlers) UnTagResources(ctx context.Context, req *UnTagResourcesRequest) (*UnTagResourcesResponse, error) {
	err := h.deps.Tags.UntagResources(ctx, tagCaller(ctx), tag.VPC, req.ResourceType, req.ResourceId, req.TagKey, req.All)
	if err != nil {
		return nil, err
	}
	return &UnTagResourcesResponse{}, nil
}

// ListTagResourcesRequest holds the parameters of the VPC API's
// ListTagResources.
type ListTagResourcesRequest struct {
	RegionId     string   `param:"RegionId"`
	ResourceType string   `param:"ResourceType"`
	ResourceId   []string `param:"ResourceId"`
	// Tag are up to twenty tags every listed resource carries; only they are
	// listed.
	Tag       []TagParam `param:"Tag"`
	NextToken string     `param:"NextToken"`
	// MaxResults is the page size, 1 to 50 (default 50).
	MaxResults *int `param:"MaxResults" min:"1" max:"50"`
}

// ListTagResourcesResponse is the answer of ListTagResources; NextToken is
// left out on the last page.
type ListTagResourcesResponse struct {
	NextToken    string       `json:"NextToken,omitempty"`
	TagResources TagResources `json:"TagResources"`
}

// TagResources is the SDK's TagResourcesInListTagResources container.
type TagResources struct {
	TagResource []TagResource `json:"TagResource"`
}

// TagResource is one tag of one VPC or VSwitch; ResourceType is VPC or VSWITCH.
type TagResource struct {
	ResourceType string `json:"ResourceType"`
	ResourceId   string `json:"ResourceId"`
	TagKey       string `json:"TagKey"`
	TagValue     string `json:"TagValue"`
}

// ListTagResources lists the tags of the caller's VPCs or VSwitches.
func (h *Handlers) ListTagResources(ctx context.Context, req *ListTagResourcesRequest) (*ListTagResourcesResponse, error) {
	q := tag.ListQuery{Product: tag.VPC, ResourceType: req.ResourceType, ResourceIDs: req.ResourceId,
		Tags: tagParams(req.Tag), NextToken: req.NextToken}
	if req.MaxResults != nil {
		q.MaxResults = *req.MaxResults
	}
	res, err := h.deps.Tags.ListTagResources(ctx, tagCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &ListTagResourcesResponse{NextToken: res.NextToken,
		TagResources: TagResources{TagResource: make([]TagResource, 0, len(res.Rows))}}
	for _, r := range res.Rows {
		resp.TagResources.TagResource = append(resp.TagResources.TagResource,
			TagResource{ResourceType: r.ResourceType, ResourceId: r.ResourceID, TagKey: r.Key, TagValue: r.Value})
	}
	return resp, nil
}

// tagCaller is the caller of a tag action.
func tagCaller(ctx context.Context) tag.Caller {
	c := reqctx.From(ctx)
	return tag.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// tagParams converts Tag.N parameters.
func tagParams(params []TagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}
