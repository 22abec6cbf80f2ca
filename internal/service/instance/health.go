package instance

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// Health sweep tuning.
const (
	// healthPage is how many Running instances one read of the sweep takes.
	healthPage = 500
	// healthDuty bounds the sweep's share of the time: after a sweep that took
	// d, the next starts no sooner than healthDuty×d later (and no sooner than
	// PollInterval), so on a large fleet the sweep spreads out instead of
	// keeping a core busy.
	healthDuty = 10
)

// sweepHealthLoop runs the health sweep at once (the hypervisor may have died
// while ecsd was down), then every PollInterval, or less often when sweeps are
// long, until ctx ends.
func (s *Service) sweepHealthLoop(ctx context.Context) {
	for ctx.Err() == nil {
		start := time.Now()
		if err := s.sweepHealth(ctx); err != nil && ctx.Err() == nil {
			s.deps.Logger.Error("reconciler: health sweep", "err", err)
		}
		wait := max(s.deps.PollInterval, healthDuty*time.Since(start))
		select {
		case <-ctx.Done():
		case <-s.deps.Clock.After(wait):
		}
	}
}

// sweepHealth inspects, once, every Running instance that has no operation
// under way and that no worker holds. It reads the instances a page at a time,
// only what the driver needs, and writes only those the driver reports dead
// (checkRunning): a healthy fleet costs reads and driver inspections, no
// writes.
func (s *Service) sweepHealth(ctx context.Context) error {
	after := ""
	for ctx.Err() == nil {
		var page []store.InstanceHandle
		err := s.deps.Store.View(ctx, func(tx store.Tx) error {
			var err error
			page, err = tx.InstanceHandles(StatusRunning, after, healthPage)
			return err
		})
		if err != nil {
			return err
		}
		for _, h := range page {
			if Busy(store.Instance{NextStatus: h.NextStatus}) || !s.rec.claim(h.ID, false) {
				continue
			}
			in := store.Instance{AccountID: h.AccountID, ID: h.ID, Status: StatusRunning,
				NextStatus: h.NextStatus, DriverHandle: h.DriverHandle}
			err := s.checkRunning(ctx, in)
			s.rec.unclaim(h.ID)
			if err != nil && ctx.Err() == nil {
				s.deps.Logger.Warn("reconciler: health check failed", "instance", h.ID, "err", err)
			}
		}
		if len(page) < healthPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
	return ctx.Err()
}
