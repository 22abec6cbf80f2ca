package sqlstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// instanceColumns lists the instances table's columns in the order of instanceArgs
// and scanInstance.
const instanceColumns = "id, account_id, region_id, zone_id, name, description, host_name, instance_type, " +
	"instance_type_family, cpu, memory_mib, image_id, os_name, os_type, vpc_id, vswitch_id, private_ip, public_ip, " +
	"internet_charge_type, internet_max_bandwidth_in, internet_max_bandwidth_out, instance_charge_type, status, " +
	"next_status, next_status_at, key_pair_name, password_hash, user_data, deployment_set_id, serial_number, " +
	"ram_role_name, vnc_password, operation_locks, deletion_protection, auto_release_time, stopped_mode, " +
	"created_at, started_at, driver_handle"

// instanceFamily derives the family column from the type: ecs.g5.large → ecs.g5.
func instanceFamily(instanceType string) string {
	if i := strings.LastIndexByte(instanceType, '.'); i > 0 {
		return instanceType[:i]
	}
	return instanceType
}

// instanceArgs returns the column values of in, in instanceColumns order.
func instanceArgs(in store.Instance) ([]any, error) {
	times := make([]int64, 4)
	for i, t := range []time.Time{in.NextStatusAt, in.AutoReleaseTime, in.CreatedAt, in.StartedAt} {
		n, err := toNanos(t)
		if err != nil {
			return nil, err
		}
		times[i] = n
	}
	return []any{in.ID, in.AccountID, in.RegionID, in.ZoneID, in.Name, in.Description, in.HostName, in.InstanceType,
		instanceFamily(in.InstanceType), in.CPU, in.MemoryMiB, in.ImageID, in.OSName, in.OSType, in.VpcID, in.VSwitchID,
		in.PrivateIP, in.PublicIP, in.InternetChargeType, in.InternetMaxBandwidthIn, in.InternetMaxBandwidthOut,
		in.InstanceChargeType, in.Status, in.NextStatus, times[0], in.KeyPairName, in.PasswordHash, in.UserData,
		in.DeploymentSetID, in.SerialNumber, in.RAMRoleName, in.VNCPassword, in.OperationLocks, in.DeletionProtection,
		times[1], in.StoppedMode, times[2], times[3], string(in.DriverHandle)}, nil
}

func scanInstance(in *store.Instance) func(scanner) error {
	return func(s scanner) error {
		var family, handle string
		var next, autoRelease, created, started int64
		err := s.Scan(&in.ID, &in.AccountID, &in.RegionID, &in.ZoneID, &in.Name, &in.Description, &in.HostName,
			&in.InstanceType, &family, &in.CPU, &in.MemoryMiB, &in.ImageID, &in.OSName, &in.OSType, &in.VpcID,
			&in.VSwitchID, &in.PrivateIP, &in.PublicIP, &in.InternetChargeType, &in.InternetMaxBandwidthIn,
			&in.InternetMaxBandwidthOut, &in.InstanceChargeType, &in.Status, &in.NextStatus, &next, &in.KeyPairName,
			&in.PasswordHash, &in.UserData, &in.DeploymentSetID, &in.SerialNumber, &in.RAMRoleName, &in.VNCPassword,
			&in.OperationLocks, &in.DeletionProtection, &autoRelease, &in.StoppedMode, &created, &started, &handle)
		if err != nil {
			return err
		}
		in.NextStatusAt, in.AutoReleaseTime = fromNanos(next), fromNanos(autoRelease)
		in.CreatedAt, in.StartedAt = fromNanos(created), fromNanos(started)
		in.DriverHandle = nil
		if handle != "" {
			in.DriverHandle = []byte(handle)
		}
		return nil
	}
}

// CreateInstance implements store.InstanceTx.
func (t *tx) CreateInstance(in store.Instance) error {
	args, err := instanceArgs(in)
	if err != nil {
		return fmt.Errorf("create instance %s: %w", in.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	if err := t.insert(`INSERT INTO instances (`+instanceColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("create instance %s: %w", in.ID, err)
	}
	return t.refreshInstanceTagText(in.ID) // tags written before the row
}

// GetInstance implements store.InstanceTx.
func (t *tx) GetInstance(accountID int64, id string) (store.Instance, error) {
	var in store.Instance
	if err := t.get(scanInstance(&in), `SELECT `+instanceColumns+` FROM instances WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.Instance{}, fmt.Errorf("get instance %s: %w", id, err)
	}
	return in, nil
}

// instanceWhere renders f's conditions.
func (t *tx) instanceWhere(f store.InstanceFilter) *where {
	w := &where{}
	w.owned(f.AccountID, f.IDs)
	w.eq("region_id", f.RegionID)
	w.eq("zone_id", f.ZoneID)
	w.eq("vpc_id", f.VpcID)
	w.eq("vswitch_id", f.VSwitchID)
	w.in("id", f.IDs)
	w.eq("instance_type", f.InstanceType)
	w.eq("instance_type_family", f.InstanceTypeFamily)
	w.in("private_ip", f.PrivateIPs)
	w.in("public_ip", f.PublicIPs)
	w.eq("name", f.Name)
	w.eq("image_id", f.ImageID)
	w.in("status", f.Statuses)
	w.eq("key_pair_name", f.KeyPairName)
	if f.SecurityGroupID != "" {
		w.add("id IN (SELECT instance_id FROM instance_security_groups WHERE security_group_id = ?)", f.SecurityGroupID)
	}
	t.instanceTagConditions(w, f.Tags)
	return w
}

// ListInstances implements store.InstanceTx.
func (t *tx) ListInstances(f store.InstanceFilter) ([]store.Instance, int, error) {
	return newestFirst(t, "instances", instanceColumns, t.instanceWhere(f), f.Page, f.After, scanInstance)
}

// UpdateInstance implements store.InstanceTx.
func (t *tx) UpdateInstance(in store.Instance) error {
	args, err := instanceArgs(in)
	if err != nil {
		return fmt.Errorf("update instance %s: %w", in.ID, err)
	}
	query, vals := updateAll("instances", instanceColumns, args, in.AccountID, in.ID)
	if err := t.update(query, vals...); err != nil {
		return fmt.Errorf("update instance %s: %w", in.ID, err)
	}
	return nil
}

// DeleteInstance implements store.InstanceTx.
func (t *tx) DeleteInstance(accountID int64, id string) error {
	if err := t.update(`DELETE FROM instances WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete instance %s: %w", id, err)
	}
	if _, err := t.exec(`DELETE FROM instance_security_groups WHERE instance_id = ?`, id); err != nil {
		return fmt.Errorf("delete security groups of instance %s: %w", id, err)
	}
	return nil
}

// DueInstanceTransitions implements store.InstanceTx.
func (t *tx) DueInstanceTransitions(now time.Time, limit int) ([]store.InstanceHandle, error) {
	n, err := toNanos(now)
	if err != nil {
		return nil, err
	}
	return t.instanceHandles(`next_status_at > 0 AND next_status_at <= ? ORDER BY next_status_at, id`, limit, n)
}

// CountInstances implements store.InstanceTx.
func (t *tx) CountInstances(accountID int64, regionID string) (int, error) {
	w := &where{}
	w.add("account_id = ?", accountID)
	w.eq("region_id", regionID)
	n, err := t.count("instances", w)
	if err != nil {
		return 0, fmt.Errorf("count instances: %w", err)
	}
	return n, nil
}

// SetInstanceSecurityGroups implements store.InstanceTx.
func (t *tx) SetInstanceSecurityGroups(accountID int64, instanceID string, groupIDs []string) error {
	return t.setGroupMemberships("instance_security_groups", "instance_id", accountID, instanceID, groupIDs)
}

// InstanceSecurityGroups implements store.InstanceTx.
func (t *tx) InstanceSecurityGroups(instanceID string) ([]string, error) {
	groups, err := t.SecurityGroupsOfInstances([]string{instanceID})
	if err != nil {
		return nil, err
	}
	return append([]string{}, groups[instanceID]...), nil
}

// SecurityGroupsOfInstances implements store.InstanceTx.
func (t *tx) SecurityGroupsOfInstances(instanceIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(instanceIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.in("instance_id", instanceIDs)
	err := t.list(func(s scanner) error {
		var id, g string
		if err := s.Scan(&id, &g); err != nil {
			return err
		}
		out[id] = append(out[id], g)
		return nil
	}, `SELECT instance_id, security_group_id FROM instance_security_groups`+w.sql()+` ORDER BY instance_id, position`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("security groups of instances: %w", err)
	}
	return out, nil
}

// CountSecurityGroupInstances implements store.InstanceTx.
func (t *tx) CountSecurityGroupInstances(groupID string) (int, error) {
	w := &where{}
	w.add("security_group_id = ?", groupID)
	n, err := t.count("instance_security_groups", w)
	if err != nil {
		return 0, fmt.Errorf("count instances of %s: %w", groupID, err)
	}
	return n, nil
}

// tagConditions narrows w to resources of resourceType carrying every tag (an
// empty Value matches any value).
func tagConditions(w *where, accountID int64, resourceType string, tags []store.Tag) {
	for _, tag := range tags {
		if tag.Value == "" {
			w.add("id IN (SELECT resource_id FROM tags WHERE account_id = ? AND resource_type = ? AND tag_key = ?)",
				accountID, resourceType, tag.Key)
			continue
		}
		w.add("id IN (SELECT resource_id FROM tags WHERE account_id = ? AND resource_type = ? AND tag_key = ? AND tag_value = ?)",
			accountID, resourceType, tag.Key, tag.Value)
	}
}

// InstanceHandles implements store.InstanceTx.
func (t *tx) InstanceHandles(status, afterID string, limit int) ([]store.InstanceHandle, error) {
	return t.instanceHandles(`status = ? AND id > ? ORDER BY id`, limit, status, afterID)
}

// instanceHandles lists the handles of the instances matching condition (a
// WHERE clause ending in its ORDER BY), at most limit.
func (t *tx) instanceHandles(condition string, limit int, args ...any) ([]store.InstanceHandle, error) {
	out := []store.InstanceHandle{}
	err := t.list(func(s scanner) error {
		var h store.InstanceHandle
		var handle string
		if err := s.Scan(&h.AccountID, &h.ID, &h.NextStatus, &handle); err != nil {
			return err
		}
		if handle != "" {
			h.DriverHandle = []byte(handle)
		}
		out = append(out, h)
		return nil
	}, `SELECT account_id, id, next_status, driver_handle FROM instances WHERE `+condition+
		pageSQL(store.Page{Number: 1, Size: limit}), args...)
	if err != nil {
		return nil, fmt.Errorf("instance handles: %w", err)
	}
	return out, nil
}
