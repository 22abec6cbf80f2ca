package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/guestimage"

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

// skipWithoutGuestNetwork skips the test unless the QEMU data plane can give
// guests their network here: the tools of the network namespaces, taps, DHCP
// and nftables (root is checked by qemuGuestDir).
func skipWithoutGuestNetwork(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ip", "nft", "dnsmasq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("guest networking needs %s (scripts/setup-qemu.sh installs it)", tool)
		}
	}
}

// startQEMU starts ecsd with the QEMU driver and the test guest registered as
// an image, for tests whose guests use the network.
func startQEMU(t *testing.T) *qemuEnv {
	t.Helper()
	qemuGuestDir(t)
	skipWithoutGuestNetwork(t)
	s, _, img := qemuServerWithGuestImage(t)
	return &qemuEnv{server: s, imageID: img.ImageId, zone: "cn-hangzhou-b"}
}

// qemuGuestDir returns the directory of the test guest scripts/setup-qemu.sh
// builds, skipping the test where real VMs cannot run: not root, no QEMU or
// qemu-img, no test guest.
func qemuGuestDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("not root: the QEMU driver e2e tests need root")
	}
	for _, bin := range []string{"qemu-system-x86_64", "qemu-img"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed: run scripts/setup-qemu.sh to run the QEMU driver e2e tests", bin)
		}
	}
	dir, err := guestimage.BusyboxGuest()
	if err != nil {
		t.Skipf("%v: the QEMU driver e2e tests skip", err)
	}
	return dir
}

// qemuDataDir returns a short data dir (QMP socket paths are limited to 107
// bytes) and, when the test ends, kills every QEMU the server left in it
// (they are daemonized and outlive ecsd) and removes it.
func qemuDataDir(t *testing.T) string {
	t.Helper()
	qemuGuestDir(t) // skips where real VMs cannot run
	dir, err := os.MkdirTemp("/tmp", "eqv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cleanDataPlane(t, dir)
		os.RemoveAll(dir)
	})
	return dir
}

// importedImage is what `ecsd admin image import` prints.
type importedImage struct {
	ImageId   string
	Size      int
	FileBytes int64
	Kernel    string
	Cmdline   string
}

// adminImageImport runs `ecsd admin image import` on the server's data dir.
func adminImageImport(t *testing.T, dataDir string, args ...string) importedImage {
	t.Helper()
	cmd := exec.Command(ecsdBinary, append([]string{"admin", "image", "import", "--data-dir", dataDir}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ecsd admin image import: %v\n%s", err, stderr.String())
	}
	var img importedImage
	if err := json.Unmarshal(out, &img); err != nil || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Fatalf("ecsd admin image import printed %q, want one JSON object: %v", out, err)
	}
	return img
}

// consoleOutput returns the instance's serial console (GetInstanceConsoleOutput,
// base64 on the wire) decoded.
func consoleOutput(t *testing.T, c *ecs.Client, id string) string {
	t.Helper()
	req := ecs.CreateGetInstanceConsoleOutputRequest()
	req.InstanceId = id
	resp, err := c.GetInstanceConsoleOutput(req)
	if err != nil {
		t.Fatalf("GetInstanceConsoleOutput: %v", err)
	}
	b, err := base64.StdEncoding.DecodeString(resp.ConsoleOutput)
	if err != nil {
		t.Fatalf("ConsoleOutput is not base64: %v", err)
	}
	return string(b)
}

// waitConsole polls the console until ok accepts it.
func waitConsole(t *testing.T, c *ecs.Client, id, what string, ok func(console string) bool) string {
	t.Helper()
	var out string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if out = consoleOutput(t, c, id); ok(out) {
			return out
		}
	}
	t.Fatalf("console of %s never showed %s:\n%s", id, what, out)
	return ""
}

// qemuServerWithGuestImage starts ecsd serve --driver qemu and registers,
// while it runs, the test guest as image m-e2eqemuguest: a blank 1 GiB qcow2
// disk booted with the guest's kernel and initramfs.
func qemuServerWithGuestImage(t *testing.T) (*server, *ecs.Client, importedImage) {
	t.Helper()
	guest := qemuGuestDir(t)
	dataDir := qemuDataDir(t)
	s := startServer(t, serverOptions{dataDir: dataDir, args: []string{"--driver", "qemu"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	blank := filepath.Join(dataDir, "blank.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", blank, "1G").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v: %s", err, out)
	}
	img := adminImageImport(t, dataDir, blank, "--image-id", "m-e2eqemuguest", "--name", "busybox-guest",
		"--kernel", filepath.Join(guest, "vmlinuz"), "--initrd", filepath.Join(guest, "initramfs.cpio.gz"),
		"--cmdline", "console=ttyS0 quiet", "--platform", "Others Linux")
	if img.ImageId != "m-e2eqemuguest" || img.Size != 1 || img.FileBytes <= 0 || img.Cmdline != "console=ttyS0 quiet" {
		t.Fatalf("imported image = %+v", img)
	}
	return s, c, img
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
