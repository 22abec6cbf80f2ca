package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// taskCases cover store.TaskTx.
var taskCases = []contractCase{
	{"Task/RoundTripAndAccountScope", testTaskRoundTrip},
	{"Task/ListFiltersAndPages", testTaskList},
	{"Task/ClaimLeasesDueTasksOnce", testTaskClaim},
	{"Task/SaveIsFencedByTheLeaseEpoch", testTaskSaveFenced},
	{"Task/CancelRevokesTheLease", testTaskCancel},
	{"Task/ReleaseLeasesAndNextDue", testTaskReleaseAndNextDue},
	{"Task/DeleteEnded", testTaskDeleteEnded},
}

func task(id string, account int64, created time.Time) store.Task {
	return store.Task{ID: id, AccountID: account, RegionID: "cn-hangzhou", Action: "CreateSnapshot", Status: store.TaskWaiting,
		ResourceID: "s-" + id, State: []byte(`{"k":1}`), NextRunAt: created, CreatedAt: created, UpdatedAt: created}
}

func testTaskRoundTrip(t *testing.T, s store.Store) {
	in := task("t-1", 1, when().UTC())
	in.SupportCancel, in.Progress, in.Step, in.Attempts = true, 40, 2, 1
	in.Operations = []store.TaskOperation{{Status: "Processing", Items: []store.TaskItem{{Name: "SnapshotId", Value: "s-1"}}},
		{Status: "Failed", ErrorCode: "E", ErrorMessage: "m"}}
	update(t, s, func(tx store.Tx) error { return tx.CreateTask(in) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateTask(in) })
	wantErr(t, "CreateTask twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetTask(1, "t-1")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(in) {
			t.Errorf("GetTask = %+v, %v\nwant %+v", got, err, in)
		}
		_, err = tx.GetTask(2, "t-1")
		wantErr(t, "GetTask of another account", err, store.ErrNotFound)
		return nil
	})
}

func testTaskList(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i := 1; i <= 5; i++ {
			tk := task(fmt.Sprintf("t-%d", i), 1, base.Add(time.Duration(i)*time.Minute))
			if i%2 == 0 {
				tk.Action, tk.Status = "ResetDisk", store.TaskFinished
			}
			if err := tx.CreateTask(tk); err != nil {
				return err
			}
		}
		return tx.CreateTask(task("t-9", 2, base))
	})
	cases := []struct {
		f    store.TaskFilter
		want string
		n    int
	}{
		{store.TaskFilter{AccountID: 1}, "[t-5 t-4 t-3 t-2 t-1]", 5},
		{store.TaskFilter{AccountID: 1, Actions: []string{"ResetDisk"}}, "[t-4 t-2]", 2},
		{store.TaskFilter{AccountID: 1, Statuses: []string{store.TaskWaiting}}, "[t-5 t-3 t-1]", 3},
		{store.TaskFilter{AccountID: 1, IDs: []string{"t-1", "t-9"}}, "[t-1]", 1},
		{store.TaskFilter{AccountID: 1, ResourceIDs: []string{"s-t-3"}}, "[t-3]", 1},
		{store.TaskFilter{AccountID: 1, CreatedFrom: base.Add(2 * time.Minute), CreatedTo: base.Add(4 * time.Minute)}, "[t-4 t-3 t-2]", 3},
		{store.TaskFilter{AccountID: 1, RegionID: "cn-beijing"}, "[]", 0},
		{store.TaskFilter{AccountID: 1, Page: store.Page{Number: 2, Size: 2}}, "[t-3 t-2]", 5},
	}
	view(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			got, n, err := tx.ListTasks(c.f)
			if err != nil {
				t.Fatalf("ListTasks(%+v): %v", c.f, err)
			}
			var ids []string
			for _, tk := range got {
				ids = append(ids, tk.ID)
			}
			if fmt.Sprint(ids) != c.want && !(c.want == "[]" && len(ids) == 0) || n != c.n {
				t.Errorf("ListTasks(%+v) = %v (%d), want %s (%d)", c.f, ids, n, c.want, c.n)
			}
		}
		return nil
	})
}

func testTaskClaim(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i, at := range []time.Duration{3 * time.Second, time.Second, time.Hour} {
			if err := tx.CreateTask(task(fmt.Sprintf("t-%d", i+1), 1, base.Add(at))); err != nil {
				return err
			}
		}
		ended := task("t-4", 1, base)
		ended.Status, ended.NextRunAt = store.TaskFinished, time.Time{}
		return tx.CreateTask(ended)
	})
	now, until := base.Add(time.Minute), base.Add(2*time.Minute)
	var first []store.Task
	update(t, s, func(tx store.Tx) error {
		var err error
		first, err = tx.ClaimDueTasks("node-a", now, until, 10)
		return err
	})
	if len(first) != 2 || first[0].ID != "t-2" || first[1].ID != "t-1" {
		t.Fatalf("claimed %v, want t-2 then t-1 (due, earliest first)", first)
	}
	for _, c := range first {
		if c.LeaseOwner != "node-a" || !c.LeaseUntil.Equal(until) || c.LeaseEpoch != 1 || c.Status != store.TaskProcessing {
			t.Errorf("claimed %+v, want leased to node-a until %v at epoch 1, Processing", c, until)
		}
	}
	update(t, s, func(tx store.Tx) error {
		again, err := tx.ClaimDueTasks("node-b", now, until, 10)
		if err != nil || len(again) != 0 {
			t.Errorf("a second claim while leased got %v, %v; want nothing", again, err)
		}
		got, _ := tx.GetTask(1, "t-1")
		if got.LeaseOwner != "node-a" || got.LeaseEpoch != 1 {
			t.Errorf("stored lease %q/%d, want node-a/1", got.LeaseOwner, got.LeaseEpoch)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		later, err := tx.ClaimDueTasks("node-b", until, until.Add(time.Minute), 1)
		if err != nil || len(later) != 1 || later[0].ID != "t-2" || later[0].LeaseEpoch != 2 {
			t.Errorf("claim after the lease expired = %v, %v; want t-2 at epoch 2 (limit 1)", later, err)
		}
		return nil
	})
}

func testTaskSaveFenced(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error { return tx.CreateTask(task("t-1", 1, base)) })
	var claimed []store.Task
	update(t, s, func(tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimDueTasks("node-a", base, base.Add(time.Minute), 1)
		return err
	})
	tk := claimed[0]
	tk.Step, tk.Progress, tk.State, tk.NextRunAt = 1, 50, []byte(`{"k":2}`), base.Add(time.Second)
	tk.Operations = []store.TaskOperation{{Status: "Success"}}
	update(t, s, func(tx store.Tx) error { return tx.SaveTask(tk) })
	view(t, s, func(tx store.Tx) error {
		got, _ := tx.GetTask(1, "t-1")
		if got.Step != 1 || got.Progress != 50 || string(got.State) != `{"k":2}` || len(got.Operations) != 1 {
			t.Errorf("after SaveTask: %+v", got)
		}
		return nil
	})
	stale := tk
	stale.LeaseEpoch--
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.SaveTask(stale) })
	wantErr(t, "SaveTask with a lost lease", err, store.ErrConflict)
	gone := tk
	gone.ID = "t-missing"
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.SaveTask(gone) })
	wantErr(t, "SaveTask of a missing task", err, store.ErrNotFound)
}

func testTaskCancel(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error { return tx.CreateTask(task("t-1", 1, base)) })
	var claimed []store.Task
	update(t, s, func(tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimDueTasks("node-a", base, base.Add(time.Hour), 1)
		return err
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.RequestTaskCancel(2, "t-1", base) })
	wantErr(t, "RequestTaskCancel of another account", err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.RequestTaskCancel(1, "t-1", base.Add(time.Second)) })
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.SaveTask(claimed[0]) })
	wantErr(t, "SaveTask after a cancellation", err, store.ErrConflict)
	update(t, s, func(tx store.Tx) error {
		again, err := tx.ClaimDueTasks("node-b", base.Add(time.Second), base.Add(time.Minute), 1)
		if err != nil || len(again) != 1 || !again[0].CancelRequested || again[0].LeaseOwner != "node-b" {
			t.Errorf("claim after cancel = %+v, %v; want the task, cancel requested, leased to node-b", again, err)
		}
		return nil
	})
}

func testTaskReleaseAndNextDue(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		if next, err := tx.NextTaskDue(); err != nil || !next.IsZero() {
			t.Errorf("NextTaskDue of no tasks = %v, %v; want zero", next, err)
		}
		if err := tx.CreateTask(task("t-1", 1, base.Add(time.Minute))); err != nil {
			return err
		}
		return tx.CreateTask(task("t-2", 1, base))
	})
	update(t, s, func(tx store.Tx) error {
		_, err := tx.ClaimDueTasks("node-a", base.Add(time.Minute), base.Add(time.Hour), 10)
		return err
	})
	update(t, s, func(tx store.Tx) error {
		if n, err := tx.ReleaseTaskLeases("node-b"); err != nil || n != 0 {
			t.Errorf("ReleaseTaskLeases(node-b) = %d, %v; want 0", n, err)
		}
		if n, err := tx.ReleaseTaskLeases("node-a"); err != nil || n != 2 {
			t.Errorf("ReleaseTaskLeases(node-a) = %d, %v; want 2", n, err)
		}
		again, err := tx.ClaimDueTasks("node-a", base.Add(time.Minute), base.Add(time.Hour), 10)
		if err != nil || len(again) != 2 {
			t.Errorf("claim after release = %v, %v; want both", again, err)
		}
		if next, err := tx.NextTaskDue(); err != nil || !next.Equal(base.Add(time.Hour)) {
			t.Errorf("NextTaskDue while both are leased = %v, %v; want the leases' end %v", next, err, base.Add(time.Hour))
		}
		if n, err := tx.ReleaseTaskLeases("node-a"); err != nil || n != 2 {
			t.Errorf("ReleaseTaskLeases(node-a) again = %d, %v", n, err)
		}
		if next, err := tx.NextTaskDue(); err != nil || !next.Equal(base) {
			t.Errorf("NextTaskDue = %v, %v; want %v", next, err, base)
		}
		return nil
	})
}

func testTaskDeleteEnded(t *testing.T, s store.Store) {
	base := when().UTC()
	update(t, s, func(tx store.Tx) error {
		for i, finished := range []time.Time{base, base.Add(time.Hour), {}} {
			tk := task(fmt.Sprintf("t-%d", i+1), 1, base)
			if !finished.IsZero() {
				tk.Status, tk.FinishedAt, tk.NextRunAt = store.TaskFinished, finished, time.Time{}
			}
			if err := tx.CreateTask(tk); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeleteEndedTasks(base.Add(time.Minute))
		if err != nil || n != 1 {
			t.Errorf("DeleteEndedTasks = %d, %v; want 1", n, err)
		}
		_, err = tx.GetTask(1, "t-1")
		wantErr(t, "the old ended task", err, store.ErrNotFound)
		for _, id := range []string{"t-2", "t-3"} {
			if _, err := tx.GetTask(1, id); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}
		return nil
	})
}
