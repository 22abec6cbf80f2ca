package metadata

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// crawl walks the meta-data tree the way cloud-init's AliYun datasource
// does (its EC2 MetadataMaterializer): read a listing, recurse into the
// lines ending in '/', read the others as leaves; with the token header
// when it got a token. It fails the test on any error status.
func crawl(t *testing.T, get func(path string) (int, string), path string) map[string]any {
	t.Helper()
	code, body := get(path)
	if code != 200 {
		t.Fatalf("GET %s = %d", path, code)
	}
	out := map[string]any{}
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasSuffix(line, "/") {
			out[strings.TrimSuffix(line, "/")] = crawl(t, get, path+line)
			continue
		}
		code, leaf := get(path + line)
		if code != 200 {
			t.Fatalf("GET %s%s = %d", path, line, code)
		}
		out[line] = leaf
	}
	return out
}

func TestCloudInitAliYunCrawl(t *testing.T) {
	e := newEnv(true) // hardened: every read must carry the token, as cloud-init sends it
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.RemoteAddr = "192.168.1.11:5000" // the guest's address inside its namespace
		e.h.ServeHTTP(w, r)
	}))
	srv.Start()
	defer srv.Close()
	client := srv.Client()

	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/latest/api/token", nil)
	req.Header.Set(TokenTTLHeader, "21600")
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: %v %v", err, resp)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	get := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set(TokenHeader, string(tok))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	md := crawl(t, get, "/2016-01-01/meta-data/")
	if md["instance-id"] != "i-web1" || md["hostname"] != "iZweb1Z" || md["region-id"] != "cn-hangzhou" {
		t.Errorf("identity: %v", md)
	}
	keys := md["public-keys"].(map[string]any)["0"].(map[string]any)
	if keys["openssh-key"] != "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx key1" {
		t.Errorf("public-keys: %v", md["public-keys"])
	}
	macs := md["network"].(map[string]any)["interfaces"].(map[string]any)["macs"].(map[string]any)
	primary := macs[md["mac"].(string)].(map[string]any)
	if primary["primary-ip-address"] != "192.168.1.11" || primary["netmask"] != "255.255.255.0" || primary["gateway"] != "192.168.1.253" {
		t.Errorf("primary interface: %v", primary)
	}
	if len(macs) != 2 {
		t.Errorf("macs: %v", macs)
	}
	if _, ok := md["ram"].(map[string]any)["security-credentials"].(map[string]any)["web-role"]; !ok {
		t.Errorf("ram: %v", md["ram"])
	}
	if code, ud := get("/2016-01-01/user-data"); code != 200 || ud != "#cloud-config\nhostname: web1\n" {
		t.Errorf("user-data = %d %q", code, ud)
	}
}

// TestMetaDataAllIsTheCrawledTree: meta-data/all answers in one JSON object
// what a crawl of the tree reads path by path (recent cloud-init reads it
// instead of crawling), without the RAM role's credentials, and is not
// listed in meta-data/.
func TestMetaDataAllIsTheCrawledTree(t *testing.T) {
	e := newEnv(false)
	get := func(path string) (int, string) {
		code, body, _ := e.do(t, http.MethodGet, "192.168.1.11", path, nil)
		return code, body
	}
	for _, version := range Versions {
		crawled := crawl(t, get, "/"+version+"/meta-data/")
		delete(crawled, "ram")
		code, body, hdr := e.do(t, http.MethodGet, "192.168.1.11", "/"+version+"/meta-data/all", nil)
		if code != 200 || hdr.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /%s/meta-data/all = %d %q", version, code, hdr.Get("Content-Type"))
		}
		var all map[string]any
		if err := json.Unmarshal([]byte(body), &all); err != nil {
			t.Fatalf("meta-data/all is not a JSON object: %v: %s", err, body)
		}
		if !reflect.DeepEqual(all, crawled) {
			t.Errorf("meta-data/all = %v\ncrawl = %v", all, crawled)
		}
		if strings.Contains(body, "CAIS") || strings.Contains(body, "web-role") {
			t.Errorf("meta-data/all carries the role or its credentials: %s", body)
		}
	}
	if _, listing := get("/latest/meta-data/"); strings.Contains(listing, "all") {
		t.Errorf("meta-data/ lists all: %q", listing)
	}
	if code, _ := get("/latest/meta-data/all/"); code != http.StatusNotFound {
		t.Errorf("meta-data/all/ = %d, want 404", code)
	}
}
