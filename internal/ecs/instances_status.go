package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/instance"
)

// DescribeInstanceStatusRequest holds the parameters of DescribeInstanceStatus
// (guide 1.5.9, plus the SDK's InstanceId.N).
type DescribeInstanceStatusRequest struct {
	RegionId string `param:"RegionId"`
	ZoneId   string `param:"ZoneId"`
	// InstanceId are up to 100 instances to report.
	InstanceId []string `param:"InstanceId" maxItems:"100"`
	// PageNumber from 1; PageSize 1–50, default 10.
	PageNumber *int `param:"PageNumber" min:"1"`
	PageSize   *int `param:"PageSize" min:"1" max:"50"`
	// ClusterId is a classic-network parameter; no ecsd instance has one.
	ClusterId string `param:"ClusterId"`
}

// DescribeInstanceStatusResponse is the answer of DescribeInstanceStatus.
type DescribeInstanceStatusResponse struct {
	TotalCount       int                    `json:"TotalCount"`
	PageNumber       int                    `json:"PageNumber"`
	PageSize         int                    `json:"PageSize"`
	InstanceStatuses InstanceStatusesResult `json:"InstanceStatuses"`
}

// InstanceStatusesResult is the guide's InstanceStatusSetType (1.17.11).
type InstanceStatusesResult struct {
	InstanceStatus []InstanceStatusItem `json:"InstanceStatus"`
}

// InstanceStatusItem is the guide's InstanceStatusItemType (1.17.8).
type InstanceStatusItem struct {
	InstanceId string `json:"InstanceId"`
	Status     string `json:"Status"`
}

// DescribeInstanceStatus lists the status of the caller's instances in the
// region, newest first, one page at a time (guide 1.5.9).
func (h *Handlers) DescribeInstanceStatus(ctx context.Context, req *DescribeInstanceStatusRequest) (*DescribeInstanceStatusResponse, error) {
	q := instance.StatusQuery{ZoneID: req.ZoneId, InstanceIDs: req.InstanceId, PageNumber: 1, PageSize: instance.DefaultPageSize}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	resp := &DescribeInstanceStatusResponse{PageNumber: q.PageNumber, PageSize: q.PageSize,
		InstanceStatuses: InstanceStatusesResult{InstanceStatus: []InstanceStatusItem{}}}
	if req.ClusterId != "" {
		return resp, nil
	}
	rows, total, err := h.deps.Instances.StatusPage(ctx, instanceCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp.TotalCount = total
	for _, in := range rows {
		resp.InstanceStatuses.InstanceStatus = append(resp.InstanceStatuses.InstanceStatus,
			InstanceStatusItem{InstanceId: in.ID, Status: in.Status})
	}
	return resp, nil
}

// DescribeInstanceAttributeRequest holds the parameters of
// DescribeInstanceAttribute (SDK; Terraform reads it, guide 1.18.7 names it).
type DescribeInstanceAttributeRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
}

// DescribeInstanceAttributeResponse is the answer of DescribeInstanceAttribute.
type DescribeInstanceAttributeResponse struct {
	InstanceId              string                 `json:"InstanceId"`
	InstanceName            string                 `json:"InstanceName"`
	Description             string                 `json:"Description"`
	ImageId                 string                 `json:"ImageId"`
	RegionId                string                 `json:"RegionId"`
	ZoneId                  string                 `json:"ZoneId"`
	Cpu                     int                    `json:"Cpu"`
	Memory                  int                    `json:"Memory"`
	InstanceType            string                 `json:"InstanceType"`
	HostName                string                 `json:"HostName"`
	SerialNumber            string                 `json:"SerialNumber"`
	Status                  string                 `json:"Status"`
	InstanceNetworkType     string                 `json:"InstanceNetworkType"`
	InternetChargeType      string                 `json:"InternetChargeType"`
	InternetMaxBandwidthIn  int                    `json:"InternetMaxBandwidthIn"`
	InternetMaxBandwidthOut int                    `json:"InternetMaxBandwidthOut"`
	InstanceChargeType      string                 `json:"InstanceChargeType"`
	CreationTime            string                 `json:"CreationTime"`
	ExpiredTime             string                 `json:"ExpiredTime"`
	IoOptimized             string                 `json:"IoOptimized"`
	StoppedMode             string                 `json:"StoppedMode"`
	VlanId                  string                 `json:"VlanId"`
	ClusterId               string                 `json:"ClusterId"`
	CreditSpecification     string                 `json:"CreditSpecification"`
	EnableJumboFrame        bool                   `json:"EnableJumboFrame"`
	SecurityGroupIds        InstanceSecurityGroups `json:"SecurityGroupIds"`
	PublicIpAddress         IpAddressSet           `json:"PublicIpAddress"`
	InnerIpAddress          IpAddressSet           `json:"InnerIpAddress"`
	VpcAttributes           InstanceVpcAttributes  `json:"VpcAttributes"`
	EipAddress              InstanceAttributeEip   `json:"EipAddress"`
	OperationLocks          InstanceOperationLocks `json:"OperationLocks"`
}

// InstanceAttributeEip is the SDK's EipAddressInDescribeInstanceAttribute: an
// instance without an EIP reports empty values.
type InstanceAttributeEip struct {
	AllocationId       string `json:"AllocationId"`
	IpAddress          string `json:"IpAddress"`
	Bandwidth          int    `json:"Bandwidth"`
	InternetChargeType string `json:"InternetChargeType"`
}

// DescribeInstanceAttribute describes one of the caller's instances; an unknown
// one is InvalidInstanceId.NotFound (404), which Terraform reads as "gone".
func (h *Handlers) DescribeInstanceAttribute(ctx context.Context, req *DescribeInstanceAttributeRequest) (*DescribeInstanceAttributeResponse, error) {
	v, err := h.deps.Instances.Get(ctx, instanceCaller(ctx), req.InstanceId)
	if err != nil {
		return nil, err
	}
	item := h.instanceItem(ctx, v)
	io := "none"
	if item.IoOptimized {
		io = "optimized"
	}
	return &DescribeInstanceAttributeResponse{InstanceId: item.InstanceId, InstanceName: item.InstanceName,
		Description: item.Description, ImageId: item.ImageId, RegionId: item.RegionId, ZoneId: item.ZoneId,
		Cpu: item.Cpu, Memory: item.Memory, InstanceType: item.InstanceType, HostName: item.HostName,
		SerialNumber: item.SerialNumber, Status: item.Status, InstanceNetworkType: item.InstanceNetworkType,
		InternetChargeType: item.InternetChargeType, InternetMaxBandwidthIn: item.InternetMaxBandwidthIn,
		InternetMaxBandwidthOut: item.InternetMaxBandwidthOut, InstanceChargeType: item.InstanceChargeType,
		CreationTime: item.CreationTime, ExpiredTime: item.ExpiredTime, IoOptimized: io, StoppedMode: item.StoppedMode,
		SecurityGroupIds: item.SecurityGroupIds, PublicIpAddress: item.PublicIpAddress,
		InnerIpAddress: item.InnerIpAddress, VpcAttributes: item.VpcAttributes, OperationLocks: item.OperationLocks}, nil
}

// DescribeUserDataRequest holds the parameters of DescribeUserData (guide 1.5.11).
type DescribeUserDataRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
}

// DescribeUserDataResponse is the answer of DescribeUserData.
type DescribeUserDataResponse struct {
	RegionId   string `json:"RegionId"`
	InstanceId string `json:"InstanceId"`
	UserData   string `json:"UserData"`
}

// DescribeUserData answers an instance's user data, Base64 as it was given, or
// "" when it has none (guide 1.5.11).
func (h *Handlers) DescribeUserData(ctx context.Context, req *DescribeUserDataRequest) (*DescribeUserDataResponse, error) {
	data, region, err := h.deps.Instances.UserData(ctx, instanceCaller(ctx), req.InstanceId)
	if err != nil {
		return nil, err
	}
	return &DescribeUserDataResponse{RegionId: region, InstanceId: req.InstanceId, UserData: data}, nil
}
