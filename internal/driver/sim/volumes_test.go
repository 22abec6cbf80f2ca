package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
)

func TestSnapshotProgressFollowsTheClockAndSurvivesANewDriver(t *testing.T) {
	clk := clock.NewFake(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	v, err := NewVolumes(VolumeConfig{SnapshotTime: 10 * time.Second}, clk)
	if err != nil {
		t.Fatal(err)
	}
	h, err := v.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: "s-1", DiskID: "d-1", SizeGiB: 20})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.SnapshotProgress(t.Context(), h); err != nil || p.Percent != 0 || p.Done {
		t.Fatalf("at start: %+v, %v", p, err)
	}
	clk.Advance(4 * time.Second)
	if err := v.RestoreSnapshot(t.Context(), h, "d-1"); !errors.Is(err, driver.ErrInvalidState) {
		t.Errorf("restore of an unfinished snapshot: %v, want ErrInvalidState", err)
	}
	// A new driver (ecsd restarted) reads the same progress from the handle.
	again, _ := NewVolumes(VolumeConfig{SnapshotTime: time.Hour}, clk)
	if p, err := again.SnapshotProgress(t.Context(), h); err != nil || p.Percent != 40 || p.SizeBytes != 8<<30 {
		t.Fatalf("after 4s of 10 in a new driver: %+v, %v; want 40%%", p, err)
	}
	clk.Advance(6 * time.Second)
	if p, _ := v.SnapshotProgress(t.Context(), h); !p.Done || p.Percent != 100 || p.SizeBytes != 20<<30 {
		t.Fatalf("after 10s: %+v, want done", p)
	}
	if err := v.RestoreSnapshot(t.Context(), h, "d-1"); err != nil {
		t.Errorf("restore: %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := v.DeleteSnapshot(t.Context(), h); err != nil {
			t.Fatalf("delete #%d: %v", i+1, err)
		}
	}
	if _, err := v.SnapshotProgress(t.Context(), h); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("progress of a deleted snapshot: %v, want ErrNotFound", err)
	}
	if err := v.RestoreSnapshot(t.Context(), h, "d-1"); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("restore of a deleted snapshot: %v, want ErrNotFound", err)
	}
}

func TestVolumesRefuseBadSpecsAndForeignHandles(t *testing.T) {
	v, _ := NewVolumes(VolumeConfig{}, clock.NewFake(time.Unix(0, 0)))
	if _, err := v.StartSnapshot(t.Context(), driver.SnapshotSpec{SnapshotID: "s-1", DiskID: "d-1"}); !errors.Is(err, driver.ErrInvalidArgument) {
		t.Errorf("size 0: %v", err)
	}
	mh, err := v.StartMigration(t.Context(), driver.MigrationSpec{MigrationID: "t-1", DiskID: "d-1", SizeGiB: 5})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.MigrationProgress(t.Context(), mh); err != nil || !p.Done {
		t.Errorf("an instant migration: %+v, %v", p, err)
	}
	if _, err := v.SnapshotProgress(t.Context(), mh); !errors.Is(err, driver.ErrInvalidArgument) {
		t.Errorf("a migration handle given as a snapshot: %v", err)
	}
	if _, err := v.SnapshotProgress(t.Context(), driver.Handle{Driver: "qemu", Version: 1}); !errors.Is(err, driver.ErrInvalidArgument) {
		t.Errorf("another driver's handle: %v", err)
	}
	if _, err := NewVolumes(VolumeConfig{SnapshotTime: -1}, nil); err == nil {
		t.Error("a negative snapshot time was accepted")
	}
}
