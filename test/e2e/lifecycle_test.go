package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

func TestFirstStartGeneratesAndPrintsRootKeyOnce(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, serverOptions{dataDir: dir, noCreds: true})
	var creds struct {
		AccountId                    int64
		AccessKeyId, AccessKeySecret string
	}
	data, err := os.ReadFile(filepath.Join(dir, "credentials.json"))
	if err != nil {
		t.Fatalf("credentials not stored in the data dir: %v", err)
	}
	if err := json.Unmarshal(data, &creds); err != nil || creds.AccessKeyId == "" || creds.AccessKeySecret == "" || creds.AccountId <= 0 {
		t.Fatalf("credentials.json = %s (%v)", data, err)
	}
	if !strings.Contains(s.stdout.String(), creds.AccessKeySecret) || !strings.Contains(s.stdout.String(), "aliyun") {
		t.Fatalf("first start did not print the secret with a hint:\n%s", s.stdout.String())
	}
	if _, err := oldSDK(t, s, creds.AccessKeyId, creds.AccessKeySecret).DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatalf("generated key does not work: %v", err)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, s.stderr.String())
	}

	again := startServer(t, serverOptions{dataDir: dir, noCreds: true})
	if strings.Contains(again.stdout.String(), creds.AccessKeySecret) {
		t.Fatal("the secret was printed again on the second start")
	}
	if _, err := oldSDK(t, again, creds.AccessKeyId, creds.AccessKeySecret).DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatalf("key does not survive a restart: %v", err)
	}
}

func TestEnvironmentRootKeyIsKeptAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, serverOptions{dataDir: dir})
	if strings.Contains(s.stdout.String(), testAccessKeySecret) {
		t.Fatal("a key given by the environment must not be printed")
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	again := startServer(t, serverOptions{dataDir: dir})
	if _, err := oldSDK(t, again, testAccessKeyID, testAccessKeySecret).DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatal(err)
	}
}

func TestSIGTERMShutsDownCleanly(t *testing.T) {
	s := startServer(t, serverOptions{})
	if err := s.stop(); err != nil {
		t.Fatalf("ecsd did not exit cleanly on SIGTERM: %v\n%s", err, s.stderr.String())
	}
	if !strings.Contains(s.stderr.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", s.stderr.String())
	}
}

func TestDisabledAccessKeyIsForbidden(t *testing.T) {
	if os.Getenv("ECSD_E2E_STORE") != "" {
		t.Skip("disables the key through the SQLite file")
	}
	s := startServer(t, serverOptions{})
	st, err := sqlstore.Open(ctx(t), "", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(ctx(t), func(tx store.Tx) error {
		return tx.SetAccessKeyStatus(testAccessKeyID, store.AccessKeyInactive)
	}); err != nil {
		t.Fatal(err)
	}
	_, err = oldSDK(t, s, testAccessKeyID, testAccessKeySecret).DescribeRegions(ecs.CreateDescribeRegionsRequest())
	if se := serverError(t, err); se.HttpStatus() != 403 || se.ErrorCode() != "Forbidden.AccessKeyDisabled" {
		t.Fatalf("got %d %s", se.HttpStatus(), se.ErrorCode())
	}
}

func TestConfigFileAndEnvironmentSetFlags(t *testing.T) {
	dir := t.TempDir()
	fileAddr, envAddr := freeAddr(t), freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "ecsd.yaml")
	if err := os.WriteFile(cfg, []byte("listen: "+fileAddr+"\nsim-delay: 1s\ndriver: sim\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The config file names the port; ECSD_DATA_DIR names the data dir.
	s := startServer(t, serverOptions{dataDir: dir, viaEnvironment: true, addr: fileAddr, env: []string{"ECSD_CONFIG=" + cfg}})
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	// The environment wins over the config file.
	startServer(t, serverOptions{dataDir: dir, viaEnvironment: true, addr: envAddr,
		env: []string{"ECSD_CONFIG=" + cfg, "ECSD_LISTEN=" + envAddr}})
	if _, err := os.Stat(filepath.Join(dir, "ecsd.db")); err != nil {
		t.Fatalf("ECSD_DATA_DIR was not used: %v", err)
	}
}

func TestEcsdCallPrintsTheJSONAnswer(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, serverOptions{dataDir: dir, noCreds: true})
	out, err := exec.Command(ecsdBinary, "call", "--endpoint", s.addr, "--data-dir", dir,
		"DescribeZones", "RegionId=cn-beijing").Output()
	if err != nil {
		t.Fatalf("ecsd call: %v\n%s", err, out)
	}
	var resp ecs.DescribeZonesResponse
	if err := json.Unmarshal(out, &resp); err != nil || len(resp.Zones.Zone) < 2 {
		t.Fatalf("ecsd call output %s (%v)", out, err)
	}
	out, err = exec.Command(ecsdBinary, "call", "--endpoint", "https://"+s.addr, "--data-dir", dir,
		"DescribeRegions").Output()
	if err != nil || !strings.Contains(string(out), "cn-hangzhou") {
		t.Fatalf("ecsd call over TLS with the data dir's certificate: %v\n%s", err, out)
	}
	cmd := exec.Command(ecsdBinary, "call", "--endpoint", s.addr, "--data-dir", dir, "DescribeZones", "RegionId=nowhere")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "InvalidRegionId.NotFound") {
		t.Fatalf("ecsd call of a failing action: err=%v\n%s", err, out)
	}
}
