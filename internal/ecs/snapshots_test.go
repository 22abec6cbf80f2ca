package ecs

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// snapshotHandlers returns handlers with the snapshot and task services on a
// fresh store holding a Running instance i-1 with data disk d-1, and a
// function that runs the tasks due.
func snapshotHandlers(t *testing.T) (*Handlers, context.Context, func()) {
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
		if err := tx.CreateInstance(store.Instance{ID: "i-1", Name: "web", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			InstanceType: "ecs.g5.large", Status: "Running", CreatedAt: now, StartedAt: now}); err != nil {
			return err
		}
		return tx.CreateDisk(store.Disk{ID: "d-1", Name: "data", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			Type: "data", Category: "cloud_ssd", SizeGiB: 50, InstanceID: "i-1", Device: "/dev/xvdb", Status: "In_use",
			Portable: true, CreatedAt: now, AttachedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	gen := idgen.Seeded(9)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := task.New(task.Config{Store: st, IDs: gen, Clock: clk, Logger: logger, Owner: "test"})
	vols, _ := sim.NewVolumes(sim.VolumeConfig{}, clk)
	snaps, err := snapshot.New(snapshot.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Tasks: eng, Volumes: vols,
		Migrator: vols, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	run := func() {
		if _, err := eng.Settle(t.Context(), 100); err != nil {
			t.Fatal(err)
		}
	}
	return New(Deps{Catalog: cat, Endpoint: testEndpoint, Snapshots: snaps, Tasks: eng}), sgAccount(t, 1), run
}

func TestSnapshotAnswersHaveTheSDKShapes(t *testing.T) {
	h, ctx, run := snapshotHandlers(t)
	created, err := h.CreateSnapshot(ctx, decodeInto[CreateSnapshotRequest](t, "DiskId=d-1&SnapshotName=first&Tag.1.Key=env&Tag.1.Value=prod"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, created, "CreateSnapshotResponse", "CreateSnapshotResponseBody")
	run()
	described, err := h.DescribeSnapshots(ctx, decodeInto[DescribeSnapshotsRequest](t, `SnapshotIds=["`+created.SnapshotId+`"]`))
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, described, "DescribeSnapshotsResponse", "DescribeSnapshotsResponseBody")
	var doc struct {
		Snapshots struct{ Snapshot []map[string]any }
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Snapshots.Snapshot) != 1 {
		t.Fatalf("%s, %v", body, err)
	}
	sn := doc.Snapshots.Snapshot[0]
	if sn["Status"] != "accomplished" || sn["Progress"] != "100%" || sn["SourceDiskSize"] != "50" || sn["Usage"] != "none" ||
		sn["SnapshotType"] != "user" || sn["SourceDiskType"] != "data" || sn["SnapshotLinkId"] != "d-1" {
		t.Errorf("snapshot = %v", sn)
	}
	if s, _ := sn["CreationTime"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(s) {
		t.Errorf("CreationTime %q", s)
	}
	if !strings.Contains(string(body), `"Tags":{"Tag":[{"TagKey":"env","TagValue":"prod"}]}`) {
		t.Errorf("tags missing: %s", body)
	}

	links, err := h.DescribeSnapshotLinks(ctx, decodeInto[DescribeSnapshotLinksRequest](t, `DiskIds=["d-1"]`))
	if err != nil {
		t.Fatal(err)
	}
	body = assertSDKShape(t, links, "DescribeSnapshotLinksResponse", "DescribeSnapshotLinksResponseBody")
	if !strings.Contains(string(body), `"SnapshotLinkId":"d-1"`) || !strings.Contains(string(body), `"TotalSize":53687091200`) ||
		!strings.Contains(string(body), `"InstanceName":"web"`) {
		t.Errorf("links: %s", body)
	}

	tasks, err := h.DescribeTasks(ctx, decodeInto[DescribeTasksRequest](t, "TaskAction=CreateSnapshot"))
	if err != nil {
		t.Fatal(err)
	}
	body = assertSDKShape(t, tasks, "DescribeTasksResponse", "DescribeTasksResponseBody")
	if len(tasks.TaskSet.Task) != 1 || tasks.TaskSet.Task[0].TaskStatus != "Finished" || tasks.TaskSet.Task[0].SupportCancel != "false" {
		t.Fatalf("tasks: %s", body)
	}
	attr, err := h.DescribeTaskAttribute(ctx, decodeInto[DescribeTaskAttributeRequest](t, "TaskId="+tasks.TaskSet.Task[0].TaskId))
	if err != nil {
		t.Fatal(err)
	}
	body = assertSDKShape(t, attr, "DescribeTaskAttributeResponse", "DescribeTaskAttributeResponseBody")
	if attr.TaskProcess != "100%" || attr.SuccessCount != 1 || attr.TotalCount != 1 ||
		!strings.Contains(string(body), `{"Name":"SnapshotId","Value":"`+created.SnapshotId+`"}`) {
		t.Errorf("task attribute: %s", body)
	}
	_, err = h.CancelTask(ctx, decodeInto[CancelTaskRequest](t, "TaskId="+attr.TaskId))
	assertAPIError(t, err, "InvalidTaskId.TaskActionNotSupport", 403)

	// In this order: the snapshot is modified, then deleted.
	for _, c := range []struct {
		name string
		call func() (any, error)
	}{
		{"ModifySnapshotAttribute", func() (any, error) {
			return h.ModifySnapshotAttribute(ctx, decodeInto[ModifySnapshotAttributeRequest](t, "SnapshotId="+created.SnapshotId+"&Description=renamed"))
		}},
		{"DeleteSnapshot", func() (any, error) {
			return h.DeleteSnapshot(ctx, decodeInto[DeleteSnapshotRequest](t, "SnapshotId="+created.SnapshotId))
		}},
	} {
		name := c.name
		resp, err := c.call()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertEmptyAnswer(t, resp)
	}
}

func TestPolicyAnswersHaveTheSDKShapesAndReadBothSpellings(t *testing.T) {
	h, ctx, _ := snapshotHandlers(t)
	// The Go SDK sends timePoints, repeatWeekdays, retentionDays, autoSnapshotPolicyName.
	created, err := h.CreateAutoSnapshotPolicy(ctx, decodeInto[CreateAutoSnapshotPolicyRequest](t,
		`timePoints=["0","11"]&repeatWeekdays=["1","7"]&retentionDays=30&autoSnapshotPolicyName=nightly`))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, created, "CreateAutoSnapshotPolicyResponse", "CreateAutoSnapshotPolicyResponseBody")
	// The guide's spelling.
	if _, err := h.ModifyAutoSnapshotPolicyEx(ctx, decodeInto[ModifyAutoSnapshotPolicyExRequest](t,
		`AutoSnapshotPolicyId=`+created.AutoSnapshotPolicyId+`&TimePoints=["2"]`)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ApplyAutoSnapshotPolicy(ctx, decodeInto[ApplyAutoSnapshotPolicyRequest](t,
		`autoSnapshotPolicyId=`+created.AutoSnapshotPolicyId+`&diskIds=["d-1"]`)); err != nil {
		t.Fatal(err)
	}
	described, err := h.DescribeAutoSnapshotPolicyEx(ctx, decodeInto[DescribeAutoSnapshotPolicyExRequest](t, ""))
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, described, "DescribeAutoSnapshotPolicyExResponse", "DescribeAutoSnapshotPolicyExResponseBody")
	for _, want := range []string{`"TimePoints":"[\"2\"]"`, `"RepeatWeekdays":"[\"1\",\"7\"]"`, `"RetentionDays":30`,
		`"AutoSnapshotPolicyName":"nightly"`, `"DiskNums":1`, `"Status":"Normal"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("missing %s in %s", want, body)
		}
	}
	if _, err := h.CancelAutoSnapshotPolicy(ctx, decodeInto[CancelAutoSnapshotPolicyRequest](t, `DiskIds=["d-1"]`)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DeleteAutoSnapshotPolicy(ctx, decodeInto[DeleteAutoSnapshotPolicyRequest](t,
		"autoSnapshotPolicyId="+created.AutoSnapshotPolicyId)); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateDiskAnswersOnlyCodeAndMsg(t *testing.T) {
	h, ctx, run := snapshotHandlers(t)
	resp, err := h.MigrateDisk(ctx, decodeInto[MigrateDiskRequest](t, "region_id=cn-hangzhou&disk_id=d-1"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(resp); string(b) != `{"code":-14000401,"msg":"parameter error, parameter is not null."}` {
		t.Errorf("migrate_disk without dest_zone_id: %s", b)
	}
	resp, _ = h.MigrateDisk(ctx, decodeInto[MigrateDiskRequest](t, "region_id=cn-hangzhou&disk_id=d-1&dest_zone_id=cn-hangzhou-b"))
	if b, _ := json.Marshal(resp); string(b) != `{"code":200,"msg":"successful"}` {
		t.Errorf("migrate_disk: %s", b)
	}
	run()
	resp, _ = h.QueryLoadProgress(ctx, decodeInto[QueryLoadProgressRequest](t, "region_id=cn-hangzhou&disk_id=d-1"))
	if b, _ := json.Marshal(resp); string(b) != `{"code":200,"msg":"100"}` {
		t.Errorf("query_load_progress: %s", b)
	}
}
