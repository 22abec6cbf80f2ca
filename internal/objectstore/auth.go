package objectstore

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Credential is an AccessKey as the object service needs it: the same keys
// as the ECS API (accounts' and RAM users' keys, STS tokens).
type Credential struct {
	AccessKeyID string
	Secret      string
	AccountID   int64
	// Active is false for a disabled key or account.
	Active bool
	// SecurityToken is set for an STS key: requests must carry it
	// (x-oss-security-token), and it works until Expiration.
	SecurityToken string
	Expiration    time.Time
}

// ErrUnknownAccessKey is what a CredentialSource returns for a key it does not know.
var ErrUnknownAccessKey = errors.New("objectstore: unknown access key")

// CredentialSource looks up AccessKeys.
type CredentialSource interface {
	LookupAccessKey(ctx context.Context, accessKeyID string) (Credential, error)
}

// maxClockSkew is how far a signed request's Date may be from the server's clock.
const maxClockSkew = 15 * time.Minute

// signature is what a request says about its signer, parsed from the
// Authorization header or a presigned URL's query.
type signature struct {
	accessKeyID string
	given       string
	// stringToSign computes what the signer signed with the secret.
	sign func(secret string) (given, stringToSign string)
	// token is the security token the request carries.
	token string
	// expires, for a presigned URL, is when it stops working.
	expires time.Time
	// date is the request's signing time (zero when it has none).
	date time.Time
	// region is the region of a V4 signature's scope.
	region string
}

// authenticate checks the request's signature and returns the signer's account.
func (h *Server) authenticate(r *http.Request, bucket, key string) (Credential, signature, error) {
	sig, err := parseSignature(r, bucket, key)
	if err != nil {
		return Credential{}, sig, err
	}
	cred, err := h.creds.LookupAccessKey(r.Context(), sig.accessKeyID)
	if errors.Is(err, ErrUnknownAccessKey) {
		return Credential{}, sig, ErrInvalidAccessKeyID
	}
	if err != nil {
		return Credential{}, sig, err
	}
	given, toSign := sig.sign(cred.Secret)
	if subtle.ConstantTimeCompare([]byte(given), []byte(sig.given)) != 1 {
		e := *ErrSignatureDoesNotMatch
		e.Message += " StringToSign: " + strings.ReplaceAll(toSign, "\n", "\\n")
		return Credential{}, sig, &e
	}
	if !cred.Active {
		return Credential{}, sig, ErrAccessKeyDisabled
	}
	now := h.clock.Now()
	if !sig.expires.IsZero() {
		if now.After(sig.expires) {
			return Credential{}, sig, ErrRequestExpired
		}
	} else if !sig.date.IsZero() && (now.Sub(sig.date) > maxClockSkew || sig.date.Sub(now) > maxClockSkew) {
		return Credential{}, sig, ErrTimeTooSkewed
	}
	if cred.SecurityToken != "" {
		if subtle.ConstantTimeCompare([]byte(sig.token), []byte(cred.SecurityToken)) != 1 {
			return Credential{}, sig, ErrInvalidSecurityToken
		}
		if now.After(cred.Expiration) {
			return Credential{}, sig, ErrSecurityTokenExpired
		}
	}
	return cred, sig, nil
}

// parseSignature reads the signature of a request: the Authorization header
// (OSS or OSS4-HMAC-SHA256), or a presigned URL's query (V1 or V4).
func parseSignature(r *http.Request, bucket, key string) (signature, error) {
	q := r.URL.Query()
	auth := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, "OSS "):
		ak, sig, ok := strings.Cut(strings.TrimPrefix(auth, "OSS "), ":")
		if !ok || ak == "" {
			return signature{}, ErrAuthorization
		}
		date := r.Header.Get("Date")
		t, _ := http.ParseTime(date)
		if d := r.Header.Get("X-Oss-Date"); d != "" && date == "" {
			t, _ = http.ParseTime(d)
		}
		resource := canonicalResourceV1(bucket, key, q)
		return signature{accessKeyID: ak, given: sig, token: r.Header.Get("X-Oss-Security-Token"), date: t,
			sign: func(secret string) (string, string) {
				s := stringToSignV1(r.Method, r.Header, date, resource)
				return signV1(secret, s), s
			}}, nil
	case strings.HasPrefix(auth, "OSS4-HMAC-SHA256 "):
		return parseV4Header(r, bucket, key, strings.TrimPrefix(auth, "OSS4-HMAC-SHA256 "))
	case auth != "":
		return signature{}, ErrAuthorization
	case q.Get("OSSAccessKeyId") != "":
		exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
		if err != nil {
			return signature{}, ErrAuthorization
		}
		resource := canonicalResourceV1(bucket, key, q)
		return signature{accessKeyID: q.Get("OSSAccessKeyId"), given: q.Get("Signature"), token: q.Get("security-token"),
			expires: time.Unix(exp, 0), sign: func(secret string) (string, string) {
				s := stringToSignV1(r.Method, r.Header, q.Get("Expires"), resource)
				return signV1(secret, s), s
			}}, nil
	case q.Get("x-oss-signature-version") == "OSS4-HMAC-SHA256":
		return parseV4Query(r, bucket, key)
	default:
		return signature{}, ErrAnonymous
	}
}

// v4Scope parses "ak/day/region/product/aliyun_v4_request".
func v4Scope(credential string) (ak, day, region, product string, ok bool) {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[4] != "aliyun_v4_request" || parts[0] == "" {
		return "", "", "", "", false
	}
	return parts[0], parts[1], parts[2], parts[3], true
}

func parseV4Header(r *http.Request, bucket, key, params string) (signature, error) {
	var credential, sig string
	var additional []string
	for _, p := range strings.Split(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "Credential":
			credential = value
		case "AdditionalHeaders":
			additional = strings.Split(value, ";")
		case "Signature":
			sig = value
		}
	}
	ak, day, region, product, ok := v4Scope(credential)
	if !ok || sig == "" {
		return signature{}, ErrAuthorization
	}
	date := r.Header.Get("X-Oss-Date")
	var t time.Time
	if date != "" {
		t, _ = time.Parse("20060102T150405Z", date)
	} else {
		date = r.Header.Get("Date")
		t, _ = http.ParseTime(date)
	}
	resource := canonicalResourceV4(bucket, key)
	query := canonicalQueryV4(r.URL.Query(), "")
	return signature{accessKeyID: ak, given: sig, token: r.Header.Get("X-Oss-Security-Token"), date: t, region: region,
		sign: func(secret string) (string, string) {
			s := stringToSignV4(date, day, region, product, canonicalRequestV4(r.Method, resource, query, r.Header, additional))
			return signV4(secret, day, region, product, s), s
		}}, nil
}

func parseV4Query(r *http.Request, bucket, key string) (signature, error) {
	q := r.URL.Query()
	ak, day, region, product, ok := v4Scope(q.Get("x-oss-credential"))
	if !ok {
		return signature{}, ErrAuthorization
	}
	date := q.Get("x-oss-date")
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return signature{}, ErrAuthorization
	}
	secs, err := strconv.ParseInt(q.Get("x-oss-expires"), 10, 64)
	if err != nil {
		return signature{}, ErrAuthorization
	}
	var additional []string
	if a := q.Get("x-oss-additional-headers"); a != "" {
		additional = strings.Split(a, ";")
	}
	resource := canonicalResourceV4(bucket, key)
	query := canonicalQueryV4(q, "x-oss-signature")
	return signature{accessKeyID: ak, given: q.Get("x-oss-signature"), token: q.Get("x-oss-security-token"), region: region,
		expires: t.Add(time.Duration(secs) * time.Second), sign: func(secret string) (string, string) {
			s := stringToSignV4(date, day, region, product, canonicalRequestV4(r.Method, resource, query, r.Header, additional))
			return signV4(secret, day, region, product, s), s
		}}, nil
}
