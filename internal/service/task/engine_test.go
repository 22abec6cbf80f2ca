package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

var t0 = time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)

// env is a store, a fake clock and the way to build engines on them.
type env struct {
	st  store.Store
	clk *clock.Fake
	ids ids.Generator
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return &env{st: st, clk: clock.NewFake(t0), ids: ids.Seeded(1)}
}

func (e *env) engine(t *testing.T, owner string, kinds ...Kind) *Engine {
	t.Helper()
	eng := New(Config{Store: e.st, IDs: e.ids, Clock: e.clk, Owner: owner, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, k := range kinds {
		if err := eng.Register(k); err != nil {
			t.Fatal(err)
		}
	}
	return eng
}

func (e *env) enqueue(t *testing.T, eng *Engine, n Spec) string {
	t.Helper()
	var id string
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		var err error
		id, err = eng.Enqueue(tx, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) task(t *testing.T, id string) store.Task {
	t.Helper()
	var tk store.Task
	err := e.st.View(t.Context(), func(tx store.Tx) error {
		var err error
		tk, err = tx.GetTask(1, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// applied counts, in the store, how often each step's effect committed.
func applied(tx store.Tx, key string) error {
	n := 0
	if v, err := tx.GetSetting(key); err == nil {
		n, _ = strconv.Atoi(v)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return tx.PutSetting(key, strconv.Itoa(n+1))
}

func (e *env) appliedCount(t *testing.T, key string) int {
	t.Helper()
	n := 0
	_ = e.st.View(t.Context(), func(tx store.Tx) error {
		v, err := tx.GetSetting(key)
		if err == nil {
			n, _ = strconv.Atoi(v)
		}
		return nil
	})
	return n
}

// threeSteps is a kind whose steps record their effect and progress 30, 60,
// 100; step 1 asks to wait ten seconds.
func threeSteps(acts *sync.Map) Kind {
	return Kind{Action: "Demo", Step: func(ctx context.Context, tk store.Task) (Outcome, error) {
		key := fmt.Sprintf("%s/%d", tk.ID, tk.Step)
		if acts != nil {
			n, _ := acts.LoadOrStore(key, new(int))
			*n.(*int)++
		}
		state, _ := json.Marshal(map[string]int{"done": tk.Step + 1})
		out := Outcome{Next: tk.Step + 1, State: state, Progress: 30 * (tk.Step + 1),
			Apply: func(tx store.Tx) error { return applied(tx, key) }}
		if tk.Step == 1 {
			out.After = 10 * time.Second
		}
		if tk.Step == 2 {
			out.Done = true
		}
		return out, nil
	}}
}

func TestATaskRunsItsStepsInOrderAndFinishes(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(t, "a", threeSteps(nil))
	id := e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Demo", ResourceID: "r-1",
		Operations: []store.TaskOperation{{Status: OperationProcessing}}})
	if tk := e.task(t, id); tk.Status != store.TaskWaiting || tk.ID[:4] != "t-bp" {
		t.Fatalf("enqueued: %+v; want a Waiting t-bp… task", tk)
	}
	if n, err := eng.Settle(t.Context(), 100); err != nil || n != 2 {
		t.Fatalf("first settle ran %d steps, %v; want 2 (step 1 waits 10s)", n, err)
	}
	tk := e.task(t, id)
	if tk.Status != store.TaskProcessing || tk.Progress != 60 || tk.Step != 2 || string(tk.State) != `{"done":2}` ||
		tk.LeaseOwner != "" || !tk.NextRunAt.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("after two steps: %+v", tk)
	}
	e.clk.Advance(10 * time.Second)
	if n, _ := eng.Settle(t.Context(), 100); n != 1 {
		t.Fatalf("second settle ran %d steps", n)
	}
	tk = e.task(t, id)
	if tk.Status != store.TaskFinished || tk.Progress != 100 || !tk.FinishedAt.Equal(t0.Add(10*time.Second)) || !tk.NextRunAt.IsZero() {
		t.Fatalf("finished: %+v", tk)
	}
	for step := range 3 {
		if n := e.appliedCount(t, fmt.Sprintf("%s/%d", id, step)); n != 1 {
			t.Errorf("step %d applied %d times", step, n)
		}
	}
}

// TestARestartedRunnerResumesAnInterruptedStepAndTheOldOneCannotSave is the
// crash: a runner dies in the middle of a step (its step never returns in time),
// the node restarts with the same owner and takes the task back at once; when
// the old step finally returns, its save is refused. Every step's effect commits
// exactly once although step 0 acted twice.
func TestARestartedRunnerResumesAnInterruptedStepAndTheOldOneCannotSave(t *testing.T) {
	e := newEnv(t)
	var acts sync.Map
	release := make(chan struct{})
	entered := make(chan struct{})
	hung := threeSteps(&acts)
	inner := hung.Step
	hung.Step = func(ctx context.Context, tk store.Task) (Outcome, error) {
		out, err := inner(ctx, tk)
		close(entered)
		<-release // the process is "dead" here
		return out, err
	}
	old := e.engine(t, "node-1", hung)
	id := e.enqueue(t, old, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Demo"})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = old.RunDue(context.Background())
	}()
	<-entered

	restarted := e.engine(t, "node-1", threeSteps(&acts))
	ctx, cancel := context.WithCancel(t.Context())
	go restarted.Run(ctx)
	waitFor(t, func() bool { return e.task(t, id).Step == 2 }, "the restarted runner to run steps 0 and 1")
	close(release)
	<-done
	e.clk.Advance(10 * time.Second)
	restarted.Wake()
	waitFor(t, func() bool { return e.task(t, id).Status == store.TaskFinished }, "the task to finish")
	cancel()

	for step := range 3 {
		key := fmt.Sprintf("%s/%d", id, step)
		if n := e.appliedCount(t, key); n != 1 {
			t.Errorf("step %d's effect committed %d times, want 1", step, n)
		}
	}
	if n, _ := acts.Load(id + "/0"); *n.(*int) != 2 {
		t.Errorf("step 0 acted %d times, want 2 (once per runner: steps are idempotent, not exactly-once)", *n.(*int))
	}
}

func TestAnotherNodeTakesATaskOnlyAfterTheLeaseExpires(t *testing.T) {
	e := newEnv(t)
	a := e.engine(t, "node-a", threeSteps(nil))
	b := e.engine(t, "node-b", threeSteps(nil))
	id := e.enqueue(t, a, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Demo"})
	claimed, err := a.claim(t.Context(), 1) // node a claims, then dies
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if n, _ := b.RunDue(t.Context()); n != 0 {
		t.Fatalf("node b ran %d steps of a leased task", n)
	}
	e.clk.Advance(DefaultLease)
	if n, _ := b.RunDue(t.Context()); n != 1 {
		t.Fatalf("node b ran %d steps after the lease expired, want 1", n)
	}
	a.runClaimed(t.Context(), claimed[0]) // node a comes back from the dead
	if tk := e.task(t, id); tk.Step != 1 || tk.LeaseEpoch != 2 {
		t.Errorf("after the stale save: step %d, epoch %d; want node b's step 1 at epoch 2", tk.Step, tk.LeaseEpoch)
	}
	if n := e.appliedCount(t, id+"/0"); n != 1 {
		t.Errorf("step 0 committed %d times", n)
	}
}

func TestFailingStepsAreRetriedWithABackoffThenFailTheTask(t *testing.T) {
	e := newEnv(t)
	calls := 0
	var failed *Failure
	eng := e.engine(t, "a", Kind{Action: "Flaky",
		Step: func(context.Context, store.Task) (Outcome, error) {
			calls++
			return Outcome{}, errors.New("disk on fire")
		},
		Fail: func(tx store.Tx, _ store.Task, f *Failure) error {
			failed = f
			return applied(tx, "fail-hook")
		}})
	id := e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Flaky",
		Operations: []store.TaskOperation{{Status: OperationProcessing}}})
	var waits []time.Duration
	for range DefaultMaxAttempts {
		if n, _ := eng.Settle(t.Context(), 10); n != 1 {
			t.Fatalf("attempt %d: ran %d steps", calls, n)
		}
		tk := e.task(t, id)
		if tk.Ended() {
			break
		}
		wait := tk.NextRunAt.Sub(e.clk.Now())
		waits = append(waits, wait)
		e.clk.Advance(wait)
	}
	tk := e.task(t, id)
	if tk.Status != store.TaskFailed || tk.ErrorCode != "InternalError" || calls != DefaultMaxAttempts ||
		tk.Operations[0].Status != OperationFailed || failed == nil || e.appliedCount(t, "fail-hook") != 1 {
		t.Fatalf("after %d calls: %+v (fail hook %v)", calls, tk, failed)
	}
	want := "[1s 2s 4s 8s 16s 32s 1m0s 1m0s 1m0s]"
	if fmt.Sprint(waits) != want {
		t.Errorf("backoffs %v, want %s", waits, want)
	}
}

func TestAFailureFailsTheTaskAtOnce(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(t, "a", Kind{Action: "Doomed", Step: func(context.Context, store.Task) (Outcome, error) {
		return Outcome{}, Fail("CreateSnapshot.Failed", "The process of creating snapshot is failed")
	}})
	id := e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Doomed"})
	_, _ = eng.Settle(t.Context(), 10)
	if tk := e.task(t, id); tk.Status != store.TaskFailed || tk.ErrorCode != "CreateSnapshot.Failed" || tk.Attempts != 0 {
		t.Fatalf("%+v", tk)
	}
}

func TestATaskOfAnUnknownKindWaitsForARunnerThatKnowsIt(t *testing.T) {
	e := newEnv(t)
	newer := e.engine(t, "a", threeSteps(nil))
	id := e.enqueue(t, newer, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Demo"})
	older := e.engine(t, "b")
	if n, _ := older.RunDue(t.Context()); n != 1 {
		t.Fatalf("ran %d", n)
	}
	if tk := e.task(t, id); tk.Status != store.TaskProcessing || tk.Step != 0 || !tk.NextRunAt.Equal(t0.Add(unknownKindDelay)) {
		t.Fatalf("%+v", tk)
	}
}

func TestRegisterRefusesDuplicatesAndIncompleteKinds(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(t, "a", threeSteps(nil))
	if err := eng.Register(threeSteps(nil)); err == nil {
		t.Error("a second Demo kind was registered")
	}
	if err := eng.Register(Kind{Action: "NoStep"}); err == nil {
		t.Error("a kind without a step was registered")
	}
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		_, err := eng.Enqueue(tx, Spec{AccountID: 1, Action: "Nope"})
		return err
	})
	if err == nil {
		t.Error("a task of an unregistered kind was enqueued")
	}
}

// waitFor polls cond (real time: it waits for goroutines, not for the clock).
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestATaskIsNoLongerThisProcesssOwnOnceItsStepSaves guards a race: a step
// that is due again at once is saved with its lease released, and the runner
// loop may claim it before the worker goroutine returns. If the process still
// counted the task as its own at that moment, the claim would skip it while
// holding its lease, and the task would wait for the lease to expire.
func TestATaskIsNoLongerThisProcesssOwnOnceItsStepSaves(t *testing.T) {
	e := newEnv(t)
	var eng *Engine
	stillMine := false
	eng = e.engine(t, "a", Kind{Action: "Again", Step: func(_ context.Context, tk store.Task) (Outcome, error) {
		return Outcome{Next: tk.Step + 1, Done: tk.Step == 1, Apply: func(store.Tx) error {
			eng.mu.Lock()
			stillMine = stillMine || eng.running[tk.ID]
			eng.mu.Unlock()
			return nil
		}}, nil
	}})
	e.enqueue(t, eng, Spec{AccountID: 1, RegionID: "cn-hangzhou", Action: "Again"})
	if n, _ := eng.Settle(t.Context(), 10); n != 2 {
		t.Fatalf("ran %d steps", n)
	}
	if stillMine {
		t.Error("while its step was saved, the task still counted as running in this process")
	}
}
