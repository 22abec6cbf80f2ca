package ecs

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/disk"
	"github.com/ecsd/ecsd/internal/store"
)

// diskTimeLayout is how disk times are rendered: ISO 8601 in UTC, to the
// minute (DiskItemType, guide 1.17.4: YYYY-MM-DDThh:mmZ).
const diskTimeLayout = "2006-01-02T15:04Z"

// diskMultiAttachDisabled is every disk's MultiAttach: ecsd has no shared disks.
const diskMultiAttachDisabled = "Disabled"

// DiskTagParam is one Tag.N of a disk request.
type DiskTagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// CreateDiskRequest holds the parameters of CreateDisk (guide 1.7.1, plus the
// SDK's PerformanceLevel, KMSKeyId and Tag.N).
type CreateDiskRequest struct {
	// RegionId is the disk's region (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// ZoneId is the zone the disk is created in.
	ZoneId string `param:"ZoneId,required"`
	// DiskName is 2–128 characters, starting with a letter or Chinese character.
	DiskName string `param:"DiskName"`
	// Description is 2–256 characters.
	Description string `param:"Description"`
	// Encrypted marks the disk encrypted (default false).
	Encrypted bool `param:"Encrypted"`
	// DiskCategory is cloud (default), cloud_efficiency, cloud_ssd or cloud_essd.
	DiskCategory string `param:"DiskCategory"`
	// PerformanceLevel is PL0–PL3 for cloud_essd (default PL1).
	PerformanceLevel string `param:"PerformanceLevel"`
	// Size is the size in GiB; one of Size and SnapshotId is required.
	Size *int `param:"Size"`
	// SnapshotId is the snapshot to create the disk from (ecsd has none yet).
	SnapshotId string `param:"SnapshotId"`
	// KMSKeyId is kept and reported for an encrypted disk.
	KMSKeyId string `param:"KMSKeyId"`
	// Tag are up to 20 tags to put on the disk.
	Tag []DiskTagParam `param:"Tag"`
	// ClientToken makes the call idempotent (guide 1.18.6).
	ClientToken string `param:"ClientToken"`
}

// CreateDiskResponse is the answer of CreateDisk.
type CreateDiskResponse struct {
	DiskId string `json:"DiskId"`
}

// CreateDisk creates a portable data disk (guide 1.7.1).
func (h *Handlers) CreateDisk(ctx context.Context, req *CreateDiskRequest) (*CreateDiskResponse, error) {
	id, err := h.deps.Disks.Create(ctx, diskCaller(ctx), disk.CreateInput{
		ZoneID: req.ZoneId, Name: req.DiskName, Description: req.Description, Category: req.DiskCategory,
		PerformanceLevel: req.PerformanceLevel, Size: req.Size, SnapshotID: req.SnapshotId, Encrypted: req.Encrypted,
		KMSKeyID: req.KMSKeyId, Tags: diskTags(req.Tag), ClientToken: req.ClientToken,
	})
	if err != nil {
		return nil, err
	}
	return &CreateDiskResponse{DiskId: id}, nil
}

// DescribeDisksRequest holds the parameters of DescribeDisks (guide 1.7.2, plus
// the SDK's Encrypted, DiskChargeType, LockReason, NextToken and MaxResults).
// The enumerated filters are checked by the service, which answers the guide's
// *.ValueNotSupported codes.
type DescribeDisksRequest struct {
	RegionId string `param:"RegionId"`
	ZoneId   string `param:"ZoneId"`
	// DiskIds is a JSON array of up to 100 disk IDs; [] lists nothing.
	DiskIds    string `param:"DiskIds"`
	InstanceId string `param:"InstanceId"`
	// DiskType is all (default), system or data.
	DiskType string `param:"DiskType"`
	// Category is all (default) or a disk category.
	Category string `param:"Category"`
	// Status is All (default) or a disk status.
	Status     string `param:"Status"`
	SnapshotId string `param:"SnapshotId"`
	DiskName   string `param:"DiskName"`
	// Portable, DeleteWithInstance, DeleteAutoSnapshot, EnableAutoSnapshot and
	// Encrypted select disks with that value.
	Portable           *bool  `param:"Portable"`
	DeleteWithInstance *bool  `param:"DeleteWithInstance"`
	DeleteAutoSnapshot *bool  `param:"DeleteAutoSnapshot"`
	EnableAutoSnapshot *bool  `param:"EnableAutoSnapshot"`
	Encrypted          *bool  `param:"Encrypted"`
	DiskChargeType     string `param:"DiskChargeType"`
	LockReason         string `param:"LockReason"`
	// Tag are up to 5 tags every listed disk carries.
	Tag []DiskTagParam `param:"Tag"`
	// PageNumber starts at 1; PageSize is 1–100, default 10.
	PageNumber *int `param:"PageNumber" min:"1"`
	PageSize   *int `param:"PageSize" min:"1" max:"100"`
	// NextToken and MaxResults (1–500, default 10) page by cursor instead.
	NextToken  string `param:"NextToken"`
	MaxResults *int   `param:"MaxResults"`
}

// DescribeDisksResponse is the answer of DescribeDisks.
type DescribeDisksResponse struct {
	TotalCount int     `json:"TotalCount"`
	PageNumber int     `json:"PageNumber"`
	PageSize   int     `json:"PageSize"`
	NextToken  string  `json:"NextToken"`
	Disks      DiskSet `json:"Disks"`
}

// DiskSet is the SDK's DisksInDescribeDisks container.
type DiskSet struct {
	Disk []DiskItem `json:"Disk"`
}

// DiskItem is one disk (the guide's DiskItemType, with the SDK's extra fields
// ecsd can fill truthfully).
type DiskItem struct {
	DiskId                        string             `json:"DiskId"`
	RegionId                      string             `json:"RegionId"`
	ZoneId                        string             `json:"ZoneId"`
	DiskName                      string             `json:"DiskName"`
	Description                   string             `json:"Description"`
	Type                          string             `json:"Type"`
	Category                      string             `json:"Category"`
	Size                          int                `json:"Size"`
	PerformanceLevel              string             `json:"PerformanceLevel"`
	ImageId                       string             `json:"ImageId"`
	SourceSnapshotId              string             `json:"SourceSnapshotId"`
	Portable                      bool               `json:"Portable"`
	Status                        string             `json:"Status"`
	OperationLocks                DiskOperationLocks `json:"OperationLocks"`
	InstanceId                    string             `json:"InstanceId"`
	Device                        string             `json:"Device"`
	DeleteWithInstance            bool               `json:"DeleteWithInstance"`
	DeleteAutoSnapshot            bool               `json:"DeleteAutoSnapshot"`
	EnableAutoSnapshot            bool               `json:"EnableAutoSnapshot"`
	EnableAutomatedSnapshotPolicy bool               `json:"EnableAutomatedSnapshotPolicy"`
	Encrypted                     bool               `json:"Encrypted"`
	KMSKeyId                      string             `json:"KMSKeyId"`
	DiskChargeType                string             `json:"DiskChargeType"`
	MultiAttach                   string             `json:"MultiAttach"`
	MountInstanceNum              int                `json:"MountInstanceNum"`
	Attachments                   DiskAttachments    `json:"Attachments"`
	CreationTime                  string             `json:"CreationTime"`
	AttachedTime                  string             `json:"AttachedTime"`
	DetachedTime                  string             `json:"DetachedTime"`
	ProductCode                   string             `json:"ProductCode"`
	ResourceGroupId               string             `json:"ResourceGroupId"`
	AutoSnapshotPolicyId          string             `json:"AutoSnapshotPolicyId"`
	Tags                          DiskTags           `json:"Tags"`
}

// DiskOperationLocks is the SDK's OperationLocksInDescribeDisks container.
type DiskOperationLocks struct {
	OperationLock []DiskOperationLock `json:"OperationLock"`
}

// DiskOperationLock is one lock reason (OperationLocksType, 1.17.14).
type DiskOperationLock struct {
	LockReason string `json:"LockReason"`
}

// DiskAttachments is the SDK's Attachments container of a disk.
type DiskAttachments struct {
	Attachment []DiskAttachment `json:"Attachment"`
}

// DiskAttachment is the instance an In_use disk is attached to.
type DiskAttachment struct {
	InstanceId   string `json:"InstanceId"`
	Device       string `json:"Device"`
	AttachedTime string `json:"AttachedTime"`
}

// DiskTags is the SDK's TagsInDescribeDisks container.
type DiskTags struct {
	Tag []DiskTag `json:"Tag"`
}

// DiskTag is one tag of a disk.
type DiskTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// DescribeDisks lists the caller's disks in the region that pass every filter,
// newest first (guide 1.7.2). Another account's disks are never listed.
func (h *Handlers) DescribeDisks(ctx context.Context, req *DescribeDisksRequest) (*DescribeDisksResponse, error) {
	ids, err := disk.ParseDiskIDs(req.DiskIds)
	if err != nil {
		return nil, err
	}
	q := disk.ListQuery{ZoneID: req.ZoneId, IDs: ids, InstanceID: req.InstanceId, DiskType: req.DiskType,
		Category: req.Category, Status: req.Status, SnapshotID: req.SnapshotId, Name: req.DiskName,
		Portable: req.Portable, DeleteWithInstance: req.DeleteWithInstance, DeleteAutoSnapshot: req.DeleteAutoSnapshot,
		EnableAutoSnapshot: req.EnableAutoSnapshot, Encrypted: req.Encrypted, DiskChargeType: req.DiskChargeType,
		LockReason: req.LockReason, Tags: diskTags(req.Tag), NextToken: req.NextToken}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	q.MaxResults = req.MaxResults
	res, err := h.deps.Disks.List(ctx, diskCaller(ctx), q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeDisksResponse{TotalCount: res.TotalCount, PageNumber: res.PageNumber, PageSize: res.PageSize,
		NextToken: res.NextToken, Disks: DiskSet{Disk: make([]DiskItem, 0, len(res.Disks))}}
	for _, v := range res.Disks {
		resp.Disks.Disk = append(resp.Disks.Disk, diskItem(v))
	}
	return resp, nil
}

// diskItem renders one disk. InstanceId, Device and the attachment are shown
// only while the disk is In_use, as DiskItemType says.
func diskItem(v disk.View) DiskItem {
	d := v.Disk
	item := DiskItem{DiskId: d.ID, RegionId: d.RegionID, ZoneId: d.ZoneID, DiskName: d.Name, Description: d.Description,
		Type: d.Type, Category: d.Category, Size: d.SizeGiB, PerformanceLevel: d.PerformanceLevel, ImageId: d.ImageID,
		SourceSnapshotId: d.SourceSnapshotID, Portable: d.Portable, Status: d.Status,
		OperationLocks:     DiskOperationLocks{OperationLock: []DiskOperationLock{}},
		DeleteWithInstance: d.DeleteWithInstance, DeleteAutoSnapshot: d.DeleteAutoSnapshot,
		EnableAutoSnapshot: d.EnableAutoSnapshot, EnableAutomatedSnapshotPolicy: d.EnableAutoSnapshot,
		Encrypted: d.Encrypted, KMSKeyId: d.KMSKeyID, DiskChargeType: v.ChargeType, MultiAttach: diskMultiAttachDisabled,
		Attachments: DiskAttachments{Attachment: []DiskAttachment{}}, CreationTime: diskTime(d.CreatedAt),
		AttachedTime: diskTime(d.AttachedAt), DetachedTime: diskTime(d.DetachedAt), AutoSnapshotPolicyId: v.AutoSnapshotPolicyID,
		Tags: DiskTags{Tag: []DiskTag{}}}
	if d.Status == disk.StatusInUse {
		item.InstanceId, item.Device, item.MountInstanceNum = d.InstanceID, d.Device, 1
		item.Attachments.Attachment = append(item.Attachments.Attachment,
			DiskAttachment{InstanceId: d.InstanceID, Device: d.Device, AttachedTime: item.AttachedTime})
	}
	for _, l := range v.OperationLocks {
		item.OperationLocks.OperationLock = append(item.OperationLocks.OperationLock, DiskOperationLock{LockReason: l})
	}
	for _, t := range v.Tags {
		item.Tags.Tag = append(item.Tags.Tag, DiskTag{TagKey: t.Key, TagValue: t.Value})
	}
	return item
}

// diskTime renders a disk time, or "" for an unset one.
func diskTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(diskTimeLayout)
}

// ModifyDiskAttributeRequest holds the parameters of ModifyDiskAttribute (guide
// 1.7.5). Absent parameters keep their values; an empty Description clears it.
type ModifyDiskAttributeRequest struct {
	RegionId           string  `param:"RegionId"`
	DiskId             string  `param:"DiskId,required"`
	DiskName           *string `param:"DiskName"`
	Description        *string `param:"Description"`
	DeleteWithInstance *bool   `param:"DeleteWithInstance"`
	DeleteAutoSnapshot *bool   `param:"DeleteAutoSnapshot"`
	EnableAutoSnapshot *bool   `param:"EnableAutoSnapshot"`
}

// ModifyDiskAttributeResponse is the answer of ModifyDiskAttribute (RequestId only).
type ModifyDiskAttributeResponse struct{}

// ModifyDiskAttribute changes a disk's name, description and flags (guide 1.7.5).
func (h *Handlers) ModifyDiskAttribute(ctx context.Context, req *ModifyDiskAttributeRequest) (*ModifyDiskAttributeResponse, error) {
	err := h.deps.Disks.ModifyAttribute(ctx, diskCaller(ctx), disk.ModifyInput{DiskID: req.DiskId, Name: req.DiskName,
		Description: req.Description, DeleteWithInstance: req.DeleteWithInstance, DeleteAutoSnapshot: req.DeleteAutoSnapshot,
		EnableAutoSnapshot: req.EnableAutoSnapshot})
	if err != nil {
		return nil, err
	}
	return &ModifyDiskAttributeResponse{}, nil
}

// DeleteDiskRequest holds the parameters of DeleteDisk (guide 1.7.10).
type DeleteDiskRequest struct {
	RegionId string `param:"RegionId"`
	DiskId   string `param:"DiskId,required"`
}

// DeleteDiskResponse is the answer of DeleteDisk (RequestId only).
type DeleteDiskResponse struct{}

// DeleteDisk deletes an Available portable disk; a disk that does not exist is
// ignored, as the guide says (1.7.10).
func (h *Handlers) DeleteDisk(ctx context.Context, req *DeleteDiskRequest) (*DeleteDiskResponse, error) {
	if err := h.deps.Disks.Delete(ctx, diskCaller(ctx), req.DiskId); err != nil {
		return nil, err
	}
	return &DeleteDiskResponse{}, nil
}

// diskCaller is the caller of a disk action.
func diskCaller(ctx context.Context) disk.Caller {
	c := reqctx.From(ctx)
	return disk.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// diskTags converts Tag.N parameters.
func diskTags(params []DiskTagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}
