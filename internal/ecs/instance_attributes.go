package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging of DescribeInstanceRamRole (the SDK's PageNumber and PageSize).
const ramRolePageSizeDefault = 10

// ModifyInstanceAttributeRequest holds the parameters of ModifyInstanceAttribute
// (guide 1.5.15, plus the SDK's SecurityGroupIds.N and DeletionProtection).
type ModifyInstanceAttributeRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// InstanceName, Password and HostName are left as they are when absent or
	// empty; Description and UserData are cleared when sent empty.
	InstanceName *string `param:"InstanceName"`
	Description  *string `param:"Description"`
	Password     *string `param:"Password"`
	HostName     *string `param:"HostName"`
	UserData     *string `param:"UserData"`
	// SecurityGroupIds replace the instance's groups (at most 5, checked by
	// the service with the guide's InstanceSecurityGroupLimitExceeded).
	SecurityGroupIds   []string `param:"SecurityGroupIds"`
	DeletionProtection *bool    `param:"DeletionProtection"`
}

// ModifyInstanceAttributeResponse is the answer of ModifyInstanceAttribute
// (RequestId only).
type ModifyInstanceAttributeResponse struct{}

// ModifyInstanceAttribute changes an instance's name, description, password,
// host name, user data, security groups or deletion protection (guide 1.5.15).
func (h *Handlers) ModifyInstanceAttribute(ctx context.Context, req *ModifyInstanceAttributeRequest) (*ModifyInstanceAttributeResponse, error) {
	err := h.deps.Instances.ModifyAttribute(ctx, instanceCaller(ctx), instance.ModifyAttributeInput{
		InstanceID: req.InstanceId, Name: req.InstanceName, Description: req.Description, Password: req.Password,
		HostName: req.HostName, UserData: req.UserData, SecurityGroupIDs: req.SecurityGroupIds,
		DeletionProtection: req.DeletionProtection,
	})
	if err != nil {
		return nil, err
	}
	return &ModifyInstanceAttributeResponse{}, nil
}

// ModifyInstanceVpcAttributeRequest holds the parameters of
// ModifyInstanceVpcAttribute (guide 1.5.16).
type ModifyInstanceVpcAttributeRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// VSwitchId is the new VSwitch, in the instance's VPC and zone.
	VSwitchId string `param:"VSwitchId,required"`
	// PrivateIpAddress is the new address, in VSwitchId's block; absent, the
	// lowest free one.
	PrivateIpAddress string `param:"PrivateIpAddress"`
}

// ModifyInstanceVpcAttributeResponse is the answer of
// ModifyInstanceVpcAttribute (RequestId only).
type ModifyInstanceVpcAttributeResponse struct{}

// ModifyInstanceVpcAttribute moves a Stopped instance to another VSwitch of its
// VPC and zone, or to another private address (guide 1.5.16).
func (h *Handlers) ModifyInstanceVpcAttribute(ctx context.Context, req *ModifyInstanceVpcAttributeRequest) (*ModifyInstanceVpcAttributeResponse, error) {
	err := h.deps.Instances.ModifyVpcAttribute(ctx, instanceCaller(ctx), req.InstanceId, req.VSwitchId, req.PrivateIpAddress)
	if err != nil {
		return nil, err
	}
	return &ModifyInstanceVpcAttributeResponse{}, nil
}

// ModifyInstanceVncPasswdRequest holds the parameters of
// ModifyInstanceVncPasswd (guide 1.5.17).
type ModifyInstanceVncPasswdRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// VncPassword is 6 letters and digits, with upper and lower case and a digit.
	VncPassword string `param:"VncPassword,required"`
}

// ModifyInstanceVncPasswdResponse is the answer of ModifyInstanceVncPasswd
// (RequestId only).
type ModifyInstanceVncPasswdResponse struct{}

// ModifyInstanceVncPasswd sets the password of an instance's VNC console
// (guide 1.5.17).
func (h *Handlers) ModifyInstanceVncPasswd(ctx context.Context, req *ModifyInstanceVncPasswdRequest) (*ModifyInstanceVncPasswdResponse, error) {
	if err := h.deps.Instances.ModifyVncPassword(ctx, instanceCaller(ctx), req.InstanceId, req.VncPassword); err != nil {
		return nil, err
	}
	return &ModifyInstanceVncPasswdResponse{}, nil
}

// AttachInstanceRamRoleRequest holds the parameters of AttachInstanceRamRole
// (guide 1.5.7). InstanceIds is read as the raw JSON array: the guide answers
// its own MissingParameter.InstanceIds and InvalidInstanceIds.Malformed.
type AttachInstanceRamRoleRequest struct {
	RegionId    string `param:"RegionId"`
	InstanceIds string `param:"InstanceIds"`
	RamRoleName string `param:"RamRoleName"`
	// Policy (SDK) is accepted; ecsd has no RAM policies yet.
	Policy string `param:"Policy"`
}

// AttachInstanceRamRoleResponse is the answer of AttachInstanceRamRole.
type AttachInstanceRamRoleResponse struct {
	RamRoleName                  string                       `json:"RamRoleName"`
	TotalCount                   int                          `json:"TotalCount"`
	FailCount                    int                          `json:"FailCount"`
	AttachInstanceRamRoleResults AttachInstanceRamRoleResults `json:"AttachInstanceRamRoleResults"`
}

// AttachInstanceRamRoleResults is the SDK's AttachInstanceRamRoleResults container.
type AttachInstanceRamRoleResults struct {
	AttachInstanceRamRoleResult []RAMRoleResult `json:"AttachInstanceRamRoleResult"`
}

// RAMRoleResult is the outcome for one instance: Code "200" and Message
// "success", or the error.
type RAMRoleResult struct {
	InstanceId string `json:"InstanceId"`
	Code       string `json:"Code"`
	Message    string `json:"Message"`
	Success    bool   `json:"Success"`
}

// AttachInstanceRamRole gives instances an instance RAM role (guide 1.5.7).
func (h *Handlers) AttachInstanceRamRole(ctx context.Context, req *AttachInstanceRamRoleRequest) (*AttachInstanceRamRoleResponse, error) {
	results, err := h.deps.Instances.AttachRAMRole(ctx, instanceCaller(ctx), req.RamRoleName, req.InstanceIds)
	if err != nil {
		return nil, err
	}
	resp := &AttachInstanceRamRoleResponse{RamRoleName: req.RamRoleName, TotalCount: len(results),
		AttachInstanceRamRoleResults: AttachInstanceRamRoleResults{AttachInstanceRamRoleResult: []RAMRoleResult{}}}
	for _, r := range results {
		if !r.Success {
			resp.FailCount++
		}
		resp.AttachInstanceRamRoleResults.AttachInstanceRamRoleResult = append(resp.AttachInstanceRamRoleResults.AttachInstanceRamRoleResult,
			RAMRoleResult{InstanceId: r.InstanceID, Code: r.Code, Message: r.Message, Success: r.Success})
	}
	return resp, nil
}

// DetachInstanceRamRoleRequest holds the parameters of DetachInstanceRamRole
// (guide 1.5.8); InstanceIds is read raw, as for AttachInstanceRamRole.
type DetachInstanceRamRoleRequest struct {
	RegionId    string `param:"RegionId"`
	InstanceIds string `param:"InstanceIds"`
	// RamRoleName, when given, is the only role taken away.
	RamRoleName string `param:"RamRoleName"`
}

// DetachInstanceRamRoleResponse is the answer of DetachInstanceRamRole.
type DetachInstanceRamRoleResponse struct {
	RamRoleName                  string                       `json:"RamRoleName"`
	TotalCount                   int                          `json:"TotalCount"`
	FailCount                    int                          `json:"FailCount"`
	DetachInstanceRamRoleResults DetachInstanceRamRoleResults `json:"DetachInstanceRamRoleResults"`
}

// DetachInstanceRamRoleResults is the SDK's DetachInstanceRamRoleResults container.
type DetachInstanceRamRoleResults struct {
	DetachInstanceRamRoleResult []DetachInstanceRamRoleResult `json:"DetachInstanceRamRoleResult"`
}

// DetachInstanceRamRoleResult is the outcome for one instance, with the role
// it had.
type DetachInstanceRamRoleResult struct {
	InstanceId          string              `json:"InstanceId"`
	Code                string              `json:"Code"`
	Message             string              `json:"Message"`
	Success             bool                `json:"Success"`
	InstanceRamRoleSets InstanceRamRoleSets `json:"InstanceRamRoleSets"`
}

// InstanceRamRoleSets is the SDK's InstanceRamRoleSets container.
type InstanceRamRoleSets struct {
	InstanceRamRoleSet []InstanceRamRoleSet `json:"InstanceRamRoleSet"`
}

// InstanceRamRoleSet is an instance and its RAM role ("" when none).
type InstanceRamRoleSet struct {
	InstanceId  string `json:"InstanceId"`
	RamRoleName string `json:"RamRoleName"`
}

// DetachInstanceRamRole takes the instance RAM role from instances (guide
// 1.5.8). RamRoleName answers the role named, or else the role taken from the
// first instance that had one.
func (h *Handlers) DetachInstanceRamRole(ctx context.Context, req *DetachInstanceRamRoleRequest) (*DetachInstanceRamRoleResponse, error) {
	results, err := h.deps.Instances.DetachRAMRole(ctx, instanceCaller(ctx), req.RamRoleName, req.InstanceIds)
	if err != nil {
		return nil, err
	}
	resp := &DetachInstanceRamRoleResponse{RamRoleName: req.RamRoleName, TotalCount: len(results),
		DetachInstanceRamRoleResults: DetachInstanceRamRoleResults{DetachInstanceRamRoleResult: []DetachInstanceRamRoleResult{}}}
	for _, r := range results {
		out := DetachInstanceRamRoleResult{InstanceId: r.InstanceID, Code: r.Code, Message: r.Message, Success: r.Success,
			InstanceRamRoleSets: InstanceRamRoleSets{InstanceRamRoleSet: []InstanceRamRoleSet{}}}
		if r.Success {
			out.InstanceRamRoleSets.InstanceRamRoleSet = append(out.InstanceRamRoleSets.InstanceRamRoleSet,
				InstanceRamRoleSet{InstanceId: r.InstanceID, RamRoleName: r.RoleName})
			if resp.RamRoleName == "" {
				resp.RamRoleName = r.RoleName
			}
		} else {
			resp.FailCount++
		}
		resp.DetachInstanceRamRoleResults.DetachInstanceRamRoleResult = append(resp.DetachInstanceRamRoleResults.DetachInstanceRamRoleResult, out)
	}
	return resp, nil
}

// DescribeInstanceRamRoleRequest holds the parameters of DescribeInstanceRamRole
// (guide 1.5.12, plus the SDK's paging). InstanceIds (a JSON array) or
// RamRoleName, or both, select the instances.
type DescribeInstanceRamRoleRequest struct {
	RegionId    string `param:"RegionId"`
	InstanceIds string `param:"InstanceIds"`
	RamRoleName string `param:"RamRoleName"`
	PageNumber  *int   `param:"PageNumber" min:"1"`
	PageSize    *int   `param:"PageSize" min:"1" max:"100"`
}

// DescribeInstanceRamRoleResponse is the answer of DescribeInstanceRamRole.
type DescribeInstanceRamRoleResponse struct {
	RegionId            string              `json:"RegionId"`
	TotalCount          int                 `json:"TotalCount"`
	InstanceRamRoleSets InstanceRamRoleSets `json:"InstanceRamRoleSets"`
}

// DescribeInstanceRamRole lists instances and their RAM roles (guide 1.5.12):
// one entry per instance named, with RamRoleName "" for one without a role.
func (h *Handlers) DescribeInstanceRamRole(ctx context.Context, req *DescribeInstanceRamRoleRequest) (*DescribeInstanceRamRoleResponse, error) {
	c := instanceCaller(ctx)
	page := store.Page{Number: 1, Size: ramRolePageSizeDefault}
	if req.PageNumber != nil {
		page.Number = *req.PageNumber
	}
	if req.PageSize != nil {
		page.Size = *req.PageSize
	}
	sets, total, err := h.deps.Instances.DescribeRAMRoles(ctx, c, req.RamRoleName, req.InstanceIds, page)
	if err != nil {
		return nil, err
	}
	resp := &DescribeInstanceRamRoleResponse{RegionId: c.RegionID, TotalCount: total,
		InstanceRamRoleSets: InstanceRamRoleSets{InstanceRamRoleSet: []InstanceRamRoleSet{}}}
	for _, s := range sets {
		resp.InstanceRamRoleSets.InstanceRamRoleSet = append(resp.InstanceRamRoleSets.InstanceRamRoleSet,
			InstanceRamRoleSet{InstanceId: s.InstanceID, RamRoleName: s.RoleName})
	}
	return resp, nil
}
