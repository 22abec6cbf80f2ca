package idempotency

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

type created struct{ ID string }

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func create(t *testing.T, st store.Store, key Key, params any, n *atomic.Int64) (created, error) {
	t.Helper()
	var out created
	err := st.Update(t.Context(), func(tx store.Tx) error {
		var err error
		out, err = Run(tx, time.Now(), key, params, func() (created, error) {
			return created{ID: "r-" + string(rune('0'+n.Add(1)))}, nil
		})
		return err
	})
	return out, err
}

func TestSameTokenAndParametersReturnTheFirstAnswer(t *testing.T) {
	st := openStore(t)
	var n atomic.Int64
	key := Key{AccountID: 1, Action: "CreateVpc", Token: "tok"}
	first, err := create(t, st, key, map[string]string{"CidrBlock": "10.0.0.0/8"}, &n)
	if err != nil {
		t.Fatal(err)
	}
	again, err := create(t, st, key, map[string]string{"CidrBlock": "10.0.0.0/8"}, &n)
	if err != nil || again != first || n.Load() != 1 {
		t.Fatalf("retry = %+v, %v after %d creates; want %+v from one create", again, err, n.Load(), first)
	}
}

func TestSameTokenWithOtherParametersIsIdempotentParameterMismatch(t *testing.T) {
	st := openStore(t)
	var n atomic.Int64
	key := Key{AccountID: 1, Action: "CreateVpc", Token: "tok"}
	if _, err := create(t, st, key, map[string]string{"CidrBlock": "10.0.0.0/8"}, &n); err != nil {
		t.Fatal(err)
	}
	_, err := create(t, st, key, map[string]string{"CidrBlock": "192.168.0.0/16"}, &n)
	if !errors.Is(err, ErrParameterMismatch()) {
		t.Fatalf("err = %v, want IdempotentParameterMismatch", err)
	}
	// The token is scoped to the account and the action.
	for _, other := range []Key{{AccountID: 2, Action: "CreateVpc", Token: "tok"}, {AccountID: 1, Action: "CreateVSwitch", Token: "tok"}} {
		if _, err := create(t, st, other, map[string]string{"CidrBlock": "192.168.0.0/16"}, &n); err != nil {
			t.Fatalf("%+v: %v", other, err)
		}
	}
}

func TestConcurrentRetriesWithOneTokenCreateExactlyOnce(t *testing.T) {
	st := openStore(t)
	var n atomic.Int64
	key := Key{AccountID: 1, Action: "CreateVpc", Token: "race"}
	var wg sync.WaitGroup
	results := make([]created, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = create(t, st, key, "same", &n)
		}()
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil || results[i] != results[0] {
			t.Fatalf("call %d = %+v, %v; want %+v", i, results[i], errs[i], results[0])
		}
	}
	if n.Load() != 1 {
		t.Fatalf("create ran %d times, want once", n.Load())
	}
}

func TestEmptyTokenAlwaysCreates(t *testing.T) {
	st := openStore(t)
	var n atomic.Int64
	for i := 0; i < 2; i++ {
		if _, err := create(t, st, Key{AccountID: 1, Action: "CreateVpc"}, "p", &n); err != nil {
			t.Fatal(err)
		}
	}
	if n.Load() != 2 {
		t.Fatalf("creates = %d, want 2", n.Load())
	}
}

func TestTokensLongerThan64OrNotPrintableASCIIAreInvalid(t *testing.T) {
	st := openStore(t)
	var n atomic.Int64
	for _, token := range []string{strings.Repeat("t", 65), "tab\there", "中文"} {
		_, err := create(t, st, Key{AccountID: 1, Action: "CreateVpc", Token: token}, "p", &n)
		if !errors.Is(err, apierr.InvalidParameter("ClientToken")) {
			t.Errorf("token %q: err = %v, want InvalidParameter", token, err)
		}
	}
	if _, err := create(t, st, Key{AccountID: 1, Action: "CreateVpc", Token: strings.Repeat("t", 64)}, "p", &n); err != nil {
		t.Fatalf("a 64-character token: %v", err)
	}
}
