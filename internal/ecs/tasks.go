package ecs

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// taskTimeLayout is how task times are rendered (guide 1.16: YYYY-MM-DDThh:mmZ).
const taskTimeLayout = "2006-01-02T15:04Z"

// DescribeTasksRequest holds the parameters of DescribeTasks (guide 1.16.1,
// plus the SDK's ResourceIds.N).
type DescribeTasksRequest struct {
	RegionId   string `param:"RegionId"`
	TaskAction string `param:"TaskAction"`
	// TaskIds are up to 100 IDs separated by commas.
	TaskIds    string `param:"TaskIds"`
	TaskStatus string `param:"TaskStatus"`
	// StartTime and EndTime bound the creation time: YYYY-MM-DDThh:mmZ (or with seconds), UTC.
	StartTime   string   `param:"StartTime"`
	EndTime     string   `param:"EndTime"`
	ResourceIds []string `param:"ResourceIds" maxItems:"100"`
	PageNumber  *int     `param:"PageNumber" min:"1"`
	PageSize    *int     `param:"PageSize"`
}

// DescribeTasksResponse is the answer of DescribeTasks.
type DescribeTasksResponse struct {
	TotalCount int     `json:"TotalCount"`
	PageNumber int     `json:"PageNumber"`
	PageSize   int     `json:"PageSize"`
	RegionId   string  `json:"RegionId"`
	TaskSet    TaskSet `json:"TaskSet"`
}

// TaskSet is the SDK's TaskSet container.
type TaskSet struct {
	Task []TaskItem `json:"Task"`
}

// TaskItem is one task (the guide's TaskType, 1.17.38). SupportCancel is a
// string in the SDK ("true"/"false").
type TaskItem struct {
	TaskId        string `json:"TaskId"`
	TaskAction    string `json:"TaskAction"`
	TaskStatus    string `json:"TaskStatus"`
	SupportCancel string `json:"SupportCancel"`
	CreationTime  string `json:"CreationTime"`
	FinishedTime  string `json:"FinishedTime"`
	ResourceId    string `json:"ResourceId"`
	FailedReason  string `json:"FailedReason"`
}

// DescribeTasks lists the caller's tasks in the region, newest first (guide 1.16.1).
func (h *Handlers) DescribeTasks(ctx context.Context, req *DescribeTasksRequest) (*DescribeTasksResponse, error) {
	q := task.Query{Action: req.TaskAction, Status: req.TaskStatus, ResourceIDs: req.ResourceIds}
	for _, id := range strings.Split(req.TaskIds, ",") {
		if id = strings.TrimSpace(id); id != "" {
			q.TaskIDs = append(q.TaskIDs, id)
		}
	}
	var err error
	if q.StartTime, err = taskTime(req.StartTime, "StartTime"); err != nil {
		return nil, err
	}
	if q.EndTime, err = taskTime(req.EndTime, "EndTime"); err != nil {
		return nil, err
	}
	if req.PageNumber != nil {
		q.PageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		q.PageSize = *req.PageSize
	}
	c := taskCaller(ctx)
	res, err := h.deps.Tasks.Describe(ctx, c, q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeTasksResponse{TotalCount: res.TotalCount, PageNumber: res.PageNumber, PageSize: res.PageSize,
		RegionId: c.RegionID, TaskSet: TaskSet{Task: make([]TaskItem, 0, len(res.Tasks))}}
	for _, t := range res.Tasks {
		resp.TaskSet.Task = append(resp.TaskSet.Task, TaskItem{TaskId: t.ID, TaskAction: t.Action, TaskStatus: t.Status,
			SupportCancel: strconv.FormatBool(t.SupportCancel), CreationTime: formatTaskTime(t.CreatedAt),
			FinishedTime: formatTaskTime(t.FinishedAt), ResourceId: t.ResourceID, FailedReason: t.ErrorMessage})
	}
	return resp, nil
}

// taskTime reads a StartTime or EndTime.
func taskTime(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := snapshot.ParseTime(v)
	if err != nil {
		return time.Time{}, apierr.InvalidParameter(name)
	}
	return t, nil
}

func formatTaskTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(taskTimeLayout)
}

// DescribeTaskAttributeRequest holds the parameters of DescribeTaskAttribute (guide 1.16.2).
type DescribeTaskAttributeRequest struct {
	RegionId string `param:"RegionId"`
	TaskId   string `param:"TaskId"`
}

// DescribeTaskAttributeResponse is the answer of DescribeTaskAttribute.
type DescribeTaskAttributeResponse struct {
	TaskId               string               `json:"TaskId"`
	RegionId             string               `json:"RegionId"`
	TaskAction           string               `json:"TaskAction"`
	TaskStatus           string               `json:"TaskStatus"`
	TaskProcess          string               `json:"TaskProcess"`
	SupportCancel        string               `json:"SupportCancel"`
	TotalCount           int                  `json:"TotalCount"`
	SuccessCount         int                  `json:"SuccessCount"`
	FailedCount          int                  `json:"FailedCount"`
	CreationTime         string               `json:"CreationTime"`
	FinishedTime         string               `json:"FinishedTime"`
	OperationProgressSet OperationProgressSet `json:"OperationProgressSet"`
}

// OperationProgressSet is the SDK's OperationProgressSetInDescribeTaskAttribute container.
type OperationProgressSet struct {
	OperationProgress []OperationProgressItem `json:"OperationProgress"`
}

// OperationProgressItem is the task's outcome on one resource (OperationProgressType, 1.17.41).
type OperationProgressItem struct {
	OperationStatus string         `json:"OperationStatus"`
	ErrorCode       string         `json:"ErrorCode"`
	ErrorMsg        string         `json:"ErrorMsg"`
	RelatedItemSet  RelatedItemSet `json:"RelatedItemSet"`
}

// RelatedItemSet is the SDK's RelatedItemSetInDescribeTaskAttribute container.
type RelatedItemSet struct {
	RelatedItem []RelatedItem `json:"RelatedItem"`
}

// RelatedItem is one name and value of an operation (RelatedItemType, 1.17.42).
type RelatedItem struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// DescribeTaskAttribute shows one task with its progress and per-resource outcomes (guide 1.16.2).
func (h *Handlers) DescribeTaskAttribute(ctx context.Context, req *DescribeTaskAttributeRequest) (*DescribeTaskAttributeResponse, error) {
	t, err := h.deps.Tasks.Attribute(ctx, taskCaller(ctx), req.TaskId)
	if err != nil {
		return nil, err
	}
	total, success, failed := task.Counts(t)
	resp := &DescribeTaskAttributeResponse{TaskId: t.ID, RegionId: t.RegionID, TaskAction: t.Action, TaskStatus: t.Status,
		TaskProcess: strconv.Itoa(t.Progress) + "%", SupportCancel: strconv.FormatBool(t.SupportCancel), TotalCount: total,
		SuccessCount: success, FailedCount: failed, CreationTime: formatTaskTime(t.CreatedAt), FinishedTime: formatTaskTime(t.FinishedAt),
		OperationProgressSet: OperationProgressSet{OperationProgress: make([]OperationProgressItem, 0, len(t.Operations))}}
	for _, op := range t.Operations {
		resp.OperationProgressSet.OperationProgress = append(resp.OperationProgressSet.OperationProgress, operationItem(op))
	}
	return resp, nil
}

func operationItem(op store.TaskOperation) OperationProgressItem {
	item := OperationProgressItem{OperationStatus: op.Status, ErrorCode: op.ErrorCode, ErrorMsg: op.ErrorMessage,
		RelatedItemSet: RelatedItemSet{RelatedItem: make([]RelatedItem, 0, len(op.Items))}}
	for _, it := range op.Items {
		item.RelatedItemSet.RelatedItem = append(item.RelatedItemSet.RelatedItem, RelatedItem{Name: it.Name, Value: it.Value})
	}
	return item
}

// CancelTaskRequest holds the parameters of CancelTask (guide 1.16.3).
type CancelTaskRequest struct {
	RegionId string `param:"RegionId"`
	TaskId   string `param:"TaskId"`
}

// CancelTaskResponse is the answer of CancelTask (RequestId only).
type CancelTaskResponse struct{}

// CancelTask cancels a task of a cancellable kind that has not ended (guide 1.16.3).
func (h *Handlers) CancelTask(ctx context.Context, req *CancelTaskRequest) (*CancelTaskResponse, error) {
	if err := h.deps.Tasks.Cancel(ctx, taskCaller(ctx), req.TaskId); err != nil {
		return nil, err
	}
	return &CancelTaskResponse{}, nil
}

// taskCaller is the caller of a task action.
func taskCaller(ctx context.Context) task.Caller {
	c := reqctx.From(ctx)
	return task.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}
