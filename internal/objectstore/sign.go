package objectstore

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// OSS request signing, as the official OSS Go SDK computes it
// (github.com/aliyun/aliyun-oss-go-sdk/oss, auth.go and conn.go).

// signedSubresources are the query parameters V1 signs (the SDK's signKeyList).
var signedSubresources = map[string]bool{}

func init() {
	for _, k := range []string{"acl", "uploads", "location", "cors",
		"logging", "website", "referer", "lifecycle",
		"delete", "append", "tagging", "objectMeta",
		"uploadId", "partNumber", "security-token",
		"position", "img", "style", "styleName",
		"replication", "replicationProgress",
		"replicationLocation", "cname", "bucketInfo",
		"comp", "qos", "live", "status", "vod",
		"startTime", "endTime", "symlink",
		"x-oss-process", "response-content-type", "x-oss-traffic-limit",
		"response-content-language", "response-expires",
		"response-cache-control", "response-content-disposition",
		"response-content-encoding", "udf", "udfName", "udfImage",
		"udfId", "udfImageDesc", "udfApplication",
		"udfApplicationLog", "restore", "callback", "callback-var", "qosInfo",
		"policy", "stat", "encryption", "versions", "versioning", "versionId", "requestPayment",
		"x-oss-request-payer", "sequential",
		"inventory", "inventoryId", "continuation-token", "asyncFetch",
		"worm", "wormId", "wormExtend", "withHashContext",
		"x-oss-enable-md5", "x-oss-enable-sha1", "x-oss-enable-sha256",
		"x-oss-hash-ctx", "x-oss-md5-ctx", "transferAcceleration",
		"regionList", "cloudboxes", "x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
		"metaQuery", "resourceGroup", "rtc", "x-oss-async-process", "responseHeader"} {
		signedSubresources[k] = true
	}
}

// canonicalResourceV1 is "/bucket/key?sub&sub=v" with the signed subresources
// sorted, raw (unescaped); "/" (plus subresources) without a bucket.
func canonicalResourceV1(bucket, key string, query url.Values) string {
	var keys []string
	for k := range query {
		if signedSubresources[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := query.Get(k); v != "" {
			b.WriteString("=" + v)
		}
	}
	sub := ""
	if b.Len() > 0 {
		sub = "?" + b.String()
	}
	if bucket == "" {
		return "/" + sub
	}
	return "/" + bucket + "/" + key + sub
}

// stringToSignV1 is VERB, Content-MD5, Content-Type, Date (or Expires of a
// presigned URL), the x-oss- headers (lower-case, sorted, first value) and the
// canonical resource.
func stringToSignV1(method string, h http.Header, date, resource string) string {
	oss := map[string]string{}
	for k, v := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") && len(v) > 0 {
			oss[lk] = v[0]
		}
	}
	keys := make([]string, 0, len(oss))
	for k := range oss {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(method + "\n" + h.Get("Content-MD5") + "\n" + h.Get("Content-Type") + "\n" + date + "\n")
	for _, k := range keys {
		b.WriteString(k + ":" + oss[k] + "\n")
	}
	b.WriteString(resource)
	return b.String()
}

// signV1 is base64(HMAC-SHA1(secret, stringToSign)).
func signV1(secret, stringToSign string) string {
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// v4Escape is the SDK's escaping of V4 names and values: query escaping
// with %20 for spaces.
func v4Escape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// canonicalResourceV4 is "/bucket/escaped-key" ('/' kept), "/" without a bucket.
func canonicalResourceV4(bucket, key string) string {
	if bucket == "" {
		return "/"
	}
	return "/" + bucket + "/" + strings.ReplaceAll(v4Escape(key), "%2F", "/")
}

// canonicalQueryV4 signs every parameter but skip, escaped and sorted.
func canonicalQueryV4(query url.Values, skip string) string {
	type kv struct{ k, v string }
	var list []kv
	for k, vs := range query {
		if k == skip {
			continue
		}
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		list = append(list, kv{v4Escape(k), v4Escape(v)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].k < list[j].k })
	var b strings.Builder
	for _, e := range list {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(e.k)
		if e.v != "" {
			b.WriteString("=" + e.v)
		}
	}
	return b.String()
}

// canonicalRequestV4 is VERB, resource, query, the signed headers
// (Content-MD5, Content-Type, x-oss-*, and the additional ones), the
// additional header names and the payload hash.
func canonicalRequestV4(method, resource, query string, h http.Header, additional []string) string {
	extra := map[string]bool{}
	for _, a := range additional {
		extra[strings.ToLower(a)] = true
	}
	signed := map[string]string{}
	for k, v := range h {
		lk := strings.ToLower(k)
		if len(v) > 0 && (lk == "content-md5" || lk == "content-type" || strings.HasPrefix(lk, "x-oss-") || extra[lk]) {
			signed[lk] = strings.Trim(v[0], " ")
		}
	}
	keys := make([]string, 0, len(signed))
	for k := range signed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(method + "\n" + resource + "\n" + query + "\n")
	for _, k := range keys {
		b.WriteString(k + ":" + signed[k] + "\n")
	}
	payload := h.Get("X-Oss-Content-Sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	b.WriteString("\n" + strings.Join(additional, ";") + "\n" + payload)
	return b.String()
}

// stringToSignV4 is the algorithm, the signing date, the scope and the hash
// of the canonical request.
func stringToSignV4(date, day, region, product, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return "OSS4-HMAC-SHA256\n" + date + "\n" + day + "/" + region + "/" + product + "/aliyun_v4_request\n" + hex.EncodeToString(sum[:])
}

// signV4 derives the signing key from the secret and the scope, and signs.
func signV4(secret, day, region, product, stringToSign string) string {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("aliyun_v4"+secret), day)
	k = mac(k, region)
	k = mac(k, product)
	k = mac(k, "aliyun_v4_request")
	return hex.EncodeToString(mac(k, stringToSign))
}
