package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// migrate_disk and query_load_progress (1.7.11, 1.7.12) are an Apsara Stack
// back-end interface with conventions of their own: snake_case parameters and
// an answer {"code": …, "msg": …} whose code is 200 or one of the negative codes
// below. Every outcome, failures included, is such an answer.

// MigrateResult is the answer of migrate_disk and query_load_progress.
type MigrateResult struct {
	Code int
	Msg  string
}

// The codes of 1.7.11, with the guide's messages (typos included).
const (
	MigrateOK              = 200
	MigrateRegionInvalid   = -14000400
	MigrateParameterNull   = -14000401
	MigrateTaskExists      = -14000402
	MigrateParameterAbsent = -14000404
	MigrateFailNoRetry     = -14000501
	MigrateFailRetry       = -14000502
)

var migrateMessages = map[int]string{
	MigrateOK:              "successful",
	MigrateRegionInvalid:   "miagrate specfied dst region is invalid.",
	MigrateParameterNull:   "parameter error, parameter is not null.",
	MigrateTaskExists:      "migrate task is already exist.",
	MigrateParameterAbsent: "parameter error, parameter is not exist.",
	MigrateFailNoRetry:     "migrate disk fail without retry.",
	MigrateFailRetry:       "migrate disk fail with retry.",
}

func migrateResult(code int) MigrateResult {
	return MigrateResult{Code: code, Msg: migrateMessages[code]}
}

// storageTypes are the back end's storage types dest_disk_type may also name;
// they do not change the disk's category. io7 and io8 need IOPS and BPS.
var storageTypes = []string{"io3", "io4", "io7", "io8"}

// MigrateInput are the parameters of migrate_disk.
type MigrateInput struct {
	RegionID, DiskID, DestZoneID, DestDiskType, DestDiskIOPS, DestDiskBPS string
}

// migrateState is the MigrateDisk task's state.
type migrateState struct {
	DiskID     string          `json:"diskId"`
	DestZoneID string          `json:"destZoneId"`
	DestType   string          `json:"destType"`
	SizeGiB    int             `json:"sizeGiB"`
	Handle     json.RawMessage `json:"handle,omitempty"`
}

// MigrateDisk starts moving a disk's data to other storage of its zone
// (migrate_disk). The disk stays usable meanwhile; query_load_progress
// follows the move. A migration with the same disk, zone and type as one under
// way answers success without starting another; a different one is -14000402.
func (s *Service) MigrateDisk(ctx context.Context, accountID int64, in MigrateInput) MigrateResult {
	if in.RegionID == "" || in.DiskID == "" || in.DestZoneID == "" {
		return migrateResult(MigrateParameterNull)
	}
	if _, ok := s.deps.Catalog.Region(in.RegionID); !ok {
		return migrateResult(MigrateParameterAbsent)
	}
	zone, zoneRegion, ok := s.deps.Catalog.Zone(in.DestZoneID)
	if !ok {
		return migrateResult(MigrateParameterAbsent)
	}
	if zoneRegion != in.RegionID {
		return migrateResult(MigrateRegionInvalid)
	}
	if in.DestDiskType != "" && !slices.Contains(zone.DiskCategories, in.DestDiskType) && !slices.Contains(storageTypes, in.DestDiskType) {
		return migrateResult(MigrateParameterAbsent)
	}
	if (in.DestDiskType == "io7" || in.DestDiskType == "io8") && (in.DestDiskIOPS == "" || in.DestDiskBPS == "") {
		return migrateResult(MigrateParameterNull)
	}
	c := Caller{AccountID: accountID, RegionID: in.RegionID}
	code := MigrateOK
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		code = MigrateOK
		d, err := getDisk(tx, c, in.DiskID, ErrDiskNotFound())
		if errors.Is(err, ErrDiskNotFound()) {
			code = MigrateParameterAbsent
			return nil
		}
		if err != nil {
			return err
		}
		dest := in.DestDiskType
		if dest == "" {
			dest = d.Category
		}
		switch {
		case d.ZoneID != in.DestZoneID:
			code = MigrateRegionInvalid // only within the disk's zone ("只支持同azone迁移")
			return nil
		case d.Category == localCategory || s.deps.Migrator == nil:
			code = MigrateFailNoRetry // cloud disks only; a driver that cannot move disks
			return nil
		case d.Status != diskInUse && d.Status != diskAvailable:
			code = MigrateFailNoRetry
			return nil
		}
		if active, same, err := activeMigration(tx, d, in.DestZoneID, dest); err != nil || active {
			if err == nil && !same {
				code = MigrateTaskExists
			}
			return err
		}
		state, err := json.Marshal(migrateState{DiskID: d.ID, DestZoneID: in.DestZoneID, DestType: dest, SizeGiB: d.SizeGiB})
		if err != nil {
			return err
		}
		_, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: accountID, RegionID: in.RegionID, Action: ActionMigrateDisk,
			ResourceID: d.ID, State: state, Operations: []store.TaskOperation{
				operation(task.OperationProcessing, "DiskId", d.ID, "DestZoneId", in.DestZoneID, "DestDiskType", dest)}})
		return err
	})
	if err != nil {
		s.deps.Logger.Error("migrate_disk", "disk", in.DiskID, "err", err)
		return migrateResult(MigrateFailRetry)
	}
	s.deps.Tasks.Wake()
	return migrateResult(code)
}

// activeMigration reports whether a migration of the disk is under way, and
// whether it goes where this one would.
func activeMigration(tx store.Tx, d store.Disk, zone, dest string) (active, same bool, err error) {
	tasks, _, err := tx.ListTasks(store.TaskFilter{AccountID: d.AccountID, ResourceIDs: []string{d.ID},
		Actions: []string{ActionMigrateDisk}, Statuses: []string{store.TaskWaiting, store.TaskProcessing}})
	if err != nil || len(tasks) == 0 {
		return false, false, err
	}
	var st migrateState
	_ = json.Unmarshal(tasks[0].State, &st)
	return true, st.DestZoneID == zone && st.DestType == dest, nil
}

// LoadProgress answers query_load_progress: the progress of the disk's latest
// migration in percent, as msg; "100" when no migration is under way.
func (s *Service) LoadProgress(ctx context.Context, accountID int64, regionID, diskID string) MigrateResult {
	if regionID == "" || diskID == "" {
		return migrateResult(MigrateParameterNull)
	}
	if _, ok := s.deps.Catalog.Region(regionID); !ok {
		return migrateResult(MigrateParameterAbsent)
	}
	c := Caller{AccountID: accountID, RegionID: regionID}
	var out MigrateResult
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		d, err := getDisk(tx, c, diskID, ErrDiskNotFound())
		if errors.Is(err, ErrDiskNotFound()) {
			out = migrateResult(MigrateParameterAbsent)
			return nil
		}
		if err != nil {
			return err
		}
		tasks, _, err := tx.ListTasks(store.TaskFilter{AccountID: accountID, ResourceIDs: []string{d.ID},
			Actions: []string{ActionMigrateDisk}, Page: store.Page{Number: 1, Size: 1}})
		if err != nil {
			return err
		}
		switch {
		case len(tasks) == 0 || tasks[0].Status == store.TaskFinished:
			out = MigrateResult{Code: MigrateOK, Msg: "100"}
		case tasks[0].Status == store.TaskFailed || tasks[0].Status == store.TaskCancelled:
			out = migrateResult(MigrateFailNoRetry)
		default:
			out = MigrateResult{Code: MigrateOK, Msg: strconv.Itoa(tasks[0].Progress)}
		}
		return nil
	})
	if err != nil {
		s.deps.Logger.Error("query_load_progress", "disk", diskID, "err", err)
		return migrateResult(MigrateFailRetry)
	}
	return out
}

// migrateStep runs one step of a MigrateDisk task: start the move, then follow
// it; once done, the disk takes the destination's category (a storage type
// io… leaves it as it is).
func (s *Service) migrateStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState[migrateState](t)
	if err != nil {
		return task.Outcome{}, err
	}
	if s.deps.Migrator == nil {
		return task.Outcome{}, task.Fail("MigrateDisk.Failed", migrateMessages[MigrateFailNoRetry])
	}
	if t.Step == 0 {
		h, err := s.deps.Migrator.StartMigration(ctx, driver.MigrationSpec{MigrationID: t.ID, DiskID: st.DiskID,
			SizeGiB: st.SizeGiB, DestZoneID: st.DestZoneID, DestType: st.DestType})
		if err != nil {
			return task.Outcome{}, err
		}
		if st.Handle, err = json.Marshal(h); err != nil {
			return task.Outcome{}, err
		}
		state, err := json.Marshal(st)
		return task.Outcome{Next: 1, State: state}, err
	}
	h, err := handleOf(st.Handle)
	if err != nil {
		return task.Outcome{}, err
	}
	p, err := s.deps.Migrator.MigrationProgress(ctx, h)
	if err != nil {
		return task.Outcome{}, err
	}
	if !p.Done {
		return task.Outcome{Next: 1, After: s.deps.PollInterval, Progress: p.Percent}, nil
	}
	return task.Outcome{Done: true, Operations: []store.TaskOperation{operation(task.OperationSuccess, "DiskId", st.DiskID,
		"DestZoneId", st.DestZoneID, "DestDiskType", st.DestType)}, Apply: func(tx store.Tx) error {
		d, err := tx.GetDisk(t.AccountID, st.DiskID)
		if errors.Is(err, store.ErrNotFound) || err == nil && (slices.Contains(storageTypes, st.DestType) || d.Category == st.DestType) {
			return nil
		}
		if err != nil {
			return err
		}
		d.Category, d.PerformanceLevel = st.DestType, ""
		if st.DestType == "cloud_essd" {
			d.PerformanceLevel = "PL1"
		}
		return tx.UpdateDisk(d)
	}}, nil
}
