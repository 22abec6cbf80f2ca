package ecs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/image"
)

// maxImageIDs is how many IDs DescribeImages' ImageId may list (guide 1.9.2).
const maxImageIDs = 100

// DescribeImagesRequest holds the parameters of DescribeImages (guide 1.9.2)
// plus the SDK's newer filters.
type DescribeImagesRequest struct {
	// RegionId is the region whose images are listed.
	RegionId string `param:"RegionId,required"`
	// ImageId is up to 100 image IDs separated by commas.
	ImageId string `param:"ImageId"`
	// Status is a comma-separated list of statuses (default Available).
	Status string `param:"Status"`
	// SnapshotId keeps custom images made from this snapshot.
	SnapshotId string `param:"SnapshotId"`
	// ImageName keeps images whose name contains it.
	ImageName string `param:"ImageName"`
	// ImageOwnerAlias is system, self, others or marketplace; empty means
	// system, self and others.
	ImageOwnerAlias string `param:"ImageOwnerAlias"`
	// ImageOwnerId keeps the images of one owning account.
	ImageOwnerId int64 `param:"ImageOwnerId"`
	// ImageFamily keeps the images of one family.
	ImageFamily string `param:"ImageFamily"`
	// Usage is instance or none.
	Usage string `param:"Usage"`
	// OSType is linux or windows.
	OSType string `param:"OSType"`
	// Architecture is i386, x86_64 or arm64.
	Architecture string `param:"Architecture"`
	// InstanceType keeps the images that can boot this instance type.
	InstanceType string `param:"InstanceType"`
	// ActionType is CreateEcs or ChangeOS.
	ActionType string `param:"ActionType"`
	// IsSupportIoOptimized and IsSupportCloudinit keep images by those flags.
	IsSupportIoOptimized *bool `param:"IsSupportIoOptimized"`
	// IsSupportCloudinit keeps images by cloud-init support.
	IsSupportCloudinit *bool `param:"IsSupportCloudinit"`
	// IsPublic true lists community images only.
	IsPublic *bool `param:"IsPublic"`
	// ShowExpired is accepted (it concerns marketplace subscriptions).
	ShowExpired *bool `param:"ShowExpired"`
	// ResourceGroupId keeps the caller's own images of one resource group.
	ResourceGroupId string `param:"ResourceGroupId"`
	// Tag keeps images carrying every tag (at most 5, guide 1.9.2).
	Tag []DescribeImagesTag `param:"Tag"`
	// Filter holds CreationStartTime / CreationEndTime (yyyy-MM-ddTHH:mmZ) and
	// NetworkType conditions.
	Filter []DescribeImagesFilter `param:"Filter"`
	// DryRun checks the request and answers DryRunOperation.
	DryRun bool `param:"DryRun"`
	// PageNumber starts at 1 (default 1).
	PageNumber *int `param:"PageNumber" min:"1"`
	// PageSize is 1 to 100 (default 10).
	PageSize *int `param:"PageSize" min:"1" max:"100"`
}

// DescribeImagesTag is one Tag.N of DescribeImages; a nil Value matches any value.
type DescribeImagesTag struct {
	Key   string  `param:"Key"`
	Value *string `param:"Value"`
}

// DescribeImagesFilter is one Filter.N of DescribeImages.
type DescribeImagesFilter struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// DescribeImagesResponse is the answer of DescribeImages.
type DescribeImagesResponse struct {
	RegionId   string `json:"RegionId"`
	TotalCount int    `json:"TotalCount"`
	PageNumber int    `json:"PageNumber"`
	PageSize   int    `json:"PageSize"`
	Images     Images `json:"Images"`
}

// Images is the SDK's Images container.
type Images struct {
	Image []Image `json:"Image"`
}

// Image is one image (the guide's ImageType, with the SDK's newer fields that
// ecsd can fill truthfully).
type Image struct {
	ImageId                 string                  `json:"ImageId"`
	ImageName               string                  `json:"ImageName"`
	ImageFamily             string                  `json:"ImageFamily"`
	ImageVersion            string                  `json:"ImageVersion"`
	Description             string                  `json:"Description"`
	ImageOwnerAlias         string                  `json:"ImageOwnerAlias"`
	ImageOwnerId            int64                   `json:"ImageOwnerId"`
	OSName                  string                  `json:"OSName"`
	OSNameEn                string                  `json:"OSNameEn"`
	OSType                  string                  `json:"OSType"`
	Platform                string                  `json:"Platform"`
	Architecture            string                  `json:"Architecture"`
	Size                    int                     `json:"Size"`
	Status                  string                  `json:"Status"`
	Progress                string                  `json:"Progress"`
	Usage                   string                  `json:"Usage"`
	CreationTime            string                  `json:"CreationTime"`
	BootMode                string                  `json:"BootMode"`
	IsSupportIoOptimized    bool                    `json:"IsSupportIoOptimized"`
	IsSupportCloudinit      bool                    `json:"IsSupportCloudinit"`
	LoginAsNonRootSupported bool                    `json:"LoginAsNonRootSupported"`
	IsCopied                bool                    `json:"IsCopied"`
	IsSubscribed            bool                    `json:"IsSubscribed"`
	IsPublic                bool                    `json:"IsPublic"`
	IsSelfShared            string                  `json:"IsSelfShared"`
	ProductCode             string                  `json:"ProductCode"`
	SupplierName            string                  `json:"SupplierName"`
	ResourceGroupId         string                  `json:"ResourceGroupId"`
	DiskDeviceMappings      ImageDiskDeviceMappings `json:"DiskDeviceMappings"`
	Features                ImageFeatures           `json:"Features"`
	Tags                    ImageTags               `json:"Tags"`
}

// ImageDiskDeviceMappings is the SDK's DiskDeviceMappings container of an image.
type ImageDiskDeviceMappings struct {
	DiskDeviceMapping []ImageDiskDeviceMapping `json:"DiskDeviceMapping"`
}

// ImageDiskDeviceMapping is one disk of an image (the guide's DiskDeviceMapping,
// 1.17.24). Size is a string in both SDKs.
type ImageDiskDeviceMapping struct {
	Device          string `json:"Device"`
	Type            string `json:"Type"`
	Size            string `json:"Size"`
	SnapshotId      string `json:"SnapshotId"`
	Format          string `json:"Format"`
	ImportOSSBucket string `json:"ImportOSSBucket"`
	ImportOSSObject string `json:"ImportOSSObject"`
	Progress        string `json:"Progress"`
	RemainTime      int    `json:"RemainTime"`
	Encrypted       bool   `json:"Encrypted"`
}

// ImageFeatures is the SDK's Features of an image (only what ecsd knows).
type ImageFeatures struct {
	NvmeSupport string `json:"NvmeSupport"`
	ImdsSupport string `json:"ImdsSupport"`
}

// ImageTags is the SDK's Tags container of an image.
type ImageTags struct {
	Tag []ImageTag `json:"Tag"`
}

// ImageTag is one tag of an image, named TagKey/TagValue as DescribeImages does.
type ImageTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// imageTimeLayout is how CreationTime is rendered (UTC, seconds).
const imageTimeLayout = "2006-01-02T15:04:05Z"

// DescribeImages lists the images of a region that the caller can use, newest
// first, one page at a time (guide 1.9.2).
func (h *Handlers) DescribeImages(ctx context.Context, req *DescribeImagesRequest) (*DescribeImagesResponse, error) {
	r, err := h.region(req.RegionId)
	if err != nil {
		return nil, err
	}
	q, err := imageQuery(req)
	if err != nil {
		return nil, err
	}
	if req.DryRun {
		return nil, h.deps.Images.DryRun(q)
	}
	page := image.Page{Number: 1, Size: image.DefaultPageSize}
	if req.PageNumber != nil {
		page.Number = *req.PageNumber
	}
	if req.PageSize != nil {
		page.Size = *req.PageSize
	}
	res, err := h.deps.Images.List(ctx, reqctx.From(ctx).AccountID, r.RegionID, q, page)
	if err != nil {
		return nil, err
	}
	resp := &DescribeImagesResponse{
		RegionId:   r.RegionID,
		TotalCount: res.TotalCount,
		PageNumber: page.Number,
		PageSize:   page.Size,
		Images:     Images{Image: make([]Image, 0, len(res.Images))},
	}
	for _, img := range res.Images {
		resp.Images.Image = append(resp.Images.Image, describeImage(img))
	}
	return resp, nil
}

// imageQuery turns the wire parameters into the service's query: comma lists
// are split, Status defaults to Available, Filter.N becomes time bounds.
func imageQuery(req *DescribeImagesRequest) (image.Query, error) {
	q := image.Query{
		ImageIDs:            splitCommaSeparated(req.ImageId),
		SnapshotID:          req.SnapshotId,
		Name:                req.ImageName,
		OwnerAlias:          req.ImageOwnerAlias,
		OwnerID:             req.ImageOwnerId,
		Statuses:            splitCommaSeparated(req.Status),
		Usage:               req.Usage,
		OSType:              req.OSType,
		Architecture:        req.Architecture,
		Family:              req.ImageFamily,
		InstanceType:        req.InstanceType,
		ActionType:          req.ActionType,
		ResourceGroupID:     req.ResourceGroupId,
		SupportsIoOptimized: req.IsSupportIoOptimized,
		SupportsCloudinit:   req.IsSupportCloudinit,
		IsPublic:            req.IsPublic,
	}
	if len(q.ImageIDs) > maxImageIDs {
		return q, apierr.InvalidParameter("ImageId")
	}
	if len(q.Statuses) == 0 {
		q.Statuses = []string{image.StatusAvailable}
	}
	for _, t := range req.Tag {
		q.Tags = append(q.Tags, image.TagFilter{Key: t.Key, Value: t.Value})
	}
	for i, f := range req.Filter {
		if err := applyImageFilter(&q, i+1, f); err != nil {
			return q, err
		}
	}
	return q, nil
}

// applyImageFilter applies Filter.n: CreationStartTime and CreationEndTime take
// a UTC time (yyyy-MM-ddTHH:mmZ, seconds allowed); NetworkType (vpc or classic)
// does not narrow images. Other keys are InvalidParameter.
func applyImageFilter(q *image.Query, n int, f DescribeImagesFilter) error {
	switch f.Key {
	case "CreationStartTime", "CreationEndTime":
		t, ok := parseImageFilterTime(f.Value)
		if !ok {
			return apierr.InvalidParameter(fmt.Sprintf("Filter.%d.Value", n))
		}
		if f.Key == "CreationStartTime" {
			q.CreatedAfter = t
		} else {
			q.CreatedBefore = t
		}
	case "NetworkType":
		if !strings.EqualFold(f.Value, "vpc") && !strings.EqualFold(f.Value, "classic") {
			return apierr.InvalidParameter(fmt.Sprintf("Filter.%d.Value", n))
		}
	case "":
		if f.Value != "" {
			return apierr.MissingParameter(fmt.Sprintf("Filter.%d.Key", n))
		}
	default:
		return apierr.InvalidParameter(fmt.Sprintf("Filter.%d.Key", n))
	}
	return nil
}

func parseImageFilterTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04Z", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// splitCommaSeparated splits a comma-separated parameter, trimming spaces and dropping
// empty items.
func splitCommaSeparated(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// describeImage renders one image of the service.
func describeImage(img image.Image) Image {
	out := Image{
		ImageId:                 img.ID,
		ImageName:               img.Name,
		ImageFamily:             img.Family,
		ImageVersion:            img.Version,
		Description:             img.Description,
		ImageOwnerAlias:         img.OwnerAlias,
		ImageOwnerId:            img.OwnerID,
		OSName:                  img.OSName,
		OSNameEn:                img.OSNameEn,
		OSType:                  img.OSType,
		Platform:                img.Platform,
		Architecture:            img.Architecture,
		Size:                    img.Size,
		Status:                  img.Status,
		Progress:                img.Progress,
		Usage:                   img.Usage,
		CreationTime:            img.CreationTime.UTC().Format(imageTimeLayout),
		BootMode:                img.BootMode,
		IsSupportIoOptimized:    img.SupportsIoOptimized,
		IsSupportCloudinit:      img.SupportsCloudinit,
		LoginAsNonRootSupported: img.LoginAsNonRootSupported,
		IsCopied:                img.IsCopied,
		IsSubscribed:            img.IsSubscribed,
		IsPublic:                img.IsPublic,
		ProductCode:             img.ProductCode,
		ResourceGroupId:         img.ResourceGroupID,
		DiskDeviceMappings:      ImageDiskDeviceMappings{DiskDeviceMapping: []ImageDiskDeviceMapping{}},
		Features:                ImageFeatures{NvmeSupport: img.NvmeSupport, ImdsSupport: img.ImdsSupport},
		Tags:                    ImageTags{Tag: []ImageTag{}},
	}
	for _, m := range img.DiskDeviceMappings {
		out.DiskDeviceMappings.DiskDeviceMapping = append(out.DiskDeviceMappings.DiskDeviceMapping, ImageDiskDeviceMapping{
			Device:          m.Device,
			Type:            m.Type,
			Size:            strconv.Itoa(m.Size),
			SnapshotId:      m.SnapshotID,
			Format:          m.Format,
			ImportOSSBucket: m.ImportOSSBucket,
			ImportOSSObject: m.ImportOSSObject,
			Progress:        img.Progress,
		})
	}
	for _, t := range img.Tags {
		out.Tags.Tag = append(out.Tags.Tag, ImageTag{TagKey: t.Key, TagValue: t.Value})
	}
	return out
}
