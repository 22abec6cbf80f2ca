package network

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// hangzhou is the scope most tests call in: account 1 in cn-hangzhou.
func hangzhou() Scope { return Scope{AccountID: 1, RegionID: "cn-hangzhou"} }

// fixture is a Service on a fresh SQLite store with seeded IDs and a fake clock.
type fixture struct {
	svc   *Service
	store store.Store
	clock *clock.Fake
}

func newFixture(t *testing.T, quotas Quotas) *fixture {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	svc := New(Deps{Store: st, IDs: ids.Seeded(1), Clock: clk, Catalog: cat, Quotas: quotas})
	return &fixture{svc: svc, store: st, clock: clk}
}

// vpc creates a VPC with the given block in sc and returns its ID.
func (f *fixture) vpc(t *testing.T, sc Scope, cidr string) string {
	t.Helper()
	out, err := f.svc.CreateVPC(t.Context(), sc, CreateVPCInput{CidrBlock: cidr})
	if err != nil {
		t.Fatalf("CreateVPC(%s): %v", cidr, err)
	}
	return out.VpcID
}

// vswitch creates a VSwitch in zone cn-hangzhou-b of a VPC and returns its ID.
func (f *fixture) vswitch(t *testing.T, vpcID, cidr string) string {
	t.Helper()
	out, err := f.svc.CreateVSwitch(t.Context(), hangzhou(), CreateVSwitchInput{VpcID: vpcID, ZoneID: "cn-hangzhou-b", CidrBlock: cidr})
	if err != nil {
		t.Fatalf("CreateVSwitch(%s): %v", cidr, err)
	}
	return out.VSwitchID
}

// allocate runs AllocatePrivateIP in its own transaction.
func (f *fixture) allocate(t *testing.T, vswitchID, requested string) (string, error) {
	t.Helper()
	var addr string
	err := f.store.Update(t.Context(), func(tx store.Tx) error {
		var err error
		addr, err = f.svc.AllocatePrivateIP(tx, hangzhou().AccountID, vswitchID, requested, OwnerInstance, "i-test")
		return err
	})
	return addr, err
}

// wantCode fails unless err is an *apierr.Error with that code and status.
func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("err = %v, want %s (%d)", err, code, status)
	}
}
