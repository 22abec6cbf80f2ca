package disk

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

func TestCreateDiskMakesAnAvailablePortableDataDiskWithTheGuidesDefaults(t *testing.T) {
	e := newEnv(t)
	id := e.createDisk(t, alice, CreateInput{Name: "data1", Description: "for logs", Size: ptr(5)})
	if !strings.HasPrefix(id, "d-") {
		t.Errorf("DiskId %q does not look like a disk ID", id)
	}
	d := e.disk(t, id)
	want := store.Disk{ID: id, AccountID: 1, RegionID: testRegion, ZoneID: testZone, Name: "data1", Description: "for logs",
		Type: TypeData, Category: CategoryCloud, SizeGiB: 5, Status: StatusAvailable, Portable: true,
		DeleteAutoSnapshot: true, CreatedAt: testStart}
	if d.ID != want.ID || d.AccountID != want.AccountID || d.RegionID != want.RegionID || d.ZoneID != want.ZoneID ||
		d.Name != want.Name || d.Description != want.Description || d.Type != want.Type || d.Category != want.Category ||
		d.SizeGiB != want.SizeGiB || d.Status != want.Status || !d.Portable || d.DeleteWithInstance ||
		!d.DeleteAutoSnapshot || d.EnableAutoSnapshot || !d.CreatedAt.Equal(testStart) || d.InstanceID != "" {
		t.Errorf("disk = %+v\nwant %+v", d, want)
	}
	essd := e.disk(t, e.createDisk(t, alice, CreateInput{Category: CategoryESSD, Size: ptr(32768), Encrypted: true, KMSKeyID: "k"}))
	if essd.PerformanceLevel != "PL1" || !essd.Encrypted || essd.KMSKeyID != "k" || essd.SizeGiB != 32768 {
		t.Errorf("cloud_essd disk = %+v, want PL1, encrypted with its key", essd)
	}
}

func TestCreateDiskAnswersTheGuidesErrors(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name   string
		in     CreateInput
		code   string
		status int
	}{
		{"unknown zone", CreateInput{ZoneID: "cn-hangzhou-z", Size: ptr(20)}, "InvalidZoneId.NotFound", 404},
		{"zone of another region", CreateInput{ZoneID: "cn-beijing-a", Size: ptr(20)}, "InvalidZoneId.NotFound", 404},
		{"malformed name", CreateInput{Name: "1st", Size: ptr(20)}, "InvalidDiskName.Malformed", 400},
		{"name with a URL", CreateInput{Name: "http://x", Size: ptr(20)}, "InvalidDiskName.Malformed", 400},
		{"short description", CreateInput{Description: "x", Size: ptr(20)}, "InvalidDescription.Malformed", 400},
		{"no category", CreateInput{Category: "floppy", Size: ptr(20)}, "InvalidDiskCategory.ValueNotSupported", 400},
		{"local category", CreateInput{Category: CategoryEphemeralSSD, Size: ptr(20)}, "InvalidDiskCategory.ValueUnauthorized", 403},
		{"level of another category", CreateInput{Category: CategorySSD, PerformanceLevel: "PL1", Size: ptr(20)}, "InvalidParameter", 400},
		{"snapshot", CreateInput{SnapshotID: "s-1", Size: ptr(20)}, "InvalidSnapshotId.NotFound", 404},
		{"neither size nor snapshot", CreateInput{}, "MissingParameter", 400},
		{"cloud below 5", CreateInput{Size: ptr(4)}, "InvalidParameter", 400},
		{"cloud above 2000", CreateInput{Size: ptr(2001)}, "InvalidParameter", 400},
		{"cloud_ssd below 20", CreateInput{Category: CategorySSD, Size: ptr(19)}, "InvalidParameter", 400},
		{"cloud_efficiency above 32768", CreateInput{Category: CategoryEfficiency, Size: ptr(32769)}, "InvalidParameter", 400},
		{"PL2 below 461", CreateInput{Category: CategoryESSD, PerformanceLevel: "PL2", Size: ptr(460)}, "InvalidParameter", 400},
		{"long token", CreateInput{Size: ptr(20), ClientToken: strings.Repeat("t", 65)}, "InvalidParameter", 400},
		{"tag value without key", CreateInput{Size: ptr(20), Tags: []store.Tag{{Value: "v"}}}, "InvalidTag.Mismatch", 400},
		{"empty tag", CreateInput{Size: ptr(20), Tags: []store.Tag{{}}}, "InvalidTagKey.Malformed", 400},
		{"aliyun tag", CreateInput{Size: ptr(20), Tags: []store.Tag{{Key: "aliyun-x"}}}, "InvalidTagKey.Malformed", 400},
		{"21 tags", CreateInput{Size: ptr(20), Tags: make([]store.Tag, 21)}, "InvalidTagCount", 400},
	} {
		if c.in.ZoneID == "" {
			c.in.ZoneID = testZone
		}
		_, err := e.svc.Create(t.Context(), alice, c.in)
		wantCode(t, c.name, err, c.code, c.status)
	}
}

func TestCreateDiskRefusesACategoryTheZoneDoesNotOffer(t *testing.T) {
	e := newEnv(t)
	topo := catalog.DefaultTopology()
	for i := range topo.Regions {
		for j := range topo.Regions[i].Zones {
			topo.Regions[i].Zones[j].DiskCategories = []string{CategorySSD}
		}
	}
	cat, err := catalog.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Deps{Store: e.st, IDs: e.svc.deps.IDs, Clock: e.clk, Catalog: cat})
	_, err = svc.Create(t.Context(), alice, CreateInput{ZoneID: testZone, Size: ptr(20)})
	wantCode(t, "cloud in an SSD-only zone", err, "InvalidDiskCategory.ValueUnauthorized", 403)
	if _, err := svc.Create(t.Context(), alice, CreateInput{ZoneID: testZone, Category: CategorySSD, Size: ptr(20)}); err != nil {
		t.Fatalf("cloud_ssd in an SSD-only zone: %v", err)
	}
}

func TestCreateDiskClientTokenReturnsTheFirstDiskOrIdempotentParameterMismatch(t *testing.T) {
	e := newEnv(t)
	in := CreateInput{ZoneID: testZone, Size: ptr(30), ClientToken: "tok-1"}
	first := e.createDisk(t, alice, in)
	if again := e.createDisk(t, alice, in); again != first {
		t.Errorf("retry created %s, want the first disk %s", again, first)
	}
	in.Size = ptr(31)
	_, err := e.svc.Create(t.Context(), alice, in)
	if !errors.Is(err, idempotency.ErrParameterMismatch()) {
		t.Errorf("retry with another size: %v, want IdempotentParameterMismatch", err)
	}
	res, err := e.svc.List(t.Context(), alice, ListQuery{})
	if err != nil || res.TotalCount != 1 {
		t.Errorf("disks after retries: %d, %v; want 1", res.TotalCount, err)
	}
}

func TestCreateDiskPortableQuotaIsQuotaExceedPortableCloudDisk(t *testing.T) {
	e := newEnvWith(t, sim.Config{}, Limits{PortableDisks: 1})
	e.createDisk(t, alice, CreateInput{})
	_, err := e.svc.Create(t.Context(), alice, CreateInput{ZoneID: testZone, Size: ptr(20)})
	wantCode(t, "second portable disk", err, "QuotaExceed.PortableCloudDisk", 403)
	e.createDisk(t, bob, CreateInput{}) // the quota is per account
}

func TestCreateDiskTagsAreListedFilteredAndDeletedWithTheDisk(t *testing.T) {
	e := newEnv(t)
	id := e.createDisk(t, alice, CreateInput{Tags: []store.Tag{{Key: "env", Value: "dev"}, {Key: "env", Value: "prod"}, {Key: "team"}}})
	e.clk.Advance(time.Second)
	plain := e.createDisk(t, alice, CreateInput{})
	res := e.list(t, alice, ListQuery{IDs: []string{id, plain}})
	want := []store.Tag{{Key: "env", Value: "prod"}, {Key: "team"}}
	if len(res.Disks) != 2 || !slices.Equal(res.Disks[0].Tags, nil) || !slices.Equal(res.Disks[1].Tags, want) {
		t.Errorf("tags = %+v, want %v on %s only (a later tag replaces an earlier one with its key)", res.Disks, want, id)
	}
	for _, c := range []struct {
		tags []store.Tag
		want []string
	}{
		{[]store.Tag{{Key: "env", Value: "prod"}}, []string{id}},
		{[]store.Tag{{Key: "env"}, {Key: "team"}}, []string{id}},
		{[]store.Tag{{Key: "env", Value: "dev"}}, []string{}},
	} {
		if got := pageIDs(e.list(t, alice, ListQuery{Tags: c.tags})); !slices.Equal(got, c.want) {
			t.Errorf("Tag filter %v: %v, want %v", c.tags, got, c.want)
		}
	}
	if err := e.svc.Delete(t.Context(), alice, id); err != nil {
		t.Fatal(err)
	}
	var left map[string][]store.Tag
	err := e.st.View(t.Context(), func(tx store.Tx) error {
		var err error
		left, err = tx.GetTags(1, store.TagTypeDisk, []string{id})
		return err
	})
	if err != nil || len(left) != 0 {
		t.Errorf("tags of the deleted disk: %v, %v", left, err)
	}
}

func TestModifyDiskAttributeChangesNameDescriptionAndFlags(t *testing.T) {
	e := newEnv(t)
	id := e.createDisk(t, alice, CreateInput{Name: "old", Description: "old text"})
	err := e.svc.ModifyAttribute(t.Context(), alice, ModifyInput{DiskID: id, Name: ptr("new"),
		DeleteWithInstance: ptr(true), DeleteAutoSnapshot: ptr(false), EnableAutoSnapshot: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	d := e.disk(t, id)
	if d.Name != "new" || d.Description != "old text" || !d.DeleteWithInstance || d.DeleteAutoSnapshot || !d.EnableAutoSnapshot {
		t.Errorf("after modify: %+v", d)
	}
	if err := e.svc.ModifyAttribute(t.Context(), alice, ModifyInput{DiskID: id, Name: ptr(""), Description: ptr("")}); err != nil {
		t.Fatal(err)
	}
	if d := e.disk(t, id); d.Name != "new" || d.Description != "" {
		t.Errorf("empty DiskName kept the name, empty Description clears it: got %q, %q", d.Name, d.Description)
	}
}

func TestModifyDiskAttributeAnswersTheGuidesErrors(t *testing.T) {
	e := newEnv(t)
	id := e.createDisk(t, alice, CreateInput{})
	e.instance(t, "i-1", nil) // system disk d-sys-i-1 is cloud_efficiency
	e.update(t, func(tx store.Tx) error {
		return tx.CreateDisk(store.Disk{ID: "d-cloud-sys", AccountID: 1, RegionID: testRegion, ZoneID: testZone,
			Type: TypeSystem, Category: CategoryCloud, SizeGiB: 40, Status: StatusInUse, InstanceID: "i-1", Device: "/dev/xvdq"})
	})
	for _, c := range []struct {
		name   string
		c      Caller
		in     ModifyInput
		code   string
		status int
	}{
		{"nothing to modify", alice, ModifyInput{DiskID: id}, "NoAttributeToModify", 400},
		{"only an empty name", alice, ModifyInput{DiskID: id, Name: ptr("")}, "NoAttributeToModify", 400},
		{"malformed name", alice, ModifyInput{DiskID: id, Name: ptr("-x")}, "InvalidDiskName.Malformed", 400},
		{"malformed description", alice, ModifyInput{DiskID: id, Description: ptr("x")}, "InvalidDescription.Malformed", 404},
		{"unknown disk", alice, ModifyInput{DiskID: "d-none", Name: ptr("ok")}, "InvalidDiskId.NotFound", 404},
		{"another account's disk", bob, ModifyInput{DiskID: id, Name: ptr("ok")}, "InvalidDiskId.NotFound", 404},
		{"keep a cloud system disk", alice, ModifyInput{DiskID: "d-cloud-sys", DeleteWithInstance: ptr(false)}, "InvalidParameter", 400},
	} {
		wantCode(t, c.name, e.svc.ModifyAttribute(t.Context(), c.c, c.in), c.code, c.status)
	}
	if err := e.svc.ModifyAttribute(t.Context(), alice, ModifyInput{DiskID: "d-sys-i-1", DeleteWithInstance: ptr(false)}); err != nil {
		t.Errorf("keeping a cloud_efficiency system disk: %v", err)
	}
}

func TestDeleteDiskDeletesOnlyAvailablePortableDataDisksAndIgnoresMissingOnes(t *testing.T) {
	e := newEnv(t)
	id := e.createDisk(t, alice, CreateInput{})
	inUse := e.createDisk(t, alice, CreateInput{})
	e.instance(t, "i-1", nil)
	e.update(t, func(tx store.Tx) error {
		d, _ := tx.GetDisk(1, inUse)
		d.Status, d.InstanceID, d.Device = StatusInUse, "i-1", "/dev/xvdb"
		if err := tx.UpdateDisk(d); err != nil {
			return err
		}
		return tx.CreateDisk(store.Disk{ID: "d-fixed", AccountID: 1, RegionID: testRegion, ZoneID: testZone, Type: TypeData,
			Category: CategoryEphemeralSSD, SizeGiB: 5, Status: StatusAvailable})
	})
	if err := e.svc.Delete(t.Context(), bob, id); err != nil || e.gone(t, id) {
		t.Fatalf("another account's DeleteDisk: %v, gone=%v; want ignored", err, e.gone(t, id))
	}
	if err := e.svc.Delete(t.Context(), alice, id); err != nil || !e.gone(t, id) {
		t.Fatalf("DeleteDisk: %v, gone=%v", err, e.gone(t, id))
	}
	if err := e.svc.Delete(t.Context(), alice, id); err != nil {
		t.Errorf("DeleteDisk of a missing disk: %v, want ignored", err)
	}
	wantCode(t, "system disk", e.svc.Delete(t.Context(), alice, "d-sys-i-1"), "DiskTypeViolation", 403)
	wantCode(t, "in use", e.svc.Delete(t.Context(), alice, inUse), "IncorrectDiskStatus", 403)
	wantCode(t, "not portable", e.svc.Delete(t.Context(), alice, "d-fixed"), "DiskNotPortable", 403)
}
