package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/store"
)

// maxObjectSize is the largest object PutObject accepts (5 GiB, as OSS);
// multipart uploads make larger ones.
const maxObjectSize = 5 << 30

// Deps are what the Service needs.
type Deps struct {
	Store store.Store
	// Dir holds the buckets' files: <data-dir>/oss.
	Dir   string
	Clock clock.Clock
	// DefaultRegion is the region of a bucket created without one.
	DefaultRegion string
	// KnownRegion tells whether an ECS region exists.
	KnownRegion func(string) bool
}

// Service is the object service: buckets in the store, object bytes in
// files. It implements Objects for the rest of ecsd and serves the OSS HTTP
// API through Server.
type Service struct {
	store         store.Store
	dir           string
	clock         clock.Clock
	defaultRegion string
	knownRegion   func(string) bool
}

var _ Objects = (*Service)(nil)

// New returns the service.
func New(d Deps) *Service {
	known := d.KnownRegion
	if known == nil {
		known = func(string) bool { return true }
	}
	return &Service{store: d.Store, dir: d.Dir, clock: d.Clock, defaultRegion: d.DefaultRegion, knownRegion: known}
}

// ownedBucket returns the bucket if accountID owns it.
func ownedBucket(tx store.Tx, accountID int64, name string) (store.Bucket, error) {
	b, err := tx.GetBucket(name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Bucket{}, fmt.Errorf("bucket %q: %w", name, ErrNoSuchBucket)
	}
	if err != nil {
		return store.Bucket{}, err
	}
	if b.AccountID != accountID {
		return store.Bucket{}, fmt.Errorf("bucket %q: %w", name, ErrAccessDenied)
	}
	return b, nil
}

// Bucket returns the account's bucket.
func (s *Service) Bucket(ctx context.Context, accountID int64, name string) (store.Bucket, error) {
	var b store.Bucket
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		b, err = ownedBucket(tx, accountID, name)
		return err
	})
	return b, err
}

// CreateBucket creates a bucket in region ("" for the default region).
// Creating a bucket the account already owns succeeds and changes nothing.
func (s *Service) CreateBucket(ctx context.Context, accountID int64, name, region string) error {
	if !ValidBucketName(name) {
		return ErrInvalidBucketName
	}
	if region == "" {
		region = s.defaultRegion
	}
	if !s.knownRegion(region) {
		return ErrInvalidLocation
	}
	if err := os.MkdirAll(s.bucketDir(name), 0o700); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx store.Tx) error {
		err := tx.CreateBucket(store.Bucket{Name: name, AccountID: accountID, RegionID: region, CreatedAt: s.clock.Now()})
		if errors.Is(err, store.ErrConflict) {
			if b, gerr := tx.GetBucket(name); gerr == nil && b.AccountID == accountID {
				return nil
			}
			return ErrBucketAlreadyExists
		}
		return err
	})
}

// DeleteBucket deletes an empty bucket (no objects, no multipart uploads).
func (s *Service) DeleteBucket(ctx context.Context, accountID int64, name string) error {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := ownedBucket(tx, accountID, name); err != nil {
			return err
		}
		objs, err := tx.ListObjects(name, "", "", 1)
		if err != nil {
			return err
		}
		ups, err := tx.ListUploads(name, 1)
		if err != nil {
			return err
		}
		if len(objs) > 0 || len(ups) > 0 {
			return ErrBucketNotEmpty
		}
		return tx.DeleteBucket(name)
	})
	if err != nil {
		return err
	}
	// Leftovers (orphans of crashes) go with the bucket.
	return os.RemoveAll(s.bucketDir(name))
}

// ListBuckets lists the account's buckets by name; truncated tells whether
// more follow.
func (s *Service) ListBuckets(ctx context.Context, accountID int64, prefix, marker string, max int) (list []store.Bucket, truncated bool, err error) {
	err = s.store.View(ctx, func(tx store.Tx) error {
		list, err = tx.ListBuckets(accountID, prefix, marker, max+1)
		return err
	})
	if len(list) > max {
		return list[:max], true, err
	}
	return list, false, err
}

// PutObject stores an object from r, replacing any with the same key. With
// md5 set (Content-MD5), the content must have that digest.
func (s *Service) PutObject(ctx context.Context, accountID int64, bucket, key, contentType string, r io.Reader, md5 []byte) (store.Object, error) {
	if !ValidObjectKey(key) {
		return store.Object{}, ErrInvalidObjectName
	}
	if _, err := s.Bucket(ctx, accountID, bucket); err != nil {
		return store.Object{}, err
	}
	w, err := s.writeFile(bucket, r, md5, maxObjectSize)
	if err != nil {
		return store.Object{}, err
	}
	o := store.Object{Bucket: bucket, Key: key, Size: w.Size, ETag: w.ETag(), CRC64: w.CRC(), ContentType: contentType,
		FileID: w.FileID, ModifiedAt: s.clock.Now()}
	if err := s.commitObject(ctx, accountID, o); err != nil {
		s.removeFiles(bucket, w.FileID)
		return store.Object{}, err
	}
	return o, nil
}

// commitObject records o (whose file is written) and removes the file of the
// object it replaces.
func (s *Service) commitObject(ctx context.Context, accountID int64, o store.Object, also ...func(tx store.Tx) error) error {
	var old string
	err := s.store.Update(ctx, func(tx store.Tx) error {
		old = ""
		if _, err := ownedBucket(tx, accountID, o.Bucket); err != nil {
			return err
		}
		prev, err := tx.GetObject(o.Bucket, o.Key)
		if err == nil {
			old = prev.FileID
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		for _, fn := range also {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return tx.PutObject(o)
	})
	if err == nil {
		s.removeFiles(o.Bucket, old)
	}
	return err
}

// HeadObject returns an object's metadata.
func (s *Service) HeadObject(ctx context.Context, accountID int64, bucket, key string) (store.Object, error) {
	var o store.Object
	err := s.store.View(ctx, func(tx store.Tx) error {
		if _, err := ownedBucket(tx, accountID, bucket); err != nil {
			return err
		}
		var err error
		o, err = tx.GetObject(bucket, key)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("object %q: %w", key, ErrNoSuchKey)
		}
		return err
	})
	return o, err
}

// GetObject returns an object's metadata and its open file. A concurrent
// replacement may remove the file between the two: the lookup is retried.
func (s *Service) GetObject(ctx context.Context, accountID int64, bucket, key string) (store.Object, *os.File, error) {
	for attempt := 0; ; attempt++ {
		o, err := s.HeadObject(ctx, accountID, bucket, key)
		if err != nil {
			return store.Object{}, nil, err
		}
		f, err := os.Open(s.filePath(bucket, o.FileID))
		if err == nil {
			return o, f, nil
		}
		if !errors.Is(err, os.ErrNotExist) || attempt == 3 {
			return store.Object{}, nil, err
		}
	}
}

// DeleteObject deletes an object; deleting a missing key succeeds (as OSS).
func (s *Service) DeleteObject(ctx context.Context, accountID int64, bucket, key string) error {
	var file string
	err := s.store.Update(ctx, func(tx store.Tx) error {
		file = ""
		if _, err := ownedBucket(tx, accountID, bucket); err != nil {
			return err
		}
		o, err := tx.GetObject(bucket, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		file = o.FileID
		return tx.DeleteObject(bucket, key)
	})
	if err == nil {
		s.removeFiles(bucket, file)
	}
	return err
}

// Listing is one page of ListObjects.
type Listing struct {
	Objects        []store.Object
	CommonPrefixes []string
	Truncated      bool
	// NextMarker is the last key or common prefix of the page when Truncated.
	NextMarker string
}

// ListObjects lists the bucket's objects with the prefix after marker, in
// key order, at most max entries; with a delimiter, keys that have it after
// the prefix are rolled up into common prefixes (each one entry).
func (s *Service) ListObjects(ctx context.Context, accountID int64, bucket, prefix, marker, delimiter string, max int) (Listing, error) {
	var l Listing
	err := s.store.View(ctx, func(tx store.Tx) error {
		l = Listing{}
		if _, err := ownedBucket(tx, accountID, bucket); err != nil {
			return err
		}
		after := marker
		count := 0
		for {
			batch, err := tx.ListObjects(bucket, prefix, after, max+1)
			if err != nil {
				return err
			}
			for _, o := range batch {
				after = o.Key
				entry := o.Key
				cp := ""
				if delimiter != "" {
					if i := strings.Index(o.Key[len(prefix):], delimiter); i >= 0 {
						cp = o.Key[:len(prefix)+i+len(delimiter)]
						entry = cp
						if n := len(l.CommonPrefixes); n > 0 && l.CommonPrefixes[n-1] == cp {
							continue
						}
						if cp <= marker {
							continue
						}
					}
				}
				if count == max {
					l.Truncated = true
					return nil
				}
				count++
				l.NextMarker = entry
				if cp != "" {
					l.CommonPrefixes = append(l.CommonPrefixes, cp)
				} else {
					l.Objects = append(l.Objects, o)
				}
			}
			if len(batch) <= max {
				return nil
			}
		}
	})
	if !l.Truncated {
		l.NextMarker = ""
	}
	return l, err
}

// Open implements Objects.
func (s *Service) Open(ctx context.Context, accountID int64, bucket, key string) (io.ReadSeekCloser, int64, error) {
	o, f, err := s.GetObject(ctx, accountID, bucket, key)
	if err != nil {
		return nil, 0, err
	}
	return f, o.Size, nil
}

// Put implements Objects.
func (s *Service) Put(ctx context.Context, accountID int64, bucket, key string, r io.Reader) error {
	_, err := s.PutObject(ctx, accountID, bucket, key, "application/octet-stream", r, nil)
	return err
}

// BucketRegion implements Objects.
func (s *Service) BucketRegion(ctx context.Context, accountID int64, bucket string) (string, error) {
	b, err := s.Bucket(ctx, accountID, bucket)
	return b.RegionID, err
}
