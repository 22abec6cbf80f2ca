package sqlstore

import (
	"errors"
	"fmt"
	"sort"

	"github.com/ecsd/ecsd/internal/store"
)

const deploymentSetColumns = "id, account_id, region_id, zone_id, name, description, domain, granularity, strategy, created_at"

func scanDeploymentSet(d *store.DeploymentSet) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&d.ID, &d.AccountID, &d.RegionID, &d.ZoneID, &d.Name, &d.Description, &d.Domain,
			&d.Granularity, &d.Strategy, &created); err != nil {
			return err
		}
		d.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateDeploymentSet implements store.DeploymentSetTx.
func (t *tx) CreateDeploymentSet(d store.DeploymentSet) error {
	created, err := toNanos(d.CreatedAt)
	if err != nil {
		return fmt.Errorf("create deployment set %s: %w", d.ID, err)
	}
	err = t.insert(`INSERT INTO deployment_sets (`+deploymentSetColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		d.ID, d.AccountID, d.RegionID, d.ZoneID, d.Name, d.Description, d.Domain, d.Granularity, d.Strategy, created)
	if err != nil {
		return fmt.Errorf("create deployment set %s: %w", d.ID, err)
	}
	return nil
}

// GetDeploymentSet implements store.DeploymentSetTx.
func (t *tx) GetDeploymentSet(accountID int64, id string) (store.DeploymentSet, error) {
	var d store.DeploymentSet
	err := t.get(scanDeploymentSet(&d), `SELECT `+deploymentSetColumns+` FROM deployment_sets WHERE account_id = ? AND id = ?`,
		accountID, id)
	if err != nil {
		return store.DeploymentSet{}, fmt.Errorf("get deployment set %s: %w", id, err)
	}
	return d, nil
}

// ListDeploymentSets implements store.DeploymentSetTx.
func (t *tx) ListDeploymentSets(f store.DeploymentSetFilter) ([]store.DeploymentSet, int, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.eq("name", f.Name)
	w.eq("domain", f.Domain)
	w.eq("granularity", f.Granularity)
	w.eq("strategy", f.Strategy)
	return newestFirst(t, "deployment_sets", deploymentSetColumns, w, f.Page, nil, scanDeploymentSet)
}

// UpdateDeploymentSet implements store.DeploymentSetTx.
func (t *tx) UpdateDeploymentSet(d store.DeploymentSet) error {
	err := t.update(`UPDATE deployment_sets SET name = ?, description = ? WHERE account_id = ? AND id = ?`,
		d.Name, d.Description, d.AccountID, d.ID)
	if err != nil {
		return fmt.Errorf("update deployment set %s: %w", d.ID, err)
	}
	return nil
}

// DeleteDeploymentSet implements store.DeploymentSetTx.
func (t *tx) DeleteDeploymentSet(accountID int64, id string) error {
	if err := t.update(`DELETE FROM deployment_sets WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete deployment set %s: %w", id, err)
	}
	return nil
}

// CountDeploymentSets implements store.DeploymentSetTx.
func (t *tx) CountDeploymentSets(accountID int64, regionID string) (int, error) {
	w := &where{}
	w.add("account_id = ?", accountID)
	w.add("region_id = ?", regionID)
	n, err := t.count("deployment_sets", w)
	if err != nil {
		return 0, fmt.Errorf("count deployment sets: %w", err)
	}
	return n, nil
}

const placementColumns = "instance_id, account_id, zone_id, host_id, deployment_set_id, vcpus, memory_mib"

func scanPlacement(p *store.Placement) func(scanner) error {
	return func(s scanner) error {
		return s.Scan(&p.InstanceID, &p.AccountID, &p.ZoneID, &p.HostID, &p.DeploymentSetID, &p.VCPUs, &p.MemoryMiB)
	}
}

// PlaceInstances implements store.PlacementTx: it inserts the placements, then
// adds them to their hosts' usage, one statement a host.
func (t *tx) PlaceInstances(ps []store.Placement) error {
	usage := map[string]*store.HostUsage{}
	var conflict error
	for _, p := range ps {
		err := t.insert(`INSERT INTO instance_placements (`+placementColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			p.InstanceID, p.AccountID, p.ZoneID, p.HostID, p.DeploymentSetID, p.VCPUs, p.MemoryMiB)
		if errors.Is(err, store.ErrConflict) {
			conflict = fmt.Errorf("place instance %s: %w", p.InstanceID, err)
			break
		}
		if err != nil {
			return fmt.Errorf("place instance %s: %w", p.InstanceID, err)
		}
		u := usage[p.HostID]
		if u == nil {
			u = &store.HostUsage{HostID: p.HostID, ZoneID: p.ZoneID}
			usage[p.HostID] = u
		}
		u.VCPUs, u.MemoryMiB, u.Instances = u.VCPUs+p.VCPUs, u.MemoryMiB+p.MemoryMiB, u.Instances+1
	}
	hosts := make([]string, 0, len(usage))
	for h := range usage {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts) // one lock order for every writer
	for _, h := range hosts {
		u := usage[h]
		_, err := t.exec(`INSERT INTO host_usage (host_id, zone_id, vcpus, memory_mib, instances) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (host_id) DO UPDATE SET vcpus = host_usage.vcpus + excluded.vcpus,
			memory_mib = host_usage.memory_mib + excluded.memory_mib, instances = host_usage.instances + excluded.instances`,
			u.HostID, u.ZoneID, u.VCPUs, u.MemoryMiB, u.Instances)
		if err != nil {
			return fmt.Errorf("usage of host %s: %w", h, err)
		}
	}
	return conflict
}

// ReleasePlacement implements store.PlacementTx.
func (t *tx) ReleasePlacement(instanceID string) (store.Placement, error) {
	p, err := t.GetPlacement(instanceID)
	if err != nil {
		return store.Placement{}, err
	}
	if err := t.update(`DELETE FROM instance_placements WHERE instance_id = ?`, instanceID); err != nil {
		return store.Placement{}, fmt.Errorf("release placement of %s: %w", instanceID, err)
	}
	_, err = t.exec(`UPDATE host_usage SET vcpus = vcpus - ?, memory_mib = memory_mib - ?, instances = instances - 1
		WHERE host_id = ?`, p.VCPUs, p.MemoryMiB, p.HostID)
	if err == nil {
		_, err = t.exec(`DELETE FROM host_usage WHERE host_id = ? AND instances <= 0`, p.HostID)
	}
	if err != nil {
		return store.Placement{}, fmt.Errorf("usage of host %s: %w", p.HostID, err)
	}
	return p, nil
}

// GetPlacement implements store.PlacementTx.
func (t *tx) GetPlacement(instanceID string) (store.Placement, error) {
	var p store.Placement
	if err := t.get(scanPlacement(&p), `SELECT `+placementColumns+` FROM instance_placements WHERE instance_id = ?`, instanceID); err != nil {
		return store.Placement{}, fmt.Errorf("placement of %s: %w", instanceID, err)
	}
	return p, nil
}

// ZoneHostUsage implements store.PlacementTx.
func (t *tx) ZoneHostUsage(zoneID string) ([]store.HostUsage, error) {
	out := []store.HostUsage{}
	err := t.list(func(s scanner) error {
		var u store.HostUsage
		if err := s.Scan(&u.HostID, &u.ZoneID, &u.VCPUs, &u.MemoryMiB, &u.Instances); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	}, `SELECT host_id, zone_id, vcpus, memory_mib, instances FROM host_usage WHERE zone_id = ? ORDER BY host_id`, zoneID)
	if err != nil {
		return nil, fmt.Errorf("usage of zone %s: %w", zoneID, err)
	}
	return out, nil
}

// DeploymentSetPlacements implements store.PlacementTx.
func (t *tx) DeploymentSetPlacements(setIDs []string) ([]store.Placement, error) {
	out := []store.Placement{}
	if len(setIDs) == 0 {
		return out, nil
	}
	w := &where{}
	w.in("deployment_set_id", setIDs)
	err := t.list(func(s scanner) error {
		var p store.Placement
		if err := scanPlacement(&p)(s); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}, `SELECT `+placementColumns+` FROM instance_placements`+w.sql()+` ORDER BY deployment_set_id, host_id, instance_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("placements of deployment sets: %w", err)
	}
	return out, nil
}
