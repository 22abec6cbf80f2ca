package sqlstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// policyColumns lists the auto_snapshot_policies table's columns in the order
// of policyArgs and scanPolicy.
const policyColumns = "id, account_id, region_id, name, time_points, repeat_weekdays, retention_days, created_at"

// joinInts renders numbers as "1,2,3" (the stored form of time points and weekdays).
func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// splitInts parses the stored form of joinInts.
func splitInts(s string) ([]int, error) {
	out := []int{}
	if s == "" {
		return out, nil
	}
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("stored number list %q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func policyArgs(p store.AutoSnapshotPolicy) ([]any, error) {
	created, err := toNanos(p.CreatedAt)
	if err != nil {
		return nil, err
	}
	return []any{p.ID, p.AccountID, p.RegionID, p.Name, joinInts(p.TimePoints), joinInts(p.RepeatWeekdays),
		p.RetentionDays, created}, nil
}

func scanPolicy(p *store.AutoSnapshotPolicy) func(scanner) error {
	return func(s scanner) error {
		var points, days string
		var created int64
		if err := s.Scan(&p.ID, &p.AccountID, &p.RegionID, &p.Name, &points, &days, &p.RetentionDays, &created); err != nil {
			return err
		}
		var err error
		if p.TimePoints, err = splitInts(points); err != nil {
			return err
		}
		if p.RepeatWeekdays, err = splitInts(days); err != nil {
			return err
		}
		p.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateAutoSnapshotPolicy implements store.SnapshotTx.
func (t *tx) CreateAutoSnapshotPolicy(p store.AutoSnapshotPolicy) error {
	args, err := policyArgs(p)
	if err != nil {
		return fmt.Errorf("create policy %s: %w", p.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	err = t.insert(`INSERT INTO auto_snapshot_policies (`+policyColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("create policy %s: %w", p.ID, err)
	}
	return nil
}

// GetAutoSnapshotPolicy implements store.SnapshotTx.
func (t *tx) GetAutoSnapshotPolicy(accountID int64, id string) (store.AutoSnapshotPolicy, error) {
	var p store.AutoSnapshotPolicy
	err := t.get(scanPolicy(&p), `SELECT `+policyColumns+` FROM auto_snapshot_policies WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return store.AutoSnapshotPolicy{}, fmt.Errorf("get policy %s: %w", id, err)
	}
	return p, nil
}

// ListAutoSnapshotPolicies implements store.SnapshotTx.
func (t *tx) ListAutoSnapshotPolicies(f store.AutoSnapshotPolicyFilter) ([]store.AutoSnapshotPolicy, int, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.eq("name", f.Name)
	return newestFirst(t, "auto_snapshot_policies", policyColumns, w, f.Page, nil, scanPolicy)
}

// UpdateAutoSnapshotPolicy implements store.SnapshotTx.
func (t *tx) UpdateAutoSnapshotPolicy(p store.AutoSnapshotPolicy) error {
	err := t.update(`UPDATE auto_snapshot_policies SET name = ?, time_points = ?, repeat_weekdays = ?, retention_days = ? `+
		`WHERE account_id = ? AND id = ?`, p.Name, joinInts(p.TimePoints), joinInts(p.RepeatWeekdays), p.RetentionDays,
		p.AccountID, p.ID)
	if err != nil {
		return fmt.Errorf("update policy %s: %w", p.ID, err)
	}
	return nil
}

// DeleteAutoSnapshotPolicy implements store.SnapshotTx.
func (t *tx) DeleteAutoSnapshotPolicy(accountID int64, id string) error {
	if err := t.update(`DELETE FROM auto_snapshot_policies WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete policy %s: %w", id, err)
	}
	if _, err := t.exec(`DELETE FROM disk_auto_snapshot_policies WHERE account_id = ? AND policy_id = ?`, accountID, id); err != nil {
		return fmt.Errorf("cancel policy %s on its disks: %w", id, err)
	}
	return nil
}

// diskPolicyColumns lists the disk_auto_snapshot_policies table's columns.
const diskPolicyColumns = "disk_id, account_id, region_id, policy_id, applied_at, last_slot"

func scanDiskPolicy(p *store.DiskPolicy) func(scanner) error {
	return func(s scanner) error {
		var applied, last int64
		if err := s.Scan(&p.DiskID, &p.AccountID, &p.RegionID, &p.PolicyID, &applied, &last); err != nil {
			return err
		}
		p.AppliedAt, p.LastSlot = fromNanos(applied), fromNanos(last)
		return nil
	}
}

// PutDiskPolicy implements store.SnapshotTx.
func (t *tx) PutDiskPolicy(p store.DiskPolicy) error {
	ns, err := nanos(p.AppliedAt, p.LastSlot)
	if err != nil {
		return fmt.Errorf("apply policy to %s: %w", p.DiskID, err)
	}
	_, err = t.exec(`INSERT INTO disk_auto_snapshot_policies (`+diskPolicyColumns+`) VALUES (?, ?, ?, ?, ?, ?) `+
		`ON CONFLICT (disk_id) DO UPDATE SET account_id = excluded.account_id, region_id = excluded.region_id, `+
		`policy_id = excluded.policy_id, applied_at = excluded.applied_at, last_slot = excluded.last_slot`,
		p.DiskID, p.AccountID, p.RegionID, p.PolicyID, ns[0], ns[1])
	if err != nil {
		return fmt.Errorf("apply policy to %s: %w", p.DiskID, err)
	}
	return nil
}

// GetDiskPolicy implements store.SnapshotTx.
func (t *tx) GetDiskPolicy(accountID int64, diskID string) (store.DiskPolicy, error) {
	var p store.DiskPolicy
	err := t.get(scanDiskPolicy(&p), `SELECT `+diskPolicyColumns+` FROM disk_auto_snapshot_policies WHERE account_id = ? AND disk_id = ?`,
		accountID, diskID)
	if err != nil {
		return store.DiskPolicy{}, fmt.Errorf("policy of disk %s: %w", diskID, err)
	}
	return p, nil
}

// DeleteDiskPolicy implements store.SnapshotTx.
func (t *tx) DeleteDiskPolicy(accountID int64, diskID string) error {
	if _, err := t.exec(`DELETE FROM disk_auto_snapshot_policies WHERE account_id = ? AND disk_id = ?`, accountID, diskID); err != nil {
		return fmt.Errorf("cancel the policy of %s: %w", diskID, err)
	}
	return nil
}

// ListDiskPolicies implements store.SnapshotTx.
func (t *tx) ListDiskPolicies(policyID, afterDiskID string, limit int) ([]store.DiskPolicy, error) {
	w := &where{}
	w.add("disk_id > ?", afterDiskID)
	w.eq("policy_id", policyID)
	out := []store.DiskPolicy{}
	var p store.DiskPolicy
	err := t.list(func(s scanner) error {
		if err := scanDiskPolicy(&p)(s); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}, `SELECT `+diskPolicyColumns+` FROM disk_auto_snapshot_policies`+w.sql()+` ORDER BY disk_id`+
		pageSQL(store.Page{Number: 1, Size: limit}), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list disk policies: %w", err)
	}
	return out, nil
}

// CountPolicyDisks implements store.SnapshotTx.
func (t *tx) CountPolicyDisks(accountID int64, policyIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(policyIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.add("account_id = ?", accountID)
	w.in("policy_id", policyIDs)
	err := t.list(func(s scanner) error {
		var id string
		var n int
		if err := s.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	}, `SELECT policy_id, COUNT(*) FROM disk_auto_snapshot_policies`+w.sql()+` GROUP BY policy_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("count policy disks: %w", err)
	}
	return out, nil
}
