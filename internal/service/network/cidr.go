package network

import (
	"encoding/binary"
	"net/netip"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// CIDR rules of the VPC API:
//   - a VPC's block is 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or a subnet of
//     one of them, with a mask of 8 to 24 bits; the default is 172.16.0.0/12;
//   - a VSwitch's block lies inside its VPC's, with a mask of 16 to 29 bits, and
//     overlaps no other VSwitch of the VPC;
//   - in every VSwitch block the first address and the last three are reserved.
const (
	// DefaultVPCCidrBlock is the CIDR block of a VPC created without one.
	DefaultVPCCidrBlock = "172.16.0.0/12"

	vpcMinMask, vpcMaxMask         = 8, 24
	vswitchMinMask, vswitchMaxMask = 16, 29

	// reservedLow and reservedHigh are the addresses reserved at each end of a
	// VSwitch block: the first one, and the last three.
	reservedLow, reservedHigh = 1, 3
)

// privateRanges returns the blocks a VPC CIDR block must lie in.
func privateRanges() [3]netip.Prefix {
	return [3]netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
	}
}

// parseCIDR parses an IPv4 CIDR block in canonical form (no host bits set);
// anything else is InvalidCidrBlock.Malformed.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p != p.Masked() {
		return netip.Prefix{}, errCidrMalformed()
	}
	return p, nil
}

// vpcCIDR checks a VPC CIDR block ("" is the default block).
func vpcCIDR(s string) (netip.Prefix, error) {
	if s == "" {
		s = DefaultVPCCidrBlock
	}
	p, err := parseCIDR(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Bits() < vpcMinMask || p.Bits() > vpcMaxMask {
		return netip.Prefix{}, errVpcCidrInvalid()
	}
	for _, r := range privateRanges() {
		if contains(r, p) {
			return p, nil
		}
	}
	return netip.Prefix{}, errVpcCidrInvalid()
}

// vswitchCIDR checks the form and mask of a VSwitch CIDR block; whether it
// lies inside its VPC's block is checked once the VPC is known.
func vswitchCIDR(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, apierr.MissingParameter("CidrBlock")
	}
	p, err := parseCIDR(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Bits() < vswitchMinMask || p.Bits() > vswitchMaxMask {
		return netip.Prefix{}, errVSwitchMaskLength()
	}
	return p, nil
}

// contains reports whether inner lies entirely inside outer.
func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// blockSize is the number of addresses in p.
func blockSize(p netip.Prefix) uint64 { return uint64(1) << (32 - p.Bits()) }

// usableCount is the number of addresses of a VSwitch block that can be
// allocated: all of them but the reserved ones.
func usableCount(p netip.Prefix) int64 {
	n := int64(blockSize(p)) - reservedLow - reservedHigh
	return max(n, 0)
}

// usableRange returns the first and last allocatable address of a VSwitch
// block as numbers; ok is false when the block has none.
func usableRange(p netip.Prefix) (first, last uint32, ok bool) {
	if usableCount(p) == 0 {
		return 0, 0, false
	}
	base := uint64(ipToUint(p.Addr()))
	return uint32(base + reservedLow), uint32(base + blockSize(p) - 1 - reservedHigh), true
}

// ipToUint returns an IPv4 address as a big-endian number.
func ipToUint(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// uintToIP is the inverse of ipToUint.
func uintToIP(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// freeRuns returns the runs of [first, last] not in taken, which must be
// sorted ascending (duplicates and addresses outside the range are allowed),
// lowest first. It walks taken once: O(len(taken)), whatever the size of the
// range.
func freeRuns(first, last uint32, taken []uint32) [][2]uint32 {
	var runs [][2]uint32
	next := uint64(first) // the lowest address not yet known to be taken
	for _, t := range taken {
		if uint64(t) < next || t > last {
			continue
		}
		if uint64(t) > next {
			runs = append(runs, [2]uint32{uint32(next), t - 1})
		}
		next = uint64(t) + 1
	}
	if next <= uint64(last) {
		runs = append(runs, [2]uint32{uint32(next), last})
	}
	return runs
}
