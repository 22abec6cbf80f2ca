package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ossClient is the official OSS Go SDK pointed at s's object service.
func ossClient(t *testing.T, s *server, ak, secret string, opts ...oss.ClientOption) *oss.Client {
	t.Helper()
	c, err := oss.New("http://"+s.ossAddr, ak, secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ossCode returns the OSS error code of err ("" when it is none).
func ossCode(err error) (string, int) {
	var se oss.ServiceError
	if errors.As(err, &se) {
		return se.Code, se.StatusCode
	}
	return "", 0
}

func wantOSSError(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	if got, st := ossCode(err); got != code || st != status {
		t.Fatalf("%s: error %v, want %s (%d)", what, err, code, status)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOSSBucketAndObjectLifecycleWithTheOfficialSDK: create a bucket, put,
// get (whole and a range), head, list with prefix/delimiter, delete; a bucket
// with objects cannot be deleted.
func TestOSSBucketAndObjectLifecycleWithTheOfficialSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, v := range []struct {
		name string
		opts []oss.ClientOption
	}{{"V1", nil}, {"V4", []oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou")}}} {
		t.Run(v.name, func(t *testing.T) {
			c := ossClient(t, s, testAccessKeyID, testAccessKeySecret, v.opts...)
			name := "images-" + strings.ToLower(v.name)
			if err := c.CreateBucket(name); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			if ok, err := c.IsBucketExist(name); err != nil || !ok {
				t.Fatalf("IsBucketExist = %v, %v", ok, err)
			}
			info, err := c.GetBucketInfo(name)
			if err != nil || info.BucketInfo.Name != name || info.BucketInfo.Location != "oss-cn-hangzhou" {
				t.Fatalf("GetBucketInfo = %+v, %v", info, err)
			}
			b, err := c.Bucket(name)
			if err != nil {
				t.Fatal(err)
			}
			data := randomBytes(t, 300<<10)
			for _, k := range []string{"dir/a.raw", "dir/sub/b.raw", "top.raw", "with space+plus%.raw"} {
				if err := b.PutObject(k, bytes.NewReader(data)); err != nil {
					t.Fatalf("PutObject %q: %v", k, err)
				}
			}
			r, err := b.GetObject("dir/a.raw")
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GetObject returned %d bytes (%v), want the %d put", len(got), err, len(data))
			}
			r, err = b.GetObject("with space+plus%.raw", oss.Range(10, 19))
			if err != nil {
				t.Fatalf("GetObject range: %v", err)
			}
			got, _ = io.ReadAll(r)
			r.Close()
			if !bytes.Equal(got, data[10:20]) {
				t.Fatalf("range 10-19 = %x, want %x", got, data[10:20])
			}
			meta, err := b.GetObjectDetailedMeta("top.raw")
			if err != nil || meta.Get("Content-Length") != "307200" || meta.Get("ETag") == "" {
				t.Fatalf("GetObjectDetailedMeta = %v, %v", meta, err)
			}
			list, err := b.ListObjects(oss.Prefix("dir/"), oss.Delimiter("/"))
			if err != nil || len(list.Objects) != 1 || list.Objects[0].Key != "dir/a.raw" || len(list.CommonPrefixes) != 1 || list.CommonPrefixes[0] != "dir/sub/" {
				t.Fatalf("ListObjects(dir/, /) = %+v, %v", list, err)
			}
			page, err := b.ListObjects(oss.MaxKeys(2))
			if err != nil || len(page.Objects) != 2 || !page.IsTruncated {
				t.Fatalf("ListObjects(max 2) = %+v, %v", page, err)
			}
			rest, err := b.ListObjects(oss.Marker(page.NextMarker))
			if err != nil || len(rest.Objects) != 2 || rest.Objects[1].Key != "with space+plus%.raw" {
				t.Fatalf("ListObjects(next page) = %+v, %v", rest, err)
			}
			v2, err := b.ListObjectsV2(oss.Prefix("dir/"))
			if err != nil || len(v2.Objects) != 2 {
				t.Fatalf("ListObjectsV2 = %+v, %v", v2, err)
			}
			_, err = b.GetObject("missing")
			wantOSSError(t, "GetObject of a missing key", err, "NoSuchKey", 404)
			err = c.DeleteBucket(name)
			wantOSSError(t, "DeleteBucket with objects", err, "BucketNotEmpty", 409)
			if err := b.DeleteObject("top.raw"); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			if ok, _ := b.IsObjectExist("top.raw"); ok {
				t.Fatal("a deleted object still exists")
			}
			del, err := b.DeleteObjects([]string{"dir/a.raw", "dir/sub/b.raw", "with space+plus%.raw"})
			if err != nil || len(del.DeletedObjects) != 3 {
				t.Fatalf("DeleteObjects = %+v, %v", del, err)
			}
			if err := c.DeleteBucket(name); err != nil {
				t.Fatalf("DeleteBucket: %v", err)
			}
			_, err = b.GetObject("dir/a.raw")
			wantOSSError(t, "GetObject in a deleted bucket", err, "NoSuchBucket", 404)
		})
	}
}

// TestOSSMultipartUploadFileAssemblesParts: the SDK's resumable UploadFile
// (InitiateMultipartUpload, UploadPart, CompleteMultipartUpload) of a file
// larger than one part, and DownloadFile of it.
func TestOSSMultipartUploadFileAssemblesParts(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := ossClient(t, s, testAccessKeyID, testAccessKeySecret)
	if err := c.CreateBucket("disks"); err != nil {
		t.Fatal(err)
	}
	b, _ := c.Bucket("disks")
	dir := t.TempDir()
	src := filepath.Join(dir, "disk.raw")
	data := randomBytes(t, 3<<20+12345)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.UploadFile("images/disk.raw", src, 512<<10, oss.Routines(3), oss.Checkpoint(true, filepath.Join(dir, "cp"))); err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	meta, err := b.GetObjectDetailedMeta("images/disk.raw")
	if err != nil || meta.Get("Content-Length") != "3158073" || !strings.HasSuffix(meta.Get("ETag"), `-7"`) || meta.Get("X-Oss-Object-Type") != "Multipart" {
		t.Fatalf("multipart object meta = %v, %v", meta, err)
	}
	dst := filepath.Join(dir, "back.raw")
	if err := b.DownloadFile("images/disk.raw", dst, 1<<20, oss.Routines(2)); err != nil {
		t.Fatalf("DownloadFile: %v", err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("the downloaded file differs from the uploaded one")
	}
	// A part smaller than 100 KiB that is not the last one is refused.
	imur, err := b.InitiateMultipartUpload("small")
	if err != nil {
		t.Fatal(err)
	}
	p1, err := b.UploadPart(imur, bytes.NewReader(data[:1000]), 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := b.UploadPart(imur, bytes.NewReader(data[:1000]), 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := b.ListUploadedParts(imur)
	if err != nil || len(lp.UploadedParts) != 2 {
		t.Fatalf("ListUploadedParts = %+v, %v", lp, err)
	}
	_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p1, p2})
	wantOSSError(t, "CompleteMultipartUpload with a small first part", err, "EntityTooSmall", 400)
	if err := b.AbortMultipartUpload(imur); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = b.ListUploadedParts(imur)
	wantOSSError(t, "ListUploadedParts after abort", err, "NoSuchUpload", 404)
}

// TestOSSSignatureAndOwnershipErrors: a wrong secret is SignatureDoesNotMatch,
// an unknown key InvalidAccessKeyId, another account's bucket AccessDenied and
// a taken bucket name BucketAlreadyExists.
func TestOSSSignatureAndOwnershipErrors(t *testing.T) {
	s := startServer(t, serverOptions{})
	root := ossClient(t, s, testAccessKeyID, testAccessKeySecret)
	if err := root.CreateBucket("private-images"); err != nil {
		t.Fatal(err)
	}
	_, err := ossClient(t, s, testAccessKeyID, "wrong-secret").ListBuckets()
	wantOSSError(t, "wrong secret", err, "SignatureDoesNotMatch", 403)
	_, err = ossClient(t, s, testAccessKeyID, "wrong-secret", oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou")).ListBuckets()
	wantOSSError(t, "wrong secret (V4)", err, "SignatureDoesNotMatch", 403)
	_, err = ossClient(t, s, "LTAInosuchkey", "x").ListBuckets()
	wantOSSError(t, "unknown key", err, "InvalidAccessKeyId", 403)

	tenant := createAccount(t, s, "osstenant")
	other := ossClient(t, s, tenant.AccessKeyId, tenant.AccessKeySecret)
	ob, _ := other.Bucket("private-images")
	err = ob.PutObject("x", strings.NewReader("x"))
	wantOSSError(t, "PutObject into another account's bucket", err, "AccessDenied", 403)
	_, err = ob.ListObjects()
	wantOSSError(t, "ListObjects of another account's bucket", err, "AccessDenied", 403)
	err = other.CreateBucket("private-images")
	wantOSSError(t, "CreateBucket of a taken name", err, "BucketAlreadyExists", 409)
	list, err := other.ListBuckets()
	if err != nil || len(list.Buckets) != 0 {
		t.Fatalf("the other account's ListBuckets = %+v, %v", list, err)
	}
}

// TestOSSVirtualHostAddressingAndRegionFromEndpoint: <bucket>.oss-<region>.<host>
// addresses the bucket and creates it in that ECS region; a presigned URL
// works without other credentials.
func TestOSSVirtualHostAddressingAndRegionFromEndpoint(t *testing.T) {
	s := startServer(t, serverOptions{})
	_, port, _ := net.SplitHostPort(s.ossAddr)
	// Every host name resolves to the server: the client dials it whatever the name.
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.ossAddr)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: dial}}
	c, err := oss.New("http://oss-cn-beijing.example.test:"+port, testAccessKeyID, testAccessKeySecret, oss.HTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket("beijing-bucket"); err != nil {
		t.Fatalf("CreateBucket (virtual host): %v", err)
	}
	loc, err := c.GetBucketLocation("beijing-bucket")
	if err != nil || loc != "oss-cn-beijing" {
		t.Fatalf("GetBucketLocation = %q, %v", loc, err)
	}
	b, _ := c.Bucket("beijing-bucket")
	if err := b.PutObject("k/v.txt", strings.NewReader("hello")); err != nil {
		t.Fatalf("PutObject (virtual host): %v", err)
	}
	signed, err := b.SignURL("k/v.txt", oss.HTTPGet, 600)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Fatalf("GET of a presigned URL = %d %s", resp.StatusCode, body)
	}
	// Path style on the IP address sees the same bucket.
	pb, _ := ossClient(t, s, testAccessKeyID, testAccessKeySecret).Bucket("beijing-bucket")
	if ok, err := pb.IsObjectExist("k/v.txt"); err != nil || !ok {
		t.Fatalf("IsObjectExist (path style) = %v, %v", ok, err)
	}
}

// TestOSSAcceptsSTSTokensOfTheBucketOwnersAccount: an assumed role's
// temporary key signs OSS calls with x-oss-security-token; without the token
// it is refused.
func TestOSSAcceptsSTSTokensOfTheBucketOwnersAccount(t *testing.T) {
	s := startServer(t, serverOptions{})
	if err := ossClient(t, s, testAccessKeyID, testAccessKeySecret).CreateBucket("sts-bucket"); err != nil {
		t.Fatal(err)
	}
	rc := ramSDK(t, s, rootCred())
	role := "OSSUser-" + runID()
	created := createRole(t, rc, role, accountTrustPolicy(accountID(t, s, rootCred())))
	cred := assumeRole(t, stsSDK(t, s, rootCred()), created.Role.Arn, "oss-session", 900).Credentials
	b, _ := ossClient(t, s, cred.AccessKeyId, cred.AccessKeySecret, oss.SecurityToken(cred.SecurityToken)).Bucket("sts-bucket")
	if err := b.PutObject("from-sts", strings.NewReader("x")); err != nil {
		t.Fatalf("PutObject with an STS token: %v", err)
	}
	nb, _ := ossClient(t, s, cred.AccessKeyId, cred.AccessKeySecret).Bucket("sts-bucket")
	_, err := nb.ListObjects()
	wantOSSError(t, "STS key without its token", err, "InvalidSecurityToken", 403)
}
