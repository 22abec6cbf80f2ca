package guestnet

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/metadata"
	"github.com/ecsd/ecsd/internal/service/sts"
	"github.com/ecsd/ecsd/internal/store"
)

func reachable(addr string) bool {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// guest calls a metadata listener from a source address, as a guest with
// that private IP would (the VPCs of these tests use loopback blocks, which
// Linux routes locally, so that a test can take any of their addresses).
type guest struct {
	t    *testing.T
	ip   string
	addr string
}

func (g guest) do(method, path string, header map[string]string) (int, string) {
	g.t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(g.ip)}}).DialContext}}
	req, err := http.NewRequestWithContext(g.t.Context(), method, "http://"+g.addr+path, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		g.t.Fatalf("%s %s from %s: %v", method, path, g.ip, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (g guest) get(path string) (int, string) { return g.do(http.MethodGet, path, nil) }

// TestEachVPCNamespaceServesMetadataToItsOwnInstances starts the reconciler
// on two VPCs and reads the metadata service as their guests do: each VPC's
// listener answers the instance owning the caller's address in that VPC (and
// 404 for an address it does not know, even one of the other VPC), its user
// data, key pair, RAM role credentials issued through STS, and the token mode.
func TestEachVPCNamespaceServesMetadataToItsOwnInstances(t *testing.T) {
	w := newWorld(t)
	w.vpc("vpc-a", "127.0.0.0/8", map[string]string{"vsw-a": "127.1.0.0/24"})
	w.vpc("vpc-b", "127.0.0.0/8", map[string]string{"vsw-b": "127.2.0.0/24"})
	w.group("sg-a", "vpc-a", "Accept")
	w.group("sg-b", "vpc-b", "Accept")
	w.instance("i-a1", "vpc-a", "vsw-a", "127.1.0.5", "00:16:3e:00:00:05", "sg-a")
	w.instance("i-b1", "vpc-b", "vsw-b", "127.2.0.7", "00:16:3e:00:00:07", "sg-b")
	ecsTrust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`
	w.update(func(tx store.Tx) error {
		if err := tx.CreateKeyPair(store.KeyPair{ID: "kp-1", AccountID: acct, RegionID: region, Name: "ops", FingerPrint: "00",
			PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA ops", CreatedAt: w.tick()}); err != nil {
			return err
		}
		if err := tx.CreateRAMRole(store.RAMRole{ID: "301", AccountID: acct, Name: "EcsRole", AssumeRolePolicy: ecsTrust,
			MaxSessionDuration: 3600, CreatedAt: w.now, UpdatedAt: w.now}); err != nil {
			return err
		}
		in, err := tx.GetInstance(acct, "i-a1")
		if err != nil {
			return err
		}
		in.KeyPairName, in.RAMRoleName = "ops", "EcsRole"
		in.UserData = base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hello\n"))
		return tx.UpdateInstance(in)
	})
	plane := newFakePlane("vpc-a", "vpc-b")
	roles := sts.NewInstanceRoles(sts.New(sts.Deps{Store: w.st, IDs: ids.Seeded(1), Clock: fixedClock{w.now}}))
	r := New(Config{Store: w.st, Plane: plane, Credentials: roles})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// Run's first pass may still be under way: one more pass (passes are
	// serialized and idempotent) makes sure both listeners are up.
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	a := guest{t, "127.1.0.5", plane.addr("vpc-a")}
	for path, want := range map[string]string{
		"/latest/meta-data/instance-id":                                           "i-a1",
		"/latest/meta-data/hostname":                                              "host-i-a1",
		"/latest/meta-data/private-ipv4":                                          "127.1.0.5",
		"/latest/meta-data/vpc-id":                                                "vpc-a",
		"/latest/meta-data/public-keys/0/openssh-key":                             "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA ops",
		"/latest/user-data":                                                       "#!/bin/sh\necho hello\n",
		"/latest/meta-data/ram/security-credentials/":                             "EcsRole",
		"/2016-01-01/meta-data/network/interfaces/macs/00:16:3e:00:00:05/gateway": "127.1.0.253",
	} {
		if code, body := a.get(path); code != http.StatusOK || body != want {
			t.Errorf("GET %s = %d %q, want %q", path, code, body, want)
		}
	}
	code, body := a.get("/latest/meta-data/ram/security-credentials/EcsRole")
	var cred struct{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration, Code string }
	if err := json.Unmarshal([]byte(body), &cred); code != http.StatusOK || err != nil || cred.Code != "Success" ||
		!strings.HasPrefix(cred.AccessKeyId, sts.KeyPrefix) || cred.SecurityToken == "" {
		t.Errorf("role credentials = %d %s", code, body)
	}
	if code, _ := a.get("/latest/meta-data/ram/security-credentials/OtherRole"); code != http.StatusNotFound {
		t.Errorf("credentials of a role the instance lacks: %d, want 404", code)
	}

	// token mode: PUT a token, read with it; a wrong token is 401
	code, tok := a.do(http.MethodPut, "/latest/api/token", map[string]string{metadata.TokenTTLHeader: "60"})
	if code != http.StatusOK || tok == "" {
		t.Fatalf("PUT /latest/api/token = %d %q", code, tok)
	}
	if code, body := a.do(http.MethodGet, "/latest/meta-data/instance-id", map[string]string{metadata.TokenHeader: tok}); code != 200 || body != "i-a1" {
		t.Errorf("GET with the token = %d %q", code, body)
	}
	if code, _ := a.do(http.MethodGet, "/latest/meta-data/instance-id", map[string]string{metadata.TokenHeader: "forged"}); code != http.StatusUnauthorized {
		t.Errorf("GET with a forged token = %d, want 401", code)
	}

	// the other VPC's listener knows only its own instances
	b := guest{t, "127.2.0.7", plane.addr("vpc-b")}
	if code, body := b.get("/latest/meta-data/instance-id"); code != 200 || body != "i-b1" {
		t.Errorf("vpc-b instance-id = %d %q", code, body)
	}
	if code, _ := (guest{t, "127.1.0.5", plane.addr("vpc-b")}).get("/latest/meta-data/instance-id"); code != http.StatusNotFound {
		t.Errorf("i-a1's address asking vpc-b's service: %d, want 404", code)
	}
	if code, _ := (guest{t, "127.1.0.9", plane.addr("vpc-a")}).get("/latest/meta-data/instance-id"); code != http.StatusNotFound {
		t.Errorf("an unknown address: %d, want 404", code)
	}
	if code, _ := b.get("/latest/user-data"); code != http.StatusNotFound {
		t.Errorf("user-data of an instance without any: %d, want 404", code)
	}

	// Run stops the servers when its context ends
	cancel()
	<-done
	if reachable(a.addr) || reachable(b.addr) {
		t.Error("metadata listeners still answer after Run returned")
	}
}
