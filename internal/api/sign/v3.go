package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
)

// V3Algorithm is the only V3 signature algorithm ecsd accepts.
const V3Algorithm = "ACS3-HMAC-SHA256"

// V3 request header names (lower case, as signed).
const (
	HeaderAuthorization   = "authorization"
	HeaderContentSHA256   = "x-acs-content-sha256"
	HeaderDate            = "x-acs-date"
	HeaderSignatureNonce  = "x-acs-signature-nonce"
	HeaderAction          = "x-acs-action"
	HeaderVersion         = "x-acs-version"
	headerHost            = "host"
	headerContentType     = "content-type"
	headerACSPrefix       = "x-acs-"
	v3AuthorizationPrefix = V3Algorithm + " "
)

// ErrIncompleteSignature reports a request whose signature material is
// missing or malformed (no or unparsable Authorization header, missing
// x-acs-content-sha256, a signed header that is absent). The API layer maps
// it to the IncompleteSignature error code.
var ErrIncompleteSignature = errors.New("incomplete signature")

// V3Authorization is a parsed ACS3-HMAC-SHA256 Authorization header.
type V3Authorization struct {
	// AccessKeyID is the Credential field.
	AccessKeyID string
	// SignedHeaders are the names of the SignedHeaders field, as sent.
	SignedHeaders []string
	// Signature is the hex signature, as sent.
	Signature string
}

// String renders a as an Authorization header value:
// "ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=a;b,Signature=<hex>".
func (a V3Authorization) String() string {
	return v3AuthorizationPrefix + "Credential=" + a.AccessKeyID +
		",SignedHeaders=" + strings.Join(a.SignedHeaders, ";") +
		",Signature=" + a.Signature
}

// Signs reports whether the header name (case-insensitive) is one of a's
// signed headers. The API layer uses it to insist that the headers it relies
// on (host, x-acs-date, x-acs-signature-nonce) are covered by the signature.
func (a V3Authorization) Signs(name string) bool {
	for _, h := range a.SignedHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// IsV3 reports whether h carries an ACS3-HMAC-SHA256 Authorization header.
func IsV3(h http.Header) bool {
	return strings.HasPrefix(h.Get(HeaderAuthorization), v3AuthorizationPrefix)
}

// incomplete returns an error wrapping ErrIncompleteSignature.
func incomplete(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrIncompleteSignature, fmt.Sprintf(format, args...))
}

// ParseV3Authorization parses an ACS3-HMAC-SHA256 Authorization header value.
// Fields are separated by commas, optionally followed or preceded by spaces;
// Credential, SignedHeaders and Signature are required, non-empty and may not
// repeat; other fields are ignored. SignedHeaders must be a ";"-separated
// list of HTTP header names. Every failure wraps ErrIncompleteSignature.
func ParseV3Authorization(header string) (V3Authorization, error) {
	var a V3Authorization
	rest, found := strings.CutPrefix(header, v3AuthorizationPrefix)
	if !found {
		return a, incomplete("authorization is not %s", V3Algorithm)
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		key, value, hasEq := strings.Cut(strings.TrimSpace(part), "=")
		if !hasEq {
			return a, incomplete("malformed authorization field %q", part)
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Credential", "SignedHeaders", "Signature":
		default:
			continue
		}
		if seen[key] {
			return a, incomplete("repeated authorization field %s", key)
		}
		seen[key] = true
		if value == "" {
			return a, incomplete("empty authorization field %s", key)
		}
		switch key {
		case "Credential":
			a.AccessKeyID = value
		case "Signature":
			a.Signature = value
		case "SignedHeaders":
			names, err := parseSignedHeaders(value)
			if err != nil {
				return a, err
			}
			a.SignedHeaders = names
		}
	}
	for _, key := range []string{"Credential", "SignedHeaders", "Signature"} {
		if !seen[key] {
			return a, incomplete("authorization lacks %s", key)
		}
	}
	return a, nil
}

// parseSignedHeaders splits a SignedHeaders value and checks every name is
// an HTTP token.
func parseSignedHeaders(value string) ([]string, error) {
	names := strings.Split(value, ";")
	for _, n := range names {
		if !isToken(n) {
			return nil, incomplete("invalid signed header name %q", n)
		}
	}
	return names, nil
}

// isToken reports whether s is a non-empty RFC 9110 token (a valid header
// field name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// normalizeSignedHeaders lower-cases, sorts and de-duplicates names.
func normalizeSignedHeaders(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.ToLower(n))
	}
	sort.Strings(out)
	uniq := out[:0]
	for i, n := range out {
		if i == 0 || n != out[i-1] {
			uniq = append(uniq, n)
		}
	}
	return uniq
}

// canonicalQueryV3 renders the V3 canonical query string: keys sorted (byte
// order), several values of one key sorted, pct(key)+"="+pct(value) joined
// by "&".
func canonicalQueryV3(query url.Values) string {
	var b strings.Builder
	for _, k := range sortedKeys(query) {
		vals := query[k]
		if len(vals) > 1 {
			vals = append([]string(nil), vals...)
			sort.Strings(vals)
		}
		for _, v := range vals {
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

// canonicalHeaderValue returns the canonical value of one signed header:
// every value trimmed, sorted and joined by ",". "host" is taken from host.
func canonicalHeaderValue(name string, header http.Header, host string) string {
	if name == headerHost {
		return strings.TrimSpace(host)
	}
	vals := header.Values(name)
	if len(vals) == 1 {
		return strings.TrimSpace(vals[0])
	}
	trimmed := make([]string, len(vals))
	for i, v := range vals {
		trimmed[i] = strings.TrimSpace(v)
	}
	sort.Strings(trimmed)
	return strings.Join(trimmed, ",")
}

// CanonicalRequestV3 builds the V3 canonical request. path is the escaped
// URL path ("/" when empty); query is the decoded URL query; host is the Host
// header as received (with its port), used for the signed header "host";
// other signed headers come from header. signedHeaders are lower-cased,
// sorted and de-duplicated before use; an absent signed header contributes
// an empty value (VerifyV3 rejects those before getting here).
func CanonicalRequestV3(method, path string, query url.Values, header http.Header, host string, signedHeaders []string, payloadHash string) string {
	if path == "" {
		path = "/"
	}
	names := normalizeSignedHeaders(signedHeaders)
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQueryV3(query))
	b.WriteByte('\n')
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(n, header, host))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(names, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// StringToSignV3 returns "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonicalRequest)).
func StringToSignV3(canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return V3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

// signatureV3 returns HMAC-SHA256(secret, stringToSign).
func signatureV3(stringToSign, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// requestHost returns the host a V3 signature covers: r.Host, or the URL's
// host for a client request that has no explicit Host.
func requestHost(r *http.Request) string {
	if r.Host == "" && r.URL != nil {
		return r.URL.Host
	}
	return r.Host
}

// requestPath returns the escaped path of r ("/" when empty).
func requestPath(r *http.Request) string {
	if r.URL == nil || r.URL.EscapedPath() == "" {
		return "/"
	}
	return r.URL.EscapedPath()
}

// requestQuery returns the decoded URL query of r (malformed pairs dropped,
// as net/http does).
func requestQuery(r *http.Request) url.Values {
	if r.URL == nil {
		return url.Values{}
	}
	return r.URL.Query()
}

// hexEqual compares a hex string with raw bytes in constant time (for equal
// lengths); a string that is not hex never matches.
func hexEqual(hexStr string, want []byte) bool {
	got, err := hex.DecodeString(hexStr)
	if err != nil {
		return false
	}
	return hmac.Equal(got, want)
}

// VerifyV3 checks the ACS3-HMAC-SHA256 signature of a received request whose
// body has already been read into body. The "host" signed header is r.Host
// exactly as received (with its port). It returns an error wrapping
// ErrIncompleteSignature when the Authorization header is absent, repeated or
// malformed, when x-acs-content-sha256 is absent or repeated, or when a signed
// header is missing; otherwise ok reports whether the signature matches and
// x-acs-content-sha256 equals hex(SHA-256(body)). stringToSign is returned
// whenever the canonical request could be built, for the
// SignatureDoesNotMatch message.
func VerifyV3(r *http.Request, body []byte, secret string) (ok bool, stringToSign string, err error) {
	auths := r.Header.Values(HeaderAuthorization)
	if len(auths) != 1 {
		return false, "", incomplete("want one Authorization header, got %d", len(auths))
	}
	a, err := ParseV3Authorization(auths[0])
	if err != nil {
		return false, "", err
	}
	hashes := r.Header.Values(HeaderContentSHA256)
	if len(hashes) != 1 {
		return false, "", incomplete("want one %s header, got %d", HeaderContentSHA256, len(hashes))
	}
	host := requestHost(r)
	for _, n := range a.SignedHeaders {
		n = strings.ToLower(n)
		if (n == headerHost && host == "") || (n != headerHost && len(r.Header.Values(n)) == 0) {
			return false, "", incomplete("signed header %s is missing", n)
		}
	}
	creq := CanonicalRequestV3(r.Method, requestPath(r), requestQuery(r), r.Header, host, a.SignedHeaders, hashes[0])
	stringToSign = StringToSignV3(creq)
	sigOK := hexEqual(a.Signature, signatureV3(stringToSign, secret))
	bodySum := sha256.Sum256(body)
	bodyOK := hexEqual(hashes[0], bodySum[:])
	return sigOK && bodyOK, stringToSign, nil
}

// SignV3 signs a client request the way darabonba-openapi does: it sets
// x-acs-content-sha256 to hex(SHA-256(body)) and the Authorization header,
// signing "host" (r.Host, or r.URL.Host when empty), content-type when
// present, and every x-acs-* header. The caller sets x-acs-action,
// x-acs-version, x-acs-date and x-acs-signature-nonce beforehand, and must
// send body as the request body.
func SignV3(r *http.Request, body []byte, accessKeyID, secret string) {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	sum := sha256.Sum256(body)
	r.Header.Set(HeaderContentSHA256, hex.EncodeToString(sum[:]))
	r.Header.Del(HeaderAuthorization)

	// Re-key the headers canonically so that values stored under
	// non-canonical keys are found by name, as the server will see them.
	hdr := make(http.Header, len(r.Header))
	names := []string{headerHost}
	for k, vs := range r.Header {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		hdr[ck] = append(hdr[ck], vs...)
		lk := strings.ToLower(k)
		if lk == headerContentType || strings.HasPrefix(lk, headerACSPrefix) {
			names = append(names, lk)
		}
	}
	names = normalizeSignedHeaders(names)
	creq := CanonicalRequestV3(r.Method, requestPath(r), requestQuery(r), hdr, requestHost(r), names, hdr.Get(HeaderContentSHA256))
	auth := V3Authorization{
		AccessKeyID:   accessKeyID,
		SignedHeaders: names,
		Signature:     hex.EncodeToString(signatureV3(StringToSignV3(creq), secret)),
	}
	r.Header.Set(HeaderAuthorization, auth.String())
}
