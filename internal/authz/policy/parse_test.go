package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateAcceptsRAMDocuments(t *testing.T) {
	docs := []string{
		// AliyunECSReadOnlyAccess, as RAM ships it.
		`{"Version":"1","Statement":[{"Action":"ecs:Describe*","Resource":"*","Effect":"Allow"},
		  {"Action":["vpc:DescribeVpcs","vpc:DescribeVSwitches"],"Resource":"*","Effect":"Allow"}]}`,
		`{"Version":"1","Statement":[{"Effect":"Deny","NotAction":["ecs:Describe*"],"NotResource":"acs:ecs:*:*:instance/i-1"}]}`,
		`{"Version":"1","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		`{"Version":"1","Statement":[{"Sid":"x","Effect":"Allow","Action":"ecs:*","Resource":"*",
		  "Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.1.1"]},"Bool":{"acs:SecureTransport":true},
		  "DateLessThan":{"acs:CurrentTime":"2030-01-01T00:00:00+08:00"},"NumericLessThan":{"ecs:tag/n":10},
		  "StringLike":{"ecs:tag/team":"a*"}}}]}`,
	}
	for _, d := range docs {
		if err := Validate(d); err != nil {
			t.Errorf("Validate(%s): %v", d, err)
		}
	}
}

func TestValidateNamesWhatIsMalformed(t *testing.T) {
	cases := []struct {
		name, doc, path, reason string
	}{
		{"empty", ``, "", "empty"},
		{"not JSON", `{"Version":`, "", "not valid JSON"},
		{"not an object", `[1]`, "", "must be a JSON object"},
		{"trailing data", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} {}`, "", "data after its end"},
		{"unknown top-level element", `{"Version":"1","Statement":[],"Extra":1}`, "", `unknown element "Extra"`},
		{"no version", `{"Statement":[]}`, "Version", "missing"},
		{"wrong version", `{"Version":"2012-10-17","Statement":[]}`, "Version", `"2012-10-17"`},
		{"numeric version", `{"Version":1,"Statement":[]}`, "Version", `must be the string "1"`},
		{"no statement", `{"Version":"1"}`, "Statement", "missing"},
		{"empty statement list", `{"Version":"1","Statement":[]}`, "Statement", "no statement"},
		{"statement not an object", `{"Version":"1","Statement":["x"]}`, "Statement[0]", "JSON object"},
		{"no effect", `{"Version":"1","Statement":[{"Action":"*","Resource":"*"}]}`, "Statement[0].Effect", "missing"},
		{"bad effect", `{"Version":"1","Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, "Statement[0].Effect", `"allow"`},
		{"no action", `{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Statement[0]", "neither Action nor NotAction"},
		{"action and not action", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}`,
			"Statement[0]", "both Action and NotAction"},
		{"action without service", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"DescribeInstances","Resource":"*"}]}`,
			"Statement[0].Action[0]", "service:action"},
		{"empty action list", `{"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "Statement[0].Action", "empty array"},
		{"action not a string", `{"Version":"1","Statement":[{"Effect":"Allow","Action":3,"Resource":"*"}]}`, "Statement[0].Action", "string or an array"},
		{"no resource", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*"}]}`, "Statement[0]", "neither Resource nor NotResource"},
		{"bad resource", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":["*","instance/i-1"]}]}`,
			"Statement[0].Resource[1]", "ARN"},
		{"unknown statement element", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"RAM":"*"}}]}`,
			"Statement[0]", `unknown element "Principal"`},
		{"unknown operator", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringMatches":{"a:b":"c"}}}]}`,
			"Statement[0].Condition", `unknown operator "StringMatches"`},
		{"bad key", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"team":"a"}}}]}`,
			"Statement[0].Condition.StringEquals.team", "service:name"},
		{"empty tag key", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"ecs:tag/":"a"}}}]}`,
			"Statement[0].Condition.StringEquals.ecs:tag/", "no tag key"},
		{"bad IP", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}}]}`,
			"Statement[0].Condition.IpAddress.acs:SourceIp", "CIDR"},
		{"bad date", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"tomorrow"}}}]}`,
			"Statement[0].Condition.DateLessThan.acs:CurrentTime", "ISO 8601"},
		{"bad bool", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"yes"}}}]}`,
			"Statement[0].Condition.Bool.acs:SecureTransport", "true or false"},
		{"bad number", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"ecs:tag/n":"ten"}}}]}`,
			"Statement[0].Condition.NumericEquals.ecs:tag/n", "not a number"},
		{"object value", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"ecs:tag/n":{}}}}]}`,
			"Statement[0].Condition.StringEquals.ecs:tag/n", "strings, numbers or booleans"},
		{"null value", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"ecs:tag/n":null}}}]}`,
			"Statement[0].Condition.StringEquals.ecs:tag/n", "strings, numbers or booleans"},
		{"empty value list", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"ecs:tag/n":[]}}}]}`,
			"Statement[0].Condition.StringEquals.ecs:tag/n", "empty array"},
		{"second statement", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny"}]}`,
			"Statement[1]", "neither Action nor NotAction"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Validate(c.doc)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Validate: %v, want a *policy.Error", err)
			}
			if pe.Path != c.path || !strings.Contains(pe.Reason, c.reason) {
				t.Fatalf("got path %q reason %q, want path %q and a reason containing %q", pe.Path, pe.Reason, c.path, c.reason)
			}
		})
	}
}

func TestValidateTrust(t *testing.T) {
	ok := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234:root"]}}]}`
	if err := ValidateTrust(ok); err != nil {
		t.Fatal(err)
	}
	if err := Validate(ok); err == nil {
		t.Fatal("a trust policy was accepted as a permission policy")
	}
	bad := map[string]string{
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`:                                        "Principal: is missing",
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"*"}}]}`:                `type "AWS"`,
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{}}]}`:                         "names no principal",
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"*"},"Resource":"*"}]}`: `unknown element "Resource"`,
	}
	for d, want := range bad {
		if err := ValidateTrust(d); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateTrust(%s) = %v, want %q", d, err, want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"a*", "a", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"*b*", "abc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "a界c", true},
		{"**", "x", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"acs:ecs:*:*:instance/*", "acs:ecs:cn-hangzhou:1:instance/i-1", true},
		{"acs:ecs:*:*:instance/*", "acs:ecs:cn-hangzhou:1:disk/d-1", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.s, false); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
	if !globMatch("ecs:describe*", "ECS:DescribeInstances", true) {
		t.Error("fold did not fold")
	}
}
