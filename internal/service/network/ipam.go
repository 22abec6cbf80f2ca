package network

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/ecsd/ecsd/internal/store"
)

// Owner types of an allocated private IP.
const (
	OwnerInstance         = "Instance"
	OwnerNetworkInterface = "NetworkInterface"
)

// AllocatePrivateIP takes an address of one of the account's VSwitches for an
// owner (an instance or a network interface) inside the caller's transaction,
// and returns it. With requested "" it takes the lowest free address that is not
// reserved; otherwise exactly requested, which must be an IPv4 address
// (InvalidPrivateIpAddress.Malformed) inside the VSwitch's block
// (InvalidPrivateIpAddress.Mismatch), not one of its reserved addresses
// (InvalidPrivateIpAddress.Malformed) and free (InvalidPrivateIpAddress.Duplicated).
// A full VSwitch is InvalidVSwitchId.IpNotEnough, an unknown one
// InvalidVSwitchId.NotFound.
//
// Finding the lowest free address reads the VSwitch's taken addresses once and
// walks them in order: O(n log n) in the number taken, whatever the block size.
// When a concurrent transaction takes the same address first, the error wraps
// store.ErrBusy, so store.Update runs the caller's transaction again.
func (s *Service) AllocatePrivateIP(tx store.Tx, accountID int64, vswitchID, requested, ownerType, ownerID string) (string, error) {
	w, err := tx.GetVSwitch(accountID, vswitchID)
	if errors.Is(err, store.ErrNotFound) {
		return "", errVSwitchNotFound()
	}
	if err != nil {
		return "", fmt.Errorf("allocate a private ip in %s: %w", vswitchID, err)
	}
	block, err := netip.ParsePrefix(w.CidrBlock)
	if err != nil {
		return "", fmt.Errorf("vswitch %s has a bad stored CIDR block %q: %w", w.ID, w.CidrBlock, err)
	}
	first, last, ok := usableRange(block)
	if !ok {
		return "", errVSwitchIPNotEnough(w.ID)
	}
	addr, err := chooseAddress(tx, w.ID, block, first, last, requested)
	if err != nil {
		return "", err
	}
	ip := store.PrivateIP{AccountID: accountID, VSwitchID: w.ID, Address: addr.String(),
		OwnerType: ownerType, OwnerID: ownerID, CreatedAt: s.now()}
	err = tx.AllocatePrivateIP(ip)
	switch {
	case errors.Is(err, store.ErrConflict) && requested != "":
		return "", errPrivateIPDuplicated()
	case errors.Is(err, store.ErrConflict):
		return "", fmt.Errorf("%s in %s was taken concurrently: %w", ip.Address, w.ID, store.ErrBusy)
	case err != nil:
		return "", fmt.Errorf("allocate %s in %s: %w", ip.Address, w.ID, err)
	}
	return ip.Address, nil
}

// chooseAddress checks a requested address, or finds the lowest free one.
func chooseAddress(tx store.Tx, vswitchID string, block netip.Prefix, first, last uint32, requested string) (netip.Addr, error) {
	if requested != "" {
		a, err := netip.ParseAddr(requested)
		if err != nil || !a.Is4() {
			return netip.Addr{}, errPrivateIPMalformed()
		}
		if !block.Contains(a) {
			return netip.Addr{}, errPrivateIPMismatch()
		}
		if n := ipToUint(a); n < first || n > last {
			return netip.Addr{}, errPrivateIPMalformed()
		}
		return a, nil
	}
	taken, err := takenAddresses(tx, vswitchID)
	if err != nil {
		return netip.Addr{}, err
	}
	free, ok := lowestFree(first, last, taken)
	if !ok {
		return netip.Addr{}, errVSwitchIPNotEnough(vswitchID)
	}
	return uintToIP(free), nil
}

// takenAddresses returns a VSwitch's allocated addresses as sorted numbers.
func takenAddresses(tx store.Tx, vswitchID string) ([]uint32, error) {
	ips, err := tx.ListPrivateIPs(vswitchID)
	if err != nil {
		return nil, fmt.Errorf("list private ips of %s: %w", vswitchID, err)
	}
	out := make([]uint32, 0, len(ips))
	for _, ip := range ips {
		a, err := netip.ParseAddr(ip.Address)
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("vswitch %s has a bad stored address %q", vswitchID, ip.Address)
		}
		out = append(out, ipToUint(a))
	}
	slices.Sort(out)
	return out, nil
}

// ReleasePrivateIP frees an address of a VSwitch inside the caller's
// transaction. Releasing an address that is not allocated is not an error, so a
// retried teardown step can release again.
func (s *Service) ReleasePrivateIP(tx store.Tx, vswitchID, address string) error {
	err := tx.ReleasePrivateIP(vswitchID, address)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("release %s in %s: %w", address, vswitchID, err)
	}
	return nil
}

// availableIPs is the number of addresses of a VSwitch that can still be
// allocated: the block minus the reserved and the allocated addresses.
func availableIPs(tx store.Tx, w store.VSwitch) (int64, error) {
	block, err := netip.ParsePrefix(w.CidrBlock)
	if err != nil {
		return 0, fmt.Errorf("vswitch %s has a bad stored CIDR block %q: %w", w.ID, w.CidrBlock, err)
	}
	n, err := tx.CountPrivateIPs(w.ID)
	if err != nil {
		return 0, fmt.Errorf("count private ips of %s: %w", w.ID, err)
	}
	return max(usableCount(block)-int64(n), 0), nil
}
