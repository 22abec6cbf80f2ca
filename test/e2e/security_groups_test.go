package e2e

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// wantSGError fails the test unless err is the API error code with status.
func wantSGError(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want %d %s", what, status, code)
	}
	se := serverError(t, err)
	if se.HttpStatus() != status || se.ErrorCode() != code {
		t.Fatalf("%s: got %d %s (%s), want %d %s", what, se.HttpStatus(), se.ErrorCode(), se.Message(), status, code)
	}
}

// tryCreateVPC creates an Available VPC through the VPC SDK and returns its ID,
// or "" when this ecsd does not implement CreateVpc yet.
func tryCreateVPC(t *testing.T, s *server) string {
	t.Helper()
	c, err := vpc.NewClientWithAccessKey("cn-hangzhou", testAccessKeyID, testAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	req := vpc.CreateCreateVpcRequest()
	req.RegionId, req.CidrBlock, req.VpcName = "cn-hangzhou", "172.16.0.0/12", "sg-e2e"
	resp, err := c.CreateVpc(req)
	if err != nil {
		if se := serverError(t, err); se.ErrorCode() == "NotImplemented" {
			t.Log("CreateVpc is not implemented yet: security groups without a VPC")
			return ""
		}
		t.Fatalf("CreateVpc: %v", err)
	}
	t.Cleanup(func() { // the store may be shared by several runs (ECSD_E2E_STORE)
		del := vpc.CreateDeleteVpcRequest()
		del.RegionId, del.VpcId = "cn-hangzhou", resp.VpcId
		if _, err := c.DeleteVpc(del); err != nil {
			t.Logf("DeleteVpc %s: %v", resp.VpcId, err)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		attr := vpc.CreateDescribeVpcAttributeRequest()
		attr.RegionId, attr.VpcId = "cn-hangzhou", resp.VpcId
		got, err := c.DescribeVpcAttribute(attr)
		if err != nil {
			t.Fatalf("DescribeVpcAttribute: %v", err)
		}
		if got.Status == "Available" {
			return resp.VpcId
		}
	}
	t.Fatalf("VPC %s not Available after 30s", resp.VpcId)
	return ""
}

// runID tells this run's resources from those of earlier runs on a shared store.
func runID() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// createSecurityGroup creates a group tagged suite=run.
func createSecurityGroup(t *testing.T, c *ecs.Client, name, vpcID, token, run string) string {
	t.Helper()
	req := ecs.CreateCreateSecurityGroupRequest()
	req.RegionId, req.SecurityGroupName, req.Description, req.VpcId, req.ClientToken = "cn-hangzhou", name, "e2e "+name, vpcID, token
	req.Tag = &[]ecs.CreateSecurityGroupTag{{Key: "suite", Value: run}}
	resp, err := c.CreateSecurityGroup(req)
	if err != nil {
		t.Fatalf("CreateSecurityGroup %s: %v", name, err)
	}
	if resp.SecurityGroupId == "" || resp.RequestId == "" {
		t.Fatalf("CreateSecurityGroup = %+v", resp)
	}
	return resp.SecurityGroupId
}

func describeRules(t *testing.T, c *ecs.Client, id, direction string) []ecs.Permission {
	t.Helper()
	req := ecs.CreateDescribeSecurityGroupAttributeRequest()
	req.RegionId, req.SecurityGroupId, req.Direction = "cn-hangzhou", id, direction
	resp, err := c.DescribeSecurityGroupAttribute(req)
	if err != nil {
		t.Fatalf("DescribeSecurityGroupAttribute %s: %v", id, err)
	}
	return resp.Permissions.Permission
}

// sgWalk is the state of the lifecycle walk: a web group and a db group in one
// VPC (or none, when this ecsd has no CreateVpc yet).
type sgWalk struct {
	t       *testing.T
	c       *ecs.Client
	vpcID   string
	nic     string // the NIC type CIDR rules get: intranet in a VPC
	run     string
	web, db string
}

func TestSecurityGroupLifecycleFollowsTheGuideThroughTheGoSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	w := &sgWalk{t: t, c: oldSDK(t, s, testAccessKeyID, testAccessKeySecret), vpcID: tryCreateVPC(t, s), nic: "internet", run: runID()}
	if w.vpcID != "" {
		w.nic = "intranet" // every rule of a VPC group
	}
	w.create()
	w.authorizeIngress()
	w.authorizeEgress()
	w.describe()
	w.modify()
	w.list()
	w.referencesRevokeAndDelete()
}

// create: 1.11.1, idempotently on ClientToken, with the guide's errors.
func (w *sgWalk) create() {
	w.t.Helper()
	w.web = createSecurityGroup(w.t, w.c, "web", w.vpcID, "token-"+w.run, w.run)
	if again := createSecurityGroup(w.t, w.c, "web", w.vpcID, "token-"+w.run, w.run); again != w.web {
		w.t.Fatalf("a retry with the same ClientToken created %s, want %s", again, w.web)
	}
	w.db = createSecurityGroup(w.t, w.c, "db", w.vpcID, "", w.run)
	bad := ecs.CreateCreateSecurityGroupRequest()
	bad.SecurityGroupName = "1-starts-with-a-digit"
	_, err := w.c.CreateSecurityGroup(bad)
	wantSGError(w.t, "CreateSecurityGroup with a bad name", err, 400, "InvalidSecurityGroupName.Malformed")
	bad = ecs.CreateCreateSecurityGroupRequest()
	bad.VpcId = "vpc-missing"
	_, err = w.c.CreateSecurityGroup(bad)
	wantSGError(w.t, "CreateSecurityGroup in a missing VPC", err, 404, "InvalidVpcId.NotFound")
}

// authorizeIngress: 1.11.2, in the SDK's Permissions.N form and in the flat form.
func (w *sgWalk) authorizeIngress() {
	w.t.Helper()
	var err error
	auth := ecs.CreateAuthorizeSecurityGroupRequest()
	auth.SecurityGroupId = w.web
	auth.Permissions = &[]ecs.AuthorizeSecurityGroupPermissions{
		{IpProtocol: "tcp", PortRange: "22/22", SourceCidrIp: "0.0.0.0/0", Policy: "accept", Priority: "1", Description: "ssh"},
		{IpProtocol: "icmp", PortRange: "-1/-1", SourceCidrIp: "10.0.0.0/8", Policy: "drop", Priority: "100"},
	}
	if _, err := w.c.AuthorizeSecurityGroup(auth); err != nil {
		w.t.Fatalf("AuthorizeSecurityGroup with Permissions: %v", err)
	}
	if _, err := w.c.AuthorizeSecurityGroup(auth); err != nil {
		w.t.Fatalf("authorizing the same rules again must succeed: %v", err)
	}
	flat := ecs.CreateAuthorizeSecurityGroupRequest()
	flat.SecurityGroupId, flat.IpProtocol, flat.PortRange, flat.SourceGroupId, flat.NicType = w.web, "tcp", "3306/3306", w.db, "intranet"
	if _, err := w.c.AuthorizeSecurityGroup(flat); err != nil {
		w.t.Fatalf("AuthorizeSecurityGroup flat with SourceGroupId: %v", err)
	}
	// The old SDK keeps a request's earlier parameters: one request per call.
	rule := func(ports, cidr, group string) *ecs.AuthorizeSecurityGroupRequest {
		r := ecs.CreateAuthorizeSecurityGroupRequest()
		r.SecurityGroupId, r.IpProtocol, r.PortRange, r.SourceCidrIp, r.SourceGroupId = w.web, "tcp", ports, cidr, group
		if group != "" {
			r.NicType = "intranet"
		}
		return r
	}
	_, err = w.c.AuthorizeSecurityGroup(rule("-1/-1", "1.2.3.4", ""))
	wantSGError(w.t, "tcp with -1/-1", err, 400, "OperationDenied")
	_, err = w.c.AuthorizeSecurityGroup(rule("80/80", "", "sg-missing"))
	wantSGError(w.t, "a missing source group", err, 404, "InvalidSourceGroupId.NotFound")
	_, err = w.c.AuthorizeSecurityGroup(rule("80/80", "", ""))
	wantSGError(w.t, "neither source", err, 403, "MissingParameter")
}

// authorizeEgress: 1.11.3.
func (w *sgWalk) authorizeEgress() {
	w.t.Helper()
	var err error
	egress := ecs.CreateAuthorizeSecurityGroupEgressRequest()
	egress.SecurityGroupId = w.web
	egress.Permissions = &[]ecs.AuthorizeSecurityGroupEgressPermissions{{IpProtocol: "all", PortRange: "-1/-1", DestCidrIp: "0.0.0.0/0"}}
	if _, err := w.c.AuthorizeSecurityGroupEgress(egress); err != nil {
		w.t.Fatalf("AuthorizeSecurityGroupEgress: %v", err)
	}
	egressFlat := ecs.CreateAuthorizeSecurityGroupEgressRequest()
	egressFlat.SecurityGroupId, egressFlat.IpProtocol, egressFlat.PortRange, egressFlat.DestGroupId, egressFlat.NicType = w.web, "udp", "53/53", w.db, "intranet"
	if _, err := w.c.AuthorizeSecurityGroupEgress(egressFlat); err != nil {
		w.t.Fatalf("AuthorizeSecurityGroupEgress flat: %v", err)
	}
	self := ecs.CreateAuthorizeSecurityGroupEgressRequest()
	self.SecurityGroupId, self.IpProtocol, self.PortRange, self.DestGroupId, self.NicType = w.web, "udp", "53/53", w.web, "intranet"
	_, err = w.c.AuthorizeSecurityGroupEgress(self)
	wantSGError(w.t, "a group naming itself", err, 403, "InvalidSecurityGroup.IsSame")
}

// describe: 1.11.9, the rules filtered by direction.
func (w *sgWalk) describe() {
	w.t.Helper()
	in := describeRules(w.t, w.c, w.web, "ingress")
	if len(in) != 3 || in[0].IpProtocol != "TCP" || in[0].PortRange != "22/22" || in[0].Policy != "Accept" || in[0].Priority != "1" ||
		in[0].NicType != w.nic || in[0].Description != "ssh" || in[0].Direction != "ingress" || in[0].SecurityGroupRuleId == "" ||
		in[1].Policy != "Drop" || in[1].Priority != "100" || in[2].SourceGroupId != w.db || in[2].SourceGroupName != "db" {
		w.t.Fatalf("ingress rules %+v", in)
	}
	out := describeRules(w.t, w.c, w.web, "egress")
	if len(out) != 2 || out[0].DestCidrIp != "0.0.0.0/0" || out[1].DestGroupId != w.db || out[1].Direction != "egress" {
		w.t.Fatalf("egress rules %+v", out)
	}
	if all := describeRules(w.t, w.c, w.web, ""); len(all) != 5 {
		w.t.Fatalf("all rules: %d", len(all))
	}
}

// modify: 1.11.12–1.11.14, the rule's description, the policy and the group.
func (w *sgWalk) modify() {
	w.t.Helper()
	var err error
	modRule := ecs.CreateModifySecurityGroupRuleRequest()
	modRule.SecurityGroupId, modRule.IpProtocol, modRule.PortRange, modRule.SourceCidrIp, modRule.Description = w.web, "tcp", "22/22", "0.0.0.0/0", "ssh from anywhere"
	if _, err := w.c.ModifySecurityGroupRule(modRule); err != nil {
		w.t.Fatalf("ModifySecurityGroupRule: %v", err)
	}
	policy := ecs.CreateModifySecurityGroupPolicyRequest()
	policy.SecurityGroupId, policy.InnerAccessPolicy = w.web, "Drop"
	if _, err := w.c.ModifySecurityGroupPolicy(policy); err != nil {
		w.t.Fatalf("ModifySecurityGroupPolicy: %v", err)
	}
	maybe := ecs.CreateModifySecurityGroupPolicyRequest()
	maybe.SecurityGroupId, maybe.InnerAccessPolicy = w.web, "Maybe"
	_, err = w.c.ModifySecurityGroupPolicy(maybe)
	wantSGError(w.t, "InnerAccessPolicy Maybe", err, 400, "InvalidPolicy.Malformed")
	modAttr := ecs.CreateModifySecurityGroupAttributeRequest()
	modAttr.SecurityGroupId, modAttr.SecurityGroupName, modAttr.Description = w.web, "web-renamed", "renamed by e2e"
	if _, err := w.c.ModifySecurityGroupAttribute(modAttr); err != nil {
		w.t.Fatalf("ModifySecurityGroupAttribute: %v", err)
	}
	attrReq := ecs.CreateDescribeSecurityGroupAttributeRequest()
	attrReq.SecurityGroupId = w.web
	attr, err := w.c.DescribeSecurityGroupAttribute(attrReq)
	if err != nil || attr.SecurityGroupName != "web-renamed" || attr.InnerAccessPolicy != "Drop" || attr.VpcId != w.vpcID ||
		attr.Permissions.Permission[0].Description != "ssh from anywhere" {
		w.t.Fatalf("after the modifications: %+v, %v", attr, err)
	}
}

// list: 1.11.10, by tag, by ID, paged.
func (w *sgWalk) list() {
	w.t.Helper()
	list := ecs.CreateDescribeSecurityGroupsRequest()
	list.Tag = &[]ecs.DescribeSecurityGroupsTag{{Key: "suite", Value: w.run}}
	list.PageSize = "1"
	groups, err := w.c.DescribeSecurityGroups(list)
	if err != nil || groups.TotalCount != 2 || groups.PageSize != 1 || len(groups.SecurityGroups.SecurityGroup) != 1 {
		w.t.Fatalf("DescribeSecurityGroups by tag: %+v, %v", groups, err)
	}
	byID := ecs.CreateDescribeSecurityGroupsRequest()
	byID.SecurityGroupIds = `["` + w.web + `"]`
	groups, err = w.c.DescribeSecurityGroups(byID)
	if err != nil || groups.TotalCount != 1 {
		w.t.Fatalf("DescribeSecurityGroups by ID: %+v, %v", groups, err)
	}
	g := groups.SecurityGroups.SecurityGroup[0]
	if g.SecurityGroupId != w.web || g.RuleCount != 5 || g.GroupToGroupRuleCount != 2 || g.VpcId != w.vpcID ||
		len(g.Tags.Tag) != 1 || g.Tags.Tag[0].TagKey != "suite" || g.CreationTime == "" {
		w.t.Fatalf("listed group %+v", g)
	}
}

// referencesRevokeAndDelete: 1.11.11 and 1.11.8 (db is named by web's rules, so
// it stays), then 1.11.4 and 1.11.5 with the flat form, and both go.
func (w *sgWalk) referencesRevokeAndDelete() {
	w.t.Helper()
	refs := ecs.CreateDescribeSecurityGroupReferencesRequest()
	refs.SecurityGroupId = &[]string{w.db}
	refResp, err := w.c.DescribeSecurityGroupReferences(refs)
	if err != nil {
		w.t.Fatalf("DescribeSecurityGroupReferences: %v", err)
	}
	r := refResp.SecurityGroupReferences.SecurityGroupReference
	if len(r) != 1 || r[0].SecurityGroupId != w.db || len(r[0].ReferencingSecurityGroups.ReferencingSecurityGroup) != 1 ||
		r[0].ReferencingSecurityGroups.ReferencingSecurityGroup[0].SecurityGroupId != w.web {
		w.t.Fatalf("references %+v", r)
	}
	del := ecs.CreateDeleteSecurityGroupRequest()
	del.SecurityGroupId = w.db
	_, err = w.c.DeleteSecurityGroup(del)
	wantSGError(w.t, "deleting a referenced group", err, 403, "DependencyViolation")

	// 1.11.4, 1.11.5: revoke with the flat form, then delete both.
	revoke := ecs.CreateRevokeSecurityGroupRequest()
	revoke.SecurityGroupId, revoke.IpProtocol, revoke.PortRange, revoke.SourceGroupId, revoke.NicType = w.web, "tcp", "3306/3306", w.db, "intranet"
	if _, err := w.c.RevokeSecurityGroup(revoke); err != nil {
		w.t.Fatalf("RevokeSecurityGroup: %v", err)
	}
	revokeOut := ecs.CreateRevokeSecurityGroupEgressRequest()
	revokeOut.SecurityGroupId, revokeOut.IpProtocol, revokeOut.PortRange, revokeOut.DestGroupId, revokeOut.NicType = w.web, "udp", "53/53", w.db, "intranet"
	if _, err := w.c.RevokeSecurityGroupEgress(revokeOut); err != nil {
		w.t.Fatalf("RevokeSecurityGroupEgress: %v", err)
	}
	malformed := ecs.CreateRevokeSecurityGroupRequest()
	malformed.SecurityGroupId, malformed.IpProtocol, malformed.PortRange, malformed.SourceCidrIp = w.web, "tcp", "1/200x", "0.0.0.0/0"
	_, err = w.c.RevokeSecurityGroup(malformed)
	wantSGError(w.t, "revoking with a malformed PortRange", err, 400, "InvalidIpPortRange.Malformed")
	if _, err := w.c.DeleteSecurityGroup(del); err != nil {
		w.t.Fatalf("DeleteSecurityGroup of a group no rule names: %v", err)
	}
	del.SecurityGroupId = w.web
	if _, err := w.c.DeleteSecurityGroup(del); err != nil {
		w.t.Fatalf("DeleteSecurityGroup: %v", err)
	}
	gone := ecs.CreateDescribeSecurityGroupAttributeRequest()
	gone.SecurityGroupId = w.web
	_, err = w.c.DescribeSecurityGroupAttribute(gone)
	wantSGError(w.t, "describing a deleted group", err, 404, "InvalidSecurityGroupId.NotFound")
}

func TestTerraformSecurityGroupRuleCallsRoundTrip(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	id := createSecurityGroup(t, c, "tf", "", "", runID())
	// alicloud_security_group_rule: AuthorizeSecurityGroup over tea-rpc with Permissions.1.*.
	_, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "AuthorizeSecurityGroup", map[string]any{
		"RegionId": "cn-hangzhou", "SecurityGroupId": id,
		"Permissions": []map[string]any{{"IpProtocol": "tcp", "PortRange": "443/443", "SourceCidrIp": "10.0.0.0/8",
			"Policy": "accept", "Priority": "1", "Description": "https"}},
	})
	if err != nil {
		t.Fatalf("AuthorizeSecurityGroup over tea-rpc: %v", err)
	}
	// Read: DescribeSecurityGroupAttribute with Direction and NicType, matched client-side.
	rules := describeRules(t, c, id, "ingress")
	if len(rules) != 1 || rules[0].PortRange != "443/443" || rules[0].SourceCidrIp != "10.0.0.0/8" || rules[0].Priority != "1" {
		t.Fatalf("rules %+v", rules)
	}
	raw, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeSecurityGroupAttribute",
		map[string]any{"RegionId": "cn-hangzhou", "SecurityGroupId": id, "Direction": "ingress"})
	if err != nil {
		t.Fatal(err)
	}
	perm := raw["Permissions"].(map[string]any)["Permission"].([]any)[0].(map[string]any)
	if _, ok := perm["Priority"].(string); !ok {
		t.Fatalf("Priority is %T, Terraform reads a string", perm["Priority"])
	}
	// Delete: RevokeSecurityGroup with the legacy flat fields, over HTTPS.
	revoke := ecs.CreateRevokeSecurityGroupRequest()
	revoke.Scheme = "HTTPS"
	c.SetHTTPSInsecure(true)
	revoke.SecurityGroupId, revoke.IpProtocol, revoke.PortRange, revoke.SourceCidrIp = id, "tcp", "443/443", "10.0.0.0/8"
	revoke.Policy, revoke.Priority, revoke.Description = "accept", "1", "https"
	if _, err := c.RevokeSecurityGroup(revoke); err != nil {
		t.Fatalf("RevokeSecurityGroup: %v", err)
	}
	if rules := describeRules(t, c, id, "ingress"); len(rules) != 0 {
		t.Fatalf("left after revoke: %+v", rules)
	}
	// Revoking a rule that is gone succeeds, so Terraform's destroy finishes.
	if _, err := c.RevokeSecurityGroup(revoke); err != nil {
		t.Fatalf("revoking a gone rule: %v", err)
	}
	// alicloud_security_group reads by SecurityGroupId; an empty list means gone.
	del := ecs.CreateDeleteSecurityGroupRequest()
	del.SecurityGroupId = id
	if _, err := c.DeleteSecurityGroup(del); err != nil {
		t.Fatal(err)
	}
	raw, err = terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeSecurityGroups",
		map[string]any{"RegionId": "cn-hangzhou", "SecurityGroupId": id})
	if err != nil {
		t.Fatal(err)
	}
	if list := raw["SecurityGroups"].(map[string]any)["SecurityGroup"].([]any); len(list) != 0 {
		t.Fatalf("a deleted group is listed: %v", list)
	}
}

func TestSecurityGroupRulesAcrossAccountsNameTheOwner(t *testing.T) {
	s := startServer(t, serverOptions{})
	st, err := sqlstore.Open(ctx(t), os.Getenv("ECSD_E2E_STORE"), s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A second account, bob, with an AccessKey, unique to this run.
	var rootID int64
	run := runID()
	now := time.Now().UTC()
	bobID := 2_000_000_000_000_000 + now.UnixNano()%1_000_000_000_000_000
	bobKey, bobSecret := "LTAIbob"+run, "bobsecret"+run
	err = st.Update(ctx(t), func(tx store.Tx) error {
		root, err := tx.GetAccountByName("root")
		if err != nil {
			return err
		}
		rootID = root.ID
		if err := tx.CreateAccount(store.Account{ID: bobID, Name: "bob-" + run, Status: store.AccountEnabled, CreatedAt: now}); err != nil {
			return err
		}
		return tx.CreateAccessKey(store.AccessKey{ID: bobKey, Secret: bobSecret, AccountID: bobID,
			Status: store.AccessKeyActive, CreatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	root := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	bob := oldSDK(t, s, bobKey, bobSecret)
	mine := createSecurityGroup(t, root, "shared", "", "", run)
	theirs := createSecurityGroup(t, bob, "bobs", "", "", run)

	// Another account's group answers like a missing one.
	attr := ecs.CreateDescribeSecurityGroupAttributeRequest()
	attr.SecurityGroupId = mine
	_, err = bob.DescribeSecurityGroupAttribute(attr)
	wantSGError(t, "bob describing root's group", err, 404, "InvalidSecurityGroupId.NotFound")

	// Bob lets root's group in, naming its owner.
	auth := ecs.CreateAuthorizeSecurityGroupRequest()
	auth.SecurityGroupId, auth.IpProtocol, auth.PortRange, auth.NicType, auth.SourceGroupId = theirs, "tcp", "5432/5432", "intranet", mine
	_, err = bob.AuthorizeSecurityGroup(auth)
	wantSGError(t, "without the owner", err, 404, "InvalidSourceGroupId.NotFound")
	auth.SourceGroupOwnerAccount = "root"
	if _, err := bob.AuthorizeSecurityGroup(auth); err != nil {
		t.Fatalf("AuthorizeSecurityGroup across accounts: %v", err)
	}
	rules := describeRules(t, bob, theirs, "ingress")
	if len(rules) != 1 || rules[0].SourceGroupId != mine || rules[0].SourceGroupOwnerAccount != strconv.FormatInt(rootID, 10) {
		t.Fatalf("cross-account rule %+v", rules)
	}

	// Root sees the reference and cannot delete its group.
	refs := ecs.CreateDescribeSecurityGroupReferencesRequest()
	refs.SecurityGroupId = &[]string{mine}
	resp, err := root.DescribeSecurityGroupReferences(refs)
	if err != nil {
		t.Fatal(err)
	}
	r := resp.SecurityGroupReferences.SecurityGroupReference
	if len(r) != 1 || r[0].ReferencingSecurityGroups.ReferencingSecurityGroup[0].AliUid != strconv.FormatInt(bobID, 10) {
		t.Fatalf("references %+v", r)
	}
	del := ecs.CreateDeleteSecurityGroupRequest()
	del.SecurityGroupId = mine
	_, err = root.DeleteSecurityGroup(del)
	wantSGError(t, "deleting a group another account names", err, 403, "DependencyViolation")

	// Revoking needs the owner too (1.11.4).
	revoke := ecs.CreateRevokeSecurityGroupRequest()
	revoke.SecurityGroupId, revoke.IpProtocol, revoke.PortRange, revoke.NicType, revoke.SourceGroupId = theirs, "tcp", "5432/5432", "intranet", mine
	_, err = bob.RevokeSecurityGroup(revoke)
	wantSGError(t, "revoking without the owner", err, 403, "InvalidSourceGroupId.Mismatch")
	revoke.SourceGroupOwnerId = requests.Integer(strconv.FormatInt(bobID, 10))
	_, err = bob.RevokeSecurityGroup(revoke)
	wantSGError(t, "revoking with the wrong owner", err, 403, "InvalidSourceGroupOwnerUserAccount.Mismatch")
	revoke.SourceGroupOwnerId = requests.Integer(strconv.FormatInt(rootID, 10))
	if _, err := bob.RevokeSecurityGroup(revoke); err != nil {
		t.Fatalf("RevokeSecurityGroup with the owner: %v", err)
	}
	if _, err := root.DeleteSecurityGroup(del); err != nil {
		t.Fatalf("DeleteSecurityGroup once nobody names it: %v", err)
	}
	del.SecurityGroupId = theirs
	if _, err := bob.DeleteSecurityGroup(del); err != nil {
		t.Fatal(err)
	}
}
