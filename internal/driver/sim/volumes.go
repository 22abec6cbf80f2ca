package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
)

// VolumeConfig is how long the simulated volume operations take.
type VolumeConfig struct {
	// SnapshotTime is how long taking a snapshot takes, whatever the disk's
	// size: its progress grows linearly from 0 to 100% over that time. Zero
	// makes snapshots complete at once.
	SnapshotTime time.Duration
	// MigrationTime is how long a migrate_disk copy takes, likewise.
	MigrationTime time.Duration
}

// volumeHandleVersion is the layout of copyState.
const volumeHandleVersion = 1

// copyState is what a volume Handle carries: enough to compute a copy's
// progress from the clock alone, so that a restarted ecsd finds the copy where
// the simulated storage would have got to while it was down.
type copyState struct {
	// Kind is "snapshot" or "migration"; ID is the snapshot's or migration's.
	Kind    string    `json:"kind"`
	ID      string    `json:"id"`
	DiskID  string    `json:"diskId"`
	SizeGiB int       `json:"sizeGiB"`
	Started time.Time `json:"started"`
	// Duration is how long the copy takes.
	Duration time.Duration `json:"duration"`
}

// Volumes is the simulated volume driver: it implements driver.Snapshotter and
// driver.DiskMigrator. Copies hold no data; their progress follows the clock.
// It remembers only which snapshots it deleted (so that reading one again is
// ErrNotFound); everything else is in the Handles. Safe for concurrent use.
type Volumes struct {
	cfg VolumeConfig
	clk clock.Clock

	mu      sync.Mutex
	deleted map[string]bool
}

var (
	_ driver.Snapshotter  = (*Volumes)(nil)
	_ driver.DiskMigrator = (*Volumes)(nil)
)

// NewVolumes returns the sim volume driver timed by clk (clock.Real{} when nil).
func NewVolumes(cfg VolumeConfig, clk clock.Clock) (*Volumes, error) {
	if cfg.SnapshotTime < 0 || cfg.MigrationTime < 0 {
		return nil, fmt.Errorf("sim volumes: negative duration")
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &Volumes{cfg: cfg, clk: clk, deleted: map[string]bool{}}, nil
}

const (
	kindSnapshot  = "snapshot"
	kindMigration = "migration"
)

func (v *Volumes) handle(st copyState) (driver.Handle, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return driver.Handle{}, fmt.Errorf("sim volumes: encode handle: %w", err)
	}
	return driver.Handle{Driver: Name, Version: volumeHandleVersion, State: b}, nil
}

func decodeCopy(h driver.Handle, kind string) (copyState, error) {
	if err := h.Check(Name, volumeHandleVersion); err != nil {
		return copyState{}, err
	}
	var st copyState
	if err := json.Unmarshal(h.State, &st); err != nil {
		return copyState{}, fmt.Errorf("%w: sim volume handle: %v", driver.ErrInvalidArgument, err)
	}
	if st.Kind != kind || st.ID == "" {
		return copyState{}, fmt.Errorf("%w: not a sim %s handle", driver.ErrInvalidArgument, kind)
	}
	return st, nil
}

// progress computes a copy's progress at now.
func progress(st copyState, now time.Time) driver.CopyProgress {
	full := int64(st.SizeGiB) << 30
	elapsed := now.Sub(st.Started)
	if st.Duration <= 0 || elapsed >= st.Duration {
		return driver.CopyProgress{Percent: 100, Done: true, SizeBytes: full}
	}
	if elapsed < 0 {
		elapsed = 0
	}
	pct := int(elapsed * 100 / st.Duration)
	return driver.CopyProgress{Percent: pct, SizeBytes: full * int64(pct) / 100}
}

// StartSnapshot implements driver.Snapshotter. The Handle records when the copy
// started; calling again with the same ID while the first Handle is lost starts
// the clock again, which a real driver would not need to do but which is safe.
func (v *Volumes) StartSnapshot(ctx context.Context, spec driver.SnapshotSpec) (driver.Handle, error) {
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	if spec.SnapshotID == "" || spec.DiskID == "" || spec.SizeGiB < 1 {
		return driver.Handle{}, fmt.Errorf("%w: snapshot spec %+v", driver.ErrInvalidArgument, spec)
	}
	v.mu.Lock()
	delete(v.deleted, spec.SnapshotID)
	v.mu.Unlock()
	return v.handle(copyState{Kind: kindSnapshot, ID: spec.SnapshotID, DiskID: spec.DiskID, SizeGiB: spec.SizeGiB,
		Started: v.clk.Now().UTC(), Duration: v.cfg.SnapshotTime})
}

// SnapshotProgress implements driver.Snapshotter.
func (v *Volumes) SnapshotProgress(ctx context.Context, h driver.Handle) (driver.CopyProgress, error) {
	if err := ctx.Err(); err != nil {
		return driver.CopyProgress{}, err
	}
	st, err := decodeCopy(h, kindSnapshot)
	if err != nil {
		return driver.CopyProgress{}, err
	}
	if v.isDeleted(st.ID) {
		return driver.CopyProgress{}, fmt.Errorf("snapshot %s: %w", st.ID, driver.ErrNotFound)
	}
	return progress(st, v.clk.Now()), nil
}

// DeleteSnapshot implements driver.Snapshotter.
func (v *Volumes) DeleteSnapshot(ctx context.Context, h driver.Handle) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := decodeCopy(h, kindSnapshot)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.deleted[st.ID] = true
	v.mu.Unlock()
	return nil
}

// RestoreSnapshot implements driver.Snapshotter. The simulated disk holds no
// data, so there is nothing to copy.
func (v *Volumes) RestoreSnapshot(ctx context.Context, h driver.Handle, diskID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := decodeCopy(h, kindSnapshot)
	if err != nil {
		return err
	}
	switch {
	case diskID == "":
		return fmt.Errorf("%w: restore into no disk", driver.ErrInvalidArgument)
	case v.isDeleted(st.ID):
		return fmt.Errorf("snapshot %s: %w", st.ID, driver.ErrNotFound)
	case !progress(st, v.clk.Now()).Done:
		return fmt.Errorf("snapshot %s is still being taken: %w", st.ID, driver.ErrInvalidState)
	}
	return nil
}

// StartMigration implements driver.DiskMigrator.
func (v *Volumes) StartMigration(ctx context.Context, spec driver.MigrationSpec) (driver.Handle, error) {
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	if spec.MigrationID == "" || spec.DiskID == "" || spec.SizeGiB < 1 {
		return driver.Handle{}, fmt.Errorf("%w: migration spec %+v", driver.ErrInvalidArgument, spec)
	}
	return v.handle(copyState{Kind: kindMigration, ID: spec.MigrationID, DiskID: spec.DiskID, SizeGiB: spec.SizeGiB,
		Started: v.clk.Now().UTC(), Duration: v.cfg.MigrationTime})
}

// MigrationProgress implements driver.DiskMigrator.
func (v *Volumes) MigrationProgress(ctx context.Context, h driver.Handle) (driver.CopyProgress, error) {
	if err := ctx.Err(); err != nil {
		return driver.CopyProgress{}, err
	}
	st, err := decodeCopy(h, kindMigration)
	if err != nil {
		return driver.CopyProgress{}, err
	}
	return progress(st, v.clk.Now()), nil
}

func (v *Volumes) isDeleted(id string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.deleted[id]
}
