package store_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

// ledger is a Store whose transactions append to a log that a commit keeps
// and a failure discards, and which can hold its first Update until released.
type ledger struct {
	store.Store
	mu        sync.Mutex
	committed []int
	updates   int
	hold      chan struct{} // the first Update waits on it when not nil
}

// ledgerTx is the transaction handed to functions: what they append.
type ledgerTx struct {
	store.Tx
	staged *[]int
}

func (l *ledger) Update(_ context.Context, fn func(tx store.Tx) error) error {
	l.mu.Lock()
	l.updates++
	first, hold := l.updates == 1, l.hold
	l.mu.Unlock()
	if first && hold != nil {
		<-hold
	}
	var staged []int
	if err := fn(ledgerTx{staged: &staged}); err != nil {
		return err
	}
	l.mu.Lock()
	l.committed = append(l.committed, staged...)
	l.mu.Unlock()
	return nil
}

func appendN(n int, fail bool) func(store.Tx) error {
	return func(tx store.Tx) error {
		lt := tx.(ledgerTx)
		*lt.staged = append(*lt.staged, n)
		if fail {
			return errors.New("this step is refused")
		}
		return nil
	}
}

func TestCallersArrivingDuringACommitShareTheNextOneAndAFailureIsTheirOwn(t *testing.T) {
	l := &ledger{hold: make(chan struct{})}
	b := store.NewBatcher(l, 64)
	var wg sync.WaitGroup
	errs := make([]error, 11)
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = b.Update(t.Context(), appendN(0, false)) }()
	waitHeld(l) // the first commit is under way (and held); queue ten behind it
	for i := 1; i <= 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = b.Update(t.Context(), appendN(i, i == 7)) }()
	}
	waitQueued(t, b, l, 10)
	close(l.hold)
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 7) {
			t.Errorf("call %d: %v", i, err)
		}
	}
	got := map[int]bool{}
	for _, n := range l.committed {
		if got[n] {
			t.Errorf("%d committed twice", n)
		}
		got[n] = true
	}
	if len(got) != 10 || got[7] {
		t.Errorf("committed %v, want 0–10 but 7", l.committed)
	}
	// One held commit, one batch of ten that failed, then ten one by one.
	if l.updates != 1+1+10 {
		t.Errorf("%d transactions, want 12", l.updates)
	}
}

func TestABatchOfGoodCallsIsOneTransaction(t *testing.T) {
	l := &ledger{hold: make(chan struct{})}
	b := store.NewBatcher(l, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = b.Update(t.Context(), appendN(0, false)) }()
	waitHeld(l)
	for i := 1; i <= 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Update(t.Context(), appendN(i, false)); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueued(t, b, l, 20)
	close(l.hold)
	wg.Wait()
	if len(l.committed) != 21 || l.updates != 2 {
		t.Errorf("%d committed in %d transactions, want 21 in 2", len(l.committed), l.updates)
	}
}

func TestACallWhoseContextEndedBeforeItsBatchIsNotRun(t *testing.T) {
	l := &ledger{hold: make(chan struct{})}
	b := store.NewBatcher(l, 64)
	done := make(chan error)
	go func() { done <- b.Update(t.Context(), appendN(0, false)) }()
	waitHeld(l)
	ctx, cancel := context.WithCancel(t.Context())
	late := make(chan error)
	go func() { late <- b.Update(ctx, appendN(1, false)) }()
	waitQueued(t, b, l, 1)
	cancel()
	close(l.hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-late; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled call: %v", err)
	}
	if len(l.committed) != 1 {
		t.Errorf("committed %v, want only 0", l.committed)
	}
}

// waitHeld waits until the first Update has started (and is held).
func waitHeld(l *ledger) {
	for {
		l.mu.Lock()
		started := l.updates == 1
		l.mu.Unlock()
		if started {
			return
		}
		runtime.Gosched()
	}
}

// waitQueued waits until n calls wait behind the held first commit.
func waitQueued(t *testing.T, b *store.Batcher, l *ledger, n int) {
	t.Helper()
	for store.PendingForTest(b) < n {
		runtime.Gosched()
	}
}
