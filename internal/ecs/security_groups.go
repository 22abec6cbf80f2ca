package ecs

import (
	"context"
	"strconv"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/secgroup"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeSecurityGroups (guide 1.11.10).
const securityGroupPageSizeDefault = 10

// securityGroupTimeLayout is how CreationTime and CreateTime are rendered:
// ISO 8601 in UTC, to the minute (guide 1.17.21, 1.18.8).
const securityGroupTimeLayout = "2006-01-02T15:04Z"

// SecurityGroupTagParam is one Tag.N of a security-group request.
type SecurityGroupTagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// CreateSecurityGroupRequest holds the parameters of CreateSecurityGroup (guide
// 1.11.1, plus the SDK's SecurityGroupType, ResourceGroupId and Tag.N).
type CreateSecurityGroupRequest struct {
	// RegionId is the group's region (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// SecurityGroupName is 2–128 characters, starting with a letter.
	SecurityGroupName string `param:"SecurityGroupName"`
	// Description is 2–256 characters.
	Description string `param:"Description"`
	// VpcId is the VPC the group belongs to.
	VpcId string `param:"VpcId"`
	// SecurityGroupType is normal (default) or enterprise.
	SecurityGroupType string `param:"SecurityGroupType" enum:"normal|enterprise"`
	// ResourceGroupId is kept and reported; ecsd has no resource groups.
	ResourceGroupId string `param:"ResourceGroupId"`
	// Tag are up to 20 tags to put on the group.
	Tag []SecurityGroupTagParam `param:"Tag"`
	// ClientToken makes the call idempotent (guide 1.18.6).
	ClientToken string `param:"ClientToken"`
}

// CreateSecurityGroupResponse is the answer of CreateSecurityGroup.
type CreateSecurityGroupResponse struct {
	SecurityGroupId string `json:"SecurityGroupId"`
}

// CreateSecurityGroup creates a security group (guide 1.11.1).
func (h *Handlers) CreateSecurityGroup(ctx context.Context, req *CreateSecurityGroupRequest) (*CreateSecurityGroupResponse, error) {
	id, err := h.deps.SecurityGroups.Create(ctx, securityGroupCaller(ctx), secgroup.CreateInput{
		Name: req.SecurityGroupName, Description: req.Description, VpcID: req.VpcId, Type: req.SecurityGroupType,
		ResourceGroupID: req.ResourceGroupId, Tags: securityGroupTags(req.Tag), ClientToken: req.ClientToken,
	})
	if err != nil {
		return nil, err
	}
	return &CreateSecurityGroupResponse{SecurityGroupId: id}, nil
}

// DeleteSecurityGroupRequest holds the parameters of DeleteSecurityGroup (guide 1.11.8).
type DeleteSecurityGroupRequest struct {
	RegionId        string `param:"RegionId"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
}

// DeleteSecurityGroupResponse is the answer of DeleteSecurityGroup (RequestId only).
type DeleteSecurityGroupResponse struct{}

// DeleteSecurityGroup deletes a group that has no instances and that no rule of
// another group names (guide 1.11.8).
func (h *Handlers) DeleteSecurityGroup(ctx context.Context, req *DeleteSecurityGroupRequest) (*DeleteSecurityGroupResponse, error) {
	if err := h.deps.SecurityGroups.Delete(ctx, securityGroupCaller(ctx), req.SecurityGroupId); err != nil {
		return nil, err
	}
	return &DeleteSecurityGroupResponse{}, nil
}

// ModifySecurityGroupAttributeRequest holds the parameters of
// ModifySecurityGroupAttribute (guide 1.11.12).
type ModifySecurityGroupAttributeRequest struct {
	RegionId          string  `param:"RegionId"`
	SecurityGroupId   string  `param:"SecurityGroupId,required"`
	SecurityGroupName *string `param:"SecurityGroupName"`
	// Description, when sent empty, clears the description.
	Description *string `param:"Description"`
}

// ModifySecurityGroupAttributeResponse is the answer of
// ModifySecurityGroupAttribute (RequestId only).
type ModifySecurityGroupAttributeResponse struct{}

// ModifySecurityGroupAttribute renames a group or changes its description
// (guide 1.11.12).
func (h *Handlers) ModifySecurityGroupAttribute(ctx context.Context, req *ModifySecurityGroupAttributeRequest) (*ModifySecurityGroupAttributeResponse, error) {
	err := h.deps.SecurityGroups.ModifyAttribute(ctx, securityGroupCaller(ctx), req.SecurityGroupId, req.SecurityGroupName, req.Description)
	if err != nil {
		return nil, err
	}
	return &ModifySecurityGroupAttributeResponse{}, nil
}

// ModifySecurityGroupPolicyRequest holds the parameters of
// ModifySecurityGroupPolicy (guide 1.11.13). Both are checked by the service,
// which answers the guide's Malformed codes also for absent values.
type ModifySecurityGroupPolicyRequest struct {
	RegionId          string `param:"RegionId"`
	SecurityGroupId   string `param:"SecurityGroupId"`
	InnerAccessPolicy string `param:"InnerAccessPolicy"`
	// ClientToken is accepted (Terraform sends one); the call is idempotent anyway.
	ClientToken string `param:"ClientToken"`
}

// ModifySecurityGroupPolicyResponse is the answer of ModifySecurityGroupPolicy
// (RequestId only).
type ModifySecurityGroupPolicyResponse struct{}

// ModifySecurityGroupPolicy sets whether a group's members reach each other
// (guide 1.11.13).
func (h *Handlers) ModifySecurityGroupPolicy(ctx context.Context, req *ModifySecurityGroupPolicyRequest) (*ModifySecurityGroupPolicyResponse, error) {
	err := h.deps.SecurityGroups.ModifyPolicy(ctx, securityGroupCaller(ctx), req.SecurityGroupId, req.InnerAccessPolicy)
	if err != nil {
		return nil, err
	}
	return &ModifySecurityGroupPolicyResponse{}, nil
}

// DescribeSecurityGroupsRequest holds the parameters of DescribeSecurityGroups
// (guide 1.11.10, plus the SDK's filters Terraform uses).
type DescribeSecurityGroupsRequest struct {
	RegionId string `param:"RegionId"`
	VpcId    string `param:"VpcId"`
	// Tag are up to 5 tags every listed group carries.
	Tag []SecurityGroupTagParam `param:"Tag"`
	// PageNumber starts at 1; PageSize is 1–50, default 10.
	PageNumber *int `param:"PageNumber" min:"1"`
	PageSize   *int `param:"PageSize" min:"1" max:"50"`
	// SecurityGroupId and SecurityGroupIds (a JSON array of up to 100) select groups.
	SecurityGroupId   string   `param:"SecurityGroupId"`
	SecurityGroupIds  []string `param:"SecurityGroupIds,json" maxItems:"100"`
	SecurityGroupName string   `param:"SecurityGroupName"`
	SecurityGroupType string   `param:"SecurityGroupType" enum:"normal|enterprise"`
	NetworkType       string   `param:"NetworkType" enum:"vpc|classic"`
	ResourceGroupId   string   `param:"ResourceGroupId"`
}

// DescribeSecurityGroupsResponse is the answer of DescribeSecurityGroups.
type DescribeSecurityGroupsResponse struct {
	RegionId       string         `json:"RegionId"`
	TotalCount     int            `json:"TotalCount"`
	PageNumber     int            `json:"PageNumber"`
	PageSize       int            `json:"PageSize"`
	SecurityGroups SecurityGroups `json:"SecurityGroups"`
}

// SecurityGroups is the SDK's SecurityGroups container.
type SecurityGroups struct {
	SecurityGroup []SecurityGroupItem `json:"SecurityGroup"`
}

// SecurityGroupItem is one group (the guide's SecurityGroupItemType, with the
// SDK's extra fields).
type SecurityGroupItem struct {
	SecurityGroupId         string            `json:"SecurityGroupId"`
	SecurityGroupName       string            `json:"SecurityGroupName"`
	Description             string            `json:"Description"`
	SecurityGroupType       string            `json:"SecurityGroupType"`
	VpcId                   string            `json:"VpcId"`
	CreationTime            string            `json:"CreationTime"`
	EcsCount                int               `json:"EcsCount"`
	AvailableInstanceAmount int               `json:"AvailableInstanceAmount"`
	ResourceGroupId         string            `json:"ResourceGroupId"`
	ServiceManaged          bool              `json:"ServiceManaged"`
	RuleCount               int               `json:"RuleCount"`
	GroupToGroupRuleCount   int               `json:"GroupToGroupRuleCount"`
	Tags                    SecurityGroupTags `json:"Tags"`
}

// SecurityGroupTags is the SDK's TagsInDescribeSecurityGroups container.
type SecurityGroupTags struct {
	Tag []SecurityGroupTag `json:"Tag"`
}

// SecurityGroupTag is one tag of a group.
type SecurityGroupTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// DescribeSecurityGroups lists the caller's groups in the region, one page at a
// time, newest first (guide 1.11.10). A group that is not the caller's is not
// listed: Terraform reads an empty list as "gone".
func (h *Handlers) DescribeSecurityGroups(ctx context.Context, req *DescribeSecurityGroupsRequest) (*DescribeSecurityGroupsResponse, error) {
	c := securityGroupCaller(ctx)
	q := secgroup.ListQuery{IDs: req.SecurityGroupIds, VpcID: req.VpcId, Name: req.SecurityGroupName,
		Type: req.SecurityGroupType, ResourceGroupID: req.ResourceGroupId, NetworkType: req.NetworkType,
		Tags: securityGroupTags(req.Tag), PageNumber: 1, PageSize: securityGroupPageSizeDefault}
	if req.SecurityGroupId != "" {
		q.IDs = append(q.IDs, req.SecurityGroupId)
	}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	groups, total, err := h.deps.SecurityGroups.List(ctx, c, q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeSecurityGroupsResponse{RegionId: c.RegionID, TotalCount: total, PageNumber: q.PageNumber,
		PageSize: q.PageSize, SecurityGroups: SecurityGroups{SecurityGroup: []SecurityGroupItem{}}}
	for _, s := range groups {
		item := SecurityGroupItem{
			SecurityGroupId: s.Group.ID, SecurityGroupName: s.Group.Name, Description: s.Group.Description,
			SecurityGroupType: s.Group.Type, VpcId: s.Group.VpcID, CreationTime: s.Group.CreatedAt.UTC().Format(securityGroupTimeLayout),
			EcsCount: s.Instances, AvailableInstanceAmount: s.Available, ResourceGroupId: s.Group.ResourceGroupID,
			RuleCount: s.Rules.Rules, GroupToGroupRuleCount: s.Rules.GroupToGroup, Tags: SecurityGroupTags{Tag: []SecurityGroupTag{}},
		}
		for _, t := range s.Tags {
			item.Tags.Tag = append(item.Tags.Tag, SecurityGroupTag{TagKey: t.Key, TagValue: t.Value})
		}
		resp.SecurityGroups.SecurityGroup = append(resp.SecurityGroups.SecurityGroup, item)
	}
	return resp, nil
}

// DescribeSecurityGroupReferencesRequest holds the parameters of
// DescribeSecurityGroupReferences (guide 1.11.11).
type DescribeSecurityGroupReferencesRequest struct {
	RegionId string `param:"RegionId"`
	// SecurityGroupId are 1 to 10 groups (SecurityGroupId.N); the service answers
	// the guide's Abs.GroupNos.Malformed for none or more.
	SecurityGroupId []string `param:"SecurityGroupId"`
}

// DescribeSecurityGroupReferencesResponse is the answer of
// DescribeSecurityGroupReferences.
type DescribeSecurityGroupReferencesResponse struct {
	SecurityGroupReferences SecurityGroupReferences `json:"SecurityGroupReferences"`
}

// SecurityGroupReferences is the SDK's SecurityGroupReferences container.
type SecurityGroupReferences struct {
	SecurityGroupReference []SecurityGroupReference `json:"SecurityGroupReference"`
}

// SecurityGroupReference lists the groups whose rules name one group.
type SecurityGroupReference struct {
	SecurityGroupId           string                    `json:"SecurityGroupId"`
	ReferencingSecurityGroups ReferencingSecurityGroups `json:"ReferencingSecurityGroups"`
}

// ReferencingSecurityGroups is the SDK's ReferencingSecurityGroups container.
type ReferencingSecurityGroups struct {
	ReferencingSecurityGroup []ReferencingSecurityGroup `json:"ReferencingSecurityGroup"`
}

// ReferencingSecurityGroup is a group with a rule naming the referenced group,
// and its owner's account ID.
type ReferencingSecurityGroup struct {
	SecurityGroupId string `json:"SecurityGroupId"`
	AliUid          string `json:"AliUid"`
}

// DescribeSecurityGroupReferences tells which groups of any account have rules
// naming the caller's groups (guide 1.11.11); groups nobody names are left out.
func (h *Handlers) DescribeSecurityGroupReferences(ctx context.Context, req *DescribeSecurityGroupReferencesRequest) (*DescribeSecurityGroupReferencesResponse, error) {
	refs, err := h.deps.SecurityGroups.References(ctx, securityGroupCaller(ctx), req.SecurityGroupId)
	if err != nil {
		return nil, err
	}
	resp := &DescribeSecurityGroupReferencesResponse{SecurityGroupReferences: SecurityGroupReferences{
		SecurityGroupReference: []SecurityGroupReference{}}}
	for _, ref := range refs {
		out := SecurityGroupReference{SecurityGroupId: ref.GroupID,
			ReferencingSecurityGroups: ReferencingSecurityGroups{ReferencingSecurityGroup: []ReferencingSecurityGroup{}}}
		for _, r := range ref.Referencing {
			out.ReferencingSecurityGroups.ReferencingSecurityGroup = append(out.ReferencingSecurityGroups.ReferencingSecurityGroup,
				ReferencingSecurityGroup{SecurityGroupId: r.ReferencingGroupID, AliUid: strconv.FormatInt(r.ReferencingAccountID, 10)})
		}
		resp.SecurityGroupReferences.SecurityGroupReference = append(resp.SecurityGroupReferences.SecurityGroupReference, out)
	}
	return resp, nil
}

// securityGroupCaller is the caller of a security-group action.
func securityGroupCaller(ctx context.Context) secgroup.Caller {
	c := reqctx.From(ctx)
	return secgroup.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// securityGroupTags converts Tag.N parameters.
func securityGroupTags(params []SecurityGroupTagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}
