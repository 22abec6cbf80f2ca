package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/disk"
)

// AttachDiskRequest holds the parameters of AttachDisk (guide 1.7.3).
type AttachDiskRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	DiskId     string `param:"DiskId,required"`
	// Device is /dev/xvdb to /dev/xvdz; empty picks the first free one.
	Device string `param:"Device"`
	// DeleteWithInstance, when sent, replaces the disk's value.
	DeleteWithInstance *bool `param:"DeleteWithInstance"`
}

// AttachDiskResponse is the answer of AttachDisk (RequestId only).
type AttachDiskResponse struct{}

// AttachDisk attaches a portable Available disk to a Running or Stopped
// instance of its zone (guide 1.7.3).
func (h *Handlers) AttachDisk(ctx context.Context, req *AttachDiskRequest) (*AttachDiskResponse, error) {
	err := h.deps.Disks.Attach(ctx, diskCaller(ctx), disk.AttachInput{InstanceID: req.InstanceId, DiskID: req.DiskId,
		Device: req.Device, DeleteWithInstance: req.DeleteWithInstance})
	if err != nil {
		return nil, err
	}
	return &AttachDiskResponse{}, nil
}

// DetachDiskRequest holds the parameters of DetachDisk (guide 1.7.4). Both are
// mandatory; the service answers the guide's InvalidParameter when one is absent.
type DetachDiskRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId"`
	DiskId     string `param:"DiskId"`
}

// DetachDiskResponse is the answer of DetachDisk (RequestId only).
type DetachDiskResponse struct{}

// DetachDisk detaches a portable data disk from its instance (guide 1.7.4).
func (h *Handlers) DetachDisk(ctx context.Context, req *DetachDiskRequest) (*DetachDiskResponse, error) {
	if err := h.deps.Disks.Detach(ctx, diskCaller(ctx), req.InstanceId, req.DiskId); err != nil {
		return nil, err
	}
	return &DetachDiskResponse{}, nil
}

// ReInitDiskRequest holds the parameters of ReInitDisk (guide 1.7.6).
type ReInitDiskRequest struct {
	RegionId string `param:"RegionId"`
	DiskId   string `param:"DiskId,required"`
}

// ReInitDiskResponse is the answer of ReInitDisk (RequestId only).
type ReInitDiskResponse struct{}

// ReInitDisk re-initialises an In_use disk of a Stopped instance (guide 1.7.6).
func (h *Handlers) ReInitDisk(ctx context.Context, req *ReInitDiskRequest) (*ReInitDiskResponse, error) {
	if err := h.deps.Disks.ReInit(ctx, diskCaller(ctx), req.DiskId); err != nil {
		return nil, err
	}
	return &ReInitDiskResponse{}, nil
}

// ResizeDiskRequest holds the parameters of ResizeDisk (guide 1.7.9, plus the
// SDK's Type).
type ResizeDiskRequest struct {
	RegionId string `param:"RegionId"`
	DiskId   string `param:"DiskId,required"`
	// NewSize is the new size in GiB, larger than the current one.
	NewSize *int `param:"NewSize,required"`
	// Type is offline (default) or online.
	Type        string `param:"Type"`
	ClientToken string `param:"ClientToken"`
}

// ResizeDiskResponse is the answer of ResizeDisk (RequestId only).
type ResizeDiskResponse struct{}

// ResizeDisk enlarges a data disk (guide 1.7.9).
func (h *Handlers) ResizeDisk(ctx context.Context, req *ResizeDiskRequest) (*ResizeDiskResponse, error) {
	err := h.deps.Disks.Resize(ctx, diskCaller(ctx), disk.ResizeInput{DiskID: req.DiskId, NewSize: *req.NewSize,
		Type: req.Type, ClientToken: req.ClientToken})
	if err != nil {
		return nil, err
	}
	return &ResizeDiskResponse{}, nil
}

// ReplaceSystemDiskRequest holds the parameters of ReplaceSystemDisk (guide
// 1.7.8). The guide's table names the size SystemDiskSize, its error messages
// and the SDKs SystemDisk.Size; both are read, the SDK's name first.
type ReplaceSystemDiskRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	ImageId    string `param:"ImageId,required"`
	// SystemDiskSize (guide) and SystemDiskSizeSDK (SystemDisk.Size) are the new
	// system disk's size in GiB, max{40, image size, old size} to 500.
	SystemDiskSize    *int   `param:"SystemDiskSize"`
	SystemDiskSizeSDK *int   `param:"SystemDisk.Size"`
	ClientToken       string `param:"ClientToken"`
}

// ReplaceSystemDiskResponse is the answer of ReplaceSystemDisk.
type ReplaceSystemDiskResponse struct {
	DiskId string `json:"DiskId"`
}

// ReplaceSystemDisk gives a Stopped instance a new system disk made from an
// image; the old system disk is released (guide 1.7.8).
func (h *Handlers) ReplaceSystemDisk(ctx context.Context, req *ReplaceSystemDiskRequest) (*ReplaceSystemDiskResponse, error) {
	size := req.SystemDiskSizeSDK
	if size == nil {
		size = req.SystemDiskSize
	}
	id, err := h.deps.Disks.ReplaceSystemDisk(ctx, diskCaller(ctx), disk.ReplaceInput{InstanceID: req.InstanceId,
		ImageID: req.ImageId, Size: size, ClientToken: req.ClientToken})
	if err != nil {
		return nil, err
	}
	return &ReplaceSystemDiskResponse{DiskId: id}, nil
}
