package image_test

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
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

var t0 = time.Date(2024, 6, 2, 16, 0, 0, 0, time.UTC)

const (
	hangzhou = "cn-hangzhou"
	beijing  = "cn-beijing"
	ubuntu22 = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
)

var (
	alice = image.Caller{AccountID: 1, RegionID: hangzhou}
	bob   = image.Caller{AccountID: 2, RegionID: hangzhou}
	carol = image.Caller{AccountID: 3, RegionID: hangzhou}
)

// fixture: accounts 1 (alice), 2 (bob), 3 (carol); alice's Running instance
// i-run from ubuntu22 with system disk d-sys (40 GiB) and data disk d-data
// (100 GiB), a Pending instance i-pend and a locked Stopped one i-lock; a
// task engine, the sim volume driver (snapshots take 10 s), the snapshot, RAM
// and image services (copies take 10 s) and a fake object store.
type fixture struct {
	t    *testing.T
	st   store.Store
	clk  *clock.Fake
	eng  *task.Engine
	snap *snapshot.Service
	ram  *ram.Service
	obj  *objectstoretest.Memory
	svc  *image.Service
}

func newFixture(t *testing.T) *fixture { t.Helper(); return newFixtureWith(t, nil) }

// newFixtureWith is newFixture whose image service has a golden store (the
// qemu driver's images) when goldens is not nil.
func newFixtureWith(t *testing.T, goldens image.Goldens) *fixture {
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
	f := &fixture{t: t, st: st, clk: clock.NewFake(t0), obj: objectstoretest.NewMemory()}
	gen := ids.Seeded(7)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.eng = task.New(task.Config{Store: st, IDs: gen, Clock: f.clk, Owner: "node", Logger: logger})
	vols, err := sim.NewVolumes(sim.VolumeConfig{SnapshotTime: 10 * time.Second, MigrationTime: 10 * time.Second}, f.clk)
	if err != nil {
		t.Fatal(err)
	}
	if f.snap, err = snapshot.New(snapshot.Deps{Store: st, IDs: gen, Clock: f.clk, Catalog: cat, Tasks: f.eng, Volumes: vols,
		Migrator: vols, Logger: logger}); err != nil {
		t.Fatal(err)
	}
	f.ram = ram.New(ram.Deps{Store: st, IDs: gen, Clock: f.clk})
	content, err := image.NewContentStore(filepath.Join(t.TempDir(), "images"))
	if err != nil {
		t.Fatal(err)
	}
	f.svc = image.New(image.Deps{Store: st, IDs: gen, Clock: f.clk, Catalog: cat, Tasks: f.eng, Snapshots: f.snap,
		Objects: f.obj, Content: content, RolePolicies: f.ram, CopyTime: 10 * time.Second, Goldens: goldens})
	f.seed()
	return f
}

func (f *fixture) seed() {
	now := f.clk.Now()
	f.update(func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}, {ID: 3, Name: "carol"}} {
			a.Status, a.CreatedAt = store.AccountEnabled, now
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		for _, in := range []store.Instance{
			{ID: "i-run", Status: "Running", StartedAt: now},
			{ID: "i-pend", Status: "Pending"},
			{ID: "i-lock", Status: "Stopped", StartedAt: now, OperationLocks: "security"},
		} {
			in.AccountID, in.RegionID, in.ZoneID, in.InstanceType, in.CreatedAt = 1, hangzhou, "cn-hangzhou-b", "ecs.g5.large", now
			in.ImageID, in.OSType, in.OSName = ubuntu22, "linux", "Ubuntu  22.04 64位"
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
		}
		for _, d := range []store.Disk{
			{ID: "d-sys", Type: "system", InstanceID: "i-run", Device: "/dev/xvda", SizeGiB: 40},
			{ID: "d-data", Type: "data", InstanceID: "i-run", Device: "/dev/xvdb", SizeGiB: 100},
			{ID: "d-lock", Type: "system", InstanceID: "i-lock", Device: "/dev/xvda", SizeGiB: 40},
		} {
			d.AccountID, d.RegionID, d.ZoneID, d.Category, d.Status = 1, hangzhou, "cn-hangzhou-b", "cloud_efficiency", "In_use"
			d.CreatedAt, d.AttachedAt = now.Add(-time.Minute), now
			if err := tx.CreateDisk(d); err != nil {
				return err
			}
		}
		return nil
	})
}

func (f *fixture) update(fn func(tx store.Tx) error) {
	f.t.Helper()
	if err := f.st.Update(f.t.Context(), fn); err != nil {
		f.t.Fatal(err)
	}
}

// finish runs the tasks until nothing is left to do, moving the clock.
func (f *fixture) finish() {
	f.t.Helper()
	for range 200 {
		if _, err := f.eng.Settle(f.t.Context(), 1000); err != nil {
			f.t.Fatal(err)
		}
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

// settle runs the task steps due now, without moving the clock.
func (f *fixture) settle() {
	f.t.Helper()
	if _, err := f.eng.Settle(f.t.Context(), 1000); err != nil {
		f.t.Fatal(err)
	}
}

// takeSnapshot snapshots a disk of alice and finishes it.
func (f *fixture) takeSnapshot(disk string) string {
	f.t.Helper()
	id, err := f.snap.Create(f.t.Context(), snapshot.Caller{AccountID: 1, RegionID: hangzhou}, snapshot.CreateInput{DiskID: disk})
	if err != nil {
		f.t.Fatalf("CreateSnapshot(%s): %v", disk, err)
	}
	f.finish()
	return id
}

// image returns an image as c sees it.
func (f *fixture) image(c image.Caller, id string) image.Image {
	f.t.Helper()
	img, err := f.svc.Image(f.t.Context(), c.AccountID, c.RegionID, id)
	if err != nil {
		f.t.Fatalf("image %s: %v", id, err)
	}
	return img
}

// stored returns the stored image (any account).
func (f *fixture) stored(id string) (store.Image, error) {
	var img store.Image
	err := f.st.View(f.t.Context(), func(tx store.Tx) error {
		var err error
		img, err = tx.GetImage(id)
		return err
	})
	return img, err
}

// fromSnapshot makes an Available image of a new snapshot of d-sys.
func (f *fixture) fromSnapshot(name string) (imageID, snapshotID string) {
	f.t.Helper()
	snapshotID = f.takeSnapshot("d-sys")
	imageID, err := f.svc.Create(f.t.Context(), alice, image.CreateInput{SnapshotID: snapshotID, Name: name})
	if err != nil {
		f.t.Fatalf("CreateImage: %v", err)
	}
	f.finish()
	return imageID, snapshotID
}

// grantRole gives alice the named role, trusted by ECS, with a system policy.
func (f *fixture) grantRole(role, policy string) {
	f.t.Helper()
	c := ram.Caller{AccountID: 1}
	trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`
	if _, err := f.ram.CreateRole(f.t.Context(), c, role, "", trust, nil); err != nil {
		f.t.Fatal(err)
	}
	if policy != "" {
		if err := f.ram.AttachPolicy(f.t.Context(), c, store.RAMPrincipalRole, role, "System", policy); err != nil {
			f.t.Fatal(err)
		}
	}
}

func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("got %v, want %s (%d)", err, code, status)
	}
}

func wantMessage(t *testing.T, err error, code, message string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.Message != message {
		t.Fatalf("got %v, want %s: %s", err, code, message)
	}
}
