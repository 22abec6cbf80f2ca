package disk

import (
	"net/http"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

// snapshotRow inserts a snapshot of account 1 and returns its ID.
func (e *env) snapshotRow(t *testing.T, id, diskType, status string, size int) string {
	t.Helper()
	e.update(t, func(tx store.Tx) error {
		return tx.CreateSnapshot(store.Snapshot{ID: id, AccountID: 1, RegionID: testRegion, Type: store.SnapshotTypeUser,
			SourceDiskID: "d-src", SourceDiskType: diskType, SourceDiskSizeGiB: size, SourceDiskCategory: CategoryCloud,
			Status: status, CreatedAt: e.clk.Now()})
	})
	return id
}

func TestCreateDiskFromASnapshotTakesItsSize(t *testing.T) {
	e := newEnv(t)
	ok := e.snapshotRow(t, "s-ok", TypeData, store.SnapshotAccomplished, 30)
	tiny := e.snapshotRow(t, "s-tiny", TypeData, store.SnapshotAccomplished, 5)
	e.snapshotRow(t, "s-busy", TypeData, store.SnapshotProgressing, 30)
	e.snapshotRow(t, "s-sys", TypeSystem, store.SnapshotAccomplished, 40)
	e.snapshotRow(t, "s-huge", TypeData, store.SnapshotAccomplished, 2500)
	id := e.createDisk(t, alice, CreateInput{SnapshotID: ok, Size: ptr(100), Category: CategoryEfficiency})
	if d := e.disk(t, id); d.SizeGiB != 30 || d.SourceSnapshotID != ok {
		t.Errorf("disk from a 30 GiB snapshot with Size=100: %+v (Size is ignored)", d)
	}
	if d := e.disk(t, e.createDisk(t, alice, CreateInput{SnapshotID: tiny, Category: CategoryEfficiency})); d.SizeGiB != 20 {
		t.Errorf("a 5 GiB snapshot as cloud_efficiency: %d GiB, want the category's minimum 20", d.SizeGiB)
	}
	for _, c := range []struct {
		name, snapshot string
		code           string
		status         int
	}{
		{"missing", "s-nope", "InvalidSnapshotId.NotFound", http.StatusNotFound},
		{"being taken", "s-busy", "InvalidSnapshotId.NotReady", http.StatusForbidden},
		{"of a system disk", "s-sys", "InvalidSnapshotId.NotDataDiskSnapshot", http.StatusForbidden},
		{"larger than the category allows", "s-huge", "InvalidSnapshot.TooLarge", http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Create(t.Context(), alice, CreateInput{ZoneID: testZone, SnapshotID: c.snapshot})
			wantCode(t, "CreateDisk from a snapshot "+c.name, err, c.code, c.status)
		})
	}
	_, err := e.svc.Create(t.Context(), bob, CreateInput{ZoneID: testZone, SnapshotID: ok})
	wantCode(t, "another account's snapshot", err, "InvalidSnapshotId.NotFound", http.StatusNotFound)
}

func TestDiskActionsRefuseADiskBeingSnapshotted(t *testing.T) {
	e := newEnv(t)
	in := e.instance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	data := e.createDisk(t, alice, CreateInput{})
	e.update(t, func(tx store.Tx) error {
		for _, d := range []string{data, "d-sys-" + in.ID} {
			err := tx.CreateSnapshot(store.Snapshot{ID: "s-" + d, AccountID: 1, RegionID: testRegion, Type: store.SnapshotTypeUser,
				SourceDiskID: d, SourceDiskType: TypeData, SourceDiskSizeGiB: 20, Status: store.SnapshotProgressing, CreatedAt: e.clk.Now()})
			if err != nil {
				return err
			}
		}
		return nil
	})
	wantCode(t, "DeleteDisk", e.svc.Delete(t.Context(), alice, data), "DiskCreatingSnapshots", http.StatusForbidden)
	wantCode(t, "ResizeDisk", e.svc.Resize(t.Context(), alice, ResizeInput{DiskID: data, NewSize: 30}), "OperationDenied", http.StatusForbidden)
	wantCode(t, "ReInitDisk", e.svc.ReInit(t.Context(), alice, "d-sys-"+in.ID), "DiskCreatingSnapshot", http.StatusForbidden)
	_, err := e.svc.ReplaceSystemDisk(t.Context(), alice, ReplaceInput{InstanceID: in.ID, ImageID: "centos_7_9_x64_20G_alibase_20240628.vhd"})
	wantCode(t, "ReplaceSystemDisk", err, "DiskCreatingSnapshot", http.StatusForbidden)
}

func TestReInitDiskNeedsTheSourceSnapshotOnlyWhenItIsGone(t *testing.T) {
	e := newEnv(t)
	in := e.instance(t, "i-1", func(in *store.Instance) { in.Status = instanceStopped })
	kept := e.snapshotRow(t, "s-kept", TypeData, store.SnapshotAccomplished, 20)
	for id, source := range map[string]string{"d-kept": kept, "d-gone": "s-gone"} {
		e.update(t, func(tx store.Tx) error {
			return tx.CreateDisk(store.Disk{ID: id, AccountID: 1, RegionID: testRegion, ZoneID: testZone, Type: TypeData,
				Category: CategoryCloud, SizeGiB: 20, SourceSnapshotID: source, InstanceID: in.ID, Device: "/dev/xvdb",
				Status: StatusInUse, Portable: true, CreatedAt: e.clk.Now(), AttachedAt: e.clk.Now()})
		})
	}
	if err := e.svc.ReInit(t.Context(), alice, "d-kept"); err != nil {
		t.Errorf("a disk whose snapshot exists: %v", err)
	}
	wantCode(t, "ReInitDisk", e.svc.ReInit(t.Context(), alice, "d-gone"), "InvalidSourceSnapshot", http.StatusForbidden)
}
