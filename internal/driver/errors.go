package driver

import "errors"

// Sentinel errors every driver wraps with %w. The control plane maps them to ECS
// error codes with errors.Is.
var (
	// ErrNotFound: the instance the handle names does not exist (never created, or
	// deleted). Delete never returns it; Inspect reports Missing instead.
	ErrNotFound = errors.New("driver: instance not found")
	// ErrInvalidState: the instance's power state does not allow the operation (for
	// example Reboot of a stopped instance, Start while a shutdown is under way).
	ErrInvalidState = errors.New("driver: invalid instance state for this operation")
	// ErrInvalidArgument: the spec, option or handle is malformed, or the handle
	// belongs to another driver or to a version this driver cannot read.
	ErrInvalidArgument = errors.New("driver: invalid argument")
	// ErrUnsupported: the driver, or this instance's configuration, cannot do it.
	ErrUnsupported = errors.New("driver: operation not supported")
	// ErrTransient: a temporary failure; retrying the same call may succeed.
	ErrTransient = errors.New("driver: transient failure")
	// ErrTimeout: a graceful operation (a guest-cooperative stop or reboot) did not
	// finish within its timeout. The instance is left as it was; a forced retry
	// does not depend on the guest.
	ErrTimeout = errors.New("driver: operation timed out")
)
