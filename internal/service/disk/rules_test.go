package disk

import (
	"strings"
	"testing"
)

func TestDataDiskSizesTakeCreateDiskMinimaAndTheAgreedMaxima(t *testing.T) {
	for _, c := range []struct {
		category, level string
		want            SizeRange
		ok              bool
	}{
		{CategoryCloud, "", SizeRange{5, 2000}, true},
		{CategoryEfficiency, "", SizeRange{20, 32768}, true},
		{CategorySSD, "", SizeRange{20, 32768}, true},
		{CategoryEphemeralSSD, "", SizeRange{5, 800}, true},
		{CategoryESSD, "", SizeRange{20, 32768}, true},
		{CategoryESSD, "PL0", SizeRange{40, 32768}, true},
		{CategoryESSD, "PL2", SizeRange{461, 32768}, true},
		{CategoryESSD, "PL3", SizeRange{1261, 32768}, true},
		{CategoryESSD, "PL9", SizeRange{}, false},
		{CategoryCloud, "PL1", SizeRange{}, false},
		{"ephemeral", "", SizeRange{}, false},
		{"", "", SizeRange{}, false},
	} {
		got, ok := DataDiskSize(c.category, c.level)
		if got != c.want || ok != c.ok {
			t.Errorf("DataDiskSize(%q, %q) = %v, %v; want %v, %v", c.category, c.level, got, ok, c.want, c.ok)
		}
	}
}

func TestDiskNamesFollowTheGuidesPattern(t *testing.T) {
	for name, want := range map[string]bool{
		"ab": true, "数据盘": true, "Data-disk_1.0:x": true, strings.Repeat("a", 128): true,
		"a": false, strings.Repeat("a", 129): false, "1disk": false, "_disk": false, "disk name": false,
		"disk/1": false, "http://x": false, "https://x": false, "": false,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
	for d, want := range map[string]bool{
		"ok": true, strings.Repeat("描", 256): true, "x": false, strings.Repeat("d", 257): false, "http://x": false,
	} {
		if got := ValidDescription(d); got != want {
			t.Errorf("ValidDescription(%q) = %v, want %v", d, got, want)
		}
	}
}

func TestDataDevicesRunFromXvdbToXvdz(t *testing.T) {
	for dev, want := range map[string]bool{
		"/dev/xvdb": true, "/dev/xvdz": true, "/dev/xvda": false, "/dev/xvd": false, "/dev/xvdbb": false,
		"/dev/vdb": false, "/dev/xvdB": false,
	} {
		if got := ValidDataDevice(dev); got != want {
			t.Errorf("ValidDataDevice(%q) = %v, want %v", dev, got, want)
		}
	}
	if dev, ok := NextDevice([]string{SystemDevice, "/dev/xvdb", "/dev/xvdd"}); dev != "/dev/xvdc" || !ok {
		t.Errorf("NextDevice = %q, %v; want the first gap /dev/xvdc", dev, ok)
	}
	var all []string
	for c := 'b'; c <= 'z'; c++ {
		all = append(all, "/dev/xvd"+string(c))
	}
	if dev, ok := NextDevice(all); ok {
		t.Errorf("NextDevice of a full instance = %q, want none", dev)
	}
}

func TestOnlyCloudCategoriesArePortable(t *testing.T) {
	for c, want := range map[string]bool{CategoryCloud: true, CategoryEfficiency: true, CategorySSD: true,
		CategoryESSD: true, CategoryEphemeralSSD: false, "": false} {
		if IsCloudCategory(c) != want {
			t.Errorf("IsCloudCategory(%q) = %v", c, !want)
		}
	}
}
