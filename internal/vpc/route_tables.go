package vpc

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/network"
)

// DescribeRouteTableListRequest holds the parameters of DescribeRouteTableList.
type DescribeRouteTableListRequest struct {
	RegionId        string     `param:"RegionId"`
	VpcId           string     `param:"VpcId"`
	RouteTableId    string     `param:"RouteTableId"`
	RouteTableName  string     `param:"RouteTableName"`
	RouteTableType  string     `param:"RouteTableType"`
	RouterId        string     `param:"RouterId"`
	RouterType      string     `param:"RouterType"`
	PageNumber      *int       `param:"PageNumber" min:"1"`
	PageSize        *int       `param:"PageSize" min:"1" max:"50"`
	ResourceGroupId string     `param:"ResourceGroupId"`
	Tag             []TagParam `param:"Tag" maxItems:"20"`
}

// DescribeRouteTableListResponse is the answer of DescribeRouteTableList. The
// real service also sends Code "200" and Message "successful"; ecsd leaves
// them out, because clients such as pop-core take a top-level Code for an error.
type DescribeRouteTableListResponse struct {
	Success         bool            `json:"Success"`
	TotalCount      int             `json:"TotalCount"`
	PageNumber      int             `json:"PageNumber"`
	PageSize        int             `json:"PageSize"`
	RouterTableList RouterTableList `json:"RouterTableList"`
}

// RouterTableList is the SDK's RouterTableList container.
type RouterTableList struct {
	RouterTableListType []RouterTableListType `json:"RouterTableListType"`
}

// RouterTableListType is one route table (the SDK's struct of that name).
type RouterTableListType struct {
	RouteTableId   string     `json:"RouteTableId"`
	RouteTableName string     `json:"RouteTableName"`
	RouteTableType string     `json:"RouteTableType"`
	AssociateType  string     `json:"AssociateType"`
	RouterId       string     `json:"RouterId"`
	RouterType     string     `json:"RouterType"`
	VpcId          string     `json:"VpcId"`
	Status         string     `json:"Status"`
	CreationTime   string     `json:"CreationTime"`
	Description    string     `json:"Description"`
	OwnerId        int64      `json:"OwnerId"`
	VSwitchIds     VSwitchIds `json:"VSwitchIds"`
	GatewayIds     GatewayIds `json:"GatewayIds"`
	Tags           Tags       `json:"Tags"`
}

// GatewayIds is the SDK's GatewayIds container (always empty).
type GatewayIds struct {
	GatewayIds []string `json:"GatewayIds"`
}

// associateTypeVSwitch says a route table is bound to VSwitches (not a gateway).
const associateTypeVSwitch = "VSwitch"

// DescribeRouteTableList lists the system route table of each of the caller's
// VPCs in the region, newest VPC first, one page at a time. ecsd has no custom
// route tables and no border routers, and its system tables have no name, so
// filters asking for those (RouteTableType Custom, RouterType VBR, a
// RouteTableName, a resource group, tags) match nothing.
func (h *Handlers) DescribeRouteTableList(ctx context.Context, req *DescribeRouteTableListRequest) (*DescribeRouteTableListResponse, error) {
	page := paging(req.PageNumber, req.PageSize)
	resp := &DescribeRouteTableListResponse{Success: true, PageNumber: page.Number, PageSize: page.Size,
		RouterTableList: RouterTableList{RouterTableListType: []RouterTableListType{}}}
	if (req.RouteTableType != "" && req.RouteTableType != routeTableTypeSystem) ||
		(req.RouterType != "" && req.RouterType != routerTypeVRouter) ||
		req.RouteTableName != "" || req.ResourceGroupId != "" || len(req.Tag) > 0 {
		return resp, nil
	}
	got, err := h.deps.Network.DescribeRouteTables(ctx, scope(ctx),
		network.RouteTableQuery{VpcID: req.VpcId, RouteTableID: req.RouteTableId, VRouterID: req.RouterId, Page: page})
	if err != nil {
		return nil, err
	}
	resp.TotalCount = got.Total
	for _, t := range got.RouteTables {
		resp.RouterTableList.RouterTableListType = append(resp.RouterTableList.RouterTableListType, RouterTableListType{
			RouteTableId:   t.ID,
			RouteTableType: routeTableTypeSystem,
			AssociateType:  associateTypeVSwitch,
			RouterId:       t.VRouterID,
			RouterType:     routerTypeVRouter,
			VpcId:          t.VpcID,
			Status:         network.StatusAvailable,
			CreationTime:   creationTime(t.CreatedAt),
			OwnerId:        t.AccountID,
			VSwitchIds:     VSwitchIds{VSwitchId: nonNil(t.VSwitchIDs)},
			GatewayIds:     GatewayIds{GatewayIds: []string{}},
			Tags:           noTags(),
		})
	}
	return resp, nil
}
