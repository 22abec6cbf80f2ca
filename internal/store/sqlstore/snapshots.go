package sqlstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// snapshotColumns lists the written columns of the snapshots table, in the
// order of snapshotArgs.
const snapshotColumns = "id, account_id, region_id, name, description, type, source_disk_id, source_disk_type, " +
	"source_disk_size_gib, source_disk_category, status, progress, size_bytes, retention_days, expires_at, policy_id, " +
	"task_id, encrypted, kms_key_id, created_at, finished_at, driver_handle"

// snapshotUsageColumns are read after snapshotColumns: whether disks or images
// were made from the snapshot.
const snapshotUsageColumns = "EXISTS (SELECT 1 FROM disks WHERE disks.source_snapshot_id = snapshots.id AND disks.account_id = snapshots.account_id), " +
	"EXISTS (SELECT 1 FROM snapshot_image_refs r WHERE r.snapshot_id = snapshots.id)"

// snapshotSelect is the column list of a snapshot read.
const snapshotSelect = snapshotColumns + ", " + snapshotUsageColumns

func snapshotArgs(s store.Snapshot) ([]any, error) {
	ns, err := nanos(s.ExpiresAt, s.CreatedAt, s.FinishedAt)
	if err != nil {
		return nil, err
	}
	return []any{s.ID, s.AccountID, s.RegionID, s.Name, s.Description, s.Type, s.SourceDiskID, s.SourceDiskType,
		s.SourceDiskSizeGiB, s.SourceDiskCategory, s.Status, s.Progress, s.SizeBytes, s.RetentionDays, ns[0],
		s.PolicyID, s.TaskID, s.Encrypted, s.KMSKeyID, ns[1], ns[2], string(s.DriverHandle)}, nil
}

func scanSnapshot(s *store.Snapshot) func(scanner) error {
	return func(sc scanner) error {
		var expires, created, finished int64
		var handle string
		err := sc.Scan(&s.ID, &s.AccountID, &s.RegionID, &s.Name, &s.Description, &s.Type, &s.SourceDiskID,
			&s.SourceDiskType, &s.SourceDiskSizeGiB, &s.SourceDiskCategory, &s.Status, &s.Progress, &s.SizeBytes,
			&s.RetentionDays, &expires, &s.PolicyID, &s.TaskID, &s.Encrypted, &s.KMSKeyID, &created, &finished, &handle,
			&s.UsedByDisks, &s.UsedByImages)
		if err != nil {
			return err
		}
		s.ExpiresAt, s.CreatedAt, s.FinishedAt = fromNanos(expires), fromNanos(created), fromNanos(finished)
		s.DriverHandle = nil
		if handle != "" {
			s.DriverHandle = []byte(handle)
		}
		return nil
	}
}

// CreateSnapshot implements store.SnapshotTx.
func (t *tx) CreateSnapshot(s store.Snapshot) error {
	args, err := snapshotArgs(s)
	if err != nil {
		return fmt.Errorf("create snapshot %s: %w", s.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	if err := t.insert(`INSERT INTO snapshots (`+snapshotColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("create snapshot %s: %w", s.ID, err)
	}
	return nil
}

// GetSnapshot implements store.SnapshotTx.
func (t *tx) GetSnapshot(accountID int64, id string) (store.Snapshot, error) {
	var s store.Snapshot
	err := t.get(scanSnapshot(&s), `SELECT `+snapshotSelect+` FROM snapshots WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("get snapshot %s: %w", id, err)
	}
	return s, nil
}

// ListSnapshots implements store.SnapshotTx.
func (t *tx) ListSnapshots(f store.SnapshotFilter) ([]store.Snapshot, int, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.in("source_disk_id", f.SourceDiskIDs)
	if f.InstanceID != "" {
		w.add("source_disk_id IN (SELECT id FROM disks WHERE account_id = ? AND instance_id = ?)", f.AccountID, f.InstanceID)
	}
	w.eq("name", f.Name)
	w.in("status", f.Statuses)
	w.in("type", f.Types)
	w.eq("source_disk_type", f.SourceDiskType)
	w.boolean("encrypted", f.Encrypted)
	if err := createdBetween(w, f.CreatedFrom, f.CreatedTo); err != nil {
		return nil, 0, err
	}
	usageCondition(w, f.Usage)
	tagConditions(w, f.AccountID, store.TagTypeSnapshot, f.Tags)
	return newestFirst(t, "snapshots", snapshotSelect, w, f.Page, f.After, scanSnapshot)
}

// usageCondition adds the condition of a Usage filter.
func usageCondition(w *where, usage string) {
	disks := "EXISTS (SELECT 1 FROM disks WHERE disks.source_snapshot_id = snapshots.id AND disks.account_id = snapshots.account_id)"
	images := "EXISTS (SELECT 1 FROM snapshot_image_refs r WHERE r.snapshot_id = snapshots.id)"
	switch usage {
	case store.SnapshotUsageDisk:
		w.add(disks + " AND NOT " + images)
	case store.SnapshotUsageImage:
		w.add(images + " AND NOT " + disks)
	case store.SnapshotUsageImageDisk:
		w.add(images + " AND " + disks)
	case store.SnapshotUsageNone:
		w.add("NOT " + images + " AND NOT " + disks)
	}
}

// UpdateSnapshot implements store.SnapshotTx.
func (t *tx) UpdateSnapshot(s store.Snapshot) error {
	args, err := snapshotArgs(s)
	if err != nil {
		return fmt.Errorf("update snapshot %s: %w", s.ID, err)
	}
	query, vals := updateAll("snapshots", snapshotColumns, args, s.AccountID, s.ID)
	if err := t.update(query, vals...); err != nil {
		return fmt.Errorf("update snapshot %s: %w", s.ID, err)
	}
	return nil
}

// DeleteSnapshot implements store.SnapshotTx.
func (t *tx) DeleteSnapshot(accountID int64, id string) error {
	if err := t.update(`DELETE FROM snapshots WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete snapshot %s: %w", id, err)
	}
	if _, err := t.exec(`DELETE FROM snapshot_image_refs WHERE account_id = ? AND snapshot_id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete image references of snapshot %s: %w", id, err)
	}
	return nil
}

// ExpiredSnapshots implements store.SnapshotTx.
func (t *tx) ExpiredSnapshots(now time.Time, limit int) ([]store.Snapshot, error) {
	n, err := toNanos(now)
	if err != nil {
		return nil, err
	}
	out := []store.Snapshot{}
	var s store.Snapshot
	err = t.list(func(sc scanner) error {
		if err := scanSnapshot(&s)(sc); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	}, `SELECT `+snapshotSelect+` FROM snapshots WHERE expires_at > 0 AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`, n, limit)
	if err != nil {
		return nil, fmt.Errorf("expired snapshots: %w", err)
	}
	return out, nil
}

// nanosPerDay is one day in the stored unit.
const nanosPerDay = int64(24 * time.Hour)

// SetPolicySnapshotsRetention implements store.SnapshotTx.
func (t *tx) SetPolicySnapshotsRetention(accountID int64, policyID string, days int) error {
	var err error
	if days <= 0 {
		_, err = t.exec(`UPDATE snapshots SET retention_days = 0, expires_at = 0 WHERE account_id = ? AND policy_id = ?`,
			accountID, policyID)
	} else {
		_, err = t.exec(`UPDATE snapshots SET retention_days = ?, expires_at = created_at + ? WHERE account_id = ? AND policy_id = ?`,
			days, int64(days)*nanosPerDay, accountID, policyID)
	}
	if err != nil {
		return fmt.Errorf("set retention of the snapshots of %s: %w", policyID, err)
	}
	return nil
}

// ListSnapshotLinks implements store.SnapshotTx.
func (t *tx) ListSnapshotLinks(f store.SnapshotLinkFilter) ([]store.SnapshotLink, int, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("source_disk_id", f.SourceDiskIDs)
	if f.InstanceID != "" {
		w.add("source_disk_id IN (SELECT id FROM disks WHERE account_id = ? AND instance_id = ?)", f.AccountID, f.InstanceID)
	}
	var total int
	err := t.get(func(s scanner) error { return s.Scan(&total) },
		`SELECT COUNT(DISTINCT source_disk_id) FROM snapshots`+w.sql(), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("count snapshot links: %w", err)
	}
	// The disk's description is its newest snapshot's (a disk's size can grow).
	out := []store.SnapshotLink{}
	err = t.list(func(s scanner) error {
		var l store.SnapshotLink
		if err := s.Scan(&l.SourceDiskID, &l.RegionID, &l.Count, &l.TotalBytes, &l.SourceDiskType, &l.SourceDiskSizeGiB,
			&l.SourceDiskCategory); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	}, `SELECT g.source_disk_id, g.region_id, g.n, g.total, s.source_disk_type, s.source_disk_size_gib, s.source_disk_category `+
		`FROM (SELECT source_disk_id, MIN(region_id) AS region_id, COUNT(*) AS n, SUM(size_bytes) AS total, `+
		`MAX(created_at) AS newest FROM snapshots`+w.sql()+` GROUP BY source_disk_id) g `+
		`JOIN snapshots s ON s.account_id = ? AND s.source_disk_id = g.source_disk_id AND s.created_at = g.newest `+
		`AND s.id = (SELECT MAX(id) FROM snapshots x WHERE x.account_id = ? AND x.source_disk_id = g.source_disk_id AND x.created_at = g.newest) `+
		`ORDER BY g.source_disk_id`+pageSQL(f.Page), append(w.args, f.AccountID, f.AccountID)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list snapshot links: %w", err)
	}
	return out, total, nil
}

// PutSnapshotImageRef implements store.SnapshotTx.
func (t *tx) PutSnapshotImageRef(accountID int64, snapshotID, imageID string) error {
	_, err := t.exec(`INSERT INTO snapshot_image_refs (snapshot_id, image_id, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		snapshotID, imageID, accountID)
	if err != nil {
		return fmt.Errorf("reference snapshot %s from image %s: %w", snapshotID, imageID, err)
	}
	return nil
}

// DeleteSnapshotImageRef implements store.SnapshotTx.
func (t *tx) DeleteSnapshotImageRef(accountID int64, snapshotID, imageID string) error {
	_, err := t.exec(`DELETE FROM snapshot_image_refs WHERE account_id = ? AND snapshot_id = ? AND image_id = ?`,
		accountID, snapshotID, imageID)
	if err != nil {
		return fmt.Errorf("forget image %s of snapshot %s: %w", imageID, snapshotID, err)
	}
	return nil
}
