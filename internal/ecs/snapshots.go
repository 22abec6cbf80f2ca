package ecs

import (
	"context"
	"strconv"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/store"
)

// snapshotTimeLayout is how snapshot and policy times are rendered: ISO 8601 in
// UTC with seconds, as the guide's examples of 1.8.3 and 1.8.10 show them.
const snapshotTimeLayout = "2006-01-02T15:04:05Z"

// CreateSnapshotRequest holds the parameters of CreateSnapshot (guide 1.8.1,
// plus the SDK's RetentionDays and Tag.N; its Category, InstantAccess and
// resource group are accepted without effect).
type CreateSnapshotRequest struct {
	RegionId     string `param:"RegionId"`
	DiskId       string `param:"DiskId"`
	SnapshotName string `param:"SnapshotName"`
	Description  string `param:"Description"`
	// RetentionDays deletes the snapshot after that many days (1–65536).
	RetentionDays *int           `param:"RetentionDays"`
	Tag           []DiskTagParam `param:"Tag"`
	ClientToken   string         `param:"ClientToken"`
}

// CreateSnapshotResponse is the answer of CreateSnapshot.
type CreateSnapshotResponse struct {
	SnapshotId string `json:"SnapshotId"`
}

// CreateSnapshot takes a snapshot of a disk (guide 1.8.1): progressing at 0% at
// once, accomplished at 100% when the copy is done.
func (h *Handlers) CreateSnapshot(ctx context.Context, req *CreateSnapshotRequest) (*CreateSnapshotResponse, error) {
	id, err := h.deps.Snapshots.Create(ctx, snapshotCaller(ctx), snapshot.CreateInput{DiskID: req.DiskId, Name: req.SnapshotName,
		Description: req.Description, RetentionDays: req.RetentionDays, Tags: diskTags(req.Tag), ClientToken: req.ClientToken})
	if err != nil {
		return nil, err
	}
	return &CreateSnapshotResponse{SnapshotId: id}, nil
}

// DeleteSnapshotRequest holds the parameters of DeleteSnapshot (guide 1.8.2,
// plus the SDK's Force).
type DeleteSnapshotRequest struct {
	RegionId   string `param:"RegionId"`
	SnapshotId string `param:"SnapshotId"`
	// Force deletes a snapshot disks were made from.
	Force bool `param:"Force"`
}

// DeleteSnapshotResponse is the answer of DeleteSnapshot (RequestId only).
type DeleteSnapshotResponse struct{}

// DeleteSnapshot deletes a snapshot; a missing one is ignored (guide 1.8.2).
func (h *Handlers) DeleteSnapshot(ctx context.Context, req *DeleteSnapshotRequest) (*DeleteSnapshotResponse, error) {
	if err := h.deps.Snapshots.Delete(ctx, snapshotCaller(ctx), req.SnapshotId, req.Force); err != nil {
		return nil, err
	}
	return &DeleteSnapshotResponse{}, nil
}

// SnapshotFilterParam is one Filter.N of DescribeSnapshots (SDK).
type SnapshotFilterParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// DescribeSnapshotsRequest holds the parameters of DescribeSnapshots (guide
// 1.8.3, plus the SDK's SnapshotLinkId, Encrypted, Filter.N, NextToken,
// MaxResults and DryRun). The enumerated filters are checked by the service.
type DescribeSnapshotsRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId"`
	DiskId     string `param:"DiskId"`
	// SnapshotIds is a JSON array of up to 100 IDs.
	SnapshotIds    string                `param:"SnapshotIds"`
	SnapshotLinkId string                `param:"SnapshotLinkId"`
	SnapshotName   string                `param:"SnapshotName"`
	Status         string                `param:"Status"`
	SnapshotType   string                `param:"SnapshotType"`
	SourceDiskType string                `param:"SourceDiskType"`
	Usage          string                `param:"Usage"`
	Encrypted      *bool                 `param:"Encrypted"`
	Tag            []DiskTagParam        `param:"Tag"`
	Filter         []SnapshotFilterParam `param:"Filter"`
	PageNumber     *int                  `param:"PageNumber" min:"1"`
	PageSize       *int                  `param:"PageSize"`
	NextToken      string                `param:"NextToken"`
	MaxResults     *int                  `param:"MaxResults"`
	DryRun         bool                  `param:"DryRun"`
}

// DescribeSnapshotsResponse is the answer of DescribeSnapshots.
type DescribeSnapshotsResponse struct {
	TotalCount int         `json:"TotalCount"`
	PageNumber int         `json:"PageNumber"`
	PageSize   int         `json:"PageSize"`
	NextToken  string      `json:"NextToken"`
	Snapshots  SnapshotSet `json:"Snapshots"`
}

// SnapshotSet is the SDK's SnapshotsInDescribeSnapshots container.
type SnapshotSet struct {
	Snapshot []SnapshotItem `json:"Snapshot"`
}

// SnapshotItem is one snapshot (the guide's SnapshotType, 1.17.18, with the
// SDK's fields ecsd can fill truthfully; SourceDiskSize is a string there).
type SnapshotItem struct {
	SnapshotId        string       `json:"SnapshotId"`
	SnapshotName      string       `json:"SnapshotName"`
	Description       string       `json:"Description"`
	Progress          string       `json:"Progress"`
	SourceDiskId      string       `json:"SourceDiskId"`
	SourceDiskSize    string       `json:"SourceDiskSize"`
	SourceDiskType    string       `json:"SourceDiskType"`
	SourceStorageType string       `json:"SourceStorageType"`
	CreationTime      string       `json:"CreationTime"`
	LastModifiedTime  string       `json:"LastModifiedTime"`
	Status            string       `json:"Status"`
	Usage             string       `json:"Usage"`
	SnapshotType      string       `json:"SnapshotType"`
	SnapshotLinkId    string       `json:"SnapshotLinkId"`
	RetentionDays     int          `json:"RetentionDays"`
	RemainTime        int          `json:"RemainTime"`
	Available         bool         `json:"Available"`
	Encrypted         bool         `json:"Encrypted"`
	KMSKeyId          string       `json:"KMSKeyId"`
	Category          string       `json:"Category"`
	InstantAccess     bool         `json:"InstantAccess"`
	RegionId          string       `json:"RegionId"`
	ProductCode       string       `json:"ProductCode"`
	ResourceGroupId   string       `json:"ResourceGroupId"`
	SourceSnapshotId  string       `json:"SourceSnapshotId"`
	SourceRegionId    string       `json:"SourceRegionId"`
	SnapshotSN        string       `json:"SnapshotSN"`
	Tags              SnapshotTags `json:"Tags"`
}

// SnapshotTags is the SDK's TagsInDescribeSnapshots container.
type SnapshotTags struct {
	Tag []DiskTag `json:"Tag"`
}

// DescribeSnapshots lists the caller's snapshots in the region, newest first
// (guide 1.8.3).
func (h *Handlers) DescribeSnapshots(ctx context.Context, req *DescribeSnapshotsRequest) (*DescribeSnapshotsResponse, error) {
	q := snapshot.Query{InstanceID: req.InstanceId, DiskID: req.DiskId, SnapshotIDs: req.SnapshotIds,
		SnapshotLinkID: req.SnapshotLinkId, Name: req.SnapshotName, Status: req.Status, SnapshotType: req.SnapshotType,
		SourceDiskType: req.SourceDiskType, Usage: req.Usage, Encrypted: req.Encrypted, Tags: diskTags(req.Tag),
		NextToken: req.NextToken, MaxResults: req.MaxResults}
	for _, f := range req.Filter {
		q.Filters = append(q.Filters, snapshot.Filter{Key: f.Key, Value: f.Value})
	}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	res, err := h.deps.Snapshots.List(ctx, snapshotCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	if req.DryRun {
		return nil, apierr.DryRunOperation()
	}
	resp := &DescribeSnapshotsResponse{TotalCount: res.TotalCount, PageNumber: res.PageNumber, PageSize: res.PageSize,
		NextToken: res.NextToken, Snapshots: SnapshotSet{Snapshot: make([]SnapshotItem, 0, len(res.Snapshots))}}
	for _, v := range res.Snapshots {
		resp.Snapshots.Snapshot = append(resp.Snapshots.Snapshot, snapshotItem(v))
	}
	return resp, nil
}

// snapshotItem renders one snapshot. RemainTime is the seconds until its
// retention runs out (0: kept until deleted).
func snapshotItem(v snapshot.View) SnapshotItem {
	s := v.Snapshot
	item := SnapshotItem{SnapshotId: s.ID, SnapshotName: s.Name, Description: s.Description,
		Progress: strconv.Itoa(s.Progress) + "%", SourceDiskId: s.SourceDiskID, SourceDiskSize: strconv.Itoa(s.SourceDiskSizeGiB),
		SourceDiskType: s.SourceDiskType, SourceStorageType: "disk", CreationTime: snapshotTime(s.CreatedAt),
		LastModifiedTime: snapshotTime(s.FinishedAt), Status: s.Status, Usage: s.Usage(), SnapshotType: s.Type,
		SnapshotLinkId: s.SourceDiskID, RetentionDays: s.RetentionDays, Available: s.Status == store.SnapshotAccomplished,
		Encrypted: s.Encrypted, KMSKeyId: s.KMSKeyID, Category: "standard", RegionId: s.RegionID,
		RemainTime: v.RemainSeconds, Tags: SnapshotTags{Tag: []DiskTag{}}}
	for _, t := range v.Tags {
		item.Tags.Tag = append(item.Tags.Tag, DiskTag{TagKey: t.Key, TagValue: t.Value})
	}
	return item
}

// snapshotTime renders a snapshot time, or "" for an unset one.
func snapshotTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(snapshotTimeLayout)
}

// DescribeSnapshotLinksRequest holds the parameters of DescribeSnapshotLinks (guide 1.8.6).
type DescribeSnapshotLinksRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId"`
	// DiskIds and SnapshotLinkIds are JSON arrays of up to 100 IDs; a snapshot
	// chain's ID is its source disk's ID.
	DiskIds         string `param:"DiskIds"`
	SnapshotLinkIds string `param:"SnapshotLinkIds"`
	PageNumber      *int   `param:"PageNumber" min:"1"`
	PageSize        *int   `param:"PageSize"`
}

// DescribeSnapshotLinksResponse is the answer of DescribeSnapshotLinks.
type DescribeSnapshotLinksResponse struct {
	TotalCount    int             `json:"TotalCount"`
	PageNumber    int             `json:"PageNumber"`
	PageSize      int             `json:"PageSize"`
	SnapshotLinks SnapshotLinkSet `json:"SnapshotLinks"`
}

// SnapshotLinkSet is the SDK's SnapshotLinks container.
type SnapshotLinkSet struct {
	SnapshotLink []SnapshotLinkItem `json:"SnapshotLink"`
}

// SnapshotLinkItem is one disk's snapshot chain: how many snapshots and their
// total size in bytes.
type SnapshotLinkItem struct {
	SnapshotLinkId string `json:"SnapshotLinkId"`
	SourceDiskId   string `json:"SourceDiskId"`
	SourceDiskName string `json:"SourceDiskName"`
	SourceDiskSize int    `json:"SourceDiskSize"`
	SourceDiskType string `json:"SourceDiskType"`
	Category       string `json:"Category"`
	RegionId       string `json:"RegionId"`
	InstanceId     string `json:"InstanceId"`
	InstanceName   string `json:"InstanceName"`
	TotalCount     int    `json:"TotalCount"`
	TotalSize      int64  `json:"TotalSize"`
	InstantAccess  bool   `json:"InstantAccess"`
}

// DescribeSnapshotLinks lists the snapshot chains of the caller's disks (guide 1.8.6).
func (h *Handlers) DescribeSnapshotLinks(ctx context.Context, req *DescribeSnapshotLinksRequest) (*DescribeSnapshotLinksResponse, error) {
	q := snapshot.LinkQuery{InstanceID: req.InstanceId, DiskIDs: req.DiskIds, LinkIDs: req.SnapshotLinkIds}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	res, err := h.deps.Snapshots.Links(ctx, snapshotCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeSnapshotLinksResponse{TotalCount: res.TotalCount, PageNumber: res.PageNumber, PageSize: res.PageSize,
		SnapshotLinks: SnapshotLinkSet{SnapshotLink: make([]SnapshotLinkItem, 0, len(res.Links))}}
	for _, l := range res.Links {
		resp.SnapshotLinks.SnapshotLink = append(resp.SnapshotLinks.SnapshotLink, SnapshotLinkItem{SnapshotLinkId: l.SourceDiskID,
			SourceDiskId: l.SourceDiskID, SourceDiskName: l.SourceDiskName, SourceDiskSize: l.SourceDiskSizeGiB,
			SourceDiskType: l.SourceDiskType, Category: l.SourceDiskCategory, RegionId: l.RegionID, InstanceId: l.InstanceID,
			InstanceName: l.InstanceName, TotalCount: l.Count, TotalSize: l.TotalBytes})
	}
	return resp, nil
}

// ModifySnapshotAttributeRequest holds the parameters of ModifySnapshotAttribute
// (named in the guide's RAM table 1.3; used by Terraform's alicloud_ecs_snapshot).
type ModifySnapshotAttributeRequest struct {
	RegionId     string  `param:"RegionId"`
	SnapshotId   string  `param:"SnapshotId"`
	SnapshotName *string `param:"SnapshotName"`
	Description  *string `param:"Description"`
}

// ModifySnapshotAttributeResponse is the answer of ModifySnapshotAttribute (RequestId only).
type ModifySnapshotAttributeResponse struct{}

// ModifySnapshotAttribute renames a snapshot or changes its description.
func (h *Handlers) ModifySnapshotAttribute(ctx context.Context, req *ModifySnapshotAttributeRequest) (*ModifySnapshotAttributeResponse, error) {
	err := h.deps.Snapshots.ModifyAttribute(ctx, snapshotCaller(ctx), snapshot.ModifyInput{SnapshotID: req.SnapshotId,
		Name: req.SnapshotName, Description: req.Description})
	if err != nil {
		return nil, err
	}
	return &ModifySnapshotAttributeResponse{}, nil
}

// ResetDiskRequest holds the parameters of ResetDisk (guide 1.7.7, plus the SDK's DryRun).
type ResetDiskRequest struct {
	RegionId   string `param:"RegionId"`
	DiskId     string `param:"DiskId"`
	SnapshotId string `param:"SnapshotId"`
	DryRun     bool   `param:"DryRun"`
}

// ResetDiskResponse is the answer of ResetDisk (RequestId only).
type ResetDiskResponse struct{}

// ResetDisk rolls a disk back to one of its snapshots (guide 1.7.7); the disk
// is ReIniting until it is done.
func (h *Handlers) ResetDisk(ctx context.Context, req *ResetDiskRequest) (*ResetDiskResponse, error) {
	err := h.deps.Snapshots.ResetDisk(ctx, snapshotCaller(ctx), snapshot.ResetInput{DiskID: req.DiskId,
		SnapshotID: req.SnapshotId, DryRun: req.DryRun})
	if err != nil {
		return nil, err
	}
	return &ResetDiskResponse{}, nil
}

// ImportSnapshotRequest holds the parameters of ImportSnapshot (guide 1.8.4,
// which names OssBucket and OssObject and spells them OSSBucket, OSSObject in
// its example: both are read).
type ImportSnapshotRequest struct {
	RegionId     string `param:"RegionId"`
	SnapshotName string `param:"SnapshotName"`
	OssBucket    string `param:"OssBucket"`
	OSSBucket    string `param:"OSSBucket"`
	OssObject    string `param:"OssObject"`
	OSSObject    string `param:"OSSObject"`
	// RoleName is the RAM role the import acts through (Alibaba Cloud's
	// parameter; default AliyunECSImageImportDefaultRole).
	RoleName string `param:"RoleName"`
}

// ImportSnapshotResponse is the answer of ImportSnapshot.
type ImportSnapshotResponse struct {
	SnapshotId string `json:"SnapshotId"`
	TaskId     string `json:"TaskId"`
}

// ImportSnapshot imports a disk image file from the caller's bucket as a
// snapshot, through an ImportSnapshot task (docs/snapshots.md).
func (h *Handlers) ImportSnapshot(ctx context.Context, req *ImportSnapshotRequest) (*ImportSnapshotResponse, error) {
	out, err := h.deps.Snapshots.Import(ctx, snapshotCaller(ctx), snapshot.ImportInput{SnapshotName: req.SnapshotName,
		OssBucket: firstNonEmpty(req.OssBucket, req.OSSBucket), OssObject: firstNonEmpty(req.OssObject, req.OSSObject),
		RoleName: req.RoleName})
	if err != nil {
		return nil, err
	}
	return &ImportSnapshotResponse{SnapshotId: out.SnapshotID, TaskId: out.TaskID}, nil
}

// ExportSnapshotRequest holds the parameters of ExportSnapshot (guide 1.8.5).
type ExportSnapshotRequest struct {
	RegionId   string `param:"RegionId"`
	SnapshotId string `param:"SnapshotId"`
	OssBucket  string `param:"OssBucket"`
	OSSBucket  string `param:"OSSBucket"`
	// RoleName is the RAM role the export acts through (the SDK's; default
	// AliyunECSImageExportDefaultRole).
	RoleName string `param:"RoleName"`
}

// ExportSnapshotResponse is the answer of ExportSnapshot.
type ExportSnapshotResponse struct {
	TaskId string `json:"TaskId"`
}

// ExportSnapshot writes a snapshot into the caller's bucket through an
// ExportSnapshot task (docs/snapshots.md).
func (h *Handlers) ExportSnapshot(ctx context.Context, req *ExportSnapshotRequest) (*ExportSnapshotResponse, error) {
	taskID, err := h.deps.Snapshots.Export(ctx, snapshotCaller(ctx), snapshot.ExportInput{SnapshotID: req.SnapshotId,
		OssBucket: firstNonEmpty(req.OssBucket, req.OSSBucket), RoleName: req.RoleName})
	if err != nil {
		return nil, err
	}
	return &ExportSnapshotResponse{TaskId: taskID}, nil
}

// snapshotCaller is the caller of a snapshot action.
func snapshotCaller(ctx context.Context) snapshot.Caller {
	c := reqctx.From(ctx)
	return snapshot.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// firstNonEmpty returns the first value that is not empty.
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
