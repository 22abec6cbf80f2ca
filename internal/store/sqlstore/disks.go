package sqlstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// diskColumns lists the disks table's columns in the order of diskArgs and scanDisk.
const diskColumns = "id, account_id, region_id, zone_id, name, description, type, category, size_gib, " +
	"performance_level, image_id, source_snapshot_id, instance_id, device, status, portable, delete_with_instance, " +
	"delete_auto_snapshot, enable_auto_snapshot, encrypted, kms_key_id, created_at, attached_at, detached_at, driver_handle"

func diskArgs(d store.Disk) ([]any, error) {
	times := make([]int64, 3)
	for i, t := range []time.Time{d.CreatedAt, d.AttachedAt, d.DetachedAt} {
		n, err := toNanos(t)
		if err != nil {
			return nil, err
		}
		times[i] = n
	}
	return []any{d.ID, d.AccountID, d.RegionID, d.ZoneID, d.Name, d.Description, d.Type, d.Category, d.SizeGiB,
		d.PerformanceLevel, d.ImageID, d.SourceSnapshotID, d.InstanceID, d.Device, d.Status, d.Portable,
		d.DeleteWithInstance, d.DeleteAutoSnapshot, d.EnableAutoSnapshot, d.Encrypted, d.KMSKeyID,
		times[0], times[1], times[2], string(d.DriverHandle)}, nil
}

func scanDisk(d *store.Disk) func(scanner) error {
	return func(s scanner) error {
		var created, attached, detached int64
		var handle string
		err := s.Scan(&d.ID, &d.AccountID, &d.RegionID, &d.ZoneID, &d.Name, &d.Description, &d.Type, &d.Category,
			&d.SizeGiB, &d.PerformanceLevel, &d.ImageID, &d.SourceSnapshotID, &d.InstanceID, &d.Device, &d.Status,
			&d.Portable, &d.DeleteWithInstance, &d.DeleteAutoSnapshot, &d.EnableAutoSnapshot, &d.Encrypted,
			&d.KMSKeyID, &created, &attached, &detached, &handle)
		if err != nil {
			return err
		}
		d.CreatedAt, d.AttachedAt, d.DetachedAt = fromNanos(created), fromNanos(attached), fromNanos(detached)
		d.DriverHandle = nil
		if handle != "" {
			d.DriverHandle = []byte(handle)
		}
		return nil
	}
}

// CreateDisk implements store.DiskTx.
func (t *tx) CreateDisk(d store.Disk) error {
	args, err := diskArgs(d)
	if err != nil {
		return fmt.Errorf("create disk %s: %w", d.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	if err := t.insert(`INSERT INTO disks (`+diskColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("create disk %s: %w", d.ID, err)
	}
	return nil
}

// GetDisk implements store.DiskTx.
func (t *tx) GetDisk(accountID int64, id string) (store.Disk, error) {
	var d store.Disk
	if err := t.get(scanDisk(&d), `SELECT `+diskColumns+` FROM disks WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.Disk{}, fmt.Errorf("get disk %s: %w", id, err)
	}
	return d, nil
}

// ListDisks implements store.DiskTx.
func (t *tx) ListDisks(f store.DiskFilter) ([]store.Disk, int, error) {
	w := &where{}
	w.owned(f.AccountID, f.IDs)
	w.eq("region_id", f.RegionID)
	w.eq("zone_id", f.ZoneID)
	w.in("id", f.IDs)
	w.eq("instance_id", f.InstanceID)
	w.eq("type", f.Type)
	w.eq("category", f.Category)
	w.in("status", f.Statuses)
	w.eq("name", f.Name)
	w.eq("source_snapshot_id", f.SnapshotID)
	w.boolean("portable", f.Portable)
	tagConditions(w, f.AccountID, "disk", f.Tags)
	return newestFirst(t, "disks", diskColumns, w, f.Page, f.After, scanDisk)
}

// UpdateDisk implements store.DiskTx.
func (t *tx) UpdateDisk(d store.Disk) error {
	args, err := diskArgs(d)
	if err != nil {
		return fmt.Errorf("update disk %s: %w", d.ID, err)
	}
	query, vals := updateAll("disks", diskColumns, args, d.AccountID, d.ID)
	if err := t.update(query, vals...); err != nil {
		return fmt.Errorf("update disk %s: %w", d.ID, err)
	}
	return nil
}

// DeleteDisk implements store.DiskTx.
func (t *tx) DeleteDisk(accountID int64, id string) error {
	if err := t.update(`DELETE FROM disks WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete disk %s: %w", id, err)
	}
	return nil
}

// InstanceDisks implements store.DiskTx.
func (t *tx) InstanceDisks(instanceID string) ([]store.Disk, error) {
	disks, err := t.DisksOfInstances([]string{instanceID})
	if err != nil {
		return nil, err
	}
	return append([]store.Disk{}, disks[instanceID]...), nil
}

// DisksOfInstances implements store.DiskTx.
func (t *tx) DisksOfInstances(instanceIDs []string) (map[string][]store.Disk, error) {
	out := map[string][]store.Disk{}
	if len(instanceIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.in("instance_id", instanceIDs)
	var d store.Disk
	err := t.list(func(s scanner) error {
		if err := scanDisk(&d)(s); err != nil {
			return err
		}
		out[d.InstanceID] = append(out[d.InstanceID], d)
		return nil
	}, `SELECT `+diskColumns+` FROM disks`+w.sql()+
		` ORDER BY instance_id, CASE type WHEN 'system' THEN 0 ELSE 1 END, device, id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("disks of instances: %w", err)
	}
	return out, nil
}
