package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/eni"
	"github.com/ecsd/ecsd/internal/store"
)

// DescribeNetworkInterfacesRequest holds the parameters of
// DescribeNetworkInterfaces (guide 1.13.3, plus the SDK's VpcId, Status,
// PrivateIpAddress.N, Tag.N, NextToken and MaxResults).
type DescribeNetworkInterfacesRequest struct {
	RegionId string `param:"RegionId"`
	// NetworkInterfaceId are up to 100 IDs (NetworkInterfaceId.N, or a JSON array).
	NetworkInterfaceId   []string `param:"NetworkInterfaceId,json" maxItems:"100"`
	InstanceId           string   `param:"InstanceId"`
	VpcId                string   `param:"VpcId"`
	VSwitchId            string   `param:"VSwitchId"`
	PrimaryIpAddress     string   `param:"PrimaryIpAddress"`
	PrivateIpAddress     []string `param:"PrivateIpAddress" maxItems:"100"`
	SecurityGroupId      string   `param:"SecurityGroupId"`
	NetworkInterfaceName string   `param:"NetworkInterfaceName"`
	Type                 string   `param:"Type" enum:"Primary|Secondary"`
	// Status is Available, Attaching, InUse or Detaching.
	Status     string        `param:"Status"`
	Tag        []ENITagParam `param:"Tag" maxItems:"100"`
	PageNumber *int          `param:"PageNumber" min:"1"`
	PageSize   *int          `param:"PageSize" min:"1" max:"100"`
	// NextToken and MaxResults page by token (the SDK's newer paging).
	NextToken  string `param:"NextToken"`
	MaxResults *int   `param:"MaxResults" min:"1" max:"500"`
	// Filters on what ecsd does not model match nothing.
	Ipv6Address     []string `param:"Ipv6Address" maxItems:"100"`
	ResourceGroupId string   `param:"ResourceGroupId"`
	ServiceManaged  *bool    `param:"ServiceManaged"`
}

// DescribeNetworkInterfacesResponse is the answer of DescribeNetworkInterfaces.
type DescribeNetworkInterfacesResponse struct {
	PageNumber           int                  `json:"PageNumber"`
	PageSize             int                  `json:"PageSize"`
	TotalCount           int                  `json:"TotalCount"`
	NextToken            string               `json:"NextToken"`
	NetworkInterfaceSets NetworkInterfaceSets `json:"NetworkInterfaceSets"`
}

// NetworkInterfaceSets is the SDK's NetworkInterfaceSets container.
type NetworkInterfaceSets struct {
	NetworkInterfaceSet []NetworkInterfaceSet `json:"NetworkInterfaceSet"`
}

// NetworkInterfaceSet is one network interface (the guide's 1.17.13).
type NetworkInterfaceSet struct {
	NetworkInterfaceId          string            `json:"NetworkInterfaceId"`
	NetworkInterfaceName        string            `json:"NetworkInterfaceName"`
	Description                 string            `json:"Description"`
	Status                      string            `json:"Status"`
	Type                        string            `json:"Type"`
	InstanceId                  string            `json:"InstanceId"`
	VpcId                       string            `json:"VpcId"`
	VSwitchId                   string            `json:"VSwitchId"`
	ZoneId                      string            `json:"ZoneId"`
	PrivateIpAddress            string            `json:"PrivateIpAddress"`
	MacAddress                  string            `json:"MacAddress"`
	CreationTime                string            `json:"CreationTime"`
	OwnerId                     string            `json:"OwnerId"`
	ResourceGroupId             string            `json:"ResourceGroupId"`
	NetworkInterfaceTrafficMode string            `json:"NetworkInterfaceTrafficMode"`
	ServiceManaged              bool              `json:"ServiceManaged"`
	DeleteOnRelease             bool              `json:"DeleteOnRelease"`
	SourceDestCheck             bool              `json:"SourceDestCheck"`
	SecurityGroupIds            ENISecurityGroups `json:"SecurityGroupIds"`
	AssociatedPublicIp          ENIPublicIP       `json:"AssociatedPublicIp"`
	Attachment                  *ENIAttachment    `json:"Attachment,omitempty"`
	PrivateIpSets               ENIPrivateIPs     `json:"PrivateIpSets"`
	Ipv6Sets                    ENIIpv6Sets       `json:"Ipv6Sets"`
	Tags                        ENITags           `json:"Tags"`
}

// ENISecurityGroups is the SDK's SecurityGroupIds container of an interface.
type ENISecurityGroups struct {
	SecurityGroupId []string `json:"SecurityGroupId"`
}

// ENIPublicIP is the public address associated with an interface or address.
type ENIPublicIP struct {
	PublicIpAddress string `json:"PublicIpAddress"`
	AllocationId    string `json:"AllocationId"`
}

// ENIAttachment is the SDK's Attachment of an interface: the instance it is
// attached to.
type ENIAttachment struct {
	InstanceId string `json:"InstanceId"`
}

// ENIPrivateIPs is the SDK's PrivateIpSets container of an interface.
type ENIPrivateIPs struct {
	PrivateIpSet []ENIPrivateIP `json:"PrivateIpSet"`
}

// ENIPrivateIP is one private address of an interface.
type ENIPrivateIP struct {
	PrivateIpAddress   string      `json:"PrivateIpAddress"`
	Primary            bool        `json:"Primary"`
	AssociatedPublicIp ENIPublicIP `json:"AssociatedPublicIp"`
}

// ENIIpv6Sets is the SDK's Ipv6Sets container; ecsd has no IPv6 yet.
type ENIIpv6Sets struct {
	Ipv6Set []ENIIpv6 `json:"Ipv6Set"`
}

// ENIIpv6 is one IPv6 address.
type ENIIpv6 struct {
	Ipv6Address string `json:"Ipv6Address"`
}

// ENITags is the SDK's Tags container of an interface.
type ENITags struct {
	Tag []ENITag `json:"Tag"`
}

// ENITag is one tag of an interface.
type ENITag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// DescribeNetworkInterfaces lists the caller's network interfaces in the
// region, primary interfaces included, newest first (guide 1.13.3).
func (h *Handlers) DescribeNetworkInterfaces(ctx context.Context, req *DescribeNetworkInterfacesRequest) (*DescribeNetworkInterfacesResponse, error) {
	q := eni.Query{IDs: req.NetworkInterfaceId, InstanceID: req.InstanceId, VpcID: req.VpcId, VSwitchID: req.VSwitchId,
		PrimaryIP: req.PrimaryIpAddress, PrivateIPs: req.PrivateIpAddress, SecurityGroupID: req.SecurityGroupId,
		Name: req.NetworkInterfaceName, Type: req.Type, Status: req.Status, Tags: eniFilterTags(req.Tag),
		TokenPaging: req.NextToken != "" || req.MaxResults != nil, NextToken: req.NextToken}
	if req.PageNumber != nil {
		q.Page.Number = *req.PageNumber
	}
	if req.PageSize != nil {
		q.Page.Size = *req.PageSize
	}
	if req.MaxResults != nil {
		q.MaxResults = *req.MaxResults
	}
	if len(req.Ipv6Address) > 0 || req.ResourceGroupId != "" || req.ServiceManaged != nil && *req.ServiceManaged {
		q.Unsupported = append(q.Unsupported, "Ipv6Address")
	}
	res, err := h.deps.ENIs.List(ctx, eniCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeNetworkInterfacesResponse{PageNumber: res.PageNumber, PageSize: res.PageSize, TotalCount: res.TotalCount,
		NextToken: res.NextToken, NetworkInterfaceSets: NetworkInterfaceSets{NetworkInterfaceSet: []NetworkInterfaceSet{}}}
	for _, v := range res.Interfaces {
		resp.NetworkInterfaceSets.NetworkInterfaceSet = append(resp.NetworkInterfaceSets.NetworkInterfaceSet, renderENI(v))
	}
	return resp, nil
}

// eniFilterTags converts the Tag.N filter.
func eniFilterTags(params []ENITagParam) []store.Tag {
	if len(params) == 0 {
		return nil
	}
	return eniTags(params)
}
