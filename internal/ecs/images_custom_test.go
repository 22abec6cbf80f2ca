package ecs

import (
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// customImageHandlers returns handlers with the image, snapshot and task
// services on a fresh store holding accounts 1 and 2 and account 1's Running
// instance i-1 with system disk d-sys, and a function that runs the tasks
// until none is left, moving the clock.
func customImageHandlers(t *testing.T) (*Handlers, func()) {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2024, 6, 1, 8, 30, 15, 0, time.UTC))
	now := clk.Now()
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, id := range []int64{1, 2} {
			if err := tx.CreateAccount(store.Account{ID: id, Name: "acct" + string(rune('0'+id)), Status: store.AccountEnabled, CreatedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.CreateInstance(store.Instance{ID: "i-1", Name: "web", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			InstanceType: "ecs.g5.large", Status: "Running", CreatedAt: now, StartedAt: now, ImageID: ubuntu2204, OSType: "linux"}); err != nil {
			return err
		}
		return tx.CreateDisk(store.Disk{ID: "d-sys", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			Type: "system", Category: "cloud_ssd", SizeGiB: 40, InstanceID: "i-1", Device: "/dev/xvda", Status: "In_use",
			CreatedAt: now, AttachedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	gen := idgen.Seeded(9)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := task.New(task.Config{Store: st, IDs: gen, Clock: clk, Logger: logger, Owner: "test"})
	vols, _ := sim.NewVolumes(sim.VolumeConfig{SnapshotTime: time.Second}, clk)
	snaps, err := snapshot.New(snapshot.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Tasks: eng, Volumes: vols,
		Migrator: vols, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	content, err := image.NewContentStore(filepath.Join(t.TempDir(), "images"))
	if err != nil {
		t.Fatal(err)
	}
	imgs := image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Tasks: eng, Snapshots: snaps, Content: content,
		CopyTime: 5 * time.Second})
	finish := func() {
		for range 100 {
			if _, err := eng.Settle(t.Context(), 100); err != nil {
				t.Fatal(err)
			}
			var next time.Time
			_ = st.View(t.Context(), func(tx store.Tx) error { next, _ = tx.NextTaskDue(); return nil })
			if next.IsZero() {
				return
			}
			if next.After(clk.Now()) {
				clk.Set(next)
			}
		}
		t.Fatal("tasks did not finish")
	}
	return New(Deps{Catalog: cat, Endpoint: testEndpoint, Snapshots: snaps, Tasks: eng, Images: imgs}), finish
}

func TestCustomImageAnswersHaveTheSDKShapes(t *testing.T) {
	h, finish := customImageHandlers(t)
	ctx := sgAccount(t, 1)
	sn, err := h.CreateSnapshot(ctx, &CreateSnapshotRequest{RegionId: "cn-hangzhou", DiskId: "d-sys"})
	if err != nil {
		t.Fatal(err)
	}
	finish()
	created, err := h.CreateImage(ctx, &CreateImageRequest{RegionId: "cn-hangzhou", SnapshotId: sn.SnapshotId, ImageName: "web-v1"})
	if err != nil {
		t.Fatal(err)
	}
	if body := string(assertSDKShape(t, created, "CreateImageResponse", "CreateImageResponseBody")); !strings.Contains(body, `"ImageId":"m-`) {
		t.Fatalf("CreateImage: %s", body)
	}
	finish()
	list, err := describeImages(t, h, "RegionId=cn-hangzhou&ImageOwnerAlias=self")
	if err != nil {
		t.Fatal(err)
	}
	body := string(assertSDKShape(t, list, "DescribeImagesResponse", "DescribeImagesResponseBody"))
	for _, want := range []string{`"ImageOwnerAlias":"self"`, `"ImageOwnerId":1`, `"Status":"Available"`, `"Progress":"100%"`,
		`"SnapshotId":"` + sn.SnapshotId + `"`, `"Size":"40"`, `"Usage":"none"`, `"ImageName":"web-v1"`, `"Platform":"Ubuntu"`} {
		if !strings.Contains(body, want) {
			t.Errorf("DescribeImages lacks %s:\n%s", want, body)
		}
	}
	id := created.ImageId
	name := "web-v2"
	if resp, err := h.ModifyImageAttribute(ctx, &ModifyImageAttributeRequest{RegionId: "cn-hangzhou", ImageId: id, ImageName: &name}); err != nil {
		t.Fatal(err)
	} else if resp == nil {
		t.Fatal("ModifyImageAttribute answered nil")
	}
	copied, err := h.CopyImage(ctx, &CopyImageRequest{RegionId: "cn-hangzhou", ImageId: id, DestinationRegionId: "cn-beijing"})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, copied, "CopyImageResponse", "CopyImageResponseBody")
	inBeijing := reqctx.With(t.Context(), &reqctx.Call{AccountID: 1, RegionID: "cn-beijing"})
	if resp, err := h.CancelCopyImage(inBeijing, &CancelCopyImageRequest{RegionId: "cn-beijing", ImageId: copied.ImageId}); err != nil {
		t.Fatal(err)
	} else if resp == nil {
		t.Fatal("CancelCopyImage answered nil")
	}
	if resp, err := h.ModifyImageSharePermission(ctx, &ModifyImageSharePermissionRequest{RegionId: "cn-hangzhou", ImageId: id,
		AddAccount: []string{"2"}}); err != nil {
		t.Fatal(err)
	} else if resp == nil {
		t.Fatal("ModifyImageSharePermission answered nil")
	}
	perms, err := h.DescribeImageSharePermission(ctx, &DescribeImageSharePermissionRequest{RegionId: "cn-hangzhou", ImageId: id})
	if err != nil {
		t.Fatal(err)
	}
	body = string(assertSDKShape(t, perms, "DescribeImageSharePermissionResponse", "DescribeImageSharePermissionResponseBody"))
	for _, want := range []string{`"Accounts":{"Account":[{"AliyunId":"2","SharedTime":"2024-06-01T`, `"ShareGroups":{"ShareGroup":[]}`,
		`"TotalCount":1`, `"PageSize":10`, `"PageNumber":1`, `"ImageId":"` + id + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("DescribeImageSharePermission lacks %s:\n%s", want, body)
		}
	}
	var q DescribeImagesRequest
	if err := decode(t, "RegionId=cn-hangzhou&ImageOwnerAlias=others", &q); err != nil {
		t.Fatal(err)
	}
	shared, err := h.DescribeImages(sgAccount(t, 2), &q)
	if err != nil || len(shared.Images.Image) != 1 || shared.Images.Image[0].ImageOwnerAlias != "others" {
		t.Fatalf("account 2's shared images: %+v, %v", shared, err)
	}
	_, err = h.DeleteImage(ctx, &DeleteImageRequest{RegionId: "cn-hangzhou", ImageId: id})
	assertAPIError(t, err, "ImageUseShared", 403)
	if _, err := h.ModifyImageSharePermission(ctx, &ModifyImageSharePermissionRequest{RegionId: "cn-hangzhou", ImageId: id,
		RemoveAccount: []string{"2"}}); err != nil {
		t.Fatal(err)
	}
	if resp, err := h.DeleteImage(ctx, &DeleteImageRequest{RegionId: "cn-hangzhou", ImageId: id}); err != nil {
		t.Fatal(err)
	} else if resp == nil {
		t.Fatal("DeleteImage answered nil")
	}
	_, err = h.ImportImage(ctx, &ImportImageRequest{RegionId: "cn-hangzhou", DiskDeviceMapping: []ImportImageMappingParam{{OSSBucket: "b", OSSObject: "o"}}})
	assertAPIError(t, err, "InvalidRegion.NotSupport", 403)
	_, err = h.ExportImage(ctx, &ExportImageRequest{RegionId: "cn-hangzhou", ImageId: id, OSSBucket: "b"})
	assertAPIError(t, err, "InvalidRegion.NotSupport", 403)
}

func TestImportAndExportImageAnswersHaveTheSDKShapes(t *testing.T) {
	for _, resp := range []struct {
		v             any
		classic, tea  string
		wantFragments []string
	}{
		{&ImportImageResponse{RegionId: "cn-hangzhou", ImageId: "m-1", TaskId: "t-1"}, "ImportImageResponse", "ImportImageResponseBody",
			[]string{`"TaskId":"t-1"`, `"ImageId":"m-1"`}},
		{&ExportImageResponse{RegionId: "cn-hangzhou", TaskId: "t-2"}, "ExportImageResponse", "ExportImageResponseBody",
			[]string{`"TaskId":"t-2"`, `"RegionId":"cn-hangzhou"`}},
	} {
		body := string(assertSDKShape(t, resp.v, resp.classic, resp.tea))
		for _, w := range resp.wantFragments {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %s: %s", resp.classic, w, body)
			}
		}
	}
}
