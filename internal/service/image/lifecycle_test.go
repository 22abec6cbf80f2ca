package image_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/store"
)

func TestModifyImageAttributeRenamesAndRefusesDuplicatesAndOthersImages(t *testing.T) {
	f := newFixture(t)
	a, _ := f.fromSnapshot("first")
	b, _ := f.fromSnapshot("second")
	name, desc := "renamed", "new description"
	if err := f.svc.Modify(t.Context(), alice, a, image.ModifyInput{Name: &name, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if img := f.image(alice, a); img.Name != name || img.Description != desc {
		t.Fatalf("after modify: %+v", img)
	}
	dup := "second"
	wantMessage(t, f.svc.Modify(t.Context(), alice, a, image.ModifyInput{Name: &dup}), "InvalidImageName.Duplicated", "The destination image is exist.")
	bad := "_bad"
	wantMessage(t, f.svc.Modify(t.Context(), alice, a, image.ModifyInput{Name: &bad}), "InvalidImageName.Malformed",
		"The specified destination Image name is wrongly formed.")
	wantAPIError(t, f.svc.Modify(t.Context(), bob, b, image.ModifyInput{Name: &name}), "InvalidImageId.NotFound", 404)
	wantAPIError(t, f.svc.Modify(t.Context(), alice, ubuntu22, image.ModifyInput{Name: &name}), "InvalidImageId.NotFound", 404)
	wantAPIError(t, f.svc.Modify(t.Context(), alice, "", image.ModifyInput{}), "MissingParameter", 400)
	deprecated := "Deprecated"
	if err := f.svc.Modify(t.Context(), alice, b, image.ModifyInput{Status: &deprecated}); err != nil {
		t.Fatal(err)
	}
	if img := f.image(alice, b); img.Status != image.StatusDeprecated || img.Usable() {
		t.Fatalf("deprecated image: %s usable=%v", img.Status, img.Usable())
	}
}

func TestDeleteImageRefusesWhatTheGuideRefusesAndForceDeletesAnImageInUse(t *testing.T) {
	f := newFixture(t)
	sn := f.takeSnapshot("d-sys")
	creating, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn})
	if err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, f.svc.Delete(t.Context(), alice, creating, false), "ImageIsCreating", 403)
	f.finish()
	// Instances run from it.
	f.update(func(tx store.Tx) error {
		return tx.CreateInstance(store.Instance{ID: "i-from", AccountID: 1, RegionID: hangzhou, ZoneID: "cn-hangzhou-b",
			InstanceType: "ecs.g5.large", ImageID: creating, Status: "Running", CreatedAt: f.clk.Now()})
	})
	if img := f.image(alice, creating); img.Usage != image.UsageInstance {
		t.Fatalf("Usage of an image in use = %q", img.Usage)
	}
	wantAPIError(t, f.svc.Delete(t.Context(), alice, creating, false), "ImageUsingByInstance", 403)
	// Shared.
	if err := f.svc.Share(t.Context(), alice, creating, []string{"2"}, nil); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, f.svc.Delete(t.Context(), alice, creating, true), "ImageUseShared", 403)
	if err := f.svc.Share(t.Context(), alice, creating, nil, []string{"2"}); err != nil {
		t.Fatal(err)
	}
	// Another account's delete is ignored, as is a missing image.
	if err := f.svc.Delete(t.Context(), bob, creating, true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(t.Context(), alice, "m-none", false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(t.Context(), alice, creating, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.stored(creating); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("image after DeleteImage: %v", err)
	}
	// The snapshot is no longer protected.
	if err := f.snap.Delete(t.Context(), snapshot.Caller{AccountID: 1, RegionID: hangzhou}, sn, false); err != nil {
		t.Fatalf("DeleteSnapshot after DeleteImage: %v", err)
	}
}

func TestCopyImageMakesACreatingCopyInTheDestinationThatBecomesAvailable(t *testing.T) {
	f := newFixture(t)
	src, sn := f.fromSnapshot("golden")
	id, err := f.svc.Copy(t.Context(), alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing, DestinationName: "golden-bj"})
	if err != nil {
		t.Fatal(err)
	}
	inBeijing := image.Caller{AccountID: 1, RegionID: beijing}
	cp := f.image(inBeijing, id)
	if cp.Status != image.StatusCreating || !cp.IsCopied || cp.Name != "golden-bj" || cp.Size != 40 {
		t.Fatalf("copy at once: %+v", cp)
	}
	if _, err := f.svc.Image(t.Context(), 1, hangzhou, id); err == nil {
		t.Fatal("the copy is listed in the source region")
	}
	wantAPIError(t, f.svc.Delete(t.Context(), alice, src, false), "OperationDenied.ImageCopying", 403)
	wantAPIError(t, f.svc.Delete(t.Context(), inBeijing, id, false), "OperationDenied.ImageCopying", 403)
	f.settle()
	f.clk.Advance(5 * time.Second)
	f.settle()
	if p := f.image(inBeijing, id).Progress; p == "0%" || p == "100%" {
		t.Fatalf("progress half way = %s", p)
	}
	f.finish()
	cp = f.image(inBeijing, id)
	if cp.Status != image.StatusAvailable || cp.Progress != "100%" || !cp.Usable() {
		t.Fatalf("copy after: %+v", cp)
	}
	wantAPIError(t, f.svc.CancelCopy(t.Context(), inBeijing, id), "IncorrectImageStatus", 400)
	wantAPIError(t, f.svc.CancelCopy(t.Context(), alice, src), "ImageCreatedNotFromCopy", 400)
	// The copy depends on the source's snapshot.
	wantAPIError(t, f.snap.Delete(t.Context(), snapshot.Caller{AccountID: 1, RegionID: hangzhou}, sn, false), "SnapshotCreatedImage", 403)
}

func TestCancelCopyImageDeletesTheCopyUnderWay(t *testing.T) {
	f := newFixture(t)
	src, _ := f.fromSnapshot("golden")
	id, err := f.svc.Copy(t.Context(), alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	inBeijing := image.Caller{AccountID: 1, RegionID: beijing}
	wantAPIError(t, f.svc.CancelCopy(t.Context(), bob, id), "InvalidImageId.NotFound", 404)
	if err := f.svc.CancelCopy(t.Context(), inBeijing, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.stored(id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("copy after CancelCopyImage: %v", err)
	}
	f.finish()
	if _, err := f.stored(id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("copy after its task: %v", err)
	}
	wantAPIError(t, f.svc.CancelCopy(t.Context(), inBeijing, id), "InvalidImageId.NotFound", 404)
	// The source may go now.
	if err := f.svc.Delete(t.Context(), alice, src, false); err != nil {
		t.Fatal(err)
	}
}

func TestCopyImageAnswersTheGuidesErrors(t *testing.T) {
	f := newFixture(t)
	src, _ := f.fromSnapshot("golden")
	sn := f.takeSnapshot("d-sys")
	creating, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Copy(t.Context(), alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing, DestinationName: "taken"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		c      image.Caller
		in     image.CopyInput
		code   string
		status int
	}{
		{"same region", alice, image.CopyInput{ImageID: src, DestinationRegionID: hangzhou}, "IncorrectDestinationRegion", 403},
		{"unknown destination", alice, image.CopyInput{ImageID: src, DestinationRegionID: "cn-nowhere"}, "DestinationRegion.NotFound", 400},
		{"unknown source region", image.Caller{AccountID: 1, RegionID: "xx"}, image.CopyInput{ImageID: src, DestinationRegionID: beijing}, "SourceRegion.NotFound", 400},
		{"missing destination", alice, image.CopyInput{ImageID: src}, "MissingParameter", 400},
		{"unknown image", alice, image.CopyInput{ImageID: "m-none", DestinationRegionID: beijing}, "InvalidImageId.NotFound", 404},
		{"another account's image", bob, image.CopyInput{ImageID: src, DestinationRegionID: beijing}, "InvalidImageId.NotFound", 404},
		{"system image", alice, image.CopyInput{ImageID: ubuntu22, DestinationRegionID: beijing}, "InvalidImageId.NotFound", 404},
		{"image being created", alice, image.CopyInput{ImageID: creating, DestinationRegionID: beijing}, "IncorrectImageStatus", 400},
		{"bad name", alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing, DestinationName: "-x"}, "InvalidImageName.Malformed", 400},
		{"bad description", alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing, DestinationDesc: "http://x"}, "InvalidDescription.Malformed", 400},
		{"name taken in the destination", alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing, DestinationName: "taken"}, "InvalidImageName.Duplicated", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Copy(t.Context(), c.c, c.in)
			wantAPIError(t, err, c.code, c.status)
		})
	}
}

func TestASharedImageIsVisibleAndUsableByThatAccountOnly(t *testing.T) {
	f := newFixture(t)
	id, _ := f.fromSnapshot("shared")
	if _, err := f.svc.Image(t.Context(), 2, hangzhou, id); err == nil {
		t.Fatal("bob sees the image before it is shared")
	}
	sharedAt := f.clk.Now()
	if err := f.svc.Share(t.Context(), alice, id, []string{"2"}, nil); err != nil {
		t.Fatal(err)
	}
	img := f.image(bob, id)
	if img.OwnerAlias != image.OwnerOthers || img.OwnerID != 1 || !img.Usable() {
		t.Fatalf("bob's view: %+v", img)
	}
	res, err := f.svc.List(t.Context(), 2, hangzhou, image.Query{OwnerAlias: image.OwnerOthers}, image.Page{Number: 1, Size: 10})
	if err != nil || res.TotalCount != 1 || res.Images[0].ID != id {
		t.Fatalf("bob's others: %+v, %v", res, err)
	}
	if _, err := f.svc.Image(t.Context(), 3, hangzhou, id); err == nil {
		t.Fatal("carol sees an image shared with bob")
	}
	if _, err := f.svc.Image(t.Context(), 2, beijing, id); err == nil {
		t.Fatal("bob sees the image in another region")
	}
	// Bob cannot manage it.
	wantAPIError(t, f.svc.Share(t.Context(), bob, id, []string{"3"}, nil), "InvalidImageId.NotFound", 404)
	if err := f.svc.Delete(t.Context(), bob, id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.stored(id); err != nil {
		t.Fatalf("bob's DeleteImage deleted alice's image: %v", err)
	}
	page, err := f.svc.Shares(t.Context(), alice, id, image.Page{Number: 1, Size: 10})
	if err != nil || page.TotalCount != 1 || page.Shares[0].AccountID != 2 || !page.Shares[0].CreatedAt.Equal(sharedAt) {
		t.Fatalf("DescribeImageSharePermission: %+v, %v", page, err)
	}
	if err := f.svc.Share(t.Context(), alice, id, nil, []string{"2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Image(t.Context(), 2, hangzhou, id); err == nil {
		t.Fatal("bob still sees the image after RemoveAccount")
	}
}

func TestModifyImageSharePermissionAnswersTheGuidesErrors(t *testing.T) {
	f := newFixture(t)
	id, _ := f.fromSnapshot("shared")
	sn := f.takeSnapshot("d-sys")
	creating, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn})
	if err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, f.svc.Share(t.Context(), alice, id, []string{"1"}, nil), "InvalidAccount.Forbidden", 404)
	wantAPIError(t, f.svc.Share(t.Context(), alice, id, []string{"99"}, nil), "InvalidAccount.NotFound", 404)
	wantAPIError(t, f.svc.Share(t.Context(), alice, id, []string{"bob"}, nil), "InvalidAccount.NotFound", 404)
	wantAPIError(t, f.svc.Share(t.Context(), alice, "m-none", []string{"2"}, nil), "InvalidImageId.NotFound", 404)
	wantAPIError(t, f.svc.Share(t.Context(), alice, ubuntu22, []string{"2"}, nil), "InvalidImageId.NotFound", 404)
	wantAPIError(t, f.svc.Share(t.Context(), alice, creating, []string{"2"}, nil), "IncorrectImageStatus", 400)
	wantAPIError(t, f.svc.Share(t.Context(), alice, "", nil, nil), "MissingParameter", 400)
	_, err = f.svc.Shares(t.Context(), alice, id, image.Page{Number: 1, Size: 51})
	wantAPIError(t, err, "InvalidParameter", 400)
	_, err = f.svc.Shares(t.Context(), bob, id, image.Page{Number: 1, Size: 10})
	wantAPIError(t, err, "InvalidImageId.NotFound", 404)
	// Accounts beyond the tenth are ignored.
	var many []string
	for i := range 11 {
		many = append(many, strconv.Itoa(100+i))
	}
	f.update(func(tx store.Tx) error {
		for i := range 11 {
			if err := tx.CreateAccount(store.Account{ID: int64(100 + i), Name: "acct" + strconv.Itoa(i), Status: store.AccountEnabled, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err := f.svc.Share(t.Context(), alice, id, many, nil); err != nil {
		t.Fatal(err)
	}
	if page, _ := f.svc.Shares(t.Context(), alice, id, image.Page{Number: 2, Size: 4}); page.TotalCount != 10 || len(page.Shares) != 4 {
		t.Fatalf("shares after 11 AddAccount: %d (page of %d)", page.TotalCount, len(page.Shares))
	}
}
