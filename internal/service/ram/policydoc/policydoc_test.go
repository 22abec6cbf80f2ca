package policydoc

import "testing"

func TestGrammar(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		kind Kind
		ok   bool
	}{
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`, Permission, true},
		{`{"Version":"1","Statement":{"Effect":"Deny","Action":["ecs:Stop*"],"Resource":["acs:ecs:*:*:instance/*"]}}`, Permission, true},
		{`{"Version":"2","Statement":[]}`, Permission, false},
		{`{"Statement":[]}`, Permission, false},
		{`{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`, Permission, false},
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"RAM":"1"}}]}`, Permission, false},
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}],"Extra":1}`, Permission, false},
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}`, Trust, true},
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Principal":{"RAM":["acs:ram::1:root"]}}]}`, Trust, false},
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, Trust, false},
		{`[1]`, Permission, false},
	} {
		_, err := Parse(tc.doc, tc.kind)
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%s) error = %v, want ok=%v", tc.doc, err, tc.ok)
		}
	}
}

func TestTrust(t *testing.T) {
	doc, err := Parse(`{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::100:root","acs:ram::200:user/bob"],"Service":"ecs.aliyuncs.com"}},
		{"Effect":"Deny","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::100:user/mallory"}}]}`, Trust)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    Caller
		want bool
	}{
		{Caller{AccountID: 100}, true},
		{Caller{AccountID: 100, UserName: "alice"}, true},
		{Caller{AccountID: 100, UserName: "mallory"}, false},
		{Caller{AccountID: 200}, false},
		{Caller{AccountID: 200, UserName: "bob"}, true},
		{Caller{AccountID: 300}, false},
		{Caller{Service: "ecs.aliyuncs.com"}, true},
		{Caller{Service: "ecs.example.com"}, true},
		{Caller{Service: "oss.aliyuncs.com"}, false},
	} {
		if got := doc.Trusts(tc.c); got != tc.want {
			t.Errorf("Trusts(%+v) = %v, want %v", tc.c, got, tc.want)
		}
	}
	ext, _ := Parse(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::1:root"},
		"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`, Trust)
	if ext.Trusts(Caller{AccountID: 1}) || !ext.Trusts(Caller{AccountID: 1, ExternalID: "abc"}) {
		t.Error("sts:ExternalId condition not applied")
	}
}
