package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
)

// qemuEnv is an `ecsd serve --driver qemu` with the test guest registered as
// an image.
type qemuEnv struct {
	server  *server
	imageID string
	zone    string
}

// qemuGuestDir is where scripts/setup-qemu.sh builds the test guest.
func qemuGuestDir() string {
	if d := os.Getenv("ECSD_QEMU_GUEST_DIR"); d != "" {
		return d
	}
	return "/var/cache/ecsd/qemu-guest"
}

// skipWithoutQEMU skips the test unless this machine can run the QEMU data
// plane: root (network namespaces, taps, nftables), the tools, and the test guest.
func skipWithoutQEMU(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("QEMU data plane tests need root (network namespaces, taps, nftables)")
	}
	for _, tool := range []string{"qemu-system-x86_64", "qemu-img", "ip", "nft", "dnsmasq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("QEMU data plane tests need %s (scripts/setup-qemu.sh installs it)", tool)
		}
	}
	for _, f := range []string{"vmlinuz", "initramfs.cpio.gz"} {
		if _, err := os.Stat(filepath.Join(qemuGuestDir(), f)); err != nil {
			t.Skipf("QEMU data plane tests need the test guest (scripts/setup-qemu.sh builds it): %v", err)
		}
	}
}

// startQEMU starts ecsd with the QEMU driver and imports the test guest. When
// the test ends, after ecsd is gone, whatever its data plane left on the host
// (QEMU and dnsmasq processes, network namespaces) is removed.
func startQEMU(t *testing.T) *qemuEnv {
	t.Helper()
	skipWithoutQEMU(t)
	dataDir := t.TempDir()
	t.Cleanup(func() { cleanDataPlane(t, dataDir) })
	s := startServer(t, serverOptions{dataDir: dataDir, args: []string{"--driver", "qemu"}})
	blank := filepath.Join(t.TempDir(), "blank.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", blank, "1G").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v: %s", err, out)
	}
	out, err := exec.Command(ecsdBinary, "admin", "image", "import", blank, "--data-dir", dataDir,
		"--name", "ecsd-test-guest", "--kernel", filepath.Join(qemuGuestDir(), "vmlinuz"),
		"--initrd", filepath.Join(qemuGuestDir(), "initramfs.cpio.gz"), "--cmdline", "console=ttyS0 quiet").Output()
	if err != nil {
		t.Fatalf("ecsd admin image import: %v %s", err, exitStderr(err))
	}
	var img struct{ ImageId string }
	if err := json.Unmarshal(out, &img); err != nil || img.ImageId == "" {
		t.Fatalf("ecsd admin image import printed %q", out)
	}
	return &qemuEnv{server: s, imageID: img.ImageId, zone: "cn-hangzhou-b"}
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// network makes a VPC 10.0.0.0/16 with VSwitch 10.0.1.0/24, a security group
// and a key pair (newInstanceNet).
func (q *qemuEnv) network(t *testing.T, c *ecs.Client) instanceNet {
	t.Helper()
	return newInstanceNet(t, q.server, c)
}

// runRequest is a RunInstances request for one small instance of the test guest.
func (q *qemuEnv) runRequest(n instanceNet) *ecs.RunInstancesRequest {
	req := n.runRequest()
	req.ImageId, req.InstanceType = q.imageID, "ecs.t5-lc1m1.small"
	return req
}

// qemuPID returns the pid of the instance's QEMU from the driver's pidfile.
func (q *qemuEnv) qemuPID(t *testing.T, id string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(q.server.dataDir, "qemu", id, "qemu.pid"))
	if err != nil {
		t.Fatalf("pidfile of %s: %v", id, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pidfile of %s: %v", id, err)
	}
	return pid
}

// cleanDataPlane removes what an ecsd with the QEMU driver on dataDir left on
// the host once it is gone: QEMU and dnsmasq processes that name a file under
// dataDir, and the network namespaces of its data plane (<dataDir>/net).
func cleanDataPlane(t *testing.T, dataDir string) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmd), dataDir+"/") {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	plane, err := netns.New(netns.Config{StateDir: filepath.Join(dataDir, "net"), Prefix: "ecsd"})
	if err != nil {
		t.Logf("clean up the network namespaces of %s: %v", dataDir, err)
		return
	}
	// Only this server's VPCs: other tests' servers share the prefix.
	vpcs, _ := os.ReadDir(filepath.Join(dataDir, "net"))
	for _, vpc := range vpcs {
		if !vpc.IsDir() || !strings.HasPrefix(vpc.Name(), "vpc-") {
			continue
		}
		if err := plane.RemoveVPC(context.Background(), vpc.Name()); err != nil {
			t.Logf("remove the namespace of %s: %v", vpc.Name(), err)
		}
	}
}
