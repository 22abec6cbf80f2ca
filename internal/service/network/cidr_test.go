package network

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestVPCCidrBlockMustBeAPrivateRangeWithMask8To24(t *testing.T) {
	for _, tc := range []struct {
		in, want, code string
	}{
		{"", "172.16.0.0/12", ""},
		{"10.0.0.0/8", "10.0.0.0/8", ""},
		{"172.16.0.0/12", "172.16.0.0/12", ""},
		{"192.168.0.0/16", "192.168.0.0/16", ""},
		{"10.20.0.0/16", "10.20.0.0/16", ""},
		{"192.168.3.0/24", "192.168.3.0/24", ""},
		{"172.31.255.0/24", "172.31.255.0/24", ""},
		{"192.168.3.0/25", "", "InvalidParameter"}, // mask too long
		{"0.0.0.0/0", "", "InvalidParameter"},
		{"172.0.0.0/8", "", "InvalidParameter"}, // wider than 172.16.0.0/12
		{"172.32.0.0/16", "", "InvalidParameter"},
		{"8.8.0.0/16", "", "InvalidParameter"},
		{"100.64.0.0/10", "", "InvalidParameter"},
		{"10.0.0.1/8", "", "InvalidCidrBlock.Malformed"}, // host bits set
		{"10.0.0.0", "", "InvalidCidrBlock.Malformed"},
		{"10.0.0.0/33", "", "InvalidCidrBlock.Malformed"},
		{"fd00::/8", "", "InvalidCidrBlock.Malformed"},
		{"banana", "", "InvalidCidrBlock.Malformed"},
	} {
		got, err := vpcCIDR(tc.in)
		if tc.code != "" {
			wantCode(t, err, tc.code, http.StatusBadRequest)
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("vpcCIDR(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestVSwitchCidrBlockMaskMustBe16To29(t *testing.T) {
	for _, tc := range []struct {
		in, code string
	}{
		{"172.16.0.0/16", ""},
		{"172.16.1.0/24", ""},
		{"172.16.1.8/29", ""},
		{"172.16.0.0/15", "InvalidCirdrBlock.MaskLength"},
		{"172.16.1.0/30", "InvalidCirdrBlock.MaskLength"},
		{"172.16.1.1/24", "InvalidCidrBlock.Malformed"},
		{"not-a-cidr", "InvalidCidrBlock.Malformed"},
	} {
		_, err := vswitchCIDR(tc.in)
		if tc.code == "" {
			if err != nil {
				t.Errorf("vswitchCIDR(%q): %v", tc.in, err)
			}
			continue
		}
		wantCode(t, err, tc.code, http.StatusBadRequest)
	}
}

func TestUsableRangeSkipsTheFirstAndTheLastThreeAddresses(t *testing.T) {
	for _, tc := range []struct {
		block, first, last string
		count              int64
	}{
		{"192.168.1.0/24", "192.168.1.1", "192.168.1.252", 252},
		{"172.16.0.0/29", "172.16.0.1", "172.16.0.4", 4},
		{"10.0.0.0/16", "10.0.0.1", "10.0.255.252", 65532},
	} {
		p := netip.MustParsePrefix(tc.block)
		first, last, ok := usableRange(p)
		if !ok || uintToIP(first).String() != tc.first || uintToIP(last).String() != tc.last || usableCount(p) != tc.count {
			t.Errorf("%s: %s–%s (%d), want %s–%s (%d)", tc.block, uintToIP(first), uintToIP(last), usableCount(p),
				tc.first, tc.last, tc.count)
		}
	}
}

func TestFreeRunsWalkTheSortedTakenList(t *testing.T) {
	for _, tc := range []struct {
		first, last uint32
		taken       []uint32
		want        [][2]uint32
	}{
		{1, 4, nil, [][2]uint32{{1, 4}}},
		{1, 4, []uint32{1, 2, 4}, [][2]uint32{{3, 3}}},
		{1, 4, []uint32{0, 1, 1, 2, 3}, [][2]uint32{{4, 4}}}, // below the range and duplicates are skipped
		{1, 4, []uint32{1, 2, 3, 4}, nil},
		{1, 4, []uint32{2, 3, 9}, [][2]uint32{{1, 1}, {4, 4}}}, // above the range is ignored
		{1, 9, []uint32{3, 6}, [][2]uint32{{1, 2}, {4, 5}, {7, 9}}},
		{0xfffffff0, 0xffffffff, nil, [][2]uint32{{0xfffffff0, 0xffffffff}}},
		{0xfffffff0, 0xffffffff, []uint32{0xffffffff}, [][2]uint32{{0xfffffff0, 0xfffffffe}}},
	} {
		if got := freeRuns(tc.first, tc.last, tc.taken); !slices.Equal(got, tc.want) {
			t.Errorf("freeRuns(%d, %d, %v) = %v; want %v", tc.first, tc.last, tc.taken, got, tc.want)
		}
	}
}

func TestNamesAre2To128CharactersAndNoURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"", true},
		{"ab", true},
		{"生产网络", true},
		{"1-starts-with-a-digit", true},
		{"a", false},
		{strings.Repeat("x", 128), true},
		{strings.Repeat("x", 129), false},
		{strings.Repeat("网", 128), true},
		{"http://example.com", false},
		{"HTTPS://example.com", false},
		{"my-http://-vpc", true},
	} {
		if got := validName(tc.name); got != tc.ok {
			t.Errorf("validName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if !validDescription(strings.Repeat("d", 256)) || validDescription(strings.Repeat("d", 257)) || validDescription("x") {
		t.Error("descriptions are 2 to 256 characters")
	}
}
