package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Operation statuses (guide 1.17.41 OperationProgressType).
const (
	OperationProcessing = "Processing"
	OperationSuccess    = "Success"
	OperationFailed     = "Failed"
)

// Paging of DescribeTasks (guide 1.16.1).
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
	// MaxTaskIDs is how many TaskIds one DescribeTasks may name.
	MaxTaskIDs = 100
)

// ErrTaskNotFound answers a task that does not exist or is another account's
// (InvalidTaskId.NotFound; 404 like every *.NotFound, see docs/adr/0002).
func ErrTaskNotFound() *apierr.Error {
	return apierr.NotFound("InvalidTaskId.NotFound", `The specified "TaskId" is not found.`)
}

func errActionNotSupported() *apierr.Error {
	return apierr.Forbidden("InvalidTaskId.TaskActionNotSupport", "The specified task action not support.")
}

// errIncorrectStatus keeps the guide's message, double negative included.
func errIncorrectStatus() *apierr.Error {
	return apierr.Forbidden("InvalidTaskId.IncorrectTaskStatus", "The specified task status is not invalid.")
}

// Caller is who calls and in which region.
type Caller struct {
	AccountID int64
	RegionID  string
}

// Query are the filters and page of DescribeTasks.
type Query struct {
	// TaskIDs are up to 100 IDs.
	TaskIDs []string
	// Action is a TaskAction; empty lists every kind.
	Action string
	// Status is a TaskStatus as the guide spells the filter (see statusFilter).
	Status string
	// ResourceIDs keep the tasks of these resources.
	ResourceIDs []string
	// StartTime and EndTime bound the creation time (inclusive) when set.
	StartTime, EndTime   time.Time
	PageNumber, PageSize int
}

// Page is one page of tasks.
type Page struct {
	Tasks                            []store.Task
	TotalCount, PageNumber, PageSize int
}

// statusFilter maps DescribeTasks' TaskStatus to stored statuses. The guide's
// values are Finished, Processing, Pending (a task waiting to run), Deleted (a
// cancelled one) and Paused (ecsd never pauses a task); the stored names
// Waiting, Cancelled and Failed are accepted too. Matching ignores case. Any
// other value filters nothing, as on Alibaba Cloud ("其他取值将不会生效").
func statusFilter(s string) ([]string, bool) {
	switch strings.ToLower(s) {
	case "finished":
		return []string{store.TaskFinished}, true
	case "processing":
		return []string{store.TaskProcessing}, true
	case "pending", "waiting":
		return []string{store.TaskWaiting}, true
	case "deleted", "cancelled", "canceled":
		return []string{store.TaskCancelled}, true
	case "failed":
		return []string{store.TaskFailed}, true
	case "paused":
		return []string{"Paused"}, true
	}
	return nil, false
}

// Describe lists the caller's tasks in the region, newest first (DescribeTasks, 1.16.1).
func (e *Engine) Describe(ctx context.Context, c Caller, q Query) (Page, error) {
	if len(q.TaskIDs) > MaxTaskIDs {
		return Page{}, apierr.InvalidParameter("TaskIds")
	}
	if q.PageNumber == 0 {
		q.PageNumber = 1
	}
	if q.PageSize == 0 {
		q.PageSize = DefaultPageSize
	}
	if q.PageNumber < 1 {
		return Page{}, apierr.InvalidParameter("PageNumber")
	}
	if q.PageSize < 1 || q.PageSize > MaxPageSize {
		return Page{}, apierr.InvalidParameter("PageSize")
	}
	f := store.TaskFilter{AccountID: c.AccountID, RegionID: c.RegionID, IDs: q.TaskIDs, ResourceIDs: q.ResourceIDs,
		CreatedFrom: q.StartTime, CreatedTo: q.EndTime, Page: store.Page{Number: q.PageNumber, Size: q.PageSize}}
	if q.Action != "" {
		f.Actions = []string{q.Action}
	}
	if statuses, ok := statusFilter(q.Status); ok {
		f.Statuses = statuses
	}
	out := Page{PageNumber: q.PageNumber, PageSize: q.PageSize}
	err := e.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out.Tasks, out.TotalCount, err = tx.ListTasks(f)
		return err
	})
	if err != nil {
		return Page{}, fmt.Errorf("describe tasks: %w", err)
	}
	return out, nil
}

// Attribute returns one of the caller's tasks in the region (DescribeTaskAttribute, 1.16.2).
func (e *Engine) Attribute(ctx context.Context, c Caller, id string) (store.Task, error) {
	if id == "" {
		return store.Task{}, apierr.MissingParameter("TaskId")
	}
	var t store.Task
	err := e.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		t, err = getTask(tx, c, id)
		return err
	})
	return t, err
}

// Cancel cancels a task (CancelTask, 1.16.3): only the kinds registered as
// Cancellable, and only while it has not ended. The task is Cancelled once the
// runner has run the kind's Cancel, normally at once.
func (e *Engine) Cancel(ctx context.Context, c Caller, id string) error {
	if id == "" {
		return apierr.MissingParameter("TaskId")
	}
	err := e.cfg.Store.Update(ctx, func(tx store.Tx) error {
		t, err := getTask(tx, c, id)
		switch {
		case err != nil:
			return err
		case !t.SupportCancel:
			return errActionNotSupported()
		case t.Ended():
			return errIncorrectStatus()
		case t.CancelRequested:
			return nil
		}
		return tx.RequestTaskCancel(c.AccountID, id, e.now())
	})
	if err == nil {
		e.Wake()
	}
	return err
}

// getTask returns the caller's task in the region, or ErrTaskNotFound.
func getTask(tx store.Tx, c Caller, id string) (store.Task, error) {
	t, err := tx.GetTask(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.RegionID != c.RegionID) {
		return store.Task{}, ErrTaskNotFound()
	}
	if err != nil {
		return store.Task{}, fmt.Errorf("task %s: %w", id, err)
	}
	return t, nil
}

// Counts returns a task's operation counts: all, succeeded, failed.
func Counts(t store.Task) (total, success, failed int) {
	for _, op := range t.Operations {
		switch op.Status {
		case OperationSuccess:
			success++
		case OperationFailed:
			failed++
		}
	}
	return len(t.Operations), success, failed
}
