package accounts

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

func newService(t *testing.T) (*Service, store.Store) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, ids.Seeded(7), clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))), st
}

func TestFirstStartGeneratesOneRootKeyAndLaterStartsReuseIt(t *testing.T) {
	s, _ := newService(t)
	if _, err := s.RootAccountID(t.Context()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RootAccountID before the first start: %v", err)
	}
	first, err := s.EnsureRoot(t.Context(), "", "")
	if err != nil || !first.Created || first.AccessKeyID == "" || first.AccessKeySecret == "" || first.AccountID <= 0 {
		t.Fatalf("first EnsureRoot = %+v, %v", first, err)
	}
	again, err := s.EnsureRoot(t.Context(), "", "")
	if err != nil || again.Created || again.AccessKeyID != first.AccessKeyID || again.AccountID != first.AccountID {
		t.Fatalf("second EnsureRoot = %+v, %v; want the first key, not created", again, err)
	}
	if id, err := s.RootAccountID(t.Context()); err != nil || id != first.AccountID {
		t.Fatalf("RootAccountID = %d, %v", id, err)
	}
	cred, err := s.LookupAccessKey(t.Context(), first.AccessKeyID)
	if err != nil || cred.Secret != first.AccessKeySecret || !cred.Active || cred.AccountID != first.AccountID {
		t.Fatalf("LookupAccessKey = %+v, %v", cred, err)
	}
	if _, err := s.LookupAccessKey(t.Context(), "LTAInope"); !errors.Is(err, ErrUnknownAccessKey) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestAGivenRootKeyIsCreatedOnceAndMustKeepItsSecret(t *testing.T) {
	s, st := newService(t)
	root, err := s.EnsureRoot(t.Context(), "LTAIgiven", "secret-1")
	if err != nil || !root.Created || root.AccessKeyID != "LTAIgiven" {
		t.Fatalf("EnsureRoot with a given key = %+v, %v", root, err)
	}
	if root, err = s.EnsureRoot(t.Context(), "LTAIgiven", "secret-1"); err != nil || root.Created {
		t.Fatalf("second EnsureRoot = %+v, %v", root, err)
	}
	if _, err := s.EnsureRoot(t.Context(), "LTAIgiven", "other"); err == nil {
		t.Fatal("a known key with another secret was accepted")
	}
	if _, err := s.EnsureRoot(t.Context(), "LTAIgiven", ""); err == nil {
		t.Fatal("a key without its secret was accepted")
	}
	if err := st.Update(t.Context(), func(tx store.Tx) error { return tx.SetAccountStatus(root.AccountID, store.AccountDisabled) }); err != nil {
		t.Fatal(err)
	}
	if cred, err := s.LookupAccessKey(t.Context(), "LTAIgiven"); err != nil || cred.Active {
		t.Fatalf("key of a disabled account: %+v, %v; want inactive", cred, err)
	}
}
