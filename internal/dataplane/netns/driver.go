package netns

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/ecsd/ecsd/internal/driver"
)

// DriverNetwork adapts a Plane to what compute drivers plug (the qemu driver's
// Network interface): network interfaces described by driver.NICSpec.
type DriverNetwork struct {
	// Plane is the data plane the interfaces are plugged into.
	Plane *Plane
}

// Plug plugs nic (which needs its VPC, VSwitch, VSwitch block and private IP)
// and returns the namespace QEMU must run in and the tap it opens.
func (n DriverNetwork) Plug(ctx context.Context, nic driver.NICSpec) (netnsName, tap string, err error) {
	port, err := PortOf(nic)
	if err != nil {
		return "", "", err
	}
	a, err := n.Plane.Plug(ctx, port)
	if err != nil {
		return "", "", err
	}
	return a.Netns, a.Tap, nil
}

// Unplug removes nic's tap.
func (n DriverNetwork) Unplug(ctx context.Context, nic driver.NICSpec) error {
	return n.Plane.Unplug(ctx, nic.VPCID, nic.NetworkInterfaceID)
}

// PortOf returns the Port of a driver's network interface; a NIC without VPC,
// VSwitch, VSwitch block or private IP is driver.ErrInvalidArgument.
func PortOf(nic driver.NICSpec) (Port, error) {
	ip, err := netip.ParseAddr(nic.PrivateIP)
	if err != nil {
		return Port{}, fmt.Errorf("%w: NIC %s: private IP %q", driver.ErrInvalidArgument, nic.NetworkInterfaceID, nic.PrivateIP)
	}
	block, err := netip.ParsePrefix(nic.VSwitchCIDR)
	if err != nil {
		return Port{}, fmt.Errorf("%w: NIC %s: VSwitch block %q", driver.ErrInvalidArgument, nic.NetworkInterfaceID, nic.VSwitchCIDR)
	}
	port := Port{ID: nic.NetworkInterfaceID, MAC: nic.MAC, IP: ip, VPCID: nic.VPCID, VSwitchID: nic.VSwitchID, CIDR: block}
	if err := port.validate(); err != nil {
		return Port{}, fmt.Errorf("%w: %v", driver.ErrInvalidArgument, err)
	}
	return port, nil
}
