package store

import "time"

// Bucket is a bucket of the OSS-compatible object service. Its name is
// unique across all accounts; it belongs to the account that created it and
// lives in the ECS region it was created in.
type Bucket struct {
	Name      string
	AccountID int64
	RegionID  string
	CreatedAt time.Time
}

// Object is the metadata of one object; its bytes are in the file FileID of
// the bucket's directory (the object service owns the files).
type Object struct {
	Bucket string
	Key    string
	Size   int64
	// ETag is as OSS shows it: the quoted upper-case hex MD5 of the content,
	// or of the parts' MD5s with "-<parts>" for a multipart object.
	ETag string
	// CRC64 is the decimal CRC-64/ECMA of the content (x-oss-hash-crc64ecma).
	CRC64       string
	ContentType string
	FileID      string
	ModifiedAt  time.Time
}

// MultipartUpload is an upload initiated and not yet completed or aborted.
type MultipartUpload struct {
	ID          string
	Bucket      string
	Key         string
	ContentType string
	InitiatedAt time.Time
}

// UploadPart is one uploaded part of a multipart upload; its bytes are in the
// file FileID.
type UploadPart struct {
	UploadID   string
	Number     int
	Size       int64
	ETag       string
	CRC64      string
	FileID     string
	ModifiedAt time.Time
}

// ObjectStorageTx holds the object service's buckets, object metadata and
// multipart uploads. Keys are compared and ordered by their bytes.
type ObjectStorageTx interface {
	// CreateBucket inserts a bucket; ErrConflict when the name is taken (by
	// any account).
	CreateBucket(b Bucket) error
	// GetBucket returns the bucket of that name or ErrNotFound.
	GetBucket(name string) (Bucket, error)
	// ListBuckets returns the account's buckets whose names start with prefix
	// and sort after marker, in name order, at most limit (0: all).
	ListBuckets(accountID int64, prefix, marker string, limit int) ([]Bucket, error)
	// DeleteBucket removes a bucket row; ErrNotFound when absent. The caller
	// checks that it holds no objects or uploads.
	DeleteBucket(name string) error

	// PutObject inserts or replaces the metadata of an object.
	PutObject(o Object) error
	// GetObject returns an object's metadata or ErrNotFound.
	GetObject(bucket, key string) (Object, error)
	// DeleteObject removes an object's metadata; ErrNotFound when absent.
	DeleteObject(bucket, key string) error
	// ListObjects returns the bucket's objects whose keys start with prefix
	// and sort after marker, in key order, at most limit (0: all).
	ListObjects(bucket, prefix, marker string, limit int) ([]Object, error)

	// CreateUpload inserts a multipart upload; ErrConflict when the ID is taken.
	CreateUpload(u MultipartUpload) error
	// GetUpload returns the upload of that ID in the bucket, or ErrNotFound.
	GetUpload(bucket, id string) (MultipartUpload, error)
	// ListUploads returns the bucket's uploads in key then initiation order,
	// at most limit (0: all).
	ListUploads(bucket string, limit int) ([]MultipartUpload, error)
	// DeleteUpload removes an upload and its parts' rows; ErrNotFound when absent.
	DeleteUpload(id string) error
	// PutPart inserts or replaces a part of an upload.
	PutPart(p UploadPart) error
	// ListParts returns an upload's parts numbered above after, in number
	// order, at most limit (0: all).
	ListParts(uploadID string, after, limit int) ([]UploadPart, error)
}
