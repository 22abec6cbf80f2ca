// Package atomicfile writes small state files so that a crash at any point
// leaves either the old content or the new, never a mix: the data goes to a
// temporary file beside the target, is synced, and is renamed into place.
package atomicfile

import "os"

// Write replaces path's content with data, atomically. The temporary file is
// path + ".tmp" with permissions mode; the directory must exist.
func Write(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
