package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

var ramDateRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// TestRAMUserSignsAsItselfAndItsKeysStopAtOnce walks a RAM user through the
// official RAM SDK: create, read, rename, list with markers; its AccessKeys
// (at most two) sign as the user (STS GetCallerIdentity says RAMUser),
// UpdateAccessKey Inactive refuses the key on the very next call, and a
// deleted key is unknown; DeleteUser refuses while keys, groups or policies
// remain. Another account sees none of it.
func TestRAMUserSignsAsItselfAndItsKeysStopAtOnce(t *testing.T) {
	s := startServer(t, serverOptions{})
	rc := ramSDK(t, s, rootCred())
	name := "alice-" + runID()

	create := ram.CreateCreateUserRequest()
	create.UserName, create.DisplayName, create.Email, create.MobilePhone = name, "Alice", "alice@example.com", "86-18600000000"
	created, err := rc.CreateUser(create)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u := created.User; u.UserName != name || len(u.UserId) != 16 || !ramDateRE.MatchString(u.CreateDate) || u.Email != "alice@example.com" {
		t.Fatalf("CreateUser = %+v", u)
	}
	_, err = rc.CreateUser(create)
	wantServerError(t, "CreateUser again", err, "EntityAlreadyExists.User", http.StatusConflict)
	bad := ram.CreateCreateUserRequest()
	bad.UserName = "has space"
	_, err = rc.CreateUser(bad)
	wantServerError(t, "a name with a space", err, "InvalidParameter.UserName.InvalidChars", http.StatusBadRequest)
	bad.UserName = strings.Repeat("a", 65)
	_, err = rc.CreateUser(bad)
	wantServerError(t, "a 65-character name", err, "InvalidParameter.UserName.Length", http.StatusBadRequest)
	get := ram.CreateGetUserRequest()
	get.UserName = "nobody-" + runID()
	_, err = rc.GetUser(get)
	wantServerError(t, "GetUser of nobody", err, "EntityNotExist.User", http.StatusNotFound)

	upd := ram.CreateUpdateUserRequest()
	upd.UserName, upd.NewDisplayName, upd.NewComments = name, "Alice A.", "updated"
	if resp, err := rc.UpdateUser(upd); err != nil || resp.User.DisplayName != "Alice A." || resp.User.UserId != created.User.UserId {
		t.Fatalf("UpdateUser = %+v, %v", resp, err)
	}
	other := "bob-" + runID()
	create.UserName = other
	if _, err := rc.CreateUser(create); err != nil {
		t.Fatal(err)
	}
	list := ram.CreateListUsersRequest()
	list.MaxItems = requests.NewInteger(1)
	first, err := rc.ListUsers(list)
	if err != nil || len(first.Users.User) != 1 || !first.IsTruncated || first.Marker == "" {
		t.Fatalf("ListUsers page 1 = %+v, %v", first, err)
	}
	list.Marker = first.Marker
	second, err := rc.ListUsers(list)
	if err != nil || len(second.Users.User) != 1 || second.Users.User[0].UserName == first.Users.User[0].UserName {
		t.Fatalf("ListUsers page 2 = %+v, %v", second, err)
	}

	// The user gets full access (so authorization lets its calls through) and keys.
	attach := ram.CreateAttachPolicyToUserRequest()
	attach.UserName, attach.PolicyType, attach.PolicyName = name, "System", "AdministratorAccess"
	if _, err := rc.AttachPolicyToUser(attach); err != nil {
		t.Fatalf("AttachPolicyToUser: %v", err)
	}
	ck := ram.CreateCreateAccessKeyRequest()
	ck.UserName = name
	key, err := rc.CreateAccessKey(ck)
	if err != nil || key.AccessKey.AccessKeySecret == "" || key.AccessKey.Status != "Active" {
		t.Fatalf("CreateAccessKey = %+v, %v", key, err)
	}
	if _, err := rc.CreateAccessKey(ck); err != nil {
		t.Fatalf("second key: %v", err)
	}
	_, err = rc.CreateAccessKey(ck)
	wantServerError(t, "a third key", err, "LimitExceeded.User.AccessKey", http.StatusConflict)
	lk := ram.CreateListAccessKeysRequest()
	lk.UserName = name
	keys, err := rc.ListAccessKeys(lk)
	if err != nil || len(keys.AccessKeys.AccessKey) != 2 || keys.AccessKeys.AccessKey[0].AccessKeySecret != "" {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}

	userCred := credentials.NewAccessKeyCredential(key.AccessKey.AccessKeyId, key.AccessKey.AccessKeySecret)
	who, err := stsSDK(t, s, userCred).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	acct := accountID(t, s, rootCred())
	if err != nil || who.IdentityType != "RAMUser" || who.UserId != created.User.UserId || who.AccountId != acct ||
		who.Arn != "acs:ram::"+acct+":user/"+name {
		t.Fatalf("GetCallerIdentity as the user = %+v, %v", who, err)
	}
	userECS := ecsWith(t, s, userCred)
	if err := describeRegions(userECS); err != nil {
		t.Fatalf("the user's key on ECS: %v", err)
	}
	uk := ram.CreateUpdateAccessKeyRequest()
	uk.UserName, uk.UserAccessKeyId, uk.Status = name, key.AccessKey.AccessKeyId, "Inactive"
	if _, err := rc.UpdateAccessKey(uk); err != nil {
		t.Fatalf("UpdateAccessKey Inactive: %v", err)
	}
	wantServerError(t, "an Inactive key", describeRegions(userECS), "Forbidden.AccessKeyDisabled", http.StatusForbidden)
	uk.Status = "Active"
	if _, err := rc.UpdateAccessKey(uk); err != nil {
		t.Fatal(err)
	}
	if err := describeRegions(userECS); err != nil {
		t.Fatalf("active again: %v", err)
	}
	uk.Status = "Paused"
	_, err = rc.UpdateAccessKey(uk)
	wantServerError(t, "Status Paused", err, "InvalidParameter.Status", http.StatusBadRequest)

	// Another account sees neither the user nor its keys.
	tenant := createAccount(t, s, "ram-other")
	orc := ramSDK(t, s, credentials.NewAccessKeyCredential(tenant.AccessKeyId, tenant.AccessKeySecret))
	get.UserName = name
	_, err = orc.GetUser(get)
	wantServerError(t, "another account's GetUser", err, "EntityNotExist.User", http.StatusNotFound)
	if resp, err := orc.ListUsers(ram.CreateListUsersRequest()); err != nil || len(resp.Users.User) != 0 {
		t.Fatalf("another account's ListUsers = %+v, %v", resp, err)
	}

	// DeleteUser refuses while anything is left, then the user's key is unknown.
	group := "ops-" + runID()
	cg := ram.CreateCreateGroupRequest()
	cg.GroupName = group
	if _, err := rc.CreateGroup(cg); err != nil {
		t.Fatal(err)
	}
	join := ram.CreateAddUserToGroupRequest()
	join.GroupName, join.UserName = group, name
	if _, err := rc.AddUserToGroup(join); err != nil {
		t.Fatal(err)
	}
	del := ram.CreateDeleteUserRequest()
	del.UserName = name
	_, err = rc.DeleteUser(del)
	wantServerError(t, "DeleteUser with keys", err, "DeleteConflict.User.AccessKey", http.StatusConflict)
	for _, k := range keys.AccessKeys.AccessKey {
		dk := ram.CreateDeleteAccessKeyRequest()
		dk.UserName, dk.UserAccessKeyId = name, k.AccessKeyId
		if _, err := rc.DeleteAccessKey(dk); err != nil {
			t.Fatalf("DeleteAccessKey: %v", err)
		}
	}
	wantServerError(t, "a deleted key", describeRegions(userECS), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
	_, err = rc.DeleteUser(del)
	wantServerError(t, "DeleteUser in a group", err, "DeleteConflict.User.Group", http.StatusConflict)
	leave := ram.CreateRemoveUserFromGroupRequest()
	leave.GroupName, leave.UserName = group, name
	if _, err := rc.RemoveUserFromGroup(leave); err != nil {
		t.Fatal(err)
	}
	_, err = rc.DeleteUser(del)
	wantServerError(t, "DeleteUser with a policy", err, "DeleteConflict.User.Policy", http.StatusConflict)
	detach := ram.CreateDetachPolicyFromUserRequest()
	detach.UserName, detach.PolicyType, detach.PolicyName = name, "System", "AdministratorAccess"
	if _, err := rc.DetachPolicyFromUser(detach); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.DeleteUser(del); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err = rc.GetUser(get)
	wantServerError(t, "GetUser after DeleteUser", err, "EntityNotExist.User", http.StatusNotFound)
	dg := ram.CreateDeleteGroupRequest()
	dg.GroupName = group
	if _, err := rc.DeleteGroup(dg); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	del.UserName = other
	_, _ = rc.DeleteUser(del)
}
