package ecs

import (
	"context"
	"strconv"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/eni"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// Elastic network interfaces (guide 1.13). The service is internal/service/eni;
// docs/network-interfaces.md describes the rules.

// eniTrafficStandard is every interface's NetworkInterfaceTrafficMode.
const eniTrafficStandard = "Standard"

// ENITagParam is one Tag.N of a network interface request.
type ENITagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// eniTags converts Tag.N parameters.
func eniTags(params []ENITagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}

// eniCaller is the caller of a network interface action.
func eniCaller(ctx context.Context) eni.Caller {
	c := reqctx.From(ctx)
	return eni.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// CreateNetworkInterfaceRequest holds the parameters of CreateNetworkInterface
// (guide 1.13.1, plus the SDK's SecurityGroupIds.N and Tag.N). The guide's
// table spells the group SecurityGroupID, its example and the SDKs
// SecurityGroupId: all three forms are read.
type CreateNetworkInterfaceRequest struct {
	RegionId             string        `param:"RegionId"`
	VSwitchId            string        `param:"VSwitchId,required"`
	PrimaryIpAddress     string        `param:"PrimaryIpAddress"`
	NetworkInterfaceName string        `param:"NetworkInterfaceName"`
	Description          string        `param:"Description"`
	SecurityGroupId      string        `param:"SecurityGroupId"`
	SecurityGroupID      string        `param:"SecurityGroupID"`
	SecurityGroupIds     []string      `param:"SecurityGroupIds" maxItems:"100"`
	Tag                  []ENITagParam `param:"Tag" maxItems:"100"`
	ClientToken          string        `param:"ClientToken"`
	// ResourceGroupId is accepted without effect, as for every resource.
	ResourceGroupId string `param:"ResourceGroupId"`
	eniUnsupported
}

// eniUnsupported are SDK parameters of CreateNetworkInterface that ecsd does
// not model; sending one is the guide's UnsupportedParameter.
type eniUnsupported struct {
	PrivateIpAddress               []string `param:"PrivateIpAddress" maxItems:"100"`
	SecondaryPrivateIpAddressCount *int     `param:"SecondaryPrivateIpAddressCount"`
	Ipv6Address                    []string `param:"Ipv6Address" maxItems:"100"`
	Ipv6AddressCount               *int     `param:"Ipv6AddressCount"`
	Ipv4Prefix                     []string `param:"Ipv4Prefix" maxItems:"100"`
	Ipv4PrefixCount                *int     `param:"Ipv4PrefixCount"`
	Ipv6Prefix                     []string `param:"Ipv6Prefix" maxItems:"100"`
	Ipv6PrefixCount                *int     `param:"Ipv6PrefixCount"`
	QueueNumber                    *int     `param:"QueueNumber"`
	QueuePairNumber                *int     `param:"QueuePairNumber"`
	RxQueueSize                    *int     `param:"RxQueueSize"`
	TxQueueSize                    *int     `param:"TxQueueSize"`
	InstanceType                   string   `param:"InstanceType"`
	BusinessType                   string   `param:"BusinessType"`
	NetworkInterfaceTrafficMode    string   `param:"NetworkInterfaceTrafficMode"`
	DeleteOnRelease                *bool    `param:"DeleteOnRelease"`
	SourceDestCheck                *bool    `param:"SourceDestCheck"`
}

// names lists the parameters of u that were sent with a value ecsd cannot honour.
func (u eniUnsupported) names() []string {
	var out []string
	add := func(sent bool, name string) {
		if sent {
			out = append(out, name)
		}
	}
	add(len(u.PrivateIpAddress) > 0, "PrivateIpAddress")
	add(u.SecondaryPrivateIpAddressCount != nil && *u.SecondaryPrivateIpAddressCount > 0, "SecondaryPrivateIpAddressCount")
	add(len(u.Ipv6Address) > 0, "Ipv6Address")
	add(u.Ipv6AddressCount != nil && *u.Ipv6AddressCount > 0, "Ipv6AddressCount")
	add(len(u.Ipv4Prefix) > 0, "Ipv4Prefix")
	add(u.Ipv4PrefixCount != nil && *u.Ipv4PrefixCount > 0, "Ipv4PrefixCount")
	add(len(u.Ipv6Prefix) > 0, "Ipv6Prefix")
	add(u.Ipv6PrefixCount != nil && *u.Ipv6PrefixCount > 0, "Ipv6PrefixCount")
	add(u.QueueNumber != nil || u.QueuePairNumber != nil || u.RxQueueSize != nil || u.TxQueueSize != nil, "QueueNumber")
	add(u.InstanceType != "", "InstanceType")
	add(u.BusinessType != "", "BusinessType")
	add(u.NetworkInterfaceTrafficMode != "" && u.NetworkInterfaceTrafficMode != eniTrafficStandard, "NetworkInterfaceTrafficMode")
	add(u.DeleteOnRelease != nil && *u.DeleteOnRelease, "DeleteOnRelease")
	add(u.SourceDestCheck != nil && *u.SourceDestCheck, "SourceDestCheck")
	return out
}

// CreateNetworkInterfaceResponse is the answer of CreateNetworkInterface: the
// guide's NetworkInterfaceId, and the interface as the SDK's answer has it.
type CreateNetworkInterfaceResponse struct {
	NetworkInterfaceId   string            `json:"NetworkInterfaceId"`
	Status               string            `json:"Status"`
	Type                 string            `json:"Type"`
	VpcId                string            `json:"VpcId"`
	VSwitchId            string            `json:"VSwitchId"`
	ZoneId               string            `json:"ZoneId"`
	NetworkInterfaceName string            `json:"NetworkInterfaceName"`
	Description          string            `json:"Description"`
	MacAddress           string            `json:"MacAddress"`
	PrivateIpAddress     string            `json:"PrivateIpAddress"`
	OwnerId              string            `json:"OwnerId"`
	ResourceGroupId      string            `json:"ResourceGroupId"`
	ServiceManaged       bool              `json:"ServiceManaged"`
	SourceDestCheck      bool              `json:"SourceDestCheck"`
	SecurityGroupIds     ENISecurityGroups `json:"SecurityGroupIds"`
	PrivateIpSets        ENIPrivateIPs     `json:"PrivateIpSets"`
	Tags                 ENITags           `json:"Tags"`
	Ipv6Sets             ENIIpv6Sets       `json:"Ipv6Sets"`
}

// CreateNetworkInterface creates a secondary network interface (guide 1.13.1).
func (h *Handlers) CreateNetworkInterface(ctx context.Context, req *CreateNetworkInterfaceRequest) (*CreateNetworkInterfaceResponse, error) {
	var groups []string
	for _, g := range append([]string{req.SecurityGroupId, req.SecurityGroupID}, req.SecurityGroupIds...) {
		if g != "" {
			groups = append(groups, g)
		}
	}
	v, err := h.deps.ENIs.Create(ctx, eniCaller(ctx), eni.CreateInput{VSwitchID: req.VSwitchId,
		PrimaryIP: req.PrimaryIpAddress, Name: req.NetworkInterfaceName, Description: req.Description,
		SecurityGroupIDs: groups, Tags: eniTags(req.Tag), Unsupported: req.names(), ClientToken: req.ClientToken})
	if err != nil {
		return nil, err
	}
	set := renderENI(v)
	return &CreateNetworkInterfaceResponse{NetworkInterfaceId: set.NetworkInterfaceId, Status: set.Status, Type: set.Type,
		VpcId: set.VpcId, VSwitchId: set.VSwitchId, ZoneId: set.ZoneId, NetworkInterfaceName: set.NetworkInterfaceName,
		Description: set.Description, MacAddress: set.MacAddress, PrivateIpAddress: set.PrivateIpAddress,
		OwnerId: set.OwnerId, SecurityGroupIds: set.SecurityGroupIds, PrivateIpSets: set.PrivateIpSets, Tags: set.Tags,
		Ipv6Sets: set.Ipv6Sets}, nil
}

// AttachNetworkInterfaceRequest holds the parameters of AttachNetworkInterface
// (guide 1.13.2).
type AttachNetworkInterfaceRequest struct {
	RegionId           string `param:"RegionId"`
	NetworkInterfaceId string `param:"NetworkInterfaceId,required"`
	InstanceId         string `param:"InstanceId,required"`
	// WaitForNetworkConfigurationReady is accepted: the call returns once the
	// interface is attached anyway.
	WaitForNetworkConfigurationReady bool `param:"WaitForNetworkConfigurationReady"`
	// TrunkNetworkInstanceId and NetworkCardIndex are not modelled.
	TrunkNetworkInstanceId string `param:"TrunkNetworkInstanceId"`
	NetworkCardIndex       *int   `param:"NetworkCardIndex"`
}

// AttachNetworkInterfaceResponse is the answer of AttachNetworkInterface
// (RequestId only).
type AttachNetworkInterfaceResponse struct{}

// AttachNetworkInterface attaches a network interface to a Stopped instance
// (guide 1.13.2); it returns once the interface is InUse.
func (h *Handlers) AttachNetworkInterface(ctx context.Context, req *AttachNetworkInterfaceRequest) (*AttachNetworkInterfaceResponse, error) {
	if req.TrunkNetworkInstanceId != "" || req.NetworkCardIndex != nil {
		return nil, eni.ErrUnsupportedParameter()
	}
	if err := h.deps.ENIs.Attach(ctx, eniCaller(ctx), req.NetworkInterfaceId, req.InstanceId); err != nil {
		return nil, err
	}
	return &AttachNetworkInterfaceResponse{}, nil
}

// DetachNetworkInterfaceRequest holds the parameters of DetachNetworkInterface
// (guide 1.13.4).
type DetachNetworkInterfaceRequest struct {
	RegionId           string `param:"RegionId"`
	NetworkInterfaceId string `param:"NetworkInterfaceId,required"`
	InstanceId         string `param:"InstanceId,required"`
	// TrunkNetworkInstanceId is not modelled.
	TrunkNetworkInstanceId string `param:"TrunkNetworkInstanceId"`
}

// DetachNetworkInterfaceResponse is the answer of DetachNetworkInterface
// (RequestId only).
type DetachNetworkInterfaceResponse struct{}

// DetachNetworkInterface detaches a network interface from its Stopped
// instance (guide 1.13.4); it returns once the interface is Available.
func (h *Handlers) DetachNetworkInterface(ctx context.Context, req *DetachNetworkInterfaceRequest) (*DetachNetworkInterfaceResponse, error) {
	if req.TrunkNetworkInstanceId != "" {
		return nil, eni.ErrUnsupportedParameter()
	}
	if err := h.deps.ENIs.Detach(ctx, eniCaller(ctx), req.NetworkInterfaceId, req.InstanceId); err != nil {
		return nil, err
	}
	return &DetachNetworkInterfaceResponse{}, nil
}

// DeleteNetworkInterfaceRequest holds the parameters of DeleteNetworkInterface
// (guide 1.13.5).
type DeleteNetworkInterfaceRequest struct {
	RegionId           string `param:"RegionId"`
	NetworkInterfaceId string `param:"NetworkInterfaceId,required"`
}

// DeleteNetworkInterfaceResponse is the answer of DeleteNetworkInterface
// (RequestId only).
type DeleteNetworkInterfaceResponse struct{}

// DeleteNetworkInterface deletes an Available secondary interface (guide 1.13.5).
func (h *Handlers) DeleteNetworkInterface(ctx context.Context, req *DeleteNetworkInterfaceRequest) (*DeleteNetworkInterfaceResponse, error) {
	if err := h.deps.ENIs.Delete(ctx, eniCaller(ctx), req.NetworkInterfaceId); err != nil {
		return nil, err
	}
	return &DeleteNetworkInterfaceResponse{}, nil
}

// ModifyNetworkInterfaceAttributeRequest holds the parameters of
// ModifyNetworkInterfaceAttribute (guide 1.13.6). An absent name or
// description is left as it is; an empty one clears it.
type ModifyNetworkInterfaceAttributeRequest struct {
	RegionId             string   `param:"RegionId"`
	NetworkInterfaceId   string   `param:"NetworkInterfaceId,required"`
	SecurityGroupId      []string `param:"SecurityGroupId" maxItems:"100"`
	NetworkInterfaceName *string  `param:"NetworkInterfaceName"`
	Description          *string  `param:"Description"`
	// The SDK's queue, source/destination check and release settings are not modelled.
	QueueNumber     *int  `param:"QueueNumber"`
	RxQueueSize     *int  `param:"RxQueueSize"`
	TxQueueSize     *int  `param:"TxQueueSize"`
	SourceDestCheck *bool `param:"SourceDestCheck"`
	DeleteOnRelease *bool `param:"DeleteOnRelease"`
}

// ModifyNetworkInterfaceAttributeResponse is the answer of
// ModifyNetworkInterfaceAttribute (RequestId only).
type ModifyNetworkInterfaceAttributeResponse struct{}

// ModifyNetworkInterfaceAttribute changes an interface's name, description and
// security groups (guide 1.13.6).
func (h *Handlers) ModifyNetworkInterfaceAttribute(ctx context.Context, req *ModifyNetworkInterfaceAttributeRequest) (*ModifyNetworkInterfaceAttributeResponse, error) {
	var unsupported []string
	if req.QueueNumber != nil || req.RxQueueSize != nil || req.TxQueueSize != nil ||
		req.SourceDestCheck != nil && *req.SourceDestCheck || req.DeleteOnRelease != nil && *req.DeleteOnRelease {
		unsupported = append(unsupported, "QueueNumber")
	}
	err := h.deps.ENIs.Modify(ctx, eniCaller(ctx), req.NetworkInterfaceId, eni.ModifyInput{SecurityGroupIDs: req.SecurityGroupId,
		Name: req.NetworkInterfaceName, Description: req.Description, Unsupported: unsupported})
	if err != nil {
		return nil, err
	}
	return &ModifyNetworkInterfaceAttributeResponse{}, nil
}

// renderENI renders a network interface as DescribeNetworkInterfaces does.
func renderENI(v eni.View) NetworkInterfaceSet {
	n := v.NetworkInterface
	public := ENIPublicIP{PublicIpAddress: v.PublicIP}
	set := NetworkInterfaceSet{NetworkInterfaceId: n.ID, NetworkInterfaceName: n.Name, Description: n.Description,
		Status: n.Status, Type: n.Type, InstanceId: n.InstanceID, VpcId: n.VpcID, VSwitchId: n.VSwitchID, ZoneId: n.ZoneID,
		PrivateIpAddress: n.PrivateIP, MacAddress: v.MACAddress(), CreationTime: n.CreatedAt.UTC().Format(instance.TimeLayout),
		OwnerId: strconv.FormatInt(n.AccountID, 10), NetworkInterfaceTrafficMode: eniTrafficStandard,
		DeleteOnRelease:    n.Type == eni.TypePrimary,
		SecurityGroupIds:   ENISecurityGroups{SecurityGroupId: list(v.SecurityGroupIDs)},
		AssociatedPublicIp: public,
		PrivateIpSets: ENIPrivateIPs{PrivateIpSet: []ENIPrivateIP{{PrivateIpAddress: n.PrivateIP, Primary: true,
			AssociatedPublicIp: public}}},
		Ipv6Sets: ENIIpv6Sets{Ipv6Set: []ENIIpv6{}},
		Tags:     ENITags{Tag: []ENITag{}},
	}
	if n.InstanceID != "" {
		set.Attachment = &ENIAttachment{InstanceId: n.InstanceID}
	}
	for _, t := range v.Tags {
		set.Tags.Tag = append(set.Tags.Tag, ENITag{TagKey: t.Key, TagValue: t.Value})
	}
	return set
}
