package ecs

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/image"
)

const (
	ubuntu2204    = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	ubuntu2204ARM = "ubuntu_22_04_arm64_20G_alibase_20240508.vhd"
	win2022CN     = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd"
)

func imageHandlers(t *testing.T) *Handlers {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Catalog: cat, Endpoint: testEndpoint, Images: image.New(image.Deps{Catalog: cat})})
}

// describeImages decodes query as the front does and calls the handler as account 1.
func describeImages(t *testing.T, h *Handlers, query string) (*DescribeImagesResponse, error) {
	t.Helper()
	var req DescribeImagesRequest
	if err := decode(t, query, &req); err != nil {
		t.Fatalf("decode %q: %v", query, err)
	}
	ctx := reqctx.With(context.Background(), &reqctx.Call{AccountID: 1, RegionID: req.RegionId})
	return h.DescribeImages(ctx, &req)
}

func imageIDs(resp *DescribeImagesResponse) []string {
	var ids []string
	for _, img := range resp.Images.Image {
		ids = append(ids, img.ImageId)
	}
	return ids
}

func TestDescribeImagesAnswersTheSDKShapeWithRealJSONTypes(t *testing.T) {
	h := imageHandlers(t)
	resp, err := describeImages(t, h, "RegionId=cn-hangzhou&ImageId="+win2022CN)
	if err != nil {
		t.Fatal(err)
	}
	body := string(assertSDKShape(t, resp, "DescribeImagesResponse", "DescribeImagesResponseBody"))
	for _, want := range []string{
		`"RegionId":"cn-hangzhou"`, `"TotalCount":1`, `"PageNumber":1`, `"PageSize":10`,
		`"Size":40`, `"DiskDeviceMapping":[{"Device":"/dev/xvda","Type":"system","Size":"40"`,
		`"IsSupportIoOptimized":true`, `"Tags":{"Tag":[]}`, `"ImageOwnerAlias":"system"`,
		`"Platform":"Windows Server 2022"`, `"OSType":"windows"`, `"Progress":"100%"`, `"Usage":"instance"`,
		`"CreationTime":"2024-08-16T02:18:07Z"`, `"ImageName":"` + win2022CN + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("response lacks %s:\n%s", want, body)
		}
	}
}

func TestDescribeImagesListsTenAvailableImagesPerPageByDefault(t *testing.T) {
	h := imageHandlers(t)
	resp, err := describeImages(t, h, "RegionId=cn-hangzhou")
	if err != nil {
		t.Fatal(err)
	}
	if resp.PageNumber != 1 || resp.PageSize != 10 || len(resp.Images.Image) != 10 || resp.TotalCount <= 10 {
		t.Fatalf("page %d size %d: %d of %d", resp.PageNumber, resp.PageSize, len(resp.Images.Image), resp.TotalCount)
	}
	all, _ := describeImages(t, h, "RegionId=cn-hangzhou&PageSize=100")
	for _, img := range all.Images.Image {
		if img.Status != "Available" {
			t.Errorf("Status defaults to Available, got %s %s", img.ImageId, img.Status)
		}
	}
	if all.TotalCount != resp.TotalCount || len(all.Images.Image) != all.TotalCount {
		t.Errorf("PageSize=100: %d of %d", len(all.Images.Image), all.TotalCount)
	}
	second, _ := describeImages(t, h, "RegionId=cn-hangzhou&PageNumber=2")
	if got := append(imageIDs(resp), imageIDs(second)...); !slices.Equal(got, imageIDs(all)[:len(got)]) {
		t.Errorf("pages 1 and 2 %v are not the start of %v", got, imageIDs(all))
	}
	beijing, _ := describeImages(t, h, "RegionId=cn-qingdao&PageSize=100")
	if beijing.RegionId != "cn-qingdao" || beijing.TotalCount >= all.TotalCount {
		t.Errorf("cn-qingdao offers no arm64 images: %d vs %d", beijing.TotalCount, all.TotalCount)
	}
}

func TestDescribeImagesTakesCommaSeparatedImageIdsAndStatuses(t *testing.T) {
	h := imageHandlers(t)
	resp, err := describeImages(t, h, "RegionId=cn-hangzhou&ImageId="+ubuntu2204+",%20"+win2022CN+",,m-unknown")
	if err != nil {
		t.Fatal(err)
	}
	if got := imageIDs(resp); len(got) != 2 || !slices.Contains(got, ubuntu2204) || !slices.Contains(got, win2022CN) {
		t.Errorf("ImageId list: %v", got)
	}
	resp, _ = describeImages(t, h, "RegionId=cn-hangzhou&Status=Deprecated")
	if got := imageIDs(resp); len(got) != 1 || got[0] != "centos_7_9_x64_20G_alibase_20231220.vhd" {
		t.Errorf("Status=Deprecated: %v", got)
	}
	both, _ := describeImages(t, h, "RegionId=cn-hangzhou&Status=Available,Deprecated&PageSize=1")
	avail, _ := describeImages(t, h, "RegionId=cn-hangzhou&PageSize=1")
	if both.TotalCount != avail.TotalCount+1 {
		t.Errorf("Status=Available,Deprecated: %d, Available: %d", both.TotalCount, avail.TotalCount)
	}
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprintf("m-%d", i)
	}
	_, err = describeImages(t, h, "RegionId=cn-hangzhou&ImageId="+strings.Join(ids, ","))
	assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
}

func TestDescribeImagesFiltersAsTerraformAndTheSDKsSendThem(t *testing.T) {
	h := imageHandlers(t)
	cases := []struct {
		query string
		check func(Image) bool
	}{
		{"ImageOwnerAlias=system&OSType=linux&Architecture=x86_64",
			func(i Image) bool { return i.OSType == "linux" && i.Architecture == "x86_64" }},
		{"ImageOwnerAlias=system&Architecture=arm64", func(i Image) bool { return i.Architecture == "arm64" }},
		{"InstanceType=ecs.g5.large", func(i Image) bool { return i.Architecture != "arm64" }},
		{"ImageFamily=acs:ubuntu_22_04_x64", func(i Image) bool { return i.ImageId == ubuntu2204 }},
		{"ImageName=ubuntu_2", func(i Image) bool { return strings.HasPrefix(i.ImageName, "ubuntu_2") }},
		{"IsSupportCloudinit=true&IsSupportIoOptimized=true&Usage=instance&ActionType=CreateEcs",
			func(i Image) bool { return i.IsSupportCloudinit && i.IsSupportIoOptimized }},
		{"Filter.1.Key=CreationStartTime&Filter.1.Value=2024-07-01T00:00Z&Filter.2.Key=CreationEndTime&Filter.2.Value=2024-07-31T23:59Z",
			func(i Image) bool { return i.CreationTime >= "2024-07-01" && i.CreationTime < "2024-08" }},
		{"Filter.1.Key=NetworkType&Filter.1.Value=vpc", func(Image) bool { return true }},
	}
	for _, tc := range cases {
		resp, err := describeImages(t, h, "RegionId=cn-hangzhou&PageSize=100&"+tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if len(resp.Images.Image) == 0 {
			t.Errorf("%s: nothing listed", tc.query)
		}
		for _, img := range resp.Images.Image {
			if !tc.check(img) {
				t.Errorf("%s listed %s", tc.query, img.ImageId)
			}
		}
	}
	for _, query := range []string{"ImageOwnerAlias=self", "Tag.1.Key=env&Tag.1.Value=prod", "SnapshotId=s-1", "IsPublic=true"} {
		resp, err := describeImages(t, h, "RegionId=cn-hangzhou&"+query)
		if err != nil || resp.TotalCount != 0 || len(resp.Images.Image) != 0 {
			t.Errorf("%s: want an empty list, got %v %v", query, imageIDs(resp), err)
		}
	}
}

func TestDescribeImagesAnswersTheGuidesErrors(t *testing.T) {
	h := imageHandlers(t)
	tags := ""
	for i := 1; i <= 6; i++ {
		tags += fmt.Sprintf("&Tag.%d.Key=k%d", i, i)
	}
	cases := []struct {
		query, code string
		status      int
	}{
		{"ImageOwnerAlias=nobody", "InvalidImageOwnerAlias.ValueNotSupported", 400},
		{"Usage=sometimes", "InvalidUsage", 404},
		{"Tag.1.Value=prod", "InvalidTag.Mismatch", 400},
		{tags, "InvalidTagCount", 400},
		{"InstanceType=ecs.x9.huge", "InvalidInstanceType.ValueNotSupported", 400},
		{"OSType=plan9", "InvalidOSType", 404},
		{"Architecture=mips", "InvalidArchitecture", 404},
		{"Status=Exploded", "InvalidParameter", 400},
		{"ActionType=Reboot", "InvalidParameter", 400},
		{"Filter.1.Key=CreationStartTime&Filter.1.Value=yesterday", "InvalidParameter", 400},
		{"Filter.1.Key=Color&Filter.1.Value=blue", "InvalidParameter", 400},
		{"DryRun=true", "DryRunOperation", 400},
		{"DryRun=true&OSType=plan9", "InvalidOSType", 404},
	}
	for _, tc := range cases {
		_, err := describeImages(t, h, "RegionId=cn-hangzhou&"+tc.query)
		t.Run(tc.query, func(t *testing.T) { assertAPIError(t, err, tc.code, tc.status) })
	}
	_, err := describeImages(t, h, "RegionId=cn-nowhere")
	assertAPIError(t, err, "InvalidRegionId.NotFound", 404)
}

func TestDescribeImagesPagingParametersAreBounded(t *testing.T) {
	for _, query := range []string{"PageSize=0", "PageSize=101", "PageNumber=0", "PageNumber=x"} {
		var req DescribeImagesRequest
		if err := decode(t, "RegionId=cn-hangzhou&"+query, &req); err == nil {
			t.Errorf("%s decoded", query)
		} else if we, ok := err.(*wire.Error); !ok || we.Kind != wire.KindInvalid {
			t.Errorf("%s: %v", query, err)
		}
	}
	var req DescribeImagesRequest
	err := decode(t, "RegionId=cn-hangzhou&PageSize=100&PageNumber=3&Tag.1.Key=a&Tag.1.Value=&Tag.2.Key=b"+
		"&Filter.1.Key=CreationStartTime&Filter.1.Value=2024-01-01T00:00Z&DryRun=false&ImageOwnerId=1234", &req)
	if err != nil {
		t.Fatal(err)
	}
	if *req.PageSize != 100 || *req.PageNumber != 3 || len(req.Tag) != 2 || req.Tag[0].Value == nil ||
		*req.Tag[0].Value != "" || req.Tag[1].Value != nil || req.Filter[0].Value != "2024-01-01T00:00Z" ||
		req.ImageOwnerId != 1234 {
		t.Errorf("%+v", req)
	}
}

func TestDescribeImagesReportsTheImagesOfOtherSources(t *testing.T) {
	cat, _ := catalog.NewDefault()
	custom := image.Image{ID: "m-bp1custom", Name: "web", OwnerAlias: image.OwnerSelf, OwnerID: 1,
		OSType: image.OSTypeLinux, Architecture: image.ArchX8664, Size: 40, Status: image.StatusAvailable,
		Usage: image.UsageNone, Progress: image.ProgressDone, Tags: []image.Tag{{Key: "env", Value: "prod"}},
		DiskDeviceMappings: []image.DiskDeviceMapping{{Device: "/dev/xvda", Type: "system", Size: 40, SnapshotID: "s-bp1snap"}}}
	h := New(Deps{Catalog: cat, Images: image.New(image.Deps{Catalog: cat, Sources: []image.Source{oneImage{custom}}})})
	resp, err := describeImages(t, h, "RegionId=cn-hangzhou&ImageOwnerAlias=self&Tag.1.Key=env&Tag.1.Value=prod")
	if err != nil {
		t.Fatal(err)
	}
	body := string(assertSDKShape(t, resp, "DescribeImagesResponse", "DescribeImagesResponseBody"))
	if !strings.Contains(body, `"Tags":{"Tag":[{"TagKey":"env","TagValue":"prod"}]}`) ||
		!strings.Contains(body, `"SnapshotId":"s-bp1snap"`) || !strings.Contains(body, `"ImageOwnerId":1,`) {
		t.Errorf("custom image rendered as %s", body)
	}
}

// oneImage is a Source with one image for every account and region.
type oneImage struct{ img image.Image }

func (o oneImage) Images(context.Context, int64, string, image.Query) ([]image.Image, error) {
	return []image.Image{o.img}, nil
}
