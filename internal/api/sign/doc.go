// Package sign verifies (and, for tests and tools, produces) the two request
// signatures that Alibaba Cloud RPC clients use against the ECS OpenAPI, and
// provides the timestamp and nonce checks that protect against replays.
//
// pct() below is RFC 3986 percent-encoding ([PercentEncode]): only
// A-Z a-z 0-9 - _ . ~ stay bare, every other byte becomes %XX with upper-case
// hex, so a space is %20, '*' is %2A and '~' stays '~'.
//
// # V1: HMAC-SHA1 "Signature" parameter (Developer Guide 1.2.4)
//
// Sent by alibaba-cloud-sdk-go, the aliyun CLI, tea-rpc (Terraform) and
// pop-core, and by the Tea SDK with SignatureAlgorithm "v2".
//
//	params       = URL query ∪ form body, minus "Signature", empty values kept
//	canonical    = join("&", pct(k)+"="+pct(v)) over params sorted by key bytes
//	stringToSign = METHOD + "&" + pct("/") + "&" + pct(canonical)
//	Signature    = base64(HMAC-SHA1(key = secret+"&", stringToSign))
//
// # V3: ACS3-HMAC-SHA256 Authorization header
//
// Sent by github.com/alibabacloud-go/ecs-20140526 (darabonba-openapi) by
// default. Action and version travel in x-acs-action and x-acs-version, the
// timestamp in x-acs-date and the nonce in x-acs-signature-nonce.
//
//	Authorization: ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=a;b;c,Signature=<hex>
//
//	canonicalRequest = METHOD + "\n" + path + "\n" + canonicalQuery + "\n" +
//	                   canonicalHeaders + "\n" + signedHeaders + "\n" + hexPayloadHash
//	canonicalQuery   = join("&", pct(k)+"="+pct(v)) over the URL query sorted by key
//	canonicalHeaders = for each signed header, lower-cased and sorted:
//	                   name + ":" + trim(value) + "\n"   ("host" is the Host as received)
//	signedHeaders    = the same names joined by ";"
//	hexPayloadHash   = x-acs-content-sha256 = hex(SHA-256(body))
//	stringToSign     = "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonicalRequest))
//	Signature        = hex(HMAC-SHA256(key = secret, stringToSign))
//
// # Replay protection
//
// [ParseTimestamp] and [WithinWindow] check the request time (the Timestamp
// parameter or the x-acs-date header) against a clock-skew window, and
// [NonceCache] remembers (AccessKeyId, nonce) pairs for a bounded time and
// with bounded memory. Every official client signs each attempt, retries
// included, with a fresh nonce, so rejecting a reused nonce is safe.
package sign
