package snapshot

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/objectstore/objectstoretest"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// t0 is a Monday, 00:00 in cn-hangzhou (UTC+8).
var t0 = time.Date(2024, 6, 2, 16, 0, 0, 0, time.UTC)

var alice = Caller{AccountID: 1, RegionID: "cn-hangzhou"}

// fixture is a store with one Running instance i-run (started) with system
// disk d-sys and data disk d-data, a Stopped instance i-new that never started
// with system disk d-new, a Stopped locked instance i-lock with d-lock, a
// portable disk d-fresh never attached and d-old detached after use; a task
// engine and the sim volume driver whose snapshots take 10 seconds.
type fixture struct {
	t    *testing.T
	st   store.Store
	clk  *clock.Fake
	cat  *catalog.Catalog
	ids  ids.Generator
	eng  *task.Engine
	vols *sim.Volumes
	svc  *Service
	// obj is the object store of ImportSnapshot and ExportSnapshot; roles
	// says whether the RAM roles allow them.
	obj   *objectstoretest.Memory
	roles *fakeRoles
	// files, when set before restart, is the service's Deps.Files.
	files *fakeFiles
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, clk: clock.NewFake(t0), cat: cat, ids: ids.Seeded(7),
		obj: objectstoretest.NewMemory(), roles: &fakeRoles{allow: true}}
	f.seed()
	f.restart()
	return f
}

// restart builds a new engine, volume driver and service on the same store,
// as a restarted ecsd does.
func (f *fixture) restart() {
	f.t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.eng = task.New(task.Config{Store: f.st, IDs: f.ids, Clock: f.clk, Owner: "node", Logger: logger})
	var err error
	if f.vols, err = sim.NewVolumes(sim.VolumeConfig{SnapshotTime: 10 * time.Second, MigrationTime: 10 * time.Second}, f.clk); err != nil {
		f.t.Fatal(err)
	}
	var files SnapshotFiles
	if f.files != nil {
		files = f.files
	}
	f.svc, err = New(Deps{Store: f.st, IDs: f.ids, Clock: f.clk, Catalog: f.cat, Tasks: f.eng, Volumes: f.vols,
		Migrator: f.vols, Objects: f.obj, Roles: f.roles, Logger: logger, Files: files})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) seed() {
	now := f.clk.Now()
	err := f.st.Update(f.t.Context(), func(tx store.Tx) error {
		for _, in := range []store.Instance{
			{ID: "i-run", Status: "Running", StartedAt: now},
			{ID: "i-new", Status: "Stopped"},
			{ID: "i-lock", Status: "Stopped", StartedAt: now, OperationLocks: "security"},
			{ID: "i-stop", Status: "Stopped", StartedAt: now},
		} {
			in.AccountID, in.RegionID, in.ZoneID, in.InstanceType, in.CreatedAt = 1, "cn-hangzhou", "cn-hangzhou-b", "ecs.g5.large", now
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
		}
		for _, d := range []store.Disk{
			{ID: "d-sys", Type: "system", InstanceID: "i-run", Device: "/dev/xvda", Status: "In_use", AttachedAt: now},
			{ID: "d-data", Type: "data", InstanceID: "i-run", Device: "/dev/xvdb", Status: "In_use", AttachedAt: now, Portable: true,
				DeleteAutoSnapshot: true},
			{ID: "d-new", Type: "system", InstanceID: "i-new", Device: "/dev/xvda", Status: "In_use", AttachedAt: now},
			{ID: "d-lock", Type: "system", InstanceID: "i-lock", Device: "/dev/xvda", Status: "In_use", AttachedAt: now},
			{ID: "d-stop", Type: "system", InstanceID: "i-stop", Device: "/dev/xvda", Status: "In_use", AttachedAt: now},
			{ID: "d-fresh", Type: "data", Status: "Available", Portable: true},
			{ID: "d-old", Type: "data", Status: "Available", Portable: true, AttachedAt: now.Add(-time.Hour), DetachedAt: now},
			{ID: "d-local", Type: "data", Category: "ephemeral_ssd", InstanceID: "i-run", Device: "/dev/xvdc", Status: "In_use", AttachedAt: now},
		} {
			d.AccountID, d.RegionID, d.ZoneID, d.SizeGiB, d.CreatedAt = 1, "cn-hangzhou", "cn-hangzhou-b", 40, now.Add(-time.Minute)
			if d.Category == "" {
				d.Category = "cloud_efficiency"
			}
			if err := tx.CreateDisk(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// settle runs every task step due now.
func (f *fixture) settle() {
	f.t.Helper()
	if _, err := f.eng.Settle(f.t.Context(), 1000); err != nil {
		f.t.Fatal(err)
	}
}

// finish runs the tasks until nothing is left to do, moving the clock.
func (f *fixture) finish() {
	f.t.Helper()
	for range 100 {
		f.settle()
		var next time.Time
		_ = f.st.View(f.t.Context(), func(tx store.Tx) error {
			next, _ = tx.NextTaskDue()
			return nil
		})
		if next.IsZero() {
			return
		}
		if next.After(f.clk.Now()) {
			f.clk.Set(next)
		}
	}
	f.t.Fatal("tasks did not finish")
}

func (f *fixture) snapshot(id string) store.Snapshot {
	f.t.Helper()
	var sn store.Snapshot
	err := f.st.View(f.t.Context(), func(tx store.Tx) error {
		var err error
		sn, err = tx.GetSnapshot(1, id)
		return err
	})
	if err != nil {
		f.t.Fatalf("snapshot %s: %v", id, err)
	}
	return sn
}

func (f *fixture) disk(id string) store.Disk {
	f.t.Helper()
	var d store.Disk
	err := f.st.View(f.t.Context(), func(tx store.Tx) error {
		var err error
		d, err = tx.GetDisk(1, id)
		return err
	})
	if err != nil {
		f.t.Fatalf("disk %s: %v", id, err)
	}
	return d
}

func (f *fixture) task(id string) store.Task {
	f.t.Helper()
	var tk store.Task
	err := f.st.View(f.t.Context(), func(tx store.Tx) error {
		var err error
		tk, err = tx.GetTask(1, id)
		return err
	})
	if err != nil {
		f.t.Fatalf("task %s: %v", id, err)
	}
	return tk
}

// take creates a user snapshot of disk and finishes it.
func (f *fixture) take(disk string) string {
	f.t.Helper()
	id, err := f.svc.Create(f.t.Context(), alice, CreateInput{DiskID: disk})
	if err != nil {
		f.t.Fatalf("CreateSnapshot(%s): %v", disk, err)
	}
	f.finish()
	return id
}

func (f *fixture) update(fn func(tx store.Tx) error) {
	f.t.Helper()
	if err := f.st.Update(f.t.Context(), fn); err != nil {
		f.t.Fatal(err)
	}
}

func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("got %v, want %s (%d)", err, code, status)
	}
}

func ptr[T any](v T) *T { return &v }
