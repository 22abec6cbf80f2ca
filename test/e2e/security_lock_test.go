package e2e

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// TestSecurityLockedInstanceBehavesAsGuide1187 locks a running instance with
// `ecsd admin instance lock` while the server runs, checks a few rows of the guide's
// security-lock table (1.18.7) through the SDK, and unlocks it again.
func TestSecurityLockedInstanceBehavesAsGuide1187(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	id := launchInstance(t, s, c)

	admin := func(verb string) {
		t.Helper()
		out, err := adminCommand(s, "instance", verb, id).CombinedOutput()
		if err != nil {
			t.Fatalf("ecsd admin instance %s: %v\n%s", verb, err, out)
		}
	}
	admin("lock")

	describe := ecs.CreateDescribeInstancesRequest()
	describe.InstanceIds = `["` + id + `"]`
	resp, err := c.DescribeInstances(describe)
	if err != nil || len(resp.Instances.Instance) != 1 {
		t.Fatalf("DescribeInstances on a locked instance (normal logic): %+v, %v", resp, err)
	}
	locks := resp.Instances.Instance[0].OperationLocks.LockReason
	if len(locks) != 1 || locks[0].LockReason != "security" {
		t.Fatalf("OperationLocks = %+v, want one security lock", locks)
	}
	// StopInstance, RebootInstance and ModifyInstanceAttribute answer an error.
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = id
	_, err = c.StopInstance(stop)
	if se := serverError(t, err); se.HttpStatus() < 400 || !strings.Contains(se.ErrorCode(), "Lock") && !strings.Contains(se.ErrorCode(), "Status") {
		t.Fatalf("StopInstance on a locked instance: %d %s", se.HttpStatus(), se.ErrorCode())
	}
	modify := ecs.CreateModifyInstanceAttributeRequest()
	modify.InstanceId, modify.InstanceName = id, "renamed"
	if _, err := c.ModifyInstanceAttribute(modify); err == nil {
		t.Fatal("ModifyInstanceAttribute on a locked instance succeeded")
	}

	admin("unlock")
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance after unlocking: %v", err)
	}
	waitInstance(t, c, id, "Stopped")
}
