package instance

import (
	"net/http"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

// snapshotRow inserts a snapshot of account 1.
func (f *launchFixture) snapshotRow(t *testing.T, id, diskType, status string, size int) {
	t.Helper()
	f.update(t, func(tx store.Tx) error {
		return tx.CreateSnapshot(store.Snapshot{ID: id, AccountID: 1, RegionID: "cn-hangzhou", Type: store.SnapshotTypeUser,
			SourceDiskID: "d-src", SourceDiskType: diskType, SourceDiskSizeGiB: size, Status: status, CreatedAt: f.clock.Now()})
	})
}

func TestRunInstancesMakesDataDisksFromSnapshotsOfTheirSize(t *testing.T) {
	f := newLaunchFixture(t)
	f.snapshotRow(t, "s-data", diskTypeData, store.SnapshotAccomplished, 60)
	f.snapshotRow(t, "s-busy", diskTypeData, store.SnapshotProgressing, 60)
	f.snapshotRow(t, "s-sys", diskTypeSystem, store.SnapshotAccomplished, 40)
	f.snapshotRow(t, "s-huge", diskTypeData, store.SnapshotAccomplished, 3000)
	ids := f.launch(t, runInput(func(in *RunInput) {
		in.DataDisks = []DataDiskInput{{Category: CategoryEfficiency, SnapshotID: "s-data", Size: intp(500)}}
	}))
	f.update(t, func(tx store.Tx) error {
		v, err := LoadView(tx, 1, ids[0])
		if err != nil {
			return err
		}
		if d := v.Disks[1]; d.SourceSnapshotID != "s-data" || d.SizeGiB != 60 {
			t.Errorf("data disk %+v: want 60 GiB from s-data (its Size is ignored)", d)
		}
		return nil
	})
	for _, c := range []struct {
		name, snapshot, category, code string
		status                         int
	}{
		{"a missing snapshot", "s-nope", CategoryEfficiency, "InvalidDataDiskSnapshotId.NotFound", http.StatusNotFound},
		{"a snapshot being taken", "s-busy", CategoryEfficiency, "InvalidSnapshotId.NotReady", http.StatusForbidden},
		{"a system disk's snapshot", "s-sys", CategoryEfficiency, "InvalidSnapshotId.NotDataDiskSnapshot", http.StatusForbidden},
		{"a snapshot larger than the category", "s-huge", CategoryCloud, "InvalidDataDiskSize.ValueNotSupported", http.StatusBadRequest},
	} {
		_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
			in.DataDisks = []DataDiskInput{{Category: c.category, SnapshotID: c.snapshot}}
		}))
		wantCode(t, c.name, err, c.code, c.status)
	}
}

// releasedDisks records the disks an instance's release deletes.
type releasedDisks []string

func (r *releasedDisks) DiskReleased(_ store.Tx, d store.Disk) error {
	*r = append(*r, d.ID)
	return nil
}

func TestDeletingAnInstanceTellsTheSnapshotServiceOfEveryDiskDeleted(t *testing.T) {
	f := newLaunchFixture(t)
	var got releasedDisks
	f.deps.Snapshots = &got
	f.svc = New(f.deps)
	ids := f.launch(t, runInput(func(in *RunInput) {
		in.DataDisks = []DataDiskInput{{Category: CategoryEfficiency, Size: intp(40)},
			{Category: CategoryEfficiency, Size: intp(40), DeleteWithInstance: boolp(false)}}
	}))
	f.settle(t)
	var disks []store.Disk
	f.update(t, func(tx store.Tx) error {
		v, err := LoadView(tx, 1, ids[0])
		disks = v.Disks
		return err
	})
	if err := f.svc.Delete(t.Context(), lfCaller(), ids[0], true, false); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if len(got) != 2 || got[0] != disks[0].ID || got[1] != disks[1].ID {
		t.Errorf("released %v; want the system disk and the data disk deleted with it, not %s", got, disks[2].ID)
	}
}
