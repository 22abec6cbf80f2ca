package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// popcoreDir holds package.json and call.js; npm installs @alicloud/pop-core there.
const popcoreDir = "popcore"

// popcoreResult is what popcore/call.js prints.
type popcoreResult struct {
	OK     bool           `json:"ok"`
	Body   map[string]any `json:"body"`
	Code   string         `json:"code"`
	Status int            `json:"status"`
}

// popcore calls action through the Node client; it skips the test where Node or the
// npm registry is not available.
func popcore(t *testing.T, s *server, secret, action string, params map[string]string, method string) popcoreResult {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the pop-core client cannot run here")
	}
	if _, err := os.Stat(filepath.Join(popcoreDir, "node_modules", "@alicloud", "pop-core")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Skip("npm is not installed: cannot fetch @alicloud/pop-core")
		}
		out, err := exec.Command(npm, "install", "--no-audit", "--no-fund", "--prefix", popcoreDir).CombinedOutput()
		if err != nil {
			t.Skipf("npm install @alicloud/pop-core failed (no registry?): %v\n%s", err, out)
		}
	}
	p, _ := json.Marshal(params)
	out, err := exec.Command("node", filepath.Join(popcoreDir, "call.js"), "http://"+s.addr, testAccessKeyID, secret,
		"2014-05-26", action, string(p), method).Output()
	if err != nil {
		t.Fatalf("node call.js: %v\n%s", err, out)
	}
	var r popcoreResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("call.js printed %s: %v", out, err)
	}
	return r
}

func TestPopCoreCallsWithGETAndWithEverythingInThePOSTBody(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, method := range []string{"GET", "POST"} {
		r := popcore(t, s, testAccessKeySecret, "DescribeZones", map[string]string{"RegionId": "cn-beijing"}, method)
		zones, _ := r.Body["Zones"].(map[string]any)
		list, _ := zones["Zone"].([]any)
		if !r.OK || len(list) < 2 {
			t.Fatalf("%s DescribeZones: %+v", method, r)
		}
	}
	// pop-core decides failure by the body's Code, and needs the status for retries.
	r := popcore(t, s, testAccessKeySecret, "DescribeZones", map[string]string{"RegionId": "nowhere"}, "GET")
	if r.OK || r.Code != "InvalidRegionId.NotFound" || r.Status != 404 {
		t.Fatalf("unknown region through pop-core: %+v", r)
	}
	r = popcore(t, s, "wrong-secret", "DescribeRegions", map[string]string{}, "POST")
	if r.OK || r.Code != "SignatureDoesNotMatch" || r.Status != 400 {
		t.Fatalf("wrong secret through pop-core: %+v", r)
	}
}
