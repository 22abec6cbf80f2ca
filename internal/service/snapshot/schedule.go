package snapshot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// The scheduler carries out automatic snapshot policies. A policy's slots are
// the whole hours of its TimePoints on its RepeatWeekdays, in the local time of
// the disk's region (catalog.Region.Location: a fixed UTC offset, +08:00 by
// default, so no hour is skipped or repeated by daylight saving time).
//
// For each disk executing a policy the store keeps the last slot handled
// (DiskPolicy.LastSlot). A pass (Tick) looks, for every disk, at the latest
// slot not after now: when it is later than the last slot handled and than the
// moment the policy was applied, the pass records it as handled and — in the
// same transaction — takes an automatic snapshot, provided the slot is less
// than SlotGrace old. A slot missed by more than that (ecsd was down) is
// recorded without a snapshot; of several slots missed in a row only the latest
// is considered. So a restart never fires a slot twice, fires a slot it missed
// by less than the grace, and never fires stale ones.
//
// A pass also deletes the snapshots whose retention has run out (automatic
// snapshots with their policy's RetentionDays, and user snapshots created with
// RetentionDays), except those an image was made from, which are kept.

// SlotGrace is how late a slot may still fire: until the next whole hour, the
// closest another slot can be.
const SlotGrace = time.Hour

// sweepInterval bounds the scheduler's sleep: expired snapshots are looked
// for at least this often.
const sweepInterval = time.Minute

// scanBatch is how many disk policies one transaction reads.
const scanBatch = 500

// scheduler is the state of the scheduler loop.
type scheduler struct {
	svc    *Service
	wakeCh chan struct{}
}

func newScheduler(s *Service) *scheduler {
	return &scheduler{svc: s, wakeCh: make(chan struct{}, 1)}
}

// wake makes the loop run a pass now (a policy changed).
func (sc *scheduler) wake() {
	select {
	case sc.wakeCh <- struct{}{}:
	default:
	}
}

// RunScheduler runs passes until ctx ends: at every slot of every policy, at
// least every minute (retention), and whenever a policy changes.
func (s *Service) RunScheduler(ctx context.Context) {
	for ctx.Err() == nil {
		next, err := s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			s.deps.Logger.Error("snapshot scheduler", "err", err)
		}
		wait := sweepInterval
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(s.now()), 0))
		}
		select {
		case <-ctx.Done():
		case <-s.sched.wakeCh:
		case <-s.deps.Clock.After(wait):
		}
	}
}

// Tick runs one scheduler pass at the clock's time and returns when the next
// slot of any policy is due (zero: none). Tests and tools that drive the clock
// themselves call it instead of RunScheduler.
func (s *Service) Tick(ctx context.Context) (time.Time, error) {
	now := s.now()
	next, fired, err := s.fireDue(ctx, now)
	if err != nil {
		return next, err
	}
	expired, err := s.expire(ctx, now)
	if fired+expired > 0 {
		s.deps.Tasks.Wake()
	}
	return next, err
}

// fireDue handles the due slot of every disk policy and returns the next slot
// of any of them and how many snapshots it took.
func (s *Service) fireDue(ctx context.Context, now time.Time) (time.Time, int, error) {
	policies := map[string]*store.AutoSnapshotPolicy{} // by account/ID; nil: gone
	var next time.Time
	fired, after := 0, ""
	for {
		var batch []store.DiskPolicy
		err := s.deps.Store.View(ctx, func(tx store.Tx) error {
			var err error
			if batch, err = tx.ListDiskPolicies("", after, scanBatch); err != nil {
				return err
			}
			for _, b := range batch {
				key := fmt.Sprint(b.AccountID, "/", b.PolicyID)
				if _, seen := policies[key]; seen {
					continue
				}
				p, err := tx.GetAutoSnapshotPolicy(b.AccountID, b.PolicyID)
				if errors.Is(err, store.ErrNotFound) {
					policies[key] = nil
					continue
				}
				if err != nil {
					return err
				}
				policies[key] = &p
			}
			return nil
		})
		if err != nil {
			return next, fired, fmt.Errorf("read disk policies: %w", err)
		}
		for _, b := range batch {
			p := policies[fmt.Sprint(b.AccountID, "/", b.PolicyID)]
			if p == nil {
				continue
			}
			loc := s.location(b.RegionID)
			if n := nextSlot(*p, loc, now); !n.IsZero() && (next.IsZero() || n.Before(next)) {
				next = n
			}
			slot := latestSlot(*p, loc, now)
			if slot.IsZero() || !slot.After(b.LastSlot) || !slot.After(b.AppliedAt) {
				continue
			}
			took, err := s.handleSlot(ctx, b, *p, slot, now)
			if err != nil {
				return next, fired, err
			}
			if took {
				fired++
			}
		}
		if len(batch) < scanBatch {
			return next, fired, nil
		}
		after = batch[len(batch)-1].DiskID
	}
}

// handleSlot records slot as handled for the disk and, unless it is stale or
// the disk cannot be snapshotted now, takes an automatic snapshot, in one
// transaction; it reports whether it took one.
func (s *Service) handleSlot(ctx context.Context, b store.DiskPolicy, p store.AutoSnapshotPolicy, slot, now time.Time) (bool, error) {
	took := false
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		took = false
		cur, err := tx.GetDiskPolicy(b.AccountID, b.DiskID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if cur.PolicyID != b.PolicyID || !slot.After(cur.LastSlot) || !slot.After(cur.AppliedAt) {
			return nil // handled by another pass, or the disk switched policies
		}
		cur.LastSlot = slot
		if err := tx.PutDiskPolicy(cur); err != nil {
			return err
		}
		if now.Sub(slot) >= SlotGrace {
			s.deps.Logger.Info("snapshot scheduler: slot missed while ecsd was down; skipped",
				"disk", b.DiskID, "policy", p.ID, "slot", slot)
			return nil
		}
		took, err = s.takeAuto(tx, cur, p, slot, now)
		return err
	})
	return took, err
}

// takeAuto takes the automatic snapshot of a slot, making room when the disk
// has reached its snapshot quota; a disk that cannot be snapshotted now (its
// EnableAutoSnapshot is off, its instance is not running or stopped, a
// snapshot is under way …) is skipped.
func (s *Service) takeAuto(tx store.Tx, b store.DiskPolicy, p store.AutoSnapshotPolicy, slot, now time.Time) (bool, error) {
	d, err := tx.GetDisk(b.AccountID, b.DiskID)
	if errors.Is(err, store.ErrNotFound) {
		return false, tx.DeleteDiskPolicy(b.AccountID, b.DiskID)
	}
	if err != nil {
		return false, err
	}
	if !d.EnableAutoSnapshot {
		return false, nil
	}
	if err := checkSnapshotable(tx, d, now); err != nil {
		s.deps.Logger.Info("snapshot scheduler: disk cannot be snapshotted now; slot skipped", "disk", d.ID, "reason", err)
		return false, nil
	}
	if err := s.makeRoom(tx, d); err != nil {
		return false, err
	}
	sn := s.newSnapshot(d, now)
	local := slot.In(s.location(d.RegionID))
	sn.Type, sn.PolicyID = store.SnapshotTypeAuto, p.ID
	sn.Name = fmt.Sprintf("auto_%s_%d", local.Format("20060102"), slices.Index(p.TimePoints, local.Hour())+1)
	if p.RetentionDays > 0 {
		sn.RetentionDays, sn.ExpiresAt = p.RetentionDays, expiry(now, p.RetentionDays)
	}
	if err := s.take(tx, sn); err != nil {
		return false, err
	}
	return true, nil
}

// makeRoom deletes the disk's oldest automatic snapshots (not those an image
// was made from) until it is below its snapshot quota.
func (s *Service) makeRoom(tx store.Tx, d store.Disk) error {
	all, n, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: d.AccountID, SourceDiskIDs: []string{d.ID}})
	if err != nil {
		return err
	}
	for i := len(all) - 1; i >= 0 && n >= s.deps.Limits.SnapshotsPerDisk; i-- { // oldest first
		sn := all[i]
		if sn.Type != store.SnapshotTypeAuto || sn.UsedByImages || sn.Status == store.SnapshotProgressing {
			continue
		}
		if err := s.remove(tx, sn); err != nil {
			return err
		}
		n--
	}
	return nil
}

// expire deletes the snapshots whose retention has run out and returns how
// many. One an image was made from is kept (its retention no longer applies);
// one still being taken expires once it is done.
func (s *Service) expire(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		removed, changed, full := 0, 0, false
		err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
			removed, changed = 0, 0
			list, err := tx.ExpiredSnapshots(now, scanBatch)
			if err != nil {
				return err
			}
			full = len(list) == scanBatch
			for _, sn := range list {
				switch {
				case sn.Status == store.SnapshotProgressing:
					continue
				case sn.UsedByImages:
					sn.RetentionDays, sn.ExpiresAt = 0, time.Time{}
					err = tx.UpdateSnapshot(sn)
				default:
					err = s.remove(tx, sn)
					removed++
				}
				if err != nil {
					return err
				}
				changed++
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("expire snapshots: %w", err)
		}
		total += removed
		if !full || changed == 0 {
			return total, nil
		}
	}
}

// isoWeekday is the guide's weekday number: 1 (Monday) to 7 (Sunday).
func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

// latestSlot returns the latest slot of p not after now (zero: none in the
// last eight days).
func latestSlot(p store.AutoSnapshotPolicy, loc *time.Location, now time.Time) time.Time {
	local := now.In(loc)
	for back := 0; back <= 7; back++ {
		day := time.Date(local.Year(), local.Month(), local.Day()-back, 0, 0, 0, 0, loc)
		if !slices.Contains(p.RepeatWeekdays, isoWeekday(day)) {
			continue
		}
		for i := len(p.TimePoints) - 1; i >= 0; i-- {
			if slot := day.Add(time.Duration(p.TimePoints[i]) * time.Hour); !slot.After(now) {
				return slot.UTC()
			}
		}
	}
	return time.Time{}
}

// nextSlot returns the first slot of p after now (zero: none in the next eight days).
func nextSlot(p store.AutoSnapshotPolicy, loc *time.Location, now time.Time) time.Time {
	local := now.In(loc)
	for ahead := 0; ahead <= 7; ahead++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+ahead, 0, 0, 0, 0, loc)
		if !slices.Contains(p.RepeatWeekdays, isoWeekday(day)) {
			continue
		}
		for _, h := range p.TimePoints {
			if slot := day.Add(time.Duration(h) * time.Hour); slot.After(now) {
				return slot.UTC()
			}
		}
	}
	return time.Time{}
}
