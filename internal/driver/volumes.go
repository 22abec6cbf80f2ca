package driver

import "context"

// The storage side of disks. ecsd's disks are rows in the store today; a volume
// driver (the sim driver's Volumes, later qcow2 files) holds their data. These
// interfaces are what snapshots, ResetDisk and migrate_disk need from it. They
// follow the rules of the package: context first, idempotent on the IDs in their
// specs, sentinel errors, and opaque versioned Handles that the control plane
// persists (in the task that uses them) and hands back after a restart, so a copy
// under way is found again without any state in the driver's memory.

// Snapshotter copies disks into snapshots and snapshots back into disks.
type Snapshotter interface {
	// StartSnapshot begins copying the disk into the snapshot and returns the
	// snapshot's Handle at once. It is idempotent on spec.SnapshotID: a second
	// call returns the Handle of the copy already under way (or done) and
	// ignores the rest of spec. A spec without IDs or with a size below 1 is
	// ErrInvalidArgument.
	StartSnapshot(ctx context.Context, spec SnapshotSpec) (Handle, error)
	// SnapshotProgress reports how far the copy has got. A snapshot the driver
	// deleted is ErrNotFound.
	SnapshotProgress(ctx context.Context, h Handle) (CopyProgress, error)
	// DeleteSnapshot removes the snapshot's data, stopping a copy under way;
	// deleting a missing snapshot succeeds.
	DeleteSnapshot(ctx context.Context, h Handle) error
	// RestoreSnapshot makes diskID's content the snapshot's (ResetDisk). It is
	// idempotent; a snapshot whose copy is not done is ErrInvalidState, a
	// deleted one ErrNotFound.
	RestoreSnapshot(ctx context.Context, h Handle, diskID string) error
}

// SnapshotSpec describes a snapshot to take.
type SnapshotSpec struct {
	SnapshotID string
	DiskID     string
	// SizeGiB is the disk's size.
	SizeGiB int
}

// CopyProgress is how far a copy (a snapshot, a migration) has got.
type CopyProgress struct {
	// Percent is 0 to 100.
	Percent int
	// Done is true once the copy is complete (Percent is then 100).
	Done bool
	// SizeBytes is the data copied so far.
	SizeBytes int64
}

// DiskMigrator moves a disk's data to other storage in the same region
// (migrate_disk), while the disk stays in use.
type DiskMigrator interface {
	// StartMigration begins the move and returns its Handle at once; it is
	// idempotent on spec.MigrationID.
	StartMigration(ctx context.Context, spec MigrationSpec) (Handle, error)
	// MigrationProgress reports how far the move has got.
	MigrationProgress(ctx context.Context, h Handle) (CopyProgress, error)
}

// MigrationSpec describes a disk move.
type MigrationSpec struct {
	MigrationID string
	DiskID      string
	SizeGiB     int
	// DestZoneID and DestType are where the data goes.
	DestZoneID string
	DestType   string
}
