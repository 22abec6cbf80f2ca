package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

func testRollbackOnError(t *testing.T, s store.Store) {
	injected := errors.New("injected failure")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.CreateAccount(account(1, "alice")); err != nil {
			return err
		}
		if err := tx.PutSetting("k", "v"); err != nil {
			return err
		}
		if err := tx.PutIdempotency(idempotency(1, "RunInstances", "t", "r")); err != nil {
			return err
		}
		return injected
	})
	wantErr(t, "Update whose fn fails", err, injected)
	assertEmpty(t, s)
}

func testRollbackOnPanic(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("Update swallowed the panic of fn")
			}
		}()
		_ = s.Update(t.Context(), func(tx store.Tx) error {
			if err := tx.CreateAccount(account(1, "alice")); err != nil {
				return err
			}
			panic("injected panic")
		})
	}()
	assertEmpty(t, s)
	// The store is still usable: the transaction and its connection were released.
	seedAccount(t, s, account(1, "alice"))
}

// assertEmpty fails the test if any account, setting or idempotency record of
// the rollback tests was persisted.
func assertEmpty(t *testing.T, s store.Store) {
	t.Helper()
	view(t, s, func(tx store.Tx) error {
		if all, err := tx.ListAccounts(); err != nil || len(all) != 0 {
			t.Errorf("ListAccounts after rollback = %+v, %v; want none", all, err)
		}
		if _, err := tx.GetSetting("k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetSetting after rollback: %v, want ErrNotFound", err)
		}
		if _, err := tx.GetIdempotency(1, "RunInstances", "t"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetIdempotency after rollback: %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testUsableAfterConflict(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "CreateAccount duplicate", tx.CreateAccount(account(1, "again")), store.ErrConflict)
		_, err := tx.GetAccount(99)
		wantErr(t, "GetAccount(99)", err, store.ErrNotFound)
		wantErr(t, "SetAccountStatus(99)", tx.SetAccountStatus(99, store.AccountDisabled), store.ErrNotFound)
		wantErr(t, "CreateAccessKey for account 99", tx.CreateAccessKey(accessKey("LTAIa", 99)), store.ErrNotFound)
		if err := tx.PutIdempotency(idempotency(1, "RunInstances", "t", "r")); err != nil {
			return err
		}
		wantErr(t, "PutIdempotency duplicate", tx.PutIdempotency(idempotency(1, "RunInstances", "t", "r2")), store.ErrConflict)
		if err := tx.CreateAccount(account(2, "bob")); err != nil {
			return fmt.Errorf("the transaction is unusable after an expected error: %w", err)
		}
		_, err = tx.GetAccount(2)
		return err
	})
	view(t, s, func(tx store.Tx) error {
		if a, err := tx.GetAccount(2); err != nil || a.Name != "bob" {
			t.Errorf("GetAccount(2) = %+v, %v; want bob committed", a, err)
		}
		if r, err := tx.GetIdempotency(1, "RunInstances", "t"); err != nil || r.Response != "r" {
			t.Errorf("GetIdempotency = %+v, %v; want the first record committed", r, err)
		}
		return nil
	})
}

func testZeroTime(t *testing.T, s store.Store) {
	a := account(1, "alice")
	a.CreatedAt = time.Time{}
	seedAccount(t, s, a)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetAccount(1)
		if err != nil || !got.CreatedAt.IsZero() {
			t.Errorf("GetAccount = %+v, %v; want a zero CreatedAt", got, err)
		}
		return nil
	})
}

func testViewIsReadOnly(t *testing.T, s store.Store) {
	err := s.View(t.Context(), func(tx store.Tx) error { return tx.CreateAccount(account(1, "alice")) })
	if err == nil {
		t.Error("CreateAccount inside View succeeded")
	}
	injected := errors.New("injected failure")
	wantErr(t, "View whose fn fails", s.View(t.Context(), func(store.Tx) error { return injected }), injected)
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetAccount(1)
		wantErr(t, "GetAccount after a write inside View", err, store.ErrNotFound)
		return nil
	})
}

func testViewBesideOpenUpdate(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	inside, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	errc := make(chan error, 1)
	go func() {
		errc <- s.Update(t.Context(), func(tx store.Tx) error {
			if err := tx.SetAccountStatus(1, store.AccountDisabled); err != nil {
				return err
			}
			once.Do(func() { close(inside) })
			<-release
			return nil
		})
	}()
	<-inside
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	err := s.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(1)
		if err == nil && a.Status != store.AccountEnabled {
			t.Errorf("View saw the uncommitted status %q", a.Status)
		}
		return err
	})
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("View while an Update is open: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Update: %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		if a, err := tx.GetAccount(1); err != nil || a.Status != store.AccountDisabled {
			t.Errorf("after commit: %+v, %v", a, err)
		}
		return nil
	})
}

func testContextCanceled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	fn := func(tx store.Tx) error { called = true; return tx.CreateAccount(account(1, "alice")) }
	wantErr(t, "Update with a canceled context", s.Update(ctx, fn), context.Canceled)
	wantErr(t, "View with a canceled context", s.View(ctx, fn), context.Canceled)
	if called {
		t.Error("fn ran although the context was canceled")
	}
}

func testRetryBusy(t *testing.T, s store.Store) {
	calls := 0
	update(t, s, func(tx store.Tx) error {
		calls++
		// Every attempt writes the same rows; if a failed attempt's writes were not
		// rolled back, the next attempt would hit ErrConflict.
		if err := tx.CreateAccount(account(1, "alice")); err != nil {
			return err
		}
		if err := tx.PutIdempotency(idempotency(1, "RunInstances", "t", strconv.Itoa(calls))); err != nil {
			return err
		}
		if calls < 3 {
			return fmt.Errorf("injected transient failure: %w", store.ErrBusy)
		}
		return nil
	})
	if calls != 3 {
		t.Errorf("fn ran %d times, want 3", calls)
	}
	view(t, s, func(tx store.Tx) error {
		if r, err := tx.GetIdempotency(1, "RunInstances", "t"); err != nil || r.Response != "3" {
			t.Errorf("GetIdempotency = %+v, %v; want the third attempt's record", r, err)
		}
		return nil
	})
}

func testRetryGivesUp(t *testing.T, s store.Store) {
	calls := 0
	err := s.Update(t.Context(), func(tx store.Tx) error {
		calls++
		if err := tx.CreateAccount(account(1, "alice")); err != nil {
			return err
		}
		return store.ErrBusy
	})
	wantErr(t, "Update that is always busy", err, store.ErrBusy)
	if calls < 2 || calls > 100 {
		t.Errorf("fn ran %d times, want a small bounded number of retries", calls)
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetAccount(1)
		wantErr(t, "GetAccount after giving up", err, store.ErrNotFound)
		return nil
	})
}

func testConcurrentIdempotency(t *testing.T, s store.Store) {
	const n = 20
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Update(t.Context(), func(tx store.Tx) error {
				return tx.PutIdempotency(idempotency(1, "RunInstances", "same-token", strconv.Itoa(i)))
			})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("goroutines %d and %d both stored the token", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("goroutine %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no goroutine stored the token")
	}
	view(t, s, func(tx store.Tx) error {
		if r, err := tx.GetIdempotency(1, "RunInstances", "same-token"); err != nil || r.Response != strconv.Itoa(winner) {
			t.Errorf("GetIdempotency = %+v, %v; want the winner's (%d) record", r, err, winner)
		}
		return nil
	})
}

func testConcurrentCounter(t *testing.T, s store.Store) {
	const workers, rounds = 10, 5
	update(t, s, func(tx store.Tx) error { return tx.PutSetting("counter", "0") })
	var mu sync.Mutex
	succeeded := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				err := s.Update(t.Context(), func(tx store.Tx) error {
					v, err := tx.GetSetting("counter")
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(v)
					if err != nil {
						return err
					}
					return tx.PutSetting("counter", strconv.Itoa(n+1))
				})
				mu.Lock()
				switch {
				case err == nil:
					succeeded++
				case !errors.Is(err, store.ErrBusy):
					t.Errorf("increment: %v", err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if succeeded == 0 {
		t.Fatal("no increment succeeded")
	}
	if succeeded < workers*rounds {
		t.Logf("%d of %d increments gave up as busy", workers*rounds-succeeded, workers*rounds)
	}
	view(t, s, func(tx store.Tx) error {
		if v, err := tx.GetSetting("counter"); err != nil || v != strconv.Itoa(succeeded) {
			t.Errorf("counter = %q, %v; want %d (lost or phantom updates)", v, err, succeeded)
		}
		return nil
	})
}

func testCloseIdempotent(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func testCloseReopen(t *testing.T, open func() store.Store) {
	s := open()
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccount(account(1, "alice")); err != nil {
			return err
		}
		if err := tx.CreateAccessKey(accessKey("LTAIa", 1)); err != nil {
			return err
		}
		if err := tx.PutSetting("region", "cn-hangzhou"); err != nil {
			return err
		}
		return tx.PutIdempotency(idempotency(1, "RunInstances", "t", "r"))
	})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range 2 { // the second reopen also checks that migrations are not reapplied
		s = open()
		view(t, s, func(tx store.Tx) error {
			a, err := tx.GetAccount(1)
			if err != nil || a.Name != "alice" {
				t.Errorf("reopen %d: GetAccount = %+v, %v", i+1, a, err)
			}
			sameTime(t, "CreatedAt", a.CreatedAt, when())
			if k, err := tx.GetAccessKey("LTAIa"); err != nil || k.Secret != "secret-LTAIa" {
				t.Errorf("reopen %d: GetAccessKey = %+v, %v", i+1, k, err)
			}
			if v, err := tx.GetSetting("region"); err != nil || v != "cn-hangzhou" {
				t.Errorf("reopen %d: GetSetting = %q, %v", i+1, v, err)
			}
			if r, err := tx.GetIdempotency(1, "RunInstances", "t"); err != nil || r.Response != "r" {
				t.Errorf("reopen %d: GetIdempotency = %+v, %v", i+1, r, err)
			}
			return nil
		})
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}
