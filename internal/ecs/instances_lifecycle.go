package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/service/instance"
)

// StartInstanceRequest holds the parameters of StartInstance (guide 1.5.3).
type StartInstanceRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	DryRun     bool   `param:"DryRun"`
	// InitLocalDisk is accepted; ecsd instances have no local disks.
	InitLocalDisk bool `param:"InitLocalDisk"`
}

// StartInstanceResponse is the answer of StartInstance (RequestId only).
type StartInstanceResponse struct{}

// StartInstance starts a Stopped instance (guide 1.5.3).
func (h *Handlers) StartInstance(ctx context.Context, req *StartInstanceRequest) (*StartInstanceResponse, error) {
	if err := h.deps.Instances.Start(ctx, instanceCaller(ctx), req.InstanceId, req.DryRun); err != nil {
		return nil, err
	}
	return &StartInstanceResponse{}, nil
}

// StopInstanceRequest holds the parameters of StopInstance (guide 1.5.4).
type StopInstanceRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// ForceStop powers the instance off instead of shutting it down.
	ForceStop bool `param:"ForceStop"`
	// StoppedMode is KeepCharging (default) or StopCharging (SDK).
	StoppedMode string `param:"StoppedMode"`
	DryRun      bool   `param:"DryRun"`
	// ConfirmStop and Hibernate are accepted (SDK); ecsd has no local disks and
	// no hibernation.
	ConfirmStop bool `param:"ConfirmStop"`
	Hibernate   bool `param:"Hibernate"`
}

// StopInstanceResponse is the answer of StopInstance (RequestId only).
type StopInstanceResponse struct{}

// StopInstance stops a Running instance (guide 1.5.4).
func (h *Handlers) StopInstance(ctx context.Context, req *StopInstanceRequest) (*StopInstanceResponse, error) {
	err := h.deps.Instances.Stop(ctx, instanceCaller(ctx), instance.StopInput{InstanceID: req.InstanceId,
		Force: req.ForceStop, StoppedMode: req.StoppedMode, DryRun: req.DryRun})
	if err != nil {
		return nil, err
	}
	return &StopInstanceResponse{}, nil
}

// RebootInstanceRequest holds the parameters of RebootInstance (guide 1.5.5).
type RebootInstanceRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// ForceStop resets the instance instead of asking the guest to reboot.
	ForceStop bool `param:"ForceStop"`
	DryRun    bool `param:"DryRun"`
}

// RebootInstanceResponse is the answer of RebootInstance (RequestId only).
type RebootInstanceResponse struct{}

// RebootInstance reboots a Running instance (guide 1.5.5).
func (h *Handlers) RebootInstance(ctx context.Context, req *RebootInstanceRequest) (*RebootInstanceResponse, error) {
	if err := h.deps.Instances.Reboot(ctx, instanceCaller(ctx), req.InstanceId, req.ForceStop, req.DryRun); err != nil {
		return nil, err
	}
	return &RebootInstanceResponse{}, nil
}

// DeleteInstanceRequest holds the parameters of DeleteInstance (guide 1.5.6).
type DeleteInstanceRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// Force releases an instance in any status (SDK; Terraform always sends it).
	Force  bool `param:"Force"`
	DryRun bool `param:"DryRun"`
	// TerminateSubscription is accepted; ecsd has no subscription instances.
	TerminateSubscription bool `param:"TerminateSubscription"`
}

// DeleteInstanceResponse is the answer of DeleteInstance (RequestId only).
type DeleteInstanceResponse struct{}

// DeleteInstance releases an instance (guide 1.5.6).
func (h *Handlers) DeleteInstance(ctx context.Context, req *DeleteInstanceRequest) (*DeleteInstanceResponse, error) {
	if err := h.deps.Instances.Delete(ctx, instanceCaller(ctx), req.InstanceId, req.Force, req.DryRun); err != nil {
		return nil, err
	}
	return &DeleteInstanceResponse{}, nil
}
