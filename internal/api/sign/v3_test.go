package sign

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// teaSignedHeaders is the SignedHeaders list the Tea SDK sends.
const teaSignedHeaders = "host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version"

func TestParseV3Authorization(t *testing.T) {
	tea := "ACS3-HMAC-SHA256 Credential=probe-ak,SignedHeaders=" + teaSignedHeaders + ",Signature=3815"
	teaWant := V3Authorization{
		AccessKeyID:   "probe-ak",
		SignedHeaders: strings.Split(teaSignedHeaders, ";"),
		Signature:     "3815",
	}
	tests := []struct {
		name    string
		in      string
		want    V3Authorization
		wantErr bool
	}{
		{name: "tea sdk", in: tea, want: teaWant},
		{name: "spaces after commas", in: strings.ReplaceAll(tea, ",", ", "), want: teaWant},
		{name: "spaces around fields", in: "ACS3-HMAC-SHA256  Credential=probe-ak , SignedHeaders=" + teaSignedHeaders + " ,Signature=3815 ", want: teaWant},
		{name: "fields reordered", in: "ACS3-HMAC-SHA256 Signature=3815,SignedHeaders=" + teaSignedHeaders + ",Credential=probe-ak", want: teaWant},
		{name: "unknown field ignored", in: tea + ",Region=cn-hangzhou", want: teaWant},
		{name: "mixed-case header names kept", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host;X-Acs-Date,Signature=00",
			want: V3Authorization{AccessKeyID: "a", SignedHeaders: []string{"Host", "X-Acs-Date"}, Signature: "00"}},
		{name: "empty", in: "", wantErr: true},
		{name: "no space after algorithm", in: "ACS3-HMAC-SHA256Credential=a,SignedHeaders=host,Signature=00", wantErr: true},
		{name: "other algorithm", in: strings.Replace(tea, "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3", 1), wantErr: true},
		{name: "lower-case algorithm", in: strings.Replace(tea, "ACS3-HMAC-SHA256", "acs3-hmac-sha256", 1), wantErr: true},
		{name: "v1 style", in: "acs probe-ak:c2lnbmF0dXJl", wantErr: true},
		{name: "missing credential", in: "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=00", wantErr: true},
		{name: "missing signed headers", in: "ACS3-HMAC-SHA256 Credential=a,Signature=00", wantErr: true},
		{name: "missing signature", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host", wantErr: true},
		{name: "empty signature", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=", wantErr: true},
		{name: "empty credential", in: "ACS3-HMAC-SHA256 Credential= ,SignedHeaders=host,Signature=00", wantErr: true},
		{name: "repeated field", in: tea + ",Signature=00", wantErr: true},
		{name: "field without equals", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=00,junk", wantErr: true},
		{name: "trailing comma", in: tea + ",", wantErr: true},
		{name: "empty header name", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;;x-acs-date,Signature=00", wantErr: true},
		{name: "header name with space", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x acs,Signature=00", wantErr: true},
		{name: "header name with colon", in: "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host:1,Signature=00", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseV3Authorization(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrIncompleteSignature) {
					t.Fatalf("err = %v, want one wrapping ErrIncompleteSignature", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			again, err := ParseV3Authorization(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestV3AuthorizationSigns(t *testing.T) {
	a := V3Authorization{SignedHeaders: []string{"host", "X-Acs-Date"}}
	for name, want := range map[string]bool{"host": true, "Host": true, "x-acs-date": true, "x-acs-signature-nonce": false, "": false} {
		if got := a.Signs(name); got != want {
			t.Errorf("Signs(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsV3(t *testing.T) {
	for in, want := range map[string]bool{
		"ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=00": true,
		"ACS3-HMAC-SHA256 ":  true,
		"ACS3-HMAC-SHA256":   false,
		"acs3-hmac-sha256 x": false,
		"Bearer x":           false,
		"":                   false,
	} {
		h := http.Header{}
		if in != "" {
			h.Set("Authorization", in)
		}
		if got := IsV3(h); got != want {
			t.Errorf("IsV3(%q) = %v, want %v", in, got, want)
		}
	}
}

// capturedV3 is a StopInstance request captured from
// github.com/alibabacloud-go/ecs-20140526/v7 v7.7.0 (darabonba-openapi
// v2.1.14) against a loopback server on port 36865, secret "probe-secret".
func capturedV3() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/?ForceStop=true&InstanceId=i-doesnotexist", nil)
	r.Host = "127.0.0.1:36865"
	for k, v := range map[string]string{
		"Authorization":              "ACS3-HMAC-SHA256 Credential=probe-ak,SignedHeaders=" + teaSignedHeaders + ",Signature=381578e5bc76064ac89e85e10cb8283705dc1ef824d60fcd0c1bbfbb2a4fa50b",
		"Accept":                     "application/json",
		"X-Acs-Action":               "StopInstance",
		"X-Acs-Version":              "2014-05-26",
		"X-Acs-Date":                 "2026-11-28T14:17:19Z",
		"X-Acs-Signature-Nonce":      "f0882fb6908642cfbeed93a5db0b49da",
		"X-Acs-Content-Sha256":       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"X-Acs-Credentials-Provider": "static_ak",
		"User-Agent":                 "AlibabaCloud (linux; amd64) Go/go1.26 Core/0.01 TeaDSL/2",
	} {
		r.Header.Set(k, v)
	}
	return r
}

func TestV3Captured(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		edit   func(*http.Request)
		want   bool
	}{
		{"as captured", "probe-secret", func(*http.Request) {}, true},
		{"wrong secret", "wrong-secret", func(*http.Request) {}, false},
		{"host without port", "probe-secret", func(r *http.Request) { r.Host = "127.0.0.1" }, false},
		{"other port", "probe-secret", func(r *http.Request) { r.Host = "127.0.0.1:36866" }, false},
		{"other action", "probe-secret", func(r *http.Request) { r.Header.Set("X-Acs-Action", "StartInstance") }, false},
		{"other query", "probe-secret", func(r *http.Request) { r.URL.RawQuery = "ForceStop=false&InstanceId=i-doesnotexist" }, false},
		{"extra query", "probe-secret", func(r *http.Request) { r.URL.RawQuery += "&DryRun=true" }, false},
		{"query order", "probe-secret", func(r *http.Request) { r.URL.RawQuery = "InstanceId=i-doesnotexist&ForceStop=true" }, true},
		{"unsigned header changed", "probe-secret", func(r *http.Request) { r.Header.Set("Accept", "text/xml") }, true},
		{"unsigned header added", "probe-secret", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, true},
		{"method", "probe-secret", func(r *http.Request) { r.Method = http.MethodGet }, false},
		{"path", "probe-secret", func(r *http.Request) { r.URL.Path = "/x" }, false},
		{"upper-case hex signature", "probe-secret", func(r *http.Request) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=probe-ak,SignedHeaders="+teaSignedHeaders+
				",Signature=381578E5BC76064AC89E85E10CB8283705DC1EF824D60FCD0C1BBFBB2A4FA50B")
		}, true},
		{"signature truncated", "probe-secret", func(r *http.Request) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=probe-ak,SignedHeaders="+teaSignedHeaders+
				",Signature=381578e5bc76064ac89e85e10cb8283705dc1ef824d60fcd0c1bbfbb2a4fa5")
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := capturedV3()
			tc.edit(r)
			ok, sts, err := VerifyV3(r, nil, tc.secret)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.want {
				t.Errorf("VerifyV3 = %v, want %v (string to sign %q)", ok, tc.want, sts)
			}
			if !strings.HasPrefix(sts, "ACS3-HMAC-SHA256\n") || len(sts) != len("ACS3-HMAC-SHA256\n")+64 {
				t.Errorf("string to sign %q", sts)
			}
		})
	}
}

// handV3 is the hand-computed vector: canonical request written out by hand,
// hashes and HMAC from sha256sum and `openssl dgst -sha256 -hmac testsecret`.
const (
	handV3Body    = "Amount=1"
	handV3BodySum = "21762b846ea7404661c25eaed730a691d35f2631bd198f5fc1f4cda4ac24b986"
	handV3Creq    = "POST\n/\nEmpty=&InstanceName=a%20b%2A~&RegionId=cn-hangzhou\n" +
		"content-type:application/x-www-form-urlencoded\nhost:ecs.example.com:8080\n" +
		"x-acs-action:RunInstances\nx-acs-content-sha256:" + handV3BodySum + "\n" +
		"x-acs-date:2026-11-28T14:17:19Z\nx-acs-signature-nonce:n1\nx-acs-version:2014-05-26\n" +
		"\ncontent-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n" +
		handV3BodySum
	handV3STS = "ACS3-HMAC-SHA256\ne4c713075a04aee401ec2c7d264a9f10fe3dacc0dffc130d316bbb2c25bf052a"
	handV3Sig = "968c7675552d29ac50a3d41fcf6f2dc2e075146a3030f5e396007119475647b3"
)

// handV3Request returns the hand vector's request, unsigned.
func handV3Request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/?RegionId=cn-hangzhou&InstanceName=a+b%2A~&Empty=", strings.NewReader(handV3Body))
	r.Host = "ecs.example.com:8080"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Acs-Action", "RunInstances")
	r.Header.Set("X-Acs-Version", "2014-05-26")
	r.Header.Set("x-acs-date", "2026-11-28T14:17:19Z")
	r.Header.Set("X-Acs-Signature-Nonce", " n1\t")
	r.Header.Set("X-Acs-Content-Sha256", handV3BodySum)
	r.Header.Set("User-Agent", "not signed")
	return r
}

func TestV3HandVector(t *testing.T) {
	r := handV3Request()
	names := []string{"x-acs-version", "X-Acs-Signature-Nonce", "x-acs-date", "x-acs-content-sha256", "x-acs-action", "host", "content-type", "host"}
	creq := CanonicalRequestV3(r.Method, r.URL.EscapedPath(), r.URL.Query(), r.Header, r.Host, names, handV3BodySum)
	if creq != handV3Creq {
		t.Fatalf("canonical request\n got %q\nwant %q", creq, handV3Creq)
	}
	if sts := StringToSignV3(creq); sts != handV3STS {
		t.Fatalf("string to sign %q, want %q", sts, handV3STS)
	}
	r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="+handV3Sig)
	ok, sts, err := VerifyV3(r, []byte(handV3Body), "testsecret")
	if err != nil || !ok || sts != handV3STS {
		t.Fatalf("VerifyV3 = %v, %q, %v", ok, sts, err)
	}
	// SignV3 signs exactly the same header set here, so it must reproduce
	// the signature.
	r2 := handV3Request()
	SignV3(r2, []byte(handV3Body), "testid", "testsecret")
	if got, want := r2.Header.Get("Authorization"), r.Header.Get("Authorization"); got != want {
		t.Fatalf("SignV3 Authorization\n got %s\nwant %s", got, want)
	}
}

func TestCanonicalRequestV3EmptyPathAndQuery(t *testing.T) {
	got := CanonicalRequestV3("GET", "", nil, http.Header{}, "h", []string{"host"}, "x")
	if want := "GET\n/\n\nhost:h\n\nhost\nx"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	h := http.Header{"X-Acs-Multi": {" b ", "a"}}
	q := url.Values{"k": {"2", "1"}, "a b": {""}}
	got = CanonicalRequestV3("POST", "/p%20q", q, h, "h:1", []string{"X-ACS-MULTI"}, "y")
	if want := "POST\n/p%20q\na%20b=&k=1&k=2\nx-acs-multi:a,b\n\nx-acs-multi\ny"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// v3Case builds a signed request for TestVerifyV3.
type v3Case struct {
	name   string
	secret string
	edit   func(r *http.Request, body *[]byte)
	want   bool
	err    bool
}

func TestVerifyV3(t *testing.T) {
	const secret = "s3cret"
	newSigned := func() (*http.Request, []byte) {
		body := []byte("InstanceName=a+b&Description=%E4%B8%AD")
		r := httptest.NewRequest(http.MethodPost, "/?RegionId=cn-hangzhou&ImageId=img-1&Tag.1.Key=env", bytes.NewReader(body))
		r.Host = "localhost:8080"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Acs-Action", "RunInstances")
		r.Header.Set("X-Acs-Version", "2014-05-26")
		r.Header.Set("X-Acs-Date", "2026-11-28T14:17:19Z")
		r.Header.Set("X-Acs-Signature-Nonce", "0123")
		r.Header.Add("X-Acs-Multi", "b")
		r.Header.Add("X-Acs-Multi", "a")
		SignV3(r, body, "ak", secret)
		return r, body
	}
	setAuth := func(r *http.Request, f func(*V3Authorization)) {
		a, err := ParseV3Authorization(r.Header.Get("Authorization"))
		if err != nil {
			panic(err)
		}
		f(&a)
		r.Header.Set("Authorization", a.String())
	}
	tests := []v3Case{
		{name: "intact", secret: secret, want: true},
		{name: "wrong secret", secret: "other"},
		{name: "body changed", secret: secret, edit: func(_ *http.Request, b *[]byte) { *b = append(*b, '&') }},
		{name: "body and hash changed", secret: secret, edit: func(r *http.Request, b *[]byte) {
			*b = []byte("x")
			r.Header.Set("X-Acs-Content-Sha256", hexSHA256(*b))
		}},
		{name: "hash not hex", secret: secret, edit: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Acs-Content-Sha256", "zz") }},
		{name: "hash missing", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) { r.Header.Del("X-Acs-Content-Sha256") }},
		{name: "hash repeated", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) {
			r.Header.Add("X-Acs-Content-Sha256", r.Header.Get("X-Acs-Content-Sha256"))
		}},
		{name: "signed header missing", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) { r.Header.Del("X-Acs-Date") }},
		{name: "signed host missing", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) { r.Host = "" }},
		{name: "signed header emptied", secret: secret, edit: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Acs-Date", "") }},
		{name: "signed header changed", secret: secret, edit: func(r *http.Request, _ *[]byte) { r.Header.Set("Content-Type", "text/plain") }},
		{name: "signed header padded", secret: secret, want: true, edit: func(r *http.Request, _ *[]byte) {
			r.Header.Set("X-Acs-Date", " 2026-11-28T14:17:19Z ")
		}},
		{name: "multi-value order", secret: secret, want: true, edit: func(r *http.Request, _ *[]byte) { r.Header["X-Acs-Multi"] = []string{"a", "b"} }},
		{name: "multi-value dropped", secret: secret, edit: func(r *http.Request, _ *[]byte) { r.Header["X-Acs-Multi"] = []string{"a"} }},
		{name: "unsigned x-acs header added", secret: secret, want: true, edit: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Acs-New", "1") }},
		{name: "query value changed", secret: secret, edit: func(r *http.Request, _ *[]byte) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "img-1", "img-2", 1)
		}},
		{name: "query re-encoded", secret: secret, want: true, edit: func(r *http.Request, _ *[]byte) {
			r.URL.RawQuery = "Tag%2E1%2EKey=env&ImageId=img%2D1&RegionId=cn-hangzhou"
		}},
		{name: "host port changed", secret: secret, edit: func(r *http.Request, _ *[]byte) { r.Host = "localhost:8081" }},
		{name: "signed headers reordered", secret: secret, want: true, edit: func(r *http.Request, _ *[]byte) {
			setAuth(r, func(a *V3Authorization) {
				for i, j := 0, len(a.SignedHeaders)-1; i < j; i, j = i+1, j-1 {
					a.SignedHeaders[i], a.SignedHeaders[j] = a.SignedHeaders[j], a.SignedHeaders[i]
				}
			})
		}},
		{name: "signed header dropped from list", secret: secret, edit: func(r *http.Request, _ *[]byte) {
			setAuth(r, func(a *V3Authorization) { a.SignedHeaders = a.SignedHeaders[1:] })
		}},
		{name: "credential changed", secret: secret, want: true, edit: func(r *http.Request, _ *[]byte) {
			setAuth(r, func(a *V3Authorization) { a.AccessKeyID = "other" })
		}},
		{name: "no authorization", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) { r.Header.Del("Authorization") }},
		{name: "two authorizations", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) {
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
		}},
		{name: "malformed authorization", secret: secret, err: true, edit: func(r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=ak")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, body := newSigned()
			if tc.edit != nil {
				tc.edit(r, &body)
			}
			ok, sts, err := VerifyV3(r, body, tc.secret)
			if tc.err {
				if !errors.Is(err, ErrIncompleteSignature) || ok {
					t.Fatalf("VerifyV3 = %v, %v; want an ErrIncompleteSignature", ok, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.want {
				t.Fatalf("VerifyV3 = %v, want %v (string to sign %q)", ok, tc.want, sts)
			}
		})
	}
}

// SignV3 must produce the Authorization header that darabonba-openapi's
// GetAuthorization produces for the same request.
func TestSignV3MatchesTeaRecipe(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	keys := []string{"RegionId", "InstanceId", "Tag.1.Key", "Tag.1.Value", "DryRun", "Description", "a-b_c~d"}
	for i := 0; i < 2000; i++ {
		query := map[string]string{}
		q := url.Values{}
		for _, k := range keys {
			if rnd.IntN(2) == 0 {
				v := randomString(rnd, 8)
				query[k] = v
				q.Set(k, v)
			}
		}
		body := []byte(randomString(rnd, 10))
		headers := map[string]string{
			"host":                  "127.0.0.1:8080",
			"x-acs-action":          "DescribeInstances",
			"x-acs-version":         "2014-05-26",
			"x-acs-date":            "2026-11-28T14:17:19Z",
			"x-acs-signature-nonce": randomString(rnd, 4),
			"x-acs-content-sha256":  hexSHA256(body),
			"accept":                "application/json",
		}
		if rnd.IntN(2) == 0 {
			headers["content-type"] = "application/x-www-form-urlencoded"
		}
		want := teaAuthorization("POST", query, headers, hexSHA256(body), "ak", "sk")

		r := &http.Request{Method: "POST", URL: &url.URL{Path: "/", RawQuery: q.Encode()}, Host: headers["host"], Header: http.Header{}}
		for k, v := range headers {
			if k != "host" && k != "x-acs-content-sha256" {
				r.Header.Set(k, v)
			}
		}
		SignV3(r, body, "ak", "sk")
		if got := r.Header.Get("Authorization"); got != want {
			t.Fatalf("query %q headers %q:\n got %s\nwant %s", query, headers, got, want)
		}
		if ok, _, err := VerifyV3(r, body, "sk"); !ok || err != nil {
			t.Fatalf("VerifyV3 of a Tea-signed request = %v, %v", ok, err)
		}
	}
}

// A request signed with SignV3 and sent over a real connection verifies on
// the server side (Host with port, headers as net/http delivers them).
func TestSignV3OverTheWire(t *testing.T) {
	type result struct {
		ok  bool
		err error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ok, _, err := VerifyV3(r, body, "sk")
		results <- result{ok, err}
	}))
	defer srv.Close()

	body := []byte("RegionId=cn-hangzhou&InstanceName=a+b%2A~")
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/?InstanceIds=%5B%22i-1%22%5D&Empty=", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("x-acs-action", "DescribeInstances")
	req.Header.Set("x-acs-version", "2014-05-26")
	req.Header.Set("x-acs-date", "2026-11-28T14:17:19Z")
	req.Header.Set("x-acs-signature-nonce", "abc")
	SignV3(req, body, "ak", "sk")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if res := <-results; !res.ok || res.err != nil {
		t.Fatalf("server-side VerifyV3 = %v, %v", res.ok, res.err)
	}
}

func BenchmarkVerifyV3(b *testing.B) {
	r := capturedV3()
	for b.Loop() {
		if ok, _, err := VerifyV3(r, nil, "probe-secret"); !ok || err != nil {
			b.Fatal("rejected")
		}
	}
}
