package secgroup

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// The accounts every test store has: alice (1) and bob (2).
var (
	alice      = Caller{AccountID: 1, RegionID: "cn-hangzhou"}
	aliceNorth = Caller{AccountID: 1, RegionID: "cn-beijing"}
	bob        = Caller{AccountID: 2, RegionID: "cn-hangzhou"}
)

type fixture struct {
	t     *testing.T
	svc   *Service
	store store.Store
	clock *tickingClock
	// instances is what the InstanceCounter answers, per group.
	instances map[string]int
}

func newFixture(t *testing.T, limits Limits) *fixture {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	f := &fixture{t: t, store: st, clock: &tickingClock{now: now}, instances: map[string]int{}}
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}} {
			a.Status, a.CreatedAt = store.AccountEnabled, now
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = New(Deps{Store: st, IDs: ids.Seeded(1), Clock: f.clock, Limits: limits,
		Instances: func(_ store.Tx, id string) (int, error) { return f.instances[id], nil }})
	return f
}

// tickingClock moves on a second each time it is read, so that groups and rules
// are listed in creation order.
type tickingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// group creates a group for c and returns its ID.
func (f *fixture) group(c Caller, in CreateInput) string {
	f.t.Helper()
	id, err := f.svc.Create(f.t.Context(), c, in)
	if err != nil {
		f.t.Fatalf("Create(%+v): %v", in, err)
	}
	return id
}

// vpc inserts a VPC of account in region with status.
func (f *fixture) vpc(id string, account int64, region, status string) {
	f.t.Helper()
	err := f.store.Update(f.t.Context(), func(tx store.Tx) error {
		return tx.CreateVPC(store.VPC{ID: id, AccountID: account, RegionID: region, CidrBlock: "172.16.0.0/12", Status: status})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// rules returns the rules Describe shows for c's group.
func (f *fixture) rules(c Caller, id string) []Rule {
	f.t.Helper()
	d, err := f.svc.Describe(f.t.Context(), c, id, RuleFilter{})
	if err != nil {
		f.t.Fatalf("Describe(%s): %v", id, err)
	}
	return d.Rules
}

// must fails the test on err.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// wantCode fails the test unless err is the API error code with status, and,
// when message is set, that message.
func wantCode(t *testing.T, err error, code string, status int, message ...string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want API error %s (%d)", err, code, status)
	}
	if e.Code != code || e.HTTPStatus != status || (len(message) > 0 && e.Message != message[0]) {
		t.Fatalf("got %s (%d) %q, want %s (%d) %v", e.Code, e.HTTPStatus, e.Message, code, status, message)
	}
}

func ptr[T any](v T) *T { return &v }

// tcp is a flat ingress or egress rule for a CIDR block.
func tcp(ports, cidr string) RuleSpec {
	return RuleSpec{IPProtocol: "tcp", PortRange: ports, PeerCidrIP: cidr}
}
