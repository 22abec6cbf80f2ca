package qcow2

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
)

func TestSnapshotAndRestoreRollTheDiskBack(t *testing.T) {
	s := newStore(t)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, path, "write -P 0xaa 0 1M")
	h, err := s.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: "s-1", DiskID: "d-1", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := waitSnapshot(t, s, h)
	if p.Percent != 100 || p.SizeBytes <= 1<<20 {
		t.Fatalf("final progress %+v", p)
	}
	snap := s.snapshotPath("s-1")
	if l, err := ReadLayer(snap); err != nil || l.Backing != "" || l.VirtualSize != 1<<30 {
		t.Fatalf("snapshot file %+v, %v; want a standalone 1 GiB qcow2", l, err)
	}
	identical(t, path, snap)
	// The disk changes and grows; the restore brings the content back and keeps
	// the size.
	qemuIO(t, path, "write -P 0xbb 0 1M", "write -P 0xcc 512M 1M")
	if err := s.ResizeDisk(t.Context(), "d-1", 2); err != nil {
		t.Fatal(err)
	}
	differ(t, path, snap)
	for range 2 { // idempotent
		if err := s.RestoreSnapshot(t.Context(), h, "d-1"); err != nil {
			t.Fatal(err)
		}
		qemuIO(t, path, "read -P 0xaa 0 1M", "read -P 0 512M 1M")
	}
	if l, _ := ReadLayer(path); l.VirtualSize != 2<<30 {
		t.Fatalf("restored disk is %d bytes; want the disk's 2 GiB", l.VirtualSize)
	}
	// Deleting the snapshot leaves the disk alone.
	for range 2 {
		if err := s.DeleteSnapshot(t.Context(), h); err != nil {
			t.Fatal(err)
		}
	}
	qemuIO(t, path, "read -P 0xaa 0 1M")
	_, err = s.SnapshotProgress(t.Context(), h)
	wantErr(t, "progress of a deleted snapshot", err, driver.ErrNotFound)
	wantErr(t, "restore of a deleted snapshot", s.RestoreSnapshot(t.Context(), h, "d-1"), driver.ErrNotFound)
	if _, err := os.Stat(snap); !os.IsNotExist(err) {
		t.Fatalf("snapshot data after delete: %v", err)
	}
}

func TestASnapshotOfAnOverlayIsFlattenedAndMakesDisks(t *testing.T) {
	s := newStore(t)
	importImage(t, s, "m-base", 0x5a)
	path, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-sys", ImageID: "m-base"})
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, path, "write -P 0x61 1M 1M")
	snapshot(t, s, "s-sys", "d-sys")
	if l, _ := ReadLayer(s.snapshotPath("s-sys")); l.Backing != "" {
		t.Fatalf("snapshot backed by %q", l.Backing)
	}
	// A data disk made from it is a standalone copy, as large as asked.
	data, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-copy", SnapshotID: "s-sys", SizeGiB: 3})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := ReadLayer(data); l.Backing != "" || l.VirtualSize != 3<<30 {
		t.Fatalf("disk from snapshot %+v", l)
	}
	qemuIO(t, data, "read -P 0x5a 0 1M", "read -P 0x61 1M 1M")
	// Deleting the snapshot and the image leaves the copy whole.
	h := makeHandle(handleState{Kind: kindSnapshot, ID: "s-sys", DiskID: "d-sys", SizeGiB: 1})
	if err := s.DeleteSnapshot(t.Context(), h); err != nil {
		t.Fatal(err)
	}
	qemuIO(t, data, "read -P 0x5a 0 1M", "read -P 0x61 1M 1M")
}

func TestStartSnapshotIsIdempotentAndChecksItsSpec(t *testing.T) {
	s := newStore(t)
	if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	h1, err := s.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: "s-1", DiskID: "d-1", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, s, h1)
	h2, err := s.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: "s-1", DiskID: "d-other", SizeGiB: 9})
	if err != nil || string(h2.State) != string(h1.State) || h2.Driver != Name {
		t.Fatalf("second StartSnapshot = %s, %v; want %s", h2.State, err, h1.State)
	}
	for _, spec := range []driver.SnapshotSpec{{SnapshotID: "s-2", DiskID: "d-1"}, {DiskID: "d-1", SizeGiB: 1}, {SnapshotID: "s-2", SizeGiB: 1}} {
		_, err := s.StartSnapshot(t.Context(), spec)
		wantErr(t, "StartSnapshot of an incomplete spec", err, driver.ErrInvalidArgument)
	}
	_, err = s.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: "s-3", DiskID: "d-missing", SizeGiB: 1})
	wantErr(t, "StartSnapshot of a disk without a file", err, driver.ErrNotFound)
	_, err = s.SnapshotProgress(t.Context(), driver.Handle{Driver: "sim", Version: 1, State: h1.State})
	wantErr(t, "a handle of another driver", err, driver.ErrInvalidArgument)
}

func TestRestoreOfASnapshotStillBeingTakenIsInvalidState(t *testing.T) {
	s := newStore(t)
	if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	// A record that says copying, as StartSnapshot leaves it until the copy is done.
	rec := snapshotRecord{SnapshotID: "s-1", DiskID: "d-1", SizeGiB: 1, State: stateCopying}
	if err := writeJSON(s.snapshotRecordPath("s-1"), rec); err != nil {
		t.Fatal(err)
	}
	h := makeHandle(handleState{Kind: kindSnapshot, ID: "s-1", DiskID: "d-1", SizeGiB: 1})
	wantErr(t, "restore of a copying snapshot", s.RestoreSnapshot(t.Context(), h, "d-1"), driver.ErrInvalidState)
	_, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-2", SnapshotID: "s-1"})
	wantErr(t, "a disk from a copying snapshot", err, driver.ErrInvalidState)
}

func TestASnapshotOfARunningVMsDiskGoesThroughTheLiveHook(t *testing.T) {
	s := newStore(t)
	live := &fakeLive{running: map[string]bool{"d-live": true}}
	s.SetLive(live)
	for _, id := range []string{"d-live", "d-off"} {
		if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: id, SizeGiB: 1}); err != nil {
			t.Fatal(err)
		}
		snapshot(t, s, "s-"+id, id)
	}
	if len(live.backups) != 1 || live.backups[0] != "d-live" {
		t.Fatalf("live backups %v", live.backups)
	}
	for id, wantLive := range map[string]bool{"s-d-live": true, "s-d-off": false} {
		var rec snapshotRecord
		b, _ := os.ReadFile(s.snapshotRecordPath(id))
		if err := json.Unmarshal(b, &rec); err != nil || rec.Live != wantLive || rec.State != stateDone {
			t.Fatalf("record of %s: %+v, %v", id, rec, err)
		}
	}
}

func TestMigrationHasNothingToCopy(t *testing.T) {
	s := newStore(t)
	if _, err := s.EnsureDisk(t.Context(), DiskSource{DiskID: "d-1", SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	h, err := s.StartMigration(t.Context(), driver.MigrationSpec{MigrationID: "t-1", DiskID: "d-1", SizeGiB: 1, DestType: "cloud_essd"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.MigrationProgress(t.Context(), h)
	if err != nil || !p.Done || p.Percent != 100 || p.SizeBytes <= 0 {
		t.Fatalf("MigrationProgress = %+v, %v", p, err)
	}
	_, err = s.StartMigration(t.Context(), driver.MigrationSpec{MigrationID: "t-2", DiskID: "d-1"})
	wantErr(t, "StartMigration without size", err, driver.ErrInvalidArgument)
	_, err = s.MigrationProgress(t.Context(), makeHandle(handleState{Kind: kindSnapshot, ID: "s-1"}))
	wantErr(t, "a snapshot handle as a migration", err, driver.ErrInvalidArgument)
}
