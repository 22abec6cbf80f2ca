package image

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
)

const (
	hangzhou = "cn-hangzhou"
	ubuntu22 = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	ubuntuA  = "ubuntu_22_04_arm64_20G_alibase_20240508.vhd"
	win2022  = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd"
	centosOK = "centos_7_9_x64_20G_alibase_20240628.vhd"
	centosD  = "centos_7_9_x64_20G_alibase_20231220.vhd"
)

func newService(t *testing.T, sources ...Source) *Service {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Catalog: cat, Sources: sources})
}

// listAll returns the IDs of every image q selects in cn-hangzhou for account 1.
func listAll(t *testing.T, s *Service, q Query) []string {
	t.Helper()
	res, err := s.List(context.Background(), 1, hangzhou, q, Page{Number: 1, Size: MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, img := range res.Images {
		ids = append(ids, img.ID)
	}
	return ids
}

// want returns the IDs of the catalog images (offered in cn-hangzhou) that keep
// accepts, in the service's order.
func want(t *testing.T, s *Service, keep func(Image) bool) []string {
	t.Helper()
	var ids []string
	for _, id := range listAll(t, s, Query{}) {
		img, err := s.Image(context.Background(), 1, hangzhou, id)
		if err != nil {
			t.Fatal(err)
		}
		if keep(img) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		t.Fatal("the expectation selects nothing; the test proves nothing")
	}
	return ids
}

func assertAPIError(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if e.Code != code || e.HTTPStatus != status || (message != "" && e.Message != message) {
		t.Fatalf("got %s (%d) %q, want %s (%d) %q", e.Code, e.HTTPStatus, e.Message, code, status, message)
	}
}

func TestListsNewestFirstAndTheZeroQuerySelectsEveryStatus(t *testing.T) {
	s := newService(t)
	ids := listAll(t, s, Query{})
	if !slices.Contains(ids, centosD) || !slices.Contains(ids, ubuntu22) {
		t.Fatalf("zero query: %v", ids)
	}
	var last time.Time
	for i, id := range ids {
		img, _ := s.Image(context.Background(), 1, hangzhou, id)
		if i > 0 && img.CreationTime.After(last) {
			t.Fatalf("%s is newer than the image before it: %v", id, ids)
		}
		last = img.CreationTime
	}
}

func TestEveryDescribeImagesFilterSelectsWhatItNames(t *testing.T) {
	s := newService(t)
	yes, no := true, false
	g5, _ := s.deps.Catalog.InstanceType("ecs.g5.large")
	nano, _ := s.deps.Catalog.InstanceType("ecs.t5-lc2m1.nano")
	cases := []struct {
		name string
		q    Query
		keep func(Image) bool
	}{
		{"ImageId list", Query{ImageIDs: []string{ubuntu22, win2022, "nope.vhd"}},
			func(i Image) bool { return i.ID == ubuntu22 || i.ID == win2022 }},
		{"ImageName contains", Query{Name: "ubuntu_22_04"}, func(i Image) bool { return strings.HasPrefix(i.ID, "ubuntu_22_04") }},
		{"ImageOwnerAlias system", Query{OwnerAlias: "system"}, func(Image) bool { return true }},
		{"Status list", Query{Statuses: []string{"Deprecated", "creating"}}, func(i Image) bool { return i.Status == StatusDeprecated }},
		{"Usage", Query{Usage: "instance"}, func(Image) bool { return true }},
		{"OSType windows", Query{OSType: "Windows"}, func(i Image) bool { return i.OSType == OSTypeWindows }},
		{"OSType linux", Query{OSType: "linux"}, func(i Image) bool { return i.OSType == OSTypeLinux }},
		{"Architecture arm64", Query{Architecture: "arm64"}, func(i Image) bool { return i.Architecture == ArchARM64 }},
		{"ImageFamily", Query{Family: "acs:centos_7_9_x64"}, func(i Image) bool { return strings.HasPrefix(i.ID, "centos_7_9") }},
		{"InstanceType x86", Query{InstanceType: "ecs.g5.large"}, func(i Image) bool { return i.SupportsInstanceType(g5) }},
		{"InstanceType 0.5 GiB", Query{InstanceType: "ecs.t5-lc2m1.nano"}, func(i Image) bool { return i.SupportsInstanceType(nano) }},
		{"IsSupportCloudinit", Query{SupportsCloudinit: &yes}, func(i Image) bool { return i.SupportsCloudinit }},
		{"IsSupportIoOptimized", Query{SupportsIoOptimized: &yes}, func(i Image) bool { return i.SupportsIoOptimized }},
		{"IsPublic false", Query{IsPublic: &no}, func(Image) bool { return true }},
		{"ActionType", Query{ActionType: "ChangeOS"}, func(Image) bool { return true }},
		{"CreationStartTime", Query{CreatedAfter: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)},
			func(i Image) bool { return !i.CreationTime.Before(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)) }},
		{"CreationEndTime", Query{CreatedBefore: time.Date(2024, 5, 29, 0, 0, 0, 0, time.UTC)},
			func(i Image) bool { return i.CreationTime.Before(time.Date(2024, 5, 29, 0, 0, 0, 0, time.UTC)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, w := listAll(t, s, tc.q), want(t, s, tc.keep)
			if !slices.Equal(got, w) {
				t.Errorf("got %v\nwant %v", got, w)
			}
		})
	}
}

func TestFiltersThatSystemImagesNeverPass(t *testing.T) {
	s := newService(t)
	yes, no := true, false
	for name, q := range map[string]Query{
		"ImageOwnerAlias self":        {OwnerAlias: "self"},
		"ImageOwnerAlias others":      {OwnerAlias: "others"},
		"ImageOwnerAlias marketplace": {OwnerAlias: "marketplace"},
		"ImageOwnerId":                {OwnerID: 1234567890},
		"SnapshotId":                  {SnapshotID: "s-bp1abc"},
		"Usage none":                  {Usage: "none"},
		"IsPublic true":               {IsPublic: &yes},
		"IsSupportIoOptimized false":  {SupportsIoOptimized: &no},
		"Tag key":                     {Tags: []TagFilter{{Key: "env"}}},
		"ImageId unknown":             {ImageIDs: []string{"m-unknown"}},
		"Status CreateFailed":         {Statuses: []string{"CreateFailed"}},
	} {
		if got := listAll(t, s, q); len(got) != 0 {
			t.Errorf("%s: got %v, want none", name, got)
		}
	}
}

func TestInstanceTypeFilterDropsARMImagesAndWindowsBelowOneGiB(t *testing.T) {
	s := newService(t)
	g5 := listAll(t, s, Query{InstanceType: "ecs.g5.large"})
	if slices.Contains(g5, ubuntuA) || !slices.Contains(g5, win2022) || !slices.Contains(g5, ubuntu22) {
		t.Errorf("ecs.g5.large: %v", g5)
	}
	nano := listAll(t, s, Query{InstanceType: "ecs.t5-lc2m1.nano"})
	if slices.Contains(nano, win2022) || !slices.Contains(nano, ubuntu22) {
		t.Errorf("ecs.t5-lc2m1.nano (0.5 GiB): %v", nano)
	}
}

func TestPagesCoverTheListOnceWithItsTotalCount(t *testing.T) {
	s := newService(t)
	all := listAll(t, s, Query{})
	var paged []string
	for n := 1; ; n++ {
		res, err := s.List(context.Background(), 1, hangzhou, Query{}, Page{Number: n, Size: 4})
		if err != nil {
			t.Fatal(err)
		}
		if res.TotalCount != len(all) {
			t.Fatalf("page %d: TotalCount %d, want %d", n, res.TotalCount, len(all))
		}
		if len(res.Images) == 0 {
			break
		}
		for _, img := range res.Images {
			paged = append(paged, img.ID)
		}
	}
	if !slices.Equal(paged, all) {
		t.Errorf("pages %v\nall %v", paged, all)
	}
	far, err := s.List(context.Background(), 1, hangzhou, Query{}, Page{Number: 1 << 40, Size: 100})
	if err != nil || len(far.Images) != 0 || far.TotalCount != len(all) {
		t.Errorf("a page far past the end: %+v %v", far, err)
	}
	for _, p := range []Page{{0, 10}, {1, 0}, {1, 101}} {
		if _, err := s.List(context.Background(), 1, hangzhou, Query{}, p); err == nil {
			t.Errorf("page %+v accepted", p)
		}
	}
}

func TestInvalidFilterValuesAnswerTheGuidesErrors(t *testing.T) {
	s := newService(t)
	six := make([]TagFilter, 6)
	for i := range six {
		six[i] = TagFilter{Key: "k"}
	}
	v := "v"
	cases := []struct {
		name    string
		q       Query
		code    string
		status  int
		message string
	}{
		{"ImageOwnerAlias", Query{OwnerAlias: "everyone"}, "InvalidImageOwnerAlias.ValueNotSupported", 400,
			"The specified ImageOwnerAlias value is not supported."},
		{"Usage", Query{Usage: "busy"}, "InvalidUsage", 404, "The specified Usage is not valid."},
		{"Tag without key", Query{Tags: []TagFilter{{Value: &v}}}, "InvalidTag.Mismatch", 400,
			"The specified Tag.n.Key and Tag.n.Value are not match."},
		{"six tags", Query{Tags: six}, "InvalidTagCount", 400, "The specified tags are beyond the permitted range."},
		{"InstanceType", Query{InstanceType: "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported", 400,
			"The specified InstanceType beyond the permitted range."},
		{"OSType", Query{OSType: "freebsd"}, "InvalidOSType", 404, "The specified OSType is not valid."},
		{"Architecture", Query{Architecture: "sparc"}, "InvalidArchitecture", 404, "The specified Architecture is not valid."},
		{"Status", Query{Statuses: []string{"Available", "Gone"}}, "InvalidParameter", 400, `The specified parameter "Status" is not valid.`},
		{"ActionType", Query{ActionType: "Destroy"}, "InvalidParameter", 400, `The specified parameter "ActionType" is not valid.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.List(context.Background(), 1, hangzhou, tc.q, Page{Number: 1, Size: 10})
			assertAPIError(t, err, tc.code, tc.status, tc.message)
			assertAPIError(t, s.DryRun(tc.q), tc.code, tc.status, tc.message)
		})
	}
	assertAPIError(t, s.DryRun(Query{OwnerAlias: "SYSTEM", OSType: "Linux", Architecture: "X86_64", Usage: "Instance"}),
		"DryRunOperation", http.StatusBadRequest, "Request validation has been passed with DryRun flag set.")
}

func TestImageReturnsSizeAndPlatformForTheInstanceCode(t *testing.T) {
	s := newService(t)
	img, err := s.Image(context.Background(), 7, hangzhou, win2022)
	if err != nil {
		t.Fatal(err)
	}
	if img.Size != 40 || img.Platform != "Windows Server 2022" || img.OSType != OSTypeWindows ||
		img.Architecture != ArchX8664 || !img.Usable() {
		t.Errorf("%+v", img)
	}
	old, err := s.Image(context.Background(), 7, hangzhou, centosD)
	if err != nil || old.Usable() {
		t.Errorf("a deprecated image is found but not usable: %+v %v", old, err)
	}
}

func TestImageOfAnUnknownOrUnofferedImageIsInvalidImageIdNotFound(t *testing.T) {
	s := newService(t)
	for _, tc := range []struct{ region, id string }{
		{hangzhou, "m-doesnotexist"},
		{hangzhou, ""},
		{"cn-qingdao", ubuntuA}, // arm64 images are not offered in cn-qingdao
	} {
		_, err := s.Image(context.Background(), 1, tc.region, tc.id)
		assertAPIError(t, err, "InvalidImageId.NotFound", http.StatusNotFound, "The specified ImageId does not exist.")
		if !errors.Is(err, ErrNotFound()) {
			t.Errorf("errors.Is(%v, ErrNotFound())", err)
		}
	}
}

// fakeSource is a store-backed source as the custom-image issue will add one.
type fakeSource struct {
	images map[int64][]Image // per account
	err    error
}

func (f fakeSource) Images(_ context.Context, accountID int64, _ string, _ Query) ([]Image, error) {
	return f.images[accountID], f.err
}

func customImage(id, alias string, owner int64, tags ...Tag) Image {
	return Image{ID: id, Name: "web-" + id, OwnerAlias: alias, OwnerID: owner, OSType: OSTypeLinux,
		Architecture: ArchX8664, Size: 40, Status: StatusAvailable, Usage: UsageNone, Progress: ProgressDone,
		CreationTime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), ResourceGroupID: "rg-1", Tags: tags,
		DiskDeviceMappings: []DiskDeviceMapping{{Device: SystemDiskDevice, Type: DiskTypeSystem, Size: 40, SnapshotID: "s-" + id}}}
}

func TestCustomImagesOfASourceMergeWithTheSystemImages(t *testing.T) {
	mine := customImage("m-mine", OwnerSelf, 1, Tag{"env", "prod"})
	shared := customImage("m-shared", OwnerOthers, 2)
	community := customImage("m-community", OwnerOthers, 3)
	community.IsPublic = true
	shadow := customImage(ubuntu22, OwnerSelf, 1) // a source cannot replace a system image
	src := fakeSource{images: map[int64][]Image{1: {mine, shared, community, shadow}}}
	s := newService(t, src)
	prod, empty := "prod", ""
	for name, tc := range map[string]struct {
		q    Query
		want []string
	}{
		"default aliases, newest first": {Query{Statuses: []string{"Available"}, Name: "web-"}, []string{"m-mine", "m-shared"}},
		"self":                          {Query{OwnerAlias: "self"}, []string{"m-mine"}},
		"others":                        {Query{OwnerAlias: "others"}, []string{"m-shared"}},
		"community":                     {Query{OwnerAlias: "others", IsPublic: ptr(true)}, []string{"m-community"}},
		"owner id":                      {Query{OwnerID: 2}, []string{"m-shared"}},
		"snapshot":                      {Query{SnapshotID: "s-m-mine"}, []string{"m-mine"}},
		"usage none":                    {Query{Usage: "none"}, []string{"m-mine", "m-shared"}},
		"tag key and value":             {Query{Tags: []TagFilter{{Key: "env", Value: &prod}}}, []string{"m-mine"}},
		"tag key, any value":            {Query{Tags: []TagFilter{{Key: "env"}}}, []string{"m-mine"}},
		"tag with another value":        {Query{Tags: []TagFilter{{Key: "env", Value: &empty}}}, nil},
		"resource group of own images":  {Query{ResourceGroupID: "rg-2", Name: "web-"}, []string{"m-shared"}},
	} {
		if got := listAll(t, s, tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}
	img, err := s.Image(context.Background(), 1, hangzhou, ubuntu22)
	if err != nil || img.OwnerAlias != OwnerSystem {
		t.Errorf("the system image must win over a source's image with its ID: %+v %v", img, err)
	}
	if _, err := s.Image(context.Background(), 9, hangzhou, "m-mine"); !errors.Is(err, ErrNotFound()) {
		t.Errorf("another account must not see m-mine: %v", err)
	}
}

func TestASourceFailureFailsTheListing(t *testing.T) {
	boom := errors.New("disk on fire")
	s := newService(t, fakeSource{err: boom})
	if _, err := s.List(context.Background(), 1, hangzhou, Query{}, Page{Number: 1, Size: 10}); !errors.Is(err, boom) {
		t.Errorf("got %v", err)
	}
	if _, err := s.Image(context.Background(), 1, hangzhou, ubuntu22); !errors.Is(err, boom) {
		t.Errorf("got %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
