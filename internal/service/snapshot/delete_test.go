package snapshot

import (
	"errors"
	"net/http"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

func TestDeleteSnapshotFollowsTheGuidesRules(t *testing.T) {
	f := newFixture(t)
	imaged, used, plain := f.take("d-data"), f.take("d-sys"), f.take("d-old")
	f.update(func(tx store.Tx) error {
		if err := tx.PutSnapshotImageRef(1, imaged, "m-1"); err != nil {
			return err
		}
		return tx.CreateDisk(store.Disk{ID: "d-from", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			Type: "data", Category: "cloud", SizeGiB: 40, SourceSnapshotID: used, Status: "Available", CreatedAt: f.clk.Now()})
	})
	wantAPIError(t, f.svc.Delete(t.Context(), alice, "", false), "MissingParameter", http.StatusBadRequest)
	if err := f.svc.Delete(t.Context(), alice, "s-nope", false); err != nil {
		t.Errorf("deleting a missing snapshot is ignored: %v", err)
	}
	wantAPIError(t, f.svc.Delete(t.Context(), alice, imaged, true), "SnapshotCreatedImage", http.StatusForbidden)
	wantAPIError(t, f.svc.Delete(t.Context(), alice, used, false), "SnapshotCreatedDisk", http.StatusForbidden)
	if err := f.svc.Delete(t.Context(), Caller{AccountID: 2, RegionID: "cn-hangzhou"}, plain, false); err != nil {
		t.Errorf("another account's snapshot is ignored like a missing one: %v", err)
	}
	f.snapshot(plain)

	for _, id := range []string{used, plain} {
		h, _ := handleOf(f.snapshot(id).DriverHandle)
		if err := f.svc.Delete(t.Context(), alice, id, true); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
		f.finish()
		if _, err := f.vols.SnapshotProgress(t.Context(), h); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("the data of %s is still in the volume driver: %v", id, err)
		}
		var n int
		_ = f.st.View(t.Context(), func(tx store.Tx) error {
			_, n, _ = tx.ListTasks(store.TaskFilter{AccountID: 1, ResourceIDs: []string{id}, Actions: []string{ActionDeleteSnapshot},
				Statuses: []string{store.TaskFinished}})
			return nil
		})
		if n != 1 {
			t.Errorf("%s: %d finished DeleteSnapshot tasks, want 1", id, n)
		}
	}
	if d := f.disk("d-from"); d.SourceSnapshotID != used {
		t.Errorf("a disk made from a force-deleted snapshot keeps its SourceSnapshotId: %+v", d)
	}
}

func TestDeletingASnapshotBeingTakenCancelsItsCreation(t *testing.T) {
	f := newFixture(t)
	id, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-data", Tags: []store.Tag{{Key: "k", Value: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.settle() // the copy runs
	sn := f.snapshot(id)
	h, _ := handleOf(sn.DriverHandle)
	if err := f.svc.Delete(t.Context(), alice, id, false); err != nil {
		t.Fatal(err)
	}
	f.settle()
	tk := f.task(sn.TaskID)
	if tk.Status != store.TaskCancelled {
		t.Fatalf("creation task after the delete: %+v", tk)
	}
	if _, err := f.vols.SnapshotProgress(t.Context(), h); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("the partial copy is still there: %v", err)
	}
	_ = f.st.View(t.Context(), func(tx store.Tx) error {
		if tags, _ := tx.GetTags(1, store.TagTypeSnapshot, []string{id}); len(tags) != 0 {
			t.Errorf("tags of the deleted snapshot: %v", tags)
		}
		return nil
	})
	if _, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-data"}); err != nil {
		t.Errorf("a new snapshot of the disk: %v", err)
	}
}

func TestDiskReleasedDeletesAutomaticSnapshotsOnlyWithDeleteAutoSnapshot(t *testing.T) {
	f := newFixture(t)
	user := f.take("d-data")
	autos := map[string]string{}
	for _, disk := range []string{"d-data", "d-sys"} { // d-data deletes its automatic snapshots, d-sys keeps them
		var id string
		f.update(func(tx store.Tx) error {
			d, _ := tx.GetDisk(1, disk)
			sn := f.svc.newSnapshot(d, f.clk.Now())
			sn.Type, sn.Name = store.SnapshotTypeAuto, "auto_x_1"
			id = sn.ID
			return f.svc.take(tx, sn)
		})
		f.finish()
		autos[disk] = id
	}
	f.update(func(tx store.Tx) error {
		if err := tx.PutDiskPolicy(store.DiskPolicy{DiskID: "d-data", AccountID: 1, RegionID: "cn-hangzhou", PolicyID: "p-1"}); err != nil {
			return err
		}
		for _, disk := range []string{"d-data", "d-sys"} {
			d, _ := tx.GetDisk(1, disk)
			if err := f.svc.DiskReleased(tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	f.finish()
	_ = f.st.View(t.Context(), func(tx store.Tx) error {
		if _, err := tx.GetSnapshot(1, autos["d-data"]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the automatic snapshot of a disk with DeleteAutoSnapshot survived: %v", err)
		}
		for _, id := range []string{user, autos["d-sys"]} {
			if _, err := tx.GetSnapshot(1, id); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}
		if _, err := tx.GetDiskPolicy(1, "d-data"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the released disk still executes its policy: %v", err)
		}
		return nil
	})
}

func TestResetDiskFollowsTheGuidesRulesAndLeavesTheDiskInUse(t *testing.T) {
	f := newFixture(t)
	own, other := f.take("d-stop"), f.take("d-data")
	progressing, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-lock"})
	wantAPIError(t, err, "InstanceLockedForSecurity", http.StatusForbidden)
	_ = progressing
	for _, c := range []struct {
		name   string
		in     ResetInput
		code   string
		status int
	}{
		{"no disk", ResetInput{SnapshotID: own}, "MissingParameter", http.StatusBadRequest},
		{"no snapshot", ResetInput{DiskID: "d-stop"}, "MissingParameter", http.StatusBadRequest},
		{"an unknown disk", ResetInput{DiskID: "d-nope", SnapshotID: own}, "InvalidDiskId.NotFound", http.StatusNotFound},
		{"an unknown snapshot", ResetInput{DiskID: "d-stop", SnapshotID: "s-nope"}, "InvalidSnapshotId.NotFound", http.StatusNotFound},
		{"a detached disk", ResetInput{DiskID: "d-old", SnapshotID: own}, "IncorrectDiskStatus", http.StatusForbidden},
		{"a running instance", ResetInput{DiskID: "d-data", SnapshotID: other}, "IncorrectInstanceStatus", http.StatusForbidden},
		{"a locked instance", ResetInput{DiskID: "d-lock", SnapshotID: own}, "InstanceLockedForSecurity", http.StatusForbidden},
		{"another disk's snapshot", ResetInput{DiskID: "d-stop", SnapshotID: other}, "InvalidParameter.Mismatch", http.StatusForbidden},
		{"a dry run", ResetInput{DiskID: "d-stop", SnapshotID: own, DryRun: true}, "DryRunOperation", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantAPIError(t, f.svc.ResetDisk(t.Context(), alice, c.in), c.code, c.status)
		})
	}
	// A snapshot still being taken is not ready.
	f.update(func(tx store.Tx) error {
		sn, _ := tx.GetSnapshot(1, own)
		sn.Status = store.SnapshotProgressing
		return tx.UpdateSnapshot(sn)
	})
	wantAPIError(t, f.svc.ResetDisk(t.Context(), alice, ResetInput{DiskID: "d-stop", SnapshotID: own}),
		"InvalidSnapshotId.NotReady", http.StatusForbidden)
	f.update(func(tx store.Tx) error {
		sn, _ := tx.GetSnapshot(1, own)
		sn.Status = store.SnapshotAccomplished
		return tx.UpdateSnapshot(sn)
	})

	if err := f.svc.ResetDisk(t.Context(), alice, ResetInput{DiskID: "d-stop", SnapshotID: own}); err != nil {
		t.Fatal(err)
	}
	if d := f.disk("d-stop"); d.Status != "ReIniting" {
		t.Fatalf("during the reset the disk is %s, want ReIniting", d.Status)
	}
	wantAPIError(t, f.svc.ResetDisk(t.Context(), alice, ResetInput{DiskID: "d-stop", SnapshotID: own}),
		"IncorrectDiskStatus", http.StatusForbidden)
	f.finish()
	if d := f.disk("d-stop"); d.Status != "In_use" {
		t.Fatalf("after the reset the disk is %s, want In_use", d.Status)
	}
}
