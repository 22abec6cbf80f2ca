package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// assumeRole calls AssumeRole and fails the test on error.
func assumeRole(t *testing.T, c *sts.Client, arn, session string, seconds int) *sts.AssumeRoleResponse {
	t.Helper()
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn, req.RoleSessionName = arn, session
	if seconds > 0 {
		req.DurationSeconds = requests.NewInteger(seconds)
	}
	resp, err := c.AssumeRole(req)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", arn, err)
	}
	return resp
}

// TestAssumedRoleTokenWorksOnEveryAPIUntilItExpiresAcrossRestarts: the root
// account assumes a role it trusts for 900 seconds; the token signs ECS (V1
// and V3), RAM and STS calls as the role, only together with its
// SecurityToken; it survives a restart, still works 14 minutes later and is
// InvalidSecurityToken.Expired after 15 (the server restarted with
// --token-clock-offset, the test-only shift of the token clock).
func TestAssumedRoleTokenWorksOnEveryAPIUntilItExpiresAcrossRestarts(t *testing.T) {
	s := startServer(t, serverOptions{})
	rc := ramSDK(t, s, rootCred())
	acct := accountID(t, s, rootCred())
	role := "Operator-" + runID()
	created := createRole(t, rc, role, accountTrustPolicy(acct))
	attachToRole(t, rc, role, "AdministratorAccess")

	before := time.Now().UTC()
	resp := assumeRole(t, stsSDK(t, s, rootCred()), created.Role.Arn, "e2e-session", 900)
	cred := resp.Credentials
	exp, err := time.Parse("2006-01-02T15:04:05Z", cred.Expiration)
	if err != nil || exp.Before(before.Add(899*time.Second)) || exp.After(time.Now().Add(901*time.Second)) {
		t.Fatalf("Expiration %q (%v), want 900 s from now", cred.Expiration, err)
	}
	if !strings.HasPrefix(cred.AccessKeyId, "STS.") || cred.SecurityToken == "" || cred.AccessKeySecret == "" ||
		resp.AssumedRoleUser.AssumedRoleId != created.Role.RoleId+":e2e-session" ||
		resp.AssumedRoleUser.Arn != created.Role.Arn+"/e2e-session" {
		t.Fatalf("AssumeRole = %+v", resp)
	}
	token := credentials.NewStsTokenCredential(cred.AccessKeyId, cred.AccessKeySecret, cred.SecurityToken)

	works := func(t *testing.T, s *server) {
		t.Helper()
		if err := describeRegions(ecsWith(t, s, token)); err != nil {
			t.Fatalf("ECS (signature V1, SecurityToken parameter) with the token: %v", err)
		}
		tea := teaWithToken(t, s, cred.AccessKeyId, cred.AccessKeySecret, cred.SecurityToken)
		if _, err := tea.DescribeRegions(&teaecs.DescribeRegionsRequest{}); err != nil {
			t.Fatalf("ECS (signature V3, x-acs-security-token) with the token: %v", err)
		}
		if _, err := ramSDK(t, s, token).ListUsers(ram.CreateListUsersRequest()); err != nil {
			t.Fatalf("RAM with the token: %v", err)
		}
		who, err := stsSDK(t, s, token).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
		if err != nil || who.IdentityType != "AssumedRoleUser" || who.RoleId != created.Role.RoleId || who.AccountId != acct ||
			who.PrincipalId != created.Role.RoleId+":e2e-session" {
			t.Fatalf("GetCallerIdentity with the token = %+v, %v", who, err)
		}
	}
	works(t, s)

	// The key needs its own token.
	noToken := ecsWith(t, s, credentials.NewAccessKeyCredential(cred.AccessKeyId, cred.AccessKeySecret))
	wantServerError(t, "the STS key without its token", describeRegions(noToken), "MissingSecurityToken", http.StatusBadRequest)
	wrong := ecsWith(t, s, credentials.NewStsTokenCredential(cred.AccessKeyId, cred.AccessKeySecret, cred.SecurityToken+"x"))
	wantServerError(t, "another token", describeRegions(wrong), "InvalidSecurityToken.MismatchWithAccessKey", http.StatusBadRequest)
	rootWithToken := ecsWith(t, s, credentials.NewStsTokenCredential(testAccessKeyID, testAccessKeySecret, cred.SecurityToken))
	wantServerError(t, "a permanent key with a token", describeRegions(rootWithToken), "InvalidSecurityToken.MismatchWithAccessKey", http.StatusBadRequest)

	s.restart()
	works(t, s) // tokens are kept in the store
	s.restart("--token-clock-offset", "14m")
	works(t, s)
	s.restart("--token-clock-offset", "16m")
	wantServerError(t, "ECS after expiry", describeRegions(ecsWith(t, s, token)), "InvalidSecurityToken.Expired", http.StatusBadRequest)
	_, err = ramSDK(t, s, token).ListUsers(ram.CreateListUsersRequest())
	wantServerError(t, "RAM after expiry", err, "InvalidSecurityToken.Expired", http.StatusBadRequest)
	if err := describeRegions(oldSDK(t, s, testAccessKeyID, testAccessKeySecret)); err != nil {
		t.Fatalf("the root key with the token clock shifted: %v", err)
	}
}

// TestAssumeRoleChecksTheTrustPolicyAndItsParameters: a role is assumed only
// by principals its trust policy names (another account that it trusts
// included), with STS's errors for bad parameters.
func TestAssumeRoleChecksTheTrustPolicyAndItsParameters(t *testing.T) {
	s := startServer(t, serverOptions{})
	rc := ramSDK(t, s, rootCred())
	sc := stsSDK(t, s, rootCred())
	acct := accountID(t, s, rootCred())
	tenant := createAccount(t, s, "sts-tenant")
	tenantCred := credentials.NewAccessKeyCredential(tenant.AccessKeyId, tenant.AccessKeySecret)
	tenantAcct := accountID(t, s, tenantCred)
	run := runID()

	own := createRole(t, rc, "Own-"+run, accountTrustPolicy(acct))
	ecsOnly := createRole(t, rc, "EcsOnly-"+run, ecsTrustPolicy)
	shared := createRole(t, rc, "Shared-"+run, accountTrustPolicy(tenantAcct))

	call := func(c *sts.Client, arn, session, policy string, seconds int) error {
		req := sts.CreateAssumeRoleRequest()
		req.RoleArn, req.RoleSessionName, req.Policy = arn, session, policy
		if seconds != 0 {
			req.DurationSeconds = requests.NewInteger(seconds)
		}
		_, err := c.AssumeRole(req)
		return err
	}
	wantServerError(t, "a role that trusts only ECS", call(sc, ecsOnly.Role.Arn, "s1", "", 0), "NoPermission", http.StatusForbidden)
	wantServerError(t, "a role that trusts another account", call(sc, shared.Role.Arn, "s1", "", 0), "NoPermission", http.StatusForbidden)
	tenantSTS := stsSDK(t, s, tenantCred)
	wantServerError(t, "another account's role that does not trust it", call(tenantSTS, own.Role.Arn, "s1", "", 0), "NoPermission", http.StatusForbidden)
	cross := assumeRole(t, tenantSTS, shared.Role.Arn, "from-tenant", 0)
	crossCred := credentials.NewStsTokenCredential(cross.Credentials.AccessKeyId, cross.Credentials.AccessKeySecret, cross.Credentials.SecurityToken)
	if got := accountID(t, s, crossCred); got != acct {
		t.Fatalf("a token of A's role assumed from B acts in account %s, want %s", got, acct)
	}

	wantServerError(t, "an unknown role", call(sc, "acs:ram::"+acct+":role/nosuchrole-"+run, "s1", "", 0), "EntityNotExist.Role", http.StatusNotFound)
	wantServerError(t, "a malformed ARN", call(sc, "arn:aws:iam::1:role/x", "s1", "", 0), "InvalidParameter.RoleArn", http.StatusBadRequest)
	wantServerError(t, "a one-character session name", call(sc, own.Role.Arn, "a", "", 0), "InvalidParameter.RoleSessionName", http.StatusBadRequest)
	wantServerError(t, "a session name with a slash", call(sc, own.Role.Arn, "a/b", "", 0), "InvalidParameter.RoleSessionName", http.StatusBadRequest)
	wantServerError(t, "DurationSeconds 899", call(sc, own.Role.Arn, "s1", "", 899), "InvalidParameter.DurationSeconds", http.StatusBadRequest)
	wantServerError(t, "DurationSeconds 3601", call(sc, own.Role.Arn, "s1", "", 3601), "InvalidParameter.DurationSeconds", http.StatusBadRequest)
	wantServerError(t, "a session policy that is not JSON", call(sc, own.Role.Arn, "s1", "{", 0), "InvalidParameter.PolicyGrammar", http.StatusBadRequest)
	wantServerError(t, "a 3 KB session policy", call(sc, own.Role.Arn, "s1", strings.Repeat(" ", 3000)+"{}", 0), "InvalidParameter.PolicySize", http.StatusBadRequest)

	// A longer MaxSessionDuration allows a longer token; the default stays 3600.
	ur := ram.CreateUpdateRoleRequest()
	ur.RoleName, ur.NewMaxSessionDuration = own.Role.RoleName, requests.NewInteger(7200)
	if _, err := rc.UpdateRole(ur); err != nil {
		t.Fatal(err)
	}
	long := assumeRole(t, sc, own.Role.Arn, "long", 7200)
	if exp, _ := time.Parse("2006-01-02T15:04:05Z", long.Credentials.Expiration); exp.Before(time.Now().Add(7190 * time.Second)) {
		t.Fatalf("a 7200 s token expires at %s", long.Credentials.Expiration)
	}
	def := assumeRole(t, sc, own.Role.Arn, "default", 0)
	if exp, _ := time.Parse("2006-01-02T15:04:05Z", def.Credentials.Expiration); exp.After(time.Now().Add(3601 * time.Second)) {
		t.Fatalf("a default token expires at %s", def.Credentials.Expiration)
	}

	// A RAM user the trust policy names (through its account) may assume the role too.
	user := "assumer-" + run
	cu := ram.CreateCreateUserRequest()
	cu.UserName = user
	if _, err := rc.CreateUser(cu); err != nil {
		t.Fatal(err)
	}
	au := ram.CreateAttachPolicyToUserRequest()
	au.UserName, au.PolicyType, au.PolicyName = user, "System", "AliyunSTSAssumeRoleAccess"
	if _, err := rc.AttachPolicyToUser(au); err != nil {
		t.Fatal(err)
	}
	ck := ram.CreateCreateAccessKeyRequest()
	ck.UserName = user
	key, err := rc.CreateAccessKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	userSTS := stsSDK(t, s, credentials.NewAccessKeyCredential(key.AccessKey.AccessKeyId, key.AccessKey.AccessKeySecret))
	assumeRole(t, userSTS, own.Role.Arn, "by-user", 0)
	wantServerError(t, "the user on a role that trusts only ECS", call(userSTS, ecsOnly.Role.Arn, "s1", "", 0), "NoPermission", http.StatusForbidden)
	t.Cleanup(func() {
		dk := ram.CreateDeleteAccessKeyRequest()
		dk.UserName, dk.UserAccessKeyId = user, key.AccessKey.AccessKeyId
		_, _ = rc.DeleteAccessKey(dk)
		dp := ram.CreateDetachPolicyFromUserRequest()
		dp.UserName, dp.PolicyType, dp.PolicyName = user, "System", "AliyunSTSAssumeRoleAccess"
		_, _ = rc.DetachPolicyFromUser(dp)
		du := ram.CreateDeleteUserRequest()
		du.UserName = user
		_, _ = rc.DeleteUser(du)
	})
}
