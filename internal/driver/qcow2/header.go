package qcow2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Layer is one file of a disk's backing chain.
type Layer struct {
	// Path is the file's absolute path.
	Path string
	// Format is "qcow2" or "raw".
	Format string
	// VirtualSize is the size the guest sees, in bytes (for raw, the file size).
	VirtualSize int64
	// Backing is the absolute path of the backing file, empty when there is none.
	Backing string
}

// qcow2Magic starts every qcow2 file ("QFI\xfb").
const qcow2Magic = 0x514649fb

// maxChain bounds a backing chain (a loop in the headers would never end).
const maxChain = 16

// ReadLayer reads the header of the image file at path: a qcow2 header when the
// file starts with the qcow2 magic, else a raw file. A relative backing path is
// resolved against the file's directory, as QEMU does.
func ReadLayer(path string) (Layer, error) {
	f, err := os.Open(path)
	if err != nil {
		return Layer{}, err
	}
	defer f.Close()
	var hdr [32]byte
	n, err := io.ReadFull(f, hdr[:])
	if (err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF)) ||
		n < len(hdr) || binary.BigEndian.Uint32(hdr[0:4]) != qcow2Magic {
		fi, serr := f.Stat()
		if serr != nil {
			return Layer{}, serr
		}
		return Layer{Path: path, Format: "raw", VirtualSize: fi.Size()}, nil
	}
	l := Layer{Path: path, Format: "qcow2", VirtualSize: int64(binary.BigEndian.Uint64(hdr[24:32]))}
	off := int64(binary.BigEndian.Uint64(hdr[8:16]))
	size := binary.BigEndian.Uint32(hdr[16:20])
	if off != 0 && size > 0 {
		if size > 1023 {
			return Layer{}, fmt.Errorf("qcow2: %s: backing file name of %d bytes", path, size)
		}
		name := make([]byte, size)
		if _, err := f.ReadAt(name, off); err != nil {
			return Layer{}, fmt.Errorf("qcow2: %s: backing file name: %w", path, err)
		}
		l.Backing = string(name)
		if !filepath.IsAbs(l.Backing) {
			l.Backing = filepath.Join(filepath.Dir(path), l.Backing)
		}
	}
	return l, nil
}

// Chain returns the backing chain of the image at path, the image itself first
// and the deepest backing file last.
func Chain(path string) ([]Layer, error) {
	var chain []Layer
	for p := path; p != ""; {
		if len(chain) == maxChain {
			return nil, fmt.Errorf("qcow2: %s: backing chain longer than %d", path, maxChain)
		}
		l, err := ReadLayer(p)
		if err != nil {
			return nil, err
		}
		chain = append(chain, l)
		p = l.Backing
	}
	return chain, nil
}
