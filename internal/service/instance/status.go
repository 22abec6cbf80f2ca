package instance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// Instance statuses (guide 1.18.3). Pending lasts while the driver creates the
// instance; Starting and Stopping while it boots or shuts down.
const (
	StatusPending  = "Pending"
	StatusStarting = "Starting"
	StatusRunning  = "Running"
	StatusStopping = "Stopping"
	StatusStopped  = "Stopped"
)

// Statuses returns the instance statuses in the guide's order.
func Statuses() []string {
	return []string{StatusPending, StatusStopped, StatusStarting, StatusRunning, StatusStopping}
}

// Lock reasons of an instance's OperationLocks (guide 1.18.7).
const (
	// LockSecurity: the instance is locked for security reasons; starting,
	// stopping and rebooting it fail with InstanceLockedForSecurity, and deleting
	// it releases every attached disk whatever its DeleteWithInstance.
	LockSecurity = "security"
)

// Intents: what the reconciler does next with an instance, kept in
// store.Instance.NextStatus (due at NextStatusAt). The part before '/' is the
// status the instance ends in.
const (
	// intentRunning creates the instance in the driver if it has no handle yet
	// (Pending), then starts it (Starting → Running).
	intentRunning = "Running"
	// intentStopped creates the instance if needed (Pending → Stopped), or shuts
	// it down gracefully (Stopping → Stopped).
	intentStopped = "Stopped"
	// intentForceStopped powers the instance off (Stopping → Stopped).
	intentForceStopped = "Stopped/force"
	// intentReboot and intentForceReboot reboot the instance (Stopping →
	// Starting → Running).
	intentReboot      = "Running/reboot"
	intentForceReboot = "Running/reboot-force"
	// intentDeleted removes the instance from the driver, then its rows, its
	// addresses and the disks released with it (DeleteInstance).
	intentDeleted = "Deleted"
	// intentReleased is intentDeleted scheduled at the AutoReleaseTime.
	intentReleased = "Released"
)

// Busy reports whether an operation is under way on the instance: it is being
// created, started, stopped, rebooted or deleted. A scheduled auto-release or
// is not an operation. Actions that need a settled instance answer
// IncorrectInstanceStatus while it is busy.
func Busy(in store.Instance) bool {
	switch in.NextStatus {
	case "", intentReleased:
		return false
	}
	return true
}

// Deleting reports whether, at now, DeleteInstance (or the auto-release) has
// been accepted for the instance and the reconciler is removing it.
func Deleting(in store.Instance, now time.Time) bool {
	return in.NextStatus == intentDeleted ||
		(in.NextStatus == intentReleased && !in.NextStatusAt.IsZero() && !in.NextStatusAt.After(now))
}

// Locked reports whether the instance's OperationLocks hold reason.
func Locked(in store.Instance, reason string) bool {
	return slices.Contains(LockReasons(in), reason)
}

// LockReasons returns the instance's lock reasons, in order.
func LockReasons(in store.Instance) []string {
	var out []string
	for _, r := range strings.Split(in.OperationLocks, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// View is an instance with what the API reports beside its row: its security
// groups (in order), its attached disks (system disk first), its tags and its
// network interfaces (primary first, then the attached secondary ones).
type View struct {
	Instance         store.Instance
	SecurityGroupIDs []string
	Disks            []store.Disk
	Tags             []store.Tag
	NICs             []store.NetworkInterface
}

// SystemDisk returns the instance's system disk, if attached.
func (v View) SystemDisk() (store.Disk, bool) {
	for _, d := range v.Disks {
		if d.Type == diskTypeSystem {
			return d, true
		}
	}
	return store.Disk{}, false
}

// DataDiskCount is the number of data disks attached to the instance.
func (v View) DataDiskCount() int {
	n := 0
	for _, d := range v.Disks {
		if d.Type != diskTypeSystem {
			n++
		}
	}
	return n
}

// DeviceAvailable reports whether another data disk can be attached (guide
// 1.17.28 DeviceAvailable): an instance holds at most MaxDataDisks.
func (v View) DeviceAvailable() bool { return v.DataDiskCount() < MaxDataDisks }

// LoadView reads the account's instance id with its groups, disks and tags,
// inside tx. A missing instance (or another account's) is store.ErrNotFound.
func LoadView(tx store.Tx, accountID int64, id string) (View, error) {
	in, err := tx.GetInstance(accountID, id)
	if err != nil {
		return View{}, fmt.Errorf("instance %s: %w", id, err)
	}
	views, err := loadViews(tx, []store.Instance{in})
	if err != nil {
		return View{}, err
	}
	return views[0], nil
}

// loadViews completes instances of one account with their groups, disks, tags
// and network interfaces.
func loadViews(tx store.Tx, ins []store.Instance) ([]View, error) {
	out := make([]View, len(ins))
	if len(ins) == 0 {
		return out, nil
	}
	ids := make([]string, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	tags, err := tx.GetTags(ins[0].AccountID, store.TagTypeInstance, ids)
	if err != nil {
		return nil, fmt.Errorf("tags of instances: %w", err)
	}
	groups, err := tx.SecurityGroupsOfInstances(ids)
	if err != nil {
		return nil, fmt.Errorf("security groups of instances: %w", err)
	}
	disks, err := tx.DisksOfInstances(ids)
	if err != nil {
		return nil, fmt.Errorf("disks of instances: %w", err)
	}
	nics, err := tx.InstanceNetworkInterfaces(ids)
	if err != nil {
		return nil, fmt.Errorf("network interfaces of instances: %w", err)
	}
	byInstance := map[string][]store.NetworkInterface{}
	for _, n := range nics {
		byInstance[n.InstanceID] = append(byInstance[n.InstanceID], n)
	}
	for i, in := range ins {
		out[i] = View{Instance: in, SecurityGroupIDs: orEmpty(groups[in.ID]), Disks: orEmpty(disks[in.ID]), Tags: tags[in.ID],
			NICs: byInstance[in.ID]}
	}
	return out, nil
}

// getInstance returns the caller's instance id, or notFound (an *apierr.Error
// with the action's message). Instances are found by ID in every region of the
// account: the v7 SDK cannot send a RegionId with StartInstance, StopInstance or
// DeleteInstance, so the front's default region says nothing.
func getInstance(tx store.Tx, c Caller, id string, notFound error) (store.Instance, error) {
	if id == "" {
		return store.Instance{}, notFound
	}
	in, err := tx.GetInstance(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Instance{}, notFound
	}
	if err != nil {
		return store.Instance{}, fmt.Errorf("instance %s: %w", id, err)
	}
	return in, nil
}

// orEmpty returns s, or an empty slice for nil (views list nothing as [], not null).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
