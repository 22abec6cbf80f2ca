package instance

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// Public IPs are allocated in the private_ips table under a pseudo VSwitch ID,
// which no real VSwitch can have (those start with "vsw-"): its primary key
// (VSwitch, address) makes every address unique across accounts, in the same
// transaction as the instance, without a table of its own.
const (
	publicIPPoolKey = "ecsd:public-ip-pool"
	// ownerPublicIP is the owner type of a public IP row, so that nothing
	// listing an instance's private addresses mistakes it for one.
	ownerPublicIP = "InstancePublicIp"
)

// errNoPublicIP answers when the pool is exhausted (the guide's answer when a
// zone has no stock, 1.5.1).
func errNoPublicIP() *apierr.Error {
	return apierr.Forbidden("OperationDenied.NoStock",
		"Sales of this resource are temporarily suspended in the specified region; please try again later.")
}

// allocatePublicIP takes the lowest free address of the pool (neither its
// network nor its broadcast address) for an instance, inside tx.
func (s *Service) allocatePublicIP(tx store.Tx, accountID int64, instanceID string) (string, error) {
	pool := s.deps.PublicIPPool
	if pool.Bits() > 30 {
		return "", errNoPublicIP()
	}
	rows, err := tx.ListPrivateIPs(publicIPPoolKey)
	if err != nil {
		return "", fmt.Errorf("list public ips: %w", err)
	}
	taken := make([]uint32, 0, len(rows))
	for _, r := range rows {
		if a, err := netip.ParseAddr(r.Address); err == nil && a.Is4() {
			taken = append(taken, ipNumber(a))
		}
	}
	slices.Sort(taken)
	first := ipNumber(pool.Addr()) + 1
	last := first - 1 + uint32(1)<<(32-pool.Bits()) - 2
	candidate := first
	for _, t := range taken {
		if t < candidate {
			continue
		}
		if t > candidate {
			break
		}
		candidate++
	}
	if candidate > last {
		return "", errNoPublicIP()
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], candidate)
	addr := netip.AddrFrom4(b).String()
	err = tx.AllocatePrivateIP(store.PrivateIP{AccountID: accountID, VSwitchID: publicIPPoolKey, Address: addr,
		OwnerType: ownerPublicIP, OwnerID: instanceID, CreatedAt: s.now()})
	if errors.Is(err, store.ErrConflict) {
		return "", fmt.Errorf("public ip %s taken concurrently: %w", addr, store.ErrBusy)
	}
	if err != nil {
		return "", fmt.Errorf("allocate public ip %s: %w", addr, err)
	}
	return addr, nil
}

// releasePublicIP returns an instance's public IP to the pool, inside tx.
func releasePublicIP(tx store.Tx, addr string) error {
	if addr == "" {
		return nil
	}
	if err := tx.ReleasePrivateIP(publicIPPoolKey, addr); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("release public ip %s: %w", addr, err)
	}
	return nil
}

func ipNumber(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}
