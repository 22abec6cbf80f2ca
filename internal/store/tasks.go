package store

import "time"

// Task statuses (guide 1.16): a task waits to be claimed, is processed step by
// step, and ends Finished, Failed or Cancelled.
const (
	TaskWaiting    = "Waiting"
	TaskProcessing = "Processing"
	TaskFinished   = "Finished"
	TaskFailed     = "Failed"
	TaskCancelled  = "Cancelled"
)

// Task is one asynchronous operation of the task engine (internal/service/task).
type Task struct {
	ID        string
	AccountID int64
	RegionID  string
	// Action is the task's kind as clients see it (TaskAction): CreateSnapshot,
	// ImportImage ….
	Action string
	// Status is one of the Task* statuses.
	Status string
	// SupportCancel tells whether CancelTask may cancel it.
	SupportCancel bool
	// ResourceID is the resource the task works on (DescribeTasks' ResourceIds).
	ResourceID string
	// Step is the kind's next step; State is the kind's own data (JSON).
	Step  int
	State []byte
	// Progress is 0 to 100 (TaskProcess).
	Progress int
	// Operations are the per-resource outcomes (OperationProgressSet).
	Operations []TaskOperation
	// CancelRequested is set by a cancellation the runner has not carried out yet.
	CancelRequested bool
	// Attempts counts the failed tries of the current step.
	Attempts int
	// ErrorCode and ErrorMessage explain a Failed task.
	ErrorCode    string
	ErrorMessage string
	// NextRunAt is when the next step is due; zero once the task has ended.
	NextRunAt time.Time
	// LeaseOwner runs the task until LeaseUntil; LeaseEpoch is the fencing token
	// of the current lease: every claim and every cancellation bumps it, and a
	// save under an older epoch is refused.
	LeaseOwner string
	LeaseUntil time.Time
	LeaseEpoch int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

// Ended reports whether the task is Finished, Failed or Cancelled.
func (t Task) Ended() bool {
	return t.Status == TaskFinished || t.Status == TaskFailed || t.Status == TaskCancelled
}

// TaskOperation is the outcome of a task on one resource (guide 1.17.41
// OperationProgressType).
type TaskOperation struct {
	// Status is Processing, Success or Failed.
	Status       string     `json:"status"`
	ErrorCode    string     `json:"errorCode,omitempty"`
	ErrorMessage string     `json:"errorMessage,omitempty"`
	Items        []TaskItem `json:"items,omitempty"`
}

// TaskItem is one name/value of a task operation (RelatedItemType, 1.17.42).
type TaskItem struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TaskFilter selects tasks of one account; empty fields match all.
type TaskFilter struct {
	AccountID   int64
	RegionID    string
	IDs         []string
	Actions     []string
	Statuses    []string
	ResourceIDs []string
	// CreatedFrom and CreatedTo bound the creation time (inclusive) when set.
	CreatedFrom time.Time
	CreatedTo   time.Time
	Page        Page
}

// TaskTx holds the task engine's tasks.
type TaskTx interface {
	// CreateTask inserts a task; ErrConflict when the ID is taken.
	CreateTask(t Task) error
	// GetTask returns the account's task or ErrNotFound.
	GetTask(accountID int64, id string) (Task, error)
	// ListTasks returns the tasks matching f, newest first, and the total count
	// before paging.
	ListTasks(f TaskFilter) ([]Task, int, error)
	// ClaimDueTasks leases up to limit tasks of any account that have not ended,
	// whose NextRunAt is not after now and whose lease has expired, earliest
	// first, to owner until until: each gets LeaseOwner, LeaseUntil, a bumped
	// LeaseEpoch and status Processing. It returns them as leased.
	ClaimDueTasks(owner string, now, until time.Time, limit int) ([]Task, error)
	// SaveTask replaces the runner-owned fields of a task (everything but the
	// identity, SupportCancel, CancelRequested and CreatedAt) if its lease
	// epoch is still t.LeaseEpoch; ErrConflict when the lease was lost,
	// ErrNotFound when the task is gone.
	SaveTask(t Task) error
	// RequestTaskCancel marks the account's task for cancellation, makes it due
	// at now and revokes its lease (bumping the epoch, so a step under way
	// cannot save); ErrNotFound when absent.
	RequestTaskCancel(accountID int64, id string, now time.Time) error
	// ReleaseTaskLeases expires every lease held by owner (a restarted runner
	// takes back its own tasks at once) and returns how many.
	ReleaseTaskLeases(owner string) (int, error)
	// NextTaskDue returns the earliest time a task that has not ended can be
	// claimed (its NextRunAt, or its lease's expiry when later), or the zero
	// time when there are none.
	NextTaskDue() (time.Time, error)
	// DeleteEndedTasks removes the tasks that ended before before and returns
	// how many.
	DeleteEndedTasks(before time.Time) (int, error)
}
