package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

const (
	instanceA = "acs:ecs:cn-hangzhou:1234:instance/i-a"
	instanceB = "acs:ecs:cn-hangzhou:1234:instance/i-b"
	diskA     = "acs:ecs:cn-hangzhou:1234:disk/d-a"
)

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

// doc builds a one-statement policy.
func doc(effect, action, resource, condition string) string {
	s := `{"Version":"1","Statement":[{"Effect":"` + effect + `","Action":` + action + `,"Resource":` + resource
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}]}`
}

func TestActionAndResourceWildcards(t *testing.T) {
	cases := []struct {
		name, action, resource string
		reqAction, reqResource string
		want                   Decision
	}{
		{"exact action", `"ecs:StartInstance"`, `"*"`, "ecs:StartInstance", instanceA, Allowed},
		{"action prefix wildcard", `"ecs:Describe*"`, `"*"`, "ecs:DescribeInstances", instanceA, Allowed},
		{"action wildcard does not match another verb", `"ecs:Describe*"`, `"*"`, "ecs:DeleteInstance", instanceA, NotAllowed},
		{"service prefix is case-insensitive", `"ECS:describe*"`, `"*"`, "ecs:DescribeInstances", instanceA, Allowed},
		{"request action case is ignored", `"ecs:describeinstances"`, `"*"`, "ECS:DescribeInstances", instanceA, Allowed},
		{"question mark is one character", `"ecs:?topInstance"`, `"*"`, "ecs:StopInstance", instanceA, Allowed},
		{"question mark is exactly one", `"ecs:?StopInstance"`, `"*"`, "ecs:StopInstance", instanceA, NotAllowed},
		{"other service", `"ecs:*"`, `"*"`, "vpc:DescribeVpcs", instanceA, NotAllowed},
		{"star action", `"*"`, `"*"`, "ram:CreateUser", "acs:ram:*:1234:user/bob", Allowed},
		{"action list", `["ecs:StopInstance","ecs:StartInstance"]`, `"*"`, "ecs:StartInstance", instanceA, Allowed},
		{"exact resource", `"ecs:*"`, `"` + instanceA + `"`, "ecs:StopInstance", instanceA, Allowed},
		{"other resource", `"ecs:*"`, `"` + instanceA + `"`, "ecs:StopInstance", instanceB, NotAllowed},
		{"resource wildcard", `"ecs:*"`, `"acs:ecs:*:*:instance/*"`, "ecs:StopInstance", instanceB, Allowed},
		{"resource wildcard keeps the type", `"ecs:*"`, `"acs:ecs:*:*:instance/*"`, "ecs:DeleteDisk", diskA, NotAllowed},
		{"resource prefix", `"ecs:*"`, `"acs:ecs:cn-hangzhou:1234:instance/i-a*"`, "ecs:StopInstance", instanceA, Allowed},
		{"resource in another region", `"ecs:*"`, `"acs:ecs:cn-beijing:*:*"`, "ecs:StopInstance", instanceA, NotAllowed},
		{"resource is case-sensitive", `"ecs:*"`, `"acs:ecs:*:*:instance/I-A"`, "ecs:StopInstance", instanceA, NotAllowed},
		{"resource list", `"ecs:*"`, `["` + diskA + `","` + instanceB + `"]`, "ecs:StopInstance", instanceB, Allowed},
		{"literal star in the request only matches a star", `"ecs:*"`, `"acs:ecs:*:*:instance/i-a*"`, "ecs:DescribeInstances",
			"acs:ecs:cn-hangzhou:1234:instance/*", NotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, doc("Allow", c.action, c.resource, ""))
			got := Evaluate([]*Policy{p}, &Request{Action: c.reqAction, Resource: c.reqResource, Env: &Env{}})
			if got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestNotActionAndNotResource(t *testing.T) {
	p := mustParse(t, `{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"ecs:Delete*","NotResource":"`+instanceB+`"}]}`)
	cases := []struct {
		action, resource string
		want             Decision
	}{
		{"ecs:StopInstance", instanceA, Allowed},
		{"ecs:DeleteInstance", instanceA, NotAllowed},
		{"ecs:StopInstance", instanceB, NotAllowed},
	}
	for _, c := range cases {
		if got := Evaluate([]*Policy{p}, &Request{Action: c.action, Resource: c.resource, Env: &Env{}}); got != c.want {
			t.Errorf("%s on %s: got %v, want %v", c.action, c.resource, got, c.want)
		}
	}
}

func TestExplicitDenyWinsAndNothingMeansNotAllowed(t *testing.T) {
	allowAll := mustParse(t, doc("Allow", `"*"`, `"*"`, ""))
	denyB := mustParse(t, doc("Deny", `"ecs:*"`, `"`+instanceB+`"`, ""))
	both := mustParse(t, `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"ecs:Stop*","Resource":"*"}]}`)
	cases := []struct {
		name     string
		policies []*Policy
		action   string
		resource string
		want     Decision
	}{
		{"no policy", nil, "ecs:StopInstance", instanceA, NotAllowed},
		{"allow", []*Policy{allowAll}, "ecs:StopInstance", instanceB, Allowed},
		{"deny in another policy wins", []*Policy{allowAll, denyB}, "ecs:StopInstance", instanceB, Denied},
		{"deny listed first wins too", []*Policy{denyB, allowAll}, "ecs:StopInstance", instanceB, Denied},
		{"deny does not touch other resources", []*Policy{allowAll, denyB}, "ecs:StopInstance", instanceA, Allowed},
		{"deny in the same policy", []*Policy{both}, "ecs:StopInstance", instanceA, Denied},
		{"deny alone is not an allow", []*Policy{denyB}, "ecs:StopInstance", instanceA, NotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Evaluate(c.policies, &Request{Action: c.action, Resource: c.resource, Env: &Env{}}); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSessionPolicyIntersectsTheRolePolicies(t *testing.T) {
	roleAll := mustParse(t, doc("Allow", `"ecs:*"`, `"*"`, ""))
	roleDescribe := mustParse(t, doc("Allow", `"ecs:Describe*"`, `"*"`, ""))
	sessionStop := mustParse(t, doc("Allow", `["ecs:StopInstance","ecs:DescribeInstances"]`, `"`+instanceA+`"`, ""))
	sessionDeny := mustParse(t, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"ecs:DescribeInstances","Resource":"*"}]}`)
	cases := []struct {
		name     string
		role     []*Policy
		session  *Policy
		action   string
		resource string
		want     Decision
	}{
		{"no session policy: the role decides", []*Policy{roleAll}, nil, "ecs:DeleteInstance", instanceB, Allowed},
		{"both allow", []*Policy{roleAll}, sessionStop, "ecs:StopInstance", instanceA, Allowed},
		{"role allows, session does not", []*Policy{roleAll}, sessionStop, "ecs:StopInstance", instanceB, NotAllowed},
		{"session allows, role does not", []*Policy{roleDescribe}, sessionStop, "ecs:StopInstance", instanceA, NotAllowed},
		{"session denies", []*Policy{roleAll}, sessionDeny, "ecs:DescribeInstances", instanceA, Denied},
		{"session allows everything, role only describes", []*Policy{roleDescribe}, sessionDeny, "ecs:DescribeDisks", diskA, Allowed},
		{"role has nothing", nil, sessionDeny, "ecs:DescribeDisks", diskA, NotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Request{Action: c.action, Resource: c.resource, Env: &Env{}}
			if got := EvaluateSession(c.role, c.session, r); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	noon := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	env := func(mod func(e *Env)) *Env {
		e := &Env{SourceIP: netip.MustParseAddr("10.1.2.3"), CurrentTime: noon, SecureTransport: true,
			ResourceTags: map[string]string{"team": "a", "cost": "42"}, RequestTags: map[string]string{"team": "new"},
			Extra: map[string]string{"acs:userid": "2001"}}
		if mod != nil {
			mod(e)
		}
		return e
	}
	cases := []struct {
		name      string
		condition string
		env       *Env
		want      bool
	}{
		{"IpAddress in CIDR", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, env(nil), true},
		{"IpAddress outside", `{"IpAddress":{"acs:SourceIp":["192.168.0.0/16","172.16.0.0/12"]}}`, env(nil), false},
		{"IpAddress single address", `{"IpAddress":{"acs:SourceIp":"10.1.2.3"}}`, env(nil), true},
		{"IpAddress IPv6", `{"IpAddress":{"acs:SourceIp":"2001:db8::/32"}}`, env(func(e *Env) { e.SourceIP = netip.MustParseAddr("2001:db8::1") }), true},
		{"IpAddress IPv4-mapped", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, env(func(e *Env) { e.SourceIP = netip.MustParseAddr("::ffff:10.9.9.9") }), true},
		{"NotIpAddress outside", `{"NotIpAddress":{"acs:SourceIp":"192.168.0.0/16"}}`, env(nil), true},
		{"NotIpAddress inside", `{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, env(nil), false},
		{"IpAddress without a source address", `{"IpAddress":{"acs:SourceIp":"0.0.0.0/0"}}`, env(func(e *Env) { e.SourceIP = netip.Addr{} }), false},
		{"DateLessThan before", `{"DateLessThan":{"acs:CurrentTime":"2026-06-01T13:00:00Z"}}`, env(nil), true},
		{"DateLessThan after", `{"DateLessThan":{"acs:CurrentTime":"2026-06-01T12:00:00Z"}}`, env(nil), false},
		{"DateLessThanEquals same instant", `{"DateLessThanEquals":{"acs:CurrentTime":"2026-06-01T20:00:00+08:00"}}`, env(nil), true},
		{"DateGreaterThan", `{"DateGreaterThan":{"acs:CurrentTime":"2026-01-01"}}`, env(nil), true},
		{"DateGreaterThanEquals later", `{"DateGreaterThanEquals":{"acs:CurrentTime":"2027-01-01T00:00:00Z"}}`, env(nil), false},
		{"DateEquals", `{"DateEquals":{"acs:CurrentTime":"2026-06-01T12:00:00Z"}}`, env(nil), true},
		{"DateNotEquals", `{"DateNotEquals":{"acs:CurrentTime":"2026-06-01T12:00:00Z"}}`, env(nil), false},
		{"Bool SecureTransport true", `{"Bool":{"acs:SecureTransport":"true"}}`, env(nil), true},
		{"Bool SecureTransport over HTTP", `{"Bool":{"acs:SecureTransport":true}}`, env(func(e *Env) { e.SecureTransport = false }), false},
		{"Bool MFAPresent is false for API calls", `{"Bool":{"acs:MFAPresent":"true"}}`, env(nil), false},
		{"Bool MFAPresent false", `{"Bool":{"acs:MFAPresent":"false"}}`, env(nil), true},
		{"StringEquals resource tag", `{"StringEquals":{"ecs:tag/team":"a"}}`, env(nil), true},
		{"StringEquals resource tag other value", `{"StringEquals":{"ecs:tag/team":["b","c"]}}`, env(nil), false},
		{"StringEquals tag the resource lacks", `{"StringEquals":{"ecs:tag/owner":"a"}}`, env(nil), false},
		{"StringEquals tag key is case-sensitive", `{"StringEquals":{"ecs:tag/Team":"a"}}`, env(nil), false},
		{"StringNotEquals other value", `{"StringNotEquals":{"ecs:tag/team":"b"}}`, env(nil), true},
		{"StringNotEquals same value", `{"StringNotEquals":{"ecs:tag/team":"a"}}`, env(nil), false},
		{"StringNotEquals tag absent", `{"StringNotEquals":{"ecs:tag/owner":"a"}}`, env(nil), true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"ecs:tag/team":"A"}}`, env(nil), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"ecs:tag/team":"A"}}`, env(nil), false},
		{"StringLike", `{"StringLike":{"ecs:tag/team":"?"}}`, env(nil), true},
		{"StringLike star", `{"StringLike":{"ecs:tag/team":"b*"}}`, env(nil), false},
		{"StringNotLike", `{"StringNotLike":{"ecs:tag/team":"b*"}}`, env(nil), true},
		{"new resource reads the request tags", `{"StringEquals":{"ecs:tag/team":"new"}}`, env(func(e *Env) { e.NewResource = true }), true},
		{"new resource ignores resource tags", `{"StringEquals":{"ecs:tag/team":"a"}}`, env(func(e *Env) { e.NewResource = true }), false},
		{"vpc:tag is a service tag too", `{"StringEquals":{"vpc:tag/team":"a"}}`, env(nil), true},
		{"acs:ResourceTag", `{"StringEquals":{"acs:ResourceTag/team":"a"}}`, env(func(e *Env) { e.NewResource = true }), true},
		{"acs:RequestTag", `{"StringEquals":{"acs:RequestTag/team":"new"}}`, env(nil), true},
		{"NumericEquals", `{"NumericEquals":{"ecs:tag/cost":42}}`, env(nil), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"ecs:tag/cost":"42"}}`, env(nil), false},
		{"NumericLessThan", `{"NumericLessThan":{"ecs:tag/cost":"50"}}`, env(nil), true},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"ecs:tag/cost":42}}`, env(nil), true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"ecs:tag/cost":42}}`, env(nil), false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"ecs:tag/cost":41.5}}`, env(nil), true},
		{"Numeric on a non-number value", `{"NumericEquals":{"ecs:tag/team":1}}`, env(nil), false},
		{"other keys come from Extra", `{"StringEquals":{"acs:UserId":"2001"}}`, env(nil), true},
		{"unknown key is absent", `{"StringEquals":{"acs:SourceVpc":"vpc-1"}}`, env(nil), false},
		{"StringEquals on the source IP", `{"StringEquals":{"acs:SourceIp":"10.1.2.3"}}`, env(nil), true},
		{"all operators must hold", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"},"Bool":{"acs:SecureTransport":"false"}}`, env(nil), false},
		{"all keys of an operator must hold", `{"StringEquals":{"ecs:tag/team":"a","ecs:tag/cost":"41"}}`, env(nil), false},
		{"both hold", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"},"StringEquals":{"ecs:tag/team":"a","ecs:tag/cost":"42"}}`, env(nil), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, doc("Allow", `"ecs:*"`, `"*"`, c.condition))
			got := Evaluate([]*Policy{p}, &Request{Action: "ecs:StopInstance", Resource: instanceA, Env: c.env}) == Allowed
			if got != c.want {
				t.Fatalf("allowed=%v, want %v", got, c.want)
			}
		})
	}
}

func TestDenyWithConditionOnlyDeniesWhenItHolds(t *testing.T) {
	p := mustParse(t, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}`)
	inside := &Env{SourceIP: netip.MustParseAddr("10.0.0.1")}
	outside := &Env{SourceIP: netip.MustParseAddr("8.8.8.8")}
	if got := Evaluate([]*Policy{p}, &Request{Action: "ecs:StopInstance", Resource: instanceA, Env: inside}); got != Allowed {
		t.Fatalf("inside: %v", got)
	}
	if got := Evaluate([]*Policy{p}, &Request{Action: "ecs:StopInstance", Resource: instanceA, Env: outside}); got != Denied {
		t.Fatalf("outside: %v", got)
	}
}

func TestReadsTags(t *testing.T) {
	if mustParse(t, doc("Allow", `"*"`, `"*"`, `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`)).ReadsTags() {
		t.Fatal("IP condition reported as reading tags")
	}
	for _, key := range []string{"ecs:tag/a", "acs:ResourceTag/a", "acs:RequestTag/a"} {
		if !mustParse(t, doc("Allow", `"*"`, `"*"`, `{"StringEquals":{"`+key+`":"x"}}`)).ReadsTags() {
			t.Fatalf("%s not reported as reading tags", key)
		}
	}
}

func TestTrustPolicy(t *testing.T) {
	p, err := ParseTrust(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
		"Principal":{"RAM":["acs:ram::1234:root"],"Service":"ecs.aliyuncs.com"}},
		{"Effect":"Deny","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::1234:user/mallory"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		typ  string
		ids  []string
		want bool
	}{
		{"RAM", []string{"acs:ram::1234:user/alice", "acs:ram::1234:root"}, true},
		{"RAM", []string{"acs:ram::9999:root"}, false},
		{"Service", []string{"ecs.aliyuncs.com"}, true},
		{"RAM", []string{"acs:ram::1234:user/mallory", "acs:ram::1234:root"}, false},
	}
	for _, c := range cases {
		if got := p.AllowsAssume(c.typ, c.ids, "sts:AssumeRole", nil); got != c.want {
			t.Errorf("%s %v: got %v", c.typ, c.ids, got)
		}
	}
	if p.AllowsAssume("RAM", []string{"acs:ram::1234:root"}, "sts:GetCallerIdentity", nil) {
		t.Error("trust policy allowed another action")
	}
}

func TestCacheParsesADocumentOnce(t *testing.T) {
	c := NewCache(2)
	d := doc("Allow", `"*"`, `"*"`, "")
	p1, err := c.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := c.Parse(strings.Clone(d))
	if p1 != p2 {
		t.Fatal("same text parsed twice")
	}
	if _, err := c.Parse(`{"Version":"2"}`); err == nil {
		t.Fatal("malformed document accepted")
	}
	if _, err := c.Parse(`{"Version":"2"}`); err == nil {
		t.Fatal("malformed document accepted from the cache")
	}
	if c.Len() != 2 {
		t.Fatalf("len %d", c.Len())
	}
	if _, err := c.Parse(doc("Deny", `"*"`, `"*"`, "")); err != nil || c.Len() > 2 {
		t.Fatalf("cache grew past its capacity: %d, %v", c.Len(), err)
	}
}
