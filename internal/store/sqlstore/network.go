package sqlstore

import (
	"fmt"

	"github.com/ecsd/ecsd/internal/store"
)

const vpcColumns = "id, account_id, region_id, name, description, cidr_block, status, vrouter_id, route_table_id, is_default, created_at"

func scanVPC(v *store.VPC) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&v.ID, &v.AccountID, &v.RegionID, &v.Name, &v.Description, &v.CidrBlock, &v.Status,
			&v.VRouterID, &v.RouteTableID, &v.IsDefault, &created); err != nil {
			return err
		}
		v.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateVPC implements store.NetworkTx.
func (t *tx) CreateVPC(v store.VPC) error {
	created, err := toNanos(v.CreatedAt)
	if err != nil {
		return fmt.Errorf("create vpc %s: %w", v.ID, err)
	}
	err = t.insert(`INSERT INTO vpcs (`+vpcColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		v.ID, v.AccountID, v.RegionID, v.Name, v.Description, v.CidrBlock, v.Status, v.VRouterID, v.RouteTableID, v.IsDefault, created)
	if err != nil {
		return fmt.Errorf("create vpc %s: %w", v.ID, err)
	}
	return nil
}

// GetVPC implements store.NetworkTx.
func (t *tx) GetVPC(accountID int64, id string) (store.VPC, error) {
	var v store.VPC
	if err := t.get(scanVPC(&v), `SELECT `+vpcColumns+` FROM vpcs WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.VPC{}, fmt.Errorf("get vpc %s: %w", id, err)
	}
	return v, nil
}

// ListVPCs implements store.NetworkTx.
func (t *tx) ListVPCs(f store.VPCFilter) ([]store.VPC, int, error) {
	w := &where{}
	w.owned(f.AccountID, f.IDs)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.eq("name", f.Name)
	w.boolean("is_default", f.IsDefault)
	total, err := t.count("vpcs", w)
	if err != nil {
		return nil, 0, fmt.Errorf("count vpcs: %w", err)
	}
	out := []store.VPC{}
	var v store.VPC
	err = t.list(func(s scanner) error {
		if err := scanVPC(&v)(s); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, `SELECT `+vpcColumns+` FROM vpcs`+w.sql()+` ORDER BY created_at DESC, id`+pageSQL(f.Page), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list vpcs: %w", err)
	}
	return out, total, nil
}

// UpdateVPC implements store.NetworkTx.
func (t *tx) UpdateVPC(v store.VPC) error {
	err := t.update(`UPDATE vpcs SET name = ?, description = ?, status = ?, cidr_block = ? WHERE account_id = ? AND id = ?`,
		v.Name, v.Description, v.Status, v.CidrBlock, v.AccountID, v.ID)
	if err != nil {
		return fmt.Errorf("update vpc %s: %w", v.ID, err)
	}
	return nil
}

// DeleteVPC implements store.NetworkTx.
func (t *tx) DeleteVPC(accountID int64, id string) error {
	if err := t.update(`DELETE FROM vpcs WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete vpc %s: %w", id, err)
	}
	return nil
}

const vswitchColumns = "id, account_id, region_id, vpc_id, zone_id, name, description, cidr_block, status, is_default, created_at"

func scanVSwitch(v *store.VSwitch) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&v.ID, &v.AccountID, &v.RegionID, &v.VpcID, &v.ZoneID, &v.Name, &v.Description,
			&v.CidrBlock, &v.Status, &v.IsDefault, &created); err != nil {
			return err
		}
		v.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateVSwitch implements store.NetworkTx.
func (t *tx) CreateVSwitch(v store.VSwitch) error {
	created, err := toNanos(v.CreatedAt)
	if err != nil {
		return fmt.Errorf("create vswitch %s: %w", v.ID, err)
	}
	err = t.insert(`INSERT INTO vswitches (`+vswitchColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		v.ID, v.AccountID, v.RegionID, v.VpcID, v.ZoneID, v.Name, v.Description, v.CidrBlock, v.Status, v.IsDefault, created)
	if err != nil {
		return fmt.Errorf("create vswitch %s: %w", v.ID, err)
	}
	return nil
}

// GetVSwitch implements store.NetworkTx.
func (t *tx) GetVSwitch(accountID int64, id string) (store.VSwitch, error) {
	var v store.VSwitch
	if err := t.get(scanVSwitch(&v), `SELECT `+vswitchColumns+` FROM vswitches WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.VSwitch{}, fmt.Errorf("get vswitch %s: %w", id, err)
	}
	return v, nil
}

// ListVSwitches implements store.NetworkTx.
func (t *tx) ListVSwitches(f store.VSwitchFilter) ([]store.VSwitch, int, error) {
	w := &where{}
	w.owned(f.AccountID, f.IDs)
	w.eq("region_id", f.RegionID)
	w.eq("vpc_id", f.VpcID)
	w.eq("zone_id", f.ZoneID)
	w.in("id", f.IDs)
	w.eq("name", f.Name)
	w.boolean("is_default", f.IsDefault)
	total, err := t.count("vswitches", w)
	if err != nil {
		return nil, 0, fmt.Errorf("count vswitches: %w", err)
	}
	out := []store.VSwitch{}
	var v store.VSwitch
	err = t.list(func(s scanner) error {
		if err := scanVSwitch(&v)(s); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, `SELECT `+vswitchColumns+` FROM vswitches`+w.sql()+` ORDER BY created_at DESC, id`+pageSQL(f.Page), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list vswitches: %w", err)
	}
	return out, total, nil
}

// UpdateVSwitch implements store.NetworkTx.
func (t *tx) UpdateVSwitch(v store.VSwitch) error {
	err := t.update(`UPDATE vswitches SET name = ?, description = ?, status = ? WHERE account_id = ? AND id = ?`,
		v.Name, v.Description, v.Status, v.AccountID, v.ID)
	if err != nil {
		return fmt.Errorf("update vswitch %s: %w", v.ID, err)
	}
	return nil
}

// DeleteVSwitch implements store.NetworkTx.
func (t *tx) DeleteVSwitch(accountID int64, id string) error {
	if err := t.update(`DELETE FROM vswitches WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete vswitch %s: %w", id, err)
	}
	return nil
}

const privateIPColumns = "vswitch_id, address, account_id, owner_type, owner_id, created_at"

func scanPrivateIP(ip *store.PrivateIP) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&ip.VSwitchID, &ip.Address, &ip.AccountID, &ip.OwnerType, &ip.OwnerID, &created); err != nil {
			return err
		}
		ip.CreatedAt = fromNanos(created)
		return nil
	}
}

// AllocatePrivateIP implements store.NetworkTx.
func (t *tx) AllocatePrivateIP(ip store.PrivateIP) error {
	created, err := toNanos(ip.CreatedAt)
	if err != nil {
		return fmt.Errorf("allocate %s in %s: %w", ip.Address, ip.VSwitchID, err)
	}
	err = t.insert(`INSERT INTO private_ips (`+privateIPColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		ip.VSwitchID, ip.Address, ip.AccountID, ip.OwnerType, ip.OwnerID, created)
	if err != nil {
		return fmt.Errorf("allocate %s in %s: %w", ip.Address, ip.VSwitchID, err)
	}
	return nil
}

// ReleasePrivateIP implements store.NetworkTx.
func (t *tx) ReleasePrivateIP(vswitchID, address string) error {
	if err := t.update(`DELETE FROM private_ips WHERE vswitch_id = ? AND address = ?`, vswitchID, address); err != nil {
		return fmt.Errorf("release %s in %s: %w", address, vswitchID, err)
	}
	return nil
}

// ListPrivateIPs implements store.NetworkTx.
func (t *tx) ListPrivateIPs(vswitchID string) ([]store.PrivateIP, error) {
	out := []store.PrivateIP{}
	var ip store.PrivateIP
	err := t.list(func(s scanner) error {
		if err := scanPrivateIP(&ip)(s); err != nil {
			return err
		}
		out = append(out, ip)
		return nil
	}, `SELECT `+privateIPColumns+` FROM private_ips WHERE vswitch_id = ? ORDER BY address`, vswitchID)
	if err != nil {
		return nil, fmt.Errorf("list private ips of %s: %w", vswitchID, err)
	}
	return out, nil
}

// CountPrivateIPs implements store.NetworkTx.
func (t *tx) CountPrivateIPs(vswitchID string) (int, error) {
	w := &where{}
	w.add("vswitch_id = ?", vswitchID)
	n, err := t.count("private_ips", w)
	if err != nil {
		return 0, fmt.Errorf("count private ips of %s: %w", vswitchID, err)
	}
	return n, nil
}

func scanFreeRange(r *store.FreeRange) func(scanner) error {
	return func(s scanner) error {
		var first, last int64
		if err := s.Scan(&r.VSwitchID, &first, &last); err != nil {
			return err
		}
		r.First, r.Last = uint32(first), uint32(last)
		return nil
	}
}

// LowestFreeRange implements store.NetworkTx.
func (t *tx) LowestFreeRange(vswitchID string) (store.FreeRange, error) {
	var r store.FreeRange
	err := t.get(scanFreeRange(&r), `SELECT vswitch_id, first_addr, last_addr FROM vswitch_free_ranges
		WHERE vswitch_id = ? ORDER BY first_addr LIMIT 1`, vswitchID)
	if err != nil {
		return store.FreeRange{}, fmt.Errorf("lowest free range of %s: %w", vswitchID, err)
	}
	return r, nil
}

// FreeRangeFrom implements store.NetworkTx.
func (t *tx) FreeRangeFrom(vswitchID string, addr uint32) (store.FreeRange, error) {
	var r store.FreeRange
	err := t.get(scanFreeRange(&r), `SELECT vswitch_id, first_addr, last_addr FROM vswitch_free_ranges
		WHERE vswitch_id = ? AND first_addr <= ? ORDER BY first_addr DESC LIMIT 1`, vswitchID, int64(addr))
	if err != nil {
		return store.FreeRange{}, fmt.Errorf("free range of %s from %d: %w", vswitchID, addr, err)
	}
	return r, nil
}

// PutFreeRange implements store.NetworkTx.
func (t *tx) PutFreeRange(r store.FreeRange) error {
	_, err := t.exec(`INSERT INTO vswitch_free_ranges (vswitch_id, first_addr, last_addr) VALUES (?, ?, ?)
		ON CONFLICT (vswitch_id, first_addr) DO UPDATE SET last_addr = excluded.last_addr`,
		r.VSwitchID, int64(r.First), int64(r.Last))
	if err != nil {
		return fmt.Errorf("put free range %d-%d of %s: %w", r.First, r.Last, r.VSwitchID, err)
	}
	return nil
}

// DeleteFreeRange implements store.NetworkTx.
func (t *tx) DeleteFreeRange(vswitchID string, first uint32) error {
	err := t.update(`DELETE FROM vswitch_free_ranges WHERE vswitch_id = ? AND first_addr = ?`, vswitchID, int64(first))
	if err != nil {
		return fmt.Errorf("delete free range %d of %s: %w", first, vswitchID, err)
	}
	return nil
}

// DeleteFreeRanges implements store.NetworkTx.
func (t *tx) DeleteFreeRanges(vswitchID string) error {
	if _, err := t.exec(`DELETE FROM vswitch_free_ranges WHERE vswitch_id = ?`, vswitchID); err != nil {
		return fmt.Errorf("delete free ranges of %s: %w", vswitchID, err)
	}
	return nil
}
