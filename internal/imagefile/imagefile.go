// Package imagefile reads and writes the headers of disk image files — RAW,
// VHD and qcow2 — as ImportImage, ExportImage, ImportSnapshot and
// ExportSnapshot exchange them with the object store.
package imagefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// Image file formats, in the guide's canonical spelling.
const (
	RAW   = "RAW"
	VHD   = "VHD"
	QCOW2 = "qcow2"
)

// sectorSize is the unit a RAW image's size must be a multiple of.
const sectorSize = 512

// ErrMalformed is a file that is not what its format says.
var ErrMalformed = errors.New("imagefile: malformed image file")

// VirtualSize reads an image file's header and returns the size of the disk it
// holds, in bytes:
//   - qcow2: the magic "QFI\xfb" at offset 0, the big-endian virtual size at 24,
//     and a header whose tables lie within the file (qcow2VirtualSize);
//   - VHD: the footer in the last 512 bytes, cookie "conectix", the big-endian
//     current size at offset 48 of the footer;
//   - RAW: the file itself, whose size must be a non-zero multiple of 512.
func VirtualSize(r io.ReaderAt, size int64, format string) (int64, error) {
	switch format {
	case QCOW2:
		return qcow2VirtualSize(r, size)
	case VHD:
		var f [sectorSize]byte
		if size < sectorSize {
			return 0, ErrMalformed
		}
		if _, err := r.ReadAt(f[:], size-sectorSize); err != nil {
			return 0, err
		}
		if !bytes.Equal(f[:8], []byte("conectix")) {
			return 0, ErrMalformed
		}
		v := int64(binary.BigEndian.Uint64(f[48:56]))
		if v <= 0 {
			return 0, ErrMalformed
		}
		return v, nil
	default:
		if size <= 0 || size%sectorSize != 0 {
			return 0, ErrMalformed
		}
		return size, nil
	}
}

// QCOW2Header returns the 104-byte header of an empty qcow2 (version 3) image
// of virtualSize bytes: what ExportImage writes for an image whose data is a
// simulated snapshot (there are no bytes to export), and what ImportImage
// reads back as an image of that size.
func QCOW2Header(virtualSize int64) []byte {
	h := make([]byte, 104)
	copy(h, "QFI\xfb")
	binary.BigEndian.PutUint32(h[4:], 3)                    // version
	binary.BigEndian.PutUint32(h[20:], 16)                  // cluster_bits: 64 KiB
	binary.BigEndian.PutUint64(h[24:], uint64(virtualSize)) // size
	binary.BigEndian.PutUint32(h[96:], 4)                   // refcount_order
	binary.BigEndian.PutUint32(h[100:], 104)                // header_length
	return h
}

// qcow2 header limits: versions 2 and 3, clusters of 512 B to 2 MiB (as QEMU
// accepts), a version 2 header of 72 bytes, a version 3 header of at least 104.
const (
	qcow2MinClusterBits = 9
	qcow2MaxClusterBits = 21
	qcow2V2HeaderLength = 72
	qcow2V3HeaderLength = 104
)

// qcow2VirtualSize reads a qcow2 header (big-endian): magic "QFI\xfb" at 0,
// version at 4, backing file offset and size at 8 and 16, cluster_bits at 20,
// the virtual size at 24, the L1 table's entries at 36 and offset at 40, the
// refcount table's offset at 48 and clusters at 56, the snapshots' count at
// 60 and offset at 64, and (version 3) header_length at 100. A file cut short
// — an upload that stopped, a file truncated — keeps its header but loses the
// tables it points to, so every table must lie within the file.
func qcow2VirtualSize(r io.ReaderAt, size int64) (int64, error) {
	var h [qcow2V3HeaderLength]byte
	if size < qcow2V2HeaderLength {
		return 0, ErrMalformed
	}
	n := int64(len(h))
	if size < n {
		n = size
	}
	if _, err := r.ReadAt(h[:n], 0); err != nil && !(errors.Is(err, io.EOF) && n == size) {
		return 0, err
	}
	if !bytes.Equal(h[:4], []byte("QFI\xfb")) {
		return 0, ErrMalformed
	}
	be := binary.BigEndian
	version, clusterBits := be.Uint32(h[4:]), be.Uint32(h[20:])
	headerLength := uint64(qcow2V2HeaderLength)
	switch version {
	case 2:
	case 3:
		headerLength = uint64(be.Uint32(h[100:]))
		if size < qcow2V3HeaderLength || headerLength < qcow2V3HeaderLength {
			return 0, ErrMalformed
		}
	default:
		return 0, ErrMalformed
	}
	if clusterBits < qcow2MinClusterBits || clusterBits > qcow2MaxClusterBits {
		return 0, ErrMalformed
	}
	v := int64(be.Uint64(h[24:32]))
	if v <= 0 {
		return 0, ErrMalformed
	}
	within := func(offset, length uint64) bool {
		return length == 0 || (offset <= uint64(size) && length <= uint64(size)-offset)
	}
	if !within(0, headerLength) ||
		!within(be.Uint64(h[8:]), uint64(be.Uint32(h[16:]))) ||
		!within(be.Uint64(h[40:]), uint64(be.Uint32(h[36:]))*8) ||
		!within(be.Uint64(h[48:]), uint64(be.Uint32(h[56:]))<<clusterBits) ||
		(be.Uint32(h[60:]) > 0 && !within(be.Uint64(h[64:]), 1)) {
		return 0, ErrMalformed
	}
	return v, nil
}

// Detect tells an image file's format from its content, for callers that are
// not told it (ImportSnapshot): qcow2 by its magic "QFI\xfb" at offset 0, VHD
// by the cookie "conectix" of its footer (the last 512 bytes), otherwise RAW.
// It does not check the file; VirtualSize does.
func Detect(r io.ReaderAt, size int64) (string, error) {
	var b [8]byte
	if size >= 4 {
		if _, err := r.ReadAt(b[:4], 0); err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		if bytes.Equal(b[:4], []byte("QFI\xfb")) {
			return QCOW2, nil
		}
	}
	if size >= sectorSize {
		if _, err := r.ReadAt(b[:], size-sectorSize); err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		if bytes.Equal(b[:], []byte("conectix")) {
			return VHD, nil
		}
	}
	return RAW, nil
}
