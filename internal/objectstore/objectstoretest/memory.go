// Package objectstoretest provides an in-memory objectstore.Objects for the
// tests of the services that read and write image and snapshot files.
package objectstoretest

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/ecsd/ecsd/internal/objectstore"
)

// Memory is an in-memory objectstore.Objects: buckets with an owner account
// and a region, objects as byte slices. It is safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	owner   int64
	region  string
	objects map[string][]byte
}

var _ objectstore.Objects = (*Memory)(nil)

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{buckets: map[string]*bucket{}} }

// AddBucket creates (or empties) a bucket of owner in region.
func (o *Memory) AddBucket(owner int64, region, name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buckets[name] = &bucket{owner: owner, region: region, objects: map[string][]byte{}}
}

// PutObject stores data under key in an existing bucket, whoever owns it.
func (o *Memory) PutObject(bucket, key string, data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buckets[bucket].objects[key] = data
}

// Object returns the object under key of an existing bucket.
func (o *Memory) Object(bucket, key string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.buckets[bucket].objects[key]
	return d, ok
}

// ObjectCount returns how many objects an existing bucket holds.
func (o *Memory) ObjectCount(bucket string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.buckets[bucket].objects)
}

// owned returns the account's bucket; callers hold mu.
func (o *Memory) owned(accountID int64, name string) (*bucket, error) {
	b := o.buckets[name]
	switch {
	case b == nil:
		return nil, objectstore.ErrNoSuchBucket
	case b.owner != accountID:
		return nil, objectstore.ErrAccessDenied
	}
	return b, nil
}

// Open implements objectstore.Objects.
func (o *Memory) Open(_ context.Context, accountID int64, bucket, key string) (io.ReadSeekCloser, int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.owned(accountID, bucket)
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
func (o *Memory) Put(_ context.Context, accountID int64, bucket, key string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.owned(accountID, bucket)
	if err != nil {
		return err
	}
	b.objects[key] = data
	return nil
}

// BucketRegion implements objectstore.Objects.
func (o *Memory) BucketRegion(_ context.Context, accountID int64, bucket string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.owned(accountID, bucket)
	if err != nil {
		return "", err
	}
	return b.region, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
