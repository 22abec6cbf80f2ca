package store

import "time"

// Snapshot statuses and types (guide 1.17.18 SnapshotType).
const (
	SnapshotProgressing  = "progressing"
	SnapshotAccomplished = "accomplished"
	SnapshotFailed       = "failed"

	SnapshotTypeUser = "user"
	SnapshotTypeAuto = "auto"
)

// Snapshot is a point-in-time copy of a disk.
type Snapshot struct {
	ID        string
	AccountID int64
	RegionID  string

	Name        string
	Description string
	// Type is SnapshotTypeUser (CreateSnapshot) or SnapshotTypeAuto (a policy).
	Type string

	// The disk the snapshot was taken of, as it was then; kept after the disk
	// is deleted.
	SourceDiskID       string
	SourceDiskType     string // system or data
	SourceDiskSizeGiB  int
	SourceDiskCategory string

	// Status is progressing, accomplished or failed; Progress is 0 to 100.
	Status   string
	Progress int
	// SizeBytes is the data the snapshot holds, as the volume driver reports it.
	SizeBytes int64
	// RetentionDays is how long the snapshot is kept (0: until deleted);
	// ExpiresAt is when it goes (zero: never).
	RetentionDays int
	ExpiresAt     time.Time
	// PolicyID is the automatic snapshot policy that took it (auto snapshots).
	PolicyID string
	// TaskID is the task that takes it.
	TaskID    string
	Encrypted bool
	KMSKeyID  string

	CreatedAt  time.Time
	FinishedAt time.Time
	// DriverHandle is the volume driver's opaque handle (JSON).
	DriverHandle []byte

	// UsedByDisks and UsedByImages are read, never written: whether disks
	// (their SourceSnapshotID) or custom images were made from the snapshot.
	UsedByDisks  bool
	UsedByImages bool
}

// Snapshot usages (DescribeSnapshots' Usage).
const (
	SnapshotUsageImage     = "image"
	SnapshotUsageDisk      = "disk"
	SnapshotUsageImageDisk = "image_disk"
	SnapshotUsageNone      = "none"
)

// Usage is the snapshot's Usage: which resources were made from it.
func (s Snapshot) Usage() string {
	switch {
	case s.UsedByImages && s.UsedByDisks:
		return SnapshotUsageImageDisk
	case s.UsedByImages:
		return SnapshotUsageImage
	case s.UsedByDisks:
		return SnapshotUsageDisk
	}
	return SnapshotUsageNone
}

// SnapshotFilter selects snapshots of one account; empty fields match all.
type SnapshotFilter struct {
	AccountID int64
	RegionID  string
	IDs       []string
	// SourceDiskIDs keeps the snapshots of these disks.
	SourceDiskIDs []string
	// InstanceID keeps the snapshots of the disks attached to that instance now.
	InstanceID     string
	Name           string
	Statuses       []string
	Types          []string
	SourceDiskType string
	// Usage is one of the SnapshotUsage* values.
	Usage     string
	Encrypted *bool
	// CreatedFrom and CreatedTo bound the creation time (inclusive) when set.
	CreatedFrom time.Time
	CreatedTo   time.Time
	Tags        []Tag
	Page        Page
	After       *Cursor
}

// SnapshotLink is a disk's snapshot chain (DescribeSnapshotLinks): every
// snapshot of one source disk.
type SnapshotLink struct {
	SourceDiskID       string
	RegionID           string
	SourceDiskType     string
	SourceDiskSizeGiB  int
	SourceDiskCategory string
	// Count is the number of snapshots, TotalBytes the sum of their SizeBytes.
	Count      int
	TotalBytes int64
}

// SnapshotLinkFilter selects snapshot chains of one account; empty fields match
// all. Links are ordered by source disk ID.
type SnapshotLinkFilter struct {
	AccountID     int64
	RegionID      string
	SourceDiskIDs []string
	// InstanceID keeps the chains of the disks attached to that instance now.
	InstanceID string
	Page       Page
}

// AutoSnapshotPolicy is an automatic snapshot policy (guide 1.17.22).
type AutoSnapshotPolicy struct {
	ID        string
	AccountID int64
	RegionID  string
	Name      string
	// TimePoints are hours 0–23 and RepeatWeekdays days 1 (Monday) to 7
	// (Sunday), both ascending without repeats.
	TimePoints     []int
	RepeatWeekdays []int
	// RetentionDays is -1 (forever) or 1–65536.
	RetentionDays int
	CreatedAt     time.Time
}

// AutoSnapshotPolicyFilter selects policies of one account; empty fields match all.
type AutoSnapshotPolicyFilter struct {
	AccountID int64
	RegionID  string
	IDs       []string
	Name      string
	Page      Page
}

// DiskPolicy says which automatic snapshot policy a disk executes, and the
// last time slot the scheduler handled for it.
type DiskPolicy struct {
	DiskID    string
	AccountID int64
	RegionID  string
	PolicyID  string
	AppliedAt time.Time
	// LastSlot is the latest slot fired or deliberately skipped (zero: none).
	LastSlot time.Time
}

// SnapshotTx holds snapshots, automatic snapshot policies and the disks they
// apply to.
type SnapshotTx interface {
	// CreateSnapshot inserts a snapshot; ErrConflict when the ID is taken.
	CreateSnapshot(s Snapshot) error
	// GetSnapshot returns the account's snapshot or ErrNotFound.
	GetSnapshot(accountID int64, id string) (Snapshot, error)
	// ListSnapshots returns the snapshots matching f, newest first, and the
	// total count before paging.
	ListSnapshots(f SnapshotFilter) ([]Snapshot, int, error)
	// UpdateSnapshot replaces every written field but ID, AccountID, RegionID
	// and CreatedAt; ErrNotFound when absent.
	UpdateSnapshot(s Snapshot) error
	// DeleteSnapshot removes the snapshot and its image references;
	// ErrNotFound when absent.
	DeleteSnapshot(accountID int64, id string) error
	// ExpiredSnapshots returns up to limit snapshots of any account whose
	// ExpiresAt is set and not after now, earliest first.
	ExpiredSnapshots(now time.Time, limit int) ([]Snapshot, error)
	// SetPolicySnapshotsRetention gives every snapshot the policy took the
	// retention days (0: forever) and the matching ExpiresAt.
	SetPolicySnapshotsRetention(accountID int64, policyID string, days int) error
	// ListSnapshotLinks returns the snapshot chains matching f and the total
	// count before paging.
	ListSnapshotLinks(f SnapshotLinkFilter) ([]SnapshotLink, int, error)
	// PutSnapshotImageRef records that an image was made from a snapshot.
	PutSnapshotImageRef(accountID int64, snapshotID, imageID string) error
	// DeleteSnapshotImageRef forgets it; absent references are ignored.
	DeleteSnapshotImageRef(accountID int64, snapshotID, imageID string) error

	// CreateAutoSnapshotPolicy inserts a policy; ErrConflict when the ID is taken.
	CreateAutoSnapshotPolicy(p AutoSnapshotPolicy) error
	// GetAutoSnapshotPolicy returns the account's policy or ErrNotFound.
	GetAutoSnapshotPolicy(accountID int64, id string) (AutoSnapshotPolicy, error)
	// ListAutoSnapshotPolicies returns the policies matching f, newest first,
	// and the total count before paging.
	ListAutoSnapshotPolicies(f AutoSnapshotPolicyFilter) ([]AutoSnapshotPolicy, int, error)
	// UpdateAutoSnapshotPolicy replaces the name, time points, weekdays and
	// retention; ErrNotFound when absent.
	UpdateAutoSnapshotPolicy(p AutoSnapshotPolicy) error
	// DeleteAutoSnapshotPolicy removes the policy and every disk's use of it;
	// ErrNotFound when absent.
	DeleteAutoSnapshotPolicy(accountID int64, id string) error

	// PutDiskPolicy inserts or replaces the policy of a disk.
	PutDiskPolicy(p DiskPolicy) error
	// GetDiskPolicy returns the account's disk's policy or ErrNotFound.
	GetDiskPolicy(accountID int64, diskID string) (DiskPolicy, error)
	// DeleteDiskPolicy removes a disk's policy; an absent one is ignored.
	DeleteDiskPolicy(accountID int64, diskID string) error
	// ListDiskPolicies returns, ordered by disk ID, up to limit disk policies of
	// any account whose disk ID is after afterDiskID ("" from the start), only
	// those of policyID when it is set; limit 0 or less means all.
	ListDiskPolicies(policyID, afterDiskID string, limit int) ([]DiskPolicy, error)
	// CountPolicyDisks returns how many disks execute each of the policies.
	CountPolicyDisks(accountID int64, policyIDs []string) (map[string]int, error)
}
