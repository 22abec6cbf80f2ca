package app

import (
	"fmt"
	"path/filepath"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qemu"
	"github.com/ecsd/ecsd/internal/driver/sim"
)

// newCompute returns the compute driver o.Driver names: "sim" (or empty) for the
// simulated driver, "qemu" for real VMs whose state lives in <data-dir>/qemu,
// their network interfaces plugged into plane (none when nil).
func newCompute(o Options, clk clock.Waiter, plane *netns.Plane) (driver.Compute, error) {
	switch o.Driver {
	case "", "sim":
		return sim.New(sim.Config{Delays: sim.Uniform(o.SimDelay)}, clk)
	case "qemu":
		dir, err := filepath.Abs(filepath.Join(o.DataDir, "qemu"))
		if err != nil {
			return nil, err
		}
		cfg := qemu.Config{StateDir: dir}
		if plane != nil {
			cfg.Network = netns.DriverNetwork{Plane: plane}
		}
		return qemu.New(cfg)
	}
	return nil, fmt.Errorf("--driver %q is not available: choose sim or qemu", o.Driver)
}

// screens returns the compute driver's instance screens for the console, or
// nil when it has none (the sim driver: consoles show a blank screen).
func screens(c driver.Compute) driver.VNCConsoler {
	vc, _ := c.(driver.VNCConsoler)
	return vc
}
