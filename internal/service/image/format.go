package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
)

// Image file formats of ImportImage and ExportImage (guide 1.9.9), in their
// canonical spelling.
const (
	FormatRAW   = "RAW"
	FormatVHD   = "VHD"
	FormatQCOW2 = "qcow2"
)

// sectorSize is the unit a RAW image's size must be a multiple of.
const sectorSize = 512

// canonicalFormat returns the canonical spelling of an image file format
// (any letter case; empty means RAW), or false.
func canonicalFormat(f string) (string, bool) {
	if f == "" {
		return FormatRAW, true
	}
	return canonical(f, FormatRAW, FormatVHD, FormatQCOW2)
}

// errBadImageFile is a file that is not what its format says.
var errBadImageFile = errors.New("image: malformed image file")

// virtualSize reads an image file's header and returns the size of the disk it
// holds, in bytes:
//   - qcow2: the magic "QFI\xfb" at offset 0, the big-endian virtual size at 24;
//   - VHD: the footer in the last 512 bytes, cookie "conectix", the big-endian
//     current size at offset 48 of the footer;
//   - RAW: the file itself, whose size must be a non-zero multiple of 512.
func virtualSize(r io.ReaderAt, size int64, format string) (int64, error) {
	switch format {
	case FormatQCOW2:
		var h [32]byte
		if size < int64(len(h)) {
			return 0, errBadImageFile
		}
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return 0, err
		}
		if !bytes.Equal(h[:4], []byte("QFI\xfb")) {
			return 0, errBadImageFile
		}
		v := int64(binary.BigEndian.Uint64(h[24:32]))
		if v <= 0 {
			return 0, errBadImageFile
		}
		return v, nil
	case FormatVHD:
		var f [sectorSize]byte
		if size < sectorSize {
			return 0, errBadImageFile
		}
		if _, err := r.ReadAt(f[:], size-sectorSize); err != nil {
			return 0, err
		}
		if !bytes.Equal(f[:8], []byte("conectix")) {
			return 0, errBadImageFile
		}
		v := int64(binary.BigEndian.Uint64(f[48:56]))
		if v <= 0 {
			return 0, errBadImageFile
		}
		return v, nil
	default:
		if size <= 0 || size%sectorSize != 0 {
			return 0, errBadImageFile
		}
		return size, nil
	}
}

// fileExtension is the extension of an image file of format f.
func fileExtension(f string) string {
	return "." + strings.ToLower(f)
}

// qcow2Header returns the 104-byte header of an empty qcow2 (version 3) image
// of virtualSize bytes: what ExportImage writes for an image whose data is a
// simulated snapshot (there are no bytes to export), and what ImportImage
// reads back as an image of that size.
func qcow2Header(virtualSize int64) []byte {
	h := make([]byte, 104)
	copy(h, "QFI\xfb")
	binary.BigEndian.PutUint32(h[4:], 3)                    // version
	binary.BigEndian.PutUint32(h[20:], 16)                  // cluster_bits: 64 KiB
	binary.BigEndian.PutUint64(h[24:], uint64(virtualSize)) // size
	binary.BigEndian.PutUint32(h[96:], 4)                   // refcount_order
	binary.BigEndian.PutUint32(h[100:], 104)                // header_length
	return h
}
