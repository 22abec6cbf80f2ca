package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/snapshot"
)

// The automatic snapshot policy actions (guide 1.8.7–1.8.12). The guide names
// their parameters in CamelCase (TimePoints); the official SDKs send some in
// lower camel case (timePoints, autoSnapshotPolicyId, diskIds …): both are read,
// the guide's first.

// PolicyParams are the parameters CreateAutoSnapshotPolicy and
// ModifyAutoSnapshotPolicyEx share, in both spellings.
type PolicyParams struct {
	AutoSnapshotPolicyName      string `param:"AutoSnapshotPolicyName"`
	AutoSnapshotPolicyNameLower string `param:"autoSnapshotPolicyName"`
	// TimePoints is a JSON array of hours 0–23; RepeatWeekdays of days 1–7.
	TimePoints          string `param:"TimePoints"`
	TimePointsLower     string `param:"timePoints"`
	RepeatWeekdays      string `param:"RepeatWeekdays"`
	RepeatWeekdaysLower string `param:"repeatWeekdays"`
	// RetentionDays is -1 (forever) or 1–65536.
	RetentionDays      *int   `param:"RetentionDays"`
	RetentionDaysLower *int   `param:"retentionDays"`
	ClientToken        string `param:"ClientToken"`
}

func (p PolicyParams) input(id string) snapshot.PolicyInput {
	in := snapshot.PolicyInput{PolicyID: id, Name: firstNonEmpty(p.AutoSnapshotPolicyName, p.AutoSnapshotPolicyNameLower),
		TimePoints: firstNonEmpty(p.TimePoints, p.TimePointsLower), RepeatWeekdays: firstNonEmpty(p.RepeatWeekdays, p.RepeatWeekdaysLower),
		RetentionDays: p.RetentionDays, ClientToken: p.ClientToken}
	if in.RetentionDays == nil {
		in.RetentionDays = p.RetentionDaysLower
	}
	return in
}

// CreateAutoSnapshotPolicyRequest holds the parameters of CreateAutoSnapshotPolicy (guide 1.8.7).
type CreateAutoSnapshotPolicyRequest struct {
	RegionId string `param:"RegionId"`
	PolicyParams
}

// CreateAutoSnapshotPolicyResponse is the answer of CreateAutoSnapshotPolicy.
type CreateAutoSnapshotPolicyResponse struct {
	AutoSnapshotPolicyId string `json:"AutoSnapshotPolicyId"`
}

// CreateAutoSnapshotPolicy creates an automatic snapshot policy (guide 1.8.7).
func (h *Handlers) CreateAutoSnapshotPolicy(ctx context.Context, req *CreateAutoSnapshotPolicyRequest) (*CreateAutoSnapshotPolicyResponse, error) {
	id, err := h.deps.Snapshots.CreatePolicy(ctx, snapshotCaller(ctx), req.input(""))
	if err != nil {
		return nil, err
	}
	return &CreateAutoSnapshotPolicyResponse{AutoSnapshotPolicyId: id}, nil
}

// ModifyAutoSnapshotPolicyExRequest holds the parameters of ModifyAutoSnapshotPolicyEx (guide 1.8.9).
type ModifyAutoSnapshotPolicyExRequest struct {
	RegionId                  string `param:"RegionId"`
	AutoSnapshotPolicyId      string `param:"AutoSnapshotPolicyId"`
	AutoSnapshotPolicyIdLower string `param:"autoSnapshotPolicyId"`
	PolicyParams
}

// ModifyAutoSnapshotPolicyExResponse is the answer of ModifyAutoSnapshotPolicyEx (RequestId only).
type ModifyAutoSnapshotPolicyExResponse struct{}

// ModifyAutoSnapshotPolicyEx changes a policy; empty parameters keep their values (guide 1.8.9).
func (h *Handlers) ModifyAutoSnapshotPolicyEx(ctx context.Context, req *ModifyAutoSnapshotPolicyExRequest) (*ModifyAutoSnapshotPolicyExResponse, error) {
	id := firstNonEmpty(req.AutoSnapshotPolicyId, req.AutoSnapshotPolicyIdLower)
	if err := h.deps.Snapshots.ModifyPolicy(ctx, snapshotCaller(ctx), req.input(id)); err != nil {
		return nil, err
	}
	return &ModifyAutoSnapshotPolicyExResponse{}, nil
}

// DeleteAutoSnapshotPolicyRequest holds the parameters of DeleteAutoSnapshotPolicy (guide 1.8.8).
type DeleteAutoSnapshotPolicyRequest struct {
	RegionId                  string `param:"RegionId"`
	AutoSnapshotPolicyId      string `param:"AutoSnapshotPolicyId"`
	AutoSnapshotPolicyIdLower string `param:"autoSnapshotPolicyId"`
}

// DeleteAutoSnapshotPolicyResponse is the answer of DeleteAutoSnapshotPolicy (RequestId only).
type DeleteAutoSnapshotPolicyResponse struct{}

// DeleteAutoSnapshotPolicy deletes a policy; its disks stop executing it (guide 1.8.8).
func (h *Handlers) DeleteAutoSnapshotPolicy(ctx context.Context, req *DeleteAutoSnapshotPolicyRequest) (*DeleteAutoSnapshotPolicyResponse, error) {
	id := firstNonEmpty(req.AutoSnapshotPolicyId, req.AutoSnapshotPolicyIdLower)
	if err := h.deps.Snapshots.DeletePolicy(ctx, snapshotCaller(ctx), id); err != nil {
		return nil, err
	}
	return &DeleteAutoSnapshotPolicyResponse{}, nil
}

// DescribeAutoSnapshotPolicyExRequest holds the parameters of DescribeAutoSnapshotPolicyEx (guide 1.8.10).
type DescribeAutoSnapshotPolicyExRequest struct {
	RegionId string `param:"RegionId"`
	// AutoSnapshotPolicyId is one ID or a JSON array of IDs.
	AutoSnapshotPolicyId   string `param:"AutoSnapshotPolicyId"`
	AutoSnapshotPolicyName string `param:"AutoSnapshotPolicyName"`
	PageNumber             *int   `param:"PageNumber" min:"1"`
	PageSize               *int   `param:"PageSize"`
}

// DescribeAutoSnapshotPolicyExResponse is the answer of DescribeAutoSnapshotPolicyEx.
type DescribeAutoSnapshotPolicyExResponse struct {
	TotalCount           int                   `json:"TotalCount"`
	PageNumber           int                   `json:"PageNumber"`
	PageSize             int                   `json:"PageSize"`
	AutoSnapshotPolicies AutoSnapshotPolicySet `json:"AutoSnapshotPolicies"`
}

// AutoSnapshotPolicySet is the SDK's AutoSnapshotPolicies container (the
// guide's example spells it AutoSnapshotPolicys; clients decode the SDK's).
type AutoSnapshotPolicySet struct {
	AutoSnapshotPolicy []AutoSnapshotPolicyItem `json:"AutoSnapshotPolicy"`
}

// AutoSnapshotPolicyItem is one policy (the guide's AutoSnapshotPolicyType,
// 1.17.22); TimePoints and RepeatWeekdays are JSON arrays in strings.
type AutoSnapshotPolicyItem struct {
	AutoSnapshotPolicyId         string       `json:"AutoSnapshotPolicyId"`
	AutoSnapshotPolicyName       string       `json:"AutoSnapshotPolicyName"`
	RegionId                     string       `json:"RegionId"`
	TimePoints                   string       `json:"TimePoints"`
	RepeatWeekdays               string       `json:"RepeatWeekdays"`
	RetentionDays                int          `json:"RetentionDays"`
	DiskNums                     int          `json:"DiskNums"`
	VolumeNums                   int          `json:"VolumeNums"`
	Status                       string       `json:"Status"`
	CreationTime                 string       `json:"CreationTime"`
	Type                         string       `json:"Type"`
	EnableCrossRegionCopy        bool         `json:"EnableCrossRegionCopy"`
	TargetCopyRegions            string       `json:"TargetCopyRegions"`
	CopiedSnapshotsRetentionDays int          `json:"CopiedSnapshotsRetentionDays"`
	ResourceGroupId              string       `json:"ResourceGroupId"`
	Tags                         SnapshotTags `json:"Tags"`
}

// DescribeAutoSnapshotPolicyEx lists the caller's policies in the region (guide 1.8.10).
func (h *Handlers) DescribeAutoSnapshotPolicyEx(ctx context.Context, req *DescribeAutoSnapshotPolicyExRequest) (*DescribeAutoSnapshotPolicyExResponse, error) {
	q := snapshot.PolicyQuery{PolicyIDs: req.AutoSnapshotPolicyId, Name: req.AutoSnapshotPolicyName}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	res, err := h.deps.Snapshots.DescribePolicies(ctx, snapshotCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeAutoSnapshotPolicyExResponse{TotalCount: res.TotalCount, PageNumber: res.PageNumber, PageSize: res.PageSize,
		AutoSnapshotPolicies: AutoSnapshotPolicySet{AutoSnapshotPolicy: make([]AutoSnapshotPolicyItem, 0, len(res.Policies))}}
	for _, p := range res.Policies {
		resp.AutoSnapshotPolicies.AutoSnapshotPolicy = append(resp.AutoSnapshotPolicies.AutoSnapshotPolicy, AutoSnapshotPolicyItem{
			AutoSnapshotPolicyId: p.ID, AutoSnapshotPolicyName: p.Name, RegionId: p.RegionID,
			TimePoints: snapshot.FormatNumbers(p.TimePoints), RepeatWeekdays: snapshot.FormatNumbers(p.RepeatWeekdays),
			RetentionDays: p.RetentionDays, DiskNums: p.DiskNums, Status: snapshot.PolicyStatus,
			CreationTime: snapshotTime(p.CreatedAt), Type: "Custom", TargetCopyRegions: "[]", CopiedSnapshotsRetentionDays: -1,
			Tags: SnapshotTags{Tag: []DiskTag{}}})
	}
	return resp, nil
}

// ApplyAutoSnapshotPolicyRequest holds the parameters of ApplyAutoSnapshotPolicy (guide 1.8.11).
type ApplyAutoSnapshotPolicyRequest struct {
	RegionId                  string `param:"RegionId"`
	AutoSnapshotPolicyId      string `param:"AutoSnapshotPolicyId"`
	AutoSnapshotPolicyIdLower string `param:"autoSnapshotPolicyId"`
	// DiskIds is a JSON array of disk IDs.
	DiskIds      string `param:"DiskIds"`
	DiskIdsLower string `param:"diskIds"`
}

// ApplyAutoSnapshotPolicyResponse is the answer of ApplyAutoSnapshotPolicy (RequestId only).
type ApplyAutoSnapshotPolicyResponse struct{}

// ApplyAutoSnapshotPolicy makes disks execute a policy (guide 1.8.11).
func (h *Handlers) ApplyAutoSnapshotPolicy(ctx context.Context, req *ApplyAutoSnapshotPolicyRequest) (*ApplyAutoSnapshotPolicyResponse, error) {
	err := h.deps.Snapshots.ApplyPolicy(ctx, snapshotCaller(ctx), firstNonEmpty(req.AutoSnapshotPolicyId, req.AutoSnapshotPolicyIdLower),
		firstNonEmpty(req.DiskIds, req.DiskIdsLower))
	if err != nil {
		return nil, err
	}
	return &ApplyAutoSnapshotPolicyResponse{}, nil
}

// CancelAutoSnapshotPolicyRequest holds the parameters of CancelAutoSnapshotPolicy (guide 1.8.12).
type CancelAutoSnapshotPolicyRequest struct {
	RegionId     string `param:"RegionId"`
	DiskIds      string `param:"DiskIds"`
	DiskIdsLower string `param:"diskIds"`
}

// CancelAutoSnapshotPolicyResponse is the answer of CancelAutoSnapshotPolicy (RequestId only).
type CancelAutoSnapshotPolicyResponse struct{}

// CancelAutoSnapshotPolicy makes disks stop executing their policies (guide 1.8.12).
func (h *Handlers) CancelAutoSnapshotPolicy(ctx context.Context, req *CancelAutoSnapshotPolicyRequest) (*CancelAutoSnapshotPolicyResponse, error) {
	if err := h.deps.Snapshots.CancelPolicy(ctx, snapshotCaller(ctx), firstNonEmpty(req.DiskIds, req.DiskIdsLower)); err != nil {
		return nil, err
	}
	return &CancelAutoSnapshotPolicyResponse{}, nil
}
