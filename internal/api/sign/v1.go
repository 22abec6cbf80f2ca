package sign

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// SignatureParam is the name of the V1 signature parameter. It is the only
// parameter left out of the V1 string to sign.
const SignatureParam = "Signature"

// upperHex is the digit table of RFC 3986 percent-encoding.
const upperHex = "0123456789ABCDEF"

// unreserved reports whether RFC 3986 leaves c unencoded.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// PercentEncode encodes s byte by byte as RFC 3986 requires: only
// A-Z a-z 0-9 - _ . ~ are left as they are, every other byte (UTF-8
// continuation bytes and invalid UTF-8 included) becomes %XX with upper-case
// hex. A space becomes %20, never '+'.
func PercentEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	writePercentEncoded(&b, s)
	return b.String()
}

// writePercentEncoded appends PercentEncode(s) to b.
func writePercentEncoded(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}

// sortedKeys returns the keys of v in byte order.
func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CanonicalizeV1 returns the V1 canonicalized query string: every parameter
// except "Signature", sorted by key (byte order), each value as
// pct(key)+"="+pct(value) (empty values kept as "key="), joined by "&".
// Several values of one key keep the order in which they were received.
func CanonicalizeV1(params url.Values) string {
	var b strings.Builder
	for _, k := range sortedKeys(params) {
		if k == SignatureParam {
			continue
		}
		for _, v := range params[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			writePercentEncoded(&b, k)
			b.WriteByte('=')
			writePercentEncoded(&b, v)
		}
	}
	return b.String()
}

// StringToSignV1 returns the V1 string to sign:
// method + "&%2F&" + pct(CanonicalizeV1(params)). method is the HTTP method
// exactly as received (clients sign the real one, usually POST).
func StringToSignV1(method string, params url.Values) string {
	return method + "&" + PercentEncode("/") + "&" + PercentEncode(CanonicalizeV1(params))
}

// SignV1 returns the V1 signature of params (which may hold a stale
// "Signature", it is ignored): base64(HMAC-SHA1(secret+"&", stringToSign)).
func SignV1(method string, params url.Values, secret string) string {
	return signV1StringToSign(StringToSignV1(method, params), secret)
}

// signV1StringToSign computes the V1 signature of an already built string to
// sign.
func signV1StringToSign(stringToSign, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyV1 checks the "Signature" parameter of params (URL query and form
// body together, decoded) against the secret. It returns the server's string
// to sign in every case, for the SignatureDoesNotMatch message that
// alibaba-cloud-sdk-go compares with its own. A missing, repeated or empty
// "Signature" is never ok. The comparison runs in constant time.
func VerifyV1(method string, params url.Values, secret string) (ok bool, stringToSign string) {
	stringToSign = StringToSignV1(method, params)
	got := params[SignatureParam]
	if len(got) != 1 || got[0] == "" {
		return false, stringToSign
	}
	want := signV1StringToSign(stringToSign, secret)
	return hmac.Equal([]byte(want), []byte(got[0])), stringToSign
}
