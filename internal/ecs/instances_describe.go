package ecs

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// InstanceFilterParam is one Filter.n of DescribeInstances (SDK): Key is
// CreationStartTime, CreationEndTime, ExpiredStartTime or ExpiredEndTime.
type InstanceFilterParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// DescribeInstancesRequest holds the parameters of DescribeInstances (guide
// 1.5.10, plus the SDK's filters).
type DescribeInstancesRequest struct {
	RegionId  string `param:"RegionId"`
	VpcId     string `param:"VpcId"`
	VSwitchId string `param:"VSwitchId"`
	ZoneId    string `param:"ZoneId"`
	// InstanceIds, PrivateIpAddresses, PublicIpAddresses, InnerIpAddresses and
	// EipAddresses are JSON arrays of at most 100 strings; [] matches nothing.
	InstanceIds         *string `param:"InstanceIds"`
	PrivateIpAddresses  *string `param:"PrivateIpAddresses"`
	PublicIpAddresses   *string `param:"PublicIpAddresses"`
	InnerIpAddresses    *string `param:"InnerIpAddresses"`
	EipAddresses        *string `param:"EipAddresses"`
	InstanceType        string  `param:"InstanceType"`
	InstanceTypeFamily  string  `param:"InstanceTypeFamily"`
	InstanceNetworkType string  `param:"InstanceNetworkType"`
	SecurityGroupId     string  `param:"SecurityGroupId"`
	// InstanceName matches exactly, or with '*' as a wildcard.
	InstanceName    string `param:"InstanceName"`
	ImageId         string `param:"ImageId"`
	Status          string `param:"Status"`
	DeviceAvailable *bool  `param:"DeviceAvailable"`
	IoOptimized     *bool  `param:"IoOptimized"`
	// Tag are at most 5 tags every listed instance carries.
	Tag                []InstanceTagParam    `param:"Tag" maxItems:"100"`
	KeyPairName        string                `param:"KeyPairName"`
	ResourceGroupId    string                `param:"ResourceGroupId"`
	LockReason         string                `param:"LockReason"`
	HpcClusterId       string                `param:"HpcClusterId"`
	InstanceChargeType string                `param:"InstanceChargeType"`
	InternetChargeType string                `param:"InternetChargeType"`
	HttpEndpoint       string                `param:"HttpEndpoint"`
	HttpTokens         string                `param:"HttpTokens"`
	Filter             []InstanceFilterParam `param:"Filter" maxItems:"4"`
	// PageNumber from 1; PageSize 1–100, default 10.
	PageNumber *int `param:"PageNumber" min:"1"`
	PageSize   *int `param:"PageSize" min:"1" max:"100"`
	// NextToken and MaxResults (1–100) page with a token instead.
	NextToken  string `param:"NextToken"`
	MaxResults *int   `param:"MaxResults" min:"1" max:"100"`
	DryRun     bool   `param:"DryRun"`
	// AdditionalAttributes and NeedSaleCycle are accepted: every answer has
	// every attribute ecsd knows.
	AdditionalAttributes []string `param:"AdditionalAttributes"`
	NeedSaleCycle        bool     `param:"NeedSaleCycle"`
}

// DescribeInstancesResponse is the answer of DescribeInstances.
type DescribeInstancesResponse struct {
	TotalCount int           `json:"TotalCount"`
	PageNumber int           `json:"PageNumber"`
	PageSize   int           `json:"PageSize"`
	NextToken  string        `json:"NextToken,omitempty"`
	Instances  InstancesList `json:"Instances"`
}

// InstancesList is the SDK's InstancesInDescribeInstances container.
type InstancesList struct {
	Instance []InstanceItem `json:"Instance"`
}

// InstanceItem is one instance (the guide's InstanceAttributesType, 1.17.28,
// with the SDK's Instance fields ecsd can fill truthfully).
type InstanceItem struct {
	InstanceId              string                 `json:"InstanceId"`
	InstanceName            string                 `json:"InstanceName"`
	Description             string                 `json:"Description"`
	ImageId                 string                 `json:"ImageId"`
	RegionId                string                 `json:"RegionId"`
	ZoneId                  string                 `json:"ZoneId"`
	CPU                     int                    `json:"CPU"`
	Cpu                     int                    `json:"Cpu"`
	Memory                  int                    `json:"Memory"`
	InstanceType            string                 `json:"InstanceType"`
	InstanceTypeFamily      string                 `json:"InstanceTypeFamily"`
	HostName                string                 `json:"HostName"`
	SerialNumber            string                 `json:"SerialNumber"`
	Status                  string                 `json:"Status"`
	OSName                  string                 `json:"OSName"`
	OSNameEn                string                 `json:"OSNameEn"`
	OSType                  string                 `json:"OSType"`
	OsType                  string                 `json:"OsType"`
	InstanceNetworkType     string                 `json:"InstanceNetworkType"`
	InternetChargeType      string                 `json:"InternetChargeType"`
	InternetMaxBandwidthIn  int                    `json:"InternetMaxBandwidthIn"`
	InternetMaxBandwidthOut int                    `json:"InternetMaxBandwidthOut"`
	InstanceChargeType      string                 `json:"InstanceChargeType"`
	SpotStrategy            string                 `json:"SpotStrategy"`
	CreationTime            string                 `json:"CreationTime"`
	StartTime               string                 `json:"StartTime"`
	ExpiredTime             string                 `json:"ExpiredTime"`
	AutoReleaseTime         string                 `json:"AutoReleaseTime"`
	IoOptimized             bool                   `json:"IoOptimized"`
	DeviceAvailable         bool                   `json:"DeviceAvailable"`
	DeletionProtection      bool                   `json:"DeletionProtection"`
	Recyclable              bool                   `json:"Recyclable"`
	KeyPairName             string                 `json:"KeyPairName"`
	StoppedMode             string                 `json:"StoppedMode"`
	DeploymentSetId         string                 `json:"DeploymentSetId"`
	ResourceGroupId         string                 `json:"ResourceGroupId"`
	VlanId                  string                 `json:"VlanId"`
	LocalStorageAmount      int                    `json:"LocalStorageAmount"`
	LocalStorageCapacity    int64                  `json:"LocalStorageCapacity"`
	GPUAmount               int                    `json:"GPUAmount"`
	GPUSpec                 string                 `json:"GPUSpec"`
	SecurityGroupIds        InstanceSecurityGroups `json:"SecurityGroupIds"`
	PublicIpAddress         IpAddressSet           `json:"PublicIpAddress"`
	InnerIpAddress          IpAddressSet           `json:"InnerIpAddress"`
	VpcAttributes           InstanceVpcAttributes  `json:"VpcAttributes"`
	EipAddress              struct{}               `json:"EipAddress"`
	OperationLocks          InstanceOperationLocks `json:"OperationLocks"`
	NetworkInterfaces       InstanceNICs           `json:"NetworkInterfaces"`
	Tags                    InstanceTags           `json:"Tags"`
	MetadataOptions         InstanceMetadata       `json:"MetadataOptions"`
}

// InstanceSecurityGroups is the SDK's SecurityGroupIds container.
type InstanceSecurityGroups struct {
	SecurityGroupId []string `json:"SecurityGroupId"`
}

// IpAddressSet is the guide's IpAddressSetType (1.17.10).
type IpAddressSet struct {
	IpAddress []string `json:"IpAddress"`
}

// InstanceVpcAttributes is the guide's VpcAttributesType (1.17.29).
type InstanceVpcAttributes struct {
	VpcId            string       `json:"VpcId"`
	VSwitchId        string       `json:"VSwitchId"`
	NatIpAddress     string       `json:"NatIpAddress"`
	PrivateIpAddress IpAddressSet `json:"PrivateIpAddress"`
}

// InstanceOperationLocks is the guide's OperationLocksType (1.17.14).
type InstanceOperationLocks struct {
	LockReason []InstanceLockReason `json:"LockReason"`
}

// InstanceLockReason is one operation lock.
type InstanceLockReason struct {
	LockReason string `json:"LockReason"`
}

// InstanceNICs is the SDK's NetworkInterfacesInDescribeInstances container.
type InstanceNICs struct {
	NetworkInterface []InstanceNIC `json:"NetworkInterface"`
}

// InstanceNIC is a network interface of an instance: its primary one or an
// attached secondary one.
type InstanceNIC struct {
	NetworkInterfaceId string          `json:"NetworkInterfaceId"`
	MacAddress         string          `json:"MacAddress"`
	PrimaryIpAddress   string          `json:"PrimaryIpAddress"`
	Type               string          `json:"Type"`
	PrivateIpSets      InstancePrivIPs `json:"PrivateIpSets"`
}

// InstancePrivIPs is the SDK's PrivateIpSetsInDescribeInstances container.
type InstancePrivIPs struct {
	PrivateIpSet []InstancePrivIP `json:"PrivateIpSet"`
}

// InstancePrivIP is one private address of a network interface.
type InstancePrivIP struct {
	PrivateIpAddress string `json:"PrivateIpAddress"`
	Primary          bool   `json:"Primary"`
}

// InstanceTags is the SDK's TagsInDescribeInstances container.
type InstanceTags struct {
	Tag []InstanceTag `json:"Tag"`
}

// InstanceTag is one tag of an instance.
type InstanceTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// InstanceMetadata is the SDK's MetadataOptions: the metadata service is on and
// tokens are optional for every ecsd instance.
type InstanceMetadata struct {
	HttpEndpoint            string `json:"HttpEndpoint"`
	HttpTokens              string `json:"HttpTokens"`
	HttpPutResponseHopLimit int    `json:"HttpPutResponseHopLimit"`
}

// DescribeInstances lists the caller's instances in the region, newest first,
// filtered and paged (guide 1.5.10). A filter nothing matches answers an empty
// list: Terraform reads that as "gone".
func (h *Handlers) DescribeInstances(ctx context.Context, req *DescribeInstancesRequest) (*DescribeInstancesResponse, error) {
	q, err := describeQuery(req)
	if err != nil {
		return nil, err
	}
	res, err := h.deps.Instances.List(ctx, instanceCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	if req.DryRun {
		return nil, instance.ErrDryRun()
	}
	resp := &DescribeInstancesResponse{TotalCount: res.TotalCount, PageNumber: res.PageNumber, PageSize: res.PageSize,
		NextToken: res.NextToken, Instances: InstancesList{Instance: []InstanceItem{}}}
	for _, v := range res.Instances {
		resp.Instances.Instance = append(resp.Instances.Instance, h.instanceItem(ctx, v))
	}
	return resp, nil
}

// describeQuery converts the parameters of DescribeInstances.
func describeQuery(req *DescribeInstancesRequest) (instance.Query, error) {
	q := instance.Query{VpcID: req.VpcId, VSwitchID: req.VSwitchId, ZoneID: req.ZoneId, InstanceType: req.InstanceType,
		InstanceTypeFamily: req.InstanceTypeFamily, InstanceNetworkType: req.InstanceNetworkType,
		SecurityGroupID: req.SecurityGroupId, InstanceName: req.InstanceName, ImageID: req.ImageId, Status: req.Status,
		KeyPairName: req.KeyPairName, IoOptimized: req.IoOptimized, DeviceAvailable: req.DeviceAvailable,
		Tags: instanceTags(req.Tag), ResourceGroupID: req.ResourceGroupId, LockReason: req.LockReason,
		HpcClusterID: req.HpcClusterId, InstanceChargeType: req.InstanceChargeType,
		InternetChargeType: req.InternetChargeType, HTTPEndpoint: req.HttpEndpoint, HTTPTokens: req.HttpTokens,
		NextToken: req.NextToken, TokenPaging: req.NextToken != "" || req.MaxResults != nil}
	for _, f := range req.Filter {
		q.Filters = append(q.Filters, instance.Filter{Key: f.Key, Value: f.Value})
	}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	if req.MaxResults != nil {
		q.MaxResults = *req.MaxResults
	}
	lists := []struct {
		name string
		raw  *string
		dst  **[]string
	}{{"InstanceIds", req.InstanceIds, &q.InstanceIDs}, {"PrivateIpAddresses", req.PrivateIpAddresses, &q.PrivateIPs},
		{"PublicIpAddresses", req.PublicIpAddresses, &q.PublicIPs}, {"InnerIpAddresses", req.InnerIpAddresses, &q.InnerIPs},
		{"EipAddresses", req.EipAddresses, &q.EipAddrs}}
	for _, l := range lists {
		parsed, err := instance.ParseJSONList(l.name, l.raw)
		if err != nil {
			return instance.Query{}, err
		}
		*l.dst = parsed
	}
	return q, nil
}

// instanceItem renders one instance.
func (h *Handlers) instanceItem(ctx context.Context, v instance.View) InstanceItem {
	in := v.Instance
	item := InstanceItem{InstanceId: in.ID, InstanceName: in.Name, Description: in.Description, ImageId: in.ImageID,
		RegionId: in.RegionID, ZoneId: in.ZoneID, CPU: in.CPU, Cpu: in.CPU, Memory: in.MemoryMiB,
		InstanceType: in.InstanceType, InstanceTypeFamily: h.deps.Instances.InstanceTypeFamily(in),
		HostName: in.HostName, SerialNumber: in.SerialNumber, Status: in.Status, OSName: in.OSName,
		OSNameEn: h.osNameEn(ctx, in), OSType: in.OSType, OsType: in.OSType, InstanceNetworkType: instance.NetworkTypeVPC,
		InternetChargeType: in.InternetChargeType, InternetMaxBandwidthIn: in.InternetMaxBandwidthIn,
		InternetMaxBandwidthOut: in.InternetMaxBandwidthOut, InstanceChargeType: in.InstanceChargeType,
		SpotStrategy: "NoSpot", CreationTime: instanceTime(in.CreatedAt), StartTime: instanceTime(in.StartedAt),
		ExpiredTime: instance.PostPaidExpiredTime, IoOptimized: h.deps.Instances.IoOptimized(in),
		DeviceAvailable: v.DeviceAvailable(), DeletionProtection: in.DeletionProtection, KeyPairName: in.KeyPairName,
		StoppedMode: stoppedMode(in), DeploymentSetId: in.DeploymentSetID,
		SecurityGroupIds:  InstanceSecurityGroups{SecurityGroupId: list(v.SecurityGroupIDs)},
		PublicIpAddress:   IpAddressSet{IpAddress: []string{}},
		InnerIpAddress:    IpAddressSet{IpAddress: []string{}},
		VpcAttributes:     InstanceVpcAttributes{VpcId: in.VpcID, VSwitchId: in.VSwitchID, PrivateIpAddress: IpAddressSet{IpAddress: []string{in.PrivateIP}}},
		OperationLocks:    InstanceOperationLocks{LockReason: []InstanceLockReason{}},
		NetworkInterfaces: instanceNICs(v),
		Tags:              InstanceTags{Tag: []InstanceTag{}},
		MetadataOptions: InstanceMetadata{HttpEndpoint: instance.MetadataHTTPEndpoint, HttpTokens: instance.MetadataHTTPTokens,
			HttpPutResponseHopLimit: instance.MetadataHopLimit}}
	if !in.AutoReleaseTime.IsZero() {
		item.AutoReleaseTime = in.AutoReleaseTime.UTC().Format(time.RFC3339)
	}
	if in.PublicIP != "" {
		item.PublicIpAddress.IpAddress = []string{in.PublicIP}
	}
	if t, ok := h.deps.Catalog.InstanceType(in.InstanceType); ok {
		item.LocalStorageAmount, item.LocalStorageCapacity = t.LocalStorageAmount, t.LocalStorageCapacity
		item.GPUAmount, item.GPUSpec = t.GPUAmount, t.GPUSpec
	}
	for _, r := range instance.LockReasons(in) {
		item.OperationLocks.LockReason = append(item.OperationLocks.LockReason, InstanceLockReason{LockReason: r})
	}
	for _, t := range v.Tags {
		item.Tags.Tag = append(item.Tags.Tag, InstanceTag{TagKey: t.Key, TagValue: t.Value})
	}
	return item
}

// instanceNICs renders the instance's network interfaces: its primary one,
// then the secondary ones attached to it.
func instanceNICs(v instance.View) InstanceNICs {
	in := v.Instance
	out := InstanceNICs{NetworkInterface: []InstanceNIC{{NetworkInterfaceId: instance.PrimaryENIID(in.ID),
		MacAddress: v.PrimaryMAC(), PrimaryIpAddress: in.PrivateIP, Type: store.NetworkInterfacePrimary,
		PrivateIpSets: InstancePrivIPs{PrivateIpSet: []InstancePrivIP{{PrivateIpAddress: in.PrivateIP, Primary: true}}}}}}
	for _, n := range v.NICs {
		if n.Type == store.NetworkInterfacePrimary {
			continue
		}
		out.NetworkInterface = append(out.NetworkInterface, InstanceNIC{NetworkInterfaceId: n.ID, MacAddress: instance.MACOf(n),
			PrimaryIpAddress: n.PrivateIP, Type: n.Type,
			PrivateIpSets: InstancePrivIPs{PrivateIpSet: []InstancePrivIP{{PrivateIpAddress: n.PrivateIP, Primary: true}}}})
	}
	return out
}

// osNameEn is the English name of the instance's image, when the image is known.
func (h *Handlers) osNameEn(ctx context.Context, in store.Instance) string {
	if h.deps.Images == nil {
		return ""
	}
	img, err := h.deps.Images.Image(ctx, in.AccountID, in.RegionID, in.ImageID)
	if err != nil {
		return ""
	}
	return img.OSNameEn
}

// stoppedMode is what an instance reports as StoppedMode: how it was stopped
// while it is Stopped, Not-applicable otherwise.
func stoppedMode(in store.Instance) string {
	if in.Status == instance.StatusStopped && in.StoppedMode != "" {
		return in.StoppedMode
	}
	return instance.StoppedModeNotApplicable
}

// instanceTime renders a time as 1.18.8 says ("" for the zero time).
func instanceTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(instance.TimeLayout)
}
