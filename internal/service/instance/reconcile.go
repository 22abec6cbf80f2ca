package instance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// maxBackoff bounds the wait before a failed step is tried again.
const maxBackoff = time.Minute

// reconciler is the in-memory side of the reconciler: which instances a worker
// holds (one goroutine per instance at a time), how many workers run, the
// passwords waiting for the driver's Create, and consecutive failures.
type reconciler struct {
	workers int
	wakeCh  chan struct{}

	mu        sync.Mutex
	claimed   map[string]bool
	passwords map[string]string
	failures  map[string]int
	// soonest is the earliest future time a step was scheduled at by this
	// process (a backoff), so the loop does not sleep past it.
	soonest time.Time
}

func newReconciler(workers int) *reconciler {
	return &reconciler{workers: workers, wakeCh: make(chan struct{}, 1), claimed: map[string]bool{},
		passwords: map[string]string{}, failures: map[string]int{}}
}

// wake asks the loop to look for due transitions now.
func (r *reconciler) wake() {
	select {
	case r.wakeCh <- struct{}{}:
	default:
	}
}

// claim takes the instance for one worker; false when a worker has it or, with
// bounded, when every worker is busy.
func (r *reconciler) claim(id string, bounded bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.claimed[id] || bounded && len(r.claimed) >= r.workers {
		return false
	}
	r.claimed[id] = true
	return true
}

// release gives the instance back and wakes the loop, which may have
// something due for it.
func (r *reconciler) release(id string) {
	r.unclaim(id)
	r.wake()
}

// unclaim gives the instance back without waking the loop (the health sweep,
// which records no intent).
func (r *reconciler) unclaim(id string) {
	r.mu.Lock()
	delete(r.claimed, id)
	r.mu.Unlock()
}

func (r *reconciler) busyWorkers() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.claimed)
}

func (r *reconciler) setPassword(id, password string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.passwords[id] = password
}

func (r *reconciler) password(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.passwords[id]
}

func (r *reconciler) clearPassword(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.passwords, id)
}

func (r *reconciler) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.passwords, id)
	delete(r.failures, id)
}

// fail counts a failure of the instance's current step and returns the backoff.
func (r *reconciler) fail(id string, now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures[id]++
	d := min(time.Second<<min(r.failures[id]-1, 6), maxBackoff)
	if at := now.Add(d); r.soonest.IsZero() || at.Before(r.soonest) {
		r.soonest = at
	}
	return d
}

func (r *reconciler) succeeded(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.failures, id)
}

// sleep returns how long the loop may wait before looking again.
func (r *reconciler) sleep(now time.Time, poll time.Duration) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.soonest.IsZero() {
		return poll
	}
	d := r.soonest.Sub(now)
	if d <= 0 {
		r.soonest = time.Time{}
		return 0
	}
	return min(d, poll)
}

// Run is the reconciler: it recovers every instance from its persisted driver
// handle, then, until ctx ends, claims due transitions and drives the compute
// driver through them (Create, Start, Stop, Reboot, Delete), persisting the
// driver's handle and the instance's status after every call. It is woken by
// every API call that records an intent and polls every PollInterval for
// backoffs and auto-releases; beside it, the health sweep inspects the Running
// instances (sweepHealthLoop). When ctx ends it waits for its workers, whose
// driver calls end with ctx; an interrupted transition stays recorded and is
// resumed by the next Run.
func (s *Service) Run(ctx context.Context) {
	s.recoverAll(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.sweepHealthLoop(ctx)
	}()
	for ctx.Err() == nil {
		s.dispatch(ctx, &wg)
		wait := s.rec.sleep(s.now(), s.deps.PollInterval)
		if wait == 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.rec.wakeCh:
		case <-s.deps.Clock.After(wait):
		}
	}
}

// dispatch starts a worker for every due instance no worker holds, as long as
// workers are free.
func (s *Service) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	due, err := s.due(ctx, s.deps.Workers+s.rec.busyWorkers())
	if err != nil {
		if ctx.Err() == nil {
			s.deps.Logger.Error("reconciler: list due transitions", "err", err)
		}
		return
	}
	for _, in := range due {
		if !s.rec.claim(in.ID, true) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.rec.release(in.ID)
			s.work(ctx, in.AccountID, in.ID)
		}()
	}
}

// due lists up to limit instances whose next transition is due.
func (s *Service) due(ctx context.Context, limit int) ([]store.InstanceHandle, error) {
	var due []store.InstanceHandle
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		due, err = tx.DueInstanceTransitions(s.now(), limit)
		return err
	})
	return due, err
}

// Settle runs every due transition to its end in the caller's goroutine, one
// instance at a time, until none is due, then one health sweep, then the
// transitions again. It is Run without the loop, for tests and tools that drive
// the clock themselves; it does not recover handles.
func (s *Service) Settle(ctx context.Context) error {
	if err := s.settleDue(ctx); err != nil {
		return err
	}
	if err := s.sweepHealth(ctx); err != nil {
		return err
	}
	return s.settleDue(ctx)
}

// settleDue is Settle's loop over due transitions.
func (s *Service) settleDue(ctx context.Context) error {
	for range 10_000 {
		due, err := s.due(ctx, 100)
		if err != nil {
			return err
		}
		progressed := false
		for _, in := range due {
			if !s.rec.claim(in.ID, false) {
				continue
			}
			s.work(ctx, in.AccountID, in.ID)
			s.rec.release(in.ID)
			progressed = true
		}
		if !progressed {
			return ctx.Err()
		}
	}
	return fmt.Errorf("instance: transitions did not settle")
}

// work drives one claimed instance through its due steps.
func (s *Service) work(ctx context.Context, accountID int64, id string) {
	for ctx.Err() == nil {
		var in store.Instance
		err := s.deps.Store.View(ctx, func(tx store.Tx) error {
			var err error
			in, err = tx.GetInstance(accountID, id)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			s.rec.forget(id)
			return
		}
		if err != nil {
			s.deps.Logger.Error("reconciler: read instance", "instance", id, "err", err)
			return
		}
		if in.NextStatus == "" || in.NextStatusAt.After(s.now()) {
			return
		}
		more, err := s.step(ctx, in)
		if err != nil {
			if ctx.Err() == nil {
				s.retryLater(ctx, in, err)
			}
			return
		}
		s.rec.succeeded(id)
		if !more {
			return
		}
	}
}

// retryLater logs a failed step and postpones the instance's intent by a
// backoff, unless the intent changed meanwhile.
func (s *Service) retryLater(ctx context.Context, in store.Instance, cause error) {
	now := s.now()
	delay := s.rec.fail(in.ID, now)
	s.deps.Logger.Warn("reconciler: step failed, retrying", "instance", in.ID, "status", in.Status,
		"intent", in.NextStatus, "retry_in", delay, "err", cause)
	err := s.steps.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetInstance(in.AccountID, in.ID)
		if err != nil || cur.NextStatus != in.NextStatus {
			return ignoreNotFound(err)
		}
		cur.NextStatusAt = now.Add(delay)
		return tx.UpdateInstance(cur)
	})
	if err != nil && ctx.Err() == nil {
		s.deps.Logger.Error("reconciler: postpone step", "instance", in.ID, "err", err)
	}
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// scheduleIdle sets what the reconciler does next with an instance that has no
// operation under way: release it at its AutoReleaseTime, or nothing. (Whether
// a Running instance's hypervisor died is found by the health sweep, which
// writes nothing for a healthy one.) Call it inside the transaction that
// changes a settled instance's Status or AutoReleaseTime.
func scheduleIdle(in *store.Instance) {
	in.NextStatus, in.NextStatusAt = "", time.Time{}
	if !in.AutoReleaseTime.IsZero() {
		in.NextStatus, in.NextStatusAt = intentReleased, in.AutoReleaseTime
	}
}

// settleIdle is scheduleIdle in the shape of commit's apply.
func settleIdle(cur *store.Instance, _ time.Time) { scheduleIdle(cur) }

// commit records the outcome of a driver call: the new handle (when not zero)
// and, if the instance's intent is still intent, apply's changes. When the
// intent changed meanwhile (DeleteInstance with Force during a boot), only the
// handle is recorded and the new intent is left for the next step.
func (s *Service) commit(ctx context.Context, in store.Instance, handle []byte, apply func(cur *store.Instance, now time.Time)) error {
	return s.steps.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetInstance(in.AccountID, in.ID)
		if err != nil {
			return ignoreNotFound(err)
		}
		if handle != nil {
			cur.DriverHandle = handle
		}
		if cur.NextStatus == in.NextStatus {
			apply(&cur, s.now())
		}
		return tx.UpdateInstance(cur)
	})
}
