package snapshot

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/ecsd/ecsd/internal/objectstore"
)

// fakeRoles is a RoleChecker that allows everything or nothing.
type fakeRoles struct {
	mu    sync.Mutex
	allow bool
	// asked records the role names and directions looked at.
	asked []string
}

func (r *fakeRoles) Allowed(_ context.Context, _ int64, roleName string, export bool) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir := "import"
	if export {
		dir = "export"
	}
	r.asked = append(r.asked, dir+":"+roleName)
	return r.allow, nil
}

// fakeObjects is an in-memory objectstore.Objects.
type fakeObjects struct {
	mu      sync.Mutex
	buckets map[string]*fakeBucket
}

type fakeBucket struct {
	owner   int64
	region  string
	objects map[string][]byte
}

var _ objectstore.Objects = (*fakeObjects)(nil)

func newFakeObjects() *fakeObjects { return &fakeObjects{buckets: map[string]*fakeBucket{}} }

func (o *fakeObjects) bucket(accountID int64, name string) (*fakeBucket, error) {
	b := o.buckets[name]
	switch {
	case b == nil:
		return nil, objectstore.ErrNoSuchBucket
	case b.owner != accountID:
		return nil, objectstore.ErrAccessDenied
	}
	return b, nil
}

func (o *fakeObjects) addBucket(owner int64, region, name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buckets[name] = &fakeBucket{owner: owner, region: region, objects: map[string][]byte{}}
}

func (o *fakeObjects) put(bucket, key string, data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buckets[bucket].objects[key] = data
}

func (o *fakeObjects) get(bucket, key string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.buckets[bucket].objects[key]
	return d, ok
}

// Open implements objectstore.Objects.
func (o *fakeObjects) Open(_ context.Context, accountID int64, bucket, key string) (io.ReadSeekCloser, int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.bucket(accountID, bucket)
	if err != nil {
		return nil, 0, err
	}
	d, ok := b.objects[key]
	if !ok {
		return nil, 0, objectstore.ErrNoSuchKey
	}
	return nopCloser{bytes.NewReader(d)}, int64(len(d)), nil
}

// Put implements objectstore.Objects.
func (o *fakeObjects) Put(_ context.Context, accountID int64, bucket, key string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.bucket(accountID, bucket)
	if err != nil {
		return err
	}
	b.objects[key] = data
	return nil
}

// BucketRegion implements objectstore.Objects.
func (o *fakeObjects) BucketRegion(_ context.Context, accountID int64, bucket string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.bucket(accountID, bucket)
	if err != nil {
		return "", err
	}
	return b.region, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
