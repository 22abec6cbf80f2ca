package instance

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// vncPasswordTimeout bounds handing a new VNC password to the compute driver.
const vncPasswordTimeout = 10 * time.Second

// pushVncPassword hands the instance's new VNC password to the compute driver
// when the driver serves screens (driver.VNCConsoler) and the instance has a
// driver handle: a running instance's screen takes it at once, a stopped one's
// at its next boot. A failure is logged, not returned: the store holds the
// password, and the console sets it on a screen it finds holding another.
func (s *Service) pushVncPassword(ctx context.Context, instanceID string, handle []byte, password string) {
	vc, ok := s.deps.Compute.(driver.VNCConsoler)
	if !ok || len(handle) == 0 {
		return
	}
	h, err := decodeHandle(handle)
	if err != nil {
		s.deps.Logger.Warn("vnc password: bad driver handle", "instance", instanceID, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), vncPasswordTimeout)
	defer cancel()
	if err := vc.SetVNCPassword(ctx, h, password); err != nil {
		s.deps.Logger.Warn("vnc password: the driver did not take it; the console sets it when opened",
			"instance", instanceID, "err", err)
	}
}
