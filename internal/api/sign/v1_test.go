package sign

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"AZaz09-_.~", "AZaz09-_.~"},
		{" ", "%20"},
		{"+", "%2B"},
		{"*", "%2A"},
		{"~", "~"},
		{"/", "%2F"},
		{"%", "%25"},
		{"=&", "%3D%26"},
		{"é", "%C3%A9"},
		{"中", "%E4%B8%AD"},
		{"\xff", "%FF"},
		{"\x00\n", "%00%0A"},
		{"!'()", "%21%27%28%29"},
		{"2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z"},
		{`["i-1","i-2"]`, "%5B%22i-1%22%2C%22i-2%22%5D"},
	}
	for _, tc := range tests {
		if got := PercentEncode(tc.in); got != tc.want {
			t.Errorf("PercentEncode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// guideParams are the parameters of the signing example in the ECS
// Developer Guide 1.2.4 and in Alibaba Cloud's public RPC signature
// documentation (DescribeRegions, AccessKey testid/testsecret).
func guideParams(timestampKey string) url.Values {
	return url.Values{
		timestampKey:       {"2016-02-23T12:46:24Z"},
		"Format":           {"XML"},
		"AccessKeyId":      {"testid"},
		"Action":           {"DescribeRegions"},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureNonce":   {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
		"Version":          {"2014-05-26"},
		"SignatureVersion": {"1.0"},
	}
}

// mustParseQuery parses a captured query string.
func mustParseQuery(t *testing.T, s string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(s)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", s, err)
	}
	return v
}

// union returns a ∪ b (values of b appended after those of a).
func union(a, b url.Values) url.Values {
	out := url.Values{}
	for k, vs := range a {
		out[k] = append(out[k], vs...)
	}
	for k, vs := range b {
		out[k] = append(out[k], vs...)
	}
	return out
}

func TestV1Vectors(t *testing.T) {
	tests := []struct {
		name, method, secret string
		params               url.Values
		wantSTS, wantSig     string
	}{
		{
			// Public Alibaba Cloud RPC signature example ("Timestamp").
			name: "public doc example", method: "GET", secret: "testsecret",
			params:  guideParams("Timestamp"),
			wantSTS: "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
			wantSig: "OLeaidS1JvxuMvnyHOwuJ+uX5qY=",
		},
		{
			// The guide spells it "TimeStamp" and masks the tail of the
			// signature: "CT9X0VtwR86fNWSnsc6v8YGO****".
			name: "developer guide 1.2.4", method: "GET", secret: "testsecret",
			params:  guideParams("TimeStamp"),
			wantSTS: "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
			wantSig: "CT9X0VtwR86fNWSnsc6v8YGOjuE=",
		},
		{
			// Hand-computed: canonical string written out by hand, HMAC from
			// `openssl dgst -sha1 -hmac 'testsecret&' -binary | base64`.
			// Covers an empty value, space, '*', '~', UTF-8 and '/'.
			name: "hand computed", method: "POST", secret: "testsecret",
			params: url.Values{
				"AccessKeyId": {"testid"}, "Action": {"DescribeRegions"}, "Format": {"JSON"},
				"InstanceName": {"a b*~é/"}, "SignatureMethod": {"HMAC-SHA1"}, "SignatureNonce": {"abc"},
				"SignatureType": {""}, "SignatureVersion": {"1.0"}, "Timestamp": {"2016-02-23T12:46:24Z"},
				"Version": {"2014-05-26"},
			},
			wantSTS: "POST&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DJSON%26InstanceName%3Da%2520b%252A~%25C3%25A9%252F%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dabc%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
			wantSig: "uANDm8p9olZ1SDLZR/vq6/GcZsY=",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StringToSignV1(tc.method, tc.params); got != tc.wantSTS {
				t.Errorf("StringToSignV1\n got %s\nwant %s", got, tc.wantSTS)
			}
			if got := SignV1(tc.method, tc.params, tc.secret); got != tc.wantSig {
				t.Errorf("SignV1 = %s, want %s", got, tc.wantSig)
			}
			p := union(tc.params, url.Values{"Signature": {tc.wantSig}})
			if ok, sts := VerifyV1(tc.method, p, tc.secret); !ok || sts != tc.wantSTS {
				t.Errorf("VerifyV1 = %v, %q", ok, sts)
			}
		})
	}
}

// Requests captured from the real clients (research/clients.md), secret
// "probe-secret".
func TestV1Captured(t *testing.T) {
	tests := []struct {
		name, method, query, form string
	}{
		{
			name: "alibaba-cloud-sdk-go DescribeRegions", method: "POST",
			query: "AccessKeyId=probe-ak&Action=DescribeRegions&Format=JSON&RegionId=cn-hangzhou&Signature=eITUaAgIZUeqlf3YM3lzjByv%2FlA%3D&SignatureMethod=HMAC-SHA1&SignatureNonce=64916ccb528608b25f5e67aa5a386345&SignatureType=&SignatureVersion=1.0&Timestamp=2026-11-28T14%3A18%3A45Z&Version=2014-05-26",
		},
		{
			name: "tea-rpc (Terraform) query plus form body", method: "POST",
			query: "AccessKeyId=probe-ak&Action=StopInstance&Format=json&Signature=uAO6K8%2F5SXb86obVcnA3yWsViJM%3D&SignatureMethod=HMAC-SHA1&SignatureNonce=ab8b7724e899296b83b57f10900019db&SignatureVersion=1.0&Timestamp=2026-11-28T14%3A17%3A20Z&Version=2014-05-26",
			form:  "ForceStop=true&InstanceId=i-doesnotexist",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := union(mustParseQuery(t, tc.query), mustParseQuery(t, tc.form))
			if ok, sts := VerifyV1(tc.method, p, "probe-secret"); !ok {
				t.Errorf("VerifyV1 rejected a captured request; string to sign %s", sts)
			}
			if ok, _ := VerifyV1(tc.method, p, "wrong-secret"); ok {
				t.Error("VerifyV1 accepted the wrong secret")
			}
			if tc.form != "" {
				if ok, _ := VerifyV1(tc.method, mustParseQuery(t, tc.query), "probe-secret"); ok {
					t.Error("VerifyV1 accepted the request without its form parameters")
				}
			}
		})
	}
}

func TestVerifyV1Rejects(t *testing.T) {
	const secret = "s3cret"
	base := url.Values{
		"AccessKeyId": {"ak"}, "Action": {"StopInstance"}, "InstanceId": {"i-1"},
		"SignatureType": {""}, "Timestamp": {"2026-01-02T03:04:05Z"},
	}
	signed := func() url.Values {
		p := union(base, nil)
		p.Set("Signature", SignV1("POST", p, secret))
		return p
	}
	tests := []struct {
		name   string
		method string
		secret string
		edit   func(url.Values)
		want   bool
	}{
		{"intact", "POST", secret, func(url.Values) {}, true},
		{"wrong secret", "POST", "other", func(url.Values) {}, false},
		{"secret with ampersand appended", "POST", secret + "&", func(url.Values) {}, false},
		{"other method", "GET", secret, func(url.Values) {}, false},
		{"lower-case method", "post", secret, func(url.Values) {}, false},
		{"changed value", "POST", secret, func(p url.Values) { p.Set("InstanceId", "i-2") }, false},
		{"added param", "POST", secret, func(p url.Values) { p.Set("Force", "true") }, false},
		{"added empty param", "POST", secret, func(p url.Values) { p.Set("Force", "") }, false},
		{"dropped empty SignatureType", "POST", secret, func(p url.Values) { p.Del("SignatureType") }, false},
		{"repeated value", "POST", secret, func(p url.Values) { p.Add("InstanceId", "i-1") }, false},
		{"key case", "POST", secret, func(p url.Values) { p["instanceId"] = p["InstanceId"]; p.Del("InstanceId") }, false},
		{"missing signature", "POST", secret, func(p url.Values) { p.Del("Signature") }, false},
		{"empty signature", "POST", secret, func(p url.Values) { p.Set("Signature", "") }, false},
		{"repeated signature", "POST", secret, func(p url.Values) { p.Add("Signature", p.Get("Signature")) }, false},
		{"signature case", "POST", secret, func(p url.Values) { p.Set("Signature", strings.ToLower(p.Get("Signature"))) }, false},
		{"signature unpadded", "POST", secret, func(p url.Values) { p.Set("Signature", strings.TrimRight(p.Get("Signature"), "=")) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := signed()
			tc.edit(p)
			if ok, _ := VerifyV1(tc.method, p, tc.secret); ok != tc.want {
				t.Errorf("VerifyV1 = %v, want %v", ok, tc.want)
			}
		})
	}
}

// The string to sign must equal the one alibaba-cloud-sdk-go builds (its
// url.Values.Encode-and-replace recipe) for arbitrary parameters.
func TestV1MatchesSDKRecipe(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		p := randomParams(r, 8)
		method := []string{"GET", "POST", "PUT"}[r.IntN(3)]
		secret := randomString(r, 5)
		if got, want := StringToSignV1(method, p), sdkStringToSignV1(method, p); got != want {
			t.Fatalf("params %q:\n got %s\nwant %s", p, got, want)
		}
		sig := sdkSignV1(method, p, secret)
		if got := SignV1(method, p, secret); got != sig {
			t.Fatalf("params %q: SignV1 = %s, SDK recipe %s", p, got, sig)
		}
		p.Set("Signature", sig)
		if ok, _ := VerifyV1(method, p, secret); !ok {
			t.Fatalf("params %q: SDK-signed request rejected", p)
		}
	}
}

// PercentEncode must equal the recipe the guide gives for Java
// (URLEncoder.encode then the three replacements), here with Go's
// url.QueryEscape.
func TestPercentEncodeMatchesQueryEscapeRecipe(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		s := randomString(r, 12)
		want := url.QueryEscape(s)
		want = strings.ReplaceAll(want, "+", "%20")
		want = strings.ReplaceAll(want, "*", "%2A")
		want = strings.ReplaceAll(want, "%7E", "~")
		if got := PercentEncode(s); got != want {
			t.Fatalf("PercentEncode(%q) = %q, want %q", s, got, want)
		}
	}
}

func BenchmarkVerifyV1(b *testing.B) {
	p := union(guideParams("Timestamp"), url.Values{"SignatureType": {""}, "RegionId": {"cn-hangzhou"}})
	p.Set("Signature", SignV1("POST", p, "secret"))
	for b.Loop() {
		if ok, _ := VerifyV1("POST", p, "secret"); !ok {
			b.Fatal("rejected")
		}
	}
}
