package sqlstore

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// networkInterfaceColumns starts with id, account_id, region_id (see updateAll).
const networkInterfaceColumns = "id, account_id, region_id, zone_id, vpc_id, vswitch_id, type, name, description, " +
	"status, instance_id, private_ip, mac_address, created_at, attached_at"

// networkInterfaceArgs returns n's column values in networkInterfaceColumns order;
// an empty MAC is stored as NULL.
func networkInterfaceArgs(n store.NetworkInterface) ([]any, error) {
	created, err := toNanos(n.CreatedAt)
	if err != nil {
		return nil, err
	}
	attached, err := toNanos(n.AttachedAt)
	if err != nil {
		return nil, err
	}
	mac := sql.NullString{String: n.MAC, Valid: n.MAC != ""}
	return []any{n.ID, n.AccountID, n.RegionID, n.ZoneID, n.VpcID, n.VSwitchID, n.Type, n.Name, n.Description,
		n.Status, n.InstanceID, n.PrivateIP, mac, created, attached}, nil
}

func scanNetworkInterface(n *store.NetworkInterface) func(scanner) error {
	return func(s scanner) error {
		var mac sql.NullString
		var created, attached int64
		if err := s.Scan(&n.ID, &n.AccountID, &n.RegionID, &n.ZoneID, &n.VpcID, &n.VSwitchID, &n.Type, &n.Name,
			&n.Description, &n.Status, &n.InstanceID, &n.PrivateIP, &mac, &created, &attached); err != nil {
			return err
		}
		n.MAC, n.CreatedAt, n.AttachedAt = mac.String, fromNanos(created), fromNanos(attached)
		return nil
	}
}

// CreateNetworkInterface implements store.NetworkInterfaceTx.
func (t *tx) CreateNetworkInterface(n store.NetworkInterface) error {
	args, err := networkInterfaceArgs(n)
	if err != nil {
		return fmt.Errorf("create network interface %s: %w", n.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	err = t.insert(`INSERT INTO network_interfaces (`+networkInterfaceColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("create network interface %s: %w", n.ID, err)
	}
	return nil
}

// GetNetworkInterface implements store.NetworkInterfaceTx.
func (t *tx) GetNetworkInterface(accountID int64, id string) (store.NetworkInterface, error) {
	var n store.NetworkInterface
	err := t.get(scanNetworkInterface(&n), `SELECT `+networkInterfaceColumns+` FROM network_interfaces WHERE account_id = ? AND id = ?`,
		accountID, id)
	if err != nil {
		return store.NetworkInterface{}, fmt.Errorf("get network interface %s: %w", id, err)
	}
	return n, nil
}

// networkInterfaceWhere renders f's conditions.
func networkInterfaceWhere(f store.NetworkInterfaceFilter) *where {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.eq("instance_id", f.InstanceID)
	w.eq("vpc_id", f.VpcID)
	w.eq("vswitch_id", f.VSwitchID)
	w.eq("type", f.Type)
	w.eq("name", f.Name)
	w.in("private_ip", f.PrivateIPs)
	w.in("status", f.Statuses)
	if f.SecurityGroupID != "" {
		w.add(`(id IN (SELECT network_interface_id FROM network_interface_security_groups WHERE security_group_id = ?)
			OR (type = ? AND instance_id IN (SELECT instance_id FROM instance_security_groups WHERE security_group_id = ?)))`,
			f.SecurityGroupID, store.NetworkInterfacePrimary, f.SecurityGroupID)
	}
	tagConditions(w, f.AccountID, store.TagTypeNetworkInterface, f.Tags)
	return w
}

// ListNetworkInterfaces implements store.NetworkInterfaceTx.
func (t *tx) ListNetworkInterfaces(f store.NetworkInterfaceFilter) ([]store.NetworkInterface, int, error) {
	return newestFirst(t, "network_interfaces", networkInterfaceColumns, networkInterfaceWhere(f), f.Page, f.After,
		scanNetworkInterface)
}

// UpdateNetworkInterface implements store.NetworkInterfaceTx.
func (t *tx) UpdateNetworkInterface(n store.NetworkInterface) error {
	args, err := networkInterfaceArgs(n)
	if err != nil {
		return fmt.Errorf("update network interface %s: %w", n.ID, err)
	}
	if n.MAC != "" {
		taken, err := t.macTakenByOther(n.MAC, n.ID)
		if err != nil {
			return fmt.Errorf("update network interface %s: %w", n.ID, err)
		}
		if taken {
			return fmt.Errorf("update network interface %s: MAC %s: %w", n.ID, n.MAC, store.ErrConflict)
		}
	}
	query, vals := updateAll("network_interfaces", networkInterfaceColumns, args, n.AccountID, n.ID)
	if err := t.update(query, vals...); err != nil {
		return fmt.Errorf("update network interface %s: %w", n.ID, err)
	}
	return nil
}

// macTakenByOther reports whether an interface other than id has the MAC, so
// that an update never runs into the unique index (which would poison a
// PostgreSQL transaction).
func (t *tx) macTakenByOther(mac, id string) (bool, error) {
	var n int
	err := t.get(func(s scanner) error { return s.Scan(&n) },
		`SELECT COUNT(*) FROM network_interfaces WHERE mac_address = ? AND id <> ?`, mac, id)
	return n > 0, err
}

// DeleteNetworkInterface implements store.NetworkInterfaceTx.
func (t *tx) DeleteNetworkInterface(accountID int64, id string) error {
	if err := t.update(`DELETE FROM network_interfaces WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete network interface %s: %w", id, err)
	}
	if _, err := t.exec(`DELETE FROM network_interface_security_groups WHERE network_interface_id = ?`, id); err != nil {
		return fmt.Errorf("delete security groups of network interface %s: %w", id, err)
	}
	return nil
}

// InstanceNetworkInterfaces implements store.NetworkInterfaceTx.
func (t *tx) InstanceNetworkInterfaces(instanceIDs []string) ([]store.NetworkInterface, error) {
	out := []store.NetworkInterface{}
	if len(instanceIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.in("instance_id", instanceIDs)
	var n store.NetworkInterface
	err := t.list(func(s scanner) error {
		if err := scanNetworkInterface(&n)(s); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	}, `SELECT `+networkInterfaceColumns+` FROM network_interfaces`+w.sql()+
		` ORDER BY instance_id, CASE WHEN type = 'Primary' THEN 0 ELSE 1 END, attached_at, id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("network interfaces of instances: %w", err)
	}
	return out, nil
}

// NetworkInterfaceMACTaken implements store.NetworkInterfaceTx.
func (t *tx) NetworkInterfaceMACTaken(mac string) (bool, error) {
	taken, err := t.macTakenByOther(mac, "")
	if err != nil {
		return false, fmt.Errorf("look up MAC %s: %w", mac, err)
	}
	return taken, nil
}

// CountNetworkInterfaces implements store.NetworkInterfaceTx.
func (t *tx) CountNetworkInterfaces(accountID int64, regionID, typ string) (int, error) {
	w := &where{}
	w.add("account_id = ?", accountID)
	w.eq("region_id", regionID)
	w.eq("type", typ)
	n, err := t.count("network_interfaces", w)
	if err != nil {
		return 0, fmt.Errorf("count network interfaces: %w", err)
	}
	return n, nil
}

// SetNetworkInterfaceSecurityGroups implements store.NetworkInterfaceTx.
func (t *tx) SetNetworkInterfaceSecurityGroups(accountID int64, id string, groupIDs []string) error {
	return t.setGroupMemberships("network_interface_security_groups", "network_interface_id", accountID, id, groupIDs)
}

// NetworkInterfaceSecurityGroups implements store.NetworkInterfaceTx.
func (t *tx) NetworkInterfaceSecurityGroups(ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	w := &where{}
	w.in("network_interface_id", ids)
	err := t.list(func(s scanner) error {
		var id, g string
		if err := s.Scan(&id, &g); err != nil {
			return err
		}
		out[id] = append(out[id], g)
		return nil
	}, `SELECT network_interface_id, security_group_id FROM network_interface_security_groups`+w.sql()+
		` ORDER BY network_interface_id, position`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("security groups of network interfaces: %w", err)
	}
	return out, nil
}

// CountSecurityGroupNetworkInterfaces implements store.NetworkInterfaceTx.
func (t *tx) CountSecurityGroupNetworkInterfaces(groupID string) (int, error) {
	w := &where{}
	w.add("security_group_id = ?", groupID)
	n, err := t.count("network_interface_security_groups", w)
	if err != nil {
		return 0, fmt.Errorf("count network interfaces of %s: %w", groupID, err)
	}
	return n, nil
}
