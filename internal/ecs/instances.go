package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// InstanceSystemDiskParam is SystemDisk.* of RunInstances and CreateInstance.
type InstanceSystemDiskParam struct {
	// Category is cloud, cloud_efficiency, cloud_ssd, cloud_essd or ephemeral_ssd.
	Category string `param:"Category"`
	// Size is in GiB: RunInstances [20, 500], CreateInstance [40, 500].
	Size             *int   `param:"Size"`
	DiskName         string `param:"DiskName"`
	Description      string `param:"Description"`
	PerformanceLevel string `param:"PerformanceLevel" enum:"PL0|PL1|PL2|PL3"`
	// AutoSnapshotPolicyId is accepted; ecsd has no automatic snapshots yet.
	AutoSnapshotPolicyId string `param:"AutoSnapshotPolicyId"`
}

// InstanceDataDiskParam is one DataDisk.n of RunInstances and CreateInstance.
type InstanceDataDiskParam struct {
	Category           string `param:"Category"`
	Size               *int   `param:"Size"`
	SnapshotId         string `param:"SnapshotId"`
	DiskName           string `param:"DiskName"`
	Description        string `param:"Description"`
	Device             string `param:"Device"`
	PerformanceLevel   string `param:"PerformanceLevel" enum:"PL0|PL1|PL2|PL3"`
	Encrypted          *bool  `param:"Encrypted"`
	KMSKeyId           string `param:"KMSKeyId"`
	DeleteWithInstance *bool  `param:"DeleteWithInstance"`
	// AutoSnapshotPolicyId is accepted; ecsd has no automatic snapshots yet.
	AutoSnapshotPolicyId string `param:"AutoSnapshotPolicyId"`
}

// InstanceTagParam is one Tag.n of the instance actions.
type InstanceTagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// launchParams are the parameters RunInstances and CreateInstance share
// (guide 1.5.1 and 1.5.2, plus the SDKs' fields that change the instance).
type launchParams struct {
	RegionId         string                  `param:"RegionId"`
	ZoneId           string                  `param:"ZoneId"`
	ImageId          string                  `param:"ImageId"`
	InstanceType     string                  `param:"InstanceType"`
	SecurityGroupId  string                  `param:"SecurityGroupId"`
	VSwitchId        string                  `param:"VSwitchId"`
	PrivateIpAddress string                  `param:"PrivateIpAddress"`
	IoOptimized      string                  `param:"IoOptimized"`
	SystemDisk       InstanceSystemDiskParam `param:"SystemDisk"`
	// DataDisk are at most 16; more is the guide's disk-number error.
	DataDisk                []InstanceDataDiskParam `param:"DataDisk,json" maxItems:"100"`
	InstanceName            string                  `param:"InstanceName"`
	HostName                string                  `param:"HostName"`
	Description             string                  `param:"Description"`
	Password                string                  `param:"Password"`
	PasswordInherit         bool                    `param:"PasswordInherit"`
	KeyPairName             string                  `param:"KeyPairName"`
	UserData                string                  `param:"UserData"`
	InternetChargeType      string                  `param:"InternetChargeType"`
	InternetMaxBandwidthIn  *int                    `param:"InternetMaxBandwidthIn"`
	InternetMaxBandwidthOut *int                    `param:"InternetMaxBandwidthOut"`
	InstanceChargeType      string                  `param:"InstanceChargeType"`
	DeletionProtection      bool                    `param:"DeletionProtection"`
	// Tag are at most 5 (1.5.1); more is InvalidTagCount.
	Tag                         []InstanceTagParam `param:"Tag,json" maxItems:"100"`
	HpcClusterId                string             `param:"HpcClusterId"`
	RamRoleName                 string             `param:"RamRoleName"`
	DeploymentSetId             string             `param:"DeploymentSetId"`
	SecurityEnhancementStrategy string             `param:"SecurityEnhancementStrategy"`
	ClientToken                 string             `param:"ClientToken"`
	DryRun                      bool               `param:"DryRun"`
	// Accepted and without effect in ecsd: resource groups, spot and
	// subscription terms, credit specification, metadata options (every
	// instance's are enabled/optional), dedicated hosts and capacity reservations.
	ResourceGroupId     string `param:"ResourceGroupId"`
	SpotStrategy        string `param:"SpotStrategy"`
	Period              *int   `param:"Period"`
	PeriodUnit          string `param:"PeriodUnit"`
	AutoRenew           bool   `param:"AutoRenew"`
	CreditSpecification string `param:"CreditSpecification"`
	HttpEndpoint        string `param:"HttpEndpoint"`
	HttpTokens          string `param:"HttpTokens"`
	// Not modelled by ecsd: refused when sent (IPv6, extra network interfaces,
	// launch templates).
	Ipv6AddressCount   *int                    `param:"Ipv6AddressCount"`
	Ipv6Address        []string                `param:"Ipv6Address"`
	NetworkInterface   []InstanceUnsupportedNI `param:"NetworkInterface"`
	LaunchTemplateId   string                  `param:"LaunchTemplateId"`
	LaunchTemplateName string                  `param:"LaunchTemplateName"`
}

// InstanceUnsupportedNI stands for NetworkInterface.n, which ecsd refuses.
type InstanceUnsupportedNI struct {
	VSwitchId string `param:"VSwitchId"`
}

// RunInstancesRequest holds the parameters of RunInstances (guide 1.5.1).
type RunInstancesRequest struct {
	launchParams
	// SecurityGroupIds are the SDK's list form of SecurityGroupId (at most 5).
	SecurityGroupIds []string `param:"SecurityGroupIds" maxItems:"100"`
	// Amount is 1–100 (default 1); MinAmount the least that must be created.
	Amount    *int `param:"Amount"`
	MinAmount *int `param:"MinAmount"`
	// HostNames are one host name per instance (SDK).
	HostNames []string `param:"HostNames" maxItems:"100"`
	// UniqueSuffix appends 001, 002 … to InstanceName and HostName (SDK).
	UniqueSuffix bool `param:"UniqueSuffix"`
	// AutoReleaseTime is when the instances are released, "YYYY-MM-DDTHH:mm:ssZ".
	AutoReleaseTime string `param:"AutoReleaseTime"`
}

// RunInstancesResponse is the answer of RunInstances.
type RunInstancesResponse struct {
	InstanceIdSets InstanceIdSets `json:"InstanceIdSets"`
}

// InstanceIdSets is the SDK's InstanceIdSets container.
type InstanceIdSets struct {
	InstanceIdSet []string `json:"InstanceIdSet"`
}

// RunInstances creates and starts 1 to 100 instances (guide 1.5.1).
func (h *Handlers) RunInstances(ctx context.Context, req *RunInstancesRequest) (*RunInstancesResponse, error) {
	in := req.launchParams.input(instance.ActionRun)
	in.SecurityGroupIDs = append(in.SecurityGroupIDs, req.SecurityGroupIds...)
	in.Amount, in.MinAmount, in.HostNames = req.Amount, req.MinAmount, req.HostNames
	in.UniqueSuffix, in.AutoReleaseTime = req.UniqueSuffix, req.AutoReleaseTime
	res, err := h.deps.Instances.Launch(ctx, instanceCaller(ctx), in)
	if err != nil {
		return nil, err
	}
	return &RunInstancesResponse{InstanceIdSets: InstanceIdSets{InstanceIdSet: list(res.InstanceIDs)}}, nil
}

// CreateInstanceRequest holds the parameters of CreateInstance (guide 1.5.2).
type CreateInstanceRequest struct {
	launchParams
	// InnerIpAddress, VlanId and ClusterId are classic-network parameters.
	InnerIpAddress string `param:"InnerIpAddress"`
	VlanId         string `param:"VlanId"`
	ClusterId      string `param:"ClusterId"`
}

// CreateInstanceResponse is the answer of CreateInstance.
type CreateInstanceResponse struct {
	InstanceId string `json:"InstanceId"`
}

// CreateInstance creates one instance and leaves it Stopped (guide 1.5.2).
func (h *Handlers) CreateInstance(ctx context.Context, req *CreateInstanceRequest) (*CreateInstanceResponse, error) {
	in := req.launchParams.input(instance.ActionCreate)
	for _, p := range [][2]string{{"InnerIpAddress", req.InnerIpAddress}, {"VlanId", req.VlanId}, {"ClusterId", req.ClusterId}} {
		if p[1] != "" {
			in.Unsupported = append(in.Unsupported, p[0])
		}
	}
	res, err := h.deps.Instances.Launch(ctx, instanceCaller(ctx), in)
	if err != nil {
		return nil, err
	}
	return &CreateInstanceResponse{InstanceId: res.InstanceIDs[0]}, nil
}

// input converts the shared parameters.
func (p *launchParams) input(action string) instance.RunInput {
	in := instance.RunInput{Action: action, ZoneID: p.ZoneId, ImageID: p.ImageId, InstanceType: p.InstanceType,
		IoOptimized: p.IoOptimized, VSwitchID: p.VSwitchId, PrivateIPAddress: p.PrivateIpAddress,
		InstanceName: p.InstanceName, HostName: p.HostName, Description: p.Description, Password: p.Password,
		PasswordInherit: p.PasswordInherit, KeyPairName: p.KeyPairName, UserData: p.UserData,
		SystemDisk: instance.SystemDiskInput{Category: p.SystemDisk.Category, Size: p.SystemDisk.Size,
			Name: p.SystemDisk.DiskName, Description: p.SystemDisk.Description, PerformanceLevel: p.SystemDisk.PerformanceLevel},
		InternetChargeType: p.InternetChargeType, InternetMaxBandwidthIn: p.InternetMaxBandwidthIn,
		InternetMaxBandwidthOut: p.InternetMaxBandwidthOut, InstanceChargeType: p.InstanceChargeType,
		DeletionProtection: p.DeletionProtection, Tags: instanceTags(p.Tag), HpcClusterID: p.HpcClusterId,
		RAMRoleName: p.RamRoleName, DeploymentSetID: p.DeploymentSetId,
		SecurityEnhancementStrategy: p.SecurityEnhancementStrategy, ClientToken: p.ClientToken, DryRun: p.DryRun}
	if p.SecurityGroupId != "" {
		in.SecurityGroupIDs = []string{p.SecurityGroupId}
	}
	for _, d := range p.DataDisk {
		in.DataDisks = append(in.DataDisks, instance.DataDiskInput{Category: d.Category, Size: d.Size,
			SnapshotID: d.SnapshotId, Name: d.DiskName, Description: d.Description, Device: d.Device,
			PerformanceLevel: d.PerformanceLevel, Encrypted: d.Encrypted, KMSKeyID: d.KMSKeyId,
			DeleteWithInstance: d.DeleteWithInstance})
	}
	switch {
	case p.Ipv6AddressCount != nil && *p.Ipv6AddressCount > 0:
		in.Unsupported = append(in.Unsupported, "Ipv6AddressCount")
	case len(p.Ipv6Address) > 0:
		in.Unsupported = append(in.Unsupported, "Ipv6Address")
	case len(p.NetworkInterface) > 0:
		in.Unsupported = append(in.Unsupported, "NetworkInterface")
	case p.LaunchTemplateId != "" || p.LaunchTemplateName != "":
		in.Unsupported = append(in.Unsupported, "LaunchTemplateId")
	}
	return in
}

// instanceCaller is the caller of an instance action.
func instanceCaller(ctx context.Context) instance.Caller {
	c := reqctx.From(ctx)
	return instance.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// instanceTags converts Tag.n parameters.
func instanceTags(params []InstanceTagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}
