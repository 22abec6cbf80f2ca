package sim_test

import (
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
	"github.com/ecsd/ecsd/internal/driver/sim"
)

// TestContract runs the contract suite twice: with instant operations, and with
// millisecond delays on the real clock so every call really blocks and every
// cancellation lands part-way through a transition.
func TestContract(t *testing.T) {
	for name, cfg := range map[string]sim.Config{
		"Instant": {},
		"Delayed": {Delays: sim.Uniform(3 * time.Millisecond)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			drivertest.Run(t, func(t *testing.T) driver.Compute {
				d, err := sim.New(cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				return d
			})
		})
	}
}
