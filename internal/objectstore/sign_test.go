package objectstore

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

const (
	testAK     = "LTAIsignvectors"
	testSecret = "secret-of-the-vectors"
)

// captured runs fn with an SDK client against a server that records the
// requests the SDK signs, and returns them.
func captured(t *testing.T, fn func(c *oss.Client), opts ...oss.ClientOption) []*http.Request {
	t.Helper()
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		reqs = append(reqs, r)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c, err := oss.New(srv.URL, testAK, testSecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	fn(c)
	return reqs
}

// TestSignaturesMatchTheOfficialSDK recomputes the signatures the official
// SDK put on real requests (V1 and V4, with tricky keys and subresources)
// and checks that a changed secret no longer matches.
func TestSignaturesMatchTheOfficialSDK(t *testing.T) {
	keys := []string{"plain.raw", "dir/sub/a b+c%d.qcow2", "ünï/..//x"}
	for _, v := range []struct {
		name string
		opts []oss.ClientOption
	}{
		{"V1", nil},
		{"V4", []oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region("cn-shanghai")}},
		{"V1-STS", []oss.ClientOption{oss.SecurityToken("token-1")}},
	} {
		t.Run(v.name, func(t *testing.T) {
			reqs := captured(t, func(c *oss.Client) {
				_ = c.CreateBucket("bucket-a")
				_, _ = c.ListBuckets(oss.Prefix("b"))
				b, _ := c.Bucket("bucket-a")
				for _, k := range keys {
					_ = b.PutObject(k, strings.NewReader("data"), oss.ContentType("text/plain"), oss.Meta("color", "blue"))
					_, _ = b.GetObject(k, oss.Range(1, 2), oss.ResponseContentType("x/y"))
					_, _ = b.InitiateMultipartUpload(k)
					_, _ = b.ListUploadedParts(oss.InitiateMultipartUploadResult{Bucket: "bucket-a", Key: k, UploadID: "UP1"})
				}
				_, _ = b.ListObjects(oss.Prefix("dir/"), oss.Delimiter("/"), oss.Marker("a b"))
			}, v.opts...)
			if len(reqs) < 10 {
				t.Fatalf("captured %d requests", len(reqs))
			}
			s := &Server{domain: "localhost"}
			for _, r := range reqs {
				a := s.parseAddress(r)
				sig, err := parseSignature(r, a.bucket, a.key)
				if err != nil {
					t.Fatalf("%s %s: %v", r.Method, r.URL, err)
				}
				if sig.accessKeyID != testAK {
					t.Fatalf("AccessKeyId = %q", sig.accessKeyID)
				}
				if got, toSign := sig.sign(testSecret); got != sig.given {
					t.Errorf("%s %s (bucket %q key %q): computed %s, SDK signed %s\nstring to sign:\n%s", r.Method, r.URL, a.bucket, a.key, got, sig.given, toSign)
				}
				if got, _ := sig.sign(testSecret + "x"); got == sig.given {
					t.Errorf("%s %s: another secret gives the same signature", r.Method, r.URL)
				}
				if strings.HasSuffix(v.name, "STS") && sig.token != "token-1" {
					t.Errorf("security token = %q", sig.token)
				}
			}
		})
	}
}

// TestPresignedURLsMatchTheOfficialSDK checks SignURL's query signatures.
func TestPresignedURLsMatchTheOfficialSDK(t *testing.T) {
	for _, opts := range [][]oss.ClientOption{nil, {oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou")}} {
		c, err := oss.New("http://127.0.0.1:1", testAK, testSecret, opts...)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Bucket("bucket-a")
		for _, k := range []string{"a/b c.txt", "x"} {
			signed, err := b.SignURL(k, oss.HTTPGet, 60)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, signed, nil)
			a := (&Server{domain: "localhost"}).parseAddress(r)
			sig, err := parseSignature(r, a.bucket, a.key)
			if err != nil {
				t.Fatalf("%s: %v", signed, err)
			}
			if got, toSign := sig.sign(testSecret); got != sig.given {
				t.Errorf("%s: computed %s, SDK signed %s\n%s", signed, got, sig.given, toSign)
			}
			if d := time.Until(sig.expires); d <= 0 || d > 2*time.Minute {
				t.Errorf("%s: expires in %v", signed, d)
			}
		}
	}
}

func TestAddressing(t *testing.T) {
	s := &Server{domain: "oss.test"}
	for _, c := range []struct {
		host, target        string
		bucket, key, region string
	}{
		{"127.0.0.1:8081", "/b1/k/../x", "b1", "k/../x", ""},
		{"127.0.0.1:8081", "/", "", "", ""},
		{"localhost:8081", "/b1/", "b1", "", ""},
		{"b1.oss-cn-beijing.example.com:8081", "/dir/a%2Fb", "b1", "dir/a/b", "cn-beijing"},
		{"oss-cn-beijing-internal.example.com", "/b1/k", "b1", "k", "cn-beijing"},
		{"b1.oss.test:80", "/k", "b1", "k", ""},
		{"[::1]:8081", "/b1/k", "b1", "k", ""},
	} {
		r := httptest.NewRequest(http.MethodGet, "http://"+c.host+c.target, nil)
		a := s.parseAddress(r)
		if a.bucket != c.bucket || a.key != c.key || a.region != c.region {
			t.Errorf("%s%s = %+v, want bucket %q key %q region %q", c.host, c.target, a, c.bucket, c.key, c.region)
		}
	}
}
