package ecs

import (
	"context"
	"strconv"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/image"
)

// imageCaller is the caller of an image action.
func imageCaller(ctx context.Context) image.Caller {
	c := reqctx.From(ctx)
	return image.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}

// CreateImageRequest holds the parameters of CreateImage (guide 1.9.1, plus
// the SDK's ImageFamily, Platform, Architecture and mapping Device/DiskType).
type CreateImageRequest struct {
	RegionId          string                    `param:"RegionId"`
	SnapshotId        string                    `param:"SnapshotId"`
	InstanceId        string                    `param:"InstanceId"`
	DiskDeviceMapping []CreateImageMappingParam `param:"DiskDeviceMapping"`
	ImageName         string                    `param:"ImageName"`
	ImageVersion      string                    `param:"ImageVersion"`
	Description       string                    `param:"Description"`
	ImageFamily       string                    `param:"ImageFamily"`
	Platform          string                    `param:"Platform"`
	Architecture      string                    `param:"Architecture"`
	ClientToken       string                    `param:"ClientToken"`
}

// CreateImageMappingParam is one DiskDeviceMapping.N of CreateImage.
type CreateImageMappingParam struct {
	SnapshotId string `param:"SnapshotId"`
	Size       string `param:"Size"`
	Device     string `param:"Device"`
	DiskType   string `param:"DiskType"`
}

// CreateImageResponse is the answer of CreateImage.
type CreateImageResponse struct {
	ImageId string `json:"ImageId"`
}

// CreateImage makes a custom image from a snapshot, disk mappings or an
// instance (guide 1.9.1): Creating at once, Available when its snapshots are.
func (h *Handlers) CreateImage(ctx context.Context, req *CreateImageRequest) (*CreateImageResponse, error) {
	in := image.CreateInput{SnapshotID: req.SnapshotId, InstanceID: req.InstanceId, Name: req.ImageName,
		Version: req.ImageVersion, Description: req.Description, Family: req.ImageFamily, Platform: req.Platform,
		Architecture: req.Architecture, ClientToken: req.ClientToken}
	for _, m := range req.DiskDeviceMapping {
		in.Mappings = append(in.Mappings, image.MappingInput{SnapshotID: m.SnapshotId, Size: m.Size, Device: m.Device, DiskType: m.DiskType})
	}
	id, err := h.deps.Images.Create(ctx, imageCaller(ctx), in)
	if err != nil {
		return nil, err
	}
	return &CreateImageResponse{ImageId: id}, nil
}

// ModifyImageAttributeRequest holds the parameters of ModifyImageAttribute
// (guide 1.9.3, plus the SDK's ImageFamily and Status).
type ModifyImageAttributeRequest struct {
	RegionId    string  `param:"RegionId"`
	ImageId     string  `param:"ImageId"`
	ImageName   *string `param:"ImageName"`
	Description *string `param:"Description"`
	ImageFamily *string `param:"ImageFamily"`
	Status      *string `param:"Status"`
}

// ModifyImageAttributeResponse is the answer of ModifyImageAttribute (RequestId only).
type ModifyImageAttributeResponse struct{}

// ModifyImageAttribute renames or re-describes a custom image (guide 1.9.3).
func (h *Handlers) ModifyImageAttribute(ctx context.Context, req *ModifyImageAttributeRequest) (*ModifyImageAttributeResponse, error) {
	err := h.deps.Images.Modify(ctx, imageCaller(ctx), req.ImageId, image.ModifyInput{Name: req.ImageName,
		Description: req.Description, Family: req.ImageFamily, Status: req.Status})
	if err != nil {
		return nil, err
	}
	return &ModifyImageAttributeResponse{}, nil
}

// DeleteImageRequest holds the parameters of DeleteImage (guide 1.9.4, plus
// the SDK's Force).
type DeleteImageRequest struct {
	RegionId string `param:"RegionId"`
	ImageId  string `param:"ImageId"`
	// Force deletes an image instances run from.
	Force bool `param:"Force"`
}

// DeleteImageResponse is the answer of DeleteImage (RequestId only).
type DeleteImageResponse struct{}

// DeleteImage deletes a custom image; a missing one is ignored (guide 1.9.4).
func (h *Handlers) DeleteImage(ctx context.Context, req *DeleteImageRequest) (*DeleteImageResponse, error) {
	if err := h.deps.Images.Delete(ctx, imageCaller(ctx), req.ImageId, req.Force); err != nil {
		return nil, err
	}
	return &DeleteImageResponse{}, nil
}

// CopyImageRequest holds the parameters of CopyImage (guide 1.9.5).
type CopyImageRequest struct {
	RegionId               string `param:"RegionId"`
	ImageId                string `param:"ImageId"`
	DestinationRegionId    string `param:"DestinationRegionId"`
	DestinationImageName   string `param:"DestinationImageName"`
	DestinationDescription string `param:"DestinationDescription"`
}

// CopyImageResponse is the answer of CopyImage: the copy's ID.
type CopyImageResponse struct {
	ImageId string `json:"ImageId"`
}

// CopyImage copies a custom image to another region (guide 1.9.5).
func (h *Handlers) CopyImage(ctx context.Context, req *CopyImageRequest) (*CopyImageResponse, error) {
	c := imageCaller(ctx)
	if req.RegionId != "" {
		c.RegionID = req.RegionId
	}
	id, err := h.deps.Images.Copy(ctx, c, image.CopyInput{ImageID: req.ImageId, DestinationRegionID: req.DestinationRegionId,
		DestinationName: req.DestinationImageName, DestinationDesc: req.DestinationDescription})
	if err != nil {
		return nil, err
	}
	return &CopyImageResponse{ImageId: id}, nil
}

// CancelCopyImageRequest holds the parameters of CancelCopyImage (guide 1.9.6).
type CancelCopyImageRequest struct {
	RegionId string `param:"RegionId"`
	ImageId  string `param:"ImageId"`
}

// CancelCopyImageResponse is the answer of CancelCopyImage (RequestId only).
type CancelCopyImageResponse struct{}

// CancelCopyImage cancels a copy under way and deletes it (guide 1.9.6).
func (h *Handlers) CancelCopyImage(ctx context.Context, req *CancelCopyImageRequest) (*CancelCopyImageResponse, error) {
	if err := h.deps.Images.CancelCopy(ctx, imageCaller(ctx), req.ImageId); err != nil {
		return nil, err
	}
	return &CancelCopyImageResponse{}, nil
}

// ModifyImageSharePermissionRequest holds the parameters of
// ModifyImageSharePermission (guide 1.9.7).
type ModifyImageSharePermissionRequest struct {
	RegionId      string   `param:"RegionId"`
	ImageId       string   `param:"ImageId"`
	AddAccount    []string `param:"AddAccount"`
	RemoveAccount []string `param:"RemoveAccount"`
}

// ModifyImageSharePermissionResponse is the answer of ModifyImageSharePermission.
type ModifyImageSharePermissionResponse struct{}

// ModifyImageSharePermission shares a custom image with accounts, or stops
// sharing it (guide 1.9.7).
func (h *Handlers) ModifyImageSharePermission(ctx context.Context, req *ModifyImageSharePermissionRequest) (*ModifyImageSharePermissionResponse, error) {
	if err := h.deps.Images.Share(ctx, imageCaller(ctx), req.ImageId, req.AddAccount, req.RemoveAccount); err != nil {
		return nil, err
	}
	return &ModifyImageSharePermissionResponse{}, nil
}

// DescribeImageSharePermissionRequest holds the parameters of
// DescribeImageSharePermission (guide 1.9.8).
type DescribeImageSharePermissionRequest struct {
	RegionId   string `param:"RegionId"`
	ImageId    string `param:"ImageId"`
	PageNumber *int   `param:"PageNumber"`
	PageSize   *int   `param:"PageSize"`
}

// DescribeImageSharePermissionResponse is the answer of DescribeImageSharePermission.
type DescribeImageSharePermissionResponse struct {
	RegionId    string           `json:"RegionId"`
	ImageId     string           `json:"ImageId"`
	TotalCount  int              `json:"TotalCount"`
	PageNumber  int              `json:"PageNumber"`
	PageSize    int              `json:"PageSize"`
	ShareGroups ImageShareGroups `json:"ShareGroups"`
	Accounts    ImageAccounts    `json:"Accounts"`
}

// ImageShareGroups is the SDK's ShareGroups container (ecsd shares with
// accounts only, so it is empty).
type ImageShareGroups struct {
	ShareGroup []ImageShareGroup `json:"ShareGroup"`
}

// ImageShareGroup is one group an image is shared with.
type ImageShareGroup struct {
	Group string `json:"Group"`
}

// ImageAccounts is the SDK's Accounts container.
type ImageAccounts struct {
	Account []ImageAccount `json:"Account"`
}

// ImageAccount is one account an image is shared with.
type ImageAccount struct {
	AliyunId   string `json:"AliyunId"`
	SharedTime string `json:"SharedTime"`
}

// DescribeImageSharePermission lists the accounts a custom image is shared
// with (guide 1.9.8).
func (h *Handlers) DescribeImageSharePermission(ctx context.Context, req *DescribeImageSharePermissionRequest) (*DescribeImageSharePermissionResponse, error) {
	c := imageCaller(ctx)
	page := image.Page{Number: 1, Size: image.DefaultSharePageSize}
	if req.PageNumber != nil {
		page.Number = *req.PageNumber
	}
	if req.PageSize != nil {
		page.Size = *req.PageSize
	}
	res, err := h.deps.Images.Shares(ctx, c, req.ImageId, page)
	if err != nil {
		return nil, err
	}
	resp := &DescribeImageSharePermissionResponse{RegionId: c.RegionID, ImageId: req.ImageId, TotalCount: res.TotalCount,
		PageNumber: page.Number, PageSize: page.Size, ShareGroups: ImageShareGroups{ShareGroup: []ImageShareGroup{}},
		Accounts: ImageAccounts{Account: []ImageAccount{}}}
	for _, s := range res.Shares {
		resp.Accounts.Account = append(resp.Accounts.Account, ImageAccount{AliyunId: strconv.FormatInt(s.AccountID, 10),
			SharedTime: s.CreatedAt.UTC().Format(imageTimeLayout)})
	}
	return resp, nil
}

// ImportImageRequest holds the parameters of ImportImage (guide 1.9.9, plus
// the SDK's RoleName).
type ImportImageRequest struct {
	RegionId          string                    `param:"RegionId"`
	ImageName         string                    `param:"ImageName"`
	Description       string                    `param:"Description"`
	Architecture      string                    `param:"Architecture"`
	OSType            string                    `param:"OSType"`
	Platform          string                    `param:"Platform"`
	DiskDeviceMapping []ImportImageMappingParam `param:"DiskDeviceMapping"`
	RoleName          string                    `param:"RoleName"`
	ClientToken       string                    `param:"ClientToken"`
}

// ImportImageMappingParam is one DiskDeviceMapping.N of ImportImage
// (DiskImSize is the SDK's older name of DiskImageSize).
type ImportImageMappingParam struct {
	Format        string `param:"Format"`
	OSSBucket     string `param:"OSSBucket"`
	OSSObject     string `param:"OSSObject"`
	DiskImageSize string `param:"DiskImageSize"`
	DiskImSize    string `param:"DiskImSize"`
	Device        string `param:"Device"`
}

// ImportImageResponse is the answer of ImportImage (the SDK's shape: the
// guide's ImportTaskId is TaskId).
type ImportImageResponse struct {
	RegionId string `json:"RegionId"`
	ImageId  string `json:"ImageId"`
	TaskId   string `json:"TaskId"`
}

// ImportImage imports an image file from the object store (guide 1.9.9).
func (h *Handlers) ImportImage(ctx context.Context, req *ImportImageRequest) (*ImportImageResponse, error) {
	c := imageCaller(ctx)
	in := image.ImportInput{Name: req.ImageName, Description: req.Description, Architecture: req.Architecture,
		OSType: req.OSType, Platform: req.Platform, RoleName: req.RoleName, ClientToken: req.ClientToken}
	for _, m := range req.DiskDeviceMapping {
		in.Mappings = append(in.Mappings, image.ImportMapping{Format: m.Format, OSSBucket: m.OSSBucket, OSSObject: m.OSSObject,
			DiskImageSize: firstNonEmpty(m.DiskImageSize, m.DiskImSize)})
	}
	out, err := h.deps.Images.Import(ctx, c, in)
	if err != nil {
		return nil, err
	}
	return &ImportImageResponse{RegionId: c.RegionID, ImageId: out.ImageID, TaskId: out.TaskID}, nil
}

// ExportImageRequest holds the parameters of ExportImage (guide 1.9.10, plus
// the SDK's ImageFormat and RoleName).
type ExportImageRequest struct {
	RegionId    string `param:"RegionId"`
	ImageId     string `param:"ImageId"`
	OSSBucket   string `param:"OSSBucket"`
	OSSPrefix   string `param:"OSSPrefix"`
	ImageFormat string `param:"ImageFormat"`
	RoleName    string `param:"RoleName"`
	ClientToken string `param:"ClientToken"`
}

// ExportImageResponse is the answer of ExportImage (the SDK's shape: the
// guide's ExportTaskId is TaskId).
type ExportImageResponse struct {
	RegionId string `json:"RegionId"`
	TaskId   string `json:"TaskId"`
}

// ExportImage writes a custom image's file into a bucket (guide 1.9.10).
func (h *Handlers) ExportImage(ctx context.Context, req *ExportImageRequest) (*ExportImageResponse, error) {
	c := imageCaller(ctx)
	id, err := h.deps.Images.Export(ctx, c, image.ExportInput{ImageID: req.ImageId, OSSBucket: req.OSSBucket,
		OSSPrefix: req.OSSPrefix, ImageFormat: req.ImageFormat, RoleName: req.RoleName, ClientToken: req.ClientToken})
	if err != nil {
		return nil, err
	}
	return &ExportImageResponse{RegionId: c.RegionID, TaskId: id}, nil
}
