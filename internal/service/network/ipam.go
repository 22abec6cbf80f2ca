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
// The free addresses are kept as runs (store.FreeRange), so an allocation reads
// and rewrites one run: O(log n) in the addresses taken, whatever the block
// size. A VSwitch without any run (never allocated from since the runs were
// introduced, or full) has its runs rebuilt from its taken addresses first.
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
	addr, err := takeAddress(tx, w.ID, block, first, last, requested)
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

// takeAddress checks a requested address, or finds the lowest free one, and
// removes it from the VSwitch's free runs.
func takeAddress(tx store.Tx, vswitchID string, block netip.Prefix, first, last uint32, requested string) (netip.Addr, error) {
	var want uint32
	if requested != "" {
		a, err := netip.ParseAddr(requested)
		if err != nil || !a.Is4() {
			return netip.Addr{}, errPrivateIPMalformed()
		}
		if !block.Contains(a) {
			return netip.Addr{}, errPrivateIPMismatch()
		}
		if want = ipToUint(a); want < first || want > last {
			return netip.Addr{}, errPrivateIPMalformed()
		}
	}
	lowest, err := lowestRun(tx, vswitchID, first, last)
	if errors.Is(err, store.ErrNotFound) && requested == "" {
		return netip.Addr{}, errVSwitchIPNotEnough(vswitchID)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return netip.Addr{}, err
	}
	run := lowest
	if requested == "" {
		want = lowest.First
	} else if run, err = tx.FreeRangeFrom(vswitchID, want); errors.Is(err, store.ErrNotFound) || err == nil && run.Last < want {
		return netip.Addr{}, errPrivateIPDuplicated()
	} else if err != nil {
		return netip.Addr{}, err
	}
	if err := splitRun(tx, run, want); err != nil {
		return netip.Addr{}, err
	}
	return uintToIP(want), nil
}

// lowestRun returns the VSwitch's lowest free run, building the runs from its
// taken addresses when it has none; store.ErrNotFound when it is full.
func lowestRun(tx store.Tx, vswitchID string, first, last uint32) (store.FreeRange, error) {
	r, err := tx.LowestFreeRange(vswitchID)
	if !errors.Is(err, store.ErrNotFound) {
		return r, err
	}
	taken, err := takenAddresses(tx, vswitchID)
	if err != nil {
		return store.FreeRange{}, err
	}
	runs := freeRuns(first, last, taken)
	for _, run := range runs {
		if err := tx.PutFreeRange(store.FreeRange{VSwitchID: vswitchID, First: run[0], Last: run[1]}); err != nil {
			return store.FreeRange{}, err
		}
	}
	if len(runs) == 0 {
		return store.FreeRange{}, store.ErrNotFound
	}
	return store.FreeRange{VSwitchID: vswitchID, First: runs[0][0], Last: runs[0][1]}, nil
}

// splitRun removes addr from the free run that holds it.
func splitRun(tx store.Tx, run store.FreeRange, addr uint32) error {
	if err := tx.DeleteFreeRange(run.VSwitchID, run.First); err != nil {
		return err
	}
	if run.First < addr {
		if err := tx.PutFreeRange(store.FreeRange{VSwitchID: run.VSwitchID, First: run.First, Last: addr - 1}); err != nil {
			return err
		}
	}
	if addr < run.Last {
		return tx.PutFreeRange(store.FreeRange{VSwitchID: run.VSwitchID, First: addr + 1, Last: run.Last})
	}
	return nil
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
// transaction and returns it to the free runs, merged with its neighbours.
// Releasing an address that is not allocated is not an error, so a retried
// teardown step can release again. A VSwitch without runs keeps none: the next
// allocation builds them from the taken addresses, which no longer include
// this one.
func (s *Service) ReleasePrivateIP(tx store.Tx, vswitchID, address string) error {
	err := tx.ReleasePrivateIP(vswitchID, address)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release %s in %s: %w", address, vswitchID, err)
	}
	a, err := netip.ParseAddr(address)
	if err != nil || !a.Is4() {
		return fmt.Errorf("release %q in %s: not an IPv4 address", address, vswitchID)
	}
	if err := returnAddress(tx, vswitchID, ipToUint(a)); err != nil {
		return fmt.Errorf("release %s in %s: %w", address, vswitchID, err)
	}
	return nil
}

// returnAddress puts a freed address back into the VSwitch's runs.
func returnAddress(tx store.Tx, vswitchID string, addr uint32) error {
	if _, err := tx.LowestFreeRange(vswitchID); errors.Is(err, store.ErrNotFound) {
		return nil // no runs: built from the taken addresses when next needed
	} else if err != nil {
		return err
	}
	merged := store.FreeRange{VSwitchID: vswitchID, First: addr, Last: addr}
	if addr > 0 {
		prev, err := tx.FreeRangeFrom(vswitchID, addr)
		switch {
		case err == nil && prev.Last >= addr:
			return nil // already free
		case err == nil && prev.Last == addr-1:
			merged.First = prev.First
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if addr < ^uint32(0) {
		next, err := tx.FreeRangeFrom(vswitchID, addr+1)
		switch {
		case err == nil && next.First == addr+1:
			if err := tx.DeleteFreeRange(vswitchID, next.First); err != nil {
				return err
			}
			merged.Last = next.Last
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return tx.PutFreeRange(merged)
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
