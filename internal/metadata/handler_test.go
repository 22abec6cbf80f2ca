package metadata

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
)

type fakeLookup map[netip.Addr]Instance

func (f fakeLookup) InstanceByIP(ctx context.Context, ip netip.Addr) (Instance, error) {
	if err := ctx.Err(); err != nil {
		return Instance{}, err // as a store does
	}
	if inst, ok := f[ip]; ok {
		return inst, nil
	}
	return Instance{}, ErrNotFound
}

type fakeIssuer struct{ now time.Time }

func (f fakeIssuer) InstanceRoleCredentials(_ context.Context, inst Instance, role string) (Credentials, error) {
	if role != inst.RAMRoleName {
		return Credentials{}, ErrNotFound
	}
	return Credentials{AccessKeyID: "STS.key", AccessKeySecret: "secret", SecurityToken: "CAIS-token",
		Expiration: f.now.Add(6 * time.Hour), LastUpdated: f.now}, nil
}

var t0 = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)

func web() Instance {
	return Instance{
		ID: "i-web1", HostName: "iZweb1Z", RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", ImageID: "ubuntu_22_04_x64_20G_alibase_20240101.vhd",
		InstanceType: "ecs.g6.large", SerialNumber: "5d1c4a3e-0000-4000-8000-000000000001", OwnerAccountID: 1234567890,
		PublicKeys:  []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx key1"},
		UserData:    []byte("#cloud-config\nhostname: web1\n"),
		RAMRoleName: "web-role",
		Interfaces: []Interface{
			{ID: "eni-web1", MAC: "00:16:3e:00:00:01", PrimaryIP: netip.MustParseAddr("192.168.1.11"),
				VSwitchCIDR: netip.MustParsePrefix("192.168.1.0/24"), VpcCIDR: netip.MustParsePrefix("192.168.0.0/16"),
				Gateway: netip.MustParseAddr("192.168.1.253"), VpcID: "vpc-1", VSwitchID: "vsw-1"},
			{ID: "eni-web1b", MAC: "00:16:3e:00:00:02", PrimaryIP: netip.MustParseAddr("192.168.2.7"),
				VSwitchCIDR: netip.MustParsePrefix("192.168.2.0/25"), VpcCIDR: netip.MustParsePrefix("192.168.0.0/16"),
				Gateway: netip.MustParseAddr("192.168.2.125"), VpcID: "vpc-1", VSwitchID: "vsw-2"},
		},
	}
}

type env struct {
	h   *Handler
	clk *clock.Fake
}

func newEnv(hardened bool) env {
	clk := clock.NewFake(t0)
	inst := web()
	bare := Instance{ID: "i-bare", Interfaces: []Interface{{ID: "eni-bare", MAC: "00:16:3e:00:00:09", PrimaryIP: netip.MustParseAddr("192.168.1.12")}}}
	lk := fakeLookup{netip.MustParseAddr("192.168.1.11"): inst, netip.MustParseAddr("192.168.2.7"): inst, netip.MustParseAddr("192.168.1.12"): bare}
	return env{h: New(Options{Lookup: lk, Credentials: fakeIssuer{now: t0}, Clock: clk, Hardened: hardened}), clk: clk}
}

// do sends one request from the guest at ip and answers the status and body.
func (e env) do(t *testing.T, method, ip, path string, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, "http://100.100.100.200"+path, nil)
	req.RemoteAddr = ip + ":40000"
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Header()
}

func (e env) get(t *testing.T, path string) (int, string) {
	t.Helper()
	code, body, _ := e.do(t, http.MethodGet, "192.168.1.11", path, nil)
	return code, body
}

func TestMetaDataListingMarksSubtreesWithSlash(t *testing.T) {
	e := newEnv(false)
	code, body := e.get(t, "/latest/meta-data/")
	want := strings.Join([]string{"eipv4", "hostname", "image-id", "instance-id", "instance/", "mac", "network-type", "network/",
		"owner-account-id", "private-ipv4", "public-keys/", "ram/", "region-id", "serial-number",
		"vpc-cidr-block", "vpc-id", "vswitch-cidr-block", "vswitch-id", "zone-id"}, "\n")
	want = strings.Replace(want, "eipv4\n", "", 1) // no public IP
	if code != 200 || body != want {
		t.Errorf("GET meta-data/ = %d\n%s\nwant\n%s", code, body, want)
	}
	if code, body := e.get(t, "/latest/meta-data/network/interfaces/macs/"); code != 200 || body != "00:16:3e:00:00:01/\n00:16:3e:00:00:02/" {
		t.Errorf("macs/ = %d %q", code, body)
	}
	if code, body := e.get(t, "/latest/meta-data/public-keys/"); code != 200 || body != "0/" {
		t.Errorf("public-keys/ = %d %q", code, body)
	}
	if code, body := e.get(t, "/latest/"); code != 200 || body != "meta-data/\nuser-data" {
		t.Errorf("latest/ = %d %q", code, body)
	}
}

func TestMetaDataLeaves(t *testing.T) {
	e := newEnv(false)
	for path, want := range map[string]string{
		"instance-id": "i-web1", "hostname": "iZweb1Z", "region-id": "cn-hangzhou", "zone-id": "cn-hangzhou-b",
		"image-id": "ubuntu_22_04_x64_20G_alibase_20240101.vhd", "instance/instance-type": "ecs.g6.large",
		"private-ipv4": "192.168.1.11", "mac": "00:16:3e:00:00:01", "vpc-id": "vpc-1", "vswitch-id": "vsw-1",
		"vpc-cidr-block": "192.168.0.0/16", "vswitch-cidr-block": "192.168.1.0/24",
		"serial-number": "5d1c4a3e-0000-4000-8000-000000000001", "owner-account-id": "1234567890",
		"public-keys/0/openssh-key":                                      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx key1",
		"network/interfaces/macs/00:16:3e:00:00:02/network-interface-id": "eni-web1b",
		"network/interfaces/macs/00:16:3e:00:00:02/primary-ip-address":   "192.168.2.7",
		"network/interfaces/macs/00:16:3e:00:00:02/netmask":              "255.255.255.128",
		"network/interfaces/macs/00:16:3e:00:00:02/gateway":              "192.168.2.125",
		"network/interfaces/macs/00:16:3e:00:00:02/vswitch-id":           "vsw-2",
		"network/interfaces/macs/00:16:3e:00:00:01/private-ipv4s":        `["192.168.1.11"]`,
	} {
		for _, v := range Versions {
			if code, body := e.get(t, "/"+v+"/meta-data/"+path); code != 200 || body != want {
				t.Errorf("GET /%s/meta-data/%s = %d %q, want %q", v, path, code, body, want)
			}
		}
	}
}

func TestUnknownPathsAre404(t *testing.T) {
	e := newEnv(false)
	for _, p := range []string{"/latest/meta-data/nope", "/latest/meta-data/instance-id/", "/latest/meta-data/public-keys/1/openssh-key",
		"/latest/nope", "/2009-04-04/meta-data/", "/latest/meta-data/ram/security-credentials/other-role"} {
		if code, _ := e.get(t, p); code != 404 {
			t.Errorf("GET %s = %d, want 404", p, code)
		}
	}
	// an address no instance has
	if code, _, _ := e.do(t, http.MethodGet, "192.168.9.9", "/latest/meta-data/", nil); code != 404 {
		t.Errorf("unknown caller = %d, want 404", code)
	}
	// an instance without user data, key pair or role
	for _, p := range []string{"/latest/user-data", "/latest/meta-data/public-keys/", "/latest/meta-data/ram/security-credentials/"} {
		if code, _, _ := e.do(t, http.MethodGet, "192.168.1.12", p, nil); code != 404 {
			t.Errorf("bare instance GET %s = %d, want 404", p, code)
		}
	}
	if code, _, _ := e.do(t, http.MethodPost, "192.168.1.11", "/latest/meta-data/", nil); code != 405 {
		t.Errorf("POST = %d, want 405", code)
	}
}

func TestCallerIsFoundBySourceAddress(t *testing.T) {
	e := newEnv(false)
	if _, body, _ := e.do(t, http.MethodGet, "192.168.1.12", "/latest/meta-data/instance-id", nil); body != "i-bare" {
		t.Errorf("instance-id from 192.168.1.12 = %q", body)
	}
	// the secondary interface's address is the same instance
	if _, body, _ := e.do(t, http.MethodGet, "192.168.2.7", "/latest/meta-data/instance-id", nil); body != "i-web1" {
		t.Errorf("instance-id from 192.168.2.7 = %q", body)
	}
}

func TestUserDataIsDecoded(t *testing.T) {
	e := newEnv(false)
	if code, body := e.get(t, "/latest/user-data"); code != 200 || body != "#cloud-config\nhostname: web1\n" {
		t.Errorf("user-data = %d %q", code, body)
	}
}

func TestRAMRoleCredentials(t *testing.T) {
	e := newEnv(false)
	if code, body := e.get(t, "/latest/meta-data/ram/security-credentials/"); code != 200 || body != "web-role" {
		t.Errorf("security-credentials/ = %d %q", code, body)
	}
	code, body := e.get(t, "/latest/meta-data/ram/security-credentials/web-role")
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
		t.Fatalf("credentials = %d %q (%v)", code, body, err)
	}
	want := map[string]string{"AccessKeyId": "STS.key", "AccessKeySecret": "secret", "SecurityToken": "CAIS-token",
		"Expiration": "2026-11-28T15:30:00Z", "LastUpdated": "2026-11-28T09:30:00Z", "Code": "Success"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want exactly %v", got, want)
	}
}

func TestTokenMode(t *testing.T) {
	e := newEnv(false)
	put := func(ip string, h map[string]string) (int, string) {
		code, body, _ := e.do(t, http.MethodPut, ip, "/latest/api/token", h)
		return code, body
	}
	for _, bad := range []string{"0", "21601", "-5", "ten", "1.5"} {
		if code, _ := put("192.168.1.11", map[string]string{TokenTTLHeader: bad}); code != 400 {
			t.Errorf("ttl %q = %d, want 400", bad, code)
		}
	}
	if code, _ := put("192.168.1.11", nil); code != 400 {
		t.Errorf("no ttl = %d, want 400", code)
	}
	if code, _ := put("192.168.1.11", map[string]string{TokenTTLHeader: "60", "X-Forwarded-For": "10.0.0.1"}); code != 403 {
		t.Errorf("forwarded token request = %d, want 403", code)
	}
	if code, _, _ := e.do(t, http.MethodGet, "192.168.1.11", "/latest/api/token", map[string]string{TokenTTLHeader: "60"}); code != 405 {
		t.Errorf("GET token = %d, want 405", code)
	}
	code, tok := put("192.168.1.11", map[string]string{TokenTTLHeader: "60"})
	if code != 200 || len(tok) < 32 {
		t.Fatalf("token = %d %q", code, tok)
	}
	withTok := map[string]string{TokenHeader: tok}
	if code, body, _ := e.do(t, http.MethodGet, "192.168.1.11", "/latest/meta-data/instance-id", withTok); code != 200 || body != "i-web1" {
		t.Errorf("with token = %d %q", code, body)
	}
	if code, _, _ := e.do(t, http.MethodGet, "192.168.1.11", "/latest/meta-data/instance-id", map[string]string{TokenHeader: "forged"}); code != 401 {
		t.Errorf("forged token = %d, want 401", code)
	}
	if code, _, _ := e.do(t, http.MethodGet, "192.168.1.12", "/latest/meta-data/instance-id", withTok); code != 401 {
		t.Errorf("another instance's token = %d, want 401", code)
	}
	e.clk.Advance(59 * time.Second)
	if code, _, _ := e.do(t, http.MethodGet, "192.168.1.11", "/latest/meta-data/instance-id", withTok); code != 200 {
		t.Errorf("token at 59 s = %d, want 200", code)
	}
	e.clk.Advance(time.Second)
	if code, _, _ := e.do(t, http.MethodGet, "192.168.1.11", "/latest/meta-data/instance-id", withTok); code != 401 {
		t.Errorf("token at 60 s = %d, want 401 (expired)", code)
	}
	// normal mode: no token is fine
	if code, _ := e.get(t, "/latest/meta-data/instance-id"); code != 200 {
		t.Errorf("no token in normal mode = %d", code)
	}
}

func TestHardenedModeRequiresToken(t *testing.T) {
	e := newEnv(true)
	if code, _ := e.get(t, "/latest/meta-data/instance-id"); code != 403 {
		t.Errorf("no token in hardened mode = %d, want 403", code)
	}
	if code, _ := e.get(t, "/latest/user-data"); code != 403 {
		t.Errorf("user-data without token in hardened mode = %d, want 403", code)
	}
	_, tok, _ := e.do(t, http.MethodPut, "192.168.1.11", "/latest/api/token", map[string]string{TokenTTLHeader: "21600"})
	if code, body, _ := e.do(t, http.MethodGet, "192.168.1.11", "/latest/user-data", map[string]string{TokenHeader: tok}); code != 200 || !strings.HasPrefix(body, "#cloud-config") {
		t.Errorf("hardened with token = %d %q", code, body)
	}
}

// TestARequestWhoseClientShutItsSendingSideIsStillAnswered: net/http cancels
// a request's context once the client half-closes (printf … | nc does, before
// reading the answer); the store reads must not see that cancellation.
func TestARequestWhoseClientShutItsSendingSideIsStillAnswered(t *testing.T) {
	e := newEnv(false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "http://100.100.100.200/latest/meta-data/instance-id", nil).WithContext(ctx)
	req.RemoteAddr = "192.168.1.11:40000"
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "i-web1" {
		t.Fatalf("GET instance-id with the request context done = %d %q, want 200 i-web1", rec.Code, rec.Body.String())
	}
}
