package image_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/store"
)

func TestCreateImageFromASnapshotGoesFromCreatingToAvailableAndProtectsTheSnapshot(t *testing.T) {
	f := newFixture(t)
	sn := f.takeSnapshot("d-sys")
	id, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn, Name: "web-v1", Version: "1.0", Description: "web"})
	if err != nil {
		t.Fatal(err)
	}
	img := f.image(alice, id)
	if img.Status != image.StatusCreating || img.Usable() || img.Progress != "0%" || !strings.HasPrefix(id, "m-") {
		t.Fatalf("right after CreateImage: %s %s usable=%v", img.Status, img.Progress, img.Usable())
	}
	f.finish()
	img = f.image(alice, id)
	if img.Status != image.StatusAvailable || !img.Usable() || img.Progress != "100%" || img.OwnerAlias != image.OwnerSelf ||
		img.OwnerID != 1 || img.Size != 40 || img.Platform != "Ubuntu" || img.OSType != "linux" || img.Name != "web-v1" {
		t.Fatalf("after the task: %+v", img)
	}
	if len(img.DiskDeviceMappings) != 1 || img.DiskDeviceMappings[0].SnapshotID != sn || img.DiskDeviceMappings[0].Device != "/dev/xvda" {
		t.Fatalf("mappings: %+v", img.DiskDeviceMappings)
	}
	res, err := f.svc.List(t.Context(), 1, hangzhou, image.Query{SnapshotID: sn}, image.Page{Number: 1, Size: 10})
	if err != nil || res.TotalCount != 1 || res.Images[0].ID != id {
		t.Fatalf("DescribeImages SnapshotId: %+v, %v", res, err)
	}
	err = f.snap.Delete(t.Context(), snapshot.Caller{AccountID: 1, RegionID: hangzhou}, sn, false)
	wantAPIError(t, err, "SnapshotCreatedImage", http.StatusForbidden)
}

func TestCreateImageFromAnInstanceSnapshotsEveryDiskAndWaitsForThem(t *testing.T) {
	f := newFixture(t)
	id, err := f.svc.Create(t.Context(), alice, image.CreateInput{InstanceID: "i-run", Name: "whole"})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.clk.Advance(5 * time.Second)
	f.settle()
	f.clk.Advance(time.Second)
	f.settle()
	img := f.image(alice, id)
	if img.Status != image.StatusCreating || img.Progress == "0%" || img.Progress == "100%" {
		t.Fatalf("half way: %s %s", img.Status, img.Progress)
	}
	f.finish()
	img = f.image(alice, id)
	if img.Status != image.StatusAvailable || len(img.DiskDeviceMappings) != 2 {
		t.Fatalf("after: %+v", img)
	}
	sys, data := img.DiskDeviceMappings[0], img.DiskDeviceMappings[1]
	if sys.Device != "/dev/xvda" || sys.Type != "system" || sys.Size != 40 || data.Device != "/dev/xvdb" || data.Type != "data" ||
		data.Size != 100 || sys.SnapshotID == "" || data.SnapshotID == "" {
		t.Fatalf("mappings: %+v", img.DiskDeviceMappings)
	}
	if img.Platform != "Ubuntu" || img.Architecture != "x86_64" || img.Size != 40 {
		t.Fatalf("os: %+v", img)
	}
}

func TestCreateImageFromDiskMappingsPlacesTheSystemSnapshotFirst(t *testing.T) {
	f := newFixture(t)
	data := f.takeSnapshot("d-data")
	sys := f.takeSnapshot("d-sys")
	id, err := f.svc.Create(t.Context(), alice, image.CreateInput{Mappings: []image.MappingInput{
		{SnapshotID: data, Size: "200"}, {Size: "10"}, {SnapshotID: sys}}})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	got := f.image(alice, id).DiskDeviceMappings
	want := []image.DiskDeviceMapping{{Device: "/dev/xvda", Type: "system", Size: 40, SnapshotID: sys},
		{Device: "/dev/xvdb", Type: "data", Size: 200, SnapshotID: data}, {Device: "/dev/xvdc", Type: "data", Size: 10}}
	if !slices.Equal(got, want) {
		t.Fatalf("mappings %+v, want %+v", got, want)
	}
}

func TestCreateImageAnswersTheGuidesErrors(t *testing.T) {
	f := newFixture(t)
	sys := f.takeSnapshot("d-sys")
	data := f.takeSnapshot("d-data")
	sys2 := f.takeSnapshot("d-sys")
	old := "s-old"
	f.update(func(tx store.Tx) error {
		return tx.CreateSnapshot(store.Snapshot{ID: old, AccountID: 1, RegionID: hangzhou, Type: store.SnapshotTypeUser,
			SourceDiskID: "d-gone", SourceDiskType: "system", SourceDiskSizeGiB: 40, SourceDiskCategory: "cloud",
			Status: store.SnapshotAccomplished, Progress: 100, CreatedAt: time.Date(2013, 7, 15, 12, 0, 0, 0, time.UTC)})
	})
	progressing, err := f.snap.Create(t.Context(), snapshot.Caller{AccountID: 1, RegionID: hangzhou}, snapshot.CreateInput{DiskID: "d-sys"})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	if _, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sys, Name: "taken"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		in     image.CreateInput
		code   string
		status int
	}{
		{"no source", image.CreateInput{Name: "x1"}, "MissingParameter", 400},
		{"name starting with a digit", image.CreateInput{SnapshotID: sys, Name: "1abc"}, "InvalidImageName.Malformed", 400},
		{"name of one character", image.CreateInput{SnapshotID: sys, Name: "a"}, "InvalidImageName.Malformed", 400},
		{"name http://", image.CreateInput{SnapshotID: sys, Name: "http://x"}, "InvalidImageName.Malformed", 400},
		{"description https://", image.CreateInput{SnapshotID: sys, Description: "https://x"}, "InvalidDescription.Malformed", 400},
		{"description of 257", image.CreateInput{SnapshotID: sys, Description: strings.Repeat("d", 257)}, "InvalidDescription.Malformed", 400},
		{"version of 41", image.CreateInput{SnapshotID: sys, Version: strings.Repeat("1", 41)}, "InvalidImageVersion.Malformed", 400},
		{"duplicated name", image.CreateInput{SnapshotID: sys, Name: "taken"}, "InvalidImageName.Duplicated", 400},
		{"unknown snapshot", image.CreateInput{SnapshotID: "s-none"}, "InvalidSnapshotId.NotFound", 404},
		{"another account's snapshot", image.CreateInput{SnapshotID: sys}, "", 0},
		{"data-disk snapshot", image.CreateInput{SnapshotID: data}, "OperationDenied", 403},
		{"progressing snapshot", image.CreateInput{SnapshotID: progressing}, "InvalidSnapshotId.NotReady", 403},
		{"snapshot of 2013-07-15", image.CreateInput{SnapshotID: old}, "InvalidSnapshot.TooOld", 403},
		{"unknown instance", image.CreateInput{InstanceID: "i-none"}, "InvalidInstanceId.NotFound", 404},
		{"pending instance", image.CreateInput{InstanceID: "i-pend"}, "IncorrectInstanceStatus", 400},
		{"locked instance", image.CreateInput{InstanceID: "i-lock"}, "InstanceLockedForSecurity", 400},
		{"mappings without a system snapshot", image.CreateInput{Mappings: []image.MappingInput{{SnapshotID: data}}}, "OperationDenied", 400},
		{"mappings with two system snapshots", image.CreateInput{Mappings: []image.MappingInput{{SnapshotID: sys}, {SnapshotID: sys2}}}, "OperationDenied", 400},
		{"mapping smaller than its snapshot", image.CreateInput{Mappings: []image.MappingInput{{SnapshotID: sys, Size: "20"}}}, "InvalidSize.ValueNotSupported", 400},
		{"mapping over 2000", image.CreateInput{Mappings: []image.MappingInput{{SnapshotID: sys}, {Size: "2001"}}}, "InvalidSize.ValueNotSupported", 400},
		{"mapping under 5", image.CreateInput{Mappings: []image.MappingInput{{SnapshotID: sys}, {Size: "4"}}}, "InvalidSize.ValueNotSupported", 400},
		{"unknown mapping snapshot", image.CreateInput{Mappings: []image.MappingInput{{SnapshotID: "s-none"}}}, "InvalidSnapshotId.NotFound", 404},
		{"bad platform", image.CreateInput{SnapshotID: sys, Platform: "Plan9"}, "InvalidPlatform.Malformed", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			caller := alice
			if c.code == "" {
				caller, c.code, c.status = bob, "InvalidSnapshotId.NotFound", 404
			}
			_, err := f.svc.Create(t.Context(), caller, c.in)
			wantAPIError(t, err, c.code, c.status)
		})
	}
	_, err = f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: data})
	wantMessage(t, err, "OperationDenied", "The specified snapshot is not from system disk.")
	res, err := f.svc.List(t.Context(), 1, hangzhou, image.Query{OwnerAlias: image.OwnerSelf}, image.Page{Number: 1, Size: 100})
	if err != nil || res.TotalCount != 1 {
		t.Fatalf("refused calls created images: %d, %v", res.TotalCount, err)
	}
}

func TestCreateImageWithTheSameClientTokenAnswersTheSameImage(t *testing.T) {
	f := newFixture(t)
	sn := f.takeSnapshot("d-sys")
	in := image.CreateInput{SnapshotID: sn, Name: "tok", ClientToken: "token-1"}
	a, err := f.svc.Create(t.Context(), alice, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Create(t.Context(), alice, in)
	if err != nil || a != b {
		t.Fatalf("second call: %s, %v; want %s", b, err, a)
	}
	in.Name = "other"
	_, err = f.svc.Create(t.Context(), alice, in)
	wantAPIError(t, err, "InvalidParamter.Conflict", 403)
}

func TestCreateImageBeyondTheQuotaIsQuotaExceedImage(t *testing.T) {
	f := newFixture(t)
	sn := f.takeSnapshot("d-sys")
	for range image.DefaultImagesPerRegion {
		if _, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn})
	wantAPIError(t, err, "QuotaExceed.Image", 403)
}
