package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// qcow2Image is a version 3 qcow2 file of fileSize bytes with 64 KiB clusters,
// a refcount table in cluster 1 and an L1 table in cluster 2, as qemu-img
// lays out an empty image.
func qcow2Image(virtualSize int64, fileSize int) []byte {
	b := make([]byte, fileSize)
	copy(b, qcow2Header(virtualSize))
	binary.BigEndian.PutUint32(b[36:], 40)    // L1 entries
	binary.BigEndian.PutUint64(b[40:], 2<<16) // L1 table offset
	binary.BigEndian.PutUint64(b[48:], 1<<16) // refcount table offset
	binary.BigEndian.PutUint32(b[56:], 1)     // refcount table clusters
	return b
}

func TestQcow2VirtualSizeChecksTheHeaderAgainstTheFile(t *testing.T) {
	const vsize = 20 << 30
	whole := qcow2Image(vsize, 3<<16)
	if v, err := virtualSize(bytes.NewReader(whole), int64(len(whole)), FormatQCOW2); err != nil || v != vsize {
		t.Fatalf("whole image: %d, %v", v, err)
	}
	if v, err := virtualSize(bytes.NewReader(qcow2Header(vsize)), 104, FormatQCOW2); err != nil || v != vsize {
		t.Fatalf("the header ExportImage writes: %d, %v", v, err)
	}
	with := func(off int, put func([]byte)) []byte {
		b := bytes.Clone(whole)
		put(b[off:])
		return b
	}
	bad := map[string][]byte{
		"too short for a header":     whole[:50],
		"v3 header cut":              whole[:100],
		"L1 table cut off":           whole[:2<<16+100],
		"refcount table cut off":     whole[:1<<16+10],
		"version 1":                  with(4, func(b []byte) { binary.BigEndian.PutUint32(b, 1) }),
		"clusters of 256 bytes":      with(20, func(b []byte) { binary.BigEndian.PutUint32(b, 8) }),
		"header_length below 104":    with(100, func(b []byte) { binary.BigEndian.PutUint32(b, 72) }),
		"backing file past the end":  with(8, func(b []byte) { binary.BigEndian.PutUint64(b, 1<<20); binary.BigEndian.PutUint32(b[8:], 10) }),
		"snapshots past the end":     with(60, func(b []byte) { binary.BigEndian.PutUint32(b, 1); binary.BigEndian.PutUint64(b[4:], 1<<30) }),
		"zero virtual size":          with(24, func(b []byte) { binary.BigEndian.PutUint64(b, 0) }),
		"offset overflowing the end": with(40, func(b []byte) { binary.BigEndian.PutUint64(b, ^uint64(0)-3) }),
		"raw bytes":                  make([]byte, 3<<16),
	}
	for name, b := range bad {
		if v, err := virtualSize(bytes.NewReader(b), int64(len(b)), FormatQCOW2); !errors.Is(err, errBadImageFile) {
			t.Errorf("%s: %d, %v; want a malformed image", name, v, err)
		}
	}
}
