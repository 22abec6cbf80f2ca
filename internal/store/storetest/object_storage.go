package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// objectStorageCases cover store.ObjectStorageTx.
var objectStorageCases = []contractCase{
	{"ObjectStorage/BucketNamesAreGlobalAndListedPerAccount", testBucketRoundTrip},
	{"ObjectStorage/ObjectsReplaceAndListInByteOrder", testObjectList},
	{"ObjectStorage/UploadsAndParts", testUploadsAndParts},
}

func testBucketRoundTrip(t *testing.T, s store.Store) {
	b := store.Bucket{Name: "images", AccountID: 1, RegionID: "cn-hangzhou", CreatedAt: when()}
	update(t, s, func(tx store.Tx) error {
		for _, n := range []string{"b-2", "a-1", "ab"} {
			if err := tx.CreateBucket(store.Bucket{Name: n, AccountID: 1, RegionID: "cn-beijing", CreatedAt: when()}); err != nil {
				return err
			}
		}
		if err := tx.CreateBucket(store.Bucket{Name: "other", AccountID: 2, RegionID: "cn-beijing", CreatedAt: when()}); err != nil {
			return err
		}
		return tx.CreateBucket(b)
	})
	err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.CreateBucket(store.Bucket{Name: "images", AccountID: 2, RegionID: "cn-beijing", CreatedAt: when()})
	})
	wantErr(t, "CreateBucket of a taken name by another account", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetBucket("images")
		if err != nil || got.AccountID != 1 || got.RegionID != "cn-hangzhou" {
			t.Errorf("GetBucket = %+v, %v", got, err)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, when())
		list, err := tx.ListBuckets(1, "", "", 0)
		if names := bucketNames(list); err != nil || names != "[a-1 ab b-2 images]" {
			t.Errorf("ListBuckets = %s, %v", names, err)
		}
		list, _ = tx.ListBuckets(1, "a", "a-1", 0)
		if names := bucketNames(list); names != "[ab]" {
			t.Errorf("ListBuckets(prefix a, marker a-1) = %s", names)
		}
		list, _ = tx.ListBuckets(1, "", "", 2)
		if names := bucketNames(list); names != "[a-1 ab]" {
			t.Errorf("ListBuckets(limit 2) = %s", names)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteBucket("images") })
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteBucket("images") })
	wantErr(t, "DeleteBucket twice", err, store.ErrNotFound)
	err = s.View(t.Context(), func(tx store.Tx) error { _, err := tx.GetBucket("images"); return err })
	wantErr(t, "GetBucket after delete", err, store.ErrNotFound)
}

func bucketNames(list []store.Bucket) string {
	names := []string{}
	for _, b := range list {
		names = append(names, b.Name)
	}
	return fmt.Sprint(names)
}

func objectKeys(list []store.Object) string {
	keys := []string{}
	for _, o := range list {
		keys = append(keys, o.Key)
	}
	return fmt.Sprint(keys)
}

func testObjectList(t *testing.T, s store.Store) {
	keys := []string{"b", "a/2", "a/1", "a-", "A", "é", "a/1/x", "\xff\xfe"[:0] + "z"}
	update(t, s, func(tx store.Tx) error {
		for i, k := range keys {
			o := store.Object{Bucket: "bk", Key: k, Size: int64(i), ETag: `"E"`, CRC64: "1", ContentType: "text/plain",
				FileID: "f" + k, ModifiedAt: when()}
			if err := tx.PutObject(o); err != nil {
				return err
			}
		}
		// The same key in another bucket is another object.
		return tx.PutObject(store.Object{Bucket: "other", Key: "a/1", FileID: "x", ModifiedAt: when()})
	})
	replaced := store.Object{Bucket: "bk", Key: "a/1", Size: 42, ETag: `"F"`, CRC64: "7", ContentType: "image/png",
		FileID: "new", ModifiedAt: when().Add(time.Hour)}
	update(t, s, func(tx store.Tx) error { return tx.PutObject(replaced) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetObject("bk", "a/1")
		if err != nil || got.Size != 42 || got.FileID != "new" || got.ETag != `"F"` || got.CRC64 != "7" || got.ContentType != "image/png" {
			t.Errorf("GetObject after replace = %+v, %v", got, err)
		}
		sameTime(t, "ModifiedAt", got.ModifiedAt, when().Add(time.Hour))
		all, err := tx.ListObjects("bk", "", "", 0)
		if k := objectKeys(all); err != nil || k != "[A a- a/1 a/1/x a/2 b z é]" {
			t.Errorf("ListObjects (byte order) = %s, %v", k, err)
		}
		list, _ := tx.ListObjects("bk", "a/", "", 0)
		if k := objectKeys(list); k != "[a/1 a/1/x a/2]" {
			t.Errorf("ListObjects(prefix a/) = %s", k)
		}
		list, _ = tx.ListObjects("bk", "a/", "a/1", 1)
		if k := objectKeys(list); k != "[a/1/x]" {
			t.Errorf("ListObjects(prefix a/, marker a/1, limit 1) = %s", k)
		}
		list, _ = tx.ListObjects("bk", "c", "", 0)
		if k := objectKeys(list); k != "[]" {
			t.Errorf("ListObjects(prefix c) = %s", k)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteObject("bk", "a/1") })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteObject("bk", "a/1") })
	wantErr(t, "DeleteObject twice", err, store.ErrNotFound)
	err = s.View(t.Context(), func(tx store.Tx) error { _, err := tx.GetObject("bk", "a/1"); return err })
	wantErr(t, "GetObject after delete", err, store.ErrNotFound)
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetObject("other", "a/1"); err != nil {
			t.Errorf("the other bucket's object: %v", err)
		}
		return nil
	})
}

func testUploadsAndParts(t *testing.T, s store.Store) {
	u := store.MultipartUpload{ID: "up-1", Bucket: "bk", Key: "disk.qcow2", ContentType: "application/octet-stream", InitiatedAt: when()}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateUpload(u); err != nil {
			return err
		}
		if err := tx.CreateUpload(store.MultipartUpload{ID: "up-0", Bucket: "bk", Key: "a", InitiatedAt: when()}); err != nil {
			return err
		}
		for _, n := range []int{3, 1, 2} {
			p := store.UploadPart{UploadID: "up-1", Number: n, Size: int64(n), ETag: fmt.Sprintf(`"%d"`, n), CRC64: "0",
				FileID: fmt.Sprint("p", n), ModifiedAt: when()}
			if err := tx.PutPart(p); err != nil {
				return err
			}
		}
		// Uploading a part again replaces it.
		return tx.PutPart(store.UploadPart{UploadID: "up-1", Number: 2, Size: 20, ETag: `"again"`, FileID: "p2b", ModifiedAt: when()})
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateUpload(u) })
	wantErr(t, "CreateUpload twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetUpload("bk", "up-1")
		if err != nil || got.Key != "disk.qcow2" || got.ContentType != "application/octet-stream" {
			t.Errorf("GetUpload = %+v, %v", got, err)
		}
		_, err = tx.GetUpload("other", "up-1")
		wantErr(t, "GetUpload in another bucket", err, store.ErrNotFound)
		ups, _ := tx.ListUploads("bk", 0)
		if len(ups) != 2 || ups[0].ID != "up-0" || ups[1].ID != "up-1" {
			t.Errorf("ListUploads = %+v", ups)
		}
		parts, err := tx.ListParts("up-1", 0, 0)
		if err != nil || len(parts) != 3 || parts[0].Number != 1 || parts[1].FileID != "p2b" || parts[1].Size != 20 || parts[2].Number != 3 {
			t.Errorf("ListParts = %+v, %v", parts, err)
		}
		parts, _ = tx.ListParts("up-1", 1, 1)
		if len(parts) != 1 || parts[0].Number != 2 {
			t.Errorf("ListParts(after 1, limit 1) = %+v", parts)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteUpload("up-1") })
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteUpload("up-1") })
	wantErr(t, "DeleteUpload twice", err, store.ErrNotFound)
	view(t, s, func(tx store.Tx) error {
		if parts, _ := tx.ListParts("up-1", 0, 0); len(parts) != 0 {
			t.Errorf("parts outlive their upload: %+v", parts)
		}
		return nil
	})
}
