package sign

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fuzzParams decodes fuzz input into parameters: data is a sequence of
// key, value, key, value … separated by NUL bytes (a missing last value is
// empty), so keys and values can hold any other byte.
func fuzzParams(data string) url.Values {
	p := url.Values{}
	fields := strings.Split(data, "\x00")
	for i := 0; i < len(fields) && i < 128; i += 2 {
		v := ""
		if i+1 < len(fields) {
			v = fields[i+1]
		}
		p.Add(fields[i], v)
	}
	return p
}

// FuzzVerifyV1 checks that VerifyV1 never panics, that SignV1 agrees with
// the alibaba-cloud-sdk-go recipe, that a request signed by SignV1 always
// verifies and that changing any parameter value makes it fail.
func FuzzVerifyV1(f *testing.F) {
	f.Add("GET", "AccessKeyId\x00testid\x00Action\x00DescribeRegions\x00Format\x00XML\x00SignatureMethod\x00HMAC-SHA1\x00SignatureNonce\x003ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\x00SignatureVersion\x001.0\x00Timestamp\x002016-02-23T12:46:24Z\x00Version\x002014-05-26\x00Signature\x00OLeaidS1JvxuMvnyHOwuJ+uX5qY=", "testsecret", uint8(0))
	f.Add("POST", "InstanceName\x00a b*~é/\x00SignatureType\x00\x00RegionId\x00cn-hangzhou", "s", uint8(1))
	f.Add("POST", "Signature\x00\x00Signature\x00x", "", uint8(2))
	f.Add("", "", "", uint8(0))
	f.Add("PUT", "a\x00b\x00a\x00c\x00%7E\x00+*\x00\xff\x00\x00", "&", uint8(3))
	f.Fuzz(func(t *testing.T, method, data, secret string, pick uint8) {
		params := fuzzParams(data)
		VerifyV1(method, params, secret) // must not panic, whatever the input

		params.Del(SignatureParam)
		sig := SignV1(method, params, secret)
		if want := sdkSignV1(method, params, secret); sig != want {
			t.Fatalf("SignV1 = %s, SDK recipe %s (sts %q vs %q)", sig, want,
				StringToSignV1(method, params), sdkStringToSignV1(method, params))
		}
		params.Set(SignatureParam, sig)
		ok, sts := VerifyV1(method, params, secret)
		if !ok || sts != StringToSignV1(method, params) {
			t.Fatalf("signed request rejected; sts %q", sts)
		}

		keys := sortedKeys(params)
		keys = slicesDelete(keys, SignatureParam)
		if len(keys) == 0 {
			return
		}
		k := keys[int(pick)%len(keys)]
		vals := append([]string(nil), params[k]...)
		params[k][int(pick)%len(vals)] += string(rune('!' + pick%90))
		if ok, _ := VerifyV1(method, params, secret); ok {
			t.Fatalf("changed %q from %q to %q and still verified", k, vals, params[k])
		}
	})
}

// slicesDelete returns s without the elements equal to v.
func slicesDelete(s []string, v string) []string {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// FuzzParseV3Authorization checks that parsing never panics, that every
// failure wraps ErrIncompleteSignature and that valid headers round-trip
// through String.
func FuzzParseV3Authorization(f *testing.F) {
	f.Add("ACS3-HMAC-SHA256 Credential=probe-ak,SignedHeaders=" + teaSignedHeaders + ",Signature=381578e5bc76064ac89e85e10cb8283705dc1ef824d60fcd0c1bbfbb2a4fa50b")
	f.Add("ACS3-HMAC-SHA256 Credential=a, SignedHeaders=host;x-acs-date, Signature=00")
	f.Add("ACS3-HMAC-SHA256 Signature=00,Credential=a,SignedHeaders=Host,Extra=1")
	f.Add("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;;x,Signature=00")
	f.Add("ACS3-HMAC-SHA256 Credential=a,Credential=b,SignedHeaders=host,Signature=00")
	f.Add("acs ak:sig")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		a, err := ParseV3Authorization(header)
		if err != nil {
			if !errors.Is(err, ErrIncompleteSignature) {
				t.Fatalf("error %v does not wrap ErrIncompleteSignature", err)
			}
			return
		}
		if a.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted an incomplete authorization: %+v", a)
		}
		s := a.String()
		b, err := ParseV3Authorization(s)
		if err != nil {
			t.Fatalf("String() = %q does not parse: %v", s, err)
		}
		if !reflect.DeepEqual(a, b) || b.String() != s {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
		if !IsV3(http.Header{"Authorization": {header}}) {
			t.Fatalf("IsV3 false for a parsable header %q", header)
		}
	})
}

// fuzzHeader decodes "name:value" lines into a header.
func fuzzHeader(blob string) http.Header {
	h := http.Header{}
	lines := strings.Split(blob, "\n")
	for i := 0; i < len(lines) && i < 64; i++ {
		name, value, _ := strings.Cut(lines[i], ":")
		h.Add(name, value)
	}
	return h
}

// signableHeaders reports whether SignV3 would sign only valid header names
// in h (otherwise the Authorization it writes cannot parse).
func signableHeaders(h http.Header) bool {
	for k := range h {
		lk := strings.ToLower(k)
		if (lk == headerContentType || strings.HasPrefix(lk, headerACSPrefix)) && !isToken(lk) {
			return false
		}
	}
	return true
}

// cloneRequest copies the parts of r that signing touches.
func cloneRequest(r *http.Request) *http.Request {
	u := *r.URL
	return &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: r.Header.Clone()}
}

// FuzzVerifyV3 checks that VerifyV3 never panics on arbitrary requests, that
// its failures are ErrIncompleteSignature, and that SignV3 followed by
// VerifyV3 succeeds while a changed body fails.
func FuzzVerifyV3(f *testing.F) {
	capturedHeaders := []string{}
	r := capturedV3()
	for k, vs := range r.Header {
		capturedHeaders = append(capturedHeaders, k+":"+vs[0])
	}
	sort.Strings(capturedHeaders)
	f.Add("POST", "127.0.0.1:36865", "ForceStop=true&InstanceId=i-doesnotexist", strings.Join(capturedHeaders, "\n"), []byte(nil), "probe-secret")
	f.Add("POST", "ecs.example.com:8080", "RegionId=cn-hangzhou&InstanceName=a+b%2A~&Empty=",
		"Content-Type:application/x-www-form-urlencoded\nX-Acs-Action:RunInstances\nx-acs-date: 2026-11-28T14:17:19Z\nAuthorization:ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date,Signature="+handV3Sig,
		[]byte(handV3Body), "testsecret")
	f.Add("GET", "", "a=%zz&;b", "Authorization:ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-missing,Signature=zz\nX-Acs-Content-Sha256:00", []byte("x"), "")
	f.Add("", "h", "", "x-acs-a b:1\nX-ACS-MULTI:1\nx-acs-multi:2", []byte{0xff}, "k")
	f.Fuzz(func(t *testing.T, method, host, rawQuery, headerBlob string, body []byte, secret string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: "/", RawQuery: rawQuery}, Host: host, Header: fuzzHeader(headerBlob)}
		ok, sts, err := VerifyV3(r, body, secret)
		if err != nil && (!errors.Is(err, ErrIncompleteSignature) || ok) {
			t.Fatalf("VerifyV3 = %v, %v", ok, err)
		}
		if err == nil && !strings.HasPrefix(sts, V3Algorithm+"\n") {
			t.Fatalf("string to sign %q", sts)
		}

		if host == "" || !signableHeaders(r.Header) {
			return
		}
		s := cloneRequest(r)
		SignV3(s, body, "ak", secret)
		if ok, sts, err := VerifyV3(s, body, secret); !ok || err != nil {
			t.Fatalf("SignV3 then VerifyV3 = %v, %v; sts %q; authorization %q", ok, err, sts, s.Header.Get("Authorization"))
		}
		if ok, _, _ := VerifyV3(s, append(append([]byte(nil), body...), 'x'), secret); ok {
			t.Fatal("changed body still verified")
		}
	})
}
