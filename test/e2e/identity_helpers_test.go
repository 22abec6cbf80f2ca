package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// accountCreated is what `ecsd admin account create` prints.
type accountCreated struct {
	AccountId       int64
	AccountName     string
	AccessKeyId     string
	AccessKeySecret string
	Status          string
}

// adminCommand returns `ecsd admin ARGS… --data-dir` for s's data dir and
// store (the PostgreSQL of ECSD_E2E_STORE when set, as s uses it).
func adminCommand(s *server, args ...string) *exec.Cmd {
	cmd := exec.Command(ecsdBinary, append(append([]string{"admin"}, args...), "--data-dir", s.dataDir)...)
	cmd.Env = os.Environ()
	if pg := os.Getenv("ECSD_E2E_STORE"); pg != "" {
		cmd.Env = append(cmd.Env, "ECSD_STORE="+pg)
	}
	return cmd
}

// adminAccount runs `ecsd admin account ARGS…` against s's store while s runs
// and returns its standard output.
func adminAccount(t *testing.T, s *server, args ...string) []byte {
	t.Helper()
	cmd := adminCommand(s, append([]string{"account"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ecsd admin account %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// createAccount creates a tenant named prefix plus a unique suffix.
func createAccount(t *testing.T, s *server, prefix string) accountCreated {
	t.Helper()
	var a accountCreated
	out := adminAccount(t, s, "create", unique(prefix))
	if err := json.Unmarshal(out, &a); err != nil || a.AccountId <= 0 || a.AccessKeyId == "" || a.AccessKeySecret == "" {
		t.Fatalf("ecsd admin account create printed %s (%v)", out, err)
	}
	return a
}

// ramSDK returns a client of services/ram pointed at s, signing with cred.
func ramSDK(t *testing.T, s *server, cred auth.Credential) *ram.Client {
	t.Helper()
	c, err := ram.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), cred)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	return c
}

// stsSDK returns a client of services/sts pointed at s, signing with cred.
func stsSDK(t *testing.T, s *server, cred auth.Credential) *sts.Client {
	t.Helper()
	c, err := sts.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), cred)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	return c
}

// ecsWith returns a services/ecs client pointed at s, signing with cred (an
// AccessKey or an STS token credential).
func ecsWith(t *testing.T, s *server, cred auth.Credential) *ecs.Client {
	t.Helper()
	c, err := ecs.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), cred)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	return c
}

// teaWithToken returns a v7 Tea ECS client (signature V3) that sends an STS
// SecurityToken (x-acs-security-token).
func teaWithToken(t *testing.T, s *server, akID, secret, token string) *teaecs.Client {
	t.Helper()
	c, err := teaecs.NewClient(&openapiutil.Config{
		AccessKeyId: dara.String(akID), AccessKeySecret: dara.String(secret), SecurityToken: dara.String(token),
		RegionId: dara.String("cn-hangzhou"), Endpoint: dara.String(s.addr), Protocol: dara.String("HTTP"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rootCred is the root account's key of every test server.
func rootCred() auth.Credential {
	return credentials.NewAccessKeyCredential(testAccessKeyID, testAccessKeySecret)
}

// accountID asks STS GetCallerIdentity who cred is and returns its account.
func accountID(t *testing.T, s *server, cred auth.Credential) string {
	t.Helper()
	resp, err := stsSDK(t, s, cred).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return resp.AccountId
}

// describeRegions makes the cheapest ECS call with c.
func describeRegions(c *ecs.Client) error {
	_, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	return err
}

// ecsTrustPolicy lets the ECS service assume a role (instance RAM roles).
const ecsTrustPolicy = `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`

// accountTrustPolicy lets the principals of the listed accounts assume a role.
func accountTrustPolicy(accounts ...string) string {
	var names []string
	for _, a := range accounts {
		names = append(names, `"acs:ram::`+a+`:root"`)
	}
	return `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":[` + strings.Join(names, ",") +
		`]}}],"Version":"1"}`
}

// createRole creates a RAM role and deletes it (after detaching its policies)
// when the test ends.
func createRole(t *testing.T, c *ram.Client, name, trust string) *ram.CreateRoleResponse {
	t.Helper()
	req := ram.CreateCreateRoleRequest()
	req.RoleName, req.AssumeRolePolicyDocument = name, trust
	resp, err := c.CreateRole(req)
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	t.Cleanup(func() {
		list := ram.CreateListPoliciesForRoleRequest()
		list.RoleName = name
		if ps, err := c.ListPoliciesForRole(list); err == nil {
			for _, p := range ps.Policies.Policy {
				det := ram.CreateDetachPolicyFromRoleRequest()
				det.RoleName, det.PolicyType, det.PolicyName = name, p.PolicyType, p.PolicyName
				_, _ = c.DetachPolicyFromRole(det)
			}
		}
		del := ram.CreateDeleteRoleRequest()
		del.RoleName = name
		_, _ = c.DeleteRole(del)
	})
	return resp
}

// attachToRole attaches a system policy to a role.
func attachToRole(t *testing.T, c *ram.Client, role, policy string) {
	t.Helper()
	req := ram.CreateAttachPolicyToRoleRequest()
	req.RoleName, req.PolicyType, req.PolicyName = role, "System", policy
	if _, err := c.AttachPolicyToRole(req); err != nil {
		t.Fatalf("AttachPolicyToRole %s %s: %v", role, policy, err)
	}
}
