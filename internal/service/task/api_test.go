package task

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("got %v, want %s (%d)", err, code, status)
	}
}

// cancellable is a kind CancelTask may cancel; its Cancel records the cleanup.
func cancellable() Kind {
	return Kind{Action: "ExportThing", Cancellable: true,
		Step: func(_ context.Context, tk store.Task) (Outcome, error) {
			return Outcome{Next: tk.Step + 1, After: time.Minute, Progress: 10}, nil
		},
		Cancel: func(_ context.Context, tk store.Task) (Outcome, error) {
			return Outcome{Apply: func(tx store.Tx) error { return applied(tx, "cleanup/"+tk.ID) }}, nil
		}}
}

func TestCancelTaskFollowsTheGuidesRules(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(t, "a", cancellable(), threeSteps(nil))
	c := Caller{AccountID: 1, RegionID: "cn-hangzhou"}
	export := e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "ExportThing",
		Operations: []store.TaskOperation{{Status: OperationProcessing}}})
	demo := e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Demo"})
	_, _ = eng.Settle(t.Context(), 10)

	wantAPIError(t, eng.Cancel(t.Context(), c, ""), "MissingParameter", http.StatusBadRequest)
	wantAPIError(t, eng.Cancel(t.Context(), c, "t-nope"), "InvalidTaskId.NotFound", http.StatusNotFound)
	wantAPIError(t, eng.Cancel(t.Context(), Caller{AccountID: 2, RegionID: "cn-hangzhou"}, export), "InvalidTaskId.NotFound", http.StatusNotFound)
	wantAPIError(t, eng.Cancel(t.Context(), Caller{AccountID: 1, RegionID: "cn-beijing"}, export), "InvalidTaskId.NotFound", http.StatusNotFound)
	wantAPIError(t, eng.Cancel(t.Context(), c, demo), "InvalidTaskId.TaskActionNotSupport", http.StatusForbidden)

	if err := eng.Cancel(t.Context(), c, export); err != nil {
		t.Fatal(err)
	}
	if err := eng.Cancel(t.Context(), c, export); err != nil {
		t.Fatalf("a second cancel while the first is carried out: %v", err)
	}
	if n, _ := eng.Settle(t.Context(), 10); n != 1 {
		t.Fatalf("ran %d steps after the cancel (it is due at once), want 1", n)
	}
	tk := e.task(t, export)
	if tk.Status != store.TaskCancelled || tk.Operations[0].Status != OperationFailed || e.appliedCount(t, "cleanup/"+export) != 1 {
		t.Fatalf("after the cancellation: %+v", tk)
	}
	wantAPIError(t, eng.Cancel(t.Context(), c, export), "InvalidTaskId.IncorrectTaskStatus", http.StatusForbidden)
}

func TestRequestCancelStopsAnyKindAndIgnoresEndedTasks(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(t, "a", threeSteps(nil))
	id := e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Demo"})
	_, _ = eng.RunDue(t.Context())
	cancel := func() {
		err := e.st.Update(t.Context(), func(tx store.Tx) error { return eng.RequestCancel(tx, 1, id) })
		if err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	_, _ = eng.Settle(t.Context(), 10)
	if tk := e.task(t, id); tk.Status != store.TaskCancelled || tk.Step != 1 {
		t.Fatalf("%+v", tk)
	}
	epoch := e.task(t, id).LeaseEpoch
	cancel() // ended: nothing happens
	if tk := e.task(t, id); tk.LeaseEpoch != epoch || tk.Status != store.TaskCancelled {
		t.Fatalf("an ended task was cancelled again: %+v", tk)
	}
	err := e.st.Update(t.Context(), func(tx store.Tx) error { return eng.RequestCancel(tx, 1, "t-gone") })
	if err != nil {
		t.Fatalf("cancel of a missing task: %v", err)
	}
}

func TestDescribeTasksFiltersAndPages(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(t, "a", cancellable(), threeSteps(nil))
	c := Caller{AccountID: 1, RegionID: "cn-hangzhou"}
	var ids []string
	for i := range 4 {
		action := "Demo"
		if i%2 == 1 {
			action = "ExportThing"
		}
		ids = append(ids, e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: action, ResourceID: fmt.Sprintf("r-%d", i)}))
		e.clk.Advance(time.Minute)
	}
	e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-beijing", Action: "Demo"})
	_, _ = eng.RunDue(t.Context())
	_, _ = eng.Settle(t.Context(), 10) // the Demo tasks wait 10s after step 1
	got := func(q Query) string {
		t.Helper()
		p, err := eng.Describe(t.Context(), c, q)
		if err != nil {
			t.Fatalf("Describe(%+v): %v", q, err)
		}
		var out []string
		for _, tk := range p.Tasks {
			for i, id := range ids {
				if tk.ID == id {
					out = append(out, fmt.Sprint(i))
				}
			}
		}
		return fmt.Sprintf("%v/%d", out, p.TotalCount)
	}
	cases := []struct {
		q    Query
		want string
	}{
		{Query{}, "[3 2 1 0]/4"},
		{Query{Action: "ExportThing"}, "[3 1]/2"},
		{Query{Status: "Processing"}, "[3 2 1 0]/4"},
		{Query{Status: "pending"}, "[]/0"},
		{Query{Status: "Paused"}, "[]/0"},
		{Query{Status: "something-else"}, "[3 2 1 0]/4"},
		{Query{TaskIDs: []string{ids[0], ids[2], "t-x"}}, "[2 0]/2"},
		{Query{ResourceIDs: []string{"r-1"}}, "[1]/1"},
		{Query{StartTime: t0.Add(time.Minute), EndTime: t0.Add(2 * time.Minute)}, "[2 1]/2"},
		{Query{PageNumber: 2, PageSize: 3}, "[0]/4"},
	}
	for _, cs := range cases {
		if g := got(cs.q); g != cs.want {
			t.Errorf("Describe(%+v) = %s, want %s", cs.q, g, cs.want)
		}
	}
	_, err := eng.Describe(t.Context(), c, Query{PageSize: 101})
	wantAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
	_, err = eng.Describe(t.Context(), c, Query{TaskIDs: make([]string, 101)})
	wantAPIError(t, err, "InvalidParameter", http.StatusBadRequest)

	tk, err := eng.Attribute(t.Context(), c, ids[1])
	if err != nil || tk.Action != "ExportThing" || !tk.SupportCancel || tk.Progress != 10 {
		t.Fatalf("Attribute = %+v, %v", tk, err)
	}
	_, err = eng.Attribute(t.Context(), Caller{AccountID: 2, RegionID: "cn-hangzhou"}, ids[1])
	wantAPIError(t, err, "InvalidTaskId.NotFound", http.StatusNotFound)
	_, err = eng.Attribute(t.Context(), c, "")
	wantAPIError(t, err, "MissingParameter", http.StatusBadRequest)
}

func TestCountsTellOperationsApart(t *testing.T) {
	all, ok, failed := Counts(store.Task{Operations: []store.TaskOperation{{Status: OperationSuccess}, {Status: OperationFailed},
		{Status: OperationProcessing}}})
	if all != 3 || ok != 1 || failed != 1 {
		t.Errorf("Counts = %d %d %d", all, ok, failed)
	}
}
