package vpc

import (
	"context"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/network"
)

// maxVpcIDs is how many comma-separated IDs DescribeVpcs' VpcId may name.
const maxVpcIDs = 20

// CreateVpcRequest holds the parameters of CreateVpc. IPv6, IPAM pools, user
// CIDR blocks, DNS hostnames, resource groups and tags are accepted and not
// applied (see docs/network.md); they still count for ClientToken idempotency.
type CreateVpcRequest struct {
	RegionId          string     `param:"RegionId"`
	CidrBlock         string     `param:"CidrBlock"`
	VpcName           string     `param:"VpcName"`
	Description       string     `param:"Description"`
	ClientToken       string     `param:"ClientToken" maxLen:"64"`
	DryRun            bool       `param:"DryRun"`
	EnableIpv6        bool       `param:"EnableIpv6"`
	Ipv6CidrBlock     string     `param:"Ipv6CidrBlock"`
	Ipv6Isp           string     `param:"Ipv6Isp"`
	Ipv4CidrMask      *int       `param:"Ipv4CidrMask"`
	Ipv4IpamPoolId    string     `param:"Ipv4IpamPoolId"`
	UserCidr          string     `param:"UserCidr"`
	EnableDnsHostname bool       `param:"EnableDnsHostname"`
	ResourceGroupId   string     `param:"ResourceGroupId"`
	Tag               []TagParam `param:"Tag" maxItems:"20"`
}

// CreateVpcResponse is the answer of CreateVpc.
type CreateVpcResponse struct {
	VpcId        string `json:"VpcId"`
	VRouterId    string `json:"VRouterId"`
	RouteTableId string `json:"RouteTableId"`
}

// CreateVpc creates a VPC with its vRouter and system route table; it is
// Available at once. A ClientToken makes the call idempotent.
func (h *Handlers) CreateVpc(ctx context.Context, req *CreateVpcRequest) (*CreateVpcResponse, error) {
	sc := scope(ctx)
	params := *req
	params.ClientToken, params.RegionId = "", sc.RegionID
	out, err := h.deps.Network.CreateVPC(ctx, sc, network.CreateVPCInput{
		CidrBlock:   req.CidrBlock,
		Name:        req.VpcName,
		Description: req.Description,
		DryRun:      req.DryRun,
		Idempotent:  network.Idempotent{ClientToken: req.ClientToken, Params: params},
	})
	if err != nil {
		return nil, err
	}
	return &CreateVpcResponse{VpcId: out.VpcID, VRouterId: out.VRouterID, RouteTableId: out.RouteTableID}, nil
}

// DescribeVpcsRequest holds the parameters of DescribeVpcs.
type DescribeVpcsRequest struct {
	RegionId string `param:"RegionId"`
	// VpcId is one VPC ID or up to 20 separated by commas.
	VpcId      string `param:"VpcId"`
	VpcName    string `param:"VpcName"`
	IsDefault  *bool  `param:"IsDefault"`
	PageNumber *int   `param:"PageNumber" min:"1"`
	PageSize   *int   `param:"PageSize" min:"1" max:"50"`
	// VpcOwnerId keeps the VPCs of that account: the caller's own, or none.
	VpcOwnerId       *int64     `param:"VpcOwnerId"`
	ResourceGroupId  string     `param:"ResourceGroupId"`
	DhcpOptionsSetId string     `param:"DhcpOptionsSetId"`
	Tag              []TagParam `param:"Tag" maxItems:"20"`
	DryRun           bool       `param:"DryRun"`
	EnableIpv6       *bool      `param:"EnableIpv6"`
	AdvancedFeature  *bool      `param:"AdvancedFeature"`
}

// DescribeVpcsResponse is the answer of DescribeVpcs.
type DescribeVpcsResponse struct {
	TotalCount int  `json:"TotalCount"`
	PageNumber int  `json:"PageNumber"`
	PageSize   int  `json:"PageSize"`
	Vpcs       Vpcs `json:"Vpcs"`
}

// Vpcs is the SDK's Vpcs container.
type Vpcs struct {
	Vpc []Vpc `json:"Vpc"`
}

// Vpc is one VPC as DescribeVpcs renders it (the SDK's Vpc struct).
type Vpc struct {
	VpcId               string              `json:"VpcId"`
	RegionId            string              `json:"RegionId"`
	Status              string              `json:"Status"`
	VpcName             string              `json:"VpcName"`
	CreationTime        string              `json:"CreationTime"`
	CidrBlock           string              `json:"CidrBlock"`
	Ipv6CidrBlock       string              `json:"Ipv6CidrBlock"`
	VRouterId           string              `json:"VRouterId"`
	Description         string              `json:"Description"`
	IsDefault           bool                `json:"IsDefault"`
	OwnerId             int64               `json:"OwnerId"`
	EnabledIpv6         bool                `json:"EnabledIpv6"`
	DnsHostnameStatus   string              `json:"DnsHostnameStatus"`
	VSwitchIds          VSwitchIds          `json:"VSwitchIds"`
	RouterTableIds      RouterTableIds      `json:"RouterTableIds"`
	NatGatewayIds       NatGatewayIds       `json:"NatGatewayIds"`
	UserCidrs           UserCidrs           `json:"UserCidrs"`
	SecondaryCidrBlocks SecondaryCidrBlocks `json:"SecondaryCidrBlocks"`
	Ipv6CidrBlocks      Ipv6CidrBlocks      `json:"Ipv6CidrBlocks"`
	Tags                Tags                `json:"Tags"`
}

// RouterTableIds is the SDK's RouterTableIds container.
type RouterTableIds struct {
	RouterTableIds []string `json:"RouterTableIds"`
}

// NatGatewayIds is the SDK's NatGatewayIds container (always empty).
type NatGatewayIds struct {
	NatGatewayIds []string `json:"NatGatewayIds"`
}

// UserCidrs is the SDK's UserCidrs container (always empty).
type UserCidrs struct {
	UserCidr []string `json:"UserCidr"`
}

// SecondaryCidrBlocks is the SDK's SecondaryCidrBlocks container (always empty).
type SecondaryCidrBlocks struct {
	SecondaryCidrBlock []string `json:"SecondaryCidrBlock"`
}

// Ipv6CidrBlocks is the SDK's Ipv6CidrBlocks container (always empty).
type Ipv6CidrBlocks struct {
	Ipv6CidrBlock []Ipv6CidrBlock `json:"Ipv6CidrBlock"`
}

// Ipv6CidrBlock is one IPv6 block of a VPC.
type Ipv6CidrBlock struct {
	Ipv6CidrBlock string `json:"Ipv6CidrBlock"`
	Ipv6Isp       string `json:"Ipv6Isp"`
}

// DescribeVpcs lists the caller's VPCs in the region, newest first, one page
// at a time. Filters ecsd cannot satisfy (a resource group, tags, a DHCP options
// set, another owner) match nothing.
func (h *Handlers) DescribeVpcs(ctx context.Context, req *DescribeVpcsRequest) (*DescribeVpcsResponse, error) {
	sc := scope(ctx)
	page := paging(req.PageNumber, req.PageSize)
	resp := &DescribeVpcsResponse{PageNumber: page.Number, PageSize: page.Size, Vpcs: Vpcs{Vpc: []Vpc{}}}
	ids, err := vpcIDs(req.VpcId)
	if err != nil {
		return nil, err
	}
	if req.ResourceGroupId != "" || len(req.Tag) > 0 || req.DhcpOptionsSetId != "" ||
		(req.VpcOwnerId != nil && *req.VpcOwnerId != sc.AccountID) || (req.EnableIpv6 != nil && *req.EnableIpv6) {
		return resp, nil
	}
	got, err := h.deps.Network.DescribeVPCs(ctx, sc, network.VPCQuery{IDs: ids, Name: req.VpcName, IsDefault: req.IsDefault, Page: page})
	if err != nil {
		return nil, err
	}
	resp.TotalCount = got.Total
	for _, v := range got.VPCs {
		resp.Vpcs.Vpc = append(resp.Vpcs.Vpc, vpcItem(v))
	}
	return resp, nil
}

// vpcIDs splits DescribeVpcs' comma-separated VpcId.
func vpcIDs(s string) ([]string, error) {
	var ids []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxVpcIDs {
		return nil, apierr.InvalidParameter("VpcId")
	}
	return ids, nil
}

func vpcItem(v network.VPC) Vpc {
	return Vpc{
		VpcId:               v.ID,
		RegionId:            v.RegionID,
		Status:              v.Status,
		VpcName:             v.Name,
		CreationTime:        creationTime(v.CreatedAt),
		CidrBlock:           v.CidrBlock,
		VRouterId:           v.VRouterID,
		Description:         v.Description,
		IsDefault:           v.IsDefault,
		OwnerId:             v.AccountID,
		DnsHostnameStatus:   dnsHostnameDisabled,
		VSwitchIds:          VSwitchIds{VSwitchId: nonNil(v.VSwitchIDs)},
		RouterTableIds:      RouterTableIds{RouterTableIds: []string{v.RouteTableID}},
		NatGatewayIds:       NatGatewayIds{NatGatewayIds: []string{}},
		UserCidrs:           UserCidrs{UserCidr: []string{}},
		SecondaryCidrBlocks: SecondaryCidrBlocks{SecondaryCidrBlock: []string{}},
		Ipv6CidrBlocks:      Ipv6CidrBlocks{Ipv6CidrBlock: []Ipv6CidrBlock{}},
		Tags:                noTags(),
	}
}

// DescribeVpcAttributeRequest holds the parameters of DescribeVpcAttribute.
type DescribeVpcAttributeRequest struct {
	RegionId  string `param:"RegionId"`
	VpcId     string `param:"VpcId,required"`
	IsDefault *bool  `param:"IsDefault"`
	DryRun    bool   `param:"DryRun"`
}

// DescribeVpcAttributeResponse is the answer of DescribeVpcAttribute.
type DescribeVpcAttributeResponse struct {
	VpcId               string              `json:"VpcId"`
	RegionId            string              `json:"RegionId"`
	Status              string              `json:"Status"`
	VpcName             string              `json:"VpcName"`
	CreationTime        string              `json:"CreationTime"`
	CidrBlock           string              `json:"CidrBlock"`
	Ipv6CidrBlock       string              `json:"Ipv6CidrBlock"`
	VRouterId           string              `json:"VRouterId"`
	Description         string              `json:"Description"`
	IsDefault           bool                `json:"IsDefault"`
	ClassicLinkEnabled  bool                `json:"ClassicLinkEnabled"`
	OwnerId             int64               `json:"OwnerId"`
	EnabledIpv6         bool                `json:"EnabledIpv6"`
	SupportIpv4Gateway  bool                `json:"SupportIpv4Gateway"`
	DnsHostnameStatus   string              `json:"DnsHostnameStatus"`
	VSwitchIds          VSwitchIds          `json:"VSwitchIds"`
	UserCidrs           UserCidrs           `json:"UserCidrs"`
	SecondaryCidrBlocks SecondaryCidrBlocks `json:"SecondaryCidrBlocks"`
	Ipv6CidrBlocks      Ipv6CidrBlocks      `json:"Ipv6CidrBlocks"`
	AssociatedCens      AssociatedCens      `json:"AssociatedCens"`
	CloudResources      CloudResources      `json:"CloudResources"`
	Tags                Tags                `json:"Tags"`
}

// AssociatedCens is the SDK's AssociatedCens container (always empty).
type AssociatedCens struct {
	AssociatedCen []AssociatedCen `json:"AssociatedCen"`
}

// AssociatedCen is a cloud enterprise network a VPC is attached to.
type AssociatedCen struct {
	CenId      string `json:"CenId"`
	CenOwnerId int64  `json:"CenOwnerId"`
	CenStatus  string `json:"CenStatus"`
}

// DescribeVpcAttribute answers one of the caller's VPCs. A VPC that does not
// exist, belongs to another account or lives in another region is
// InvalidVpcId.NotFound (404), which Terraform takes for "gone".
func (h *Handlers) DescribeVpcAttribute(ctx context.Context, req *DescribeVpcAttributeRequest) (*DescribeVpcAttributeResponse, error) {
	v, err := h.deps.Network.GetVPC(ctx, scope(ctx), req.VpcId)
	if err != nil {
		return nil, err
	}
	return &DescribeVpcAttributeResponse{
		VpcId:               v.ID,
		RegionId:            v.RegionID,
		Status:              v.Status,
		VpcName:             v.Name,
		CreationTime:        creationTime(v.CreatedAt),
		CidrBlock:           v.CidrBlock,
		VRouterId:           v.VRouterID,
		Description:         v.Description,
		IsDefault:           v.IsDefault,
		OwnerId:             v.AccountID,
		DnsHostnameStatus:   dnsHostnameDisabled,
		VSwitchIds:          VSwitchIds{VSwitchId: nonNil(v.VSwitchIDs)},
		UserCidrs:           UserCidrs{UserCidr: []string{}},
		SecondaryCidrBlocks: SecondaryCidrBlocks{SecondaryCidrBlock: []string{}},
		Ipv6CidrBlocks:      Ipv6CidrBlocks{Ipv6CidrBlock: []Ipv6CidrBlock{}},
		AssociatedCens:      AssociatedCens{AssociatedCen: []AssociatedCen{}},
		CloudResources: CloudResources{CloudResourceSetType: []CloudResourceSetType{
			{ResourceType: "VSwitch", ResourceCount: len(v.VSwitchIDs)},
			{ResourceType: "VRouter", ResourceCount: 1},
			{ResourceType: "RouteTable", ResourceCount: 1},
		}},
		Tags: noTags(),
	}, nil
}

// ModifyVpcAttributeRequest holds the parameters of ModifyVpcAttribute. IPv6
// and DNS-hostname settings are accepted and not applied.
type ModifyVpcAttributeRequest struct {
	RegionId          string  `param:"RegionId"`
	VpcId             string  `param:"VpcId,required"`
	VpcName           *string `param:"VpcName"`
	Description       *string `param:"Description"`
	CidrBlock         string  `param:"CidrBlock"`
	EnableIPv6        *bool   `param:"EnableIPv6"`
	Ipv6CidrBlock     string  `param:"Ipv6CidrBlock"`
	Ipv6Isp           string  `param:"Ipv6Isp"`
	EnableDnsHostname *bool   `param:"EnableDnsHostname"`
}

// ModifyVpcAttributeResponse is the answer of ModifyVpcAttribute.
type ModifyVpcAttributeResponse struct{}

// ModifyVpcAttribute renames or re-describes a VPC, or changes its CIDR block
// (which must still cover its VSwitches). An empty VpcName or Description
// clears it.
func (h *Handlers) ModifyVpcAttribute(ctx context.Context, req *ModifyVpcAttributeRequest) (*ModifyVpcAttributeResponse, error) {
	in := network.ModifyVPCInput{VpcID: req.VpcId, Name: req.VpcName, Description: req.Description}
	if req.CidrBlock != "" {
		in.CidrBlock = &req.CidrBlock
	}
	if err := h.deps.Network.ModifyVPC(ctx, scope(ctx), in); err != nil {
		return nil, err
	}
	return &ModifyVpcAttributeResponse{}, nil
}

// DeleteVpcRequest holds the parameters of DeleteVpc. ForceDelete only ever
// removes gateways ecsd does not have, so it changes nothing.
type DeleteVpcRequest struct {
	RegionId    string `param:"RegionId"`
	VpcId       string `param:"VpcId,required"`
	ForceDelete bool   `param:"ForceDelete"`
	DryRun      bool   `param:"DryRun"`
	ClientToken string `param:"ClientToken" maxLen:"64"`
}

// DeleteVpcResponse is the answer of DeleteVpc.
type DeleteVpcResponse struct{}

// DeleteVpc deletes a VPC with its vRouter and system route table; a VPC that
// still has VSwitches is DependencyViolation.VSwitch.
func (h *Handlers) DeleteVpc(ctx context.Context, req *DeleteVpcRequest) (*DeleteVpcResponse, error) {
	if err := h.deps.Network.DeleteVPC(ctx, scope(ctx), req.VpcId, req.DryRun); err != nil {
		return nil, err
	}
	return &DeleteVpcResponse{}, nil
}
