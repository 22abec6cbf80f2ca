package task

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// gcInterval is how often ended tasks past the retention are deleted.
const gcInterval = time.Hour

// Run runs due tasks until ctx ends, then waits for the steps under way. It first
// takes back the leases this owner held before a restart, so interrupted tasks
// resume at once.
func (e *Engine) Run(ctx context.Context) {
	if err := e.cfg.Store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.ReleaseTaskLeases(e.cfg.Owner)
		if n > 0 {
			e.cfg.Logger.Info("task runner: resuming tasks interrupted by a restart", "tasks", n)
		}
		return err
	}); err != nil && ctx.Err() == nil {
		e.cfg.Logger.Error("task runner: release own leases", "err", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	free := make(chan struct{}, e.cfg.Workers)
	for range e.cfg.Workers {
		free <- struct{}{}
	}
	done := make(chan struct{}, e.cfg.Workers)
	for ctx.Err() == nil {
		e.collectGarbage(ctx)
		claimed, err := e.claim(ctx, len(free))
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("task runner: claim", "err", err)
		}
		for _, t := range claimed {
			<-free
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.runClaimed(ctx, t)
				free <- struct{}{}
				select {
				case done <- struct{}{}:
				default:
				}
			}()
		}
		select {
		case <-ctx.Done():
		case <-e.wake:
		case <-done:
		case <-e.cfg.Clock.After(e.sleep(ctx, len(claimed) > 0)):
		}
	}
}

// sleep is how long the runner waits before looking again: until the next due
// task, at most PollInterval.
func (e *Engine) sleep(ctx context.Context, busy bool) time.Duration {
	wait := e.cfg.PollInterval
	var next time.Time
	err := e.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		next, err = tx.NextTaskDue()
		return err
	})
	if err == nil && !next.IsZero() {
		if d := next.Sub(e.now()); d < wait {
			wait = d
		}
	}
	if wait <= 0 && busy {
		// Claimed a full batch: look again for more at once.
		return 0
	}
	// Due now but not claimed (every worker busy): a finishing step wakes the
	// loop; otherwise look again shortly.
	return max(wait, e.cfg.PollInterval/50)
}

// RunDue claims the tasks due now (at most Config.Workers) and runs one step of
// each, one after the other, and returns how many it ran. Tests, and tools that
// drive the clock themselves, call it instead of Run.
func (e *Engine) RunDue(ctx context.Context) (int, error) {
	claimed, err := e.claim(ctx, e.cfg.Workers)
	if err != nil {
		return 0, err
	}
	for _, t := range claimed {
		e.runClaimed(ctx, t)
	}
	return len(claimed), nil
}

// Settle runs due tasks until none is due at the clock's current time, at most
// limit steps; it returns how many steps it ran.
func (e *Engine) Settle(ctx context.Context, limit int) (int, error) {
	total := 0
	for total < limit {
		n, err := e.RunDue(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

// claim leases up to limit due tasks that no step of this process is running.
func (e *Engine) claim(ctx context.Context, limit int) ([]store.Task, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := e.now()
	var claimed []store.Task
	err := e.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimDueTasks(e.cfg.Owner, now, now.Add(e.cfg.Lease), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim tasks: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := claimed[:0]
	for _, t := range claimed {
		if !e.running[t.ID] {
			e.running[t.ID] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// runClaimed runs one step (or the cancellation) of a claimed task and saves
// the outcome under the lease.
func (e *Engine) runClaimed(ctx context.Context, t store.Task) {
	defer func() {
		e.mu.Lock()
		delete(e.running, t.ID)
		e.mu.Unlock()
	}()
	k, ok := e.kinds[t.Action]
	if !ok {
		e.cfg.Logger.Warn("task runner: no kind for task; leaving it for a runner that knows it", "task", t.ID, "action", t.Action)
		e.save(ctx, t, func(cur *store.Task, _ time.Time) error {
			cur.LeaseOwner, cur.LeaseUntil = "", time.Time{}
			cur.NextRunAt = e.now().Add(unknownKindDelay)
			return nil
		}, nil)
		return
	}
	stepCtx, cancel := context.WithTimeout(ctx, e.cfg.Lease/2)
	defer cancel()
	if t.CancelRequested {
		e.cancelTask(stepCtx, ctx, k, t)
		return
	}
	out, err := k.Step(stepCtx, t)
	if err != nil {
		e.stepFailed(ctx, k, t, err)
		return
	}
	e.save(ctx, t, func(cur *store.Task, now time.Time) error {
		applyOutcome(cur, out, now)
		if out.Done {
			cur.Status, cur.FinishedAt, cur.NextRunAt = store.TaskFinished, now, time.Time{}
		}
		return nil
	}, out.Apply)
}

// applyOutcome writes a step's outcome into the task.
func applyOutcome(t *store.Task, out Outcome, now time.Time) {
	t.Attempts, t.LeaseOwner, t.LeaseUntil = 0, "", time.Time{}
	if out.State != nil {
		t.State = out.State
	}
	if out.Operations != nil {
		t.Operations = out.Operations
	}
	t.Progress = min(max(t.Progress, out.Progress), 100)
	if out.Done {
		t.Progress = 100
		return
	}
	t.Step, t.NextRunAt = out.Next, now.Add(max(out.After, 0))
}

// cancelTask runs the kind's Cancel and marks the task Cancelled.
func (e *Engine) cancelTask(stepCtx, ctx context.Context, k Kind, t store.Task) {
	var out Outcome
	if k.Cancel != nil {
		var err error
		if out, err = k.Cancel(stepCtx, t); err != nil {
			e.cfg.Logger.Warn("task runner: cancellation failed; retrying", "task", t.ID, "err", err)
			e.retryLater(ctx, t)
			return
		}
	}
	e.save(ctx, t, func(cur *store.Task, now time.Time) error {
		cur.Attempts, cur.LeaseOwner, cur.LeaseUntil = 0, "", time.Time{}
		if out.State != nil {
			cur.State = out.State
		}
		if out.Operations != nil {
			cur.Operations = out.Operations
		}
		cur.Status, cur.FinishedAt, cur.NextRunAt = store.TaskCancelled, now, time.Time{}
		for i := range cur.Operations {
			if cur.Operations[i].Status == OperationProcessing {
				cur.Operations[i].Status = OperationFailed
				cur.Operations[i].ErrorCode, cur.Operations[i].ErrorMessage = "Cancelled", "The task was cancelled."
			}
		}
		return nil
	}, out.Apply)
}

// stepFailed retries a failed step later, or fails the task.
func (e *Engine) stepFailed(ctx context.Context, k Kind, t store.Task, err error) {
	var f *Failure
	if !errors.As(err, &f) && t.Attempts+1 < e.cfg.MaxAttempts {
		e.cfg.Logger.Warn("task runner: step failed; retrying", "task", t.ID, "action", t.Action, "step", t.Step,
			"attempt", t.Attempts+1, "err", err)
		e.retryLater(ctx, t)
		return
	}
	if f == nil {
		e.cfg.Logger.Error("task runner: step keeps failing; the task fails", "task", t.ID, "action", t.Action, "err", err)
		f = &Failure{Code: "InternalError", Message: "The task failed due to an internal error."}
	}
	e.save(ctx, t, func(cur *store.Task, now time.Time) error {
		cur.Status, cur.FinishedAt, cur.NextRunAt = store.TaskFailed, now, time.Time{}
		cur.LeaseOwner, cur.LeaseUntil = "", time.Time{}
		cur.ErrorCode, cur.ErrorMessage = f.Code, f.Message
		for i := range cur.Operations {
			if cur.Operations[i].Status != OperationSuccess {
				cur.Operations[i].Status, cur.Operations[i].ErrorCode, cur.Operations[i].ErrorMessage =
					OperationFailed, f.Code, f.Message
			}
		}
		return nil
	}, func(tx store.Tx) error {
		if k.Fail == nil {
			return nil
		}
		return k.Fail(tx, t, f)
	})
}

// retryLater releases the lease and makes the step due again after a backoff.
func (e *Engine) retryLater(ctx context.Context, t store.Task) {
	e.save(ctx, t, func(cur *store.Task, now time.Time) error {
		cur.Attempts++
		cur.LeaseOwner, cur.LeaseUntil = "", time.Time{}
		cur.NextRunAt = now.Add(backoff(cur.Attempts))
		return nil
	}, nil)
}

// backoff is the wait before retry n: 1s, doubling, at most maxBackoff.
func backoff(n int) time.Duration {
	d := time.Second
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// save changes the claimed task with edit and runs apply, in one transaction
// that commits only while the lease is still t's. A lost lease is logged and
// discarded: whoever holds the task now decides.
func (e *Engine) save(ctx context.Context, t store.Task, edit func(cur *store.Task, now time.Time) error,
	apply func(tx store.Tx) error) {
	// The step is over: from the save on, the task may be claimed again (a
	// claim before the save commits finds the lease still held), so this
	// process must not skip it as its own.
	e.mu.Lock()
	delete(e.running, t.ID)
	e.mu.Unlock()
	now := e.now()
	cur := t
	if err := edit(&cur, now); err != nil {
		e.cfg.Logger.Error("task runner: edit task", "task", t.ID, "err", err)
		return
	}
	cur.UpdatedAt = now
	err := e.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.SaveTask(cur); err != nil {
			return err
		}
		if apply != nil {
			return apply(tx)
		}
		return nil
	})
	switch {
	case err == nil:
		if !cur.Ended() && !cur.NextRunAt.After(now) {
			e.Wake()
		}
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		e.cfg.Logger.Info("task runner: lease lost; the step's outcome is dropped", "task", t.ID, "err", err)
	case ctx.Err() != nil:
	default:
		e.cfg.Logger.Error("task runner: save task", "task", t.ID, "err", err)
	}
}

// collectGarbage deletes ended tasks past the retention, at most once per gcInterval.
func (e *Engine) collectGarbage(ctx context.Context) {
	if e.cfg.Retention < 0 {
		return
	}
	now := e.now()
	e.mu.Lock()
	due := now.Sub(e.lastGC) >= gcInterval
	if due {
		e.lastGC = now
	}
	e.mu.Unlock()
	if !due {
		return
	}
	err := e.cfg.Store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.DeleteEndedTasks(now.Add(-e.cfg.Retention))
		return err
	})
	if err != nil && ctx.Err() == nil {
		e.cfg.Logger.Warn("task runner: delete old tasks", "err", err)
	}
}
