package network

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

func TestAllocatePrivateIPTakesTheLowestFreeAddressAfterTheReservedOne(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/24")
	for _, want := range []string{"172.16.1.1", "172.16.1.2", "172.16.1.3"} {
		if got, err := f.allocate(t, w, ""); err != nil || got != want {
			t.Fatalf("allocate = %s, %v; want %s", got, err, want)
		}
	}
	if err := f.store.Update(t.Context(), func(tx store.Tx) error { return f.svc.ReleasePrivateIP(tx, w, "172.16.1.2") }); err != nil {
		t.Fatal(err)
	}
	if got, err := f.allocate(t, w, ""); err != nil || got != "172.16.1.2" {
		t.Fatalf("after a release: %s, %v; want the freed 172.16.1.2", got, err)
	}
	v, _ := f.svc.GetVSwitch(t.Context(), hangzhou(), w)
	if v.AvailableIPs != 252-3 {
		t.Errorf("AvailableIPs = %d, want 249", v.AvailableIPs)
	}
}

func TestAllocatePrivateIPChecksARequestedAddress(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/24")
	if got, err := f.allocate(t, w, "172.16.1.100"); err != nil || got != "172.16.1.100" {
		t.Fatalf("allocate 172.16.1.100 = %s, %v", got, err)
	}
	for _, tc := range []struct{ addr, code string }{
		{"172.16.1.100", "InvalidPrivateIpAddress.Duplicated"},
		{"172.16.2.1", "InvalidPrivateIpAddress.Mismatch"},
		{"172.16.1.0", "InvalidPrivateIpAddress.Malformed"},
		{"172.16.1.253", "InvalidPrivateIpAddress.Malformed"},
		{"172.16.1.255", "InvalidPrivateIpAddress.Malformed"},
		{"172.16.1", "InvalidPrivateIpAddress.Malformed"},
		{"fd00::1", "InvalidPrivateIpAddress.Malformed"},
	} {
		_, err := f.allocate(t, w, tc.addr)
		wantCode(t, err, tc.code, http.StatusBadRequest)
	}
	if got, err := f.allocate(t, w, "172.16.1.252"); err != nil || got != "172.16.1.252" {
		t.Fatalf("the last usable address: %s, %v", got, err)
	}
	_, err := f.allocate(t, "vsw-missing", "")
	wantCode(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
	err = f.store.Update(t.Context(), func(tx store.Tx) error {
		_, err := f.svc.AllocatePrivateIP(tx, 2, w, "", OwnerInstance, "i-other")
		return err
	})
	wantCode(t, err, "InvalidVSwitchId.NotFound", http.StatusNotFound)
}

func TestAFullVSwitchIsIpNotEnough(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/29")
	for i := range 4 {
		if got, err := f.allocate(t, w, ""); err != nil || got != fmt.Sprintf("172.16.1.%d", i+1) {
			t.Fatalf("allocation %d = %s, %v", i, got, err)
		}
	}
	_, err := f.allocate(t, w, "")
	wantCode(t, err, "InvalidVSwitchId.IpNotEnough", http.StatusForbidden)
	if v, _ := f.svc.GetVSwitch(t.Context(), hangzhou(), w); v.AvailableIPs != 0 {
		t.Errorf("AvailableIPs of a full /29 = %d", v.AvailableIPs)
	}
}

func TestReleasingAFreeAddressIsNotAnError(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/24")
	if err := f.store.Update(t.Context(), func(tx store.Tx) error { return f.svc.ReleasePrivateIP(tx, w, "172.16.1.9") }); err != nil {
		t.Fatal(err)
	}
}

func TestAllocationInsideTheCallersTransactionRollsBackWithIt(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/24")
	boom := fmt.Errorf("the instance could not be created")
	err := f.store.Update(t.Context(), func(tx store.Tx) error {
		if _, err := f.svc.AllocatePrivateIP(tx, 1, w, "", OwnerInstance, "i-1"); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("err = %v", err)
	}
	if got, err := f.allocate(t, w, ""); err != nil || got != "172.16.1.1" {
		t.Fatalf("after the rollback: %s, %v", got, err)
	}
}

func TestConcurrentAllocationsGetDistinctAddresses(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/24")
	const n = 16
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = f.allocate(t, w, "") })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil || seen[got[i]] {
			t.Fatalf("allocation %d = %s, %v (seen before: %v)", i, got[i], errs[i], seen[got[i]])
		}
		seen[got[i]] = true
	}
}

func TestAllocationInABusySixteenFindsTheFirstGapAfterTheTakenRun(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), "10.0.0.0/16"), "10.0.0.0/16")
	const taken = 20000
	err := f.store.Update(t.Context(), func(tx store.Tx) error {
		for i := range taken {
			a := uintToIP(uint32(10<<24) + 1 + uint32(i)).String()
			if err := tx.AllocatePrivateIP(store.PrivateIP{AccountID: 1, VSwitchID: w, Address: a, OwnerType: OwnerInstance, OwnerID: "i-x"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.allocate(t, w, "")
	if want := uintToIP(uint32(10<<24) + 1 + taken).String(); err != nil || got != want {
		t.Fatalf("allocate = %s, %v; want %s", got, err, want)
	}
}

// TestFreeRunsStayExactlyTheUntakenAddresses allocates and releases at random
// in a /27 (first-free, requested and released addresses mixed) and checks,
// after every step, that the stored runs are exactly the free addresses,
// merged, and that every allocation took the lowest free one.
func TestFreeRunsStayExactlyTheUntakenAddresses(t *testing.T) {
	f := newFixture(t, Quotas{})
	w := f.vswitch(t, f.vpc(t, hangzhou(), ""), "172.16.1.0/27")
	first, last, _ := usableRange(netip.MustParsePrefix("172.16.1.0/27"))
	taken := map[uint32]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 400 {
		addr := first + uint32(rng.IntN(int(last-first+1)))
		switch op := rng.IntN(3); {
		case op == 0 && !taken[addr]:
			got, err := f.allocate(t, w, uintToIP(addr).String())
			if err != nil || got != uintToIP(addr).String() {
				t.Fatalf("step %d: allocate %s = %s, %v", step, uintToIP(addr), got, err)
			}
			taken[addr] = true
		case op == 0:
			if _, err := f.allocate(t, w, uintToIP(addr).String()); err == nil {
				t.Fatalf("step %d: %s was allocated twice", step, uintToIP(addr))
			}
		case op == 1:
			want, full := lowestUntaken(first, last, taken)
			got, err := f.allocate(t, w, "")
			if full {
				if err == nil {
					t.Fatalf("step %d: a full VSwitch gave %s", step, got)
				}
				continue
			}
			if err != nil || got != uintToIP(want).String() {
				t.Fatalf("step %d: allocate = %s, %v; want the lowest free %s", step, got, err, uintToIP(want))
			}
			taken[want] = true
		default:
			err := f.store.Update(t.Context(), func(tx store.Tx) error {
				return f.svc.ReleasePrivateIP(tx, w, uintToIP(addr).String())
			})
			if err != nil {
				t.Fatal(err)
			}
			delete(taken, addr)
		}
		f.checkRuns(t, w, first, last, taken)
	}
}

func lowestUntaken(first, last uint32, taken map[uint32]bool) (uint32, bool) {
	for a := first; a <= last; a++ {
		if !taken[a] {
			return a, false
		}
	}
	return 0, true
}

// checkRuns compares the stored runs of a VSwitch that has any with the free
// addresses.
func (f *fixture) checkRuns(t *testing.T, vswitchID string, first, last uint32, taken map[uint32]bool) {
	t.Helper()
	var got [][2]uint32
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		for a := first; a <= last; a++ { // a run starts at a when the run from a begins there
			r, err := tx.FreeRangeFrom(vswitchID, a)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if r.First == a {
				got = append(got, [2]uint32{r.First, r.Last})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var addrs []uint32
	for a := range taken {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	want := freeRuns(first, last, addrs)
	if len(got) == 0 && len(taken) > 0 {
		return // no runs yet or full: built at the next allocation
	}
	if !slices.Equal(got, want) {
		t.Fatalf("runs %v, want %v (taken %v)", got, want, addrs)
	}
}
