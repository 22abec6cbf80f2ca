package image

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ContentStore keeps the bytes of imported images (and of their copies) as
// files named <ImageId><.format> in one directory, <data-dir>/images for
// ecsd serve. Images made from snapshots keep no bytes here: their disks
// reference the snapshots, whose data the volume driver holds. The path of an
// image's file is recorded with the image, so a driver that boots real disks
// can use it as the backing file of a system disk.
type ContentStore struct {
	dir string
}

// NewContentStore returns a content store in dir, created if missing.
func NewContentStore(dir string) (*ContentStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("image content store: %w", err)
	}
	return &ContentStore{dir: dir}, nil
}

// Path is where the file of an image with that ID and format is kept.
func (c *ContentStore) Path(imageID, format string) string {
	return filepath.Join(c.dir, imageID+fileExtension(format))
}

// Write stores r as the file of an image, atomically (a temporary file renamed
// into place), and returns its path and size.
func (c *ContentStore) Write(imageID, format string, r io.Reader) (string, int64, error) {
	path := c.Path(imageID, format)
	tmp, err := os.CreateTemp(c.dir, imageID+".*.part")
	if err != nil {
		return "", 0, fmt.Errorf("image content %s: %w", imageID, err)
	}
	n, err := io.Copy(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", 0, fmt.Errorf("image content %s: %w", imageID, err)
	}
	return path, n, nil
}

// Open opens a stored image file.
func (c *ContentStore) Open(path string) (*os.File, error) {
	return os.Open(path)
}

// Remove deletes an image file; a missing one is fine.
func (c *ContentStore) Remove(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("image content: %w", err)
	}
	return nil
}
