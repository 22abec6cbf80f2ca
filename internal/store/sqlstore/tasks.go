package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// taskColumns lists the tasks table's columns in the order of taskArgs and scanTask.
const taskColumns = "id, account_id, region_id, action, status, support_cancel, resource_id, step, state, progress, " +
	"operations, cancel_requested, attempts, error_code, error_message, next_run_at, lease_owner, lease_until, " +
	"lease_epoch, created_at, updated_at, finished_at"

// taskRunnerColumns are the columns SaveTask writes: what the runner owns.
var taskRunnerColumns = []string{"status", "step", "state", "progress", "operations", "attempts", "error_code",
	"error_message", "next_run_at", "lease_owner", "lease_until", "updated_at", "finished_at"}

// nanos converts several times to the stored form.
func nanos(ts ...time.Time) ([]int64, error) {
	out := make([]int64, len(ts))
	for i, t := range ts {
		n, err := toNanos(t)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func taskArgs(t store.Task) ([]any, error) {
	ns, err := nanos(t.NextRunAt, t.LeaseUntil, t.CreatedAt, t.UpdatedAt, t.FinishedAt)
	if err != nil {
		return nil, err
	}
	ops, err := encodeOperations(t.Operations)
	if err != nil {
		return nil, err
	}
	return []any{t.ID, t.AccountID, t.RegionID, t.Action, t.Status, t.SupportCancel, t.ResourceID, t.Step,
		string(t.State), t.Progress, ops, t.CancelRequested, t.Attempts, t.ErrorCode, t.ErrorMessage, ns[0],
		t.LeaseOwner, ns[1], t.LeaseEpoch, ns[2], ns[3], ns[4]}, nil
}

func encodeOperations(ops []store.TaskOperation) (string, error) {
	if len(ops) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ops)
	if err != nil {
		return "", fmt.Errorf("encode task operations: %w", err)
	}
	return string(b), nil
}

func scanTask(t *store.Task) func(scanner) error {
	return func(s scanner) error {
		var state, ops string
		var next, leaseUntil, created, updated, finished int64
		err := s.Scan(&t.ID, &t.AccountID, &t.RegionID, &t.Action, &t.Status, &t.SupportCancel, &t.ResourceID,
			&t.Step, &state, &t.Progress, &ops, &t.CancelRequested, &t.Attempts, &t.ErrorCode, &t.ErrorMessage,
			&next, &t.LeaseOwner, &leaseUntil, &t.LeaseEpoch, &created, &updated, &finished)
		if err != nil {
			return err
		}
		t.State = nil
		if state != "" {
			t.State = []byte(state)
		}
		t.Operations = nil
		if ops != "" {
			if err := json.Unmarshal([]byte(ops), &t.Operations); err != nil {
				return fmt.Errorf("decode operations of task %s: %w", t.ID, err)
			}
		}
		t.NextRunAt, t.LeaseUntil = fromNanos(next), fromNanos(leaseUntil)
		t.CreatedAt, t.UpdatedAt, t.FinishedAt = fromNanos(created), fromNanos(updated), fromNanos(finished)
		return nil
	}
}

// CreateTask implements store.TaskTx.
func (t *tx) CreateTask(task store.Task) error {
	args, err := taskArgs(task)
	if err != nil {
		return fmt.Errorf("create task %s: %w", task.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	if err := t.insert(`INSERT INTO tasks (`+taskColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("create task %s: %w", task.ID, err)
	}
	return nil
}

// GetTask implements store.TaskTx.
func (t *tx) GetTask(accountID int64, id string) (store.Task, error) {
	var task store.Task
	if err := t.get(scanTask(&task), `SELECT `+taskColumns+` FROM tasks WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.Task{}, fmt.Errorf("get task %s: %w", id, err)
	}
	return task, nil
}

// ListTasks implements store.TaskTx.
func (t *tx) ListTasks(f store.TaskFilter) ([]store.Task, int, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.in("action", f.Actions)
	w.in("status", f.Statuses)
	w.in("resource_id", f.ResourceIDs)
	if err := createdBetween(w, f.CreatedFrom, f.CreatedTo); err != nil {
		return nil, 0, err
	}
	return newestFirst(t, "tasks", taskColumns, w, f.Page, nil, scanTask)
}

// createdBetween adds the bounds of a creation-time filter that are set.
func createdBetween(w *where, from, to time.Time) error {
	ns, err := nanos(from, to)
	if err != nil {
		return err
	}
	if !from.IsZero() {
		w.add("created_at >= ?", ns[0])
	}
	if !to.IsZero() {
		w.add("created_at <= ?", ns[1])
	}
	return nil
}

// ClaimDueTasks implements store.TaskTx.
func (t *tx) ClaimDueTasks(owner string, now, until time.Time, limit int) ([]store.Task, error) {
	ns, err := nanos(now, until)
	if err != nil {
		return nil, err
	}
	var due []store.Task
	var task store.Task
	err = t.list(func(s scanner) error {
		if err := scanTask(&task)(s); err != nil {
			return err
		}
		due = append(due, task)
		return nil
	}, `SELECT `+taskColumns+` FROM tasks WHERE next_run_at > 0 AND next_run_at <= ? AND lease_until <= ? `+
		`ORDER BY next_run_at, id LIMIT ?`, ns[0], ns[0], limit)
	if err != nil {
		return nil, fmt.Errorf("due tasks: %w", err)
	}
	claimed := make([]store.Task, 0, len(due))
	for _, d := range due {
		err := t.update(`UPDATE tasks SET lease_owner = ?, lease_until = ?, lease_epoch = lease_epoch + 1, status = ? `+
			`WHERE id = ? AND lease_epoch = ?`, owner, ns[1], store.TaskProcessing, d.ID, d.LeaseEpoch)
		if errors.Is(err, store.ErrNotFound) {
			continue // claimed by someone else since the read
		}
		if err != nil {
			return nil, fmt.Errorf("claim task %s: %w", d.ID, err)
		}
		d.LeaseOwner, d.LeaseUntil, d.LeaseEpoch, d.Status = owner, until.UTC(), d.LeaseEpoch+1, store.TaskProcessing
		claimed = append(claimed, d)
	}
	return claimed, nil
}

// SaveTask implements store.TaskTx.
func (t *tx) SaveTask(task store.Task) error {
	args, err := taskArgs(task)
	if err != nil {
		return fmt.Errorf("save task %s: %w", task.ID, err)
	}
	byColumn := map[string]any{}
	for i, c := range strings.Split(taskColumns, ", ") {
		byColumn[c] = args[i]
	}
	sets := make([]string, len(taskRunnerColumns))
	vals := make([]any, 0, len(taskRunnerColumns)+2)
	for i, c := range taskRunnerColumns {
		sets[i] = c + " = ?"
		vals = append(vals, byColumn[c])
	}
	vals = append(vals, task.ID, task.LeaseEpoch)
	n, err := t.exec(`UPDATE tasks SET `+strings.Join(sets, ", ")+` WHERE id = ? AND lease_epoch = ?`, vals...)
	if err != nil {
		return fmt.Errorf("save task %s: %w", task.ID, err)
	}
	if n == 1 {
		return nil
	}
	var exists int
	if err := t.get(func(s scanner) error { return s.Scan(&exists) }, `SELECT 1 FROM tasks WHERE id = ?`, task.ID); err != nil {
		return fmt.Errorf("save task %s: %w", task.ID, err)
	}
	return fmt.Errorf("save task %s: lease epoch %d lost: %w", task.ID, task.LeaseEpoch, store.ErrConflict)
}

// RequestTaskCancel implements store.TaskTx.
func (t *tx) RequestTaskCancel(accountID int64, id string, now time.Time) error {
	n, err := toNanos(now)
	if err != nil {
		return err
	}
	err = t.update(`UPDATE tasks SET cancel_requested = ?, next_run_at = ?, lease_owner = '', lease_until = 0, `+
		`lease_epoch = lease_epoch + 1 WHERE account_id = ? AND id = ?`, true, n, accountID, id)
	if err != nil {
		return fmt.Errorf("cancel task %s: %w", id, err)
	}
	return nil
}

// ReleaseTaskLeases implements store.TaskTx.
func (t *tx) ReleaseTaskLeases(owner string) (int, error) {
	n, err := t.exec(`UPDATE tasks SET lease_until = 0 WHERE lease_owner = ? AND lease_until > 0`, owner)
	if err != nil {
		return 0, fmt.Errorf("release leases of %s: %w", owner, err)
	}
	return int(n), nil
}

// NextTaskDue implements store.TaskTx.
func (t *tx) NextTaskDue() (time.Time, error) {
	var next *int64
	err := t.get(func(s scanner) error { return s.Scan(&next) }, `SELECT MIN(CASE WHEN lease_until > next_run_at THEN lease_until ELSE next_run_at END) FROM tasks WHERE next_run_at > 0`)
	if err != nil {
		return time.Time{}, fmt.Errorf("next task due: %w", err)
	}
	if next == nil {
		return time.Time{}, nil
	}
	return fromNanos(*next), nil
}

// DeleteEndedTasks implements store.TaskTx.
func (t *tx) DeleteEndedTasks(before time.Time) (int, error) {
	b, err := toNanos(before)
	if err != nil {
		return 0, err
	}
	n, err := t.exec(`DELETE FROM tasks WHERE finished_at > 0 AND finished_at < ?`, b)
	if err != nil {
		return 0, fmt.Errorf("delete ended tasks: %w", err)
	}
	return int(n), nil
}
