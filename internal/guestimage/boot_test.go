package guestimage

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ecsd/ecsd/internal/metadata"
)

// The guest's network: slirp's guestfwd only forwards addresses inside the
// virtual network, so it is 100.64.0.0/10 (which holds 100.100.100.200)
// rather than slirp's default 10.0.2.0/24. guestAddr is the address slirp's
// DHCP gives the guest; the metadata service answers it (and nobody else)
// as the instance.
var (
	guestNet  = netip.MustParsePrefix("100.64.0.0/10")
	guestAddr = netip.MustParseAddr("100.64.0.15")
	guestGW   = netip.MustParseAddr("100.64.0.2")
)

// bootTimeout bounds the whole boot under TCG on a shared machine (about a
// minute when the machine is idle).
const bootTimeout = 8 * time.Minute

// staticLookup answers one instance for the guest's address.
type staticLookup struct{ inst metadata.Instance }

func (l staticLookup) InstanceByIP(_ context.Context, ip netip.Addr) (metadata.Instance, error) {
	if ip == guestAddr {
		return l.inst, nil
	}
	return metadata.Instance{}, metadata.ErrNotFound
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// request is one request the metadata service answered.
type request struct {
	method, path string
	status       int
}

// requestLog records the metadata service's requests and answers.
type requestLog struct {
	mu   sync.Mutex
	reqs []request
}

func (l *requestLog) add(r request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
}

func (l *requestLog) all() []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]request(nil), l.reqs...)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// serveMetadata serves h on a loopback port and answers the port. QEMU's
// guestfwd relays each guest connection from the host's loopback, so a
// loopback peer stands for the guest: its address becomes guestAddr, as
// the guest's own source address is in the data plane's namespace.
func serveMetadata(t *testing.T, h http.Handler, log *requestLog) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && net.ParseIP(host).IsLoopback() {
			r.RemoteAddr = net.JoinHostPort(guestAddr.String(), "40000")
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		log.add(request{method: r.Method, path: r.URL.Path, status: sw.status})
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// freePort answers a loopback TCP port nobody listens on (for hostfwd).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// requireBootable skips the test when the Debian image cannot be booted here.
func requireBootable(t *testing.T) Image {
	t.Helper()
	if testing.Short() {
		t.Skip("boots a Debian VM under QEMU (minutes); not in -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (the image is built and kept by root: scripts/build-debian-image.sh)")
	}
	for _, bin := range []string{"qemu-system-x86_64", "qemu-img"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("needs %s (apt-get install qemu-system-x86 qemu-utils)", bin)
		}
	}
	img, err := LoadDebian()
	if err != nil {
		t.Skip(err)
	}
	return img
}

// console is the guest's serial console, written by QEMU to a file.
type console struct {
	path  string
	start time.Time
	seen  map[string]time.Duration
}

// text answers what the console printed so far.
func (c *console) text() string {
	b, _ := os.ReadFile(c.path)
	return string(b)
}

// note records when each marker first appears and answers whether all have.
func (c *console) note(markers ...string) bool {
	text := c.text()
	all := true
	for _, m := range markers {
		if _, ok := c.seen[m]; ok {
			continue
		}
		if strings.Contains(text, m) {
			c.seen[m] = time.Since(c.start)
		} else {
			all = false
		}
	}
	return all
}

// tail answers the last lines of the console, for failure messages.
func (c *console) tail(n int) string {
	lines := strings.Split(strings.TrimRight(c.text(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// dialSSH connects to the guest's sshd as user until it answers or the
// deadline passes.
func dialSSH(addr, user string, signer ssh.Signer, deadline time.Time, exited <-chan struct{}) (*ssh.Client, error) {
	cfg := &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), // a fresh guest's key: nothing to check it against
		Timeout:         10 * time.Second,
	}
	var last error
	for time.Now().Before(deadline) {
		c, err := ssh.Dial("tcp", addr, cfg)
		if err == nil {
			return c, nil
		}
		last = err
		select {
		case <-exited:
			return nil, errors.New("qemu exited")
		case <-time.After(time.Second):
		}
	}
	return nil, fmt.Errorf("no SSH session by the deadline: %v", last)
}

// run runs cmd in a new session and answers its standard output.
func run(c *ssh.Client, cmd string) (string, string, error) {
	s, err := c.NewSession()
	if err != nil {
		return "", "", err
	}
	defer s.Close()
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr = &out, &errOut
	err = s.Run(cmd)
	return out.String(), errOut.String(), err
}

// TestDebianImageCloudInitAliYunDatasource boots the image that
// scripts/build-debian-image.sh built, as the QEMU driver would for an ECS
// instance (SMBIOS product "Alibaba Cloud ECS", an overlay on the golden
// disk, the metadata service at 100.100.100.200 reached through slirp's
// guestfwd), and proves that cloud-init took its configuration from the
// metadata service through the AliYun datasource: the user-data's runcmd
// ran, the host name was applied, and the key pair's private key logs in
// as the default user over SSH.
func TestDebianImageCloudInitAliYunDatasource(t *testing.T) {
	img := requireBootable(t)
	dir := t.TempDir()

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, 6)
	rand.Read(nonce)
	marker := "ECSD-RUNCMD-" + hex.EncodeToString(nonce)
	const hostName = "iz-ecsd-debian-test"
	inst := metadata.Instance{
		ID:           "i-guestimage000001",
		HostName:     hostName,
		RegionID:     "cn-hangzhou",
		ZoneID:       "cn-hangzhou-i",
		ImageID:      "debian_12_ecsd_x64_20G_alibase.vhd",
		InstanceType: "ecs.t6-c1m1.large",
		SerialNumber: "4f1c7a3e-0000-4000-8000-000000000001",
		PublicKeys:   []string{strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))},
		// The runcmd writes the marker with its digits computed by the
		// shell, so that the console shows it only if the command ran.
		UserData: []byte("#cloud-config\nruncmd:\n  - [ sh, -c, 'echo " + marker + "-$((6*7)) > /dev/ttyS0' ]\n"),
		Interfaces: []metadata.Interface{{
			ID: "eni-guestimage000001", MAC: "52:54:00:12:34:56", PrimaryIP: guestAddr,
			VSwitchCIDR: guestNet, VpcCIDR: guestNet, Gateway: guestGW, VpcID: "vpc-guestimage", VSwitchID: "vsw-guestimage",
		}},
	}
	var reqs requestLog
	mdPort := serveMetadata(t, metadata.New(metadata.Options{Lookup: staticLookup{inst}, Clock: wallClock{}}), &reqs)
	sshPort := freePort(t)

	overlay := filepath.Join(dir, "system.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", img.Disk, overlay, "20G").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v: %s", err, out)
	}
	consolePath := filepath.Join(dir, "console.log")
	args := []string{
		"-accel", "tcg,tb-size=64", "-M", "q35", "-m", "512", "-smp", "1",
		"-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "file:" + consolePath,
		"-smbios", "type=1,manufacturer=Alibaba Cloud,product=Alibaba Cloud ECS",
		"-kernel", img.Kernel, "-initrd", img.Initrd, "-append", img.Cmdline,
		"-drive", "file=" + overlay + ",if=none,id=d0,format=qcow2",
		"-device", "virtio-blk-pci,drive=d0",
		"-netdev", fmt.Sprintf("user,id=n0,restrict=on,net=%s,host=%s,dhcpstart=%s,guestfwd=tcp:100.100.100.200:80-tcp:127.0.0.1:%d,hostfwd=tcp:127.0.0.1:%d-:22",
			guestNet, guestGW, guestAddr, mdPort, sshPort),
		"-device", "virtio-net-pci,netdev=n0",
	}
	qemu := exec.Command("qemu-system-x86_64", args...)
	qemuLog, err := os.Create(filepath.Join(dir, "qemu.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer qemuLog.Close()
	qemu.Stdout, qemu.Stderr = qemuLog, qemuLog
	start := time.Now()
	if err := qemu.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { qemu.Wait(); close(exited) }()
	t.Cleanup(func() {
		qemu.Process.Kill()
		<-exited
	})
	con := &console{path: consolePath, start: start, seen: map[string]time.Duration{}}
	deadline := start.Add(bootTimeout)

	// SSH first: sshd is up before cloud-init's last stages finish.
	client, err := dialSSH(fmt.Sprintf("127.0.0.1:%d", sshPort), "debian", signer, deadline, exited)
	if err != nil {
		qemuOut, _ := os.ReadFile(qemuLog.Name())
		t.Fatalf("ssh as debian with the key pair's private key: %v\nqemu: %s\nconsole:\n%s", err, qemuOut, con.tail(40))
	}
	defer client.Close()
	sshAt := time.Since(start)

	const finished = "Datasource DataSourceAliYun"
	runcmdOut := marker + "-42"
	for !con.note(finished, runcmdOut) && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
	}
	if _, ok := con.seen[finished]; !ok {
		t.Errorf("console never says cloud-init finished with DataSourceAliYun; last lines:\n%s", con.tail(40))
	}
	if _, ok := con.seen[runcmdOut]; !ok {
		t.Errorf("console never shows the runcmd marker %s", runcmdOut)
	}

	for _, cmd := range []string{"hostname", "cat /etc/hostname"} {
		out, errOut, err := run(client, cmd)
		if err != nil || strings.TrimSpace(out) != hostName {
			t.Errorf("%s = %q (stderr %q, %v), want %q", cmd, out, errOut, err, hostName)
		}
	}
	// The datasource cloud-init settled on, as it records it.
	if out, _, err := run(client, "cat /run/cloud-init/result.json"); err != nil || !strings.Contains(out, "DataSourceAliYun") {
		t.Errorf("result.json = %q, %v; want DataSourceAliYun", out, err)
	}
	// Passwordless sudo for the default user, and /etc/hosts names the host
	// (manage_etc_hosts): sudo does not complain it cannot resolve it.
	if out, errOut, err := run(client, "sudo -n id -un"); err != nil || strings.TrimSpace(out) != "root" || errOut != "" {
		t.Errorf("sudo -n id -un = %q (stderr %q, %v), want root and no complaint", out, errOut, err)
	}
	// The root file system grew from the image's 2 GiB to the disk's 20 GiB
	// (cloud-init's resizefs).
	if out, _, err := run(client, "findmnt -bno SIZE /"); err != nil {
		t.Errorf("findmnt: %v", err)
	} else if size, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64); err != nil || size < 19<<30 {
		t.Errorf("root file system size = %q, want about 20 GiB", out)
	}
	if os.Getenv("ECSD_GUESTIMAGE_DEBUG") != "" {
		out, _, _ := run(client, "sudo cloud-init analyze blame 2>&1 | head -n 40; sudo grep -E 'Resolving URL|took|Crawl' /var/log/cloud-init.log | head -n 40")
		t.Logf("cloud-init analyze:\n%s", out)
	}
	// Where the boot's time went, for the record.
	if out, _, err := run(client, "systemd-analyze time; systemd-analyze blame | head -n 12"); err == nil {
		t.Logf("systemd-analyze:\n%s", out)
	}

	// Every request cloud-init made was answered (it gives up on the
	// datasource at the first error), among them the ones it needs.
	paths := map[string]bool{}
	for _, r := range reqs.all() {
		paths[r.path] = true
		if r.status != http.StatusOK {
			t.Errorf("metadata %s %s answered %d", r.method, r.path, r.status)
		}
	}
	for _, p := range []string{
		"/2016-01-01/meta-data/instance-id", "/2016-01-01/user-data", "/2016-01-01/meta-data/",
		"/2016-01-01/meta-data/hostname", "/2016-01-01/meta-data/public-keys/0/openssh-key",
	} {
		if !paths[p] {
			t.Errorf("cloud-init never asked for %s", p)
		}
	}
	t.Logf("metadata requests: %d", len(reqs.all()))
	for _, r := range reqs.all() {
		t.Logf("  %s %s %d", r.method, r.path, r.status)
	}
	t.Logf("SSH as debian after %v; runcmd marker after %v; cloud-init finished after %v",
		sshAt.Round(100*time.Millisecond), con.seen[runcmdOut].Round(100*time.Millisecond), con.seen[finished].Round(100*time.Millisecond))
	if testing.Verbose() {
		t.Logf("console:\n%s", con.text())
	}
}
