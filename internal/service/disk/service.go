// Package disk owns cloud disks (guide 1.7): creating, describing, attaching,
// detaching, modifying, re-initialising, resizing and deleting them, and
// replacing system disks, with the guide's category limits and status rules.
//
// Every change is one store transaction. An attach or detach that needs the
// compute driver is three: the disk goes Attaching (Detaching) with its device
// reserved, the driver is called outside any transaction, and the disk goes
// In_use (Available), or back when the driver refuses. A crash between them
// leaves the disk in its transitional status; Resume finishes such disks at
// start-up. rules.go exports the rules the instance service shares.
package disk

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/store"
)

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Limits are quotas; the guide names QuotaExceed.PortableCloudDisk without a
// number, so zero means no limit.
type Limits struct {
	// PortableDisks bounds the portable (data) disks of one account in a region.
	PortableDisks int
}

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	Images  *image.Service
	// Compute is the compute driver; attaching and detaching disks of instances
	// it runs goes through its driver.DiskAttacher capability.
	Compute driver.Compute
	// Limits are optional quotas.
	Limits Limits
	// Snapshots, when set, is told of every disk deleted (its automatic
	// snapshots and policy, guide 1.7.10, 1.8).
	Snapshots DiskReleaser
	// Volumes, when set, holds the disks' files (the qcow2 volume store of
	// the qemu driver; see volumes.go). Nil (the sim driver): disks have no
	// files and only the store changes.
	Volumes volume.Disks
	// Logger records the file operations that fail after their change is
	// committed; nil discards them.
	Logger *slog.Logger
}

// DiskReleaser is told, inside the transaction, of a disk being deleted.
type DiskReleaser interface {
	DiskReleased(tx store.Tx, d store.Disk) error
}

// released tells the snapshot service of a deleted disk.
func (s *Service) released(tx store.Tx, d store.Disk) error {
	if s.deps.Snapshots == nil {
		return nil
	}
	if err := s.deps.Snapshots.DiskReleased(tx, d); err != nil {
		return fmt.Errorf("snapshots of released disk %s: %w", d.ID, err)
	}
	return nil
}

// creatingSnapshot reports whether a snapshot of the disk is being taken: the
// disk actions refuse to delete, re-initialise, resize or replace such a disk.
func creatingSnapshot(tx store.Tx, d store.Disk) (bool, error) {
	_, n, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: d.AccountID, SourceDiskIDs: []string{d.ID},
		Statuses: []string{store.SnapshotProgressing}, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return false, fmt.Errorf("snapshots of %s: %w", d.ID, err)
	}
	return n > 0, nil
}

// Service implements the disk use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{deps: deps}
}

// Caller is who calls and in which region: another account's disk, or a disk of
// another region, answers exactly like a missing one.
type Caller struct {
	AccountID int64
	RegionID  string
}

// Instance statuses the disk rules look at (guide 1.18.3), and the lock reason
// of 1.18.7.
const (
	instanceRunning = "Running"
	instanceStopped = "Stopped"
	lockSecurity    = "security"
)

// chargeTypePostPaid is every disk's DiskChargeType: ecsd has no subscriptions.
const chargeTypePostPaid = "PostPaid"

// getDisk returns the caller's disk id, or ErrDiskNotFound.
func getDisk(tx store.Tx, c Caller, id string) (store.Disk, error) {
	d, err := tx.GetDisk(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.RegionID != c.RegionID) {
		return store.Disk{}, ErrDiskNotFound()
	}
	if err != nil {
		return store.Disk{}, fmt.Errorf("disk %s: %w", id, err)
	}
	return d, nil
}

// getInstance returns the caller's instance id, or ErrInstanceNotFound.
func getInstance(tx store.Tx, c Caller, id string) (store.Instance, error) {
	in, err := tx.GetInstance(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.RegionID != c.RegionID) {
		return store.Instance{}, ErrInstanceNotFound()
	}
	if err != nil {
		return store.Instance{}, fmt.Errorf("instance %s: %w", id, err)
	}
	return in, nil
}

// locks splits an instance's OperationLocks.
func locks(in store.Instance) []string {
	var out []string
	for _, l := range strings.Split(in.OperationLocks, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// deleting reports whether DeleteInstance (or a due auto-release) has been
// accepted for the instance: the instance service's intents "Deleted" and
// "Released" in NextStatus. Such an instance keeps its status until the
// reconciler removes it, but takes no more disks.
func deleting(in store.Instance, now time.Time) bool {
	return in.NextStatus == "Deleted" || in.NextStatus == "Released" && !in.NextStatusAt.After(now)
}

// settledIn reports whether the instance is in one of statuses and not being deleted.
func settledIn(in store.Instance, now time.Time, statuses ...string) bool {
	return slices.Contains(statuses, in.Status) && !deleting(in, now)
}

// lockedForSecurity reports whether the instance carries the security lock of
// guide 1.18.7.
func lockedForSecurity(in store.Instance) bool { return slices.Contains(locks(in), lockSecurity) }

// handleOf decodes an instance's driver handle; ok is false when the instance
// has none (the driver never created it).
func handleOf(in store.Instance) (h driver.Handle, ok bool, err error) {
	if len(in.DriverHandle) == 0 {
		return driver.Handle{}, false, nil
	}
	if err := json.Unmarshal(in.DriverHandle, &h); err != nil {
		return driver.Handle{}, false, fmt.Errorf("driver handle of %s: %w", in.ID, err)
	}
	return h, !h.IsZero(), nil
}

// encodeHandle encodes a driver handle for the instance row.
func encodeHandle(h driver.Handle) ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode driver handle: %w", err)
	}
	return b, nil
}

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }
