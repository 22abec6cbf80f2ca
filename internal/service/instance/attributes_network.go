package instance

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// AllocatePublicIP gives a Running or Stopped instance a public IP address
// from the public pool RunInstances uses, or returns the one it has (guide
// 1.10.1); it takes effect when the instance next starts. With requested the
// address must be free (IpInUse) and the instance must not have another one
// (AllocatedAlready). All ecsd instances are in a VPC: one without public
// bandwidth (InternetMaxBandwidthOut 0) is refused with the guide's
// OperationDenied for VPC instances. An exhausted pool is InsufficientPublicIp.
func (s *Service) AllocatePublicIP(ctx context.Context, c Caller, instanceID, requested string) (string, error) {
	var addr string
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, err := getInstance(tx, c, instanceID, ErrNotFoundInRecords())
		if err != nil {
			return err
		}
		if Locked(inst, LockSecurity) {
			return ErrLockedForSecurity()
		}
		if !s.settledIn(inst, StatusRunning, StatusStopped) {
			return ErrIncorrectStatus()
		}
		if inst.PublicIP != "" {
			if requested != "" && requested != inst.PublicIP {
				return errPublicIPAllocatedAlready()
			}
			addr = inst.PublicIP
			return nil
		}
		if inst.InternetMaxBandwidthOut == 0 {
			return errPublicIPInVpc()
		}
		if addr, err = s.takePublicIP(tx, inst, requested); err != nil {
			return err
		}
		inst.PublicIP = addr
		return tx.UpdateInstance(inst)
	})
	if err != nil {
		return "", fmt.Errorf("allocate a public ip for %s: %w", instanceID, err)
	}
	return addr, nil
}

// NetworkSpecInput holds what ModifyInstanceNetworkSpec may change; nil is
// left as it is (guide 1.10.2).
type NetworkSpecInput struct {
	InstanceID string
	// BandwidthOut is InternetMaxBandwidthOut, 0–100 Mbit/s.
	BandwidthOut *int
	// BandwidthIn is InternetMaxBandwidthIn, 1–200 Mbit/s.
	BandwidthIn *int
	// ChargeType is the SDK's NetworkChargeType (PayByTraffic, PayByBandwidth).
	ChargeType string
	// AllocatePublicIP is the SDK's AllocatePublicIp: nil or true lets a change
	// of BandwidthOut from 0 allocate a public IP; false does not.
	AllocatePublicIP *bool
}

// ModifyNetworkSpec changes a Running or Stopped instance's public bandwidth
// (guide 1.10.2). Raising InternetMaxBandwidthOut from 0 gives the instance a
// public IP from the pool (unless AllocatePublicIp is false), lowering it to 0
// releases the instance's public IP: a VPC instance has a public IP exactly
// while it has public bandwidth.
func (s *Service) ModifyNetworkSpec(ctx context.Context, c Caller, in NetworkSpecInput) error {
	if in.BandwidthOut != nil && (*in.BandwidthOut < 0 || *in.BandwidthOut > bandwidthOutMax) {
		return errSpecBandwidthOut()
	}
	if in.BandwidthIn != nil && (*in.BandwidthIn < bandwidthInMin || *in.BandwidthIn > bandwidthInMax) {
		return errSpecBandwidthIn()
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, err := getInstance(tx, c, in.InstanceID, ErrNotFoundInRecords())
		if err != nil {
			return err
		}
		if Locked(inst, LockSecurity) {
			return ErrLockedForSecurity()
		}
		if !s.settledIn(inst, StatusRunning, StatusStopped) {
			return ErrIncorrectStatus()
		}
		if in.BandwidthIn != nil {
			inst.InternetMaxBandwidthIn = *in.BandwidthIn
		}
		if in.ChargeType != "" {
			inst.InternetChargeType = in.ChargeType
		}
		if in.BandwidthOut != nil {
			if err := s.changeBandwidthOut(tx, &inst, *in.BandwidthOut, in.AllocatePublicIP == nil || *in.AllocatePublicIP); err != nil {
				return err
			}
		}
		return tx.UpdateInstance(inst)
	})
	if err != nil {
		return fmt.Errorf("modify network spec of %s: %w", in.InstanceID, err)
	}
	return nil
}

// changeBandwidthOut sets the instance's outbound bandwidth and takes or gives
// back its public IP accordingly.
func (s *Service) changeBandwidthOut(tx store.Tx, inst *store.Instance, out int, allocate bool) error {
	inst.InternetMaxBandwidthOut = out
	switch {
	case out == 0 && inst.PublicIP != "":
		if err := releasePublicIP(tx, inst.PublicIP); err != nil {
			return err
		}
		inst.PublicIP = ""
	case out > 0 && inst.PublicIP == "" && allocate:
		addr, err := s.takePublicIP(tx, *inst, "")
		if err != nil {
			return err
		}
		inst.PublicIP = addr
	}
	return nil
}

// takePublicIP gives the instance an address of the public pool inside tx:
// requested when given (it must lie in the pool and be free), else the lowest
// free one.
func (s *Service) takePublicIP(tx store.Tx, inst store.Instance, requested string) (string, error) {
	if requested == "" {
		addr, err := s.allocatePublicIP(tx, inst.AccountID, inst.ID)
		if errors.Is(err, errNoPublicIP()) {
			return "", errPublicIPInsufficient()
		}
		return addr, err
	}
	a, err := netip.ParseAddr(requested)
	pool := s.deps.PublicIPPool
	if err != nil || !a.Is4() || !pool.Contains(a) || a == pool.Addr() || !pool.Contains(a.Next()) {
		// Outside the pool, or its network or broadcast address.
		return "", apierr.InvalidParameter("IpAddress")
	}
	err = tx.AllocatePrivateIP(store.PrivateIP{AccountID: inst.AccountID, VSwitchID: publicIPPoolKey, Address: a.String(),
		OwnerType: ownerPublicIP, OwnerID: inst.ID, CreatedAt: s.now()})
	if errors.Is(err, store.ErrConflict) {
		return "", errPublicIPInUse()
	}
	if err != nil {
		return "", fmt.Errorf("allocate public ip %s: %w", a, err)
	}
	return a.String(), nil
}
