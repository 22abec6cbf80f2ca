package authz

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// fakePolicies hands out fixed documents per user or role name.
type fakePolicies struct {
	docs  map[string][]string
	calls int
	err   error
}

func (f *fakePolicies) Policies(_ context.Context, _ int64, p reqctx.Principal) ([]string, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if p.Kind == reqctx.PrincipalRole {
		return f.docs["role:"+p.RoleName], nil
	}
	return f.docs[p.UserName], nil
}

// fakeTags holds tags by resource.
type fakeTags struct {
	tags  map[ResourceRef]map[string]string
	calls int
}

func (f *fakeTags) ResourceTags(_ context.Context, _ int64, _ string, refs []ResourceRef) (map[ResourceRef]map[string]string, error) {
	f.calls++
	out := map[ResourceRef]map[string]string{}
	for _, r := range refs {
		if t, ok := f.tags[r]; ok {
			out[r] = t
		}
	}
	return out, nil
}

// fakeAccounts maps names to IDs.
type fakeAccounts map[string]int64

func (f fakeAccounts) AccountIDByName(_ context.Context, name string) (int64, error) {
	if id, ok := f[name]; ok {
		return id, nil
	}
	return 0, ErrUnknownAccount
}

const allowAll = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

var testTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newTestAuthorizer(t *testing.T, policies PolicySource, tags TagSource) *Authorizer {
	t.Helper()
	a, err := New(Config{Policies: policies, Tags: tags, Accounts: fakeAccounts{"root": 1234, "other": 5678},
		Clock: clock.NewFake(testTime)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func userCall(action, name string) *reqctx.Call {
	return &reqctx.Call{Action: action, Version: ECSVersion, AccountID: 1234, RegionID: "cn-hangzhou",
		SourceIP: "10.0.0.1", Principal: reqctx.Principal{Kind: reqctx.PrincipalUser, UserName: name}}
}

func rootCall(action string) *reqctx.Call {
	return &reqctx.Call{Action: action, Version: ECSVersion, AccountID: 1234, RegionID: "cn-hangzhou"}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "unexpected: " + err.Error()
}

func TestRootIsAllowedWithoutPolicies(t *testing.T) {
	src := &fakePolicies{err: errors.New("must not be asked")}
	a := newTestAuthorizer(t, src, nil)
	for _, kind := range []string{"", reqctx.PrincipalRoot} {
		c := rootCall("DeleteInstance")
		c.Principal.Kind = kind
		if err := a.Authorize(context.Background(), c, wire.Params{"InstanceId": {"i-1"}}); err != nil {
			t.Fatalf("root (%q): %v", kind, err)
		}
	}
	if src.calls != 0 {
		t.Fatal("policies looked up for root")
	}
}

func TestRAMPrincipalsWithoutPoliciesAreDenied(t *testing.T) {
	ctx := context.Background()
	if got := code(newTestAuthorizer(t, nil, nil).Authorize(ctx, userCall("DescribeInstances", "alice"), wire.Params{})); got != "Forbidden.RAM" {
		t.Fatalf("no PolicySource: %s", got)
	}
	a := newTestAuthorizer(t, &fakePolicies{}, nil)
	if got := code(a.Authorize(ctx, userCall("DescribeInstances", "alice"), wire.Params{})); got != "Forbidden.RAM" {
		t.Fatalf("no policy: %s", got)
	}
	c := userCall("DescribeInstances", "alice")
	c.Action = "NoSuchAction"
	a = newTestAuthorizer(t, &fakePolicies{docs: map[string][]string{"alice": {allowAll}}}, nil)
	if got := code(a.Authorize(ctx, c, wire.Params{})); got != "Forbidden.RAM" {
		t.Fatalf("action without a rule: %s", got)
	}
	if err := a.Authorize(ctx, userCall("DescribeInstances", "alice"), wire.Params{}); err != nil {
		t.Fatalf("allow-all: %v", err)
	}
}

func TestGetCallerIdentityIsOpenToEveryone(t *testing.T) {
	a := newTestAuthorizer(t, &fakePolicies{}, nil)
	c := userCall("GetCallerIdentity", "alice")
	c.Version = STSVersion
	if err := a.Authorize(context.Background(), c, wire.Params{}); err != nil {
		t.Fatal(err)
	}
	c.Action = "AssumeRole"
	if got := code(a.Authorize(context.Background(), c, wire.Params{"RoleArn": {"acs:ram::1234:role/admin"}})); got != "Forbidden.RAM" {
		t.Fatalf("AssumeRole without a policy: %s", got)
	}
}

func TestStoredMalformedPoliciesGrantNothing(t *testing.T) {
	a := newTestAuthorizer(t, &fakePolicies{docs: map[string][]string{"alice": {`{"Version":"1","Statement":"nope"}`}}}, nil)
	if got := code(a.Authorize(context.Background(), userCall("DescribeInstances", "alice"), wire.Params{})); got != "Forbidden.RAM" {
		t.Fatalf("got %s", got)
	}
}

func TestPolicySourceFailureIsNotADenial(t *testing.T) {
	a := newTestAuthorizer(t, &fakePolicies{err: errors.New("db down")}, nil)
	err := a.Authorize(context.Background(), userCall("DescribeInstances", "alice"), wire.Params{})
	var e *apierr.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("got %v, want a plain error (InternalError)", err)
	}
}

func TestAssumedRoleSessionPolicyNarrowsTheRole(t *testing.T) {
	src := &fakePolicies{docs: map[string][]string{"role:ops": {allowAll}}}
	a := newTestAuthorizer(t, src, nil)
	role := func(session string) *reqctx.Call {
		c := userCall("StopInstance", "")
		c.Principal = reqctx.Principal{Kind: reqctx.PrincipalRole, RoleName: "ops", SessionName: "s", SessionPolicy: session}
		return c
	}
	onlyI1 := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"acs:ecs:*:*:instance/i-1"}]}`
	cases := []struct {
		session, instance, want string
	}{
		{"", "i-2", ""},
		{onlyI1, "i-1", ""},
		{onlyI1, "i-2", "Forbidden.RAM"},
		{`{"Version":"1"}`, "i-1", "Forbidden.RAM"},
	}
	for _, c := range cases {
		if got := code(a.Authorize(context.Background(), role(c.session), wire.Params{"InstanceId": {c.instance}})); got != c.want {
			t.Errorf("session %q on %s: got %q, want %q", c.session, c.instance, got, c.want)
		}
	}
}

func TestTagConditionsReadResourceTagsOnlyWhenAPolicyNeedsThem(t *testing.T) {
	tags := &fakeTags{tags: map[ResourceRef]map[string]string{
		{Type: "instance", ID: "i-a"}:        {"team": "a"},
		{Type: "instance", ID: "i-b"}:        {"team": "b"},
		{Type: "securitygroup", ID: "sg-a"}:  {"team": "a"},
		{Type: "image", ID: "m-public"}:      nil,
		{Type: "keypair", ID: "team-a-keys"}: {"team": "a"},
	}}
	teamA := `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"StringEquals":{"ecs:tag/team":"a"}}},
		{"Effect":"Allow","Action":"ecs:RunInstances","Resource":"acs:ecs:*:*:image/*"}]}`
	src := &fakePolicies{docs: map[string][]string{"alice": {teamA}, "bob": {allowAll}}}
	a := newTestAuthorizer(t, src, tags)
	ctx := context.Background()
	cases := []struct {
		name, action string
		params       wire.Params
		want         string
	}{
		{"tagged instance", "StopInstance", wire.Params{"InstanceId": {"i-a"}}, ""},
		{"other team", "StopInstance", wire.Params{"InstanceId": {"i-b"}}, "Forbidden.RAM"},
		{"untagged", "StopInstance", wire.Params{"InstanceId": {"i-none"}}, "Forbidden.RAM"},
		{"every item of a list", "AttachKeyPair", wire.Params{"KeyPairName": {"team-a-keys"}, "InstanceIds": {`["i-a","i-b"]`}}, "Forbidden.RAM"},
		{"list of team a", "AttachKeyPair", wire.Params{"KeyPairName": {"team-a-keys"}, "InstanceIds": {`["i-a"]`}}, ""},
		{"listing filtered by the tag", "DescribeInstances", wire.Params{"Tag.1.Key": {"team"}, "Tag.1.Value": {"a"}}, ""},
		{"listing without the tag", "DescribeInstances", wire.Params{}, "Forbidden.RAM"},
		{"creation with the tag", "RunInstances", wire.Params{"ImageId": {"m-public"}, "SecurityGroupId": {"sg-a"},
			"Tag.1.Key": {"team"}, "Tag.1.Value": {"a"}}, ""},
		{"creation with another tag", "RunInstances", wire.Params{"ImageId": {"m-public"}, "SecurityGroupId": {"sg-a"},
			"Tag.1.Key": {"team"}, "Tag.1.Value": {"b"}}, "Forbidden.RAM"},
		{"creation in another team's group", "RunInstances", wire.Params{"ImageId": {"m-public"}, "SecurityGroupId": {"sg-b"},
			"Tag.1.Key": {"team"}, "Tag.1.Value": {"a"}}, "Forbidden.RAM"},
	}
	for _, c := range cases {
		if got := code(a.Authorize(ctx, userCall(c.action, "alice"), c.params)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	before := tags.calls
	if err := a.Authorize(ctx, userCall("StopInstance", "bob"), wire.Params{"InstanceId": {"i-b"}}); err != nil {
		t.Fatal(err)
	}
	if tags.calls != before {
		t.Fatal("tags looked up for a policy without tag conditions")
	}
}

func TestIDsThatCouldSpanIntoAnotherARNAreRefused(t *testing.T) {
	onlyInstances := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"acs:ecs:*:*:instance/*"}]}`
	a := newTestAuthorizer(t, &fakePolicies{docs: map[string][]string{"alice": {onlyInstances}}}, nil)
	ctx := context.Background()
	if err := a.Authorize(ctx, userCall("StopInstance", "alice"), wire.Params{"InstanceId": {"i-1"}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"k:instance/i-1", "k/instance"} {
		if got := code(a.Authorize(ctx, userCall("DeleteKeyPairs", "alice"), wire.Params{"KeyPairNames": {`["` + name + `"]`}})); got != "Forbidden.RAM" {
			t.Errorf("key pair %q: %q", name, got)
		}
	}
}

func TestSourceIPAndTransportConditions(t *testing.T) {
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*",
		"Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"},"Bool":{"acs:SecureTransport":"true"},
		"DateLessThan":{"acs:CurrentTime":"2026-06-01T12:00:01Z"}}}]}`
	a := newTestAuthorizer(t, &fakePolicies{docs: map[string][]string{"alice": {doc}}}, nil)
	c := userCall("DescribeInstances", "alice")
	c.Secure = true
	if err := a.Authorize(context.Background(), c, wire.Params{}); err != nil {
		t.Fatalf("inside: %v", err)
	}
	c.SourceIP = "192.168.1.1"
	if got := code(a.Authorize(context.Background(), c, wire.Params{})); got != "Forbidden.RAM" {
		t.Fatalf("outside the network: %s", got)
	}
	c.SourceIP, c.Secure = "10.0.0.1", false
	if got := code(a.Authorize(context.Background(), c, wire.Params{})); got != "Forbidden.RAM" {
		t.Fatalf("over HTTP: %s", got)
	}
}

func TestOwnerParameters(t *testing.T) {
	src := &fakePolicies{docs: map[string][]string{"alice": {allowAll}}}
	a := newTestAuthorizer(t, src, nil)
	cases := []struct {
		name   string
		call   *reqctx.Call
		params wire.Params
		code   string
		status int
	}{
		{"own OwnerId", rootCall("DescribeInstances"), wire.Params{"OwnerId": {"1234"}}, "", 0},
		{"another OwnerId", rootCall("DescribeInstances"), wire.Params{"OwnerId": {"5678"}}, "InvalidOwnerId", 400},
		{"malformed OwnerId", rootCall("DescribeInstances"), wire.Params{"OwnerId": {"x"}}, "InvalidOwnerId", 400},
		{"own OwnerAccount", rootCall("DescribeInstances"), wire.Params{"OwnerAccount": {"root"}}, "", 0},
		{"another OwnerAccount", rootCall("DescribeInstances"), wire.Params{"OwnerAccount": {"other"}}, "InvalidOwnerAccount", 400},
		{"unknown OwnerAccount", rootCall("DescribeInstances"), wire.Params{"OwnerAccount": {"nobody"}}, "InvalidParameter.OwnerAccount", 403},
		{"OwnerId and OwnerAccount", rootCall("DescribeInstances"), wire.Params{"OwnerId": {"1234"}, "OwnerAccount": {"root"}}, "InvalidOwner", 400},
		{"own ResourceOwnerId", rootCall("DescribeInstances"), wire.Params{"ResourceOwnerId": {"1234"}}, "", 0},
		{"another ResourceOwnerId", rootCall("DescribeInstances"), wire.Params{"ResourceOwnerId": {"5678"}}, "Forbidden.RAM", 403},
		{"malformed ResourceOwnerId", rootCall("DescribeInstances"), wire.Params{"ResourceOwnerId": {"x"}}, "InvalidParameter", 400},
		{"own ResourceOwnerAccount", rootCall("DescribeInstances"), wire.Params{"ResourceOwnerAccount": {"root"}}, "", 0},
		{"another ResourceOwnerAccount", rootCall("DescribeInstances"), wire.Params{"ResourceOwnerAccount": {"other"}}, "Forbidden.RAM", 403},
		{"unknown ResourceOwnerAccount", rootCall("DescribeInstances"), wire.Params{"ResourceOwnerAccount": {"nobody"}},
			"InvalidParameter.ResourceOwnerAccount", 403},
		{"root may send ResourceOwnerAccount anywhere", rootCall("DescribeKeyPairs"), wire.Params{"ResourceOwnerAccount": {"root"}}, "", 0},
		{"RAM user on a 1.2.3 action", userCall("DescribeInstances", "alice"), wire.Params{"ResourceOwnerAccount": {"root"}}, "", 0},
		{"RAM user on another action", userCall("DescribeKeyPairs", "alice"), wire.Params{"ResourceOwnerAccount": {"root"}}, "Forbidden.RAM", 403},
		{"RAM user with an empty ResourceOwnerAccount", userCall("DescribeKeyPairs", "alice"), wire.Params{"ResourceOwnerAccount": {""}}, "", 0},
	}
	for _, c := range cases {
		err := a.Authorize(context.Background(), c.call, c.params)
		if got := code(err); got != c.code {
			t.Errorf("%s: got %q, want %q", c.name, got, c.code)
			continue
		}
		if err != nil {
			if e := apierr.FromError(err); e.HTTPStatus != c.status {
				t.Errorf("%s: status %d, want %d", c.name, e.HTTPStatus, c.status)
			}
		}
	}
}
