package driver

import "context"

// The optional capabilities. A driver implements the ones it supports; the control
// plane detects them with a type assertion:
//
//	if da, ok := compute.(driver.DiskAttacher); ok { … }
//
// and answers the ECS "not supported" error when the assertion fails. A driver that
// implements a capability but cannot use it for one instance (a machine type without
// hot-plug, say) returns ErrUnsupported from the call. Capability calls follow the
// same rules as Compute's methods: context first, idempotent, sentinel errors, and
// a fresh Handle for the control plane to persist.

// DiskAttacher attaches and detaches data disks, on Running instances (hot-plug) and
// on Stopped ones (recorded for the next boot).
type DiskAttacher interface {
	// AttachDisk attaches disk to the instance. Attaching a disk that is already
	// attached at the same device succeeds; a disk ID attached at another device, or
	// a device taken by another disk, is ErrInvalidArgument; an instance in a
	// transitional state is ErrInvalidState.
	AttachDisk(ctx context.Context, h Handle, disk DiskSpec) (Handle, error)
	// DetachDisk detaches the data disk diskID. Detaching a disk that is not
	// attached succeeds; the system disk is ErrInvalidArgument.
	DetachDisk(ctx context.Context, h Handle, diskID string) (Handle, error)
}

// NICAttacher attaches and detaches secondary network interfaces (ECS elastic
// network interfaces), on Running and Stopped instances.
type NICAttacher interface {
	// AttachNIC attaches nic to the instance. Attaching an interface that is already
	// attached succeeds; another interface with the same MAC address, or the same
	// interface ID with another MAC, is ErrInvalidArgument.
	AttachNIC(ctx context.Context, h Handle, nic NICSpec) (Handle, error)
	// DetachNIC detaches the interface nicID. Detaching an interface that is not
	// attached succeeds; the primary interface is ErrInvalidArgument.
	DetachNIC(ctx context.Context, h Handle, nicID string) (Handle, error)
}

// Resizer changes the vCPU count and memory of a Stopped (or Crashed) instance; the
// new size applies from the next boot. Resizing to the current size succeeds; a
// Running or transitional instance is ErrInvalidState.
type Resizer interface {
	// Resize sets the instance's size.
	Resize(ctx context.Context, h Handle, size ResizeSpec) (Handle, error)
}

// Consoler reads an instance's serial console (ECS GetInstanceConsoleOutput).
type Consoler interface {
	// ConsoleOutput returns the most recent serial console output, oldest first
	// (drivers keep a bounded tail); it may be empty, for an instance that never
	// booted. A missing instance is ErrNotFound.
	ConsoleOutput(ctx context.Context, h Handle) ([]byte, error)
}

// VNCConsoler serves instances' screens over RFB (the VNC protocol) on a local
// socket, for the console service to proxy browsers to (ECS
// DescribeInstanceVncUrl, ModifyInstanceVncPasswd).
type VNCConsoler interface {
	// VNCSocket returns the path of the unix socket where the Running instance's
	// screen is served, with VNC authentication under the password
	// SetVNCPassword set. A missing instance is ErrNotFound; one that is not
	// running is ErrInvalidState.
	VNCSocket(ctx context.Context, h Handle) (string, error)
	// SetVNCPassword sets the password of the instance's screen: at once when
	// it runs, and at every later boot. An empty password lets nobody in; one
	// longer than 8 bytes (VNC authentication keys are 8 bytes) is
	// ErrInvalidArgument. A missing instance is ErrNotFound.
	SetVNCPassword(ctx context.Context, h Handle, password string) error
}
