package ecs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/disk"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// diskHandlers returns handlers backed by a fresh SQLite store with accounts 1
// and 2 and two Stopped instances of account 1 in zone cn-hangzhou-b, i-1
// (locked for security) and i-2, with system disks d-sys-i-1 and d-sys-i-2, and
// a context calling as account 1 in cn-hangzhou.
func diskHandlers(t *testing.T) (*Handlers, context.Context) {
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
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}} {
			a.Status = store.AccountEnabled
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		now := clk.Now()
		for _, in := range []store.Instance{{ID: "i-1", OperationLocks: "security"}, {ID: "i-2"}} {
			in.AccountID, in.RegionID, in.ZoneID, in.InstanceType, in.Status = 1, "cn-hangzhou", "cn-hangzhou-b", "ecs.g5.large", "Stopped"
			in.CreatedAt, in.StartedAt = now, now
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
			err := tx.CreateDisk(store.Disk{ID: "d-sys-" + in.ID, AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
				Type: "system", Category: "cloud_efficiency", SizeGiB: 40, ImageID: "centos_7_9_x64_20G_alibase_20240628.vhd",
				InstanceID: in.ID, Device: "/dev/xvda", Status: "In_use", DeleteWithInstance: true, CreatedAt: now, AttachedAt: now})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	drv, err := sim.New(sim.Config{}, clk)
	if err != nil {
		t.Fatal(err)
	}
	gen := idgen.Seeded(3)
	imgs := image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	svc := disk.New(disk.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Images: imgs, Compute: drv})
	return New(Deps{Catalog: cat, Endpoint: testEndpoint, Images: imgs, Disks: svc}), sgAccount(t, 1)
}

func TestEveryDiskActionOfTheGuideIsRouted(t *testing.T) {
	h, _ := diskHandlers(t)
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, h); err != nil {
		t.Fatal(err)
	}
	for _, a := range spec.Actions {
		if !strings.HasPrefix(a.Section, "1.7.") && !strings.HasPrefix(a.Section, "1.8.") && !strings.HasPrefix(a.Section, "1.16.") {
			continue
		}
		if ep, _ := reg.Lookup(spec.Version, a.Name); ep == nil || !ep.Implemented() {
			t.Errorf("%s (%s) is not implemented", a.Name, a.Section)
		}
	}
}

func TestDiskAnswersHaveTheSDKShapes(t *testing.T) {
	h, ctx := diskHandlers(t)
	created, err := h.CreateDisk(ctx, decodeInto[CreateDiskRequest](t,
		"ZoneId=cn-hangzhou-b&DiskName=data&Description=for+logs&DiskCategory=cloud_ssd&Size=50&ClientToken=c-1"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, created, "CreateDiskResponse", "CreateDiskResponseBody")
	id := created.DiskId
	for name, call := range map[string]func() (any, error){
		"ModifyDiskAttribute": func() (any, error) {
			return h.ModifyDiskAttribute(ctx, decodeInto[ModifyDiskAttributeRequest](t, "DiskId="+id+"&EnableAutoSnapshot=true"))
		},
		"ResizeDisk": func() (any, error) {
			return h.ResizeDisk(ctx, decodeInto[ResizeDiskRequest](t, "DiskId="+id+"&NewSize=60&Type=offline"))
		},
	} {
		resp, err := call()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertEmptyAnswer(t, resp)
	}
	_, err = h.AttachDisk(ctx, decodeInto[AttachDiskRequest](t, "InstanceId=i-1&DiskId="+id+"&DeleteWithInstance=true"))
	assertAPIError(t, err, "InstanceLockedForSecurity", 403)
	attached, err := h.AttachDisk(ctx, decodeInto[AttachDiskRequest](t, "InstanceId=i-2&DiskId="+id))
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyAnswer(t, attached)
	detached, err := h.DetachDisk(ctx, decodeInto[DetachDiskRequest](t, "InstanceId=i-2&DiskId="+id))
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyAnswer(t, detached)
	described, err := h.DescribeDisks(ctx, decodeInto[DescribeDisksRequest](t, `DiskIds=["`+id+`","d-sys-i-1"]`))
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, described, "DescribeDisksResponse", "DescribeDisksResponseBody")
	var doc struct {
		Disks struct{ Disk []map[string]any }
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Disks.Disk) != 2 {
		t.Fatalf("DescribeDisks: %s, %v", body, err)
	}
	data, sys := doc.Disks.Disk[0], doc.Disks.Disk[1]
	if data["DiskId"] == "d-sys-i-1" {
		data, sys = sys, data
	}
	if data["DiskId"] != id || data["Size"] != 60.0 || data["Portable"] != true || data["InstanceId"] != "" ||
		data["Category"] != "cloud_ssd" || data["EnableAutoSnapshot"] != true || data["DiskChargeType"] != "PostPaid" {
		t.Errorf("data disk = %v", data)
	}
	if sys["InstanceId"] != "i-1" || sys["Device"] != "/dev/xvda" || sys["Type"] != "system" || sys["Portable"] != false ||
		sys["DeleteWithInstance"] != true {
		t.Errorf("system disk = %v", sys)
	}
	minute := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\dZ$`)
	for _, key := range []string{"CreationTime", "AttachedTime"} {
		if s, _ := sys[key].(string); !minute.MatchString(s) {
			t.Errorf("%s = %q, want YYYY-MM-DDThh:mmZ", key, s)
		}
	}
	if !strings.Contains(string(body), `"OperationLock":[{"LockReason":"security"}]`) {
		t.Errorf("the locked instance's system disk shows no security lock: %s", body)
	}
	for _, del := range []func() (any, error){
		func() (any, error) { return h.DeleteDisk(ctx, &DeleteDiskRequest{DiskId: id}) },
		func() (any, error) { return h.DeleteDisk(ctx, &DeleteDiskRequest{DiskId: id}) }, // gone: ignored
	} {
		resp, err := del()
		if err != nil {
			t.Fatalf("DeleteDisk: %v", err)
		}
		assertEmptyAnswer(t, resp)
	}
}

func TestDescribeDisksDecodesTheGuidesParameters(t *testing.T) {
	req := decodeInto[DescribeDisksRequest](t, `RegionId=cn-hangzhou&ZoneId=cn-hangzhou-b&DiskIds=["d-1","d-2"]`+
		"&InstanceId=i-1&DiskType=system&Category=cloud&Status=In_use&SnapshotId=s-1&DiskName=n&Portable=false"+
		"&DeleteWithInstance=true&DeleteAutoSnapshot=false&EnableAutoSnapshot=true&Tag.1.Key=k&Tag.1.Value=v"+
		"&PageNumber=2&PageSize=100&MaxResults=50&NextToken=abc")
	if req.DiskIds != `["d-1","d-2"]` || req.DiskType != "system" || req.Portable == nil || *req.Portable ||
		req.DeleteWithInstance == nil || !*req.DeleteWithInstance || len(req.Tag) != 1 || *req.PageSize != 100 ||
		*req.MaxResults != 50 || req.NextToken != "abc" {
		t.Errorf("decoded %+v", req)
	}
	var big DescribeDisksRequest
	if err := decode(t, "PageSize=101", &big); err == nil {
		t.Error("PageSize=101 decoded")
	}
	h, ctx := diskHandlers(t)
	_, err := h.DescribeDisks(ctx, decodeInto[DescribeDisksRequest](t, "DiskIds=d-1"))
	assertAPIError(t, err, "InvalidDiskIds.Malformed", 403)
	empty, err := h.DescribeDisks(ctx, decodeInto[DescribeDisksRequest](t, "DiskIds=[]"))
	if err != nil || empty.TotalCount != 0 || empty.Disks.Disk == nil {
		t.Errorf("DiskIds=[]: %+v, %v; want an empty list", empty, err)
	}
}

func TestReplaceSystemDiskReadsTheSDKsAndTheGuidesSizeParameter(t *testing.T) {
	h, ctx := diskHandlers(t)
	const ubuntu = "&ImageId=ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	for _, c := range []struct{ query, code string }{
		{"InstanceId=i-2" + ubuntu + "&SystemDisk.Size=501", "InvalidSystemDiskSize.MoreThanMaxSize"},
		{"InstanceId=i-2" + ubuntu + "&SystemDiskSize=30", "InvalidSystemDiskSize.LessThanMinimumSize"},
	} {
		_, err := h.ReplaceSystemDisk(ctx, decodeInto[ReplaceSystemDiskRequest](t, c.query))
		assertAPIError(t, err, c.code, 404)
	}
	_, err := h.ReplaceSystemDisk(ctx, decodeInto[ReplaceSystemDiskRequest](t, "InstanceId=i-1"+ubuntu))
	assertAPIError(t, err, "InstanceLockedForSecurity", 403)
	resp, err := h.ReplaceSystemDisk(ctx, decodeInto[ReplaceSystemDiskRequest](t, "InstanceId=i-2"+ubuntu+"&SystemDisk.Size=80"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "ReplaceSystemDiskResponse", "ReplaceSystemDiskResponseBody")
	got, err := h.DescribeDisks(ctx, decodeInto[DescribeDisksRequest](t, "InstanceId=i-2&DiskType=system"))
	if err != nil || len(got.Disks.Disk) != 1 || got.Disks.Disk[0].DiskId != resp.DiskId || got.Disks.Disk[0].Size != 80 {
		t.Errorf("system disk of i-2 after replacement: %+v, %v; want %s of 80 GiB", got, err, resp.DiskId)
	}
}

func TestDetachDiskWithoutItsParametersIsTheGuidesInvalidParameter(t *testing.T) {
	h, ctx := diskHandlers(t)
	_, err := h.DetachDisk(ctx, decodeInto[DetachDiskRequest](t, "DiskId=d-sys-i-1"))
	assertAPIError(t, err, "InvalidParameter", 400)
	_, err = h.DetachDisk(ctx, decodeInto[DetachDiskRequest](t, "InstanceId=i-1&DiskId=d-sys-i-1"))
	assertAPIError(t, err, "DiskTypeViolation", 403)
	_, err = h.ReInitDisk(ctx, decodeInto[ReInitDiskRequest](t, "DiskId=d-sys-i-1"))
	assertAPIError(t, err, "InstanceLockedForSecurity", 403)
}
