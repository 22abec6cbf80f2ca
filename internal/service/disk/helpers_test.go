package disk

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

const (
	testRegion = "cn-hangzhou"
	testZone   = "cn-hangzhou-b"
	otherZone  = "cn-hangzhou-g"
)

var testStart = time.Date(2024, 6, 1, 8, 30, 0, 0, time.UTC)

// env is a disk service on a fresh SQLite store with accounts 1 and 2, seeded
// IDs, a fake clock and the sim driver.
type env struct {
	st  store.Store
	svc *Service
	clk *clock.Fake
	sim *sim.Driver
}

func newEnv(t *testing.T) *env { return newEnvWith(t, sim.Config{}, Limits{}) }

func newEnvWith(t *testing.T, cfg sim.Config, limits Limits) *env {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}} {
			a.Status = store.AccountEnabled
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(testStart)
	drv, err := sim.New(cfg, clk)
	if err != nil {
		t.Fatal(err)
	}
	gen := ids.Seeded(7)
	imgs := image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	svc := New(Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Images: imgs, Compute: drv, Limits: limits})
	return &env{st: st, svc: svc, clk: clk, sim: drv}
}

// alice and bob are the callers of accounts 1 and 2 in cn-hangzhou.
var (
	alice = Caller{AccountID: 1, RegionID: testRegion}
	bob   = Caller{AccountID: 2, RegionID: testRegion}
)

// createDisk creates a disk of 20 GiB (unless in says otherwise) in testZone.
func (e *env) createDisk(t *testing.T, c Caller, in CreateInput) string {
	t.Helper()
	if in.ZoneID == "" {
		in.ZoneID = testZone
	}
	if in.Size == nil && in.SnapshotID == "" {
		in.Size = ptr(20)
	}
	id, err := e.svc.Create(t.Context(), c, in)
	if err != nil {
		t.Fatalf("Create(%+v): %v", in, err)
	}
	return id
}

// instance inserts an instance row of account 1 (Running in testZone, started,
// with a system disk d-sys-<id>) and returns it. mod adjusts it first.
func (e *env) instance(t *testing.T, id string, mod func(in *store.Instance)) store.Instance {
	t.Helper()
	in := store.Instance{ID: id, AccountID: 1, RegionID: testRegion, ZoneID: testZone, InstanceType: "ecs.g5.large",
		CPU: 2, MemoryMiB: 8192, ImageID: "centos_7_9_x64_20G_alibase_20240628.vhd", OSType: "linux", Status: instanceRunning,
		CreatedAt: e.clk.Now(), StartedAt: e.clk.Now()}
	if mod != nil {
		mod(&in)
	}
	sys := store.Disk{ID: "d-sys-" + id, AccountID: in.AccountID, RegionID: in.RegionID, ZoneID: in.ZoneID, Type: TypeSystem,
		Category: CategoryEfficiency, SizeGiB: 40, ImageID: in.ImageID, InstanceID: id, Device: SystemDevice,
		Status: StatusInUse, DeleteWithInstance: true, DeleteAutoSnapshot: true, CreatedAt: in.CreatedAt, AttachedAt: in.CreatedAt}
	e.update(t, func(tx store.Tx) error {
		if err := tx.CreateInstance(in); err != nil {
			return err
		}
		return tx.CreateDisk(sys)
	})
	return in
}

// driverInstance is instance, also created on the sim driver (Running or
// Stopped as the row says), with its handle in the row.
func (e *env) driverInstance(t *testing.T, id string, mod func(in *store.Instance)) store.Instance {
	t.Helper()
	in := e.instance(t, id, mod)
	spec := driver.InstanceSpec{InstanceID: id, VCPU: 2, MemoryMiB: 8192,
		SystemDisk: driver.DiskSpec{DiskID: "d-sys-" + id, Device: SystemDevice, SizeGiB: 40}}
	h, err := e.sim.Create(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status == instanceRunning {
		if h, err = e.sim.Start(t.Context(), h); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	in.DriverHandle = b
	e.update(t, func(tx store.Tx) error { return tx.UpdateInstance(in) })
	return in
}

func (e *env) update(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := e.st.Update(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// disk reads a disk of account 1.
func (e *env) disk(t *testing.T, id string) store.Disk {
	t.Helper()
	var d store.Disk
	err := e.st.View(t.Context(), func(tx store.Tx) error {
		var err error
		d, err = tx.GetDisk(1, id)
		return err
	})
	if err != nil {
		t.Fatalf("GetDisk %s: %v", id, err)
	}
	return d
}

// gone reports whether account 1's disk id no longer exists.
func (e *env) gone(t *testing.T, id string) bool {
	t.Helper()
	err := e.st.View(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetDisk(1, id)
		return err
	})
	return errors.Is(err, store.ErrNotFound)
}

// getInstance reads an instance of account 1.
func (e *env) getInstance(t *testing.T, id string) store.Instance {
	t.Helper()
	var in store.Instance
	err := e.st.View(t.Context(), func(tx store.Tx) error {
		var err error
		in, err = tx.GetInstance(1, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func wantCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: got %v, want API error %s (%d)", what, err, code, status)
	}
	if e.Code != code || e.HTTPStatus != status {
		t.Fatalf("%s: got %s (%d) %q, want %s (%d)", what, e.Code, e.HTTPStatus, e.Message, code, status)
	}
}

func ptr[T any](v T) *T { return &v }
