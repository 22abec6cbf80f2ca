package keypair

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

var hangzhou = Owner{AccountID: 1, RegionID: "cn-hangzhou"}

// newService returns a service on a fresh SQLite store, with its clock.
func newService(t *testing.T, quota int) (*Service, *clock.Fake) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC))
	return New(Deps{Store: st, IDs: ids.Seeded(1), Clock: clk, Quota: quota}), clk
}

func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("error %v, want %s (%d)", err, code, status)
	}
}

func importKey(t *testing.T, s *Service, owner Owner, name, file string) store.KeyPair {
	t.Helper()
	k, err := s.Import(t.Context(), Request{Owner: owner, Name: name}, readTestdata(t, file))
	if err != nil {
		t.Fatalf("Import %s: %v", name, err)
	}
	return k
}

func describe(t *testing.T, s *Service, q Query) ([]string, int) {
	t.Helper()
	if q.Owner == (Owner{}) {
		q.Owner = hangzhou
	}
	list, total, err := s.Describe(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range list {
		names = append(names, k.Name)
	}
	return names, total
}

func TestCreateReturnsAnUnencryptedPKCS8KeyWhosePublicHalfIsStored(t *testing.T) {
	s, _ := newService(t, 0)
	c, err := s.Create(t.Context(), Request{Owner: hangzhou, Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode([]byte(c.PrivateKeyPEM))
	if block == nil || block.Type != "PRIVATE KEY" || len(block.Headers) != 0 || len(rest) != 0 {
		t.Fatalf("private key is not one unencrypted PEM PKCS #8 block:\n%s", c.PrivateKeyPEM)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok || priv.N.BitLen() != 2048 {
		t.Fatalf("private key %T, want 2048-bit RSA", parsed)
	}
	pub, err := PublicKeyOf(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := describe(t, s, Query{FingerPrint: pub.FingerPrint()})
	if c.KeyPair.PublicKey != pub.AuthorizedKey() || c.KeyPair.FingerPrint != pub.FingerPrint() || fmt.Sprint(stored) != "[web]" {
		t.Errorf("stored %+v (found by fingerprint: %v); want the private key's public half %s", c.KeyPair, stored, pub.FingerPrint())
	}
	if strings.Contains(c.KeyPair.PublicKey, "PRIVATE") {
		t.Error("the private key must not be stored")
	}
	checkWithSSHKeygen(t, c)
}

// checkWithSSHKeygen asks OpenSSH, when installed, for the public key and MD5
// fingerprint of a created private key.
func checkWithSSHKeygen(t *testing.T, c Created) {
	t.Helper()
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Log("ssh-keygen not installed: cross-check skipped")
		return
	}
	dir := t.TempDir()
	privFile, pubFile := filepath.Join(dir, "id"), filepath.Join(dir, "id.pub")
	if err := os.WriteFile(privFile, []byte(c.PrivateKeyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keygen, "-y", "-f", privFile).Output()
	if err != nil {
		t.Fatalf("ssh-keygen -y: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != c.KeyPair.PublicKey {
		t.Errorf("ssh-keygen -y = %q, stored %q", got, c.KeyPair.PublicKey)
	}
	if err := os.WriteFile(pubFile, []byte(c.KeyPair.PublicKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(keygen, "-l", "-E", "md5", "-f", pubFile).Output()
	if err != nil {
		t.Fatalf("ssh-keygen -l: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 || NormalizeFingerPrint(fields[1]) != c.KeyPair.FingerPrint {
		t.Errorf("ssh-keygen -l -E md5 = %q, fingerprint %s", out, c.KeyPair.FingerPrint)
	}
}

func TestKeyPairNamesFollowTheGuide(t *testing.T) {
	for name, want := range map[string]bool{
		"ab": true, "Ab.c_d-9": true, "密钥": true, "密钥对-1": true, "a密": true,
		strings.Repeat("k", 128): true, strings.Repeat("密", 128): true,
		"a": false, "": false, strings.Repeat("k", 129): false,
		"1key": false, "_key": false, ".key": false, "-key": false, "key pair": false,
		"key:1": false, "key/1": false, "kéy": false, "ключ": false, "key\x00": false,
		"http://key": false, "https://key": false, "httpkey": true,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestInvalidNamesAreInvalidKeyPairNameMalformed(t *testing.T) {
	s, _ := newService(t, 0)
	_, err := s.Create(t.Context(), Request{Owner: hangzhou, Name: "1st"})
	wantAPIError(t, err, "InvalidKeyPairName.Malformed", http.StatusBadRequest)
	_, err = s.Import(t.Context(), Request{Owner: hangzhou, Name: "http://x"}, readTestdata(t, "rsa.pub"))
	wantAPIError(t, err, "InvalidKeyPairName.Malformed", http.StatusBadRequest)
}

func TestADuplicateNameIsInvalidKeyPairNameMalformedWithinAnAccountAndRegion(t *testing.T) {
	s, _ := newService(t, 0)
	importKey(t, s, hangzhou, "dup", "rsa.pub")
	_, err := s.Create(t.Context(), Request{Owner: hangzhou, Name: "dup"})
	wantAPIError(t, err, "InvalidKeyPairName.Malformed", http.StatusBadRequest)
	_, err = s.Import(t.Context(), Request{Owner: hangzhou, Name: "dup"}, readTestdata(t, "ed25519.pub"))
	wantAPIError(t, err, "InvalidKeyPairName.Malformed", http.StatusBadRequest)
	importKey(t, s, Owner{AccountID: 2, RegionID: "cn-hangzhou"}, "dup", "rsa.pub")
	importKey(t, s, Owner{AccountID: 1, RegionID: "cn-beijing"}, "dup", "rsa.pub")
	// Names are case-sensitive.
	importKey(t, s, hangzhou, "DUP", "rsa.pub")
}

func TestTheQuotaIsPerAccountAndRegionAndAnswersQuotaExceedKeyPair(t *testing.T) {
	s, _ := newService(t, 2)
	importKey(t, s, hangzhou, "k1", "rsa.pub")
	importKey(t, s, hangzhou, "k2", "rsa.pub")
	_, err := s.Import(t.Context(), Request{Owner: hangzhou, Name: "k3"}, readTestdata(t, "rsa.pub"))
	wantAPIError(t, err, "QuotaExceed.KeyPair", http.StatusForbidden)
	importKey(t, s, Owner{AccountID: 1, RegionID: "cn-beijing"}, "k3", "rsa.pub")
	if err := s.Delete(t.Context(), hangzhou, []string{"k1"}); err != nil {
		t.Fatal(err)
	}
	importKey(t, s, hangzhou, "k3", "rsa.pub")
	if New(Deps{}).deps.Quota != 500 {
		t.Error("the default quota is the guide's 500")
	}
}

func TestAMalformedPublicKeyBodyIsInvalidPublicKeyBodyMalformed(t *testing.T) {
	s, _ := newService(t, 0)
	_, err := s.Import(t.Context(), Request{Owner: hangzhou, Name: "bad"}, "ssh-rsa AAAA not-a-key")
	wantAPIError(t, err, "InvalidPublicKeyBody.Malformed", http.StatusBadRequest)
	if names, _ := describe(t, s, Query{}); len(names) != 0 {
		t.Errorf("a rejected import stored %v", names)
	}
}

func TestImportStoresTheCanonicalKeyAndItsFingerprint(t *testing.T) {
	s, clk := newService(t, 0)
	k := importKey(t, s, hangzhou, "pem", "rsa.pkcs1.pem")
	line := strings.Fields(readTestdata(t, "rsa.pub"))
	if k.FingerPrint != fpRSA || k.PublicKey != line[0]+" "+line[1] || !k.CreatedAt.Equal(clk.Now()) || !strings.HasPrefix(k.ID, "kp-") {
		t.Errorf("imported %+v", k)
	}
}

func TestDescribeFiltersByWildcardNameFingerprintAndTagsNewestFirst(t *testing.T) {
	s, clk := newService(t, 0)
	for _, k := range []struct{ name, file string }{
		{"SshKey", "rsa.pub"}, {"mySshKey", "ed25519.pub"}, {"SshKeyProd", "rsa.pub"}, {"other", "dsa.pub"},
	} {
		clk.Advance(time.Second)
		_, err := s.Import(t.Context(), Request{Owner: hangzhou, Name: k.name,
			Tags: []store.Tag{{Key: "file", Value: k.file}}}, readTestdata(t, k.file))
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{}, "[other SshKeyProd mySshKey SshKey]"},
		{Query{Name: "*SshKey"}, "[mySshKey SshKey]"},
		{Query{Name: "SshKey*"}, "[SshKeyProd SshKey]"},
		{Query{Name: "*SshKey*"}, "[SshKeyProd mySshKey SshKey]"},
		{Query{Name: "SshKey"}, "[SshKey]"},
		{Query{FingerPrint: fpRSA}, "[SshKeyProd SshKey]"},
		{Query{FingerPrint: "MD5:DD:6B:F6:0C:4D:D8:FF:71:7C:B9:98:B6:98:34:AF:FA"}, "[SshKeyProd SshKey]"},
		{Query{Name: "*Prod", FingerPrint: fpRSA}, "[SshKeyProd]"},
		{Query{Tags: []store.Tag{{Key: "file", Value: "dsa.pub"}}}, "[other]"},
		{Query{Tags: []store.Tag{{Key: "file"}, {Key: "", Value: "ignored"}}}, "[other SshKeyProd mySshKey SshKey]"},
		{Query{Page: store.Page{Number: 2, Size: 3}}, "[SshKey]"},
	} {
		got, total := describe(t, s, c.q)
		if fmt.Sprint(got) != c.want {
			t.Errorf("Describe(%+v) = %v, want %s", c.q, got, c.want)
		}
		if c.q.Page.Size == 0 && total != len(got) || c.q.Page.Size != 0 && total != 4 {
			t.Errorf("Describe(%+v) total %d", c.q, total)
		}
	}
}

func TestDeleteSkipsNamesThatDoNotExist(t *testing.T) {
	s, _ := newService(t, 0)
	importKey(t, s, hangzhou, "ka", "rsa.pub")
	importKey(t, s, hangzhou, "kb", "rsa.pub")
	importKey(t, s, Owner{AccountID: 2, RegionID: "cn-hangzhou"}, "ka", "rsa.pub")
	if err := s.Delete(t.Context(), hangzhou, []string{"ka", "missing", "ka"}); err != nil {
		t.Fatal(err)
	}
	if names, _ := describe(t, s, Query{}); fmt.Sprint(names) != "[kb]" {
		t.Errorf("after delete: %v, want [kb]", names)
	}
	if names, _ := describe(t, s, Query{Owner: Owner{AccountID: 2, RegionID: "cn-hangzhou"}}); fmt.Sprint(names) != "[ka]" {
		t.Errorf("another account's key pair of that name: %v, want it kept", names)
	}
}

func TestTagsFollowGuide115AndTheLaterOfTwoWithOneKeyWins(t *testing.T) {
	s, _ := newService(t, 0)
	for _, c := range []struct {
		tag  store.Tag
		code string
	}{
		{store.Tag{Key: "", Value: "v"}, "InvalidTag.Mismatch"},
		{store.Tag{Key: ""}, "InvalidTagKey.Malformed"},
		{store.Tag{Key: strings.Repeat("k", 65)}, "InvalidTagKey.Malformed"},
		{store.Tag{Key: "aliyun-x"}, "InvalidTagKey.Malformed"},
		{store.Tag{Key: "https://x"}, "InvalidTagKey.Malformed"},
		{store.Tag{Key: "k", Value: strings.Repeat("v", 129)}, "InvalidTagValue.Malformed"},
		{store.Tag{Key: "k", Value: "aliyunv"}, "InvalidTagValue.Malformed"},
		{store.Tag{Key: "k", Value: "http://v"}, "InvalidTagValue.Malformed"},
	} {
		_, err := s.Create(context.Background(), Request{Owner: hangzhou, Name: "tagged", Tags: []store.Tag{c.tag}})
		wantAPIError(t, err, c.code, http.StatusBadRequest)
	}
	tags := []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: ""}, {Key: strings.Repeat("键", 64), Value: strings.Repeat("值", 128)}, {Key: "b", Value: "2"}}
	if _, err := s.Import(t.Context(), Request{Owner: hangzhou, Name: "tagged", Tags: tags}, readTestdata(t, "rsa.pub")); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.Describe(t.Context(), Query{Owner: hangzhou})
	if err != nil || len(list) != 1 {
		t.Fatalf("Describe = %+v, %v", list, err)
	}
	want := fmt.Sprint([]store.Tag{{Key: "a", Value: ""}, {Key: "b", Value: "2"}, tags[2]})
	if got := fmt.Sprint(list[0].Tags); got != want {
		t.Errorf("tags %s, want %s", got, want)
	}
}
