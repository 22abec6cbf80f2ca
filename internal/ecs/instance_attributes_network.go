package ecs

import (
	"context"
	"strconv"

	"github.com/ecsd/ecsd/internal/service/instance"
)

// JoinSecurityGroupRequest holds the parameters of JoinSecurityGroup (guide
// 1.11.6).
type JoinSecurityGroupRequest struct {
	RegionId        string `param:"RegionId"`
	InstanceId      string `param:"InstanceId,required"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
}

// JoinSecurityGroupResponse is the answer of JoinSecurityGroup (RequestId only).
type JoinSecurityGroupResponse struct{}

// JoinSecurityGroup puts an instance into a security group (guide 1.11.6).
func (h *Handlers) JoinSecurityGroup(ctx context.Context, req *JoinSecurityGroupRequest) (*JoinSecurityGroupResponse, error) {
	if err := h.deps.Instances.JoinSecurityGroup(ctx, instanceCaller(ctx), req.InstanceId, req.SecurityGroupId); err != nil {
		return nil, err
	}
	return &JoinSecurityGroupResponse{}, nil
}

// LeaveSecurityGroupRequest holds the parameters of LeaveSecurityGroup (guide
// 1.11.7).
type LeaveSecurityGroupRequest struct {
	RegionId        string `param:"RegionId"`
	InstanceId      string `param:"InstanceId,required"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
}

// LeaveSecurityGroupResponse is the answer of LeaveSecurityGroup (RequestId only).
type LeaveSecurityGroupResponse struct{}

// LeaveSecurityGroup takes an instance out of a security group (guide 1.11.7).
func (h *Handlers) LeaveSecurityGroup(ctx context.Context, req *LeaveSecurityGroupRequest) (*LeaveSecurityGroupResponse, error) {
	if err := h.deps.Instances.LeaveSecurityGroup(ctx, instanceCaller(ctx), req.InstanceId, req.SecurityGroupId); err != nil {
		return nil, err
	}
	return &LeaveSecurityGroupResponse{}, nil
}

// AttachKeyPairRequest holds the parameters of AttachKeyPair (guide 1.12.3).
type AttachKeyPairRequest struct {
	// RegionId is the key pair's region (the front defaults and checks it).
	RegionId    string `param:"RegionId"`
	KeyPairName string `param:"KeyPairName,required"`
	// InstanceIds is a JSON array of up to 50 instance IDs.
	InstanceIds []string `param:"InstanceIds,json,required" maxItems:"50"`
}

// AttachKeyPairResponse is the answer of AttachKeyPair: the guide's common
// parameters, and the SDK's per-instance results (its counts are strings).
type AttachKeyPairResponse struct {
	KeyPairName string         `json:"KeyPairName"`
	TotalCount  string         `json:"TotalCount"`
	FailCount   string         `json:"FailCount"`
	Results     KeyPairResults `json:"Results"`
}

// KeyPairResults is the SDK's Results container of AttachKeyPair and DetachKeyPair.
type KeyPairResults struct {
	Result []KeyPairResult `json:"Result"`
}

// KeyPairResult is the outcome for one instance; Success is "true" or "false".
type KeyPairResult struct {
	InstanceId string `json:"InstanceId"`
	Success    string `json:"Success"`
	Code       string `json:"Code"`
	Message    string `json:"Message"`
}

// AttachKeyPair binds a key pair to Linux instances (guide 1.12.3).
func (h *Handlers) AttachKeyPair(ctx context.Context, req *AttachKeyPairRequest) (*AttachKeyPairResponse, error) {
	results, err := h.deps.Instances.AttachKeyPair(ctx, instanceCaller(ctx), req.KeyPairName, req.InstanceIds)
	if err != nil {
		return nil, err
	}
	total, fail, out := keyPairResults(results)
	return &AttachKeyPairResponse{KeyPairName: req.KeyPairName, TotalCount: total, FailCount: fail, Results: out}, nil
}

// DetachKeyPairRequest holds the parameters of DetachKeyPair (guide 1.12.4).
type DetachKeyPairRequest struct {
	RegionId    string `param:"RegionId"`
	KeyPairName string `param:"KeyPairName,required"`
	// InstanceIds is a JSON array of up to 50 instance IDs; absent, every
	// instance of the region bound to the key pair.
	InstanceIds []string `param:"InstanceIds,json" maxItems:"50"`
}

// DetachKeyPairResponse is the answer of DetachKeyPair (shaped as AttachKeyPair's).
type DetachKeyPairResponse struct {
	KeyPairName string         `json:"KeyPairName"`
	TotalCount  string         `json:"TotalCount"`
	FailCount   string         `json:"FailCount"`
	Results     KeyPairResults `json:"Results"`
}

// DetachKeyPair unbinds a key pair from instances (guide 1.12.4).
func (h *Handlers) DetachKeyPair(ctx context.Context, req *DetachKeyPairRequest) (*DetachKeyPairResponse, error) {
	results, err := h.deps.Instances.DetachKeyPair(ctx, instanceCaller(ctx), req.KeyPairName, req.InstanceIds)
	if err != nil {
		return nil, err
	}
	total, fail, out := keyPairResults(results)
	return &DetachKeyPairResponse{KeyPairName: req.KeyPairName, TotalCount: total, FailCount: fail, Results: out}, nil
}

// keyPairResults renders per-instance results and their counts.
func keyPairResults(results []instance.KeyPairResult) (total, fail string, out KeyPairResults) {
	out.Result = []KeyPairResult{}
	failed := 0
	for _, r := range results {
		if !r.Success {
			failed++
		}
		out.Result = append(out.Result, KeyPairResult{InstanceId: r.InstanceID, Success: strconv.FormatBool(r.Success),
			Code: r.Code, Message: r.Message})
	}
	return strconv.Itoa(len(results)), strconv.Itoa(failed), out
}

// AllocatePublicIpAddressRequest holds the parameters of AllocatePublicIpAddress
// (guide 1.10.1, plus the SDK's IpAddress).
type AllocatePublicIpAddressRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// IpAddress asks for one address of the pool.
	IpAddress string `param:"IpAddress"`
	// VlanId (SDK) is accepted; ecsd has no classic network.
	VlanId string `param:"VlanId"`
}

// AllocatePublicIpAddressResponse is the answer of AllocatePublicIpAddress.
type AllocatePublicIpAddressResponse struct {
	IpAddress string `json:"IpAddress"`
}

// AllocatePublicIpAddress gives an instance a public IP address (guide 1.10.1).
func (h *Handlers) AllocatePublicIpAddress(ctx context.Context, req *AllocatePublicIpAddressRequest) (*AllocatePublicIpAddressResponse, error) {
	addr, err := h.deps.Instances.AllocatePublicIP(ctx, instanceCaller(ctx), req.InstanceId, req.IpAddress)
	if err != nil {
		return nil, err
	}
	return &AllocatePublicIpAddressResponse{IpAddress: addr}, nil
}

// ModifyInstanceNetworkSpecRequest holds the parameters of
// ModifyInstanceNetworkSpec (guide 1.10.2, plus the SDK's NetworkChargeType and
// AllocatePublicIp). Bandwidths that are not integers are the front's
// InvalidParameter, as the guide says; their ranges are checked by the service.
type ModifyInstanceNetworkSpecRequest struct {
	RegionId                string `param:"RegionId"`
	InstanceId              string `param:"InstanceId,required"`
	InternetMaxBandwidthOut *int   `param:"InternetMaxBandwidthOut"`
	InternetMaxBandwidthIn  *int   `param:"InternetMaxBandwidthIn"`
	NetworkChargeType       string `param:"NetworkChargeType" enum:"PayByTraffic|PayByBandwidth"`
	AllocatePublicIp        *bool  `param:"AllocatePublicIp"`
	// ClientToken, AutoPay, StartTime, EndTime and ISP (SDK) are accepted: the
	// change is idempotent and ecsd sells no temporary bandwidth.
	ClientToken string `param:"ClientToken"`
	AutoPay     bool   `param:"AutoPay"`
	StartTime   string `param:"StartTime"`
	EndTime     string `param:"EndTime"`
	ISP         string `param:"ISP"`
}

// ModifyInstanceNetworkSpecResponse is the answer of ModifyInstanceNetworkSpec;
// OrderId is for subscription instances, which ecsd does not sell.
type ModifyInstanceNetworkSpecResponse struct {
	OrderId string `json:"OrderId,omitempty"`
}

// ModifyInstanceNetworkSpec changes an instance's public bandwidth (guide 1.10.2).
func (h *Handlers) ModifyInstanceNetworkSpec(ctx context.Context, req *ModifyInstanceNetworkSpecRequest) (*ModifyInstanceNetworkSpecResponse, error) {
	err := h.deps.Instances.ModifyNetworkSpec(ctx, instanceCaller(ctx), instance.NetworkSpecInput{
		InstanceID: req.InstanceId, BandwidthOut: req.InternetMaxBandwidthOut, BandwidthIn: req.InternetMaxBandwidthIn,
		ChargeType: req.NetworkChargeType, AllocatePublicIP: req.AllocatePublicIp,
	})
	if err != nil {
		return nil, err
	}
	return &ModifyInstanceNetworkSpecResponse{}, nil
}
