package ecs

import (
	"context"
	"strconv"

	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// DescribeNetworkInterfaces (guide 1.13.3) for the primary network interfaces
// only: Terraform's alicloud_instance reads every interface DescribeInstances
// lists, and ecsd instances have just their primary one. Secondary interfaces
// (CreateNetworkInterface …) come with the network-interface actions.

// Values of a primary network interface.
const (
	eniStatusInUse     = "InUse"
	eniTypePrimary     = "Primary"
	eniTrafficStandard = "Standard"
	eniPageSizeDefault = 10
)

// DescribeNetworkInterfacesRequest holds the parameters of
// DescribeNetworkInterfaces (guide 1.13.3, plus the SDK's VpcId, Status and
// MaxResults).
type DescribeNetworkInterfacesRequest struct {
	RegionId string `param:"RegionId"`
	// NetworkInterfaceId are up to 100 IDs (NetworkInterfaceId.N, or a JSON array).
	NetworkInterfaceId   []string `param:"NetworkInterfaceId,json" maxItems:"100"`
	InstanceId           string   `param:"InstanceId"`
	VpcId                string   `param:"VpcId"`
	VSwitchId            string   `param:"VSwitchId"`
	PrimaryIpAddress     string   `param:"PrimaryIpAddress"`
	SecurityGroupId      string   `param:"SecurityGroupId"`
	NetworkInterfaceName string   `param:"NetworkInterfaceName"`
	Type                 string   `param:"Type" enum:"Primary|Secondary"`
	// Status selects by status; a primary interface is InUse.
	Status     string `param:"Status"`
	PageNumber *int   `param:"PageNumber" min:"1"`
	PageSize   *int   `param:"PageSize" min:"1" max:"100"`
	// MaxResults is the SDK's page size of token paging, taken as PageSize.
	MaxResults *int `param:"MaxResults" min:"1" max:"500"`
}

// DescribeNetworkInterfacesResponse is the answer of DescribeNetworkInterfaces.
type DescribeNetworkInterfacesResponse struct {
	PageNumber           int                  `json:"PageNumber"`
	PageSize             int                  `json:"PageSize"`
	TotalCount           int                  `json:"TotalCount"`
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
	SecurityGroupIds            ENISecurityGroups `json:"SecurityGroupIds"`
	AssociatedPublicIp          ENIPublicIP       `json:"AssociatedPublicIp"`
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

// ENITags is the SDK's Tags container of an interface; primary interfaces carry none.
type ENITags struct {
	Tag []ENITag `json:"Tag"`
}

// ENITag is one tag of an interface.
type ENITag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// DescribeNetworkInterfaces lists the primary network interfaces of the
// caller's instances in the region that match the filters, newest first.
func (h *Handlers) DescribeNetworkInterfaces(ctx context.Context, req *DescribeNetworkInterfacesRequest) (*DescribeNetworkInterfacesResponse, error) {
	c := instanceCaller(ctx)
	page := store.Page{Number: 1, Size: eniPageSizeDefault}
	if req.PageNumber != nil {
		page.Number = *req.PageNumber
	}
	if req.PageSize != nil {
		page.Size = *req.PageSize
	} else if req.MaxResults != nil {
		page.Size = *req.MaxResults
	}
	q := instance.ENIQuery{IDs: req.NetworkInterfaceId, InstanceID: req.InstanceId, VpcID: req.VpcId, VSwitchID: req.VSwitchId,
		PrimaryIP: req.PrimaryIpAddress, SecurityGroupID: req.SecurityGroupId, Type: req.Type, Name: req.NetworkInterfaceName, Page: page}
	if req.Status != "" && req.Status != eniStatusInUse {
		q.Type = "Secondary" // no primary interface has another status
	}
	views, total, err := h.deps.Instances.PrimaryENIs(ctx, c, q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeNetworkInterfacesResponse{PageNumber: page.Number, PageSize: page.Size, TotalCount: total,
		NetworkInterfaceSets: NetworkInterfaceSets{NetworkInterfaceSet: []NetworkInterfaceSet{}}}
	for _, v := range views {
		resp.NetworkInterfaceSets.NetworkInterfaceSet = append(resp.NetworkInterfaceSets.NetworkInterfaceSet, primaryENI(v))
	}
	return resp, nil
}

// primaryENI renders an instance's primary network interface.
func primaryENI(v instance.View) NetworkInterfaceSet {
	in := v.Instance
	public := ENIPublicIP{PublicIpAddress: in.PublicIP}
	return NetworkInterfaceSet{
		NetworkInterfaceId: instance.PrimaryENIID(in.ID), Status: eniStatusInUse, Type: eniTypePrimary, InstanceId: in.ID,
		VpcId: in.VpcID, VSwitchId: in.VSwitchID, ZoneId: in.ZoneID, PrivateIpAddress: in.PrivateIP,
		MacAddress: instance.MACAddress(in.ID), CreationTime: in.CreatedAt.UTC().Format(instance.TimeLayout),
		OwnerId: strconv.FormatInt(in.AccountID, 10), NetworkInterfaceTrafficMode: eniTrafficStandard, DeleteOnRelease: true,
		SecurityGroupIds:   ENISecurityGroups{SecurityGroupId: list(v.SecurityGroupIDs)},
		AssociatedPublicIp: public,
		PrivateIpSets: ENIPrivateIPs{PrivateIpSet: []ENIPrivateIP{{PrivateIpAddress: in.PrivateIP, Primary: true,
			AssociatedPublicIp: public}}},
		Ipv6Sets: ENIIpv6Sets{Ipv6Set: []ENIIpv6{}},
		Tags:     ENITags{Tag: []ENITag{}},
	}
}
