package instance

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
)

// ModifyVpcAttribute moves a Stopped instance to another VSwitch of its VPC
// and zone, or gives it another private address (guide 1.5.16). Without
// privateIP the lowest free address of the VSwitch is taken. The old address
// is released and the new one allocated in the same transaction. The instance
// must have been started at least once, and its address may change only once
// per stop: a second change before the next start is InvalidPrivateIp.Changing.
// Naming the instance's current VSwitch (and its current address, or none)
// changes nothing.
func (s *Service) ModifyVpcAttribute(ctx context.Context, c Caller, instanceID, vswitchID, privateIP string) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, err := getInstance(tx, c, instanceID, errVpcInstanceNotFound())
		if err != nil {
			return err
		}
		if inst.VpcID == "" {
			return errVpcNotInVpc()
		}
		w, err := tx.GetVSwitch(inst.AccountID, vswitchID)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && w.RegionID != inst.RegionID:
			return errVSwitchNotFound()
		case err != nil:
			return fmt.Errorf("get vswitch %s: %w", vswitchID, err)
		case w.VpcID != inst.VpcID:
			return errVpcVSwitchNotInVpc()
		case w.ZoneID != inst.ZoneID:
			return errVpcVSwitchZone()
		}
		if !s.settledIn(inst, StatusStopped) || inst.StartedAt.IsZero() {
			return errVpcIncorrectStatus()
		}
		if w.ID == inst.VSwitchID && (privateIP == "" || privateIP == inst.PrivateIP) {
			return nil
		}
		changed, err := addressChangedSinceStart(tx, inst)
		if err != nil {
			return err
		}
		if changed {
			return errVpcPrivateIPChanging()
		}
		if inst.PrivateIP != "" {
			if err := s.deps.Network.ReleasePrivateIP(tx, inst.VSwitchID, inst.PrivateIP); err != nil {
				return err
			}
		}
		addr, err := s.deps.Network.AllocatePrivateIP(tx, inst.AccountID, w.ID, privateIP, network.OwnerInstance, inst.ID)
		if err != nil {
			return err
		}
		inst.VSwitchID, inst.PrivateIP = w.ID, addr
		if err := tx.UpdateInstance(inst); err != nil {
			return err
		}
		return syncPrimaryNIC(tx, inst)
	})
	if err != nil {
		return fmt.Errorf("modify vpc attribute of %s: %w", instanceID, err)
	}
	return nil
}

// addressChangedSinceStart reports whether the instance's private address was
// allocated after it last started: by an earlier ModifyInstanceVpcAttribute of
// this stop (the address a launch allocates predates the first start).
func addressChangedSinceStart(tx store.Tx, inst store.Instance) (bool, error) {
	if inst.PrivateIP == "" {
		return false, nil
	}
	ips, err := tx.ListPrivateIPs(inst.VSwitchID)
	if err != nil {
		return false, fmt.Errorf("private ips of %s: %w", inst.VSwitchID, err)
	}
	for _, ip := range ips {
		if ip.Address == inst.PrivateIP && ip.OwnerID == inst.ID {
			return ip.CreatedAt.After(inst.StartedAt), nil
		}
	}
	return false, nil
}
