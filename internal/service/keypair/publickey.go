package keypair

import (
	"crypto"
	// ImportKeyPair accepts DSA keys (guide 1.12.2); only their fields are read.
	"crypto/dsa"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// SSH key type names (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4).
const (
	typeRSA       = "ssh-rsa"
	typeDSA       = "ssh-dss"
	typeED25519   = "ssh-ed25519"
	typeECDSA256  = "ecdsa-sha2-nistp256"
	typeECDSA384  = "ecdsa-sha2-nistp384"
	typeECDSA521  = "ecdsa-sha2-nistp521"
	maxBodyLength = 32 << 10
)

// RSA and DSA size limits of imported keys. OpenSSH refuses RSA keys under 1024
// bits, so a smaller one could never log in to a guest.
const (
	minRSABits = 1024
	maxRSABits = 16384
	minDSABits = 1024
	maxDSABits = 3072
)

// certType returns the type of the key an OpenSSH certificate type certifies,
// and whether it is the legacy v00 format; plain is "" for the types that are not
// the certificates the guide accepts (1.12.2).
func certType(typ string) (plain string, v00 bool) {
	switch typ {
	case "ssh-rsa-cert-v00@openssh.com":
		return typeRSA, true
	case "ssh-dss-cert-v00@openssh.com":
		return typeDSA, true
	case "ssh-rsa-cert-v01@openssh.com":
		return typeRSA, false
	case "ssh-dss-cert-v01@openssh.com":
		return typeDSA, false
	case "ecdsa-sha2-nistp256-cert-v01@openssh.com":
		return typeECDSA256, false
	case "ecdsa-sha2-nistp384-cert-v01@openssh.com":
		return typeECDSA384, false
	case "ecdsa-sha2-nistp521-cert-v01@openssh.com":
		return typeECDSA521, false
	}
	return "", false
}

// ErrMalformedPublicKey is wrapped by every error of ParsePublicKey.
var ErrMalformedPublicKey = errors.New("malformed public key")

// PublicKey is an SSH public key in canonical form.
type PublicKey struct {
	// Type is the SSH type of the key: ssh-rsa, ssh-dss, ssh-ed25519 or
	// ecdsa-sha2-nistp256/384/521 (a certificate's certified key type).
	Type string
	// Blob is the key's SSH wire encoding (RFC 4253 §6.6), with every integer
	// in its shortest form.
	Blob []byte
	// Comment is the comment given with the key, if any.
	Comment string
}

// FingerPrint returns the key's fingerprint as Alibaba Cloud shows it: the MD5
// digest of Blob (the RFC 4716 §4 fingerprint, the one `ssh-keygen -l -E md5`
// prints) in lower-case hexadecimal without colons, 32 characters.
func (k PublicKey) FingerPrint() string {
	sum := md5.Sum(k.Blob)
	return hex.EncodeToString(sum[:])
}

// AuthorizedKey returns the key as one line of an OpenSSH authorized_keys file:
// "<type> <base64 blob>", followed by " <comment>" when there is a comment.
func (k PublicKey) AuthorizedKey() string {
	line := k.Type + " " + base64.StdEncoding.EncodeToString(k.Blob)
	if k.Comment != "" {
		line += " " + k.Comment
	}
	return line
}

// NormalizeFingerPrint turns a fingerprint as users may write it ("MD5:be:ba:…",
// upper case) into the form FingerPrint returns.
func NormalizeFingerPrint(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 4 && strings.EqualFold(s[:4], "md5:") {
		s = s[4:]
	}
	return strings.ToLower(strings.ReplaceAll(s, ":", ""))
}

// ParsePublicKey parses the PublicKeyBody of ImportKeyPair. It accepts the
// formats and key types of guide 1.12.2 (plus Ed25519):
//
//   - one OpenSSH authorized_keys line, "<type> <base64> [comment]", of type
//     ssh-rsa, ssh-dss, ecdsa-sha2-nistp256/384/521, ssh-ed25519 or one of the
//     OpenSSH certificate types the guide lists (the certified key is kept);
//   - the RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----" format (`ssh-keygen -e`);
//   - PEM "RSA PUBLIC KEY" (PKCS #1) and "PUBLIC KEY" (X.509
//     SubjectPublicKeyInfo: RSA, DSA, ECDSA P-256/384/521, Ed25519).
//
// The key's values are checked (RSA 1024–16384 bits with an odd exponent ≥ 3,
// DSA 1024–3072 bits, ECDSA points on their curve, Ed25519 32 bytes). Every
// error wraps ErrMalformedPublicKey.
func ParsePublicKey(body string) (PublicKey, error) {
	k, err := parseBody(strings.TrimSpace(body))
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: %w", ErrMalformedPublicKey, err)
	}
	return k, nil
}

func parseBody(body string) (PublicKey, error) {
	switch {
	case body == "":
		return PublicKey{}, errors.New("empty")
	case len(body) > maxBodyLength:
		return PublicKey{}, fmt.Errorf("longer than %d bytes", maxBodyLength)
	case strings.HasPrefix(body, "---- BEGIN SSH2 PUBLIC KEY ----"):
		return parseRFC4716(body)
	case strings.HasPrefix(body, "-----BEGIN "):
		return parsePEM(body)
	}
	return parseAuthorizedKey(body)
}

// parseAuthorizedKey parses one "<type> <base64> [comment]" line.
func parseAuthorizedKey(line string) (PublicKey, error) {
	if strings.ContainsAny(line, "\r\n") {
		return PublicKey{}, errors.New("more than one line")
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return PublicKey{}, errors.New(`not "<type> <base64> [comment]"`)
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return PublicKey{}, fmt.Errorf("key data: %w", err)
	}
	k, err := parseBlob(blob)
	if err != nil {
		return PublicKey{}, err
	}
	if blobType := blobTypeName(blob); blobType != fields[0] {
		return PublicKey{}, fmt.Errorf("type %q does not match the key data's %q", fields[0], blobType)
	}
	// line is trimmed, so it starts with the type, then white space, the data.
	rest := strings.TrimSpace(line[len(fields[0]):])
	k.Comment = strings.Join(strings.Fields(rest[len(fields[1]):]), " ")
	return k, nil
}

// blobTypeName returns the type name a key blob starts with.
func blobTypeName(blob []byte) string {
	r := &blobReader{b: blob}
	return string(r.bytes())
}

// parseRFC4716 parses the SSH2 public key file format of RFC 4716 §3.
func parseRFC4716(body string) (PublicKey, error) {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	if strings.TrimSpace(lines[len(lines)-1]) != "---- END SSH2 PUBLIC KEY ----" {
		return PublicKey{}, errors.New("no END line")
	}
	var data strings.Builder
	comment := ""
	continued := false
	for _, raw := range lines[1 : len(lines)-1] {
		line := strings.TrimSpace(raw)
		switch {
		case continued:
			continued = strings.HasSuffix(line, `\`)
		case strings.Contains(line, ":"):
			tag, value, _ := strings.Cut(line, ":")
			continued = strings.HasSuffix(value, `\`)
			if strings.EqualFold(tag, "Comment") && !continued {
				comment = strings.Trim(strings.TrimSpace(value), `"`)
			}
		default:
			data.WriteString(line)
		}
	}
	blob, err := base64.StdEncoding.DecodeString(data.String())
	if err != nil {
		return PublicKey{}, fmt.Errorf("key data: %w", err)
	}
	k, err := parseBlob(blob)
	if err != nil {
		return PublicKey{}, err
	}
	k.Comment = strings.Join(strings.Fields(comment), " ")
	return k, nil
}

// parsePEM parses a PEM "RSA PUBLIC KEY" or "PUBLIC KEY" block.
func parsePEM(body string) (PublicKey, error) {
	block, rest := pem.Decode([]byte(body))
	if block == nil {
		return PublicKey{}, errors.New("not a PEM block")
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return PublicKey{}, errors.New("data after the PEM block")
	}
	if len(block.Headers) != 0 {
		return PublicKey{}, errors.New("PEM headers (an encrypted or private key?)")
	}
	var pub any
	var err error
	switch block.Type {
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	default:
		return PublicKey{}, fmt.Errorf("PEM type %q is not a public key", block.Type)
	}
	if err != nil {
		return PublicKey{}, err
	}
	return PublicKeyOf(pub)
}

// PublicKeyOf converts a public key of the standard library (*rsa.PublicKey,
// *dsa.PublicKey, *ecdsa.PublicKey on P-256/384/521, ed25519.PublicKey) to its
// SSH form, checking it as ParsePublicKey does.
func PublicKeyOf(pub crypto.PublicKey) (PublicKey, error) {
	w := &blobWriter{}
	var typ string
	switch p := pub.(type) {
	case *rsa.PublicKey:
		typ = typeRSA
		e := big.NewInt(int64(p.E))
		if err := checkRSA(e, p.N); err != nil {
			return PublicKey{}, err
		}
		w.string(typ)
		w.mpint(e)
		w.mpint(p.N)
	case *dsa.PublicKey:
		typ = typeDSA
		if err := checkDSA(p.P, p.Q, p.G, p.Y); err != nil {
			return PublicKey{}, err
		}
		w.string(typ)
		for _, n := range []*big.Int{p.P, p.Q, p.G, p.Y} {
			w.mpint(n)
		}
	case *ecdsa.PublicKey:
		k, err := p.ECDH()
		if err != nil {
			return PublicKey{}, fmt.Errorf("ECDSA key: %w", err)
		}
		var curve string
		typ, curve = ecdsaType(k.Curve())
		if typ == "" {
			return PublicKey{}, errors.New("ECDSA curve other than P-256, P-384 or P-521")
		}
		w.string(typ)
		w.string(curve)
		w.bytes(k.Bytes())
	case ed25519.PublicKey:
		typ = typeED25519
		if len(p) != ed25519.PublicKeySize {
			return PublicKey{}, errors.New("Ed25519 key is not 32 bytes")
		}
		w.string(typ)
		w.bytes(p)
	default:
		return PublicKey{}, fmt.Errorf("unsupported key type %T", pub)
	}
	return PublicKey{Type: typ, Blob: w.b}, nil
}

// ecdsaType returns the SSH type and curve name of an ECDH curve, or "".
func ecdsaType(c ecdh.Curve) (typ, curve string) {
	switch c {
	case ecdh.P256():
		return typeECDSA256, "nistp256"
	case ecdh.P384():
		return typeECDSA384, "nistp384"
	case ecdh.P521():
		return typeECDSA521, "nistp521"
	}
	return "", ""
}

// ecdhCurve returns the curve of an ECDSA SSH key type, or nil.
func ecdhCurve(typ string) ecdh.Curve {
	switch typ {
	case typeECDSA256:
		return ecdh.P256()
	case typeECDSA384:
		return ecdh.P384()
	case typeECDSA521:
		return ecdh.P521()
	}
	return nil
}

func checkRSA(e, n *big.Int) error {
	if bits := n.BitLen(); bits < minRSABits || bits > maxRSABits {
		return fmt.Errorf("RSA modulus of %d bits (want %d to %d)", bits, minRSABits, maxRSABits)
	}
	if n.Bit(0) == 0 {
		return errors.New("even RSA modulus")
	}
	if e.Cmp(big.NewInt(3)) < 0 || e.BitLen() > 31 || e.Bit(0) == 0 {
		return errors.New("RSA exponent is not an odd number from 3 to 2^31-1")
	}
	return nil
}

func checkDSA(p, q, g, y *big.Int) error {
	if bits := p.BitLen(); bits < minDSABits || bits > maxDSABits {
		return fmt.Errorf("DSA modulus of %d bits (want %d to %d)", bits, minDSABits, maxDSABits)
	}
	if bits := q.BitLen(); bits != 160 && bits != 224 && bits != 256 {
		return fmt.Errorf("DSA subgroup order of %d bits (want 160, 224 or 256)", bits)
	}
	one := big.NewInt(1)
	if g.Cmp(one) <= 0 || g.Cmp(p) >= 0 || y.Cmp(one) <= 0 || y.Cmp(p) >= 0 {
		return errors.New("DSA generator or public value out of range")
	}
	return nil
}
