package objectstore

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Object files: every object and every uploaded part is one file directly
// in <dir>/<bucket>/, named by a generated ID (never by the key, so no key can
// name a path outside the bucket's directory, and keys such as "a" and "a/b"
// do not collide). A file is written under a temporary name, synced and
// renamed into place before its metadata row is committed.

var crcTable = crc64.MakeTable(crc64.ECMA)

// written is a file written into a bucket's directory.
type written struct {
	FileID string
	Size   int64
	MD5    []byte
	CRC64  uint64
}

// ETag is the quoted upper-case hex MD5, as OSS shows it.
func (w written) ETag() string { return `"` + strings.ToUpper(hex.EncodeToString(w.MD5)) + `"` }

// CRC is the decimal CRC-64/ECMA, as x-oss-hash-crc64ecma shows it.
func (w written) CRC() string { return strconv.FormatUint(w.CRC64, 10) }

func newFileID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// bucketDir returns the directory of a (valid) bucket name.
func (s *Service) bucketDir(bucket string) string { return filepath.Join(s.dir, bucket) }

// filePath returns the path of a file of the bucket.
func (s *Service) filePath(bucket, fileID string) string { return filepath.Join(s.dir, bucket, fileID) }

// writeFile streams r into a new file of the bucket, at most limit bytes
// (more is ErrEntityTooLarge), hashing as it goes; with wantMD5 set, a
// different content is ErrBadDigest. Nothing is kept on error.
func (s *Service) writeFile(bucket string, r io.Reader, wantMD5 []byte, limit int64) (written, error) {
	dir := s.bucketDir(bucket)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return written{}, err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return written{}, err
	}
	tmp := f.Name()
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(tmp)
		}
	}()
	md := md5.New()
	crc := crc64.New(crcTable)
	n, err := io.Copy(io.MultiWriter(f, md, crc), io.LimitReader(r, limit+1))
	if err != nil {
		return written{}, err
	}
	if n > limit {
		return written{}, ErrEntityTooLarge
	}
	w := written{FileID: newFileID(), Size: n, MD5: md.Sum(nil), CRC64: crc.Sum64()}
	if wantMD5 != nil && string(wantMD5) != string(w.MD5) {
		return written{}, ErrBadDigest
	}
	if err := f.Sync(); err != nil {
		return written{}, err
	}
	if err := f.Close(); err != nil {
		return written{}, err
	}
	if err := os.Rename(tmp, s.filePath(bucket, w.FileID)); err != nil {
		return written{}, err
	}
	keep = true
	return w, nil
}

// concatFiles writes the bucket's files one after another into a new file,
// returning its size and CRC-64 (multipart completion).
func (s *Service) concatFiles(bucket string, fileIDs []string) (written, error) {
	pr, pw := io.Pipe()
	go func() {
		for _, id := range fileIDs {
			f, err := os.Open(s.filePath(bucket, id))
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, f)
			f.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	w, err := s.writeFile(bucket, pr, nil, maxObjectSize)
	pr.CloseWithError(fmt.Errorf("concatenation ended"))
	return w, err
}

// removeFiles deletes files of a bucket whose metadata is gone; failures
// only leave orphans behind.
func (s *Service) removeFiles(bucket string, fileIDs ...string) {
	for _, id := range fileIDs {
		if id != "" {
			_ = os.Remove(s.filePath(bucket, id))
		}
	}
}

// hashOf returns a new MD5 hash (for multipart ETags).
func hashOf() hash.Hash { return md5.New() }
