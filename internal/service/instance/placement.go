package instance

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/placement"
	"github.com/ecsd/ecsd/internal/store"
)

// Instances run on the simulated hosts of their zone (catalog.ZoneHosts). The
// hosts of a launch are chosen in its transaction, from the usage the store
// keeps per host (and, with a DeploymentSetId, where the set's instances
// already are), and recorded with the instances, so capacity is taken and
// given back atomically with them: a crash can never leak it.

// placeHosts chooses the hosts of p's instances in zoneID: one for each
// instance that can be created (at least p.minAmount). A deployment set must be
// the caller's, in the region, and in the zone when it is bound to one.
func (s *Service) placeHosts(tx store.Tx, c Caller, p *plan, zoneID string) ([]catalog.Host, error) {
	req := placement.Request{Hosts: s.deps.Catalog.ZoneHosts(zoneID), Usage: map[string]placement.Usage{},
		VCPUs: p.typ.CPUCoreCount, MemoryMiB: memoryMiB(p.typ), Count: p.amount, Min: p.minAmount}
	if id := p.in.DeploymentSetID; id != "" {
		d, err := tx.GetDeploymentSet(c.AccountID, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && d.RegionID != c.RegionID {
			return nil, errDeploymentSetNotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("deployment set %s: %w", id, err)
		}
		if d.ZoneID != "" && d.ZoneID != zoneID {
			return nil, errDeploymentSetZoneMismatch()
		}
		req.Set = &placement.Policy{Domain: d.Domain, Granularity: d.Granularity, Strategy: d.Strategy}
		members, err := tx.DeploymentSetPlacements([]string{id})
		if err != nil {
			return nil, fmt.Errorf("instances of deployment set %s: %w", id, err)
		}
		for _, m := range members {
			if m.ZoneID == zoneID {
				req.Members = append(req.Members, m.HostID)
			}
		}
	}
	usage, err := tx.ZoneHostUsage(zoneID)
	if err != nil {
		return nil, fmt.Errorf("host usage of %s: %w", zoneID, err)
	}
	for _, u := range usage {
		req.Usage[u.HostID] = placement.Usage{VCPUs: u.VCPUs, MemoryMiB: u.MemoryMiB, Instances: u.Instances}
	}
	hosts, err := placement.Place(req)
	if errors.Is(err, placement.ErrNoStock) {
		return nil, p.r.errNoStock()
	}
	return hosts, err
}

// recordPlacements writes that the instances ids (in creation order) run on
// the first len(ids) hosts chosen, taking their capacity.
func recordPlacements(tx store.Tx, c Caller, p *plan, refs references, ids []string) error {
	ps := make([]store.Placement, len(ids))
	for i, id := range ids {
		ps[i] = store.Placement{InstanceID: id, AccountID: c.AccountID, ZoneID: refs.zoneID, HostID: refs.hosts[i].ID,
			DeploymentSetID: p.in.DeploymentSetID, VCPUs: p.typ.CPUCoreCount, MemoryMiB: memoryMiB(p.typ)}
	}
	if err := tx.PlaceInstances(ps); err != nil {
		return fmt.Errorf("place instances: %w", err)
	}
	return nil
}

// releasePlacement gives an instance's capacity back (an instance created
// before ecsd placed instances has none to give).
func releasePlacement(tx store.Tx, instanceID string) error {
	if _, err := tx.ReleasePlacement(instanceID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("release placement of %s: %w", instanceID, err)
	}
	return nil
}

// errNoStock: no host of the zone can take the instances, as the deployment
// set wants them if there is one. RunInstances (1.5.1) and CreateInstance
// (1.5.2) each have their code.
func (r rules) errNoStock() *apierr.Error {
	if r.create {
		return apierr.Forbidden("OperationDenied", "The resource is out of usage.")
	}
	return apierr.New("OperationDenied.NoStock", http.StatusForbidden,
		"Sales of this resource are temporarily suspended in the specified region; please try again later.")
}

// errDeploymentSetZoneMismatch: the deployment set is bound to another zone
// than the VSwitch's (the guide has no code for it; this is its code for a
// mismatched placement).
func errDeploymentSetZoneMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Conflict", "The specified zone and deployment set do not match.")
}
