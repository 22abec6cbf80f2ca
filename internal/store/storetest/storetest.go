package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// contractCase is one named test of the suite; each resource group's file lists its
// own cases (accountCases, networkCases, …).
type contractCase struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// accountCases cover accounts, AccessKeys, settings, ClientToken records and the
// transaction semantics every resource relies on.
var accountCases = []contractCase{
	{"Account/RoundTrip", testAccountRoundTrip},
	{"Account/NotFound", testAccountNotFound},
	{"Account/Conflict", testAccountConflict},
	{"Account/List", testAccountList},
	{"Account/SetStatus", testAccountSetStatus},
	{"AccessKey/RoundTrip", testAccessKeyRoundTrip},
	{"AccessKey/NotFound", testAccessKeyNotFound},
	{"AccessKey/Conflict", testAccessKeyConflict},
	{"AccessKey/MissingAccount", testAccessKeyMissingAccount},
	{"AccessKey/List", testAccessKeyList},
	{"AccessKey/SetStatus", testAccessKeySetStatus},
	{"AccessKey/Credential", testCredential},
	{"Setting/RoundTrip", testSettingRoundTrip},
	{"Idempotency/RoundTrip", testIdempotencyRoundTrip},
	{"Idempotency/Conflict", testIdempotencyConflict},
	{"Tx/RollbackOnError", testRollbackOnError},
	{"Tx/RollbackOnPanic", testRollbackOnPanic},
	{"Tx/UsableAfterConflict", testUsableAfterConflict},
	{"Tx/ZeroTime", testZeroTime},
	{"Tx/ViewIsReadOnly", testViewIsReadOnly},
	{"Tx/ViewBesideOpenUpdate", testViewBesideOpenUpdate},
	{"Tx/ContextCanceled", testContextCanceled},
	{"Tx/RetryBusy", testRetryBusy},
	{"Tx/RetryGivesUp", testRetryGivesUp},
	{"Tx/ConcurrentIdempotency", testConcurrentIdempotency},
	{"Tx/ConcurrentCounter", testConcurrentCounter},
	{"Close/Idempotent", testCloseIdempotent},
}

// Run runs the contract suite. open must return a new, empty store each time it is
// called (subtests run in parallel, each with its own store); the suite closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	var cases []contractCase
	cases = append(cases, accountCases...)
	cases = append(cases, networkCases...)
	cases = append(cases, securityGroupCases...)
	cases = append(cases, keyPairCases...)
	cases = append(cases, instanceCases...)
	cases = append(cases, tagCases...)
	cases = append(cases, deploymentSetCases...)
	cases = append(cases, ramCases...)
	cases = append(cases, networkInterfaceCases...)
	cases = append(cases, taskCases...)
	cases = append(cases, snapshotCases...)
	cases = append(cases, objectStorageCases...)
	cases = append(cases, imageCases...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			c.fn(t, s)
		})
	}
}

// RunDurability checks that committed data survives Close and a new open of the
// same database. database is called once per subtest and returns an opener that
// opens the same (initially empty) database every time it is called.
func RunDurability(t *testing.T, database func(t *testing.T) func() store.Store) {
	t.Run("Durability/CloseReopen", func(t *testing.T) {
		t.Parallel()
		testCloseReopen(t, database(t))
	})
}

// when returns a timestamp with nanoseconds in a non-UTC zone, to catch truncation
// and time-zone mistakes.
func when() time.Time {
	return time.Date(2024, 3, 1, 16, 30, 15, 123456789, time.FixedZone("CST", 8*3600))
}

func account(id int64, name string) store.Account {
	return store.Account{ID: id, Name: name, Status: store.AccountEnabled, CreatedAt: when()}
}

func accessKey(id string, accountID int64) store.AccessKey {
	return store.AccessKey{
		ID: id, Secret: "secret-" + id, AccountID: accountID,
		Status: store.AccessKeyActive, CreatedAt: when(),
	}
}

// update runs fn in s.Update and fails the test on error.
func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test on error.
func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// sameTime fails the test unless got is the instant want, in UTC.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
	if !got.IsZero() && got.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", what, got.Location())
	}
}

// seedAccount commits an account and fails the test on error.
func seedAccount(t *testing.T, s store.Store, a store.Account) {
	t.Helper()
	update(t, s, func(tx store.Tx) error { return tx.CreateAccount(a) })
}
