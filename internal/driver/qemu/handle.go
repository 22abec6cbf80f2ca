package qemu

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/driver"
)

// Name is the driver's name, written in its handles.
const Name = "qemu"

// handleVersion is the layout of handleState this driver writes.
const handleVersion = 1

// handleState is what a qemu Handle carries. The instance ID is all the driver
// needs (every path derives from it); the pid is informational.
type handleState struct {
	InstanceID string `json:"instanceId"`
	PID        int    `json:"pid,omitempty"`
}

// handle returns the Handle of instance id as it is now.
func (d *Driver) handle(id string) driver.Handle {
	st := handleState{InstanceID: id, PID: d.livePID(id)}
	b, _ := json.Marshal(st)
	return driver.Handle{Driver: Name, Version: handleVersion, State: b}
}

// begin checks ctx and h and returns the instance ID h names.
func (d *Driver) begin(ctx context.Context, h driver.Handle) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := h.Check(Name, handleVersion); err != nil {
		return "", err
	}
	var st handleState
	if err := json.Unmarshal(h.State, &st); err != nil {
		return "", fmt.Errorf("%w: qemu handle: %v", driver.ErrInvalidArgument, err)
	}
	if err := checkID(st.InstanceID); err != nil {
		return "", err
	}
	return st.InstanceID, nil
}

// checkID refuses instance IDs that cannot be a directory name.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\\x00,=") || len(id) > 64 {
		return fmt.Errorf("%w: instance ID %q cannot name a QEMU instance directory", driver.ErrInvalidArgument, id)
	}
	return nil
}
