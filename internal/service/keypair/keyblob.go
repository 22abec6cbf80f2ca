package keypair

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
)

// OpenSSH certificate kinds (PROTOCOL.certkeys).
const (
	certUser = 1
	certHost = 2
)

// parseBlob parses an SSH public key blob: a plain key of an accepted type, or
// an accepted OpenSSH certificate, of which the certified key is returned (as
// `ssh-keygen -l` fingerprints a certificate by its key).
func parseBlob(blob []byte) (PublicKey, error) {
	r := &blobReader{b: blob}
	typ := string(r.bytes())
	if r.err != nil {
		return PublicKey{}, r.err
	}
	if plain, v00 := certType(typ); plain != "" {
		k, err := parseCert(r, plain, v00)
		if err != nil {
			return PublicKey{}, fmt.Errorf("%s certificate: %w", typ, err)
		}
		return k, nil
	}
	k, err := parseKey(r, typ)
	if err != nil {
		return PublicKey{}, err
	}
	if err := r.done(); err != nil {
		return PublicKey{}, fmt.Errorf("%s key: %w", typ, err)
	}
	return k, nil
}

// parseKey reads the fields of a plain key of type typ (its type name already
// read) and returns the key with a canonical blob.
func parseKey(r *blobReader, typ string) (PublicKey, error) {
	w := &blobWriter{}
	w.string(typ)
	switch typ {
	case typeRSA:
		e, n := r.mpint(), r.mpint()
		if r.err != nil {
			return PublicKey{}, fmt.Errorf("RSA key: %w", r.err)
		}
		if err := checkRSA(e, n); err != nil {
			return PublicKey{}, err
		}
		w.mpint(e)
		w.mpint(n)
	case typeDSA:
		p, q, g, y := r.mpint(), r.mpint(), r.mpint(), r.mpint()
		if r.err != nil {
			return PublicKey{}, fmt.Errorf("DSA key: %w", r.err)
		}
		if err := checkDSA(p, q, g, y); err != nil {
			return PublicKey{}, err
		}
		w.mpint(p)
		w.mpint(q)
		w.mpint(g)
		w.mpint(y)
	case typeECDSA256, typeECDSA384, typeECDSA521:
		curve, point := string(r.bytes()), r.bytes()
		if r.err != nil {
			return PublicKey{}, fmt.Errorf("ECDSA key: %w", r.err)
		}
		if want := strings.TrimPrefix(typ, "ecdsa-sha2-"); curve != want {
			return PublicKey{}, fmt.Errorf("ECDSA key of type %s names curve %q", typ, curve)
		}
		if _, err := ecdhCurve(typ).NewPublicKey(point); err != nil {
			return PublicKey{}, fmt.Errorf("ECDSA key: %w", err)
		}
		w.string(curve)
		w.bytes(point)
	case typeED25519:
		key := r.bytes()
		if r.err != nil {
			return PublicKey{}, fmt.Errorf("Ed25519 key: %w", r.err)
		}
		if len(key) != ed25519.PublicKeySize {
			return PublicKey{}, fmt.Errorf("Ed25519 key of %d bytes", len(key))
		}
		w.bytes(key)
	default:
		return PublicKey{}, fmt.Errorf("key type %q is not supported", typ)
	}
	return PublicKey{Type: typ, Blob: w.b}, nil
}

// parseCert reads an OpenSSH certificate (its type name already read) and
// returns the certified key.
//
// A v01 certificate (PROTOCOL.certkeys) is checked field by field: nonce, key,
// serial, kind (user or host), key ID, principals, validity, critical options,
// extensions, reserved, signature key and signature, and nothing after. The
// legacy v00 format (dropped by OpenSSH 7.0, so no tool makes one any more to
// test with) puts the key right after the type name; only the key is checked.
func parseCert(r *blobReader, plain string, v00 bool) (PublicKey, error) {
	if v00 {
		k, err := parseKey(r, plain)
		if err != nil {
			return PublicKey{}, err
		}
		if len(r.b) == 0 {
			return PublicKey{}, errors.New("no certificate fields after the key")
		}
		return k, nil
	}
	r.bytes() // nonce
	k, err := parseKey(r, plain)
	if err != nil {
		return PublicKey{}, err
	}
	r.uint64() // serial
	kind := r.uint32()
	r.bytes() // key ID
	r.bytes() // valid principals
	r.uint64()
	r.uint64() // valid after, valid before
	for range 3 {
		r.bytes() // critical options, extensions, reserved
	}
	sigKey, sig := r.bytes(), r.bytes()
	if err := r.done(); err != nil {
		return PublicKey{}, err
	}
	if kind != certUser && kind != certHost {
		return PublicKey{}, fmt.Errorf("certificate kind %d", kind)
	}
	if len(sigKey) == 0 || len(sig) == 0 {
		return PublicKey{}, errors.New("unsigned certificate")
	}
	return k, nil
}
