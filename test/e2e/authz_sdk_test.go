package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// TestSDKRAMUserWithECSReadOnlyAccessDescribesButCreateAndChangeAreForbiddenRAM:
// a RAM user with the system policy AliyunECSReadOnlyAccess (guide 1.2.3)
// lists instances, disks and security groups with the old SDK and the Tea SDK,
// and RunInstances, CreateSecurityGroup, StopInstance and
// ModifyInstanceAttribute answer the guide's Forbidden.RAM (403, 1.18.4)
// without doing anything.
func TestSDKRAMUserWithECSReadOnlyAccessDescribesButCreateAndChangeAreForbiddenRAM(t *testing.T) {
	s := startServer(t, serverOptions{})
	root := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	rc := ramSDK(t, s, rootCred())
	n := newInstanceNet(t, s, root)
	id := launchTagged(t, root, n, "", 1)[0]
	reader := newRAMUser(t, rc, "reader", systemPolicyRef("AliyunECSReadOnlyAccess"))
	c := ecsWith(t, s, reader.cred())

	if got, err := describeAs(t, c, id); err != nil || len(got) != 1 || got[0].InstanceId != id || got[0].Status != "Running" {
		t.Fatalf("DescribeInstances as the reader = %+v, %v", got, err)
	}
	disks := ecs.CreateDescribeDisksRequest()
	disks.InstanceId = id
	if resp, err := c.DescribeDisks(disks); err != nil || len(resp.Disks.Disk) == 0 || resp.Disks.Disk[0].InstanceId != id {
		t.Fatalf("DescribeDisks as the reader = %+v, %v", resp, err)
	}
	groups := ecs.CreateDescribeSecurityGroupsRequest()
	groups.VpcId = n.vpcID
	if resp, err := c.DescribeSecurityGroups(groups); err != nil || len(resp.SecurityGroups.SecurityGroup) != 1 ||
		resp.SecurityGroups.SecurityGroup[0].SecurityGroupId != n.groupID {
		t.Fatalf("DescribeSecurityGroups as the reader = %+v, %v", resp, err)
	}
	tea := teaSDK(t, s, reader.keyID, reader.secret, false)
	listed, err := tea.DescribeInstances(&teaecs.DescribeInstancesRequest{RegionId: dara.String("cn-hangzhou"),
		InstanceIds: dara.String(diskIDs(t, id))})
	if err != nil || len(listed.Body.Instances.Instance) != 1 {
		t.Fatalf("DescribeInstances as the reader (Tea SDK, signature V3) = %+v, %v", listed, err)
	}

	run := n.runRequest()
	run.InstanceName = "not-allowed"
	_, err = c.RunInstances(run)
	wantForbiddenRAM(t, "RunInstances as the reader", err)
	sg := ecs.CreateCreateSecurityGroupRequest()
	sg.VpcId, sg.SecurityGroupName = n.vpcID, "not-allowed"
	_, err = c.CreateSecurityGroup(sg)
	wantForbiddenRAM(t, "CreateSecurityGroup as the reader", err)
	wantForbiddenRAM(t, "StopInstance as the reader", stopInstance(c, id))
	wantForbiddenRAM(t, "ModifyInstanceAttribute as the reader", renameInstance(c, id, "changed"))
	_, err = tea.StopInstance(&teaecs.StopInstanceRequest{InstanceId: dara.String(id)})
	wantTeaError(t, "StopInstance as the reader", err, "Forbidden.RAM", http.StatusForbidden, forbiddenRAMMessage)

	// Nothing happened.
	if got := instanceByID(t, root, id); got.Status != "Running" || got.Description == "changed" {
		t.Fatalf("the instance after the reader's attempts: %s %q", got.Status, got.Description)
	}
	all, err := root.DescribeSecurityGroups(groups)
	if err != nil || len(all.SecurityGroups.SecurityGroup) != 1 {
		t.Fatalf("security groups in the VPC after the reader's attempt = %+v, %v", all, err)
	}
	named := ecs.CreateDescribeInstancesRequest()
	named.VpcId, named.InstanceName = n.vpcID, "not-allowed"
	if resp, err := root.DescribeInstances(named); err != nil || resp.TotalCount != 0 {
		t.Fatalf("instances the reader tried to run = %+v, %v", resp, err)
	}
}

// TestSDKPolicyConditionedOnTagOrLimitedToOneInstanceARNAllowsExactlyThoseInstances:
// a custom policy whose statement holds under `StringEquals ecs:tag/team = a`
// lets its user stop, start and modify exactly the instances tagged team=a
// (old SDK and Tea SDK), refuses the others with Forbidden.RAM, follows a tag
// removed at once, and lists only when the listing asks for the tag; a policy
// whose Resource is one instance's ARN (acs:ecs:*:<AccountId>:instance/<id>)
// allows exactly that one.
func TestSDKPolicyConditionedOnTagOrLimitedToOneInstanceARNAllowsExactlyThoseInstances(t *testing.T) {
	s := startServer(t, serverOptions{})
	root := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	rc := ramSDK(t, s, rootCred())
	acct := accountID(t, s, rootCred())
	n := newInstanceNet(t, s, root)
	teamA := launchTagged(t, root, n, "a", 2)
	other := launchTagged(t, root, n, "b", 1)[0]
	a1, a2 := teamA[0], teamA[1]

	tagged := newCustomPolicy(t, rc, "TeamA", `{"Version":"1","Statement":[{"Effect":"Allow",
		"Action":["ecs:StopInstance","ecs:StartInstance","ecs:ModifyInstanceAttribute","ecs:DescribeInstances"],
		"Resource":"acs:ecs:*:*:instance/*","Condition":{"StringEquals":{"ecs:tag/team":"a"}}}]}`)
	team := newRAMUser(t, rc, "team-a", tagged)
	c := ecsWith(t, s, team.cred())

	if err := renameInstance(c, a1, "renamed by team a"); err != nil {
		t.Fatalf("ModifyInstanceAttribute of a team=a instance: %v", err)
	}
	if got := instanceByID(t, root, a1); got.Description != "renamed by team a" {
		t.Fatalf("Description after the team's ModifyInstanceAttribute: %q", got.Description)
	}
	if err := stopInstance(c, a1); err != nil {
		t.Fatalf("StopInstance of a team=a instance: %v", err)
	}
	waitForStatus(t, root, []string{a1}, "Stopped")
	if err := startInstance(c, a1); err != nil {
		t.Fatalf("StartInstance of a team=a instance: %v", err)
	}
	tea := teaSDK(t, s, team.keyID, team.secret, false)
	if _, err := tea.StopInstance(&teaecs.StopInstanceRequest{InstanceId: dara.String(a2)}); err != nil {
		t.Fatalf("StopInstance of a team=a instance (Tea SDK, signature V3): %v", err)
	}
	waitForStatus(t, root, []string{a1}, "Running")
	waitForStatus(t, root, []string{a2}, "Stopped")

	wantForbiddenRAM(t, "StopInstance of a team=b instance", stopInstance(c, other))
	wantForbiddenRAM(t, "StartInstance of a team=b instance", startInstance(c, other))
	wantForbiddenRAM(t, "ModifyInstanceAttribute of a team=b instance", renameInstance(c, other, "renamed by team a"))
	_, err := tea.ModifyInstanceAttribute(&teaecs.ModifyInstanceAttributeRequest{InstanceId: dara.String(other),
		Description: dara.String("renamed by team a")})
	wantTeaError(t, "ModifyInstanceAttribute of a team=b instance", err, "Forbidden.RAM", http.StatusForbidden, forbiddenRAMMessage)
	wantForbiddenRAM(t, "StopInstance of an instance that does not exist", stopInstance(c, "i-bp1nonexistent000000"))
	if got := instanceByID(t, root, other); got.Status != "Running" || got.Description == "renamed by team a" {
		t.Fatalf("the team=b instance after the team's attempts: %s %q", got.Status, got.Description)
	}

	// Listing: allowed when the request asks for team=a, refused otherwise.
	list := ecs.CreateDescribeInstancesRequest()
	list.InstanceIds = diskIDs(t, a1, a2, other)
	list.Tag = &[]ecs.DescribeInstancesTag{{Key: "team", Value: "a"}}
	resp, err := c.DescribeInstances(list)
	if err != nil {
		t.Fatalf("DescribeInstances with Tag team=a: %v", err)
	}
	if got := sortedIDs(resp.Instances.Instance); !slices.Equal(got, sortedIDs([]ecs.Instance{{InstanceId: a1}, {InstanceId: a2}})) {
		t.Fatalf("DescribeInstances with Tag team=a lists %v, want %s and %s", got, a1, a2)
	}
	_, err = describeAs(t, c, a1, a2, other)
	wantForbiddenRAM(t, "DescribeInstances without the tag", err)
	teaList, err := tea.DescribeInstances(&teaecs.DescribeInstancesRequest{RegionId: dara.String("cn-hangzhou"),
		InstanceIds: dara.String(diskIDs(t, a1, a2, other)),
		Tag:         []*teaecs.DescribeInstancesRequestTag{{Key: dara.String("team"), Value: dara.String("a")}}})
	if err != nil || len(teaList.Body.Instances.Instance) != 2 {
		t.Fatalf("DescribeInstances with Tag team=a (Tea SDK) = %+v, %v", teaList, err)
	}
	_, err = tea.DescribeInstances(&teaecs.DescribeInstancesRequest{RegionId: dara.String("cn-hangzhou")})
	wantTeaError(t, "DescribeInstances without the tag", err, "Forbidden.RAM", http.StatusForbidden, forbiddenRAMMessage)

	// The tag is read on every call: once removed, the instance is out of reach.
	untag := ecs.CreateRemoveTagsRequest()
	untag.ResourceType, untag.ResourceId = "instance", a2
	untag.Tag = &[]ecs.RemoveTagsTag{{Key: "team", Value: "a"}}
	if _, err := root.RemoveTags(untag); err != nil {
		t.Fatalf("RemoveTags: %v", err)
	}
	wantForbiddenRAM(t, "StartInstance of an instance whose team=a tag was removed", startInstance(c, a2))

	// One instance by its ARN.
	one := newCustomPolicy(t, rc, "OneInstance", fmt.Sprintf(`{"Version":"1","Statement":[{"Effect":"Allow",
		"Action":["ecs:StopInstance","ecs:StartInstance","ecs:ModifyInstanceAttribute"],
		"Resource":"acs:ecs:*:%s:instance/%s"}]}`, acct, other))
	named := newRAMUser(t, rc, "one-instance", one)
	nc := ecsWith(t, s, named.cred())
	if err := renameInstance(nc, other, "renamed by its ARN"); err != nil {
		t.Fatalf("ModifyInstanceAttribute of the instance the ARN names: %v", err)
	}
	if err := stopInstance(nc, other); err != nil {
		t.Fatalf("StopInstance of the instance the ARN names: %v", err)
	}
	waitForStatus(t, root, []string{other}, "Stopped")
	wantForbiddenRAM(t, "ModifyInstanceAttribute of another instance", renameInstance(nc, a1, "renamed by its ARN"))
	wantForbiddenRAM(t, "StopInstance of another instance", stopInstance(nc, a1))
	ntea := teaSDK(t, s, named.keyID, named.secret, false)
	_, err = ntea.StopInstance(&teaecs.StopInstanceRequest{InstanceId: dara.String(a1)})
	wantTeaError(t, "StopInstance of another instance", err, "Forbidden.RAM", http.StatusForbidden, forbiddenRAMMessage)
	if _, err := ntea.StartInstance(&teaecs.StartInstanceRequest{InstanceId: dara.String(other)}); err != nil {
		t.Fatalf("StartInstance of the instance the ARN names (Tea SDK): %v", err)
	}
	if got := instanceByID(t, root, a1); got.Status != "Running" || got.Description != "renamed by team a" {
		t.Fatalf("the other instance after the ARN user's attempts: %s %q", got.Status, got.Description)
	}
}

// TestSDKExplicitDenyWinsOverAllowAll: a RAM user with AdministratorAccess
// (Allow * on *) in a group whose policy denies ecs:DeleteInstance on one
// instance cannot delete that instance (old and Tea SDK), can do everything
// else with it and delete the others; leaving the group lifts the Deny on
// the next call.
func TestSDKExplicitDenyWinsOverAllowAll(t *testing.T) {
	s := startServer(t, serverOptions{})
	root := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	rc := ramSDK(t, s, rootCred())
	n := newInstanceNet(t, s, root)
	ids := launchTagged(t, root, n, "", 2)
	kept, deletable := ids[0], ids[1]

	deny := newCustomPolicy(t, rc, "KeepOne", fmt.Sprintf(`{"Version":"1","Statement":[
		{"Effect":"Deny","Action":"ecs:DeleteInstance","Resource":"acs:ecs:*:*:instance/%s"}]}`, kept))
	admin := newRAMUser(t, rc, "admin", systemPolicyRef("AdministratorAccess"))
	group := newRAMGroup(t, rc, "guarded", deny)
	join := ram.CreateAddUserToGroupRequest()
	join.GroupName, join.UserName = group, admin.name
	if _, err := rc.AddUserToGroup(join); err != nil {
		t.Fatalf("AddUserToGroup: %v", err)
	}
	c := ecsWith(t, s, admin.cred())
	deleteAs := func(id string) error {
		req := ecs.CreateDeleteInstanceRequest()
		req.InstanceId, req.Force = id, requests.NewBoolean(true)
		_, err := c.DeleteInstance(req)
		return err
	}

	wantForbiddenRAM(t, "DeleteInstance of the denied instance", deleteAs(kept))
	_, err := teaSDK(t, s, admin.keyID, admin.secret, false).DeleteInstance(&teaecs.DeleteInstanceRequest{
		InstanceId: dara.String(kept), Force: dara.Bool(true)})
	wantTeaError(t, "DeleteInstance of the denied instance", err, "Forbidden.RAM", http.StatusForbidden, forbiddenRAMMessage)
	if err := renameInstance(c, kept, "still allowed"); err != nil {
		t.Fatalf("ModifyInstanceAttribute of the denied instance (only DeleteInstance is denied): %v", err)
	}
	if err := stopInstance(c, kept); err != nil {
		t.Fatalf("StopInstance of the denied instance: %v", err)
	}
	if err := deleteAs(deletable); err != nil {
		t.Fatalf("DeleteInstance of another instance: %v", err)
	}
	waitInstance(t, root, deletable, "")
	if got, err := describeAs(t, root, kept); err != nil || len(got) != 1 {
		t.Fatalf("the denied instance after the admin's attempts: %+v, %v", got, err)
	}

	leave := ram.CreateRemoveUserFromGroupRequest()
	leave.GroupName, leave.UserName = group, admin.name
	if _, err := rc.RemoveUserFromGroup(leave); err != nil {
		t.Fatalf("RemoveUserFromGroup: %v", err)
	}
	if err := deleteAs(kept); err != nil {
		t.Fatalf("DeleteInstance once the user left the denying group: %v", err)
	}
	waitInstance(t, root, kept, "")
}

// TestSDKDisabledAccessKeyAndDeletedUserStopWorkingAtOnce: UpdateAccessKey
// Inactive refuses that key (Forbidden.AccessKeyDisabled, 403) on the very
// next call while the user's other key still works; detaching the user's
// policy refuses its next call (Forbidden.RAM); once the user's keys and the
// user are deleted its key is unknown (InvalidAccessKeyId.NotFound), and a new
// user of the same name inherits nothing.
func TestSDKDisabledAccessKeyAndDeletedUserStopWorkingAtOnce(t *testing.T) {
	s := startServer(t, serverOptions{})
	rc := ramSDK(t, s, rootCred())
	readOnly := systemPolicyRef("AliyunECSReadOnlyAccess")
	user := newRAMUser(t, rc, "leaver", readOnly)
	ck := ram.CreateCreateAccessKeyRequest()
	ck.UserName = user.name
	second, err := rc.CreateAccessKey(ck)
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	c := ecsWith(t, s, user.cred())
	tea := teaSDK(t, s, user.keyID, user.secret, false)
	other := oldSDK(t, s, second.AccessKey.AccessKeyId, second.AccessKey.AccessKeySecret)
	teaDescribe := func() error {
		_, err := tea.DescribeInstances(&teaecs.DescribeInstancesRequest{RegionId: dara.String("cn-hangzhou")})
		return err
	}
	list := func(c *ecs.Client) error {
		_, err := c.DescribeInstances(ecs.CreateDescribeInstancesRequest())
		return err
	}
	if err := list(c); err != nil {
		t.Fatalf("DescribeInstances with the user's key: %v", err)
	}
	if err := teaDescribe(); err != nil {
		t.Fatalf("DescribeInstances with the user's key (Tea SDK): %v", err)
	}

	uk := ram.CreateUpdateAccessKeyRequest()
	uk.UserName, uk.UserAccessKeyId, uk.Status = user.name, user.keyID, "Inactive"
	if _, err := rc.UpdateAccessKey(uk); err != nil {
		t.Fatalf("UpdateAccessKey Inactive: %v", err)
	}
	err = list(c)
	wantServerError(t, "the Inactive key", err, "Forbidden.AccessKeyDisabled", http.StatusForbidden)
	if msg := serverError(t, err).Message(); msg != "The Access Key is disabled." {
		t.Fatalf("Forbidden.AccessKeyDisabled message %q", msg)
	}
	wantTeaError(t, "the Inactive key", teaDescribe(), "Forbidden.AccessKeyDisabled", http.StatusForbidden, "The Access Key is disabled.")
	if err := list(other); err != nil {
		t.Fatalf("the user's other key while the first is Inactive: %v", err)
	}
	uk.Status = "Active"
	if _, err := rc.UpdateAccessKey(uk); err != nil {
		t.Fatalf("UpdateAccessKey Active: %v", err)
	}
	if err := list(c); err != nil {
		t.Fatalf("the key Active again: %v", err)
	}

	det := ram.CreateDetachPolicyFromUserRequest()
	det.UserName, det.PolicyType, det.PolicyName = user.name, readOnly.kind, readOnly.name
	if _, err := rc.DetachPolicyFromUser(det); err != nil {
		t.Fatalf("DetachPolicyFromUser: %v", err)
	}
	wantForbiddenRAM(t, "DescribeInstances after the policy was detached", list(c))

	for _, id := range []string{user.keyID, second.AccessKey.AccessKeyId} {
		dk := ram.CreateDeleteAccessKeyRequest()
		dk.UserName, dk.UserAccessKeyId = user.name, id
		if _, err := rc.DeleteAccessKey(dk); err != nil {
			t.Fatalf("DeleteAccessKey: %v", err)
		}
	}
	du := ram.CreateDeleteUserRequest()
	du.UserName = user.name
	if _, err := rc.DeleteUser(du); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	wantServerError(t, "a deleted user's key", list(c), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
	wantServerError(t, "a deleted user's other key", list(other), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
	wantTeaError(t, "a deleted user's key", teaDescribe(), "InvalidAccessKeyId.NotFound", http.StatusNotFound, "")
	_, err = stsSDK(t, s, user.cred()).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	wantServerError(t, "GetCallerIdentity with a deleted user's key", err, "InvalidAccessKeyId.NotFound", http.StatusNotFound)

	// A new user of the same name is another user, with nothing of the old one.
	cu := ram.CreateCreateUserRequest()
	cu.UserName = user.name
	again, err := rc.CreateUser(cu)
	if err != nil {
		t.Fatalf("CreateUser with the deleted user's name: %v", err)
	}
	ck.UserName = user.name
	key, err := rc.CreateAccessKey(ck)
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	renewed := ramUser{name: user.name, id: again.User.UserId, keyID: key.AccessKey.AccessKeyId, secret: key.AccessKey.AccessKeySecret}
	who, err := stsSDK(t, s, renewed.cred()).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	if err != nil || who.IdentityType != "RAMUser" || who.UserId != renewed.id || who.UserId == user.id {
		t.Fatalf("GetCallerIdentity of the new user = %+v, %v (the deleted one was %s)", who, err, user.id)
	}
	wantForbiddenRAM(t, "DescribeInstances as the new user of the same name", list(ecsWith(t, s, renewed.cred())))
}
