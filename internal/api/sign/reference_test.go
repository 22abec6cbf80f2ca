package sign

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
)

// This file holds independent re-implementations of both signatures, written
// the way the official Go clients compute them (alibaba-cloud-sdk-go
// sdk/auth/rpc_signature_composer.go and darabonba-openapi/v2
// utils.GetAuthorization), so the package's own code is checked against
// a second, differently structured implementation.

// sdkStringToSignV1 is buildRpcStringToSign of alibaba-cloud-sdk-go: the
// standard form encoding, then "+"→"%20", "*"→"%2A", "%7E"→"~", then
// url.QueryEscape of the whole.
func sdkStringToSignV1(method string, params url.Values) string {
	p := url.Values{}
	for k, vs := range params {
		if k == "Signature" {
			continue
		}
		p[k] = vs
	}
	s := p.Encode()
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return method + "&%2F&" + url.QueryEscape(s)
}

// sdkSignV1 is utils.ShaHmac1(stringToSign, secret+"&").
func sdkSignV1(method string, params url.Values, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(sdkStringToSignV1(method, params)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// teaCanonicalQuery is getCanonicalQueryString of darabonba-openapi: keys
// sorted and not encoded, non-empty values url.QueryEscape'd, then the same
// three replacements over the whole string. It equals canonicalQueryV3 for
// keys made of A-Z a-z 0-9 - _ . ~ (all ECS parameter names).
func teaCanonicalQuery(q map[string]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare([]byte(keys[i]), []byte(keys[j])) < 0 })
	s := ""
	for _, k := range keys {
		if q[k] != "" {
			s += "&" + k + "=" + url.QueryEscape(q[k])
		} else {
			s += "&" + k + "="
		}
	}
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return strings.TrimLeft(s, "&")
}

// teaAuthorization is GetAuthorization of darabonba-openapi for
// ACS3-HMAC-SHA256: headers is the client's header map (including "host"),
// of which host, content-type and x-acs-* are signed.
func teaAuthorization(method string, query, headers map[string]string, payloadHash, ak, secret string) string {
	tmp := map[string]string{}
	tmpHeader := http.Header{}
	for k, v := range headers {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-acs-") || lk == "host" || lk == "content-type" {
			tmp[lk] = strings.TrimSpace(v)
			tmpHeader.Add(lk, strings.TrimSpace(v))
		}
	}
	keys := make([]string, 0, len(tmp))
	for k := range tmp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	canonHeaders := ""
	for _, k := range keys {
		vals := tmpHeader[textproto.CanonicalMIMEHeaderKey(k)]
		sort.Strings(vals)
		canonHeaders += k + ":" + strings.Join(vals, ",") + "\n"
	}
	creq := method + "\n" + "/" + "\n" + teaCanonicalQuery(query) + "\n" + canonHeaders + "\n" +
		strings.Join(keys, ";") + "\n" + payloadHash
	sum := sha256.Sum256([]byte(creq))
	sts := "ACS3-HMAC-SHA256\n" + hex.EncodeToString(sum[:])
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(sts))
	return "ACS3-HMAC-SHA256 Credential=" + ak + ",SignedHeaders=" + strings.Join(keys, ";") +
		",Signature=" + hex.EncodeToString(m.Sum(nil))
}

// hexSHA256 returns hex(SHA-256(b)).
func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// randomString returns a short string mixing unreserved characters, reserved
// and special ASCII, multi-byte UTF-8 and invalid UTF-8, to exercise every
// encoding branch. It may be empty.
func randomString(r *rand.Rand, maxLen int) string {
	pieces := []string{
		"a", "Z", "0", "9", "-", "_", ".", "~", " ", "+", "*", "%", "%7E", "&", "=", "/",
		"?", "#", "!", "'", "(", ")", ";", ":", "@", ",", "$", "[", "]", "\"", "\\", "\t", "\n",
		"é", "中", "😀", "\xff", "\x00", "\x7f",
	}
	n := r.IntN(maxLen + 1)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// randomParams returns up to maxParams random parameters, some keys with
// several values, some values empty.
func randomParams(r *rand.Rand, maxParams int) url.Values {
	p := url.Values{}
	n := r.IntN(maxParams + 1)
	for i := 0; i < n; i++ {
		k := randomString(r, 6)
		p.Add(k, randomString(r, 8))
		if r.IntN(8) == 0 {
			p.Add(k, randomString(r, 8))
		}
	}
	return p
}
