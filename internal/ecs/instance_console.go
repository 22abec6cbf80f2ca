package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/console"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// DescribeInstanceVncUrlRequest holds the parameters of DescribeInstanceVncUrl
// (named by the guide's 1.1 overview and RAM table; the SDK's request).
type DescribeInstanceVncUrlRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
}

// DescribeInstanceVncUrlResponse is the answer of DescribeInstanceVncUrl.
type DescribeInstanceVncUrlResponse struct {
	// VncUrl opens the instance's console (a WebSocket speaking RFB) for
	// console.DefaultURLLifetime; the instance's VNC password logs in.
	VncUrl string `json:"VncUrl"`
}

// DescribeInstanceVncUrl answers the URL of a Running instance's VNC console,
// served by this server on its own port (docs/console.md).
func (h *Handlers) DescribeInstanceVncUrl(ctx context.Context, req *DescribeInstanceVncUrlRequest) (*DescribeInstanceVncUrlResponse, error) {
	c := reqctx.From(ctx)
	u, err := h.deps.Console.URL(ctx, console.Caller{AccountID: c.AccountID, RegionID: c.RegionID}, req.InstanceId,
		h.deps.Endpoint, c.Secure)
	if err != nil {
		return nil, err
	}
	return &DescribeInstanceVncUrlResponse{VncUrl: u}, nil
}
