package instance

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// Network interfaces as the instance sees them (guide 1.13): every instance has
// a primary interface, a row created with the instance and deleted with it;
// secondary interfaces (internal/service/eni) are attached to at most one
// instance and, when it is deleted, detached and kept.

// Network interface statuses (guide 1.13).
const (
	NICAvailable = "Available"
	NICAttaching = "Attaching"
	NICInUse     = "InUse"
	NICDetaching = "Detaching"
)

// maxMACAttempts bounds the candidates AllocateMAC tries: with 2^24 addresses
// per OUI, needing more than a handful means the space is nearly full.
const maxMACAttempts = 64

// ErrMACsExhausted says AllocateMAC found no free MAC address.
var ErrMACsExhausted = errors.New("instance: no free MAC address")

// macCandidate is the n-th MAC address to try for an interface named by seed,
// in Alibaba Cloud's OUI 00:16:3e. Candidate 0 of an instance ID is the MAC
// every instance's primary interface has had since before MACs were stored.
func macCandidate(seed string, n int) string {
	in := "mac\x00" + seed
	if n > 0 {
		in += "\x00" + strconv.Itoa(n)
	}
	sum := sha256.Sum256([]byte(in))
	return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", sum[0], sum[1], sum[2])
}

// AllocateMAC returns a MAC address no network interface has, derived from
// seed (an instance or interface ID) so that it is the same on every retry of
// the transaction; inside tx, so the interface can be written with it.
func AllocateMAC(tx store.Tx, seed string) (string, error) {
	for n := range maxMACAttempts {
		mac := macCandidate(seed, n)
		taken, err := tx.NetworkInterfaceMACTaken(mac)
		if err != nil {
			return "", fmt.Errorf("allocate a MAC for %s: %w", seed, err)
		}
		if !taken {
			return mac, nil
		}
	}
	return "", fmt.Errorf("allocate a MAC for %s: %w", seed, ErrMACsExhausted)
}

// MACOf is a network interface's MAC address: the stored one, or, for a
// primary interface recorded before MACs were stored, the one derived from its
// instance ID.
func MACOf(n store.NetworkInterface) string {
	if n.MAC == "" && n.Type == store.NetworkInterfacePrimary {
		return MACAddress(n.InstanceID)
	}
	return n.MAC
}

// CreatePrimaryNIC writes the primary network interface of a new instance,
// inside the transaction that creates the instance.
func CreatePrimaryNIC(tx store.Tx, in store.Instance) error {
	mac, err := AllocateMAC(tx, in.ID)
	if err != nil {
		return err
	}
	n := store.NetworkInterface{ID: PrimaryENIID(in.ID), AccountID: in.AccountID, RegionID: in.RegionID,
		ZoneID: in.ZoneID, VpcID: in.VpcID, VSwitchID: in.VSwitchID, Type: store.NetworkInterfacePrimary,
		Status: NICInUse, InstanceID: in.ID, PrivateIP: in.PrivateIP, MAC: mac, CreatedAt: in.CreatedAt,
		AttachedAt: in.CreatedAt}
	err = tx.CreateNetworkInterface(n)
	if errors.Is(err, store.ErrConflict) { // the MAC was taken concurrently: run the transaction again
		return fmt.Errorf("primary network interface of %s: %w", in.ID, store.ErrBusy)
	}
	if err != nil {
		return fmt.Errorf("primary network interface of %s: %w", in.ID, err)
	}
	return nil
}

// syncPrimaryNIC gives the instance's primary interface the instance's current
// VSwitch and address (ModifyInstanceVpcAttribute moves them).
func syncPrimaryNIC(tx store.Tx, in store.Instance) error {
	n, err := tx.GetNetworkInterface(in.AccountID, PrimaryENIID(in.ID))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("primary network interface of %s: %w", in.ID, err)
	}
	n.VSwitchID, n.PrivateIP = in.VSwitchID, in.PrivateIP
	if err := tx.UpdateNetworkInterface(n); err != nil {
		return fmt.Errorf("primary network interface of %s: %w", in.ID, err)
	}
	return nil
}

// releaseNICs deletes the instance's primary interface and detaches its
// secondary ones, which become Available with their addresses, groups and
// tags: deleting an instance never deletes an elastic network interface.
func releaseNICs(tx store.Tx, in store.Instance) error {
	nics, err := tx.InstanceNetworkInterfaces([]string{in.ID})
	if err != nil {
		return err
	}
	for _, n := range nics {
		if n.Type == store.NetworkInterfacePrimary {
			if err := tx.DeleteNetworkInterface(n.AccountID, n.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("delete %s: %w", n.ID, err)
			}
			continue
		}
		n.Status, n.InstanceID, n.AttachedAt = NICAvailable, "", time.Time{}
		if err := tx.UpdateNetworkInterface(n); err != nil {
			return fmt.Errorf("detach %s from %s: %w", n.ID, in.ID, err)
		}
	}
	return nil
}

// NICSpec is what the compute driver knows of a network interface whose
// security groups are groups (for a primary interface, its instance's).
func NICSpec(tx store.Tx, n store.NetworkInterface, groups []string) (driver.NICSpec, error) {
	spec := driver.NICSpec{NetworkInterfaceID: n.ID, MAC: MACOf(n), PrivateIP: n.PrivateIP, VPCID: n.VpcID,
		VSwitchID: n.VSwitchID, SecurityGroupIDs: append([]string(nil), groups...)}
	vsw, err := tx.GetVSwitch(n.AccountID, n.VSwitchID)
	switch {
	case err == nil:
		spec.VSwitchCIDR = vsw.CidrBlock
	case !errors.Is(err, store.ErrNotFound):
		return driver.NICSpec{}, fmt.Errorf("vswitch of %s: %w", n.ID, err)
	}
	return spec, nil
}

// nicSpecs are the network interfaces the driver gives the instance of v: its
// primary one, then every secondary one attached to it, in attachment order.
func nicSpecs(tx store.Tx, v View) ([]driver.NICSpec, error) {
	var ids []string
	for _, n := range v.NICs {
		ids = append(ids, n.ID)
	}
	groups, err := tx.NetworkInterfaceSecurityGroups(ids)
	if err != nil {
		return nil, err
	}
	in := v.Instance
	// Before its primary interface row exists (older data), the instance's own
	// columns describe it.
	primary, err := NICSpec(tx, store.NetworkInterface{ID: PrimaryENIID(in.ID), AccountID: in.AccountID,
		MAC: MACAddress(in.ID), PrivateIP: in.PrivateIP, VpcID: in.VpcID, VSwitchID: in.VSwitchID}, v.SecurityGroupIDs)
	if err != nil {
		return nil, err
	}
	specs := []driver.NICSpec{primary}
	for _, n := range v.NICs {
		gs, i := groups[n.ID], len(specs)
		if n.Type == store.NetworkInterfacePrimary {
			gs, i = v.SecurityGroupIDs, 0
		}
		spec, err := NICSpec(tx, n, gs)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			specs[0] = spec
		} else {
			specs = append(specs, spec)
		}
	}
	return specs, nil
}

// GroupMembers counts what a security group holds toward its limit of
// MaxInstancesPerGroup (1.11.6): its instances and its secondary network
// interfaces (a primary interface counts as its instance).
func GroupMembers(tx store.Tx, groupID string) (int, error) {
	n, err := tx.CountSecurityGroupInstances(groupID)
	if err != nil {
		return 0, fmt.Errorf("count instances of %s: %w", groupID, err)
	}
	m, err := tx.CountSecurityGroupNetworkInterfaces(groupID)
	if err != nil {
		return 0, fmt.Errorf("count network interfaces of %s: %w", groupID, err)
	}
	return n + m, nil
}

// PrimaryMAC is the MAC address of the instance's primary interface.
func (v View) PrimaryMAC() string {
	for _, n := range v.NICs {
		if n.Type == store.NetworkInterfacePrimary {
			return MACOf(n)
		}
	}
	return MACAddress(v.Instance.ID)
}
