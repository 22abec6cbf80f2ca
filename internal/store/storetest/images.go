package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// imageCases cover store.ImageTx.
var imageCases = []contractCase{
	{"Image/RoundTripUpdateAndDelete", testImageRoundTrip},
	{"Image/ListOwnedSharedAndByName", testImageList},
	{"Image/SnapshotRefsMakeSnapshotsUsedByImages", testImageSnapshotRefs},
	{"Image/Shares", testImageShares},
}

func customImage(id string, account int64, region string, created time.Time) store.Image {
	return store.Image{ID: id, AccountID: account, RegionID: region, Name: "img-" + id, Description: "d", Version: "1",
		OSName: "CentOS 7", OSNameEn: "CentOS 7", Platform: "CentOS", OSType: "linux", Architecture: "x86_64", SizeGiB: 40,
		Status: "Creating", Progress: 10, Origin: store.ImageOriginSnapshot, TaskID: "t-1", CreatedAt: created,
		Disks: []store.ImageDisk{{Device: "/dev/xvda", Type: "system", SizeGiB: 40, SnapshotID: "s-" + id}}}
}

func testImageRoundTrip(t *testing.T, s store.Store) {
	img := customImage("m-1", 1, "cn-hangzhou", when().UTC())
	img.FileFormat, img.VirtualSize, img.ContentPath = "qcow2", 1<<30, "/data/images/m-1.img"
	update(t, s, func(tx store.Tx) error { return tx.CreateImage(img) })
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateImage(img); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second CreateImage: %v, want ErrConflict", err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetImage("m-1")
		if err != nil || !reflect.DeepEqual(got, img) {
			t.Fatalf("GetImage = %+v, %v; want %+v", got, err, img)
		}
		if _, err := tx.GetImage("m-none"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetImage(missing) = %v", err)
		}
		return nil
	})
	img.Status, img.Progress, img.Name = "Available", 100, "renamed"
	update(t, s, func(tx store.Tx) error { return tx.UpdateImage(img) })
	update(t, s, func(tx store.Tx) error {
		got, _ := tx.GetImage("m-1")
		if got.Status != "Available" || got.Progress != 100 || got.Name != "renamed" {
			t.Fatalf("after update: %+v", got)
		}
		other := img
		other.AccountID = 2
		if err := tx.UpdateImage(other); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UpdateImage of another account: %v", err)
		}
		if err := tx.DeleteImage(2, "m-1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteImage of another account: %v", err)
		}
		return tx.DeleteImage(1, "m-1")
	})
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetImage("m-1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetImage after delete = %v", err)
		}
		return nil
	})
}

func imageIDsOf(list []store.Image) []string {
	ids := []string{}
	for _, i := range list {
		ids = append(ids, i.ID)
	}
	return ids
}

func testImageList(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, img := range []store.Image{customImage("m-a", 1, "cn-hangzhou", when()),
			customImage("m-b", 1, "cn-hangzhou", when().Add(time.Second)),
			customImage("m-c", 1, "cn-beijing", when().Add(2*time.Second)),
			customImage("m-d", 2, "cn-hangzhou", when().Add(3*time.Second))} {
			if i == 3 {
				img.SourceImageID = "m-a"
			}
			if err := tx.CreateImage(img); err != nil {
				return err
			}
		}
		return tx.PutImageShare(store.ImageShare{ImageID: "m-d", AccountID: 1, OwnerID: 2, RegionID: "cn-hangzhou", CreatedAt: when()})
	})
	cases := []struct {
		f    store.ImageFilter
		want []string
	}{
		{store.ImageFilter{AccountID: 1}, []string{"m-c", "m-b", "m-a"}},
		{store.ImageFilter{AccountID: 1, RegionID: "cn-hangzhou"}, []string{"m-b", "m-a"}},
		{store.ImageFilter{AccountID: 1, SharedWith: 1, RegionID: "cn-hangzhou"}, []string{"m-d", "m-b", "m-a"}},
		{store.ImageFilter{SharedWith: 1}, []string{"m-d"}},
		{store.ImageFilter{SharedWith: 3}, []string{}},
		{store.ImageFilter{AccountID: 1, Name: "img-m-b"}, []string{"m-b"}},
		{store.ImageFilter{IDs: []string{"m-a", "m-d"}}, []string{"m-d", "m-a"}},
		{store.ImageFilter{SourceImageID: "m-a"}, []string{"m-d"}},
	}
	view(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			got, err := tx.ListImages(c.f)
			if err != nil || !reflect.DeepEqual(imageIDsOf(got), c.want) {
				t.Errorf("ListImages(%+v) = %v, %v; want %v", c.f, imageIDsOf(got), err, c.want)
			}
		}
		return nil
	})
}

func testImageSnapshotRefs(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateSnapshot(snapshot("s-m-1", "d-1", 1, when())); err != nil {
			return err
		}
		if err := tx.CreateSnapshot(snapshot("s-extra", "d-2", 1, when())); err != nil {
			return err
		}
		if err := tx.CreateImage(customImage("m-1", 1, "cn-hangzhou", when())); err != nil {
			return err
		}
		return tx.AddImageSnapshotRefs(1, "m-1", []string{"s-extra", "s-extra"})
	})
	view(t, s, func(tx store.Tx) error {
		refs, err := tx.ImageSnapshotRefs("m-1")
		if err != nil || !reflect.DeepEqual(refs, []string{"s-extra", "s-m-1"}) {
			t.Fatalf("ImageSnapshotRefs = %v, %v", refs, err)
		}
		for _, id := range []string{"s-m-1", "s-extra"} {
			sn, err := tx.GetSnapshot(1, id)
			if err != nil || !sn.UsedByImages {
				t.Fatalf("snapshot %s UsedByImages = %v, %v; want true", id, sn.UsedByImages, err)
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteImage(1, "m-1") })
	view(t, s, func(tx store.Tx) error {
		sn, err := tx.GetSnapshot(1, "s-m-1")
		if err != nil || sn.UsedByImages {
			t.Fatalf("after DeleteImage, UsedByImages = %v, %v; want false", sn.UsedByImages, err)
		}
		return nil
	})
}

func testImageShares(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateImage(customImage("m-1", 1, "cn-hangzhou", when())); err != nil {
			return err
		}
		for _, a := range []int64{3, 2, 3} {
			if err := tx.PutImageShare(store.ImageShare{ImageID: "m-1", AccountID: a, OwnerID: 1, RegionID: "cn-hangzhou", CreatedAt: when()}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		shares, err := tx.ListImageShares("m-1")
		if err != nil || len(shares) != 2 || shares[0].AccountID != 2 || shares[1].AccountID != 3 || !shares[0].CreatedAt.Equal(when()) {
			t.Fatalf("ListImageShares = %+v, %v", shares, err)
		}
		if n, err := tx.CountImagesSharedWith(3); err != nil || n != 1 {
			t.Fatalf("CountImagesSharedWith(3) = %d, %v", n, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteImageShare("m-1", 3); err != nil {
			return err
		}
		return tx.DeleteImageShare("m-1", 9)
	})
	view(t, s, func(tx store.Tx) error {
		if shares, _ := tx.ListImageShares("m-1"); len(shares) != 1 || shares[0].AccountID != 2 {
			t.Fatalf("after unsharing: %+v", shares)
		}
		if used, err := tx.ImageInUse("m-1"); err != nil || used {
			t.Fatalf("ImageInUse = %v, %v", used, err)
		}
		return nil
	})
}
