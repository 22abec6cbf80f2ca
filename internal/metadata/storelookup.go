package metadata

import (
	"context"
	"encoding/base64"
	"errors"
	"net/netip"

	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/store"
)

// StoreLookup finds instances in the store, within one VPC: the network a
// guest namespace (and so one Handler) serves.
type StoreLookup struct {
	Store     store.Store
	AccountID int64
	RegionID  string
	VpcID     string
	// Gateway answers a VSwitch's gateway address; nil takes nft.Gateway
	// (what the data plane gives its bridge).
	Gateway func(vswitch netip.Prefix) netip.Addr
}

// InstanceByIP answers the instance one of whose interfaces in the VPC has
// the address, or ErrNotFound (also for an interface attached to nothing).
func (l StoreLookup) InstanceByIP(ctx context.Context, ip netip.Addr) (Instance, error) {
	var out Instance
	err := l.Store.View(ctx, func(tx store.Tx) error {
		nics, _, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{
			AccountID: l.AccountID, RegionID: l.RegionID, VpcID: l.VpcID, PrivateIPs: []string{ip.String()},
		})
		if err != nil {
			return err
		}
		if len(nics) == 0 || nics[0].InstanceID == "" {
			return ErrNotFound
		}
		inst, err := tx.GetInstance(l.AccountID, nics[0].InstanceID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		out = Instance{
			ID: inst.ID, HostName: inst.HostName, RegionID: inst.RegionID, ZoneID: inst.ZoneID, ImageID: inst.ImageID,
			InstanceType: inst.InstanceType, SerialNumber: inst.SerialNumber, OwnerAccountID: inst.AccountID,
			PublicIP: inst.PublicIP, RAMRoleName: inst.RAMRoleName,
		}
		if inst.UserData != "" {
			if out.UserData, err = base64.StdEncoding.DecodeString(inst.UserData); err != nil {
				out.UserData = []byte(inst.UserData)
			}
		}
		if inst.KeyPairName != "" {
			kp, err := tx.GetKeyPair(inst.AccountID, inst.RegionID, inst.KeyPairName)
			if err == nil && kp.PublicKey != "" {
				out.PublicKeys = []string{kp.PublicKey}
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		all, err := tx.InstanceNetworkInterfaces([]string{inst.ID})
		if err != nil {
			return err
		}
		vpcCIDR := netip.Prefix{}
		if vpc, err := tx.GetVPC(l.AccountID, inst.VpcID); err == nil {
			vpcCIDR, _ = netip.ParsePrefix(vpc.CidrBlock)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		for _, n := range all {
			ifc := Interface{ID: n.ID, MAC: n.MAC, VpcID: n.VpcID, VSwitchID: n.VSwitchID, VpcCIDR: vpcCIDR}
			ifc.PrimaryIP, _ = netip.ParseAddr(n.PrivateIP)
			if vsw, err := tx.GetVSwitch(l.AccountID, n.VSwitchID); err == nil {
				ifc.VSwitchCIDR, _ = netip.ParsePrefix(vsw.CidrBlock)
				ifc.Gateway = l.gateway(ifc.VSwitchCIDR)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			out.Interfaces = append(out.Interfaces, ifc)
		}
		return nil
	})
	return out, err
}

func (l StoreLookup) gateway(p netip.Prefix) netip.Addr {
	if !p.IsValid() {
		return netip.Addr{}
	}
	if l.Gateway != nil {
		return l.Gateway(p)
	}
	return nft.Gateway(p)
}
