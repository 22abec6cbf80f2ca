package imagefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestDetectTellsTheFormatAndVirtualSizeChecksIt(t *testing.T) {
	vhd := make([]byte, 3*sectorSize)
	copy(vhd[2*sectorSize:], "conectix")
	binary.BigEndian.PutUint64(vhd[2*sectorSize+48:], 5<<30)
	for _, c := range []struct {
		name   string
		file   []byte
		format string
		vsize  int64
		bad    bool
	}{
		{"qcow2", QCOW2Header(3 << 30), QCOW2, 3 << 30, false},
		{"vhd", vhd, VHD, 5 << 30, false},
		{"raw", make([]byte, 4*sectorSize), RAW, 4 * sectorSize, false},
		{"junk", []byte("this is not a disk image"), RAW, 0, true},
		{"empty", nil, RAW, 0, true},
	} {
		r := bytes.NewReader(c.file)
		f, err := Detect(r, int64(len(c.file)))
		if err != nil || f != c.format {
			t.Fatalf("%s: Detect = %q, %v; want %q", c.name, f, err, c.format)
		}
		v, err := VirtualSize(r, int64(len(c.file)), f)
		if c.bad {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: VirtualSize = %d, %v; want ErrMalformed", c.name, v, err)
			}
			continue
		}
		if err != nil || v != c.vsize {
			t.Fatalf("%s: VirtualSize = %d, %v; want %d", c.name, v, err, c.vsize)
		}
	}
}
