package vpc

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/network"
)

// CreateVSwitchRequest holds the parameters of CreateVSwitch. IPv6 blocks and
// tags are accepted and not applied; they still count for ClientToken
// idempotency.
type CreateVSwitchRequest struct {
	RegionId         string     `param:"RegionId"`
	VpcId            string     `param:"VpcId,required"`
	ZoneId           string     `param:"ZoneId,required"`
	CidrBlock        string     `param:"CidrBlock,required"`
	VSwitchName      string     `param:"VSwitchName"`
	Description      string     `param:"Description"`
	ClientToken      string     `param:"ClientToken" maxLen:"64"`
	Ipv6CidrBlock    *int       `param:"Ipv6CidrBlock" min:"0" max:"255"`
	VpcIpv6CidrBlock string     `param:"VpcIpv6CidrBlock"`
	Tag              []TagParam `param:"Tag" maxItems:"20"`
}

// CreateVSwitchResponse is the answer of CreateVSwitch.
type CreateVSwitchResponse struct {
	VSwitchId string `json:"VSwitchId"`
}

// CreateVSwitch creates a VSwitch in a zone of the region, inside its VPC's
// CIDR block; it is Available at once. A ClientToken makes the call idempotent.
func (h *Handlers) CreateVSwitch(ctx context.Context, req *CreateVSwitchRequest) (*CreateVSwitchResponse, error) {
	sc := scope(ctx)
	params := *req
	params.ClientToken, params.RegionId = "", sc.RegionID
	out, err := h.deps.Network.CreateVSwitch(ctx, sc, network.CreateVSwitchInput{
		VpcID:       req.VpcId,
		ZoneID:      req.ZoneId,
		CidrBlock:   req.CidrBlock,
		Name:        req.VSwitchName,
		Description: req.Description,
		Idempotent:  network.Idempotent{ClientToken: req.ClientToken, Params: params},
	})
	if err != nil {
		return nil, err
	}
	return &CreateVSwitchResponse{VSwitchId: out.VSwitchID}, nil
}

// DescribeVSwitchesRequest holds the parameters of DescribeVSwitches.
type DescribeVSwitchesRequest struct {
	RegionId     string `param:"RegionId"`
	VpcId        string `param:"VpcId"`
	VSwitchId    string `param:"VSwitchId"`
	ZoneId       string `param:"ZoneId"`
	VSwitchName  string `param:"VSwitchName"`
	IsDefault    *bool  `param:"IsDefault"`
	RouteTableId string `param:"RouteTableId"`
	PageNumber   *int   `param:"PageNumber" min:"1"`
	PageSize     *int   `param:"PageSize" min:"1" max:"50"`
	// VSwitchOwnerId keeps the VSwitches of that account: the caller's own, or none.
	VSwitchOwnerId  *int64     `param:"VSwitchOwnerId"`
	ResourceGroupId string     `param:"ResourceGroupId"`
	Tag             []TagParam `param:"Tag" maxItems:"20"`
	EnableIpv6      *bool      `param:"EnableIpv6"`
	DryRun          bool       `param:"DryRun"`
}

// DescribeVSwitchesResponse is the answer of DescribeVSwitches.
type DescribeVSwitchesResponse struct {
	TotalCount int       `json:"TotalCount"`
	PageNumber int       `json:"PageNumber"`
	PageSize   int       `json:"PageSize"`
	VSwitches  VSwitches `json:"VSwitches"`
}

// VSwitches is the SDK's VSwitches container.
type VSwitches struct {
	VSwitch []VSwitch `json:"VSwitch"`
}

// VSwitch is one VSwitch as DescribeVSwitches renders it (the SDK's VSwitch struct).
type VSwitch struct {
	VSwitchId               string            `json:"VSwitchId"`
	VpcId                   string            `json:"VpcId"`
	Status                  string            `json:"Status"`
	CreationTime            string            `json:"CreationTime"`
	CidrBlock               string            `json:"CidrBlock"`
	Ipv6CidrBlock           string            `json:"Ipv6CidrBlock"`
	ZoneId                  string            `json:"ZoneId"`
	VSwitchName             string            `json:"VSwitchName"`
	Description             string            `json:"Description"`
	IsDefault               bool              `json:"IsDefault"`
	AvailableIpAddressCount int64             `json:"AvailableIpAddressCount"`
	OwnerId                 int64             `json:"OwnerId"`
	EnabledIpv6             bool              `json:"EnabledIpv6"`
	RouteTable              VSwitchRouteTable `json:"RouteTable"`
	Tags                    Tags              `json:"Tags"`
}

// VSwitchRouteTable is the route table a VSwitch uses (the SDK's RouteTable
// struct, with the two fields the API fills in for a VSwitch).
type VSwitchRouteTable struct {
	RouteTableId   string `json:"RouteTableId"`
	RouteTableType string `json:"RouteTableType"`
}

// DescribeVSwitches lists the caller's VSwitches in the region, newest first,
// one page at a time. Filters ecsd cannot satisfy (a resource group, tags, IPv6,
// another owner) match nothing.
func (h *Handlers) DescribeVSwitches(ctx context.Context, req *DescribeVSwitchesRequest) (*DescribeVSwitchesResponse, error) {
	sc := scope(ctx)
	page := paging(req.PageNumber, req.PageSize)
	resp := &DescribeVSwitchesResponse{PageNumber: page.Number, PageSize: page.Size, VSwitches: VSwitches{VSwitch: []VSwitch{}}}
	if req.ResourceGroupId != "" || len(req.Tag) > 0 || (req.EnableIpv6 != nil && *req.EnableIpv6) ||
		(req.VSwitchOwnerId != nil && *req.VSwitchOwnerId != sc.AccountID) {
		return resp, nil
	}
	q := network.VSwitchQuery{VpcID: req.VpcId, ZoneID: req.ZoneId, Name: req.VSwitchName,
		IsDefault: req.IsDefault, RouteTableID: req.RouteTableId, Page: page}
	if req.VSwitchId != "" {
		q.IDs = []string{req.VSwitchId}
	}
	got, err := h.deps.Network.DescribeVSwitches(ctx, sc, q)
	if err != nil {
		return nil, err
	}
	resp.TotalCount = got.Total
	for _, w := range got.VSwitches {
		resp.VSwitches.VSwitch = append(resp.VSwitches.VSwitch, vswitchItem(w))
	}
	return resp, nil
}

func vswitchItem(w network.VSwitch) VSwitch {
	return VSwitch{
		VSwitchId:               w.ID,
		VpcId:                   w.VpcID,
		Status:                  w.Status,
		CreationTime:            creationTime(w.CreatedAt),
		CidrBlock:               w.CidrBlock,
		ZoneId:                  w.ZoneID,
		VSwitchName:             w.Name,
		Description:             w.Description,
		IsDefault:               w.IsDefault,
		AvailableIpAddressCount: w.AvailableIPs,
		OwnerId:                 w.AccountID,
		RouteTable:              VSwitchRouteTable{RouteTableId: w.RouteTableID, RouteTableType: routeTableTypeSystem},
		Tags:                    noTags(),
	}
}

// DescribeVSwitchAttributesRequest holds the parameters of DescribeVSwitchAttributes.
type DescribeVSwitchAttributesRequest struct {
	RegionId  string `param:"RegionId"`
	VSwitchId string `param:"VSwitchId,required"`
	DryRun    bool   `param:"DryRun"`
}

// DescribeVSwitchAttributesResponse is the answer of DescribeVSwitchAttributes.
type DescribeVSwitchAttributesResponse struct {
	VSwitchId               string            `json:"VSwitchId"`
	VpcId                   string            `json:"VpcId"`
	Status                  string            `json:"Status"`
	CreationTime            string            `json:"CreationTime"`
	CidrBlock               string            `json:"CidrBlock"`
	Ipv6CidrBlock           string            `json:"Ipv6CidrBlock"`
	ZoneId                  string            `json:"ZoneId"`
	VSwitchName             string            `json:"VSwitchName"`
	Description             string            `json:"Description"`
	IsDefault               bool              `json:"IsDefault"`
	AvailableIpAddressCount int64             `json:"AvailableIpAddressCount"`
	OwnerId                 int64             `json:"OwnerId"`
	EnabledIpv6             bool              `json:"EnabledIpv6"`
	RouteTable              VSwitchRouteTable `json:"RouteTable"`
	CloudResources          CloudResources    `json:"CloudResources"`
	Tags                    Tags              `json:"Tags"`
}

// DescribeVSwitchAttributes answers one of the caller's VSwitches. A VSwitch
// that does not exist, belongs to another account or lives in another region
// is InvalidVSwitchId.NotFound (404), which Terraform takes for "gone".
func (h *Handlers) DescribeVSwitchAttributes(ctx context.Context, req *DescribeVSwitchAttributesRequest) (*DescribeVSwitchAttributesResponse, error) {
	w, err := h.deps.Network.GetVSwitch(ctx, scope(ctx), req.VSwitchId)
	if err != nil {
		return nil, err
	}
	it := vswitchItem(w)
	return &DescribeVSwitchAttributesResponse{
		VSwitchId:               it.VSwitchId,
		VpcId:                   it.VpcId,
		Status:                  it.Status,
		CreationTime:            it.CreationTime,
		CidrBlock:               it.CidrBlock,
		ZoneId:                  it.ZoneId,
		VSwitchName:             it.VSwitchName,
		Description:             it.Description,
		IsDefault:               it.IsDefault,
		AvailableIpAddressCount: it.AvailableIpAddressCount,
		OwnerId:                 it.OwnerId,
		RouteTable:              it.RouteTable,
		CloudResources:          CloudResources{CloudResourceSetType: []CloudResourceSetType{}},
		Tags:                    it.Tags,
	}, nil
}

// ModifyVSwitchAttributeRequest holds the parameters of ModifyVSwitchAttribute.
// IPv6 settings are accepted and not applied.
type ModifyVSwitchAttributeRequest struct {
	RegionId         string  `param:"RegionId"`
	VSwitchId        string  `param:"VSwitchId,required"`
	VSwitchName      *string `param:"VSwitchName"`
	Description      *string `param:"Description"`
	EnableIPv6       *bool   `param:"EnableIPv6"`
	Ipv6CidrBlock    *int    `param:"Ipv6CidrBlock" min:"0" max:"255"`
	VpcIpv6CidrBlock string  `param:"VpcIpv6CidrBlock"`
}

// ModifyVSwitchAttributeResponse is the answer of ModifyVSwitchAttribute.
type ModifyVSwitchAttributeResponse struct{}

// ModifyVSwitchAttribute renames or re-describes a VSwitch. An empty
// VSwitchName or Description clears it.
func (h *Handlers) ModifyVSwitchAttribute(ctx context.Context, req *ModifyVSwitchAttributeRequest) (*ModifyVSwitchAttributeResponse, error) {
	err := h.deps.Network.ModifyVSwitch(ctx, scope(ctx),
		network.ModifyVSwitchInput{VSwitchID: req.VSwitchId, Name: req.VSwitchName, Description: req.Description})
	if err != nil {
		return nil, err
	}
	return &ModifyVSwitchAttributeResponse{}, nil
}

// DeleteVSwitchRequest holds the parameters of DeleteVSwitch.
type DeleteVSwitchRequest struct {
	RegionId  string `param:"RegionId"`
	VSwitchId string `param:"VSwitchId,required"`
}

// DeleteVSwitchResponse is the answer of DeleteVSwitch.
type DeleteVSwitchResponse struct{}

// DeleteVSwitch deletes a VSwitch; while instances or network interfaces hold
// addresses in it, it is DependencyViolation.
func (h *Handlers) DeleteVSwitch(ctx context.Context, req *DeleteVSwitchRequest) (*DeleteVSwitchResponse, error) {
	if err := h.deps.Network.DeleteVSwitch(ctx, scope(ctx), req.VSwitchId); err != nil {
		return nil, err
	}
	return &DeleteVSwitchResponse{}, nil
}
