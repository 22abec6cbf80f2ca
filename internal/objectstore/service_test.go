package objectstore

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

func newService(t *testing.T) (*Service, string) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := filepath.Join(t.TempDir(), "oss")
	s := New(Deps{Store: st, Dir: dir, Clock: clock.NewFake(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)),
		DefaultRegion: "cn-hangzhou", KnownRegion: func(r string) bool { return r == "cn-hangzhou" || r == "cn-beijing" }})
	return s, dir
}

func TestBucketNames(t *testing.T) {
	for name, want := range map[string]bool{"abc": true, "a-1-b": true, "ab": false, "-ab": false, "ab-": false,
		"Abc": false, "a_b": false, "a.b": false, "..": false, strings.Repeat("a", 63): true, strings.Repeat("a", 64): false} {
		if got := ValidBucketName(name); got != want {
			t.Errorf("ValidBucketName(%q) = %v", name, got)
		}
	}
	for key, want := range map[string]bool{"a": true, "../../etc/passwd": true, "a//b": true, "/a": false, `\a`: false,
		"": false, "a\x00b": false, "\xff": false, strings.Repeat("k", 1024): false} {
		if got := ValidObjectKey(key); got != want {
			t.Errorf("ValidObjectKey(%q) = %v", key, got)
		}
	}
}

// TestKeysNeverNameFiles: whatever the key, the object's bytes are in a file
// with a generated name directly inside the bucket's directory.
func TestKeysNeverNameFiles(t *testing.T) {
	s, dir := newService(t)
	ctx := t.Context()
	if err := s.CreateBucket(ctx, 1, "bkt", ""); err != nil {
		t.Fatal(err)
	}
	keys := []string{"../../escape", "a", "a/b", "a/b/../../../c", "..", "./x"}
	for i, k := range keys {
		if err := s.Put(ctx, 1, "bkt", k, strings.NewReader(fmt.Sprint("content ", i))); err != nil {
			t.Fatalf("Put %q: %v", k, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "bkt"))
	if len(entries) != len(keys) {
		t.Fatalf("bucket dir has %d entries, want %d", len(entries), len(keys))
	}
	for _, e := range entries {
		if e.IsDir() || len(e.Name()) != 32 {
			t.Errorf("unexpected entry %q in the bucket dir", e.Name())
		}
	}
	if top, _ := os.ReadDir(dir); len(top) != 1 {
		t.Errorf("files outside the bucket dir: %v", top)
	}
	for i, k := range keys {
		r, size, err := s.Open(ctx, 1, "bkt", k)
		if err != nil {
			t.Fatalf("Open %q: %v", k, err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if want := fmt.Sprint("content ", i); string(b) != want || size != int64(len(want)) {
			t.Errorf("Open %q = %q (%d)", k, b, size)
		}
	}
	// Replacing an object removes the old file.
	if err := s.Put(ctx, 1, "bkt", "a", strings.NewReader("new")); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "bkt")); len(entries) != len(keys) {
		t.Errorf("after a replacement the bucket dir has %d entries", len(entries))
	}
}

func TestObjectsContractChecksOwnership(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	if err := s.CreateBucket(ctx, 1, "images", "cn-beijing"); err != nil {
		t.Fatal(err)
	}
	if r, err := s.BucketRegion(ctx, 1, "images"); err != nil || r != "cn-beijing" {
		t.Fatalf("BucketRegion = %q, %v", r, err)
	}
	if _, err := s.BucketRegion(ctx, 2, "images"); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("BucketRegion of another account: %v", err)
	}
	if err := s.Put(ctx, 2, "images", "k", strings.NewReader("x")); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("Put into another account's bucket: %v", err)
	}
	if _, _, err := s.Open(ctx, 1, "nope", "k"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("Open in a missing bucket: %v", err)
	}
	if _, _, err := s.Open(ctx, 1, "images", "k"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("Open of a missing key: %v", err)
	}
	if err := s.CreateBucket(ctx, 2, "images", ""); !errors.Is(err, ErrBucketAlreadyExists) {
		t.Fatalf("CreateBucket of a taken name: %v", err)
	}
	if err := s.CreateBucket(ctx, 1, "images", ""); err != nil {
		t.Fatalf("CreateBucket of one's own bucket again: %v", err)
	}
	if err := s.CreateBucket(ctx, 1, "elsewhere", "mars-1"); !errors.Is(err, ErrInvalidLocation) {
		t.Fatalf("CreateBucket in an unknown region: %v", err)
	}
	if _, err := s.PutObject(ctx, 1, "images", "k", "", strings.NewReader("abc"), make([]byte, 16)); !errors.Is(err, ErrBadDigest) {
		t.Fatalf("PutObject with a wrong Content-MD5: %v", err)
	}
}

func TestListObjectsRollsUpCommonPrefixes(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	_ = s.CreateBucket(ctx, 1, "bkt", "")
	for _, k := range []string{"a/1", "a/2", "b", "c/x/1", "c/y", "d"} {
		if err := s.Put(ctx, 1, "bkt", k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	show := func(l Listing) string {
		var parts []string
		for _, o := range l.Objects {
			parts = append(parts, o.Key)
		}
		return fmt.Sprintf("%v %v %v %s", parts, l.CommonPrefixes, l.Truncated, l.NextMarker)
	}
	for _, c := range []struct {
		prefix, marker, delim string
		max                   int
		want                  string
	}{
		{"", "", "/", 100, "[b d] [a/ c/] false "},
		{"", "", "/", 2, "[b] [a/] true b"},
		{"", "b", "/", 2, "[d] [c/] false "},
		{"", "a/", "/", 1, "[b] [] true b"},
		{"c/", "", "/", 100, "[c/y] [c/x/] false "},
		{"", "", "", 3, "[a/1 a/2 b] [] true b"},
	} {
		l, err := s.ListObjects(ctx, 1, "bkt", c.prefix, c.marker, c.delim, c.max)
		if err != nil || show(l) != c.want {
			t.Errorf("ListObjects(%q, %q, %q, %d) = %s, %v; want %s", c.prefix, c.marker, c.delim, c.max, show(l), err, c.want)
		}
	}
}

// TestMultipartAssembly: parts are joined in the order named, the ETag is
// OSS's multipart ETag and the parts' files are gone afterwards.
func TestMultipartAssembly(t *testing.T) {
	s, dir := newService(t)
	ctx := t.Context()
	_ = s.CreateBucket(ctx, 1, "bkt", "")
	id, err := s.InitiateUpload(ctx, 1, "bkt", "big", "application/x-raw")
	if err != nil {
		t.Fatal(err)
	}
	chunks := [][]byte{bytes.Repeat([]byte("a"), MinPartSize), bytes.Repeat([]byte("b"), MinPartSize+7), []byte("tail")}
	var parts []CompletedPart
	var md5s []byte
	for i := len(chunks) - 1; i >= 0; i-- { // uploaded out of order
		p, err := s.UploadPart(ctx, 1, "bkt", "big", id, i+1, bytes.NewReader(chunks[i]), nil)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		parts = append([]CompletedPart{{i + 1, p.ETag}}, parts...)
	}
	for _, c := range chunks {
		sum := md5.Sum(c)
		md5s = append(md5s, sum[:]...)
	}
	if _, err := s.CompleteUpload(ctx, 1, "bkt", "big", id, []CompletedPart{parts[1], parts[0]}); !errors.Is(err, ErrInvalidPartOrder) {
		t.Fatalf("parts out of order: %v", err)
	}
	if _, err := s.CompleteUpload(ctx, 1, "bkt", "big", id, []CompletedPart{{1, `"00"`}}); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("wrong ETag: %v", err)
	}
	o, err := s.CompleteUpload(ctx, 1, "bkt", "big", id, parts)
	if err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	sum := md5.Sum(md5s)
	if want := `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `-3"`; o.ETag != want || o.ContentType != "application/x-raw" {
		t.Fatalf("object = %+v, want ETag %s", o, want)
	}
	r, size, err := s.Open(ctx, 1, "bkt", "big")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if want := bytes.Join(chunks, nil); !bytes.Equal(got, want) || size != int64(len(want)) {
		t.Fatalf("assembled %d bytes, want %d", len(got), len(want))
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "bkt")); len(entries) != 1 {
		t.Fatalf("%d files left in the bucket dir, want the object's only", len(entries))
	}
	if _, err := s.CompleteUpload(ctx, 1, "bkt", "big", id, parts); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("completing twice: %v", err)
	}
	if err := s.DeleteBucket(ctx, 1, "bkt"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket with an object: %v", err)
	}
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		v          string
		start, end int64
		ok         bool
		err        error
	}{
		{"bytes=0-9", 0, 9, true, nil},
		{"bytes=5-", 5, 99, true, nil},
		{"bytes=-10", 90, 99, true, nil},
		{"bytes=90-200", 90, 99, true, nil},
		{"bytes=100-", 0, 0, false, ErrInvalidRange},
		{"bytes=9-1", 0, 0, false, nil},
		{"bytes=0-1,5-6", 0, 0, false, nil},
		{"items=0-1", 0, 0, false, nil},
		{"", 0, 0, false, nil},
	} {
		start, end, ok, err := parseRange(c.v, 100)
		if start != c.start || end != c.end || ok != c.ok || err != c.err {
			t.Errorf("parseRange(%q) = %d, %d, %v, %v", c.v, start, end, ok, err)
		}
	}
}
