package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

const (
	e2eUbuntu2204 = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	e2eWin2022    = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd"
	e2eAliyun3ARM = "aliyun_3_arm64_20G_alibase_20240528.vhd"
)

// TestOldSDKPagesThroughSystemImagesLikeTerraformsImagesDataSource does what
// data "alicloud_images" does: ImageOwnerAlias=system plus filters, pages of 10
// until a short page, then a name regex on the client.
func TestOldSDKPagesThroughSystemImagesLikeTerraformsImagesDataSource(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)

	req := ecs.CreateDescribeImagesRequest()
	req.RegionId = "cn-hangzhou"
	req.ImageOwnerAlias = "system"
	req.Status = "Available"
	req.OSType = "linux"
	req.Architecture = "x86_64"
	req.PageSize = requests.NewInteger(10)
	var all []ecs.Image
	total := -1
	for page := 1; ; page++ {
		req.PageNumber = requests.NewInteger(page)
		resp, err := c.DescribeImages(req)
		if err != nil {
			t.Fatalf("DescribeImages page %d: %v", page, err)
		}
		if resp.RequestId == "" || resp.RegionId != "cn-hangzhou" || resp.PageNumber != page || resp.PageSize != 10 {
			t.Fatalf("page %d: %+v", page, resp)
		}
		total = resp.TotalCount
		all = append(all, resp.Images.Image...)
		if len(resp.Images.Image) < 10 {
			break
		}
	}
	if len(all) != total || total < 10 {
		t.Fatalf("collected %d images, TotalCount %d", len(all), total)
	}
	nameRegex := regexp.MustCompile(`^ubuntu_22_04_x64`)
	var ubuntu *ecs.Image
	for i, img := range all {
		if img.OSType != "linux" || img.Architecture != "x86_64" || img.ImageOwnerAlias != "system" || img.Status != "Available" {
			t.Errorf("filters not applied: %+v", img)
		}
		if nameRegex.MatchString(img.ImageName) {
			ubuntu = &all[i]
		}
	}
	if ubuntu == nil {
		t.Fatal("name_regex ^ubuntu_22_04_x64 found nothing")
	}
	// alicloud_instance sizes the system disk and validates with these.
	if ubuntu.ImageId != e2eUbuntu2204 || ubuntu.Size != 20 || ubuntu.Platform != "Ubuntu" || ubuntu.OSNameEn == "" ||
		!ubuntu.IsSupportIoOptimized || len(ubuntu.DiskDeviceMappings.DiskDeviceMapping) != 1 ||
		ubuntu.DiskDeviceMappings.DiskDeviceMapping[0].Size != "20" || ubuntu.CreationTime != "2024-05-30T06:37:48Z" {
		t.Errorf("ubuntu 22.04 = %+v", *ubuntu)
	}
}

// TestOldSDKDescribeImagesErrorsCarryTheGuidesCodesAndStatuses checks the
// guide's 1.9.2 error table and DryRun through the old SDK.
func TestOldSDKDescribeImagesErrorsCarryTheGuidesCodesAndStatuses(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	cases := []struct {
		name   string
		set    func(*ecs.DescribeImagesRequest)
		code   string
		status int
	}{
		{"ImageOwnerAlias", func(r *ecs.DescribeImagesRequest) { r.ImageOwnerAlias = "friends" }, "InvalidImageOwnerAlias.ValueNotSupported", 400},
		{"Usage", func(r *ecs.DescribeImagesRequest) { r.Usage = "always" }, "InvalidUsage", 404},
		{"OSType", func(r *ecs.DescribeImagesRequest) { r.OSType = "beos" }, "InvalidOSType", 404},
		{"Architecture", func(r *ecs.DescribeImagesRequest) { r.Architecture = "ppc64" }, "InvalidArchitecture", 404},
		{"InstanceType", func(r *ecs.DescribeImagesRequest) { r.InstanceType = "ecs.nope.small" }, "InvalidInstanceType.ValueNotSupported", 400},
		{"Tag", func(r *ecs.DescribeImagesRequest) {
			r.Tag = &[]ecs.DescribeImagesTag{{Value: "orphan"}}
		}, "InvalidTag.Mismatch", 400},
		{"DryRun", func(r *ecs.DescribeImagesRequest) { r.DryRun = requests.NewBoolean(true) }, "DryRunOperation", 400},
		{"Region", func(r *ecs.DescribeImagesRequest) { r.RegionId = "mars-1" }, "InvalidRegionId.NotFound", 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := ecs.CreateDescribeImagesRequest()
			req.RegionId = "cn-hangzhou"
			tc.set(req)
			_, err := c.DescribeImages(req)
			if err == nil {
				t.Fatal("no error")
			}
			se := serverError(t, err)
			if se.ErrorCode() != tc.code || se.HttpStatus() != tc.status || se.RequestId() == "" {
				t.Fatalf("got %s (%d) %q, want %s (%d)", se.ErrorCode(), se.HttpStatus(), se.Message(), tc.code, tc.status)
			}
		})
	}
}

// TestOldSDKDecodesDescribeImagesFromXML proves the XML rendering of the image
// lists (Images/Image, DiskDeviceMappings/DiskDeviceMapping) for the SDK's decoder.
func TestOldSDKDecodesDescribeImagesFromXML(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	req := ecs.CreateDescribeImagesRequest()
	req.AcceptFormat = "XML"
	req.RegionId = "cn-hangzhou"
	req.ImageId = e2eUbuntu2204 + "," + e2eWin2022
	resp, err := c.DescribeImages(req)
	if err != nil {
		t.Fatalf("DescribeImages (XML): %v", err)
	}
	if resp.TotalCount != 2 || len(resp.Images.Image) != 2 {
		t.Fatalf("XML answer: %+v", resp)
	}
	for _, img := range resp.Images.Image {
		if len(img.DiskDeviceMappings.DiskDeviceMapping) != 1 || img.Size == 0 || img.OSType == "" {
			t.Errorf("XML image %+v", img)
		}
	}
}

// TestTeaSDKDescribesImagesWithBothSignatures filters by InstanceType, family,
// creation time and tags through the v7 SDK, signed V3 and V1.
func TestTeaSDKDescribesImagesWithBothSignatures(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, sigV1 := range []bool{false, true} {
		c := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, sigV1)
		resp, err := c.DescribeImages(&teaecs.DescribeImagesRequest{
			RegionId:        dara.String("cn-hangzhou"),
			InstanceType:    dara.String("ecs.g5.large"),
			ImageOwnerAlias: dara.String("system"), // custom images of other tests may share the account
			PageSize:        dara.Int32(100),
		})
		if err != nil {
			t.Fatalf("DescribeImages (sigV1=%v): %v", sigV1, err)
		}
		var ids []string
		for _, img := range resp.Body.Images.Image {
			ids = append(ids, dara.StringValue(img.ImageId))
		}
		if !slices.Contains(ids, e2eWin2022) || slices.Contains(ids, e2eAliyun3ARM) ||
			int(dara.Int32Value(resp.Body.TotalCount)) != len(ids) {
			t.Errorf("InstanceType=ecs.g5.large (x86): %v", ids)
		}

		fam, err := c.DescribeImages(&teaecs.DescribeImagesRequest{
			RegionId:    dara.String("cn-hangzhou"),
			ImageFamily: dara.String("acs:ubuntu_22_04_x64"),
			Filter: []*teaecs.DescribeImagesRequestFilter{
				{Key: dara.String("CreationStartTime"), Value: dara.String("2024-05-01T00:00Z")},
				{Key: dara.String("CreationEndTime"), Value: dara.String("2024-06-01T00:00Z")},
			},
		})
		if err != nil {
			t.Fatalf("DescribeImages by family (sigV1=%v): %v", sigV1, err)
		}
		if imgs := fam.Body.Images.Image; len(imgs) != 1 || dara.StringValue(imgs[0].ImageId) != e2eUbuntu2204 ||
			dara.Int32Value(imgs[0].Size) != 20 || dara.StringValue(imgs[0].DiskDeviceMappings.DiskDeviceMapping[0].Size) != "20" {
			t.Errorf("family acs:ubuntu_22_04_x64 in May 2024: %+v", fam.Body.Images)
		}

		tagged, err := c.DescribeImages(&teaecs.DescribeImagesRequest{
			RegionId: dara.String("cn-hangzhou"),
			Tag:      []*teaecs.DescribeImagesRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}},
		})
		if err != nil || dara.Int32Value(tagged.Body.TotalCount) != 0 || len(tagged.Body.Images.Image) != 0 {
			t.Errorf("system images carry no tags: %+v %v", tagged, err)
		}

		_, err = c.DescribeImages(&teaecs.DescribeImagesRequest{
			RegionId: dara.String("cn-hangzhou"), Architecture: dara.String("riscv"),
		})
		if code, status := teaError(t, err); code != "InvalidArchitecture" || status != 404 {
			t.Errorf("Architecture=riscv (sigV1=%v): %s %d", sigV1, code, status)
		}
	}
}

// TestTerraformTransportReadsImageFieldsWithTheirJSONTypes reads DescribeImages
// through tea-rpc as raw maps, the way the provider type-asserts values.
func TestTerraformTransportReadsImageFieldsWithTheirJSONTypes(t *testing.T) {
	s := startServer(t, serverOptions{})
	resp, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeImages",
		map[string]any{"RegionId": "cn-hangzhou", "ImageId": e2eWin2022, "ImageOwnerAlias": "system"})
	if err != nil {
		t.Fatalf("DescribeImages: %v", err)
	}
	images := resp["Images"].(map[string]any)["Image"].([]any)
	if len(images) != 1 {
		t.Fatalf("DescribeImages = %v", resp)
	}
	img := images[0].(map[string]any)
	if _, isBool := img["IsSupportIoOptimized"].(bool); !isBool {
		t.Errorf("IsSupportIoOptimized is %T", img["IsSupportIoOptimized"])
	}
	if _, isString := img["Size"].(string); isString || img["Size"] == nil {
		t.Errorf("Size is %T %v, want a JSON number", img["Size"], img["Size"])
	}
	if img["OSType"] != "windows" || !strings.HasPrefix(img["Platform"].(string), "Windows Server") {
		t.Errorf("Windows image = %v", img)
	}
}
