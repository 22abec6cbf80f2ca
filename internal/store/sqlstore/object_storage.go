package sqlstore

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// Object keys are stored as BYTEA (bytes in both engines) so that they order
// by their UTF-8 bytes whatever the database's collation.

// CreateBucket implements store.ObjectStorageTx.
func (t *tx) CreateBucket(b store.Bucket) error {
	created, err := toNanos(b.CreatedAt)
	if err != nil {
		return fmt.Errorf("create bucket %q: %w", b.Name, err)
	}
	err = t.insert(`INSERT INTO oss_buckets (name, account_id, region_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		b.Name, b.AccountID, b.RegionID, created)
	if err != nil {
		return fmt.Errorf("create bucket %q: %w", b.Name, err)
	}
	return nil
}

func scanBucket(b *store.Bucket) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&b.Name, &b.AccountID, &b.RegionID, &created); err != nil {
			return err
		}
		b.CreatedAt = fromNanos(created)
		return nil
	}
}

// GetBucket implements store.ObjectStorageTx.
func (t *tx) GetBucket(name string) (store.Bucket, error) {
	var b store.Bucket
	if err := t.get(scanBucket(&b), `SELECT name, account_id, region_id, created_at FROM oss_buckets WHERE name = ?`, name); err != nil {
		return store.Bucket{}, fmt.Errorf("get bucket %q: %w", name, err)
	}
	return b, nil
}

// ListBuckets implements store.ObjectStorageTx. An account has few buckets:
// they are filtered and ordered here, by bytes, whatever the collation.
func (t *tx) ListBuckets(accountID int64, prefix, marker string, limit int) ([]store.Bucket, error) {
	var all []store.Bucket
	var b store.Bucket
	err := t.list(func(s scanner) error {
		if err := scanBucket(&b)(s); err != nil {
			return err
		}
		if strings.HasPrefix(b.Name, prefix) && b.Name > marker {
			all = append(all, b)
		}
		return nil
	}, `SELECT name, account_id, region_id, created_at FROM oss_buckets WHERE account_id = ?`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// DeleteBucket implements store.ObjectStorageTx.
func (t *tx) DeleteBucket(name string) error {
	if err := t.update(`DELETE FROM oss_buckets WHERE name = ?`, name); err != nil {
		return fmt.Errorf("delete bucket %q: %w", name, err)
	}
	return nil
}

const objectColumns = "bucket, object_key, size, etag, crc64, content_type, file_id, modified_at"

func scanObject(o *store.Object) func(scanner) error {
	return func(s scanner) error {
		var key []byte
		var modified int64
		if err := s.Scan(&o.Bucket, &key, &o.Size, &o.ETag, &o.CRC64, &o.ContentType, &o.FileID, &modified); err != nil {
			return err
		}
		o.Key, o.ModifiedAt = string(key), fromNanos(modified)
		return nil
	}
}

// PutObject implements store.ObjectStorageTx.
func (t *tx) PutObject(o store.Object) error {
	modified, err := toNanos(o.ModifiedAt)
	if err != nil {
		return fmt.Errorf("put object %q: %w", o.Key, err)
	}
	_, err = t.exec(`INSERT INTO oss_objects (`+objectColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (bucket, object_key) DO UPDATE SET size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64,
		content_type = excluded.content_type, file_id = excluded.file_id, modified_at = excluded.modified_at`,
		o.Bucket, []byte(o.Key), o.Size, o.ETag, o.CRC64, o.ContentType, o.FileID, modified)
	if err != nil {
		return fmt.Errorf("put object %q: %w", o.Key, err)
	}
	return nil
}

// GetObject implements store.ObjectStorageTx.
func (t *tx) GetObject(bucket, key string) (store.Object, error) {
	var o store.Object
	err := t.get(scanObject(&o), `SELECT `+objectColumns+` FROM oss_objects WHERE bucket = ? AND object_key = ?`, bucket, []byte(key))
	if err != nil {
		return store.Object{}, fmt.Errorf("get object %q: %w", key, err)
	}
	return o, nil
}

// DeleteObject implements store.ObjectStorageTx.
func (t *tx) DeleteObject(bucket, key string) error {
	if err := t.update(`DELETE FROM oss_objects WHERE bucket = ? AND object_key = ?`, bucket, []byte(key)); err != nil {
		return fmt.Errorf("delete object %q: %w", key, err)
	}
	return nil
}

// ListObjects implements store.ObjectStorageTx. Keys with the prefix are one
// contiguous range in byte order: from the prefix to its successor.
func (t *tx) ListObjects(bucket, prefix, marker string, limit int) ([]store.Object, error) {
	q := `SELECT ` + objectColumns + ` FROM oss_objects WHERE bucket = ? AND object_key > ? AND object_key >= ?`
	args := []any{bucket, []byte(marker), []byte(prefix)}
	if upper, ok := prefixSuccessor(prefix); ok {
		q += ` AND object_key < ?`
		args = append(args, upper)
	}
	q += ` ORDER BY object_key`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []store.Object
	var o store.Object
	err := t.list(func(s scanner) error {
		if err := scanObject(&o)(s); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	return out, nil
}

// prefixSuccessor returns the smallest byte string greater than every string
// starting with prefix; false when there is none (empty or all 0xff).
func prefixSuccessor(prefix string) ([]byte, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return b[:i+1], true
		}
	}
	return nil, false
}

const uploadColumns = "id, bucket, object_key, content_type, initiated_at"

func scanUpload(u *store.MultipartUpload) func(scanner) error {
	return func(s scanner) error {
		var key []byte
		var initiated int64
		if err := s.Scan(&u.ID, &u.Bucket, &key, &u.ContentType, &initiated); err != nil {
			return err
		}
		u.Key, u.InitiatedAt = string(key), fromNanos(initiated)
		return nil
	}
}

// CreateUpload implements store.ObjectStorageTx.
func (t *tx) CreateUpload(u store.MultipartUpload) error {
	initiated, err := toNanos(u.InitiatedAt)
	if err != nil {
		return fmt.Errorf("create upload %s: %w", u.ID, err)
	}
	err = t.insert(`INSERT INTO oss_uploads (`+uploadColumns+`) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		u.ID, u.Bucket, []byte(u.Key), u.ContentType, initiated)
	if err != nil {
		return fmt.Errorf("create upload %s: %w", u.ID, err)
	}
	return nil
}

// GetUpload implements store.ObjectStorageTx.
func (t *tx) GetUpload(bucket, id string) (store.MultipartUpload, error) {
	var u store.MultipartUpload
	if err := t.get(scanUpload(&u), `SELECT `+uploadColumns+` FROM oss_uploads WHERE bucket = ? AND id = ?`, bucket, id); err != nil {
		return store.MultipartUpload{}, fmt.Errorf("get upload %s: %w", id, err)
	}
	return u, nil
}

// ListUploads implements store.ObjectStorageTx.
func (t *tx) ListUploads(bucket string, limit int) ([]store.MultipartUpload, error) {
	q := `SELECT ` + uploadColumns + ` FROM oss_uploads WHERE bucket = ? ORDER BY object_key, initiated_at, id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []store.MultipartUpload
	var u store.MultipartUpload
	err := t.list(func(s scanner) error {
		if err := scanUpload(&u)(s); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	}, q, bucket)
	if err != nil {
		return nil, fmt.Errorf("list uploads: %w", err)
	}
	return out, nil
}

// DeleteUpload implements store.ObjectStorageTx.
func (t *tx) DeleteUpload(id string) error {
	if _, err := t.exec(`DELETE FROM oss_parts WHERE upload_id = ?`, id); err != nil {
		return fmt.Errorf("delete upload %s: %w", id, err)
	}
	if err := t.update(`DELETE FROM oss_uploads WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete upload %s: %w", id, err)
	}
	return nil
}

const partColumns = "upload_id, part_number, size, etag, crc64, file_id, modified_at"

// PutPart implements store.ObjectStorageTx.
func (t *tx) PutPart(p store.UploadPart) error {
	modified, err := toNanos(p.ModifiedAt)
	if err != nil {
		return fmt.Errorf("put part %d: %w", p.Number, err)
	}
	_, err = t.exec(`INSERT INTO oss_parts (`+partColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64,
		file_id = excluded.file_id, modified_at = excluded.modified_at`,
		p.UploadID, p.Number, p.Size, p.ETag, p.CRC64, p.FileID, modified)
	if err != nil {
		return fmt.Errorf("put part %d: %w", p.Number, err)
	}
	return nil
}

// ListParts implements store.ObjectStorageTx.
func (t *tx) ListParts(uploadID string, after, limit int) ([]store.UploadPart, error) {
	q := `SELECT ` + partColumns + ` FROM oss_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []store.UploadPart
	var p store.UploadPart
	err := t.list(func(s scanner) error {
		var modified int64
		if err := s.Scan(&p.UploadID, &p.Number, &p.Size, &p.ETag, &p.CRC64, &p.FileID, &modified); err != nil {
			return err
		}
		p.ModifiedAt = fromNanos(modified)
		out = append(out, p)
		return nil
	}, q, uploadID, after)
	if err != nil {
		return nil, fmt.Errorf("list parts: %w", err)
	}
	return out, nil
}
