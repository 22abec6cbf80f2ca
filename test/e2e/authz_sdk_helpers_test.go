package e2e

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// forbiddenRAMMessage is the guide's message of Forbidden.RAM (1.18.4).
const forbiddenRAMMessage = "User not authorized to operate the specified resource, or this API doesn't support RAM."

// wantForbiddenRAM fails unless err is the guide's Forbidden.RAM, 403, with
// its message, as the old SDK decodes it (*errors.ServerError).
func wantForbiddenRAM(t *testing.T, what string, err error) {
	t.Helper()
	wantServerError(t, what, err, "Forbidden.RAM", http.StatusForbidden)
	if msg := serverError(t, err).Message(); msg != forbiddenRAMMessage {
		t.Fatalf("%s: Forbidden.RAM with message %q, want %q", what, msg, forbiddenRAMMessage)
	}
}

// teaMessage is the server's message in a Tea SDK error, without what the
// SDK wraps it in ("code: 403, <message> request id: <RequestId>").
func teaMessage(err error) string {
	msg := err.Error()
	var se *openapi.ServerError
	var de *dara.SDKError
	var te *tea.SDKError
	switch {
	case errors.As(err, &se):
		msg = dara.StringValue(se.Message)
	case errors.As(err, &de):
		msg = dara.StringValue(de.Message)
	case errors.As(err, &te):
		msg = tea.StringValue(te.Message)
	}
	if _, rest, ok := strings.Cut(msg, ", "); ok && strings.HasPrefix(msg, "code: ") {
		msg = rest
	}
	if i := strings.LastIndex(msg, " request id: "); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// wantTeaError fails unless err is a Tea SDK error with that code, status
// and, unless message is "", message.
func wantTeaError(t *testing.T, what string, err error, code string, status int, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s (Tea SDK) succeeded, want %d %s", what, status, code)
	}
	gotCode, gotStatus := teaError(t, err)
	if gotCode != code || gotStatus != status || message != "" && teaMessage(err) != message {
		t.Fatalf("%s (Tea SDK) = %d %s %q, want %d %s %q", what, gotStatus, gotCode, teaMessage(err), status, code, message)
	}
}

// policyRef names a RAM policy to attach: PolicyType System or Custom.
type policyRef struct{ kind, name string }

// systemPolicyRef is a system policy (ram.md lists them).
func systemPolicyRef(name string) policyRef { return policyRef{"System", name} }

// newCustomPolicy creates a custom policy with a unique name from prefix and
// deletes it when the test ends (after the users, groups and roles made later,
// whose cleanups detach it: cleanups run last-registered first).
func newCustomPolicy(t *testing.T, rc *ram.Client, prefix, doc string) policyRef {
	t.Helper()
	req := ram.CreateCreatePolicyRequest()
	req.PolicyName, req.PolicyDocument = prefix+"-"+runID(), doc
	if _, err := rc.CreatePolicy(req); err != nil {
		t.Fatalf("CreatePolicy %s: %v", req.PolicyName, err)
	}
	t.Cleanup(func() {
		del := ram.CreateDeletePolicyRequest()
		del.PolicyName = req.PolicyName
		if _, err := rc.DeletePolicy(del); err != nil {
			t.Logf("DeletePolicy %s: %v", req.PolicyName, err)
		}
	})
	return policyRef{"Custom", req.PolicyName}
}

// ramUser is a RAM user of the root account with one AccessKey.
type ramUser struct {
	name, id, keyID, secret string
}

// cred is the user's AccessKey as an old-SDK credential.
func (u ramUser) cred() auth.Credential { return credentials.NewAccessKeyCredential(u.keyID, u.secret) }

// newRAMUser creates a RAM user named prefix-<run> with an AccessKey and these
// policies attached. When the test ends whatever is left of it (keys, groups,
// attachments, the user) is removed, so runs on a shared store
// (ECSD_E2E_STORE) stay under RAM's quotas.
func newRAMUser(t *testing.T, rc *ram.Client, prefix string, policies ...policyRef) ramUser {
	t.Helper()
	cu := ram.CreateCreateUserRequest()
	cu.UserName = prefix + "-" + runID()
	created, err := rc.CreateUser(cu)
	if err != nil {
		t.Fatalf("CreateUser %s: %v", cu.UserName, err)
	}
	t.Cleanup(func() { removeRAMUser(t, rc, cu.UserName) })
	for _, p := range policies {
		attachToUser(t, rc, cu.UserName, p)
	}
	ck := ram.CreateCreateAccessKeyRequest()
	ck.UserName = cu.UserName
	key, err := rc.CreateAccessKey(ck)
	if err != nil {
		t.Fatalf("CreateAccessKey %s: %v", cu.UserName, err)
	}
	return ramUser{name: cu.UserName, id: created.User.UserId, keyID: key.AccessKey.AccessKeyId, secret: key.AccessKey.AccessKeySecret}
}

// attachToUser attaches a policy to a RAM user.
func attachToUser(t *testing.T, rc *ram.Client, user string, p policyRef) {
	t.Helper()
	req := ram.CreateAttachPolicyToUserRequest()
	req.UserName, req.PolicyType, req.PolicyName = user, p.kind, p.name
	if _, err := rc.AttachPolicyToUser(req); err != nil {
		t.Fatalf("AttachPolicyToUser %s %s: %v", user, p.name, err)
	}
}

// removeRAMUser deletes a user's keys, leaves its groups, detaches its
// policies and deletes it, ignoring what is already gone.
func removeRAMUser(t *testing.T, rc *ram.Client, name string) {
	lk := ram.CreateListAccessKeysRequest()
	lk.UserName = name
	if keys, err := rc.ListAccessKeys(lk); err == nil {
		for _, k := range keys.AccessKeys.AccessKey {
			dk := ram.CreateDeleteAccessKeyRequest()
			dk.UserName, dk.UserAccessKeyId = name, k.AccessKeyId
			_, _ = rc.DeleteAccessKey(dk)
		}
	}
	lg := ram.CreateListGroupsForUserRequest()
	lg.UserName = name
	if groups, err := rc.ListGroupsForUser(lg); err == nil {
		for _, g := range groups.Groups.Group {
			leave := ram.CreateRemoveUserFromGroupRequest()
			leave.GroupName, leave.UserName = g.GroupName, name
			_, _ = rc.RemoveUserFromGroup(leave)
		}
	}
	lp := ram.CreateListPoliciesForUserRequest()
	lp.UserName = name
	if ps, err := rc.ListPoliciesForUser(lp); err == nil {
		for _, p := range ps.Policies.Policy {
			det := ram.CreateDetachPolicyFromUserRequest()
			det.UserName, det.PolicyType, det.PolicyName = name, p.PolicyType, p.PolicyName
			_, _ = rc.DetachPolicyFromUser(det)
		}
	}
	du := ram.CreateDeleteUserRequest()
	du.UserName = name
	if _, err := rc.DeleteUser(du); err != nil && serverError(t, err).ErrorCode() != "EntityNotExist.User" {
		t.Logf("DeleteUser %s: %v", name, err)
	}
}

// newRAMGroup creates a group with these policies attached and removes its
// members, its attachments and itself when the test ends.
func newRAMGroup(t *testing.T, rc *ram.Client, prefix string, policies ...policyRef) string {
	t.Helper()
	cg := ram.CreateCreateGroupRequest()
	cg.GroupName = prefix + "-" + runID()
	if _, err := rc.CreateGroup(cg); err != nil {
		t.Fatalf("CreateGroup %s: %v", cg.GroupName, err)
	}
	t.Cleanup(func() {
		lu := ram.CreateListUsersForGroupRequest()
		lu.GroupName = cg.GroupName
		if users, err := rc.ListUsersForGroup(lu); err == nil {
			for _, u := range users.Users.User {
				leave := ram.CreateRemoveUserFromGroupRequest()
				leave.GroupName, leave.UserName = cg.GroupName, u.UserName
				_, _ = rc.RemoveUserFromGroup(leave)
			}
		}
		for _, p := range policies {
			det := ram.CreateDetachPolicyFromGroupRequest()
			det.GroupName, det.PolicyType, det.PolicyName = cg.GroupName, p.kind, p.name
			_, _ = rc.DetachPolicyFromGroup(det)
		}
		dg := ram.CreateDeleteGroupRequest()
		dg.GroupName = cg.GroupName
		if _, err := rc.DeleteGroup(dg); err != nil {
			t.Logf("DeleteGroup %s: %v", cg.GroupName, err)
		}
	})
	for _, p := range policies {
		req := ram.CreateAttachPolicyToGroupRequest()
		req.GroupName, req.PolicyType, req.PolicyName = cg.GroupName, p.kind, p.name
		if _, err := rc.AttachPolicyToGroup(req); err != nil {
			t.Fatalf("AttachPolicyToGroup %s %s: %v", cg.GroupName, p.name, err)
		}
	}
	return cg.GroupName
}

// launchTagged runs amount Running instances in n, tagged team=<team> unless
// team is "", and deletes them when the test ends.
func launchTagged(t *testing.T, c *ecs.Client, n instanceNet, team string, amount int) []string {
	t.Helper()
	req := n.runRequest()
	req.Amount = requests.NewInteger(amount)
	if team != "" {
		req.Tag = &[]ecs.RunInstancesTag{{Key: "team", Value: team}}
	}
	ids := runInstances(t, c, req)
	waitForStatus(t, c, ids, "Running")
	return ids
}

// stopInstance and startInstance call StopInstance / StartInstance with c.
func stopInstance(c *ecs.Client, id string) error {
	req := ecs.CreateStopInstanceRequest()
	req.InstanceId = id
	_, err := c.StopInstance(req)
	return err
}

func startInstance(c *ecs.Client, id string) error {
	req := ecs.CreateStartInstanceRequest()
	req.InstanceId = id
	_, err := c.StartInstance(req)
	return err
}

// describeAs calls DescribeInstances with c for these IDs.
func describeAs(t *testing.T, c *ecs.Client, ids ...string) ([]ecs.Instance, error) {
	t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	req.InstanceIds = diskIDs(t, ids...)
	resp, err := c.DescribeInstances(req)
	if err != nil {
		return nil, err
	}
	return resp.Instances.Instance, nil
}

// renameInstance sets an instance's Description with ModifyInstanceAttribute.
func renameInstance(c *ecs.Client, id, description string) error {
	req := ecs.CreateModifyInstanceAttributeRequest()
	req.InstanceId, req.Description = id, description
	_, err := c.ModifyInstanceAttribute(req)
	return err
}
