package e2e

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// sshString and sshMPInt encode SSH wire fields (RFC 4251 §5), written here
// independently of ecsd's own encoder.
func sshString(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

func sshMPInt(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return sshString(b)
}

// md5Hex is how Alibaba Cloud writes a fingerprint: the MD5 of the key blob,
// lower-case hex, no colons.
func md5Hex(blob []byte) string {
	sum := md5.Sum(blob)
	return hex.EncodeToString(sum[:])
}

// ed25519Line returns a fresh Ed25519 public key as an authorized_keys line and
// its fingerprint.
func ed25519Line(t *testing.T) (line, fingerPrint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	blob := append(sshString([]byte("ssh-ed25519")), sshString(pub)...)
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " e2e@test", md5Hex(blob)
}

// keyPairPrefix returns a name prefix no earlier run has used (with
// ECSD_E2E_STORE every server and every run share one database and account),
// and deletes the key pairs named with it when the test ends, so runs stay under
// the quota of 500.
func keyPairPrefix(t *testing.T, s *server) string {
	t.Helper()
	prefix := "e2e" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	t.Cleanup(func() {
		c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
		for {
			req := ecs.CreateDescribeKeyPairsRequest()
			req.KeyPairName = prefix + "*"
			req.PageSize = "50"
			list, err := c.DescribeKeyPairs(req)
			if err != nil || len(list.KeyPairs.KeyPair) == 0 {
				return
			}
			var names []string
			for _, k := range list.KeyPairs.KeyPair {
				names = append(names, k.KeyPairName)
			}
			del := ecs.CreateDeleteKeyPairsRequest()
			data, _ := json.Marshal(names)
			del.KeyPairNames = string(data)
			if _, err := c.DeleteKeyPairs(del); err != nil {
				return
			}
		}
	})
	return prefix
}

func TestOldSDKCreatesAKeyPairWhosePKCS8PrivateKeyMatchesTheStoredPublicKeyAndFingerprint(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	p := keyPairPrefix(t, s)
	req := ecs.CreateCreateKeyPairRequest()
	req.RegionId = "cn-hangzhou"
	req.KeyPairName = p + "created"
	req.Tag = &[]ecs.CreateKeyPairTag{{Key: "team", Value: "infra"}}
	created, err := c.CreateKeyPair(req)
	if err != nil {
		t.Fatalf("CreateKeyPair: %v", err)
	}
	block, _ := pem.Decode([]byte(created.PrivateKeyBody))
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("PrivateKeyBody is not an unencrypted PEM PKCS #8 key: %.60q", created.PrivateKeyBody)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok || priv.N.BitLen() != 2048 {
		t.Fatalf("private key %T, want RSA 2048", parsed)
	}
	blob := slices.Concat(sshString([]byte("ssh-rsa")), sshMPInt(big.NewInt(int64(priv.E))), sshMPInt(priv.N))
	if created.KeyPairName != p+"created" || created.KeyPairFingerPrint != md5Hex(blob) {
		t.Fatalf("CreateKeyPair = %s %s, want the MD5 of the private key's public blob %s",
			created.KeyPairName, created.KeyPairFingerPrint, md5Hex(blob))
	}

	desc := ecs.CreateDescribeKeyPairsRequest()
	desc.RegionId = "cn-hangzhou"
	desc.KeyPairFingerPrint = created.KeyPairFingerPrint
	desc.IncludePublicKey = "true"
	found, err := c.DescribeKeyPairs(desc)
	if err != nil {
		t.Fatalf("DescribeKeyPairs: %v", err)
	}
	if found.TotalCount != 1 || len(found.KeyPairs.KeyPair) != 1 {
		t.Fatalf("DescribeKeyPairs by fingerprint = %+v", found)
	}
	k := found.KeyPairs.KeyPair[0]
	if k.KeyPairName != p+"created" || k.PublicKey != "ssh-rsa "+base64.StdEncoding.EncodeToString(blob) || k.CreationTime == "" ||
		len(k.Tags.Tag) != 1 || k.Tags.Tag[0].TagKey != "team" || k.Tags.Tag[0].TagValue != "infra" {
		t.Errorf("described %+v", k)
	}

	// A second CreateKeyPair with the name is the guide's duplicate answer.
	_, err = c.CreateKeyPair(req)
	if se := serverError(t, err); se.ErrorCode() != "InvalidKeyPairName.Malformed" || se.HttpStatus() != http.StatusBadRequest {
		t.Errorf("duplicate name: %s (%d)", se.ErrorCode(), se.HttpStatus())
	}
	// AttachKeyPair to an unknown instance fails for that instance only.
	attach := ecs.CreateAttachKeyPairRequest()
	attach.KeyPairName, attach.InstanceIds = p+"created", `["i-doesnotexist"]`
	resp, err := c.AttachKeyPair(attach)
	if err != nil || resp.FailCount != "1" {
		t.Errorf("AttachKeyPair to an unknown instance: %+v, %v", resp, err)
	}
}

func TestTeaSDKImportsKeyPairsAndAnswersTheGuidesErrorsForMalformedKeysAndNames(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	p := keyPairPrefix(t, s)
	line, fp := ed25519Line(t)
	resp, err := c.ImportKeyPair(&teaecs.ImportKeyPairRequest{
		RegionId: dara.String("cn-hangzhou"), KeyPairName: dara.String(p + "imported"), PublicKeyBody: dara.String(line + "\n"),
	})
	if err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}
	if dara.StringValue(resp.Body.KeyPairName) != p+"imported" || dara.StringValue(resp.Body.KeyPairFingerPrint) != fp {
		t.Fatalf("ImportKeyPair = %+v, want fingerprint %s", resp.Body, fp)
	}
	// An RSA key in the RFC 4716 format ssh-keygen -e writes.
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaBlob := slices.Concat(sshString([]byte("ssh-rsa")), sshMPInt(big.NewInt(int64(rsaKey.E))), sshMPInt(rsaKey.N))
	b64 := base64.StdEncoding.EncodeToString(rsaBlob)
	var ssh2 strings.Builder
	ssh2.WriteString("---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"e2e\"\n")
	for len(b64) > 70 {
		ssh2.WriteString(b64[:70] + "\n")
		b64 = b64[70:]
	}
	ssh2.WriteString(b64 + "\n---- END SSH2 PUBLIC KEY ----\n")
	resp, err = c.ImportKeyPair(&teaecs.ImportKeyPairRequest{KeyPairName: dara.String(p + "rfc4716"), PublicKeyBody: dara.String(ssh2.String())})
	if err != nil || dara.StringValue(resp.Body.KeyPairFingerPrint) != md5Hex(rsaBlob) {
		t.Fatalf("ImportKeyPair RFC 4716 = %+v, %v; want fingerprint %s", resp, err, md5Hex(rsaBlob))
	}

	for _, bad := range []struct {
		name, body, code string
	}{
		{p + "malformed", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ== broken", "InvalidPublicKeyBody.Malformed"},
		{p + "private", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGgdZH2E0yCfkNCmZ7pnXqfB1Ta2iTTc9C6qC8u2wFbq\n-----END PRIVATE KEY-----", "InvalidPublicKeyBody.Malformed"},
		{p + "imported", line, "InvalidKeyPairName.Malformed"},
		{"9-starts-with-a-digit", line, "InvalidKeyPairName.Malformed"},
		{"x", line, "InvalidKeyPairName.Malformed"},
	} {
		_, err := c.ImportKeyPair(&teaecs.ImportKeyPairRequest{KeyPairName: dara.String(bad.name), PublicKeyBody: dara.String(bad.body)})
		if code, status := teaError(t, err); code != bad.code || status != http.StatusBadRequest {
			t.Errorf("ImportKeyPair %s: %s (%d), want %s (400)", bad.name, code, status, bad.code)
		}
	}
	list, err := c.DescribeKeyPairs(&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "*")})
	if err != nil || dara.Int32Value(list.Body.TotalCount) != 2 {
		t.Fatalf("DescribeKeyPairs after the rejected imports = %+v, %v; want the two good ones", list, err)
	}
}

func TestDescribeKeyPairsFiltersByWildcardNameAndFingerprintAndPagesUpTo50(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, true)
	p := keyPairPrefix(t, s)
	fps := map[string]string{}
	for i := range 12 {
		name := fmt.Sprintf("%spage-%02d", p, i)
		line, fp := ed25519Line(t)
		fps[name] = fp
		if _, err := c.ImportKeyPair(&teaecs.ImportKeyPairRequest{KeyPairName: dara.String(name), PublicKeyBody: dara.String(line)}); err != nil {
			t.Fatalf("ImportKeyPair %s: %v", name, err)
		}
	}
	// names lists the answer's names, sorted, without the prefix.
	names := func(b *teaecs.DescribeKeyPairsResponseBody) []string {
		var out []string
		for _, k := range b.KeyPairs.KeyPair {
			out = append(out, strings.TrimPrefix(dara.StringValue(k.KeyPairName), p))
		}
		slices.Sort(out)
		return out
	}
	def, err := c.DescribeKeyPairs(&teaecs.DescribeKeyPairsRequest{RegionId: dara.String("cn-hangzhou"), KeyPairName: dara.String(p + "*")})
	if err != nil || dara.Int32Value(def.Body.PageNumber) != 1 || dara.Int32Value(def.Body.PageSize) != 10 ||
		dara.Int32Value(def.Body.TotalCount) != 12 || len(def.Body.KeyPairs.KeyPair) != 10 {
		t.Fatalf("default page = %+v, %v; want page 1 of 10 out of 12", def, err)
	}
	seen := map[string]bool{}
	for n := int32(1); n <= 3; n++ {
		page, err := c.DescribeKeyPairs(&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "*"), PageNumber: dara.Int32(n), PageSize: dara.Int32(5)})
		if err != nil || dara.Int32Value(page.Body.TotalCount) != 12 {
			t.Fatalf("page %d = %+v, %v", n, page, err)
		}
		for _, name := range names(page.Body) {
			seen[name] = true
		}
	}
	if len(seen) != 12 {
		t.Errorf("three pages of 5 showed %d key pairs, want all 12 once", len(seen))
	}
	for _, c2 := range []struct {
		req  *teaecs.DescribeKeyPairsRequest
		want string
	}{
		{&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "page-1*")}, "[page-10 page-11]"},
		{&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "*-07")}, "[page-07]"},
		{&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "*ge-0*")}, "[page-00 page-01 page-02 page-03 page-04 page-05 page-06 page-07 page-08 page-09]"},
		{&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "page-0")}, "[]"},
		{&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "PAGE-01")}, "[]"},
		{&teaecs.DescribeKeyPairsRequest{KeyPairFingerPrint: dara.String(fps[p+"page-03"])}, "[page-03]"},
	} {
		resp, err := c.DescribeKeyPairs(c2.req)
		if err != nil {
			t.Fatalf("DescribeKeyPairs %s: %v", c2.req, err)
		}
		if got := fmt.Sprint(names(resp.Body)); got != c2.want {
			t.Errorf("DescribeKeyPairs %s = %s, want %s", c2.req, got, c2.want)
		}
	}
	for _, bad := range []*teaecs.DescribeKeyPairsRequest{{PageSize: dara.Int32(51)}, {PageNumber: dara.Int32(0)}} {
		_, err := c.DescribeKeyPairs(bad)
		if code, status := teaError(t, err); code != "InvalidParameter" || status != http.StatusBadRequest {
			t.Errorf("DescribeKeyPairs %s: %s (%d), want InvalidParameter (400)", bad, code, status)
		}
	}
	// The old SDK reads the XML rendering of the same list.
	old := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	req := ecs.CreateDescribeKeyPairsRequest()
	req.AcceptFormat = "XML"
	req.KeyPairName = p + "page-1*"
	xml, err := old.DescribeKeyPairs(req)
	if err != nil || xml.TotalCount != 2 || len(xml.KeyPairs.KeyPair) != 2 || !strings.HasPrefix(xml.KeyPairs.KeyPair[0].KeyPairName, p+"page-1") {
		t.Errorf("XML DescribeKeyPairs = %+v, %v", xml, err)
	}
}

func TestDeleteKeyPairsTakesAJSONArraySkipsUnknownNamesAndTheKeyPairsAreGone(t *testing.T) {
	s := startServer(t, serverOptions{})
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	old := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	p := keyPairPrefix(t, s)
	for _, name := range []string{"del-a", "del-b", "del-c", "keep"} {
		line, _ := ed25519Line(t)
		if _, err := tea.ImportKeyPair(&teaecs.ImportKeyPairRequest{KeyPairName: dara.String(p + name), PublicKeyBody: dara.String(line)}); err != nil {
			t.Fatal(err)
		}
	}
	names, _ := json.Marshal([]string{p + "del-a", p + "del-b", p + "never-existed"})
	if _, err := tea.DeleteKeyPairs(&teaecs.DeleteKeyPairsRequest{KeyPairNames: dara.String(string(names))}); err != nil {
		t.Fatalf("Tea DeleteKeyPairs: %v", err)
	}
	del := ecs.CreateDeleteKeyPairsRequest()
	del.KeyPairNames = `["` + p + `del-c"]`
	if _, err := old.DeleteKeyPairs(del); err != nil {
		t.Fatalf("old SDK DeleteKeyPairs: %v", err)
	}
	left, err := tea.DescribeKeyPairs(&teaecs.DescribeKeyPairsRequest{KeyPairName: dara.String(p + "*")})
	if err != nil || dara.Int32Value(left.Body.TotalCount) != 1 || dara.StringValue(left.Body.KeyPairs.KeyPair[0].KeyPairName) != p+"keep" {
		t.Fatalf("after deleting: %+v, %v; want only keep", left, err)
	}
	// The deleted name is free again.
	line, _ := ed25519Line(t)
	if _, err := tea.ImportKeyPair(&teaecs.ImportKeyPairRequest{KeyPairName: dara.String(p + "del-a"), PublicKeyBody: dara.String(line)}); err != nil {
		t.Errorf("re-importing a deleted name: %v", err)
	}
	del.KeyPairNames = "[]"
	_, err = old.DeleteKeyPairs(del)
	if se := serverError(t, err); se.ErrorCode() != "MissingParameter" || se.HttpStatus() != http.StatusBadRequest ||
		!strings.Contains(se.Message(), "KeyPairName") {
		t.Errorf("no names: %s (%d) %s", se.ErrorCode(), se.HttpStatus(), se.Message())
	}
}
