package authz

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/reqctx"
)

func defaultRules(t testing.TB) *Rules {
	t.Helper()
	r, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func arns(rs []Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ARN
	}
	return out
}

func resolveFor(t *testing.T, version, action string, params wire.Params, p reqctx.Principal) []string {
	t.Helper()
	rule, ok := defaultRules(t).Lookup(version, action)
	if !ok {
		t.Fatalf("no rule for %s %s", version, action)
	}
	return arns(rule.resolve(&resolveInput{params: params, region: "cn-hangzhou", account: "1234", principal: p}))
}

func TestEveryRoutedECSAndVPCActionHasARule(t *testing.T) {
	rules := defaultRules(t)
	ecsAPI, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	vpcAPI, err := apispec.VPC()
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range []apispec.API{ecsAPI, vpcAPI} {
		for _, a := range api.Actions {
			if _, ok := rules.Lookup(api.Version, a.Name); !ok {
				t.Errorf("%s %s %s has no authorization rule: add one to internal/authz/rules_*.go", api.Product, api.Version, a.Name)
			}
		}
	}
}

func TestResourcesComeFromTheParameters(t *testing.T) {
	user := reqctx.Principal{Kind: reqctx.PrincipalUser, UserName: "alice"}
	const p = "acs:ecs:cn-hangzhou:1234:"
	cases := []struct {
		name, version, action string
		params                wire.Params
		want                  []string
	}{
		{"one instance", ECSVersion, "StartInstance", wire.Params{"InstanceId": {"i-1"}}, []string{p + "instance/i-1"}},
		{"missing required ID checks the whole type", ECSVersion, "StartInstance", wire.Params{}, []string{p + "instance/*"}},
		{"guide pair", ECSVersion, "AttachDisk", wire.Params{"InstanceId": {"i-1"}, "DiskId": {"d-1"}},
			[]string{p + "disk/d-1", p + "instance/i-1"}},
		{"conditional absent", ECSVersion, "AuthorizeSecurityGroup", wire.Params{"SecurityGroupId": {"sg-1"}},
			[]string{p + "securitygroup/sg-1"}},
		{"conditional present", ECSVersion, "AuthorizeSecurityGroup", wire.Params{"SecurityGroupId": {"sg-1"}, "SourceGroupId": {"sg-2"}},
			[]string{p + "securitygroup/sg-1", p + "securitygroup/sg-2"}},
		{"conditional empty is absent", ECSVersion, "CreateDisk", wire.Params{"SnapshotId": {""}}, []string{p + "disk/*"}},
		{"JSON array list", ECSVersion, "AttachKeyPair", wire.Params{"KeyPairName": {"kp"}, "InstanceIds": {`["i-1","i-2"]`}},
			[]string{p + "keypair/kp", p + "instance/i-1", p + "instance/i-2"}},
		{"N list in index order", ECSVersion, "DescribeSecurityGroupReferences",
			wire.Params{"SecurityGroupId.10": {"sg-10"}, "SecurityGroupId.2": {"sg-2"}, "SecurityGroupId.x": {"sg-x"}},
			[]string{p + "securitygroup/sg-2", p + "securitygroup/sg-10"}},
		{"nested list and duplicates", ECSVersion, "RunInstances", wire.Params{"ImageId": {"m-1"}, "SecurityGroupId": {"sg-1"},
			"DataDisk.1.SnapshotId": {"s-1"}, "DataDisk.2.SnapshotId": {"s-1"}, "DataDisk.3.Size": {"40"}, "KeyPairName": {"kp"}},
			[]string{p + "instance/*", p + "securitygroup/sg-1", p + "image/m-1", p + "snapshot/s-1", p + "keypair/kp"}},
		{"security group list", ECSVersion, "RunInstances", wire.Params{"SecurityGroupIds.1": {"sg-1"}, "SecurityGroupIds.2": {"sg-2"}},
			[]string{p + "instance/*", p + "securitygroup/sg-1", p + "securitygroup/sg-2"}},
		{"global resource", ECSVersion, "DescribeRegions", wire.Params{}, []string{"acs:ecs:*:1234:*"}},
		{"region-wide", ECSVersion, "DescribeAvailableResource", wire.Params{}, []string{p + "*"}},
		{"tagged resource type", ECSVersion, "TagResources", wire.Params{"ResourceType": {"instance"}, "ResourceId.1": {"i-1"}},
			[]string{p + "instance/i-1"}},
		{"snake case action", ECSVersion, "migrate_disk", wire.Params{"disk_id": {"d-1"}}, []string{p + "disk/d-1"}},
		{"VPC resource", VPCVersion, "DeleteVSwitch", wire.Params{"VSwitchId": {"vsw-1"}}, []string{"acs:vpc:cn-hangzhou:1234:vswitch/vsw-1"}},
		{"VPC tag types are lower-cased", VPCVersion, "TagResources", wire.Params{"ResourceType": {"VPC"}, "ResourceId.1": {"vpc-1"}},
			[]string{"acs:vpc:cn-hangzhou:1234:vpc/vpc-1"}},
		{"EIP on an ECS instance", VPCVersion, "AssociateEipAddress", wire.Params{"AllocationId": {"eip-1"}, "InstanceId": {"i-1"}},
			[]string{"acs:vpc:cn-hangzhou:1234:eip/eip-1", p + "instance/i-1"}},
		{"RAM resources have no region", RAMVersion, "AttachPolicyToUser", wire.Params{"PolicyName": {"pol"}, "UserName": {"bob"}},
			[]string{"acs:ram:*:1234:policy/pol", "acs:ram:*:1234:user/bob"}},
		{"own access keys default to the caller", RAMVersion, "CreateAccessKey", wire.Params{}, []string{"acs:ram:*:1234:user/alice"}},
		{"another user's access keys", RAMVersion, "ListAccessKeys", wire.Params{"UserName": {"bob"}}, []string{"acs:ram:*:1234:user/bob"}},
		{"AssumeRole checks the role of its ARN", STSVersion, "AssumeRole", wire.Params{"RoleArn": {"acs:ram::5678:role/admin"}},
			[]string{"acs:ram:*:5678:role/admin"}},
		{"AssumeRole with a malformed ARN", STSVersion, "AssumeRole", wire.Params{"RoleArn": {"admin"}}, []string{"acs:ram:*:1234:*"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := resolveFor(t, c.version, c.action, c.params, user)
			if !slices.Equal(got, c.want) {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestTemplatesRejectMistakes(t *testing.T) {
	for _, text := range []string{"instance", "/x", "instance/{InstanceId", "instance/{}", "instance/*?", "*?",
		"{A[]}/x", "instance/{A|upper}", "instance/{A[].N.B}", "arn:*", "inst*ance/{A}"} {
		if _, err := parseTemplate(text); err == nil {
			t.Errorf("parseTemplate(%q) accepted", text)
		}
	}
	if _, err := NewRules(APIRules{Version: "v", ActionPrefix: "x", Rules: []RuleSpec{natural("A", "a/*"), natural("A", "a/*")}}); err == nil {
		t.Error("duplicate rule accepted")
	}
	if _, err := NewRules(APIRules{Version: "v", ActionPrefix: "x", Rules: []RuleSpec{{Name: "A"}}}); err == nil {
		t.Error("rule without resources accepted")
	}
}

// guideTable is testdata/guide-1.3.json: guide 1.3's rows as the spec extract has them.
type guideTable struct {
	Rules []struct {
		Action               string   `json:"action"`
		Resources            []string `json:"resources"`
		ConditionalResources []string `json:"conditional_resources"`
		Line                 int      `json:"line"`
	} `json:"rules"`
	RAMAuthorizableActions []string `json:"ram_authorizable_actions"`
}

func loadGuide(t *testing.T) guideTable {
	t.Helper()
	data, err := os.ReadFile("testdata/guide-1.3.json")
	if err != nil {
		t.Fatal(err)
	}
	var g guideTable
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// guideValues fill the guide's $variables, with the parameters that carry them.
var guideValues = []struct{ variable, value string }{
	{"$regionid", "cn-hangzhou"}, {"$accountid", "1234"}, {"$instanceid", "i-test"}, {"$diskid", "d-test"},
	{"$snapshotid", "s-test"}, {"$securitygroupid", "sg-test"}, {"$sourcegroupid", "sg-src"}, {"$imageid", "m-test"},
	{"$vpcid", "vpc-test"}, {"$vswitchid", "vsw-test"}, {"$routetableid", "vtb-test"}, {"$allocationid", "eip-test"},
	{"$eipid", "eip-test"}, {"$vrouterid", "vrt-test"},
}

var guideParams = wire.Params{"InstanceId": {"i-test"}, "DiskId": {"d-test"}, "SnapshotId": {"s-test"},
	"DataDisk.1.SnapshotId": {"s-test"}, "SecurityGroupId": {"sg-test"}, "SourceGroupId": {"sg-src"}, "ImageId": {"m-test"},
	"VpcId": {"vpc-test"}, "VSwitchId": {"vsw-test"}, "RouteTableId": {"vtb-test"}, "AllocationId": {"eip-test"},
	"VRouterId": {"vrt-test"}}

// conditionalParams are the parameters the guide's conditional resources depend on.
var conditionalParams = map[string][]string{"$sourcegroupid": {"SourceGroupId"},
	"$snapshotid": {"SnapshotId", "DataDisk.1.SnapshotId"}, "$imageid": {"ImageId"}}

func fillGuide(resource string) string {
	for _, v := range guideValues {
		resource = strings.ReplaceAll(resource, v.variable, v.value)
	}
	return resource
}

// withoutService drops an ARN's service, so the guide's acs:ecs VPC resources
// compare with the VPC API's acs:vpc ones.
func withoutService(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 {
		return arn
	}
	return parts[2]
}

func TestRulesCheckEveryResourceOfGuideTable(t *testing.T) {
	rules := defaultRules(t)
	g := loadGuide(t)
	// The guide spells one VPC action with a trailing s.
	names := map[string]string{"UnassociateEipAddresses": "UnassociateEipAddress"}
	claimed := map[*Rule]bool{}
	for _, row := range g.Rules {
		name := row.Action
		if n, ok := names[name]; ok {
			name = n
		}
		rule, ok := rules.Lookup(ECSVersion, name)
		if !ok {
			rule, ok = rules.Lookup(VPCVersion, name)
		}
		if !ok {
			t.Errorf("guide line %d: %s has no rule", row.Line, row.Action)
			continue
		}
		claimed[rule] = true
		if !rule.Guide {
			t.Errorf("guide line %d: the rule of %s is not marked as the guide's", row.Line, name)
		}
		in := &resolveInput{params: guideParams, region: "cn-hangzhou", account: "1234"}
		got := arns(rule.resolve(in))
		for i := range got {
			got[i] = withoutService(got[i])
		}
		for _, res := range append(append([]string{}, row.Resources...), row.ConditionalResources...) {
			if want := withoutService(fillGuide(res)); !slices.Contains(got, want) {
				t.Errorf("guide line %d: %s checks %q, the rule only %q", row.Line, name, want, got)
			}
		}
		// Without their parameter, conditional resources are not checked.
		for _, res := range row.ConditionalResources {
			params := wire.Params{}
			for k, v := range guideParams {
				params[k] = v
			}
			for variable, names := range conditionalParams {
				if strings.Contains(res, variable) {
					for _, n := range names {
						delete(params, n)
					}
				}
			}
			in := &resolveInput{params: params, region: "cn-hangzhou", account: "1234"}
			filled := withoutService(fillGuide(res))
			wildcard := filled[:strings.LastIndexByte(filled, '/')+1] + "*"
			if got := arns(rule.resolve(in)); slices.ContainsFunc(got, func(a string) bool {
				return withoutService(a) == filled || withoutService(a) == wildcard
			}) {
				t.Errorf("guide line %d: %s checks conditional %q without its parameter: %q", row.Line, name, res, got)
			}
		}
	}
	for _, rule := range rules.All() {
		if rule.Guide && !claimed[rule] {
			t.Errorf("%s %s is marked as the guide's but guide 1.3 has no row for it", rule.Version, rule.Name)
		}
	}
}

func TestResourceOwnerAccountListIsGuide123(t *testing.T) {
	g := loadGuide(t)
	if len(g.RAMAuthorizableActions) != len(ramAuthorizable) {
		t.Fatalf("guide lists %d actions, ecsd %d", len(g.RAMAuthorizableActions), len(ramAuthorizable))
	}
	for _, a := range g.RAMAuthorizableActions {
		if !ramAuthorizable[a] {
			t.Errorf("%s missing", a)
		}
	}
}

func TestRAMAndSTSActionsOfTheIssueHaveRules(t *testing.T) {
	rules := defaultRules(t)
	for _, a := range []string{"CreateUser", "GetUser", "UpdateUser", "DeleteUser", "ListUsers", "CreateAccessKey",
		"UpdateAccessKey", "DeleteAccessKey", "ListAccessKeys", "CreateGroup", "GetGroup", "UpdateGroup", "DeleteGroup",
		"ListGroups", "AddUserToGroup", "RemoveUserFromGroup", "ListGroupsForUser", "ListUsersForGroup", "CreatePolicy",
		"GetPolicy", "DeletePolicy", "ListPolicies", "CreatePolicyVersion", "AttachPolicyToUser", "DetachPolicyFromUser",
		"AttachPolicyToGroup", "DetachPolicyFromGroup", "AttachPolicyToRole", "DetachPolicyFromRole", "ListPoliciesForUser",
		"ListPoliciesForGroup", "ListPoliciesForRole", "ListEntitiesForPolicy", "CreateRole", "GetRole", "UpdateRole",
		"DeleteRole", "ListRoles"} {
		rule, ok := rules.Lookup(RAMVersion, a)
		if !ok || rule.Action != "ram:"+a {
			t.Errorf("RAM %s: %+v", a, rule)
		}
	}
	if rule, ok := rules.Lookup(STSVersion, "AssumeRole"); !ok || rule.Action != "sts:AssumeRole" || rule.Public {
		t.Errorf("AssumeRole: %+v", rule)
	}
	if rule, ok := rules.Lookup(STSVersion, "GetCallerIdentity"); !ok || !rule.Public {
		t.Errorf("GetCallerIdentity is not open to everyone: %+v", rule)
	}
}
