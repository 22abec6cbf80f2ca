package e2e

import (
	"encoding/json"
	"testing"
	"time"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// commonRequest is a CommonRequest of the Go SDK for an ECS action with
// params, to s.
func commonRequest(s *server, action string, params map[string]string) *requests.CommonRequest {
	r := requests.NewCommonRequest()
	r.Method, r.Scheme, r.Domain = "POST", "http", s.addr
	r.Version, r.ApiName, r.Product = "2014-05-26", action, "Ecs"
	r.QueryParams["RegionId"] = "cn-hangzhou"
	for k, v := range params {
		r.QueryParams[k] = v
	}
	return r
}

// TestAutomaticSnapshotPoliciesFollowTheGuideThroughBothSDKs covers 1.8.7 to
// 1.8.12 with the Go SDK (which spells timePoints, repeatWeekdays,
// retentionDays, autoSnapshotPolicyId and diskIds in lower camel case) and the
// v7 Tea SDK (which also sends regionId so): create, describe, modify, apply to
// a disk (its EnableAutoSnapshot turns on), cancel, delete, and the validation
// of time points, weekdays and retention days.
func TestAutomaticSnapshotPoliciesFollowTheGuideThroughBothSDKs(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	disk := newDisk(t, c, "policy-disk", "cloud_efficiency", 20, "")

	create := ecs.CreateCreateAutoSnapshotPolicyRequest()
	create.AutoSnapshotPolicyName, create.TimePoints, create.RepeatWeekdays = "nightly", `["1","13"]`, `["1","3","5"]`
	create.RetentionDays = requests.NewInteger(7)
	created, err := c.CreateAutoSnapshotPolicy(create)
	if err != nil {
		t.Fatalf("CreateAutoSnapshotPolicy: %v", err)
	}
	id := created.AutoSnapshotPolicyId
	t.Cleanup(func() {
		del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
		del.AutoSnapshotPolicyId = id
		_, _ = c.DeleteAutoSnapshotPolicy(del)
	})
	for _, x := range []struct {
		name         string
		points, days string
		retention    int
		code         string
	}{
		{"hour 24", `["24"]`, `["1"]`, 7, "InvalidParameter"},
		{"weekday 8", `["1"]`, `["8"]`, 7, "InvalidParameter"},
		{"retention 0", `["1"]`, `["1"]`, 0, "InvalidParameter"},
		{"time points not a JSON array", `1,13`, `["1"]`, 7, "InvalidParameter"},
	} {
		bad := ecs.CreateCreateAutoSnapshotPolicyRequest()
		bad.TimePoints, bad.RepeatWeekdays, bad.RetentionDays = x.points, x.days, requests.NewInteger(x.retention)
		_, err := c.CreateAutoSnapshotPolicy(bad)
		wantServerError(t, x.name, err, x.code, 400)
	}

	modify := ecs.CreateModifyAutoSnapshotPolicyExRequest()
	modify.AutoSnapshotPolicyId, modify.TimePoints, modify.RetentionDays = id, `["2"]`, requests.NewInteger(-1)
	if _, err := c.ModifyAutoSnapshotPolicyEx(modify); err != nil {
		t.Fatalf("ModifyAutoSnapshotPolicyEx: %v", err)
	}
	apply := ecs.CreateApplyAutoSnapshotPolicyRequest()
	apply.AutoSnapshotPolicyId, apply.DiskIds = id, diskIDs(t, disk)
	if _, err := c.ApplyAutoSnapshotPolicy(apply); err != nil {
		t.Fatalf("ApplyAutoSnapshotPolicy: %v", err)
	}
	if d := waitDisk(t, c, disk, "Available"); !d.EnableAutoSnapshot || !d.EnableAutomatedSnapshotPolicy || d.AutoSnapshotPolicyId != id {
		t.Errorf("a disk executing a policy: EnableAutoSnapshot %v, AutoSnapshotPolicyId %q", d.EnableAutoSnapshot, d.AutoSnapshotPolicyId)
	}
	apply.DiskIds = diskIDs(t, "d-nope")
	_, err = c.ApplyAutoSnapshotPolicy(apply)
	wantServerError(t, "ApplyAutoSnapshotPolicy to a missing disk", err, "InvalidDiskId.NotFound", 404)

	describe := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	describe.AutoSnapshotPolicyId = id
	got, err := c.DescribeAutoSnapshotPolicyEx(describe)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.AutoSnapshotPolicies.AutoSnapshotPolicy) != 1 {
		t.Fatalf("%+v", got)
	}
	p := got.AutoSnapshotPolicies.AutoSnapshotPolicy[0]
	if p.AutoSnapshotPolicyName != "nightly" || p.TimePoints != `["2"]` || p.RepeatWeekdays != `["1","3","5"]` ||
		p.RetentionDays != -1 || p.DiskNums != 1 || p.RegionId != "cn-hangzhou" {
		t.Errorf("policy %+v", p)
	}

	// The v7 SDK: regionId and the lower-case names in its query.
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	teaCreated, err := tea.CreateAutoSnapshotPolicy(&teaecs.CreateAutoSnapshotPolicyRequest{RegionId: dara.String("cn-hangzhou"),
		TimePoints: dara.String(`[0]`), RepeatWeekdays: dara.String(`[7]`), RetentionDays: dara.Int32(3)})
	if err != nil {
		t.Fatalf("Tea CreateAutoSnapshotPolicy: %v", err)
	}
	teaID := dara.StringValue(teaCreated.Body.AutoSnapshotPolicyId)
	teaDescribed, err := tea.DescribeAutoSnapshotPolicyEx(&teaecs.DescribeAutoSnapshotPolicyExRequest{
		RegionId: dara.String("cn-hangzhou"), AutoSnapshotPolicyId: dara.String(teaID)})
	if err != nil || len(teaDescribed.Body.AutoSnapshotPolicies.AutoSnapshotPolicy) != 1 ||
		dara.Int32Value(teaDescribed.Body.AutoSnapshotPolicies.AutoSnapshotPolicy[0].RetentionDays) != 3 {
		t.Fatalf("Tea DescribeAutoSnapshotPolicyEx: %+v, %v", teaDescribed, err)
	}
	if _, err := tea.DeleteAutoSnapshotPolicy(&teaecs.DeleteAutoSnapshotPolicyRequest{RegionId: dara.String("cn-hangzhou"),
		AutoSnapshotPolicyId: dara.String(teaID)}); err != nil {
		t.Fatalf("Tea DeleteAutoSnapshotPolicy: %v", err)
	}

	cancel := ecs.CreateCancelAutoSnapshotPolicyRequest()
	cancel.DiskIds = diskIDs(t, disk)
	if _, err := c.CancelAutoSnapshotPolicy(cancel); err != nil {
		t.Fatalf("CancelAutoSnapshotPolicy: %v", err)
	}
	if d := waitDisk(t, c, disk, "Available"); d.EnableAutoSnapshot || d.AutoSnapshotPolicyId != "" {
		t.Errorf("the disk still executes a policy after CancelAutoSnapshotPolicy: %+v", d)
	}
	del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
	del.AutoSnapshotPolicyId = id
	if _, err := c.DeleteAutoSnapshotPolicy(del); err != nil {
		t.Fatalf("DeleteAutoSnapshotPolicy: %v", err)
	}
	_, err = c.DeleteAutoSnapshotPolicy(del)
	wantServerError(t, "DeleteAutoSnapshotPolicy twice", err, "InvalidAutoSnapshotPolicyId.NotFound", 404)
}

// TestTasksAreListedDescribedAndCancelledAsTheGuideSays covers 1.16: a
// snapshot's CreateSnapshot task in DescribeTasks (filters, paging) and
// DescribeTaskAttribute (progress, per-resource outcome), and CancelTask's
// errors for a kind the guide does not let clients cancel.
func TestTasksAreListedDescribedAndCancelledAsTheGuideSays(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "0s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	before := time.Now().UTC().Add(-time.Minute)
	snap := takeSnapshot(t, c, systemDisk(t, c, inst).DiskId, "")
	waitSnapshot(t, c, snap)

	list := ecs.CreateDescribeTasksRequest()
	list.ResourceIds, list.TaskStatus = &[]string{snap}, "Finished"
	list.StartTime, list.EndTime = before.Format("2006-01-02T15:04Z"), time.Now().UTC().Add(time.Minute).Format("2006-01-02T15:04Z")
	resp, err := c.DescribeTasks(list)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalCount != 1 || resp.RegionId != "cn-hangzhou" || len(resp.TaskSet.Task) != 1 {
		t.Fatalf("DescribeTasks: %+v", resp)
	}
	task := resp.TaskSet.Task[0]
	if task.TaskAction != "CreateSnapshot" || task.SupportCancel != "false" || task.CreationTime == "" || task.FinishedTime == "" {
		t.Errorf("task %+v", task)
	}
	list.TaskStatus = "Processing"
	if resp, _ := c.DescribeTasks(list); resp.TotalCount != 0 {
		t.Errorf("a finished task listed as Processing: %+v", resp)
	}
	byID := ecs.CreateDescribeTasksRequest()
	byID.TaskIds = task.TaskId + ",t-nope"
	if resp, _ := c.DescribeTasks(byID); resp.TotalCount != 1 {
		t.Errorf("TaskIds: %+v", resp)
	}

	attr := ecs.CreateDescribeTaskAttributeRequest()
	attr.TaskId = task.TaskId
	a, err := c.DescribeTaskAttribute(attr)
	if err != nil {
		t.Fatal(err)
	}
	ops := a.OperationProgressSet.OperationProgress
	if a.TaskStatus != "Finished" || a.TaskProcess != "100%" || a.TotalCount != 1 || a.SuccessCount != 1 || a.FailedCount != 0 ||
		len(ops) != 1 || ops[0].OperationStatus != "Success" {
		t.Errorf("DescribeTaskAttribute: %+v", a)
	}
	attr.TaskId = "t-nope"
	_, err = c.DescribeTaskAttribute(attr)
	wantServerError(t, "DescribeTaskAttribute of a missing task", err, "InvalidTaskId.NotFound", 404)

	cancel := ecs.CreateCancelTaskRequest()
	_, err = c.CancelTask(cancel)
	wantServerError(t, "CancelTask without TaskId", err, "MissingParameter", 400)
	cancel.TaskId = "t-nope"
	_, err = c.CancelTask(cancel)
	wantServerError(t, "CancelTask of a missing task", err, "InvalidTaskId.NotFound", 404)
	cancel.TaskId = task.TaskId
	_, err = c.CancelTask(cancel)
	wantServerError(t, "CancelTask of a CreateSnapshot task", err, "InvalidTaskId.TaskActionNotSupport", 403)
}

// codeMsg is the answer of migrate_disk and query_load_progress.
type codeMsg struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// TestMigrateDiskAndQueryLoadProgressKeepTheirOwnConventions covers 1.7.11 and
// 1.7.12: snake_case parameters and answers that are only {code, msg}.
func TestMigrateDiskAndQueryLoadProgressKeepTheirOwnConventions(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "1s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	disk := newDisk(t, c, "moving", "cloud_efficiency", 20, "")
	call := func(action string, params map[string]string) (codeMsg, string) {
		t.Helper()
		resp, err := c.ProcessCommonRequest(commonRequest(s, action, params))
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		var out codeMsg
		if err := json.Unmarshal(resp.GetHttpContentBytes(), &out); err != nil {
			t.Fatalf("%s answered %s: %v", action, resp.GetHttpContentString(), err)
		}
		return out, resp.GetHttpContentString()
	}
	for _, x := range []struct {
		params map[string]string
		want   codeMsg
	}{
		{map[string]string{"region_id": "cn-hangzhou", "disk_id": disk}, codeMsg{-14000401, "parameter error, parameter is not null."}},
		{map[string]string{"region_id": "cn-hangzhou", "disk_id": "d-nope", "dest_zone_id": diskZone},
			codeMsg{-14000404, "parameter error, parameter is not exist."}},
		{map[string]string{"region_id": "cn-hangzhou", "disk_id": disk, "dest_zone_id": "cn-beijing-a"},
			codeMsg{-14000400, "miagrate specfied dst region is invalid."}},
	} {
		if got, _ := call("migrate_disk", x.params); got != x.want {
			t.Errorf("migrate_disk %v = %+v, want %+v", x.params, got, x.want)
		}
	}
	ok := map[string]string{"region_id": "cn-hangzhou", "disk_id": disk, "dest_zone_id": diskZone, "dest_disk_type": "cloud_ssd"}
	got, body := call("migrate_disk", ok)
	if body != `{"code":200,"msg":"successful"}` {
		t.Fatalf("migrate_disk = %s", body)
	}
	other := map[string]string{"region_id": "cn-hangzhou", "disk_id": disk, "dest_zone_id": diskZone}
	if got, _ = call("migrate_disk", other); got.Code != -14000402 {
		t.Errorf("a second migration while one runs: %+v", got)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, _ = call("query_load_progress", map[string]string{"region_id": "cn-hangzhou", "disk_id": disk})
		if got.Code != 200 {
			t.Fatalf("query_load_progress: %+v", got)
		}
		if got.Msg == "100" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("migration stuck at %s%%", got.Msg)
		}
	}
	if d := waitDisk(t, c, disk, "Available"); d.Category != "cloud_ssd" {
		t.Errorf("after migrating to cloud_ssd the disk is %s", d.Category)
	}
	if got, _ := call("query_load_progress", map[string]string{"region_id": "cn-hangzhou"}); got.Code != -14000401 {
		t.Errorf("query_load_progress without disk_id: %+v", got)
	}
}
