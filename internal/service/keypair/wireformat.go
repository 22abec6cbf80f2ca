package keypair

import (
	"encoding/binary"
	"errors"
	"math/big"
)

// errShortBlob reports a key blob that ends in the middle of a field.
var errShortBlob = errors.New("key blob ends in the middle of a field")

// blobReader reads the SSH wire encoding (RFC 4251 §5): uint32, uint64, string
// (uint32 length and bytes) and mpint. The first error sticks: later reads return
// zero values, and err reports it.
type blobReader struct {
	b   []byte
	err error
}

func (r *blobReader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(len(r.b)) < n {
		r.err = errShortBlob
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// uint32 reads a big-endian uint32.
func (r *blobReader) uint32() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// uint64 reads a big-endian uint64.
func (r *blobReader) uint64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// bytes reads a string.
func (r *blobReader) bytes() []byte {
	n := r.uint32()
	if r.err != nil {
		return nil
	}
	return r.take(uint64(n))
}

// mpint reads a non-negative multiple-precision integer; a negative one is an
// error. Superfluous leading zero bytes are accepted (as OpenSSH does) and dropped
// when the key is encoded again.
func (r *blobReader) mpint() *big.Int {
	b := r.bytes()
	if r.err != nil {
		return nil
	}
	if len(b) > 0 && b[0]&0x80 != 0 {
		r.err = errors.New("negative integer in key blob")
		return nil
	}
	return new(big.Int).SetBytes(b)
}

// done reports the first error, or an error when bytes are left over.
func (r *blobReader) done() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return errors.New("trailing bytes after the key data")
	}
	return nil
}

// blobWriter builds an SSH wire encoding.
type blobWriter struct {
	b []byte
}

// bytes appends a string.
func (w *blobWriter) bytes(s []byte) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(s)))
	w.b = append(w.b, s...)
}

// string appends a string given as a Go string.
func (w *blobWriter) string(s string) { w.bytes([]byte(s)) }

// mpint appends a non-negative integer in its shortest form: no leading zero
// bytes except one when the top bit is set; zero is the empty string.
func (w *blobWriter) mpint(n *big.Int) {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	w.bytes(b)
}
