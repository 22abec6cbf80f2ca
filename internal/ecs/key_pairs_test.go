package ecs

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/clock"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/keypair"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// keyPairHandlers returns handlers whose key-pair service runs on a fresh SQLite
// store with a clock at 2024-03-01 08:30 UTC.
func keyPairHandlers(t *testing.T) *Handlers {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC))
	return New(Deps{KeyPairs: keypair.New(keypair.Deps{Store: st, IDs: idgen.Seeded(1), Clock: clk})})
}

// asAccount is a call of account 1 in cn-hangzhou, as the front makes it.
func asAccount(account int64) context.Context {
	return reqctx.With(context.Background(), &reqctx.Call{AccountID: account, RegionID: "cn-hangzhou"})
}

// keyPairCall decodes query as the front does and calls the handler h names.
func keyPairCall[Req, Resp any](t *testing.T, query string, call func(context.Context, *Req) (Resp, error)) (Resp, error) {
	t.Helper()
	var req Req
	if err := decode(t, query, &req); err != nil {
		var zero Resp
		return zero, err
	}
	return call(asAccount(1), &req)
}

// newPublicKey returns a fresh Ed25519 public key as an authorized_keys line.
func newPublicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keypair.PublicKeyOf(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k.AuthorizedKey()
}

func importKeyPair(t *testing.T, h *Handlers, name, body string, tags ...KeyPairTagParam) *ImportKeyPairResponse {
	t.Helper()
	resp, err := h.ImportKeyPair(asAccount(1), &ImportKeyPairRequest{KeyPairName: name, PublicKeyBody: body, Tag: tags})
	if err != nil {
		t.Fatalf("ImportKeyPair %s: %v", name, err)
	}
	return resp
}

func keyPairNames(resp *DescribeKeyPairsResponse) []string {
	var names []string
	for _, k := range resp.KeyPairs.KeyPair {
		names = append(names, k.KeyPairName)
	}
	return names
}

func TestCreateKeyPairAnswersAPKCS8PrivateKeyThatMatchesItsFingerprint(t *testing.T) {
	h := keyPairHandlers(t)
	resp, err := keyPairCall(t, "RegionId=cn-hangzhou&KeyPairName=web&Tag.1.Key=env&Tag.1.Value=prod", h.CreateKeyPair)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "CreateKeyPairResponse", "CreateKeyPairResponseBody")
	block, _ := pem.Decode([]byte(resp.PrivateKeyBody))
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("PrivateKeyBody is not PEM PKCS #8: %.40q", resp.PrivateKeyBody)
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keypair.PublicKeyOf(&priv.(*rsa.PrivateKey).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if resp.KeyPairName != "web" || resp.KeyPairFingerPrint != pub.FingerPrint() || len(resp.KeyPairFingerPrint) != 32 {
		t.Errorf("answer %s %s, want web and the private key's fingerprint %s", resp.KeyPairName, resp.KeyPairFingerPrint, pub.FingerPrint())
	}
}

func TestImportKeyPairAnswersTheNameAndFingerprint(t *testing.T) {
	h := keyPairHandlers(t)
	body := newPublicKey(t)
	k, _ := keypair.ParsePublicKey(body)
	resp, err := keyPairCall(t, "KeyPairName=imported&PublicKeyBody="+strings.ReplaceAll(body, "+", "%2B"), h.ImportKeyPair)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "ImportKeyPairResponse", "ImportKeyPairResponseBody")
	if resp.KeyPairName != "imported" || resp.KeyPairFingerPrint != k.FingerPrint() {
		t.Errorf("answer %+v, want fingerprint %s", resp, k.FingerPrint())
	}
}

func TestKeyPairActionsAnswerTheGuidesErrors(t *testing.T) {
	h := keyPairHandlers(t)
	importKeyPair(t, h, "taken", newPublicKey(t))
	for _, c := range []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"bad name", func() error {
			_, err := h.CreateKeyPair(asAccount(1), &CreateKeyPairRequest{KeyPairName: "9lives"})
			return err
		},
			"InvalidKeyPairName.Malformed", http.StatusBadRequest},
		{"taken name", func() error {
			_, err := h.ImportKeyPair(asAccount(1), &ImportKeyPairRequest{KeyPairName: "taken", PublicKeyBody: newPublicKey(t)})
			return err
		}, "InvalidKeyPairName.Malformed", http.StatusBadRequest},
		{"bad key", func() error {
			_, err := h.ImportKeyPair(asAccount(1), &ImportKeyPairRequest{KeyPairName: "bad", PublicKeyBody: "ssh-rsa AAAA"})
			return err
		}, "InvalidPublicKeyBody.Malformed", http.StatusBadRequest},
		{"bad tag", func() error {
			_, err := h.CreateKeyPair(asAccount(1), &CreateKeyPairRequest{KeyPairName: "tagged", Tag: []KeyPairTagParam{{Key: "aliyun"}}})
			return err
		}, "InvalidTagKey.Malformed", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) { assertAPIError(t, c.call(), c.code, c.status) })
	}
}

func TestDescribeKeyPairsPagesTenByDefaultInTheSDKShape(t *testing.T) {
	h := keyPairHandlers(t)
	for i := range 12 {
		importKeyPair(t, h, fmt.Sprintf("key%02d", i), newPublicKey(t), KeyPairTagParam{Key: "n", Value: fmt.Sprint(i)})
	}
	resp, err := keyPairCall(t, "RegionId=cn-hangzhou&IncludePublicKey=true", h.DescribeKeyPairs)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, resp, "DescribeKeyPairsResponse", "DescribeKeyPairsResponseBody")
	if resp.PageNumber != 1 || resp.PageSize != 10 || resp.TotalCount != 12 || len(resp.KeyPairs.KeyPair) != 10 {
		t.Fatalf("default page: number %d size %d total %d items %d", resp.PageNumber, resp.PageSize, resp.TotalCount, len(resp.KeyPairs.KeyPair))
	}
	first := resp.KeyPairs.KeyPair[0]
	if first.CreationTime != "2024-03-01T08:30Z" || !strings.HasPrefix(first.PublicKey, "ssh-ed25519 ") ||
		len(first.Tags.Tag) != 1 || first.Tags.Tag[0].TagKey != "n" {
		t.Errorf("item %+v", first)
	}
	if !strings.Contains(string(body), `"TagKey":"n"`) {
		t.Errorf("tags must be TagKey/TagValue: %s", body)
	}
	page2, err := keyPairCall(t, "PageNumber=2&PageSize=10", h.DescribeKeyPairs)
	if err != nil || len(page2.KeyPairs.KeyPair) != 2 || page2.PageNumber != 2 || page2.TotalCount != 12 {
		t.Fatalf("page 2 = %+v, %v", page2, err)
	}
	if page2.KeyPairs.KeyPair[0].PublicKey != "" {
		t.Error("PublicKey is only answered with IncludePublicKey=true")
	}
	empty, err := keyPairCall(t, "KeyPairName=nothing*", h.DescribeKeyPairs)
	if err != nil || empty.TotalCount != 0 || empty.KeyPairs.KeyPair == nil {
		t.Fatalf("no match = %+v, %v", empty, err)
	}
	assertSDKShape(t, empty, "DescribeKeyPairsResponse", "DescribeKeyPairsResponseBody")
}

func TestDescribeKeyPairsPageNumberAndPageSizeBoundsAreInvalidParameter(t *testing.T) {
	h := keyPairHandlers(t)
	for _, c := range []struct{ query, param string }{
		{"PageSize=51", "PageSize"},
		{"PageSize=0", "PageSize"},
		{"PageNumber=0", "PageNumber"},
		{"PageNumber=x", "PageNumber"},
	} {
		_, err := keyPairCall(t, c.query, h.DescribeKeyPairs)
		var we *wire.Error
		if !errors.As(err, &we) || we.Kind != wire.KindInvalid || we.Param != c.param {
			t.Errorf("%s: %v, want InvalidParameter %q", c.query, err, c.param)
		}
	}
	if resp, err := keyPairCall(t, "PageSize=50&PageNumber=1000", h.DescribeKeyPairs); err != nil || resp.PageSize != 50 || resp.PageNumber != 1000 {
		t.Errorf("PageSize=50&PageNumber=1000: %+v, %v", resp, err)
	}
}

func TestDescribeKeyPairsMatchesNameWildcardsFingerprintsAndTags(t *testing.T) {
	h := keyPairHandlers(t)
	body := newPublicKey(t)
	fp := importKeyPair(t, h, "SshKey", body).KeyPairFingerPrint
	importKeyPair(t, h, "mySshKey", newPublicKey(t), KeyPairTagParam{Key: "env", Value: "prod"})
	importKeyPair(t, h, "SshKeyProd", newPublicKey(t))
	colons := strings.ToUpper(fp[:2]) + ":" + fp[2:]
	for _, c := range []struct{ query, want string }{
		// Created in the same instant: listed by name.
		{"KeyPairName=*SshKey", "[SshKey mySshKey]"},
		{"KeyPairName=SshKey*", "[SshKey SshKeyProd]"},
		{"KeyPairName=*SshKey*", "[SshKey SshKeyProd mySshKey]"},
		{"KeyPairName=SshKey", "[SshKey]"},
		{"KeyPairFingerPrint=" + fp, "[SshKey]"},
		{"KeyPairFingerPrint=" + colons, "[SshKey]"},
		{"Tag.1.Key=env&Tag.1.Value=prod", "[mySshKey]"},
		{"Tag.1.Key=env&Tag.1.Value=dev", "[]"},
	} {
		resp, err := keyPairCall(t, c.query, h.DescribeKeyPairs)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := fmt.Sprint(keyPairNames(resp)); got != c.want || resp.TotalCount != len(resp.KeyPairs.KeyPair) {
			t.Errorf("%s = %s (total %d), want %s", c.query, got, resp.TotalCount, c.want)
		}
	}
	other, err := h.DescribeKeyPairs(asAccount(2), &DescribeKeyPairsRequest{})
	if err != nil || other.TotalCount != 0 {
		t.Errorf("another account sees %+v, %v", other, err)
	}
}

func TestDeleteKeyPairsTakesAJSONArrayOrOneNameAndSkipsUnknownNames(t *testing.T) {
	h := keyPairHandlers(t)
	for _, n := range []string{"k1", "k2", "k3", "k4"} {
		importKeyPair(t, h, n, newPublicKey(t))
	}
	for _, query := range []string{`KeyPairNames=["k1","nope","k1"]`, "KeyPairNames=k2", `KeyPairNames=[ "k3" ]`} {
		resp, err := keyPairCall(t, query, h.DeleteKeyPairs)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if body, _ := json.Marshal(resp); string(body) != "{}" {
			t.Errorf("answer %s, want only the RequestId", body)
		}
	}
	left, err := h.DescribeKeyPairs(asAccount(1), &DescribeKeyPairsRequest{})
	if err != nil || fmt.Sprint(keyPairNames(left)) != "[k4]" {
		t.Errorf("left %v, %v; want [k4]", keyPairNames(left), err)
	}
}

func TestDeleteKeyPairsWithoutNamesIsTheGuidesMissingParameter(t *testing.T) {
	h := keyPairHandlers(t)
	for _, query := range []string{"", "KeyPairNames=", "KeyPairNames=[]", `KeyPairNames=[""]`} {
		_, err := keyPairCall(t, query, h.DeleteKeyPairs)
		assertAPIError(t, err, "MissingParameter", http.StatusBadRequest)
		var e *apierr.Error
		if errors.As(err, &e) && e.Message != "The input parameter KeyPairName that is mandatory for processing this request is not supplied." {
			t.Errorf("%q: message %q", query, e.Message)
		}
	}
}

func TestDeleteKeyPairsRefusesMalformedJSONAndMoreThan100Names(t *testing.T) {
	h := keyPairHandlers(t)
	names := make([]string, 101)
	for i := range names {
		names[i] = fmt.Sprintf("k%d", i)
	}
	many, _ := json.Marshal(names)
	for _, query := range []string{"KeyPairNames=" + string(many), `KeyPairNames=["k1",`, `KeyPairNames=["k1",2]`} {
		_, err := keyPairCall(t, query, h.DeleteKeyPairs)
		assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
	}
	if _, err := keyPairCall(t, "KeyPairNames="+string(many[:len(many)-8])+"]", h.DeleteKeyPairs); err != nil {
		t.Errorf("100 names: %v", err)
	}
}

func TestKeyPairRequestsNeedTheirMandatoryParameters(t *testing.T) {
	for _, c := range []struct {
		query, param string
		dst          any
	}{
		{"RegionId=cn-hangzhou", "KeyPairName", &CreateKeyPairRequest{}},
		{"PublicKeyBody=x", "KeyPairName", &ImportKeyPairRequest{}},
		{"KeyPairName=kp", "PublicKeyBody", &ImportKeyPairRequest{}},
	} {
		err := decode(t, c.query, c.dst)
		var we *wire.Error
		if !errors.As(err, &we) || we.Kind != wire.KindMissing || we.Param != c.param {
			t.Errorf("%T %s: %v, want MissingParameter %s", c.dst, c.query, err, c.param)
		}
	}
	var req CreateKeyPairRequest
	if err := decode(t, "KeyPairName=kp&Tag.2.Key=b&Tag.2.Value=2&Tag.1.Key=a", &req); err != nil ||
		fmt.Sprint(req.Tag) != "[{a } {b 2}]" {
		t.Errorf("tags decoded as %+v, %v", req.Tag, err)
	}
}
