package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestRAMGroupsPoliciesAndRolesFollowRAMsRules walks groups, custom policies
// with their versions, the system policies the guide names, attachments and
// roles through the official RAM SDK, with RAM's error codes on the way.
func TestRAMGroupsPoliciesAndRolesFollowRAMsRules(t *testing.T) {
	s := startServer(t, serverOptions{})
	rc := ramSDK(t, s, rootCred())
	run := runID()
	user, group, policy, role := "carol-"+run, "devs-"+run, "EcsOps-"+run, "Deployer-"+run

	cu := ram.CreateCreateUserRequest()
	cu.UserName = user
	if _, err := rc.CreateUser(cu); err != nil {
		t.Fatal(err)
	}
	cg := ram.CreateCreateGroupRequest()
	cg.GroupName, cg.Comments = group, "developers"
	g, err := rc.CreateGroup(cg)
	if err != nil || g.Group.GroupName != group || g.Group.Comments != "developers" || g.Group.GroupId == "" {
		t.Fatalf("CreateGroup = %+v, %v", g, err)
	}
	_, err = rc.CreateGroup(cg)
	wantServerError(t, "CreateGroup again", err, "EntityAlreadyExists.Group", http.StatusConflict)
	join := ram.CreateAddUserToGroupRequest()
	join.GroupName, join.UserName = group, user
	if _, err := rc.AddUserToGroup(join); err != nil {
		t.Fatal(err)
	}
	_, err = rc.AddUserToGroup(join)
	wantServerError(t, "AddUserToGroup again", err, "EntityAlreadyExists.User.Group", http.StatusConflict)
	fu := ram.CreateListGroupsForUserRequest()
	fu.UserName = user
	if resp, err := rc.ListGroupsForUser(fu); err != nil || len(resp.Groups.Group) != 1 || resp.Groups.Group[0].JoinDate == "" {
		t.Fatalf("ListGroupsForUser = %+v, %v", resp, err)
	}
	fg := ram.CreateListUsersForGroupRequest()
	fg.GroupName = group
	if resp, err := rc.ListUsersForGroup(fg); err != nil || len(resp.Users.User) != 1 || resp.Users.User[0].UserName != user {
		t.Fatalf("ListUsersForGroup = %+v, %v", resp, err)
	}
	gg := ram.CreateGetGroupRequest()
	gg.GroupName = "nope-" + run
	_, err = rc.GetGroup(gg)
	wantServerError(t, "GetGroup of nothing", err, "EntityNotExist.Group", http.StatusNotFound)
	dg := ram.CreateDeleteGroupRequest()
	dg.GroupName = group
	_, err = rc.DeleteGroup(dg)
	wantServerError(t, "DeleteGroup with a member", err, "DeleteConflict.Group.User", http.StatusConflict)

	// The system policies the guide names, with their documents.
	lp := ram.CreateListPoliciesRequest()
	lp.PolicyType = "System"
	systems, err := rc.ListPolicies(lp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range systems.Policies.Policy {
		names = append(names, p.PolicyName)
	}
	for _, want := range []string{"AdministratorAccess", "AliyunECSFullAccess", "AliyunECSReadOnlyAccess", "AliyunECSImageImportRolePolicy"} {
		if !slices.Contains(names, want) {
			t.Errorf("ListPolicies System lacks %s: %v", want, names)
		}
	}
	gp := ram.CreateGetPolicyRequest()
	gp.PolicyType, gp.PolicyName = "System", "AliyunECSImageImportRolePolicy"
	imp, err := rc.GetPolicy(gp)
	if err != nil || !strings.Contains(imp.DefaultPolicyVersion.PolicyDocument, "oss:GetObject") || imp.Policy.DefaultVersion != "v1" {
		t.Fatalf("GetPolicy AliyunECSImageImportRolePolicy = %+v, %v", imp, err)
	}
	gp.PolicyType = "Builtin"
	_, err = rc.GetPolicy(gp)
	wantServerError(t, "PolicyType Builtin", err, "InvalidParameter.PolicyType", http.StatusBadRequest)

	// A custom policy with versions.
	cp := ram.CreateCreatePolicyRequest()
	cp.PolicyName, cp.Description = policy, "ECS operations"
	cp.PolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*"}]}`
	_, err = rc.CreatePolicy(cp)
	wantServerError(t, "a statement without Resource", err, "MalformedPolicyDocument", http.StatusBadRequest)
	cp.PolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`
	created, err := rc.CreatePolicy(cp)
	if err != nil || created.Policy.PolicyType != "Custom" || created.Policy.DefaultVersion != "v1" {
		t.Fatalf("CreatePolicy = %+v, %v", created, err)
	}
	_, err = rc.CreatePolicy(cp)
	wantServerError(t, "CreatePolicy again", err, "EntityAlreadyExists.Policy", http.StatusConflict)
	cv := ram.CreateCreatePolicyVersionRequest()
	cv.PolicyName, cv.SetAsDefault = policy, requests.NewBoolean(true)
	cv.PolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:StartInstance"],"Resource":"*"}]}`
	v2, err := rc.CreatePolicyVersion(cv)
	if err != nil || v2.PolicyVersion.VersionId != "v2" || !v2.PolicyVersion.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion = %+v, %v", v2, err)
	}
	lv := ram.CreateListPolicyVersionsRequest()
	lv.PolicyType, lv.PolicyName = "Custom", policy
	if resp, err := rc.ListPolicyVersions(lv); err != nil || len(resp.PolicyVersions.PolicyVersion) != 2 ||
		resp.PolicyVersions.PolicyVersion[0].IsDefaultVersion || !resp.PolicyVersions.PolicyVersion[1].IsDefaultVersion {
		t.Fatalf("ListPolicyVersions = %+v, %v", resp, err)
	}
	gv := ram.CreateGetPolicyVersionRequest()
	gv.PolicyType, gv.PolicyName, gv.VersionId = "Custom", policy, "v1"
	if resp, err := rc.GetPolicyVersion(gv); err != nil || !strings.Contains(resp.PolicyVersion.PolicyDocument, "ecs:Describe*") {
		t.Fatalf("GetPolicyVersion v1 = %+v, %v", resp, err)
	}
	dv := ram.CreateDeletePolicyVersionRequest()
	dv.PolicyName, dv.VersionId = policy, "v2"
	_, err = rc.DeletePolicyVersion(dv)
	wantServerError(t, "deleting the default version", err, "DeleteConflict.Policy.Version.Default", http.StatusConflict)
	sd := ram.CreateSetDefaultPolicyVersionRequest()
	sd.PolicyName, sd.VersionId = policy, "v9"
	_, err = rc.SetDefaultPolicyVersion(sd)
	wantServerError(t, "SetDefaultPolicyVersion v9", err, "EntityNotExist.Policy.Version", http.StatusNotFound)
	sd.VersionId = "v1"
	if _, err := rc.SetDefaultPolicyVersion(sd); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.DeletePolicyVersion(dv); err != nil {
		t.Fatalf("DeletePolicyVersion v2: %v", err)
	}

	// Attachments.
	ag := ram.CreateAttachPolicyToGroupRequest()
	ag.GroupName, ag.PolicyType, ag.PolicyName = group, "Custom", policy
	if _, err := rc.AttachPolicyToGroup(ag); err != nil {
		t.Fatal(err)
	}
	_, err = rc.AttachPolicyToGroup(ag)
	wantServerError(t, "attaching twice", err, "EntityAlreadyExists.Group.Policy", http.StatusConflict)
	ag.PolicyName = "NoSuchPolicy-" + run
	_, err = rc.AttachPolicyToGroup(ag)
	wantServerError(t, "attaching a missing policy", err, "EntityNotExist.Policy", http.StatusNotFound)
	pg := ram.CreateListPoliciesForGroupRequest()
	pg.GroupName = group
	if resp, err := rc.ListPoliciesForGroup(pg); err != nil || len(resp.Policies.Policy) != 1 || resp.Policies.Policy[0].AttachDate == "" {
		t.Fatalf("ListPoliciesForGroup = %+v, %v", resp, err)
	}
	ents := ram.CreateListEntitiesForPolicyRequest()
	ents.PolicyType, ents.PolicyName = "Custom", policy
	if resp, err := rc.ListEntitiesForPolicy(ents); err != nil || len(resp.Groups.Group) != 1 || len(resp.Users.User) != 0 {
		t.Fatalf("ListEntitiesForPolicy = %+v, %v", resp, err)
	}
	dp := ram.CreateDeletePolicyRequest()
	dp.PolicyName = policy
	_, err = rc.DeletePolicy(dp)
	wantServerError(t, "deleting an attached policy", err, "DeleteConflict.Policy.Group", http.StatusConflict)
	dfg := ram.CreateDetachPolicyFromGroupRequest()
	dfg.GroupName, dfg.PolicyType, dfg.PolicyName = group, "Custom", policy
	if _, err := rc.DetachPolicyFromGroup(dfg); err != nil {
		t.Fatal(err)
	}
	_, err = rc.DetachPolicyFromGroup(dfg)
	wantServerError(t, "detaching twice", err, "EntityNotExist.Group.Policy", http.StatusNotFound)
	if _, err := rc.DeletePolicy(dp); err != nil {
		t.Fatalf("DeletePolicy: %v", err)
	}

	// Roles.
	acct := accountID(t, s, rootCred())
	cr := ram.CreateCreateRoleRequest()
	cr.RoleName, cr.AssumeRolePolicyDocument = role, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Principal":{"RAM":"x"}}]}`
	_, err = rc.CreateRole(cr)
	wantServerError(t, "a trust policy with ecs:*", err, "MalformedPolicyDocument", http.StatusBadRequest)
	cr.AssumeRolePolicyDocument, cr.MaxSessionDuration = accountTrustPolicy(acct), requests.NewInteger(100)
	_, err = rc.CreateRole(cr)
	wantServerError(t, "MaxSessionDuration 100", err, "InvalidParameter.MaxSessionDuration", http.StatusBadRequest)
	made := createRole(t, rc, role, accountTrustPolicy(acct))
	cr = ram.CreateCreateRoleRequest() // the SDK keeps a request's earlier parameters
	cr.RoleName, cr.AssumeRolePolicyDocument = strings.ToUpper(role), accountTrustPolicy(acct)
	if made.Role.Arn != "acs:ram::"+acct+":role/"+strings.ToLower(role) || made.Role.MaxSessionDuration != 3600 || len(made.Role.RoleId) < 16 {
		t.Fatalf("CreateRole = %+v", made.Role)
	}
	_, err = rc.CreateRole(cr)
	wantServerError(t, "CreateRole again", err, "EntityAlreadyExists.Role", http.StatusConflict)
	ur := ram.CreateUpdateRoleRequest()
	ur.RoleName, ur.NewMaxSessionDuration, ur.NewDescription = role, requests.NewInteger(7200), "deploys"
	if resp, err := rc.UpdateRole(ur); err != nil || resp.Role.MaxSessionDuration != 7200 || resp.Role.Description != "deploys" {
		t.Fatalf("UpdateRole = %+v, %v", resp, err)
	}
	gr := ram.CreateGetRoleRequest()
	gr.RoleName = role
	if resp, err := rc.GetRole(gr); err != nil || resp.Role.AssumeRolePolicyDocument != accountTrustPolicy(acct) {
		t.Fatalf("GetRole = %+v, %v", resp, err)
	}
	attachToRole(t, rc, role, "AliyunECSReadOnlyAccess")
	pr := ram.CreateListPoliciesForRoleRequest()
	pr.RoleName = role
	if resp, err := rc.ListPoliciesForRole(pr); err != nil || len(resp.Policies.Policy) != 1 {
		t.Fatalf("ListPoliciesForRole = %+v, %v", resp, err)
	}
	dr := ram.CreateDeleteRoleRequest()
	dr.RoleName = role
	_, err = rc.DeleteRole(dr)
	wantServerError(t, "DeleteRole with a policy", err, "DeleteConflict.Role.Policy", http.StatusConflict)
	if resp, err := rc.ListRoles(ram.CreateListRolesRequest()); err != nil || len(resp.Roles.Role) == 0 {
		t.Fatalf("ListRoles = %+v, %v", resp, err)
	}

	leave := ram.CreateRemoveUserFromGroupRequest()
	leave.GroupName, leave.UserName = group, user
	_, _ = rc.RemoveUserFromGroup(leave)
	_, _ = rc.DeleteGroup(dg)
	du := ram.CreateDeleteUserRequest()
	du.UserName = user
	_, _ = rc.DeleteUser(du)
}
