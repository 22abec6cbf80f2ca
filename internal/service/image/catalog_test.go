package image

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func embedded(t *testing.T) *SystemCatalog {
	t.Helper()
	c, err := EmbeddedSystemCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmbeddedSystemCatalogLoadsRealisticPublicImages(t *testing.T) {
	c := embedded(t)
	all := c.All()
	if len(all) < 15 {
		t.Fatalf("%d system images, want a realistic catalog of at least 15", len(all))
	}
	for _, id := range []string{
		"centos_7_9_x64_20G_alibase_20240628.vhd", "ubuntu_22_04_x64_20G_alibase_20240530.vhd",
		"ubuntu_24_04_x64_20G_alibase_20240812.vhd", "debian_12_6_x64_20G_alibase_20240717.vhd",
		"aliyun_3_x64_20G_alibase_20240528.vhd", "rockylinux_9_4_x64_20G_alibase_20240709.vhd",
		"anolisos_8_9_x64_20G_rhck_alibase_20240528.vhd", "aliyun_3_arm64_20G_alibase_20240528.vhd",
		"win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd",
	} {
		if !slices.ContainsFunc(all, func(img Image) bool { return img.ID == id }) {
			t.Errorf("catalog lacks %s", id)
		}
	}
	for _, img := range all {
		checkSystemImage(t, img)
	}
}

// checkSystemImage checks what every public image of Alibaba Cloud looks like.
func checkSystemImage(t *testing.T, img Image) {
	t.Helper()
	where := img.ID
	if img.Name != img.ID || img.OwnerAlias != OwnerSystem || img.OwnerID != 0 || img.Usage != UsageInstance ||
		img.Progress != "100%" || len(img.Tags) != 0 || !strings.HasPrefix(img.Family, "acs:") {
		t.Errorf("%s: not shaped like a public image: %+v", where, img)
	}
	if img.Status != StatusAvailable && img.Status != StatusDeprecated {
		t.Errorf("%s: status %s", where, img.Status)
	}
	if len(img.DiskDeviceMappings) != 1 || img.DiskDeviceMappings[0] !=
		(DiskDeviceMapping{Device: "/dev/xvda", Type: "system", Size: img.Size}) {
		t.Errorf("%s: disk mappings %+v", where, img.DiskDeviceMappings)
	}
	if !strings.Contains(img.ID, fmt.Sprintf("_%dG_", img.Size)) {
		t.Errorf("%s: the ID does not carry the size %d GiB", where, img.Size)
	}
	arch := map[string]string{ArchX8664: "_x64_", ArchARM64: "_arm64_"}[img.Architecture]
	if arch == "" || !strings.Contains(img.ID, arch) {
		t.Errorf("%s: the ID does not carry the architecture %s", where, img.Architecture)
	}
	windows := strings.HasPrefix(img.Platform, "Windows")
	if windows != (img.OSType == OSTypeWindows) || (windows && img.Size < 40) {
		t.Errorf("%s: platform %q, OSType %q, size %d", where, img.Platform, img.OSType, img.Size)
	}
	if img.CreationTime.IsZero() || img.CreationTime.Location().String() != "UTC" {
		t.Errorf("%s: creation time %v", where, img.CreationTime)
	}
}

func TestSystemImagesAreInEveryRegionUnlessTheCatalogNamesTheirRegions(t *testing.T) {
	c := embedded(t)
	ctx := context.Background()
	qingdao, _ := c.Images(ctx, 1, "cn-qingdao", Query{})
	hangzhou, _ := c.Images(ctx, 1, "cn-hangzhou", Query{})
	if len(hangzhou) != len(c.All()) {
		t.Errorf("cn-hangzhou offers %d of %d images", len(hangzhou), len(c.All()))
	}
	for _, img := range qingdao {
		if img.Architecture == ArchARM64 {
			t.Errorf("%s is limited to other regions but cn-qingdao lists it", img.ID)
		}
	}
	if regions, ok := c.Regions("ubuntu_22_04_arm64_20G_alibase_20240508.vhd"); !ok ||
		strings.Join(regions, ",") != "cn-beijing,cn-hangzhou,cn-shanghai" {
		t.Errorf("arm64 regions %v %v", regions, ok)
	}
	if regions, ok := c.Regions("ubuntu_22_04_x64_20G_alibase_20240530.vhd"); !ok || regions != nil {
		t.Errorf("x64 regions %v %v, want every region", regions, ok)
	}
	if _, ok := c.Regions("nope.vhd"); ok {
		t.Error("unknown image has regions")
	}
}

func TestSystemCatalogHandsOutCopies(t *testing.T) {
	c := embedded(t)
	imgs, _ := c.Images(context.Background(), 1, "cn-hangzhou", Query{})
	imgs[0].DiskDeviceMappings[0].Size = 999
	if again := c.All(); again[0].DiskDeviceMappings[0].Size == 999 {
		t.Fatal("a caller changed the catalog")
	}
}

const validEntry = `
  - imageId: test_1_x64_20G_alibase_20240101.vhd
    description: test
    imageFamily: acs:test_1_x64
    osName: Test  1 64位
    osNameEn: Test  1 64 bit
    platform: Test
    osType: linux
    architecture: x86_64
    size: 20
    bootMode: BIOS
    creationTime: 2024-01-01T00:00:00Z
    isSupportCloudinit: true
    isSupportIoOptimized: true
    loginAsNonRootSupported: false
    nvmeSupport: supported
`

func TestParseSystemCatalogDefaultsNameAndStatus(t *testing.T) {
	c, err := ParseSystemCatalog([]byte("images:" + validEntry))
	if err != nil {
		t.Fatal(err)
	}
	img := c.All()[0]
	if img.Name != img.ID || img.Status != StatusAvailable || img.Size != 20 || !img.SupportsCloudinit || img.LoginAsNonRootSupported {
		t.Errorf("%+v", img)
	}
}

func TestParseSystemCatalogRejectsBadEntries(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown key", "platform: Test", "platfrom: Test", "field platfrom not found"},
		{"os type", "osType: linux", "osType: bsd", `osType "bsd"`},
		{"architecture", "architecture: x86_64", "architecture: sparc", `architecture "sparc"`},
		{"size", "size: 20", "size: 0", "size 0"},
		{"boot mode", "bootMode: BIOS", "bootMode: EFI", `bootMode "EFI"`},
		{"status", "bootMode: BIOS", "bootMode: BIOS\n    status: Creating", `status "Creating"`},
		{"missing flag", "    isSupportCloudinit: true\n", "", "isSupportCloudinit"},
		{"nvme", "nvmeSupport: supported", "nvmeSupport: maybe", `nvmeSupport "maybe"`},
		{"time", "2024-01-01T00:00:00Z", "2024-01-01", "creationTime"},
		{"id", "imageId: test_1_x64_20G_alibase_20240101.vhd", "imageId: a,b", "imageId"},
		{"region", "bootMode: BIOS", "bootMode: BIOS\n    regions: [CN_Hangzhou]", `region "CN_Hangzhou"`},
		{"family", "imageFamily: acs:test_1_x64", "imageFamily: ''", "imageFamily"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entry := strings.Replace(validEntry, tc.old, tc.new, 1)
			_, err := ParseSystemCatalog([]byte("images:" + entry))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := ParseSystemCatalog([]byte("images:" + validEntry + validEntry)); err == nil ||
		!strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := ParseSystemCatalog([]byte("images: []")); err == nil {
		t.Error("an empty catalog must be refused")
	}
	two := strings.Replace(strings.Replace(validEntry, "osType: linux", "osType: bsd", 1), "size: 20", "size: -1", 1)
	if _, err := ParseSystemCatalog([]byte("images:" + two)); err == nil ||
		!strings.Contains(err.Error(), "osType") || !strings.Contains(err.Error(), "size") {
		t.Errorf("every problem must be reported: %v", err)
	}
}
