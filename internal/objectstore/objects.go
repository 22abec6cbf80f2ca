// Package objectstore is ecsd's OSS-compatible object service: buckets and
// objects owned by accounts, served over the OSS HTTP API on its own listener
// (--oss-listen) and used in process by the image service (ImportImage reads
// image files from it, ExportImage writes them back).
package objectstore

import (
	"context"
	"errors"
	"io"
)

// Errors of Objects, wrapped with %w.
var (
	// ErrNoSuchBucket: the bucket does not exist.
	ErrNoSuchBucket = errors.New("objectstore: no such bucket")
	// ErrNoSuchKey: the bucket has no object with that key.
	ErrNoSuchKey = errors.New("objectstore: no such key")
	// ErrAccessDenied: the bucket belongs to another account.
	ErrAccessDenied = errors.New("objectstore: access denied")
)

// Objects is the object store as other services of ecsd use it, always on
// behalf of an account (which must own the bucket).
type Objects interface {
	// Open returns an object's content and size.
	Open(ctx context.Context, accountID int64, bucket, key string) (io.ReadSeekCloser, int64, error)
	// Put stores an object (replacing one with the same key) from r.
	Put(ctx context.Context, accountID int64, bucket, key string, r io.Reader) error
	// BucketRegion returns the ECS region the bucket was created in.
	BucketRegion(ctx context.Context, accountID int64, bucket string) (string, error)
}
