package objectstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// Multipart limits, as OSS has them.
const (
	// MinPartSize is the smallest size of every part but the last.
	MinPartSize = 100 << 10
	// MaxPartSize is the largest part.
	MaxPartSize = 5 << 30
	// MaxPartNumber is the highest part number.
	MaxPartNumber = 10000
)

// CompletedPart names one part in CompleteMultipartUpload.
type CompletedPart struct {
	Number int
	ETag   string
}

func newUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// upload returns the account's upload of the bucket for key.
func ownedUpload(tx store.Tx, accountID int64, bucket, key, uploadID string) (store.MultipartUpload, error) {
	if _, err := ownedBucket(tx, accountID, bucket); err != nil {
		return store.MultipartUpload{}, err
	}
	u, err := tx.GetUpload(bucket, uploadID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Key != key) {
		return store.MultipartUpload{}, ErrNoSuchUpload
	}
	return u, err
}

// InitiateUpload starts a multipart upload and returns its ID.
func (s *Service) InitiateUpload(ctx context.Context, accountID int64, bucket, key, contentType string) (string, error) {
	if !ValidObjectKey(key) {
		return "", ErrInvalidObjectName
	}
	id := newUploadID()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := ownedBucket(tx, accountID, bucket); err != nil {
			return err
		}
		return tx.CreateUpload(store.MultipartUpload{ID: id, Bucket: bucket, Key: key, ContentType: contentType, InitiatedAt: s.clock.Now()})
	})
	return id, err
}

// UploadPart stores one part (replacing an earlier one of that number) and
// returns its ETag and CRC-64.
func (s *Service) UploadPart(ctx context.Context, accountID int64, bucket, key, uploadID string, number int, r io.Reader, md5 []byte) (store.UploadPart, error) {
	if number < 1 || number > MaxPartNumber {
		return store.UploadPart{}, ErrInvalidArgument
	}
	err := s.store.View(ctx, func(tx store.Tx) error {
		_, err := ownedUpload(tx, accountID, bucket, key, uploadID)
		return err
	})
	if err != nil {
		return store.UploadPart{}, err
	}
	w, err := s.writeFile(bucket, r, md5, MaxPartSize)
	if err != nil {
		return store.UploadPart{}, err
	}
	p := store.UploadPart{UploadID: uploadID, Number: number, Size: w.Size, ETag: w.ETag(), CRC64: w.CRC(), FileID: w.FileID, ModifiedAt: s.clock.Now()}
	var old string
	err = s.store.Update(ctx, func(tx store.Tx) error {
		old = ""
		if _, err := ownedUpload(tx, accountID, bucket, key, uploadID); err != nil {
			return err
		}
		prev, err := tx.ListParts(uploadID, number-1, 1)
		if err != nil {
			return err
		}
		if len(prev) == 1 && prev[0].Number == number {
			old = prev[0].FileID
		}
		return tx.PutPart(p)
	})
	if err != nil {
		s.removeFiles(bucket, w.FileID)
		return store.UploadPart{}, err
	}
	s.removeFiles(bucket, old)
	return p, nil
}

// ListParts lists an upload's parts numbered above after, at most max;
// truncated tells whether more follow.
func (s *Service) ListParts(ctx context.Context, accountID int64, bucket, key, uploadID string, after, max int) (parts []store.UploadPart, truncated bool, err error) {
	err = s.store.View(ctx, func(tx store.Tx) error {
		if _, err := ownedUpload(tx, accountID, bucket, key, uploadID); err != nil {
			return err
		}
		parts, err = tx.ListParts(uploadID, after, max+1)
		return err
	})
	if len(parts) > max {
		return parts[:max], true, err
	}
	return parts, false, err
}

// ListUploads lists the bucket's multipart uploads in progress.
func (s *Service) ListUploads(ctx context.Context, accountID int64, bucket string, max int) (ups []store.MultipartUpload, err error) {
	err = s.store.View(ctx, func(tx store.Tx) error {
		if _, err := ownedBucket(tx, accountID, bucket); err != nil {
			return err
		}
		ups, err = tx.ListUploads(bucket, max)
		return err
	})
	return ups, err
}

// AbortUpload discards an upload and its parts.
func (s *Service) AbortUpload(ctx context.Context, accountID int64, bucket, key, uploadID string) error {
	var files []string
	err := s.store.Update(ctx, func(tx store.Tx) error {
		files = nil
		if _, err := ownedUpload(tx, accountID, bucket, key, uploadID); err != nil {
			return err
		}
		parts, err := tx.ListParts(uploadID, 0, 0)
		if err != nil {
			return err
		}
		for _, p := range parts {
			files = append(files, p.FileID)
		}
		return tx.DeleteUpload(uploadID)
	})
	if err == nil {
		s.removeFiles(bucket, files...)
	}
	return err
}

// selectParts checks the parts a CompleteMultipartUpload names against the
// uploaded ones: ascending numbers, matching ETags, every part but the last
// at least MinPartSize.
func selectParts(want []CompletedPart, have []store.UploadPart) ([]store.UploadPart, error) {
	if len(want) == 0 {
		return nil, ErrMalformedXML
	}
	byNumber := make(map[int]store.UploadPart, len(have))
	for _, p := range have {
		byNumber[p.Number] = p
	}
	out := make([]store.UploadPart, 0, len(want))
	for i, w := range want {
		if i > 0 && w.Number <= want[i-1].Number {
			return nil, ErrInvalidPartOrder
		}
		p, ok := byNumber[w.Number]
		if !ok || !strings.EqualFold(strings.Trim(w.ETag, `"`), strings.Trim(p.ETag, `"`)) {
			return nil, ErrInvalidPart
		}
		out = append(out, p)
	}
	for _, p := range out[:len(out)-1] {
		if p.Size < MinPartSize {
			return nil, ErrEntityTooSmall
		}
	}
	return out, nil
}

// multipartETag is OSS's ETag of a multipart object: the MD5 of the parts'
// binary MD5s, then "-<number of parts>".
func multipartETag(parts []store.UploadPart) (string, error) {
	h := hashOf()
	for _, p := range parts {
		b, err := hex.DecodeString(strings.Trim(p.ETag, `"`))
		if err != nil {
			return "", fmt.Errorf("part %d etag: %w", p.Number, err)
		}
		h.Write(b)
	}
	return fmt.Sprintf(`"%s-%d"`, strings.ToUpper(hex.EncodeToString(h.Sum(nil))), len(parts)), nil
}

// CompleteUpload assembles the named parts, in order, into the object (by
// streaming them into a new file) and ends the upload.
func (s *Service) CompleteUpload(ctx context.Context, accountID int64, bucket, key, uploadID string, want []CompletedPart) (store.Object, error) {
	var u store.MultipartUpload
	var have []store.UploadPart
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		if u, err = ownedUpload(tx, accountID, bucket, key, uploadID); err != nil {
			return err
		}
		have, err = tx.ListParts(uploadID, 0, 0)
		return err
	})
	if err != nil {
		return store.Object{}, err
	}
	parts, err := selectParts(want, have)
	if err != nil {
		return store.Object{}, err
	}
	etag, err := multipartETag(parts)
	if err != nil {
		return store.Object{}, err
	}
	ids := make([]string, len(parts))
	for i, p := range parts {
		ids[i] = p.FileID
	}
	w, err := s.concatFiles(bucket, ids)
	if err != nil {
		return store.Object{}, err
	}
	o := store.Object{Bucket: bucket, Key: key, Size: w.Size, ETag: etag, CRC64: w.CRC(), ContentType: u.ContentType,
		FileID: w.FileID, ModifiedAt: s.clock.Now()}
	err = s.commitObject(ctx, accountID, o, func(tx store.Tx) error {
		// The upload must still be there: a concurrent Abort or Complete wins.
		if _, err := ownedUpload(tx, accountID, bucket, key, uploadID); err != nil {
			return err
		}
		return tx.DeleteUpload(uploadID)
	})
	if err != nil {
		s.removeFiles(bucket, w.FileID)
		return store.Object{}, err
	}
	all := make([]string, 0, len(have))
	for _, p := range have {
		all = append(all, p.FileID)
	}
	s.removeFiles(bucket, all...)
	return o, nil
}
