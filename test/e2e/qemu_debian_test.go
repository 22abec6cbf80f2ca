package e2e

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"golang.org/x/crypto/ssh"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/guestimage"
)

// TestQEMUDebianCloudInitTakesTheKeyPairAndUserDataFromTheMetadataServiceAndSSHWorks
// boots the Debian bookworm cloud image through RunInstances: cloud-init's
// AliYun datasource reads 100.100.100.200, runs the user-data, names the host
// and installs the key pair that CreateKeyPair made, and SSH with that key
// pair's private key works from the VPC's namespace once a security group
// rule opens port 22.
func TestQEMUDebianCloudInitTakesTheKeyPairAndUserDataFromTheMetadataServiceAndSSHWorks(t *testing.T) {
	q := startQEMU(t)
	debian, err := guestimage.LoadDebian()
	if err != nil {
		t.Skipf("no Debian image (scripts/build-debian-image.sh builds it): %v", err)
	}
	img := adminImageImport(t, q.server.dataDir, debian.Disk, "--image-id", "m-debian12e2e",
		"--name", "debian-12", "--platform", "Debian", "--kernel", debian.Kernel,
		"--initrd", debian.Initrd, "--cmdline", debian.Cmdline)
	c := oldSDK(t, q.server, testAccessKeyID, testAccessKeySecret)
	n := q.network(t, c)

	kp := ecs.CreateCreateKeyPairRequest()
	kp.KeyPairName = keyPairPrefix(t, q.server) + "debian"
	made, err := c.CreateKeyPair(kp)
	if err != nil {
		t.Fatalf("CreateKeyPair: %v", err)
	}
	signer, err := ssh.ParsePrivateKey([]byte(made.PrivateKeyBody))
	if err != nil {
		t.Fatalf("the private key CreateKeyPair returned: %v", err)
	}
	auth := ecs.CreateAuthorizeSecurityGroupRequest()
	auth.SecurityGroupId, auth.IpProtocol, auth.PortRange, auth.SourceCidrIp = n.groupID, "tcp", "22/22", "0.0.0.0/0"
	if _, err := c.AuthorizeSecurityGroup(auth); err != nil {
		t.Fatalf("AuthorizeSecurityGroup: %v", err)
	}

	req := q.runRequest(n)
	req.ImageId, req.HostName, req.KeyPairName = img.ImageId, "debian-e2e", made.KeyPairName
	req.PrivateIpAddress = "10.0.1.30"
	req.UserData = base64.StdEncoding.EncodeToString([]byte("#cloud-config\nruncmd:\n" +
		"  - [ sh, -c, 'echo ECSD-CLOUD-INIT-RUNCMD-$(hostname) > /dev/ttyS0' ]\n"))
	id := runInstances(t, c, req)[0]
	started := time.Now()
	out := waitConsoleFor(t, c, id, regexp.MustCompile(`ECSD-CLOUD-INIT-RUNCMD-debian-e2e`), 10*time.Minute)
	t.Logf("cloud-init ran the user-data %v after RunInstances", time.Since(started).Round(time.Second))
	// cloud-init's last line names the datasource it used.
	out = waitConsoleFor(t, c, id, regexp.MustCompile(`finished at .*Datasource DataSource\w+`), 5*time.Minute)
	t.Logf("cloud-init finished %v after RunInstances", time.Since(started).Round(time.Second))
	if !regexp.MustCompile(`Datasource DataSourceAliYun`).MatchString(out) {
		t.Errorf("cloud-init did not use its AliYun datasource:\n%s", out)
	}

	plane, err := netns.New(netns.Config{StateDir: filepath.Join(q.server.dataDir, "net"), Prefix: "ecsd"})
	if err != nil {
		t.Fatal(err)
	}
	var session string
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(2 * time.Second) {
		session, err = sshRun(t.Context(), plane, n.vpcID, "10.0.1.30:22", signer, "hostname; id -un; cat /etc/hostname")
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("SSH to the instance with the key pair's private key: %v", err)
	}
	t.Logf("SSH works %v after RunInstances: %q", time.Since(started).Round(time.Second), session)
	if lines := strings.Fields(session); len(lines) != 3 || lines[0] != "debian-e2e" || lines[1] != "debian" || lines[2] != "debian-e2e" {
		t.Fatalf("over SSH: %q, want the host name debian-e2e and the default user debian", session)
	}
}

// waitConsoleFor is waitConsoleMatch with a limit of its own (a Debian boot
// with cloud-init takes about a minute under TCG, more on a busy machine).
func waitConsoleFor(t *testing.T, c *ecs.Client, id string, re *regexp.Regexp, limit time.Duration) string {
	t.Helper()
	var out string
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(time.Second) {
		if out = consoleOutput(t, c, id); re.MatchString(out) {
			return out
		}
	}
	t.Fatalf("console of %s has no %q after %v:\n%s", id, re, limit, out)
	return ""
}

// sshRun runs command over SSH as the image's default user, connecting from
// inside the VPC's namespace.
func sshRun(ctx context.Context, plane *netns.Plane, vpcID, addr string, signer ssh.Signer, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := plane.Dial(ctx, vpcID, "tcp", addr)
	if err != nil {
		return "", err
	}
	cfg := &ssh.ClientConfig{User: "debian", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second}
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		return "", err
	}
	client := ssh.NewClient(cc, chans, reqs)
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	out, err := s.CombinedOutput(command)
	return string(out), err
}
