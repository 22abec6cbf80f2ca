package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/snapshot"
)

// migrate_disk and query_load_progress (guide 1.7.11, 1.7.12) keep the Apsara
// Stack back end's conventions: snake_case parameters, and an answer that is
// only {"code": …, "msg": …}, code 200 or a negative error code, for failures
// too (api.Bare renders it so). Their region is region_id, not RegionId.

// MigrateDiskRequest holds the parameters of migrate_disk.
type MigrateDiskRequest struct {
	RegionID     string `param:"region_id"`
	DiskID       string `param:"disk_id"`
	DestZoneID   string `param:"dest_zone_id"`
	DestDiskType string `param:"dest_disk_type"`
	DestDiskIOPS string `param:"dest_disk_iops"`
	DestDiskBPS  string `param:"dest_disk_bps"`
}

// CodeMsgResponse is the {code, msg} answer of migrate_disk and query_load_progress.
type CodeMsgResponse struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// BareResponse marks the answer for api.Bare rendering.
func (CodeMsgResponse) BareResponse() {}

// MigrateDisk moves a disk's data to other storage of its zone (guide 1.7.11).
func (h *Handlers) MigrateDisk(ctx context.Context, req *MigrateDiskRequest) (*CodeMsgResponse, error) {
	r := h.deps.Snapshots.MigrateDisk(ctx, reqctx.From(ctx).AccountID, snapshotMigrateInput(req))
	return &CodeMsgResponse{Code: r.Code, Msg: r.Msg}, nil
}

// QueryLoadProgressRequest holds the parameters of query_load_progress.
type QueryLoadProgressRequest struct {
	RegionID string `param:"region_id"`
	DiskID   string `param:"disk_id"`
}

// QueryLoadProgress answers the progress of a disk's migration in percent, as
// msg (guide 1.7.12).
func (h *Handlers) QueryLoadProgress(ctx context.Context, req *QueryLoadProgressRequest) (*CodeMsgResponse, error) {
	r := h.deps.Snapshots.LoadProgress(ctx, reqctx.From(ctx).AccountID, req.RegionID, req.DiskID)
	return &CodeMsgResponse{Code: r.Code, Msg: r.Msg}, nil
}

func snapshotMigrateInput(req *MigrateDiskRequest) snapshot.MigrateInput {
	return snapshot.MigrateInput{RegionID: req.RegionID, DiskID: req.DiskID, DestZoneID: req.DestZoneID,
		DestDiskType: req.DestDiskType, DestDiskIOPS: req.DestDiskIOPS, DestDiskBPS: req.DestDiskBPS}
}
