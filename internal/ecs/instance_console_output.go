package ecs

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
)

// GetInstanceConsoleOutputRequest holds the parameters of
// GetInstanceConsoleOutput (the SDK's request; not in the guide).
type GetInstanceConsoleOutputRequest struct {
	RegionId   string `param:"RegionId"`
	InstanceId string `param:"InstanceId,required"`
	// RemoveSymbols drops escape sequences and control characters.
	RemoveSymbols bool `param:"RemoveSymbols"`
}

// GetInstanceConsoleOutputResponse is the answer of GetInstanceConsoleOutput.
type GetInstanceConsoleOutputResponse struct {
	InstanceId string `json:"InstanceId"`
	// ConsoleOutput is the serial console's most recent output, base64.
	ConsoleOutput  string `json:"ConsoleOutput"`
	LastUpdateTime string `json:"LastUpdateTime"`
}

// GetInstanceConsoleOutput answers the most recent serial console output of
// an instance, base64-encoded: a real VM's with the qemu driver, the
// simulated boot log with the sim driver.
func (h *Handlers) GetInstanceConsoleOutput(ctx context.Context, req *GetInstanceConsoleOutputRequest) (*GetInstanceConsoleOutputResponse, error) {
	out, err := h.deps.Instances.ConsoleOutput(ctx, instanceCaller(ctx), req.InstanceId)
	if err != nil {
		return nil, err
	}
	text := string(out)
	if req.RemoveSymbols {
		text = removeSymbols(text)
	}
	return &GetInstanceConsoleOutputResponse{InstanceId: req.InstanceId,
		ConsoleOutput:  base64.StdEncoding.EncodeToString([]byte(text)),
		LastUpdateTime: time.Now().UTC().Format("2006-01-02T15:04:05Z")}, nil
}

// removeSymbols drops ANSI escape sequences (ESC [ … final byte) and control
// characters other than newlines and tabs.
func removeSymbols(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0x1b:
			if i+1 < len(s) && s[i+1] == '[' {
				i += 2
				for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
					i++
				}
			}
		case c == '\n' || c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
		}
	}
	return b.String()
}
