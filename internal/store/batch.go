package store

import (
	"context"
	"sync"
)

// Batcher groups the write transactions of concurrent callers into one
// Update, so that callers arriving while a commit is under way share the next
// one: N reconciler steps pay for one commit (one fsync on SQLite) instead of
// N. Functions given to it follow Update's rules (touch only tx, safe to run
// more than once). When a batch fails, its functions run again one
// transaction each, so a failing function fails only its own caller.
//
// Use it for small, frequent, independent writes from background work; API
// calls keep their own Update, whose latency a batch would only add to.
type Batcher struct {
	store Store
	max   int

	mu      sync.Mutex
	pending []*batchedCall
	running bool
}

type batchedCall struct {
	ctx  context.Context
	fn   func(tx Tx) error
	done chan error
}

// NewBatcher returns a Batcher that commits at most size functions together.
func NewBatcher(s Store, size int) *Batcher {
	return &Batcher{store: s, max: max(size, 1)}
}

// Update runs fn in a write transaction, together with the functions of other
// callers that arrive while a commit is under way, and returns fn's outcome.
// A call whose ctx ends before its batch starts is not run.
func (b *Batcher) Update(ctx context.Context, fn func(tx Tx) error) error {
	c := &batchedCall{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go b.drain()
	}
	return <-c.done // once queued, fn may be committed: wait for the outcome
}

// drain commits batches until none is pending.
func (b *Batcher) drain() {
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		n := min(len(b.pending), b.max)
		batch := append([]*batchedCall(nil), b.pending[:n]...)
		b.pending = append(b.pending[:0], b.pending[n:]...)
		b.mu.Unlock()
		b.commit(batch)
	}
}

// commit runs one batch: all in one transaction, or, when that fails, each in
// its own.
func (b *Batcher) commit(batch []*batchedCall) {
	live := batch[:0]
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			c.done <- err
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	// The transaction outlives a caller that gives up meanwhile: the others in
	// the batch still want their writes.
	ctx := context.WithoutCancel(live[0].ctx)
	err := b.store.Update(ctx, func(tx Tx) error {
		for _, c := range live {
			if err := c.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(live) == 1 {
		for _, c := range live {
			c.done <- err
		}
		return
	}
	for _, c := range live {
		c.done <- b.store.Update(ctx, c.fn)
	}
}
