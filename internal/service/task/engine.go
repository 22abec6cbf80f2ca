// Package task is ecsd's task engine: asynchronous operations persisted in the
// store as tasks (guide 1.16), run step by step by a background runner, resumed
// after a restart and never run twice at once.
//
// A feature registers a Kind per TaskAction (CreateSnapshot, ResetDisk, later
// ImportImage …) and enqueues tasks inside the transaction of the API call that
// starts them. The runner claims due tasks with a lease (owner, expiry and a
// fencing epoch in the task's row), runs the kind's current step outside any
// transaction, and saves the step's outcome — with the step's own effects on
// other rows — in one transaction that only commits while the lease is still
// the one it claimed. A runner that dies mid-step leaves the task as its last
// saved step left it; whoever claims it next (the same node after a restart at
// once, another node once the lease expires) runs that step again, so steps are
// idempotent: check, act, verify. See docs/tasks.md for how to write a Kind.
package task

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// IDs generates resource IDs shaped like Alibaba's (tasks are "t-…").
type IDs interface {
	NewID(prefix, regionID string) string
}

// Defaults of Config.
const (
	DefaultLease        = 30 * time.Second
	DefaultPollInterval = 5 * time.Second
	DefaultWorkers      = 8
	DefaultMaxAttempts  = 10
	DefaultRetention    = 30 * 24 * time.Hour
	// maxBackoff bounds the wait before retrying a failed step.
	maxBackoff = time.Minute
	// unknownKindDelay is how long a task of a kind this runner does not know
	// (a newer ecsd made it) waits before it is offered again.
	unknownKindDelay = time.Minute
)

// Config wires an Engine.
type Config struct {
	Store  store.Store
	IDs    IDs
	Clock  Clock
	Logger *slog.Logger
	// Owner names this runner in leases. It must be stable across restarts of
	// one node (a restarted runner takes back its own leases at once) and
	// unique among the nodes sharing a store; empty means a random name.
	Owner string
	// Lease is how long a claim lasts; a step gets half of it. Zero means DefaultLease.
	Lease time.Duration
	// PollInterval bounds how long the runner sleeps without looking for due
	// tasks (other nodes enqueue without waking it). Zero means DefaultPollInterval.
	PollInterval time.Duration
	// Workers bounds the steps run at once. Zero means DefaultWorkers.
	Workers int
	// MaxAttempts is how many times a failing step is tried before the task
	// fails. Zero means DefaultMaxAttempts.
	MaxAttempts int
	// Retention is how long ended tasks stay listed; zero means
	// DefaultRetention, negative forever.
	Retention time.Duration
}

// Engine registers task kinds, enqueues tasks and runs them; it also answers
// the task API (api.go). Create one with New.
type Engine struct {
	cfg   Config
	kinds map[string]Kind
	wake  chan struct{}

	mu      sync.Mutex
	running map[string]bool // task IDs with a step under way in this process
	lastGC  time.Time
}

// New returns an Engine with cfg's defaults applied.
func New(cfg Config) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Owner == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		cfg.Owner = "runner-" + hex.EncodeToString(b[:])
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	return &Engine{cfg: cfg, kinds: map[string]Kind{}, wake: make(chan struct{}, 1), running: map[string]bool{}}
}

// Owner is the name this runner leases tasks under.
func (e *Engine) Owner() string { return e.cfg.Owner }

// Kind is one sort of asynchronous operation: what the runner does for the
// tasks of one TaskAction. Register it before Run.
type Kind struct {
	// Action is the TaskAction of its tasks, as DescribeTasks shows and filters
	// it: the API action that starts them.
	Action string
	// Cancellable says CancelTask may cancel its tasks (their SupportCancel).
	// Guide 1.16.3 allows it for ImportImage, ExportImage, ImportSnapshot and
	// ExportSnapshot; other kinds may still be cancelled from inside ecsd
	// (RequestCancel), as DeleteSnapshot cancels a snapshot being taken.
	Cancellable bool
	// Step runs the task's current step (store.Task.Step, from 0) and says what
	// comes next. It runs outside any transaction with a context that ends
	// before the lease does, and may run again for the same step after a crash
	// or a lost lease, so it must be idempotent: look at what is there, act on
	// what is missing (driver calls idempotent on the task's IDs), and return
	// the changes to the store as Outcome.Apply. An error that is a *Failure
	// fails the task at once; any other error is retried with a backoff, and
	// fails the task after Config.MaxAttempts tries.
	Step func(ctx context.Context, t store.Task) (Outcome, error)
	// Cancel, when set, undoes what the steps did once a cancellation is
	// requested; it is idempotent like Step. Its Outcome.Apply commits with the
	// task's move to Cancelled. Without it the task is just marked Cancelled.
	Cancel func(ctx context.Context, t store.Task) (Outcome, error)
	// Fail, when set, runs in the transaction that marks the task Failed, to
	// record the failure on the task's resources.
	Fail func(tx store.Tx, t store.Task, f *Failure) error
}

// Outcome is what a step did and what comes next.
type Outcome struct {
	// Next is the step to run next (ignored when Done).
	Next int
	// Done ends the task: Finished (or Cancelled, for a Cancel outcome).
	Done bool
	// After is how long to wait before the next step (polling a copy, say).
	After time.Duration
	// State is the kind's new state; nil keeps the current one.
	State []byte
	// Progress is the task's progress, 0 to 100; it never goes back, and is
	// 100 once Done.
	Progress int
	// Operations replace the task's per-resource outcomes when not nil.
	Operations []store.TaskOperation
	// Apply, when set, makes the step's changes to other rows. It runs in the
	// transaction that saves the step, which commits only while the runner
	// still holds the lease: a step whose lease was lost changes nothing.
	Apply func(tx store.Tx) error
}

// Failure fails a task for good, with the code and message DescribeTaskAttribute
// shows on its operations.
type Failure struct {
	Code    string
	Message string
}

// Error implements error.
func (f *Failure) Error() string { return f.Code + ": " + f.Message }

// Fail returns a *Failure: return it from a step to fail the task without retries.
func Fail(code, message string) error { return &Failure{Code: code, Message: message} }

// Register adds a kind. Registering an action twice, or a kind without an
// action or step, is an error.
func (e *Engine) Register(k Kind) error {
	switch {
	case k.Action == "" || k.Step == nil:
		return errors.New("task: a kind needs an Action and a Step")
	case e.kinds[k.Action].Step != nil:
		return fmt.Errorf("task: kind %s registered twice", k.Action)
	}
	e.kinds[k.Action] = k
	return nil
}

// Spec describes a task to enqueue.
type Spec struct {
	AccountID int64
	RegionID  string
	// Action names a registered kind.
	Action string
	// ResourceID is the resource the task works on.
	ResourceID string
	// State is the kind's initial state (JSON).
	State []byte
	// Operations are the initial per-resource outcomes.
	Operations []store.TaskOperation
	// After delays the first step.
	After time.Duration
}

// Enqueue records a new Waiting task inside the caller's transaction and
// returns its ID. Call Wake after the transaction commits to start it at once.
func (e *Engine) Enqueue(tx store.Tx, n Spec) (string, error) {
	k, ok := e.kinds[n.Action]
	if !ok {
		return "", fmt.Errorf("task: no kind %q is registered", n.Action)
	}
	now := e.now()
	t := store.Task{ID: e.cfg.IDs.NewID("t", n.RegionID), AccountID: n.AccountID, RegionID: n.RegionID, Action: n.Action,
		Status: store.TaskWaiting, SupportCancel: k.Cancellable, ResourceID: n.ResourceID, State: n.State,
		Operations: n.Operations, NextRunAt: now.Add(n.After), CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateTask(t); err != nil {
		return "", fmt.Errorf("enqueue %s: %w", n.Action, err)
	}
	return t.ID, nil
}

// RequestCancel marks a task for cancellation inside the caller's transaction,
// whatever its kind; an ended task is left alone. The runner then runs the
// kind's Cancel. Call Wake after the commit.
func (e *Engine) RequestCancel(tx store.Tx, accountID int64, id string) error {
	t, err := tx.GetTask(accountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Ended() || t.CancelRequested {
		return nil
	}
	return tx.RequestTaskCancel(accountID, id, e.now())
}

// Wake makes the runner look for due tasks now.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// now returns the engine clock's time in UTC.
func (e *Engine) now() time.Time { return e.cfg.Clock.Now().UTC() }
