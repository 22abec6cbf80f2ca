package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/authz"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/accounts"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// fakePolicies is the PolicySource the RAM service will provide: documents by
// RAM user name.
type fakePolicies map[string][]string

func (f fakePolicies) Policies(_ context.Context, _ int64, p reqctx.Principal) ([]string, error) {
	return f[p.UserName], nil
}

// fakeCredentials are the root key and one AccessKey per RAM user.
type fakeCredentials map[string]api.Credential

func (f fakeCredentials) LookupAccessKey(_ context.Context, id string) (api.Credential, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return api.Credential{}, api.ErrUnknownAccessKey
}

// authzServer is the real API front and registry over a real store, with RAM
// users whose policies a test chooses.
type authzServer struct {
	t        *testing.T
	front    *api.Server
	authz    *authz.Authorizer
	reg      *api.Registry
	store    store.Store
	policies fakePolicies
	creds    fakeCredentials
	account  int64
	nonce    int
}

const rootKey = "ROOTKEY"

func newAuthzServer(t *testing.T) *authzServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk, gen := clock.Real{}, ids.Seeded(11)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	root, err := accounts.New(st, gen, clk).EnsureRoot(ctx, rootKey, "rootsecret")
	if err != nil {
		t.Fatal(err)
	}
	topo := catalog.DefaultTopology()
	cat, err := catalog.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	compute, err := sim.New(sim.Config{Delays: sim.Uniform(0)}, clk)
	if err != nil {
		t.Fatal(err)
	}
	volumes, err := sim.NewVolumes(sim.VolumeConfig{}, clk)
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := NewServices(st, gen, clk, cat, Drivers{Compute: compute, Volumes: volumes}, logger, netip.Prefix{}, "node-test")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := NewRegistry(cat, "127.0.0.1:8080", svcs)
	if err != nil {
		t.Fatal(err)
	}
	s := &authzServer{t: t, reg: reg, store: st, policies: fakePolicies{}, account: root.AccountID,
		creds: fakeCredentials{rootKey: {AccessKeyID: rootKey, Secret: "rootsecret", AccountID: root.AccountID, Active: true}}}
	if s.authz, err = NewAuthorizer(st, s.policies, clk, logger); err != nil {
		t.Fatal(err)
	}
	s.front = api.NewServer(api.Config{Registry: reg, Credentials: s.creds, Nonces: sign.NewNonceCache(time.Hour, 100000),
		Clock: clk, IDs: gen, DefaultRegion: topo.DefaultRegion, KnownRegion: cat.HasRegion, HostID: "test",
		Logger: logger, Authorizer: s.authz})
	return s
}

// user adds a RAM user with these policies and returns its AccessKey.
func (s *authzServer) user(name string, docs ...string) string {
	key := "KEY" + name
	s.creds[key] = api.Credential{AccessKeyID: key, Secret: "secret" + name, AccountID: s.account, Active: true,
		Principal: reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: "u-" + name, UserName: name}}
	s.policies[name] = docs
	return key
}

// call makes a signed call and returns the HTTP status and the decoded body.
func (s *authzServer) call(key, version, action string, params map[string]string) (int, map[string]any) {
	s.t.Helper()
	s.nonce++
	p := url.Values{"Action": {action}, "Version": {version}, "Format": {"JSON"}, "AccessKeyId": {key},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {fmt.Sprint("n", s.nonce)},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}}
	for k, v := range params {
		p.Set(k, v)
	}
	p.Set("Signature", sign.SignV1(http.MethodGet, p, s.creds[key].Secret))
	rec := httptest.NewRecorder()
	s.front.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+p.Encode(), nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		s.t.Fatalf("%s: body %s: %v", action, rec.Body, err)
	}
	return rec.Code, body
}

// mustCall makes a call that must succeed.
func (s *authzServer) mustCall(key, version, action string, params map[string]string) map[string]any {
	s.t.Helper()
	status, body := s.call(key, version, action, params)
	if status != 200 {
		s.t.Fatalf("%s: %d %v", action, status, body)
	}
	return body
}

// anyIDs are parameters that name a resource of every kind, so rules with
// required resources resolve to concrete ARNs.
var anyIDs = map[string]string{"InstanceId": "i-x", "DiskId": "d-x", "SecurityGroupId": "sg-x", "ImageId": "m-x",
	"SnapshotId": "s-x", "VpcId": "vpc-x", "VSwitchId": "vsw-x", "KeyPairName": "kp-x", "InstanceIds": `["i-x"]`,
	"ResourceType": "instance", "ResourceId": "i-x", "ResourceId.1": "i-x", "NetworkInterfaceId": "eni-x"}

func TestEveryRegisteredActionIsForbiddenToARAMUserWithoutPolicy(t *testing.T) {
	s := newAuthzServer(t)
	key := s.user("nobody")
	endpoints := s.reg.Endpoints()
	if len(endpoints) < 100 {
		t.Fatalf("only %d endpoints registered", len(endpoints))
	}
	for _, ep := range endpoints {
		rule, ok := s.authz.Rules().Lookup(ep.Version, ep.Name)
		if !ok {
			t.Errorf("%s %s %s has no authorization rule: add one to internal/authz/rules_*.go", ep.Product, ep.Version, ep.Name)
		}
		if rule.Public {
			continue // open to everyone (sts:GetCallerIdentity); TestGetCallerIdentityIsOpenToEveryone
		}
		for _, params := range []map[string]string{nil, anyIDs} {
			status, body := s.call(key, ep.Version, ep.Name, params)
			if status != 403 || body["Code"] != "Forbidden.RAM" ||
				body["Message"] != "User not authorized to operate the specified resource, or this API doesn't support RAM." {
				t.Errorf("%s %s (params %v) as a RAM user without policy: %d %v", ep.Product, ep.Name, params != nil, status, body)
			}
		}
	}
}

func TestEveryRegisteredActionPassesAuthorizationForAnAllowAllPolicy(t *testing.T) {
	s := newAuthzServer(t)
	key := s.user("admin", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	for _, ep := range s.reg.Endpoints() {
		status, body := s.call(key, ep.Version, ep.Name, anyIDs)
		if body["Code"] == "Forbidden.RAM" || status >= 500 && status != 501 {
			t.Errorf("%s %s with an allow-all policy: %d %v", ep.Product, ep.Name, status, body)
		}
	}
}

// readOnly is Alibaba Cloud's AliyunECSReadOnlyAccess, with the VPC reads.
const readOnly = `{"Version":"1","Statement":[
	{"Action":"ecs:Describe*","Resource":"*","Effect":"Allow"},
	{"Action":["vpc:DescribeVpcs","vpc:DescribeVSwitches","vpc:DescribeVpcAttribute"],"Resource":"*","Effect":"Allow"}]}`

func TestReadOnlyUserCanDescribeButNotCreate(t *testing.T) {
	s := newAuthzServer(t)
	key := s.user("reader", readOnly)
	for _, c := range []struct{ version, action string }{
		{authz.ECSVersion, "DescribeRegions"}, {authz.ECSVersion, "DescribeInstances"}, {authz.ECSVersion, "DescribeSecurityGroups"},
		{authz.ECSVersion, "DescribeKeyPairs"}, {authz.VPCVersion, "DescribeVpcs"},
	} {
		if status, body := s.call(key, c.version, c.action, nil); status != 200 {
			t.Errorf("read-only %s: %d %v", c.action, status, body)
		}
	}
	for _, c := range []struct {
		version, action string
		params          map[string]string
	}{
		{authz.ECSVersion, "CreateSecurityGroup", nil},
		{authz.ECSVersion, "RunInstances", map[string]string{"ImageId": "ubuntu_22_04_x64_20G_alibase_20240530.vhd"}},
		{authz.ECSVersion, "CreateKeyPair", map[string]string{"KeyPairName": "k"}},
		{authz.VPCVersion, "CreateVpc", map[string]string{"CidrBlock": "10.0.0.0/16"}},
		{authz.VPCVersion, "DescribeRegions", nil}, // not granted: vpc:DescribeRegions is not in the policy
	} {
		if status, body := s.call(key, c.version, c.action, c.params); status != 403 || body["Code"] != "Forbidden.RAM" {
			t.Errorf("read-only %s: %d %v", c.action, status, body)
		}
	}
}

// fleet is two instances made by the root account: one tagged team=a, one team=b.
type fleet struct{ teamA, teamB string }

func newFleet(t *testing.T, s *authzServer) fleet {
	t.Helper()
	vpcID := s.mustCall(rootKey, authz.VPCVersion, "CreateVpc", map[string]string{"CidrBlock": "10.0.0.0/16"})["VpcId"].(string)
	vswID := s.mustCall(rootKey, authz.VPCVersion, "CreateVSwitch", map[string]string{"VpcId": vpcID,
		"ZoneId": "cn-hangzhou-b", "CidrBlock": "10.0.1.0/24"})["VSwitchId"].(string)
	sgID := s.mustCall(rootKey, authz.ECSVersion, "CreateSecurityGroup", map[string]string{"VpcId": vpcID})["SecurityGroupId"].(string)
	run := func(team string) string {
		body := s.mustCall(rootKey, authz.ECSVersion, "RunInstances", map[string]string{"ImageId": "ubuntu_22_04_x64_20G_alibase_20240530.vhd",
			"InstanceType": "ecs.g5.large", "SecurityGroupId": sgID, "VSwitchId": vswID, "Tag.1.Key": "team", "Tag.1.Value": team})
		return body["InstanceIdSets"].(map[string]any)["InstanceIdSet"].([]any)[0].(string)
	}
	return fleet{teamA: run("a"), teamB: run("b")}
}

// canTouch reports whether the user may read and rename an instance: both
// answer 200, or both Forbidden.RAM (anything else fails the test).
func canTouch(t *testing.T, s *authzServer, key, instanceID string) bool {
	t.Helper()
	readStatus, readBody := s.call(key, authz.ECSVersion, "DescribeInstanceAttribute", map[string]string{"InstanceId": instanceID})
	writeStatus, writeBody := s.call(key, authz.ECSVersion, "ModifyInstanceAttribute",
		map[string]string{"InstanceId": instanceID, "Description": "touched"})
	switch {
	case readStatus == 200 && writeStatus == 200:
		return true
	case readBody["Code"] == "Forbidden.RAM" && writeBody["Code"] == "Forbidden.RAM":
		return false
	}
	t.Fatalf("%s: read %d %v, write %d %v", instanceID, readStatus, readBody, writeStatus, writeBody)
	return false
}

func TestPoliciesLimitedToTaggedOrNamedInstancesAllowExactlyThose(t *testing.T) {
	s := newAuthzServer(t)
	f := newFleet(t, s)
	teamA := s.user("team-a", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"acs:ecs:*:*:instance/*",
		"Condition":{"StringEquals":{"ecs:tag/team":"a"}}}]}`)
	oneARN := s.user("one-arn", fmt.Sprintf(`{"Version":"1","Statement":[{"Effect":"Allow",
		"Action":["ecs:DescribeInstanceAttribute","ecs:ModifyInstanceAttribute"],"Resource":"acs:ecs:cn-hangzhou:%d:instance/%s"}]}`,
		s.account, f.teamB))
	cases := []struct {
		user, instance string
		want           bool
	}{
		{teamA, f.teamA, true},
		{teamA, f.teamB, false},
		{teamA, "i-doesnotexist", false},
		{oneARN, f.teamB, true},
		{oneARN, f.teamA, false},
	}
	for _, c := range cases {
		if got := canTouch(t, s, c.user, c.instance); got != c.want {
			t.Errorf("%s on %s: allowed=%v, want %v", c.user, c.instance, got, c.want)
		}
	}
	// A tag-limited policy covers a listing only when it asks for the tag.
	if status, body := s.call(teamA, authz.ECSVersion, "DescribeInstances", map[string]string{"Tag.1.Key": "team", "Tag.1.Value": "a"}); status != 200 {
		t.Errorf("DescribeInstances filtered by team=a: %d %v", status, body)
	}
	if status, body := s.call(teamA, authz.ECSVersion, "DescribeInstances", nil); status != 403 || body["Code"] != "Forbidden.RAM" {
		t.Errorf("DescribeInstances unfiltered: %d %v", status, body)
	}
	// The instance in another region's ARN is not the named one.
	if status, body := s.call(oneARN, authz.ECSVersion, "DescribeInstanceAttribute",
		map[string]string{"InstanceId": f.teamB, "RegionId": "cn-beijing"}); status != 403 || body["Code"] != "Forbidden.RAM" {
		t.Errorf("named instance through another region: %d %v", status, body)
	}
}

func TestExplicitDenyWinsOverAllow(t *testing.T) {
	s := newAuthzServer(t)
	f := newFleet(t, s)
	key := s.user("mostly", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		fmt.Sprintf(`{"Version":"1","Statement":[{"Effect":"Deny","Action":"ecs:*","Resource":"acs:ecs:*:*:instance/%s"}]}`, f.teamB))
	if !canTouch(t, s, key, f.teamA) {
		t.Error("allow-all did not allow team a's instance")
	}
	if canTouch(t, s, key, f.teamB) {
		t.Error("the explicit Deny did not win")
	}
	if status, body := s.call(key, authz.ECSVersion, "DeleteInstance", map[string]string{"InstanceId": f.teamB, "Force": "true"}); status != 403 ||
		body["Code"] != "Forbidden.RAM" {
		t.Errorf("DeleteInstance of the denied instance: %d %v", status, body)
	}
}

func TestRootIsNeverAskedForPoliciesAndOwnerParametersApply(t *testing.T) {
	s := newAuthzServer(t)
	if status, body := s.call(rootKey, authz.ECSVersion, "DescribeRegions", map[string]string{"ResourceOwnerAccount": "root",
		"OwnerId": fmt.Sprint(s.account)}); status != 200 {
		t.Fatalf("own owner parameters: %d %v", status, body)
	}
	if status, body := s.call(rootKey, authz.ECSVersion, "DescribeRegions", map[string]string{"OwnerId": "1"}); status != 400 ||
		body["Code"] != "InvalidOwnerId" {
		t.Fatalf("another OwnerId: %d %v", status, body)
	}
	if status, body := s.call(rootKey, authz.ECSVersion, "DescribeRegions", map[string]string{"ResourceOwnerAccount": "nobody"}); status != 403 ||
		body["Code"] != "InvalidParameter.ResourceOwnerAccount" {
		t.Fatalf("unknown ResourceOwnerAccount: %d %v", status, body)
	}
	key := s.user("reader", readOnly)
	if status, body := s.call(key, authz.ECSVersion, "DescribeInstances", map[string]string{"ResourceOwnerAccount": "root"}); status != 200 {
		t.Fatalf("RAM user, 1.2.3 action: %d %v", status, body)
	}
	if status, body := s.call(key, authz.ECSVersion, "DescribeKeyPairs", map[string]string{"ResourceOwnerAccount": "root"}); status != 403 ||
		body["Code"] != "Forbidden.RAM" {
		t.Fatalf("RAM user, action outside 1.2.3: %d %v", status, body)
	}
}

func TestStoreTagsReadsTagsByARNTypeAndKeyPairsByName(t *testing.T) {
	s := newAuthzServer(t)
	f := newFleet(t, s)
	s.mustCall(rootKey, authz.ECSVersion, "CreateKeyPair", map[string]string{"KeyPairName": "ops-keys",
		"Tag.1.Key": "team", "Tag.1.Value": "ops"})
	got, err := StoreTags{Store: s.store}.ResourceTags(context.Background(), s.account, "cn-hangzhou", []authz.ResourceRef{
		{Type: "instance", ID: f.teamA}, {Type: "instance", ID: "i-none"}, {Type: "keypair", ID: "ops-keys"},
		{Type: "keypair", ID: "nobody-keys"}, {Type: "networkinterface", ID: "eni-1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[authz.ResourceRef]map[string]string{
		{Type: "instance", ID: f.teamA}:   {"team": "a"},
		{Type: "keypair", ID: "ops-keys"}: {"team": "ops"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	other, err := StoreTags{Store: s.store}.ResourceTags(context.Background(), s.account+1, "cn-hangzhou",
		[]authz.ResourceRef{{Type: "instance", ID: f.teamA}})
	if err != nil || len(other) != 0 {
		t.Fatalf("another account sees %v (%v)", other, err)
	}
}
