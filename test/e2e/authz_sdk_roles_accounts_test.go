package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// TestSDKAssumedRoleTokenActsWithinTheRolesPolicyUntilItExpires: a RAM user
// may call AssumeRole only once a policy allows it sts:AssumeRole; the role
// (trusting the account) has AliyunECSReadOnlyAccess and a custom policy for
// ModifyInstanceAttribute on one instance. Its temporary key and
// SecurityToken work with the old ECS SDK (signature V1) and the Tea SDK
// (signature V3) within that policy, narrowed further by a session policy,
// answer Forbidden.RAM outside it, and InvalidSecurityToken.Expired once
// expired (the server restarted with --token-clock-offset, docs/sts.md).
func TestSDKAssumedRoleTokenActsWithinTheRolesPolicyUntilItExpires(t *testing.T) {
	s := startServer(t, serverOptions{})
	root := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	rc := ramSDK(t, s, rootCred())
	acct := accountID(t, s, rootCred())
	n := newInstanceNet(t, s, root)
	ids := launchTagged(t, root, n, "", 2)
	target, untouched := ids[0], ids[1]

	modifyOne := newCustomPolicy(t, rc, "ModifyOne", fmt.Sprintf(`{"Version":"1","Statement":[{"Effect":"Allow",
		"Action":"ecs:ModifyInstanceAttribute","Resource":"acs:ecs:*:%s:instance/%s"}]}`, acct, target))
	role := createRole(t, rc, "EcsOperator-"+runID(), accountTrustPolicy(acct))
	attachToRole(t, rc, role.Role.RoleName, "AliyunECSReadOnlyAccess")
	ar := ram.CreateAttachPolicyToRoleRequest()
	ar.RoleName, ar.PolicyType, ar.PolicyName = role.Role.RoleName, modifyOne.kind, modifyOne.name
	if _, err := rc.AttachPolicyToRole(ar); err != nil {
		t.Fatalf("AttachPolicyToRole %s: %v", modifyOne.name, err)
	}

	user := newRAMUser(t, rc, "assumer")
	us := stsSDK(t, s, user.cred())
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn, req.RoleSessionName = role.Role.Arn, "no-policy"
	_, err := us.AssumeRole(req)
	wantForbiddenRAM(t, "AssumeRole by a user without sts:AssumeRole", err)
	attachToUser(t, rc, user.name, systemPolicyRef("AliyunSTSAssumeRoleAccess"))
	issued := assumeRole(t, us, role.Role.Arn, "operator", 900).Credentials
	_, err = describeAs(t, ecsWith(t, s, user.cred()), target)
	wantForbiddenRAM(t, "DescribeInstances with the user's own key", err)

	v1 := ecsWith(t, s, credentials.NewStsTokenCredential(issued.AccessKeyId, issued.AccessKeySecret, issued.SecurityToken))
	v3 := teaWithToken(t, s, issued.AccessKeyId, issued.AccessKeySecret, issued.SecurityToken)
	if got, err := describeAs(t, v1, target); err != nil || len(got) != 1 {
		t.Fatalf("DescribeInstances with the token = %+v, %v", got, err)
	}
	if err := renameInstance(v1, target, "by the role"); err != nil {
		t.Fatalf("ModifyInstanceAttribute of the role's instance with the token: %v", err)
	}
	listed, err := v3.DescribeInstances(&teaecs.DescribeInstancesRequest{RegionId: dara.String("cn-hangzhou"),
		InstanceIds: dara.String(diskIDs(t, target))})
	if err != nil || len(listed.Body.Instances.Instance) != 1 ||
		dara.StringValue(listed.Body.Instances.Instance[0].Description) != "by the role" {
		t.Fatalf("DescribeInstances with the token (Tea SDK, signature V3) = %+v, %v", listed, err)
	}
	if _, err := v3.ModifyInstanceAttribute(&teaecs.ModifyInstanceAttributeRequest{InstanceId: dara.String(target),
		Description: dara.String("by the role, V3")}); err != nil {
		t.Fatalf("ModifyInstanceAttribute of the role's instance with the token (Tea SDK): %v", err)
	}
	wantForbiddenRAM(t, "StopInstance with the token", stopInstance(v1, target))
	wantForbiddenRAM(t, "ModifyInstanceAttribute of another instance with the token", renameInstance(v1, untouched, "by the role"))
	sg := ecs.CreateCreateSecurityGroupRequest()
	sg.VpcId = n.vpcID
	_, err = v1.CreateSecurityGroup(sg)
	wantForbiddenRAM(t, "CreateSecurityGroup with the token", err)
	_, err = v3.StopInstance(&teaecs.StopInstanceRequest{InstanceId: dara.String(target)})
	wantTeaError(t, "StopInstance with the token", err, "Forbidden.RAM", http.StatusForbidden, forbiddenRAMMessage)
	token := credentials.NewStsTokenCredential(issued.AccessKeyId, issued.AccessKeySecret, issued.SecurityToken)
	_, err = ramSDK(t, s, token).ListUsers(ram.CreateListUsersRequest())
	wantForbiddenRAM(t, "RAM ListUsers with the token", err)
	if got := instanceByID(t, root, untouched); got.Status != "Running" || got.Description == "by the role" {
		t.Fatalf("the other instance after the role's attempts: %s %q", got.Status, got.Description)
	}

	// A session policy narrows the token below the role's policies.
	req.RoleSessionName, req.Policy = "read-only", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`
	narrow, err := us.AssumeRole(req)
	if err != nil {
		t.Fatalf("AssumeRole with a session policy: %v", err)
	}
	nc := ecsWith(t, s, credentials.NewStsTokenCredential(narrow.Credentials.AccessKeyId, narrow.Credentials.AccessKeySecret,
		narrow.Credentials.SecurityToken))
	if _, err := describeAs(t, nc, target); err != nil {
		t.Fatalf("DescribeInstances with the session-policy token: %v", err)
	}
	wantForbiddenRAM(t, "ModifyInstanceAttribute outside the session policy", renameInstance(nc, target, "narrowed"))

	// The token expires: restart on the same address and store 16 minutes later
	// for the token clock.
	s.restart("--token-clock-offset", "16m")
	_, err = describeAs(t, v1, target)
	wantServerError(t, "DescribeInstances with the expired token", err, "InvalidSecurityToken.Expired", http.StatusBadRequest)
	_, err = v3.DescribeInstances(&teaecs.DescribeInstancesRequest{RegionId: dara.String("cn-hangzhou")})
	wantTeaError(t, "DescribeInstances with the expired token", err, "InvalidSecurityToken.Expired", http.StatusBadRequest, "")
	wantServerError(t, "ModifyInstanceAttribute with the expired token", renameInstance(v1, target, "expired"),
		"InvalidSecurityToken.Expired", http.StatusBadRequest)
	if got := instanceByID(t, root, target); got.Description != "by the role, V3" {
		t.Fatalf("Description after the expired token's attempt: %q", got.Description)
	}
	if _, err := stsSDK(t, s, user.cred()).GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
		t.Fatalf("the user's own key with the token clock shifted: %v", err)
	}
}

// TestSDKAnotherAccountCannotSeeStopOrAttachAnythingOfAnAccountAsIfItDidNotExist:
// account B, created with `ecsd admin account create` while the server runs,
// with resources of its own, cannot list account A's instance, disk, security
// group or key pair, nor stop or start A's instance (old and Tea SDK), nor
// AttachDisk, JoinSecurityGroup or AttachKeyPair across the accounts in either
// direction, nor can a RAM user of B's whose policy is conditioned on a tag
// that A's instance has: each answers exactly as an ID that does not exist
// (same code, HTTP status and message, or the same per-instance result), and
// nothing of A's changes.
func TestSDKAnotherAccountCannotSeeStopOrAttachAnythingOfAnAccountAsIfItDidNotExist(t *testing.T) {
	s := startServer(t, serverOptions{})
	a := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	na := newInstanceNet(t, s, a)
	instA := launchTagged(t, a, na, "a", 1)[0]
	diskA := newDisk(t, a, "a-data", "cloud_efficiency", 20, "")
	waitDisk(t, a, diskA, "Available")

	tenant := createAccount(t, s, "authz-b")
	bCred := credentials.NewAccessKeyCredential(tenant.AccessKeyId, tenant.AccessKeySecret)
	b := ecsWith(t, s, bCred)
	nb := newInstanceNetWith(t, s, vpcWith(t, s, tenant), b)
	instB := launchTagged(t, b, nb, "", 1)[0]
	diskB := newDisk(t, b, "b-data", "cloud_efficiency", 20, "")
	waitDisk(t, b, diskB, "Available")
	const (
		missingInstance = "i-bp1nonexistent000000"
		missingDisk     = "d-bp1nonexistent000000"
		missingGroup    = "sg-bp1nonexistent00000"
		missingKeyPair  = "no-such-key-pair"
	)

	// See.
	if got, err := describeAs(t, b, instA); err != nil || len(got) != 0 {
		t.Fatalf("B's DescribeInstances of A's instance = %+v, %v", got, err)
	}
	if got := describeDisks(t, b, func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, diskA, diskB) }); len(got.Disks.Disk) != 1 ||
		got.Disks.Disk[0].DiskId != diskB {
		t.Fatalf("B's DescribeDisks of A's and its own disk = %+v", got.Disks.Disk)
	}
	groups := ecs.CreateDescribeSecurityGroupsRequest()
	groups.SecurityGroupIds = diskIDs(t, na.groupID)
	if resp, err := b.DescribeSecurityGroups(groups); err != nil || len(resp.SecurityGroups.SecurityGroup) != 0 {
		t.Fatalf("B's DescribeSecurityGroups of A's group = %+v, %v", resp, err)
	}
	keys := ecs.CreateDescribeKeyPairsRequest()
	keys.KeyPairName = na.keyPair
	if resp, err := b.DescribeKeyPairs(keys); err != nil || len(resp.KeyPairs.KeyPair) != 0 {
		t.Fatalf("B's DescribeKeyPairs of A's key pair = %+v, %v", resp, err)
	}
	sameAsMissing(t, "DescribeInstanceAttribute", instA, missingInstance, func(id string) error {
		req := ecs.CreateDescribeInstanceAttributeRequest()
		req.InstanceId = id
		_, err := b.DescribeInstanceAttribute(req)
		return err
	})

	// Stop and start.
	sameAsMissing(t, "StopInstance", instA, missingInstance, func(id string) error { return stopInstance(b, id) })
	sameAsMissing(t, "StartInstance", instA, missingInstance, func(id string) error { return startInstance(b, id) })
	tea := teaSDK(t, s, tenant.AccessKeyId, tenant.AccessKeySecret, false)
	teaStop := func(id string) (string, int, string) {
		_, err := tea.StopInstance(&teaecs.StopInstanceRequest{InstanceId: dara.String(id)})
		if err == nil {
			t.Fatalf("B's StopInstance of %s (Tea SDK) succeeded", id)
		}
		code, status := teaError(t, err)
		return code, status, strings.ReplaceAll(teaMessage(err), id, "ID")
	}
	realCode, realStatus, realMsg := teaStop(instA)
	missCode, missStatus, missMsg := teaStop(missingInstance)
	if realCode != missCode || realStatus != missStatus || realMsg != missMsg || realCode != "InvalidInstanceId.NotFound" {
		t.Fatalf("B's StopInstance (Tea SDK): A's instance %d %s %q, a missing one %d %s %q",
			realStatus, realCode, realMsg, missStatus, missCode, missMsg)
	}

	// A RAM user of B's whose policy holds for instances tagged team=a (A's
	// instance is) does not see A's tag: refused as for a missing instance.
	brc := ramSDK(t, s, bCred)
	teamA := newCustomPolicy(t, brc, "TeamA", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*",
		"Resource":"acs:ecs:*:*:instance/*","Condition":{"StringEquals":{"ecs:tag/team":"a"}}}]}`)
	bUser := ecsWith(t, s, newRAMUser(t, brc, "b-team-a", teamA).cred())
	sameAsMissing(t, "StopInstance by B's RAM user with a team=a policy", instA, missingInstance, func(id string) error {
		return stopInstance(bUser, id)
	})
	wantForbiddenRAM(t, "StopInstance of A's team=a instance by B's RAM user", stopInstance(bUser, instA))

	// Attach, both ways.
	attachDisk := func(instance, disk string) error {
		req := ecs.CreateAttachDiskRequest()
		req.InstanceId, req.DiskId = instance, disk
		_, err := b.AttachDisk(req)
		return err
	}
	sameAsMissing(t, "AttachDisk of A's disk to B's instance", diskA, missingDisk, func(id string) error { return attachDisk(instB, id) })
	sameAsMissing(t, "AttachDisk of B's disk to A's instance", instA, missingInstance, func(id string) error { return attachDisk(id, diskB) })
	sameAsMissing(t, "JoinSecurityGroup of B's instance to A's group", na.groupID, missingGroup, func(id string) error {
		req := ecs.CreateJoinSecurityGroupRequest()
		req.InstanceId, req.SecurityGroupId = instB, id
		_, err := b.JoinSecurityGroup(req)
		return err
	})
	sameAsMissing(t, "AttachKeyPair of A's key pair to B's instance", na.keyPair, missingKeyPair, func(name string) error {
		req := ecs.CreateAttachKeyPairRequest()
		req.KeyPairName, req.InstanceIds = name, diskIDs(t, instB)
		_, err := b.AttachKeyPair(req)
		return err
	})
	attachKeyPair := func(instance string) ecs.Result {
		req := ecs.CreateAttachKeyPairRequest()
		req.KeyPairName, req.InstanceIds = nb.keyPair, diskIDs(t, instance)
		resp, err := b.AttachKeyPair(req)
		if err != nil || resp.TotalCount != "1" || resp.FailCount != "1" || len(resp.Results.Result) != 1 {
			t.Fatalf("B's AttachKeyPair of its key pair to %s = %+v, %v", instance, resp, err)
		}
		r := resp.Results.Result[0]
		r.Message, r.InstanceId = strings.ReplaceAll(r.Message, instance, "ID"), ""
		return r
	}
	if real, missing := attachKeyPair(instA), attachKeyPair(missingInstance); real != missing || real.Code == "" {
		t.Fatalf("B's AttachKeyPair of its key pair: A's instance answers %+v, a missing one %+v", real, missing)
	}

	// Nothing of A's changed.
	if got := instanceByID(t, a, instA); got.Status != "Running" || got.KeyPairName != "" || len(got.SecurityGroupIds.SecurityGroupId) != 1 {
		t.Fatalf("A's instance after B's attempts: %s, key pair %q, groups %v", got.Status, got.KeyPairName, got.SecurityGroupIds.SecurityGroupId)
	}
	if got := describeDisks(t, a, func(r *ecs.DescribeDisksRequest) { r.DiskIds = diskIDs(t, diskA) }); len(got.Disks.Disk) != 1 ||
		got.Disks.Disk[0].Status != "Available" || got.Disks.Disk[0].InstanceId != "" {
		t.Fatalf("A's disk after B's attempts: %+v", got.Disks.Disk)
	}
	if got := instanceByID(t, b, instB); len(got.SecurityGroupIds.SecurityGroupId) != 1 || got.SecurityGroupIds.SecurityGroupId[0] != nb.groupID ||
		got.KeyPairName != "" {
		t.Fatalf("B's instance joined %v, key pair %q", got.SecurityGroupIds.SecurityGroupId, got.KeyPairName)
	}
}
