// Package snapshot owns snapshots (guide 1.8): taking them, deleting them,
// describing them and their chains, resetting disks to them (1.7.7), automatic
// snapshot policies and the scheduler that carries them out, and migrate_disk
// (1.7.11–1.7.12).
//
// Every API call is one store transaction; the copies themselves run on the
// task engine (internal/service/task) through the volume driver
// (driver.Snapshotter, driver.DiskMigrator), so a restart resumes them. The
// kinds this package registers are in kinds.go; see docs/snapshots.md.
package snapshot

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/objectstore"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Limits are quotas.
type Limits struct {
	// SnapshotsPerDisk bounds the snapshots of one disk: CreateSnapshot beyond
	// it is QuotaExceed.Snapshot, and a policy deletes the disk's oldest
	// automatic snapshot to make room. The guide ties the snapshot quota to
	// the number of disks; zero means DefaultSnapshotsPerDisk.
	SnapshotsPerDisk int
	// PoliciesPerRegion bounds an account's automatic snapshot policies in a
	// region; zero means DefaultPoliciesPerRegion.
	PoliciesPerRegion int
}

// Defaults.
const (
	// DefaultSnapshotsPerDisk is Alibaba Cloud's historical per-disk limit.
	DefaultSnapshotsPerDisk = 64
	// DefaultPoliciesPerRegion is Alibaba Cloud's per-region policy limit.
	DefaultPoliciesPerRegion = 100
	// DefaultPollInterval is how often a copy under way is looked at.
	DefaultPollInterval = time.Second
)

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	// Tasks runs the copies; the service registers its kinds on it (New).
	Tasks *task.Engine
	// Volumes takes, restores and deletes snapshots; Migrator moves disks
	// (nil: migrate_disk fails without retry).
	Volumes  driver.Snapshotter
	Migrator driver.DiskMigrator
	// Objects is the object store ImportSnapshot reads and ExportSnapshot
	// writes; nil means there is none, and no bucket is ever found.
	Objects objectstore.Objects
	// Roles checks the RAM roles imports and exports act through; nil
	// refuses them all (OSS_AUTHORIZED_FAILED).
	Roles RoleChecker
	// Files holds the snapshots' data files (the qcow2 volume store of
	// `ecsd serve --driver qemu`): ExportSnapshot writes a snapshot's real
	// file and ImportSnapshot makes one. Nil (sim mode) keeps no data: an
	// export is an empty qcow2 image of the snapshot's size.
	Files  SnapshotFiles
	Logger *slog.Logger
	Limits Limits
	// PollInterval is how often a copy under way is looked at; zero means
	// DefaultPollInterval.
	PollInterval time.Duration
}

// Service implements the snapshot use cases.
type Service struct {
	deps  Deps
	sched *scheduler
}

// New returns a Service and registers its task kinds on deps.Tasks.
func New(deps Deps) (*Service, error) {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Limits.SnapshotsPerDisk <= 0 {
		deps.Limits.SnapshotsPerDisk = DefaultSnapshotsPerDisk
	}
	if deps.Limits.PoliciesPerRegion <= 0 {
		deps.Limits.PoliciesPerRegion = DefaultPoliciesPerRegion
	}
	if deps.PollInterval <= 0 {
		deps.PollInterval = DefaultPollInterval
	}
	s := &Service{deps: deps}
	s.sched = newScheduler(s)
	for _, k := range s.kinds() {
		if err := deps.Tasks.Register(k); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Caller is who calls and in which region: another account's resource, or one
// of another region, answers exactly like a missing one.
type Caller struct {
	AccountID int64
	RegionID  string
}

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }

// location is the region's local time zone (catalog.Region.Location).
func (s *Service) location(regionID string) *time.Location {
	r, _ := s.deps.Catalog.Region(regionID)
	return r.Location()
}

// Disk statuses, types and categories as the disks table records them.
const (
	diskInUse      = "In_use"
	diskAvailable  = "Available"
	diskReIniting  = "ReIniting"
	diskTypeSystem = "system"
	diskTypeData   = "data"
	localCategory  = "ephemeral_ssd"
)

// Instance statuses and the lock reason the rules look at.
const (
	instanceRunning = "Running"
	instanceStopped = "Stopped"
	lockSecurity    = "security"
)

// getDisk returns the caller's disk, or notFound.
func getDisk(tx store.Tx, c Caller, id string, notFound error) (store.Disk, error) {
	d, err := tx.GetDisk(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.RegionID != c.RegionID) {
		return store.Disk{}, notFound
	}
	if err != nil {
		return store.Disk{}, fmt.Errorf("disk %s: %w", id, err)
	}
	return d, nil
}

// getSnapshot returns the caller's snapshot, or ErrSnapshotNotFound.
func getSnapshot(tx store.Tx, c Caller, id string) (store.Snapshot, error) {
	sn, err := tx.GetSnapshot(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sn.RegionID != c.RegionID) {
		return store.Snapshot{}, ErrSnapshotNotFound()
	}
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("snapshot %s: %w", id, err)
	}
	return sn, nil
}

// locked reports whether an instance carries the security lock of 1.18.7.
func locked(in store.Instance) bool {
	for _, l := range strings.Split(in.OperationLocks, ",") {
		if strings.TrimSpace(l) == lockSecurity {
			return true
		}
	}
	return false
}

// deleting reports whether the instance is being released (the instance
// service's intents "Deleted" and a due "Released").
func deleting(in store.Instance, now time.Time) bool {
	return in.NextStatus == "Deleted" || in.NextStatus == "Released" && !in.NextStatusAt.After(now)
}

// creatingSnapshot reports whether a snapshot of the disk is being taken.
func creatingSnapshot(tx store.Tx, accountID int64, diskID string) (bool, error) {
	_, n, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: accountID, SourceDiskIDs: []string{diskID},
		Statuses: []string{store.SnapshotProgressing}, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return false, fmt.Errorf("snapshots of %s: %w", diskID, err)
	}
	return n > 0, nil
}

// validName applies the guide's rule for snapshot and policy names: 2–128
// characters, starting with a letter or a Chinese character, then letters,
// Chinese characters, digits, '_' and '-'; never http:// or https://.
func validName(name string) bool {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 128 || strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
		return false
	}
	for i, r := range name {
		letter := unicode.IsLetter(r) && (r < utf8.RuneSelf || unicode.Is(unicode.Han, r))
		switch {
		case letter:
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// validDescription applies the guide's rule: 2–256 characters, never http://
// or https://.
func validDescription(d string) bool {
	n := utf8.RuneCountInString(d)
	return n >= 2 && n <= 256 && !strings.HasPrefix(d, "http://") && !strings.HasPrefix(d, "https://")
}

// MaxRetentionDays bounds RetentionDays (policies and CreateSnapshot).
const MaxRetentionDays = 65536

// expiry is when a snapshot taken at created with a retention of days goes
// (zero: kept until deleted).
func expiry(created time.Time, days int) time.Time {
	if days <= 0 {
		return time.Time{}
	}
	return created.Add(time.Duration(days) * 24 * time.Hour)
}
