package keypair

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fingerprints of testdata/*.pub as OpenSSH 9.2p1 prints them with
// `ssh-keygen -l -E md5 -f <file>` (RFC 4716 §4: MD5 of the key blob), colons
// removed. The other files are the same keys converted by `ssh-keygen -e`
// (RFC 4716), `ssh-keygen -e -m PEM` (PKCS #1) and `ssh-keygen -e -m PKCS8`
// (SubjectPublicKeyInfo); the certificates were signed with `ssh-keygen -s`.
const (
	fpRSA      = "dd6bf60c4dd8ff717cb998b69834affa"
	fpRSA1024  = "73267a53128f509000c5dba563eb4276"
	fpDSA      = "081ece8320f7f68ab6070e5ea2e29c03"
	fpECDSA256 = "56dbb054e422d6bfb68d220fff7e1636"
	fpECDSA384 = "3e15672319cc39662325e69c459064ff"
	fpECDSA521 = "98a2bfc0c09cf2a98b3688d5e6f26bad"
	fpED25519  = "e68338b76f710d310cf41347b37dcd95"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// blobOf returns the decoded key data of an authorized_keys line.
func blobOf(t *testing.T, line string) []byte {
	t.Helper()
	blob, err := base64.StdEncoding.DecodeString(strings.Fields(line)[1])
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

func TestParsePublicKeyAcceptsTheGuidesFormatsWithSSHKeygenFingerprints(t *testing.T) {
	for _, c := range []struct {
		file, typ, fp string
		// plain is the .pub file of the key, whose line AuthorizedKey must give
		// back (without its comment when the format has another one).
		plain string
	}{
		{"rsa.pub", typeRSA, fpRSA, "rsa.pub"},
		{"rsa1024.pub", typeRSA, fpRSA1024, "rsa1024.pub"},
		{"rsa.rfc4716", typeRSA, fpRSA, "rsa.pub"},
		{"rsa.pkcs1.pem", typeRSA, fpRSA, "rsa.pub"},
		{"rsa.pkix.pem", typeRSA, fpRSA, "rsa.pub"},
		{"rsa-cert.pub", typeRSA, fpRSA, "rsa.pub"},
		{"dsa.pub", typeDSA, fpDSA, "dsa.pub"},
		{"dsa.pkix.pem", typeDSA, fpDSA, "dsa.pub"},
		{"ecdsa256.pub", typeECDSA256, fpECDSA256, "ecdsa256.pub"},
		{"ecdsa256-cert.pub", typeECDSA256, fpECDSA256, "ecdsa256.pub"},
		{"ecdsa384.pub", typeECDSA384, fpECDSA384, "ecdsa384.pub"},
		{"ecdsa384.pkix.pem", typeECDSA384, fpECDSA384, "ecdsa384.pub"},
		{"ecdsa521.pub", typeECDSA521, fpECDSA521, "ecdsa521.pub"},
		{"ed25519.pub", typeED25519, fpED25519, "ed25519.pub"},
		{"ed25519.rfc4716", typeED25519, fpED25519, "ed25519.pub"},
	} {
		t.Run(c.file, func(t *testing.T) {
			k, err := ParsePublicKey(readTestdata(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if k.Type != c.typ || k.FingerPrint() != c.fp {
				t.Errorf("type %s, fingerprint %s; want %s, %s", k.Type, k.FingerPrint(), c.typ, c.fp)
			}
			plain := strings.Fields(readTestdata(t, c.plain))
			if got := strings.Fields(k.AuthorizedKey()); got[0] != plain[0] || got[1] != plain[1] {
				t.Errorf("AuthorizedKey = %.60s…, want the key of %s", k.AuthorizedKey(), c.plain)
			}
		})
	}
}

func TestAuthorizedKeyKeepsTheLineAndItsComment(t *testing.T) {
	line := strings.TrimSpace(readTestdata(t, "ed25519.pub"))
	k, err := ParsePublicKey("\n  " + strings.Replace(line, " ecsd", "   ecsd", 1) + " \r\n")
	if err != nil {
		t.Fatal(err)
	}
	if k.AuthorizedKey() != line || k.Comment != "ecsd-test-ed25519" {
		t.Errorf("AuthorizedKey = %q (comment %q), want %q", k.AuthorizedKey(), k.Comment, line)
	}
}

// The fingerprint is MD5 over the decoded base64 of the key line: the definition
// docs/key-pairs.md gives, checked on its test vector.
func TestFingerPrintIsTheMD5OfTheKeyBlob(t *testing.T) {
	line := readTestdata(t, "ed25519.pub")
	sum := md5.Sum(blobOf(t, line))
	k, err := ParsePublicKey(line)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sum[:]); got != fpED25519 || k.FingerPrint() != got {
		t.Errorf("md5(blob) = %s, FingerPrint = %s, want %s", got, k.FingerPrint(), fpED25519)
	}
}

func TestRFC4716HeadersAndContinuationLines(t *testing.T) {
	b64 := strings.Fields(readTestdata(t, "ed25519.pub"))[1]
	body := "---- BEGIN SSH2 PUBLIC KEY ----\r\n" +
		"Subject: someone\r\n" +
		"x-note: a long header value that goes \\\r\n" +
		"on: over two lines\r\n" +
		"Comment: \"my key\"\r\n" +
		b64[:30] + "\r\n" + b64[30:] + "\r\n" +
		"---- END SSH2 PUBLIC KEY ----\r\n"
	k, err := ParsePublicKey(body)
	if err != nil {
		t.Fatal(err)
	}
	if k.FingerPrint() != fpED25519 || k.Comment != "my key" {
		t.Errorf("fingerprint %s, comment %q", k.FingerPrint(), k.Comment)
	}
}

func TestPublicKeyOfEd25519PKIX(t *testing.T) {
	raw := blobOf(t, readTestdata(t, "ed25519.pub"))[len(typeED25519)+8:]
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(raw))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePublicKey(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	if err != nil || k.FingerPrint() != fpED25519 {
		t.Fatalf("Ed25519 PKIX: %+v, %v", k, err)
	}
}

// keyLine builds an authorized_keys line from a type and blob fields.
func keyLine(typ string, fields ...func(w *blobWriter)) string {
	w := &blobWriter{}
	w.string(typ)
	for _, f := range fields {
		f(w)
	}
	return typ + " " + base64.StdEncoding.EncodeToString(w.b)
}

func mp(n *big.Int) func(w *blobWriter) { return func(w *blobWriter) { w.mpint(n) } }
func str(s []byte) func(w *blobWriter)  { return func(w *blobWriter) { w.bytes(s) } }
func raw(b []byte) func(w *blobWriter)  { return func(w *blobWriter) { w.b = append(w.b, b...) } }

func TestParsePublicKeyRejectsMalformedKeys(t *testing.T) {
	rsaLine := strings.TrimSpace(readTestdata(t, "rsa.pub"))
	edLine := strings.TrimSpace(readTestdata(t, "ed25519.pub"))
	edBlob := blobOf(t, edLine)
	ecBlob := blobOf(t, readTestdata(t, "ecdsa256.pub"))
	certBlob := blobOf(t, readTestdata(t, "rsa-cert.pub"))
	odd := func(bits int) *big.Int { return new(big.Int).SetBit(big.NewInt(1), bits-1, 1) }
	offCurve := append([]byte{}, ecBlob...)
	offCurve[len(offCurve)-1] ^= 1
	ecPoint := ecBlob[len(ecBlob)-65:]
	for _, c := range []struct{ name, body string }{
		{"empty", "  \n"},
		{"type only", "ssh-rsa"},
		{"not base64", "ssh-rsa !!!notbase64"},
		{"short blob", "ssh-rsa AAAAB3NzaC1yc2E="},
		{"type differs from the blob's", "ssh-ed25519 " + strings.Fields(rsaLine)[1]},
		{"two keys", rsaLine + "\n" + edLine},
		{"unsupported type", keyLine("ssh-ed448", str(make([]byte, 57)))},
		{"security key type", keyLine("sk-ssh-ed25519@openssh.com", str(edBlob[19:]), str([]byte("ssh:")))},
		{"RSA of 512 bits", keyLine(typeRSA, mp(big.NewInt(65537)), mp(odd(512)))},
		{"RSA even exponent", keyLine(typeRSA, mp(big.NewInt(65536)), mp(odd(2048)))},
		{"RSA exponent 1", keyLine(typeRSA, mp(big.NewInt(1)), mp(odd(2048)))},
		{"RSA even modulus", keyLine(typeRSA, mp(big.NewInt(65537)), mp(new(big.Int).Lsh(big.NewInt(1), 2047)))},
		{"RSA negative modulus", keyLine(typeRSA, mp(big.NewInt(65537)), str([]byte{0x80, 1, 2, 3}))},
		{"trailing bytes", keyLine(typeED25519, str(edBlob[19:]), raw([]byte{0}))},
		{"Ed25519 of 31 bytes", keyLine(typeED25519, str(edBlob[19:50]))},
		{"ECDSA point off the curve", typeECDSA256 + " " + base64.StdEncoding.EncodeToString(offCurve)},
		{"ECDSA curve name differs", keyLine(typeECDSA256, str([]byte("nistp384")), str(ecPoint))},
		{"ECDSA compressed point", keyLine(typeECDSA256, str([]byte("nistp256")), str(append([]byte{2}, ecPoint[1:33]...)))},
		{"certificate with trailing bytes", "ssh-rsa-cert-v01@openssh.com " + base64.StdEncoding.EncodeToString(append(certBlob, 0))},
		{"certificate cut short", "ssh-rsa-cert-v01@openssh.com " + base64.StdEncoding.EncodeToString(certBlob[:len(certBlob)-10])},
		{"plain key under a certificate type", "ssh-rsa-cert-v01@openssh.com " + strings.Fields(rsaLine)[1]},
		{"RFC 4716 without END", strings.Replace(readTestdata(t, "rsa.rfc4716"), "---- END SSH2 PUBLIC KEY ----", "", 1)},
		{"PEM private key", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGgdZH2E0yCfkNCmZ7pnXqfB1Ta2iTTc9C6qC8u2wFbq\n-----END PRIVATE KEY-----\n"},
		{"PEM with data after it", readTestdata(t, "rsa.pkix.pem") + "garbage"},
		{"PEM that is not a key", strings.ReplaceAll(readTestdata(t, "rsa.pkix.pem"), "MII", "AAA")},
		{"too long", "ssh-rsa " + strings.Repeat("A", maxBodyLength)},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParsePublicKey(c.body)
			if !errors.Is(err, ErrMalformedPublicKey) {
				t.Fatalf("ParsePublicKey = %+v, %v; want ErrMalformedPublicKey", k, err)
			}
		})
	}
}

func TestNonMinimalIntegersAreEncodedCanonically(t *testing.T) {
	blob := blobOf(t, readTestdata(t, "rsa.pub"))
	r := &blobReader{b: blob}
	r.bytes()
	e, n := r.mpint(), r.mpint()
	padded := keyLine(typeRSA, str(append([]byte{0, 0}, e.Bytes()...)), mp(n))
	k, err := ParsePublicKey(padded)
	if err != nil || k.FingerPrint() != fpRSA {
		t.Fatalf("padded exponent: %v, fingerprint %s; want %s as ssh-keygen re-encodes", err, k.FingerPrint(), fpRSA)
	}
}

func TestNormalizeFingerPrint(t *testing.T) {
	for in, want := range map[string]string{
		fpRSA: fpRSA,
		"MD5:dd:6b:f6:0c:4d:d8:ff:71:7c:b9:98:b6:98:34:af:fa": fpRSA,
		"DD:6B:F6:0C:4D:D8:FF:71:7C:B9:98:B6:98:34:AF:FA":     fpRSA,
		" md5:DD6BF60C4DD8FF717CB998B69834AFFA ":              fpRSA,
		"xyz":                                                 "xyz",
	} {
		if got := NormalizeFingerPrint(in); got != want {
			t.Errorf("NormalizeFingerPrint(%q) = %q, want %q", in, got, want)
		}
	}
}
